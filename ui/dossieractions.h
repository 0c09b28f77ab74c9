#pragma once

#include "domain/types.h"

#include <QCoreApplication>
#include <QString>

class QWidget;

namespace cityops {

class ConsoleContext;

/** Case ▸ Export dossier… and Print dossier…: the enforcement dossier of one case. */
class DossierActions
{
    Q_DECLARE_TR_FUNCTIONS(DossierActions)
public:
    /** Asks for a file name and writes the case's dossier as PDF; reports the outcome. */
    static void exportPdf(QWidget *parent, ConsoleContext &ctx, CaseId id);
    /** Writes the dossier without asking (tests, scripting); the error text on failure. */
    static QString writePdf(ConsoleContext &ctx, CaseId id, const QString &path);
    /** Opens the print dialog and prints the dossier. */
    static void print(QWidget *parent, ConsoleContext &ctx, CaseId id);
};

} // namespace cityops
