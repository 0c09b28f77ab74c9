#include "caserepository.h"

#include "database.h"
#include "domain/catalogue.h"
#include "domain/eventchain.h"
#include "searchindex.h"
#include "sqlitestatement.h"

#include <QSqlError>
#include <QSqlQuery>

#include <cmath>

namespace cityops {

namespace {
Outcome failed(const QString &error)
{
    Outcome o;
    o.kind = Outcome::Failed;
    o.error = error;
    return o;
}

double metresBetween(double lon1, double lat1, double lon2, double lat2)
{
    const double rad = M_PI / 180;
    const double x = (lon2 - lon1) * rad * std::cos((lat1 + lat2) / 2 * rad);
    const double y = (lat2 - lat1) * rad;
    return std::hypot(x, y) * 6371008.8;
}
/** " AND p.unit_type IN (?, …)" for the given unit types (nothing for none). */
QString typeFilter(const QStringList &types)
{
    if (types.isEmpty())
        return {};
    QStringList marks;
    for (qsizetype i = 0; i < types.size(); ++i)
        marks << QStringLiteral("?");
    return QStringLiteral(" AND p.unit_type IN (%1)").arg(marks.join(QLatin1Char(',')));
}
} // namespace

CaseRepository::CaseRepository(std::shared_ptr<Database> db, const Workflow &workflow)
    : m_db(std::move(db)), m_workflow(workflow),
      m_statements(std::make_unique<StatementCache>(m_db->handle()))
{}

CaseRepository::~CaseRepository() = default;

Result<Actor> CaseRepository::actorFor(const QString &username, const QString &device) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT u.role, un.code FROM users u LEFT JOIN units un ON "
                             "un.id = u.unit_id WHERE u.username = ?"));
    q.addBindValue(username);
    if (!q.exec() || !q.next())
        return Error{tr("Unknown user \"%1\".").arg(username)};
    const auto role = Names::role(q.value(0).toString());
    if (!role)
        return Error{tr("User \"%1\" has an unknown role.").arg(username)};
    return Actor{username, *role, q.value(1).toString(), device};
}

Result<CaseSnapshot> CaseRepository::snapshot(CaseId id) const
{
    SqliteStatement c(*m_statements,
                      "SELECT category, street_id, community_id FROM cases WHERE id = ?");
    c.bind(1, id);
    if (c.step() != SQLITE_ROW)
        return Error{tr("There is no case %1.").arg(id)};
    CaseSnapshot s = m_workflow.initial(id, c.text(0));
    s.street = c.integer(1);
    s.community = c.integer(2);
    SqliteStatement ev(*m_statements, "SELECT kind, payload, actor, at FROM case_events WHERE "
                                      "case_id = ? ORDER BY seq");
    if (!ev.ok())
        return Error{ev.error()};
    ev.bind(1, id);
    int rc;
    while ((rc = ev.step()) == SQLITE_ROW)
        Workflow::fold(s, ev.text(0), ev.blob(1), ev.text(2), ev.integer(3));
    if (rc != SQLITE_DONE)
        return Error{ev.error()};
    return s;
}

std::optional<Assignee> CaseRepository::findAssignee(const QString &code) const
{
    SqliteStatement q(*m_statements,
                      "SELECT p.code, p.name_zh, t.code, p.unit_type, coalesce(p.street_id, "
                      "t.street_id, 0), coalesce(p.community_id, t.community_id, 0) FROM units p "
                      "LEFT JOIN units t ON t.id = p.parent_id WHERE p.code = ? AND p.kind = "
                      "'person'");
    q.bindText(1, code);
    if (q.step() != SQLITE_ROW)
        return std::nullopt;
    Assignee a{q.text(0), q.text(1), q.text(2), q.text(3)};
    a.street = q.integer(4);
    a.community = q.integer(5);
    return a;
}

