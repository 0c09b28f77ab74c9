#include "platformstore.h"

#include "database.h"
#include "domain/eventchain.h"
#include "domain/personaldata.h"
#include "sqlitestatement.h"
#include "util/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace cityops {

namespace {

constexpr const char *kRowColumns =
    "id, category, state, stage, priority, source, street_id, community_id, grid_code, address, "
    "description, party, lon, lat, reported_at, deadline_at, closed_at, unit_id, assignee_id, "
    "version, updated_at, chain_head, pending, pending_by, pending_at, pending_to_stage, "
    "assignee_code, handler, linked_case";

constexpr const char *kEventColumns =
    "case_id, seq, kind, actor, role, at, device, payload, prev_hash";

/** The row's personal data as the viewer's role may see it (PersonalData's policy). */
std::optional<QString> viewParty(Role viewer, const std::optional<QString> &party)
{
    if (!party || PersonalData::exposure(viewer, PersonalField::PartyName) == Exposure::Absent)
        return std::nullopt;
    return PersonalData::apply(viewer, PersonalField::PartyName, *party);
}

/** Free text: phone and ID numbers in it masked unless the role sees both in full. */
QString viewFreeText(Role viewer, const QString &text)
{
    const bool full = PersonalData::exposure(viewer, PersonalField::Phone) == Exposure::Full &&
                      PersonalData::exposure(viewer, PersonalField::IdNumber) == Exposure::Full;
    return full ? text : PersonalData::maskFreeText(text);
}

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

CaseEvent readEvent(const SqliteStatement &s)
{
    CaseEvent e;
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
    a.dutyReason = q.value(9).toString();
    a.org = q.value(10).toString();
    a.scope = q.value(11).toString();
    return a;
}

constexpr const char *kAccountColumns =
    "username, role, display_name, person, salt, hash, iterations, demo_password, disabled, "
    "duty_reason, org, scope";

} // namespace

PlatformStore::PlatformStore(std::shared_ptr<Database> db)
    : m_db(std::move(db)), m_statements(std::make_unique<StatementCache>(m_db->handle()))
{}

PlatformStore::~PlatformStore() = default;

bool PlatformStore::inTransaction() const
{
    return sqlite3_get_autocommit(m_db->handle()) == 0;
}

QString PlatformStore::pathInDir(const QString &dataDir)
{
    return QDir(dataDir).filePath(QLatin1String(kFileName));
}

Result<std::unique_ptr<PlatformStore>> PlatformStore::open(const QString &dataDir, bool adopt)
{
    if (!PrivateFiles::makeDir(dataDir))
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
    // Statement journals and savepoints (one per batch and per command) keep the pages they may
    // roll back in a sub-journal; on disk that is a temporary file written page by page, in memory
    // it costs a copy. It holds at most one batch's pages and is never part of durability (the
    // WAL is). The platform's queries sort nothing unbounded, so memory temp tables stay small.
    if (Status s = self->m_db->exec(
            "PRAGMA temp_store = MEMORY;"
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

Status PlatformStore::limitGrowth(int sparePages)
{
    QSqlQuery pages(m_db->sql());
    if (!pages.exec(QStringLiteral("PRAGMA page_count")) || !pages.next())
        return Error{pages.lastError().text()};
    const qint64 limit = pages.value(0).toLongLong() + sparePages;
    pages.finish();
    return m_db->exec("PRAGMA max_page_count = " + QByteArray::number(limit));
}

// --- accounts --------------------------------------------------------------------------------

std::optional<Account> PlatformStore::account(const QString &username) const
{
    static const QByteArray query =
        sql("SELECT ", kAccountColumns) + " FROM accounts WHERE username = ?";
    SqliteStatement st(*m_statements, query.constData());
    st.bindText(1, username);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    Account a;
    a.username = st.text(0);
    a.role = Names::role(st.text(1)).value_or(Role::Auditor);
    a.displayName = st.text(2);
    a.person = st.text(3);
    a.salt = st.blob(4);
    a.hash = st.blob(5);
    a.iterations = int(st.integer(6));
    a.demoPassword = st.integer(7) != 0;
    a.disabled = st.integer(8) != 0;
    a.dutyReason = st.text(9);
    a.org = st.text(10);
    a.scope = st.text(11);
    return a;
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
        "demo_password, disabled, created_at, updated_at, duty_reason, org, scope) VALUES (?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
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
    q.addBindValue(a.dutyReason.isEmpty() ? QVariant() : QVariant(a.dutyReason));
    q.addBindValue(a.org.isEmpty() ? QVariant() : QVariant(a.org));
    q.addBindValue(a.scope.isEmpty() ? QStringLiteral("district") : a.scope);
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
    // A user's unit is either a person (whose team is the organisation) or a team itself (an
    // account of the organisation, e.g. a street sub-centre's operator).
    if (q.exec(QStringLiteral(
            "SELECT u.username, u.role, u.display_name, un.kind, un.code, team.code FROM users u "
            "LEFT JOIN units un ON un.id = u.unit_id LEFT JOIN units team ON team.id = "
            "un.parent_id ORDER BY u.id"))) {
        while (q.next()) {
            Account a;
            a.username = q.value(0).toString();
            a.role = Names::role(q.value(1).toString()).value_or(Role::Auditor);
            a.displayName = q.value(2).toString();
            if (q.value(3).toString() == QLatin1String("team")) {
                a.org = q.value(4).toString();
            } else {
                a.person = q.value(4).toString();
                a.org = q.value(5).toString();
            }
            a.scope = defaultScope(a.org, a.person);
            out.append(a);
        }
    }
    return out;
}

Status PlatformStore::setScope(const QString &username, const QString &org, const QString &scope,
                               qint64 now)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "UPDATE accounts SET org = ?, scope = ?, updated_at = ? WHERE username = ?"));
    q.addBindValue(org.isEmpty() ? QVariant() : QVariant(org));
    q.addBindValue(scope);
    q.addBindValue(now);
    q.addBindValue(username);
    if (!q.exec())
        return Error{q.lastError().text()};
    if (q.numRowsAffected() != 1)
        return Error{tr("There is no account \"%1\".").arg(username)};
    return Ok{};
}

