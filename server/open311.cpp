#include "open311.h"

#include "districtarea.h"
#include "domain/catalogue.h"
#include "platformservice.h"
#include "storage/database.h"
#include "storage/platformstore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTimeZone>
#include <QUuid>

namespace cityops::platform {

namespace {

constexpr qint64 kDay = 86400000;
/** Pages of 1,000 cases a GET requests.json reads at most to find the public ones. */
constexpr int kMaxPages = 20;

/** A query value, percent-decoded whole ("1%2C2" is "1,2"); '+' stays a plus (RFC 3986). */
QString queryValue(const QUrlQuery &q, const char *key)
{
    return q.queryItemValue(QLatin1String(key), QUrl::FullyDecoded);
}

/**
 * What a rate limit counts an address as: IPv4 addresses one by one, IPv6 by /64 (one
 * subscriber's usual prefix, so rotating through it does not escape the limit).
 */
QString addressKey(const QHostAddress &a)
{
    bool v4 = false;
    const quint32 ipv4 = a.toIPv4Address(&v4);
    if (v4)
        return QHostAddress(ipv4).toString();
    Q_IPV6ADDR v6 = a.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        v6[i] = 0;
    return QHostAddress(v6).toString() + QStringLiteral("/64");
}

/** An api_key as the log may name it: never the key itself. */
QString keyTag(const QString &key)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex().left(8));
}

QJsonValue isoTime(std::optional<qint64> ms)
{
    if (!ms)
        return QJsonValue::Null;
    return QDateTime::fromMSecsSinceEpoch(*ms, QTimeZone(8 * 3600)).toString(Qt::ISODate);
}

/** An ISO 8601 date-time; one without an offset is read in Asia/Shanghai. */
std::optional<qint64> parseTime(const QString &s)
{
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!t.isValid())
        return std::nullopt;
    if (t.timeSpec() == Qt::LocalTime)
        t = QDateTime(t.date(), t.time(), QTimeZone(8 * 3600));
    return t.toMSecsSinceEpoch();
}

HttpResponse ok(int status, const QJsonArray &a)
{
    return HttpResponse::json(status, QJsonDocument(a).toJson(QJsonDocument::Compact));
}

/** application/x-www-form-urlencoded: '+' is a space, then percent-decoding (UTF-8). */
QUrlQuery parseForm(const QByteArray &body)
{
    QByteArray b = body;
    b.replace('+', ' ');
    return QUrlQuery(QString::fromUtf8(b));
}

} // namespace

Open311::Open311(PlatformService &service)
    : m_service(service), m_byAddress(service.m_options.open311AddressPerMinute),
      m_byKey(service.m_options.open311KeyPerMinute)
{
    m_clock.start();
}

bool Open311::isPublic(const sync::CaseRow &row)
{
    // As FixMyStreet: what citizens reported is public; the centre's own cases (patrol, camera,
    // hotline callers, grid workers) are not.
    return row.source == Names::key(CaseSource::Open311);
}

HttpResponse Open311::error(int status, const QString &description)
{
    return ok(status, QJsonArray{QJsonObject{{QLatin1String("code"), status},
                                             {QLatin1String("description"), description}}});
}

QJsonObject Open311::toRequest(const sync::CaseRow &row)
{
    const Category *cat = Catalogue::builtin().find(row.category);
    const bool closed =
        row.state == QLatin1String("closed") || row.state == QLatin1String("rejected");
    return {{QLatin1String("service_request_id"), QString::number(row.id)},
            {QLatin1String("status"), closed ? QLatin1String("closed") : QLatin1String("open")},
            {QLatin1String("status_notes"), Names::stateLabel(row.state)},
            {QLatin1String("service_name"), cat ? cat->nameZh : row.category},
            {QLatin1String("service_code"), row.category},
            {QLatin1String("description"), row.description},
            {QLatin1String("agency_responsible"), cat ? cat->responsibleUnit : QString()},
            {QLatin1String("service_notice"), QString()},
            {QLatin1String("requested_datetime"), isoTime(row.reportedAt)},
            {QLatin1String("updated_datetime"), isoTime(row.updatedAt)},
            {QLatin1String("expected_datetime"), isoTime(closed ? std::nullopt : row.deadlineAt)},
            {QLatin1String("address"), row.address},
            {QLatin1String("address_id"), QJsonValue::Null},
            {QLatin1String("zipcode"), QJsonValue::Null},
            {QLatin1String("lat"), row.lat},
            {QLatin1String("long"), row.lon},
            {QLatin1String("media_url"), QJsonValue::Null}};
}

