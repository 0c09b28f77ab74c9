#pragma once

#include "httptypes.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
QT_END_NAMESPACE

namespace cityops::platform {

struct ConnectionBook;

/**
 * The only user of QtHttpServer (a technology preview in Qt 6.4): listens, turns each request
 * into a plain HttpRequest for one handler, and writes the handler's HttpResponse back, now or
 * later. It registers a single catch-all handler, so routing stays in plain, testable code.
 *
 * QtHttpServer 6.4 trusts its client: it holds any body in memory, reads folded header lines into
 * the previous header, never times a connection out and takes any number of connections. So a
 * guard on each connection reads every byte before QtHttpServer does (incrementally: the same
 * verdict whether a request comes in one write or one byte at a time), and refuses, answering
 * and closing the connection:
 * - a head over 64 KiB, counted over all reads (431); obsolete line folding, a bare CR or LF,
 *   a malformed request line or header name, a duplicated or non-numeric Content-Length, and
 *   Content-Length with Transfer-Encoding (400); chunked bodies (411); bodies over
 *   `maxBodyBytes` (413);
 * - a head not complete `headerTimeoutSeconds` after the connection opened (or, on a kept-alive
 *   connection, after its first byte), a body slower than `bodyTimeoutSeconds` plus one second
 *   per 8 KiB (408); a kept-alive connection idle for `idleTimeoutSeconds` is closed silently.
 *   The clock only runs while the client owes bytes: never while an answer (a long-poll) is due;
 * - connections over `maxConnections` in all or `maxConnectionsPerAddress` from one address
 *   (503 and closed at once; a `sharedAddress`, a trusted proxy, has only the global cap);
 * - a body over 64 KiB while the bodies being buffered already hold `bodyBudgetBytes` (503 with
 *   Retry-After). A body's bytes count until QtHttpServer lets go of them: until the next
 *   request on the connection starts, or the connection closes (after answering a request with
 *   a body over 64 KiB the connection is closed, so that memory is freed at once).
 * Each refusal is reported once per connection to the refusal log ("http.refused",
 * "http.timeout", "http.limit"); the log does its own flood control.
 *
 * TLS: with a certificate and key every connection is a QSslSocket set up here (QHttpServer 6.4's
 * own sslSetup() is not used, so the guard sees the decrypted stream), with Mozilla's
 * "intermediate" profile: TLS 1.2 or later, ECDHE key exchange with AEAD ciphers only. Every
 * answer over TLS carries Strict-Transport-Security.
 *
 * Threading: lives on the thread that runs the event loop; the handler is called there, and a
 * reply must be sent from there too.
 */
class HttpAdapter : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(const HttpRequest &, HttpReply)>;

    struct Tls
    {
        QString certificateFile; ///< PEM
        QString keyFile;         ///< PEM, RSA or EC, unencrypted
    };

    /** Limits on what clients may hold (the defaults suit a district platform on its own). */
    struct Limits
    {
        int headerTimeoutSeconds = 30;
        int bodyTimeoutSeconds = 60;
        int idleTimeoutSeconds = 60;
        int maxConnections = 512;
        int maxConnectionsPerAddress = 64;
        qint64 bodyBudgetBytes = 32LL * 1024 * 1024;
        /** Addresses the per-address cap does not apply to: trusted reverse proxies, whose
         *  clients all share the proxy's address (the proxy limits each client itself). */
        std::function<bool(const QHostAddress &)> sharedAddress;
    };
    /** Where refusals go: the client's address, a kind ("http.refused", …) and what happened. */
    using RefusalLog = std::function<void(const QHostAddress &address, const QString &kind,
                                          const QString &detail)>;

    HttpAdapter(Handler handler, qint64 maxBodyBytes, QObject *parent = nullptr);
    ~HttpAdapter() override;

    /** Starts listening; returns the port (the real one when `port` is 0). */
    Result<quint16> listen(const QHostAddress &address, quint16 port,
                           const std::optional<Tls> &tls = std::nullopt);
    /** Whether this Qt can serve TLS (an SSL backend is available). */
    static bool tlsAvailable();
    /** Sets the limits for connections accepted after this call (call before listen()). */
    void setLimits(const Limits &limits);
    void setRefusalLog(RefusalLog log);
    /** The TLS cipher suites offered (OpenSSL names), in order of preference. */
    static QStringList tlsCipherNames();

private:
    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    Handler m_handler;
    qint64 m_maxBodyBytes;
    std::shared_ptr<ConnectionBook> m_book;
    std::unique_ptr<QHttpServer> m_server;
};

} // namespace cityops::platform
