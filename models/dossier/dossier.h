#pragma once

#include "domain/caserecord.h"
#include "storage/audit.h"
#include "storage/mapstore.h"
#include "util/result.h"
#include "workflow/workflow.h"

#include <QCoreApplication>
#include <QImage>
#include <QList>
#include <QString>

class QPagedPaintDevice;
class QTextDocument;

namespace cityops {

/** One evidence file of a case as the dossier lists it. */
struct DossierPhoto
{
    QString sha256;
    QString mime;
    QString originalName;
    qint64 capturedAt = 0;
    qint64 storedAt = 0;
    QString path; ///< empty when the file is missing from the evidence store
};

/** Everything an enforcement dossier shows about one case (gathered by DossierStore). */
struct DossierData
{
    CaseRecord record;
    QList<CaseEvent> events;
    CaseSnapshot snapshot; ///< folded from the events: the ladder with dates and approvers
    QList<DossierPhoto> photos;
    QList<MapArea> grids; ///< grid cells around the case, for the small map
    AuditReport audit;    ///< Audit::verify for this case
    QString district;
    qint64 generatedAt = 0;
};

/**
 * Lays out an enforcement dossier (case facts, a small map, the ladder, the complete timeline,
 * every evidence photo with its SHA-256 and capture time, the audit-chain status) as a
 * QTextDocument and writes it as PDF or to any paged device (a printer). Needs a
 * QGuiApplication (fonts); call it on the thread that owns the data, usually the GUI thread.
 */
class Dossier
{
    Q_DECLARE_TR_FUNCTIONS(Dossier)
public:
    /** The document; the caller owns it. Chinese text uses WenQuanYi Micro Hei when present. */
    static std::unique_ptr<QTextDocument> document(const DossierData &data);
    /** The small map: grid cells around the case and the case marker. */
    static QImage mapImage(const DossierData &data, QSize size = {640, 400});
    static Status writePdf(const DossierData &data, const QString &path);
    static void print(const DossierData &data, QPagedPaintDevice *device);
};

} // namespace cityops
