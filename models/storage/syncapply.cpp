#include "syncstore.h"

#include "database.h"
#include "sqlitestatement.h"
#include "syncstore_p.h"
#include "util/crashpoint.h"
#include "walcheckpointer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <cmath>

// SyncStore's replica side: the platform's cases, events and reference data into the cache
// (applyChanges(), applySnapshotPage(), applyReference()), and the rebase of still-outstanding
// local commands onto them. Local actions and the outbox are in syncstore.cpp.
namespace cityops {

using detail::sqlError;

namespace {

constexpr const char *kColumns[] = {"id",
                                    "category",
                                    "state",
                                    "stage",
                                    "priority",
                                    "source",
                                    "street_id",
                                    "community_id",
                                    "grid_code",
                                    "address",
                                    "description",
                                    "party",
                                    "lon",
                                    "lat",
                                    "reported_at",
                                    "deadline_at",
                                    "closed_at",
                                    "unit_id",
                                    "assignee_id",
                                    "version",
                                    "updated_at",
                                    "chain_head",
                                    "pending",
                                    "pending_by",
                                    "pending_at",
                                    "pending_to_stage",
                                    "assignee_code",
                                    "handler",
                                    "linked_case"};

QString columnList()
{
    QStringList l;
    for (const char *c : kColumns)
        l << QLatin1String(c);
    return l.join(QStringLiteral(", "));
}

template <typename T> QVariant opt(const std::optional<T> &v)
{
    return v ? QVariant::fromValue(*v) : QVariant();
}

/**
 * Writes the platform's cases and events with statements prepared once: the path of a cache
 * without local commands (the initial snapshot, a read-only console), where no rebase is needed.
 */
class FastWriter
{
public:
    explicit FastWriter(sqlite3 *db)
        : m_row(db, upsertSql().constData()), m_event(db, kEventSql), m_facts(db, kFactsSql)
    {}

    bool ok() const { return m_row.ok() && m_event.ok() && m_facts.ok(); }
    QString error() const
    {
        return !m_row.ok() ? m_row.error() : !m_event.ok() ? m_event.error() : m_facts.error();
    }

    /** The platform's facts of a case, while the trigger that derives them waits (bulk load). */
    bool writeFacts(CaseId id, const sync::CaseFacts &f)
    {
        m_facts.reset();
        int i = 0;
        for (const qint64 v :
             {qint64(id), qint64(f.reworks), qint64(f.extensions), qint64(f.shelves),
              qint64(f.reopens), qint64(f.maxStage), qint64(f.skips)})
            m_facts.bind(++i, v);
        for (const auto &v : {f.reqStage, f.reqSkip}) {
            if (v)
                m_facts.bind(++i, *v);
            else
                sqlite3_bind_null(m_facts.get(), ++i);
        }
        m_facts.bind(++i, f.late ? 1 : 0);
        if (f.due)
            m_facts.bind(++i, *f.due);
        else
            sqlite3_bind_null(m_facts.get(), ++i);
        return m_facts.run();
    }

    bool write(const sync::CaseRow &r, const QList<CaseEvent> &events)
    {
        m_row.reset();
        int i = 0;
        auto integer = [&](qint64 v) {
            m_row.bind(++i, v);
        };
        auto text = [&](const QString &v) {
            bindShort(m_row, ++i, v);
        };
        auto optInt = [&](const std::optional<qint64> &v) {
            if (v)
                m_row.bind(++i, *v);
            else
                sqlite3_bind_null(m_row.get(), ++i);
        };
        auto optText = [&](const std::optional<QString> &v) {
            if (v)
                m_row.bindText(++i, *v);
            else
                sqlite3_bind_null(m_row.get(), ++i);
        };
        integer(r.id);
        text(r.category);
        text(r.state);
        integer(r.stage);
        integer(r.priority);
        text(r.source);
        optInt(r.streetId);
        optInt(r.communityId);
        optText(r.gridCode);
        text(r.address);
        text(r.description);
        optText(r.party);
        sqlite3_bind_double(m_row.get(), ++i, r.lon);
        sqlite3_bind_double(m_row.get(), ++i, r.lat);
        integer(r.reportedAt);
        optInt(r.deadlineAt);
        optInt(r.closedAt);
        optInt(r.unitId);
        optInt(r.assigneeId);
        integer(r.version);
        integer(r.updatedAt);
        m_row.bindBlob(++i, r.chainHead);
        optText(r.pending);
        optText(r.pendingBy);
        optInt(r.pendingAt);
        optInt(r.pendingToStage);
        optText(r.assigneeCode);
        optText(r.handler);
        optInt(r.linkedCase);
        if (!m_row.run())
            return false;
        for (const CaseEvent &e : events) {
            m_event.reset();
            m_event.bind(1, e.caseId);
            m_event.bind(2, e.seq);
            bindShort(m_event, 3, e.kind);
            bindShort(m_event, 4, e.actor);
            bindShort(m_event, 5, e.role);
            m_event.bind(6, e.at);
            bindShort(m_event, 7, e.device);
            m_event.bindUtf8(8, e.payload.isNull() ? QByteArray("{}") : e.payload);
            m_event.bindBlob(9, e.prevHash);
            if (!m_event.run())
                return false;
        }
        return true;
    }

private:
    static QByteArray upsertSql()
    {
        QByteArray marks, sets;
        for (const char *c : kColumns) {
            marks += marks.isEmpty() ? "?" : ",?";
            if (qstrcmp(c, "id") != 0)
                sets += QByteArray(sets.isEmpty() ? "" : ", ") + c + " = excluded." + c;
        }
        // A newer row only: the cache may hold a later version already (snapshot vs feed).
        return "INSERT INTO cases (" + columnList().toUtf8() + ") VALUES (" + marks +
               ") ON CONFLICT (id) DO UPDATE SET " + sets + " WHERE excluded.version > version";
    }
    static constexpr const char *kEventSql =
        "INSERT OR IGNORE INTO case_events (case_id, seq, kind, actor, role, at, device, "
        "payload, prev_hash, provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)";

