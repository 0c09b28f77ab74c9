#include "casestore.h"

#include "database.h"
#include "domain/catalogue.h"
#include "searchindex.h"

#include <QSqlQuery>

#include <QVariant>
#include <algorithm>
#include <cmath>

namespace cityops {

namespace {
const char *kOpenStates = "('reported', 'registered', 'dispatched', 'handling', 'feedback', "
                          "'verified', 'returned')";

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

QString CaseStore::syncState(const QString &key) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT value FROM sync_state WHERE key = ?"));
    q.addBindValue(key);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
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

QLatin1String CaseStore::openStatesSql()
{
    return QLatin1String(kOpenStates);
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

QList<CaseStore::Duplicate> CaseStore::duplicateCandidates(CaseId id, double radiusM,
                                                           int windowMin) const
{
    QList<Duplicate> out;
    QSqlQuery me(m_db->sql());
    me.prepare(QStringLiteral("SELECT category, lon, lat, reported_at FROM cases WHERE id = ?"));
    me.addBindValue(id);
    if (!me.exec() || !me.next())
        return out;
    const double lon = me.value(1).toDouble(), lat = me.value(2).toDouble();
    const qint64 at = me.value(3).toLongLong();
    const double dLat = radiusM / 110574.0;
    const double dLon = radiusM / (111320.0 * std::cos(lat * M_PI / 180));
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "SELECT id, lon, lat, reported_at, state FROM cases WHERE category = ? AND lat BETWEEN ? "
        "AND ? AND lon BETWEEN ? AND ? AND reported_at BETWEEN ? AND ? AND id != ? AND NOT "
        "(state = 'closed' AND id IN (SELECT case_id FROM case_events WHERE kind = "
        "'mark-duplicate' AND case_id = cases.id)) ORDER BY reported_at DESC LIMIT 10"));
    q.addBindValue(me.value(0));
    q.addBindValue(lat - dLat);
    q.addBindValue(lat + dLat);
    q.addBindValue(lon - dLon);
    q.addBindValue(lon + dLon);
    q.addBindValue(at - qint64(windowMin) * 60000);
    q.addBindValue(at + qint64(windowMin) * 60000);
    q.addBindValue(id);
    if (!q.exec())
        return out;
    while (q.next()) {
        const double x = (q.value(1).toDouble() - lon) * 111320.0 * std::cos(lat * M_PI / 180);
        const double y = (q.value(2).toDouble() - lat) * 110574.0;
        const double m = std::hypot(x, y);
        if (m <= radiusM)
            out.append({q.value(0).toLongLong(), m, std::abs(q.value(3).toLongLong() - at) / 60000,
                        q.value(4).toString()});
    }
    return out;
}

QList<std::pair<qint64, QString>> CaseStore::streets() const
{
    QList<std::pair<qint64, QString>> out;
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT id, name_zh, name_en FROM streets ORDER BY id"))) {
        while (q.next())
            out.append({q.value(0).toLongLong(), pick(q.value(1), q.value(2))});
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

namespace {

QString sortKey(CaseSort sort, bool zh)
{
    switch (sort) {
    case CaseSort::Id:
        return QStringLiteral("c.id");
    case CaseSort::Category:
        return QStringLiteral("c.category");
    case CaseSort::Place:
        return QStringLiteral("c.street_id, c.grid_code");
    case CaseSort::Address:
        return QStringLiteral("c.address");
    case CaseSort::State:
        return QStringLiteral("c.state");
    case CaseSort::Stage:
        return QStringLiteral("c.stage");
    case CaseSort::Priority:
        return QStringLiteral("c.priority");
    case CaseSort::Deadline:
        return QStringLiteral("coalesce(c.deadline_at, 9e18)");
    case CaseSort::Assignee:
        return QStringLiteral("c.assignee_code");
    case CaseSort::Age:
        return QStringLiteral("c.reported_at");
    case CaseSort::Source:
        return QStringLiteral("c.source");
    }
    Q_UNUSED(zh);
    return QStringLiteral("c.id");
}

void bindAll(QSqlQuery &q, const QVariantList &binds)
{
    for (const QVariant &v : binds)
        q.addBindValue(v);
}
} // namespace

QString CaseStore::where(const CaseQuery &qr, QVariantList &binds) const
{
    QStringList w;
    switch (qr.queue) {
    case Queue::All:
        break;
    case Queue::Intake:
        w << QStringLiteral("c.state = 'reported'");
        break;
    case Queue::Dispatch:
        w << QStringLiteral("c.state IN ('registered', 'returned')");
        break;
    case Queue::InProgress:
        w << QStringLiteral("c.state IN ('dispatched', 'handling')");
        break;
    case Queue::Verify:
        w << QStringLiteral("c.state IN ('feedback', 'verified')");
        break;
    case Queue::Approval:
        w << QStringLiteral("c.pending IS NOT NULL");
        break;
    case Queue::Overdue:
        w << QStringLiteral("c.state IN %1 AND c.deadline_at < ?").arg(QLatin1String(kOpenStates));
        binds << qr.now;
        break;
    case Queue::Shelved:
        w << QStringLiteral("c.state = 'shelved'");
        break;
    case Queue::Closed:
        w << QStringLiteral("c.state IN ('closed', 'rejected')");
        break;
    case Queue::Mine:
        w << QStringLiteral("(c.assignee_code = ? OR c.pending_by = ?)");
        binds << qr.me << qr.me;
        break;
    }
    if (!qr.ids.isEmpty()) {
        // Whole numbers only, so the list can be inlined (no bind-parameter limit).
        QStringList ids;
        ids.reserve(qr.ids.size());
        for (qint64 id : qr.ids)
            ids << QString::number(id);
        w << QStringLiteral("c.id IN (%1)").arg(ids.join(QLatin1Char(',')));
    }
    if (qr.streetId) {
        w << QStringLiteral("c.street_id = ?");
        binds << qr.streetId;
    }
    if (!qr.category.isEmpty()) {
        if (qr.category.size() == 5) {
            w << QStringLiteral("c.category = ?");
            binds << qr.category;
        } else {
            w << QStringLiteral("c.category >= ? AND c.category < ?");
            binds << qr.category << qr.category + QStringLiteral("\uffff");
        }
    }
    if (!qr.gridCode.isEmpty()) {
        w << QStringLiteral("c.grid_code = ?");
        binds << qr.gridCode;
    }
    if (!qr.unitCode.isEmpty()) {
        w << QStringLiteral(
            "(c.assignee_code = ? OR c.unit_id = (SELECT id FROM units WHERE code = ?))");
        binds << qr.unitCode << qr.unitCode;
    }
    if (qr.stage >= 0) {
        w << QStringLiteral("c.stage = ?");
        binds << qr.stage;
    }
    if (!qr.source.isEmpty()) {
        w << QStringLiteral("c.source = ?");
        binds << qr.source;
    }
    if (qr.priority > 0) {
        w << QStringLiteral("c.priority = ?");
        binds << qr.priority;
    }
    if (qr.from) {
        w << QStringLiteral("c.reported_at >= ?");
        binds << qr.from;
    }
    if (qr.to) {
        w << QStringLiteral("c.reported_at < ?");
        binds << qr.to;
    }
    if (const QString text = SearchIndex::clause(*m_db, qr.text, binds); !text.isEmpty())
        w << text;
    return w.isEmpty() ? QString() : QStringLiteral(" WHERE ") + w.join(QStringLiteral(" AND "));
}

QString CaseStore::countSql(const CaseQuery &query, QVariantList &binds) const
{
    // A plain state queue is answered by the counters the triggers keep, not by counting.
    CaseQuery plain;
    plain.queue = query.queue;
    plain.now = query.now;
    plain.me = query.me;
    if (query == plain && query.queue != Queue::Overdue && query.queue != Queue::Mine) {
        QStringList keys;
        switch (query.queue) {
        case Queue::All:
            keys << QStringLiteral("all");
            break;
        case Queue::Intake:
            keys << QStringLiteral("state:reported");
            break;
        case Queue::Dispatch:
            keys << QStringLiteral("state:registered") << QStringLiteral("state:returned");
            break;
        case Queue::InProgress:
            keys << QStringLiteral("state:dispatched") << QStringLiteral("state:handling");
            break;
        case Queue::Verify:
            keys << QStringLiteral("state:feedback") << QStringLiteral("state:verified");
            break;
        case Queue::Approval:
            keys << QStringLiteral("pending");
            break;
        case Queue::Shelved:
            keys << QStringLiteral("state:shelved");
            break;
        case Queue::Closed:
            keys << QStringLiteral("state:closed") << QStringLiteral("state:rejected");
            break;
        case Queue::Overdue:
        case Queue::Mine:
            break;
        }
        return QStringLiteral("SELECT coalesce(sum(n), 0) FROM queue_counts WHERE queue IN ('%1')")
            .arg(keys.join(QStringLiteral("', '")));
    }
    // Search results are counted up to the cap only; the cap shows as "10,000+".
    if (!query.text.trimmed().isEmpty())
        return QStringLiteral("SELECT count(*) FROM (SELECT 1 %1 LIMIT %2)")
            .arg(searchFrom(query, binds))
            .arg(SearchIndex::kCountCap + 1);
    return QStringLiteral("SELECT count(*) FROM cases c") + where(query, binds);
}

qint64 CaseStore::count(const CaseQuery &query) const
{
    QVariantList binds;
    QSqlQuery q(m_db->sql());
    q.prepare(countSql(query, binds));
    bindAll(q, binds);
    return q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

QString CaseStore::searchFrom(const CaseQuery &query, QVariantList &binds) const
{
    // With the index complete, drive the search from the FTS table (it can walk its matches in
    // id order, so a LIMIT stops early); otherwise the generic clause also scans the rows the
    // indexer has not reached yet.
    if (SearchIndex::backlog(*m_db) > 0)
        return QStringLiteral("FROM cases c") + where(query, binds);
    const auto [table, expr] = SearchIndex::match(query.text);
    CaseQuery rest = query;
    rest.text.clear();
    QVariantList restBinds;
    QString w = where(rest, restBinds);
    if (!w.isEmpty())
        w.replace(0, 7, QStringLiteral(" AND "));
    binds << expr;
    binds += restBinds;
    return QStringLiteral("FROM %1 f JOIN cases c ON c.id = f.rowid WHERE f.%1 MATCH ?%2")
        .arg(table, w);
}

QHash<Queue, qint64> CaseStore::queueCounts(const QString &me, qint64 now) const
{
    QHash<QString, qint64> n;
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT queue, n FROM queue_counts"))) {
        while (q.next())
            n.insert(q.value(0).toString(), q.value(1).toLongLong());
    }
    auto st = [&](const char *s) {
        return n.value(QStringLiteral("state:") + QLatin1String(s));
    };
    QHash<Queue, qint64> out;
    out[Queue::All] = n.value(QStringLiteral("all"));
    out[Queue::Intake] = st("reported");
    out[Queue::Dispatch] = st("registered") + st("returned");
    out[Queue::InProgress] = st("dispatched") + st("handling");
    out[Queue::Verify] = st("feedback") + st("verified");
    out[Queue::Approval] = n.value(QStringLiteral("pending"));
    out[Queue::Shelved] = st("shelved");
    out[Queue::Closed] = st("closed") + st("rejected");
    CaseQuery overdue;
    overdue.queue = Queue::Overdue;
    overdue.now = now;
    out[Queue::Overdue] = count(overdue);
    CaseQuery mine;
    mine.queue = Queue::Mine;
    mine.me = me;
    out[Queue::Mine] = me.isEmpty() ? 0 : count(mine);
    return out;
}

QString CaseStore::pageSql(const CaseQuery &query, CaseSort sort, Qt::SortOrder order,
                           QVariantList &binds) const
{
    const bool zh = preferChineseNames();
    const QString dir =
        order == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC");
    QStringList keys;
    for (const QString &k : sortKey(sort, zh).split(QStringLiteral(" | ")))
        keys << k + QLatin1Char(' ') + dir;
    const bool search = !query.text.trimmed().isEmpty();
    const QString from =
        search ? searchFrom(query, binds) : QStringLiteral("FROM cases c") + where(query, binds);
    QString inner = keys.join(QStringLiteral(", ")) + QStringLiteral(", c.id ") + dir;
    if (search && sort == CaseSort::Id && from.startsWith(QLatin1String("FROM cases_fts")))
        inner = QStringLiteral("f.rowid ") + dir;
    // Page the ids first (index-only where possible), then join the names for those rows only.
    return QStringLiteral(
               "WITH page AS (SELECT c.id %1 ORDER BY %8 LIMIT ? OFFSET ?) "
               "SELECT c.id, c.category, %4, %5, c.grid_code, c.address, c.state, c.stage, "
               "c.priority, c.deadline_at, %6, %7, c.reported_at, c.source, c.pending, c.lon, "
               "c.lat FROM page JOIN cases c ON c.id = page.id "
               "JOIN categories cat ON cat.code = c.category "
               "LEFT JOIN streets s ON s.id = c.street_id "
               "LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN units a ON a.id = c.assignee_id "
               "ORDER BY %2, c.id %3")
        .arg(from, keys.join(QStringLiteral(", ")), dir,
             zh ? QStringLiteral("cat.name_zh") : QStringLiteral("cat.name_en"),
             zh ? QStringLiteral("s.name_zh") : QStringLiteral("s.name_en"),
             zh ? QStringLiteral("u.name_zh") : QStringLiteral("u.name_en"),
             zh ? QStringLiteral("a.name_zh") : QStringLiteral("a.name_en"), inner);
}

QList<QueueRow> CaseStore::listPage(const CaseQuery &query, CaseSort sort, Qt::SortOrder order,
                                    qint64 offset, int limit) const
{
    QVariantList binds;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    q.prepare(pageSql(query, sort, order, binds));
    bindAll(q, binds);
    q.addBindValue(limit);
    q.addBindValue(offset);
    QList<QueueRow> out;
    if (!q.exec())
        return out;
    // A caller may ask for "everything" with a huge limit: reserve a screenful, not the limit.
    out.reserve(std::min(limit, 1024));
    while (q.next()) {
        QueueRow r;
        r.id = q.value(0).toLongLong();
        r.categoryCode = q.value(1).toString();
        r.categoryName = q.value(2).toString();
        r.streetName = q.value(3).toString();
        r.gridCode = q.value(4).toString();
        r.address = q.value(5).toString();
        r.state = q.value(6).toString();
        r.stage = q.value(7).toInt();
        r.priority = q.value(8).toInt();
        r.deadlineAt = q.value(9).toLongLong();
        r.unitName = q.value(10).toString();
        r.assigneeName = q.value(11).toString();
        r.reportedAt = q.value(12).toLongLong();
        r.source = q.value(13).toString();
        r.pending = q.value(14).toString();
        r.lon = q.value(15).toDouble();
        r.lat = q.value(16).toDouble();
        out.append(r);
    }
    return out;
}

} // namespace cityops
