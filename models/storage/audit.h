#pragma once

#include "domain/types.h"

#include <QCoreApplication>
#include <QString>

namespace cityops {

class Database;

/** The outcome of checking every case's hash chain. */
struct AuditReport
{
    bool intact = true;
    qint64 cases = 0;
    qint64 events = 0;
    CaseId brokenCase = 0;
    int brokenSeq = 0; ///< the first event that does not fit the chain (0: the case row)
    QString problem;
};

/** Verifies the audit hash chains of all cases (or one), streaming the timeline in order. */
class Audit
{
    Q_DECLARE_TR_FUNCTIONS(Audit)
public:
    static AuditReport verify(Database &db, CaseId onlyCase = 0);
};

} // namespace cityops
