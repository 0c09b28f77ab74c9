#include "dossieractions.h"

#include "consolecontext.h"
#include "dossier/dossier.h"
#include "storage/dossierstore.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QMessageBox>
#include <QPrintDialog>
#include <QPrinter>

namespace cityops {

namespace {

Result<DossierData> gather(ConsoleContext &ctx, CaseId id)
{
    return DossierStore(ctx.database(), ctx.dataDir())
        .load(id, QDateTime::currentMSecsSinceEpoch());
}

} // namespace

QString DossierActions::writePdf(ConsoleContext &ctx, CaseId id, const QString &path)
{
    const auto data = gather(ctx, id);
    if (!data)
        return data.error();
    if (Status s = Dossier::writePdf(*data, path); !s)
        return s.error();
    return {};
}

void DossierActions::exportPdf(QWidget *parent, ConsoleContext &ctx, CaseId id)
{
    if (!id) {
        QMessageBox::information(parent, tr("Export dossier"), tr("Select a case first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        parent, tr("Export dossier"), QDir::home().filePath(tr("dossier-%1.pdf").arg(id)),
        tr("PDF documents (*.pdf)"));
    if (path.isEmpty())
        return;
    const QString err = writePdf(ctx, id, path);
    if (!err.isEmpty())
        QMessageBox::warning(parent, tr("Export dossier"), err);
}

void DossierActions::print(QWidget *parent, ConsoleContext &ctx, CaseId id)
{
    if (!id) {
        QMessageBox::information(parent, tr("Print dossier"), tr("Select a case first."));
        return;
    }
    const auto data = gather(ctx, id);
    if (!data) {
        QMessageBox::warning(parent, tr("Print dossier"), data.error());
        return;
    }
    QPrinter printer(QPrinter::HighResolution);
    printer.setDocName(tr("Enforcement dossier: case %1").arg(id));
    QPrintDialog dialog(&printer, parent);
    if (dialog.exec() != QDialog::Accepted)
        return;
    Dossier::print(*data, &printer);
}

} // namespace cityops
