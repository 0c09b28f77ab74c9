// cityops-platform: the district platform's HTTP server and its account management. Composition
// root only: links cityops_server (and no QtWidgets).
#include "demo/demogenerator.h"
#include "httpadapter.h"
#include "platformadmin.h"
#include "platformservice.h"
#include "storage/database.h"
#include "storage/platformstore.h"
#include "sync/protocol.h"
#include "util/allocator.h"
#include "util/i18n.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include <unistd.h>

using namespace cityops;
using namespace cityops::platform;

namespace {

/** Exit codes, documented in `cityops-platform --help`. */
enum Exit
{
    ExitOk = 0,
    ExitError = 1,
    ExitUsage = 2
};

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Platform)
};

int error(const QString &s, int code = ExitError)
{
    std::fprintf(stderr, "cityops-platform: %s\n", qPrintable(s));
    return code;
}

void out(const QString &s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
    std::fflush(stdout);
}

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
}

/** HOST:PORT, [IPv6]:PORT or localhost:PORT; no name lookups. */
std::optional<std::pair<QHostAddress, quint16>> parseListen(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    QString host = text.left(colon);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    QHostAddress address;
    if (host == QLatin1String("localhost"))
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(host))
        return std::nullopt;
    return std::pair{address, quint16(port)};
}

QString readPasswordLine()
{
    std::string line;
    if (!std::getline(std::cin, line))
        return {};
    QString s = QString::fromStdString(line);
    while (s.endsWith(QLatin1Char('\r')))
        s.chop(1);
    return s;
}

int userCommand(const QCommandLineParser &p, const QStringList &args, const QString &dataDir)
{
    const QString verb = args.value(1);
    const QString name = args.value(2);
    if (verb == QLatin1String("list")) {
        if (args.size() != 2)
            return error(Tr::tr("usage: user list"), ExitUsage);
    } else if (args.size() != 3 || name.isEmpty()) {
        return error(Tr::tr("usage: user add|passwd|disable|scope|sessions|end-sessions NAME"),
                     ExitUsage);
    }
    auto store = PlatformStore::open(dataDir);
    if (!store)
        return error(store.error());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto password = [&]() -> std::optional<QString> {
        if (!p.isSet(QStringLiteral("password-stdin"))) {
            error(Tr::tr("give the password on standard input with --password-stdin"), ExitUsage);
            return std::nullopt;
        }
        return readPasswordLine();
    };
    if (verb == QLatin1String("add")) {
        const auto role = Names::role(p.value(QStringLiteral("role")));
        if (!role)
            return error(Tr::tr("--role must be operator, dispatcher, supervisor, field, "
                                "enforcement or auditor"),
                         ExitUsage);
        const auto pw = password();
        if (!pw)
            return ExitUsage;
        if (Status s = PlatformAdmin::addUser(
                **store, name, *role, p.value(QStringLiteral("person")),
                p.value(QStringLiteral("display")), *pw, now,
                p.value(QStringLiteral("duty-reason")), p.value(QStringLiteral("org")),
                p.value(QStringLiteral("scope")));
            !s)
            return error(s.error());
        out(Tr::tr("Account %1 (%2) created, scope %3.")
                .arg(name, Names::key(*role), (*store)->account(name)->scope));
        return ExitOk;
    }
    if (verb == QLatin1String("sessions") || verb == QLatin1String("end-sessions")) {
        if (!(*store)->account(name))
            return error(Tr::tr("There is no account \"%1\".").arg(name));
        if (verb == QLatin1String("end-sessions")) {
            const auto ended = (*store)->endSessions(name);
            if (!ended)
                return error(ended.error());
            out(Tr::tr("%1 session(s) of %2 ended.").arg(*ended).arg(name));
            return ExitOk;
        }
        const auto when = [](qint64 ms) {
            return QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODate);
        };
        for (const PlatformStore::SessionRow &s : (*store)->sessions(name, now))
            out(QStringLiteral("%1\t%2\t%3").arg(when(s.createdAt), when(s.expiresAt), s.address));
        return ExitOk;
    }
    if (verb == QLatin1String("scope")) {
        const QString org = p.isSet(QStringLiteral("org"))
                                ? p.value(QStringLiteral("org"))
                                : (*store)->account(name).value_or(Account()).org;
        if (Status s =
                PlatformAdmin::setScope(**store, name, org, p.value(QStringLiteral("scope")), now);
            !s)
            return error(s.error());
        const Account a = *(*store)->account(name);
        out(Tr::tr("Account %1: organisation %2, scope %3.")
                .arg(name, a.org.isEmpty() ? Tr::tr("the district centre") : a.org, a.scope));
        return ExitOk;
    }
    if (verb == QLatin1String("passwd")) {
        const auto pw = password();
        if (!pw)
            return ExitUsage;
        if (Status s = PlatformAdmin::setPassword(**store, name, *pw, now); !s)
            return error(s.error());
        out(Tr::tr("Password of %1 changed; its sessions were ended.").arg(name));
        return ExitOk;
    }
    if (verb == QLatin1String("disable")) {
        if (Status s = PlatformAdmin::disable(**store, name, now); !s)
            return error(s.error());
        out(Tr::tr("Account %1 disabled; its sessions were ended.").arg(name));
        return ExitOk;
    }
    if (verb == QLatin1String("list")) {
        for (const Account &a : (*store)->accounts())
            out(QStringLiteral("%1\t%2\t%3\t%4\t%5\t%6%7%8")
                    .arg(a.username, Names::key(a.role), a.person, a.org, a.scope, a.displayName,
                         a.disabled       ? Tr::tr("\t(disabled)")
                         : a.demoPassword ? Tr::tr("\t(demo password)")
                                          : QString(),
                         a.dutyReason.isEmpty() ? QString()
                                                : Tr::tr("\t(second role: %1)").arg(a.dutyReason)));
        return ExitOk;
    }
    return error(Tr::tr("unknown user command \"%1\"").arg(verb), ExitUsage);
}

