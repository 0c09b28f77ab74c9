#include "approvalspanel.h"

#include "batchprogress.h"

#include "consolecontext.h"
#include "itemmodels/pendingapprovalsmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace cityops {

ApprovalsPanel::ApprovalsPanel(ConsoleContext &ctx, QWidget *parent)
    : QWidget(parent), m_ctx(ctx), m_model(new PendingApprovalsModel(ctx.store(), this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("approvalsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    layout->addWidget(m_table, 1);
    auto *buttons = new QHBoxLayout;
    m_approve = new QPushButton(tr("Approve"));
    m_approve->setToolTip(tr("Approve the current request (Ctrl+Shift+A)"));
    m_reject = new QPushButton(tr("Reject…"));
    m_reject->setToolTip(tr("Reject the current request with a reason (Ctrl+Shift+R)"));
    m_bulk = new QPushButton(tr("Approve selected…"));
    buttons->addWidget(m_approve);
    buttons->addWidget(m_reject);
    buttons->addStretch(1);
    buttons->addWidget(m_bulk);
    layout->addLayout(buttons);
    connect(m_approve, &QPushButton::clicked, this, &ApprovalsPanel::approveCurrent);
    connect(m_reject, &QPushButton::clicked, this, &ApprovalsPanel::rejectCurrent);
    connect(m_bulk, &QPushButton::clicked, this, &ApprovalsPanel::approveSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &i) {
                if (!i.isValid())
                    return;
                m_current = i.data(PendingApprovalsModel::CaseIdRole).toLongLong();
                emit caseSelected(m_current);
            });
    m_model->follow(ctx.cases());
    connect(m_model, &QAbstractItemModel::modelReset, this, &ApprovalsPanel::updateButtons);
    reload();
}

void ApprovalsPanel::reload()
{
    m_model->reload();
}

void ApprovalsPanel::updateButtons()
{
    for (int r = 0; r < m_model->rowCount(); ++r) {
        if (m_model->request(r).caseId == m_current)
            m_table->setCurrentIndex(m_model->index(r, 0));
    }
    const bool any = m_model->rowCount() > 0;
    m_approve->setEnabled(any);
    m_reject->setEnabled(any);
    m_bulk->setEnabled(any);
}

QString ApprovalsPanel::approve(int row)
{
    const PendingRequest r = m_model->request(row);
    Command cmd;
    cmd.action =
        r.kind == QLatin1String("extension") ? Action::ExtendApprove : Action::EscalateApprove;
    const Outcome o = m_ctx.cases().run(r.caseId, cmd);
    return o.ok() ? QString() : o.message();
}

void ApprovalsPanel::approveCurrent()
{
    const QModelIndex cur = m_table->currentIndex();
    if (!cur.isValid())
        return;
    const QString why = approve(cur.row());
    if (!why.isEmpty())
        QMessageBox::warning(this, tr("Not approved"), why);
}

void ApprovalsPanel::rejectCurrent()
{
    const QModelIndex cur = m_table->currentIndex();
    if (!cur.isValid())
        return;
    const PendingRequest r = m_model->request(cur.row());
    bool ok = false;
    const QString reason = QInputDialog::getMultiLineText(
        this, tr("Reject request"), tr("Reason (returned to %1):").arg(r.requester), QString(),
        &ok);
    if (!ok)
        return;
    Command cmd;
    cmd.action =
        r.kind == QLatin1String("extension") ? Action::ExtendReject : Action::EscalateReject;
    cmd.reason = reason;
    const Outcome o = m_ctx.cases().run(r.caseId, cmd);
    if (!o.ok())
        QMessageBox::warning(this, tr("Not rejected"), o.message());
}

void ApprovalsPanel::approveSelected()
{
    QList<int> rows;
    for (const QModelIndex &i : m_table->selectionModel()->selectedRows())
        rows << i.row();
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    QStringList lines;
    QList<PendingRequest> requests;
    for (int r : rows) {
        requests << m_model->request(r);
        lines << tr("Case %1: %2, requested by %3")
                     .arg(requests.last().caseId)
                     .arg(m_model->index(r, PendingApprovalsModel::RequestColumn).data().toString(),
                          requests.last().requester);
    }
    if (QMessageBox::question(
            this, tr("Approve %n request(s)", nullptr, int(rows.size())),
            tr("These requests will be approved:\n\n%1").arg(lines.join(QLatin1Char('\n')))) !=
        QMessageBox::Yes)
        return;
    QList<CaseId> ids;
    for (const PendingRequest &r : requests)
        ids << r.caseId;
    const BatchResult done = BatchProgress::run(
        this, m_ctx.cases(), ids,
        [&](qsizetype i) {
            Command cmd;
            cmd.action = requests.at(i).kind == QLatin1String("extension")
                             ? Action::ExtendApprove
                             : Action::EscalateApprove;
            return cmd;
        },
        tr("Approving…"));
    const QStringList failures = BatchProgress::failureLines(done);
    if (!failures.isEmpty())
        QMessageBox::warning(this,
                             tr("Approved %1 of %2").arg(done.applied.size()).arg(requests.size()),
                             tr("Not approved:\n\n%1").arg(failures.join(QLatin1Char('\n'))));
}

} // namespace cityops
