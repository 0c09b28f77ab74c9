#include "mainwindow.h"

#include "approvalspanel.h"
#include "casedetailwidget.h"
#include "consolecontext.h"
#include "dashboard/dashboardwidget.h"
#include "domain/scope.h"
#include "dossieractions.h"
#include "itemmodels/caselistmodel.h"
#include "itemmodels/layertreemodel.h"
#include "itemmodels/pendingapprovalsmodel.h"
#include "map/caselayer.h"
#include "map/layerspanel.h"
#include "map/mapwidget.h"
#include "queuespanel.h"
#include "storage/casestore.h"
#include "storage/database.h"
#include "storage/searchindex.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace cityops {

namespace {
const char *kGeometryKey = "window/geometry";
const char *kStateKey = "window/state";
const char *kThemeKey = "window/theme";
const char *kColumnsKey = "queues/columns";
constexpr int kLayoutVersion = 2;

/** Menu text without its accelerator: "&Quit" and "退出(&Q)" become "Quit" and "退出". */
QString plainText(QString text)
{
    static const QRegularExpression cjkAccel(QStringLiteral("\\(&.\\)"));
    return text.remove(cjkAccel).remove(QLatin1Char('&'));
}
} // namespace

MainWindow::MainWindow(std::shared_ptr<Database> db, const QString &dataDir, const Actor &actor,
                       QWidget *parent)
    : QMainWindow(parent), m_db(std::move(db)),
      m_ctx(new ConsoleContext(m_db, dataDir, actor, this)), m_store(m_ctx->store())
{
    setWindowTitle(tr("CityOps — %1")
                       .arg(m_store->meta(QStringLiteral("district")).isEmpty()
                                ? tr("District operations centre")
                                : m_store->meta(QStringLiteral("district"))));
    setObjectName(QStringLiteral("MainWindow"));
    setDockNestingEnabled(true);
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
    buildDocks();
    buildMenus();

    QString who =
        m_ctx->signedIn() ? tr("%1 · %2").arg(actor.id, Names::label(actor.role)) : tr("Read-only");
    // Where the account works, as the platform said at sign-in (issue 19): the cache holds only
    // that scope's cases.
    if (m_ctx->signedIn() && m_store->syncState(QStringLiteral("session_user")) == actor.id) {
        const QString org = m_store->syncState(QStringLiteral("session_org"));
        if (const auto scope = Scope::parse(m_store->syncState(QStringLiteral("session_scope"))))
            who = org.isEmpty() ? tr("%1 · %2").arg(who, scope->label())
                                : tr("%1 · %2 (%3)").arg(who, org, scope->label());
    }
    m_userLabel = new QLabel(who, this);
    m_userLabel->setObjectName(QStringLiteral("userScope"));
    statusBar()->addWidget(m_userLabel);
    connect(&m_ctx->cases(), &CaseService::storageFault, this, &MainWindow::showStorageFault);
    m_cacheLabel = new QLabel(this);
    m_countLabel = new QLabel(this);
    // The one connection indicator: a SyncController takes it over when the console syncs.
    m_connectionLabel = new QLabel(tr("● Local cache (no platform)"), this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionStatus"));
    m_connectionLabel->setToolTip(tr("No district platform is configured: this console works on "
                                     "its local cache alone (start it with --platform URL to "
                                     "sync)."));
    statusBar()->addPermanentWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_cacheLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
    refreshStatus();
    m_defaultState = saveState(kLayoutVersion);

    // Index the cache for search in small steps between user events; until it is done,
    // searches still find everything (unindexed rows are scanned).
    m_indexLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_indexLabel);
    auto *indexer = new QTimer(this);
    indexer->setInterval(20);
    connect(indexer, &QTimer::timeout, this, [this, indexer] {
        const qint64 backlog = SearchIndex::backlog(*m_db);
        if (backlog == 0) {
            indexer->stop();
            m_indexLabel->hide();
            return;
        }
        m_indexLabel->setText(tr("Indexing for search: %1 left").arg(QLocale().toString(backlog)));
        m_indexLabel->show();
        (void)SearchIndex::catchUp(*m_db, 2000);
    });
    indexer->start();
}

MainWindow::~MainWindow() = default;

