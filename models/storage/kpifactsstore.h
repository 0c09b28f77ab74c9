#pragma once

#include "dashboard/kpis.h"
#include "util/result.h"

#include <QCoreApplication>

#include <memory>

namespace cityops {

class Database;

/**
 * Reads the dashboard's per-case facts (the trigger-kept kpi_facts table, schema 8) and the
 * dimension tables. Same threading rule as Database: the dashboard worker opens its own
 * Database and its own KpiFactsStore. load() of a large cache reads two halves of it on two
 * threads, each with a read-only connection of its own, and joins them before it returns.
 */
class KpiFactsStore
{
    Q_DECLARE_TR_FUNCTIONS(KpiFactsStore)
public:
    explicit KpiFactsStore(std::shared_ptr<Database> db);

    /** Every case and the dimension tables, in one pass over cases (id order). */
    Result<KpiFacts> load() const;
    /** Re-reads the given cases into facts (new cases are added, in id order). */
    Status update(KpiFacts &facts, const QList<CaseId> &ids) const;

private:
    std::shared_ptr<Database> m_db;
};

} // namespace cityops
