#pragma once

#include "httptypes.h"
#include "storage/platformstore.h"
#include "sync/protocol.h"
#include "trustedproxies.h"
#include "uploads.h"
#include "util/result.h"
#include "workflow/workflow.h"

#include <QCoreApplication>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QRegularExpression>

#include <functional>
#include <map>
#include <memory>

namespace cityops {
class CaseRepository;
class EvidenceStore;
} // namespace cityops

namespace cityops::platform {

class DistrictArea;
class Open311;

/**
 * The district platform's request handling, independent of any HTTP server: routes /api/v1 and
 * /open311/v2 requests to handlers, authenticates bearer tokens, runs every command through the
 * shared Workflow and CaseRepository authoritatively (each command atomic with its
 * applied_commands and changes rows), serves the snapshot and the change feed (long-poll), and
 * stores attachments by content.
 *
 * Threading: everything runs on the thread of the event loop, which owns the one SQLite
 * connection, so requests are decided one after another in arrival order. Command batches that
 * arrive together are decided together (group commit): each batch in its own savepoint, all in
 * one transaction with one fsync, and every batch is answered only after that commit. Password
 * hashing (~0.1 s) runs on the global thread pool and continues on this thread; long-polls are
 * parked replies answered from commandsApplied() or their timer.
 */
class PlatformService : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString dataDir;
        qint64 sessionSeconds = 12 * 3600; ///< bearer token lifetime (--token-ttl)
        int throttleFailures = 5;
        qint64 throttleWindowMs = 15 * 60 * 1000;
        /** api_key values accepted for Open311 POSTs from other hosts (loopback needs none). */
        QStringList open311Keys;
        /** The clock (UTC ms); tests may replace it. Never used to order anything. */
        std::function<qint64()> clock;
        // [options: sign-in and trusted proxies]
        /** Per user: after throttleFailures failures within throttleUserWindowMs, each further
         *  attempt waits throttleDelayMs, doubling per failure, at most throttleMaxDelayMs. */
        qint64 throttleUserWindowMs = 24 * 3600 * 1000;
        qint64 throttleDelayMs = 1000;
        qint64 throttleMaxDelayMs = 5 * 60 * 1000;
        /** Per client address: a hard window of throttleWindowMs after this many failures. */
        int throttleAddressFailures = 20;
        /** Sign-ins being hashed at once, per user name, per address and in all. */
        int hashingPerUser = 2;
        int hashingPerAddress = 4;
        int hashingTotal = 16;
        /** Proxies whose X-Forwarded-For is believed (--trusted-proxy). */
        TrustedProxies trustedProxies;
        // [options: security log]
        /** Days security log lines are kept (--security-log-days); older ones are purged. */
        int securityLogDays = 180;
        // [options: uploads]
        /** Upload expiry and per-user quota (--upload-expiry, --upload-quota, …). */
        UploadLimits uploads;
        // [options: Open311 and report sources]
        /** Open311 POSTs a minute: per client address without a valid api_key, and per api_key
         *  (--open311-address-rate, --open311-key-rate); bursts up to the same number. */
        int open311AddressPerMinute = 10;
        int open311KeyPerMinute = 120;
        /** How far outside the district's streets a report may lie (--report-area-margin). */
        double reportAreaMarginMetres = 500;
    };

    static Result<std::unique_ptr<PlatformService>> open(const Options &options);
    ~PlatformService() override;

    /** Handles one request; `reply` is called once, now or later. */
    void handle(const HttpRequest &request, HttpReply reply);

    PlatformStore &store() { return *m_store; }

    /**
     * Appends one line to the security log: a refusal or a sign-in. `kind` is a dotted name
     * ("signin.failed", "signin.ok", "signin.throttled", "command.refused", "upload.refused",
     * "request.invalid", "http.refused", "open311.limited", …), `user` the account concerned
     * (empty when unknown) and `detail` says what was refused and why. Never fails the caller.
     */
    void securityEvent(const QString &kind, const QString &user, const QHostAddress &address,
                       const QString &detail);
    /**
     * The client's address: the peer, or the address a trusted proxy (--trusted-proxy) reports in
     * X-Forwarded-For. Everything keyed by address (throttles, rate limits, the log) uses this.
     */
    QHostAddress clientAddress(const HttpRequest &request) const;
    /** Long-polls waiting for a change. */
    int waitingPolls() const { return int(m_waiters.size()); }

signals:
    /** A batch committed applied commands; `seq` is the newest change. */
    void commandsApplied(qint64 seq);