QList<Assignee> CaseRepository::dispatchCandidates(CaseId id, const QStringList &types,
                                                   int limit) const
{
    QList<Assignee> out;
    // Own community first, then own street, then the rest; nearer and less busy first within.
    QSqlQuery q(m_db->sql());
    q.prepare(
        QStringLiteral(
            "WITH k AS (SELECT coalesce(street_id, 0) s, coalesce(community_id, 0) c, lon, lat "
            "FROM cases WHERE id = ?), p AS (SELECT p.code, p.name_zh, t.code team, p.unit_type, "
            "coalesce(p.street_id, t.street_id, 0) s, coalesce(p.community_id, t.community_id, "
            "0) c, p.lon, p.lat FROM units p LEFT JOIN units t ON t.id = p.parent_id WHERE "
            "p.kind = 'person'%1) SELECT p.code, p.name_zh, p.team, p.unit_type, p.s, p.c, CASE "
            "WHEN k.c != 0 AND p.c = k.c THEN 0 WHEN k.s != 0 AND p.s = k.s THEN 1 ELSE 2 END "
            "loc, (SELECT count(*) FROM cases o WHERE o.assignee_code = p.code AND o.state IN "
            "('dispatched', 'handling')) busy, p.lon, p.lat, k.lon, k.lat FROM p, k ORDER BY loc, "
            "busy, p.code LIMIT %2")
            .arg(typeFilter(types))
            .arg(limit));
    q.addBindValue(id);
    for (const QString &t : types)
        q.addBindValue(t);
    if (!q.exec())
        return out;
    while (q.next()) {
        Assignee a{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                   q.value(3).toString()};
        a.street = q.value(4).toLongLong();
        a.community = q.value(5).toLongLong();
        a.locality = Assignee::Locality(q.value(6).toInt());
        a.openCases = q.value(7).toInt();
        if (!q.value(8).isNull() && !q.value(9).isNull())
            a.distanceM = metresBetween(q.value(10).toDouble(), q.value(11).toDouble(),
                                        q.value(8).toDouble(), q.value(9).toDouble());
        out.append(a);
    }
    return out;
}

QList<Assignee> CaseRepository::assignees(const QStringList &types, int limit) const
{
    QList<Assignee> out;
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT p.code, p.name_zh, t.code, p.unit_type FROM units p LEFT "
                             "JOIN units t ON t.id = p.parent_id WHERE p.kind = 'person'%1 "
                             "ORDER BY p.code LIMIT %2")
                  .arg(typeFilter(types))
                  .arg(limit));
    for (const QString &t : types)
        q.addBindValue(t);
    if (q.exec()) {
        while (q.next())
            out.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                        q.value(3).toString()});
    }
    return out;
}

Outcome CaseRepository::report(const ReportInput &in, const Actor &actor, qint64 now)
{
    const Category *cat = Catalogue::builtin().find(in.category);
    if (!cat)
        return failed(tr("Unknown category \"%1\".").arg(in.category));
    if (!std::isfinite(in.lon) || !std::isfinite(in.lat) || in.lon < -180 || in.lon > 180 ||
        in.lat < -90 || in.lat > 90)
        return failed(tr("The position %1, %2 is not a WGS-84 longitude and latitude.")
                          .arg(in.lon)
                          .arg(in.lat));
    if (in.description.trimmed().isEmpty())
        return failed(tr("A new case needs a description."));

    Command cmd;
    cmd.action = Action::Report;
    cmd.source = in.source;
    cmd.evidence = in.evidence;
    // Recurrence: the same subcategory at the same place, or the same party, within the window.
    if (cat->ladder) {
        const WorkflowConfig &cfg = m_workflow.config();
        const double dLat = cfg.recurrenceRadiusMetres / 110574.0;
        const double dLon = cfg.recurrenceRadiusMetres / (111320.0 * std::cos(in.lat * M_PI / 180));
        SqliteStatement q(*m_statements,
                          "SELECT id, lon, lat, party, stage FROM cases WHERE category = ? AND "
                          "reported_at >= ? AND ((lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?) OR "
                          "(party IS NOT NULL AND party != '' AND party = ?)) ORDER BY "
                          "reported_at DESC LIMIT 20");
        const QString party = in.party.trimmed();
        q.bindText(1, in.category);
        q.bind(2, now - qint64(cfg.recurrenceWindowDays) * 86400000);
        q.bindDouble(3, in.lat - dLat);
        q.bindDouble(4, in.lat + dLat);
        q.bindDouble(5, in.lon - dLon);
        q.bindDouble(6, in.lon + dLon);
        q.bindText(7, party);
        while (q.step() == SQLITE_ROW) {
            const bool samePlace =
                metresBetween(in.lon, in.lat, q.real(1), q.real(2)) <= cfg.recurrenceRadiusMetres;
            const bool sameParty = !party.isEmpty() && q.text(3) == party;
            if (samePlace || sameParty) {
                cmd.linkedCase = q.integer(0);
                cmd.entryStage = int(q.integer(4));
                break;
            }
        }
    }
    CaseSnapshot fresh = m_workflow.initial(0, in.category);
    const auto d = m_workflow.decide(fresh, cmd, actor, now);
    if (const auto *r = std::get_if<Rejection>(&d)) {
        Outcome o;
        o.kind = Outcome::Rejected;
        o.rejection = *r;
        return o;
    }
    Outcome o = commit(fresh, std::get<QList<NewEvent>>(d), actor, true, &in);
    if (o.ok() && m_searchIndexing)
        (void)SearchIndex::catchUp(*m_db, 64); // best effort: unindexed rows are still found
    return o;
}

