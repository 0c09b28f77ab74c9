// A console cache changing hands between accounts of different scopes (issue 19): signing in
// under another scope than the cache's cases came under removes them and the next sync pulls
// the new scope's snapshot; another user's waiting commands refuse the sign-in instead; the same
// scope changes nothing; an account whose own scope changed sends its commands first. Real
// platform and real cityops-cli processes; the expected sets are SQL on the platform's store.
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "platformtest.h"
#include "storage/syncstore.h"
#include "workflow/workflow.h"

#include <QDateTime>
#include <QDirIterator>
#include <QScopeGuard>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>

using namespace cityops;
using namespace cityops::test;

namespace {

constexpr int kCases = 2000; // as tst_scopes: the grid worker's community has open cases
const QString kAnchor = QStringLiteral("2026-11-27T18:00+08:00");

Run cli(const QStringList &args, const QByteArray &input = {})
{
    return runProgram(QStringLiteral(CITYOPS_CLI_BIN), args, input);
}

const QString kStreetOne = QStringLiteral(
    "SELECT id FROM cases WHERE street_id = (SELECT id FROM streets WHERE code = '001')");
const QString kGridWorker = QStringLiteral(
    "SELECT id FROM cases WHERE (community_id = (SELECT community_id FROM units WHERE code = "
    "'GW-01-001') AND closed_at IS NULL) OR assignee_id = (SELECT id FROM units WHERE code = "
    "'GW-01-001')");

/** The evidence files under a cache directory (their names are their hashes). */
QStringList evidenceFiles(const QString &dir)
{
    QStringList out;
    QDirIterator it(QDir(dir).filePath(QStringLiteral("evidence")), QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QFileInfo(it.next()).fileName();
    out.sort();
    return out;
}

} // namespace

class TestScopeSwitch : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PlatformProcess m_platform;
    int m_caches = 0;

    QStringList platformColumn(const QString &sql)
    {
        return column(m_platform.databasePath(), sql);
    }

    /** A new console cache of the demo district with `cases` generated cases (not synced). */
    QString newCache(int cases)
    {
        const QString dir = m_dir.filePath(QStringLiteral("cache%1").arg(++m_caches));
        const Run gen = cli({QStringLiteral("demo"), QStringLiteral("generate"),
                             QStringLiteral("--anchor"), kAnchor, QStringLiteral("--cases"),
                             QString::number(cases), QStringLiteral("--out"), dir});
        if (gen.rc != 0)
            qFatal("demo generate: %s", qPrintable(gen.err));
        return dir;
    }

    Run login(const QString &cache, const QString &user)
    {
        return cli({QStringLiteral("--platform"), m_platform.url().toString(),
                    QStringLiteral("--data"), cache, QStringLiteral("login"),
                    QStringLiteral("--user"), user, QStringLiteral("--password-stdin")},
                   "demo\n");
    }

    Run sync(const QString &cache)
    {
        return cli({QStringLiteral("--platform"), m_platform.url().toString(),
                    QStringLiteral("--data"), cache, QStringLiteral("sync")});
    }

    static QStringList cacheColumn(const QString &cache, const QString &sql)
    {
        return column(Database::pathInDir(cache), sql);
    }
    static int count(const QString &cache, const QString &sql)
    {
        return cacheColumn(cache, sql).value(0).toInt();
    }
    static QString state(const QString &cache, const QString &key)
    {
        return cacheColumn(cache,
                           QStringLiteral("SELECT value FROM sync_state WHERE key = '%1'").arg(key))
            .value(0);
    }
    static QList<qint64> heldCases(const QString &cache)
    {
        return sortedIds(cacheColumn(cache, QStringLiteral("SELECT id FROM cases")));
    }

