#include "platformstore.h"

#include "database.h"
#include "sqlitestatement.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

namespace cityops {

namespace {

constexpr const char *kRowColumns =
    "id, category, state, stage, priority, source, street_id, community_id, grid_code, address, "
    "description, party, lon, lat, reported_at, deadline_at, closed_at, unit_id, assignee_id, "
    "version, updated_at, chain_head, pending, pending_by, pending_at, pending_to_stage, "
    "assignee_code, handler, linked_case";

constexpr const char *kEventColumns =
    "case_id, seq, kind, actor, role, at, device, payload, prev_hash";

std::optional<qint64> optInt(const SqliteStatement &s, int col)
{
    return s.isNull(col) ? std::nullopt : std::optional<qint64>(s.integer(col));
}

std::optional<QString> optText(const SqliteStatement &s, int col)
{
    return s.isNull(col) ? std::nullopt : std::optional<QString>(s.text(col));
}

sync::CaseRow readRow(const SqliteStatement &s)
{
    sync::CaseRow r;
    r.id = s.integer(0);
    r.category = s.text(1);
    r.state = s.text(2);
    r.stage = int(s.integer(3));
    r.priority = int(s.integer(4));
    r.source = s.text(5);
    r.streetId = optInt(s, 6);
    r.communityId = optInt(s, 7);
    r.gridCode = optText(s, 8);
    r.address = s.text(9);
    r.description = s.text(10);
    r.party = optText(s, 11);
    r.lon = sqlite3_column_double(s.get(), 12);
    r.lat = sqlite3_column_double(s.get(), 13);
    r.reportedAt = s.integer(14);
    r.deadlineAt = optInt(s, 15);
    r.closedAt = optInt(s, 16);
    r.unitId = optInt(s, 17);
    r.assigneeId = optInt(s, 18);
    r.version = int(s.integer(19));
    r.updatedAt = s.integer(20);
    r.chainHead = s.blob(21);
    r.pending = optText(s, 22);
    r.pendingBy = optText(s, 23);
    r.pendingAt = optInt(s, 24);
    r.pendingToStage = optInt(s, 25);
    r.assigneeCode = optText(s, 26);
    r.handler = optText(s, 27);
    r.linkedCase = optInt(s, 28);
    return r;
}

sync::WireEvent readEvent(const SqliteStatement &s)
{
    sync::WireEvent e;
    e.caseId = s.integer(0);
    e.seq = int(s.integer(1));
    e.kind = s.text(2);
    e.actor = s.text(3);
    e.role = s.text(4);
    e.at = s.integer(5);
    e.device = s.text(6);
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(s.get(), 7));
    e.payload = p ? QByteArray(p, sqlite3_column_bytes(s.get(), 7)) : QByteArray("{}");
    e.prevHash = s.blob(8);
    return e;
}

QByteArray sql(const char *head, const char *tail = "")
{
    return QByteArray(head) + tail;
}

Account accountFrom(const QSqlQuery &q)
{
    Account a;
    a.username = q.value(0).toString();
    a.role = Names::role(q.value(1).toString()).value_or(Role::Auditor);
    a.displayName = q.value(2).toString();
    a.person = q.value(3).toString();
    a.salt = q.value(4).toByteArray();
    a.hash = q.value(5).toByteArray();
    a.iterations = q.value(6).toInt();
    a.demoPassword = q.value(7).toBool();
    a.disabled = q.value(8).toBool();
    return a;
}

constexpr const char *kAccountColumns =
    "username, role, display_name, person, salt, hash, iterations, demo_password, disabled";

} // namespace

QString PlatformStore::pathInDir(const QString &dataDir)
{
    return QDir(dataDir).filePath(QLatin1String(kFileName));
}

