// The hostile-client suite's tools (hostile.h): raw HTTP over blocking sockets, sign-in, the
// platform's memory figures from /proc, parallel attacks, and the attack registry.
#include "hostile.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSslSocket>
#include <QTcpSocket>
#include <QThread>

#include <algorithm>
#include <thread>
#include <vector>

namespace cityops::hostile {

namespace {

QList<Attack> &registry()
{
    static QList<Attack> attacks;
    return attacks;
}

/** The value of a "Name: value" line of /proc/PID/status, in KiB; -1 when unreadable. */
qint64 procStatusKiB(qint64 pid, const QByteArray &name)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (pid <= 0 || !f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (!line.startsWith(name + ':'))
            continue;
        QByteArray v = line.mid(name.size() + 1).trimmed();
        if (v.endsWith(" kB"))
            v.chop(3);
        bool ok = false;
        const qint64 kib = v.trimmed().toLongLong(&ok);
        return ok ? kib : -1;
    }
    return -1;
}

} // namespace

RegisterAttack::RegisterAttack(const char *group, const char *name, AttackFn run)
{
    registry().append({QString::fromUtf8(group), QString::fromUtf8(name), std::move(run)});
}

const QList<Attack> &registeredAttacks()
{
    return registry();
}

QByteArray RawAnswer::header(const QByteArray &name) const
{
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

struct RawConnection::Impl
{
    std::unique_ptr<QTcpSocket> socket;
    QByteArray buffer; ///< received and not yet handed out
    QElapsedTimer sinceWrite;
    bool ok = false;

    bool gone() const { return socket->state() != QAbstractSocket::ConnectedState; }

    /** Waits for more bytes into `buffer`; false on timeout or close. */
    bool more(int timeoutMs)
    {
        if (socket->bytesAvailable() > 0) {
            buffer += socket->readAll();
            return true;
        }
        if (gone())
            return false;
        if (!socket->waitForReadyRead(std::max(timeoutMs, 0))) {
            buffer += socket->readAll();
            return false;
        }
        buffer += socket->readAll();
        return true;
    }
};

RawConnection::RawConnection(const Target &target, bool direct) : d(std::make_unique<Impl>())
{
    const quint16 port = direct ? target.directPort : target.port;
    if (target.tls && !direct) {
        auto ssl = std::make_unique<QSslSocket>();
        // The suite's nginx serves a throwaway self-signed certificate made for this run.
        ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
        ssl->connectToHostEncrypted(target.host, port);
        d->ok = ssl->waitForEncrypted(10000);
        d->socket = std::move(ssl);
    } else {
        d->socket = std::make_unique<QTcpSocket>();
        d->socket->connectToHost(target.host, port);
        d->ok = d->socket->waitForConnected(10000);
    }
    d->sinceWrite.start();
}

RawConnection::~RawConnection()
{
    close();
}

bool RawConnection::connected() const
{
    return d->ok && !d->gone();
}

bool RawConnection::write(const QByteArray &bytes)
{
    if (!connected())
        return false;
    d->sinceWrite.restart();
    if (d->socket->write(bytes) != bytes.size())
        return false;
    QElapsedTimer t;
    t.start();
    while (d->socket->bytesToWrite() > 0) {
        if (d->gone() || t.elapsed() > 30000)
            return false;
        d->socket->waitForBytesWritten(1000);
    }
    return !d->gone();
}

RawAnswer RawConnection::read(int timeoutMs)
{
    RawAnswer a;
    QElapsedTimer t;
    t.start();
    auto left = [&] {
        return int(std::max<qint64>(0, timeoutMs - t.elapsed()));
    };
    auto finish = [&] {
        a.ms = d->sinceWrite.elapsed();
        if (a.header("Connection").compare("close", Qt::CaseInsensitive) == 0 && !d->gone())
            d->socket->waitForDisconnected(std::min(1000, std::max(left(), 100)));
        a.closed = d->gone();
        return a;
    };
    // The head.
    qsizetype end = d->buffer.indexOf("\r\n\r\n");
    while (end < 0) {
        if (!d->more(left()) && (d->gone() || left() == 0)) {
            end = d->buffer.indexOf("\r\n\r\n");
            if (end >= 0)
                break;
            a.head = d->buffer; // a partial or missing answer
            d->buffer.clear();
            return finish();
        }
        end = d->buffer.indexOf("\r\n\r\n");
    }
    a.head = d->buffer.left(end + 2);
    d->buffer.remove(0, end + 4);
    const QByteArray statusLine = a.head.left(a.head.indexOf("\r\n"));
    const QList<QByteArray> parts = statusLine.split(' ');
    if (parts.size() >= 2 && parts.at(0).startsWith("HTTP/"))
        a.status = parts.at(1).toInt();
    if ((a.status >= 100 && a.status < 200) || a.status == 204 || a.status == 304)
        return finish();
    // The body: Content-Length, chunked, or until the server closes.
    const QByteArray length = a.header("Content-Length");
    if (!length.isEmpty()) {
        const qint64 n = length.toLongLong();
        while (d->buffer.size() < n) {
            if (!d->more(left()) && (d->gone() || left() == 0))
                break;
        }
        a.body = d->buffer.left(n);
        d->buffer.remove(0, a.body.size());
        return finish();
    }
    if (a.header("Transfer-Encoding").toLower().contains("chunked")) {
        for (;;) {
            qsizetype eol = d->buffer.indexOf("\r\n");
            while (eol < 0) {
                if (!d->more(left()) && (d->gone() || left() == 0))
                    return finish();
                eol = d->buffer.indexOf("\r\n");
            }
            bool ok = false;
            const qint64 size =
                d->buffer.left(eol).split(';').first().trimmed().toLongLong(&ok, 16);
            if (!ok || size < 0)
                return finish();
            while (d->buffer.size() < eol + 2 + size + 2) {
                if (!d->more(left()) && (d->gone() || left() == 0))
                    return finish();
            }
            a.body += d->buffer.mid(eol + 2, size);
            d->buffer.remove(0, eol + 2 + size + 2);
            if (size == 0) // no trailers are expected from either server
                return finish();
        }
    }
    while (d->more(left())) {
    }
    a.body = d->buffer;
    d->buffer.clear();
    return finish();
}

bool RawConnection::waitClosed(int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!d->gone()) {
        const qint64 left = timeoutMs - t.elapsed();
        if (left <= 0)
            return false;
        if (d->socket->waitForReadyRead(int(left)))
            d->buffer += d->socket->readAll();
    }
    return true;
}

