#pragma once

#include "util/rng.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QUrl>

#include <functional>
#include <map>

class QTcpServer;

namespace cityops::test {

/**
 * A loopback HTTP/1.1 proxy between sync clients and the platform that misbehaves on a seeded
 * schedule: it drops requests (closes the client's connection without forwarding), delays them,
 * forwards them twice (the client gets one of the two replies), holds one back until a later
 * request went through (reorder), and cuts the client's connection after the platform answered
 * (the platform committed; the client never hears of it). Each fault is chosen per request with
 * the probabilities of Faults; setFaulty(false) turns them all off.
 *
 * It understands just enough HTTP for the platform's traffic: requests and replies framed by
 * Content-Length on keep-alive client connections (requests on one connection are handled one
 * after another); every forwarded request gets its own upstream connection.
 *
 * Threading: lives on the thread that runs its event loop; the clients may be anywhere.
 */
class FaultProxy : public QObject
{
    Q_OBJECT
public:
    /** Probability of each fault per request (the rest pass through), and the delay range. */
    struct Faults
    {
        double drop = 0.06;
        double delay = 0.15;
        double duplicate = 0.08;
        double reorder = 0.08;
        double cutAfterCommit = 0.08;
        int minDelayMs = 0;
        int maxDelayMs = 10000;
    };

    /** What the proxy did, by kind. */
    struct Stats
    {
        qint64 requests = 0;
        qint64 forwarded = 0; ///< upstream requests, duplicates included
        qint64 dropped = 0;
        qint64 delayed = 0;
        qint64 duplicated = 0;
        qint64 reordered = 0;
        qint64 cut = 0;
        qint64 cutCommands = 0; ///< cuts of POST /api/v1/commands (the platform committed)
        qint64 upstreamErrors = 0;
    };

    FaultProxy(QUrl upstream, quint64 seed, QObject *parent = nullptr);
    ~FaultProxy() override;

    /** Listens on 127.0.0.1 (a free port); the URL clients should use, or empty on failure. */
    QUrl listen();
    void setFaults(const Faults &f) { m_faults = f; }
    void setFaulty(bool on) { m_faulty = on; }
    bool faulty() const { return m_faulty; }
    Stats stats() const { return m_stats; }

signals:
    /** A whole request arrived from a client (before any fault is applied to it). */
    void requestReceived(const QByteArray &method, const QByteArray &target,
                         const QByteArray &bytes);

private:
    struct Request
    {
        QByteArray bytes; ///< head and body, as received
        QByteArray method;
        QByteArray target;
    };
    struct Connection
    {
        QPointer<QTcpSocket> socket;
        QByteArray buffer;
        QList<Request> queue;
        bool busy = false;
    };
    struct Held
    {
        quint64 connection = 0;
        Request request;
    };
    using Done = std::function<void(bool ok, const QByteArray &reply)>;

    void accept();
    void readFrom(quint64 id);
    void next(quint64 id);
    void handle(quint64 id, const Request &r);
    void forward(const Request &r, Done done);
    void reply(quint64 id, bool ok, const QByteArray &bytes);
    void cut(quint64 id);
    void releaseHeld();

    QUrl m_upstream;
    Rng m_rng;
    Faults m_faults;
    bool m_faulty = false;
    Stats m_stats;
    QTcpServer *m_server = nullptr;
    std::map<quint64, Connection> m_connections;
    quint64 m_nextId = 1;
    QList<Held> m_held;
};

/**
 * The length of the HTTP message at the start of `buffer` (head and Content-Length body), 0 when
 * it is not complete yet, -1 when it cannot be framed (a bad head, a chunked body). Replies with
 * status 1xx, 204 or 304 have no body.
 */
qsizetype httpMessageLength(const QByteArray &buffer, bool isRequest);

} // namespace cityops::test