    /**
     * Binds a text, converting each short one (kinds, roles, users, devices, codes repeat page
     * long) to UTF-8 once; the converted bytes outlive the statement's use of them.
     */
    void bindShort(SqliteStatement &st, int i, const QString &v)
    {
        if (v.isEmpty() || v.size() > 24) {
            st.bindText(i, v);
            return;
        }
        auto it = m_utf8.constFind(v);
        if (it == m_utf8.cend())
            it = m_utf8.insert(v, v.toUtf8());
        sqlite3_bind_text(st.get(), i, it->constData(), int(it->size()), SQLITE_STATIC);
    }

    QHash<QString, QByteArray> m_utf8;

    static constexpr const char *kFactsSql =
        "INSERT OR REPLACE INTO case_facts (case_id, reworks, extensions, shelves, reopens, "
        "max_stage, skips, req_stage, req_skip, late, due) VALUES (?,?,?,?,?,?,?,?,?,?,?)";

    SqliteStatement m_row;
    SqliteStatement m_event;
    SqliteStatement m_facts;
};

/** A JSON value of reference data bound as SQL (whole numbers as integers). */
/** Runs each statement with the case id as its one parameter; the first failure stops it. */
Status forCase(QSqlQuery &q, CaseId id, const QStringList &statements)
{
    for (const QString &sql : statements) {
        q.prepare(sql);
        q.addBindValue(id);
        if (!q.exec())
            return sqlError(q);
    }
    return Ok{};
}

void bindJson(const SqliteStatement &st, int i, const QJsonValue &v)
{
    if (v.isString()) {
        const QByteArray utf8 = v.toString().toUtf8();
        sqlite3_bind_text(st.get(), i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    } else if (v.isBool()) {
        sqlite3_bind_int64(st.get(), i, v.toBool() ? 1 : 0);
    } else if (v.isDouble()) {
        const double d = v.toDouble();
        if (std::trunc(d) == d && std::abs(d) < 9007199254740992.0)
            sqlite3_bind_int64(st.get(), i, qint64(d));
        else
            sqlite3_bind_double(st.get(), i, d);
    } else {
        sqlite3_bind_null(st.get(), i);
    }
}

} // namespace

QByteArray SyncStore::pragma(const char *name, const QByteArray &fallback) const
{
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("PRAGMA ") + QLatin1String(name)) && q.next())
        return q.value(0).toByteArray();
    return fallback;
}

Status SyncStore::saveBase(CaseId id)
{
    // Only the platform's state is a base: a case with provisional events already has one saved
    // (or is a local case, which has none).
    if (id <= 0)
        return Ok{};
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("INSERT OR IGNORE INTO case_base (%1) SELECT %1 FROM cases WHERE id = "
                             "? AND NOT EXISTS (SELECT 1 FROM case_events WHERE case_id = ? AND "
                             "provisional = 1)")
                  .arg(columnList()));
    q.addBindValue(id);
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(q);
    return Ok{};
}

int SyncStore::authoritativeVersion(CaseId id) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "SELECT coalesce(max(seq), 0) FROM case_events WHERE case_id = ? AND provisional = 0"));
    q.addBindValue(id);
    return q.exec() && q.next() ? q.value(0).toInt() : 0;
}

