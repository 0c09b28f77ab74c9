#include "kpifactsstore.h"

#include "database.h"
#include "domain/catalogue.h"
#include "sqlitestatement.h"

#include <QHash>

#include <algorithm>
#include <cstdint>
#include <thread>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

namespace cityops {

namespace {

// The narrow row of schema 8 (kpi_facts), integers only, in its column order.
constexpr const char *kFactSql =
    "SELECT case_id, reported_at, closed_at, deadline_at, state, stage, street_id, category, "
    "unit_id, grid, flags, max_stage FROM kpi_facts";

/** Row ids to dimension indexes: a plain array for the small ids a cache has, a hash beyond. */
class IdIndex
{
public:
    void insert(qint64 id, int index)
    {
        if (id >= 0 && id < kDense) {
            if (std::size_t(id) >= m_dense.size())
                m_dense.resize(std::size_t(id) + 1, -1);
            m_dense[std::size_t(id)] = index;
        } else {
            m_sparse.insert(id, index);
        }
    }
    int value(qint64 id) const
    {
        if (id >= 0 && std::size_t(id) < m_dense.size())
            return m_dense[std::size_t(id)];
        return id >= 0 && id < kDense ? -1 : m_sparse.value(id, -1);
    }
    bool contains(qint64 id) const { return value(id) >= 0; }

private:
    static constexpr qint64 kDense = 1 << 20;
    std::vector<qint32> m_dense;
    QHash<qint64, int> m_sparse;
};

/** What a kpi_facts row's integers mean; built from the dimensions and kpi_codes. */
struct Lookups
{
    IdIndex street;
    IdIndex unit;
    IdIndex category; ///< by kpi_codes.id
    IdIndex grid;     ///< by kpi_codes.id
    IdIndex state;    ///< by kpi_codes.id: the CaseState
};

/** Reads one row of kFactSql. */
CaseFact readFact(sqlite3_stmt *s, const Lookups &lk)
{
    CaseFact f;
    f.id = sqlite3_column_int64(s, 0);
    f.reportedAt = sqlite3_column_int64(s, 1);
    f.closedAt = sqlite3_column_int64(s, 2);
    f.deadlineAt = sqlite3_column_int64(s, 3);
    // An unknown state reads as reported (never counted as filed).
    f.state = quint8(std::max(0, lk.state.value(sqlite3_column_int64(s, 4))));
    f.stage = quint8(sqlite3_column_int(s, 5));
    f.street = lk.street.value(sqlite3_column_int64(s, 6));
    f.category = lk.category.value(sqlite3_column_int64(s, 7));
    f.unit = lk.unit.value(sqlite3_column_int64(s, 8));
    f.grid = lk.grid.value(sqlite3_column_int64(s, 9));
    f.flags = quint16(sqlite3_column_int(s, 10));
    f.maxStage = quint8(std::max(sqlite3_column_int(s, 11), int(f.stage)));
    return f;
}

/** A kpi_facts row of a case that exists (not only its facts, written first). */
bool isCase(sqlite3_stmt *s)
{
    return sqlite3_column_type(s, 1) != SQLITE_NULL;
}

/** Reads the cases with from ≤ id ≤ to, in id order. */
Status scan(sqlite3 *db, qint64 from, qint64 to, const Lookups &lk, std::vector<CaseFact> &out)
{
    SqliteStatement st(
        db, (QByteArray(kFactSql) + " WHERE case_id BETWEEN ? AND ? ORDER BY case_id").constData());
    if (!st.ok())
        return Error{st.error()};
    st.bind(1, from);
    st.bind(2, to);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
        if (isCase(st.get()))
            out.push_back(readFact(st.get(), lk));
    }
    if (rc != SQLITE_DONE)
        return Error{st.error()};
    return Ok{};
}

/**
 * scan() on a connection of its own, for one thread: read-only, without SQLite's per-call mutex
 * and with the default small page cache (a sequential scan never reads a page twice).
 */
Status scanOnOwnConnection(const QString &path, qint64 from, qint64 to, const Lookups &lk,
                           std::vector<CaseFact> &out)
{
    sqlite3 *h = nullptr;
    Status s = Ok{};
    if (sqlite3_open_v2(path.toUtf8().constData(), &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        s = Error{QString::fromUtf8(sqlite3_errmsg(h))};
    else
        s = scan(h, from, to, lk, out);
    sqlite3_close(h);
    return s;
}

/**
 * Reserves room for n facts and asks Linux to back it with transparent huge pages: on this kind
 * of virtual machine every 4 KB page fault is costly, and the facts of a million cases are 56 MB.
 */
void reserveFacts(std::vector<CaseFact> &v, std::size_t n)
{
    v.reserve(n);
#ifdef Q_OS_LINUX
    constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
    const auto first = (reinterpret_cast<std::uintptr_t>(v.data()) + kHuge - 1) & ~(kHuge - 1);
    const auto last = reinterpret_cast<std::uintptr_t>(v.data() + v.capacity()) & ~(kHuge - 1);
    if (last > first)
        (void)madvise(reinterpret_cast<void *>(first), last - first, MADV_HUGEPAGE);
#endif
}

KpiDimension unitDimension(const SqliteStatement &st, int col, bool zh)
{
    // Team names repeat across streets ("执法中队"): the code tells them apart.
    return {st.integer(col), st.text(col + 1),
            QStringLiteral("%1 (%2)").arg(st.text(zh ? col + 2 : col + 3), st.text(col + 1))};
}

/** The streets, categories and grid cells, and every unit (load() keeps those with cases). */
Status loadDimensions(sqlite3 *db, KpiFacts &facts)
{
    const bool zh = preferChineseNames();
    SqliteStatement streets(db, "SELECT id, code, name_zh, name_en FROM streets ORDER BY id");
    SqliteStatement categories(db, "SELECT code, name_zh, name_en, ladder_notice_hours IS NOT "
                                   "NULL FROM categories ORDER BY code");
    SqliteStatement units(db, "SELECT id, code, name_zh, name_en FROM units ORDER BY id");
    SqliteStatement grids(db, "SELECT code FROM grids ORDER BY id");
    for (const SqliteStatement *st : {&streets, &categories, &units, &grids}) {
        if (!st->ok())
            return Error{st->error()};
    }
    while (streets.step() == SQLITE_ROW)
        facts.streets.append({streets.integer(0), streets.text(1), streets.text(zh ? 2 : 3)});
    while (categories.step() == SQLITE_ROW) {
        if (categories.integer(3))
            facts.ladderCategories.append(int(facts.categories.size()));
        facts.categories.append({0, categories.text(0), categories.text(zh ? 1 : 2)});
    }
    while (units.step() == SQLITE_ROW)
        facts.units.append(unitDimension(units, 0, zh));
    while (grids.step() == SQLITE_ROW)
        facts.grids.append({0, grids.text(0), grids.text(0)});
    return Ok{};
}

/** The lookups for the dimensions in `facts` and the codes kpi_codes holds now. */
Result<Lookups> lookups(sqlite3 *db, const KpiFacts &facts)
{
    Lookups lk;
    for (qsizetype i = 0; i < facts.streets.size(); ++i)
        lk.street.insert(facts.streets[i].id, int(i));
    for (qsizetype i = 0; i < facts.units.size(); ++i)
        lk.unit.insert(facts.units[i].id, int(i));
    QHash<QString, int> category, grid, state;
    for (qsizetype i = 0; i < facts.categories.size(); ++i)
        category.insert(facts.categories[i].code, int(i));
    for (qsizetype i = 0; i < facts.grids.size(); ++i)
        grid.insert(facts.grids[i].code, int(i));
    for (CaseState s : kAllCaseStates)
        state.insert(Names::key(s), int(s));
    SqliteStatement codes(db, "SELECT id, code FROM kpi_codes");
    if (!codes.ok())
        return Error{codes.error()};
    while (codes.step() == SQLITE_ROW) {
        const qint64 id = codes.integer(0);
        const QString code = codes.text(1);
        // A code is a state, a category or a grid cell; the other two lookups stay -1.
        if (const int i = category.value(code, -1); i >= 0)
            lk.category.insert(id, i);
        if (const int i = grid.value(code, -1); i >= 0)
            lk.grid.insert(id, i);
        if (const int i = state.value(code, -1); i >= 0)
            lk.state.insert(id, i);
    }
    return lk;
}

/** Keeps the units that cases are assigned to (in id order) and renumbers the cases' units. */
void keepUsedUnits(KpiFacts &facts)
{
    std::vector<int> renumber(std::size_t(facts.units.size()), -1);
    for (const CaseFact &f : facts.cases) {
        if (f.unit >= 0)
            renumber[std::size_t(f.unit)] = 0;
    }
    QList<KpiDimension> used;
    for (qsizetype i = 0; i < facts.units.size(); ++i) {
        if (renumber[std::size_t(i)] == 0) {
            renumber[std::size_t(i)] = int(used.size());
            used.append(facts.units[i]);
        }
    }
    for (CaseFact &f : facts.cases) {
        if (f.unit >= 0)
            f.unit = renumber[std::size_t(f.unit)];
    }
    facts.units = std::move(used);
}

} // namespace

KpiFactsStore::KpiFactsStore(std::shared_ptr<Database> db) : m_db(std::move(db)) {}

Result<KpiFacts> KpiFactsStore::load() const
{
    const auto fail = [](const QString &why) {
        return Error{tr("Cannot read the dashboard facts: %1").arg(why)};
    };
    KpiFacts facts;
    if (Status s = loadDimensions(m_db->handle(), facts); !s)
        return fail(s.error());
    const auto lk = lookups(m_db->handle(), facts);
    if (!lk)
        return fail(lk.error());
    qint64 lo = 0, hi = -1;
    {
        // Two subqueries: SQLite finds a lone min() or max() at the end of the index, but
        // min() and max() in one query scan the whole table.
        SqliteStatement st(m_db->handle(), "SELECT (SELECT min(case_id) FROM kpi_facts), "
                                           "(SELECT max(case_id) FROM kpi_facts)");
        if (st.step() == SQLITE_ROW && !st.isNull(0)) {
            lo = st.integer(0);
            hi = st.integer(1);
        }
    }
    // Case ids are dense (a few rows may be facts only): the id range sizes the vectors.
    const qint64 span = std::clamp<qint64>(hi - lo + 1, 0, 1 << 24);
    reserveFacts(facts.cases, std::size_t(span));
    if (span <= 20000) {
        // Small: on this connection (which also sees its own uncommitted writes).
        if (Status s = scan(m_db->handle(), lo, hi, *lk, facts.cases); !s)
            return fail(s.error());
    } else {
        // Two halves of the id range on two threads with a connection each: reading a million
        // rows is most of the dashboard's first render, and SQLite readers run in parallel
        // under WAL.
        const qint64 mid = lo + (hi - lo) / 2;
        std::vector<CaseFact> upper;
        reserveFacts(upper, std::size_t(hi - mid));
        Status upperStatus = Ok{};
        std::thread second(
            [&] { upperStatus = scanOnOwnConnection(m_db->path(), mid + 1, hi, *lk, upper); });
        const Status lower = scanOnOwnConnection(m_db->path(), lo, mid, *lk, facts.cases);
        second.join();
        if (!lower || !upperStatus)
            return fail(!lower ? lower.error() : upperStatus.error());
        facts.cases.insert(facts.cases.end(), upper.begin(), upper.end());
    }
    keepUsedUnits(facts);
    return facts;
}

Status KpiFactsStore::update(KpiFacts &facts, const QList<CaseId> &ids) const
{
    if (ids.isEmpty())
        return Ok{};
    const auto fail = [](const QString &why) {
        return Error{tr("Cannot read the dashboard facts: %1").arg(why)};
    };
    // Lookups from the dimensions already loaded and the codes as they are now (a case may use
    // a grid cell no case used before); units new since the load are added below.
    auto lk = lookups(m_db->handle(), facts);
    if (!lk)
        return fail(lk.error());
    SqliteStatement st(m_db->handle(), (QByteArray(kFactSql) + " WHERE case_id = ?").constData());
    SqliteStatement unit(m_db->handle(),
                         "SELECT id, code, name_zh, name_en FROM units WHERE id = ?");
    if (!st.ok() || !unit.ok())
        return fail(st.ok() ? unit.error() : st.error());
    const bool zh = preferChineseNames();
    for (CaseId id : ids) {
        st.reset();
        st.bind(1, id);
        if (st.step() != SQLITE_ROW || !isCase(st.get())) {
            facts.remove(id); // the case is gone (a local case the platform never accepted)
            continue;
        }
        // A case of a unit that had no cases before: add the unit first.
        const qint64 unitId = st.integer(8);
        if (unitId && !lk->unit.contains(unitId)) {
            unit.reset();
            unit.bind(1, unitId);
            if (unit.step() == SQLITE_ROW) {
                lk->unit.insert(unitId, int(facts.units.size()));
                facts.units.append(unitDimension(unit, 0, zh));
            }
        }
        facts.upsert(readFact(st.get(), *lk));
    }
    return Ok{};
}

} // namespace cityops
