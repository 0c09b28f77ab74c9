// The supervisor dashboard driven as a user would: filters, hotspot clicks, exports, and its
// place in the main window (dock, map zoom, queue filter).
#include "consolecontext.h"
#include "dashboard/dashboardengine.h"
#include "dashboard/dashboardwidget.h"
#include "dashboard/kpitablemodel.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "mainwindow.h"
#include "queuespanel.h"
#include "storage/caserepository.h"
#include "testsupport.h"
#include "util/csv.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QImage>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace cityops;

class TestDashboard : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    /** A dashboard on the demo cache, shown, with its first result on screen. */
    std::unique_ptr<DashboardWidget> shown()
    {
        auto w = std::make_unique<DashboardWidget>(Database::pathInDir(m_dir.path()));
        w->engine()->setNow(DemoOptions::kDefaultAnchorMs);
        w->resize(1400, 800);
        w->show();
        QSignalSpy updated(w.get(), &DashboardWidget::updated);
        w->refresh();
        if (!updated.wait(30000))
            qFatal("the dashboard never showed a result");
        return w;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        test::makeDemo(m_dir.path(), 2000, 7);
    }

    void showsFiguresAndFollowsTheFilters()
    {
        auto w = shown();
        QAbstractItemModelTester t1(w->kpiModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(w->hotspotModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        const qint64 all = w->result().total.cases;
        QVERIFY(all > 0);
        QVERIFY(w->kpiModel()->rowCount() > 1);
        QCOMPARE(w->result().days.size(), 30);
        QCOMPARE(w->result().found.size(), 30);
        // The filter bar lists the dimensions once the worker has loaded them.
        QVERIFY(w->streetBox()->count() > 1);
        QVERIFY(w->categoryBox()->count() > 1);
        QVERIFY(w->unitBox()->count() > 1);

        // Picking a street in the combo box narrows every figure to it.
        QSignalSpy updated(w.get(), &DashboardWidget::updated);
        w->streetBox()->setCurrentIndex(1);
        QVERIFY(updated.wait(20000));
        QCOMPARE(w->result().filter.street, 0);
        QVERIFY(w->result().total.cases < all);
        // A longer period covers at least as much.
        w->streetBox()->setCurrentIndex(0);
        QVERIFY(updated.wait(20000));
        QCOMPARE(w->result().total.cases, all);
        w->setPeriodDays(365);
        QVERIFY(updated.wait(20000));
        QVERIFY(w->result().total.cases >= all);
        QCOMPARE(w->result().days.size(), 365);
    }

    void hotspotClickEmitsTheGridAndExportsWork()
    {
        auto w = shown();
        w->setPeriodDays(0);
        QSignalSpy updated(w.get(), &DashboardWidget::updated);
        QVERIFY(updated.wait(20000));
        QTableView *table = w->hotspotTable();
        QVERIFY(table->model()->rowCount() > 0);
        QSignalSpy grid(w.get(), &DashboardWidget::gridActivated);
        const QRect rect = table->visualRect(table->model()->index(0, 0));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(grid.size(), 1);
        QCOMPARE(grid.first().first().toString(), w->result().hotspots.first().gridCode);

        QTemporaryDir out;
        for (int c = 0; c < DashboardWidget::ChartCount; ++c) {
            w->tabs()->setCurrentIndex(c);
            const QString png = out.filePath(QStringLiteral("chart%1.png").arg(c));
            QVERIFY(w->exportChartPng(DashboardWidget::Chart(c), png));
            const QImage img(png);
            QVERIFY(!img.isNull());
            QVERIFY(img.width() > 100);
        }
        const QString csv = out.filePath(QStringLiteral("kpis.csv"));
        QVERIFY(w->exportKpiCsv(csv));
        const QByteArray bytes = test::fileBytes(csv);
        QVERIFY(bytes.startsWith(Csv::bom()));
        const QList<QStringList> rows = Csv::parse(bytes);
        QCOMPARE(rows.size(), w->kpiModel()->rowCount() + 1);
        QVERIFY(rows[0].join(QLatin1Char(',')).contains(QStringLiteral("按期结案率")));
        QCOMPARE(rows[1][1], QString::number(w->result().total.cases));
    }

    void mainWindowDockZoomsTheMapAndFiltersTheQueue()
    {
        auto db = *Database::openDir(m_dir.path());
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        MainWindow w(db, m_dir.path(),
                     *repo.actorFor(QStringLiteral("supervisor1"), QStringLiteral("test")));
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.dashboardDock());
        QVERIFY(!w.dashboardDock()->isVisible());
        QSignalSpy updated(w.dashboard(), &DashboardWidget::updated);
        QVERIFY(w.showView(QStringLiteral("dashboard")));
        QVERIFY(w.dashboardDock()->isVisible());
        QVERIFY(updated.wait(30000));
        w.dashboard()->setPeriodDays(0);
        QVERIFY(updated.wait(20000));
        QTableView *table = w.dashboard()->hotspotTable();
        QVERIFY(table->model()->rowCount() > 0);
        const QString code =
            table->model()->index(0, 0).data(HotspotModel::GridCodeRole).toString();
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(table->model()->index(0, 0)).center());
        QCOMPARE(w.queues()->currentQuery().gridCode, code);

        // The dashboard follows workflow changes made in the console.
        QSqlQuery q(db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM cases WHERE state = 'registered' LIMIT 1")));
        QVERIFY(q.next());
        const CaseId id = q.value(0).toLongLong();
        w.dashboard()->engine()->setDebounce(0);
        const qint64 before = w.dashboard()->result().total.shelved;
        Command shelve;
        shelve.action = Action::Shelve;
        shelve.reason = QStringLiteral("等待拆迁");
        QVERIFY(w.context().cases().run(id, shelve).ok());
        QVERIFY(updated.wait(20000));
        QCOMPARE(w.dashboard()->result().total.shelved, before + 1);

        // Other roles have no dashboard.
        MainWindow op(db, m_dir.path(),
                      *repo.actorFor(QStringLiteral("operator1"), QStringLiteral("test")));
        QVERIFY(!op.dashboardDock());
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
