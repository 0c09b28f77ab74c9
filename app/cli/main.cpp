// cityops-cli: scripting and test front end over cityops_core. Composition root only.
#include "demo/demogenerator.h"
#include "storage/casestore.h"
#include "storage/database.h"
#include "util/i18n.h"
#include "util/timefmt.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QTimeZone>

#include <cstdio>
#include <functional>

#include <unistd.h>

using namespace cityops;

namespace {

/** Exit codes, documented in `cityops-cli --help`. */
enum Exit
{
    ExitOk = 0,
    ExitError = 1,
    ExitUsage = 2
};

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Cli)
};

void out(const QString &s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
}
int error(const QString &s, int code = ExitError)
{
    std::fprintf(stderr, "cityops-cli: %s\n", qPrintable(s));
    return code;
}

struct Globals
{
    QString dataDir;
    QString lang;
};

struct Command
{
    QStringList words;
    QString summary;
    std::function<int(const Globals &, const QStringList &args)> run;
};

/** A sub-command's own parser: `cityops-cli demo generate --help` shows only its options. */
bool parse(QCommandLineParser &p, const QStringList &words, const QStringList &args, int *rc)
{
    p.addHelpOption();
    p.setApplicationDescription(words.join(QLatin1Char(' ')));
    QStringList argv{QStringLiteral("cityops-cli ") + words.join(QLatin1Char(' '))};
    argv += args;
    if (!p.parse(argv)) {
        *rc = error(p.errorText(), ExitUsage);
        return false;
    }
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        *rc = ExitOk;
        return false;
    }
    if (!p.positionalArguments().isEmpty()) {
        *rc = error(Tr::tr("unexpected argument \"%1\"").arg(p.positionalArguments().first()),
                    ExitUsage);
        return false;
    }
    return true;
}

