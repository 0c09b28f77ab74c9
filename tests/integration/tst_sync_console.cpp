// The console's sync UI (offscreen) against the real platform: the login dialog, the status bar,
// the Sync dock, and a change made in the console reaching the platform.
#include "consolecontext.h"
#include "domain/catalogue.h"
#include "domain/scope.h"
#include "domain/workcalendar.h"
#include "itemmodels/caselistmodel.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "platformtest.h"
#include "storage/cacherecovery.h"
#include "storage/syncstore.h"
#include "synccontroller.h"
#include "syncpanel.h"
#include "util/timefmt.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>

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
                          {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                           QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                           QStringLiteral("11"), QStringLiteral("--cases"), QString::number(cases),
                           QStringLiteral("--token-ttl"), QString::number(ttl)});
}

/** A console cache with the platform's district (seed 11) and no cases yet. */
bool emptyCache(const QString &dir)
{
    return cli({QStringLiteral("demo"), QStringLiteral("generate"), QStringLiteral("--anchor"),
                QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                QStringLiteral("11"), QStringLiteral("--cases"), QStringLiteral("0"),
                QStringLiteral("--out"), dir}) == 0;
}

/** Dispatches a registered case to the first person who may take it. */
Outcome dispatchFirst(ConsoleContext &ctx, CaseId id)
{
    Outcome o;
    for (const Assignee &a : ctx.cases().dispatchCandidates(id, {}, 400)) {
        Command d;
        d.action = Action::Dispatch;
        d.to = a.code;
        d.toUnit = a.unitCode;
        d.toType = a.unitType;
        o = ctx.cases().run(id, d);
        if (o.ok())
            break;
    }
    return o;
}

const QString kCases =
    QStringLiteral("SELECT id, state, stage, version, hex(chain_head) FROM cases "
                   "ORDER BY id");

CaseId firstCase(Database &db, const QString &state)
{
    QSqlQuery q(db.sql());
    q.exec(
        QStringLiteral("SELECT id FROM cases WHERE state = '%1' ORDER BY id LIMIT 1").arg(state));
    return q.next() ? q.value(0).toLongLong() : 0;
}

/** A cache with the platform's district (seed 11), `user` signed in by the CLI. */
bool signedInCache(const QString &dir, const QUrl &platform, const QString &user)
{
    return emptyCache(dir) &&
           cli({QStringLiteral("--platform"), platform.toString(), QStringLiteral("--data"), dir,
                QStringLiteral("login"), QStringLiteral("--user"), user,
                QStringLiteral("--password-stdin")},
               "demo\n") == 0;
}

/**
 * A console as its main wires it: the window on the cache, the SyncController (not started)
 * and File ▸ Rebuild cache from platform… connected to the rebuild.
 */
struct Console
{
    std::shared_ptr<Database> db;
    MainWindow window;
    SyncController sync;
    QSignalSpy restart;

    Console(const QString &dir, const QUrl &platform, const QString &user)
        : db(*Database::openDir(dir)),
          window(db, dir,
                 *CaseRepository(db, Workflow(Catalogue::builtin(), WorkCalendar::builtin()))
                      .actorFor(user, QStringLiteral("console-test"))),
          sync(window.context(), dir, platform), restart(&sync, &SyncController::restartRequested)
    {
        sync.install(window);
        QObject::connect(&window, &MainWindow::rebuildCacheRequested, &sync,
                         &SyncController::rebuildCache);
        window.show();
    }
};

/** The status bar's labels that speak of the connection ("● …"), as the operator sees them. */
QList<QLabel *> connectionIndicators(MainWindow &window)
{
    QList<QLabel *> found;
    for (QLabel *label : window.statusBar()->findChildren<QLabel *>()) {
        if (label->isVisibleTo(&window) && label->text().contains(QStringLiteral("●")))
            found << label;
    }
    return found;
}

/**
 * Triggers File ▸ Rebuild cache from platform…, answers Yes in the confirmation box and closes
 * the modal box named `resultBox` the rebuild ends with; returns that box's text.
 */