bool SyncStore::hasOutstanding(CaseId id) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(
        QStringLiteral("SELECT 1 FROM outbox WHERE case_id = ? AND state != 'rejected' LIMIT 1"));
    q.addBindValue(id);
    return q.exec() && q.next();
}

Status SyncStore::removeLocalCase(CaseId id)
{
    QSqlQuery q(m_db->sql());
    // Derived per-case tables (the dashboard's facts) go with the case.
    q.prepare(QStringLiteral("DELETE FROM case_facts WHERE case_id = ?"));
    q.addBindValue(id);
    (void)q.exec();
    return forCase(q, id,
                   {QStringLiteral("DELETE FROM case_events WHERE case_id = ? AND provisional = 1"),
                    QStringLiteral("UPDATE attachments SET case_id = NULL WHERE case_id = ?"),
                    QStringLiteral("UPDATE cases SET linked_case = NULL WHERE linked_case = ?"),
                    QStringLiteral("DELETE FROM cases WHERE id = ?")});
}

Status SyncStore::replay(CaseId id)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT seq, body, username FROM outbox WHERE case_id = ? AND state "
                             "!= 'rejected' ORDER BY seq"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(q);
    QList<std::tuple<qint64, QByteArray, QString>> rows;
    while (q.next())
        rows.append({q.value(0).toLongLong(), q.value(1).toByteArray(), q.value(2).toString()});
    QSqlQuery mark(m_db->sql());
    mark.prepare(QStringLiteral("UPDATE outbox SET local_reason = ? WHERE seq = ?"));
    for (const auto &[seq, body, username] : rows) {
        const auto cmd = sync::ClientCommand::fromJson(QJsonDocument::fromJson(body).object(),
                                                       QStringLiteral("body"));
        QString problem;
        if (!cmd) {
            problem = cmd.error();
        } else {
            const auto actor = m_repo.actorFor(username, cmd->device);
            if (!actor) {
                problem = actor.error();
            } else if (cmd->isReport()) {
                m_repo.setNextCaseId(id);
                const Outcome o = m_repo.report(cmd->toReport(), *actor, cmd->clientAt);
                m_repo.setNextCaseId(0);
                if (!o.ok())
                    problem = o.message();
            } else {
                const Outcome o = m_repo.apply(id, cmd->toCommand(), *actor, cmd->clientAt);
                if (!o.ok())
                    problem = o.message();
            }
        }
        mark.addBindValue(problem.isEmpty() ? QVariant() : QVariant(problem));
        mark.addBindValue(seq);
        if (!mark.exec())
            return sqlError(mark);
    }
    return Ok{};
}

Status SyncStore::rebase(CaseId id)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("DELETE FROM case_events WHERE case_id = ? AND provisional = 1"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(q);
    q.prepare(QStringLiteral("SELECT 1 FROM case_base WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(q);
    if (q.next()) {
        q.prepare(QStringLiteral("UPDATE cases SET (%1) = (SELECT %1 FROM case_base WHERE id = ?) "
                                 "WHERE id = ?")
                      .arg(columnList()));
        q.addBindValue(id);
        q.addBindValue(id);
        if (!q.exec())
            return sqlError(q);
    } else if (authoritativeVersion(id) == 0) {
        if (Status s = removeLocalCase(id); !s)
            return s;
    }
    if (Status s = replay(id); !s)
        return s;
    if (!hasOutstanding(id)) {
        q.prepare(QStringLiteral("DELETE FROM case_base WHERE id = ?"));
        q.addBindValue(id);
        if (!q.exec())
            return sqlError(q);
    }
    return Ok{};
}

Result<bool> SyncStore::confirmCommand(const QString &commandId, const sync::CaseRow &row,
                                       QList<CaseId> *touched)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT seq, state, version, case_id FROM outbox WHERE command_id = ? "
                             "AND state != 'rejected'"));
    q.addBindValue(commandId);
    if (!q.exec())
        return Error{q.lastError().text()};
    if (!q.next())
        return false; // another console's command, or confirmed already
    const qint64 seq = q.value(0).toLongLong();
    // The version the platform answered is a consistency check only: the id decides.
    if (q.value(1).toString() == QLatin1String("applied") && q.value(2).toInt() != row.version)
        qWarning("outbox command %s: the platform answered version %d, its change has version %d",
                 qPrintable(commandId), q.value(2).toInt(), row.version);
    const CaseId localCase = q.value(3).toLongLong();
    q.prepare(QStringLiteral("DELETE FROM outbox WHERE seq = ?"));
    q.addBindValue(seq);
    if (!q.exec())
        return Error{q.lastError().text()};
    if (localCase != row.id && localCase < 0) {
        // A report whose answer was lost: its temporary case becomes the platform's.
        q.prepare(QStringLiteral("UPDATE outbox SET case_id = ? WHERE case_id = ?"));
        q.addBindValue(row.id);
        q.addBindValue(localCase);
        if (!q.exec())
            return Error{q.lastError().text()};
        if (Status s = removeLocalCase(localCase); !s)
            return Error{s.error()};
        touched->append(localCase);
    }
    return true;
}