int demoGenerate(const Globals &, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption seed(QStringLiteral("seed"), Tr::tr("Random seed (default 1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption cases(QStringLiteral("cases"),
                                   Tr::tr("Number of cases (default 20000)."), QStringLiteral("N"),
                                   QStringLiteral("20000"));
    const QCommandLineOption outDir(QStringLiteral("out"),
                                    Tr::tr("Data directory to create the demo cache in."),
                                    QStringLiteral("DIR"));
    const QCommandLineOption anchor(
        QStringLiteral("anchor"),
        Tr::tr("\"Now\" of the demo as an ISO date or date-time in Asia/Shanghai (default "
               "2026-11-27T18:00). Every generated time lies before it."),
        QStringLiteral("WHEN"));
    p.addOptions({seed, cases, outDir, anchor});
    int rc = 0;
    if (!parse(p, {QStringLiteral("demo"), QStringLiteral("generate")}, args, &rc))
        return rc;
    DemoOptions o;
    bool ok = false;
    o.seed = p.value(seed).toULongLong(&ok);
    if (!ok)
        return error(Tr::tr("--seed must be a non-negative whole number"), ExitUsage);
    o.cases = p.value(cases).toLongLong(&ok);
    if (!ok || o.cases < 0 || o.cases > 10'000'000)
        return error(Tr::tr("--cases must be a whole number from 0 to 10000000"), ExitUsage);
    if (!p.isSet(outDir))
        return error(Tr::tr("--out DIR is required"), ExitUsage);
    if (p.isSet(anchor)) {
        QDateTime t = QDateTime::fromString(p.value(anchor), Qt::ISODate);
        if (!t.isValid()) {
            const QDate d = QDate::fromString(p.value(anchor), Qt::ISODate);
            if (d.isValid())
                t = QDateTime(d, QTime(18, 0));
        }
        if (!t.isValid())
            return error(
                Tr::tr("--anchor \"%1\" is not an ISO date or date-time").arg(p.value(anchor)),
                ExitUsage);
        if (t.timeSpec() == Qt::LocalTime)
            t = QDateTime(t.date(), t.time(), QTimeZone(8 * 3600));
        o.anchorMs = t.toMSecsSinceEpoch();
    }
    QElapsedTimer timer;
    timer.start();
    const bool tty = isatty(fileno(stderr));
    o.progress = [tty](int pct) {
        if (tty)
            std::fprintf(stderr, "\r%3d%%", pct);
        return true;
    };
    const auto r = DemoGenerator::generate(p.value(outDir), o);
    if (tty)
        std::fprintf(stderr, "\r    \r");
    if (!r)
        return error(r.error());
    out(Tr::tr("Demo district written to %1 in %2 s: %3 streets, %4 communities, %5 grids, "
               "%6 roads, %7 cameras and sensors, %8 units, %9 users, %10 cases, %11 events.")
            .arg(QDir::toNativeSeparators(Database::pathInDir(p.value(outDir))))
            .arg(timer.elapsed() / 1000.0, 0, 'f', 1)
            .arg(r->streets)
            .arg(r->communities)
            .arg(r->grids)
            .arg(r->roads)
            .arg(r->cameras)
            .arg(r->units)
            .arg(r->users)
            .arg(r->cases)
            .arg(r->events));
    return ExitOk;
}

int info(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    int rc = 0;
    if (!parse(p, {QStringLiteral("info")}, args, &rc))
        return rc;
    auto db = Database::openDir(g.dataDir);
    if (!db)
        return error(db.error());
    CaseStore store(*db);
    out(Tr::tr("Cache:          %1").arg(QDir::toNativeSeparators((*db)->path())));
    out(Tr::tr("Schema version: %1").arg((*db)->schemaVersion()));
    out(Tr::tr("Size:           %1 bytes").arg((*db)->sizeOnDisk()));
    out(Tr::tr("District:       %1").arg(store.meta(QStringLiteral("district"))));
    out(Tr::tr("Cases:          %1").arg(store.caseCount()));
    return ExitOk;
}

const QList<Command> &commands()
{
    static const QList<Command> list{
        {{QStringLiteral("demo"), QStringLiteral("generate")},
         Tr::tr("Build a deterministic synthetic demo district and cases."),
         demoGenerate},
        {{QStringLiteral("info")}, Tr::tr("Show what the local cache holds."), info},
    };
    return list;
}

QString usage()
{
    QString s = Tr::tr("Usage: cityops-cli [--data DIR] [--lang zh_CN|en] COMMAND [options]\n\n"
                       "Global options:\n"
                       "  --data DIR   Data directory (default: %1)\n"
                       "  --lang LANG  Message language: zh_CN or en (default: system locale)\n"
                       "  -h, --help   Show this help; COMMAND --help shows a command's options\n"
                       "  -v, --version\n\nCommands:\n")
                    .arg(QDir::toNativeSeparators(Database::defaultDataDir()));
    for (const Command &c : commands())
        s += QStringLiteral("  %1%2\n").arg(c.words.join(QLatin1Char(' ')), -20).arg(c.summary);
    s += Tr::tr("\nExit codes: 0 success, 1 error, 2 usage error.");
    return s;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("CityOps"));
    QCoreApplication::setApplicationName(QStringLiteral("cityops-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CITYOPS_VERSION));

    // Global options come before the command words; everything after them is the command's.
    QStringList args = QCoreApplication::arguments().mid(1);
    Globals g;
    QString lang;
    bool dataSet = false;
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString opt = args.takeFirst();
        auto value = [&](const QString &name) -> std::optional<QString> {
            if (opt.startsWith(name + QLatin1Char('=')))
                return opt.mid(name.size() + 1);
            if (opt == name && !args.isEmpty())
                return args.takeFirst();
            return std::nullopt;
        };
        if (opt == QLatin1String("-h") || opt == QLatin1String("--help")) {
            installTranslations(lang);
            out(usage());
            return ExitOk;
        }
        if (opt == QLatin1String("-v") || opt == QLatin1String("--version")) {
            out(QStringLiteral("cityops-cli %1").arg(QCoreApplication::applicationVersion()));
            return ExitOk;
        }
        if (opt.startsWith(QLatin1String("--data"))) {
            const auto v = value(QStringLiteral("--data"));
            if (!v || v->isEmpty())
                return error(Tr::tr("--data needs a directory"), ExitUsage);
            g.dataDir = *v;
            dataSet = true;
        } else if (opt.startsWith(QLatin1String("--lang"))) {
            const auto v = value(QStringLiteral("--lang"));
            if (!v || (*v != QLatin1String("zh_CN") && *v != QLatin1String("en")))
                return error(Tr::tr("--lang takes zh_CN or en"), ExitUsage);
            lang = *v;
        } else {
            return error(Tr::tr("unknown option \"%1\"; see cityops-cli --help").arg(opt),
                         ExitUsage);
        }
    }
    g.lang = installTranslations(lang);
    if (!dataSet)
        g.dataDir = Database::defaultDataDir();
    for (const Command &c : commands()) {
        if (args.mid(0, c.words.size()) == c.words)
            return c.run(g, args.mid(c.words.size()));
    }
    if (args.isEmpty()) {
        out(usage());
        return ExitUsage;
    }
    return error(
        Tr::tr("unknown command \"%1\"; see cityops-cli --help").arg(args.join(QLatin1Char(' '))),
        ExitUsage);
}