QList<PlatformStore::SessionRow> PlatformStore::sessions(const QString &username, qint64 now) const
{
    QList<SessionRow> out;
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT created_at, expires_at, coalesce(address, '') FROM sessions "
                             "WHERE username = ? AND expires_at > ? ORDER BY created_at DESC"));
    q.addBindValue(username);
    q.addBindValue(now);
    if (q.exec()) {
        while (q.next())
            out.append({q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString()});
    }
    return out;
}

Result<int> PlatformStore::endSessions(const QString &username)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("DELETE FROM sessions WHERE username = ?"));
    q.addBindValue(username);
    if (!q.exec())
        return Error{q.lastError().text()};
    return q.numRowsAffected();
}

bool PlatformStore::teamExists(const QString &code) const
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT 1 FROM units WHERE code = ? AND kind = 'team'"));
    q.addBindValue(code);
    return q.exec() && q.next();
}

QString PlatformStore::defaultScope(const QString &org, const QString &person) const
{
    // A grid worker or volunteer works in their community.
    QSqlQuery q(m_db->sql());
    if (!person.isEmpty()) {
        q.prepare(QStringLiteral("SELECT c.code FROM units u JOIN communities c ON c.id = "
                                 "u.community_id WHERE u.code = ?"));
        q.addBindValue(person);
        if (q.exec() && q.next())
            return QStringLiteral("community:") + q.value(0).toString();
    }
    if (org.isEmpty())
        return Scope::district().toString();
    // A street's operations sub-centre works in its street; any other team is a department's
    // squad in its street, or with no street the department's district bureau.
    q.prepare(QStringLiteral("SELECT u.unit_type, s.code FROM units u LEFT JOIN streets s ON s.id "
                             "= u.street_id WHERE u.code = ?"));
    q.addBindValue(org);
    if (!q.exec() || !q.next())
        return Scope::district().toString();
    Scope scope;
    const QString type = q.value(0).toString();
    const QString street = q.value(1).toString();
    if (type == QLatin1String(kStreetCentreType) && !street.isEmpty()) {
        scope.kind = Scope::Kind::Street;
        scope.code = street;
    } else {
        scope.kind = Scope::Kind::Department;
        scope.code = type;
        scope.street = street;
    }
    return scope.toString();
}

Result<ResolvedScope> PlatformStore::resolveScope(const Account &account) const
{
    QString why;
    const auto scope = Scope::parse(account.scope, &why);
    if (!scope)
        return Error{tr("The account %1 has no valid scope: %2").arg(account.username, why)};
    ResolvedScope r;
    r.kind = scope->kind;
    QSqlQuery q(m_db->sql());
    auto idOf = [&](const char *query, const QString &code, qint64 *out) {
        q.prepare(QLatin1String(query));
        q.addBindValue(code);
        if (!q.exec() || !q.next())
            return false;
        *out = q.value(0).toLongLong();
        return true;
    };
    if (!account.person.isEmpty())
        (void)idOf("SELECT id FROM units WHERE code = ?", account.person, &r.person);
    switch (scope->kind) {
    case Scope::Kind::District:
        break;
    case Scope::Kind::Street:
        if (!idOf("SELECT id FROM streets WHERE code = ?", scope->code, &r.streetId))
            return Error{
                tr("There is no street %1 (the scope of %2).").arg(scope->code, account.username)};
        break;
    case Scope::Kind::Community:
        if (!idOf("SELECT id FROM communities WHERE code = ?", scope->code, &r.communityId))
            return Error{tr("There is no community %1 (the scope of %2).")
                             .arg(scope->code, account.username)};
        break;
    case Scope::Kind::Department: {
        qint64 street = 0;
        if (!scope->street.isEmpty() &&
            !idOf("SELECT id FROM streets WHERE code = ?", scope->street, &street))
            return Error{tr("There is no street %1 (the scope of %2).")
                             .arg(scope->street, account.username)};
        // The department's teams (in the street, or all of them) and their people.
        q.prepare(QStringLiteral(
            "SELECT t.id FROM units t WHERE t.kind = 'team' AND t.unit_type = ? AND (? = 0 OR "
            "t.street_id = ?) UNION SELECT p.id FROM units p JOIN units t ON t.id = p.parent_id "
            "WHERE t.kind = 'team' AND t.unit_type = ? AND (? = 0 OR t.street_id = ?)"));
        for (int i = 0; i < 2; ++i) {
            q.addBindValue(scope->code);
            q.addBindValue(street);
            q.addBindValue(street);
        }
        if (!q.exec())
            return Error{q.lastError().text()};
        while (q.next())
            r.units.insert(q.value(0).toLongLong());
        if (r.units.isEmpty())
            return Error{tr("The department %1 has no teams (the scope of %2).")
                             .arg(scope->toString(), account.username)};
        break;
    }
    }
    return r;
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
    SqliteStatement st(*m_statements,
                       "SELECT username FROM sessions WHERE token_hash = ? AND expires_at > ?");
    st.bindBlob(1, tokenHash);
    st.bind(2, now);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    return st.text(0);
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
                                           qint64 userSince, qint64 addressSince) const
{
    LoginFailures f;
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT count(*), coalesce(min(at), 0), coalesce(max(at), 0) FROM "
                             "login_failures WHERE username = ? AND user_cleared = 0 AND at >= ?"));
    q.addBindValue(username);
    q.addBindValue(userSince);
    if (q.exec() && q.next()) {
        f.byUser = q.value(0).toInt();
        f.oldestByUser = q.value(1).toLongLong();
        f.newestByUser = q.value(2).toLongLong();
    }
    q.prepare(QStringLiteral("SELECT count(*), coalesce(min(at), 0) FROM login_failures WHERE "
                             "address = ? AND at >= ?"));
    q.addBindValue(address);
    q.addBindValue(addressSince);
    if (q.exec() && q.next()) {
        f.byAddress = q.value(0).toInt();
        f.oldestByAddress = q.value(1).toLongLong();
    }
    return f;
}

