#pragma once

#include "httptypes.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
QT_END_NAMESPACE

namespace cityops::platform {

/**
 * The only user of QtHttpServer (a technology preview in Qt 6.4): listens, turns each request
 * into a plain HttpRequest for one handler, and writes the handler's HttpResponse back, now or
 * later. It registers a single catch-all handler, so routing stays in plain, testable code.
 *
 * Before QtHttpServer buffers a request, a guard on each connection reads the request head and
 * refuses bodies over `maxBodyBytes` (413), heads over 64 KiB (431) and chunked bodies (411), then
 * closes that connection: QtHttpServer 6.4 would otherwise hold any body in memory.
 *
 * TLS: with a certificate and key every connection is a QSslSocket set up here (QHttpServer 6.4's
 * own sslSetup() is not used, so the guard sees the decrypted stream).
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

    HttpAdapter(Handler handler, qint64 maxBodyBytes, QObject *parent = nullptr);
    ~HttpAdapter() override;

    /** Starts listening; returns the port (the real one when `port` is 0). */
    Result<quint16> listen(const QHostAddress &address, quint16 port,
                           const std::optional<Tls> &tls = std::nullopt);
    /** Whether this Qt can serve TLS (an SSL backend is available). */
    static bool tlsAvailable();

private:
    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    Handler m_handler;
    qint64 m_maxBodyBytes;
    std::unique_ptr<QHttpServer> m_server;
};

} // namespace cityops::platform
