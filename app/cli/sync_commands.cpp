// cityops-cli login, sync, outbox export, outbox replay, cache rebuild: the platform, the outbox
// and the recovery of a damaged cache.
#include "cli.h"

#include "storage/cacherecovery.h"
#include "sync/cacherebuild.h"
#include "sync/syncengine.h"
#include "util/timefmt.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>

#include <cstdio>

namespace cityops::cli {

namespace {

/** The platform of a command: --platform, or the one the cache signed in to last. */
std::optional<SyncEngine *> openEngine(const Globals &g, std::unique_ptr<SyncEngine> &engine,
                                       int *rc)
{
    engine = std::make_unique<SyncEngine>(g.dataDir, g.platform);
    if (Status s = engine->open(); !s) {
        *rc = error(s.error(),
                    QFileInfo::exists(Database::pathInDir(g.dataDir)) ? ExitStorage : ExitError);
        return std::nullopt;
    }
    return engine.get();
}

} // namespace

int login(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption user(QStringLiteral("user"), Tr::tr("Account name."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                           Tr::tr("Read the password from the first line of "
                                                  "standard input."));
    p.addOptions({user, passwordStdin});
    int rc = 0;
    if (!parse(p, {QStringLiteral("login")}, args, &rc))
        return rc;
    const QString name = p.isSet(user) ? p.value(user) : g.user;
    if (name.isEmpty())
        return error(Tr::tr("login needs --user NAME"), ExitUsage);
    if (!p.isSet(passwordStdin))
        return error(Tr::tr("login needs --password-stdin (the password is never an argument)"),
                     ExitUsage);
    QTextStream in(stdin);
    const QString password = in.readLine();
    std::unique_ptr<SyncEngine> engine;
    if (!openEngine(g, engine, &rc))
        return rc;
    const auto session = engine->login(name, password);
    if (!session)
        return error(session.error());
    out(Tr::tr("Signed in to %1 as %2 (%3).")
            .arg(engine->platformUrl(), session->user, session->role));
    return ExitOk;
}

namespace {

void printRejected(const SyncEngine &engine)
{
    for (const OutboxEntry &e : engine.rejectedCommands())
        out(Tr::tr("rejected: %1 %2 on case %3 by %4: %5 [%6]")
                .arg(e.commandId, e.action)
                .arg(e.caseId)
                .arg(e.username, e.reason, e.code));
}

} // namespace

int syncCommand(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption statusOpt(
        QStringLiteral("status"),
        Tr::tr("Only show the outbox (commands waiting for the platform) and the rejected ones."));
    p.addOption(statusOpt);
    p.setApplicationDescription(Tr::tr("Exit codes: 0 the outbox is empty, 5 the platform cannot "
                                       "be reached (the outbox is kept), 6 the platform rejected "
                                       "commands (listed with their reasons), 7 the session has "
                                       "expired or is missing (sign in again with login; the "
                                       "outbox is kept), 8 the cache file is damaged, missing or "
                                       "the disk is full, 1 other errors."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("sync")}, args, &rc))
        return rc;
    if (cacheDeleted(g, &rc))
        return rc;
    std::unique_ptr<SyncEngine> engine;
    if (!openEngine(g, engine, &rc))
        return rc;
    if (p.isSet(statusOpt)) {
        const SyncStatus st = engine->status();
        out(Tr::tr("Platform:  %1").arg(engine->platformUrl()));
        out(Tr::tr("Signed in: %1").arg(st.user.isEmpty() ? Tr::tr("no") : st.user));
        out(Tr::tr("Last sync: %1")
                .arg(st.lastSyncAt ? TimeFormat::iso(st.lastSyncAt) : Tr::tr("never")));
        out(Tr::tr("Pending:   %1").arg(st.pending));
        for (const OutboxEntry &e : engine->outboxEntries()) {
            if (e.state == QLatin1String("rejected"))
                continue;
            out(QStringLiteral("  %1 %2 %3 case %4%5")
                    .arg(e.seq)
                    .arg(e.commandId, e.action)
                    .arg(e.caseId)
                    .arg(e.localReason.isEmpty()
                             ? QString()
                             : Tr::tr(" (conflicts locally: %1)").arg(e.localReason)));
        }
        out(Tr::tr("Rejected:  %1").arg(st.rejected));
        printRejected(*engine);
        return ExitOk;
    }
    const SyncReport r = engine->syncOnce();
    // A storage fault (e.g. the disk filled before anything was sent) is not an unreachable
    // platform, whatever happened on the network.
    if (!r.error.isEmpty() && engine->database().diagnose(r.error) != StorageFault::None)
        return storageError(engine->database(), r.error);
    if (!r.reachable)
        return error(r.error, ExitUnreachable);
    if (r.unauthorized)
        return error(
            Tr::tr("%1 Sign in with: cityops-cli login --user %2 --password-stdin")
                .arg(r.error, r.expiredUser.isEmpty() ? QStringLiteral("NAME") : r.expiredUser),
            ExitSessionExpired);
    if (!r.error.isEmpty())
        return storageError(engine->database(), r.error);
    const SyncStatus st = engine->status();
    out(Tr::tr("Synced with %1: sent %2, pending %3, rejected %4.")
            .arg(engine->platformUrl())
            .arg(r.sent)
            .arg(st.pending)
            .arg(st.rejected));
    if (st.rejected > 0) {
        printRejected(*engine);
        return ExitSyncRejected;
    }
    return st.pending == 0 ? ExitOk : ExitError;
}

namespace {

/** Prints what a replay did and returns its exit code. */
int replayResult(const SyncEngine::ReplayReport &r, qsizetype total)
{
    out(Tr::tr("Replayed %1 commands: %2 applied now, %3 applied before, %4 rejected.")
            .arg(total)
            .arg(r.applied)
            .arg(r.duplicate)
            .arg(r.rejected.size()));
    for (const sync::CommandResult &c : r.rejected)
        out(Tr::tr("rejected: %1: %2 [%3]").arg(c.id, c.reason, c.code));
    if (!r.expiredUser.isEmpty())
        return error(Tr::tr("%1 Sign in with: cityops-cli login --user %2 --password-stdin, then "
                            "replay again (replaying twice applies once).")
                         .arg(r.error, r.expiredUser),
                     ExitSessionExpired);
    if (!r.reachable)
        return error(r.error, ExitUnreachable);
    if (!r.error.isEmpty())
        return error(r.error);
    return r.rejected.isEmpty() ? ExitOk : ExitSyncRejected;
}

Status writeExport(const OutboxExport &e, const QString &path)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Error{Tr::tr("cannot write %1: %2").arg(path, f.errorString())};
    f.write(e.toJson());
    if (!f.commit())
        return Error{Tr::tr("cannot write %1: %2").arg(path, f.errorString())};
    return Ok{};
}

} // namespace

