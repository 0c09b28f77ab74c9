#pragma once

#include "domain/scope.h"
#include "domain/types.h"
#include "sync/messages.h"
#include "sync/securitylog.h"
#include "sync/snapshotwriter.h"
#include "util/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace cityops {

class Database;
class StatementCache;

/** A sign-in account of the platform. */
struct Account
{
    QString username;
    Role role = Role::Operator;
    QString displayName;
    QString person; ///< unit code of the person behind the account (may be empty)
    QByteArray salt;
    QByteArray hash; ///< PBKDF2-HMAC-SHA256 of the password
    int iterations = 0;
    bool demoPassword = false; ///< the password is the published demo password
    bool disabled = false;
    /** Why this person may hold this account beside one of a conflicting role (else empty). */
    QString dutyReason;
    /** The code of the account's organisation (a team in `units`); empty: the district centre. */
    QString org;
    /** Where the account works (Scope::parse), "district" unless set. */
    QString scope = QStringLiteral("district");
};

/** A decided command id (see the `applied_commands` table). */
struct AppliedCommand
{
    QString id;
    QString username;
    QString device;
    QString action;
    CaseId caseId = 0;
    bool applied = false;
    QString reason;
    QString code;
    int version = 0;
    int baseVersion = 0;
    qint64 clientAt = 0;
    qint64 at = 0;
};

/** Failed sign-ins in a time window, by user name and by address. */
struct LoginFailures
{
    int byUser = 0;
    int byAddress = 0;
    qint64 oldestByUser = 0;
    qint64 newestByUser = 0;
    qint64 oldestByAddress = 0;
};

/** The Open311 filters of GET requests.json. */
struct RequestFilter
{
    QList<CaseId> ids; ///< when set, every other filter is ignored
    QString serviceCode;
    std::optional<qint64> from;
    std::optional<qint64> to;
    std::optional<bool> closed;
    int limit = 1000;
};

/**
 * The district platform's SQLite store (DATA/platform.db): the cache schema's case tables, which
 * CaseRepository and the Workflow run against authoritatively, plus the platform's own tables
 * (accounts, sessions, applied_commands, changes, login_failures) from a separately numbered
 * migration set in ":/platform-migrations". The file carries the CityOps application id and
 * `meta.store_kind = 'platform'`, so a console cache is never mistaken for it.
 *
 * Threading: same rule as Database; the platform uses it from one thread.
 */
class PlatformStore
{
    Q_DECLARE_TR_FUNCTIONS(PlatformStore)
public:
    static constexpr int kSchemaVersion = 5;
    static constexpr const char *kFileName = "platform.db";

    /** DATA/platform.db */
    static QString pathInDir(const QString &dataDir);
    /**
     * Opens (creating if absent) the store in a data directory. An existing file without the
     * platform marker is refused and left unchanged unless `adopt` is set (a demo district just
     * generated for the platform).
     */
    static Result<std::unique_ptr<PlatformStore>> open(const QString &dataDir, bool adopt = false);
    ~PlatformStore();

    Database &database() const { return *m_db; }
    /** Whether a transaction is open (SQLite ends one by itself on some errors, e.g. disk full). */
    bool inTransaction() const;
    const std::shared_ptr<Database> &databasePtr() const { return m_db; }
    /**
     * Tests only (docs/reliability.md): lets the file grow by at most `sparePages` pages beyond
     * its current size, so a write beyond that fails as on a full disk (SQLITE_FULL).
     */
    Status limitGrowth(int sparePages);

    // Accounts
    std::optional<Account> account(const QString &username) const;
    QList<Account> accounts() const;
    Status insertAccount(const Account &a, qint64 now);
    /** Replaces the password and signs the account out everywhere. */
    Status setPassword(const QString &username, const QByteArray &salt, const QByteArray &hash,
                       int iterations, bool demoPassword, qint64 now);
    /** Disables (or enables) an account; disabling signs it out everywhere. */
    Status setDisabled(const QString &username, bool disabled, qint64 now);
    /** The district's `users` rows (role, display name, person code) without passwords. */
    QList<Account> districtUsers() const;
    /** The unit type of a street's operations sub-centre (its accounts work in the street). */
    static constexpr const char *kStreetCentreType = "street_office";
    /**
     * The scope an account of this organisation and person works in unless an administrator
     * sets another: a grid worker's or volunteer's community, a street sub-centre's street, a
     * department squad in its street or a bureau in the district, else the district.
     */
    QString defaultScope(const QString &org, const QString &person) const;
    /** Sets the account's organisation and scope (both already validated). */
    Status setScope(const QString &username, const QString &org, const QString &scope, qint64 now);
    /** Whether `code` is a team of the district's units (an organisation). */
    bool teamExists(const QString &code) const;
    /** The account's scope against the reference data (ids of its street, teams, person). */
    Result<ResolvedScope> resolveScope(const Account &account) const;
    /** Whether a person (a unit of kind person) has this code. */
    bool personExists(const QString &code) const;

    // Sessions
    Status addSession(const QByteArray &tokenHash, const QString &username, qint64 now,
                      qint64 expiresAt, const QString &address);
    /** The user of an unexpired session. */
    std::optional<QString> sessionUser(const QByteArray &tokenHash, qint64 now) const;
    Status removeSession(const QByteArray &tokenHash);
    /** An account's session as the administrator sees it (never the token). */
    struct SessionRow
    {
        qint64 createdAt = 0;
        qint64 expiresAt = 0;
        QString address;
    };
    /** The account's unexpired sessions, newest first. */
    QList<SessionRow> sessions(const QString &username, qint64 now) const;
    /** Ends every session of the account; returns how many there were. */
    Result<int> endSessions(const QString &username);
    /** Forgets expired sessions and failures older than `failuresBefore`. */
    Status purge(qint64 now, qint64 failuresBefore);

