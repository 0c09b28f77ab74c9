#include "syncpanel.h"

#include "consolecontext.h"
#include "sync/outbox.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cityops {

SyncPanel::SyncPanel(ConsoleContext &ctx, QWidget *parent)
    : QWidget(parent), m_ctx(ctx), m_table(new QTableWidget(this)),
      m_retry(new QPushButton(tr("Retry…"), this)), m_discard(new QPushButton(tr("Discard…"), this))
{
    m_table->setColumnCount(5);
    m_table->setHorizontalHeaderLabels(
        {tr("Case"), tr("Action"), tr("By"), tr("Reason"), tr("Code")});
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(m_retry, &QPushButton::clicked, this, &SyncPanel::retryClicked);
    connect(m_discard, &QPushButton::clicked, this, &SyncPanel::discardClicked);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_retry);
    buttons->addWidget(m_discard);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addLayout(buttons);
    refresh();
}

void SyncPanel::refresh()
{
    const QList<OutboxEntry> rows = m_ctx.cases().rejectedCommands();
    m_table->setRowCount(int(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        const OutboxEntry &e = rows.at(i);
        const QStringList cells{QString::number(e.caseId), e.action, e.username, e.reason, e.code};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells.at(c));
            item->setData(Qt::UserRole, e.commandId);
            item->setToolTip(e.reason);
            m_table->setItem(i, c, item);
        }
    }
    m_retry->setEnabled(!rows.isEmpty());
    m_discard->setEnabled(!rows.isEmpty());
}

QString SyncPanel::selectedCommand() const
{
    const auto *item = m_table->item(m_table->currentRow(), 0);
    return item ? item->data(Qt::UserRole).toString() : QString();
}

bool SyncPanel::retry(const QString &commandId, const QString &reason)
{
    if (!m_ctx.cases().isReplica())
        return false;
    const auto id = m_ctx.cases().retry(commandId, reason);
    if (!id) {
        QMessageBox::warning(this, tr("Retry"), id.error());
        return false;
    }
    refresh();
    emit changed();
    return true;
}

bool SyncPanel::discard(const QString &commandId)
{
    if (!m_ctx.cases().isReplica())
        return false;
    const auto id = m_ctx.cases().discard(commandId);
    if (!id) {
        QMessageBox::warning(this, tr("Discard"), id.error());
        return false;
    }
    refresh();
    emit changed();
    return true;
}

void SyncPanel::retryClicked()
{
    const QString id = selectedCommand();
    if (id.isEmpty())
        return;
    const QString old = m_table->item(m_table->currentRow(), 3)->text();
    bool ok = false;
    const QString reason = QInputDialog::getMultiLineText(
        this, tr("Retry"),
        tr("The platform refused this command: %1\nEdit the command's reason text and send it "
           "again:")
            .arg(old),
        QString(), &ok);
    if (ok)
        retry(id, reason);
}

void SyncPanel::discardClicked()
{
    const QString id = selectedCommand();
    if (id.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Discard"),
                              tr("Discard this command? Its local effect is undone and it is not "
                                 "sent again."),
                              QMessageBox::Discard | QMessageBox::Cancel,
                              QMessageBox::Cancel) == QMessageBox::Discard)
        discard(id);
}

} // namespace cityops