int serve(const QCommandLineParser &p, const QString &dataDir)
{
    if (!p.isSet(QStringLiteral("listen")))
        return error(Tr::tr("--listen HOST:PORT is required"), ExitUsage);
    const auto listen = parseListen(p.value(QStringLiteral("listen")));
    if (!listen)
        return error(Tr::tr("--listen \"%1\" is not HOST:PORT with a numeric address")
                         .arg(p.value(QStringLiteral("listen"))),
                     ExitUsage);
    const bool loopback = listen->first.isLoopback();
    const bool seed = p.isSet(QStringLiteral("seed-demo"));
    if (seed && !loopback)
        return error(Tr::tr("refusing --seed-demo on %1: the demo accounts' password is public; "
                            "listen on 127.0.0.1 or create real accounts with \"user add\"")
                         .arg(listen->first.toString()),
                     ExitUsage);
    std::optional<HttpAdapter::Tls> tls;
    if (p.isSet(QStringLiteral("tls-cert")) != p.isSet(QStringLiteral("tls-key")))
        return error(Tr::tr("--tls-cert and --tls-key go together"), ExitUsage);
    if (p.isSet(QStringLiteral("tls-cert"))) {
        if (!HttpAdapter::tlsAvailable())
            return error(Tr::tr("this Qt has no TLS backend; run without --tls-cert/--tls-key "
                                "behind a TLS-terminating proxy"),
                         ExitUsage);
        tls = HttpAdapter::Tls{p.value(QStringLiteral("tls-cert")),
                               p.value(QStringLiteral("tls-key"))};
    }
    // Checked even without --seed-demo, so a mistyped value never goes unnoticed.
    qint64 anchorMs = DemoOptions::currentHourAnchor();
    if (p.isSet(QStringLiteral("anchor"))) {
        const auto at = DemoOptions::parseAnchor(p.value(QStringLiteral("anchor")));
        if (!at)
            return error(at.error(), ExitUsage);
        anchorMs = *at;
    }
    if (seed) {
        DemoOptions o;
        bool ok1 = false, ok2 = false;
        o.seed = p.value(QStringLiteral("seed")).toULongLong(&ok1);
        o.cases = p.value(QStringLiteral("cases")).toLongLong(&ok2);
        if (!ok1 || !ok2 || o.cases < 0 || o.cases > 10'000'000)
            return error(Tr::tr("--seed and --cases take whole numbers (--cases up to 10000000)"),
                         ExitUsage);
        o.anchorMs = anchorMs;
        const auto generated = PlatformAdmin::seedDemo(dataDir, o);
        if (!generated)
            return error(generated.error());
        if (*generated)
            std::fprintf(
                stderr, "%s\n",
                qPrintable(
                    Tr::tr("Demo district generated in %1 (%2 cases).").arg(dataDir).arg(o.cases)));
    }
    PlatformService::Options options;
    options.dataDir = dataDir;
    if (p.isSet(QStringLiteral("token-ttl"))) {
        bool ok = false;
        options.sessionSeconds = p.value(QStringLiteral("token-ttl")).toLongLong(&ok);
        if (!ok || options.sessionSeconds < 1 || options.sessionSeconds > 366LL * 24 * 3600)
            return error(Tr::tr("--token-ttl takes a whole number of seconds from 1 to 31622400"),
                         ExitUsage);
    }
    if (p.isSet(QStringLiteral("open311-keys"))) {
        QFile f(p.value(QStringLiteral("open311-keys")));
        if (!f.open(QIODevice::ReadOnly))
            return error(Tr::tr("cannot read %1: %2").arg(f.fileName(), f.errorString()));
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (!line.trimmed().isEmpty() && !line.startsWith('#'))
                options.open311Keys << QString::fromUtf8(line.trimmed());
        }
    }
    // [read options: sign-in and trusted proxies]
    if (const auto proxies = TrustedProxies::parse(p.values(QStringLiteral("trusted-proxy")));
        proxies)
        options.trustedProxies = *proxies;
    else
        return error(Tr::tr("--trusted-proxy: %1").arg(proxies.error()), ExitUsage);
    // [read options: security log]
    if (p.isSet(QStringLiteral("security-log-days"))) {
        bool ok = false;
        options.securityLogDays = p.value(QStringLiteral("security-log-days")).toInt(&ok);
        if (!ok || options.securityLogDays < 1 || options.securityLogDays > 36500)
            return error(Tr::tr("--security-log-days takes a whole number of days from 1 to 36500"),
                         ExitUsage);
    }
    // [read options: uploads]
    {
        struct Limit
        {
            const char *name;
            qint64 *value;
            qint64 lo, hi, scale;
        };
        for (const Limit &l :
             {Limit{"upload-expiry", &options.uploads.expirySeconds, 1, 366LL * 24 * 3600, 1},
              Limit{"upload-quota", &options.uploads.quotaBytes, 1, 1 << 24, 1 << 20},
              Limit{"upload-quota-window", &options.uploads.quotaWindowSeconds, 0,
                    366LL * 24 * 3600, 1}}) {
            const QString name = QLatin1String(l.name);
            if (!p.isSet(name))
                continue;
            bool ok = false;
            const qint64 v = p.value(name).toLongLong(&ok);
            if (!ok || v < l.lo || v > l.hi)
                return error(
                    Tr::tr("--%1 takes a whole number from %2 to %3").arg(name).arg(l.lo).arg(l.hi),
                    ExitUsage);
            *l.value = v * l.scale;
        }
    }
    // [read options: Open311 and report sources]
    if (p.isSet(QStringLiteral("open311-keys")) && options.open311Keys.isEmpty())
        return error(Tr::tr("--open311-keys: %1 holds no api_key")
                         .arg(p.value(QStringLiteral("open311-keys"))),
                     ExitUsage);
    for (const auto &[name, value] :
         {std::pair{"open311-address-rate", &options.open311AddressPerMinute},
          std::pair{"open311-key-rate", &options.open311KeyPerMinute}}) {
        if (!p.isSet(QLatin1String(name)))
            continue;
        bool ok = false;
        *value = p.value(QLatin1String(name)).toInt(&ok);
        if (!ok || *value < 1 || *value > 100000)
            return error(Tr::tr("--%1 takes a whole number of POSTs a minute from 1 to 100000")
                             .arg(QLatin1String(name)),
                         ExitUsage);
    }
    if (p.isSet(QStringLiteral("report-area-margin"))) {
        bool ok = false;
        options.reportAreaMarginMetres =
            p.value(QStringLiteral("report-area-margin")).toDouble(&ok);
        if (!ok || options.reportAreaMarginMetres < 0 || options.reportAreaMarginMetres > 50000)
            return error(Tr::tr("--report-area-margin takes metres from 0 to 50000"), ExitUsage);
    }
    // Tests only (docs/reliability.md): a frozen clock, so runs made at different moments decide
    // identically and every authoritative time visibly comes from here.
    if (const QByteArray fixed = qgetenv("CITYOPS_PLATFORM_CLOCK_MS"); !fixed.isEmpty())
        options.clock = [t = fixed.toLongLong()] {
            return t;
        };
    auto service = PlatformService::open(options);
    if (!service)
        return error(service.error());
    if (seed) {
        const auto created = PlatformAdmin::ensureDemoAccounts((*service)->store(),
                                                               QDateTime::currentMSecsSinceEpoch());
        if (!created)
            return error(created.error());
    }
    // Tests only (docs/reliability.md): the store may grow by at most N pages, so a write beyond
    // that fails as on a full disk (SQLITE_FULL) inside a statement, not only at the commit.
    if (const QByteArray spare = qgetenv("CITYOPS_PLATFORM_SPARE_PAGES"); !spare.isEmpty()) {
        if (Status s = (*service)->store().limitGrowth(spare.toInt()); !s)
            return error(s.error());
    }
    if (!loopback) {
        if (const QStringList demo = PlatformAdmin::demoPasswordAccounts((*service)->store());
            !demo.isEmpty())
            return error(Tr::tr("refusing to listen on %1: the accounts %2 still have the public "
                                "demo password (change it with \"user passwd\" or \"user "
                                "disable\" them)")
                             .arg(listen->first.toString(), demo.join(QStringLiteral(", "))),
                         ExitUsage);
    }

    PlatformService *svc = service->get();
    HttpAdapter adapter([svc](const HttpRequest &r, HttpReply reply) { svc->handle(r, reply); },
                        sync::kMaxBodyBytes);
    // [read options: transport]
    HttpAdapter::Limits limits;
    struct Bounded
    {
        const char *name;
        int low;
        int high;
        int *into;
    };
    for (const auto &[name, low, high, into] :
         {Bounded{"header-timeout", 1, 3600, &limits.headerTimeoutSeconds},
          Bounded{"body-timeout", 1, 3600, &limits.bodyTimeoutSeconds},
          Bounded{"idle-timeout", 1, 3600, &limits.idleTimeoutSeconds},
          Bounded{"max-connections", 1, 100000, &limits.maxConnections},
          Bounded{"max-connections-per-address", 1, 100000, &limits.maxConnectionsPerAddress}}) {
        const QString option = QString::fromLatin1(name);
        if (!p.isSet(option))
            continue;
        bool ok = false;
        *into = p.value(option).toInt(&ok);
        if (!ok || *into < low || *into > high)
            return error(
                Tr::tr("--%1 takes a whole number from %2 to %3").arg(option).arg(low).arg(high),
                ExitUsage);
    }
    if (p.isSet(QStringLiteral("body-budget"))) {
        bool ok = false;
        const int mib = p.value(QStringLiteral("body-budget")).toInt(&ok);
        if (!ok || mib < 8 || mib > 65536)
            return error(Tr::tr("--body-budget takes a whole number of MiB from 8 to 65536 (one "
                                "largest body is 8 MiB)"),
                         ExitUsage);
        limits.bodyBudgetBytes = qint64(mib) * 1024 * 1024;
    }
    limits.sharedAddress = [proxies = options.trustedProxies](const QHostAddress &a) {
        return proxies.contains(a);
    };
    adapter.setLimits(limits);
    adapter.setRefusalLog(
        [svc](const QHostAddress &address, const QString &kind, const QString &detail) {
            svc->securityEvent(kind, QString(), address, detail);
        });
    const auto port = adapter.listen(listen->first, listen->second, tls);
    if (!port)
        return error(port.error());

    if (::pipe(g_signalPipe) == 0) {
        std::signal(SIGTERM, onSignal);
        std::signal(SIGINT, onSignal);
    }
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, qApp, [] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalPipe[0], &c, 1);
        QCoreApplication::quit();
    });
    const QString host = listen->first.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(listen->first.toString())
                             : listen->first.toString();
    out(QStringLiteral("listening on %1://%2:%3")
            .arg(tls ? QStringLiteral("https") : QStringLiteral("http"), host)
            .arg(*port));
    const int rc = QCoreApplication::exec();
    std::fprintf(stderr, "%s\n", qPrintable(Tr::tr("cityops-platform: stopped")));
    return rc;
}

} // namespace