Result<std::unique_ptr<PlatformStore>> PlatformStore::open(const QString &dataDir, bool adopt)
{
    if (!QDir().mkpath(dataDir))
        return Error{tr("Cannot create the data directory %1.").arg(dataDir)};
    const QString path = pathInDir(dataDir);
    const QFileInfo fi(path);
    if (fi.exists() && fi.size() > 0) {
        // Look before migrating anything: a console cache copied here must stay untouched.
        Database::Options ro;
        ro.readOnly = true;
        auto peek = Database::open(path, ro);
        if (!peek)
            return Error{peek.error()};
        QSqlQuery q((*peek)->sql());
        const bool marked =
            q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'store_kind'")) && q.next() &&
            q.value(0).toString() == QLatin1String("platform");
        q.finish();
        if (!marked && !adopt)
            return Error{tr("%1 is a CityOps console cache, not a platform store. The file was "
                            "not modified.")
                             .arg(path)};
    }
    auto db = Database::open(path);
    if (!db)
        return Error{db.error()};
    std::unique_ptr<PlatformStore> self(new PlatformStore(*db));
    if (Status s = self->m_db->exec(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('store_kind', 'platform')");
        !s)
        return Error{tr("Cannot prepare %1: %2").arg(path, s.error())};
    if (Status s = self->migrate(); !s)
        return Error{tr("Cannot update the platform schema of %1: %2").arg(path, s.error())};
    return self;
}

Status PlatformStore::migrate()
{
    if (Status s = m_db->exec("CREATE TABLE IF NOT EXISTS platform_schema_version ("
                              " version INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        !s)
        return s;
    int current = 0;
    {
        QSqlQuery q(m_db->sql());
        if (q.exec(
                QStringLiteral("SELECT coalesce(max(version), 0) FROM platform_schema_version")) &&
            q.next())
            current = q.value(0).toInt();
    }
    if (current > kSchemaVersion)
        return Error{tr("it was written by a newer CityOps platform (schema %1; this build "
                        "supports up to %2)")
                         .arg(current)
                         .arg(kSchemaVersion)};
    static const QRegularExpression re(QStringLiteral("^(\\d{4})_(.+)\\.sql$"));
    const QDir dir(QStringLiteral(":/platform-migrations"));
    for (const QString &name : dir.entryList(QDir::Files, QDir::Name)) {
        const auto m = re.match(name);
        const int version = m.hasMatch() ? m.captured(1).toInt() : 0;
        if (version <= current || version > kSchemaVersion)
            continue;
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            return Error{tr("cannot read migration %1").arg(name)};
        Transaction tx(*m_db);
        Status s = m_db->exec(f.readAll());
        if (s) {
            QSqlQuery q(m_db->sql());
            q.prepare(QStringLiteral(
                "INSERT INTO platform_schema_version (version, name) VALUES (?, ?)"));
            q.addBindValue(version);
            q.addBindValue(m.captured(2));
            if (!q.exec())
                s = Error{q.lastError().text()};
        }
        if (s)
            s = tx.commit();
        if (!s)
            return Error{tr("migration %1 failed: %2").arg(name, s.error())};
        current = version;
    }
    return Ok{};
}

// --- accounts --------------------------------------------------------------------------------

std::optional<Account> PlatformStore::account(const QString &username) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT %1 FROM accounts WHERE username = ?")
                  .arg(QLatin1String(kAccountColumns)));
    q.addBindValue(username);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return accountFrom(q);
}

QList<Account> PlatformStore::accounts() const
{
    QList<Account> out;
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT %1 FROM accounts ORDER BY username")
                   .arg(QLatin1String(kAccountColumns)))) {
        while (q.next())
            out.append(accountFrom(q));
    }
    return out;
}

Status PlatformStore::insertAccount(const Account &a, qint64 now)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "INSERT INTO accounts (username, role, display_name, person, salt, hash, iterations, "
        "demo_password, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)"));
    q.addBindValue(a.username);
    q.addBindValue(Names::key(a.role));
    q.addBindValue(a.displayName);
    q.addBindValue(a.person.isEmpty() ? QVariant() : QVariant(a.person));
    q.addBindValue(a.salt);
    q.addBindValue(a.hash);
    q.addBindValue(a.iterations);
    q.addBindValue(int(a.demoPassword));
    q.addBindValue(int(a.disabled));
    q.addBindValue(now);
    q.addBindValue(now);
    if (!q.exec())
        return Error{q.lastError().text()};
    return Ok{};
}

Status PlatformStore::setPassword(const QString &username, const QByteArray &salt,
                                  const QByteArray &hash, int iterations, bool demoPassword,
                                  qint64 now)
{
    Transaction tx(*m_db);
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("UPDATE accounts SET salt = ?, hash = ?, iterations = ?, "
                             "demo_password = ?, updated_at = ? WHERE username = ?"));
    q.addBindValue(salt);
    q.addBindValue(hash);
    q.addBindValue(iterations);
    q.addBindValue(int(demoPassword));
    q.addBindValue(now);
    q.addBindValue(username);
    if (!q.exec())
        return Error{q.lastError().text()};
    if (q.numRowsAffected() != 1)
        return Error{tr("There is no account \"%1\".").arg(username)};
    QSqlQuery d(m_db->sql());
    d.prepare(QStringLiteral("DELETE FROM sessions WHERE username = ?"));
    d.addBindValue(username);
    if (!d.exec())
        return Error{d.lastError().text()};
    return tx.commit();
}

