// The console's Audit ▸ Security log (issue 18) against the real platform, offscreen: offered to
// auditors only, filled from GET /api/v1/security-log through SecurityLogModel (checked with
// QAbstractItemModelTester), filters and older pages, and the platform's refusal when a
// non-auditor's session asks anyway.
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "itemmodels/securitylogmodel.h"
#include "mainwindow.h"
#include "platformtest.h"
#include "securitylogdialog.h"
#include "storage/caserepository.h"
#include "synccontroller.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>

using namespace cityops;
using namespace cityops::test;

namespace {

const QString kAnchor = QStringLiteral("2026-11-27T18:00+08:00");

/** A console cache with the platform's district (seed 11), `user` signed in by the CLI. */
bool signedInCache(const QString &dir, const QUrl &platform, const QString &user)
{
    const QString cli = QStringLiteral(CITYOPS_CLI_BIN);
    return runProgram(cli, {QStringLiteral("demo"), QStringLiteral("generate"),
                            QStringLiteral("--anchor"), kAnchor, QStringLiteral("--seed"),
                            QStringLiteral("11"), QStringLiteral("--cases"), QStringLiteral("0"),
                            QStringLiteral("--out"), dir})
                   .rc == 0 &&
           runProgram(cli,
                      {QStringLiteral("--platform"), platform.toString(), QStringLiteral("--data"),
                       dir, QStringLiteral("login"), QStringLiteral("--user"), user,
                       QStringLiteral("--password-stdin")},
                      "demo\n")
                   .rc == 0;
}

/** The console as its main wires it for `user` (the SyncController installed, not started). */
struct Console
{
    std::shared_ptr<Database> db;
    MainWindow window;
    SyncController sync;

    Console(const QString &dir, const QUrl &platform, const QString &user)
        : db(*Database::openDir(dir)),
          window(db, dir,
                 *CaseRepository(db, Workflow(Catalogue::builtin(), WorkCalendar::builtin()))
                      .actorFor(user, QStringLiteral("console-test"))),
          sync(window.context(), dir, platform)
    {
        sync.install(window);
        window.show();
    }
    QAction *securityLogAction() const
    {
        return window.findChild<QAction *>(QStringLiteral("securityLogAction"));
    }
};

} // namespace

