// What the cityops-cli commands share: exit codes, global options, output, sub-command parsing and
// the session a case command runs in. Each command group lives in its own *_commands.cpp.
#pragma once

#include "service/caseservice.h"
#include "storage/database.h"
#include "storage/evidencestore.h"
#include "workflow/workflow.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace cityops::cli {

/** Exit codes, documented in `cityops-cli --help`. */
enum Exit
{
    ExitOk = 0,
    ExitError = 1,
    ExitUsage = 2,
    ExitRejected = 3,
    ExitAuditBroken = 4,
    ExitUnreachable = 5,
    ExitSyncRejected = 6,
    ExitSessionExpired = 7,
    ExitStorage = 8
};

/** The translation context of every cityops-cli message: "Cli" (the .ts files are keyed by it). */
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Cli)
};

void out(const QString &s);
int error(const QString &s, int code = ExitError);

/** A storage failure: described (file, cause, what to do) and exit 8 when it is a storage fault. */
int storageError(const Database &db, const QString &message);

struct Globals
{
    QString dataDir;
    QString lang;
    QString user;
    QUrl platform;
};

struct CliCommand
{
    QStringList words;
    QString summary;
    std::function<int(const Globals &, const QStringList &args)> run;
};

/**
 * A sub-command's own parser: `cityops-cli demo generate --help` shows only its options, under
 * the command words and the description the command set (exit codes). With `positional`,
 * positional arguments are the caller's to check.
 */
bool parse(QCommandLineParser &p, const QStringList &words, const QStringList &args, int *rc,
           bool positional = false);

/** Opens the store and resolves --user; every case command needs both. */
struct Session
{
    std::shared_ptr<Database> db;
    std::unique_ptr<Workflow> workflow;
    std::unique_ptr<EvidenceStore> evidence;
    /**
     * Every change goes through it: on a cache that syncs with a platform (--platform or an
     * earlier login) into the outbox, on a standalone cache directly.
     */
    std::unique_ptr<CaseService> cases;

    /** The exit code of an outcome that is not applied (the reason or error printed). */
    int failure(const Outcome &o) const;
};

/**
 * A cache that is gone while its outbox journal still holds commands was deleted: opening would
 * create an empty one in its place, so the command is refused with a storage fault instead.
 */
bool cacheDeleted(const Globals &g, int *rc);

std::optional<Session> openSession(const Globals &g, bool needUser, int *rc);

// The commands, by file; main.cpp maps the command words to them.

// demo_commands.cpp
int demoGenerate(const Globals &g, const QStringList &args);
int demoBasemap(const Globals &g, const QStringList &args);

// info_commands.cpp
int info(const Globals &g, const QStringList &args);
int buildIndex(const Globals &g, const QStringList &args);
int auditVerify(const Globals &g, const QStringList &args);

// case_commands.cpp
int caseNew(const Globals &g, const QStringList &args);
int caseDo(const Globals &g, const QStringList &args);
int caseBulk(const Globals &g, const QStringList &args);
int caseShow(const Globals &g, const QStringList &args);
int caseDossier(const Globals &g, const QStringList &args);

// sync_commands.cpp
int login(const Globals &g, const QStringList &args);
int syncCommand(const Globals &g, const QStringList &args);
int outboxExport(const Globals &g, const QStringList &args);
int outboxReplay(const Globals &g, const QStringList &args);
int cacheRebuild(const Globals &g, const QStringList &args);

// security_commands.cpp
int securityLog(const Globals &g, const QStringList &args);

} // namespace cityops::cli
