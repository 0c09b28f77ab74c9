#pragma once

#include "dossier/dossier.h"
#include "util/result.h"

#include <QCoreApplication>

#include <memory>

namespace cityops {

class Database;

/** Gathers a case's dossier from the cache and the evidence store. Same threading rule as Database.
 */
class DossierStore
{
    Q_DECLARE_TR_FUNCTIONS(DossierStore)
public:
    DossierStore(std::shared_ptr<Database> db, QString dataDir);
    /** The grid cells within this many degrees of the case are drawn on the map. */
    static constexpr double kMapMarginDeg = 0.003;

    Result<DossierData> load(CaseId id, qint64 now) const;

private:
    std::shared_ptr<Database> m_db;
    QString m_dataDir;
};

} // namespace cityops