class TestSecurityLogConsole : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    PlatformProcess m_platform;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(m_platform.start(m_tmp.filePath(QStringLiteral("platform")),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   kAnchor, QStringLiteral("--seed"), QStringLiteral("11"),
                                   QStringLiteral("--cases"), QStringLiteral("0")}),
                 m_platform.output().constData());
        // Lines to show: wrong passwords for two users, and a refused route.
        Client c(m_platform.url());
        for (int i = 0; i < 3; ++i)
            QCOMPARE(c.login(QStringLiteral("operator1"), QStringLiteral("wrong-%1").arg(i)).status,
                     401);
        QCOMPARE(c.login(QStringLiteral("field1"), QStringLiteral("wrong")).status, 401);
        QCOMPARE(c.get(QStringLiteral("/api/v1/snapshot")).status, 401);
    }

    void cleanupTestCase() { QCOMPARE(m_platform.stop(), 0); }

    void auditorSeesTheLog()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("auditor"));
        QVERIFY(signedInCache(dir, m_platform.url(), QStringLiteral("auditor1")));
        Console console(dir, m_platform.url(), QStringLiteral("auditor1"));
        QAction *action = console.securityLogAction();
        QVERIFY(action);
        QVERIFY(action->isEnabled());
        action->trigger();
        auto *dialog = console.window.findChild<SecurityLogDialog *>();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        SecurityLogModel *model = dialog->model();
        QAbstractItemModelTester tester(model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        // wrong passwords (identical ones coalesced), the 401 and this console's sign-in
        QTRY_VERIFY_WITH_TIMEOUT((dialog->refresh(), model->rowCount() >= 4), 10000);
        auto *status = dialog->findChild<QLabel *>(QStringLiteral("status"));
        QVERIFY2(status->text().contains(QLatin1String("verifies")), qPrintable(status->text()));
        // Newest first; every column filled as the platform said.
        QVERIFY(model->data(model->index(0, SecurityLogModel::TimeColumn)).toString().size() > 10);
        QVERIFY(model->data(model->index(0, 0), SecurityLogModel::IdRole).toLongLong() >
                model->data(model->index(1, 0), SecurityLogModel::IdRole).toLongLong());
        QCOMPARE(model->headerData(SecurityLogModel::KindColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Kind"));

        // Filter: kind signin.failed and user operator1 → the three failures. Identical failures
        // within a second are one line with a count, written a second or two later.
        auto *kind = dialog->findChild<QComboBox *>(QStringLiteral("kind"));
        kind->setCurrentIndex(kind->findData(QStringLiteral("signin.failed")));
        auto *user = dialog->findChild<QLineEdit *>(QStringLiteral("user"));
        QTest::keyClicks(user, QStringLiteral("operator1"));
        QSignalSpy loaded(dialog, &SecurityLogDialog::loaded);
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("refresh")),
                          Qt::LeftButton);
        QTRY_VERIFY(!loaded.isEmpty());
        auto failures = [&] {
            int n = 0;
            for (int r = 0; r < model->rowCount(); ++r)
                n += model->data(model->index(r, SecurityLogModel::CountColumn)).toInt();
            return n;
        };
        // Each refresh is answered before the next is asked for: on a slow platform (a sanitizer
        // build under load) a refresh asked for every 50 ms never let one page finish.
        QElapsedTimer waited;
        waited.start();
        while (failures() != 3 && waited.elapsed() < 30000) {
            loaded.clear();
            dialog->refresh();
            QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 15000);
            if (failures() != 3)
                QTest::qWait(250);
        }
        QCOMPARE(failures(), 3);
        for (int r = 0; r < model->rowCount(); ++r) {
            QCOMPARE(model->data(model->index(r, SecurityLogModel::KindColumn)).toString(),
                     QStringLiteral("signin.failed"));
            QCOMPARE(model->data(model->index(r, SecurityLogModel::UserColumn)).toString(),
                     QStringLiteral("operator1"));
            QCOMPARE(model->data(model->index(r, SecurityLogModel::AddressColumn)).toString(),
                     QStringLiteral("127.0.0.1"));
        }
        // An address nobody used: nothing.
        user->clear();
        kind->setCurrentIndex(0);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("address")),
                         QStringLiteral("10.1.2.3"));
        dialog->refresh();
        QCOMPARE(model->rowCount(), 0);
        // A time range in the future: nothing; then cleared again.
        dialog->findChild<QLineEdit *>(QStringLiteral("address"))->clear();
        auto *fromSet = dialog->findChild<QCheckBox *>(QStringLiteral("fromSet"));
        QVERIFY(fromSet);
        fromSet->setChecked(true);
        dialog->findChild<QDateTimeEdit *>(QStringLiteral("from"))
            ->setDateTime(QDateTime::currentDateTime().addDays(1));
        dialog->refresh();
        QCOMPARE(model->rowCount(), 0);
        fromSet->setChecked(false);
        dialog->refresh();
        QVERIFY(model->rowCount() >= 4);
    }

    void olderPagesAppend()
    {
        // The model alone, fed page by page as the dialog feeds it.
        Client auditor(m_platform.url());
        QCOMPARE(auditor.login(QStringLiteral("auditor1")).status, 200);
        SecurityLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto page = sync::decodeSecurityLog(
            auditor.get(QStringLiteral("/api/v1/security-log?limit=2")).body);
        QVERIFY(page);
        model.setPage(*page);
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.next() > 0);
        int guard = 0;
        while (model.next() && ++guard < 100) {
            page = sync::decodeSecurityLog(
                auditor
                    .get(QStringLiteral("/api/v1/security-log?limit=2&before=%1").arg(model.next()))
                    .body);
            QVERIFY(page);
            model.appendPage(*page);
        }
        const auto all =
            sync::decodeSecurityLog(auditor.get(QStringLiteral("/api/v1/security-log")).body);
        QCOMPARE(model.rowCount(), int(all->entries.size()));
        QVERIFY(model.chain().ok);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    /** Other roles: the entry is disabled, and the platform refuses their session anyway. */
    void othersAreRefused()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("operator"));
        QVERIFY(signedInCache(dir, m_platform.url(), QStringLiteral("supervisor1")));
        Console console(dir, m_platform.url(), QStringLiteral("supervisor1"));
        QVERIFY(console.securityLogAction());
        QVERIFY(!console.securityLogAction()->isEnabled());
        // Even if the dialog is opened with this session, the platform says no.
        SecurityLogDialog dialog(m_platform.url(), [&] {
            Client c(m_platform.url());
            c.login(QStringLiteral("supervisor1"));
            return c.token();
        });
        dialog.refresh();
        QCOMPARE(dialog.model()->rowCount(), 0);
        const QString said = dialog.findChild<QLabel *>(QStringLiteral("status"))->text();
        QVERIFY2(said.contains(QLatin1String("auditor")), qPrintable(said));
    }
};

QTEST_MAIN(TestSecurityLogConsole)
#include "tst_securitylog_console.moc"
