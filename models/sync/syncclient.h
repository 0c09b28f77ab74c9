#pragma once

#include "sync/protocol.h"
#include "sync/securitylog.h"

#include <QCoreApplication>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <variant>

class QNetworkAccessManager;
class QNetworkReply;

namespace cityops::sync {

/** Why a request to the platform did not get a usable answer. */
struct SyncFailure
{
    enum Kind
    {
        Unreachable,  ///< no connection, timeout or aborted: try again later
        Unauthorized, ///< 401: sign in (again)
        Refused,      ///< another 4xx/5xx answer with the platform's message
        Protocol      ///< an answer this client cannot read
    } kind = Unreachable;
    int status = 0;
    QString code;
    QString message;
};

template <typename T> using Reply = std::variant<T, SyncFailure>;

/**
 * HTTP client of the platform's /api/v1 routes. Each call blocks in a local event loop until its
 * answer (or a timeout), which keeps the sync engine a plain sequence of steps.
 *
 * Threading: lives on and is used from one thread (the CLI's main thread or the sync engine's
 * worker); abort() may be called from that thread while a call waits (e.g. from a queued slot).
 */
class SyncClient : public QObject
{
    Q_OBJECT
public:
    explicit SyncClient(QUrl base, QObject *parent = nullptr);
    ~SyncClient() override;

    void setToken(const QByteArray &token) { m_token = token; }
    QByteArray token() const { return m_token; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    QUrl base() const { return m_base; }

    Reply<SessionInfo> login(const QString &user, const QString &password);
    Reply<QList<CommandResult>> push(const QList<ClientCommand> &commands);
    Reply<ChangesPage> changes(qint64 since, int limit, int waitSeconds = 0);
    Reply<SnapshotPage> snapshot(qint64 after, int limit);
    /**
     * The snapshot's pages from `after` on, in order, each handed to `deliver`, which returns
     * false to stop. When a page names the next one (kSnapshotNextHeader) that page is requested
     * before this one is decoded, so the platform writes page N+1 while this thread decodes page
     * N. Ends after the last page, after a failure (delivered too), or when `deliver` says stop.
     */
    void snapshotPages(qint64 after, int limit,
                       const std::function<bool(Reply<SnapshotPage> &&)> &deliver);
    /** The district's reference data; nothing when it is still `knownVersion`. */
    Reply<std::optional<ReferenceData>> reference(const QString &knownVersion);
    /** Uploads a file named by its SHA-256 in resumable chunks; nothing when done. */
    std::optional<SyncFailure> upload(const QString &sha256, const QString &path);
    /** A page of the platform's security log (auditors only; others get Refused, 403). */
    Reply<SecurityLogPage> securityLog(const SecurityLogQuery &query);
    /** Ends the calls in flight (as Unreachable). */
    void abort();

private:
    struct Raw
    {
        int status = 0;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        std::optional<SyncFailure> failure;
        /** The first header of that name (any case), or empty. */
        QByteArray header(QByteArrayView name) const
        {
            for (const auto &[n, value] : headers)
                if (name.compare(n, Qt::CaseInsensitive) == 0)
                    return value;
            return {};
        }
    };
    Raw request(const QByteArray &method, const QString &path, const QString &query,
                const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers,
                int timeoutMs);
    /** Sends a request; await() waits for its answer. */
    QNetworkReply *send(const QByteArray &method, const QString &path, const QString &query,
                        const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers,
                        int timeoutMs);
    Raw await(QNetworkReply *reply, int timeoutMs);
    QNetworkReply *sendSnapshot(qint64 after, int limit);

    QUrl m_base;
    QByteArray m_token;
    int m_timeoutMs = 15000;
    QNetworkAccessManager *m_nam;
    QPointer<QNetworkReply> m_current;
    QPointer<QNetworkReply> m_ahead; ///< a snapshot page asked for before it is awaited
};

} // namespace cityops::sync
