// cityops-hostile: the hostile-client suite's runner (issue 18; docs/security.md). Seeds a small
// demo district in a private temporary directory, starts the real cityops-platform on loopback
// (with nginx from deploy/nginx in front under --nginx), runs every registered attack and prints
// one line per attack, then one JSON summary line. Exit 0 only when every attack was refused.
#include "hostile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>

#include <csignal>

#include <sys/prctl.h>
#include <unistd.h>

using namespace cityops::hostile;

namespace {

void say(const QString &line, FILE *to = stdout)
{
    std::fprintf(to, "%s\n", qPrintable(line));
    std::fflush(to);
}

int fail(const QString &why)
{
    say(QStringLiteral("cityops-hostile: %1").arg(why), stderr);
    return 1;
}

/** The last `n` bytes of a file, for diagnostics. */
QString tail(const QString &path, qint64 n = 2000)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    if (f.size() > n)
        f.seek(f.size() - n);
    return QString::fromUtf8(f.readAll()).trimmed();
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it right away). */
quint16 freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

/** The children (platform, nginx) get SIGTERM when the runner ends in any way, even killed by
 *  ctest's timeout, so no server outlives a run. */
void stopWithRunner(QProcess &p)
{
    p.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
}

bool writePrivate(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return f.write(bytes) == bytes.size();
}

/** tests/security/platform-args.txt: one argument a line; '#' comments and blank lines skipped. */
QStringList platformArgsFile()
{
    QFile f(QStringLiteral(CITYOPS_SOURCE_DIR "/tests/security/platform-args.txt"));
    QStringList args;
    if (!f.open(QIODevice::ReadOnly))
        return args;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        const QByteArray line = raw.trimmed();
        if (!line.isEmpty() && !line.startsWith('#'))
            args << QString::fromUtf8(line);
    }
    return args;
}

/** Whether the platform runs under AddressSanitizer: asked for, built so, or linked to it. */
bool sanitizedPlatform()
{
    if (qEnvironmentVariableIsSet("CITYOPS_SANITIZED"))
        return true;
#ifdef CITYOPS_SANITIZED_BUILD
    return true;
#else
    // clang links the ASan runtime statically by default and g++ dynamically; either way the
    // binary names the runtime's entry point.
    QFile f(QStringLiteral(CITYOPS_PLATFORM_BIN));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    QByteArray carry;
    while (!f.atEnd()) {
        const QByteArray chunk = carry + f.read(1 << 20);
        if (chunk.contains("__asan_init"))
            return true;
        carry = chunk.right(16);
    }
    return false;
#endif
}

/** The real cityops-platform, its output in files of the run's directory. */
class Platform
{
public:
    Platform(QString dir, QString dataDir, QStringList serveArgs)
        : m_dir(std::move(dir)), m_dataDir(std::move(dataDir)), m_args(std::move(serveArgs))
    {}
    ~Platform() { stop(); }