Status PlatformStore::clearLoginFailures(const QString &username)
{
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "UPDATE login_failures SET user_cleared = 1 WHERE username = ? AND user_cleared = 0"));
    q.addBindValue(username);
    if (!q.exec())
        return Error{q.lastError().text()};
    return Ok{};
}

// --- commands and changes --------------------------------------------------------------------

std::optional<AppliedCommand> PlatformStore::appliedCommand(const QString &id) const
{
    SqliteStatement st(*m_statements,
                       "SELECT id, username, device, action, case_id, status, reason, code, "
                       "version, base_version, client_at, at FROM applied_commands WHERE id = ?");
    st.bindText(1, id);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    AppliedCommand c;
    c.id = st.text(0);
    c.username = st.text(1);
    c.device = st.text(2);
    c.action = st.text(3);
    c.caseId = st.integer(4);
    c.applied = st.text(5) == QLatin1String("applied");
    c.reason = st.text(6);
    c.code = st.text(7);
    c.version = int(st.integer(8));
    c.baseVersion = int(st.integer(9));
    c.clientAt = st.integer(10);
    c.at = st.integer(11);
    return c;
}

Status PlatformStore::recordCommand(const AppliedCommand &c)
{
    SqliteStatement st(*m_statements,
                       "INSERT INTO applied_commands (id, username, device, action, case_id, "
                       "status, reason, code, version, base_version, client_at, at) VALUES (?, ?, "
                       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st.ok())
        return Error{st.error()};
    const auto textOrNull = [&](int i, const QString &v) {
        if (v.isEmpty())
            st.bindNull(i);
        else
            st.bindText(i, v);
    };
    st.bindText(1, c.id);
    st.bindText(2, c.username);
    st.bindText(3, c.device);
    st.bindText(4, c.action);
    if (c.caseId)
        st.bind(5, c.caseId);
    else
        st.bindNull(5);
    st.bindUtf8(6, c.applied ? QByteArrayLiteral("applied") : QByteArrayLiteral("rejected"));
    textOrNull(7, c.reason);
    textOrNull(8, c.code);
    st.bind(9, c.version);
    st.bind(10, c.baseVersion);
    st.bind(11, c.clientAt);
    st.bind(12, c.at);
    if (!st.run())
        return Error{st.error()};
    return Ok{};
}