Status PlatformStore::setDisabled(const QString &username, bool disabled, qint64 now)
{
    Transaction tx(*m_db);
    QSqlQuery q(m_db->sql());
    q.prepare(
        QStringLiteral("UPDATE accounts SET disabled = ?, updated_at = ? WHERE username = ?"));
    q.addBindValue(int(disabled));
    q.addBindValue(now);
    q.addBindValue(username);
    if (!q.exec())
        return Error{q.lastError().text()};
    if (q.numRowsAffected() != 1)
        return Error{tr("There is no account \"%1\".").arg(username)};
    if (disabled) {
        QSqlQuery d(m_db->sql());
        d.prepare(QStringLiteral("DELETE FROM sessions WHERE username = ?"));
        d.addBindValue(username);
        if (!d.exec())
            return Error{d.lastError().text()};
    }
    return tx.commit();
}

QList<Account> PlatformStore::districtUsers() const
{
    QList<Account> out;
    QSqlQuery q(m_db->sql());
    if (q.exec(QStringLiteral("SELECT u.username, u.role, u.display_name, un.code FROM users u "
                              "LEFT JOIN units un ON un.id = u.unit_id ORDER BY u.id"))) {
        while (q.next()) {
            Account a;
            a.username = q.value(0).toString();
            a.role = Names::role(q.value(1).toString()).value_or(Role::Auditor);
            a.displayName = q.value(2).toString();
            a.person = q.value(3).toString();
            out.append(a);
        }
    }
    return out;
}

bool PlatformStore::personExists(const QString &code) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT 1 FROM units WHERE code = ? AND kind = 'person'"));
    q.addBindValue(code);
    return q.exec() && q.next();
}

// --- sessions and throttling -----------------------------------------------------------------

Status PlatformStore::addSession(const QByteArray &tokenHash, const QString &username, qint64 now,
                                 qint64 expiresAt, const QString &address)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("INSERT INTO sessions (token_hash, username, created_at, expires_at, "
                             "address) VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(tokenHash);
    q.addBindValue(username);
    q.addBindValue(now);
    q.addBindValue(expiresAt);
    q.addBindValue(address);
    if (!q.exec())
        return Error{q.lastError().text()};
    return Ok{};
}

std::optional<QString> PlatformStore::sessionUser(const QByteArray &tokenHash, qint64 now) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(
        QStringLiteral("SELECT username FROM sessions WHERE token_hash = ? AND expires_at > ?"));
    q.addBindValue(tokenHash);
    q.addBindValue(now);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return q.value(0).toString();
}

Status PlatformStore::removeSession(const QByteArray &tokenHash)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("DELETE FROM sessions WHERE token_hash = ?"));
    q.addBindValue(tokenHash);
    if (!q.exec())
        return Error{q.lastError().text()};
    return Ok{};
}

Status PlatformStore::purge(qint64 now, qint64 failuresBefore)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("DELETE FROM sessions WHERE expires_at <= ?"));
    q.addBindValue(now);
    if (!q.exec())
        return Error{q.lastError().text()};
    q.prepare(QStringLiteral("DELETE FROM login_failures WHERE at < ?"));
    q.addBindValue(failuresBefore);
    if (!q.exec())
        return Error{q.lastError().text()};
    return Ok{};
}

Status PlatformStore::addLoginFailure(const QString &username, const QString &address, qint64 at)
{
    QSqlQuery q(m_db->sql());
    q.prepare(
        QStringLiteral("INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?)"));
    q.addBindValue(username);
    q.addBindValue(address);
    q.addBindValue(at);
    if (!q.exec())
        return Error{q.lastError().text()};
    return Ok{};
}

LoginFailures PlatformStore::loginFailures(const QString &username, const QString &address,
                                           qint64 since) const
{
    LoginFailures f;
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT count(*), coalesce(min(at), 0) FROM login_failures WHERE "
                             "username = ? AND at >= ?"));
    q.addBindValue(username);
    q.addBindValue(since);
    if (q.exec() && q.next()) {
        f.byUser = q.value(0).toInt();
        f.oldestByUser = q.value(1).toLongLong();
    }
    q.prepare(QStringLiteral("SELECT count(*), coalesce(min(at), 0) FROM login_failures WHERE "
                             "address = ? AND at >= ?"));
    q.addBindValue(address);
    q.addBindValue(since);
    if (q.exec() && q.next()) {
        f.byAddress = q.value(0).toInt();
        f.oldestByAddress = q.value(1).toLongLong();
    }
    return f;
}