    // Sign-in throttling: login_failures holds counters only (the security log keeps history)
    Status addLoginFailure(const QString &username, const QString &address, qint64 at);
    /** The user's failures since `userSince` and the address's since `addressSince`. */
    LoginFailures loginFailures(const QString &username, const QString &address, qint64 userSince,
                                qint64 addressSince) const;
    /** Resets the user's counter after a successful sign-in; the addresses' counts stay. */
    Status clearLoginFailures(const QString &username);

    // Commands and the change feed (called inside the caller's transaction)
    std::optional<AppliedCommand> appliedCommand(const QString &id) const;
    Status recordCommand(const AppliedCommand &c);
    /** Appends a change with the case's current row; returns its seq. */
    /** `before`: the case as it was (nullopt for a new case), for scoped feeds. */
    Result<qint64> appendChange(CaseId id, int prevVersion, qint64 at, const QString &commandId,
                                const std::optional<CaseLocus> &before = std::nullopt);
    qint64 lastChangeSeq() const;
    /**
     * Changes after `since`. With a scope that does not see everything, a change of a case the
     * scope does not see (before or after) is left out, a case that left the scope comes as a
     * drop (sync::Change::dropped), and one that entered it comes with all its events; `limit`
     * counts the changes read, so a page may hold fewer. A change made by `username`'s own
     * command to a case outside the scope comes as a drop (its console holds the case). With a
     * `viewer`, rows' personal data as for snapshot().
     */
    Result<sync::ChangesPage> changesSince(qint64 since, int limit,
                                           const ResolvedScope *scope = nullptr,
                                           const QString &username = {},
                                           std::optional<Role> viewer = std::nullopt) const;
    /** A snapshot page's JSON with its `next` and `more`. */
    struct SnapshotBody
    {
        QByteArray body; ///< JSON or binary, as asked
        CaseId next = 0;
        bool more = false;
    };
    /**
     * A snapshot page (sync::SnapshotPage) encoded straight from the rows: cases after `after`
     * in id order with their events and facts; only the scope's cases, and with a `viewer` the
     * rows' personal data (party, numbers in the description) as that role may see it
     * (PersonalData). Event payloads are hash-chained and sent as stored.
     */
    Result<SnapshotBody>
    snapshot(CaseId after, int limit,
             sync::SnapshotWriter::Format format = sync::SnapshotWriter::Format::Json,
             const ResolvedScope *scope = nullptr, std::optional<Role> viewer = std::nullopt) const;
    /** The district's reference data (sync::referenceTableNames()) with its version. */
    Result<sync::ReferenceData> reference() const;
    /**
     * What of the district's reference data an account in `scope` receives (docs/security.md,
     * "Who sees what"), with its own version. A district scope gets all of it. Any other scope
     * gets the map and catalogue tables and every team whole, and every person's row (a case it
     * sees may be dispatched to anyone, and the console's cases reference units), but the
     * position (lon, lat, seen_at) only of the people in its scope and of the account's own
     * person; and of `users` only the accounts of its teams and people and `username` itself.
     * Pure: reads only its arguments.
     */
    static sync::ReferenceData scopedReference(const sync::ReferenceData &district,
                                               const ResolvedScope &scope, const QString &username);
    /** Changes when another connection (e.g. an administration command) commits. */
    qint64 dataVersion() const;
    std::optional<sync::CaseRow> caseRow(CaseId id) const;
    /** What a scope reads of each case whose timeline names the attachment as evidence. */
    QList<CaseLocus> evidenceCases(const QString &sha256) const;
    /** The case's version, or -1 when there is no such case. */
    int caseVersion(CaseId id) const;
    Result<QList<sync::CaseRow>> requests(const RequestFilter &filter) const;
    /** MIME type recorded for an attachment. */
    std::optional<QString> attachmentMime(const QString &sha256) const;

    // The security log (append-only, hash-chained; resources/platform-migrations/0004)
    /**
     * Appends a line after the newest one (its id, prev_hash and hash are set here); in its own
     * transaction unless the caller has one open. Returns the line's id.
     */
    Result<qint64> appendSecurityLog(const sync::SecurityLogEntry &line);
    /** A page of lines matching the query, with the chain's verification. */
    Result<sync::SecurityLogPage> securityLog(const sync::SecurityLogQuery &query) const;
    /** Recomputes every line's hash from the anchor on (eventHash over the line's fields). */
    sync::SecurityLogVerification verifySecurityLog() const;
    /**
     * The retention purge: deletes the oldest lines up to the first one at or after `before`,
     * moving the anchor to the last deleted line's id and hash first, so what is left still
     * verifies. Returns how many lines went.
     */
    Result<qint64> purgeSecurityLog(qint64 before);

private:
    explicit PlatformStore(std::shared_ptr<Database> db);
    Status migrate();

    std::shared_ptr<Database> m_db;
    /** The command path's statements, parsed once (after m_db: closed before it). */
    std::unique_ptr<StatementCache> m_statements;
};

} // namespace cityops