void MainWindow::showStorageFault(const QString &message)
{
    if (m_faultBox) {
        m_faultBox->setText(message);
        return;
    }
    m_faultBox = new QMessageBox(QMessageBox::Critical, tr("CityOps — storage problem"), message,
                                 QMessageBox::Close, this);
    m_faultBox->setObjectName(QStringLiteral("storageFault"));
    m_faultBox->setAttribute(Qt::WA_DeleteOnClose);
    m_faultBox->setWindowModality(Qt::NonModal);
    if (m_rebuildCache->isEnabled()) {
        QPushButton *rebuild =
            m_faultBox->addButton(tr("Rebuild cache from platform…"), QMessageBox::ActionRole);
        connect(rebuild, &QPushButton::clicked, this, &MainWindow::confirmRebuildCache);
    }
    connect(m_faultBox, &QObject::destroyed, this, [this] { m_faultBox = nullptr; });
    m_faultBox->show();
}

void MainWindow::confirmRebuildCache()
{
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Rebuild cache from platform"),
        tr("The cache is moved aside (not deleted), a new one is filled from the platform and the "
           "commands of the outbox that the platform has not applied yet are sent again. CityOps "
           "then restarts. Rebuild now?"),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmRebuild"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this](int result) {
        if (result == QMessageBox::Yes)
            emit rebuildCacheRequested();
    });
    box->open();
}

