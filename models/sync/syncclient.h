#pragma once

#include "sync/protocol.h"

#include <QCoreApplication>
#include <QObject>
#include <QPointer>
#include <QUrl>

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
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    QUrl base() const { return m_base; }

    Reply<SessionInfo> login(const QString &user, const QString &password);
    Reply<QList<CommandResult>> push(const QList<ClientCommand> &commands);
    Reply<ChangesPage> changes(qint64 since, int limit, int waitSeconds = 0);
    Reply<SnapshotPage> snapshot(qint64 after, int limit);
    /** The district's reference data (GET /api/v1/reference), as the platform wrote it. */
    Reply<QByteArray> reference();
    /** Uploads a file named by its SHA-256 in resumable chunks; nothing when done. */
    std::optional<SyncFailure> upload(const QString &sha256, const QString &path);
    /** Ends the call in flight (as Unreachable). */
    void abort();

private:
    struct Raw
    {
        int status = 0;
        QByteArray body;
        std::optional<SyncFailure> failure;
    };
    Raw request(const QByteArray &method, const QString &path, const QString &query,
                const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers,
                int timeoutMs);

    QUrl m_base;
    QByteArray m_token;
    int m_timeoutMs = 15000;
    QNetworkAccessManager *m_nam;
    QPointer<QNetworkReply> m_current;
};

} // namespace cityops::sync
