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

Run run(const QStringList &args, const QByteArray &input = {})
{
    return runProgram(QStringLiteral(CITYOPS_CLI_BIN), args, input);
}

int cli(const QStringList &args, const QByteArray &input = {})
{
    return run(args, input).rc;
}

/** How many commands of an action the platform applied. */
int appliedOnPlatform(const QString &platformDb, const QString &action)
{
    return column(platformDb, QStringLiteral("SELECT count(*) FROM applied_commands WHERE action "
                                             "= '%1' AND status = 'applied'")
                                  .arg(action))
        .value(0)
        .toInt();
}

/** The demo platform (seed 11) with `cases` cases and tokens that live `ttl` seconds. */
bool startPlatform(PlatformProcess &platform, const QTemporaryDir &tmp, int cases, int ttl)
{
    return platform.start(tmp.filePath(QStringLiteral("platform")),
                          {QStringLiteral("--seed-demo"), QStringLiteral("--seed"),
                           QStringLiteral("11"), QStringLiteral("--cases"), QString::number(cases),
                           QStringLiteral("--token-ttl"), QString::number(ttl)});
}

/** A console cache with the platform's district (seed 11) and no cases yet. */
bool emptyCache(const QString &dir)
{
    return cli({QStringLiteral("demo"), QStringLiteral("generate"), QStringLiteral("--seed"),
                QStringLiteral("11"), QStringLiteral("--cases"), QStringLiteral("0"),
                QStringLiteral("--out"), dir}) == 0;
}

