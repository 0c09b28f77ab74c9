#pragma once

#include "domain/types.h"
#include "theme.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QTableView;

namespace cityops {

class CaseDetailWidget;
class CaseListModel;
class CaseStore;
class Database;

/**
 * The console's main window: dockable Queues and Case detail panels (later issues add Map,
 * Approvals and Dashboard), menus with shortcuts, a status bar, light and dark themes. Geometry,
 * dock layout and theme persist in QSettings.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(std::shared_ptr<Database> db, QWidget *parent = nullptr);
    ~MainWindow() override;

    /** Restores geometry, dock layout and theme saved by an earlier session. */
    void restoreLayout();
    /** Arranges the window for a named view: "main", "queues" or "case". False if unknown. */
    bool showView(const QString &name);
    static QStringList viewNames();
    void setTheme(Theme theme);
    Theme theme() const { return m_theme; }

    QTableView *caseTable() const { return m_table; }
    CaseListModel *caseModel() const { return m_model; }
    CaseDetailWidget *caseDetail() const { return m_detail; }
    QDockWidget *queuesDock() const { return m_queuesDock; }
    QDockWidget *detailDock() const { return m_detailDock; }
    /** Selects the case in the queue (loading rows as needed) and shows it in the detail panel. */
    bool selectCase(CaseId id);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildDocks();
    void buildMenus();
    void refreshStatus();
    void goToCase();
    void showShortcuts();
    void showAbout();
    void resetLayout();

    std::shared_ptr<Database> m_db;
    std::shared_ptr<CaseStore> m_store;
    CaseListModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    CaseDetailWidget *m_detail = nullptr;
    QDockWidget *m_queuesDock = nullptr;
    QDockWidget *m_detailDock = nullptr;
    QLabel *m_cacheLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QAction *m_lightAction = nullptr;
    QAction *m_darkAction = nullptr;
    QByteArray m_defaultState;
    Theme m_theme = Theme::Light;
};

} // namespace cityops
