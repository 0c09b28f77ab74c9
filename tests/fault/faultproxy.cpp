#include "faultproxy.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <utility>

namespace cityops::test {

namespace {
/** A held request goes out at the latest after this long, even when nothing overtakes it. */
constexpr int kMaxHoldMs = 2000;
} // namespace

qsizetype httpMessageLength(const QByteArray &buffer, bool isRequest)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return buffer.size() > 64 * 1024 ? -1 : 0;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> first = lines.first().trimmed().split(' ');
    if (first.size() < 2)
        return -1;
    if (!isRequest) {
        const int status = first.at(1).toInt();
        if (status < 200 || status == 204 || status == 304)
            return end + 4;
    }
    qsizetype length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "transfer-encoding" && value.toLower() != "identity")
            return -1;
        if (name == "content-length") {
            bool ok = false;
            length = value.toLongLong(&ok);
            if (!ok || length < 0)
                return -1;
        }
    }
    return buffer.size() >= end + 4 + length ? end + 4 + length : 0;
}

FaultProxy::FaultProxy(QUrl upstream, quint64 seed, QObject *parent)
    : QObject(parent), m_upstream(std::move(upstream)), m_rng(seed)
{}

FaultProxy::~FaultProxy()
{
    for (auto &[id, c] : m_connections) {
        if (c.socket)
            c.socket->abort();
    }
}

QUrl FaultProxy::listen()
{
    m_server = new QTcpServer(this);
    if (!m_server->listen(QHostAddress::LocalHost, 0))
        return {};
    connect(m_server, &QTcpServer::newConnection, this, &FaultProxy::accept);
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_server->serverPort());
    return url;
}

void FaultProxy::accept()
{
    while (QTcpSocket *s = m_server->nextPendingConnection()) {
        const quint64 id = m_nextId++;
        m_connections[id].socket = s;
        connect(s, &QTcpSocket::readyRead, this, [this, id] { readFrom(id); });
        connect(s, &QTcpSocket::disconnected, this, [this, id] {
            const auto it = m_connections.find(id);
            if (it == m_connections.end())
                return;
            if (it->second.socket)
                it->second.socket->deleteLater();
            m_connections.erase(it);
        });
    }
}

void FaultProxy::readFrom(quint64 id)
{
    const auto it = m_connections.find(id);
    if (it == m_connections.end() || !it->second.socket)
        return;
    Connection &c = it->second;
    c.buffer += c.socket->readAll();
    for (;;) {
        const qsizetype n = httpMessageLength(c.buffer, true);
        if (n < 0)
            return cut(id);
        if (n == 0)
            break;
        Request r;
        r.bytes = c.buffer.left(n);
        c.buffer.remove(0, n);
        const QList<QByteArray> first = r.bytes.left(r.bytes.indexOf("\r\n")).split(' ');
        r.method = first.value(0);
        r.target = first.value(1);
        c.queue.append(r);
        emit requestReceived(r.method, r.target, r.bytes);
    }
    next(id);
}

void FaultProxy::next(quint64 id)
{
    const auto it = m_connections.find(id);
    if (it == m_connections.end() || it->second.busy || it->second.queue.isEmpty())
        return;
    it->second.busy = true;
    handle(id, it->second.queue.takeFirst());
}

void FaultProxy::handle(quint64 id, const Request &r)
{
    ++m_stats.requests;
    const Faults &f = m_faults;
    const double roll = m_faulty ? m_rng.uniform() : 1.0;
    double edge = f.drop;
    if (roll < edge) {
        ++m_stats.dropped;
        return cut(id);
    }
    if (roll < (edge += f.delay)) {
        ++m_stats.delayed;
        const int ms = int(m_rng.between(f.minDelayMs, std::max(f.minDelayMs, f.maxDelayMs)));
        QTimer::singleShot(ms, this, [this, id, r] {
            forward(r, [this, id](bool ok, const QByteArray &bytes) { reply(id, ok, bytes); });
        });
        return;
    }
    if (roll < (edge += f.duplicate)) {
        ++m_stats.duplicated;
        const bool second = m_rng.chance(0.5);
        forward(r, [this, id, r, second](bool ok1, const QByteArray &first) {
            forward(r, [this, id, second, ok1, first](bool ok2, const QByteArray &again) {
                if (second)
                    reply(id, ok2, again);
                else
                    reply(id, ok1, first);
            });
        });
        return;
    }
    if (roll < (edge += f.reorder)) {
        ++m_stats.reordered;
        m_held.append({id, r});
        QTimer::singleShot(kMaxHoldMs, this, &FaultProxy::releaseHeld);
        return;
    }
    if (roll < (edge += f.cutAfterCommit)) {
        ++m_stats.cut;
        if (r.method == "POST" && r.target.startsWith("/api/v1/commands"))
            ++m_stats.cutCommands;
        forward(r, [this, id](bool, const QByteArray &) { cut(id); });
        return;
    }
    forward(r, [this, id](bool ok, const QByteArray &bytes) {
        reply(id, ok, bytes);
        // A request held back goes out once a later one went through.
        releaseHeld();
    });
}

void FaultProxy::releaseHeld()
{
    const QList<Held> held = std::exchange(m_held, {});
    for (const Held &h : held) {
        forward(h.request, [this, id = h.connection](bool ok, const QByteArray &bytes) {
            reply(id, ok, bytes);
        });
    }
}

void FaultProxy::forward(const Request &r, Done done)
{
    ++m_stats.forwarded;
    auto *up = new QTcpSocket(this);
    auto buffer = std::make_shared<QByteArray>();
    auto finished = std::make_shared<bool>(false);
    auto finish = [this, up, done, finished](bool ok, const QByteArray &bytes) {
        if (*finished)
            return;
        *finished = true;
        if (!ok)
            ++m_stats.upstreamErrors;
        up->abort();
        up->deleteLater();
        done(ok, bytes);
    };
    connect(up, &QTcpSocket::connected, up, [up, bytes = r.bytes] { up->write(bytes); });
    connect(up, &QTcpSocket::readyRead, up, [up, buffer, finish] {
        *buffer += up->readAll();
        const qsizetype n = httpMessageLength(*buffer, false);
        if (n != 0)
            finish(n > 0, buffer->left(std::max<qsizetype>(n, 0)));
    });
    connect(up, &QTcpSocket::errorOccurred, up, [finish] { finish(false, {}); });
    connect(up, &QTcpSocket::disconnected, up, [finish] { finish(false, {}); });
    up->connectToHost(m_upstream.host(), quint16(m_upstream.port()));
}

void FaultProxy::reply(quint64 id, bool ok, const QByteArray &bytes)
{
    const auto it = m_connections.find(id);
    if (it == m_connections.end() || !it->second.socket)
        return;
    if (!ok)
        return cut(id);
    it->second.socket->write(bytes);
    it->second.busy = false;
    next(id);
}

void FaultProxy::cut(quint64 id)
{
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return;
    QPointer<QTcpSocket> s = it->second.socket;
    m_connections.erase(it);
    if (s) {
        s->abort();
        s->deleteLater();
    }
}

} // namespace cityops::test