int outboxExport(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption outOpt(
        QStringLiteral("out"), Tr::tr("JSON file to write the outbox to."), QStringLiteral("FILE"));
    p.addOption(outOpt);
    p.setApplicationDescription(
        Tr::tr("Writes every command of the outbox (pending, applied but not yet confirmed, and "
               "rejected) with its original command id to FILE. Reads the cache through a "
               "read-only handle, so it works while other tables are damaged; when the outbox "
               "table itself cannot be read, the commands come from the outbox journal next to "
               "the cache. Exit codes: 0 written, 8 neither can be read, 1 other errors."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("outbox"), QStringLiteral("export")}, args, &rc))
        return rc;
    if (!p.isSet(outOpt))
        return error(Tr::tr("--out FILE is required"), ExitUsage);
    const auto e = CacheRecovery::exportOutbox(g.dataDir);
    if (!e)
        return error(e.error(), ExitStorage);
    if (Status w = writeExport(*e, p.value(outOpt)); !w)
        return error(w.error());
    if (!e->note.isEmpty())
        std::fprintf(stderr, "%s\n", qPrintable(e->note));
    out(Tr::tr("Exported %1 commands (%2 still for the platform) from the %3 to %4.")
            .arg(e->commands.size())
            .arg(e->outstanding().size())
            .arg(e->source == QLatin1String("journal") ? Tr::tr("outbox journal")
                                                       : Tr::tr("outbox table"),
                 p.value(outOpt)));
    return ExitOk;
}

