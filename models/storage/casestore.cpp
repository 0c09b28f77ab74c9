#include "casestore.h"

#include "database.h"
#include "domain/catalogue.h"

#include <QSqlQuery>
#include <QVariant>

namespace cityops {

namespace {
QString pick(const QVariant &zh, const QVariant &en)
{
    return preferChineseNames() ? zh.toString() : en.toString();
}
} // namespace

CaseStore::CaseStore(std::shared_ptr<Database> db) : m_db(std::move(db)) {}

qint64 CaseStore::caseCount() const
{
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT count(*) FROM cases")) && q.next())
        return q.value(0).toLongLong();
    return 0;
}

QString CaseStore::meta(const QString &key) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    q.addBindValue(key);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return {};
}

std::optional<CaseRecord> CaseStore::findCase(CaseId id) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "SELECT c.id, c.category, cat.name_zh, cat.name_en, c.state, c.stage, c.priority, "
        "c.source, s.name_zh, s.name_en, cm.name_zh, cm.name_en, c.grid_code, c.address, "
        "c.description, c.party, c.lon, c.lat, c.reported_at, c.deadline_at, c.closed_at, "
        "u.name_zh, u.name_en, a.name_zh, a.name_en, c.version, c.updated_at "
        "FROM cases c JOIN categories cat ON cat.code = c.category "
        "LEFT JOIN streets s ON s.id = c.street_id "
        "LEFT JOIN communities cm ON cm.id = c.community_id "
        "LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN units a ON a.id = c.assignee_id "
        "WHERE c.id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    CaseRecord r;
    r.id = q.value(0).toLongLong();
    r.categoryCode = q.value(1).toString();
    r.categoryName = pick(q.value(2), q.value(3));
    r.state = q.value(4).toString();
    r.stage = q.value(5).toInt();
    r.priority = q.value(6).toInt();
    r.source = q.value(7).toString();
    r.streetName = pick(q.value(8), q.value(9));
    r.communityName = pick(q.value(10), q.value(11));
    r.gridCode = q.value(12).toString();
    r.address = q.value(13).toString();
    r.description = q.value(14).toString();
    r.party = q.value(15).toString();
    r.lon = q.value(16).toDouble();
    r.lat = q.value(17).toDouble();
    r.reportedAt = q.value(18).toLongLong();
    r.deadlineAt = q.value(19).toLongLong();
    r.closedAt = q.value(20).toLongLong();
    r.unitName = pick(q.value(21), q.value(22));
    r.assigneeName = pick(q.value(23), q.value(24));
    r.version = q.value(25).toInt();
    r.updatedAt = q.value(26).toLongLong();
    return r;
}

QList<CaseEvent> CaseStore::events(CaseId id) const
{
    QList<CaseEvent> out;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, case_id, seq, kind, actor, role, at, device, payload, "
                             "prev_hash FROM case_events WHERE case_id = ? ORDER BY seq"));
    q.addBindValue(id);
    if (!q.exec())
        return out;
    while (q.next()) {
        CaseEvent e;
        e.id = q.value(0).toLongLong();
        e.caseId = q.value(1).toLongLong();
        e.seq = q.value(2).toInt();
        e.kind = q.value(3).toString();
        e.actor = q.value(4).toString();
        e.role = q.value(5).toString();
        e.at = q.value(6).toLongLong();
        e.device = q.value(7).toString();
        e.payload = q.value(8).toByteArray();
        e.prevHash = q.value(9).toByteArray();
        out.append(e);
    }
    return out;
}

QList<std::pair<QString, QString>> CaseStore::users() const
{
    QList<std::pair<QString, QString>> out;
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT username, display_name, role FROM users ORDER BY id"))) {
        while (q.next()) {
            const auto role = Names::role(q.value(2).toString());
            out.append({q.value(0).toString(),
                        tr("%1 — %2 (%3)")
                            .arg(q.value(0).toString(), q.value(1).toString(),
                                 role ? Names::label(*role) : q.value(2).toString())});
        }
    }
    return out;
}

QList<PendingRequest> CaseStore::pendingRequests() const
{
    QList<PendingRequest> out;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral(
            "SELECT c.id, cat.name_zh, cat.name_en, c.pending, c.stage, c.pending_to_stage, "
            "c.pending_by, c.pending_at, json_extract(e.payload, '$.reason'), "
            "coalesce(json_extract(e.payload, '$.skip'), 0), c.address FROM cases c "
            "JOIN categories cat ON cat.code = c.category LEFT JOIN case_events e ON "
            "e.case_id = c.id AND e.seq = (SELECT max(seq) FROM case_events x WHERE x.case_id = "
            "c.id AND x.kind IN ('escalate-request', 'extend-request')) WHERE c.pending IS NOT "
            "NULL ORDER BY c.pending_at, c.id")))
        return out;
    while (q.next()) {
        PendingRequest r;
        r.caseId = q.value(0).toLongLong();
        r.categoryName = pick(q.value(1), q.value(2));
        r.kind = q.value(3).toString();
        r.fromStage = q.value(4).toInt();
        r.toStage = q.value(5).toInt();
        r.requester = q.value(6).toString();
        r.at = q.value(7).toLongLong();
        r.reason = q.value(8).toString();
        r.skip = q.value(9).toInt() != 0;
        r.address = q.value(10).toString();
        out.append(r);
    }
    return out;
}

QList<CaseRow> CaseStore::listPage(CaseSort sort, Qt::SortOrder order, qint64 offset,
                                   int limit) const
{
    const bool zh = preferChineseNames();
    QString key;
    switch (sort) {
    case CaseSort::Id:
        key = QStringLiteral("c.id");
        break;
    case CaseSort::Category:
        key = QStringLiteral("c.category");
        break;
    case CaseSort::Street:
        key = QStringLiteral("c.street_id");
        break;
    case CaseSort::Address:
        key = QStringLiteral("c.address");
        break;
    case CaseSort::State:
        key = QStringLiteral("c.state");
        break;
    case CaseSort::Deadline:
        key = QStringLiteral("coalesce(c.deadline_at, 9e18)");
        break;
    }
    const QString dir =
        order == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC");
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT c.id, c.category, %1, %2, c.address, c.state, c.deadline_at "
                             "FROM cases c JOIN categories cat ON cat.code = c.category "
                             "LEFT JOIN streets s ON s.id = c.street_id "
                             "ORDER BY %3 %4, c.id %4 LIMIT ? OFFSET ?")
                  .arg(zh ? QStringLiteral("cat.name_zh") : QStringLiteral("cat.name_en"),
                       zh ? QStringLiteral("s.name_zh") : QStringLiteral("s.name_en"), key, dir));
    q.addBindValue(limit);
    q.addBindValue(offset);
    QList<CaseRow> out;
    if (!q.exec())
        return out;
    out.reserve(limit);
    while (q.next()) {
        out.append({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                    q.value(3).toString(), q.value(4).toString(), q.value(5).toString(),
                    q.value(6).toLongLong()});
    }
    return out;
}

} // namespace cityops
