#include "httpadapter.h"

#include "sync/protocol.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QMetaMethod>
#include <QPointer>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <climits>
#include <cstring>
#include <utility>

namespace cityops::platform {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(HttpAdapter)
};

constexpr qsizetype kMaxHeadBytes = 64 * 1024;
/** How much of a refused body is read and dropped before the connection is closed anyway. */
constexpr qint64 kMaxDrainBytes = 256LL * 1024 * 1024;
/** How long a refused connection may take to take its answer (and send its body) before abort. */
constexpr int kDrainMs = 30000;
/** Bodies up to this size are let in even when the body budget is spent: sign-ins, commands. */
constexpr qint64 kSmallBodyBytes = 64 * 1024;
/** The slowest body accepted: the body timeout grows by one second per this many bytes. */
constexpr qint64 kMinBodyBytesPerSecond = 8 * 1024;
constexpr int kRetryAfterSeconds = 5;
const QByteArray kHsts = "max-age=31536000";

/** Mozilla's "intermediate" profile: TLS 1.3 suites, then TLS 1.2 ECDHE with AEAD ciphers. */
constexpr const char *kTlsCiphers[] = {
    "TLS_AES_128_GCM_SHA256",       "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",  "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",  "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
};

QList<QSslCipher> tlsCiphers()
{
    QList<QSslCipher> ciphers;
    for (const char *name : kTlsCiphers) {
        const QSslCipher c(QString::fromLatin1(name));
        if (!c.isNull())
            ciphers << c;
    }
    return ciphers;
}

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

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Refused";
    }
}

/** A token (RFC 9110 §5.6.2): header names and methods. */
bool isToken(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
        if (!ok || c == '\0')
            return false;
    }
    return true;
}

/** A request target as sent: printable ASCII without spaces (clients percent-encode the rest). */
bool isTarget(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return false;
    }
    return true;
}

/** IPv4 peers reached through an IPv6 socket count as the IPv4 address. */
QHostAddress normalized(const QHostAddress &a)
{
    bool v4 = false;
    const quint32 ip = a.toIPv4Address(&v4);
    return v4 ? QHostAddress(ip) : a;
}

QByteArray refusalBytes(int status, const QByteArray &body, bool tls, bool retryAfter)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                     "\r\nContent-Type: application/json\r\nConnection: close\r\n";
    if (retryAfter)
        out += "Retry-After: " + QByteArray::number(kRetryAfterSeconds) + "\r\n";
    if (tls)
        out += "Strict-Transport-Security: " + kHsts + "\r\n";
    return out + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

/**
 * Encrypts what was just written at once. QSslSocket (Qt 6.4) defers that to a queued call, and
 * when the peer's close arrives before it runs, the queued call uses the freed TLS session and
 * crashes the process (seen with a client that closes right after its request).
 */
void flushTls(QTcpSocket *socket)
{
    if (qobject_cast<QSslSocket *>(socket) && socket->state() == QAbstractSocket::ConnectedState)
        socket->flush();
}

/**
 * A socket that tells when everything was disconnected from it: QtHttpServer 6.4 does that
 * (QObject::disconnect()) when its parser gives up on a request, and leaves the connection open.
 */
template <class Base> class GuardedSocket : public Base
{
public:
    explicit GuardedSocket(QObject *parent) : Base(parent) {}
    std::function<void()> onAbandoned;

protected:
    void disconnectNotify(const QMetaMethod &signal) override
    {
        Base::disconnectNotify(signal);
        if (!signal.isValid() && onAbandoned)
            onAbandoned();
    }
};

} // namespace

class RequestGuard;

/** What all connections of one adapter share: limits, counts, the body budget, the log. */
struct ConnectionBook
{
    HttpAdapter::Limits limits;
    HttpAdapter::RefusalLog log;
    int connections = 0;
    QHash<QHostAddress, int> perAddress;
    qint64 bodyBytes = 0; ///< declared bytes of the bodies QtHttpServer may be holding
    QHash<const QTcpSocket *, RequestGuard *> guards;

    /**
     * One line to the refusal log. Flood control is the log's (the security log coalesces and
     * budgets lines per address), so every refusal is reported here.
     */
    void refusal(const QHostAddress &address, const QString &kind, const QString &detail)
    {
        if (log)
            log(address, kind, detail);
    }
};

/**
 * Follows the requests on one connection, looking at each byte once (peek, before QtHttpServer
 * reads them), refuses what QtHttpServer must not see, and times the client out when it owes
 * bytes for too long. Lives as long as its socket (its child).
 */