int main(int argc, char **argv)
{
    keepFreedMemoryForReuse(); // sync moves large pages (util/allocator.h)
    Database::configureLibrary();
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("CityOps"));
    QCoreApplication::setApplicationName(QStringLiteral("cityops-platform"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CITYOPS_VERSION));

    QCommandLineParser p;
    p.setApplicationDescription(Tr::tr(
        "CityOps district platform: the HTTP/JSON API consoles sync with, and Open311 GeoReport "
        "v2.\n"
        "\n"
        "  cityops-platform --data DIR --listen HOST:PORT [--seed-demo [--seed S] [--cases N]\n"
        "                   [--anchor WHEN]] [--tls-cert FILE --tls-key FILE]\n"
        "                   [--open311-keys FILE] [--token-ttl SECONDS]\n"
        "  cityops-platform --data DIR user add NAME --role ROLE [--person CODE] [--display NAME]"
        " [--duty-reason TEXT] --password-stdin\n"
        "  cityops-platform --data DIR user passwd NAME --password-stdin\n"
        "  cityops-platform --data DIR user disable NAME\n"
        "  cityops-platform --data DIR user scope NAME [--org CODE] [--scope SCOPE]\n"
        "  cityops-platform --data DIR user sessions|end-sessions NAME\n"
        "  cityops-platform --data DIR user list\n"
        "\n"
        "Prints \"listening on http://HOST:PORT\" when ready (the real port for port 0) and stops "
        "cleanly on SIGTERM or SIGINT.\n"
        "Exit codes: 0 done, 1 error (named), 2 usage (including demo passwords on a "
        "non-loopback address)."));
    p.addHelpOption();
    p.addVersionOption();
    p.addOptions({
        {QStringLiteral("data"), Tr::tr("Data directory (DIR/platform.db, DIR/evidence)."),
         QStringLiteral("DIR")},
        {QStringLiteral("listen"),
         Tr::tr("Address and port, e.g. 127.0.0.1:8080 (port 0 picks a "
                "free one)."),
         QStringLiteral("HOST:PORT")},
        {QStringLiteral("seed-demo"),
         Tr::tr("Generate the demo district into an empty DIR and create the demo accounts "
                "(password \"demo\"; loopback only).")},
        {QStringLiteral("seed"), Tr::tr("Demo seed (default 1)."), QStringLiteral("S"),
         QStringLiteral("1")},
        {QStringLiteral("cases"), Tr::tr("Demo cases (default 20000)."), QStringLiteral("N"),
         QStringLiteral("20000")},
        {QStringLiteral("anchor"),
         Tr::tr("\"Now\" of the demo district: an ISO date or date-time, Asia/Shanghai unless it "
                "has an offset, e.g. 2026-11-27T18:00+08:00 (default: the current time rounded "
                "down to the hour). Every generated time lies before it."),
         QStringLiteral("WHEN")},
        {QStringLiteral("tls-cert"), Tr::tr("Serve HTTPS with this PEM certificate (chain)."),
         QStringLiteral("FILE")},
        {QStringLiteral("tls-key"), Tr::tr("The certificate's PEM private key (unencrypted)."),
         QStringLiteral("FILE")},
        {QStringLiteral("open311-keys"),
         Tr::tr("File of Open311 api_key values (one a line). When given, every Open311 POST "
                "needs one, loopback included; without it only loopback may POST."),
         QStringLiteral("FILE")},
        {QStringLiteral("token-ttl"),
         Tr::tr("Lifetime of a sign-in (bearer token) in seconds (default 43200, 12 h); a "
                "console whose token expired asks its user to sign in again."),
         QStringLiteral("SECONDS")},
        // [options: transport]
        {QStringLiteral("header-timeout"),
         Tr::tr("Seconds a client may take to send a request head (default 30); then 408 and "
                "the connection is closed."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("body-timeout"),
         Tr::tr("Seconds a client may take to send a request body, plus one second per 8 KiB of "
                "it (default 60)."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("idle-timeout"),
         Tr::tr("Seconds a kept-alive connection may stay idle between requests (default 60)."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("max-connections"),
         Tr::tr("Connections open at once (default 512); more are refused with 503."),
         QStringLiteral("N")},
        {QStringLiteral("max-connections-per-address"),
         Tr::tr("Connections open at once from one address (default 64); more are refused with "
                "503. A --trusted-proxy is exempt (its clients share its address)."),
         QStringLiteral("N")},
        {QStringLiteral("body-budget"),
         Tr::tr("MiB of request bodies held in memory at once (default 32); a body over 64 KiB "
                "beyond it is refused with 503 and Retry-After."),
         QStringLiteral("MIB")},
        // [options: sign-in and trusted proxies]
        {QStringLiteral("trusted-proxy"),
         Tr::tr("A reverse proxy (address or range, e.g. 127.0.0.1 or 10.0.0.0/8; repeatable or "
                "comma-separated) whose X-Forwarded-For names the client. Sign-in throttling and "
                "the security log then use that address; without this option the header is "
                "ignored."),
         QStringLiteral("CIDR")},
        // [options: security log]
        {QStringLiteral("security-log-days"),
         Tr::tr("Keep security log lines (sign-ins and refusals) this many days (default 180); "
                "older lines are purged, the hash chain still verifies."),
         QStringLiteral("DAYS")},
        // [options: uploads]
        {QStringLiteral("upload-expiry"),
         Tr::tr("An unfinished upload is deleted this many seconds after its last chunk "
                "(default 86400, 24 h)."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("upload-quota"),
         Tr::tr("MiB one user may have in unfinished uploads plus uploads stored within the "
                "quota window (default 512)."),
         QStringLiteral("MIB")},
        {QStringLiteral("upload-quota-window"),
         Tr::tr("The upload quota's window in seconds (default 86400, a day); 0 counts every "
                "upload the user ever stored."),
         QStringLiteral("SECONDS")},
        // [options: Open311 and report sources]
        {QStringLiteral("open311-address-rate"),
         Tr::tr("Open311 POSTs a minute from one client address without a valid api_key "
                "(default 10; IPv6 counts by /64); more are answered 429 with Retry-After."),
         QStringLiteral("N")},
        {QStringLiteral("open311-key-rate"),
         Tr::tr("Open311 POSTs a minute with one api_key (default 120)."), QStringLiteral("N")},
        {QStringLiteral("report-area-margin"),
         Tr::tr("How far outside the district's streets a new report may lie, in metres (default "
                "500); reports farther out are refused."),
         QStringLiteral("METRES")},
        {QStringLiteral("lang"), Tr::tr("Language of messages: zh_CN or en."),
         QStringLiteral("LANG")},
        {QStringLiteral("role"),
         Tr::tr("user add: operator, dispatcher, supervisor, field, "
                "enforcement or auditor."),
         QStringLiteral("ROLE")},
        {QStringLiteral("person"), Tr::tr("user add: the person (unit code) behind the account."),
         QStringLiteral("CODE")},
        {QStringLiteral("display"), Tr::tr("user add: display name."), QStringLiteral("NAME")},
        {QStringLiteral("org"),
         Tr::tr("user add/scope: the account's organisation, a team's code (e.g. STR-01, a "
                "street's sub-centre; ENF-03, an enforcement squad); empty for the district "
                "centre."),
         QStringLiteral("CODE")},
        {QStringLiteral("scope"),
         Tr::tr("user add/scope: where the account works: district, street:CODE, "
                "community:CODE, department:TYPE or department:TYPE:STREET (default: its "
                "organisation's or person's)."),
         QStringLiteral("SCOPE")},
        {QStringLiteral("duty-reason"),
         Tr::tr("user add: why this person may also hold an account of a conflicting role (one "
                "that could approve or verify their own work); recorded with the account."),
         QStringLiteral("TEXT")},
        {QStringLiteral("password-stdin"), Tr::tr("user add/passwd: read the password from the "
                                                  "first line of standard input.")},
    });
    p.process(app);
    installTranslations(p.value(QStringLiteral("lang")));
    if (!p.isSet(QStringLiteral("data")))
        return error(Tr::tr("--data DIR is required"), ExitUsage);
    const QString dataDir = p.value(QStringLiteral("data"));
    const QStringList args = p.positionalArguments();
    if (args.isEmpty())
        return serve(p, dataDir);
    if (args.first() == QLatin1String("user"))
        return userCommand(p, args, dataDir);
    return error(Tr::tr("unknown command \"%1\"").arg(args.first()), ExitUsage);
}
