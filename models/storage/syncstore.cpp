#include "syncstore.h"

#include "cacherecovery.h"
#include "database.h"
#include "syncstore_p.h"
#include "util/crashpoint.h"
#include "walcheckpointer.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

// SyncStore's local actions, its outbox (answers, retries, discards) and the outbox journal, and
// the sync state. Applying the platform's state (pulled changes, snapshot pages, reference data,
// rebasing local commands onto it) is in syncapply.cpp.
namespace cityops {

using detail::sqlError;

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/** Mirrors a committed outbox row to the journal (docs/reliability.md, "Storage faults"). */
void journal(const Database &db, const sync::ClientCommand &cmd, CaseId caseId,
             const QString &username)
{
    // The command is safe in the outbox already: a journal that cannot be written is a warning.
    if (Status s = OutboxJournal::append(
            db.path(), {cmd.id, username, caseId, QStringLiteral("pending"), cmd});
        !s)
        qWarning("%s", qPrintable(s.error()));
}

OutboxEntry entryFrom(const QSqlQuery &q)
{
    OutboxEntry e;
    e.seq = q.value(0).toLongLong();
    e.commandId = q.value(1).toString();
    e.caseId = q.value(2).toLongLong();
    e.action = q.value(3).toString();
    e.username = q.value(4).toString();
    if (auto c = sync::ClientCommand::fromJson(
            QJsonDocument::fromJson(q.value(5).toByteArray()).object(), QStringLiteral("body")))
        e.command = *c;
    e.createdAt = q.value(6).toLongLong();
    e.state = q.value(7).toString();
    e.reason = q.value(8).toString();
    e.code = q.value(9).toString();
    e.attempts = q.value(10).toInt();
    e.lastError = q.value(11).toString();
    e.localReason = q.value(12).toString();
    return e;
}

constexpr const char *kEntryColumns =
    "seq, command_id, case_id, action, username, body, created_at, state, reason, code, "
    "attempts, last_error, local_reason";

} // namespace

SyncStore::SyncStore(std::shared_ptr<Database> db, const Workflow &workflow)
    : m_db(std::move(db)), m_repo(m_db, workflow)
{
    m_repo.setProvisional(true);
}

SyncStore::~SyncStore() = default;

Status SyncStore::append(const sync::ClientCommand &cmd, CaseId caseId, const QString &username)
{
    CITYOPS_CRASH_POINT("outbox.write.before");
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("INSERT INTO outbox (command_id, case_id, case_ref, action, username, "
                             "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(cmd.id);
    q.addBindValue(caseId);
    q.addBindValue(cmd.caseRef.isEmpty() ? QVariant() : QVariant(cmd.caseRef));
    q.addBindValue(cmd.action);
    q.addBindValue(username);
    q.addBindValue(QString::fromUtf8(QJsonDocument(cmd.toJson()).toJson(QJsonDocument::Compact)));
    q.addBindValue(cmd.clientAt);
    if (!q.exec())
        return sqlError(q);
    CITYOPS_CRASH_POINT("outbox.write.after");
    return Ok{};
}

Outcome SyncStore::report(const ReportInput &in, const Actor &actor, qint64 now, QString *commandId)
{
    Transaction tx(*m_db);
    Outcome o;
    if (!tx.isActive()) {
        o.error = tx.error();
        return o;
    }
    o = m_repo.report(in, actor, now);
    if (!o.ok())
        return o;
    const QString id = newId();
    const auto cmd = sync::ClientCommand::fromReport(id, in, actor.device, now);
    Status s = append(cmd, o.snapshot.id, actor.id);
    if (s)
        s = tx.commit();
    if (!s) {
        o.kind = Outcome::Failed;
        o.error = s.error();
        return o;
    }
    journal(*m_db, cmd, o.snapshot.id, actor.id);
    CITYOPS_CRASH_POINT("outbox.commit.after");
    if (commandId)
        *commandId = id;
    return o;
}

Outcome SyncStore::apply(CaseId caseId, const Command &command, const Actor &actor, qint64 now,
                         QString *commandId)
{
    Transaction tx(*m_db);
    Outcome o;
    if (!tx.isActive()) {
        o.error = tx.error();
        return o;
    }
    const int base = [&] {
        QSqlQuery q(m_db->sql());
        q.prepare(QStringLiteral("SELECT version FROM cases WHERE id = ?"));
        q.addBindValue(caseId);
        return q.exec() && q.next() ? q.value(0).toInt() : 0;
    }();
    if (Status s = saveBase(caseId); !s) {
        o.error = s.error();
        return o;
    }
    o = m_repo.apply(caseId, command, actor, now);
    if (!o.ok())
        return o;
    const QString id = newId();
    auto cmd = sync::ClientCommand::fromCommand(id, caseId > 0 ? caseId : 0, command, actor.device,
                                                now, base);
    if (caseId < 0) {
        // A case filed offline: the platform knows it by the report command's id.
        QSqlQuery q(m_db->sql());
        q.prepare(QStringLiteral(
            "SELECT command_id FROM outbox WHERE case_id = ? AND action = 'report' LIMIT 1"));
        q.addBindValue(caseId);
        if (q.exec() && q.next())
            cmd.caseRef = q.value(0).toString();
    }
    Status s = append(cmd, caseId, actor.id);
    if (s)
        s = tx.commit();
    if (!s) {
        o.kind = Outcome::Failed;
        o.error = s.error();
        return o;
    }
    journal(*m_db, cmd, caseId, actor.id);
    CITYOPS_CRASH_POINT("outbox.commit.after");
    if (commandId)
        *commandId = id;
    return o;
}

QList<OutboxEntry> SyncStore::pending(int limit) const
{
    QList<OutboxEntry> out;
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT %1 FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?")
                  .arg(QLatin1String(kEntryColumns)));
    q.addBindValue(limit);
    if (q.exec()) {
        while (q.next())
            out.append(entryFrom(q));
    }
    return out;
}