void RawConnection::close()
{
    if (!d || !d->socket)
        return;
    d->socket->abort();
}

RawAnswer request(const Target &target, const QByteArray &method, const QByteArray &path,
                  const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers,
                  const QByteArray &token, int timeoutMs)
{
    QByteArray r = method + ' ' + path + " HTTP/1.1\r\n";
    bool host = false;
    bool typed = false;
    for (const auto &h : headers) {
        host = host || h.first.compare("Host", Qt::CaseInsensitive) == 0;
        typed = typed || h.first.compare("Content-Type", Qt::CaseInsensitive) == 0;
    }
    if (!host)
        r += "Host: " + target.host.toLatin1() + ':' + QByteArray::number(target.port) + "\r\n";
    for (const auto &h : headers)
        r += h.first + ": " + h.second + "\r\n";
    if (!token.isEmpty())
        r += "Authorization: Bearer " + token + "\r\n";
    if (!body.isEmpty() && !typed)
        r += "Content-Type: application/json\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    r += "Connection: close\r\n\r\n" + body;
    RawConnection c(target);
    if (!c.connected()) {
        RawAnswer a;
        a.closed = true;
        return a;
    }
    c.write(r);
    return c.read(timeoutMs);
}

QByteArray signIn(const Target &target, const QString &user, const QString &password,
                  RawAnswer *answer)
{
    // The body sync::encodeLogin makes (models/sync/protocol.cpp), for POST /api/v1/session.
    const QByteArray body = QJsonDocument(QJsonObject{{QLatin1String("username"), user},
                                                      {QLatin1String("password"), password}})
                                .toJson(QJsonDocument::Compact);
    RawAnswer a;
    QElapsedTimer t;
    t.start();
    for (;;) {
        a = request(target, "POST", "/api/v1/session", body);
        if (a.status != 429)
            break;
        const qint64 waitMs = std::max(1, a.header("Retry-After").toInt()) * 1000LL;
        if (t.elapsed() + waitMs > 30000)
            break;
        QThread::msleep(ulong(waitMs));
    }
    if (answer)
        *answer = a;
    if (a.status != 200)
        return {};
    return QJsonDocument::fromJson(a.body)
        .object()
        .value(QLatin1String("token"))
        .toString()
        .toLatin1();
}

qint64 rssKiB(qint64 pid)
{
    return procStatusKiB(pid, "VmRSS");
}

qint64 peakRssKiB(qint64 pid)
{
    return procStatusKiB(pid, "VmHWM");
}

bool resetPeakRss(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/clear_refs").arg(pid));
    if (pid <= 0 || !f.open(QIODevice::WriteOnly))
        return false;
    return f.write("5") == 1 && f.flush();
}

void inParallel(int threads, const std::function<void(int)> &attack)
{
    std::vector<std::thread> pool;
    pool.reserve(size_t(std::max(threads, 0)));
    for (int i = 0; i < threads; ++i)
        pool.emplace_back([&attack, i] { attack(i); });
    for (std::thread &t : pool)
        t.join();
}

} // namespace cityops::hostile
