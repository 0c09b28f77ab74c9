// The security log (issue 18): a non-auditor reading it, and a flood of bad requests meant to
// make the log itself the denial of service (it must stay bounded and keep verifying).
#include "hostile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>

using namespace cityops::hostile;

namespace {

/** The log as the auditor sees it: lines after line `after` (at most 5000), the newest line's id,
 *  and whether the chain verifies. */
struct LogView
{
    int status = 0;
    int lines = 0;
    qint64 newest = 0;
    bool verifies = false;
};

LogView readLog(const Target &target, const QByteArray &token, qint64 after)
{
    // The auditor reads the platform directly: a proxy in front may still be rate-limiting this
    // address after the flood, and reading the log is not part of the attack.
    Target direct = target;
    direct.port = target.directPort;
    direct.tls = false;
    direct.viaProxy = false;
    const RawAnswer a =
        request(direct, "GET", "/api/v1/security-log?limit=5000&after=" + QByteArray::number(after),
                {}, {}, token);
    const QJsonObject o = QJsonDocument::fromJson(a.body).object();
    const QJsonArray lines = o.value(QLatin1String("lines")).toArray();
    return {a.status, int(lines.size()),
            lines.isEmpty() ? after
                            : lines.last().toObject().value(QLatin1String("id")).toInteger(),
            o.value(QLatin1String("chain")).toObject().value(QLatin1String("ok")).toBool()};
}

} // namespace

CITYOPS_ATTACK("log", "a non-auditor reads the security log")
{
    QStringList said;
    bool refused = true;
    for (const char *user : {"operator1", "supervisor1", "field1"}) {
        const QByteArray token = signIn(target, QLatin1String(user), QStringLiteral("demo"));
        if (token.isEmpty())
            return {false, QStringLiteral("%1 could not sign in").arg(QLatin1String(user)), -1, {}};
        for (const QByteArray &path :
             {QByteArray("/api/v1/security-log"), QByteArray("/api/v1/security-log/verify"),
              QByteArray("/api/v1/security-log?user=auditor1")}) {
            const RawAnswer a = request(target, "GET", path, {}, {}, token);
            const bool leaked = a.body.contains("\"lines\"") || a.body.contains("signin");
            refused = refused && a.status == 403 && !leaked;
            said << QStringLiteral("%1 GET %2 → %3%4")
                        .arg(QLatin1String(user), QString::fromLatin1(path))
                        .arg(a.status)
                        .arg(leaked ? QStringLiteral(" (lines in the body)") : QString());
        }
    }
    const RawAnswer anonymous = request(target, "GET", "/api/v1/security-log");
    refused = refused && anonymous.status == 401;
    said << QStringLiteral("anonymous → %1").arg(anonymous.status);
    return {refused, said.join(QStringLiteral("; ")), -1, {}};
}

CITYOPS_ATTACK("log", "2,000 bad requests to flood the security log")
{
    const QByteArray auditor = signIn(target, QStringLiteral("auditor1"), QStringLiteral("demo"));
    const QByteArray token = signIn(target, QStringLiteral("dispatcher1"), QStringLiteral("demo"));
    if (auditor.isEmpty() || token.isEmpty())
        return {false, QStringLiteral("auditor1 or dispatcher1 could not sign in"), -1, {}};
    // The newest line now (pages of 5000 by id until the end).
    LogView before{0, 5000, 0, false};
    while (before.lines == 5000)
        before = readLog(target, auditor, before.newest);
    constexpr int kThreads = 8;
    constexpr int kEach = 250;
    std::atomic<int> answered400{0};
    inParallel(kThreads, [&](int t) {
        for (int i = 0; i < kEach; ++i) {
            // Every request different, so none coalesces with another: only the rate limit helps.
            const QByteArray type = "text/x-flood-" + QByteArray::number(t * kEach + i);
            const RawAnswer a = request(target, "POST", "/api/v1/commands", "{",
                                        {{"Content-Type", type}}, token, 10000);
            if (a.status == 415 || a.status == 400 || a.status == 429)
                ++answered400;
        }
    });
    const LogView after = readLog(target, auditor, before.newest);
    // One address may write 60 lines a minute, and the flood may straddle two minutes; the rest
    // is counted in one log.suppressed line per minute.
    const int grown = after.lines;
    const bool bounded = after.status == 200 && grown <= 2 * 60 + 2 && after.verifies;
    QJsonObject figures{{QLatin1String("securityLogLinesForFlood"), grown}};
    return {
        bounded && answered400.load() == kThreads * kEach,
        QStringLiteral("%1 of %2 refused; the log grew by %3 lines (after line %4), chain %5")
            .arg(answered400.load())
            .arg(kThreads * kEach)
            .arg(grown)
            .arg(before.newest)
            .arg(after.verifies ? QStringLiteral("verifies") : QStringLiteral("does NOT verify")),
        -1, figures};
}
