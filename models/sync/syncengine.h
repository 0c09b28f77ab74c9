#pragma once

#include "domain/types.h"
#include "sync/syncclient.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace cityops {

class Database;
class EvidenceStore;
class PageFetch;
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
};

/** The outcome of one push-and-pull. */
struct SyncReport
{
    bool reachable = false;
    bool unauthorized = false;
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
    /** Signs in and keeps the session (user, role, token, expiry, URL) in the cache. */
    Result<sync::SessionInfo> login(const QString &user, const QString &password);
    /** Pushes the whole outbox in batches, then pulls the snapshot (first time) and the feed. */
    SyncReport syncOnce();
    SyncStatus status() const;
    /** Seconds the feed is long-polled for while idle (tests shorten it). */
    void setLongPollSeconds(int s) { m_longPoll = s; }

public slots:
    void start();
    void stop();
    void nudge();

signals:
    void statusChanged(const cityops::SyncStatus &status);
    void casesChanged(const QList<qint64> &ids);
    void stopped();

private:
    void cycle();
    bool pull(SyncReport *report, int waitSeconds);
    /** The first sync's snapshot: fetching page N+1 (on a thread of its own) while applying N. */
    bool pullSnapshot(SyncReport *report);
    /** Refreshes the district's reference data when the platform's has changed. */
    bool pullReference(SyncReport *report);
    QString session(const char *key) const;

    QString m_dataDir;
    QUrl m_platform;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<Workflow> m_workflow;
    std::unique_ptr<SyncStore> m_store;
    std::unique_ptr<EvidenceStore> m_evidence;
    sync::SyncClient *m_client = nullptr;
    std::unique_ptr<PageFetch> m_fetch; ///< the snapshot page in flight
    QTimer *m_timer = nullptr;
    int m_failures = 0;
    int m_longPoll = 20;
    bool m_running = false;
    bool m_stopping = false;
    bool m_busy = false;
    bool m_polling = false; ///< in the idle long-poll, which nudge() may end
    bool m_online = false;
    QString m_lastError;
};

} // namespace cityops

Q_DECLARE_METATYPE(cityops::SyncStatus)
