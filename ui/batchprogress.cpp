#include "batchprogress.h"

#include <QProgressDialog>

#include <memory>

namespace cityops {

BatchResult BatchProgress::run(QWidget *parent, CaseService &cases, const QList<CaseId> &ids,
                               const std::function<Command(qsizetype)> &command,
                               const QString &label, bool interactive)
{
    std::unique_ptr<QProgressDialog> progress;
    if (interactive) {
        progress =
            std::make_unique<QProgressDialog>(label, tr("Cancel"), 0, int(ids.size()), parent);
        progress->setWindowModality(Qt::WindowModal);
        progress->setMinimumDuration(300);
    }
    return cases.runBatch(ids, command, [&](qsizetype done) {
        if (!progress)
            return true;
        progress->setValue(int(done));
        return !progress->wasCanceled();
    });
}

QStringList BatchProgress::failureLines(const BatchResult &r)
{
    QStringList lines;
    for (const BatchResult::Failure &f : r.failures)
        lines << tr("Case %1: %2").arg(f.id).arg(f.outcome.message());
    return lines;
}

} // namespace cityops