class RequestGuard : public QObject
{
public:
    RequestGuard(QTcpSocket *socket, const QHostAddress &peer, std::shared_ptr<ConnectionBook> book,
                 qint64 maxBody)
        : QObject(socket), m_socket(socket), m_peer(peer), m_book(std::move(book)), m_max(maxBody),
          m_tls(qobject_cast<QSslSocket *>(socket) != nullptr)
    {
        m_clock.start();
        ++m_book->connections;
        ++m_book->perAddress[m_peer];
        m_book->guards.insert(m_socket, this);
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &RequestGuard::timedOut);
        connect(socket, &QTcpSocket::readyRead, this, &RequestGuard::inspect);
        armTimer();
    }

    ~RequestGuard() override
    {
        releaseBody();
        m_book->guards.remove(m_socket);
        --m_book->connections;
        if (auto it = m_book->perAddress.find(m_peer); it != m_book->perAddress.end() && --*it <= 0)
            m_book->perAddress.erase(it);
    }

    /** The handler got a request: no clock runs for the client while its answer is due. */
    void answerDue()
    {
        ++m_due;
        armTimer();
    }

    /** An answer was written (or will never be). */
    void answerSent()
    {
        if (m_due > 0)
            --m_due;
        m_idleSinceMs = m_clock.elapsed();
        if (m_closeAfterAnswer && m_due == 0 && m_state != State::Refused) {
            // QtHttpServer keeps the last body until the next request: free it now.
            m_state = State::Refused;
            m_timer.stop();
            disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
            m_socket->disconnectFromHost();
            return;
        }
        armTimer();
    }

    bool closeAfterAnswer() const { return m_closeAfterAnswer; }

    /** QtHttpServer gave up on the stream (its parser failed) and left the connection open. */
    void abandoned()
    {
        if (m_state == State::Refused)
            return;
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (m_state != State::Refused)
                    refuse(400, "bad-request", "http.refused",
                           Tr::tr("The request could not be parsed."));
            },
            Qt::QueuedConnection);
    }