Outcome CaseRepository::apply(CaseId id, const Command &cmd, const Actor &actor, qint64 now)
{
    Transaction tx(*m_db);
    if (!tx.isActive())
        return failed(tr("The local cache is busy or read-only."));
    auto snap = snapshot(id);
    if (!snap)
        return failed(snap.error());
    if (cmd.action == Action::MarkDuplicate && cmd.duplicateOf && cmd.duplicateOf != id &&
        !snapshot(cmd.duplicateOf))
        return failed(tr("There is no case %1 to merge into.").arg(cmd.duplicateOf));
    Command resolved = cmd;
    if (cmd.action == Action::Dispatch && !cmd.to.trimmed().isEmpty()) {
        // The unit registry, not the caller, says who a person is and where they work.
        const auto who = findAssignee(cmd.to.trimmed());
        if (!who) {
            Outcome o;
            o.kind = Outcome::Rejected;
            o.rejection = {QStringLiteral("argument"),
                           tr("There is no person with the code \"%1\".").arg(cmd.to)};
            o.snapshot = *snap;
            return o;
        }
        resolved.to = who->code;
        resolved.toUnit = who->unitCode;
        resolved.toType = who->unitType;
        resolved.toStreet = who->street;
        resolved.toCommunity = who->community;
    }
    const auto d = m_workflow.decide(*snap, resolved, actor, now);
    if (const auto *r = std::get_if<Rejection>(&d)) {
        Outcome o;
        o.kind = Outcome::Rejected;
        o.rejection = *r;
        o.snapshot = *snap;
        return o;
    }
    Outcome o = commit(*snap, std::get<QList<NewEvent>>(d), actor, false, nullptr);
    if (o.ok()) {
        if (Status s = tx.commit(); !s)
            return failed(s.error());
    }
    return o;
}

