#include "syncengine.h"

#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/cacherecovery.h"
#include "storage/database.h"
#include "storage/evidencestore.h"
#include "storage/syncstore.h"
#include "util/clock.h"
#include "util/crashpoint.h"
#include "workflow/workflow.h"

#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QThread>
#include <QWaitCondition>

#include <deque>

#include <algorithm>

namespace cityops {

namespace {
constexpr int kBatch = 200;
constexpr int kPage = 1000;
constexpr int kBackoffCapMs = 30000;
} // namespace

/**
 * The snapshot's pages, fetched and decoded in order on one thread with one SyncClient while the
 * engine applies earlier ones (SyncClient::snapshotPages: the platform writes page N+1 while this
 * thread decodes page N), and freed there once applied.
 *
 * Threading: created, taken from, aborted and destroyed on the engine's thread. The client lives
 * on the fetch thread and is reached only through a queued abort() under the mutex. Keeping one
 * thread for the whole snapshot lets its allocator arena reuse the memory of the pages it frees
 * (a thread per page faulted fresh memory in for every page), and freeing a page where it was
 * allocated keeps that work off the applying thread.
 */
class SnapshotFetch
{
public:
    SnapshotFetch(const QUrl &base, const QByteArray &token, qint64 after, int limit)
    {
        m_thread.reset(QThread::create([this, base, token, after, limit] {
            sync::SyncClient client(base);
            client.setToken(token);
            run(client, after, limit);
        }));
        m_thread->start();
    }
    ~SnapshotFetch()
    {
        abort();
        m_thread->wait();
    }

    void abort()
    {
        QMutexLocker lock(&m_mutex);
        m_aborted = true;
        if (m_client)
            QMetaObject::invokeMethod(m_client, &sync::SyncClient::abort, Qt::QueuedConnection);
        m_wake.wakeAll();
    }

    /** The next page, waiting for it while serving the caller's events (stop(), nudge()). */
    sync::Reply<sync::SnapshotPage> take()
    {
        QMutexLocker lock(&m_mutex);
        while (m_ready.empty()) {
            QEventLoop loop;
            m_waiter = &loop;
            lock.unlock();
            loop.exec();
            lock.relock();
            m_waiter = nullptr;
        }
        auto page = std::move(m_ready.front());
        m_ready.pop_front();
        m_wake.wakeAll();
        return page;
    }

    /** Hands an applied page back, to be freed on the fetch thread. */
    void recycle(sync::Reply<sync::SnapshotPage> &&page)
    {
        QMutexLocker lock(&m_mutex);
        m_done.push_back(std::move(page));
        m_wake.wakeAll();
    }

private:
    /** Pages fetched and decoded ahead of the one being applied. */
    static constexpr size_t kAhead = 2;

    void run(sync::SyncClient &client, qint64 after, int limit)
    {
        {
            QMutexLocker lock(&m_mutex);
            if (m_aborted)
                return stopped();
            m_client = &client;
        }
        bool last = false; // the last page or a failure was delivered
        client.snapshotPages(after, limit, [&](sync::Reply<sync::SnapshotPage> &&page) {
            const auto *p = std::get_if<sync::SnapshotPage>(&page);
            last = !p || !p->more;
            QMutexLocker lock(&m_mutex);
            m_ready.push_back(std::move(page));
            notify();
            // Wait for room, freeing applied pages meanwhile.
            while (!m_aborted && (!m_done.empty() || m_ready.size() >= kAhead)) {
                if (!freeDone(lock))
                    m_wake.wait(&m_mutex);
            }
            return !m_aborted;
        });
        QMutexLocker lock(&m_mutex);
        m_client = nullptr;
        if (!last)
            stopped();
        // Applied pages are still freed here until the engine is done with the snapshot.
        while (!m_aborted || !m_done.empty()) {
            if (!freeDone(lock))
                m_wake.wait(&m_mutex);
        }
    }

