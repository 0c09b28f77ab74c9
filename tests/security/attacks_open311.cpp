// Open311 and report sources (issue 18, findings 5, 7 and 8): bursts of citizen reports, POSTs
// without a valid api_key from loopback, internal cases on the public GETs, encoded query values,
// and signed-in clients claiming a channel's source, a camera's device or a place outside the
// district. The runner gives the platform --open311-keys with target.open311Key and the default
// Open311 limits (10 POSTs a minute per address without a key, 120 per key).
#include "hostile.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>
#include <QUrl>
#include <QUuid>

#include <atomic>

using namespace cityops::hostile;

namespace {

constexpr int kKeyLimit = 120;    ///< --open311-key-rate's default: a burst files at most this
constexpr int kAddressLimit = 10; ///< --open311-address-rate's default
constexpr int kBurst = 200;

QByteArray form(const QList<QPair<QByteArray, QString>> &fields)
{
    QByteArrayList parts;
    for (const auto &[k, v] : fields)
        parts << k + '=' + QUrl::toPercentEncoding(v);
    return parts.join('&');
}

/** A report form at a place inside the demo district, tagged so the public GET can find it. */
QByteArray reportForm(const QString &tag, const QString &key = {})
{
    QList<QPair<QByteArray, QString>> f{{"service_code", QStringLiteral("F0101")},
                                        {"lat", QStringLiteral("31.23")},
                                        {"long", QStringLiteral("121.45")},
                                        {"description", tag}};
    if (!key.isNull())
        f.append({"api_key", key});
    return form(f);
}

RawAnswer postForm(const Target &target, const QByteArray &body)
{
    return request(target, "POST", "/open311/v2/requests.json", body,
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
}

/**
 * A POST that should be refused for its api_key. An earlier burst may have used up this
 * address's allowance (429): wait as told, once, so the key check itself is what answers.
 */
RawAnswer postAfterLimit(const Target &target, const QByteArray &body)
{
    RawAnswer a = postForm(target, body);
    if (a.status == 429) {
        const int wait = std::clamp(a.header("Retry-After").toInt(), 1, 60);
        QThread::msleep(ulong(wait) * 1000 + 200);
        a = postForm(target, body);
    }
    return a;
}

bool isOpen311Error(const RawAnswer &a, int code)
{
    const QJsonArray arr = QJsonDocument::fromJson(a.body).array();
    return a.status == code && arr.size() == 1 &&
           arr.first().toObject().value(QLatin1String("code")).toInt() == code &&
           !arr.first().toObject().value(QLatin1String("description")).toString().isEmpty();
}

/** The public list over the whole demo period. */
QJsonArray publicRequests(const Target &target)
{
    return QJsonDocument::fromJson(
               request(target, "GET",
                       "/open311/v2/requests.json?start_date=2000-01-01T00:00:00%2B08:00")
                   .body)
        .array();
}

int countTagged(const QJsonArray &list, const QString &tag)
{
    int n = 0;
    for (const QJsonValue &v : list)
        n += v.toObject().value(QLatin1String("description")).toString().startsWith(tag);
    return n;
}

/** Every case of the district as operator1 sees it (id → the case row). */
QHash<qint64, QJsonObject> allCases(const Target &target, QString *why)
{
    QHash<qint64, QJsonObject> out;
    const QByteArray token = signIn(target, QStringLiteral("operator1"), QStringLiteral("demo"));
    if (token.isEmpty()) {
        *why = QStringLiteral("operator1 could not sign in");
        return out;
    }
    const RawAnswer a = request(target, "GET", "/api/v1/snapshot?limit=5000", {}, {}, token);
    for (const QJsonValue &v :
         QJsonDocument::fromJson(a.body).object().value(QLatin1String("cases")).toArray()) {
        // Each entry is {"case": {…the row…}, "events": […], …} (sync::encodeSnapshot).
        const QJsonObject o = v.toObject().value(QLatin1String("case")).toObject();
        out.insert(o.value(QLatin1String("id")).toInteger(), o);
    }
    if (out.isEmpty())
        *why = QStringLiteral("the snapshot answered %1 with no case").arg(a.status);
    return out;
}

/** A burst of kBurst POSTs on 10 threads; counts answers by status and checks the 429s. */
struct Burst
{
    std::atomic<int> created{0}, limited{0}, refused{0}, other{0}, noRetryAfter{0};
    qint64 ms = 0;
    /** What a limit of `perMinute` lets through in this burst: the bucket, and its refill. */
    int allowance(int perMinute) const { return perMinute + int(ms * perMinute / 60000) + 1; }
};

void burst(const Target &target, const QString &tag, const QString &key, Burst &b)
{
    QElapsedTimer clock;
    clock.start();
    inParallel(10, [&](int t) {
        for (int i = 0; i < kBurst / 10; ++i) {
            const RawAnswer a = postForm(
                target, reportForm(QStringLiteral("%1 %2-%3").arg(tag).arg(t).arg(i), key));
            if (a.status == 201)
                ++b.created;
            else if (a.status == 429 || a.status == 503) { // 503: nginx's own limit, in front
                ++b.limited;
                // The platform's own 429 (Open311's error format) says when to come back.
                if (isOpen311Error(a, 429) && a.header("Retry-After").toInt() < 1)
                    ++b.noRetryAfter;
            } else if (a.status == 403)
                ++b.refused;
            else
                ++b.other;
        }
    });
    b.ms = clock.elapsed();
}

} // namespace

CITYOPS_ATTACK("open311", "api_key missing, from loopback")
{
    const RawAnswer a = postAfterLimit(target, reportForm(QStringLiteral("no key")));
    return {isOpen311Error(a, 403),
            QStringLiteral("POST requests.json without api_key → %1 %2")
                .arg(a.status)
                .arg(QString::fromUtf8(a.body.left(200))),
            -1,
            {}};
}

CITYOPS_ATTACK("open311", "api_key wrong, from loopback")
{
    const RawAnswer a = postAfterLimit(
        target, reportForm(QStringLiteral("wrong key"), target.open311Key + QStringLiteral("x")));
    const RawAnswer b =
        postAfterLimit(target, reportForm(QStringLiteral("prefix key"), target.open311Key.left(4)));
    return {isOpen311Error(a, 403) && isOpen311Error(b, 403),
            QStringLiteral("POST with a wrong api_key → %1; with a prefix of the key → %2")
                .arg(a.status)
                .arg(b.status),
            -1,
            {}};
}

CITYOPS_ATTACK("open311", "burst of 200 anonymous POSTs")
{
    const QString tag = QStringLiteral("anon-burst-") + QUuid::createUuid().toString(QUuid::Id128);
    Burst b;
    burst(target, tag, QString(), b);
    const int filed = countTagged(publicRequests(target), tag);
    // Without a key nothing is filed (keys are configured); the address's allowance answers
    // 403 for the first few, then 429 for the rest.
    const bool ok = b.created == 0 && filed == 0 &&
                    b.limited >= kBurst - b.allowance(kAddressLimit) && b.noRetryAfter == 0 &&
                    b.other == 0;
    return {ok,
            QStringLiteral("%1 POSTs: %2 created, %3 limited (%4 without Retry-After), %5 "
                           "refused (403), %6 other; %7 cases filed")
                .arg(kBurst)
                .arg(b.created.load())
                .arg(b.limited.load())
                .arg(b.noRetryAfter.load())
                .arg(b.refused.load())
                .arg(b.other.load())
                .arg(filed),
            -1,
            {{QStringLiteral("open311_anonymous_limited"), b.limited.load()}}};
}

CITYOPS_ATTACK("open311", "burst of 200 POSTs with a valid api_key")
{
    const QString tag = QStringLiteral("key-burst-") + QUuid::createUuid().toString(QUuid::Id128);
    Burst b;
    burst(target, tag, target.open311Key, b);
    const int filed = countTagged(publicRequests(target), tag);
    const int allowed = b.allowance(kKeyLimit);
    const bool ok = b.created <= allowed && filed == b.created && b.limited >= kBurst - allowed &&
                    b.noRetryAfter == 0 && b.other == 0 && b.refused == 0;
    return {ok,
            QStringLiteral("%1 keyed POSTs in %8 ms: %2 created (allowed %3), %4 limited (%5 "
                           "without Retry-After), %6 other; %7 cases filed")
                .arg(kBurst)
                .arg(b.created.load())
                .arg(allowed)
                .arg(b.limited.load())
                .arg(b.noRetryAfter.load())
                .arg(b.other.load())
                .arg(filed)
                .arg(b.ms),
            -1,
            {{QStringLiteral("open311_keyed_created"), b.created.load()}}};
}

CITYOPS_ATTACK("open311", "internal cases on the public GETs")
{
    QString why;
    const QHash<qint64, QJsonObject> cases = allCases(target, &why);
    if (cases.isEmpty())
        return {false, why, -1, {}};
    const RawAnswer list =
        request(target, "GET", "/open311/v2/requests.json?start_date=2000-01-01T00:00:00%2B08:00");
    int internalListed = 0, partiesShown = 0, internalFound = 0, internalTried = 0;
    for (const QJsonValue &v : QJsonDocument::fromJson(list.body).array()) {
        const qint64 id =
            v.toObject().value(QLatin1String("service_request_id")).toString().toLongLong();
        if (cases.value(id).value(QLatin1String("source")).toString() != QLatin1String("open311"))
            ++internalListed;
    }
    for (const QJsonObject &c : cases) {
        const QString party = c.value(QLatin1String("party")).toString();
        if (party.size() >= 2 && list.body.contains(party.toUtf8()))
            ++partiesShown;
        if (c.value(QLatin1String("source")).toString() == QLatin1String("open311") ||
            internalTried >= 20)
            continue;
        ++internalTried;
        const RawAnswer one =
            request(target, "GET",
                    "/open311/v2/requests/" +
                        QByteArray::number(c.value(QLatin1String("id")).toInteger()) + ".json");
        if (one.status != 404)
            ++internalFound;
    }
    return {list.status == 200 && internalListed == 0 && partiesShown == 0 && internalFound == 0,
            QStringLiteral("GET requests.json → %1: %2 internal cases listed, %3 party names "
                           "shown; %4 of %5 internal cases found by id")
                .arg(list.status)
                .arg(internalListed)
                .arg(partiesShown)
                .arg(internalFound)
                .arg(internalTried),
            -1,
            {}};
}

CITYOPS_ATTACK("open311", "encoded query values (service_request_id=1%2C2)")
{
    QString why;
    const QHash<qint64, QJsonObject> cases = allCases(target, &why);
    QList<qint64> open311;
    for (const QJsonObject &c : cases) {
        if (c.value(QLatin1String("source")).toString() == QLatin1String("open311"))
            open311 << c.value(QLatin1String("id")).toInteger();
    }
    std::sort(open311.begin(), open311.end());
    if (open311.size() < 2)
        return {false, why.isEmpty() ? QStringLiteral("fewer than 2 Open311 cases") : why, -1, {}};
    const QByteArray path =
        "/open311/v2/requests.json?service_request_id=" + QByteArray::number(open311.at(0)) +
        "%2C" + QByteArray::number(open311.at(1));
    const RawAnswer a = request(target, "GET", path);
    const QJsonArray got = QJsonDocument::fromJson(a.body).array();
    return {
        a.status == 200 && got.size() == 2,
        // One arg() call: the path's "%2C" must not be taken for a placeholder.
        QStringLiteral("GET %1 → %2 with %3 requests")
            .arg(QString::fromLatin1(path), QString::number(a.status), QString::number(got.size())),
        -1,
        {}};
}

CITYOPS_ATTACK("open311", "field1 reports as open311, a camera or CAM-0001, or at 0,0")
{
    const QByteArray token = signIn(target, QStringLiteral("field1"), QStringLiteral("demo"));
    if (token.isEmpty())
        return {false, QStringLiteral("field1 could not sign in"), -1, {}};
    struct Claim
    {
        QString source, device;
        double lon, lat;
        QString code;
    };
    const QList<Claim> claims{
        {QStringLiteral("open311"), QStringLiteral("open311-gateway"), 121.47, 31.25,
         QStringLiteral("source-not-allowed")},
        {QStringLiteral("camera"), QStringLiteral("CAM-0001"), 121.47, 31.25,
         QStringLiteral("source-not-allowed")},
        {QStringLiteral("grid_worker"), QStringLiteral("CAM-0001"), 121.47, 31.25,
         QStringLiteral("device-not-allowed")},
        {QStringLiteral("grid_worker"), QStringLiteral("field-app"), 0, 0,
         QStringLiteral("outside-area")},
    };
    QJsonArray commands;
    for (const Claim &c : claims)
        commands.append(
            QJsonObject{{QLatin1String("id"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                        {QLatin1String("action"), QLatin1String("report")},
                        {QLatin1String("device"), c.device},
                        {QLatin1String("clientAt"), 1},
                        {QLatin1String("baseVersion"), 0},
                        {QLatin1String("category"), QLatin1String("F0101")},
                        {QLatin1String("lon"), c.lon},
                        {QLatin1String("lat"), c.lat},
                        {QLatin1String("description"), QStringLiteral("claimed %1").arg(c.source)},
                        {QLatin1String("source"), c.source}});
    const RawAnswer a = request(target, "POST", "/api/v1/commands",
                                QJsonDocument(QJsonObject{{QLatin1String("commands"), commands}})
                                    .toJson(QJsonDocument::Compact),
                                {}, token);
    const QJsonArray results =
        QJsonDocument::fromJson(a.body).object().value(QLatin1String("results")).toArray();
    QStringList said;
    bool refused = a.status == 200 && results.size() == claims.size();
    for (qsizetype i = 0; i < results.size() && i < claims.size(); ++i) {
        const QJsonObject r = results.at(i).toObject();
        const QString status = r.value(QLatin1String("status")).toString();
        const QString code = r.value(QLatin1String("code")).toString();
        said << QStringLiteral("%1/%2 at %3,%4 → %5 %6")
                    .arg(claims.at(i).source, claims.at(i).device)
                    .arg(claims.at(i).lon)
                    .arg(claims.at(i).lat)
                    .arg(status, code);
        refused = refused && status == QLatin1String("rejected") && code == claims.at(i).code;
    }
    return {refused,
            QStringLiteral("POST /api/v1/commands as field1 → %1: %2")
                .arg(a.status)
                .arg(said.join(QStringLiteral("; "))),
            -1,
            {}};
}
