#include "kpis.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace cityops {

namespace {

constexpr qint64 kHour = 3600LL * 1000;
constexpr qint64 kDay = 24 * kHour;
constexpr qint64 kShanghaiOffset = 8 * kHour; // Asia/Shanghai has no daylight saving

constexpr quint8 st(CaseState s)
{
    return quint8(s);
}

bool isOpen(const CaseFact &c)
{
    return c.state != st(CaseState::Closed) && c.state != st(CaseState::Rejected);
}

/** Open with a running clock that has passed (shelving pauses the clock). */
bool isOverdueNow(const CaseFact &c, qint64 now)
{
    return isOpen(c) && c.state != st(CaseState::Shelved) && c.deadlineAt > 0 && c.deadlineAt < now;
}

/** Counted by the KPIs: filed, i.e. neither rejected nor still waiting for intake. */
bool isFiled(const CaseFact &c)
{
    return c.state != st(CaseState::Rejected) && c.state != st(CaseState::Reported);
}

struct KpiAcc
{
    KpiRow row;
    std::vector<double> hours;

    void add(const CaseFact &c, qint64 now)
    {
        ++row.cases;
        const bool closed = c.state == st(CaseState::Closed);
        if (closed) {
            ++row.closed;
            if (!c.has(CaseFact::Late))
                ++row.closedOnTime;
            hours.push_back(double(c.closedAt - c.reportedAt) / double(kHour));
        } else if (isOverdueNow(c, now)) {
            ++row.openOverdue;
        }
        row.reworked += c.has(CaseFact::Reworked);
        row.extended += c.has(CaseFact::Extended);
        row.shelved += c.has(CaseFact::EverShelved) || c.state == st(CaseState::Shelved);
        row.reopened += c.has(CaseFact::Reopened);
    }
    KpiRow finish()
    {
        const auto rate = [](qint64 n, qint64 d) {
            return d ? double(n) / double(d) : 0.0;
        };
        row.closureRate = rate(row.closed, row.cases);
        row.onTimeRate = rate(row.closedOnTime, row.closed + row.openOverdue);
        row.reworkRate = rate(row.reworked, row.cases);
        row.extensionRate = rate(row.extended, row.cases);
        row.shelvedRate = rate(row.shelved, row.cases);
        double sum = 0;
        for (double h : hours)
            sum += h;
        row.meanHoursToClose = hours.empty() ? 0 : sum / double(hours.size());
        row.p90HoursToClose = Kpis::percentile(std::move(hours), 90);
        return row;
    }
};

void addFunnel(FunnelRow &f, const CaseFact &c)
{
    ++f.cases;
    const bool entered = c.maxStage >= 1 || c.stage >= 1;
    f.entered += entered;
    if (c.state == st(CaseState::Closed)) {
        if (!entered)
            ++f.outsideLadder;
        else if (c.stage <= 1)
            ++f.atNotice;
        else if (c.stage == 2)
            ++f.atPersuasion;
        else
            ++f.atEnforcement;
    } else {
        ++f.open;
    }
    f.skipped += c.has(CaseFact::Skipped);
}

QList<NamedCount> sortedCounts(const QList<qint64> &counts, const QList<KpiDimension> &dims)
{
    QList<NamedCount> out;
    for (qsizetype i = 0; i < counts.size(); ++i) {
        if (counts[i] > 0)
            out.append({dims[i].name, counts[i]});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const NamedCount &a, const NamedCount &b) { return a.count > b.count; });
    return out;
}

} // namespace

void KpiFacts::upsert(const CaseFact &f)
{
    auto it = std::lower_bound(cases.begin(), cases.end(), f.id,
                               [](const CaseFact &c, CaseId id) { return c.id < id; });
    if (it != cases.end() && it->id == f.id)
        *it = f;
    else
        cases.insert(it, f);
}

void KpiFacts::remove(CaseId id)
{
    auto it = std::lower_bound(cases.begin(), cases.end(), id,
                               [](const CaseFact &c, CaseId v) { return c.id < v; });
    if (it != cases.end() && it->id == id)
        cases.erase(it);
}