Status PlatformStore::clearLoginFailures(const QString &username)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("DELETE FROM login_failures WHERE username = ?"));
    q.addBindValue(username);
    if (!q.exec())
        return Error{q.lastError().text()};
    return Ok{};
}

// --- commands and changes --------------------------------------------------------------------

std::optional<AppliedCommand> PlatformStore::appliedCommand(const QString &id) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "SELECT id, username, device, action, case_id, status, reason, code, version, "
        "base_version, client_at, at FROM applied_commands WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    AppliedCommand c;
    c.id = q.value(0).toString();
    c.username = q.value(1).toString();
    c.device = q.value(2).toString();
    c.action = q.value(3).toString();
    c.caseId = q.value(4).toLongLong();
    c.applied = q.value(5).toString() == QLatin1String("applied");
    c.reason = q.value(6).toString();
    c.code = q.value(7).toString();
    c.version = q.value(8).toInt();
    c.baseVersion = q.value(9).toInt();
    c.clientAt = q.value(10).toLongLong();
    c.at = q.value(11).toLongLong();
    return c;
}

Status PlatformStore::recordCommand(const AppliedCommand &c)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "INSERT INTO applied_commands (id, username, device, action, case_id, status, reason, "
        "code, version, base_version, client_at, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(c.id);
    q.addBindValue(c.username);
    q.addBindValue(c.device);
    q.addBindValue(c.action);
    q.addBindValue(c.caseId ? QVariant(c.caseId) : QVariant());
    q.addBindValue(c.applied ? QStringLiteral("applied") : QStringLiteral("rejected"));
    q.addBindValue(c.reason.isEmpty() ? QVariant() : QVariant(c.reason));
    q.addBindValue(c.code.isEmpty() ? QVariant() : QVariant(c.code));
    q.addBindValue(c.version);
    q.addBindValue(c.baseVersion);
    q.addBindValue(c.clientAt);
    q.addBindValue(c.at);
    if (!q.exec())
        return Error{q.lastError().text()};
    return Ok{};
}

