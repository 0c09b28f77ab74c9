// The console's sync UI (offscreen) against the real platform: the login dialog, the status bar,
// the Sync dock, and a change made in the console reaching the platform.
#include "consolecontext.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "platformtest.h"
#include "storage/syncstore.h"
#include "synccontroller.h"
#include "syncpanel.h"

#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace cityops;
using namespace cityops::test;

namespace {

int cli(const QStringList &args, const QByteArray &input = {})
{
    QProcess p;
    p.start(QStringLiteral(CITYOPS_CLI_BIN), args);
    p.waitForStarted();
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

CaseId firstCase(Database &db, const QString &state)
{
    QSqlQuery q(db.sql());
    q.exec(
        QStringLiteral("SELECT id FROM cases WHERE state = '%1' ORDER BY id LIMIT 1").arg(state));
    return q.next() ? q.value(0).toLongLong() : 0;
}

} // namespace

class TestSyncConsole : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void signInChangeAndSeeItSynced()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY(platform.start(tmp.filePath(QStringLiteral("platform")),
                               {QStringLiteral("--seed-demo"), QStringLiteral("--seed"),
                                QStringLiteral("11"), QStringLiteral("--cases"),
                                QStringLiteral("200")}));
        const QString dir = tmp.filePath(QStringLiteral("console"));
        QCOMPARE(cli({QStringLiteral("demo"), QStringLiteral("generate"), QStringLiteral("--seed"),
                      QStringLiteral("11"), QStringLiteral("--cases"), QStringLiteral("0"),
                      QStringLiteral("--out"), dir}),
                 0);

        // The login dialog: a wrong password keeps it open with the platform's message.
        LoginDialog login(dir, platform.url());
        QVERIFY(!login.offlineButton()->isEnabled()); // nobody signed in here yet
        QTest::keyClicks(login.userEdit(), QStringLiteral("dispatcher1"));
        QTest::keyClicks(login.passwordEdit(), QStringLiteral("wrong"));
        QTest::mouseClick(login.signInButton(), Qt::LeftButton);
        QVERIFY(!login.isVisible() || login.result() != QDialog::Accepted);
        QVERIFY2(
            login.messageLabel()->text().contains(QStringLiteral("password"), Qt::CaseInsensitive),
            qPrintable(login.messageLabel()->text()));
        login.passwordEdit()->clear();
        QTest::keyClicks(login.passwordEdit(), QStringLiteral("demo"));
        QTest::mouseClick(login.signInButton(), Qt::LeftButton);
        QCOMPARE(login.result(), int(QDialog::Accepted));
        QCOMPARE(login.user(), QStringLiteral("dispatcher1"));
        QVERIFY(!login.offline());

        auto db = *Database::openDir(dir);
        MainWindow window(db, dir,
                          Actor{QStringLiteral("dispatcher1"),
                                Role::Dispatcher,
                                {},
                                QStringLiteral("console-test")});
        QVERIFY(window.context().sync()); // the cache is attached: actions go to the outbox
        SyncController sync(window.context(), dir, platform.url());
        sync.install(window);
        QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("syncDock")));
        QSignalSpy refreshed(&window.context(), &ConsoleContext::casesChanged);
        sync.start();
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().online && sync.status().lastSyncAt > 0, 20000);
        QVERIFY(sync.statusLabel()->text().contains(QStringLiteral("● Online")));
        // The snapshot refreshed the panels (in bulk).
        QTRY_VERIFY(!refreshed.isEmpty());
        QCOMPARE(refreshed.first().at(0).value<QList<qint64>>().size(), 200);

        // A change in the console: pending 1 at once, then 0 once the platform confirmed it.
        const CaseId id = firstCase(*db, QStringLiteral("registered"));
        QVERIFY(id > 0);
        Outcome o;
        for (const Assignee &a : window.context().repository().assignees({}, 400)) {
            Command d;
            d.action = Action::Dispatch;
            d.to = a.code;
            d.toUnit = a.unitCode;
            d.toType = a.unitType;
            o = window.context().run(id, d);
            if (o.ok())
                break;
        }
        QVERIFY2(o.ok(), qPrintable(o.message()));
        QVERIFY(sync.statusLabel()->text().contains(QStringLiteral("pending 1")));
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().pending == 0 && sync.statusLabel()->text().contains(
                                                                   QStringLiteral("pending 0")),
                                 5000);
        QVERIFY(sync.statusLabel()->text().contains(QStringLiteral("● Online")));
        QVERIFY(sync.statusLabel()->text().contains(QStringLiteral("conflicts 0")));
        QCOMPARE(sync.panel()->table()->rowCount(), 0);
        Client reader(platform.url());
        QCOMPARE(reader.login(QStringLiteral("auditor1")).status, 200);
        QSqlQuery q(db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT state, version FROM cases WHERE id = %1").arg(id)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("dispatched"));
        QSqlQuery p(db->sql());
        QVERIFY(p.exec(QStringLiteral("SELECT count(*) FROM case_events WHERE provisional = 1")));
        QVERIFY(p.next());
        QCOMPARE(p.value(0).toInt(), 0);
        sync.stop();

        // Next start: "Work offline" keeps the last session.
        LoginDialog again(dir, platform.url());
        QVERIFY(again.offlineButton()->isEnabled());
        QCOMPARE(again.userEdit()->text(), QStringLiteral("dispatcher1"));
        QTest::mouseClick(again.offlineButton(), Qt::LeftButton);
        QCOMPARE(again.result(), int(QDialog::Accepted));
        QVERIFY(again.offline());
        QCOMPARE(again.user(), QStringLiteral("dispatcher1"));
    }
};

QTEST_MAIN(TestSyncConsole)
#include "tst_sync_console.moc"