void MainWindow::buildDocks()
{
    m_map = new MapWidget(*m_ctx);
    setCentralWidget(m_map);
    m_queues = new QueuesPanel(*m_ctx);
    // After the queue panel: its model has reloaded when the current case is selected again.
    connect(&m_ctx->cases(), &CaseService::casesChanged, this, &MainWindow::onCasesChanged);
    m_table = m_queues->table();
    m_model = m_queues->model();
    connect(m_queues, &QueuesPanel::caseActivated, this, [this] {
        m_detailDock->show();
        m_detailDock->raise();
        m_detail->setFocus();
    });

    m_queuesDock = new QDockWidget(tr("Queues"), this);
    m_queuesDock->setObjectName(QStringLiteral("QueuesDock"));
    m_queuesDock->setWidget(m_queues);
    addDockWidget(Qt::LeftDockWidgetArea, m_queuesDock);

    m_detail = new CaseDetailWidget(*m_ctx);
    m_detailDock = new QDockWidget(tr("Case detail"), this);
    m_detailDock->setObjectName(QStringLiteral("CaseDetailDock"));
    m_detailDock->setWidget(m_detail);
    addDockWidget(Qt::RightDockWidgetArea, m_detailDock);

    if (m_ctx->signedIn() && m_ctx->actor().role == Role::Supervisor) {
        m_approvals = new ApprovalsPanel(*m_ctx);
        m_approvalsDock = new QDockWidget(tr("Approvals"), this);
        m_approvalsDock->setObjectName(QStringLiteral("ApprovalsDock"));
        m_approvalsDock->setWidget(m_approvals);
        splitDockWidget(m_queuesDock, m_approvalsDock, Qt::Vertical);
        resizeDocks({m_queuesDock, m_approvalsDock}, {600, 340}, Qt::Vertical);
        // One selection: picking a request selects its case in the queue (when it is there) and
        // in the detail panel.
        connect(m_approvals, &ApprovalsPanel::caseSelected, this,
                [this](qint64 id) { selectCase(id); });
    }
    m_layers = new LayersPanel(m_map->layerModel(), m_map->canvas());
    m_layersDock = new QDockWidget(tr("Layers"), this);
    m_layersDock->setObjectName(QStringLiteral("LayersDock"));
    m_layersDock->setWidget(m_layers);
    addDockWidget(Qt::RightDockWidgetArea, m_layersDock);
    splitDockWidget(m_detailDock, m_layersDock, Qt::Vertical);
    resizeDocks({m_detailDock, m_layersDock}, {560, 300}, Qt::Vertical);
    resizeDocks({m_queuesDock, m_detailDock}, {620, 460}, Qt::Horizontal);

    // Supervisors get the dashboard; it loads its figures on its own thread when first shown.
    if (m_ctx->signedIn() && m_ctx->actor().role == Role::Supervisor) {
        m_dashboard = new DashboardWidget(m_db->path());
        m_dashboardDock = new QDockWidget(tr("Dashboard"), this);
        m_dashboardDock->setObjectName(QStringLiteral("DashboardDock"));
        m_dashboardDock->setWidget(m_dashboard);
        addDockWidget(Qt::BottomDockWidgetArea, m_dashboardDock);
        m_dashboardDock->hide();
        connect(m_dashboardDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
            if (visible && !m_dashboard->hasResult())
                m_dashboard->refresh();
        });
        connect(&m_ctx->cases(), &CaseService::casesChanged, m_dashboard,
                &DashboardWidget::casesChanged);
        connect(m_dashboard, &DashboardWidget::gridActivated, this, [this](const QString &code) {
            m_map->canvas()->zoomToGrid(code);
            m_queuesDock->show();
            m_queues->setGridFilter(code);
        });
    }

    // One selection: the queue's current case is highlighted on the map; a case clicked on the
    // map becomes current in the queue and the detail panel; a rectangle or lasso selection
    // narrows the queue to those cases.
    connect(m_map, &MapWidget::caseClicked, this, [this](qint64 id) {
        selectCase(id);
        m_map->canvas()->setSelectedCases({id});
    });
    connect(m_map, &MapWidget::casesSelected, this, [this](const QList<qint64> &ids) {
        m_queuesDock->show();
        m_queues->showOnly(ids);
        statusBar()->showMessage(tr("%n case(s) selected on the map", nullptr, int(ids.size())),
                                 5000);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        QList<qint64> ids;
        for (const QModelIndex &i : m_table->selectionModel()->selectedRows())
            ids << i.data(CaseListModel::CaseIdRole).toLongLong();
        m_map->canvas()->setSelectedCases(ids);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    m_detail->showCase(current.data(CaseListModel::CaseIdRole).toLongLong());
                else
                    m_detail->clear();
            });
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *reload = file->addAction(tr("&Reload cache"), this, [this] {
        const CaseId keep = m_detail->caseId();
        m_model->reload();
        refreshStatus();
        if (keep)
            selectCase(keep);
    });
    reload->setShortcut(QKeySequence::Refresh);
    m_rebuildCache = file->addAction(tr("Re&build cache from platform…"), this,
                                     &MainWindow::confirmRebuildCache);
    m_rebuildCache->setObjectName(QStringLiteral("rebuildCache"));
    m_rebuildCache->setEnabled(m_ctx->cases().isReplica());
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *caseMenu = menuBar()->addMenu(tr("&Case"));
    QAction *go = caseMenu->addAction(tr("&Go to case…"), this, &MainWindow::goToCase);
    go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    QAction *focusQueue = caseMenu->addAction(tr("Focus the &queue"), this, [this] {
        m_queuesDock->show();
        m_table->setFocus();
    });
    focusQueue->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction *focusDetail = caseMenu->addAction(tr("Focus the case &detail"), this, [this] {
        m_detailDock->show();
        m_detail->setFocus();
    });
    focusDetail->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    caseMenu->addSeparator();
    QAction *dossier = caseMenu->addAction(tr("E&xport dossier…"), this, [this] {
        DossierActions::exportPdf(this, *m_ctx, m_detail->caseId());
    });
    dossier->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    QAction *printDossier = caseMenu->addAction(tr("&Print dossier…"), this, [this] {
        DossierActions::print(this, *m_ctx, m_detail->caseId());
    });
    printDossier->setShortcut(QKeySequence::Print);
    caseMenu->addSeparator();
    // Keyboard triage: single keys while the queue has focus, on the current case.
    struct Triage
    {
        const char *text;
        Qt::Key key;
        Action action;
    };
    const Triage triage[] = {
        {QT_TR_NOOP("&Register current case"), Qt::Key_R, Action::Register},
        {QT_TR_NOOP("&Dispatch current case…"), Qt::Key_D, Action::Dispatch},
        {QT_TR_NOOP("Request &escalation…"), Qt::Key_E, Action::EscalateRequest},
        {QT_TR_NOOP("&Mark as duplicate…"), Qt::Key_M, Action::MarkDuplicate},
        {QT_TR_NOOP("&Close current case"), Qt::Key_C, Action::Close},
    };
    for (const Triage &t : triage) {
        QAction *a = caseMenu->addAction(tr(t.text), this, [this, t] {
            if (m_detail->caseId())
                m_detail->runAction(t.action);
        });
        a->setShortcut(QKeySequence(t.key));
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_table->addAction(a);
    }
    QAction *exportCsv =
        caseMenu->addAction(tr("E&xport view as CSV…"), m_queues, &QueuesPanel::exportDialog);
    exportCsv->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    QAction *bulk =
        caseMenu->addAction(tr("&Bulk action on selection…"), m_queues, &QueuesPanel::bulkDialog);
    bulk->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    QAction *find = caseMenu->addAction(tr("&Search cases"), this, [this] {
        m_queuesDock->show();
        m_queues->searchBox()->setFocus();
        m_queues->searchBox()->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    QAction *save =
        caseMenu->addAction(tr("Save the &view…"), m_queues, &QueuesPanel::saveCurrentView);
    save->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_S));
    for (int i = 0; i < 9; ++i) {
        QAction *tab = new QAction(this);
        tab->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
        connect(tab, &QAction::triggered, this,
                [this, i] { m_queues->tabs()->setCurrentIndex(i); });
        addAction(tab);
    }
    if (m_approvals) {
        caseMenu->addSeparator();
        QAction *approve = caseMenu->addAction(tr("&Approve request"), m_approvals,
                                               &ApprovalsPanel::approveCurrent);
        approve->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
        QAction *rejectReq = caseMenu->addAction(tr("Re&ject request…"), m_approvals,
                                                 &ApprovalsPanel::rejectCurrent);
        rejectReq->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
        caseMenu->addAction(tr("Approve &selected requests…"), m_approvals,
                            &ApprovalsPanel::approveSelected);
    }

    QMenu *mapMenu = menuBar()->addMenu(tr("&Map"));
    mapMenu->addActions(m_map->mapActions());
    QMenu *layerMenu = menuBar()->addMenu(tr("&Layer"));
    layerMenu->addActions(m_map->layerActions());
    layerMenu->addMenu(m_map->basemapMenu());

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *q = m_queuesDock->toggleViewAction();
    q->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_1));
    view->addAction(q);
    QAction *d = m_detailDock->toggleViewAction();
    d->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_2));
    view->addAction(d);
    if (m_approvalsDock) {
        QAction *ap = m_approvalsDock->toggleViewAction();
        ap->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_3));
        view->addAction(ap);
    }
    QAction *ly = m_layersDock->toggleViewAction();
    ly->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    view->addAction(ly);
    if (m_dashboardDock) {
        QAction *db = m_dashboardDock->toggleViewAction();
        db->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_4));
        view->addAction(db);
    }
    view->addSeparator();
    QMenu *themes = view->addMenu(tr("&Theme"));
    auto *group = new QActionGroup(this);
    m_lightAction = themes->addAction(tr("&Light"), this, [this] { setTheme(Theme::Light); });
    m_darkAction = themes->addAction(tr("&Dark"), this, [this] { setTheme(Theme::Dark); });
    for (QAction *a : {m_lightAction, m_darkAction}) {
        a->setCheckable(true);
        group->addAction(a);
    }
    m_lightAction->setChecked(true);
    QAction *toggle = view->addAction(tr("Toggle light/&dark"), this, [this] {
        setTheme(m_theme == Theme::Dark ? Theme::Light : Theme::Dark);
    });
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    view->addSeparator();
    view->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    keys->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About CityOps"), this, &MainWindow::showAbout);
}