Result<qint64> PlatformStore::appendChange(CaseId id, int prevVersion, qint64 at,
                                           const QString &commandId,
                                           const std::optional<CaseLocus> &before)
{
    const auto row = caseRow(id);
    if (!row)
        return Error{tr("There is no case %1.").arg(id)};
    SqliteStatement st(*m_statements,
                       "INSERT INTO changes (case_id, prev_version, version, at, row, command_id, "
                       "prev_street, prev_community, prev_unit, prev_assignee, prev_closed) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st.ok())
        return Error{st.error()};
    st.bind(1, id);
    st.bind(2, prevVersion);
    st.bind(3, row->version);
    st.bind(4, at);
    st.bindUtf8(5, row->toJsonBytes());
    st.bindText(6, commandId);
    auto bindOpt = [&](int i, const std::optional<qint64> &v) {
        if (v)
            st.bind(i, *v);
        else
            st.bindNull(i);
    };
    bindOpt(7, before ? before->street : std::nullopt);
    bindOpt(8, before ? before->community : std::nullopt);
    bindOpt(9, before ? before->unit : std::nullopt);
    bindOpt(10, before ? before->assignee : std::nullopt);
    bindOpt(11, before ? std::optional<qint64>(before->closed ? 1 : 0) : std::nullopt);
    if (!st.run())
        return Error{st.error()};
    return qint64(sqlite3_last_insert_rowid(m_db->handle()));
}

qint64 PlatformStore::lastChangeSeq() const
{
    SqliteStatement st(*m_statements, "SELECT coalesce(max(seq), 0) FROM changes");
    return st.step() == SQLITE_ROW ? st.integer(0) : 0;
}

QList<CaseLocus> PlatformStore::evidenceCases(const QString &sha256) const
{
    QList<CaseLocus> out;
    SqliteStatement st(*m_statements,
                       "SELECT c.street_id, c.community_id, c.unit_id, c.assignee_id, c.closed_at "
                       "IS NOT NULL FROM case_evidence e JOIN cases c ON c.id = e.case_id WHERE "
                       "e.sha256 = ?");
    st.bindText(1, sha256);
    auto opt = [&](int i) {
        return st.isNull(i) ? std::nullopt : std::optional<qint64>(st.integer(i));
    };
    while (st.step() == SQLITE_ROW)
        out.append(CaseLocus{opt(0), opt(1), opt(2), opt(3), st.integer(4) != 0});
    return out;
}

std::optional<sync::CaseRow> PlatformStore::caseRow(CaseId id) const
{
    static const QByteArray query = sql("SELECT ", kRowColumns) + " FROM cases WHERE id = ?";
    SqliteStatement st(*m_statements, query.constData());
    st.bind(1, id);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    return readRow(st);
}

int PlatformStore::caseVersion(CaseId id) const
{
    SqliteStatement st(*m_statements, "SELECT version FROM cases WHERE id = ?");
    st.bind(1, id);
    return st.step() == SQLITE_ROW ? int(st.integer(0)) : -1;
}

Result<sync::ChangesPage> PlatformStore::changesSince(qint64 since, int limit,
                                                      const ResolvedScope *scope,
                                                      const QString &username,
                                                      std::optional<Role> viewer) const
{
    sync::ChangesPage page;
    page.cursor = since;
    const bool scoped = scope && !scope->everything();
    // No transaction needed: the platform reads and writes on one thread, so nothing commits
    // between these statements.
    static const QByteArray events = sql("SELECT ", kEventColumns) +
                                     " FROM case_events WHERE case_id = ? AND seq > ? AND "
                                     "seq <= ? ORDER BY seq";
    SqliteStatement st(*m_statements,
                       "SELECT seq, changes.case_id, prev_version, changes.version, changes.at, "
                       "row, command_id, prev_street, prev_community, prev_unit, prev_assignee, "
                       "prev_closed, a.username FROM changes LEFT JOIN applied_commands a ON a.id "
                       "= changes.command_id WHERE seq > ? ORDER BY seq LIMIT ?");
    SqliteStatement ev(*m_statements, events.constData());
    if (!st.ok() || !ev.ok())
        return Error{st.ok() ? ev.error() : st.error()};
    st.bind(1, since);
    st.bind(2, limit + 1);
    int rc;
    int read = 0;
    auto optInt = [&](int i) {
        return st.isNull(i) ? std::nullopt : std::optional<qint64>(st.integer(i));
    };
    while ((rc = st.step()) == SQLITE_ROW) {
        if (read++ == limit) {
            page.more = true;
            break;
        }
        page.cursor = st.integer(0);
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
        int fromSeq = c.prevVersion;
        if (scoped) {
            // Before the change: a new case was seen by nobody; an unknown locus (a change from
            // before schema 5) counts as unseen, so a visible case comes whole and an invisible
            // one as a drop, which is right whatever the console holds.
            const bool known = c.prevVersion > 0 && !st.isNull(11);
            const bool before = known && scope->sees(CaseLocus{optInt(7), optInt(8), optInt(9),
                                                               optInt(10), st.integer(11) != 0});
            const bool now = scope->sees(c.row);
            // The account's own command on a case it does not see (a report outside its scope)
            // comes as a drop too: its console holds the case from that command.
            const bool own = !username.isEmpty() && !st.isNull(12) && st.text(12) == username;
            if (!now) {
                if (before || own || (c.prevVersion > 0 && !known)) {
                    sync::Change drop;
                    drop.seq = c.seq;
                    drop.caseId = c.caseId;
                    drop.prevVersion = c.prevVersion;
                    drop.version = c.version;
                    drop.at = c.at;
                    drop.dropped = true;
                    drop.row.id = c.caseId;
                    page.changes.append(std::move(drop));
                }
                continue;
            }
            if (!before)
                fromSeq = 0; // the case enters the scope: all of it
        }
        if (viewer) {
            c.row.party = viewParty(*viewer, c.row.party);
            c.row.description = viewFreeText(*viewer, c.row.description);
        }
        ev.reset();
        ev.bind(1, c.caseId);
        ev.bind(2, fromSeq);
        ev.bind(3, c.version);
        while (ev.step() == SQLITE_ROW)
            c.events.append(readEvent(ev));
        page.changes.append(std::move(c));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return Error{st.error()};
    return page;
}

namespace {

/**
 * ResolvedScope::sees as an SQL condition on the `cases` columns (integers only, so written
 * inline). tst_scope checks that both agree on every case of a demo district.
 */
QByteArray scopeCondition(const ResolvedScope &scope)
{
    QByteArray kind;
    auto idList = [](const QSet<qint64> &ids) {
        QList<qint64> sorted(ids.begin(), ids.end());
        std::sort(sorted.begin(), sorted.end());
        QByteArray out;
        for (qint64 id : sorted)
            out += (out.isEmpty() ? "" : ",") + QByteArray::number(id);
        return out;
    };
    switch (scope.kind) {
    case Scope::Kind::District:
        kind = "1";
        break;
    case Scope::Kind::Street:
        kind = "street_id = " + QByteArray::number(scope.streetId);
        break;
    case Scope::Kind::Community:
        kind =
            "(community_id = " + QByteArray::number(scope.communityId) + " AND closed_at IS NULL)";
        break;
    case Scope::Kind::Department: {
        const QByteArray ids = idList(scope.units);
        kind = "(unit_id IN (" + ids + ") OR assignee_id IN (" + ids + "))";
        break;
    }
    }
    if (scope.person == 0)
        return '(' + kind + ')';
    return "(" + kind + " OR assignee_id = " + QByteArray::number(scope.person) + ")";
}

/** One column as the snapshot has it: keys are column names, values as SQLite typed them. */
void writeColumn(sync::SnapshotWriter &w, sqlite3_stmt *st, int i, const char *key)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        w.integer(key, sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        w.number(key, sqlite3_column_double(st, i));
        break;
    case SQLITE_TEXT:
        w.text(key, reinterpret_cast<const char *>(sqlite3_column_text(st, i)),
               sqlite3_column_bytes(st, i));
        break;
    case SQLITE_BLOB:
        w.hex(key, static_cast<const char *>(sqlite3_column_blob(st, i)),
              sqlite3_column_bytes(st, i));
        break;
    default:
        w.null(key);
    }
}

} // namespace

Result<PlatformStore::SnapshotBody> PlatformStore::snapshot(CaseId after, int limit,
                                                            sync::SnapshotWriter::Format format,
                                                            const ResolvedScope *scope,
                                                            std::optional<Role> viewer) const
{
    const qint64 cursor = lastChangeSeq();
    const bool scoped = scope && !scope->everything();
    // Columns 0–28 are the row, 29 tells whether the case has facts, 30–39 are the facts.
    constexpr int kFacts = 29;
    constexpr int kDescription = 10, kParty = 11; // in kRowColumns
    SqliteStatement st(m_db->handle(),
                       sql("SELECT ", kRowColumns) +
                           ", f.case_id, f.reworks, f.extensions, f.shelves, f.reopens, "
                           "f.max_stage, f.skips, f.req_stage, f.req_skip, f.late, f.due FROM "
                           "cases LEFT JOIN case_facts f ON f.case_id = cases.id WHERE id > ? " +
                           (scoped ? "AND " + scopeCondition(*scope) + ' ' : QByteArray()) +
                           "ORDER BY id LIMIT ?");
    // Events in (case_id, seq) order from the UNIQUE index, read alongside the cases; a scope
    // holding a part of the cases looks each case's events up instead.
    SqliteStatement ev(m_db->handle(),
                       sql("SELECT ", kEventColumns) +
                           (scoped ? " FROM case_events WHERE case_id = ? ORDER BY seq"
                                   : " FROM case_events INDEXED BY "
                                     "sqlite_autoindex_case_events_1 WHERE case_id > ? "
                                     "ORDER BY case_id, seq"));
    if (!st.ok() || !ev.ok())
        return Error{st.ok() ? ev.error() : st.error()};
    st.bind(1, after);
    st.bind(2, limit + 1);
    if (!scoped)
        ev.bind(1, after);
    const int rowColumns = sqlite3_column_count(st.get());
    const int eventColumns = sqlite3_column_count(ev.get());
    std::vector<const char *> rowKeys, eventKeys;
    for (int i = 0; i < rowColumns; ++i)
        rowKeys.push_back(sqlite3_column_name(st.get(), i));
    for (int i = 0; i < eventColumns; ++i)
        eventKeys.push_back(sqlite3_column_name(ev.get(), i));
    sync::SnapshotWriter w(qsizetype(limit) * 3072, format);
    w.columns({rowKeys.begin(), rowKeys.begin() + kFacts}, eventKeys,
              {rowKeys.begin() + kFacts + 1, rowKeys.end()});
    CaseId next = after;
    bool more = false;
    int n = 0;
    int rc, erc = ev.step();
    while ((rc = st.step()) == SQLITE_ROW) {
        if (n++ == limit) {
            more = true;
            break;
        }
        const CaseId id = st.integer(0);
        w.beginCase();
        for (int i = 0; i < kFacts; ++i) {
            if (viewer && (i == kDescription || i == kParty) && !st.isNull(i)) {
                // Personal data leaves the platform only as the viewer's role may see it.
                const auto text = i == kParty ? viewParty(*viewer, st.text(i))
                                              : std::optional(viewFreeText(*viewer, st.text(i)));
                if (text) {
                    const QByteArray utf8 = text->toUtf8();
                    w.text(rowKeys[size_t(i)], utf8.constData(), utf8.size());
                } else {
                    w.null(rowKeys[size_t(i)]);
                }
                continue;
            }
            writeColumn(w, st.get(), i, rowKeys[size_t(i)]);
        }
        w.beginEvents();
        if (scoped) {
            ev.reset();
            ev.bind(1, id);
            erc = ev.step();
        }
        while (erc == SQLITE_ROW && ev.integer(0) < id)
            erc = ev.step();
        while (erc == SQLITE_ROW && ev.integer(0) == id) {
            w.beginEvent();
            for (int i = 0; i < eventColumns; ++i)
                writeColumn(w, ev.get(), i, eventKeys[size_t(i)]);
            w.endEvent();
            erc = ev.step();
        }
        if (erc != SQLITE_ROW && erc != SQLITE_DONE)
            return Error{ev.error()};
        if (!st.isNull(kFacts)) {
            w.beginFacts();
            for (int i = kFacts + 1; i < rowColumns; ++i)
                writeColumn(w, st.get(), i, rowKeys[size_t(i)]);
        }
        w.endCase();
        next = id;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return Error{st.error()};
    return SnapshotBody{w.finish(next, more, cursor), next, more};
}

Result<sync::ReferenceData> PlatformStore::reference() const
{
    sync::ReferenceData data;
    for (const QString &name : sync::referenceTableNames()) {
        sync::ReferenceTable t;
        t.name = name;
        {
            SqliteStatement info(m_db->handle(),
                                 QByteArray("PRAGMA table_info(" + name.toLatin1() + ")"));
            while (info.step() == SQLITE_ROW) {
                t.columns << info.text(1);
                if (info.integer(5) == 1)
                    t.key = info.text(1);
            }
        }
        if (t.columns.isEmpty() || t.key.isEmpty())
            return Error{tr("The reference table %1 is missing or has no primary key.").arg(name)};
        // meta also holds the store's own keys: only the district's name is reference data.
        const QByteArray where = name == QLatin1String("meta") ? " WHERE key = 'district'" : "";
        SqliteStatement st(m_db->handle(), "SELECT \"" +
                                               t.columns.join(QStringLiteral("\", \"")).toUtf8() +
                                               "\" FROM " + name.toLatin1() + where + " ORDER BY " +
                                               t.key.toUtf8());
        if (!st.ok())
            return Error{st.error()};
        int rc;
        while ((rc = st.step()) == SQLITE_ROW) {
            QJsonArray row;
            for (int i = 0; i < t.columns.size(); ++i) {
                switch (sqlite3_column_type(st.get(), i)) {
                case SQLITE_INTEGER:
                    row.append(st.integer(i));
                    break;
                case SQLITE_FLOAT:
                    row.append(sqlite3_column_double(st.get(), i));
                    break;
                case SQLITE_NULL:
                    row.append(QJsonValue::Null);
                    break;
                default:
                    row.append(st.text(i));
                }
            }
            t.rows.append(row);
        }
        if (rc != SQLITE_DONE)
            return Error{st.error()};
        data.tables.append(std::move(t));
    }
    data.version = sync::referenceVersion(data);
    return data;
}

sync::ReferenceData PlatformStore::scopedReference(const sync::ReferenceData &district,
                                                   const ResolvedScope &scope,
                                                   const QString &username)
{
    if (scope.everything())
        return district;
    sync::ReferenceData out = district; // the rows are shared until one is changed
    auto table = [&](const char *name) -> sync::ReferenceTable * {
        const auto t =
            std::find_if(out.tables.begin(), out.tables.end(), [&](const sync::ReferenceTable &x) {
                return x.name == QLatin1String(name);
            });
        return t == out.tables.end() ? nullptr : &*t;
    };
    auto at = [](const QJsonArray &row, qsizetype i) -> qint64 {
        return i < 0 ? 0 : row.at(i).toInteger();
    };
    QHash<qint64, qint64> streetOf; // community → street
    if (const sync::ReferenceTable *c = table("communities")) {
        const auto id = c->columns.indexOf(QLatin1String("id"));
        const auto street = c->columns.indexOf(QLatin1String("street_id"));
        for (const QJsonArray &row : c->rows)
            streetOf.insert(at(row, id), at(row, street));
    }
    // Whether a unit placed in this street and community lies within a street or community
    // scope (a department's are listed in scope.units).
    auto placed = [&](qint64 street, qint64 community) {
        if (scope.kind == Scope::Kind::Street)
            return (street != 0 && street == scope.streetId) ||
                   (community != 0 && streetOf.value(community) == scope.streetId);
        return scope.kind == Scope::Kind::Community && community != 0 &&
               community == scope.communityId;
    };
    // The scope's teams and people: their users stay, and their people's positions.
    QSet<qint64> within;
    if (sync::ReferenceTable *units = table("units")) {
        const QStringList &cols = units->columns;
        const auto id = cols.indexOf(QLatin1String("id"));
        const auto kind = cols.indexOf(QLatin1String("kind"));
        const auto parent = cols.indexOf(QLatin1String("parent_id"));
        const auto street = cols.indexOf(QLatin1String("street_id"));
        const auto community = cols.indexOf(QLatin1String("community_id"));
        QHash<qint64, std::pair<qint64, qint64>> teams; // team → its street and community
        for (const QJsonArray &row : std::as_const(units->rows)) {
            if (row.at(kind).toString() == QLatin1String("team"))
                teams.insert(at(row, id), {at(row, street), at(row, community)});
        }
        QList<qsizetype> position;
        for (const char *c : {"lon", "lat", "seen_at"}) {
            if (const auto i = cols.indexOf(QLatin1String(c)); i >= 0)
                position << i;
        }
        for (QJsonArray &row : units->rows) {
            const qint64 unit = at(row, id);
            const bool team = row.at(kind).toString() == QLatin1String("team");
            bool in = unit == scope.person || scope.units.contains(unit) ||
                      placed(at(row, street), at(row, community));
            if (!team && !in) {
                const auto t = teams.value(at(row, parent));
                in = placed(t.first, t.second);
            }
            if (in) {
                within.insert(unit);
            } else if (!team) {
                for (const qsizetype i : std::as_const(position))
                    row.replace(i, QJsonValue::Null);
            }
        }
    }
    if (sync::ReferenceTable *users = table("users")) {
        const auto name = users->columns.indexOf(QLatin1String("username"));
        const auto unit = users->columns.indexOf(QLatin1String("unit_id"));
        users->rows.removeIf([&](const QJsonArray &row) {
            return !(row.at(name).toString() == username || within.contains(at(row, unit)));
        });
    }
    out.version = sync::referenceVersion(out);
    return out;
}

qint64 PlatformStore::dataVersion() const
{
    SqliteStatement st(m_db->handle(), "PRAGMA data_version");
    return st.step() == SQLITE_ROW ? st.integer(0) : -1;
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

// --- security log ----------------------------------------------------------------------------

namespace cityops {

namespace {

/**
 * A security log line's hash: the case events' hash (eventHash, one canonical length-prefixed
 * encoding for both chains) over the line's fields, the line id in the case id's place.
 */
QByteArray securityLineHash(const sync::SecurityLogEntry &e)
{
    CaseEvent r;
    r.caseId = e.id;
    r.seq = e.count;
    r.kind = e.kind;
    r.actor = e.user;
    r.role = e.address;
    r.at = e.at;
    r.device = QStringLiteral("security-log");
    r.payload = e.detail.toUtf8();
    r.prevHash = e.prevHash;
    return eventHash(r);
}

constexpr const char *kSecurityColumns =
    "id, at, kind, user, address, detail, count, prev_hash, hash";

sync::SecurityLogEntry securityLineFrom(const QSqlQuery &q)
{
    sync::SecurityLogEntry e;
    e.id = q.value(0).toLongLong();
    e.at = q.value(1).toLongLong();
    e.kind = q.value(2).toString();
    e.user = q.value(3).toString();
    e.address = q.value(4).toString();
    e.detail = q.value(5).toString();
    e.count = q.value(6).toInt();
    e.prevHash = q.value(7).toByteArray();
    e.hash = q.value(8).toByteArray();
    return e;
}

} // namespace

Result<qint64> PlatformStore::appendSecurityLog(const sync::SecurityLogEntry &line)
{
    Transaction tx(*m_db);
    if (!tx.isActive())
        return Error{tx.error()};
    sync::SecurityLogEntry e = line;
    {
        QSqlQuery q(m_db->sql());
        if (!q.exec(QStringLiteral(
                "SELECT coalesce((SELECT id FROM security_log ORDER BY id DESC LIMIT 1), last_id), "
                "coalesce((SELECT hash FROM security_log ORDER BY id DESC LIMIT 1), hash) "
                "FROM security_log_anchor WHERE id = 1")) ||
            !q.next())
            return Error{q.lastError().text()};
        e.id = q.value(0).toLongLong() + 1;
        e.prevHash = q.value(1).toByteArray();
    }
    e.count = std::max(1, e.count);
    e.hash = securityLineHash(e);
    QSqlQuery q(m_db->sql());
    // An empty QString binds as NULL; the text columns are NOT NULL.
    q.prepare(QStringLiteral("INSERT INTO security_log (%1) VALUES (?, ?, ?, coalesce(?, ''), "
                             "coalesce(?, ''), coalesce(?, ''), ?, ?, ?)")
                  .arg(QLatin1String(kSecurityColumns)));
    q.addBindValue(e.id);
    q.addBindValue(e.at);
    q.addBindValue(e.kind);
    q.addBindValue(e.user);
    q.addBindValue(e.address);
    q.addBindValue(e.detail);
    q.addBindValue(e.count);
    q.addBindValue(e.prevHash);
    q.addBindValue(e.hash);
    if (!q.exec())
        return Error{q.lastError().text()};
    if (Status s = tx.commit(); !s)
        return Error{s.error()};
    return e.id;
}

Result<sync::SecurityLogPage> PlatformStore::securityLog(const sync::SecurityLogQuery &f) const
{
    QStringList where;
    QVariantList binds;
    if (f.from) {
        where << QStringLiteral("at >= ?");
        binds << *f.from;
    }
    if (f.to) {
        where << QStringLiteral("at <= ?");
        binds << *f.to;
    }
    if (!f.user.isEmpty()) {
        where << QStringLiteral("user = ?");
        binds << f.user;
    }
    if (!f.address.isEmpty()) {
        where << QStringLiteral("address = ?");
        binds << f.address;
    }
    if (!f.kind.isEmpty()) {
        // A prefix, matched literally (no LIKE wildcards from the caller).
        where << QStringLiteral("substr(kind, 1, ?) = ?");
        binds << int(f.kind.size()) << f.kind;
    }
    const bool byId = f.after.has_value();
    if (byId) {
        where << QStringLiteral("id > ?");
        binds << *f.after;
    } else if (f.before > 0) {
        where << QStringLiteral("id < ?");
        binds << f.before;
    }
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("SELECT %1 FROM security_log %2 ORDER BY id %3 LIMIT ?")
                  .arg(QLatin1String(kSecurityColumns),
                       where.isEmpty()
                           ? QString()
                           : QStringLiteral("WHERE ") + where.join(QLatin1String(" AND ")),
                       byId ? QStringLiteral("ASC") : QStringLiteral("DESC")));
    for (const QVariant &v : std::as_const(binds))
        q.addBindValue(v);
    q.addBindValue(f.limit + 1);
    if (!q.exec())
        return Error{q.lastError().text()};
    sync::SecurityLogPage page;
    while (q.next()) {
        if (page.entries.size() == f.limit) {
            page.next = page.entries.constLast().id;
            break;
        }
        page.entries.append(securityLineFrom(q));
    }
    page.chain = verifySecurityLog();
    return page;
}

sync::SecurityLogVerification PlatformStore::verifySecurityLog() const
{
    sync::SecurityLogVerification v;
    QSqlQuery a(m_db->sql());
    if (!a.exec(QStringLiteral("SELECT last_id, hash FROM security_log_anchor WHERE id = 1")) ||
        !a.next()) {
        v.ok = false;
        v.message = tr("The security log's anchor is missing: %1").arg(a.lastError().text());
        return v;
    }
    v.anchorId = a.value(0).toLongLong();
    QByteArray prev = a.value(1).toByteArray();
    qint64 expectId = v.anchorId + 1;
    QSqlQuery q(m_db->sql());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT %1 FROM security_log ORDER BY id")
                    .arg(QLatin1String(kSecurityColumns)))) {
        v.ok = false;
        v.message = q.lastError().text();
        return v;
    }
    while (q.next()) {
        const sync::SecurityLogEntry e = securityLineFrom(q);
        ++v.lines;
        QString problem;
        if (e.id != expectId)
            problem = tr("line %1 follows line %2: lines are missing").arg(e.id).arg(expectId - 1);
        else if (e.prevHash != prev)
            problem = tr("line %1 does not continue the previous line's hash").arg(e.id);
        else if (securityLineHash(e) != e.hash)
            problem = tr("line %1 was changed after it was written").arg(e.id);
        if (!problem.isEmpty()) {
            v.ok = false;
            v.firstBad = e.id;
            v.message = problem;
            return v;
        }
        prev = e.hash;
        expectId = e.id + 1;
    }
    return v;
}

Result<qint64> PlatformStore::purgeSecurityLog(qint64 before)
{
    Transaction tx(*m_db);
    if (!tx.isActive())
        return Error{tx.error()};
    // The purge removes a prefix of the chain: lines up to the first one that is still kept.
    QSqlQuery last(m_db->sql());
    last.prepare(QStringLiteral(
        "SELECT id, hash FROM security_log WHERE id < coalesce((SELECT min(id) FROM "
        "security_log WHERE at >= ?), (SELECT max(id) + 1 FROM security_log)) ORDER BY id DESC "
        "LIMIT 1"));
    last.addBindValue(before);
    if (!last.exec())
        return Error{last.lastError().text()};
    if (!last.next())
        return qint64(0);
    const qint64 lastId = last.value(0).toLongLong();
    const QByteArray hash = last.value(1).toByteArray();
    last.finish();
    QSqlQuery anchor(m_db->sql());
    anchor.prepare(QStringLiteral(
        "UPDATE security_log_anchor SET last_id = ?, hash = ?, purge_before = ? WHERE id = 1"));
    anchor.addBindValue(lastId);
    anchor.addBindValue(hash);
    anchor.addBindValue(before);
    if (!anchor.exec())
        return Error{anchor.lastError().text()};
    QSqlQuery del(m_db->sql());
    del.prepare(QStringLiteral("DELETE FROM security_log WHERE id <= ?"));
    del.addBindValue(lastId);
    if (!del.exec())
        return Error{del.lastError().text()};
    const qint64 gone = del.numRowsAffected();
    QSqlQuery done(m_db->sql());
    if (!done.exec(
            QStringLiteral("UPDATE security_log_anchor SET purge_before = NULL WHERE id = 1")))
        return Error{done.lastError().text()};
    if (Status s = tx.commit(); !s)
        return Error{s.error()};
    return gone;
}

} // namespace cityops
