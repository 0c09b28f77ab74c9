#include "caserepository.h"

#include "database.h"
#include "domain/catalogue.h"
#include "domain/eventchain.h"
#include "searchindex.h"

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
} // namespace

CaseRepository::CaseRepository(std::shared_ptr<Database> db, const Workflow &workflow)
    : m_db(std::move(db)), m_workflow(workflow)
{}

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
    QSqlQuery c(m_db->sql());
    c.prepare(QStringLiteral("SELECT category FROM cases WHERE id = ?"));
    c.addBindValue(id);
    if (!c.exec() || !c.next())
        return Error{tr("There is no case %1.").arg(id)};
    CaseSnapshot s = m_workflow.initial(id, c.value(0).toString());
    QSqlQuery ev(m_db->sql());
    ev.setForwardOnly(true);
    ev.prepare(QStringLiteral(
        "SELECT kind, payload, actor, at FROM case_events WHERE case_id = ? ORDER BY seq"));
    ev.addBindValue(id);
    if (!ev.exec())
        return Error{ev.lastError().text()};
    while (ev.next())
        Workflow::fold(s, ev.value(0).toString(), ev.value(1).toByteArray(), ev.value(2).toString(),
                       ev.value(3).toLongLong());
    return s;
}

std::optional<Assignee> CaseRepository::findAssignee(const QString &code) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT p.code, p.name_zh, t.code, p.unit_type FROM units p LEFT "
                             "JOIN units t ON t.id = p.parent_id WHERE p.code = ? AND p.kind = "
                             "'person'"));
    q.addBindValue(code);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return Assignee{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                    q.value(3).toString()};
}

