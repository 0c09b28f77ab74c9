#include "httpadapter.h"

#include "sync/protocol.h"

#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace cityops::platform {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(HttpAdapter)
};

constexpr qsizetype kMaxHeadBytes = 64 * 1024;
/** How much of a refused body is read and dropped before the connection is closed anyway. */
constexpr qint64 kMaxDrainBytes = 256LL * 1024 * 1024;

QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

/**
 * Follows the request heads on one connection, looking at each byte once (peek, before
 * QtHttpServer reads them), and refuses a request whose body would be too large.
 */
class RequestGuard : public QObject
{
public:
    RequestGuard(QTcpSocket *socket, qint64 maxBody)
        : QObject(socket), m_socket(socket), m_max(maxBody)
    {
        connect(socket, &QTcpSocket::readyRead, this, &RequestGuard::inspect);
    }

private:
    void inspect()
    {
        if (m_refused)
            return;
        const QByteArray data = m_socket->peek(m_socket->bytesAvailable());
        qsizetype pos = 0;
        while (pos < data.size()) {
            if (m_bodyLeft > 0) {
                const qint64 n = std::min<qint64>(m_bodyLeft, data.size() - pos);
                m_bodyLeft -= n;
                pos += n;
                continue;
            }
            const qsizetype before = m_head.size();
            m_head.append(data.constData() + pos, data.size() - pos);
            const qsizetype end = m_head.indexOf("\r\n\r\n");
            if (end < 0) {
                if (m_head.size() > kMaxHeadBytes)
                    return refuse(
                        431, "head-too-large",
                        Tr::tr("The request head is larger than %1 bytes.").arg(kMaxHeadBytes));
                return;
            }
            const QByteArray head = m_head.left(end);
            pos += end + 4 - before;
            m_head.clear();
            qint64 length = 0;
            for (const QByteArray &line : head.split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon < 0)
                    continue;
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                if (name == "content-length") {
                    bool ok = false;
                    length = value.toLongLong(&ok);
                    if (!ok || length < 0)
                        return refuse(400, "bad-request",
                                      Tr::tr("Content-Length is not a number."));
                } else if (name == "transfer-encoding" && value.toLower() != "identity") {
                    return refuse(411, "length-required",
                                  Tr::tr("Send the body with a Content-Length, not chunked."));
                }
            }
            if (length > m_max)
                return refuse(413, "too-large",
                              Tr::tr("The body is larger than %1 bytes; send attachments in "
                                     "chunks with Content-Range.")
                                  .arg(m_max),
                              std::min<qint64>(length - (data.size() - pos), kMaxDrainBytes));
            m_bodyLeft = length;
        }
    }

    /**
     * Answers and takes the connection away from QtHttpServer (it would buffer the body). With a
     * known body length the rest of the body is read and dropped before closing, because closing
     * on unread data resets the connection and the client would lose the answer.
     */
    void refuse(int status, const char *code, const QString &message, qint64 drain = 0)
    {
        m_refused = true;
        disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
        m_drainLeft = drain;
        m_socket->readAll();
        const QByteArray body = sync::encodeError({QString::fromLatin1(code), message});
        m_socket->write("HTTP/1.1 " + QByteArray::number(status) +
                        " Refused\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        "Content-Length: " +
                        QByteArray::number(body.size()) + "\r\n\r\n" + body);
        connect(m_socket, &QTcpSocket::readyRead, this, [this] {
            m_drainLeft -= m_socket->readAll().size();
            closeWhenDone();
        });
        connect(m_socket, &QTcpSocket::bytesWritten, this, &RequestGuard::closeWhenDone);
        QPointer<QTcpSocket> socket = m_socket;
        QTimer::singleShot(30000, m_socket, [socket] {
            if (socket)
                socket->abort();
        });
        closeWhenDone();
    }

    void closeWhenDone()
    {
        if (m_drainLeft <= 0 && m_socket->bytesToWrite() == 0)
            m_socket->disconnectFromHost();
    }

    QTcpSocket *m_socket;
    qint64 m_max;
    QByteArray m_head;
    qint64 m_bodyLeft = 0;
    qint64 m_drainLeft = 0;
    bool m_refused = false;
};

} // namespace