    /** Frees the pages handed back, outside the mutex; false when there were none. */
    bool freeDone(QMutexLocker<QMutex> &lock)
    {
        if (m_done.empty())
            return false;
        auto done = std::move(m_done);
        m_done.clear();
        lock.unlock();
        done.clear();
        lock.relock();
        return true;
    }

    /** Whoever still waits for a page learns that the snapshot stopped (mutex held). */
    void stopped()
    {
        m_ready.push_back(sync::SyncFailure{sync::SyncFailure::Unreachable, 0,
                                            QStringLiteral("stopped"), SyncEngine::tr("Stopped.")});
        notify();
    }

    /** Ends the engine's wait in take() (with the mutex held). */
    void notify()
    {
        if (m_waiter)
            QMetaObject::invokeMethod(m_waiter, &QEventLoop::quit, Qt::QueuedConnection);
    }

    std::unique_ptr<QThread> m_thread;
    QMutex m_mutex;
    QWaitCondition m_wake;
    sync::SyncClient *m_client = nullptr;
    QEventLoop *m_waiter = nullptr;
    std::deque<sync::Reply<sync::SnapshotPage>> m_ready;
    std::deque<sync::Reply<sync::SnapshotPage>> m_done;
    bool m_aborted = false;
};

SyncEngine::SyncEngine(QString dataDir, QUrl platform, QObject *parent)
    : QObject(parent), m_dataDir(std::move(dataDir)), m_platform(std::move(platform))
{
    qRegisterMetaType<cityops::SyncStatus>();
    qRegisterMetaType<QList<qint64>>();
}

SyncEngine::~SyncEngine() = default;

Status SyncEngine::open()
{
    if (m_store)
        return Ok{};
    auto db = Database::openDir(m_dataDir);
    if (!db)
        return Error{db.error()};
    m_db = *db;
    const auto config = WorkflowConfig::load(m_dataDir);
    if (!config)
        return Error{config.error()};
    m_workflow = std::make_unique<Workflow>(Catalogue::builtin(), WorkCalendar::builtin(), *config);
    m_store = std::make_unique<SyncStore>(m_db, *m_workflow);
    m_evidence = std::make_unique<EvidenceStore>(m_db, m_dataDir);
    if (m_platform.isEmpty())
        m_platform = QUrl(m_store->value(QStringLiteral("platform_url")));
    else if (m_store->value(QStringLiteral("platform_url")) != m_platform.toString())
        (void)m_store->setValue(QStringLiteral("platform_url"), m_platform.toString());
    m_client = new sync::SyncClient(m_platform, this);
    m_client->setToken(session("session_token").toUtf8());
    return Ok{};
}

QString SyncEngine::session(const char *key) const
{
    return m_store ? m_store->value(QLatin1String(key)) : QString();
}

Result<sync::SessionInfo> SyncEngine::login(const QString &user, const QString &password)
{
    if (Status s = open(); !s)
        return Error{s.error()};
    if (m_platform.isEmpty())
        return Error{tr("No platform is configured: pass --platform URL.")};
    const auto r = m_client->login(user, password);
    if (const auto *f = std::get_if<sync::SyncFailure>(&r))
        return Error{f->message};
    const auto &s = std::get<sync::SessionInfo>(r);
    // The cache holds only the cases of the scope signed in now (docs/security.md, "Who sees
    // what"): under another scope its cases go and the next sync pulls a fresh snapshot, unless
    // another user's commands still wait to be sent: those would lose their cases.
    const QString scope = scopeOf(s.scope);
    const QString held = m_store->casesScope();
    bool purge = false, deferred = false;
    if (!held.isEmpty() && held != scope) {
        QStringList others;
        int waiting = 0, own = 0;
        for (const auto &[who, n] : m_store->outstandingByUser()) {
            if (who == s.user) {
                own += n;
            } else {
                others << who;
                waiting += n;
            }
        }
        if (waiting > 0)
            return Error{tr("%n command(s) of %1 wait to be sent; sync them before signing in as "
                            "an account with another scope.",
                            nullptr, waiting)
                             .arg(others.join(QStringLiteral(", ")))};
        // This account's own scope changed: its commands go first, with its new session, and
        // the cases then (settleScope(), at the next sync).
        purge = own == 0;
        deferred = !purge;
    }
    m_client->setToken(s.token.toUtf8());
    Transaction tx(*m_db);
    Status st = m_store->setValue(QStringLiteral("session_user"), s.user);
    // Each user's token is kept: a shared console's outbox holds commands of several users, and
    // the platform authorises each command as the user who made it.
    if (st)
        st = m_store->setValue(QStringLiteral("token:") + s.user, s.token);
    for (const auto &[k, v] :
         {std::pair{QStringLiteral("session_token"), s.token},
          std::pair{QStringLiteral("session_role"), s.role},
          std::pair{QStringLiteral("session_org"), s.org},
          std::pair{QStringLiteral("session_scope"), s.scope},
          std::pair{QStringLiteral("session_expires"), QString::number(s.expiresAt)},
          std::pair{QStringLiteral("platform_url"), m_platform.toString()}}) {
        if (st)
            st = m_store->setValue(k, v);
    }
    QStringList evidence;
    if (st && purge) {
        if (const auto purged = m_store->purgeCases(clientNow(), &evidence); !purged)
            st = Error{purged.error()};
    }
    if (st && !deferred)
        st = m_store->setValue(QStringLiteral("cases_scope"), scope);
    if (st)
        st = tx.commit();
    if (!st) {
        m_client->setToken(session("session_token").toUtf8());
        return Error{st.error()};
    }
    for (const QString &sha : std::as_const(evidence))
        QFile::remove(m_evidence->pathFor(sha));
    if (s.user == m_expiredUser)
        m_expiredUser.clear();
    // A new cache learns the district (and its users) at once, so the console can act as the
    // user; a failure here is retried by the next sync.
    SyncReport ignored;
    (void)pullReference(&ignored);
    return s;
}

QString SyncEngine::scopeOf(const QString &scope)
{
    // A platform from before scopes sends every case: the district's.
    return scope.isEmpty() ? QStringLiteral("district") : scope;
}

bool SyncEngine::settleScope(SyncReport *report)
{
    const QString scope = scopeOf(session("session_scope"));
    const QString held = m_store->casesScope();
    if (held == scope)
        return true;
    // An empty cache: what it pulls now comes under this scope.
    if (held.isEmpty()) {
        const Status st = m_store->setValue(QStringLiteral("cases_scope"), scope);
        if (!st)
            report->error = st.error();
        return static_cast<bool>(st);
    }
    // The account's own commands were made under its old scope: they are sent first.
    if (!m_store->pending(1).isEmpty())
        return true;
    QStringList evidence;
    Transaction tx(*m_db);
    const auto purged = m_store->purgeCases(clientNow(), &evidence);
    if (!purged) {
        report->error = purged.error();
        return false;
    }
    Status st = m_store->setValue(QStringLiteral("cases_scope"), scope);
    if (st)
        st = tx.commit();
    if (!st) {
        report->error = st.error();
        return false;
    }
    for (const QString &sha : std::as_const(evidence))
        QFile::remove(m_evidence->pathFor(sha));
    report->changed += *purged;
    return true;
}

void SyncEngine::sessionRefused(const QString &user)
{
    m_expiredUser = user;
    if (user.isEmpty() || !m_store)
        return;
    Transaction tx(*m_db);
    Status st = m_store->setValue(QStringLiteral("token:") + user, QString());
    if (st && session("session_user") == user)
        st = m_store->setValue(QStringLiteral("session_token"), QString());
    if (st)
        (void)tx.commit();
}

void SyncEngine::compactJournal()
{
    // Inside a write transaction no command can be queued meanwhile: each is journaled after its
    // own transaction committed, so an empty outbox here means nothing is left to mirror.
    Transaction tx(*m_db);
    if (!tx.isActive())
        return;
    if (m_store->outstandingCount() == 0 && m_store->rejectedCount() == 0) {
        if (Status s = OutboxJournal::clear(m_db->path()); !s)
            qWarning("%s", qPrintable(s.error()));
    }
    (void)tx.commit();
}

std::optional<sync::SyncFailure> SyncEngine::uploadEvidence(const sync::ClientCommand &command)
{
    for (const QString &sha : command.evidence) {
        const QString key = QStringLiteral("uploaded:") + sha;
        if (!m_store->value(key).isEmpty())
            continue;
        const QString path = m_evidence->pathFor(sha);
        if (path.isEmpty() || !QFileInfo::exists(path))
            continue; // the platform may have it already; it says evidence-missing if not
        if (const auto f = m_client->upload(sha, path)) {
            if (f->kind == sync::SyncFailure::Unreachable ||
                f->kind == sync::SyncFailure::Unauthorized)
                return f;
            continue;
        }
        (void)m_store->setValue(key, QStringLiteral("1"));
    }
    return std::nullopt;
}

QString SyncEngine::expiredMessage(const QString &user)
{
    return tr("The platform session of %1 has expired; %1 must sign in again. The outbox is "
              "kept and nothing is sent until then.")
        .arg(user);
}

QString SyncEngine::noSessionMessage(const QString &user)
{
    return tr("Commands made by %1 wait for %1 to sign in.").arg(user);
}

SyncEngine::ReplayReport SyncEngine::replay(const QList<RecoveredCommand> &commands)
{
    ReplayReport rep;
    if (Status s = open(); !s) {
        rep.error = s.error();
        return rep;
    }
    if (m_platform.isEmpty()) {
        rep.error = tr("No platform is configured: pass --platform URL.");
        return rep;
    }
    QList<sync::CommandResult> all;
    auto fail = [&](const sync::SyncFailure &f, const QString &user) {
        rep.reachable = f.kind != sync::SyncFailure::Unreachable;
        rep.error = f.message;
        if (f.kind == sync::SyncFailure::Unauthorized) {
            sessionRefused(user);
            rep.expiredUser = user;
            if (f.status != 0)
                rep.error = expiredMessage(user);
        }
        (void)m_store->recordResults(all);
        return rep;
    };
    for (qsizetype i = 0; i < commands.size();) {
        // One user per batch, in the recovered order.
        const QString user = commands.at(i).username;
        const QString token = m_store->value(QStringLiteral("token:") + user);
        if (token.isEmpty())
            return fail({sync::SyncFailure::Unauthorized, 0, QStringLiteral("no-session"),
                         noSessionMessage(user)},
                        user);
        m_client->setToken(token.toUtf8());
        QList<sync::ClientCommand> batch;
        for (; i < commands.size() && commands.at(i).username == user && batch.size() < kBatch;
             ++i) {
            if (const auto f = uploadEvidence(commands.at(i).command))
                return fail(*f, user);
            batch << commands.at(i).command;
        }
        const auto results = m_client->push(batch);
        if (const auto *f = std::get_if<sync::SyncFailure>(&results))
            return fail(*f, user);
        for (const sync::CommandResult &r : std::get<QList<sync::CommandResult>>(results)) {
            all << r;
            if (r.status == sync::CommandStatus::Applied)
                ++rep.applied;
            else if (r.status == sync::CommandStatus::Duplicate &&
                     r.original == sync::CommandStatus::Applied)
                ++rep.duplicate;
            else
                rep.rejected << r;
        }
    }
    // Commands that are also in this cache's outbox are settled the usual way.
    if (auto recorded = m_store->recordResults(all); !recorded)
        rep.error = recorded.error();
    m_client->setToken(session("session_token").toUtf8());
    SyncReport pulled;
    if (!pull(&pulled, 0)) {
        rep.reachable = pulled.reachable;
        rep.expiredUser = pulled.expiredUser;
        rep.error = pulled.error;
    }
    return rep;
}

QString SyncEngine::platformUrl() const
{
    return m_store->value(QStringLiteral("platform_url"));
}

QString SyncEngine::sessionUser() const
{
    return m_store->value(QStringLiteral("session_user"));
}

QList<OutboxEntry> SyncEngine::outboxEntries() const
{
    return m_store->entries();
}

QList<OutboxEntry> SyncEngine::rejectedCommands() const
{
    return m_store->rejected();
}

Database &SyncEngine::database() const
{
    return m_store->database();
}

SyncStatus SyncEngine::status() const
{
    SyncStatus s;
    s.online = m_online;
    s.message = m_lastError;
    if (!m_store)
        return s;
    s.signedIn = !session("session_token").isEmpty();
    s.user = session("session_user");
    s.lastSyncAt = session("last_sync_at").toLongLong();
    s.pending = m_store->outstandingCount();
    s.rejected = m_store->rejectedCount();
    s.expiredUser = m_expiredUser;
    s.storageFault =
        m_db && !m_lastError.isEmpty() && m_db->diagnose(m_lastError) != StorageFault::None;
    return s;
}

bool SyncEngine::pullFailed(SyncReport *report, const sync::SyncFailure &f)
{
    report->reachable = f.kind != sync::SyncFailure::Unreachable;
    report->unauthorized = f.kind == sync::SyncFailure::Unauthorized;
    report->error = f.message;
    if (report->unauthorized) {
        report->expiredUser = session("session_user");
        sessionRefused(report->expiredUser);
        report->error = expiredMessage(report->expiredUser);
    }
    return false;
}

bool SyncEngine::pullReference(SyncReport *report)
{
    const auto reply = m_client->reference(m_store->referenceVersion());
    if (const auto *f = std::get_if<sync::SyncFailure>(&reply)) {
        // A platform without the route: the cache keeps the reference data it was given.
        if (f->status == 404)
            return true;
        return pullFailed(report, *f);
    }
    const auto &data = std::get<std::optional<sync::ReferenceData>>(reply);
    if (!data)
        return true;
    if (Status s = m_store->applyReference(*data); !s) {
        report->error = s.error();
        return false;
    }
    return true;
}

bool SyncEngine::pullSnapshot(SyncReport *report)
{
    if (m_store->snapshotDone())
        return true;
    m_fetch = std::make_unique<SnapshotFetch>(
        m_platform, m_client->token(),
        m_store->value(QStringLiteral("snapshot_after")).toLongLong(), sync::kMaxSnapshotLimit);
    const auto done = qScopeGuard([this] { m_fetch.reset(); });
    while (!m_stopping) {
        auto page = m_fetch->take();
        if (const auto *f = std::get_if<sync::SyncFailure>(&page))
            return pullFailed(report, *f);
        // Later pages are read, sent and decoded while this one is written.
        const auto applied = m_store->applySnapshotPage(std::get<sync::SnapshotPage>(page));
        if (!applied) {
            report->error = applied.error();
            return false;
        }
        report->changed += *applied;
        const bool more = std::get<sync::SnapshotPage>(page).more;
        m_fetch->recycle(std::move(page));
        if (!more)
            break;
    }
    return m_store->snapshotDone() ||
           pullFailed(report, {sync::SyncFailure::Unreachable, 0, QStringLiteral("stopped"),
                               tr("Stopped.")});
}

bool SyncEngine::pull(SyncReport *report, int waitSeconds)
{
    auto fail = [&](const sync::SyncFailure &f) {
        return pullFailed(report, f);
    };
    if (!pullSnapshot(report))
        return false;
    for (;;) {
        const auto page = m_client->changes(m_store->cursor(), kPage, waitSeconds);
        if (const auto *f = std::get_if<sync::SyncFailure>(&page))
            return fail(*f);
        const auto &p = std::get<sync::ChangesPage>(page);
        const auto applied = m_store->applyChanges(p);
        // The photos of cases that left the account's scope go with them.
        for (const QString &sha : m_store->takeDroppedEvidence())
            QFile::remove(m_evidence->pathFor(sha));
        if (!applied) {
            report->error = applied.error();
            return false;
        }
        report->changed += *applied;
        if (!p.more)
            break;
        waitSeconds = 0;
    }
    return true;
}

SyncReport SyncEngine::syncOnce()
{
    SyncReport report;
    if (Status s = open(); !s) {
        report.error = s.error();
        return report;
    }
    QString tokenUser; // whose token the request that failed carried
    auto fail = [&](const sync::SyncFailure &f) {
        report.reachable = f.kind != sync::SyncFailure::Unreachable;
        report.unauthorized = f.kind == sync::SyncFailure::Unauthorized;
        report.error = f.message;
        if (report.unauthorized) {
            report.expiredUser = tokenUser;
            sessionRefused(tokenUser);
            if (f.status != 0) // the platform refused the token (0: there was none to send)
                report.error = expiredMessage(tokenUser);
        }
        m_online = report.reachable;
        m_lastError = report.error;
        return report;
    };
    if (m_platform.isEmpty()) {
        report.error = tr("No platform is configured: pass --platform URL.");
        m_lastError = report.error;
        return report;
    }
    // Push: the outbox in order, attachments first.
    for (;;) {
        QList<OutboxEntry> batch = m_store->pending(kBatch);
        if (batch.isEmpty())
            break;
        // One user per batch, in outbox order.
        const QString user = batch.first().username;
        const auto other = std::find_if(batch.begin(), batch.end(),
                                        [&](const OutboxEntry &e) { return e.username != user; });
        batch.erase(other, batch.end());
        // Each command goes only with the token of the user who made it: a command is never sent
        // under another user's name, so it waits while its user's session is missing or expired.
        const QString token = m_store->value(QStringLiteral("token:") + user);
        tokenUser = user;
        if (token.isEmpty())
            return fail({sync::SyncFailure::Unauthorized, 0, QStringLiteral("no-session"),
                         noSessionMessage(user)});
        m_client->setToken(token.toUtf8());
        QList<sync::ClientCommand> commands;
        QStringList ids;
        for (const OutboxEntry &e : batch) {
            if (const auto f = uploadEvidence(e.command))
                return fail(*f);
            commands << e.command;
            ids << e.commandId;
        }
        CITYOPS_CRASH_POINT("sync.push.before");
        const auto results = m_client->push(commands);
        if (const auto *f = std::get_if<sync::SyncFailure>(&results)) {
            (void)m_store->noteAttempt(ids, f->message);
            return fail(*f);
        }
        const auto &rs = std::get<QList<sync::CommandResult>>(results);
        CITYOPS_CRASH_POINT("sync.push.after");
        // The platform lacks an attachment marked as uploaded (e.g. it stopped before storing
        // it): forget the mark, so the next sync uploads it again instead of waiting for ever.
        for (const sync::CommandResult &r : rs) {
            if (r.code != QLatin1String("evidence-missing"))
                continue;
            for (const OutboxEntry &e : std::as_const(batch)) {
                for (const QString &sha : e.command.evidence) {
                    if (e.commandId == r.id)
                        (void)m_store->setValue(QStringLiteral("uploaded:") + sha, QString());
                }
            }
        }
        const int rejectedBefore = m_store->rejectedCount();
        const auto touched = m_store->recordResults(rs);
        if (!touched) {
            report.error = touched.error();
            m_lastError = report.error;
            return report;
        }
        CITYOPS_CRASH_POINT("sync.results.after");
        report.changed += *touched;
        report.sent += int(rs.size());
        report.rejectedNow += m_store->rejectedCount() - rejectedBefore;
        // Commands still pending after an answer wait for something (an attachment): stop.
        const bool progressed = std::any_of(rs.begin(), rs.end(), [](const sync::CommandResult &r) {
            return r.code != QLatin1String("evidence-missing");
        });
        if (!progressed || rs.size() < commands.size())
            break;
    }
    report.reachable = true;
    m_client->setToken(session("session_token").toUtf8());
    if (!settleScope(&report) || !pullReference(&report) || !pull(&report, 0)) {
        m_online = report.reachable;
        m_lastError = report.error;
        return report;
    }
    m_online = true;
    m_lastError.clear();
    (void)m_store->setValue(QStringLiteral("last_sync_at"), QString::number(clientNow()));
    compactJournal();
    return report;
}

void SyncEngine::start()
{
    if (m_running)
        return;
    m_running = true;
    m_stopping = false;
    if (Status s = open(); !s) {
        m_lastError = s.error();
        emit statusChanged(status());
        return;
    }
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &SyncEngine::cycle);
    m_timer->start(0);
}

