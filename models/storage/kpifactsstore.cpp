#include "kpifactsstore.h"

#include "database.h"
#include "domain/catalogue.h"
#include "sqlitestatement.h"

#include <QHash>

#include <array>
#include <thread>

namespace cityops {

namespace {

constexpr const char *kFactSql =
    "SELECT c.id, c.reported_at, coalesce(c.closed_at, 0), coalesce(c.deadline_at, 0), c.state, "
    "c.stage, coalesce(c.street_id, 0), c.category, coalesce(c.unit_id, 0), "
    "coalesce(c.grid_code, ''), c.linked_case IS NOT NULL, coalesce(f.reworks, 0), "
    "coalesce(f.extensions, 0), coalesce(f.shelves, 0), coalesce(f.reopens, 0), "
    "coalesce(f.max_stage, 0), coalesce(f.skips, 0), coalesce(f.late, 0) "
    "FROM cases c LEFT JOIN case_facts f ON f.case_id = c.id";

/** Lookups from stored keys to dimension indexes; only read while cases are scanned. */
struct Index
{
    QHash<qint64, int> street;
    QHash<QByteArray, int> category;
    QHash<qint64, int> unit;
    QHash<QByteArray, int> grid;
};

/** The text of a column without a copy (valid until the statement steps). */
QByteArray rawText(sqlite3_stmt *s, int col)
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(s, col));
    return QByteArray::fromRawData(p ? p : "", sqlite3_column_bytes(s, col));
}

quint8 stateCode(const QByteArray &key)
{
    // Compared as bytes: this runs once per case of a million-case cache.
    static const std::array<std::pair<QByteArray, CaseState>, 10> states = [] {
        std::array<std::pair<QByteArray, CaseState>, 10> out;
        for (std::size_t i = 0; i < kAllCaseStates.size(); ++i)
            out[i] = {Names::key(kAllCaseStates[i]).toLatin1(), kAllCaseStates[i]};
        return out;
    }();
    for (const auto &[k, s] : states) {
        if (k == key)
            return quint8(s);
    }
    return quint8(CaseState::Reported);
}

/** Reads one row of kFactSql. */
CaseFact readFact(sqlite3_stmt *s, const Index &ix)
{
    CaseFact f;
    f.id = sqlite3_column_int64(s, 0);
    f.reportedAt = sqlite3_column_int64(s, 1);
    f.closedAt = sqlite3_column_int64(s, 2);
    f.deadlineAt = sqlite3_column_int64(s, 3);
    f.state = stateCode(rawText(s, 4));
    f.stage = quint8(sqlite3_column_int(s, 5));
    f.street = ix.street.value(sqlite3_column_int64(s, 6), -1);
    f.category = ix.category.value(rawText(s, 7), -1);
    f.unit = ix.unit.value(sqlite3_column_int64(s, 8), -1);
    f.grid = ix.grid.value(rawText(s, 9), -1);
    quint16 flags = 0;
    const auto set = [&](int col, CaseFact::Flag flag) {
        if (sqlite3_column_int64(s, col))
            flags |= flag;
    };
    set(10, CaseFact::Linked);
    set(11, CaseFact::Reworked);
    set(12, CaseFact::Extended);
    set(13, CaseFact::EverShelved);
    set(14, CaseFact::Reopened);
    f.maxStage = quint8(std::max(sqlite3_column_int(s, 15), int(f.stage)));
    set(16, CaseFact::Skipped);
    set(17, CaseFact::Late);
    f.flags = flags;
    return f;
}

/** Reads the cases with from ≤ id ≤ to, in id order. */
Status scan(sqlite3 *db, qint64 from, qint64 to, const Index &ix, std::vector<CaseFact> &out)
{
    SqliteStatement st(
        db, (QByteArray(kFactSql) + " WHERE c.id BETWEEN ? AND ? ORDER BY c.id").constData());
    if (!st.ok())
        return Error{st.error()};
    st.bind(1, from);
    st.bind(2, to);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW)
        out.push_back(readFact(st.get(), ix));
    if (rc != SQLITE_DONE)
        return Error{st.error()};
    return Ok{};
}