HttpResponse Open311::services(const HttpRequest &) const
{
    QJsonArray out;
    const Catalogue &catalogue = Catalogue::builtin();
    for (const Category &c : catalogue.categories()) {
        const MajorCategory *major = catalogue.findMajor(c.majorCode);
        out.append(QJsonObject{{QLatin1String("service_code"), c.code},
                               {QLatin1String("service_name"), c.nameZh},
                               {QLatin1String("description"), c.filingCondition},
                               {QLatin1String("metadata"), false},
                               {QLatin1String("type"), QLatin1String("realtime")},
                               {QLatin1String("keywords"), c.nameEn},
                               {QLatin1String("group"), major ? major->nameZh : c.majorCode}});
    }
    return ok(200, out);
}

HttpResponse Open311::requests(const HttpRequest &request) const
{
    const QUrlQuery &q = request.query;
    RequestFilter f;
    if (q.hasQueryItem(QStringLiteral("service_request_id"))) {
        const QStringList ids =
            queryValue(q, "service_request_id").split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (ids.isEmpty() || ids.size() > 1000)
            return error(400, tr("service_request_id takes 1 to 1000 ids separated by commas."));
        for (const QString &s : ids) {
            bool isNumber = false;
            const CaseId id = s.trimmed().toLongLong(&isNumber);
            if (!isNumber || id <= 0)
                return error(400, tr("service_request_id: \"%1\" is not a request id.").arg(s));
            f.ids.append(id);
        }
    } else {
        f.serviceCode = queryValue(q, "service_code").trimmed();
        if (!f.serviceCode.isEmpty() && !Catalogue::builtin().find(f.serviceCode))
            return error(400, tr("service_code: there is no service \"%1\".").arg(f.serviceCode));
        for (const auto &[key, target] : {std::pair{QStringLiteral("start_date"), &f.from},
                                          std::pair{QStringLiteral("end_date"), &f.to}}) {
            if (!q.hasQueryItem(key))
                continue;
            const QString v = q.queryItemValue(key, QUrl::FullyDecoded).trimmed();
            *target = parseTime(v);
            if (!*target)
                return error(400, tr("%1: \"%2\" is not an ISO 8601 date-time.").arg(key, v));
        }
        if (q.hasQueryItem(QStringLiteral("status"))) {
            bool open = false, closed = false;
            for (const QString &s :
                 queryValue(q, "status").split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                if (s.trimmed() == QLatin1String("open"))
                    open = true;
                else if (s.trimmed() == QLatin1String("closed"))
                    closed = true;
                else
                    return error(400, tr("status: \"%1\" is neither open nor closed.").arg(s));
            }
            if (open != closed)
                f.closed = closed;
        }
        // Without a date range: the last 90 days, at most 1,000 requests (the standard's rule).
        if (!f.from && !f.to)
            f.from = m_service.now() - 90 * kDay;
    }
    // Only public cases are listed. The store filters by everything else, so read its pages
    // (newest first) until 1,000 public ones are found, the cases run out or kMaxPages is read.
    QJsonArray out;
    QSet<CaseId> seen;
    RequestFilter page = f;
    for (int n = 0; n < kMaxPages; ++n) {
        auto rows = m_service.store().requests(page);
        if (!rows)
            return error(500, rows.error());
        for (const sync::CaseRow &r : std::as_const(*rows)) {
            if (out.size() < f.limit && isPublic(r) && !seen.contains(r.id))
                out.append(toRequest(r));
            seen.insert(r.id);
        }
        if (!f.ids.isEmpty() || rows->size() < page.limit || out.size() >= f.limit)
            break;
        // The next page: up to the oldest time seen, which it repeats (`seen` skips those).
        const qint64 oldest = rows->last().reportedAt;
        if (page.to == oldest)
            break; // a page's worth of cases at one instant: no way past it
        page.to = oldest;
    }
    return ok(200, out);
}

HttpResponse Open311::request(const HttpRequest &, const QString &idText) const
{
    bool isNumber = false;
    const CaseId id = idText.toLongLong(&isNumber);
    if (!isNumber || id <= 0)
        return error(400, tr("\"%1\" is not a request id.").arg(idText));
    // A case that is not public answers as one that does not exist.
    const auto row = m_service.store().caseRow(id);
    if (!row || !isPublic(*row))
        return error(404, tr("There is no request %1.").arg(id));
    return ok(200, QJsonArray{toRequest(*row)});
}

std::optional<HttpResponse> Open311::limit(const HttpRequest &request, const QString &key,
                                           bool validKey)
{
    const QHostAddress from = m_service.clientAddress(request);
    // A valid key is a partner's gateway posting for many citizens: limited as a whole. Without
    // one, each address is limited, so failed key guesses are limited too.
    RateLimiter &limiter = validKey ? m_byKey : m_byAddress;
    const RateLimiter::Decision d =
        limiter.take(validKey ? key : addressKey(from), m_clock.elapsed());
    if (d.allowed)
        return std::nullopt;
    const qint64 seconds = std::max<qint64>(1, (d.retryAfterMs + 999) / 1000);
    // One line when a client starts being refused, not one for each refused request.
    if (d.firstRefusal)
        m_service.securityEvent(QStringLiteral("open311.limited"), QString(), from,
                                validKey
                                    ? QStringLiteral("api_key %1: over %2 POSTs a minute")
                                          .arg(keyTag(key))
                                          .arg(limiter.perMinute())
                                    : QStringLiteral("over %1 POSTs a minute from this address")
                                          .arg(limiter.perMinute()));
    HttpResponse r = error(429, tr("Too many requests; try again in %n second(s).", nullptr,
                                   int(std::min<qint64>(seconds, 3600))));
    r.addHeader("Retry-After", QByteArray::number(seconds));
    return r;
}