void SyncEngine::stop()
{
    m_stopping = true;
    if (m_timer)
        m_timer->stop();
    if (m_client)
        m_client->abort();
    if (m_fetch)
        m_fetch->abort();
    if (!m_busy) {
        m_running = false;
        emit stopped();
    }
}

void SyncEngine::nudge()
{
    // A local write: end a long-poll (or a back-off wait) so the outbox goes out now. A push or
    // pull in flight is left alone: the platform may already have committed the batch, and the
    // engine pushes the new command as soon as that call returns.
    if (m_client && m_polling)
        m_client->abort();
    if (m_timer && m_timer->isActive())
        m_timer->start(0);
}

void SyncEngine::resume()
{
    // The user signed in again (another connection wrote the new token to the cache).
    m_waitingForLogin = false;
    m_expiredUser.clear();
    m_failures = 0;
    if (m_timer && !m_busy && !m_stopping)
        m_timer->start(0);
}

void SyncEngine::cycle()
{
    if (m_stopping || m_busy || m_waitingForLogin)
        return;
    m_busy = true;
    SyncReport r = syncOnce();
    if (!r.error.isEmpty() && m_db) {
        r.error = m_db->describe(r.error);
        m_lastError = r.error;
    }
    if (!r.changed.isEmpty())
        emit casesChanged(r.changed);
    emit statusChanged(status());
    if (r.unauthorized) {
        // Nothing more is sent until the user signs in again (resume()); the outbox stays.
        m_waitingForLogin = true;
        m_busy = false;
        emit sessionExpired(r.expiredUser);
        if (m_stopping) {
            m_running = false;
            emit stopped();
        }
        return;
    }
    if (r.reachable && r.error.isEmpty() && !m_stopping) {
        m_failures = 0;
        // Idle: wait on the feed so other consoles' changes arrive within a second.
        if (m_store->pending(1).isEmpty()) {
            SyncReport polled;
            m_polling = true;
            const bool pulled = pull(&polled, m_longPoll);
            m_polling = false;
            if (pulled) {
                if (!polled.changed.isEmpty()) {
                    emit casesChanged(polled.changed);
                    emit statusChanged(status());
                }
            } else if (polled.unauthorized) {
                m_lastError = polled.error;
                m_waitingForLogin = true;
                emit statusChanged(status());
                emit sessionExpired(polled.expiredUser);
            }
        }
        m_busy = false;
        if (!m_stopping && !m_waitingForLogin)
            m_timer->start(0);
    } else {
        m_busy = false;
        if (!m_stopping) {
            // Exponential back-off with jitter while unreachable (or signed out).
            const int base = std::min(kBackoffCapMs, 500 << std::min(m_failures, 10));
            ++m_failures;
            const int delay =
                base / 2 + int(QRandomGenerator::global()->bounded(std::max(1, base / 2)));
            m_timer->start(delay);
        }
    }
    if (m_stopping) {
        m_running = false;
        emit stopped();
    }
}

} // namespace cityops