    /** Starts serving on 127.0.0.1:`port` (0: any) and waits for "listening on URL". */
    bool start(quint16 port, QString *why)
    {
        stop();
        ++m_starts;
        m_out = QDir(m_dir).filePath(QStringLiteral("platform-%1.out").arg(m_starts));
        m_err = QDir(m_dir).filePath(QStringLiteral("platform-%1.err").arg(m_starts));
        m_process = std::make_unique<QProcess>();
        stopWithRunner(*m_process);
        m_process->setStandardOutputFile(m_out);
        m_process->setStandardErrorFile(m_err);
        m_process->start(QStringLiteral(CITYOPS_PLATFORM_BIN),
                         QStringList{QStringLiteral("--data"), m_dataDir,
                                     QStringLiteral("--listen"),
                                     QStringLiteral("127.0.0.1:%1").arg(port)} +
                             m_args);
        if (!m_process->waitForStarted(10000)) {
            *why = QStringLiteral("cannot start %1: %2")
                       .arg(QStringLiteral(CITYOPS_PLATFORM_BIN), m_process->errorString());
            return false;
        }
        static const QRegularExpression re(QStringLiteral("listening on \\w+://[^\\s]+:(\\d+)"));
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 240000) {
            QFile f(m_out);
            if (f.open(QIODevice::ReadOnly)) {
                const auto m = re.match(QString::fromUtf8(f.readAll()));
                if (m.hasMatch()) {
                    m_port = quint16(m.captured(1).toUInt());
                    return true;
                }
            }
            if (m_process->waitForFinished(100))
                break;
        }
        *why = QStringLiteral("the platform did not start (%1): %2 %3")
                   .arg(m_process->arguments().join(QLatin1Char(' ')), tail(m_out), tail(m_err));
        stop();
        return false;
    }

    bool running() const
    {
        if (!m_process)
            return false;
        m_process->waitForFinished(0); // notices an exit without an event loop
        return m_process->state() == QProcess::Running;
    }

    /** How it ended, with the end of its error output. */
    QString death() const
    {
        if (!m_process)
            return QStringLiteral("not started");
        const QString how = m_process->exitStatus() == QProcess::CrashExit
                                ? QStringLiteral("crashed")
                                : QStringLiteral("exited with %1").arg(m_process->exitCode());
        return how + QStringLiteral(": ") + tail(m_err, 600);
    }

    void stop()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(20000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }

    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    quint16 port() const { return m_port; }
    int starts() const { return m_starts; }

private:
    QString m_dir;
    QString m_dataDir;
    QStringList m_args;
    std::unique_ptr<QProcess> m_process;
    QString m_out;
    QString m_err;
    quint16 m_port = 0;
    int m_starts = 0;
};

/** Runs cityops-platform once (an account command); its exit code, output in `out`. */
int platformCommand(const QStringList &args, const QByteArray &input, QString *out)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(CITYOPS_PLATFORM_BIN), args);
    if (!p.waitForStarted(10000))
        return -1;
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished(5000);
        return -1;
    }
    *out = QString::fromUtf8(p.readAll()).trimmed();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

/**
 * nginx in front of the platform, configured by deploy/nginx's own snippets (the shipped
 * cityops-limits.conf, cityops-tls.conf and cityops-locations.conf are included as they are), with
 * a throwaway self-signed certificate, on a free loopback port, everything under `prefix`.
 */
class Nginx
{
public:
    explicit Nginx(QString prefix) : m_prefix(std::move(prefix)) {}
    ~Nginx() { stop(); }

