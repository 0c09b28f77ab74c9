// A bulk action on a console signed in to a real platform takes the single write path: every
// command goes through the outbox to the platform, and the queue reloads once for the batch.
#include "consolecontext.h"
#include "itemmodels/caselistmodel.h"
#include "mainwindow.h"
#include "platformtest.h"
#include "queuespanel.h"
#include "synccontroller.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QInputDialog>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

using namespace cityops;
using namespace cityops::test;

namespace {

int cli(const QStringList &args, const QByteArray &input = {})
{
    return runProgram(QStringLiteral(CITYOPS_CLI_BIN), args, input).rc;
}

constexpr int kCases = 50;

} // namespace

class TestBulkSync : public QObject
{
    Q_OBJECT

private slots:
    void bulkRegisterReachesThePlatform()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        const QString platformDir = tmp.filePath(QStringLiteral("platform"));
        QVERIFY(platform.start(
            platformDir, {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                          QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                          QStringLiteral("11"), QStringLiteral("--cases"), QStringLiteral("0")}));
        const QString dir = tmp.filePath(QStringLiteral("console"));
        QCOMPARE(
            cli({QStringLiteral("--platform"), platform.url().toString(), QStringLiteral("--data"),
                 dir, QStringLiteral("login"), QStringLiteral("--user"),
                 QStringLiteral("dispatcher1"), QStringLiteral("--password-stdin")},
                "demo\n"),
            0);

        auto db = *Database::openDir(dir);
        MainWindow window(db, dir,
                          Actor{QStringLiteral("dispatcher1"),
                                Role::Dispatcher,
                                {},
                                QStringLiteral("console-test")});
        QAbstractItemModelTester tester(window.caseModel());
        SyncController sync(window.context(), dir, platform.url());
        sync.install(window);
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        sync.start();
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().online && sync.status().lastSyncAt > 0, 20000);

        // Fifty reports come in through the console and reach the platform.
        for (int i = 0; i < kCases; ++i) {
            ReportInput in;
            in.category = QStringLiteral("E0101");
            in.lon = 121.45 + i * 0.0005;
            in.lat = 31.23;
            in.description = QStringLiteral("批量立案测试 %1").arg(i);
            QVERIFY(window.context().cases().report(in).ok());
        }
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().pending == 0 &&
                                     column(platformDir + QStringLiteral("/platform.db"),
                                            QStringLiteral("SELECT count(*) FROM cases WHERE "
                                                           "state = 'reported'"))
                                             .value(0)
                                             .toInt() == kCases,
                                 20000);
        QTRY_COMPARE_WITH_TIMEOUT(
            column(db->path(), QStringLiteral("SELECT count(*) FROM cases WHERE id > 0 AND "
                                              "state = 'reported'"))
                .value(0)
                .toInt(),
            kCases, 20000);

        // The dispatcher selects the whole intake queue and bulk-registers it (Ctrl+Shift+B).
        window.queues()->setQueue(Queue::Intake);
        // The queue shows the platform's numbers once the pulled page has been announced.
        const auto numbered = [&] {
            if (window.caseModel()->rowCount() != kCases)
                return false;
            for (int r = 0; r < kCases; ++r) {
                if (window.caseModel()->row(r)->id <= 0)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(numbered(), 20000);
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        window.caseTable()->setFocus();
        window.caseTable()->selectAll();
        QCOMPARE(window.queues()->selectedIds().size(), qsizetype(kCases));
        QSignalSpy resets(window.caseModel(), &QAbstractItemModel::modelReset);
        QSignalSpy changes(&window.context().cases(), &CaseService::casesChanged);
        // Answers the action choice with Register; any other box (a failure report) is read
        // and closed, so the test fails with its text instead of waiting for ever.
        QStringList boxes;
        QTimer answer;
        connect(&answer, &QTimer::timeout, this, [&] {
            QWidget *dlg = QApplication::activeModalWidget();
            if (auto *input = qobject_cast<QInputDialog *>(dlg)) {
                input->setTextValue(input->comboBoxItems().first()); // Register
                input->accept();
            } else if (auto *box = qobject_cast<QMessageBox *>(dlg)) {
                boxes << box->text() + QLatin1Char('\n') + box->informativeText();
                box->close();
            }
        });
        answer.start(20);
        QTest::keyClick(&window, Qt::Key_B, Qt::ControlModifier | Qt::ShiftModifier);
        answer.stop();
        QVERIFY2(boxes.isEmpty(), qPrintable(boxes.join(QLatin1Char('\n'))));

        // One notification and one reload for the whole batch (pulled pages come apart).
        int own = 0;
        for (const QList<QVariant> &args : changes) {
            const auto change = args.at(0).value<CaseChange>();
            if (!change.pulled) {
                ++own;
                QCOMPARE(change.ids.size(), qsizetype(kCases));
            }
        }
        QCOMPARE(own, 1);
        QCOMPARE(resets.size(), changes.size());
        QCOMPARE(column(db->path(), QStringLiteral("SELECT count(*) FROM cases WHERE state = "
                                                   "'registered'"))
                     .value(0)
                     .toInt(),
                 kCases);

        // Every command went through the outbox to the platform: all 50 registered there, and
        // the outbox is empty once the platform confirmed them.
        QTRY_VERIFY_WITH_TIMEOUT(
            sync.status().pending == 0 &&
                column(platformDir + QStringLiteral("/platform.db"),
                       QStringLiteral("SELECT count(*) FROM cases WHERE state = 'registered'"))
                        .value(0)
                        .toInt() == kCases,
            20000);
        QCOMPARE(column(db->path(), QStringLiteral("SELECT count(*) FROM outbox")).value(0).toInt(),
                 0);
        QCOMPARE(column(platformDir + QStringLiteral("/platform.db"),
                        QStringLiteral("SELECT count(*) FROM applied_commands WHERE action = "
                                       "'register' AND status = 'applied'"))
                     .value(0)
                     .toInt(),
                 kCases);
        sync.stop();
    }
};

QTEST_MAIN(TestBulkSync)
#include "tst_bulk_sync.moc"