QList<OutboxEntry> SyncStore::rejected() const
{
    QList<OutboxEntry> out;
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT %1 FROM outbox WHERE state = 'rejected' ORDER BY seq")
                   .arg(QLatin1String(kEntryColumns)))) {
        while (q.next())
            out.append(entryFrom(q));
    }
    return out;
}

QList<OutboxEntry> SyncStore::entries() const
{
    QList<OutboxEntry> out;
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT %1 FROM outbox ORDER BY seq")
                   .arg(QLatin1String(kEntryColumns)))) {
        while (q.next())
            out.append(entryFrom(q));
    }
    return out;
}

int SyncStore::outstandingCount() const
{
    QSqlQuery q(m_db->sql());
    return q.exec(QStringLiteral("SELECT count(*) FROM outbox WHERE state != 'rejected'")) &&
                   q.next()
               ? q.value(0).toInt()
               : 0;
}

int SyncStore::rejectedCount() const
{
    QSqlQuery q(m_db->sql());
    return q.exec(QStringLiteral("SELECT count(*) FROM outbox WHERE state = 'rejected'")) &&
                   q.next()
               ? q.value(0).toInt()
               : 0;
}

Result<QList<CaseId>> SyncStore::recordResults(const QList<sync::CommandResult> &results)
{
    Transaction tx(*m_db);
    if (!tx.isActive())
        return Error{tr("The local cache is busy or read-only.")};
    (void)m_db->exec("PRAGMA defer_foreign_keys = ON");
    QList<CaseId> touched;
    QSqlQuery q(m_db->sql());
    for (const sync::CommandResult &r : results) {
        q.prepare(QStringLiteral("SELECT seq, case_id, action FROM outbox WHERE command_id = ?"));
        q.addBindValue(r.id);
        if (!q.exec())
            return Error{q.lastError().text()};
        if (!q.next())
            continue;
        const qint64 seq = q.value(0).toLongLong();
        const CaseId localCase = q.value(1).toLongLong();
        const bool isReport = q.value(2).toString() == QLatin1String("report");
        const bool applied = r.status == sync::CommandStatus::Applied ||
                             (r.status == sync::CommandStatus::Duplicate &&
                              r.original == sync::CommandStatus::Applied);
        if (applied) {
            const CaseId platformCase = r.caseId ? r.caseId : localCase;
            if (isReport && localCase != platformCase) {
                q.prepare(QStringLiteral("UPDATE outbox SET case_id = ? WHERE case_id = ?"));
                q.addBindValue(platformCase);
                q.addBindValue(localCase);
                if (!q.exec())
                    return Error{q.lastError().text()};
                if (Status s = removeLocalCase(localCase); !s)
                    return Error{s.error()};
                touched << localCase;
            }
            const bool held = authoritativeVersion(platformCase) >= r.version;
            if (held)
                q.prepare(QStringLiteral("DELETE FROM outbox WHERE seq = ?"));
            else
                q.prepare(QStringLiteral("UPDATE outbox SET state = 'applied', version = ?, "
                                         "case_id = ?, attempts = attempts + 1, last_error = "
                                         "NULL WHERE seq = ?"));
            if (!held) {
                q.addBindValue(r.version);
                q.addBindValue(platformCase);
            }
            q.addBindValue(seq);
            if (!q.exec())
                return Error{q.lastError().text()};
            if (held || (isReport && localCase != platformCase)) {
                if (Status s = rebase(platformCase); !s)
                    return Error{s.error()};
                touched << platformCase;
            }
        } else if (r.code == QLatin1String("evidence-missing")) {
            q.prepare(QStringLiteral(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?"));
            q.addBindValue(r.reason);
            q.addBindValue(seq);
            if (!q.exec())
                return Error{q.lastError().text()};
        } else {
            q.prepare(QStringLiteral("UPDATE outbox SET state = 'rejected', reason = ?, code = ?, "
                                     "version = ?, attempts = attempts + 1 WHERE seq = ?"));
            q.addBindValue(r.reason);
            q.addBindValue(r.code);
            q.addBindValue(r.version);
            q.addBindValue(seq);
            if (!q.exec())
                return Error{q.lastError().text()};
            if (Status s = rebase(localCase); !s)
                return Error{s.error()};
            touched << localCase;
        }
        CITYOPS_CRASH_POINT("sync.results.mid");
    }
    if (Status s = tx.commit(); !s)
        return Error{s.error()};
    return touched;
}

Status SyncStore::noteAttempt(const QStringList &commandIds, const QString &error)
{
    Transaction tx(*m_db);
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE command_id = ?"));
    for (const QString &id : commandIds) {
        q.addBindValue(error);
        q.addBindValue(id);
        if (!q.exec())
            return sqlError(q);
    }
    return tx.commit();
}

Result<CaseId> SyncStore::discard(const QString &commandId)
{
    Transaction tx(*m_db);
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT case_id FROM outbox WHERE command_id = ? AND state = "
                             "'rejected'"));
    q.addBindValue(commandId);
    if (!q.exec() || !q.next())
        return Error{tr("There is no rejected command %1.").arg(commandId)};
    const CaseId id = q.value(0).toLongLong();
    q.prepare(QStringLiteral("DELETE FROM outbox WHERE command_id = ?"));
    q.addBindValue(commandId);
    if (!q.exec())
        return Error{q.lastError().text()};
    if (Status s = rebase(id); !s)
        return Error{s.error()};
    if (Status s = tx.commit(); !s)
        return Error{s.error()};
    return id;
}