    static QString binary()
    {
        QString nginx = QStandardPaths::findExecutable(QStringLiteral("nginx"));
        if (nginx.isEmpty())
            nginx = QStandardPaths::findExecutable(
                QStringLiteral("nginx"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
        return nginx;
    }

    bool start(quint16 upstreamPort, QString *why)
    {
        const QDir dir(m_prefix);
        for (const char *sub : {"tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"}) {
            if (!dir.mkpath(QLatin1String(sub))) {
                *why = QStringLiteral("cannot create %1").arg(dir.filePath(QLatin1String(sub)));
                return false;
            }
        }
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        QProcess openssl;
        openssl.setProcessChannelMode(QProcess::MergedChannels);
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                       QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                       QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                       QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost"),
                       QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert});
        if (!openssl.waitForFinished(60000) || openssl.exitStatus() != QProcess::NormalExit ||
            openssl.exitCode() != 0) {
            *why = QStringLiteral("openssl could not make a certificate: %1 %2")
                       .arg(openssl.errorString(), QString::fromUtf8(openssl.readAll()));
            return false;
        }
        m_port = freePort();
        const QString deploy = QStringLiteral(CITYOPS_SOURCE_DIR "/deploy/nginx");
        const QString conf =
            QStringLiteral(
                "# Generated by cityops-hostile --nginx: deploy/nginx's snippets, as shipped, in "
                "front of a test platform.\n"
                "daemon off;\n"
                "%1"
                "worker_processes 1;\n"
                "worker_rlimit_nofile 8192;\n"
                "pid %2/nginx.pid;\n"
                "error_log %2/error.log warn;\n"
                "events { worker_connections 4096; }\n"
                "http {\n"
                "    default_type application/octet-stream;\n"
                "    access_log %2/access.log;\n"
                "    client_body_temp_path %2/tmp/body;\n"
                "    proxy_temp_path %2/tmp/proxy;\n"
                "    fastcgi_temp_path %2/tmp/fastcgi;\n"
                "    uwsgi_temp_path %2/tmp/uwsgi;\n"
                "    scgi_temp_path %2/tmp/scgi;\n"
                "    include %3/cityops-limits.conf;\n"
                "    upstream cityops_platform {\n"
                "        server 127.0.0.1:%4;\n"
                "        keepalive 16;\n"
                "    }\n"
                "    server {\n"
                "        listen 127.0.0.1:%5 ssl http2;\n"
                "        server_name localhost;\n"
                "        ssl_certificate %6;\n"
                "        ssl_certificate_key %7;\n"
                "        include %3/cityops-tls.conf;\n"
                "        include %3/cityops-locations.conf;\n"
                "    }\n"
                "}\n")
                .arg(::geteuid() == 0 ? QStringLiteral("user root root;\n") : QString(), m_prefix,
                     deploy)
                .arg(upstreamPort)
                .arg(m_port)
                .arg(cert, key);
        const QString confFile = dir.filePath(QStringLiteral("nginx.conf"));
        if (!writePrivate(confFile, conf.toUtf8())) {
            *why = QStringLiteral("cannot write %1").arg(confFile);
            return false;
        }
        m_err = dir.filePath(QStringLiteral("nginx.stderr"));
        m_process = std::make_unique<QProcess>();
        stopWithRunner(*m_process);
        m_process->setStandardOutputFile(m_err);
        m_process->setStandardErrorFile(m_err, QIODevice::Append);
        m_process->start(binary(), {QStringLiteral("-p"), m_prefix, QStringLiteral("-c"), confFile,
                                    QStringLiteral("-e"), QStringLiteral("stderr")});
        if (!m_process->waitForStarted(10000)) {
            *why = QStringLiteral("cannot start nginx: %1").arg(m_process->errorString());
            return false;
        }
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 20000) {
            if (m_process->waitForFinished(100))
                break;
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(500))
                return true;
        }
        *why = QStringLiteral("nginx did not start: %1").arg(tail(m_err));
        return false;
    }

    bool running() const
    {
        if (!m_process)
            return false;
        m_process->waitForFinished(0);
        return m_process->state() == QProcess::Running;
    }

    void stop()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }

    quint16 port() const { return m_port; }
    QString errors() const { return tail(m_err); }

