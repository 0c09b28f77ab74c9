#pragma once

#include <QWidget>

class QPushButton;
class QTableView;

namespace cityops {

class ConsoleContext;
class PendingApprovalsModel;

/**
 * The supervisor's Approvals panel: pending escalation and extension requests with their age and
 * requester; approve, reject with a reason, or approve a selection after a confirmation that
 * lists what will happen. A bulk approval reports every request it could not approve.
 */
class ApprovalsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ApprovalsPanel(ConsoleContext &ctx, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    PendingApprovalsModel *model() const { return m_model; }
    QPushButton *approveButton() const { return m_approve; }

public slots:
    void approveCurrent();
    void rejectCurrent();
    void approveSelected();
    void reload();

signals:
    void caseSelected(qint64 id);

private:
    QString approve(int row);
    /** After the model reloads: keeps the current request current, enables the buttons. */
    void updateButtons();

    ConsoleContext &m_ctx;
    PendingApprovalsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_approve = nullptr;
    QPushButton *m_reject = nullptr;
    QPushButton *m_bulk = nullptr;
    qint64 m_current = 0; ///< the case of the current request, kept across reloads
};

} // namespace cityops
