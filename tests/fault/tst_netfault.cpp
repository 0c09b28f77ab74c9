// The fault proxy's HTTP framing, and the sync engine under single, deterministic network faults
// against the real cityops-platform: a reply lost after the platform committed, and a local
// command made while a push is in flight.
#include "faultproxy.h"
#include "platformtest.h"
#include "storage/syncstore.h"
#include "sync/syncengine.h"
#include "workload.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

using namespace cityops;
using namespace cityops::test;

namespace {

constexpr quint64 kSeed = 11;
constexpr int kCases = 50;

FaultProxy::Faults only(double FaultProxy::Faults::*which)
{
    FaultProxy::Faults f;
    f.drop = f.delay = f.duplicate = f.reorder = f.cutAfterCommit = 0;
    f.*which = 1.0;
    return f;
}

/** The platform with a small demo district, and the fault proxy in front of it (faults off). */
struct Setup
{
    QTemporaryDir tmp;
    PlatformProcess platform;
    std::unique_ptr<FaultProxy> proxy;
    QUrl url;
    QString photoSha;

    bool start()
    {
        if (!platform.start(tmp.filePath(QStringLiteral("platform")),
                            {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                             QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                             QString::number(kSeed), QStringLiteral("--cases"),
                             QString::number(kCases)}))
            return false;
        proxy = std::make_unique<FaultProxy>(platform.url(), 1);
        url = proxy->listen();
        return !url.isEmpty();
    }
    Result<std::unique_ptr<ClientCache>> console(const QString &user)
    {
        return prepareConsole(tmp.filePath(user), user, url, kSeed, writePhoto(tmp.path()),
                              &photoSha);
    }
};

QString applied(const QString &platformDb, const QString &commandId)
{
    Database::Options ro;
    ro.readOnly = true;
    auto db = Database::open(platformDb, ro);
    if (!db)
        return db.error();
    QSqlQuery q((*db)->sql());
    q.prepare(QStringLiteral("SELECT status FROM applied_commands WHERE id = ?"));
    q.addBindValue(commandId);
    return q.exec() && q.next() ? q.value(0).toString() : QStringLiteral("unknown");
}

} // namespace

