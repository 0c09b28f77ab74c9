#pragma once

// Shared by cityops-fault-network and cityops-fault-histories: console caches that make random
// workflow commands through the production SyncStore, the reference accounting of what became of
// each command, and the workflow invariants checked on the platform's store.

#include "domain/types.h"
#include "storage/caserepository.h"
#include "util/result.h"
#include "util/rng.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace cityops {
class Database;
class EvidenceStore;
class SyncStore;
class Workflow;
} // namespace cityops

namespace cityops::test {

/** A console's cache opened on the calling thread: what ConsoleContext writes through. */
struct ClientCache
{
    QString dir;
    QString user;
    std::shared_ptr<Database> db;
    std::unique_ptr<Workflow> workflow;
    std::unique_ptr<SyncStore> store;
    std::unique_ptr<EvidenceStore> evidence;
    Actor actor;

    ~ClientCache();
    static Result<std::unique_ptr<ClientCache>> open(const QString &dir, const QString &user);
};

/** The accounts of the ten consoles the suite runs: two consoles per working role. */
inline const QStringList kConsoleUsers{QStringLiteral("operator1"),   QStringLiteral("dispatcher1"),
                                       QStringLiteral("supervisor1"), QStringLiteral("field1"),
                                       QStringLiteral("enforcer1"),   QStringLiteral("operator1"),
                                       QStringLiteral("dispatcher1"), QStringLiteral("supervisor1"),
                                       QStringLiteral("field1"),      QStringLiteral("enforcer1")};

/**
 * A console in `dir`: the district of `seed` (no cases), signed in as `user` at `url` through a
 * SyncEngine as the console's login does, with the image `photo` in its evidence store (its
 * SHA-256 in `photoSha`).
 */
Result<std::unique_ptr<ClientCache>> prepareConsole(const QString &dir, const QString &user,
                                                    const QUrl &url, quint64 seed,
                                                    const QString &photo, QString *photoSha);

/** Prints one line of a summary at once. */
void say(const QString &line);

/** What a workload needs to know about the district. */
struct Workload
{
    QString photoSha;         ///< an image in every client's evidence store
    QStringList assignees;    ///< person codes dispatches go to (the field accounts' people first)
    double reportShare = 0.2; ///< share of commands that file a new case
};

/** One command a client queued (or tried to). */
struct Made
{
    QString commandId; ///< empty when the local engine refused it (nothing was queued)
    QString action;
    CaseId caseId = 0;
    QString localRejection;
};

/**
 * Makes one random workflow command on a client's cache: a new report, or an action on one of
 * `cases` that the client's role may take in the case's local state (chosen among those the
 * engine's precheck allows), with plausible arguments.
 */
Made randomCommand(ClientCache &client, const Workload &w, Rng &rng, const QList<CaseId> &cases,
                   qint64 now);

/** Open cases of a cache (platform ids and local ones). */
QList<CaseId> openCases(Database &db, int limit = 100000);

/** One line per case: the columns a console shows and the chain head; only the given ids. */
QStringList caseLines(Database &db, const QList<CaseId> &ids = {});

/** A command the reference model tracks: which client made it. */
struct Tracked
{
    int client = 0;
    QString commandId;
    QString action;
};

/** What became of the tracked commands. */
struct Accounting
{
    int applied = 0;
    int rejected = 0;     ///< rejected by the platform and shown to their client
    int lost = 0;         ///< neither applied nor a rejection its client sees
    int duplicated = 0;   ///< an effect applied more than once
    int stuck = 0;        ///< still in an outbox
    QStringList problems; ///< one line per lost/duplicated/stuck command
};

/**
 * Compares the tracked commands with the platform's `applied_commands` and `changes` and with
 * each client's outbox (`clients[i]` is Tracked::client i).
 */
Accounting account(Database &platform, const QList<Tracked> &commands,
                   const QList<ClientCache *> &clients);

/**
 * The workflow invariants on the platform's store for the given cases (all when empty); one
 * line per violation. See docs/reliability.md, "Concurrent histories".
 */
QStringList checkInvariants(Database &platform, const Workflow &workflow,
                            const QList<CaseId> &cases = {});

/** Writes a small PNG (an image the evidence store accepts) and returns its path. */
QString writePhoto(const QString &dir);

} // namespace cityops::test