Result<qint64> PlatformStore::appendChange(CaseId id, int prevVersion, qint64 at,
                                           const QString &commandId)
{
    const auto row = caseRow(id);
    if (!row)
        return Error{tr("There is no case %1.").arg(id)};
    SqliteStatement st(m_db->handle(),
                       "INSERT INTO changes (case_id, prev_version, version, at, row, command_id) "
                       "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st.ok())
        return Error{st.error()};
    st.bind(1, id);
    st.bind(2, prevVersion);
    st.bind(3, row->version);
    st.bind(4, at);
    st.bindUtf8(5, row->toJsonBytes());
    st.bindText(6, commandId);
    if (!st.run())
        return Error{st.error()};
    return qint64(sqlite3_last_insert_rowid(m_db->handle()));
}

qint64 PlatformStore::lastChangeSeq() const
{
    SqliteStatement st(m_db->handle(), "SELECT coalesce(max(seq), 0) FROM changes");
    return st.step() == SQLITE_ROW ? st.integer(0) : 0;
}

std::optional<sync::CaseRow> PlatformStore::caseRow(CaseId id) const
{
    SqliteStatement st(m_db->handle(), sql("SELECT ", kRowColumns) + " FROM cases WHERE id = ?");
    st.bind(1, id);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    return readRow(st);
}

int PlatformStore::caseVersion(CaseId id) const
{
    SqliteStatement st(m_db->handle(), "SELECT version FROM cases WHERE id = ?");
    st.bind(1, id);
    return st.step() == SQLITE_ROW ? int(st.integer(0)) : -1;
}

Result<sync::ChangesPage> PlatformStore::changesSince(qint64 since, int limit) const
{
    sync::ChangesPage page;
    page.cursor = since;
    // No transaction needed: the platform reads and writes on one thread, so nothing commits
    // between these statements.
    SqliteStatement st(m_db->handle(),
                       "SELECT seq, case_id, prev_version, version, at, row, "
                       "command_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?");
    SqliteStatement ev(m_db->handle(), sql("SELECT ", kEventColumns) +
                                           " FROM case_events WHERE case_id = ? AND seq > ? AND "
                                           "seq <= ? ORDER BY seq");
    if (!st.ok() || !ev.ok())
        return Error{st.ok() ? ev.error() : st.error()};
    st.bind(1, since);
    st.bind(2, limit + 1);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
        if (page.changes.size() == limit) {
            page.more = true;
            break;
        }
        sync::Change c;
        c.seq = st.integer(0);
        c.caseId = st.integer(1);
        c.prevVersion = int(st.integer(2));
        c.version = int(st.integer(3));
        c.at = st.integer(4);
        if (!st.isNull(6))
            c.commandId = st.text(6);
        auto row = sync::CaseRow::fromJsonBytes(st.blob(5));
        if (!row)
            return Error{row.error()};
        c.row = std::move(row).value();
        ev.reset();
        ev.bind(1, c.caseId);
        ev.bind(2, c.prevVersion);
        ev.bind(3, c.version);
        while (ev.step() == SQLITE_ROW)
            c.events.append(readEvent(ev));
        page.cursor = c.seq;
        page.changes.append(std::move(c));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return Error{st.error()};
    return page;
}

Result<sync::SnapshotPage> PlatformStore::snapshot(CaseId after, int limit) const
{
    sync::SnapshotPage page;
    page.cursor = lastChangeSeq();
    SqliteStatement st(m_db->handle(), sql("SELECT ", kRowColumns) +
                                           " FROM cases WHERE id > ? ORDER BY id LIMIT ?");
    if (!st.ok())
        return Error{st.error()};
    st.bind(1, after);
    st.bind(2, limit + 1);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
        if (page.cases.size() == limit) {
            page.more = true;
            break;
        }
        page.cases.append({readRow(st), {}});
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return Error{st.error()};
    page.next = page.cases.isEmpty() ? after : page.cases.last().row.id;
    if (page.cases.isEmpty())
        return page;
    SqliteStatement ev(m_db->handle(), sql("SELECT ", kEventColumns) +
                                           " FROM case_events WHERE case_id BETWEEN ? AND ? "
                                           "ORDER BY case_id, seq");
    if (!ev.ok())
        return Error{ev.error()};
    ev.bind(1, page.cases.first().row.id);
    ev.bind(2, page.cases.last().row.id);
    qsizetype i = 0;
    while ((rc = ev.step()) == SQLITE_ROW) {
        const CaseId id = ev.integer(0);
        while (i < page.cases.size() && page.cases.at(i).row.id < id)
            ++i;
        if (i == page.cases.size())
            break;
        if (page.cases.at(i).row.id == id)
            page.cases[i].events.append(readEvent(ev));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return Error{ev.error()};
    return page;
}

Result<QList<sync::CaseRow>> PlatformStore::requests(const RequestFilter &f) const
{
    QByteArray where = " WHERE 1";
    if (!f.ids.isEmpty()) {
        where += " AND id IN (";
        for (qsizetype i = 0; i < f.ids.size(); ++i)
            where += i ? ",?" : "?";
        where += ")";
    } else {
        if (!f.serviceCode.isEmpty())
            where += " AND category = ?";
        if (f.from)
            where += " AND reported_at >= ?";
        if (f.to)
            where += " AND reported_at <= ?";
        if (f.closed)
            where += *f.closed ? " AND state IN ('closed', 'rejected')"
                               : " AND state NOT IN ('closed', 'rejected')";
    }
    SqliteStatement st(m_db->handle(), sql("SELECT ", kRowColumns) + " FROM cases" + where +
                                           " ORDER BY reported_at DESC, id DESC LIMIT ?");
    if (!st.ok())
        return Error{st.error()};
    int n = 1;
    if (!f.ids.isEmpty()) {
        for (CaseId id : f.ids)
            st.bind(n++, id);
    } else {
        if (!f.serviceCode.isEmpty())
            st.bindText(n++, f.serviceCode);
        if (f.from)
            st.bind(n++, *f.from);
        if (f.to)
            st.bind(n++, *f.to);
    }
    st.bind(n, f.limit);
    QList<sync::CaseRow> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW)
        out.append(readRow(st));
    if (rc != SQLITE_DONE)
        return Error{st.error()};
    return out;
}

std::optional<QString> PlatformStore::attachmentMime(const QString &sha256) const
{
    SqliteStatement st(m_db->handle(), "SELECT mime FROM attachments WHERE sha256 = ?");
    st.bindText(1, sha256);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    return st.text(0);
}

} // namespace cityops
