#pragma once

#include "domain/types.h"
#include "sync/outbox.h"
#include "sync/syncclient.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <optional>

namespace cityops {

class Database;
class EvidenceStore;
class SnapshotFetch;
struct RecoveredCommand;
class SyncStore;
class Workflow;

/** What the status bar shows about sync. */
struct SyncStatus
{
    bool online = false;
    bool signedIn = false;
    qint64 lastSyncAt = 0; ///< epoch ms of the last complete push and pull (0: never)
    int pending = 0;       ///< commands the platform has not confirmed yet
    int rejected = 0;      ///< commands the platform refused (the Sync panel lists them)
    QString user;
    QString message; ///< the last problem, translated (empty when none)
    /**
     * The platform refused the session of this user (expired or revoked): nothing is pushed
     * until that user signs in again; the outbox is kept and the console keeps working.
     */
    QString expiredUser;
    /** message is a storage fault of the cache (damaged, deleted, disk full): see Database. */
    bool storageFault = false;
};

/** The outcome of one push-and-pull. */
struct SyncReport
{
    bool reachable = false;
    bool unauthorized = false;
    QString expiredUser; ///< unauthorized: whose session the platform refused or is missing
    int sent = 0;
    int rejectedNow = 0;
    QString error;
    QList<CaseId> changed;
};

/**
 * Pushes the outbox to the platform and pulls its reference data and change feed into the cache,
 * with its own Database connection.
 *
 * Threading: create it, move it to a worker thread and call start() there (queued); it then
 * runs by itself: push and pull, long-poll the feed while idle, back off exponentially (with
 * jitter, capped at 30 s) while the platform is unreachable. nudge() (after a local write) and
 * stop() are slots meant to be invoked queued from the GUI thread; results come back as queued
 * signals. The CLI uses it synchronously on its own thread with open(), login() and syncOnce().
 * During the first sync one snapshot page at a time is fetched and decoded on a short-lived
 * thread of its own while the engine's thread applies the previous one; stop() aborts it too.
 */
class SyncEngine : public QObject
{
    Q_OBJECT
public:
    SyncEngine(QString dataDir, QUrl platform, QObject *parent = nullptr);
    ~SyncEngine() override;

    /** Opens the cache on the calling thread; later calls must come from this thread. */
    Status open();
    SyncStore *store() const { return m_store.get(); }
    /** The platform this cache syncs with, as remembered after sign-in. */
    QString platformUrl() const;
    /** The user last signed in on this cache (empty when nobody has). */
    QString sessionUser() const;
    /** Every command of the outbox in order, and the rejected ones. */
    QList<OutboxEntry> outboxEntries() const;
    QList<OutboxEntry> rejectedCommands() const;
    /** The cache (names the file and the cause of a storage fault). */
    Database &database() const;
    /**
     * Signs in and keeps the session (user, role, token, expiry, URL) in the cache. Under a scope
     * other than the one the cache's cases came under (`cases_scope`), the cases are removed
     * (SyncStore::purgeCases) and the next sync pulls the new scope's snapshot; while other users'
     * commands wait in the outbox the sign-in is refused instead (nothing changes). The account's
     * own waiting commands (its scope changed on the platform) are sent first: the removal then
     * happens at the sync that finds none pending (settleScope()).
     */
    Result<sync::SessionInfo> login(const QString &user, const QString &password);
    /** Pushes the whole outbox in batches, then pulls the snapshot (first time) and the feed. */
    SyncReport syncOnce();
    SyncStatus status() const;

    /** What a replay of recovered commands did (see replay()). */
    struct ReplayReport
    {
        int applied = 0;   ///< applied now
        int duplicate = 0; ///< the platform had them already (an earlier push or replay)
        QList<sync::CommandResult> rejected;
        QString error; ///< why the replay stopped (unreachable, a session to renew)
        bool reachable = true;
        QString expiredUser;
    };
    /**
     * Pushes recovered commands (an exported or journaled outbox) to the platform with their
     * original ids, in order, each with the token of the user who made it, then pulls the feed.
     * The platform applies an id at most once, so replaying twice applies once.
     */
    ReplayReport replay(const QList<RecoveredCommand> &commands);
    /** The message of a session the platform refused (expired, revoked) or that is missing. */
    static QString expiredMessage(const QString &user);
    static QString noSessionMessage(const QString &user);
    /** The bearer token of the session signed in now (empty when signed out). */
    QString sessionToken() const { return session("session_token"); }
    /** Seconds the feed is long-polled for while idle (tests shorten it). */
    void setLongPollSeconds(int s) { m_longPoll = s; }

public slots:
    void start();
    void stop();
    void nudge();
    /** A user signed in again after sessionExpired: push and pull resume. */
    void resume();

signals:
    void statusChanged(const cityops::SyncStatus &status);
    /** The platform refused the session of `user`: the engine waits for resume(). */
    void sessionExpired(const QString &user);
    void casesChanged(const QList<qint64> &ids);
    void stopped();

private:
    void cycle();
    bool pull(SyncReport *report, int waitSeconds);
    /** The first sync's snapshot: fetching later pages (on a thread of their own) while applying N.
     */
    bool pullSnapshot(SyncReport *report);
    /** Refreshes the district's reference data when the platform's has changed. */
    bool pullReference(SyncReport *report);
    /** The scope a session's cases come under ("district" from a platform without scopes). */
    static QString scopeOf(const QString &sessionScope);
    /**
     * Brings the cache's cases to the signed-in scope before a pull: records it for an empty
     * cache; under another scope removes them (SyncStore::purgeCases, listed in report->changed)
     * once no command is pending, so the pull then takes a fresh snapshot. False on a fault.
     */
    bool settleScope(SyncReport *report);
    /** Records a failed pull in `report` (a 401 also ends the session); always false. */
    bool pullFailed(SyncReport *report, const sync::SyncFailure &f);
    QString session(const char *key) const;
    /** A 401 for `user`: forgets the refused token, so nothing more is sent with it. */
    void sessionRefused(const QString &user);
    std::optional<sync::SyncFailure> uploadEvidence(const sync::ClientCommand &command);
    /** Empties the outbox journal when the outbox is empty (in a write transaction). */
    void compactJournal();

    QString m_dataDir;
    QUrl m_platform;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<Workflow> m_workflow;
    std::unique_ptr<SyncStore> m_store;
    std::unique_ptr<EvidenceStore> m_evidence;
    sync::SyncClient *m_client = nullptr;
    std::unique_ptr<SnapshotFetch> m_fetch; ///< the snapshot's pages in flight
    QTimer *m_timer = nullptr;
    int m_failures = 0;
    int m_longPoll = 20;
    bool m_running = false;
    bool m_stopping = false;
    bool m_busy = false;
    bool m_polling = false; ///< in the idle long-poll, which nudge() may end
    bool m_online = false;
    bool m_waitingForLogin = false;
    QString m_expiredUser;
    QString m_lastError;
};

} // namespace cityops

Q_DECLARE_METATYPE(cityops::SyncStatus)