/** Accepts connections (optionally TLS) and puts a RequestGuard on each before QHttpServer. */
class GuardedTcpServer : public QTcpServer
{
public:
    GuardedTcpServer(qint64 maxBody, std::optional<QSslConfiguration> tls)
        : m_maxBody(maxBody), m_tls(std::move(tls))
    {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        QTcpSocket *socket = nullptr;
        if (m_tls) {
            auto *ssl = new QSslSocket(this);
            ssl->setSslConfiguration(*m_tls);
            socket = ssl;
        } else {
            socket = new QTcpSocket(this);
        }
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        new RequestGuard(socket, m_maxBody);
        if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
            connect(ssl, &QSslSocket::sslErrors, ssl, [ssl] { ssl->abort(); });
            ssl->startServerEncryption();
        }
        addPendingConnection(socket);
    }

private:
    qint64 m_maxBody;
    std::optional<QSslConfiguration> m_tls;
};

HttpAdapter::HttpAdapter(Handler handler, qint64 maxBodyBytes, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_maxBodyBytes(maxBodyBytes),
      m_server(std::make_unique<QHttpServer>())
{
    m_server->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            dispatch(request, std::move(responder));
        });
}

HttpAdapter::~HttpAdapter() = default;

bool HttpAdapter::tlsAvailable()
{
    return QSslSocket::supportsSsl();
}

Result<quint16> HttpAdapter::listen(const QHostAddress &address, quint16 port,
                                    const std::optional<Tls> &tls)
{
    std::optional<QSslConfiguration> config;
    if (tls) {
        if (!tlsAvailable())
            return Error{Tr::tr("This Qt has no TLS backend; --tls-cert and --tls-key cannot be "
                                "used.")};
        QFile certFile(tls->certificateFile);
        if (!certFile.open(QIODevice::ReadOnly))
            return Error{Tr::tr("Cannot read the certificate %1: %2")
                             .arg(tls->certificateFile, certFile.errorString())};
        const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll());
        if (chain.isEmpty())
            return Error{Tr::tr("%1 holds no PEM certificate.").arg(tls->certificateFile)};
        QFile keyFile(tls->keyFile);
        if (!keyFile.open(QIODevice::ReadOnly))
            return Error{
                Tr::tr("Cannot read the key %1: %2").arg(tls->keyFile, keyFile.errorString())};
        const QByteArray pem = keyFile.readAll();
        QSslKey key(pem, QSsl::Rsa);
        if (key.isNull())
            key = QSslKey(pem, QSsl::Ec);
        if (key.isNull())
            return Error{
                Tr::tr("%1 holds no unencrypted PEM RSA or EC private key.").arg(tls->keyFile)};
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setLocalCertificateChain(chain);
        c.setPrivateKey(key);
        c.setPeerVerifyMode(QSslSocket::VerifyNone);
        c.setProtocol(QSsl::TlsV1_2OrLater);
        config = c;
    }
    auto *tcp = new GuardedTcpServer(m_maxBodyBytes, config);
    if (!tcp->listen(address, port)) {
        const QString why = tcp->errorString();
        delete tcp;
        return Error{
            Tr::tr("Cannot listen on %1 port %2: %3").arg(address.toString()).arg(port).arg(why)};
    }
    m_server->bind(tcp); // takes ownership
    return tcp->serverPort();
}

void HttpAdapter::dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    HttpRequest r;
    r.method = methodName(request.method());
    const QUrl url = request.url();
    r.path = url.path(QUrl::FullyDecoded);
    r.rawPath = url.path(QUrl::FullyEncoded).toUtf8();
    r.query = request.query();
    r.headers = request.headers();
    r.body = request.body();
    r.remote = request.remoteAddress();

    QPointer<QTcpSocket> socket = responder.socket();
    auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
    const bool head = r.method == "HEAD";
    HttpReply reply(
        [held, socket, head](HttpResponse response) {
            if (!socket || socket->state() != QAbstractSocket::ConnectedState)
                return;
            QHttpServerResponse out(response.contentType, head ? QByteArray() : response.body,
                                    QHttpServerResponse::StatusCode(response.status));
            for (const auto &h : response.headers)
                out.addHeader(h.first, h.second);
            out.write(std::move(*held));
        },
        [socket] { return socket && socket->state() == QAbstractSocket::ConnectedState; });
    m_handler(r, reply);
}

} // namespace cityops::platform
