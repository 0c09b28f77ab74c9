#include "open311.h"

#include "domain/catalogue.h"
#include "platformservice.h"
#include "storage/database.h"
#include "storage/platformstore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>
#include <QUuid>

namespace cityops::platform {

namespace {

constexpr qint64 kDay = 86400000;

/** Shanghai's bounding box, padded to its islets (see REFERENCE.md). */
bool inServiceArea(double lon, double lat)
{
    return lon >= 120.85 && lon <= 122.25 && lat >= 30.65 && lat <= 31.90;
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
        const QStringList ids = q.queryItemValue(QStringLiteral("service_request_id"))
                                    .split(QLatin1Char(','), Qt::SkipEmptyParts);
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
        f.serviceCode = q.queryItemValue(QStringLiteral("service_code"));
        if (!f.serviceCode.isEmpty() && !Catalogue::builtin().find(f.serviceCode))
            return error(400, tr("service_code: there is no service \"%1\".").arg(f.serviceCode));
        for (const auto &[key, target] : {std::pair{QStringLiteral("start_date"), &f.from},
                                          std::pair{QStringLiteral("end_date"), &f.to}}) {
            if (!q.hasQueryItem(key))
                continue;
            const QString v = q.queryItemValue(key, QUrl::FullyDecoded);
            *target = parseTime(v);
            if (!*target)
                return error(400, tr("%1: \"%2\" is not an ISO 8601 date-time.").arg(key, v));
        }
        if (q.hasQueryItem(QStringLiteral("status"))) {
            bool open = false, closed = false;
            for (const QString &s : q.queryItemValue(QStringLiteral("status"))
                                        .split(QLatin1Char(','), Qt::SkipEmptyParts)) {
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
    auto rows = m_service.store().requests(f);
    if (!rows)
        return error(500, rows.error());
    QJsonArray out;
    for (const sync::CaseRow &r : std::as_const(*rows))
        out.append(toRequest(r));
    return ok(200, out);
}

HttpResponse Open311::request(const HttpRequest &, const QString &idText) const
{
    bool isNumber = false;
    const CaseId id = idText.toLongLong(&isNumber);
    if (!isNumber || id <= 0)
        return error(400, tr("\"%1\" is not a request id.").arg(idText));
    const auto row = m_service.store().caseRow(id);
    if (!row)
        return error(404, tr("There is no request %1.").arg(id));
    return ok(200, QJsonArray{toRequest(*row)});
}

HttpResponse Open311::post(const HttpRequest &request)
{
    const QByteArray type = request.header("Content-Type");
    if (!type.startsWith("application/x-www-form-urlencoded"))
        return error(400, tr("Send the request form-encoded "
                             "(application/x-www-form-urlencoded)."));
    const QUrlQuery form = parseForm(request.body);
    auto field = [&](const char *key) {
        return form.queryItemValue(QLatin1String(key), QUrl::FullyDecoded).trimmed();
    };
    if (!request.remote.isLoopback()) {
        const QString key = field("api_key");
        if (key.isEmpty() || !m_service.m_options.open311Keys.contains(key))
            return error(403, tr("api_key is missing or unknown."));
    }
    sync::ClientCommand c;
    c.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    c.action = QStringLiteral("report");
    c.device = QStringLiteral("open311-gateway");
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
    if (!inServiceArea(c.lon, c.lat))
        return error(400,
                     tr("lat/long %1, %2 lies outside the service area.").arg(c.lat).arg(c.lon));
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
    const sync::CommandResult r = m_service.execute(c, gateway, &failed);
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
