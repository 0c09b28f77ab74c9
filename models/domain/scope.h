#pragma once

#include <QCoreApplication>
#include <QSet>
#include <QString>

#include <optional>

namespace cityops {

namespace sync {
struct CaseRow;
}

/**
 * Where an account works (issue 19): the whole district, one street (街镇) and its sub-centre, one
 * community (居村) for grid workers and volunteers, or one functional department (条线部门): a
 * district bureau with all its squads, or one street's squad. Stored with the account as text
 * ("district", "street:ST01", "community:ST01-C03", "department:enforcement",
 * "department:enforcement:ST01"); the platform resolves it against the reference data into a
 * ResolvedScope and applies that to everything it sends and accepts.
 *
 * The default policy, in one place (ResolvedScope::sees, documented in docs/security.md):
 * - district: every case (the district centre, auditors);
 * - street: the cases of that street;
 * - community: the open cases of that community;
 * - department: the cases assigned to one of the department's teams or people;
 * - and everyone sees the cases assigned to their own person.
 *
 * Threading: value types, any thread.
 */
struct Scope
{
    Q_DECLARE_TR_FUNCTIONS(Scope)
public:
    enum class Kind
    {
        District,
        Street,
        Community,
        Department
    };

    Kind kind = Kind::District;
    /** The street code, the community code, or the department's unit type. */
    QString code;
    /** Department squads only: the street the squad works in (empty: the district bureau). */
    QString street;

    static Scope district() { return {}; }
    /** Parses the stored text; nullopt (with `why`) when it is malformed. */
    static std::optional<Scope> parse(const QString &text, QString *why = nullptr);
    QString toString() const;
    /** For people: "the district", "street ST01", … (translated). */
    QString label() const;

    bool operator==(const Scope &) const = default;
};

/** The columns of a case that a scope reads (see ResolvedScope::sees). */
struct CaseLocus
{
    std::optional<qint64> street;
    std::optional<qint64> community;
    std::optional<qint64> unit;
    std::optional<qint64> assignee;
    bool closed = false;

    static CaseLocus of(const sync::CaseRow &row);
};

/**
 * A Scope resolved against the reference data (ids instead of codes), so that a case row can be
 * judged without a query.
 */
struct ResolvedScope
{
    Scope::Kind kind = Scope::Kind::District;
    qint64 streetId = 0;
    qint64 communityId = 0;
    /** Department: the ids of its teams and of their people. */
    QSet<qint64> units;
    /** The account's own person (its unit id), 0 when none. */
    qint64 person = 0;

    bool everything() const { return kind == Scope::Kind::District; }
    /** Whether a console in this scope may hold and act on the case. */
    bool sees(const sync::CaseRow &row) const;
    /** The same rule on the columns it reads. */
    bool sees(const CaseLocus &c) const;
};

} // namespace cityops