Status SyncStore::writeCase(const sync::CaseRow &row, const QList<CaseEvent> &events,
                            QList<CaseId> *touched, const std::optional<QString> &commandId)
{
    QSqlQuery q(m_db->sql());
    const bool advanced = authoritativeVersion(row.id) < row.version;
    if (advanced) {
        q.prepare(QStringLiteral("DELETE FROM case_events WHERE case_id = ? AND provisional = 1"));
        q.addBindValue(row.id);
        if (!q.exec())
            return sqlError(q);
        QStringList marks, sets;
        for (const char *c : kColumns) {
            marks << QStringLiteral("?");
            if (qstrcmp(c, "id") != 0)
                sets << QStringLiteral("%1 = excluded.%1").arg(QLatin1String(c));
        }
        q.prepare(
            QStringLiteral("INSERT INTO cases (%1) VALUES (%2) ON CONFLICT (id) DO UPDATE "
                           "SET %3")
                .arg(columnList(), marks.join(QLatin1Char(',')), sets.join(QStringLiteral(", "))));
        for (const QVariant &v :
             {QVariant(row.id),        QVariant(row.category),    QVariant(row.state),
              QVariant(row.stage),     QVariant(row.priority),    QVariant(row.source),
              opt(row.streetId),       opt(row.communityId),      opt(row.gridCode),
              QVariant(row.address),   QVariant(row.description), opt(row.party),
              QVariant(row.lon),       QVariant(row.lat),         QVariant(row.reportedAt),
              opt(row.deadlineAt),     opt(row.closedAt),         opt(row.unitId),
              opt(row.assigneeId),     QVariant(row.version),     QVariant(row.updatedAt),
              QVariant(row.chainHead), opt(row.pending),          opt(row.pendingBy),
              opt(row.pendingAt),      opt(row.pendingToStage),   opt(row.assigneeCode),
              opt(row.handler),        opt(row.linkedCase)})
            q.addBindValue(v);
        if (!q.exec())
            return sqlError(q);
        QSqlQuery ins(m_db->sql());
        ins.prepare(QStringLiteral(
            "INSERT OR IGNORE INTO case_events (case_id, seq, kind, actor, role, at, device, "
            "payload, prev_hash, provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"));
        for (const CaseEvent &e : events) {
            ins.addBindValue(e.caseId);
            ins.addBindValue(e.seq);
            ins.addBindValue(e.kind);
            ins.addBindValue(e.actor);
            ins.addBindValue(e.role);
            ins.addBindValue(e.at);
            ins.addBindValue(e.device);
            ins.addBindValue(QString::fromUtf8(e.payload));
            ins.addBindValue(e.prevHash);
            if (!ins.exec())
                return sqlError(ins);
        }
        touched->append(row.id);
    }
    // The change's own command leaves the outbox by its id (even when its answer was lost and it
    // is still pending here), so its provisional effect is not replayed on top of itself.
    bool confirmed = false;
    if (commandId) {
        const auto byId = confirmCommand(*commandId, row, touched);
        if (!byId)
            return Error{byId.error()};
        confirmed = *byId;
    }
    // Commands the platform applied up to this version are now part of the case (a platform
    // that does not name the command of a change; and any confirmation whose change was skipped).
    q.prepare(QStringLiteral(
        "DELETE FROM outbox WHERE case_id = ? AND state = 'applied' AND version <= ?"));
    q.addBindValue(row.id);
    q.addBindValue(row.version);
    if (!q.exec())
        return sqlError(q);
    confirmed = confirmed || q.numRowsAffected() > 0;
    if (!advanced) {
        // The cache held this version already; a command it confirms must not be replayed.
        if (confirmed) {
            touched->append(row.id);
            return rebase(row.id);
        }
        return Ok{};
    }
    q.prepare(QStringLiteral("DELETE FROM case_base WHERE id = ?"));
    q.addBindValue(row.id);
    if (!q.exec())
        return sqlError(q);
    if (!hasOutstanding(row.id))
        return Ok{};
    if (Status s = saveBase(row.id); !s)
        return s;
    return replay(row.id);
}

bool SyncStore::hasLocalWork() const
{
    QSqlQuery q(m_db->sql());
    return !q.exec(QStringLiteral(
               "SELECT EXISTS (SELECT 1 FROM outbox WHERE state != 'rejected') OR EXISTS (SELECT "
               "1 FROM case_events WHERE provisional = 1) OR EXISTS (SELECT 1 FROM case_base)")) ||
           !q.next() || q.value(0).toBool();
}

