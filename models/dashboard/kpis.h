#pragma once

#include "domain/types.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>

#include <vector>

namespace cityops {

/** One case as the dashboard needs it: times, dimensions as small indexes, workflow facts. */
struct CaseFact
{
    enum Flag : quint16
    {
        Reworked = 1 << 0,    ///< verification failed at least once (返工)
        Extended = 1 << 1,    ///< an extension was approved (延期)
        EverShelved = 1 << 2, ///< shelved at least once (挂账)
        Reopened = 1 << 3,    ///< closed and reopened
        Skipped = 1 << 4,     ///< an approved escalation skipped a stage
        Late = 1 << 5,        ///< fed back after the deadline in force
        Linked = 1 << 6,      ///< a recurrence: linked to an earlier case at the same place/party
    };
    CaseId id = 0;
    qint64 reportedAt = 0;
    qint64 closedAt = 0;   ///< 0 while open
    qint64 deadlineAt = 0; ///< 0 when no clock runs
    quint8 state = 0;      ///< CaseState as an integer
    quint8 stage = 0;      ///< the current (or final) ladder stage
    quint8 maxStage = 0;   ///< the highest stage reached
    quint16 flags = 0;
    qint32 street = -1;   ///< index into KpiFacts::streets
    qint32 category = -1; ///< index into KpiFacts::categories
    qint32 unit = -1;     ///< index into KpiFacts::units
    qint32 grid = -1;     ///< index into KpiFacts::grids

    bool has(Flag f) const { return flags & f; }
};

/** A named dimension value (street, category, unit or grid). */
struct KpiDimension
{
    qint64 id = 0; ///< the row id (streets, units) or 0
    QString code;  ///< category or grid code, unit code
    QString name;
};

/**
 * Every case's facts in id order plus the dimension tables, loaded once by KpiFactsStore and
 * then kept current case by case. A plain value: owned by the dashboard's worker thread.
 */
struct KpiFacts
{
    std::vector<CaseFact> cases; ///< ascending id
    QList<KpiDimension> streets;
    QList<KpiDimension> categories;
    QList<KpiDimension> units;
    QList<KpiDimension> grids;
    /** Ladder categories (those with an escalation ladder), as indexes into categories. */
    QList<int> ladderCategories;

    /** Inserts or replaces a case (keeps the id order). */
    void upsert(const CaseFact &f);
    /** Removes a case if present. */
    void remove(CaseId id);
};

/** What the supervisor narrows the dashboard to. Empty / -1 means "all". */
struct DashboardFilter
{
    qint64 from = 0;  ///< period start (UTC ms), inclusive
    qint64 to = 0;    ///< period end (UTC ms), exclusive
    int street = -1;  ///< index into KpiFacts::streets
    QString category; ///< a major (2 digits) or subcategory (4 digits) code prefix
    int unit = -1;    ///< index into KpiFacts::units

    bool operator==(const DashboardFilter &) const = default;
};

/** The standard KPIs of one group of cases (all, or one unit). */
struct KpiRow
{
    QString label;
    qint64 cases = 0; ///< filed cases in the period (not rejected, not waiting for intake)
    qint64 closed = 0;
    qint64 closedOnTime = 0;
    qint64 openOverdue = 0;
    qint64 reworked = 0;
    qint64 extended = 0;
    qint64 shelved = 0;
    qint64 reopened = 0;
    double closureRate = 0;   ///< 结案率
    double onTimeRate = 0;    ///< 按期结案率
    double reworkRate = 0;    ///< 返工率
    double extensionRate = 0; ///< 延期率
    double shelvedRate = 0;   ///< 挂账率
    double meanHoursToClose = 0;
    double p90HoursToClose = 0;
};

/** The escalation funnel of one group (a category, a street, or all). */
struct FunnelRow
{
    QString label;
    qint64 cases = 0;         ///< every filed case of a ladder category (the shares' base)
    qint64 entered = 0;       ///< cases that entered the ladder (stage ≥ 1)
    qint64 outsideLadder = 0; ///< closed without entering the ladder (no soft step on record)
    qint64 atNotice = 0;      ///< closed at stage 1
    qint64 atPersuasion = 0;  ///< closed at stage 2
    qint64 atEnforcement = 0; ///< closed at stage 3
    qint64 open = 0;          ///< not closed yet
    qint64 skipped = 0;       ///< entered a stage by skipping one (counted apart)
    double share(qint64 n) const { return cases ? double(n) / double(cases) : 0; }
};

/** A grid cell with recurring problems. */
struct Hotspot
{
    QString gridCode;
    qint64 recurrences = 0; ///< linked repeats plus reopenings
    qint64 cases = 0;
};

/** A count per named group (overdue by unit or street). */
struct NamedCount
{
    QString label;
    qint64 count = 0;
};

/** Everything the dashboard shows for one filter. */
struct DashboardResult
{
    qint64 generation = 0;
    DashboardFilter filter;
    qint64 now = 0;
    QList<qint64> days;    ///< start of each day of the period (Asia/Shanghai midnight, UTC ms)
    QList<qint64> found;   ///< cases reported per day
    QList<qint64> closed;  ///< cases closed per day
    QList<qint64> gap;     ///< found − closed per day
    QList<qint64> backlog; ///< cases open at the end of each day
    QList<qint64> overdue; ///< cases open and past their current deadline at the end of each day
    QList<NamedCount> overdueByUnit;   ///< now, descending
    QList<NamedCount> overdueByStreet; ///< now, descending
    KpiRow total;
    QList<KpiRow> byUnit; ///< units with cases, by name
    FunnelRow funnelTotal;
    QList<FunnelRow> funnelByCategory;
    QList<FunnelRow> funnelByStreet;
    QList<Hotspot> hotspots; ///< most recurrences first
    qint64 matched = 0;      ///< cases matching street/category/unit, any period
};

/**
 * The dashboard's figures, computed from KpiFacts in one pass per filter. Pure and reentrant; the
 * formulas are documented in docs/kpis.md.
 */
class Kpis
{
    Q_DECLARE_TR_FUNCTIONS(Kpis)
public:
    static constexpr int kMaxHotspots = 20;
    static constexpr int kMaxDays = 400;
    static DashboardResult compute(const KpiFacts &facts, const DashboardFilter &filter,
                                   qint64 now);
    /** Start of the Asia/Shanghai day that contains t (UTC ms). */
    static qint64 dayStart(qint64 t);
    /** Nearest-rank percentile (p in 0..100) of unsorted values; 0 for none. */
    static double percentile(std::vector<double> values, double p);
    /** The KPI table as CSV rows (header first), for export. */
    static QList<QStringList> table(const DashboardResult &r);
};

} // namespace cityops

Q_DECLARE_METATYPE(cityops::DashboardFilter)
Q_DECLARE_METATYPE(cityops::DashboardResult)
