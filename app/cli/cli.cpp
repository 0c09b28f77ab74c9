// What the cityops-cli commands share (cli.h).
#include "cli.h"

#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/cacherecovery.h"

#include <QFileInfo>
#include <QSysInfo>

#include <cstdio>

namespace cityops::cli {

void out(const QString &s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
}
int error(const QString &s, int code)
{
    std::fprintf(stderr, "cityops-cli: %s\n", qPrintable(s));
    return code;
}

int storageError(const Database &db, const QString &message)
{
    return error(db.describe(message),
                 db.diagnose(message) == StorageFault::None ? ExitError : ExitStorage);
}

bool parse(QCommandLineParser &p, const QStringList &words, const QStringList &args, int *rc,
           bool positional)
{
    p.addHelpOption();
    const QString description = p.applicationDescription();
    p.setApplicationDescription(
        words.join(QLatin1Char(' ')) +
        (description.isEmpty() ? QString() : QStringLiteral("\n\n") + description));
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
    if (!positional && !p.positionalArguments().isEmpty()) {
        *rc = error(Tr::tr("unexpected argument \"%1\"").arg(p.positionalArguments().first()),
                    ExitUsage);
        return false;
    }
    return true;
}

int Session::failure(const Outcome &o) const
{
    if (o.kind == Outcome::Rejected)
        return error(Tr::tr("rejected: %1").arg(o.rejection.reason), ExitRejected);
    return storageError(*db, o.error);
}

bool cacheDeleted(const Globals &g, int *rc)
{
    const QString path = Database::pathInDir(g.dataDir);
    if (QFileInfo::exists(path) || QFileInfo(OutboxJournal::pathFor(path)).size() == 0)
        return false;
    *rc =
        error(Database::faultMessage(
                  StorageFault::Missing, path,
                  Tr::tr("its outbox journal %1 is still there").arg(OutboxJournal::pathFor(path))),
              ExitStorage);
    return true;
}

std::optional<Session> openSession(const Globals &g, bool needUser, int *rc)
{
    if (cacheDeleted(g, rc))
        return std::nullopt;
    auto db = Database::openDir(g.dataDir);
    if (!db) {
        // The cache exists but cannot be used (damaged, not a cache, a newer schema): a storage
        // fault, with its own exit code.
        *rc = error(db.error(),
                    QFileInfo::exists(Database::pathInDir(g.dataDir)) ? ExitStorage : ExitError);
        return std::nullopt;
    }
    Session s;
    s.db = *db;
    const auto config = WorkflowConfig::load(g.dataDir);
    if (!config) {
        *rc = error(config.error());
        return std::nullopt;
    }
    s.workflow = std::make_unique<Workflow>(Catalogue::builtin(), WorkCalendar::builtin(), *config);
    s.evidence = std::make_unique<EvidenceStore>(s.db, g.dataDir);
    // Who acts: --user, else the cache's signed-in user; the service is made for that actor.
    const CaseService probe(s.db, *s.workflow, {});
    const QString user = g.user.isEmpty() ? probe.sessionUser() : g.user;
    Actor actor;
    if (needUser) {
        if (user.isEmpty()) {
            *rc = error(Tr::tr("this command needs --user NAME (before the command)"), ExitUsage);
            return std::nullopt;
        }
        auto resolved = probe.actorFor(user, QStringLiteral("cli-") + QSysInfo::machineHostName());
        if (!resolved) {
            *rc = error(resolved.error());
            return std::nullopt;
        }
        actor = *resolved;
    }
    // A cache attached to a platform (--platform or an earlier login) queues every action in its
    // outbox; a standalone cache is its own authority.
    s.cases = std::make_unique<CaseService>(s.db, *s.workflow, actor,
                                            g.platform.isEmpty() ? CaseService::Authority::Automatic
                                                                 : CaseService::Authority::Replica);
    return s;
}

} // namespace cityops::cli
