// The queues panel driven as an operator would: tabs and counts, keyboard triage, bulk actions
// that report what they could not do, search, saved views and CSV export.
#include "actiondialog.h"
#include "casedetailwidget.h"
#include "consolecontext.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "itemmodels/caselistmodel.h"
#include "mainwindow.h"
#include "queuespanel.h"
#include "storage/caserepository.h"
#include "storage/casestore.h"
#include "testsupport.h"
#include "util/csv.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QInputDialog>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace cityops;

class TestQueues : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<Workflow> m_wf;
    std::unique_ptr<CaseRepository> m_repo;

    Actor as(const char *user)
    {
        return *m_repo->actorFor(QLatin1String(user), QStringLiteral("test"));
    }
    qint64 report(const QString &desc, double lon, double lat,
                  const QString &category = QStringLiteral("E0101"))
    {
        ReportInput in;
        in.category = category;
        in.lon = lon;
        in.lat = lat;
        in.description = desc;
        const Outcome o = m_repo->report(in, as("operator1"), QDateTime::currentMSecsSinceEpoch());
        if (!o.ok())
            qFatal("%s", qPrintable(o.message()));
        return o.snapshot.id;
    }
    /** Answers the next modal dialog with `answer`, from the event loop. */
    static void whenDialogOpens(const std::function<void(QWidget *)> &answer)
    {
        QTimer::singleShot(0, [answer] {
            QWidget *w = QApplication::activeModalWidget();
            if (!w) {
                whenDialogOpens(answer);
                return;
            }
            answer(w);
        });
    }
    bool selectRowOf(MainWindow &w, qint64 id)
    {
        const int row = w.caseModel()->findRow(id);
        if (row < 0)
            return false;
        // Shortcuts follow the focus, and a closed dialog leaves the window to be re-activated.
        w.activateWindow();
        if (!QTest::qWaitForWindowActive(&w))
            return false;
        w.caseTable()->setFocus();
        w.caseTable()->selectionModel()->setCurrentIndex(w.caseModel()->index(row, 0),
                                                         QItemSelectionModel::ClearAndSelect |
                                                             QItemSelectionModel::Rows);
        return w.caseDetail()->caseId() == id;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        test::makeDemo(m_dir.path(), 2000, 21);
        m_db = *Database::openDir(m_dir.path());
        m_wf = std::make_unique<Workflow>(Catalogue::builtin(), WorkCalendar::builtin());
        m_repo = std::make_unique<CaseRepository>(m_db, *m_wf);
    }

    void tabsShowLiveCounts()
    {
        MainWindow w(m_db, m_dir.path(), as("operator1"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTabBar *tabs = w.queues()->tabs();
        const auto counts =
            CaseStore(m_db).queueCounts(QString(), QDateTime::currentMSecsSinceEpoch());
        QVERIFY(tabs->tabText(0).contains(QString::number(counts.value(Queue::Intake))));
        const int before = int(counts.value(Queue::Intake));
        const qint64 id = report(QStringLiteral("新上报的暴露垃圾"), 121.45, 31.22);
        w.context().cases().notifyPulled({id}); // as a pulled change of the platform would
        QVERIFY(tabs->tabText(0).contains(QString::number(before + 1)));
        QCOMPARE(w.caseModel()->totalCount(), before + 1);
        // Alt+3 switches to the third queue.
        QTest::keyClick(&w, Qt::Key_3, Qt::AltModifier);
        QCOMPARE(w.queues()->queue(), Queue::InProgress);
        QCOMPARE(w.caseModel()->query().queue, Queue::InProgress);
    }

    void keyboardTriageRegistersAndMergesDuplicates()
    {
        const qint64 first = report(QStringLiteral("小区门口暴露垃圾"), 121.4611, 31.2311);
        const qint64 second =
            report(QStringLiteral("小区门口暴露垃圾（重复上报）"), 121.4612, 31.2311);
        MainWindow w(m_db, m_dir.path(), as("operator1"));
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.queues()->setQueue(Queue::Intake);
        QVERIFY(selectRowOf(w, first));
        // R: register; the dialog asks to confirm the filing condition.
        whenDialogOpens([](QWidget *dlg) {
            dlg->findChild<QCheckBox *>()->setChecked(true);
            dlg->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        QTest::keyClick(w.caseTable(), Qt::Key_R);
        QCOMPARE(m_repo->snapshot(first)->state, CaseState::Registered);
        // M on the repeat report: the dialog suggests the first case; accept merges.
        QVERIFY(selectRowOf(w, second));
        whenDialogOpens([first](QWidget *dlg) {
            auto *combo = dlg->findChild<QComboBox *>();
            QVERIFY(combo->count() >= 1);
            QCOMPARE(combo->itemData(0).toLongLong(), first);
            dlg->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        QTest::keyClick(w.caseTable(), Qt::Key_M);
        const CaseSnapshot s = *m_repo->snapshot(second);
        QCOMPARE(s.state, CaseState::Closed);
        QCOMPARE(s.duplicateOf, first);
    }

    void bulkActionReportsExactlyWhatItCouldNotDo()
    {
        // Three reported cases and one already registered: "register" applies to three.
        QList<qint64> ids;
        for (int i = 0; i < 3; ++i)
            ids << report(QStringLiteral("批量测试 %1").arg(i), 121.43 + i * 0.01, 31.25);
        Command reg;
        reg.action = Action::Register;
        reg.confirmFiling = true;
        QVERIFY(m_repo->apply(ids.at(1), reg, as("operator1"), QDateTime::currentMSecsSinceEpoch())
                    .ok());
        MainWindow w(m_db, m_dir.path(), as("dispatcher1"));
        QSignalSpy resets(w.caseModel(), &QAbstractItemModel::modelReset);
        QSignalSpy changes(&w.context().cases(), &CaseService::casesChanged);
        const QStringList failures = w.queues()->runBulk(ids, reg, false);
        // One notification and one reload of the queue for the whole batch.
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().at(0).value<CaseChange>().ids,
                 QList<CaseId>({ids.at(0), ids.at(2)}));
        QCOMPARE(resets.size(), 1);
        QCOMPARE(failures.size(), 1);
        QVERIFY(failures.first().startsWith(QStringLiteral("Case %1:").arg(ids.at(1))));
        QCOMPARE(m_repo->snapshot(ids.at(0))->state, CaseState::Registered);
        QCOMPARE(m_repo->snapshot(ids.at(2))->state, CaseState::Registered);
    }

    // Stage-2 persuasion is local: the dialog lists the case's own community first, then its
    // street, then the rest, and asks for a reason only outside the community.
    void dispatchDialogListsTheCommunityFirst()
    {
        QSqlQuery q(m_db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT id, community_id FROM cases WHERE stage = 2 AND "
                                      "community_id IS NOT NULL ORDER BY id LIMIT 1")));
        QVERIFY2(q.next(), "the demo has no case at stage 2");
        const CaseId id = q.value(0).toLongLong();
        const qint64 community = q.value(1).toLongLong();
        q.finish();
        const auto snap = m_repo->snapshot(id);
        QVERIFY(snap);
        QCOMPARE(snap->stage, Stage::Persuasion);
        MainWindow w(m_db, m_dir.path(), as("dispatcher1"));
        ActionDialog dlg(w.context(), *snap, Action::Dispatch);
        auto *to = dlg.findChild<QComboBox *>(QStringLiteral("dispatchTo"));
        auto *reason = dlg.findChild<QPlainTextEdit *>(QStringLiteral("dispatchReason"));
        QVERIFY(to && reason);
        QVERIFY(to->count() > 2);
        int previous = 0;
        int street = -1;
        for (int i = 0; i < to->count(); ++i) {
            const int locality = to->itemData(i, Qt::UserRole + 1).toInt();
            QVERIFY2(locality >= previous, "not ordered by locality");
            previous = locality;
            if (street < 0 && Assignee::Locality(locality) == Assignee::Locality::Street)
                street = i;
        }
        // The first entry is from the case's own community, and needs no reason.
        QCOMPARE(Assignee::Locality(to->itemData(0, Qt::UserRole + 1).toInt()),
                 Assignee::Locality::Community);
        const QString first = to->itemData(0).toString();
        QSqlQuery unit(m_db->sql());
        QVERIFY(unit.exec(
            QStringLiteral("SELECT community_id FROM units WHERE code = '%1'").arg(first)));
        QVERIFY(unit.next());
        QCOMPARE(unit.value(0).toLongLong(), community);
        to->setCurrentIndex(0);
        QVERIFY(!reason->isEnabled());
        QVERIFY(street > 0);
        to->setCurrentIndex(street);
        QVERIFY(reason->isEnabled());
        reason->setPlainText(QStringLiteral("本社区网格员休假")); // keyClicks types ASCII only
        const auto cmd = dlg.command();
        QVERIFY(cmd);
        QCOMPARE(cmd->to, to->itemData(street).toString());
        QCOMPARE(cmd->reason, QStringLiteral("本社区网格员休假"));
    }

    void searchAndCsvExportWithChineseText()
    {
        const QString tricky = QStringLiteral("井盖缺失，行人\"绊倒\"风险\n第二行：奇特搜索词");
        const qint64 id = report(tricky, 121.47, 31.24, QStringLiteral("F0101"));
        MainWindow w(m_db, m_dir.path(), as("operator1"));
        w.queues()->setQueue(Queue::All);
        // QTest types ASCII only; the text arrives as an input method would deliver it.
        w.queues()->searchBox()->setText(QStringLiteral("奇特搜索"));
        QTest::keyClick(w.queues()->searchBox(), Qt::Key_Return);
        QCOMPARE(w.caseModel()->totalCount(), 1);
        QCOMPARE(w.caseModel()->index(0, 0).data(CaseListModel::CaseIdRole).toLongLong(), id);
        const QString file = m_dir.filePath(QStringLiteral("export.csv"));
        QString error;
        QVERIFY2(w.queues()->exportCsv(file, &error), qPrintable(error));
        const QByteArray bytes = test::fileBytes(file);
        QVERIFY(bytes.startsWith(Csv::bom()));
        const QList<QStringList> rows = Csv::parse(bytes);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).size(), int(CaseListModel::ColumnCount));
        QCOMPARE(rows.at(0).at(0), w.caseModel()->headerData(0, Qt::Horizontal).toString());
        QCOMPARE(rows.at(1).at(0), QString::number(id));
        QVERIFY(rows.at(1).contains(CaseStore(m_db).findCase(id)->address));
        // Two-character search goes through the per-character index path.
        w.queues()->searchBox()->setText(QStringLiteral("奇特"));
        w.queues()->applyFilters();
        QCOMPARE(w.caseModel()->totalCount(), 1);
    }

    void savedViewsRestoreFiltersAndColumns()
    {
        MainWindow w(m_db, m_dir.path(), as("operator1"));
        w.queues()->setQueue(Queue::Closed);
        w.queues()->searchBox()->setText(QStringLiteral("垃圾"));
        w.queues()->applyFilters();
        w.caseTable()->setColumnHidden(CaseListModel::SourceColumn, true);
        const qint64 expected = w.caseModel()->totalCount();
        QVERIFY(expected > 0);
        whenDialogOpens([](QWidget *dlg) {
            auto *input = qobject_cast<QInputDialog *>(dlg);
            input->setTextValue(QStringLiteral("已结案垃圾"));
            input->accept();
        });
        w.queues()->saveCurrentView();
        MainWindow again(m_db, m_dir.path(), as("operator1"));
        auto *views = again.queues()->findChild<QListWidget *>(QStringLiteral("savedViews"));
        QCOMPARE(views->count(), 1);
        QTest::mouseClick(views->viewport(), Qt::LeftButton, {},
                          views->visualItemRect(views->item(0)).center());
        QCOMPARE(again.queues()->queue(), Queue::Closed);
        QCOMPARE(again.caseModel()->totalCount(), expected);
        QVERIFY(again.caseTable()->isColumnHidden(CaseListModel::SourceColumn));
        QSettings().clear();
    }
};

QTEST_MAIN(TestQueues)
#include "tst_queues.moc"