Result<CaseId> SyncStore::retry(const QString &commandId, const QString &reason)
{
    Transaction tx(*m_db);
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT case_id, body FROM outbox WHERE command_id = ? AND state = "
                             "'rejected'"));
    q.addBindValue(commandId);
    if (!q.exec() || !q.next())
        return Error{tr("There is no rejected command %1.").arg(commandId)};
    const CaseId id = q.value(0).toLongLong();
    auto cmd = sync::ClientCommand::fromJson(
        QJsonDocument::fromJson(q.value(1).toByteArray()).object(), QStringLiteral("body"));
    if (!cmd)
        return Error{cmd.error()};
    // The platform remembers the rejected id for ever: the edited command is a new one.
    cmd->id = newId();
    cmd->reason = reason;
    q.prepare(QStringLiteral("UPDATE outbox SET command_id = ?, body = ?, state = 'pending', "
                             "reason = NULL, code = NULL, last_error = NULL WHERE command_id = ?"));
    q.addBindValue(cmd->id);
    q.addBindValue(QString::fromUtf8(QJsonDocument(cmd->toJson()).toJson(QJsonDocument::Compact)));
    q.addBindValue(commandId);
    if (!q.exec())
        return Error{q.lastError().text()};
    if (Status s = saveBase(id); !s)
        return Error{s.error()};
    if (Status s = rebase(id); !s)
        return Error{s.error()};
    if (Status s = tx.commit(); !s)
        return Error{s.error()};
    q.prepare(QStringLiteral("SELECT username FROM outbox WHERE command_id = ?"));
    q.addBindValue(cmd->id);
    if (q.exec() && q.next())
        journal(*m_db, *cmd, id, q.value(0).toString());
    return id;
}

QString SyncStore::casesScope() const
{
    const QString recorded = value(QStringLiteral("cases_scope"));
    if (!recorded.isEmpty())
        return recorded;
    QSqlQuery q(m_db->sql());
    return q.exec(QStringLiteral("SELECT EXISTS (SELECT 1 FROM cases WHERE id > 0)")) && q.next() &&
                   q.value(0).toBool()
               ? QStringLiteral("district")
               : QString();
}

QList<std::pair<QString, int>> SyncStore::outstandingByUser() const
{
    QList<std::pair<QString, int>> out;
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT username, count(*) FROM outbox WHERE state != 'rejected' "
                              "GROUP BY username ORDER BY min(seq)"))) {
        while (q.next())
            out.append({q.value(0).toString(), q.value(1).toInt()});
    }
    return out;
}

QString SyncStore::value(const QString &key) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT value FROM sync_state WHERE key = ?"));
    q.addBindValue(key);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

Status SyncStore::setValue(const QString &key, const QString &value)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)"));
    q.addBindValue(key);
    q.addBindValue(value);
    if (!q.exec())
        return sqlError(q);
    return Ok{};
}

} // namespace cityops
