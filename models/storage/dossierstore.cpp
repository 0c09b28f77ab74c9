#include "dossierstore.h"

#include "casestore.h"
#include "database.h"
#include "evidencestore.h"

#include <QSqlQuery>

namespace cityops {

DossierStore::DossierStore(std::shared_ptr<Database> db, QString dataDir)
    : m_db(std::move(db)), m_dataDir(std::move(dataDir))
{}

Result<DossierData> DossierStore::load(CaseId id, qint64 now) const
{
    CaseStore store(m_db);
    const auto rec = store.findCase(id);
    if (!rec)
        return Error{tr("There is no case %1.").arg(id)};
    DossierData d;
    d.record = *rec;
    d.events = store.events(id);
    for (const CaseEvent &e : d.events)
        Workflow::fold(d.snapshot, e.kind, e.payload, e.actor, e.at);
    d.snapshot.id = id;
    d.district = store.meta(QStringLiteral("district"));
    d.generatedAt = now;
    d.audit = Audit::verify(*m_db, id);

    // Every file the timeline refers to, in the order it was added, plus any other attachment
    // of the case.
    EvidenceStore evidence(m_db, m_dataDir);
    QStringList shas = d.snapshot.evidence;
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral(
        "SELECT sha256 FROM attachments WHERE case_id = ? ORDER BY stored_at, sha256"));
    q.addBindValue(id);
    if (q.exec()) {
        while (q.next()) {
            if (!shas.contains(q.value(0).toString()))
                shas.append(q.value(0).toString());
        }
    }
    QSqlQuery a(m_db->sql());
    a.prepare(QStringLiteral("SELECT mime, original_name, captured_at, stored_at FROM attachments "
                             "WHERE sha256 = ?"));
    for (const QString &sha : shas) {
        DossierPhoto p;
        p.sha256 = sha;
        a.addBindValue(sha);
        if (a.exec() && a.next()) {
            p.mime = a.value(0).toString();
            p.originalName = a.value(1).toString();
            p.capturedAt = a.value(2).toLongLong();
            p.storedAt = a.value(3).toLongLong();
        }
        p.path = evidence.pathFor(sha);
        d.photos.append(p);
    }

    QSqlQuery g(m_db->sql());
    g.prepare(QStringLiteral("SELECT code, geometry FROM grids WHERE max_lon >= ? AND min_lon <= ? "
                             "AND max_lat >= ? AND min_lat <= ? ORDER BY code"));
    g.addBindValue(rec->lon - kMapMarginDeg);
    g.addBindValue(rec->lon + kMapMarginDeg);
    g.addBindValue(rec->lat - kMapMarginDeg);
    g.addBindValue(rec->lat + kMapMarginDeg);
    if (g.exec()) {
        while (g.next())
            d.grids.append(
                {g.value(0).toString(), g.value(0).toString(), g.value(1).toByteArray()});
    }
    return d;
}

} // namespace cityops
