// cityops-cli: scripting and test front end over cityops_core. Composition root only.
// The command table and the global options are here; the commands are in *_commands.cpp.
#include "cli.h"

#include "storage/database.h"
#include "util/allocator.h"
#include "util/i18n.h"

#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QUrl>

#include <algorithm>
#include <cstring>
#include <memory>

using namespace cityops;
using namespace cityops::cli;

namespace {

const QList<CliCommand> &commands()
{
    static const QList<CliCommand> list{
        {{QStringLiteral("demo"), QStringLiteral("generate")},
         Tr::tr("Build a deterministic synthetic demo district and cases."),
         demoGenerate},
        {{QStringLiteral("demo"), QStringLiteral("basemap")},
         Tr::tr("Draw an offline MBTiles basemap of the district in the cache."),
         demoBasemap},
        {{QStringLiteral("info")}, Tr::tr("Show what the local cache holds."), info},
        {{QStringLiteral("index")},
         Tr::tr("Bring the full-text search index up to date."),
         buildIndex},
        {{QStringLiteral("case"), QStringLiteral("new")},
         Tr::tr("Report a new case; prints its number."),
         caseNew},
        {{QStringLiteral("case"), QStringLiteral("do")},
         Tr::tr("Run a workflow action on a case (see case do --help)."),
         caseDo},
        {{QStringLiteral("case"), QStringLiteral("bulk")},
         Tr::tr("Run one action over many cases (--ids or --query; see case bulk --help)."),
         caseBulk},
        {{QStringLiteral("case"), QStringLiteral("show")},
         Tr::tr("Show a case's state, stage, deadlines and timeline."),
         caseShow},
        {{QStringLiteral("case"), QStringLiteral("dossier")},
         Tr::tr("Write a case's enforcement dossier as PDF (case dossier ID --out FILE.pdf)."),
         caseDossier},
        {{QStringLiteral("audit"), QStringLiteral("verify")},
         Tr::tr("Verify every case's audit hash chain."),
         auditVerify},
        {{QStringLiteral("login")},
         Tr::tr("Sign in to the platform (--user NAME --password-stdin)."),
         login},
        {{QStringLiteral("sync")},
         Tr::tr("Push the outbox and pull the platform's changes once (--status: show them)."),
         syncCommand},
        {{QStringLiteral("outbox"), QStringLiteral("export")},
         Tr::tr("Write the outbox to a JSON file (--out FILE), even from a damaged cache."),
         outboxExport},
        {{QStringLiteral("outbox"), QStringLiteral("replay")},
         Tr::tr("Push an exported outbox to the platform with its original command ids."),
         outboxReplay},
        {{QStringLiteral("cache"), QStringLiteral("rebuild")},
         Tr::tr("Move a damaged cache aside and rebuild it from the platform."),
         cacheRebuild},
        {{QStringLiteral("security-log")},
         Tr::tr("Show the platform's security log: sign-ins and refusals (auditors; --from, "
                "--to, --user, --address, --kind, --limit, --json)."),
         securityLog},
    };
    return list;
}

QString usage()
{
    QString s =
        Tr::tr("Usage: cityops-cli [--platform URL] [--data DIR] [--user NAME] [--lang zh_CN|en] "
               "COMMAND [options]\n\n"
               "Global options:\n"
               "  --platform URL  The district platform, e.g. http://127.0.0.1:8080 (remembered "
               "after login; case commands then queue in the outbox until sync)\n"
               "  --data DIR   Data directory (default: %1)\n"
               "  --user NAME  Act as this user (operator1, supervisor1, …; default: the signed-in "
               "user)\n"
               "  --lang LANG  Message language: zh_CN or en (default: system locale)\n"
               "  -h, --help   Show this help; COMMAND --help shows a command's options\n"
               "  -v, --version\n\nCommands:\n")
            .arg(QDir::toNativeSeparators(Database::defaultDataDir()));
    for (const CliCommand &c : commands())
        s += QStringLiteral("  %1%2\n").arg(c.words.join(QLatin1Char(' ')), -20).arg(c.summary);
    s += Tr::tr(
        "\nExit codes: 0 success, 1 error, 2 usage error, 3 action rejected by the workflow, "
        "4 audit chain broken, 5 platform unreachable (sync; the outbox is kept), 6 commands "
        "rejected by the platform (sync; listed with their reasons), 7 the platform session has "
        "expired or is missing (sync, replay; sign in again with login, the outbox is kept), 8 "
        "the cache file is damaged, deleted, not a cache or its disk is full (the message names "
        "the file; see outbox export and cache rebuild).");
    return s;
}

} // namespace

int main(int argc, char *argv[])
{
    keepFreedMemoryForReuse(); // sync moves large pages (util/allocator.h)
    Database::configureLibrary();
    // The dossier lays out text and images, which needs fonts and so a QGuiApplication (offscreen:
    // it never shows a window). Every other command runs on a QCoreApplication.
    const bool gui = std::any_of(argv, argv + argc,
                                 [](const char *a) { return std::strcmp(a, "dossier") == 0; });
    if (gui && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app =
        gui ? std::unique_ptr<QCoreApplication>(new QGuiApplication(argc, argv))
            : std::make_unique<QCoreApplication>(argc, argv);
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
        } else if (opt.startsWith(QLatin1String("--user"))) {
            const auto v = value(QStringLiteral("--user"));
            if (!v || v->isEmpty())
                return error(Tr::tr("--user needs a user name"), ExitUsage);
            g.user = *v;
        } else if (opt.startsWith(QLatin1String("--platform"))) {
            const auto v = value(QStringLiteral("--platform"));
            const QUrl url(v.value_or(QString()));
            if (!v || !url.isValid() ||
                (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
                return error(Tr::tr("--platform needs an http:// or https:// URL"), ExitUsage);
            g.platform = url;
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
    for (const CliCommand &c : commands()) {
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
