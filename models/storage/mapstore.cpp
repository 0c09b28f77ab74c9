#include "mapstore.h"

#include "casestore.h"
#include "database.h"
#include "domain/catalogue.h"

#include <QRectF>
#include <QSqlQuery>
#include <QVariant>

namespace cityops {

MapStore::MapStore(std::shared_ptr<Database> db) : m_db(std::move(db)) {}

QList<MapCasePoint> MapStore::casePoints(qint64 now, bool openOnly) const
{
    QList<MapCasePoint> out;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    const QString open = CaseStore::openStatesSql();
    q.prepare(
        QStringLiteral("SELECT id, lon, lat, CASE WHEN state NOT IN %1 THEN 3 "
                       "WHEN stage > 0 THEN 2 WHEN deadline_at < ? THEN 1 ELSE 0 END "
                       "FROM cases%2 ORDER BY id")
            .arg(open, openOnly ? QStringLiteral(" WHERE state IN %1").arg(open) : QString()));
    q.addBindValue(now);
    if (!q.exec())
        return out;
    while (q.next()) {
        out.append({q.value(0).toLongLong(), q.value(1).toDouble(), q.value(2).toDouble(),
                    CaseMarkerClass(q.value(3).toInt())});
    }
    return out;
}

QList<MapArea> MapStore::areas(AreaLevel level) const
{
    const bool zh = preferChineseNames();
    QString sql;
    switch (level) {
    case AreaLevel::Street:
        sql = QStringLiteral("SELECT code, name_zh, name_en, geometry FROM streets ORDER BY id");
        break;
    case AreaLevel::Community:
        sql =
            QStringLiteral("SELECT code, name_zh, name_en, geometry FROM communities ORDER BY id");
        break;
    case AreaLevel::Grid:
        sql = QStringLiteral("SELECT code, code, code, geometry FROM grids ORDER BY id");
        break;
    }
    QList<MapArea> out;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    if (!q.exec(sql))
        return out;
    while (q.next()) {
        out.append(
            {q.value(0).toString(), q.value(zh ? 1 : 2).toString(), q.value(3).toByteArray()});
    }
    return out;
}

QList<MapRoad> MapStore::roads() const
{
    const bool zh = preferChineseNames();
    QList<MapRoad> out;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT name_zh, name_en, kind, geometry FROM roads ORDER BY id")))
        return out;
    while (q.next())
        out.append(
            {q.value(zh ? 0 : 1).toString(), q.value(2).toString(), q.value(3).toByteArray()});
    return out;
}

QList<MapDevice> MapStore::devices() const
{
    QList<MapDevice> out;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT code, name_zh, kind, lon, lat FROM cameras ORDER BY id")))
        return out;
    while (q.next()) {
        out.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                    q.value(3).toDouble(), q.value(4).toDouble(), 0});
    }
    return out;
}

QList<MapDevice> MapStore::units() const
{
    const bool zh = preferChineseNames();
    QList<MapDevice> out;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT code, name_zh, name_en, kind, lon, lat, seen_at FROM units "
                               "WHERE lon IS NOT NULL AND lat IS NOT NULL ORDER BY id")))
        return out;
    while (q.next()) {
        out.append({q.value(0).toString(), q.value(zh ? 1 : 2).toString(), q.value(3).toString(),
                    q.value(4).toDouble(), q.value(5).toDouble(), q.value(6).toLongLong()});
    }
    return out;
}

QRectF MapStore::districtBounds() const
{
    QSqlQuery q(m_db->sql());
    if (!q.exec(QStringLiteral(
            "SELECT min(min_lon), min(min_lat), max(max_lon), max(max_lat) FROM grids")) ||
        !q.next() || q.value(0).isNull())
        return {};
    const double w = q.value(0).toDouble(), s = q.value(1).toDouble();
    return QRectF(w, s, q.value(2).toDouble() - w, q.value(3).toDouble() - s);
}

} // namespace cityops