private:
    QString m_prefix;
    std::unique_ptr<QProcess> m_process;
    QString m_err;
    quint16 m_port = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("cityops-hostile"));
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "The hostile-client suite (docs/security.md): attacks a real cityops-platform on loopback "
        "and prints REFUSED or GOT THROUGH per attack, then one JSON summary line. Exit 0 when "
        "every attack was refused."));
    p.addHelpOption();
    p.addOptions({
        {QStringLiteral("only"), QStringLiteral("Run only these groups (comma-separated)."),
         QStringLiteral("GROUPS")},
        {QStringLiteral("nginx"),
         QStringLiteral("Put nginx (deploy/nginx, TLS) in front of the platform.")},
        {QStringLiteral("list"), QStringLiteral("List the attacks (group/name) and exit.")},
        {QStringLiteral("keep"),
         QStringLiteral("Keep the run's directory (data, logs, nginx.conf) and print its path.")},
    });
    p.process(app);

    QList<Attack> attacks = registeredAttacks();
    std::stable_sort(attacks.begin(), attacks.end(), [](const Attack &a, const Attack &b) {
        return a.group != b.group ? a.group < b.group : a.name < b.name;
    });
    if (p.isSet(QStringLiteral("only"))) {
        const QStringList groups =
            p.value(QStringLiteral("only")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        attacks.removeIf([&](const Attack &a) { return !groups.contains(a.group); });
        if (attacks.isEmpty())
            return fail(QStringLiteral("no attack in the groups %1").arg(groups.join(u',')));
    }
    if (p.isSet(QStringLiteral("list"))) {
        for (const Attack &a : std::as_const(attacks))
            say(a.group + QLatin1Char('/') + a.name);
        return 0;
    }
    if (attacks.isEmpty())
        return fail(QStringLiteral("no attacks are registered"));
    const bool viaNginx = p.isSet(QStringLiteral("nginx"));
    if (viaNginx && Nginx::binary().isEmpty())
        return fail(QStringLiteral("--nginx needs nginx, which is not installed (Debian: apt-get "
                                   "install nginx-light; scripts/deps installs it)"));

    QTemporaryDir tmp(QDir::tempPath() + QStringLiteral("/cityops-hostile-XXXXXX"));
    if (!tmp.isValid())
        return fail(
            QStringLiteral("cannot create a temporary directory: %1").arg(tmp.errorString()));
    tmp.setAutoRemove(!p.isSet(QStringLiteral("keep")));
    const QDir run(tmp.path());
    QFile::setPermissions(run.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString dataDir = run.filePath(QStringLiteral("data"));
    if (!run.mkpath(QStringLiteral("data")) ||
        !QFile::setPermissions(dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                            QFileDevice::ExeOwner))
        return fail(QStringLiteral("cannot create %1").arg(dataDir));
    if (p.isSet(QStringLiteral("keep")))
        say(QStringLiteral("cityops-hostile: the run's files are in %1").arg(run.path()), stderr);

    Target target;
    target.dataDir = dataDir;
    target.sanitized = sanitizedPlatform();
    const QString keys = run.filePath(QStringLiteral("open311-keys"));
    if (!writePrivate(keys, target.open311Key.toUtf8() + '\n'))
        return fail(QStringLiteral("cannot write %1").arg(keys));

    QStringList serveArgs{QStringLiteral("--seed-demo"),
                          QStringLiteral("--cases"),
                          QStringLiteral("300"),
                          QStringLiteral("--anchor"),
                          QStringLiteral("2026-11-27T18:00+08:00"),
                          QStringLiteral("--open311-keys"),
                          keys};
    serveArgs += platformArgsFile();
    if (viaNginx) // nginx is the edge: the platform believes its X-Forwarded-For, and only its.
        serveArgs << QStringLiteral("--trusted-proxy") << QStringLiteral("127.0.0.1/32");

    // 1. Seed the demo district (the platform generates it only into an empty directory), then
    // stop; 2. add the victims' accounts to the store; 3. serve.
    Platform platform(run.path(), dataDir, serveArgs);
    QString why;
    if (!platform.start(0, &why))
        return fail(why);
    platform.stop();
    for (int i = 1; i <= 8; ++i) {
        QString out;
        const QString name = QStringLiteral("victim%1").arg(i);
        const int rc =
            platformCommand({QStringLiteral("--data"), dataDir, QStringLiteral("user"),
                             QStringLiteral("add"), name, QStringLiteral("--role"),
                             QStringLiteral("operator"), QStringLiteral("--password-stdin")},
                            Target::victimPassword(i).toUtf8() + '\n', &out);
        if (rc != 0)
            return fail(QStringLiteral("cannot add the account %1 (exit %2): %3")
                            .arg(name)
                            .arg(rc)
                            .arg(out));
    }
    // Behind nginx the platform keeps one port, so that nginx's upstream survives a restart.
    const quint16 fixedPort = viaNginx ? freePort() : 0;
    if (!platform.start(fixedPort, &why))
        return fail(why);

    Nginx nginx(run.filePath(QStringLiteral("nginx")));
    auto aim = [&] {
        target.platformPid = platform.pid();
        target.directPort = platform.port();
        target.port = viaNginx ? nginx.port() : platform.port();
    };
    if (viaNginx) {
        if (!nginx.start(platform.port(), &why))
            return fail(why);
        target.viaProxy = true;
        target.tls = true;
    }
    aim();
    say(QStringLiteral("cityops-hostile: %1 attacks on the platform at 127.0.0.1:%2%3%4")
            .arg(attacks.size())
            .arg(target.directPort)
            .arg(viaNginx ? QStringLiteral(" through nginx (TLS) at 127.0.0.1:%1").arg(target.port)
                          : QString(),
                 target.sanitized ? QStringLiteral(" (sanitized build)") : QString()),
        stderr);

    QJsonObject summary;
    QJsonObject figures;
    QJsonArray gotThrough;
    int refused = 0;
    qint64 peakGrowth = 0;
    QJsonObject rssGrowth; ///< per attack (KiB; -1 unknown)
    for (const Attack &a : std::as_const(attacks)) {
        const QString label = a.group + QLatin1Char('/') + a.name;
        const qint64 pid = platform.pid();
        const bool reset = resetPeakRss(pid);
        const qint64 before = reset ? rssKiB(pid) : peakRssKiB(pid);
        Outcome o;
        try {
            o = a.run(target);
        } catch (const std::exception &e) {
            o.refused = false;
            o.detail = QStringLiteral("the attack threw: %1").arg(QString::fromUtf8(e.what()));
        } catch (...) {
            o.refused = false;
            o.detail = QStringLiteral("the attack threw");
        }
        qint64 growth = o.peakRssGrowthKiB;
        if (growth < 0 && before >= 0 && platform.running()) {
            const qint64 after = peakRssKiB(pid);
            growth = after >= 0 ? std::max<qint64>(0, after - before) : -1;
        }
        if (!platform.running()) {
            o.refused = false;
            o.detail = QStringLiteral("platform died (%1); %2").arg(platform.death(), o.detail);
            if (!platform.start(fixedPort ? fixedPort : 0, &why))
                return fail(QStringLiteral("after %1: %2").arg(label, why));
            aim();
        }
        if (viaNginx && !nginx.running()) {
            o.refused = false;
            o.detail = QStringLiteral("nginx died (%1); %2").arg(nginx.errors(), o.detail);
            if (!nginx.start(platform.port(), &why))
                return fail(QStringLiteral("after %1: %2").arg(label, why));
            aim();
        }
        peakGrowth = std::max(peakGrowth, growth);
        rssGrowth.insert(label, double(growth));
        for (auto it = o.figures.constBegin(); it != o.figures.constEnd(); ++it)
            figures.insert(it.key(), it.value());
        if (o.refused)
            ++refused;
        else
            gotThrough.append(label);
        say(QStringLiteral("%1 %2: %3 [platform peak RSS %4 KiB]")
                .arg(o.refused ? QStringLiteral("REFUSED") : QStringLiteral("GOT THROUGH"), label,
                     o.detail.simplified())
                .arg(growth >= 0 ? QStringLiteral("+%1").arg(growth) : QStringLiteral("unknown")));
    }
    platform.stop();
    nginx.stop();

    summary = figures;
    summary.insert(QStringLiteral("attacks"), int(attacks.size()));
    summary.insert(QStringLiteral("refused"), refused);
    summary.insert(QStringLiteral("got_through"), gotThrough);
    summary.insert(QStringLiteral("peak_rss_growth_kib"), peakGrowth);
    summary.insert(QStringLiteral("rss_growth_kib"), rssGrowth);
    summary.insert(QStringLiteral("via_proxy"), viaNginx);
    summary.insert(QStringLiteral("sanitized"), target.sanitized);
    // The first start only seeds the district.
    summary.insert(QStringLiteral("platform_restarts"), platform.starts() - 2);
    say(QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)));
    return refused == attacks.size() ? 0 : 1;
}