Result<QList<CaseId>> SyncStore::applyChanges(const sync::ChangesPage &page)
{
    // The bulk load is over once the feed is pulled: its checkpointer goes when it is done.
    if (m_checkpointer && m_checkpointer->idle())
        m_checkpointer.reset();
    Transaction tx(*m_db);
    if (!tx.isActive())
        return Error{tr("The local cache is busy or read-only.")};
    (void)m_db->exec("PRAGMA defer_foreign_keys = ON");
    QList<CaseId> touched;
    QStringList droppedEvidence;
    if (!hasLocalWork()) {
        FastWriter w(m_db->handle());
        if (!w.ok())
            return Error{w.error()};
        for (const sync::Change &c : page.changes) {
            if (c.dropped) {
                if (Status s = dropCase(c.caseId, c.at, &droppedEvidence); !s)
                    return Error{s.error()};
            } else if (!w.write(c.row, c.events)) {
                return Error{w.error()};
            }
            touched << c.caseId;
            CITYOPS_CRASH_POINT("sync.page.mid");
        }
    } else {
        for (const sync::Change &c : page.changes) {
            if (c.dropped) {
                if (Status s = dropCase(c.caseId, c.at, &droppedEvidence); !s)
                    return Error{s.error()};
                touched << c.caseId;
            } else if (Status s = writeCase(c.row, c.events, &touched, c.commandId); !s) {
                return Error{s.error()};
            }
            CITYOPS_CRASH_POINT("sync.page.mid");
        }
    }
    CITYOPS_CRASH_POINT("sync.page.cursor.before");
    if (Status s = setValue(QStringLiteral("cursor"), QString::number(page.cursor)); !s)
        return Error{s.error()};
    if (Status s = tx.commit(); !s)
        return Error{s.error()};
    m_droppedEvidence += droppedEvidence;
    CITYOPS_CRASH_POINT("sync.page.commit.after");
    return touched;
}