QString rebuildWithYes(MainWindow &window, const QString &resultBox)
{
    QString text;
    QTimer closer;
    QObject::connect(&closer, &QTimer::timeout, &window, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || box->objectName() != resultBox)
            return;
        text = box->text();
        QTest::mouseClick(box->button(QMessageBox::Ok), Qt::LeftButton);
    });
    closer.start(20);
    window.rebuildCacheAction()->trigger();
    auto *confirm = window.findChild<QMessageBox *>(QStringLiteral("confirmRebuild"));
    if (!confirm)
        return QStringLiteral("(no confirmation box)");
    QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
    return text;
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
                               {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
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
        QVERIFY(window.context().cases().isReplica()); // attached: actions go to the outbox
        // The status bar says where the account works, as the platform said at sign-in.
        const auto *who = window.findChild<QLabel *>(QStringLiteral("userScope"));
        QVERIFY(who);
        QVERIFY2(who->text().contains(QStringLiteral("dispatcher1")) &&
                     who->text().contains(Scope::district().label()),
                 qPrintable(who->text()));
        SyncController sync(window.context(), dir, platform.url());
        sync.install(window);
        QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("syncDock")));
        QSignalSpy refreshed(&window.context().cases(), &CaseService::casesChanged);
        sync.start();
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().online && sync.status().lastSyncAt > 0, 20000);
        QVERIFY(sync.statusLabel()->text().contains(QStringLiteral("● Online")));
        // The snapshot refreshed the panels (in bulk).
        QTRY_VERIFY(!refreshed.isEmpty());
        QCOMPARE(refreshed.first().at(0).value<CaseChange>().ids.size(), 200);
        QVERIFY(refreshed.first().at(0).value<CaseChange>().pulled);

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

    /**
     * File ▸ Rebuild cache from platform… in a running console whose cache is behind the
     * platform and has two commands in its outbox (a report filed offline and its
     * registration), the first of which the platform already applied (its answer was lost). Cancel
     * changes nothing; Yes moves the old cache aside, fills a new one from the platform, replays
     * the outbox once (nothing lost, nothing twice), says so in its box and asks for the restart,
     * after which a console on the new cache shows the platform's cases.
     */
    void rebuildCacheFromTheWindow()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY(startPlatform(platform, tmp, 200, 3600));
        const QString dir = tmp.filePath(QStringLiteral("console"));
        QVERIFY(signedInCache(dir, platform.url(), QStringLiteral("operator1")));
        QCOMPARE(cli({QStringLiteral("--data"), dir, QStringLiteral("sync")}), 0);
        const QString platformDb = platform.databasePath();

        // The cache falls behind: another console files a report this one never pulls.
        Client other(platform.url());
        QCOMPARE(other.login(QStringLiteral("operator1")).status, 200);
        const auto filed =
            other.commands({report(QStringLiteral("E0401"), QStringLiteral("filed elsewhere"))});
        QCOMPARE(filed.size(), 1);
        QCOMPARE(int(filed.first().status), int(sync::CommandStatus::Applied));
        const CaseId elsewhere = filed.first().caseId;

        QCOMPARE(
            cli({QStringLiteral("--data"), dir, QStringLiteral("case"), QStringLiteral("new"),
                 QStringLiteral("--category"), QStringLiteral("E0401"), QStringLiteral("--lon"),
                 QStringLiteral("121.47"), QStringLiteral("--lat"), QStringLiteral("31.25"),
                 QStringLiteral("--desc"), QStringLiteral("filed offline")}),
            0);

        // Working offline: the engine is not started.
        Console console(dir, platform.url(), QStringLiteral("operator1"));
        MainWindow &window = console.window;
        const auto &db = console.db;
        const QSignalSpy &restart = console.restart;
        QVERIFY(window.rebuildCacheAction()->isEnabled());
        QVERIFY(!window.selectCase(elsewhere));

        // Two commands wait in the outbox: a report filed offline (by the CLI, before the
        // console started) and its registration in the console. The report reached the
        // platform, its answer did not.
        const QString byDescription =
            QStringLiteral("SELECT id FROM cases WHERE description = 'filed offline'");
        const QStringList provisional = column(db->path(), byDescription);
        QCOMPARE(provisional.size(), 1);
        QVERIFY(provisional.first().toLongLong() < 0);
        Command reg;
        reg.action = Action::Register;
        reg.confirmFiling = true;
        const Outcome registered =
            window.context().cases().run(provisional.first().toLongLong(), reg);
        QVERIFY2(registered.ok(), qPrintable(registered.message()));
        const QString outboxSql = QStringLiteral("SELECT command_id FROM outbox ORDER BY seq");
        const QStringList queued = column(db->path(), outboxSql);
        QCOMPARE(queued.size(), 2);
        const auto pending = CacheRecovery::exportOutbox(dir, db.get());
        QVERIFY2(pending, qPrintable(why(pending)));
        Client op(platform.url());
        QCOMPARE(op.login(QStringLiteral("operator1")).status, 200);
        const auto early = op.commands({pending->commands.first().command});
        QCOMPARE(early.size(), 1);
        QCOMPARE(int(early.first().status), int(sync::CommandStatus::Applied));

        const auto boxes = [&] {
            return window.findChildren<QMessageBox *>();
        };
        const auto entries = [&] {
            return QDir(dir).entryList(
                {QStringLiteral("cityops.db*"), QStringLiteral("recovered-outbox-*")}, QDir::Files,
                QDir::Name);
        };
        const QStringList filesBefore = entries();

        // Cancel: nothing happens.
        window.rebuildCacheAction()->trigger();
        auto *confirm = window.findChild<QMessageBox *>(QStringLiteral("confirmRebuild"));
        QVERIFY(confirm);
        QVERIFY(confirm->isVisible());
        QVERIFY2(confirm->text().contains(QStringLiteral("moved aside")),
                 qPrintable(confirm->text()));
        QTest::mouseClick(confirm->button(QMessageBox::Cancel), Qt::LeftButton);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QVERIFY(boxes().isEmpty());
        QCOMPARE(restart.size(), 0);
        QCOMPARE(entries(), filesBefore);
        QCOMPARE(column(db->path(), outboxSql), queued);

        // Yes: the rebuild runs and ends in its result box, which the operator closes.
        const QString result = rebuildWithYes(window, QStringLiteral("rebuildDone"));
        QCOMPARE(restart.size(), 1);
        QVERIFY2(
            result.contains(QStringLiteral("The old cache was moved to ")) &&
                result.contains(QStringLiteral("1 applied now, 1 applied before, 0 rejected")) &&
                result.contains(QStringLiteral("restarts on the new cache")),
            qPrintable(result));
        // The old cache is kept (its WAL and shared memory move with it).
        QStringList aside =
            QDir(dir).entryList({QStringLiteral("cityops.db.broken-*")}, QDir::Files);
        aside.removeIf([](const QString &name) {
            return name.endsWith(QLatin1String("-wal")) || name.endsWith(QLatin1String("-shm"));
        });
        QCOMPARE(aside.size(), 1);
        QCOMPARE(QDir(dir).entryList({QStringLiteral("recovered-outbox-*")}, QDir::Files).size(),
                 1);

        // The platform applied each command once.
        for (const QString &id : queued) {
            QCOMPARE(
                column(
                    platformDb,
                    QStringLiteral("SELECT count(*) FROM changes WHERE command_id = '%1'").arg(id)),
                QStringList{QStringLiteral("1")});
            QCOMPARE(
                column(
                    platformDb,
                    QStringLiteral("SELECT status FROM applied_commands WHERE id = '%1'").arg(id)),
                QStringList{QStringLiteral("applied")});
        }

        // The restart: a console on the new cache, syncing, shows what the platform has.
        window.close();
        Console restarted(dir, platform.url(), QStringLiteral("operator1"));
        const auto &rebuilt = restarted.db;
        MainWindow &fresh = restarted.window;
        SyncController &freshSync = restarted.sync;
        QAbstractItemModelTester tester(fresh.caseModel());
        freshSync.start();
        QTRY_VERIFY_WITH_TIMEOUT(freshSync.status().online && freshSync.status().lastSyncAt > 0,
                                 20000);
        QTRY_COMPARE_WITH_TIMEOUT(column(rebuilt->path(), kCases), column(platformDb, kCases),
                                  10000);
        QCOMPARE(column(rebuilt->path(), outboxSql), QStringList{});
        QVERIFY(fresh.selectCase(elsewhere));
        const QStringList filedOffline = column(
            platformDb, QStringLiteral("SELECT id || '|' || state FROM cases WHERE description = "
                                       "'filed offline'"));
        QCOMPARE(filedOffline.size(), 1); // one case for the one report
        QVERIFY2(filedOffline.first().endsWith(QStringLiteral("|registered")),
                 qPrintable(filedOffline.first()));
        QVERIFY(
            fresh.selectCase(filedOffline.first().section(QLatin1Char('|'), 0, 0).toLongLong()));
        freshSync.stop();
    }

    /** A rebuild that cannot reach the platform changes nothing, and sync starts again. */
    void rebuildFailureResumesSync()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY(startPlatform(platform, tmp, 200, 3600));
        const QString dir = tmp.filePath(QStringLiteral("console"));
        QVERIFY(signedInCache(dir, platform.url(), QStringLiteral("dispatcher1")));
        Console console(dir, platform.url(), QStringLiteral("dispatcher1"));
        MainWindow &window = console.window;
        SyncController &sync = console.sync;
        sync.start();
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().online && sync.status().lastSyncAt > 0, 20000);
        QCOMPARE(platform.stop(), 0);
        const QStringList filesBefore =
            QDir(dir).entryList({QStringLiteral("cityops.db*")}, QDir::Files, QDir::Name);

        int statuses = 0;
        connect(&sync, &SyncController::statusChanged, &window, [&] { ++statuses; });
        const QString failure = rebuildWithYes(window, QStringLiteral("rebuildFailed"));
        QVERIFY2(failure.contains(QStringLiteral("Nothing was changed")), qPrintable(failure));
        QCOMPARE(console.restart.size(), 0);
        QCOMPARE(QDir(dir).entryList({QStringLiteral("cityops.db*")}, QDir::Files, QDir::Name),
                 filesBefore);
        // Sync runs again (a new engine; the stopped one is gone): with the platform back on its
        // port, the next command reaches it.
        QVERIFY(platform.start(tmp.filePath(QStringLiteral("platform")), {},
                               QStringLiteral("127.0.0.1:%1").arg(platform.url().port())));
        QTRY_VERIFY_WITH_TIMEOUT(statuses > 0, 10000);
        const Outcome o =
            dispatchFirst(window.context(), firstCase(*console.db, QStringLiteral("registered")));
        QVERIFY2(o.ok(), qPrintable(o.message()));
        QTRY_VERIFY_WITH_TIMEOUT(
            appliedOnPlatform(platform.databasePath(), QStringLiteral("dispatch")) == 1, 20000);
        sync.stop();
    }

    /**
     * One connection indicator in the status bar, true from the start: a console without a
     * platform works on its local cache; a syncing one says connecting, online, and offline since
     * when the link was lost, never "Offline" while it is online.
     */
    void oneTruthfulConnectionIndicator()
    {
        QTemporaryDir tmp;
        const QString standalone = tmp.filePath(QStringLiteral("standalone"));
        QVERIFY(emptyCache(standalone));
        {
            auto db = *Database::openDir(standalone);
            MainWindow window(db, standalone,
                              Actor{QStringLiteral("dispatcher1"),
                                    Role::Dispatcher,
                                    {},
                                    QStringLiteral("console-test")});
            window.show();
            const QList<QLabel *> shown = connectionIndicators(window);
            QCOMPARE(shown.size(), 1);
            QCOMPARE(shown.first()->objectName(), QStringLiteral("connectionStatus"));
            QCOMPARE(shown.first()->text(), QStringLiteral("● Local cache (no platform)"));
        }

        PlatformProcess platform;
        QVERIFY(startPlatform(platform, tmp, 60, 3600));
        const QString dir = tmp.filePath(QStringLiteral("console"));
        QVERIFY(signedInCache(dir, platform.url(), QStringLiteral("dispatcher1")));
        Console console(dir, platform.url(), QStringLiteral("dispatcher1"));
        MainWindow &window = console.window;
        SyncController &sync = console.sync;
        QLabel *indicator = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
        QVERIFY(indicator);
        QCOMPARE(sync.statusLabel(), indicator);
        QCOMPARE(connectionIndicators(window), QList<QLabel *>{indicator});
        QVERIFY2(indicator->text().startsWith(QStringLiteral("● Not syncing")),
                 qPrintable(indicator->text()));

        sync.setLongPollSeconds(1);
        sync.start();
        QVERIFY2(indicator->text().startsWith(QStringLiteral("● Connecting…")),
                 qPrintable(indicator->text()));
        QTRY_VERIFY_WITH_TIMEOUT(sync.status().online && sync.status().lastSyncAt > 0, 20000);
        QCOMPARE(connectionIndicators(window), QList<QLabel *>{indicator});
        QVERIFY2(indicator->text().startsWith(QStringLiteral("● Online · synced ")) &&
                     !indicator->text().contains(QStringLiteral("Offline")) &&
                     indicator->text().contains(QStringLiteral("pending 0")) &&
                     indicator->text().contains(QStringLiteral("conflicts 0")),
                 qPrintable(indicator->text()));

        // The link is lost: the indicator says since when (Asia/Shanghai, HH:MM today).
        const qint64 lost = QDateTime::currentMSecsSinceEpoch();
        const quint16 port = quint16(platform.url().port());
        QCOMPARE(platform.stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(indicator->text().startsWith(QStringLiteral("● Offline since ")),
                                 20000);
        QStringList minutes; // every minute the link may have been found down in
        for (qint64 t = lost; t < QDateTime::currentMSecsSinceEpoch() + 60000; t += 60000)
            minutes << QStringLiteral("● Offline since %1 · ").arg(TimeFormat::dateTime(t).mid(11));
        QVERIFY2(std::any_of(minutes.begin(), minutes.end(),
                             [&](const QString &m) { return indicator->text().startsWith(m); }),
                 qPrintable(indicator->text() + QStringLiteral(" / ") + minutes.join(u',')));
        QCOMPARE(connectionIndicators(window), QList<QLabel *>{indicator});

        // It comes back: online again, and the indicator says so.
        QVERIFY(platform.start(tmp.filePath(QStringLiteral("platform")), {},
                               QStringLiteral("127.0.0.1:%1").arg(port)));
        QTRY_VERIFY_WITH_TIMEOUT(indicator->text().startsWith(QStringLiteral("● Online · ")),
                                 30000);
        QCOMPARE(connectionIndicators(window), QList<QLabel *>{indicator});
        sync.stop();
        QVERIFY2(indicator->text().startsWith(QStringLiteral("● Not syncing")),
                 qPrintable(indicator->text()));
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
