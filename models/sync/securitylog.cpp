#include "securitylog.h"

#include "protocol.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cityops::sync {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(SecurityLog)
};

QJsonObject verificationJson(const SecurityLogVerification &v)
{
    QJsonObject o{{QLatin1String("ok"), v.ok},
                  {QLatin1String("lines"), v.lines},
                  {QLatin1String("anchorId"), v.anchorId}};
    if (v.firstBad)
        o.insert(QLatin1String("firstBad"), v.firstBad);
    if (!v.message.isEmpty())
        o.insert(QLatin1String("message"), v.message);
    return o;
}

SecurityLogVerification verificationFrom(const QJsonObject &o)
{
    SecurityLogVerification v;
    v.ok = o.value(QLatin1String("ok")).toBool();
    v.lines = o.value(QLatin1String("lines")).toInteger();
    v.anchorId = o.value(QLatin1String("anchorId")).toInteger();
    v.firstBad = o.value(QLatin1String("firstBad")).toInteger();
    v.message = o.value(QLatin1String("message")).toString();
    return v;
}

} // namespace

std::optional<qint64> SecurityLogQuery::parseTime(const QString &s)
{
    const QString t = s.trimmed();
    if (t.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 ms = t.toLongLong(&ok);
    if (ok)
        return ms >= 0 ? std::optional<qint64>(ms) : std::nullopt;
    QDateTime d = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!d.isValid())
        d = QDateTime::fromString(t, Qt::ISODate);
    if (!d.isValid()) {
        // A date alone: its midnight, UTC.
        const QDate day = QDate::fromString(t, Qt::ISODate);
        if (!day.isValid())
            return std::nullopt;
        d = day.startOfDay(Qt::UTC);
    }
    if (d.timeSpec() == Qt::LocalTime)
        d.setTimeSpec(Qt::UTC);
    return d.toMSecsSinceEpoch();
}

QUrlQuery SecurityLogQuery::toUrlQuery() const
{
    QUrlQuery q;
    if (from)
        q.addQueryItem(QStringLiteral("from"), QString::number(*from));
    if (to)
        q.addQueryItem(QStringLiteral("to"), QString::number(*to));
    if (!user.isEmpty())
        q.addQueryItem(QStringLiteral("user"), QString::fromLatin1(QUrl::toPercentEncoding(user)));
    if (!address.isEmpty())
        q.addQueryItem(QStringLiteral("address"),
                       QString::fromLatin1(QUrl::toPercentEncoding(address)));
    if (!kind.isEmpty())
        q.addQueryItem(QStringLiteral("kind"), QString::fromLatin1(QUrl::toPercentEncoding(kind)));
    q.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    if (before > 0)
        q.addQueryItem(QStringLiteral("before"), QString::number(before));
    if (after)
        q.addQueryItem(QStringLiteral("after"), QString::number(*after));
    return q;
}

Result<SecurityLogQuery> SecurityLogQuery::fromUrlQuery(const QUrlQuery &q)
{
    SecurityLogQuery r;
    auto value = [&](const char *name) {
        return q.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
    };
    for (const char *name : {"from", "to"}) {
        if (!q.hasQueryItem(QLatin1String(name)))
            continue;
        const auto t = parseTime(value(name));
        if (!t)
            return Error{Tr::tr("%1 must be a time: ISO 8601 (e.g. 2026-12-08T09:00:00Z) or UTC "
                                "milliseconds.")
                             .arg(QLatin1String(name))};
        (qstrcmp(name, "from") == 0 ? r.from : r.to) = *t;
    }
    r.user = value("user");
    r.address = value("address");
    r.kind = value("kind");
    if (r.user.size() > 200 || r.address.size() > 200 || r.kind.size() > 100)
        return Error{Tr::tr("user, address and kind are at most 200, 200 and 100 characters.")};
    if (q.hasQueryItem(QStringLiteral("limit"))) {
        bool ok = false;
        r.limit = value("limit").toInt(&ok);
        if (!ok || r.limit < 1 || r.limit > kMaxLimit)
            return Error{Tr::tr("limit must be a number from 1 to %1.").arg(kMaxLimit)};
    }
    for (const char *name : {"before", "after"}) {
        if (!q.hasQueryItem(QLatin1String(name)))
            continue;
        bool ok = false;
        const qint64 id = value(name).toLongLong(&ok);
        if (!ok || id < 0)
            return Error{Tr::tr("%1 must be a line id.").arg(QLatin1String(name))};
        if (qstrcmp(name, "before") == 0)
            r.before = id;
        else
            r.after = id;
    }
    return r;
}

QByteArray encodeSecurityLog(const SecurityLogPage &page)
{
    QJsonArray lines;
    for (const SecurityLogEntry &e : page.entries)
        lines.append(
            QJsonObject{{QLatin1String("id"), e.id},
                        {QLatin1String("at"), e.at},
                        {QLatin1String("time"),
                         QDateTime::fromMSecsSinceEpoch(e.at, Qt::UTC).toString(Qt::ISODateWithMs)},
                        {QLatin1String("kind"), e.kind},
                        {QLatin1String("user"), e.user},
                        {QLatin1String("address"), e.address},
                        {QLatin1String("detail"), e.detail},
                        {QLatin1String("count"), e.count},
                        {QLatin1String("prevHash"), QString::fromLatin1(e.prevHash.toHex())},
                        {QLatin1String("hash"), QString::fromLatin1(e.hash.toHex())}});
    QJsonObject o{{QLatin1String("lines"), lines},
                  {QLatin1String("chain"), verificationJson(page.chain)}};
    o.insert(QLatin1String("next"), page.next ? QJsonValue(page.next) : QJsonValue());
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<SecurityLogPage> decodeSecurityLog(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    const QJsonValue lines = o->value(QLatin1String("lines"));
    if (!lines.isArray())
        return Error{Tr::tr("lines: expected an array")};
    SecurityLogPage page;
    for (const QJsonValue &v : lines.toArray()) {
        const QJsonObject l = v.toObject();
        SecurityLogEntry e;
        e.id = l.value(QLatin1String("id")).toInteger();
        e.at = l.value(QLatin1String("at")).toInteger();
        e.kind = l.value(QLatin1String("kind")).toString();
        e.user = l.value(QLatin1String("user")).toString();
        e.address = l.value(QLatin1String("address")).toString();
        e.detail = l.value(QLatin1String("detail")).toString();
        e.count = l.value(QLatin1String("count")).toInt(1);
        e.prevHash = QByteArray::fromHex(l.value(QLatin1String("prevHash")).toString().toLatin1());
        e.hash = QByteArray::fromHex(l.value(QLatin1String("hash")).toString().toLatin1());
        if (e.id <= 0 || e.kind.isEmpty())
            return Error{Tr::tr("lines: a line without id or kind")};
        page.entries.append(std::move(e));
    }
    page.next = o->value(QLatin1String("next")).toInteger();
    page.chain = verificationFrom(o->value(QLatin1String("chain")).toObject());
    return page;
}

QByteArray encodeVerification(const SecurityLogVerification &v)
{
    return QJsonDocument(verificationJson(v)).toJson(QJsonDocument::Compact);
}

Result<SecurityLogVerification> decodeVerification(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    if (!o->value(QLatin1String("ok")).isBool())
        return Error{Tr::tr("ok: expected true or false")};
    return verificationFrom(*o);
}

} // namespace cityops::sync