Status loadDimensions(sqlite3 *db, KpiFacts &facts, Index &ix)
{
    const bool zh = preferChineseNames();
    {
        SqliteStatement st(db, "SELECT id, code, name_zh, name_en FROM streets ORDER BY id");
        if (!st.ok())
            return Error{st.error()};
        while (st.step() == SQLITE_ROW) {
            ix.street.insert(st.integer(0), int(facts.streets.size()));
            facts.streets.append({st.integer(0), st.text(1), st.text(zh ? 2 : 3)});
        }
    }
    {
        SqliteStatement st(db, "SELECT code, name_zh, name_en, ladder_notice_hours IS NOT NULL "
                               "FROM categories ORDER BY code");
        if (!st.ok())
            return Error{st.error()};
        while (st.step() == SQLITE_ROW) {
            const int i = int(facts.categories.size());
            ix.category.insert(st.text(0).toUtf8(), i);
            facts.categories.append({0, st.text(0), st.text(zh ? 1 : 2)});
            if (st.integer(3))
                facts.ladderCategories.append(i);
        }
    }
    {
        // Units that cases are assigned to: teams (people are their members).
        SqliteStatement st(db, "SELECT id, code, name_zh, name_en FROM units "
                               "WHERE id IN (SELECT DISTINCT unit_id FROM cases "
                               "WHERE unit_id IS NOT NULL) ORDER BY id");
        if (!st.ok())
            return Error{st.error()};
        while (st.step() == SQLITE_ROW) {
            ix.unit.insert(st.integer(0), int(facts.units.size()));
            // Team names repeat across streets ("执法中队"): the code tells them apart.
            facts.units.append({st.integer(0), st.text(1),
                                QStringLiteral("%1 (%2)").arg(st.text(zh ? 2 : 3), st.text(1))});
        }
    }
    {
        // Every grid cell, so that the scans below only read the lookups.
        SqliteStatement st(db, "SELECT code FROM grids ORDER BY id");
        if (!st.ok())
            return Error{st.error()};
        while (st.step() == SQLITE_ROW) {
            ix.grid.insert(st.text(0).toLatin1(), int(facts.grids.size()));
            facts.grids.append({0, st.text(0), st.text(0)});
        }
    }
    return Ok{};
}

} // namespace

KpiFactsStore::KpiFactsStore(std::shared_ptr<Database> db) : m_db(std::move(db)) {}

Result<KpiFacts> KpiFactsStore::load() const
{
    KpiFacts facts;
    Index ix;
    if (Status s = loadDimensions(m_db->handle(), facts, ix); !s)
        return Error{s.error()};
    qint64 lo = 0, hi = -1, n = 0;
    {
        SqliteStatement st(m_db->handle(), "SELECT min(id), max(id), count(*) FROM cases");
        if (st.step() == SQLITE_ROW) {
            lo = st.integer(0);
            hi = st.integer(1);
            n = st.integer(2);
        }
    }
    facts.cases.reserve(std::size_t(n));
    // Two halves of the id range on two connections: reading a million rows is most of the
    // dashboard's first render, and SQLite readers run in parallel under WAL.
    const qint64 mid = n > 20000 ? lo + (hi - lo) / 2 : hi;
    std::vector<CaseFact> upper;
    Status upperStatus = Ok{};
    std::thread second;
    if (mid < hi) {
        second = std::thread([&] {
            sqlite3 *h = nullptr;
            if (sqlite3_open_v2(m_db->path().toUtf8().constData(), &h, SQLITE_OPEN_READONLY,
                                nullptr) != SQLITE_OK) {
                upperStatus = Error{QString::fromUtf8(sqlite3_errmsg(h))};
            } else {
                upper.reserve(std::size_t(n / 2 + 1));
                upperStatus = scan(h, mid + 1, hi, ix, upper);
            }
            sqlite3_close(h);
        });
    }
    const Status lower = scan(m_db->handle(), lo, mid, ix, facts.cases);
    if (second.joinable())
        second.join();
    if (!lower || !upperStatus)
        return Error{tr("Cannot read the dashboard facts: %1")
                         .arg(!lower ? lower.error() : upperStatus.error())};
    facts.cases.insert(facts.cases.end(), upper.begin(), upper.end());
    return facts;
}

Status KpiFactsStore::update(KpiFacts &facts, const QList<CaseId> &ids) const
{
    if (ids.isEmpty())
        return Ok{};
    // Rebuild the lookups from the dimensions already loaded (units new since then are added).
    Index ix;
    for (qsizetype i = 0; i < facts.streets.size(); ++i)
        ix.street.insert(facts.streets[i].id, int(i));
    for (qsizetype i = 0; i < facts.categories.size(); ++i)
        ix.category.insert(facts.categories[i].code.toUtf8(), int(i));
    for (qsizetype i = 0; i < facts.units.size(); ++i)
        ix.unit.insert(facts.units[i].id, int(i));
    for (qsizetype i = 0; i < facts.grids.size(); ++i)
        ix.grid.insert(facts.grids[i].code.toLatin1(), int(i));
    SqliteStatement st(m_db->handle(), (QByteArray(kFactSql) + " WHERE c.id = ?").constData());
    SqliteStatement unit(m_db->handle(), "SELECT code, name_zh, name_en FROM units WHERE id = ?");
    if (!st.ok() || !unit.ok())
        return Error{tr("Cannot read the dashboard facts: %1").arg(st.error())};
    const bool zh = preferChineseNames();
    for (CaseId id : ids) {
        st.reset();
        st.bind(1, id);
        if (st.step() != SQLITE_ROW)
            continue;
        // A case of a unit that had no cases before: add the unit first.
        const qint64 unitId = st.integer(8);
        if (unitId && !ix.unit.contains(unitId)) {
            unit.reset();
            unit.bind(1, unitId);
            if (unit.step() == SQLITE_ROW) {
                ix.unit.insert(unitId, int(facts.units.size()));
                facts.units.append(
                    {unitId, unit.text(0),
                     QStringLiteral("%1 (%2)").arg(unit.text(zh ? 1 : 2), unit.text(0))});
            }
        }
        facts.upsert(readFact(st.get(), ix));
    }
    return Ok{};
}

} // namespace cityops