QList<Assignee> CaseRepository::assignees(const QStringList &types, int limit) const
{
    QList<Assignee> out;
    QStringList marks;
    for (qsizetype i = 0; i < types.size(); ++i)
        marks << QStringLiteral("?");
    QSqlQuery q(m_db->sql());
    q.prepare(
        QStringLiteral("SELECT p.code, p.name_zh, t.code, p.unit_type FROM units p LEFT "
                       "JOIN units t ON t.id = p.parent_id WHERE p.kind = 'person'%1 "
                       "ORDER BY p.code LIMIT %2")
            .arg(types.isEmpty()
                     ? QString()
                     : QStringLiteral(" AND p.unit_type IN (%1)").arg(marks.join(QLatin1Char(','))))
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
        QSqlQuery q(m_db->sql());
        q.prepare(QStringLiteral(
            "SELECT id, lon, lat, party, stage FROM cases WHERE category = ? AND reported_at >= ? "
            "AND ((lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?) OR (party IS NOT NULL AND party "
            "!= '' AND party = ?)) ORDER BY reported_at DESC LIMIT 20"));
        q.addBindValue(in.category);
        q.addBindValue(now - qint64(cfg.recurrenceWindowDays) * 86400000);
        q.addBindValue(in.lat - dLat);
        q.addBindValue(in.lat + dLat);
        q.addBindValue(in.lon - dLon);
        q.addBindValue(in.lon + dLon);
        q.addBindValue(in.party.trimmed());
        if (q.exec()) {
            while (q.next()) {
                const bool samePlace =
                    metresBetween(in.lon, in.lat, q.value(1).toDouble(), q.value(2).toDouble()) <=
                    cfg.recurrenceRadiusMetres;
                const bool sameParty =
                    !in.party.trimmed().isEmpty() && q.value(3).toString() == in.party.trimmed();
                if (samePlace || sameParty) {
                    cmd.linkedCase = q.value(0).toLongLong();
                    cmd.entryStage = q.value(4).toInt();
                    break;
                }
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
    if (o.ok())
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
    const auto d = m_workflow.decide(*snap, cmd, actor, now);
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
    QSqlQuery q(m_db->sql());
    QByteArray prev = genesisHash();
    if (isNew) {
        q.prepare(QStringLiteral(
            "INSERT INTO cases (id, category, state, stage, priority, source, street_id, "
            "community_id, grid_code, address, description, party, lon, lat, reported_at, "
            "updated_at) SELECT ?, ?, 'reported', 0, ?, ?, cm.street_id, cm.id, g.code, "
            "coalesce(nullif(?, ''), st.name_zh || cm.name_zh || '网格' || substr(g.code, 19), "
            "printf('%.6f, %.6f', ?, ?)), ?, ?, ?, ?, ?, ? FROM (SELECT 1) LEFT JOIN grids g ON ? "
            "BETWEEN g.min_lon AND g.max_lon AND ? BETWEEN g.min_lat AND g.max_lat LEFT JOIN "
            "communities cm ON cm.id = g.community_id LEFT JOIN streets st ON st.id = "
            "cm.street_id LIMIT 1"));
        const qint64 at = events.first().at;
        QVariant id;
        if (m_nextCaseId) {
            id = m_nextCaseId;
            m_nextCaseId = 0;
        } else if (m_provisional) {
            QSqlQuery low(m_db->sql());
            if (!low.exec(QStringLiteral("SELECT min(0, coalesce(min(id), 0)) - 1 FROM cases")) ||
                !low.next())
                return failed(tr("Cannot file the case: %1").arg(low.lastError().text()));
            id = low.value(0).toLongLong();
        }
        q.addBindValue(id);
        q.addBindValue(in->category);
        q.addBindValue(s.priority);
        q.addBindValue(in->source);
        q.addBindValue(in->address.trimmed());
        q.addBindValue(in->lon);
        q.addBindValue(in->lat);
        q.addBindValue(in->description.trimmed());
        q.addBindValue(in->party.trimmed().isEmpty() ? QVariant() : QVariant(in->party.trimmed()));
        q.addBindValue(in->lon);
        q.addBindValue(in->lat);
        q.addBindValue(at);
        q.addBindValue(at);
        q.addBindValue(in->lon);
        q.addBindValue(in->lat);
        if (!q.exec())
            return failed(tr("Cannot file the case: %1").arg(q.lastError().text()));
        s.id = id.isValid() ? id.toLongLong() : q.lastInsertId().toLongLong();
    } else {
        q.prepare(QStringLiteral("SELECT chain_head FROM cases WHERE id = ?"));
        q.addBindValue(s.id);
        if (!q.exec() || !q.next())
            return failed(tr("There is no case %1.").arg(s.id));
        prev = q.value(0).toByteArray();
    }
    QSqlQuery ins(m_db->sql());
    ins.prepare(QStringLiteral(
        "INSERT INTO case_events (case_id, seq, kind, actor, role, at, "
        "device, payload, prev_hash, provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const NewEvent &e : events) {
        const int seq = s.seq + 1;
        const QByteArray role = Names::key(actor.role).toUtf8();
        ins.addBindValue(s.id);
        ins.addBindValue(seq);
        ins.addBindValue(e.kind);
        ins.addBindValue(actor.id);
        ins.addBindValue(QString::fromUtf8(role));
        ins.addBindValue(e.at);
        ins.addBindValue(actor.device);
        ins.addBindValue(QString::fromUtf8(e.payload));
        ins.addBindValue(prev);
        ins.addBindValue(m_provisional ? 1 : 0);
        if (!ins.exec())
            return failed(tr("Cannot record the event: %1").arg(ins.lastError().text()));
        prev = eventHash({s.id, seq, e.kind.toUtf8(), actor.id.toUtf8(), role, e.at,
                          actor.device.toUtf8(), e.payload, prev});
        Workflow::fold(s, e.kind, e.payload, actor.id, e.at);
    }
    QSqlQuery up(m_db->sql());
    up.prepare(QStringLiteral(
        "UPDATE cases SET state = ?, stage = ?, deadline_at = ?, closed_at = ?, "
        "unit_id = (SELECT id FROM units WHERE code = ?), "
        "assignee_id = (SELECT id FROM units WHERE code = ?), assignee_code = ?, handler = ?, "
        "version = ?, updated_at = ?, chain_head = ?, pending = ?, pending_by = ?, "
        "pending_at = ?, pending_to_stage = ?, linked_case = ? WHERE id = ?"));
    const auto nullIfEmpty = [](const QString &v) {
        return v.isEmpty() ? QVariant() : QVariant(v);
    };
    const auto nullIfZero = [](qint64 v) {
        return v ? QVariant(v) : QVariant();
    };
    up.addBindValue(Names::key(s.state));
    up.addBindValue(int(s.stage));
    up.addBindValue(nullIfZero(s.deadlineAt));
    up.addBindValue(nullIfZero(s.closedAt));
    up.addBindValue(nullIfEmpty(s.assigneeUnit.isEmpty() ? s.assignee : s.assigneeUnit));
    up.addBindValue(nullIfEmpty(s.assignee));
    up.addBindValue(nullIfEmpty(s.assignee));
    up.addBindValue(nullIfEmpty(s.handler));
    up.addBindValue(s.seq);
    up.addBindValue(s.updatedAt);
    up.addBindValue(prev);
    if (s.escalation) {
        up.addBindValue(QStringLiteral("escalation"));
        up.addBindValue(s.escalation->requester);
        up.addBindValue(s.escalation->at);
        up.addBindValue(s.escalation->toStage);
    } else if (s.extension) {
        up.addBindValue(QStringLiteral("extension"));
        up.addBindValue(s.extension->requester);
        up.addBindValue(s.extension->at);
        up.addBindValue(QVariant());
    } else {
        for (int i = 0; i < 4; ++i)
            up.addBindValue(QVariant());
    }
    up.addBindValue(nullIfZero(s.linkedCase));
    up.addBindValue(s.id);
    if (!up.exec())
        return failed(tr("Cannot update case %1: %2").arg(s.id).arg(up.lastError().text()));
    QSqlQuery att(m_db->sql());
    att.prepare(
        QStringLiteral("UPDATE attachments SET case_id = ? WHERE sha256 = ? AND case_id IS NULL"));
    for (const QString &sha : s.evidence) {
        att.addBindValue(s.id);
        att.addBindValue(sha);
        att.exec();
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