void MainWindow::onCasesChanged(const CaseChange &change)
{
    // The queue model and its counts reload themselves (they follow CaseService); the row of
    // the case on show is selected again after the reset.
    Q_UNUSED(change);
    refreshStatus();
    if (const CaseId shown = m_detail->caseId())
        selectCase(shown);
}

void MainWindow::setTheme(Theme theme)
{
    m_theme = theme;
    applyTheme(theme);
    (theme == Theme::Dark ? m_darkAction : m_lightAction)->setChecked(true);
}

void MainWindow::refreshStatus()
{
    const QLocale loc;
    m_countLabel->setText(tr("%1 cases").arg(loc.toString(m_store->count(CaseQuery{}))));
    m_cacheLabel->setText(tr("Cache %1").arg(loc.formattedDataSize(m_db->sizeOnDisk())));
    m_cacheLabel->setToolTip(m_db->path());
}

bool MainWindow::selectCase(CaseId id)
{
    // A deep case is shown in the detail panel without reading the whole queue.
    const int row = m_model->findRow(id);
    if (row >= 0) {
        const QModelIndex idx = m_model->index(row, 0);
        m_table->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect |
                                                            QItemSelectionModel::Rows);
        m_table->scrollTo(idx);
    } else {
        // Not in the queue on screen: no other row may look selected.
        const QSignalBlocker block(m_table->selectionModel());
        m_table->selectionModel()->clear();
        m_table->viewport()->update();
    }
    m_detail->showCase(id);
    return m_detail->caseId() == id;
}

void MainWindow::goToCase()
{
    bool ok = false;
    const qint64 id = QInputDialog::getText(this, tr("Go to case"), tr("Case number:"),
                                            QLineEdit::Normal, QString(), &ok)
                          .trimmed()
                          .toLongLong();
    if (!ok)
        return;
    if (id <= 0 || !selectCase(id))
        QMessageBox::information(this, tr("Go to case"), tr("There is no case %1.").arg(id));
}