int outboxReplay(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("FILE"), Tr::tr("An outbox export."));
    p.setApplicationDescription(
        Tr::tr("Pushes the exported commands that are not rejected to the "
               "platform with their original command ids, each signed by its user's session in "
               "this cache, then pulls the platform's changes. The platform applies an id at most "
               "once: replaying twice applies once.\nExit codes: 0 all applied (now or before), "
               "5 unreachable, 6 some rejected (listed), 7 a session to renew, 8 the cache cannot "
               "be used (rebuild it first), 1 other errors."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("outbox"), QStringLiteral("replay")}, args, &rc, true))
        return rc;
    if (p.positionalArguments().size() != 1)
        return error(Tr::tr("usage: cityops-cli outbox replay FILE.json"), ExitUsage);
    const QString path = p.positionalArguments().first();
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return error(Tr::tr("cannot read %1: %2").arg(path, f.errorString()));
    const auto e = OutboxExport::fromJson(f.readAll(), path);
    if (!e)
        return error(e.error());
    if (cacheDeleted(g, &rc))
        return rc;
    std::unique_ptr<SyncEngine> engine;
    if (!openEngine(g, engine, &rc))
        return rc;
    const QList<RecoveredCommand> commands = e->outstanding();
    return replayResult(engine->replay(commands), commands.size());
}

int cacheRebuild(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        Tr::tr("Moves the cache aside (never deleting it: cityops.db.broken-TIME), creates a new "
               "one with the district data and the platform session of the old one, pulls the "
               "platform's cases and replays the old outbox (saved first to "
               "recovered-outbox-TIME.json in the data directory). Nothing changes when the "
               "outbox or the district data cannot be read. Exit codes: 0 rebuilt, 5 rebuilt "
               "but the platform cannot be reached (run sync, then outbox replay), 6 some "
               "commands rejected (listed), 7 a session to renew, 8 the outbox or the district "
               "data cannot be read, 1 other errors."));
    const QCommandLineOption user(QStringLiteral("user"),
                                  Tr::tr("Sign in as this user while rebuilding (when the old "
                                         "cache's session cannot be read)."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                           Tr::tr("Read that user's password from the first "
                                                  "line of standard input."));
    p.addOptions({user, passwordStdin});
    int rc = 0;
    if (!parse(p, {QStringLiteral("cache"), QStringLiteral("rebuild")}, args, &rc))
        return rc;
    std::optional<CacheRebuild::Credentials> signIn;
    if (p.isSet(passwordStdin)) {
        const QString name = p.isSet(user) ? p.value(user) : g.user;
        if (name.isEmpty())
            return error(Tr::tr("--password-stdin needs --user NAME"), ExitUsage);
        signIn = CacheRebuild::Credentials{name, QTextStream(stdin).readLine()};
    }
    const auto r = CacheRebuild::run(g.dataDir, g.platform, nullptr, signIn);
    if (!r)
        return error(r.error(), ExitStorage);
    out(Tr::tr("The old cache was moved to %1; the outbox (%2 commands, from the %3) is saved in "
               "%4.")
            .arg(r->movedTo.isEmpty() ? Tr::tr("(there was none)") : r->movedTo)
            .arg(r->recovered)
            .arg(r->outboxSource == QLatin1String("journal") ? Tr::tr("outbox journal")
                                                             : Tr::tr("outbox table"),
                 r->savedOutbox));
    const SyncReport &pulled = r->pull;
    if (!pulled.reachable)
        return error(Tr::tr("%1 The cache is rebuilt but empty: run cityops-cli sync, then "
                            "cityops-cli outbox replay %2.")
                         .arg(pulled.error, r->savedOutbox),
                     ExitUnreachable);
    if (pulled.unauthorized)
        return error(Tr::tr("%1 Sign in with cityops-cli login, then run cityops-cli sync and "
                            "cityops-cli outbox replay %2.")
                         .arg(pulled.error, r->savedOutbox),
                     ExitSessionExpired);
    if (!pulled.error.isEmpty())
        return error(pulled.error);
    out(Tr::tr("Pulled %1 cases from the platform.").arg(pulled.changed.size()));
    return replayResult(r->replay, r->outstanding);
}

} // namespace cityops::cli