Status SyncStore::dropCase(CaseId id, qint64 at, QStringList *evidence)
{
    QSqlQuery q(m_db->sql());
    // Listed first: the timeline's append-only trigger lets a listed case's events go.
    q.prepare(QStringLiteral("INSERT INTO scope_drops (case_id, at, deleting) VALUES (?, ?, 1) ON "
                             "CONFLICT (case_id) DO UPDATE SET at = excluded.at, deleting = 1"));
    q.addBindValue(id);
    q.addBindValue(at);
    if (!q.exec())
        return sqlError(q);
    // Its evidence: the attachments registered to it (an attachment belongs to one case; a
    // photo only named by events may be another case's too, and stays).
    q.prepare(QStringLiteral("SELECT sha256 FROM attachments WHERE case_id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(q);
    while (q.next())
        evidence->append(q.value(0).toString());
    // A command still waiting to be sent can no longer be applied: it stays in the outbox as
    // rejected, with the reason, so the user sees what did not go through. Applied ones are part
    // of the platform's case already.
    q.prepare(QStringLiteral("UPDATE outbox SET state = 'rejected', code = 'out-of-scope', reason "
                             "= ? WHERE case_id = ? AND state = 'pending'"));
    q.addBindValue(tr("The case left your scope before this command was sent."));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(q);
    return forCase(q, id,
                   {QStringLiteral("DELETE FROM outbox WHERE case_id = ? AND state = 'applied'"),
                    QStringLiteral("DELETE FROM case_events WHERE case_id = ? AND provisional = 1"),
                    QStringLiteral("DELETE FROM case_base WHERE id = ?"),
                    QStringLiteral("DELETE FROM case_facts WHERE case_id = ?"),
                    QStringLiteral("DELETE FROM case_events WHERE case_id = ?"),
                    QStringLiteral("DELETE FROM attachments WHERE case_id = ?"),
                    QStringLiteral("UPDATE cases SET linked_case = NULL WHERE linked_case = ?"),
                    QStringLiteral("DELETE FROM cases WHERE id = ?"),
                    // Append-only again, should the case come back.
                    QStringLiteral("UPDATE scope_drops SET deleting = 0 WHERE case_id = ?")});
}

QStringList SyncStore::takeDroppedEvidence()
{
    return std::exchange(m_droppedEvidence, {});
}

Result<QList<CaseId>> SyncStore::purgeCases(qint64 at, QStringList *evidence)
{
    Transaction tx(*m_db);
    if (!tx.isActive())
        return Error{tr("The local cache is busy or read-only.")};
    (void)m_db->exec("PRAGMA defer_foreign_keys = ON");
    QSqlQuery q(m_db->sql());
    // A pending command's local effect is the only copy of it outside the outbox: never lost.
    if (!q.exec(QStringLiteral("SELECT count(*) FROM outbox WHERE state = 'pending'")) || !q.next())
        return Error{sqlError(q).error()};
    if (const int pending = q.value(0).toInt(); pending > 0)
        return Error{tr("%n command(s) wait to be sent: the cache's cases are kept until they "
                        "have been.",
                        nullptr, pending)};
    QList<CaseId> ids;
    QJsonArray listed; // the cases this purge lists in scope_drops (not the earlier drops)
    if (!q.exec(QStringLiteral("SELECT id, EXISTS (SELECT 1 FROM scope_drops WHERE case_id = "
                               "cases.id) FROM cases ORDER BY id")))
        return Error{sqlError(q).error()};
    while (q.next()) {
        ids << q.value(0).toLongLong();
        if (!q.value(1).toBool())
            listed.append(q.value(0).toLongLong());
    }
    const QString listedJson =
        QString::fromUtf8(QJsonDocument(listed).toJson(QJsonDocument::Compact));
    q.prepare(QStringLiteral("INSERT INTO scope_drops (case_id, at, deleting) SELECT value, ?, 1 "
                             "FROM json_each(?)"));
    q.addBindValue(at);
    q.addBindValue(listedJson);
    if (!q.exec() ||
        !q.exec(QStringLiteral("UPDATE scope_drops SET deleting = 1 WHERE case_id IN (SELECT id "
                               "FROM cases)")))
        return Error{sqlError(q).error()};
    // With every case gone a photo belongs to nothing the cache holds (the platform has every
    // sent one), except to a rejected command still in the outbox: that one stays for a retry.
    constexpr const char *kUnnamed = "NOT EXISTS (SELECT 1 FROM outbox o WHERE instr(o.body, "
                                     "attachments.sha256) > 0)";
    if (!q.exec(QStringLiteral("SELECT sha256 FROM attachments WHERE ") + QLatin1String(kUnnamed)))
        return Error{sqlError(q).error()};
    QStringList files;
    while (q.next())
        files << q.value(0).toString();
    const QString reindex = value(QStringLiteral("snapshot_reindex"));
    // Deleting a case looks up the rows that refer to it; without an index on the referring
    // column that is a scan of the table per case (hours for 100,000 cases). Both indexes live
    // only inside this transaction.
    for (const QString &sql :
         {QStringLiteral("CREATE INDEX purge_cases_linked ON cases (linked_case)"),
          QStringLiteral("CREATE INDEX purge_attachments_case ON attachments (case_id)"),
          QStringLiteral("DELETE FROM kpi_facts"), QStringLiteral("DELETE FROM case_facts"),
          QStringLiteral("DELETE FROM case_base"), QStringLiteral("DELETE FROM case_events"),
          QStringLiteral("DELETE FROM attachments WHERE ") + QLatin1String(kUnnamed),
          QStringLiteral("UPDATE attachments SET case_id = NULL WHERE case_id IS NOT NULL"),
          QStringLiteral("DELETE FROM outbox WHERE state = 'applied'"),
          QStringLiteral("DELETE FROM cases"), QStringLiteral("DROP INDEX purge_cases_linked"),
          QStringLiteral("DROP INDEX purge_attachments_case"),
          // The search index's tokens are the removed cases' text; the indexer starts over.
          QStringLiteral("INSERT INTO cases_fts3 (cases_fts3) VALUES ('delete-all')"),
          QStringLiteral("INSERT INTO cases_fts1 (cases_fts1) VALUES ('delete-all')"),
          QStringLiteral("UPDATE meta SET value = '0' WHERE key = 'search_indexed_to'"),
          QStringLiteral("DELETE FROM sync_state WHERE key IN ('cursor', 'snapshot_after', "
                         "'snapshot_cursor', 'snapshot_done', 'snapshot_reindex')")}) {
        if (!q.exec(sql))
            return Error{sqlError(q).error()};
    }
    // An interrupted first snapshot left its indexes and triggers to be rebuilt at its end: the
    // next snapshot starts as a first one again and would drop (and remember) only what is left.
    if (!reindex.isEmpty()) {
        if (Status s = m_db->exec(reindex.toUtf8()); !s)
            return Error{s.error()};
    }
    if (Status s = m_db->recountQueues(); !s)
        return Error{s.error()};
    // Gone: the cases pulled next are append-only again (a drop's row stays as its record).
    q.prepare(QStringLiteral(
        "DELETE FROM scope_drops WHERE case_id IN (SELECT value FROM json_each(?))"));
    q.addBindValue(listedJson);
    if (!q.exec() || !q.exec(QStringLiteral("UPDATE scope_drops SET deleting = 0")))
        return Error{sqlError(q).error()};
    if (Status s = tx.commit(); !s)
        return Error{s.error()};
    *evidence += files;
    return ids;
}

Result<QList<CaseId>> SyncStore::applySnapshotPage(const sync::SnapshotPage &page)
{
    // A page lost to a power cut is fetched again (snapshot_after commits with it), so the bulk
    // load does not wait for the disk after every page; commands keep their FULL durability.
    const QByteArray synchronous = pragma("synchronous", "FULL");
    (void)m_db->exec("PRAGMA synchronous = NORMAL");
    const auto restore =
        qScopeGuard([&] { (void)m_db->exec("PRAGMA synchronous = " + synchronous); });
    // During the bulk load every fourth page waits for the checkpointer, so that the log starts
    // over (which needs all of it copied when the transaction begins) and stays about 100 MB.
    if (m_checkpointer && ++m_bulkPages % 4 == 0)
        m_checkpointer->waitUntilIdle();
    Transaction tx(*m_db);
    if (!tx.isActive())
        return Error{tr("The local cache is busy or read-only.")};
    (void)m_db->exec("PRAGMA defer_foreign_keys = ON");
    QList<CaseId> touched;
    touched.reserve(page.cases.size());
    const bool quiet = !hasLocalWork();
    const bool withFacts =
        std::all_of(page.cases.begin(), page.cases.end(),
                    [](const sync::CaseWithEvents &c) { return c.facts.has_value(); });
    if (quiet && value(QStringLiteral("snapshot_after")).toLongLong() == 0) {
        // The first page into an empty cache: index once at the end, as a bulk load does, and
        // take the dashboard's facts from the platform instead of deriving them event by event.
        // The statements wait in sync_state, so an interrupted snapshot still gets its indexes.
        QSqlQuery q(m_db->sql());
        if (q.exec(QStringLiteral("SELECT NOT EXISTS (SELECT 1 FROM cases)")) && q.next() &&
            q.value(0).toBool()) {
            q.finish();
            auto dropped = m_db->dropSecondaryIndexes();
            if (!dropped)
                return Error{dropped.error()};
            QByteArray all;
            for (const QByteArray &sql : std::as_const(*dropped)) {
                // Kept: the provisional-events index is empty (hasLocalWork() reads it per
                // page) and, from a platform without facts, the trigger that derives them.
                const bool keep = sql.contains("case_events_provisional") ||
                                  (!withFacts && sql.contains("case_events_facts"));
                if (!keep)
                    all += sql + ";\n";
                else if (Status s = m_db->exec(sql); !s)
                    return Error{s.error()};
            }
            if (Status s = setValue(QStringLiteral("snapshot_reindex"), QString::fromUtf8(all)); !s)
                return Error{s.error()};
        }
    }
    // While the facts trigger waits in snapshot_reindex, every case's facts come with the page.
    const bool writeFacts =
        value(QStringLiteral("snapshot_reindex")).contains(QLatin1String("case_events_facts"));
    if (writeFacts && !withFacts)
        return Error{tr("A snapshot page without the cases' facts followed pages with them.")};
    // The bulk load: this connection does not wait for checkpoints (storage/walcheckpointer.h).
    QByteArray autoCheckpoint;
    if (!value(QStringLiteral("snapshot_reindex")).isEmpty()) {
        if (!m_checkpointer)
            m_checkpointer = std::make_unique<WalCheckpointer>(m_db->path());
        if (m_checkpointer->active()) {
            autoCheckpoint = pragma("wal_autocheckpoint", "1000");
            (void)m_db->exec("PRAGMA wal_autocheckpoint = 0");
        }
    }
    const auto restoreCheckpoints = qScopeGuard([&] {
        if (!autoCheckpoint.isEmpty())
            (void)m_db->exec("PRAGMA wal_autocheckpoint = " + autoCheckpoint);
    });
    FastWriter w(m_db->handle());
    if (!w.ok())
        return Error{w.error()};
    for (const sync::CaseWithEvents &c : page.cases) {
        if (quiet) {
            if (!w.write(c.row, c.events))
                return Error{w.error()};
            touched << c.row.id;
        } else if (Status s = writeCase(c.row, c.events, &touched); !s) {
            return Error{s.error()};
        }
        if (writeFacts && !w.writeFacts(c.row.id, *c.facts))
            return Error{w.error()};
    }
    if (value(QStringLiteral("snapshot_cursor")).isEmpty()) {
        if (Status s = setValue(QStringLiteral("snapshot_cursor"), QString::number(page.cursor));
            !s)
            return Error{s.error()};
    }
    Status s = setValue(QStringLiteral("snapshot_after"), QString::number(page.next));
    if (s && !page.more) {
        const QString reindex = value(QStringLiteral("snapshot_reindex"));
        if (!reindex.isEmpty()) {
            QElapsedTimer t;
            t.start();
            // The fetch thread is done: the sorter may use the second core, and the cases table
            // stays in memory across its dozen index scans.
            const QByteArray cacheSize = pragma("cache_size", "-65536");
            (void)m_db->exec("PRAGMA threads = 2; PRAGMA cache_size = -262144");
            s = m_db->exec(reindex.toUtf8());
            (void)m_db->exec("PRAGMA threads = 0; PRAGMA cache_size = " + cacheSize);
            if (qEnvironmentVariableIsSet("CITYOPS_TRACE"))
                qInfo("snapshot: indexes and facts rebuilt in %lld ms", t.elapsed());
            if (s)
                s = m_db->recountQueues();
            if (s)
                s = setValue(QStringLiteral("snapshot_reindex"), QString());
        }
        if (s)
            s = setValue(QStringLiteral("cursor"), value(QStringLiteral("snapshot_cursor")));
        if (s)
            s = setValue(QStringLiteral("snapshot_done"), QStringLiteral("1"));
    }
    if (s)
        s = tx.commit();
    if (!s)
        return Error{s.error()};
    if (!autoCheckpoint.isEmpty())
        m_checkpointer->request();
    return touched;
}

Status SyncStore::applyReference(const sync::ReferenceData &data)
{
    Transaction tx(*m_db);
    if (!tx.isActive())
        return Error{tr("The local cache is busy or read-only.")};
    (void)m_db->exec("PRAGMA defer_foreign_keys = ON");
    sqlite3 *db = m_db->handle();
    for (const QString &name : sync::referenceTableNames()) {
        const auto t = std::find_if(data.tables.begin(), data.tables.end(),
                                    [&](const sync::ReferenceTable &x) { return x.name == name; });
        if (t == data.tables.end())
            continue; // not served: the cache keeps what it has
        // Only the columns this cache has: a newer platform may send more.
        QStringList mine;
        {
            SqliteStatement info(db, QByteArray("PRAGMA table_info(" + name.toLatin1() + ")"));
            while (info.step() == SQLITE_ROW)
                mine << info.text(1);
        }
        QList<int> used;
        QByteArray columns, marks, sets;
        for (int i = 0; i < t->columns.size(); ++i) {
            if (!mine.contains(t->columns.at(i)))
                continue;
            const QByteArray c = '"' + t->columns.at(i).toUtf8() + '"';
            used << i;
            columns += (columns.isEmpty() ? "" : ", ") + c;
            marks += marks.isEmpty() ? "?" : ", ?";
            if (t->columns.at(i) != t->key)
                sets += (sets.isEmpty() ? "" : ", ") + c + " = excluded." + c;
        }
        const int key = int(t->columns.indexOf(t->key));
        if (!mine.contains(t->key))
            return Error{tr("The platform's %1 are keyed by %2, which this cache does not know.")
                             .arg(name, t->key)};
        const QByteArray keyColumn = '"' + t->key.toUtf8() + '"';
        SqliteStatement ins(db,
                            "INSERT INTO " + name.toLatin1() + " (" + columns + ") VALUES (" +
                                marks + ") ON CONFLICT (" + keyColumn + ") DO " +
                                (sets.isEmpty() ? QByteArray("NOTHING") : "UPDATE SET " + sets));
        if (!ins.ok())
            return Error{tr("Reference data %1: %2").arg(name, ins.error())};
        QJsonArray keys;
        for (const QJsonArray &row : t->rows) {
            ins.reset();
            for (int i = 0; i < used.size(); ++i)
                bindJson(ins, i + 1, row.at(used.at(i)));
            if (!ins.run())
                return Error{tr("Reference data %1: %2").arg(name, ins.error())};
            keys.append(row.at(key));
        }
        // What the platform no longer has goes; meta also holds this cache's own keys.
        if (name == QLatin1String("meta"))
            continue;
        SqliteStatement del(db, "DELETE FROM " + name.toLatin1() + " WHERE " + keyColumn +
                                    " NOT IN (SELECT value FROM json_each(?))");
        del.bindUtf8(1, QJsonDocument(keys).toJson(QJsonDocument::Compact));
        if (!del.ok() || !del.run())
            return Error{tr("Reference data %1: %2").arg(name, del.error())};
    }
    Status s = setValue(QStringLiteral("reference_version"), data.version);
    if (s)
        s = tx.commit();
    if (!s)
        return Error{
            tr("The platform's reference data does not fit this cache: %1").arg(s.error())};
    return Ok{};
}

} // namespace cityops