    /** The cache holds exactly the platform's cases of `expectedSql`, each whole, nothing else. */
    void holdsExactly(const QString &cache, const QString &expectedSql)
    {
        const QList<qint64> expected = sortedIds(platformColumn(expectedSql));
        QVERIFY(!expected.isEmpty());
        QCOMPARE(heldCases(cache), expected);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM case_events WHERE case_id NOT "
                                             "IN (SELECT id FROM cases)")),
                 0);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM case_events")),
                 platformColumn(QStringLiteral("SELECT count(*) FROM case_events WHERE case_id "
                                               "IN (%1)")
                                    .arg(expectedSql))
                     .value(0)
                     .toInt());
        // The side tables follow: the dashboard's rows and the queue counter.
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM kpi_facts")),
                 int(expected.size()));
        QCOMPARE(count(cache, QStringLiteral("SELECT n FROM queue_counts WHERE queue = 'all'")),
                 int(expected.size()));
        // The cases pulled after a purge are append-only again.
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM scope_drops WHERE case_id IN "
                                             "(SELECT id FROM cases)")),
                 0);
        auto rw = Database::openDir(cache);
        QVERIFY(rw);
        QSqlQuery del((*rw)->sql());
        QVERIFY(!del.exec(
            QStringLiteral("DELETE FROM case_events WHERE case_id = %1").arg(expected.front())));
    }

    /** Files a report as `user` in the cache, offline (the outbox row the console would write). */
    static void fileReport(const QString &cache, const QString &user)
    {
        auto db = Database::openDir(cache);
        QVERIFY(db);
        const auto config = WorkflowConfig::load(cache);
        QVERIFY(config);
        Workflow workflow(Catalogue::builtin(), WorkCalendar::builtin(), *config);
        SyncStore store(*db, workflow);
        const auto actor = store.repository().actorFor(user, QStringLiteral("test-console"));
        QVERIFY2(actor, actor ? "" : qPrintable(actor.error()));
        const QStringList place = cacheColumn(
            cache, QStringLiteral("SELECT lon || '|' || lat FROM cases ORDER BY id LIMIT 1"));
        QVERIFY(!place.isEmpty());
        ReportInput in;
        in.category = QStringLiteral("E0401");
        in.lon = place.front().section(QLatin1Char('|'), 0, 0).toDouble();
        in.lat = place.front().section(QLatin1Char('|'), 1, 1).toDouble();
        in.description = QStringLiteral("离线上报，换人登录前");
        const Outcome o = store.report(in, *actor, QDateTime::currentMSecsSinceEpoch());
        QVERIFY2(o.ok(), qPrintable(o.message()));
        QCOMPARE(store.outstandingCount(), 1);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_platform.start(m_dir.filePath(QStringLiteral("platform")),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   kAnchor, QStringLiteral("--cases"), QString::number(kCases)}),
                 m_platform.errors().constData());
    }
    void cleanupTestCase() { QCOMPARE(m_platform.stop(), 0); }

    void aDistrictCacheNarrowsToTheStreet()
    {
        const QString cache = newCache(0);
        QVERIFY2(login(cache, QStringLiteral("operator1")).rc == 0, "login operator1");
        const Run first = sync(cache);
        QVERIFY2(first.rc == 0, qPrintable(first.err));
        QCOMPARE(heldCases(cache),
                 sortedIds(platformColumn(QStringLiteral("SELECT id FROM cases"))));
        QCOMPARE(state(cache, QStringLiteral("cases_scope")), QStringLiteral("district"));

        const Run street = login(cache, QStringLiteral("street01-operator"));
        QVERIFY2(street.rc == 0, qPrintable(street.err));
        // Signed in: the district's cases are gone at once, not at the next sync.
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM cases")), 0);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM case_events")), 0);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM case_facts")), 0);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM kpi_facts")), 0);
        QCOMPARE(state(cache, QStringLiteral("cases_scope")), QStringLiteral("street:001"));
        QCOMPARE(state(cache, QStringLiteral("snapshot_done")), QString());
        QCOMPARE(state(cache, QStringLiteral("cursor")), QString());
        QCOMPARE(cacheColumn(cache, QStringLiteral("SELECT value FROM meta WHERE key = "
                                                   "'search_indexed_to'")),
                 QStringList{QStringLiteral("0")});

        const Run second = sync(cache);
        QVERIFY2(second.rc == 0, qPrintable(second.err));
        holdsExactly(cache, kStreetOne);
        QCOMPARE(state(cache, QStringLiteral("snapshot_done")), QStringLiteral("1"));
    }

    void aGeneratedCacheNarrowsToTheGridWorker()
    {
        // `demo generate` fills the cache with a whole district of its own, with photos.
        const QString cache = newCache(200);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM cases")), 200);
        const QStringList photos =
            cacheColumn(cache, QStringLiteral("SELECT sha256 FROM attachments ORDER BY sha256"));
        QVERIFY(!photos.isEmpty());
        QCOMPARE(evidenceFiles(cache), photos);

        const Run field = login(cache, QStringLiteral("field1"));
        QVERIFY2(field.rc == 0, qPrintable(field.err));
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM cases")), 0);
        // The photos of the district's cases went with them.
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM attachments")), 0);
        QCOMPARE(evidenceFiles(cache), QStringList());
        QCOMPARE(state(cache, QStringLiteral("cases_scope")), QStringLiteral("community:001001"));

        const Run synced = sync(cache);
        QVERIFY2(synced.rc == 0, qPrintable(synced.err));
        holdsExactly(cache, kGridWorker);
    }

    void anotherUsersWaitingCommandRefusesTheSignIn()
    {
        const QString cache = newCache(0);
        QVERIFY2(login(cache, QStringLiteral("operator1")).rc == 0, "login operator1");
        QVERIFY2(sync(cache).rc == 0, "sync");
        fileReport(cache, QStringLiteral("operator1"));
        if (QTest::currentTestFailed())
            return;
        const int cases = count(cache, QStringLiteral("SELECT count(*) FROM cases"));
        const int events = count(cache, QStringLiteral("SELECT count(*) FROM case_events"));

        const Run refused = login(cache, QStringLiteral("street01-operator"));
        QVERIFY(refused.rc != 0);
        QVERIFY2(refused.err.contains(QStringLiteral("1 command(s) of operator1 wait to be sent")),
                 qPrintable(refused.err));
        // Nothing changed: the cases, the command and the session are operator1's still.
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM cases")), cases);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM case_events")), events);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM outbox WHERE state = "
                                             "'pending' AND username = 'operator1'")),
                 1);
        QCOMPARE(state(cache, QStringLiteral("session_user")), QStringLiteral("operator1"));
        QCOMPARE(state(cache, QStringLiteral("session_scope")), QStringLiteral("district"));
        QCOMPARE(state(cache, QStringLiteral("cases_scope")), QStringLiteral("district"));

        // Sent, the command is the platform's: the street account may sign in now.
        const Run sent = sync(cache);
        QVERIFY2(sent.rc == 0, qPrintable(sent.err));
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM outbox")), 0);
        const Run street = login(cache, QStringLiteral("street01-operator"));
        QVERIFY2(street.rc == 0, qPrintable(street.err));
        QVERIFY2(sync(cache).rc == 0, "sync");
        holdsExactly(cache, kStreetOne);
    }

    void theSameScopeChangesNothing()
    {
        const QString cache = newCache(0);
        QVERIFY2(login(cache, QStringLiteral("street01-operator")).rc == 0, "login");
        QVERIFY2(sync(cache).rc == 0, "sync");
        holdsExactly(cache, kStreetOne);
        const QString fingerprint = QStringLiteral(
            "SELECT (SELECT count(*) FROM cases) || '|' || (SELECT count(*) FROM case_events) || "
            "'|' || (SELECT max(id) FROM case_events) || '|' || (SELECT count(*) FROM kpi_facts) "
            "|| '|' || (SELECT count(*) FROM scope_drops) || '|' || (SELECT group_concat(key || "
            "'=' || value) FROM (SELECT * FROM sync_state WHERE key IN ('cursor', "
            "'snapshot_cursor', 'snapshot_after', 'snapshot_done', 'cases_scope') ORDER BY key))");
        const QStringList before = cacheColumn(cache, fingerprint);

        // Again (a session renewed after it expired), and as another account of the street.
        QVERIFY2(login(cache, QStringLiteral("street01-operator")).rc == 0, "login again");
        QCOMPARE(cacheColumn(cache, fingerprint), before);
        QVERIFY2(sync(cache).rc == 0, "sync");
        QCOMPARE(cacheColumn(cache, fingerprint), before);
        QCOMPARE(platformColumn(QStringLiteral("SELECT scope FROM accounts WHERE username = "
                                               "'street01-supervisor'")),
                 QStringList{QStringLiteral("street:001")});
        QVERIFY2(login(cache, QStringLiteral("street01-supervisor")).rc == 0, "login supervisor");
        QVERIFY2(sync(cache).rc == 0, "sync");
        QCOMPARE(cacheColumn(cache, fingerprint), before);
    }

    void anAccountWhoseScopeChangedSendsItsCommandsFirst()
    {
        // field1 works offline; meanwhile the platform's administrator moves field1 to street 001.
        const QString cache = newCache(0);
        QVERIFY2(login(cache, QStringLiteral("field1")).rc == 0, "login field1");
        QVERIFY2(sync(cache).rc == 0, "sync");
        holdsExactly(cache, kGridWorker);
        fileReport(cache, QStringLiteral("field1"));
        if (QTest::currentTestFailed())
            return;
        const auto admin = [&](const QString &scope) {
            const Run r = runProgram(QStringLiteral(CITYOPS_PLATFORM_BIN),
                                     {QStringLiteral("--data"), m_platform.dataDir(),
                                      QStringLiteral("user"), QStringLiteral("scope"),
                                      QStringLiteral("field1"), QStringLiteral("--scope"), scope});
            QVERIFY2(r.rc == 0, qPrintable(r.err));
        };
        admin(QStringLiteral("street:001"));
        const auto restore = qScopeGuard([&] { admin(QStringLiteral("community:001001")); });

        // Signing in again is allowed (the commands are field1's own) and keeps everything ...
        const QList<qint64> held = heldCases(cache);
        const Run again = login(cache, QStringLiteral("field1"));
        QVERIFY2(again.rc == 0, qPrintable(again.err));
        QCOMPARE(heldCases(cache), held);
        QCOMPARE(state(cache, QStringLiteral("session_scope")), QStringLiteral("street:001"));
        QCOMPARE(state(cache, QStringLiteral("cases_scope")), QStringLiteral("community:001001"));
        // ... until the sync has sent the report: then the cache is the new scope's.
        const Run synced = sync(cache);
        QVERIFY2(synced.rc == 0, qPrintable(synced.err));
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM outbox")), 0);
        QCOMPARE(state(cache, QStringLiteral("cases_scope")), QStringLiteral("street:001"));
        holdsExactly(cache, kStreetOne);
        QCOMPARE(count(cache, QStringLiteral("SELECT count(*) FROM cases WHERE description = "
                                             "'离线上报，换人登录前'")),
                 int(platformColumn(QStringLiteral("SELECT count(*) FROM cases WHERE description = "
                                                   "'离线上报，换人登录前' AND street_id = (SELECT "
                                                   "id FROM streets WHERE code = '001')"))
                         .value(0)
                         .toInt()));
    }
};

QTEST_GUILESS_MAIN(TestScopeSwitch)
#include "tst_scope_switch.moc"
