// Transport attacks (issue 18, findings 1 and 6): request smuggling through the head (folding,
// duplicated or conflicting lengths, oversized heads in one write or many), slow clients that
// hold connections (slow heads, unfinished bodies, idle connections), connection floods, and
// bodies held in memory. The platform's guard (server/httpadapter.cpp) refuses each; with nginx
// in front, nginx's own refusal counts too.
#include "hostile.h"

#include <QElapsedTimer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

using namespace cityops::hostile;

namespace {

/** How long slow-client attacks wait to be closed: the platform's timeouts in platform-args.txt
 *  are a few seconds; nginx's (deploy/nginx) are longer. */
int closeDeadlineMs(const Target &target)
{
    return target.viaProxy ? 75000 : 20000;
}

/** A refusal: the platform's own status, or (with nginx in front) one of nginx's. */
bool refusedWith(const Target &target, const RawAnswer &a, std::initializer_list<int> platform)
{
    for (const int s : platform) {
        if (a.status == s)
            return true;
    }
    if (!target.viaProxy)
        return false;
    // nginx: 400 bad request/header too large, 408, 411, 413, 414, 431, 444/494 (closed), 503
    // (limit_conn), 429 (limit_req); or it closed without an answer.
    for (const int s : {400, 408, 411, 413, 414, 429, 431, 444, 494, 503}) {
        if (a.status == s)
            return true;
    }
    return a.status == 0 && a.closed;
}

QString said(const RawAnswer &a)
{
    return a.status == 0 ? (a.closed ? QStringLiteral("no answer, closed")
                                     : QStringLiteral("no answer, still open"))
                         : QStringLiteral("%1%2").arg(a.status).arg(
                               a.closed ? QStringLiteral(", closed") : QString());
}

/** Sends `bytes` (in writes of `chunk` bytes when given) and reads the answer. */
RawAnswer sendRaw(const Target &target, const QByteArray &bytes, qsizetype chunk = 0)
{
    RawConnection c(target);
    if (!c.connected())
        return {};
    if (chunk <= 0) {
        c.write(bytes);
    } else {
        for (qsizetype at = 0; at < bytes.size(); at += chunk) {
            if (!c.write(bytes.mid(at, chunk)))
                break; // the platform answered and closed early: read that answer
        }
    }
    return c.read(10000);
}

/** A socket to the target from a chosen loopback source address (per-address limits). */
std::unique_ptr<QTcpSocket> openFrom(const Target &target, const QHostAddress &source,
                                     int timeoutMs = 10000)
{
    std::unique_ptr<QTcpSocket> s;
    if (target.tls) {
        auto ssl = std::make_unique<QSslSocket>();
        ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
        if (!ssl->bind(source))
            return nullptr;
        ssl->connectToHostEncrypted(target.host, target.port);
        if (!ssl->waitForEncrypted(timeoutMs))
            return nullptr;
        s = std::move(ssl);
    } else {
        s = std::make_unique<QTcpSocket>();
        if (!s->bind(source))
            return nullptr;
        s->connectToHost(target.host, target.port);
        if (!s->waitForConnected(timeoutMs))
            return nullptr;
    }
    return s;
}

/** GET `path` on `s` and the status of the answer's status line (0: none within `timeoutMs`). */
int getStatus(QTcpSocket &s, const QByteArray &path, int timeoutMs)
{
    s.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QByteArray in;
    QElapsedTimer t;
    t.start();
    while (!in.contains("\r\n") && t.elapsed() < timeoutMs) {
        s.waitForBytesWritten(10);
        if (s.waitForReadyRead(int(std::max<qint64>(1, timeoutMs - t.elapsed()))))
            in += s.readAll();
        else if (s.state() != QAbstractSocket::ConnectedState)
            break;
    }
    in += s.readAll();
    const QList<QByteArray> parts = in.left(in.indexOf("\r\n")).split(' ');
    return parts.size() >= 2 && parts.at(0).startsWith("HTTP/") ? parts.at(1).toInt() : 0;
}

/** Writes everything queued on the sockets (loopback takes it quickly). */
void flushAll(const std::vector<std::unique_ptr<QTcpSocket>> &sockets, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    bool pending = true;
    while (pending && t.elapsed() < timeoutMs) {
        pending = false;
        for (const auto &s : sockets) {
            if (s && s->state() == QAbstractSocket::ConnectedState && s->bytesToWrite() > 0) {
                s->waitForBytesWritten(1);
                pending = pending || s->bytesToWrite() > 0;
            }
        }
    }
}

/** How many of the sockets the server has not closed. */
int countOpen(const std::vector<std::unique_ptr<QTcpSocket>> &sockets)
{
    int open = 0;
    for (const auto &s : sockets) {
        if (!s || s->state() != QAbstractSocket::ConnectedState)
            continue;
        s->waitForReadyRead(1);
        s->readAll();
        if (s->state() == QAbstractSocket::ConnectedState)
            ++open;
    }
    return open;
}

QByteArray health()
{
    return "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
}

} // namespace

