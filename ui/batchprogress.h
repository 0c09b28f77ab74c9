#pragma once

#include "service/caseservice.h"

#include <QCoreApplication>
#include <QStringList>

class QWidget;

namespace cityops {

/**
 * A bulk action of a panel: runs it through CaseService::runBatch behind a window-modal
 * progress dialog with Cancel, and words its failures for the operator.
 */
class BatchProgress
{
    Q_DECLARE_TR_FUNCTIONS(BatchProgress)
public:
    static BatchResult run(QWidget *parent, CaseService &cases, const QList<CaseId> &ids,
                           const std::function<Command(qsizetype)> &command, const QString &label,
                           bool interactive = true);
    /** "Case N: reason", one line per case not changed. */
    static QStringList failureLines(const BatchResult &r);
};

} // namespace cityops
