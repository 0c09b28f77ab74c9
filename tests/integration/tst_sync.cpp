// Console/CLI sync against the real cityops-platform on 127.0.0.1: round trip, two clients,
// long-poll propagation, 1,000 offline changes, resending the outbox, concurrent approvals.
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "platformtest.h"
#include "storage/audit.h"
#include "storage/syncstore.h"
#include "sync/syncengine.h"
#include "workflow/workflow.h"

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QSqlError>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

using namespace cityops;
using namespace cityops::test;

namespace {

constexpr quint64 kSeed = 11;
constexpr int kCases = 200;

Run cli(const QStringList &args, const QByteArray &input = {})
{
    return runProgram(QStringLiteral(CITYOPS_CLI_BIN), args, input);
}

/** The demo platform (seed kSeed, kCases cases) in tmp/platform. */
bool startDemo(PlatformProcess &platform, const QTemporaryDir &tmp)
{
    return platform.start(tmp.filePath(QStringLiteral("platform")),
                          {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                           QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                           QString::number(kSeed), QStringLiteral("--cases"),
                           QString::number(kCases)});
}

/** An empty console cache with the platform's district (same seed), signed in as `user`. */
bool makeClient(const QString &dir, const QUrl &url, const QStringList &users)
{
    const Run gen = cli(
        {QStringLiteral("demo"), QStringLiteral("generate"), QStringLiteral("--anchor"),
         QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"), QString::number(kSeed),
         QStringLiteral("--cases"), QStringLiteral("0"), QStringLiteral("--out"), dir});
    if (gen.rc != 0) {
        qWarning() << gen.rc << gen.out << gen.err;
        return false;
    }
    for (const QString &user : users) {
        const Run login = cli({QStringLiteral("--platform"), url.toString(),
                               QStringLiteral("--data"), dir, QStringLiteral("login"),
                               QStringLiteral("--user"), user, QStringLiteral("--password-stdin")},
                              "demo\n");
        if (login.rc != 0) {
            qWarning() << login.rc << login.out << login.err;
            return false;
        }
    }
    return true;
}

Run syncCli(const QString &dir, const QUrl &url = {}, bool status = false)
{
    QStringList args;
    if (!url.isEmpty())
        args << QStringLiteral("--platform") << url.toString();
    args << QStringLiteral("--data") << dir << QStringLiteral("sync");
    if (status)
        args << QStringLiteral("--status");
    return cli(args);
}

const QString kCaseSql = QStringLiteral(
    "SELECT id, state, stage, version, hex(chain_head), coalesce(assignee_code, '') FROM cases "
    "ORDER BY id");

/** Everything the platform serves: the snapshot pages and the whole change feed. */
QByteArray platformState(Client &c)
{
    QByteArray all;
    qint64 after = 0;
    for (;;) {
        const Answer a = c.get(QStringLiteral("/api/v1/snapshot?after=%1&limit=5000").arg(after));
        if (a.status != 200)
            return "snapshot " + QByteArray::number(a.status);
        auto page = sync::decodeSnapshot(a.body);
        if (!page)
            return "bad snapshot";
        for (const auto &cw : page->cases)
            all += cw.row.toJsonBytes();
        if (!page->more)
            break;
        after = page->next;
    }
    qint64 since = 0;
    for (;;) {
        const Answer a = c.get(QStringLiteral("/api/v1/changes?since=%1&limit=2000").arg(since));
        if (a.status != 200)
            return "changes " + QByteArray::number(a.status);
        auto page = sync::decodeChanges(a.body);
        if (!page)
            return "bad changes";
        for (const auto &ch : page->changes)
            all += QByteArray::number(ch.seq) + ':' + ch.row.toJsonBytes();
        if (!page->more)
            break;
        since = page->cursor;
    }
    return all;
}

/** An in-process console cache: the same SyncStore the CLI and the console write through. */
struct Cache
{
    std::shared_ptr<Database> db;
    std::unique_ptr<Workflow> workflow;
    std::unique_ptr<SyncStore> store;