void MainWindow::showShortcuts()
{
    QString rows;
    const QList<QMenu *> menus = menuBar()->findChildren<QMenu *>();
    for (QMenu *menu : menus) {
        for (QAction *a : menu->actions()) {
            if (a->shortcut().isEmpty())
                continue;
            rows += QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
                        .arg(plainText(a->text()).toHtmlEscaped(),
                             a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped());
        }
    }
    rows += QStringLiteral("<tr><td>%1</td><td><b>↑ ↓ PgUp PgDn</b></td></tr>")
                .arg(tr("Move in the queue").toHtmlEscaped());
    rows += QStringLiteral("<tr><td>%1</td><td><b>Enter</b></td></tr>")
                .arg(tr("Open the selected case").toHtmlEscaped());
    QMessageBox box(this);
    box.setWindowTitle(tr("Keyboard shortcuts"));
    box.setTextFormat(Qt::RichText);
    box.setText(QStringLiteral("<table cellspacing=6>%1</table>").arg(rows));
    box.exec();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About CityOps"),
        tr("<h3>CityOps %1</h3><p>Command and dispatch console for district "
           "urban-operations centres.</p><p>Cache: %2</p>")
            .arg(QCoreApplication::applicationVersion(), m_db->path().toHtmlEscaped()));
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultState, kLayoutVersion);
    m_queuesDock->show();
    m_detailDock->show();
    m_layersDock->show();
    m_map->show();
    if (m_approvalsDock)
        m_approvalsDock->show();
}

void MainWindow::restoreLayout()
{
    QSettings s;
    if (const QByteArray g = s.value(QLatin1String(kGeometryKey)).toByteArray(); !g.isEmpty())
        restoreGeometry(g);
    if (const QByteArray st = s.value(QLatin1String(kStateKey)).toByteArray(); !st.isEmpty())
        restoreState(st, kLayoutVersion);
    setTheme(themeFromKey(s.value(QLatin1String(kThemeKey)).toString()));
    if (const QByteArray c = s.value(QLatin1String(kColumnsKey)).toByteArray(); !c.isEmpty())
        m_queues->restoreHeaderState(c);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings s;
    s.setValue(QLatin1String(kGeometryKey), saveGeometry());
    s.setValue(QLatin1String(kStateKey), saveState(kLayoutVersion));
    s.setValue(QLatin1String(kThemeKey), themeKey(m_theme));
    s.setValue(QLatin1String(kColumnsKey), m_queues->saveHeaderState());
    m_map->saveSettings();
    event->accept();
}

QStringList MainWindow::viewNames()
{
    return {QStringLiteral("main"),      QStringLiteral("queues"), QStringLiteral("case"),
            QStringLiteral("approvals"), QStringLiteral("map"),    QStringLiteral("dashboard")};
}

bool MainWindow::showView(const QString &name)
{
    if (!viewNames().contains(name))
        return false;
    m_queuesDock->setVisible(name != QLatin1String("case"));
    m_detailDock->setVisible(name != QLatin1String("queues"));
    m_layersDock->setVisible(name == QLatin1String("map") || name == QLatin1String("main"));
    // The queues view gives the whole window to the queue (the map hides).
    m_map->setVisible(name != QLatin1String("queues"));
    if (m_dashboardDock) {
        m_dashboardDock->setVisible(name == QLatin1String("dashboard"));
        if (name == QLatin1String("dashboard"))
            resizeDocks({m_dashboardDock}, {620}, Qt::Vertical);
    }
    if (name == QLatin1String("map")) {
        // Every layer kind on, for a full picture of the district.
        for (const LayerInfo &l : m_map->layerModel()->layers())
            m_map->layerModel()->setVisible(l.id, true);
        m_map->layerModel()->setOpacity(QStringLiteral("heatmap"), 0.55);
        resizeDocks({m_queuesDock, m_detailDock}, {460, 380}, Qt::Horizontal);
        m_map->canvas()->setFocus();
    }
    if (name == QLatin1String("approvals") && m_approvals && m_approvals->model()->rowCount() > 0) {
        const QModelIndex first = m_approvals->model()->index(0, 0);
        m_approvals->table()->setCurrentIndex(first);
        m_approvals->table()->setFocus();
        m_detail->showCase(first.data(PendingApprovalsModel::CaseIdRole).toLongLong());
        return true;
    }
    if (name != QLatin1String("queues") && m_model->rowCount() > 0)
        selectCase(m_model->index(0, 0).data(CaseListModel::CaseIdRole).toLongLong());
    return true;
}

} // namespace cityops