Outcome CaseRepository::commit(CaseSnapshot s, const QList<NewEvent> &events, const Actor &actor,
                               bool isNew, const ReportInput *in)
{
    Transaction tx(*m_db);
    if (!tx.isActive())
        return failed(tr("The local cache is busy or read-only."));
    QByteArray prev = genesisHash();
    if (isNew) {
        SqliteStatement q(
            *m_statements,
            "INSERT INTO cases (id, category, state, stage, priority, source, street_id, "
            "community_id, grid_code, address, description, party, lon, lat, reported_at, "
            "updated_at) SELECT ?, ?, 'reported', 0, ?, ?, cm.street_id, cm.id, g.code, "
            "coalesce(nullif(?, ''), st.name_zh || cm.name_zh || '网格' || substr(g.code, 19), "
            "printf('%.6f, %.6f', ?, ?)), ?, ?, ?, ?, ?, ? FROM (SELECT 1) LEFT JOIN grids g ON "
            // The first grid (by id) containing the point, with candidates from the R*Tree.
            "g.id = (SELECT b.id FROM grids_bbox b JOIN grids x ON x.id = b.id WHERE b.min_lon <= "
            "?14 AND b.max_lon >= ?14 AND b.min_lat <= ?15 AND b.max_lat >= ?15 AND ?14 BETWEEN "
            "x.min_lon AND x.max_lon AND ?15 BETWEEN x.min_lat AND x.max_lat ORDER BY b.id LIMIT "
            "1) LEFT JOIN communities cm ON cm.id = g.community_id LEFT JOIN streets st ON st.id "
            "= cm.street_id");
        if (!q.ok())
            return failed(tr("Cannot file the case: %1").arg(q.error()));
        const qint64 at = events.first().at;
        CaseId id = 0;
        if (m_nextCaseId) {
            id = m_nextCaseId;
            m_nextCaseId = 0;
        } else if (m_provisional) {
            SqliteStatement low(*m_statements,
                                "SELECT min(0, coalesce(min(id), 0)) - 1 FROM cases");
            if (low.step() != SQLITE_ROW)
                return failed(tr("Cannot file the case: %1").arg(low.error()));
            id = low.integer(0);
        }
        if (id)
            q.bind(1, id);
        else
            q.bindNull(1);
        q.bindText(2, in->category);
        q.bind(3, s.priority);
        q.bindText(4, in->source);
        q.bindText(5, in->address.trimmed());
        q.bindDouble(6, in->lon);
        q.bindDouble(7, in->lat);
        q.bindText(8, in->description.trimmed());
        if (const QString party = in->party.trimmed(); party.isEmpty())
            q.bindNull(9);
        else
            q.bindText(9, party);
        q.bindDouble(10, in->lon);
        q.bindDouble(11, in->lat);
        q.bind(12, at);
        q.bind(13, at);
        q.bindDouble(14, in->lon);
        q.bindDouble(15, in->lat);
        if (!q.run())
            return failed(tr("Cannot file the case: %1").arg(q.error()));
        s.id = id ? id : sqlite3_last_insert_rowid(m_db->handle());
    } else {
        SqliteStatement q(*m_statements, "SELECT chain_head FROM cases WHERE id = ?");
        q.bind(1, s.id);
        if (q.step() != SQLITE_ROW)
            return failed(tr("There is no case %1.").arg(s.id));
        prev = q.blob(0);
    }
    SqliteStatement ins(*m_statements,
                        "INSERT INTO case_events (case_id, seq, kind, actor, role, at, device, "
                        "payload, prev_hash, provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins.ok())
        return failed(tr("Cannot record the event: %1").arg(ins.error()));
    const QByteArray role = Names::key(actor.role).toUtf8();
    const QByteArray actorId = actor.id.toUtf8();
    const QByteArray device = actor.device.toUtf8();
    for (const NewEvent &e : events) {
        const int seq = s.seq + 1;
        const QByteArray kind = e.kind.toUtf8();
        ins.reset();
        ins.bind(1, s.id);
        ins.bind(2, seq);
        ins.bindUtf8(3, kind);
        ins.bindUtf8(4, actorId);
        ins.bindUtf8(5, role);
        ins.bind(6, e.at);
        ins.bindUtf8(7, device);
        ins.bindUtf8(8, e.payload.isNull() ? QByteArray("") : e.payload);
        ins.bindBlob(9, prev);
        ins.bind(10, m_provisional ? 1 : 0);
        if (!ins.run())
            return failed(tr("Cannot record the event: %1").arg(ins.error()));
        prev = eventHash({0, s.id, seq, e.kind, actor.id, Names::key(actor.role), e.at,
                          actor.device, e.payload, prev});
        Workflow::fold(s, e.kind, e.payload, actor.id, e.at);
    }
    SqliteStatement up(*m_statements,
                       "UPDATE cases SET state = ?, stage = ?, deadline_at = ?, closed_at = ?, "
                       "unit_id = (SELECT id FROM units WHERE code = ?), "
                       "assignee_id = (SELECT id FROM units WHERE code = ?), assignee_code = ?, "
                       "handler = ?, version = ?, updated_at = ?, chain_head = ?, pending = ?, "
                       "pending_by = ?, pending_at = ?, pending_to_stage = ?, linked_case = ? "
                       "WHERE id = ?");
    const auto textOrNull = [&up](int i, const QString &v) {
        if (v.isEmpty())
            up.bindNull(i);
        else
            up.bindText(i, v);
    };
    const auto intOrNull = [&up](int i, qint64 v) {
        if (v)
            up.bind(i, v);
        else
            up.bindNull(i);
    };
    up.bindText(1, Names::key(s.state));
    up.bind(2, int(s.stage));
    intOrNull(3, s.deadlineAt);
    intOrNull(4, s.closedAt);
    textOrNull(5, s.assigneeUnit.isEmpty() ? s.assignee : s.assigneeUnit);
    textOrNull(6, s.assignee);
    textOrNull(7, s.assignee);
    textOrNull(8, s.handler);
    up.bind(9, s.seq);
    up.bind(10, s.updatedAt);
    up.bindBlob(11, prev);
    if (s.escalation) {
        up.bindText(12, QStringLiteral("escalation"));
        up.bindText(13, s.escalation->requester);
        up.bind(14, s.escalation->at);
        up.bind(15, s.escalation->toStage);
    } else if (s.extension) {
        up.bindText(12, QStringLiteral("extension"));
        up.bindText(13, s.extension->requester);
        up.bind(14, s.extension->at);
        up.bindNull(15);
    } else {
        for (int i = 12; i <= 15; ++i)
            up.bindNull(i);
    }
    intOrNull(16, s.linkedCase);
    up.bind(17, s.id);
    if (!up.run())
        return failed(tr("Cannot update case %1: %2").arg(s.id).arg(up.error()));
    if (!s.evidence.isEmpty()) {
        SqliteStatement att(*m_statements, "UPDATE attachments SET case_id = ? WHERE sha256 = ? "
                                           "AND case_id IS NULL");
        for (const QString &sha : s.evidence) {
            att.reset();
            att.bind(1, s.id);
            att.bindText(2, sha);
            att.run();
        }
    }
    if (Status st = tx.commit(); !st)
        return failed(st.error());
    Outcome o;
    o.kind = Outcome::Applied;
    o.snapshot = s;
    o.events = events;
    return o;
}

} // namespace cityops