    explicit Cache(const QString &dir)
    {
        db = *Database::openDir(dir);
        workflow = std::make_unique<Workflow>(Catalogue::builtin(), WorkCalendar::builtin(),
                                              *WorkflowConfig::load(dir));
        store = std::make_unique<SyncStore>(db, *workflow);
    }
    Actor actor(const QString &user)
    {
        return *store->repository().actorFor(user, QStringLiteral("test-console"));
    }
};

/** The first registered case of a cache (empty when there is none). */
QString firstRegistered(const QString &dir)
{
    return column(Database::pathInDir(dir),
                  QStringLiteral("SELECT id FROM cases WHERE state = 'registered' ORDER BY id "
                                 "LIMIT 1"))
        .value(0);
}

/** Dispatches a case as dispatcher1 to the first person who may take it: the command's id. */
QString dispatchFirst(Cache &cache, CaseId id)
{
    const Actor disp = cache.actor(QStringLiteral("dispatcher1"));
    for (const Assignee &p : cache.store->repository().assignees({}, 400)) {
        Command d;
        d.action = Action::Dispatch;
        d.to = p.code;
        d.toUnit = p.unitCode;
        d.toType = p.unitType;
        QString commandId;
        if (cache.store->apply(id, d, disp, QDateTime::currentMSecsSinceEpoch(), &commandId).ok())
            return commandId;
    }
    return {};
}

} // namespace

