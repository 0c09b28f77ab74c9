// The console shell driven as a user would: real widgets, offscreen.
#include "approvalspanel.h"
#include "casedetailwidget.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "itemmodels/caselistmodel.h"
#include "itemmodels/pendingapprovalsmodel.h"
#include "mainwindow.h"
#include "queuespanel.h"
#include "storage/audit.h"
#include "storage/caserepository.h"
#include "storage/casestore.h"
#include "storage/evidencestore.h"
#include "testsupport.h"
#include "util/i18n.h"

#include <QApplication>
#include <QDateTime>
#include <QDockWidget>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace cityops;

class TestConsole : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    std::shared_ptr<Database> open()
    {
        auto db = Database::openDir(m_dir.path());
        if (!db)
            qFatal("%s", qPrintable(db.error()));
        return *db;
    }

    static int distinctColours(const QImage &img)
    {
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 4) {
            for (int x = 0; x < img.width(); x += 4)
                colours.insert(img.pixel(x, y));
        }
        return int(colours.size());
    }

    QImage screenshot(const QStringList &extra)
    {
        QTemporaryDir out;
        const QString file = out.filePath(QStringLiteral("shot.png"));
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QStringLiteral(CITYOPS_CONSOLE_BIN),
                QStringList{QStringLiteral("--data"), m_dir.path(), QStringLiteral("--screenshot"),
                            file} +
                    extra);
        if (!p.waitForFinished(60000) || p.exitCode() != 0)
            return {};
        return QImage(file);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        test::makeDemo(m_dir.path(), 1500, 5);
    }

    void clickingACaseShowsItsDetailAndTimeline()
    {
        MainWindow w(open(), m_dir.path(), Actor{});
        w.queues()->setQueue(Queue::All);
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTableView *table = w.caseTable();
        QCOMPARE(table->model()->rowCount(), 1500);
        const QModelIndex third = table->model()->index(2, CaseListModel::AddressColumn);
        const QRect rect = table->visualRect(third);
        QVERIFY(rect.isValid());
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
        const qint64 id = third.data(CaseListModel::CaseIdRole).toLongLong();
        QCOMPARE(w.caseDetail()->caseId(), id);
        CaseStore store(open());
        QCOMPARE(w.caseDetail()->timeline()->topLevelItemCount(), int(store.events(id).size()));
        QVERIFY(w.caseDetail()->timeline()->topLevelItemCount() >= 1);

        // Keyboard: Down moves to the next case.
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Down);
        QCOMPARE(w.caseDetail()->caseId(),
                 table->model()->index(3, 0).data(CaseListModel::CaseIdRole).toLongLong());
    }

    void sortingByHeaderClickUsesTheStore()
    {
        MainWindow w(open(), m_dir.path(), Actor{});
        w.queues()->setQueue(Queue::All);
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QHeaderView *header = w.caseTable()->horizontalHeader();
        const int x = header->sectionViewportPosition(CaseListModel::IdColumn) + 10;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
        // Default is newest first; one click flips to oldest first.
        QCOMPARE(w.caseTable()->model()->index(0, 0).data(CaseListModel::CaseIdRole).toLongLong(),
                 1);
    }

    void layoutAndThemePersist()
    {
        {
            MainWindow w(open(), m_dir.path(), Actor{});
            w.restoreLayout();
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.setTheme(Theme::Dark);
            w.detailDock()->hide();
            w.close();
        }
        MainWindow w(open(), m_dir.path(), Actor{});
        w.restoreLayout();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.theme(), Theme::Dark);
        QVERIFY(w.detailDock()->isHidden());
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() < 80);
        w.setTheme(Theme::Light);
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() > 180);
        w.close();
        QSettings().clear();
    }

    void gotoCaseLoadsDeepRows()
    {
        MainWindow w(open(), m_dir.path(), Actor{});
        w.queues()->setQueue(Queue::All);
        QVERIFY(w.selectCase(3)); // near the end of the newest-first list
        QCOMPARE(w.caseDetail()->caseId(), 3);
        QCOMPARE(w.caseTable()->currentIndex().data(CaseListModel::CaseIdRole).toLongLong(), 3);
        QVERIFY(!w.selectCase(999999));
    }

    void screenshotIsANonBlankFullWindow()
    {
        const QImage img = screenshot({QStringLiteral("--lang"), QStringLiteral("en")});
        QCOMPARE(img.size(), QSize(1600, 1000));
        QVERIFY(distinctColours(img) > 50);
        const QImage dark = screenshot({QStringLiteral("--theme"), QStringLiteral("dark"),
                                        QStringLiteral("--view"), QStringLiteral("queues")});
        QCOMPARE(dark.size(), QSize(1600, 1000));
        QVERIFY(qGray(dark.pixel(800, 500)) < 100);
        // "--platform URL" is ours, not Qt's platform-plugin option (which once swallowed it).
        QCOMPARE(screenshot({QStringLiteral("--platform"), QStringLiteral("http://127.0.0.1:9"),
                             QStringLiteral("--user"), QStringLiteral("operator1")})
                     .size(),
                 QSize(1600, 1000));
        QCOMPARE(screenshot({QStringLiteral("--platform=none")}).size(), QSize(1600, 1000));
    }

    void screenshotRefusesBadArguments()
    {
        QProcess p;
        p.start(QStringLiteral(CITYOPS_CONSOLE_BIN),
                {QStringLiteral("--data"), m_dir.path(), QStringLiteral("--screenshot"),
                 QStringLiteral("/tmp/x.png"), QStringLiteral("--view"), QStringLiteral("nope")});
        QVERIFY(p.waitForFinished(30000));
        QVERIFY(p.exitCode() != 0);
        QVERIFY(p.readAllStandardError().contains("nope"));
    }

    /** Builds a case with a pending escalation request (dispatcher1 asks) and returns its id. */
    qint64 pendingEscalation()
    {
        auto db = open();
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        EvidenceStore evidence(db, m_dir.path());
        QImage photo(80, 60, QImage::Format_RGB32);
        photo.fill(QColor(200, 80, 40));
        const QString file = m_dir.filePath(QStringLiteral("photo.png"));
        photo.save(file);
        const QString sha = *evidence.import(file, true);
        auto as = [&](const char *user) {
            return *repo.actorFor(QLatin1String(user), QStringLiteral("test"));
        };
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        ReportInput in;
        in.category = QStringLiteral("E0401");
        // A new place each time, so that the case does not count as a recurrence.
        static int n = 0;
        in.lon = 121.43 + 0.003 * ++n;
        in.lat = 31.23;
        in.description = QStringLiteral("占道经营 test");
        const Outcome o = repo.report(in, as("operator1"), now);
        if (!o.ok())
            qFatal("%s", qPrintable(o.message()));
        const qint64 id = o.snapshot.id;
        Command c;
        c.action = Action::Register;
        c.confirmFiling = true;
        if (!repo.apply(id, c, as("operator1"), now).ok())
            qFatal("register");
        c = Command{};
        c.action = Action::Notice;
        c.evidence = {sha};
        if (!repo.apply(id, c, as("dispatcher1"), now).ok())
            qFatal("notice");
        c.action = Action::RecheckUncorrected;
        if (!repo.apply(id, c, as("field1"), now).ok())
            qFatal("recheck");
        c = Command{};
        c.action = Action::EscalateRequest;
        c.reason = QStringLiteral("仍未整改");
        c.evidence = {sha};
        const Outcome req = repo.apply(id, c, as("dispatcher1"), now);
        if (!req.ok())
            qFatal("%s", qPrintable(req.message()));
        return id;
    }

    void supervisorApprovesAnEscalationInTheApprovalsDock()
    {
        const qint64 id = pendingEscalation();
        auto db = open();
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        MainWindow w(db, m_dir.path(),
                     *repo.actorFor(QStringLiteral("supervisor1"), QStringLiteral("test")));
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.approvalsDock() && w.approvalsDock()->isVisible());
        QTableView *table = w.approvals()->table();
        int row = -1;
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            if (table->model()->index(r, 0).data(PendingApprovalsModel::CaseIdRole).toLongLong() ==
                id)
                row = r;
        }
        QVERIFY(row >= 0);
        table->scrollTo(table->model()->index(row, 0));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(table->model()->index(row, 1)).center());
        QCOMPARE(w.caseDetail()->caseId(), id); // the request's case opens in the detail panel
        QVERIFY(w.caseDetail()->stageChips().at(1)->property("chipState").toString() ==
                QLatin1String("pending"));
        QTest::mouseClick(w.approvals()->approveButton(), Qt::LeftButton);

        const CaseSnapshot after = *repo.snapshot(id);
        QCOMPARE(after.stage, Stage::Persuasion);
        QCOMPARE(after.state, CaseState::Registered);
        QVERIFY(!after.escalation);
        QCOMPARE(after.stages.last().approver, QStringLiteral("supervisor1"));
        QCOMPARE(after.stages.last().requester, QStringLiteral("dispatcher1"));
        const QList<CaseEvent> events = CaseStore(db).events(id);
        QCOMPARE(events.last().kind, QStringLiteral("escalate-approve"));
        QCOMPARE(events.last().actor, QStringLiteral("supervisor1"));
        // The detail panel and the approvals list follow the store.
        QCOMPARE(w.caseDetail()->timeline()->topLevelItemCount(), int(events.size()));
        QCOMPARE(w.caseDetail()->stageChips().at(1)->property("chipState").toString(),
                 QStringLiteral("current"));
        for (int r = 0; r < table->model()->rowCount(); ++r)
            QVERIFY(
                table->model()->index(r, 0).data(PendingApprovalsModel::CaseIdRole).toLongLong() !=
                id);
        QVERIFY(Audit::verify(*db, id).intact);
    }

    void keyboardApprovalAndRoleButtons()
    {
        const qint64 id = pendingEscalation();
        auto db = open();
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        {
            // A dispatcher has no approve button at all; the escalation buttons explain why not.
            MainWindow w(db, m_dir.path(),
                         *repo.actorFor(QStringLiteral("dispatcher1"), QStringLiteral("test")));
            QVERIFY(!w.approvalsDock());
            QVERIFY(w.selectCase(id));
            QVERIFY(!w.caseDetail()->actionButton(Action::EscalateApprove));
            QPushButton *req = w.caseDetail()->actionButton(Action::EscalateRequest);
            QVERIFY(req && !req->isEnabled());
            QVERIFY(!req->toolTip().isEmpty());
        }
        MainWindow w(db, m_dir.path(),
                     *repo.actorFor(QStringLiteral("supervisor1"), QStringLiteral("test")));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTableView *table = w.approvals()->table();
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            if (table->model()->index(r, 0).data(PendingApprovalsModel::CaseIdRole).toLongLong() ==
                id)
                table->setCurrentIndex(table->model()->index(r, 0));
        }
        QVERIFY(w.caseDetail()->actionButton(Action::EscalateApprove)->isEnabled());
        QTest::keyClick(&w, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(repo.snapshot(id)->stage, Stage::Persuasion);
    }

    void chineseUiIsTranslated()
    {
        installTranslations(QStringLiteral("zh_CN"));
        MainWindow w(open(), m_dir.path(), Actor{});
        QCOMPARE(w.queuesDock()->windowTitle(), QStringLiteral("案件队列"));
        QCOMPARE(w.caseTable()
                     ->model()
                     ->headerData(CaseListModel::StateColumn, Qt::Horizontal)
                     .toString(),
                 QStringLiteral("状态"));
        const QModelIndex idx = w.caseTable()->model()->index(0, CaseListModel::CategoryColumn);
        QVERIFY(idx.data().toString().contains(
            QRegularExpression(QStringLiteral("[\\x{4e00}-\\x{9fff}]"))));
        installTranslations(QStringLiteral("en"));
    }
};

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
