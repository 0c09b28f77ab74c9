#pragma once

// The hostile-client suite (issue 18): attacks on a real cityops-platform on loopback, directly
// or through nginx. Each attack file registers its attacks with CITYOPS_ATTACK; the runner
// (hostile_main.cpp) starts the platform (a small demo district), runs every attack, prints one
// line per attack and, last, one JSON object: attacks tried and refused, peak RSS growth.
//
// An attack is "refused" when the platform (or the proxy in front of it) did what a trusted
// server does: answered with the right refusal, closed the connection, or kept the data safe.
// An attack returns the evidence in `detail`, so a failure says what got through.

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace cityops::hostile {

/** What the attacks aim at. */
struct Target
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 0;       ///< the platform's port, or nginx's when `viaProxy`
    quint16 directPort = 0; ///< the platform's own port (equal to `port` without a proxy)
    bool viaProxy = false;  ///< nginx (deploy/nginx) sits in front
    /** `port` speaks TLS (nginx in front terminates it). RawConnection and request() handle it;
     *  an attack that opens its own sockets must use RawConnection (or QSslSocket) on `port`.
     *  `directPort` is always plain HTTP. */
    bool tls = false;
    qint64 platformPid = 0; ///< for RSS figures (/proc/PID/status)
    QString dataDir;        ///< the platform's --data directory
    bool sanitized = false; ///< the platform runs under ASan: memory figures are informational
    /** Demo accounts, password "demo": operator1, dispatcher1, supervisor1, field1, enforcer1,
     *  auditor1. Accounts only for sign-in attacks (each attack may lock out its own): victim1 …
     *  victim8 (role operator), password victimPassword(i). */
    static QString victimPassword(int i) { return QStringLiteral("Victim-Password-%1").arg(i); }
    /** An api_key the platform accepts for Open311 POSTs (given with --open311-keys). */
    QString open311Key = QStringLiteral("hostile-suite-key");
};

/** The result of one attack. */
struct Outcome
{
    bool refused = false;
    QString detail;               ///< what happened (status codes, sizes, …)
    qint64 peakRssGrowthKiB = -1; ///< for memory attacks: the platform's peak RSS growth
    QJsonObject figures;          ///< further figures for the summary (name → number)
};

using AttackFn = std::function<Outcome(const Target &)>;

/** Registers an attack at static-initialisation time; `group` is e.g. "http", "signin". */
struct RegisterAttack
{
    RegisterAttack(const char *group, const char *name, AttackFn run);
};

#define CITYOPS_ATTACK_CAT2(a, b) a##b
#define CITYOPS_ATTACK_CAT(a, b) CITYOPS_ATTACK_CAT2(a, b)
/** CITYOPS_ATTACK("http", "folded content-length") { ... return outcome; } */
#define CITYOPS_ATTACK(group, name)                                                                \
    static ::cityops::hostile::Outcome CITYOPS_ATTACK_CAT(attack_, __LINE__)(                      \
        const ::cityops::hostile::Target &);                                                       \
    static const ::cityops::hostile::RegisterAttack CITYOPS_ATTACK_CAT(register_, __LINE__)(       \
        group, name, &CITYOPS_ATTACK_CAT(attack_, __LINE__));                                      \
    static ::cityops::hostile::Outcome CITYOPS_ATTACK_CAT(attack_, __LINE__)(                      \
        [[maybe_unused]] const ::cityops::hostile::Target &target)

/** One registered attack (for the runner). */
struct Attack
{
    QString group;
    QString name;
    AttackFn run;
};
/** Every attack registered with CITYOPS_ATTACK, in registration order. */
const QList<Attack> &registeredAttacks();

// ---- tools (hostile.cpp) ----------------------------------------------------------------------

/** An HTTP answer read off a raw socket. status 0: no answer (connection closed or timed out). */
struct RawAnswer
{
    int status = 0;
    QByteArray head; ///< status line and headers as received
    QByteArray body;
    bool closed = false; ///< the server closed the connection
    qint64 ms = 0;       ///< time to the end of the answer
    QByteArray header(const QByteArray &name) const;
};

/**
 * A raw TCP connection to the target (blocking, for attacks). Writes bytes exactly as given, so
 * malformed requests can be sent; reads an answer with a deadline.
 */
class RawConnection
{
public:
    explicit RawConnection(const Target &target, bool direct = false);
    ~RawConnection();
    bool connected() const;
    /** Writes and flushes; false when the connection is gone. */
    bool write(const QByteArray &bytes);
    /** Reads one answer (head + Content-Length body), or until close or `timeoutMs`. */
    RawAnswer read(int timeoutMs = 5000);
    /** Whether the server closed the connection within `timeoutMs`. */
    bool waitClosed(int timeoutMs);
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/** One complete request (Content-Length set when there is a body); `token` adds Bearer. */
RawAnswer request(const Target &target, const QByteArray &method, const QByteArray &path,
                  const QByteArray &body = {},
                  const QList<QPair<QByteArray, QByteArray>> &headers = {},
                  const QByteArray &token = {}, int timeoutMs = 10000);
/** Signs in (POST /api/v1/session) as a legitimate client does: on 429 it waits as Retry-After
 *  says and tries again (for at most 30 s), since every attack comes from loopback and shares
 *  the address's sign-in limits (the proxy's, the platform's). The bearer token, or empty (with
 *  the last answer in `answer` when given). Attacks on sign-in itself send their own requests. */
QByteArray signIn(const Target &target, const QString &user, const QString &password,
                  RawAnswer *answer = nullptr);

/** The platform's resident set now, and its peak since the last resetPeakRss (KiB). */
qint64 rssKiB(qint64 pid);
qint64 peakRssKiB(qint64 pid);
/** Resets the peak (VmHWM) through /proc/PID/clear_refs; false where that is not allowed. */
bool resetPeakRss(qint64 pid);

/** Runs `attack` on `threads` threads at once; each call gets its index. */
void inParallel(int threads, const std::function<void(int)> &attack);

} // namespace cityops::hostile