class TestNetFault : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void framing_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("request");
        QTest::addColumn<int>("length");
        const QByteArray get = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
        const QByteArray post = "POST /api/v1/commands HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
        QTest::newRow("head incomplete") << QByteArray("GET / HTTP/1.1\r\nHost") << true << 0;
        QTest::newRow("no body") << get << true << int(get.size());
        QTest::newRow("body incomplete") << post.left(post.size() - 2) << true << 0;
        QTest::newRow("body complete") << post << true << int(post.size());
        QTest::newRow("two requests") << post + get << true << int(post.size());
        QTest::newRow("chunked refused")
            << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") << true << -1;
        QTest::newRow("bad length")
            << QByteArray("POST / HTTP/1.1\r\ncontent-length: x\r\n\r\n") << true << -1;
        const QByteArray ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        const QByteArray none = "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n";
        QTest::newRow("reply") << ok + "HTTP/1.1" << false << int(ok.size());
        QTest::newRow("204 has no body") << none << false << int(none.size());
    }
    void framing()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, request);
        QFETCH(int, length);
        QCOMPARE(httpMessageLength(bytes, request), qsizetype(length));
    }

    /**
     * The platform commits a batch and the reply is lost: the commands stay in the outbox, the
     * resend is answered `duplicate`, and the cache then equals the platform, with one case for
     * the one report.
     */
    void lostReplyAfterCommit()
    {
        Setup s;
        QVERIFY2(s.start(), s.platform.output().constData());
        auto cache = s.console(QStringLiteral("operator1"));
        QVERIFY2(cache, qPrintable(why(cache)));
        ClientCache &c = **cache;
        SyncEngine engine(c.dir, s.url);
        QVERIFY(engine.syncOnce().error.isEmpty());
        FaultProxy &proxy = *s.proxy;
        PlatformProcess &platform = s.platform;

        ReportInput in;
        in.category = QStringLiteral("F0101");
        in.lon = 121.47;
        in.lat = 31.25;
        in.description = QStringLiteral("reply lost after commit");
        QString reportId, registerId;
        const Outcome filed = c.store->report(in, c.actor, 1000, &reportId);
        QVERIFY2(filed.ok(), qPrintable(filed.message()));
        QVERIFY(filed.snapshot.id < 0);
        Command reg;
        reg.action = Action::Register;
        reg.confirmFiling = true;
        QVERIFY(c.store->apply(filed.snapshot.id, reg, c.actor, 2000, &registerId).ok());

        proxy.setFaults(only(&FaultProxy::Faults::cutAfterCommit));
        proxy.setFaulty(true);
        const SyncReport lost = engine.syncOnce();
        QVERIFY(!lost.error.isEmpty());
        QVERIFY(proxy.stats().cutCommands >= 1);
        // The platform committed both; the console does not know it yet.
        QCOMPARE(applied(platform.databasePath(), reportId), QStringLiteral("applied"));
        QCOMPARE(applied(platform.databasePath(), registerId), QStringLiteral("applied"));
        QCOMPARE(c.store->pending(10).size(), 2);

        proxy.setFaulty(false);
        const SyncReport again = engine.syncOnce();
        QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
        QCOMPARE(c.store->outstandingCount(), 0);
        QCOMPARE(c.store->rejectedCount(), 0);
        auto platformDb = Database::open(platform.databasePath(), [] {
            Database::Options o;
            o.readOnly = true;
            return o;
        }());
        QVERIFY(platformDb);
        QCOMPARE(caseLines(*c.db), caseLines(**platformDb));
        QCOMPARE(caseLines(**platformDb).size(), kCases + 1);
        QVERIFY(caseLines(**platformDb).last().contains(QStringLiteral("|registered|")));
    }

    /**
     * A local command while the previous push is in flight nudges the engine: that must not
     * abort the push (whose batch the platform commits anyway), so the console never shows
     * itself offline and no command is sent twice.
     */
    void nudgeDuringPush()
    {
        Setup s;
        QVERIFY2(s.start(), s.platform.output().constData());
        auto cache = s.console(QStringLiteral("operator1"));
        QVERIFY2(cache, qPrintable(why(cache)));
        ClientCache &c = **cache;
        FaultProxy &proxy = *s.proxy;
        PlatformProcess &platform = s.platform;
        const QUrl url = s.url;
        const QString dir = c.dir;

        QThread thread;
        auto *engine = new SyncEngine(dir, url);
        engine->moveToThread(&thread);
        connect(&thread, &QThread::finished, engine, &QObject::deleteLater);
        QSignalSpy status(engine, &SyncEngine::statusChanged);
        thread.start();
        QMetaObject::invokeMethod(engine, &SyncEngine::start, Qt::QueuedConnection);
        auto last = [&] {
            return status.last().at(0).value<SyncStatus>();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!status.isEmpty() && last().online && last().lastSyncAt > 0,
                                 30000);

        // Every request now takes 1.5 s to reach the platform.
        FaultProxy::Faults slow = only(&FaultProxy::Faults::delay);
        slow.minDelayMs = slow.maxDelayMs = 1500;
        proxy.setFaults(slow);
        proxy.setFaulty(true);
        QSignalSpy received(&proxy, &FaultProxy::requestReceived);
        status.clear();
        auto report = [&](const QString &text) {
            ReportInput in;
            in.category = QStringLiteral("F0101");
            in.lon = 121.47;
            in.lat = 31.25;
            in.description = text;
            QString id;
            const Outcome o = c.store->report(in, c.actor, 1000, &id);
            QMetaObject::invokeMethod(engine, &SyncEngine::nudge, Qt::QueuedConnection);
            return o.ok() ? id : QString();
        };
        auto pushes = [&](const QString &id) {
            int n = 0;
            for (const auto &args : received) {
                n += args.at(0).toByteArray() == "POST" &&
                             args.at(2).toByteArray().contains(id.toUtf8())
                         ? 1
                         : 0;
            }
            return n;
        };
        const QString first = report(QStringLiteral("first"));
        QVERIFY(!first.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(pushes(first) == 1, 20000);
        // The first push is on its way: a second local command meanwhile.
        const QString second = report(QStringLiteral("second"));
        QVERIFY(!second.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!status.isEmpty() && last().pending == 0, 30000);

        QMetaObject::invokeMethod(engine, &SyncEngine::stop, Qt::QueuedConnection);
        thread.quit();
        QVERIFY(thread.wait(20000));
        for (const auto &args : status)
            QVERIFY2(args.at(0).value<SyncStatus>().online,
                     qPrintable(args.at(0).value<SyncStatus>().message));
        QCOMPARE(pushes(first), 1);
        QCOMPARE(pushes(second), 1);
        QCOMPARE(applied(platform.databasePath(), first), QStringLiteral("applied"));
        QCOMPARE(applied(platform.databasePath(), second), QStringLiteral("applied"));
    }
};

QTEST_GUILESS_MAIN(TestNetFault)
#include "tst_netfault.moc"