class TestSync : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void roundTripAndLogin()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY2(platform.start(tmp.filePath(QStringLiteral("platform")),
                                {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                 QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                                 QString::number(kSeed), QStringLiteral("--cases"),
                                 QString::number(kCases)}),
                 platform.output().constData());
        const QString a = tmp.filePath(QStringLiteral("a"));
        const QString b = tmp.filePath(QStringLiteral("b"));
        QVERIFY(makeClient(a, platform.url(), {QStringLiteral("operator1")}));
        QVERIFY(makeClient(b, platform.url(), {QStringLiteral("operator1")}));

        // A wrong password: exit 1 with the platform's message, nothing stored.
        const Run wrong =
            cli({QStringLiteral("--platform"), platform.url().toString(), QStringLiteral("--data"),
                 a, QStringLiteral("login"), QStringLiteral("--user"),
                 QStringLiteral("dispatcher1"), QStringLiteral("--password-stdin")},
                "nope\n");
        QCOMPARE(wrong.rc, 1);
        QVERIFY2(wrong.err.contains(QStringLiteral("password"), Qt::CaseInsensitive),
                 qPrintable(wrong.err));

        // The first sync fills the empty caches from the snapshot.
        for (const QString &dir : {a, b}) {
            const Run s = syncCli(dir);
            QVERIFY2(s.rc == 0, qPrintable(s.err));
        }
        const QString pdb = platform.databasePath();
        QCOMPARE(column(Database::pathInDir(a), kCaseSql), column(pdb, kCaseSql));
        QCOMPARE(column(Database::pathInDir(a), kCaseSql).size(), kCases);

        // A report made by A, with an attachment: a temporary id locally, the platform's id
        // after the sync, and the attachment uploaded (in chunks) before the command.
        // (A PDF by its first bytes: the platform takes JPEG, PNG, WebP and PDF, judged by
        // content.)
        const QString photo = tmp.filePath(QStringLiteral("photo.pdf"));
        QByteArray bytes = "%PDF-1.4\n";
        for (int i = 0; i < 3000000; ++i)
            bytes += char('a' + i % 26);
        {
            QFile f(photo);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        }
        const Run made =
            cli({QStringLiteral("--data"), a, QStringLiteral("case"), QStringLiteral("new"),
                 QStringLiteral("--category"), QStringLiteral("E0401"), QStringLiteral("--lon"),
                 QStringLiteral("121.47"), QStringLiteral("--lat"), QStringLiteral("31.25"),
                 QStringLiteral("--desc"), QStringLiteral("井盖松动 round trip"),
                 QStringLiteral("--evidence"), photo});
        QVERIFY2(made.rc == 0, qPrintable(made.err));
        QCOMPARE(made.out.trimmed(), QStringLiteral("-1"));
        // A synced cache may not claim a channel's source: refused at once, nothing queued.
        for (const char *claimed : {"camera", "open311"}) {
            const Run refused =
                cli({QStringLiteral("--data"), a, QStringLiteral("case"), QStringLiteral("new"),
                     QStringLiteral("--category"), QStringLiteral("E0401"), QStringLiteral("--lon"),
                     QStringLiteral("121.47"), QStringLiteral("--lat"), QStringLiteral("31.25"),
                     QStringLiteral("--desc"), QStringLiteral("claimed source"),
                     QStringLiteral("--source"), QLatin1String(claimed)});
            QVERIFY2(refused.rc != 0, claimed);
            QVERIFY2(refused.err.contains(QLatin1String("source")), qPrintable(refused.err));
        }
        const Run status = syncCli(a, {}, true);
        QVERIFY(status.out.contains(QStringLiteral("Pending:   1")));
        const Run s = syncCli(a);
        QVERIFY2(s.rc == 0, qPrintable(s.out + s.err));
        QCOMPARE(column(Database::pathInDir(a), QStringLiteral("SELECT count(*) FROM outbox")),
                 QStringList{QStringLiteral("0")});
        QCOMPARE(column(Database::pathInDir(a),
                        QStringLiteral("SELECT count(*) FROM cases WHERE id < 0")),
                 QStringList{QStringLiteral("0")});
        QCOMPARE(column(Database::pathInDir(a), kCaseSql), column(pdb, kCaseSql));
        Client reader(platform.url());
        QCOMPARE(reader.login(QStringLiteral("auditor1")).status, 200);
        const QString sha = QString::fromLatin1(
            QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        const Answer got = reader.get(QStringLiteral("/api/v1/attachments/") + sha);
        QCOMPARE(got.status, 200);
        QVERIFY(got.body == bytes);
        // B sees it after its sync.
        QVERIFY(syncCli(b).rc == 0);
        QCOMPARE(column(Database::pathInDir(b), kCaseSql), column(pdb, kCaseSql));
        QCOMPARE(
            cli({QStringLiteral("--data"), b, QStringLiteral("audit"), QStringLiteral("verify")})
                .rc,
            0);
    }

    void longPollPropagation()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY(startDemo(platform, tmp));
        const QString a = tmp.filePath(QStringLiteral("a"));
        const QString b = tmp.filePath(QStringLiteral("b"));
        QVERIFY(makeClient(a, platform.url(), {QStringLiteral("operator1")}));
        QVERIFY(makeClient(b, platform.url(), {QStringLiteral("operator1")}));
        QVERIFY(syncCli(a).rc == 0);

        // B's engine runs on its own thread, as in the console.
        QThread thread;
        auto *engine = new SyncEngine(b, platform.url());
        engine->moveToThread(&thread);
        connect(&thread, &QThread::finished, engine, &QObject::deleteLater);
        QSignalSpy status(engine, &SyncEngine::statusChanged);
        QSignalSpy changed(engine, &SyncEngine::casesChanged);
        thread.start();
        QMetaObject::invokeMethod(engine, &SyncEngine::start, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(
            !status.isEmpty() && status.last().at(0).value<SyncStatus>().online, 20000);
        QVERIFY(status.last().at(0).value<SyncStatus>().lastSyncAt > 0);
        changed.clear();

        const Run made =
            cli({QStringLiteral("--data"), a, QStringLiteral("case"), QStringLiteral("new"),
                 QStringLiteral("--category"), QStringLiteral("E0401"), QStringLiteral("--lon"),
                 QStringLiteral("121.47"), QStringLiteral("--lat"), QStringLiteral("31.25"),
                 QStringLiteral("--desc"), QStringLiteral("propagation")});
        QVERIFY(made.rc == 0);
        QElapsedTimer t;
        t.start();
        QVERIFY(syncCli(a).rc == 0);
        // The platform answers B's waiting long-poll when A's command is applied.
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 1000 + int(t.elapsed()));
        const qint64 newId = kCases + 1;
        bool seen = false;
        for (const auto &args : changed)
            seen = seen || args.at(0).value<QList<qint64>>().contains(newId);
        QVERIFY(seen);

        QMetaObject::invokeMethod(engine, &SyncEngine::stop, Qt::QueuedConnection);
        thread.quit();
        QVERIFY(thread.wait(10000));
        QCOMPARE(column(Database::pathInDir(b), kCaseSql),
                 column(platform.databasePath(), kCaseSql));
    }

    void engineBacksOffAndRecovers()
    {
        QTemporaryDir tmp;
        // A fixed port, so the platform comes back where the engine keeps trying.
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        const QString listen = QStringLiteral("127.0.0.1:%1").arg(port);
        const QString pdir = tmp.filePath(QStringLiteral("platform"));
        auto platform = std::make_unique<PlatformProcess>();
        QVERIFY(platform->start(pdir,
                                {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                 QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                                 QString::number(kSeed), QStringLiteral("--cases"),
                                 QString::number(kCases)},
                                listen));
        const QString a = tmp.filePath(QStringLiteral("a"));
        QVERIFY(makeClient(a, platform->url(), {QStringLiteral("dispatcher1")}));

        QThread thread;
        auto *engine = new SyncEngine(a, platform->url());
        engine->setLongPollSeconds(2);
        engine->moveToThread(&thread);
        connect(&thread, &QThread::finished, engine, &QObject::deleteLater);
        QSignalSpy status(engine, &SyncEngine::statusChanged);
        thread.start();
        QMetaObject::invokeMethod(engine, &SyncEngine::start, Qt::QueuedConnection);
        auto last = [&] {
            return status.last().at(0).value<SyncStatus>();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!status.isEmpty() && last().online, 20000);

        QCOMPARE(platform->stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!last().online, 10000);
        QVERIFY(!last().message.isEmpty());
        // Work goes on offline: the command waits in the outbox.
        {
            Cache cache(a);
            const QString id =
                column(Database::pathInDir(a), QStringLiteral("SELECT id FROM cases WHERE state = "
                                                              "'registered' ORDER BY id LIMIT 1"))
                    .value(0);
            bool done = false;
            for (const Assignee &p : cache.store->repository().assignees({}, 400)) {
                Command d;
                d.action = Action::Dispatch;
                d.to = p.code;
                d.toUnit = p.unitCode;
                d.toType = p.unitType;
                if (cache.store
                        ->apply(id.toLongLong(), d, cache.actor(QStringLiteral("dispatcher1")),
                                QDateTime::currentMSecsSinceEpoch())
                        .ok()) {
                    done = true;
                    break;
                }
            }
            QVERIFY(done);
        }
        QMetaObject::invokeMethod(engine, &SyncEngine::nudge, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(last().pending == 1 && !last().online, 10000);

        // The platform returns: the engine finds it by itself and sends the command.
        platform = std::make_unique<PlatformProcess>();
        QVERIFY(platform->start(pdir, {}, listen));
        QTRY_VERIFY_WITH_TIMEOUT(last().online && last().pending == 0, 40000);
        QCOMPARE(column(platform->databasePath(),
                        QStringLiteral("SELECT count(*) FROM applied_commands WHERE action = "
                                       "'dispatch'")),
                 QStringList{QStringLiteral("1")});

        QMetaObject::invokeMethod(engine, &SyncEngine::stop, Qt::QueuedConnection);
        thread.quit();
        QVERIFY(thread.wait(10000));
    }

    void offlineThousandOnceInOrder()
    {
        QTemporaryDir tmp;
        const QString pdir = tmp.filePath(QStringLiteral("platform"));
        auto platform = std::make_unique<PlatformProcess>();
        QVERIFY(platform->start(pdir, {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                       QStringLiteral("2026-11-27T18:00+08:00"),
                                       QStringLiteral("--seed"), QString::number(kSeed),
                                       QStringLiteral("--cases"), QString::number(kCases)}));
        const QString a = tmp.filePath(QStringLiteral("a"));
        QVERIFY(makeClient(a, platform->url(),
                           {QStringLiteral("dispatcher1"), QStringLiteral("operator1")}));
        QVERIFY(syncCli(a).rc == 0);
        QCOMPARE(platform->stop(), 0);

        // Offline: 1,000 commands through the same outbox the CLI uses.
        QStringList order;
        int reports = 0, registers = 0, dispatches = 0;
        {
            Cache cache(a);
            const Actor op = cache.actor(QStringLiteral("operator1"));
            const Actor disp = cache.actor(QStringLiteral("dispatcher1"));
            const QList<Assignee> people = cache.store->repository().assignees({}, 400);
            const QStringList places =
                column(Database::pathInDir(a), QStringLiteral("SELECT lon, lat FROM cases"));
            qint64 now = QDateTime::currentMSecsSinceEpoch();
            auto total = [&] {
                return reports + registers + dispatches;
            };
            // Existing cases first: register the reported ones, dispatch the registered ones.
            const QStringList existing =
                column(Database::pathInDir(a),
                       QStringLiteral("SELECT id, state FROM cases WHERE state IN ('reported', "
                                      "'registered') ORDER BY id"));
            for (const QString &row : existing) {
                const CaseId id = row.section(QLatin1Char('|'), 0, 0).toLongLong();
                if (row.endsWith(QLatin1String("reported"))) {
                    Command reg;
                    reg.action = Action::Register;
                    reg.confirmFiling = true;
                    if (cache.store->apply(id, reg, op, ++now).ok())
                        ++registers;
                }
                for (const Assignee &p : people) {
                    Command d;
                    d.action = Action::Dispatch;
                    d.to = p.code;
                    d.toUnit = p.unitCode;
                    d.toType = p.unitType;
                    if (cache.store->apply(id, d, disp, ++now).ok()) {
                        ++dispatches;
                        break;
                    }
                }
            }
            // Then reports filed offline and registered (by their report's id) until 1,000.
            for (int i = 0; total() < 1000; ++i) {
                ReportInput in;
                in.category = QStringLiteral("E0401");
                const QString place = places.at(i % places.size());
                in.lon = place.section(QLatin1Char('|'), 0, 0).toDouble() + 1e-6 * i;
                in.lat = place.section(QLatin1Char('|'), 1, 1).toDouble();
                in.description = QStringLiteral("离线上报 %1").arg(i);
                in.party = QStringLiteral("party %1").arg(i); // no recurrence links
                const Outcome o = cache.store->report(in, op, ++now);
                QVERIFY2(o.ok(), qPrintable(o.message()));
                QVERIFY(o.snapshot.id < 0);
                ++reports;
                if (total() < 1000) {
                    Command reg;
                    reg.action = Action::Register;
                    reg.confirmFiling = true;
                    const Outcome r = cache.store->apply(o.snapshot.id, reg, op, ++now);
                    QVERIFY2(r.ok(), qPrintable(r.message()));
                    ++registers;
                }
            }
            QCOMPARE(cache.store->outstandingCount(), 1000);
            for (const OutboxEntry &e : cache.store->entries())
                order << e.commandId;
            QVERIFY(Audit::verify(*cache.db).intact);
        }
        QVERIFY(dispatches > 0);
        QVERIFY(reports > 300);

        // Unreachable: exit 5 and the outbox is intact.
        const Run down = syncCli(a);
        QCOMPARE(down.rc, 5);
        QCOMPARE(column(Database::pathInDir(a),
                        QStringLiteral("SELECT count(*) FROM outbox WHERE state = 'pending'")),
                 QStringList{QStringLiteral("1000")});
        QVERIFY(syncCli(a, {}, true).out.contains(QStringLiteral("Pending:   1000")));

        // Keep the commands as sent, to send them again later.
        QList<QPair<QString, sync::ClientCommand>> sent;
        for (const QString &row :
             column(Database::pathInDir(a), QStringLiteral("SELECT username, body FROM outbox "
                                                           "ORDER BY seq"))) {
            const QString user = row.section(QLatin1Char('|'), 0, 0);
            const auto c = sync::ClientCommand::fromJson(
                QJsonDocument::fromJson(row.section(QLatin1Char('|'), 1).toUtf8()).object(),
                QStringLiteral("c"));
            QVERIFY(c);
            sent.append({user, *c});
        }

        // The platform comes back on the same data, on another port.
        platform = std::make_unique<PlatformProcess>();
        QVERIFY(platform->start(pdir));
        const QString pdb = platform->databasePath();
        const int eventsBefore =
            column(pdb, QStringLiteral("SELECT count(*) FROM case_events")).value(0).toInt();
        const Run up = syncCli(a, platform->url());
        QVERIFY2(up.rc == 0, qPrintable(up.out + up.err));

        // Exactly once, in order.
        QCOMPARE(column(pdb, QStringLiteral("SELECT count(*) FROM applied_commands WHERE status "
                                            "= 'applied'")),
                 QStringList{QStringLiteral("1000")});
        QCOMPARE(column(pdb, QStringLiteral("SELECT command_id FROM changes WHERE command_id IS "
                                            "NOT NULL ORDER BY seq")),
                 order);
        const int eventsAfter =
            column(pdb, QStringLiteral("SELECT count(*) FROM case_events")).value(0).toInt();
        QVERIFY(eventsAfter >= eventsBefore + 1000);
        QCOMPARE(column(pdb, QStringLiteral("SELECT count(*) FROM (SELECT case_id, seq FROM "
                                            "case_events GROUP BY case_id, seq HAVING count(*) "
                                            "> 1)")),
                 QStringList{QStringLiteral("0")});
        QCOMPARE(column(pdb, QStringLiteral("SELECT count(*) FROM cases")),
                 QStringList{QString::number(kCases + reports)});
        // The cache equals the platform: versions, chain heads, events; nothing provisional.
        const QString local = Database::pathInDir(a);
        QCOMPARE(column(local, kCaseSql), column(pdb, kCaseSql));
        QCOMPARE(column(local, QStringLiteral("SELECT count(*) FROM case_events")),
                 QStringList{QString::number(eventsAfter)});
        QCOMPARE(column(local, QStringLiteral("SELECT count(*) FROM outbox")),
                 QStringList{QStringLiteral("0")});
        QCOMPARE(
            column(local, QStringLiteral("SELECT count(*) FROM case_events WHERE provisional")),
            QStringList{QStringLiteral("0")});
        QCOMPARE(
            cli({QStringLiteral("--data"), a, QStringLiteral("audit"), QStringLiteral("verify")})
                .rc,
            0);

        // Resending the whole outbox three times changes nothing on the platform.
        Client reader(platform->url());
        QCOMPARE(reader.login(QStringLiteral("auditor1")).status, 200);
        const QByteArray before = platformState(reader);
        const auto hashes = tableHashes(pdb);
        QMap<QString, Client *> clients;
        std::vector<std::unique_ptr<Client>> owned;
        for (const auto &[user, c] : sent) {
            if (!clients.contains(user)) {
                owned.push_back(std::make_unique<Client>(platform->url()));
                QCOMPARE(owned.back()->login(user).status, 200);
                clients.insert(user, owned.back().get());
            }
        }
        for (int round = 0; round < 3; ++round) {
            for (qsizetype i = 0; i < sent.size();) {
                const QString user = sent.at(i).first;
                QList<sync::ClientCommand> batch;
                while (i < sent.size() && sent.at(i).first == user && batch.size() < 500)
                    batch << sent.at(i++).second;
                const auto results = clients.value(user)->commands(batch);
                QCOMPARE(results.size(), batch.size());
                for (const auto &r : results) {
                    QCOMPARE(r.status, sync::CommandStatus::Duplicate);
                    QCOMPARE(r.original, sync::CommandStatus::Applied);
                }
            }
        }
        QCOMPARE(platformState(reader), before);
        const auto after = tableHashes(pdb);
        for (const QString &t : {QStringLiteral("cases"), QStringLiteral("case_events"),
                                 QStringLiteral("changes"), QStringLiteral("applied_commands")})
            QCOMPARE(after.value(t), hashes.value(t));
    }

    void pulledChangeRebasesPendingCommands()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY(startDemo(platform, tmp));
        const QString a = tmp.filePath(QStringLiteral("a"));
        const QString b = tmp.filePath(QStringLiteral("b"));
        QVERIFY(makeClient(a, platform.url(), {QStringLiteral("dispatcher1")}));
        QVERIFY(makeClient(b, platform.url(), {QStringLiteral("dispatcher1")}));
        QVERIFY(syncCli(a).rc == 0);
        QVERIFY(syncCli(b).rc == 0);
        const QString id = firstRegistered(a);
        QVERIFY(!id.isEmpty());
        // Both dispatch the same case; B's reaches the platform first.
        auto dispatch = [&](const QString &dir) {
            Cache cache(dir);
            return !dispatchFirst(cache, id.toLongLong()).isEmpty();
        };
        QVERIFY(dispatch(a));
        QVERIFY(dispatch(b));
        QCOMPARE(syncCli(b).rc, 0);

        // A pulls first: the platform's events replace A's provisional ones; A's dispatch no
        // longer applies locally, stays in the outbox, marked; the case is the platform's.
        {
            Cache cache(a);
            QCOMPARE(column(Database::pathInDir(a),
                            QStringLiteral("SELECT count(*) FROM case_events WHERE provisional")),
                     QStringList{QStringLiteral("1")});
            sync::SyncClient client(platform.url());
            client.setToken(cache.store->value(QStringLiteral("session_token")).toUtf8());
            const auto page = client.changes(cache.store->cursor(), 500);
            QVERIFY(std::holds_alternative<sync::ChangesPage>(page));
            const auto applied = cache.store->applyChanges(std::get<sync::ChangesPage>(page));
            QVERIFY2(applied, qPrintable(why(applied)));
            QVERIFY(applied->contains(id.toLongLong()));
            const QList<OutboxEntry> left = cache.store->entries();
            QCOMPARE(left.size(), 1);
            QCOMPARE(left.first().state, QStringLiteral("pending"));
            QVERIFY(!left.first().localReason.isEmpty());
            QVERIFY(Audit::verify(*cache.db).intact);
        }
        const QString one = QStringLiteral("SELECT id, state, version, hex(chain_head) FROM cases "
                                           "WHERE id = %1")
                                .arg(id);
        QCOMPARE(column(Database::pathInDir(a), one), column(platform.databasePath(), one));
        QVERIFY(syncCli(a, {}, true).out.contains(QStringLiteral("conflicts locally")));
        // The platform has the final word: rejected, kept, shown with its reason.
        const Run r = syncCli(a);
        QCOMPARE(r.rc, 6);
        QVERIFY2(r.out.contains(QStringLiteral("rejected: ")), qPrintable(r.out));
        QCOMPARE(column(Database::pathInDir(a), one), column(platform.databasePath(), one));
        QCOMPARE(column(Database::pathInDir(a),
                        QStringLiteral("SELECT count(*) FROM case_events WHERE provisional")),
                 QStringList{QStringLiteral("0")});
        // Discarding it (the Sync panel's Discard) empties the outbox: sync exits 0.
        {
            Cache cache(a);
            const auto rejected = cache.store->rejected();
            QCOMPARE(rejected.size(), 1);
            QVERIFY(cache.store->discard(rejected.first().commandId));
        }
        QCOMPARE(syncCli(a).rc, 0);
    }

    void pulledChangeConfirmsByCommandId()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY(startDemo(platform, tmp));
        const QString a = tmp.filePath(QStringLiteral("a"));
        QVERIFY(makeClient(a, platform.url(), {QStringLiteral("dispatcher1")}));
        QVERIFY(syncCli(a).rc == 0);
        const QString id = firstRegistered(a);
        QVERIFY(!id.isEmpty());
        Cache cache(a);
        const QString commandId = dispatchFirst(cache, id.toLongLong());
        QVERIFY(!commandId.isEmpty());
        // The platform applies the command but its answer is lost: the row is still pending, so
        // its version says nothing; the change in the feed names the command.
        sync::SyncClient client(platform.url());
        client.setToken(cache.store->value(QStringLiteral("session_token")).toUtf8());
        const auto pushed = client.push({cache.store->pending(1).first().command});
        QVERIFY(std::holds_alternative<QList<sync::CommandResult>>(pushed));
        QCOMPARE(cache.store->pending(10).size(), 1);
        const auto page = client.changes(cache.store->cursor(), 500);
        QVERIFY(std::holds_alternative<sync::ChangesPage>(page));
        const auto &changes = std::get<sync::ChangesPage>(page).changes;
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().commandId, std::optional<QString>(commandId));
        const auto applied = cache.store->applyChanges(std::get<sync::ChangesPage>(page));
        QVERIFY2(applied, qPrintable(why(applied)));
        // Retired by its id: no outbox row left, no provisional event replayed on top.
        QVERIFY(cache.store->entries().isEmpty());
        QCOMPARE(column(Database::pathInDir(a),
                        QStringLiteral("SELECT count(*) FROM case_events WHERE provisional")),
                 QStringList{QStringLiteral("0")});
        const QString one = QStringLiteral("SELECT id, state, version, hex(chain_head) FROM cases "
                                           "WHERE id = %1")
                                .arg(id);
        QCOMPARE(column(Database::pathInDir(a), one), column(platform.databasePath(), one));
        QVERIFY(Audit::verify(*cache.db).intact);
    }

    void concurrentApprovals()
    {
        QTemporaryDir tmp;
        PlatformProcess platform;
        QVERIFY(startDemo(platform, tmp));
        const QString a = tmp.filePath(QStringLiteral("a"));
        const QString b = tmp.filePath(QStringLiteral("b"));
        QVERIFY(makeClient(a, platform.url(), {QStringLiteral("supervisor1")}));
        QVERIFY(makeClient(b, platform.url(), {QStringLiteral("supervisor1")}));
        QVERIFY(syncCli(a).rc == 0);
        QVERIFY(syncCli(b).rc == 0);
        // A case whose escalation request waits for a supervisor (not supervisor1's own).
        const QStringList waiting =
            column(Database::pathInDir(a),
                   QStringLiteral("SELECT id FROM cases WHERE pending = 'escalation' AND "
                                  "pending_by != 'supervisor1' ORDER BY id LIMIT 1"));
        QVERIFY2(waiting.size() == 1, "the demo has no pending escalation");
        const QString id = waiting.first();
        const int version =
            column(platform.databasePath(),
                   QStringLiteral("SELECT version FROM cases WHERE id = %1").arg(id))
                .value(0)
                .toInt();
        // Both approve while offline from each other (each sees the request locally).
        for (const QString &dir : {a, b}) {
            const Run r = cli({QStringLiteral("--data"), dir, QStringLiteral("case"),
                               QStringLiteral("do"), id, QStringLiteral("escalate-approve")});
            QVERIFY2(r.rc == 0, qPrintable(r.err));
        }
        // Both sync at once.
        QProcess pa, pb;
        for (auto [p, dir] : {std::pair{&pa, a}, std::pair{&pb, b}})
            p->start(QStringLiteral(CITYOPS_CLI_BIN),
                     {QStringLiteral("--data"), dir, QStringLiteral("sync")});
        QVERIFY(pa.waitForFinished(60000));
        QVERIFY(pb.waitForFinished(60000));
        const QList<int> codes{pa.exitCode(), pb.exitCode()};
        QVERIFY2(codes.contains(0) && codes.contains(6),
                 qPrintable(QStringLiteral("%1 %2").arg(codes.at(0)).arg(codes.at(1))));
        const QString loser = pa.exitCode() == 6 ? a : b;
        QCOMPARE(column(platform.databasePath(),
                        QStringLiteral("SELECT count(*) FROM case_events WHERE case_id = %1 AND "
                                       "kind = 'escalate-approve' AND seq > %2")
                            .arg(id)
                            .arg(version)),
                 QStringList{QStringLiteral("1")});
        // The loser keeps its command, rejected, with the reason; its case is the platform's.
        const Run st = syncCli(loser, {}, true);
        QVERIFY2(st.out.contains(QStringLiteral("Rejected:  1")), qPrintable(st.out));
        QVERIFY2(st.out.contains(QStringLiteral("escalate-approve on case %1").arg(id)),
                 qPrintable(st.out));
        QCOMPARE(column(Database::pathInDir(loser),
                        QStringLiteral("SELECT count(*) FROM outbox WHERE state = 'rejected' AND "
                                       "reason != ''")),
                 QStringList{QStringLiteral("1")});
        QVERIFY(syncCli(loser).rc == 6);
        QCOMPARE(column(Database::pathInDir(loser), kCaseSql),
                 column(platform.databasePath(), kCaseSql));
    }
};

QTEST_GUILESS_MAIN(TestSync)
#include "tst_sync.moc"
