#pragma once

#include "domain/types.h"
#include "service/caseservice.h"
#include "theme.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMessageBox;
class QTableView;

namespace cityops {

class ApprovalsPanel;
class DashboardWidget;
class LayersPanel;
class MapWidget;
class QueuesPanel;
class CaseDetailWidget;
class CaseListModel;
class CaseStore;
class ConsoleContext;
class Database;
struct Actor;

/**
 * The console's main window: the map in the centre, dockable Queues, Case detail, Layers, Sync,
 * Approvals (supervisors) and Dashboard (supervisors) panels, menus with shortcuts, a status bar
 * with the one connection indicator, light and dark themes. Every change to a case goes through
 * the context's CaseService, whose notifications refresh the panels. Geometry, dock layout and
 * theme persist in QSettings.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /** With an empty actor the console is read-only (no workflow actions). */
    MainWindow(std::shared_ptr<Database> db, const QString &dataDir, const Actor &actor,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    /** Restores geometry, dock layout and theme saved by an earlier session. */
    void restoreLayout();
    /** Arranges the window for a named view: "main", "queues", "case", "approvals" or "map". */
    bool showView(const QString &name);
    static QStringList viewNames();
    void setTheme(Theme theme);
    Theme theme() const { return m_theme; }

    QTableView *caseTable() const { return m_table; }
    QueuesPanel *queues() const { return m_queues; }
    CaseListModel *caseModel() const { return m_model; }
    CaseDetailWidget *caseDetail() const { return m_detail; }
    QDockWidget *queuesDock() const { return m_queuesDock; }
    QDockWidget *detailDock() const { return m_detailDock; }
    /** Present only for supervisors. */
    QDockWidget *approvalsDock() const { return m_approvalsDock; }
    ApprovalsPanel *approvals() const { return m_approvals; }
    ConsoleContext &context() const { return *m_ctx; }
    MapWidget *map() const { return m_map; }
    QDockWidget *layersDock() const { return m_layersDock; }
    /** Present only for supervisors. */
    QDockWidget *dashboardDock() const { return m_dashboardDock; }
    DashboardWidget *dashboard() const { return m_dashboard; }
    /** Selects the case in the queue (loading rows as needed) and shows it in the detail panel. */
    bool selectCase(CaseId id);

    /** File ▸ Rebuild cache from platform… (enabled when the cache syncs with a platform). */
    QAction *rebuildCacheAction() const { return m_rebuildCache; }
    /** Asks for confirmation (window-modal box "confirmRebuild"); yes: rebuildCacheRequested. */
    void confirmRebuildCache();
    /** The one storage-fault box ("storageFault"), while it is open. */
    QMessageBox *storageFaultBox() const { return m_faultBox; }
    /**
     * The status bar's one connection indicator ("connectionStatus"): it says the console works
     * on its local cache alone until a SyncController takes it over (SyncController::install).
     */
    QLabel *connectionLabel() const { return m_connectionLabel; }

signals:
    void rebuildCacheRequested();

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

    void onCasesChanged(const cityops::CaseChange &change);
    /** One non-modal box per fault, never a stack of them; it offers the rebuild. */
    void showStorageFault(const QString &message);

    std::shared_ptr<Database> m_db;
    ConsoleContext *m_ctx = nullptr;
    std::shared_ptr<CaseStore> m_store;
    ApprovalsPanel *m_approvals = nullptr;
    MapWidget *m_map = nullptr;
    LayersPanel *m_layers = nullptr;
    QDockWidget *m_layersDock = nullptr;
    DashboardWidget *m_dashboard = nullptr;
    QDockWidget *m_dashboardDock = nullptr;
    QueuesPanel *m_queues = nullptr;
    QDockWidget *m_approvalsDock = nullptr;
    QLabel *m_userLabel = nullptr;
    QLabel *m_indexLabel = nullptr;
    CaseListModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    CaseDetailWidget *m_detail = nullptr;
    QDockWidget *m_queuesDock = nullptr;
    QDockWidget *m_detailDock = nullptr;
    QAction *m_rebuildCache = nullptr;
    QMessageBox *m_faultBox = nullptr;
    QLabel *m_cacheLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QAction *m_lightAction = nullptr;
    QAction *m_darkAction = nullptr;
    QByteArray m_defaultState;
    Theme m_theme = Theme::Light;
};

} // namespace cityops