qint64 Kpis::dayStart(qint64 t)
{
    const qint64 local = t + kShanghaiOffset;
    const qint64 day = local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
    return day * kDay - kShanghaiOffset;
}

double Kpis::percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    const auto rank =
        static_cast<std::size_t>(std::max(1.0, std::ceil(p / 100.0 * double(values.size()))));
    const auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(values.begin(), nth, values.end());
    return *nth;
}

DashboardResult Kpis::compute(const KpiFacts &facts, const DashboardFilter &filter, qint64 now)
{
    DashboardResult r;
    r.filter = filter;
    r.now = now;

    // The period as whole days; the charts show at most kMaxDays of them (the latest).
    const qint64 to = filter.to > filter.from ? filter.to : now;
    qint64 first = dayStart(filter.from);
    const qint64 last = dayStart(to - 1);
    if (filter.from <= 0 || (last - first) / kDay >= kMaxDays)
        first = last - (kMaxDays - 1) * kDay;
    const int nDays = int((last - first) / kDay) + 1;
    for (int i = 0; i < nDays; ++i)
        r.days.append(first + i * kDay);
    r.found.fill(0, nDays);
    r.closed.fill(0, nDays);
    QList<qint64> backlogDelta(nDays + 1, 0), overdueDelta(nDays + 1, 0);
    const auto dayIndex = [&](qint64 t) -> qint64 {
        return (dayStart(t) - first) / kDay;
    };

    // Category filter: which category indexes match the prefix.
    std::vector<char> catOk(std::size_t(facts.categories.size()), 1);
    if (!filter.category.isEmpty()) {
        for (qsizetype i = 0; i < facts.categories.size(); ++i)
            catOk[std::size_t(i)] = facts.categories[i].code.startsWith(filter.category);
    }
    std::vector<char> isLadder(std::size_t(facts.categories.size()), 0);
    for (int i : facts.ladderCategories)
        isLadder[std::size_t(i)] = 1;

    KpiAcc total;
    std::vector<KpiAcc> byUnit(std::size_t(facts.units.size()));
    QList<qint64> overdueUnit(facts.units.size(), 0), overdueStreet(facts.streets.size(), 0);
    std::vector<FunnelRow> funnelCat(std::size_t(facts.categories.size()));
    std::vector<FunnelRow> funnelStreet(std::size_t(facts.streets.size()));
    std::vector<std::pair<qint64, qint64>> grid(std::size_t(facts.grids.size()), {0, 0});
    const qint64 from = filter.from;

    for (const CaseFact &c : facts.cases) {
        if (filter.street >= 0 && c.street != filter.street)
            continue;
        if (filter.unit >= 0 && c.unit != filter.unit)
            continue;
        if (c.category < 0 || !catOk[std::size_t(c.category)])
            continue;
        ++r.matched;

        // Daily series: by the day things happened, whenever the case was reported.
        const qint64 rd = dayIndex(c.reportedAt);
        if (rd >= 0 && rd < nDays)
            ++r.found[rd];
        const bool finished = !isOpen(c);
        const qint64 cd = finished && c.closedAt > 0 ? dayIndex(c.closedAt) : nDays;
        if (c.state == st(CaseState::Closed) && cd >= 0 && cd < nDays)
            ++r.closed[cd];
        if (cd > 0 && rd < nDays) {
            ++backlogDelta[std::max<qint64>(rd, 0)];
            --backlogDelta[std::min<qint64>(cd, nDays)];
            // Overdue from the day after the current deadline passed until it was finished.
            if (c.deadlineAt > 0 && c.state != st(CaseState::Shelved)) {
                const qint64 od = std::max<qint64>({dayIndex(c.deadlineAt), rd, 0});
                const qint64 oe = std::min<qint64>(cd, nDays);
                if (od < oe && c.deadlineAt < now) {
                    ++overdueDelta[od];
                    --overdueDelta[oe];
                }
            }
        }

        // Everything else is about the cases reported in the period.
        if (c.reportedAt < from || c.reportedAt >= to)
            continue;
        if (isOverdueNow(c, now)) {
            if (c.unit >= 0)
                ++overdueUnit[c.unit];
            if (c.street >= 0)
                ++overdueStreet[c.street];
        }
        if (isFiled(c)) {
            total.add(c, now);
            if (c.unit >= 0)
                byUnit[std::size_t(c.unit)].add(c, now);
        }
        // Every case of a ladder category: one closed without a soft step counts too.
        if (isLadder[std::size_t(c.category)] && isFiled(c)) {
            addFunnel(r.funnelTotal, c);
            addFunnel(funnelCat[std::size_t(c.category)], c);
            if (c.street >= 0)
                addFunnel(funnelStreet[std::size_t(c.street)], c);
        }
        if (c.grid >= 0) {
            auto &g = grid[std::size_t(c.grid)];
            ++g.second;
            g.first += int(c.has(CaseFact::Linked)) + int(c.has(CaseFact::Reopened));
        }
    }

    qint64 b = 0, o = 0;
    for (int i = 0; i < nDays; ++i) {
        b += backlogDelta[i];
        o += overdueDelta[i];
        r.backlog.append(b);
        r.overdue.append(o);
        r.gap.append(r.found[i] - r.closed[i]);
    }
    r.overdueByUnit = sortedCounts(overdueUnit, facts.units);
    r.overdueByStreet = sortedCounts(overdueStreet, facts.streets);

    r.total = total.finish();
    r.total.label = tr("All units");
    for (std::size_t i = 0; i < byUnit.size(); ++i) {
        if (byUnit[i].row.cases == 0)
            continue;
        KpiRow row = byUnit[i].finish();
        row.label = facts.units[qsizetype(i)].name;
        r.byUnit.append(row);
    }
    std::sort(r.byUnit.begin(), r.byUnit.end(),
              [](const KpiRow &a, const KpiRow &b) { return a.label < b.label; });

    r.funnelTotal.label = tr("All ladder categories");
    for (std::size_t i = 0; i < funnelCat.size(); ++i) {
        if (funnelCat[i].cases == 0)
            continue;
        funnelCat[i].label = facts.categories[qsizetype(i)].name;
        r.funnelByCategory.append(funnelCat[i]);
    }
    for (std::size_t i = 0; i < funnelStreet.size(); ++i) {
        if (funnelStreet[i].cases == 0)
            continue;
        funnelStreet[i].label = facts.streets[qsizetype(i)].name;
        r.funnelByStreet.append(funnelStreet[i]);
    }

    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < grid.size(); ++i) {
        if (grid[i].first > 0)
            order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (grid[a].first != grid[b].first)
            return grid[a].first > grid[b].first;
        return facts.grids[qsizetype(a)].code < facts.grids[qsizetype(b)].code;
    });
    for (std::size_t i = 0; i < order.size() && i < std::size_t(kMaxHotspots); ++i) {
        const std::size_t g = order[i];
        r.hotspots.append({facts.grids[qsizetype(g)].code, grid[g].first, grid[g].second});
    }
    return r;
}

QList<QStringList> Kpis::table(const DashboardResult &r)
{
    QList<QStringList> rows;
    rows.append({tr("Unit"), tr("Cases"), tr("Closed"), tr("结案率 closure rate"),
                 tr("按期结案率 on-time closure rate"), tr("返工率 rework rate"),
                 tr("延期率 extension rate"), tr("挂账率 shelved rate"), tr("Mean hours to close"),
                 tr("P90 hours to close")});
    const auto pct = [](double v) {
        return QString::number(v * 100, 'f', 1);
    };
    const auto hrs = [](double v) {
        return QString::number(v, 'f', 1);
    };
    QList<KpiRow> all{r.total};
    all += r.byUnit;
    for (const KpiRow &k : all) {
        rows.append({k.label, QString::number(k.cases), QString::number(k.closed),
                     pct(k.closureRate), pct(k.onTimeRate), pct(k.reworkRate), pct(k.extensionRate),
                     pct(k.shelvedRate), hrs(k.meanHoursToClose), hrs(k.p90HoursToClose)});
    }
    return rows;
}

} // namespace cityops