HttpResponse Open311::post(const HttpRequest &request)
{
    const QByteArray type = request.header("Content-Type");
    const bool isForm = type.startsWith("application/x-www-form-urlencoded");
    const QUrlQuery form = isForm ? parseForm(request.body) : QUrlQuery();
    auto field = [&](const char *key) {
        return form.queryItemValue(QLatin1String(key), QUrl::FullyDecoded).trimmed();
    };
    const QStringList &keys = m_service.m_options.open311Keys;
    const QString key = field("api_key");
    const bool validKey = !key.isEmpty() && keys.contains(key);
    // Every POST counts, well-formed or not, before anything else is looked at.
    if (auto limited = limit(request, key, validKey))
        return *limited;
    // With keys configured, everyone needs one; without, only loopback may post (a local
    // citizen-report gateway in front of the platform; docs/security.md).
    const QHostAddress from = m_service.clientAddress(request);
    if (!validKey && (!keys.isEmpty() || !from.isLoopback())) {
        m_service.securityEvent(
            QStringLiteral("open311.refused"), QString(), from,
            key.isEmpty() ? QStringLiteral("POST without api_key")
                          : QStringLiteral("POST with an unknown api_key (%1)").arg(keyTag(key)));
        return error(403, tr("api_key is missing or unknown."));
    }
    if (!isForm)
        return error(400, tr("Send the request form-encoded "
                             "(application/x-www-form-urlencoded)."));
    sync::ClientCommand c;
    c.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    c.action = QStringLiteral("report");
    c.device = QLatin1String(DistrictArea::kOpen311Device);
    c.source = Names::key(CaseSource::Open311);
    c.category = field("service_code");
    const Category *cat = Catalogue::builtin().find(c.category);
    if (c.category.isEmpty())
        return error(400, tr("service_code is required."));
    if (!cat)
        return error(400, tr("service_code: there is no service \"%1\".").arg(c.category));
    bool latOk = false, lonOk = false;
    c.lat = field("lat").toDouble(&latOk);
    c.lon = field("long").toDouble(&lonOk);
    if (!latOk || !lonOk)
        return error(400, tr("lat and long are required (WGS-84 degrees); this service has no "
                             "address lookup."));
    // Checked here too (not only when the case is filed), so a refused position leaves no trace.
    if (const auto outside = m_service.district().refusal(c.lon, c.lat))
        return error(400, *outside);
    c.address = field("address_string");
    c.description = field("description");
    if (c.address.size() > sync::kMaxShortChars)
        return error(400,
                     tr("address_string is longer than %1 characters.").arg(sync::kMaxShortChars));
    if (c.description.size() > sync::kMaxTextChars)
        return error(400, tr("description is longer than %1 characters.").arg(sync::kMaxTextChars));
    if (c.description.isEmpty())
        c.description = cat->nameZh;
    c.clientAt = m_service.now();

    // A citizen is not a user: reports are filed by the gateway account of the demo data.
    Account gateway;
    gateway.username = QStringLiteral("open311");
    gateway.role = Role::Operator;
    Transaction tx(m_service.store().database());
    if (!tx.isActive())
        return error(503, tr("The service is busy; try again."));
    bool failed = false;
    const sync::CommandResult r =
        m_service.execute(c, gateway, &failed, PlatformService::Channel::Open311);
    // The form was checked above, so only the workflow's own rejection is the citizen's fault
    // (400). A report the store could not take ("error": the case repository failed) is the
    // server's: 503, and nothing of it is kept (the transaction rolls back).
    const bool stored =
        !failed && !(r.status == sync::CommandStatus::Rejected && r.code == QLatin1String("error"));
    if (!stored || !tx.commit())
        return error(503, tr("The request could not be stored; try again."));
    if (r.status != sync::CommandStatus::Applied)
        return error(400, r.reason);
    emit m_service.commandsApplied(m_service.store().lastChangeSeq());
    m_service.answerWaiters();
    return ok(201, QJsonArray{
                       QJsonObject{{QLatin1String("service_request_id"), QString::number(r.caseId)},
                                   {QLatin1String("service_notice"), QString()},
                                   {QLatin1String("account_id"), QJsonValue::Null}}});
}

} // namespace cityops::platform