/** Dispatches a registered case to the first person who may take it. */
Outcome dispatchFirst(ConsoleContext &ctx, CaseId id)
{
    Outcome o;
    for (const Assignee &a : ctx.repository().assignees({}, 400)) {
        Command d;
        d.action = Action::Dispatch;
        d.to = a.code;
        d.toUnit = a.unitCode;
        d.toType = a.unitType;
        o = ctx.run(id, d);
        if (o.ok())
            break;
    }
    return o;
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
        QVERIFY(emptyCache(dir));

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
        const Outcome o = dispatchFirst(window.context(), id);
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

    void sessionExpiresAndSignsInAgain()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        // Tokens live 8 s here: the console outlives its session within the test.
        QVERIFY(startPlatform(platform, tmp, 60, 8));
        const QString dir = tmp.filePath(QStringLiteral("console"));
        QVERIFY(emptyCache(dir));
        {
            LoginDialog login(dir, platform.url());
            QTest::keyClicks(login.userEdit(), QStringLiteral("dispatcher1"));
            QTest::keyClicks(login.passwordEdit(), QStringLiteral("demo"));
            QTest::mouseClick(login.signInButton(), Qt::LeftButton);
            QCOMPARE(login.result(), int(QDialog::Accepted));
        }
        auto db = *Database::openDir(dir);
        MainWindow window(db, dir,
                          Actor{QStringLiteral("dispatcher1"),
                                Role::Dispatcher,
                                {},
                                QStringLiteral("console-test")});
        SyncController sync(window.context(), dir, platform.url());
        sync.install(window);
        sync.setLongPollSeconds(1);
        QSignalSpy expired(&sync, &SyncController::sessionExpired);
        sync.start();
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().online && sync.status().lastSyncAt > 0, 20000);
        QVERIFY(!sync.signInButton()->isVisible());

        // The token expires while the console waits on the feed: sync pauses, the status bar
        // says so and one dialog asks the same user to sign in again.
        QTRY_VERIFY_WITH_TIMEOUT(!expired.isEmpty(), 30000);
        QCOMPARE(expired.first().at(0).toString(), QStringLiteral("dispatcher1"));
        QVERIFY2(
            sync.statusLabel()->text().contains(QStringLiteral("session of dispatcher1 expired")),
            qPrintable(sync.statusLabel()->text()));
        QVERIFY(sync.signInButton()->isVisible());
        LoginDialog *again = sync.loginDialog();
        QVERIFY(again);
        QVERIFY(again->isVisible());
        QCOMPARE(again->userEdit()->text(), QStringLiteral("dispatcher1"));
        QVERIFY(again->userEdit()->isReadOnly());
        sync.signInAgain(); // the button again: the same dialog, not a second one
        QCOMPARE(window.findChildren<LoginDialog *>().size(), 1);

        // The operator keeps working: the change waits in the outbox, nothing is sent.
        const CaseId id = firstCase(*db, QStringLiteral("registered"));
        QVERIFY(id > 0);
        const Outcome o = dispatchFirst(window.context(), id);
        QVERIFY2(o.ok(), qPrintable(o.message()));
        QVERIFY(sync.statusLabel()->text().contains(QStringLiteral("pending 1")));
        QCOMPARE(appliedOnPlatform(platform.databasePath(), QStringLiteral("dispatch")), 0);

        // Signing in again resumes sync without a restart: the outbox drains.
        QSignalSpy renewed(&sync, &SyncController::sessionRenewed);
        QTest::keyClicks(again->passwordEdit(), QStringLiteral("demo"));
        QTest::mouseClick(again->signInButton(), Qt::LeftButton);
        QCOMPARE(renewed.size(), 1);
        QVERIFY(!sync.signInButton()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(
            appliedOnPlatform(platform.databasePath(), QStringLiteral("dispatch")) == 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().pending == 0, 10000);
        sync.stop();
    }

    void cliSessionExpires()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY(startPlatform(platform, tmp, 60, 4));
        const QString dir = tmp.filePath(QStringLiteral("cli"));
        QVERIFY(emptyCache(dir));
        auto login = [&](const QString &user) {
            return cli({QStringLiteral("--platform"), platform.url().toString(),
                        QStringLiteral("--data"), dir, QStringLiteral("login"),
                        QStringLiteral("--user"), user, QStringLiteral("--password-stdin")},
                       "demo\n");
        };
        const QStringList sync{QStringLiteral("--data"), dir, QStringLiteral("sync")};
        QCOMPARE(login(QStringLiteral("dispatcher1")), 0);
        QCOMPARE(cli(sync), 0);
        // Once the token has expired, sync says so with its own exit code.
        QTRY_VERIFY_WITH_TIMEOUT(cli(sync) == 7, 20000);
        const Run expired = run(sync);
        QCOMPARE(expired.rc, 7);
        QVERIFY2(expired.err.contains(QStringLiteral("expired")) &&
                     expired.err.contains(QStringLiteral("login --user dispatcher1")),
                 qPrintable(expired.err));

        // A report made meanwhile waits in the outbox.
        QCOMPARE(
            cli({QStringLiteral("--data"), dir, QStringLiteral("case"), QStringLiteral("new"),
                 QStringLiteral("--category"), QStringLiteral("E0401"), QStringLiteral("--lon"),
                 QStringLiteral("121.47"), QStringLiteral("--lat"), QStringLiteral("31.25"),
                 QStringLiteral("--desc"), QStringLiteral("offline while signed out")}),
            0);
        QCOMPARE(cli(sync), 7);
        QVERIFY(run(sync + QStringList{QStringLiteral("--status")})
                    .out.contains(QStringLiteral("Pending:   1")));

        // Another user signs in: dispatcher1's command is never sent under their name.
        QCOMPARE(login(QStringLiteral("operator1")), 0);
        const Run other = run(sync);
        QCOMPARE(other.rc, 7);
        QVERIFY2(other.err.contains(QStringLiteral("dispatcher1")), qPrintable(other.err));
        QCOMPARE(appliedOnPlatform(platform.databasePath(), QStringLiteral("report")), 0);

        // dispatcher1 signs in again: the outbox drains under their name.
        QCOMPARE(login(QStringLiteral("dispatcher1")), 0);
        const Run drained = run(sync);
        QVERIFY2(drained.rc == 0, qPrintable(drained.err));
        QCOMPARE(appliedOnPlatform(platform.databasePath(), QStringLiteral("report")), 1);
    }
};

QTEST_MAIN(TestSyncConsole)
#include "tst_sync_console.moc"