private:
    struct Route
    {
        QByteArray method;
        QRegularExpression pattern;
        bool open311 = false;
        std::function<void(const HttpRequest &, const QRegularExpressionMatch &, HttpReply)> run;
    };
    struct Waiter
    {
        qint64 since = 0;
        int limit = 0;
        HttpReply reply;
        ResolvedScope scope;
        QString username;
        Role role = Role::Auditor; ///< personal data as this role may see it
    };
    /**
     * The account's scope resolved against the reference data (cached until the account's
     * scope or the store's data version changes); an error names what is wrong with it.
     */
    Result<ResolvedScope> scopeOf(const Account &account);
    /** scopeOf, or a 403 answered and logged. */
    std::optional<ResolvedScope> scopeOrRefuse(const Account &account, const HttpRequest &request,
                                               const HttpReply &reply);
    struct CachedScope
    {
        QString key;
        qint64 dataVersion = -1;
        ResolvedScope scope;
    };
    QHash<QString, CachedScope> m_scopes;
    /** A decoded command batch waiting for the next group commit. */
    struct QueuedBatch
    {
        Account user;
        QList<sync::ClientCommand> commands;
        HttpReply reply;
        QHostAddress address; ///< the client's, for the security log
    };

    explicit PlatformService(const Options &options);
    void addRoutes();
    qint64 now() const;
    /** How long sign-in failures count for (the longer of the user and address windows). */
    qint64 failuresKeptMs() const;

    /** The account of a valid bearer token, or an answered 401. */
    std::optional<Account> authenticate(const HttpRequest &request, const HttpReply &reply);

    void health(const HttpRequest &, HttpReply reply);
    void login(const HttpRequest &request, HttpReply reply);
    void logout(const HttpRequest &request, HttpReply reply);
    void snapshot(const HttpRequest &request, HttpReply reply);
    void reference(const HttpRequest &request, HttpReply reply);
    void changes(const HttpRequest &request, HttpReply reply);
    void commands(const HttpRequest &request, HttpReply reply);
    /** Decides every queued batch in one transaction, then answers them all. */
    void decideQueued();
    /** Logs a decided batch's commands refused for authorization (role, actor, scope). */
    void logRefusedCommands(const QueuedBatch &batch, const QList<sync::CommandResult> &results);
    void putAttachment(const HttpRequest &request, const QString &sha, HttpReply reply);
    void getAttachment(const HttpRequest &request, const QString &sha, HttpReply reply);
    /** GET /api/v1/cases/ID/personal-data?reason=TEXT: a case's masked data in full, logged. */
    void personalData(const HttpRequest &request, CaseId id, HttpReply reply);
    /** GET /api/v1/security-log and …/verify: auditors only (securitylog.cpp). */
    void securityLog(const HttpRequest &request, HttpReply reply);
    void securityLogVerify(const HttpRequest &request, HttpReply reply);
    /** The signed-in auditor, or an answered (and logged) 401/403. */
    std::optional<Account> authenticateAuditor(const HttpRequest &request, const HttpReply &reply);
    /** Purges security log lines older than the retention now and then (securitylog.cpp). */
    void startSecurityLog();

    /**
     * Decides one command inside the caller's transaction. `failed` is set (and the caller must
     * roll the batch back) when the store itself failed.
     */
    /** How a command came in: a report's channel-bound source is the channel's, never a client's.
     */
    enum class Channel
    {
        Commands, ///< POST /api/v1/commands: a signed-in console, field app or CLI
        Open311   ///< the Open311 gateway (source open311, device open311-gateway)
    };
    sync::CommandResult execute(const sync::ClientCommand &command, const Account &user,
                                bool *failed, Channel channel = Channel::Commands);
    /** The district's area and channel devices, rebuilt when the reference data changes. */
    const DistrictArea &district();
    void answerWaiters();
    void answer(quint64 waiter);

    friend class Open311;

    Options m_options;
    std::unique_ptr<PlatformStore> m_store;
    std::unique_ptr<Workflow> m_workflow;
    std::unique_ptr<CaseRepository> m_repository;
    std::unique_ptr<EvidenceStore> m_evidence;
    Uploads *m_uploads = nullptr; ///< a child: unfinished uploads and their sweeper
    std::unique_ptr<Open311> m_open311;
    QList<Route> m_routes;
    std::map<quint64, Waiter> m_waiters;
    quint64 m_nextWaiter = 1;
    QList<QueuedBatch> m_queued;
    /** Sign-ins reserved and being hashed (the event loop's thread only): each counts as a
     *  failure until its answer is known, so parallel attempts cannot outrun the throttle. */
    struct
    {
        QHash<QString, int> byUser;
        QHash<QString, int> byAddress;
        int total = 0;
    } m_hashing;
    /** Reference data encoded for one scope (PlatformStore::scopedReference), with its ETag. */
    struct ScopedReference
    {
        QByteArray body;
        QByteArray etag;
    };
    /**
     * The district's reference data and what each scope receives of it, keyed "district" or by
     * the account's scope, person and name; all read again when another connection commits
     * (data_version), and forgotten when there are too many.
     */
    struct
    {
        qint64 dataVersion = -1;
        std::optional<sync::ReferenceData> district;
        QHash<QString, ScopedReference> byScope;
    } m_reference;
    /** The district area reports are checked against, and the data_version it was read at. */
    std::shared_ptr<const DistrictArea> m_district;
    qint64 m_districtVersion = -1;
    /** The security log's coalescing and rate limits (securitylog.cpp). */
    struct SecurityLogState;
    std::shared_ptr<SecurityLogState> m_securityLog;
};

/** {"error": {"code", "message"}} with a status. */
HttpResponse errorResponse(int status, const QString &code, const QString &message);

} // namespace cityops::platform
