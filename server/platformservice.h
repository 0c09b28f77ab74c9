#pragma once

#include "httptypes.h"
#include "storage/platformstore.h"
#include "sync/protocol.h"
#include "util/result.h"
#include "workflow/workflow.h"

#include <QCoreApplication>
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
        // [options: security log]
        // [options: uploads]
        // [options: Open311 and report sources]
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
    };
    /** A decoded command batch waiting for the next group commit. */
    struct QueuedBatch
    {
        Account user;
        QList<sync::ClientCommand> commands;
        HttpReply reply;
    };

    explicit PlatformService(const Options &options);
    void addRoutes();
    qint64 now() const;

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
    void putAttachment(const HttpRequest &request, const QString &sha, HttpReply reply);
    void getAttachment(const HttpRequest &request, const QString &sha, HttpReply reply);

    /**
     * Decides one command inside the caller's transaction. `failed` is set (and the caller must
     * roll the batch back) when the store itself failed.
     */
    sync::CommandResult execute(const sync::ClientCommand &command, const Account &user,
                                bool *failed);
    void answerWaiters();
    void answer(quint64 waiter);
    QString uploadPath(const QString &sha) const;

    friend class Open311;

    Options m_options;
    std::unique_ptr<PlatformStore> m_store;
    std::unique_ptr<Workflow> m_workflow;
    std::unique_ptr<CaseRepository> m_repository;
    std::unique_ptr<EvidenceStore> m_evidence;
    std::unique_ptr<Open311> m_open311;
    QList<Route> m_routes;
    std::map<quint64, Waiter> m_waiters;
    quint64 m_nextWaiter = 1;
    QList<QueuedBatch> m_queued;
    /** The encoded reference data and its ETag, read again when another connection commits. */
    struct
    {
        QByteArray body;
        QByteArray etag;
        qint64 dataVersion = -1;
    } m_reference;
};

/** {"error": {"code", "message"}} with a status. */
HttpResponse errorResponse(int status, const QString &code, const QString &message);

} // namespace cityops::platform