CITYOPS_ATTACK("http", "folded Content-Length (a 120 MB body declared, 0 after a fold)")
{
    // The request: a guard that trims names sees "Content-Length: 0" last; QtHttpServer
    // reads the fold into X-Pad and buffers 120 MB. The fold itself is refused (RFC 9112 §5.2).
    const RawAnswer a = sendRaw(target, "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Content-Type: application/json\r\n"
                                        "Content-Length: 120000495\r\nX-Pad: a\r\n"
                                        " Content-Length: 0\r\n\r\n" +
                                            QByteArray(64 * 1024, 'x'));
    return {refusedWith(target, a, {400}),
            QStringLiteral("Content-Length: 120000495 + folded \" Content-Length: 0\" → %1")
                .arg(said(a)),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "duplicated Content-Length")
{
    const RawAnswer same = sendRaw(target, "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}");
    const RawAnswer differ = sendRaw(target, "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             "Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}");
    const RawAnswer list = sendRaw(target, "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Length: 2, 2\r\n\r\n{}");
    return {refusedWith(target, same, {400}) && refusedWith(target, differ, {400}) &&
                refusedWith(target, list, {400}),
            QStringLiteral("Content-Length twice, equal → %1; different → %2; \"2, 2\" → %3")
                .arg(said(same), said(differ), said(list)),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "Content-Length with Transfer-Encoding")
{
    // A classic smuggling pair: the chunked body ends at once, the rest would be a second request.
    const RawAnswer a = sendRaw(target, "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Content-Length: 45\r\nTransfer-Encoding: chunked\r\n\r\n"
                                        "0\r\n\r\nGET /api/v1/health HTTP/1.1\r\nX: y\r\n\r\n");
    return {refusedWith(target, a, {400}) && !a.body.contains("\"status\""),
            QStringLiteral("Content-Length: 45 and Transfer-Encoding: chunked → %1").arg(said(a)),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "100,000-byte head in one write")
{
    const QByteArray head = health() + "X-Pad: " + QByteArray(100000, 'a') + "\r\n\r\n";
    const RawAnswer a = sendRaw(target, head);
    return {refusedWith(target, a, {431}),
            QStringLiteral("%1-byte head in one write → %2").arg(head.size()).arg(said(a)),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "100,000-byte head in 1,000-byte writes")
{
    QByteArray head = health();
    for (int i = 0; i < 100; ++i) // many header lines, none large
        head += "X-Pad-" + QByteArray::number(i) + ": " + QByteArray(990, 'a') + "\r\n";
    head += "\r\n";
    const RawAnswer a = sendRaw(target, head, 1000);
    return {refusedWith(target, a, {431}),
            QStringLiteral("%1-byte head in 1,000-byte writes → %2").arg(head.size()).arg(said(a)),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "head sent one byte a second")
{
    RawConnection c(target);
    const QByteArray head = health() + "X-Slow: " + QByteArray(200, 's') + "\r\n\r\n";
    QElapsedTimer t;
    t.start();
    qsizetype sent = 0;
    bool closed = false;
    while (t.elapsed() < closeDeadlineMs(target) && sent < head.size()) {
        if (!c.write(head.mid(sent, 1))) {
            closed = true;
            break;
        }
        ++sent;
        if (c.waitClosed(1000)) {
            closed = true;
            break;
        }
    }
    const RawAnswer a = closed ? c.read(1000) : RawAnswer{};
    return {closed && sent < head.size(),
            QStringLiteral("%1 of %2 head bytes sent, one a second: %3 after %4 s%5")
                .arg(sent)
                .arg(head.size())
                .arg(closed ? QStringLiteral("closed") : QStringLiteral("still open"))
                .arg(t.elapsed() / 1000.0, 0, 'f', 1)
                .arg(a.status ? QStringLiteral(" (answer %1)").arg(a.status) : QString()),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "unfinished body")
{
    RawConnection c(target);
    c.write("POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 4000\r\n\r\n{\"username\":\"operator1\"");
    QElapsedTimer t;
    t.start();
    const bool closed = c.waitClosed(closeDeadlineMs(target));
    const RawAnswer a = c.read(500);
    return {closed && (a.status == 0 || refusedWith(target, a, {408})),
            QStringLiteral("23 of 4000 body bytes, then silence: %1 after %2 s%3")
                .arg(closed ? QStringLiteral("closed") : QStringLiteral("still open"))
                .arg(t.elapsed() / 1000.0, 0, 'f', 1)
                .arg(a.status ? QStringLiteral(" (answer %1)").arg(a.status) : QString()),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "idle connection")
{
    RawConnection c(target);
    QElapsedTimer t;
    t.start();
    const bool closed = c.connected() && c.waitClosed(closeDeadlineMs(target));
    return {closed,
            QStringLiteral("connected, sent nothing: %1 after %2 s")
                .arg(closed ? QStringLiteral("closed") : QStringLiteral("still open"))
                .arg(t.elapsed() / 1000.0, 0, 'f', 1),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "200 connections from one address")
{
    // Each holds a long-poll (a complete request the platform keeps open), so nginx's limit per
    // address, which counts requests in progress, sees them as well as the platform's, which
    // counts connections.
    const QByteArray token = signIn(target, QStringLiteral("operator1"), QStringLiteral("demo"));
    if (token.isEmpty())
        return {false, QStringLiteral("operator1 could not sign in"), -1, {}};
    qint64 since = 0;
    for (int i = 0; i < 100; ++i) {
        const RawAnswer page =
            request(target, "GET", "/api/v1/changes?limit=2000&since=" + QByteArray::number(since),
                    {}, {}, token);
        const qsizetype at = page.body.indexOf("\"next\":");
        const qint64 next = at < 0 ? since : page.body.mid(at + 7, 20).toLongLong();
        if (page.status != 200 || next <= since)
            break;
        since = next;
    }
    const QByteArray poll = "GET /api/v1/changes?wait=20&since=" + QByteArray::number(since) +
                            " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                            "\r\n\r\n";
    const QHostAddress source(QStringLiteral("127.0.3.1"));
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    int failed = 0;
    for (int i = 0; i < 200; ++i) {
        auto s = openFrom(target, source, 3000);
        if (s)
            s->write(poll);
        else
            ++failed;
        sockets.push_back(std::move(s));
    }
    flushAll(sockets, 3000);
    // Refused: an answer (503 from the platform, 429/503 from nginx) or closed. Held: neither.
    QThread::msleep(1000);
    int held = 0;
    int answered = 0;
    for (const auto &s : sockets) {
        if (!s)
            continue;
        s->waitForReadyRead(1);
        const QByteArray in = s->readAll();
        if (!in.isEmpty())
            ++answered;
        else if (s->state() == QAbstractSocket::ConnectedState)
            ++held;
    }
    sockets.clear();
    // Meanwhile the platform still serves others.
    const RawAnswer after = request(target, "GET", "/api/v1/health");
    return {held <= 100 && after.status == 200,
            QStringLiteral("200 long-polls from 127.0.3.1: %1 held, %2 answered at once (refused), "
                           "%3 closed or not accepted; a GET from elsewhere → %4")
                .arg(held)
                .arg(answered)
                .arg(200 - held - answered)
                .arg(said(after)),
            -1,
            {}};
}

CITYOPS_ATTACK("http", "16 connections each holding 8 MiB - 1 of body")
{
    constexpr qint64 length = 8 * 1024 * 1024 - 1;
    const bool peakReset = resetPeakRss(target.platformPid);
    const qint64 before = peakReset ? peakRssKiB(target.platformPid) : rssKiB(target.platformPid);
    std::atomic<int> busy{0};
    std::atomic<int> held{0};
    std::atomic<int> ready{0};
    inParallel(16, [&](int) {
        RawConnection c(target);
        c.write("POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                "application/json\r\nContent-Length: " +
                QByteArray::number(length) + "\r\n\r\n");
        // All but the last byte: the body never completes.
        const QByteArray block(1024 * 1024, ' ');
        qint64 sent = 0;
        bool ok = true;
        while (ok && sent < length - 1) {
            const qint64 n = std::min<qint64>(block.size(), length - 1 - sent);
            ok = c.write(block.left(n));
            sent += n;
        }
        const RawAnswer a = c.read(300);
        if (a.status == 503 || (target.viaProxy && a.status != 0))
            ++busy;
        else if (ok)
            ++held;
        // Hold until all 16 have sent theirs, so the bodies are in memory at the same time.
        ++ready;
        QElapsedTimer t;
        t.start();
        while (ready < 16 && t.elapsed() < 60000)
            QThread::msleep(20);
        QThread::msleep(300);
    });
    const qint64 after = peakRssKiB(target.platformPid);
    Outcome o;
    o.peakRssGrowthKiB = after >= 0 && before >= 0 ? after - before : -1;
    const bool small =
        target.sanitized || (o.peakRssGrowthKiB >= 0 && o.peakRssGrowthKiB < 64 * 1024);
    o.refused = small && (busy > 0 || target.viaProxy);
    o.detail =
        QStringLiteral("16 × %1 body bytes held: %2 refused with 503, %3 held; peak RSS "
                       "growth %4 KiB%5%6")
            .arg(length - 1)
            .arg(busy.load())
            .arg(held.load())
            .arg(o.peakRssGrowthKiB)
            .arg(peakReset ? QString() : QStringLiteral(" (peak not resettable: RSS)"))
            .arg(target.sanitized ? QStringLiteral(" (sanitized: informational)") : QString());
    return o;
}

CITYOPS_ATTACK("http", "500 hostile connections open, then a normal request")
{
    // 500 connections with 60 KB partial heads from ten addresses (50 each, within the
    // per-address limit), then a normal GET from another address.
    std::vector<std::unique_ptr<QTcpSocket>> hostile;
    const QByteArray partial = health() + "X-Pad: " + QByteArray(60 * 1024, 'p');
    int failed = 0;
    for (int i = 0; i < 500; ++i) {
        auto s = openFrom(target, QHostAddress(QStringLiteral("127.0.2.%1").arg(1 + i % 10)), 3000);
        if (s)
            s->write(partial);
        else
            ++failed;
        hostile.push_back(std::move(s));
    }
    flushAll(hostile, 5000);
    // Let the platform take in what the 500 sent (30 MB), then time normal requests while the
    // connections stay open: the first one, and the median and slowest of nine.
    QThread::msleep(300);
    const int open = countOpen(hostile);
    QList<qint64> times;
    int status = 200;
    for (int i = 0; i < 9 && status == 200; ++i) {
        QElapsedTimer t;
        t.start();
        auto normal = openFrom(target, QHostAddress(QStringLiteral("127.0.0.2")));
        status = normal ? getStatus(*normal, "/api/v1/health", 10000) : 0;
        times << t.elapsed();
    }
    const int stillOpen = countOpen(hostile);
    hostile.clear();
    const qint64 first = times.first();
    std::sort(times.begin(), times.end());
    const qint64 median = times.at(times.size() / 2);
    Outcome o;
    o.refused = status == 200;
    o.figures.insert(QStringLiteral("normal_ms_under_500_hostile"), double(median));
    o.figures.insert(QStringLiteral("normal_ms_under_500_hostile_first"), double(first));
    o.figures.insert(QStringLiteral("normal_ms_under_500_hostile_max"), double(times.last()));
    o.detail = QStringLiteral("%1 of 500 hostile connections open (%2 not accepted, %3 still open "
                              "after); %4 normal GET /api/v1/health → %5: first %6 ms, median %7 "
                              "ms, slowest %8 ms")
                   .arg(open)
                   .arg(failed)
                   .arg(stillOpen)
                   .arg(times.size())
                   .arg(status)
                   .arg(first)
                   .arg(median)
                   .arg(times.last());
    return o;
}
