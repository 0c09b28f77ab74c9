#pragma once

#include "domain/casequery.h"
#include "domain/types.h"
#include "workflow/workflow.h"

#include <functional>

#include <QWidget>

class QComboBox;
class QLineEdit;
class QPushButton;
class QListWidget;
class QTabBar;
class QTableView;

namespace cityops {

class CaseListModel;
class ConsoleContext;

/**
 * The operator's work queues: tabs with live counts, a filter bar (street, category tree, stage,
 * source, priority, time range, unit, grid), full-text search, saved views, CSV export and bulk
 * actions through the workflow engine. Column choice and order persist with the window layout.
 */
class QueuesPanel : public QWidget
{
    Q_OBJECT
public:
    explicit QueuesPanel(ConsoleContext &ctx, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    CaseListModel *model() const { return m_model; }
    QTabBar *tabs() const { return m_tabs; }
    QLineEdit *searchBox() const { return m_search; }
    /** The query the filter bar and the current tab describe. */
    CaseQuery currentQuery() const;
    void setQueue(Queue q);
    /** Narrows the queue to one grid cell (a dashboard hotspot); empty clears the grid filter. */
    void setGridFilter(const QString &gridCode);
    /** Shows only these cases (a map selection) until the operator clears it; empty clears. */
    void showOnly(const QList<CaseId> &ids);
    QList<CaseId> onlyIds() const { return m_onlyIds; }
    Queue queue() const;
    /** Case ids of the selected rows, in view order. */
    QList<CaseId> selectedIds() const;

    /** Writes the current view (all its rows, visible columns in view order) as UTF-8 CSV. */
    bool exportCsv(const QString &path, QString *error = nullptr);
    /**
     * Runs one action on each case through CaseService (the outbox on a synced console);
     * returns one line per case that was not changed, with the reason. Shows progress with
     * cancel for large selections.
     */
    QStringList runBulk(const QList<CaseId> &ids, const Command &command, bool interactive);
    QByteArray saveHeaderState() const;
    void restoreHeaderState(const QByteArray &state);

public slots:
    void refreshCounts();
    void applyFilters();
    void saveCurrentView();
    void exportDialog();
    void bulkDialog();

signals:
    void caseActivated(cityops::CaseId id);

private:
    void buildFilterBar(QWidget *bar);
    void loadSavedViews();
    void applySavedView(const QString &name);

    ConsoleContext &m_ctx;
    CaseListModel *m_model = nullptr;
    QTabBar *m_tabs = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_street = nullptr;
    QComboBox *m_category = nullptr;
    QComboBox *m_stage = nullptr;
    QComboBox *m_source = nullptr;
    QComboBox *m_priority = nullptr;
    QComboBox *m_period = nullptr;
    QLineEdit *m_unit = nullptr;
    QLineEdit *m_grid = nullptr;
    QPushButton *m_onlyChip = nullptr;
    QList<CaseId> m_onlyIds;
    QLineEdit *m_search = nullptr;
    QListWidget *m_views = nullptr;
    bool m_applying = false;
};

} // namespace cityops