private:
    enum class State
    {
        RequestLine,
        Headers,
        Body,
        Refused
    };

    void inspect()
    {
        if (m_state == State::Refused)
            return;
        // QtHttpServer 6.4 reads inside a transaction that keeps every byte of a request (the
        // whole body) until the request is complete; it never rolls back, so drop what it read.
        if (m_socket->isTransactionStarted())
            m_socket->commitTransaction();
        // Within a body the bytes are only counted, never copied (QtHttpServer reads them): a
        // peek of all that arrived would copy up to a whole body per read, per connection.
        if (m_state == State::Body) {
            const qint64 available = m_socket->bytesAvailable();
            if (available <= m_bodyLeft) {
                m_bodyLeft -= available;
                m_bodyReceived += available;
                if (m_bodyLeft == 0) {
                    m_state = State::RequestLine;
                    m_idleSinceMs = m_clock.elapsed();
                }
                armTimer();
                return;
            }
            // The body ends in this read and a request follows: looked at below.
        }
        // Between requests and within a head the bytes are taken out of the socket (see
        // releaseHeldHead); within a body they are only looked at.
        const bool holding = m_state == State::RequestLine || m_state == State::Headers;
        const int headsBefore = m_headsCompleted;
        QByteArray data;
        if (holding) {
            // Never more than a head may hold: a read this long without its end is refused.
            const qsizetype held = m_held.size();
            const qint64 want = std::min<qint64>(m_socket->bytesAvailable(), kMaxHeadBytes + 2);
            m_held.resize(held + want);
            const qint64 got = m_socket->read(m_held.data() + held, want);
            m_held.resize(held + std::max<qint64>(got, 0));
            data = QByteArray::fromRawData(m_held.constData() + held, m_held.size() - held);
        } else {
            data = m_socket->peek(m_socket->bytesAvailable());
        }
        const qsizetype n = data.size();
        qsizetype pos = 0;
        while (pos < n) {
            if (m_state == State::Body) {
                const qint64 take = std::min<qint64>(m_bodyLeft, n - pos);
                m_bodyLeft -= take;
                m_bodyReceived += take;
                pos += take;
                if (m_bodyLeft == 0) {
                    m_state = State::RequestLine;
                    m_idleSinceMs = m_clock.elapsed();
                }
                continue;
            }
            if (!m_headBegun) {
                m_headBegun = true;
                m_headStartMs = m_clock.elapsed();
                releaseBody(); // QtHttpServer drops the previous request when this one starts
            }
            const char *p = data.constData() + pos;
            const auto *lf = static_cast<const char *>(std::memchr(p, '\n', size_t(n - pos)));
            const qsizetype len = lf ? lf - p + 1 : n - pos;
            m_headBytes += len;
            if (m_headBytes > kMaxHeadBytes)
                return refuse(
                    431, "head-too-large", "http.refused",
                    Tr::tr("The request head is larger than %1 bytes.").arg(kMaxHeadBytes));
            // A line that is held stays in m_held until it ends (a 60 KB line that never ends
            // is never copied); one begun in a read QtHttpServer saw is collected in m_line.
            if (!m_lineOpen && holding && m_line.isEmpty()) {
                m_lineOpen = true;
                m_lineStart = p - m_held.constData();
            } else if (!m_lineOpen) {
                m_line.append(p, len);
            }
            pos += len;
            if (!lf)
                break;
            m_unparsed = n - pos;
            QByteArray line =
                m_lineOpen ? m_held.mid(m_lineStart, lf + 1 - m_held.constData() - m_lineStart)
                           : std::exchange(m_line, QByteArray());
            m_lineOpen = false;
            if (line.size() < 2 || line.at(line.size() - 2) != '\r')
                return refuse(400, "bad-request", "http.refused",
                              Tr::tr("A line of the request head ends without CR LF."));
            line.chop(2);
            if (line.contains('\r'))
                return refuse(400, "bad-request", "http.refused",
                              Tr::tr("The request head holds a bare CR."));
            if (!(m_state == State::RequestLine ? requestLine(line) : headerLine(line)))
                return; // refused
        }
        if (holding && m_headsCompleted != headsBefore)
            releaseHeldHead();
        armTimer();
    }

    /**
     * QtHttpServer 6.4 parses a head one byte read at a time (about 30 ns a byte), so 500
     * connections each sending a 60 KB head that never ends cost it a second of the event loop,
     * and a normal request waited that long. So the guard takes the bytes of an unfinished head
     * out of the socket (m_held) and, once the head has ended, puts them back in order, ahead of
     * any bytes still unread: QtHttpServer parses only heads that end. What follows a head in
     * the same read (a body, a pipelined request) goes back with it.
     */
    void releaseHeldHead()
    {
        if (m_lineOpen) // the start of a pipelined request's head, which QtHttpServer now sees
            m_line = m_held.mid(m_lineStart);
        m_lineOpen = false;
        for (qsizetype i = m_held.size() - 1; i >= 0; --i)
            m_socket->ungetChar(m_held.at(i));
        m_held = QByteArray();
    }

    bool requestLine(const QByteArray &line)
    {
        if (line.isEmpty())
            return true; // empty lines before a request are ignored (RFC 9112 §2.2), and counted
        const QList<QByteArray> parts = line.split(' ');
        m_what = line.left(120);
        if (parts.size() != 3 || !isToken(parts.at(0)) || !isTarget(parts.at(1)) ||
            (parts.at(2) != "HTTP/1.1" && parts.at(2) != "HTTP/1.0")) {
            refuse(400, "bad-request", "http.refused", Tr::tr("The request line is malformed."));
            return false;
        }
        if (parts.at(0) == "CONNECT") {
            refuse(400, "bad-request", "http.refused", Tr::tr("CONNECT is not served here."));
            return false;
        }
        m_what = parts.at(0) + ' ' + parts.at(1).left(100);
        m_state = State::Headers;
        m_contentLength = -1;
        m_transferEncoding = false;
        return true;
    }

    bool headerLine(const QByteArray &line)
    {
        if (line.isEmpty())
            return headComplete();
        auto bad = [this](const QString &why) {
            refuse(400, "bad-request", "http.refused", why);
            return false;
        };
        if (line.at(0) == ' ' || line.at(0) == '\t')
            return bad(Tr::tr("A header line is folded (obsolete line folding, RFC 9112 §5.2)."));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.left(colon)))
            return bad(Tr::tr("A header name is malformed."));
        QByteArray value = line.mid(colon + 1);
        while (!value.isEmpty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove(0, 1);
        while (!value.isEmpty() && (value.back() == ' ' || value.back() == '\t'))
            value.chop(1);
        for (const char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f)
                return bad(Tr::tr("A header value holds a control character."));
        }
        const QByteArray name = line.left(colon).toLower();
        if (name == "content-length") {
            if (m_contentLength >= 0)
                return bad(Tr::tr("Content-Length is sent more than once."));
            bool digits = !value.isEmpty() && value.size() <= 18;
            for (const char c : value)
                digits = digits && c >= '0' && c <= '9';
            if (!digits)
                return bad(Tr::tr("Content-Length is not a number."));
            m_contentLength = value.toLongLong();
        } else if (name == "transfer-encoding") {
            m_transferEncoding = true;
        }
        return true;
    }

    bool headComplete()
    {
        ++m_headsCompleted;
        m_headBegun = false;
        m_headBytes = 0;
        if (m_transferEncoding && m_contentLength >= 0) {
            refuse(400, "bad-request", "http.refused",
                   Tr::tr("Content-Length and Transfer-Encoding are sent together."));
            return false;
        }
        if (m_transferEncoding) {
            refuse(411, "length-required", "http.refused",
                   Tr::tr("Send the body with a Content-Length, not chunked."));
            return false;
        }
        const qint64 length = std::max<qint64>(0, m_contentLength);
        const qint64 drain = std::min<qint64>(length - m_unparsed, kMaxDrainBytes);
        if (length > m_max) {
            refuse(413, "too-large", "http.refused",
                   Tr::tr("The body is larger than %1 bytes; send attachments in chunks with "
                          "Content-Range.")
                       .arg(m_max),
                   drain);
            return false;
        }
        if (length > kSmallBodyBytes &&
            m_book->bodyBytes + length > m_book->limits.bodyBudgetBytes) {
            refuse(503, "busy", "http.limit",
                   Tr::tr("The platform is receiving too many large bodies (%1 bytes buffered); "
                          "try again in %2 s.")
                       .arg(m_book->bodyBytes)
                       .arg(kRetryAfterSeconds),
                   drain, true);
            return false;
        }
        m_reserved = length;
        m_book->bodyBytes += length;
        if (length > kSmallBodyBytes)
            m_closeAfterAnswer = true;
        if (length > 0) {
            m_state = State::Body;
            m_bodyLeft = length;
            m_bodyReceived = 0;
            m_bodyStartMs = m_clock.elapsed();
        } else {
            m_state = State::RequestLine;
            m_idleSinceMs = m_clock.elapsed();
        }
        return true;
    }

    void releaseBody()
    {
        m_book->bodyBytes -= m_reserved;
        m_reserved = 0;
    }

    /** One timer for whatever the client owes next: a head, a body, or (kept alive) nothing. */
    void armTimer()
    {
        const HttpAdapter::Limits &l = m_book->limits;
        qint64 deadline = 0;
        if (m_state == State::Refused) {
            m_timer.stop();
            return;
        } else if (m_state == State::Body) {
            deadline = m_bodyStartMs + qint64(l.bodyTimeoutSeconds) * 1000 +
                       m_bodyReceived * 1000 / kMinBodyBytesPerSecond;
        } else if (m_headBegun) {
            deadline = m_headStartMs + qint64(l.headerTimeoutSeconds) * 1000;
        } else if (m_due > 0) {
            m_timer.stop(); // we owe the answer (a long-poll may take its time)
            return;
        } else {
            deadline = m_idleSinceMs + qint64(l.idleTimeoutSeconds) * 1000;
        }
        const qint64 now = m_clock.elapsed();
        const qint64 wait = std::clamp<qint64>(deadline - now, 0, INT_MAX);
        m_firesAtMs = now + wait;
        m_timer.start(int(wait));
    }

    void timedOut()
    {
        // A timer that fires late means the event loop was busy (hashing, a large sync): bytes may
        // be waiting unread, so give the socket one more second before blaming the client.
        if (m_clock.elapsed() - m_firesAtMs > 500) {
            m_firesAtMs = m_clock.elapsed() + 1000;
            m_timer.start(1000);
            return;
        }
        const HttpAdapter::Limits &l = m_book->limits;
        if (m_state == State::Body)
            return refuse(408, "timeout", "http.timeout",
                          Tr::tr("The body stopped after %1 of %2 bytes (body timeout %3 s).")
                              .arg(m_bodyReceived)
                              .arg(m_bodyReceived + m_bodyLeft)
                              .arg(l.bodyTimeoutSeconds));
        if (m_headBegun)
            return refuse(408, "timeout", "http.timeout",
                          Tr::tr("The request head was not complete within %1 s (%2 bytes came).")
                              .arg(l.headerTimeoutSeconds)
                              .arg(m_headBytes));
        // Kept alive and idle: closing is ordinary, not a refusal.
        m_state = State::Refused;
        disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
        m_socket->disconnectFromHost();
    }

    /**
     * Answers and takes the connection away from QtHttpServer (it would buffer the body). With a
     * known body length the rest of the body is read and dropped before closing, because closing
     * on unread data resets the connection and the client would lose the answer.
     */
    void refuse(int status, const char *code, const char *kind, const QString &message,
                qint64 drain = 0, bool retryAfter = false)
    {
        m_state = State::Refused;
        m_timer.stop();
        disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
        if (m_socket->isTransactionStarted())
            m_socket->commitTransaction();
        m_drainLeft = drain;
        m_held = QByteArray();
        m_lineOpen = false;
        m_socket->readAll();
        m_book->refusal(
            m_peer, QString::fromLatin1(kind),
            QStringLiteral("%1 %2: %3")
                .arg(status)
                .arg(m_what.isEmpty() ? QStringLiteral("-") : QString::fromLatin1(m_what),
                     message));
        const QByteArray body = sync::encodeError({QString::fromLatin1(code), message});
        m_socket->write(refusalBytes(status, body, m_tls, retryAfter));
        flushTls(m_socket);
        connect(m_socket, &QTcpSocket::readyRead, this, [this] {
            m_drainLeft -= m_socket->readAll().size();
            closeWhenDone();
        });
        connect(m_socket, &QTcpSocket::bytesWritten, this, &RequestGuard::closeWhenDone);
        // QtHttpServer deletes its sockets on disconnect, unless its parser gave up on them.
        connect(m_socket, &QTcpSocket::disconnected, m_socket, &QObject::deleteLater);
        QPointer<QTcpSocket> socket = m_socket;
        QTimer::singleShot(kDrainMs, m_socket, [socket] {
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
    QHostAddress m_peer;
    std::shared_ptr<ConnectionBook> m_book;
    qint64 m_max;
    bool m_tls;
    QElapsedTimer m_clock; ///< since the connection opened
    QTimer m_timer;
    State m_state = State::RequestLine;
    QByteArray m_line;       ///< the head line being received
    QByteArray m_held;       ///< bytes of an unfinished head kept from QtHttpServer
    bool m_lineOpen = false; ///< the line being received is in m_held, from m_lineStart
    qsizetype m_lineStart = 0;
    int m_headsCompleted = 0;
    QByteArray m_what; ///< method and target, for the log
    qint64 m_headBytes = 0;
    bool m_headBegun = true; ///< the first head's clock starts with the connection
    qint64 m_headStartMs = 0;
    qint64 m_idleSinceMs = 0;
    qint64 m_contentLength = -1;
    bool m_transferEncoding = false;
    qsizetype m_unparsed = 0; ///< bytes of this read after the line just parsed
    qint64 m_bodyLeft = 0;
    qint64 m_bodyReceived = 0;
    qint64 m_bodyStartMs = 0;
    qint64 m_reserved = 0; ///< this connection's share of the body budget
    qint64 m_drainLeft = 0;
    qint64 m_firesAtMs = 0; ///< when the running timer is meant to fire
    int m_due = 0;          ///< answers the handler owes
    bool m_closeAfterAnswer = false;
};

/** Accepts connections (optionally TLS), caps them, and puts a RequestGuard on each. */
class GuardedTcpServer : public QTcpServer
{
public:
    GuardedTcpServer(qint64 maxBody, std::optional<QSslConfiguration> tls,
                     std::shared_ptr<ConnectionBook> book)
        : m_maxBody(maxBody), m_tls(std::move(tls)), m_book(std::move(book))
    {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        QTcpSocket *socket = nullptr;
        std::function<void()> *abandoned = nullptr;
        if (m_tls) {
            auto *ssl = new GuardedSocket<QSslSocket>(this);
            ssl->setSslConfiguration(*m_tls);
            abandoned = &ssl->onAbandoned;
            socket = ssl;
        } else {
            auto *tcp = new GuardedSocket<QTcpSocket>(this);
            abandoned = &tcp->onAbandoned;
            socket = tcp;
        }
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        const QHostAddress peer = normalized(socket->peerAddress());
        const HttpAdapter::Limits &l = m_book->limits;
        if (m_book->connections >= l.maxConnections)
            return turnAway(socket, peer,
                            Tr::tr("Connection refused: %1 connections are open (the limit).")
                                .arg(m_book->connections));
        if (m_book->perAddress.value(peer) >= l.maxConnectionsPerAddress &&
            !(l.sharedAddress && l.sharedAddress(peer)))
            return turnAway(socket, peer,
                            Tr::tr("Connection refused: %1 connections from this address are open "
                                   "(the limit).")
                                .arg(m_book->perAddress.value(peer)));
        auto *guard = new RequestGuard(socket, peer, m_book, m_maxBody);
        *abandoned = [guard = QPointer<RequestGuard>(guard)] {
            if (guard)
                guard->abandoned();
        };
        if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
            connect(ssl, &QSslSocket::sslErrors, ssl, [ssl] { ssl->abort(); });
            ssl->startServerEncryption();
        }
        addPendingConnection(socket);
    }

private:
    /** Over a connection cap: a 503 where that is cheap (not before a TLS handshake), and close. */
    void turnAway(QTcpSocket *socket, const QHostAddress &peer, const QString &why)
    {
        m_book->refusal(peer, QStringLiteral("http.limit"), why);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        if (m_tls) {
            socket->abort();
            socket->deleteLater();
            return;
        }
        const QByteArray body = sync::encodeError({QStringLiteral("busy"), why});
        socket->write(refusalBytes(503, body, false, true));
        QTimer::singleShot(kDrainMs / 6, socket, [socket] { socket->abort(); });
        socket->disconnectFromHost();
        if (socket->state() == QAbstractSocket::UnconnectedState)
            socket->deleteLater();
    }

    qint64 m_maxBody;
    std::optional<QSslConfiguration> m_tls;
    std::shared_ptr<ConnectionBook> m_book;
};

HttpAdapter::HttpAdapter(Handler handler, qint64 maxBodyBytes, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_maxBodyBytes(maxBodyBytes),
      m_book(std::make_shared<ConnectionBook>()), m_server(std::make_unique<QHttpServer>())
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

void HttpAdapter::setLimits(const Limits &limits)
{
    m_book->limits = limits;
}

void HttpAdapter::setRefusalLog(RefusalLog log)
{
    m_book->log = std::move(log);
}

QStringList HttpAdapter::tlsCipherNames()
{
    QStringList names;
    if (!tlsAvailable())
        return names;
    for (const QSslCipher &c : tlsCiphers())
        names << c.name();
    return names;
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
        const QList<QSslCipher> ciphers = tlsCiphers();
        if (ciphers.isEmpty())
            return Error{Tr::tr("This Qt's TLS backend offers none of the ECDHE/AEAD cipher "
                                "suites of the Mozilla intermediate profile.")};
        c.setCiphers(ciphers);
        config = c;
    }
    auto *tcp = new GuardedTcpServer(m_maxBodyBytes, config, m_book);
    // Qt's default accept queue (50) overflows when hundreds of clients connect at once; the
    // kernel then drops handshakes and every client behind them, a normal one too, waits for a
    // TCP retransmission (200 ms or more). Queue as many as may be open (the kernel caps it at
    // net.core.somaxconn).
    tcp->setListenBacklogSize(std::clamp(m_book->limits.maxConnections, 128, 4096));
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
    const auto *ssl = qobject_cast<const QSslSocket *>(socket.data());
    const bool tls = ssl && ssl->isEncrypted();
    /** Tells the connection's guard once that the answer is out (or never will be). */
    struct Due
    {
        QPointer<RequestGuard> guard;
        bool done = false;
        void finish()
        {
            if (!std::exchange(done, true) && guard)
                guard->answerSent();
        }
        ~Due() { finish(); }
    };
    auto due = std::make_shared<Due>();
    due->guard = m_book->guards.value(socket.data());
    if (due->guard)
        due->guard->answerDue();
    HttpReply reply(
        [held, socket, head, tls, due](HttpResponse response) {
            if (socket && socket->state() == QAbstractSocket::ConnectedState) {
                QHttpServerResponse out(response.contentType, head ? QByteArray() : response.body,
                                        QHttpServerResponse::StatusCode(response.status));
                for (const auto &h : response.headers)
                    out.addHeader(h.first, h.second);
                if (tls)
                    out.addHeader("Strict-Transport-Security", kHsts);
                if (due->guard && due->guard->closeAfterAnswer())
                    out.addHeader("Connection", "close");
                out.write(std::move(*held));
                flushTls(socket);
            }
            due->finish();
        },
        [socket] { return socket && socket->state() == QAbstractSocket::ConnectedState; });
    m_handler(r, reply);
}

} // namespace cityops::platform
