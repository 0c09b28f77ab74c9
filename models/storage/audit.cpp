#include "audit.h"

#include "database.h"
#include "domain/eventchain.h"

#include <QSqlQuery>

namespace cityops {

AuditReport Audit::verify(Database &db, CaseId onlyCase)
{
    AuditReport r;
    QSqlQuery cases(db.sql());
    cases.setForwardOnly(true);
    QSqlQuery ev(db.sql());
    ev.setForwardOnly(true);
    const QString where = onlyCase ? QStringLiteral(" WHERE c.id = %1").arg(onlyCase) : QString();
    const QString whereEv =
        onlyCase ? QStringLiteral(" WHERE case_id = %1").arg(onlyCase) : QString();
    if (!cases.exec(
            QStringLiteral("SELECT c.id, c.chain_head FROM cases c%1 ORDER BY c.id").arg(where)) ||
        !ev.exec(QStringLiteral("SELECT case_id, seq, kind, actor, role, at, device, payload, "
                                "prev_hash FROM case_events%1 ORDER BY case_id, seq")
                     .arg(whereEv))) {
        r.intact = false;
        r.problem = tr("the timeline cannot be read");
        return r;
    }
    bool haveEvent = ev.next();
    auto fail = [&](CaseId id, int seq, const QString &problem) {
        r.intact = false;
        r.brokenCase = id;
        r.brokenSeq = seq;
        r.problem = problem;
        return r;
    };
    while (cases.next()) {
        const CaseId id = cases.value(0).toLongLong();
        ++r.cases;
        QByteArray prev = genesisHash();
        int seq = 0;
        while (haveEvent && ev.value(0).toLongLong() <= id) {
            const CaseId evCase = ev.value(0).toLongLong();
            if (evCase < id)
                return fail(evCase, ev.value(1).toInt(), tr("event of a case that does not exist"));
            ++seq;
            ++r.events;
            const int stored = ev.value(1).toInt();
            if (stored != seq)
                return fail(id, seq,
                            tr("event %1 is missing (found event %2 next)").arg(seq).arg(stored));
            if (ev.value(8).toByteArray() != prev)
                return fail(id, seq > 1 ? seq - 1 : seq,
                            seq > 1 ? tr("event %1 was changed: its hash no longer matches the "
                                         "next event's link")
                                          .arg(seq - 1)
                                    : tr("event 1 does not start the chain"));
            prev = eventHash({0, id, seq, ev.value(2).toString(), ev.value(3).toString(),
                              ev.value(4).toString(), ev.value(5).toLongLong(),
                              ev.value(6).toString(), ev.value(7).toByteArray(), prev});
            haveEvent = ev.next();
        }
        if (seq == 0)
            return fail(id, 0, tr("the case has no events"));
        if (cases.value(1).toByteArray() != prev)
            return fail(id, seq,
                        tr("event %1 (the last) was changed or events after it were "
                           "removed: the case's chain head does not match")
                            .arg(seq));
    }
    if (haveEvent)
        return fail(ev.value(0).toLongLong(), ev.value(1).toInt(),
                    tr("event of a case that does not exist"));
    return r;
}

} // namespace cityops
