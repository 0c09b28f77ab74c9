// The first sync of an EMPTY console cache against the real cityops-platform on 127.0.0.1: the
// district's reference data arrives (GET /api/v1/reference) before the snapshot, the cache then
// lists, shows and acts on cases, its dashboard facts equal the platform's, and a change of the
// platform's reference data reaches a synced cache (versioned by ETag).
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "platformtest.h"
#include "storage/caserepository.h"
#include "storage/syncstore.h"
#include "sync/syncengine.h"
#include "workflow/workflow.h"

#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace cityops;
using namespace cityops::test;

namespace {

constexpr int kCases = 300;

Run cli(const QStringList &args, const QByteArray &input = {})
{
    return runProgram(QStringLiteral(CITYOPS_CLI_BIN), args, input);
}

/** Rows of a query on a database file (its own connection), one string per row. */
QStringList rows(const QString &path, const QString &sql)
{
    QStringList out;
    const QString name = QUuid::createUuid().toString();
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open())
            return {QStringLiteral("cannot open %1").arg(path)};
        QSqlQuery q(db);
        if (!q.exec(sql))
            return {q.lastError().text()};
        while (q.next()) {
            QStringList cells;
            for (int i = 0; i < q.record().count(); ++i)
                cells << q.value(i).toString();
            out << cells.join(QLatin1Char('|'));
        }
    }
    QSqlDatabase::removeDatabase(name);
    return out;
}

/** Runs a statement on a database file from a connection of its own (another process would). */
bool exec(const QString &path, const QString &sql)
{
    bool ok = false;
    const QString name = QUuid::createUuid().toString();
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            ok = q.exec(sql);
            if (!ok)
                qWarning() << q.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

const QStringList kTables{
    QStringLiteral("category_majors"), QStringLiteral("categories"), QStringLiteral("streets"),
    QStringLiteral("communities"),     QStringLiteral("grids"),      QStringLiteral("roads"),
    QStringLiteral("units"),           QStringLiteral("users"),      QStringLiteral("cameras")};

} // namespace

class TestReference : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_platform.start(m_dir.filePath(QStringLiteral("platform")),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   QStringLiteral("2026-11-27T18:00+08:00"),
                                   QStringLiteral("--seed"), QStringLiteral("5"),
                                   QStringLiteral("--cases"), QString::number(kCases)}),
                 m_platform.output().constData());
        m_platformDb = PlatformStore::pathInDir(m_dir.filePath(QStringLiteral("platform")));
    }

    void emptyCacheFirstSync()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("console"));
        const Run login =
            cli({QStringLiteral("--platform"), m_platform.url().toString(),
                 QStringLiteral("--data"), data, QStringLiteral("login"), QStringLiteral("--user"),
                 QStringLiteral("dispatcher1"), QStringLiteral("--password-stdin")},
                "demo\n");
        QVERIFY2(login.rc == 0, qPrintable(login.out + login.err));
        const Run sync = cli({QStringLiteral("--data"), data, QStringLiteral("sync")});
        QVERIFY2(sync.rc == 0, qPrintable(sync.out + sync.err));

        // The reference tables hold exactly the platform's rows.
        const QString cache = Database::pathInDir(data);
        for (const QString &t : kTables) {
            const QString all = QStringLiteral("SELECT * FROM %1 ORDER BY 1").arg(t);
            const QStringList mine = rows(cache, all);
            QVERIFY2(!mine.isEmpty(), qPrintable(t));
            QCOMPARE(mine, rows(m_platformDb, all));
        }
        const Run info = cli({QStringLiteral("--data"), data, QStringLiteral("info")});
        QCOMPARE(info.rc, 0);
        const QString district =
            rows(m_platformDb, QStringLiteral("SELECT value FROM meta WHERE key = 'district'"))
                .value(0);
        QVERIFY(!district.isEmpty());
        QVERIFY2(info.out.contains(district), qPrintable(info.out));
        QVERIFY2(QRegularExpression(QStringLiteral("Cases:\\s+%1\\b").arg(kCases))
                     .match(info.out)
                     .hasMatch(),
                 qPrintable(info.out));

        // Cases are there with their timelines (the audit chain verifies) and the dashboard's
        // facts equal the platform's.
        const QString firstId =
            rows(m_platformDb, QStringLiteral("SELECT min(id) FROM cases")).value(0);
        const Run show = cli({QStringLiteral("--data"), data, QStringLiteral("case"),
                              QStringLiteral("show"), firstId, QStringLiteral("--json")});
        QVERIFY2(show.rc == 0, qPrintable(show.out + show.err));
        const QJsonObject shown = QJsonDocument::fromJson(show.out.toUtf8()).object();
        QCOMPARE(shown.value(QStringLiteral("id")).toInteger(), firstId.toLongLong());
        QCOMPARE(shown.value(QStringLiteral("category")).toString(),
                 rows(m_platformDb,
                      QStringLiteral("SELECT category FROM cases WHERE id = %1").arg(firstId))
                     .value(0));
        const Run audit = cli(
            {QStringLiteral("--data"), data, QStringLiteral("audit"), QStringLiteral("verify")});
        QVERIFY2(audit.rc == 0, qPrintable(audit.out + audit.err));
        const QString facts = QStringLiteral("SELECT * FROM case_facts ORDER BY case_id");
        const QStringList mineFacts = rows(cache, facts);
        QCOMPARE(mineFacts.size(), kCases);
        QCOMPARE(mineFacts, rows(m_platformDb, facts));
        // The dashboard's narrow rows (refilled once after the bulk load) mirror the cases and
        // their facts, with the codes spelled out (their numbers are the cache's own).
        const QString narrow = QStringLiteral(
            "SELECT k.case_id, k.reported_at, k.closed_at, k.deadline_at, s.code, k.stage, "
            "k.street_id, c.code, k.unit_id, g.code, k.flags, k.max_stage FROM kpi_facts k "
            "LEFT JOIN kpi_codes s ON s.id = k.state LEFT JOIN kpi_codes c ON c.id = k.category "
            "LEFT JOIN kpi_codes g ON g.id = k.grid ORDER BY k.case_id");
        const QStringList mineNarrow = rows(cache, narrow);
        QCOMPARE(mineNarrow.size(), kCases);
        QCOMPARE(mineNarrow, rows(m_platformDb, narrow));
        // The bulk load's indexes, triggers and queue counts are back.
        QCOMPARE(rows(cache, QStringLiteral("SELECT n FROM queue_counts WHERE queue = 'all'")),
                 QStringList{QString::number(kCases)});
        QCOMPARE(rows(cache, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name IN "
                                            "('case_events_facts', 'cases_count_insert', "
                                            "'cases_state_id', 'cases_kpi_insert', "
                                            "'case_facts_kpi_update')")),
                 QStringList{QStringLiteral("5")});

        // The cache knows the signed-in user (the console acts as this actor).
        auto db = Database::openDir(data);
        QVERIFY2(db, qPrintable(why(db)));
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(*db, wf);
        const auto actor = repo.actorFor(QStringLiteral("dispatcher1"), QStringLiteral("test"));
        QVERIFY2(actor, qPrintable(why(actor)));
    }

    void referenceIsVersioned()
    {
        Client c(m_platform.url());
        QCOMPARE(c.get(QStringLiteral("/api/v1/reference")).status, 401);
        QCOMPARE(c.login(QStringLiteral("operator1")).status, 200);
        const Answer first = c.get(QStringLiteral("/api/v1/reference"));
        QCOMPARE(first.status, 200);
        const auto data = sync::decodeReference(first.body);
        QVERIFY2(data, qPrintable(why(data)));
        QCOMPARE(data->version, sync::referenceVersion(*data));
        QStringList names;
        for (const auto &t : data->tables)
            names << t.name;
        QCOMPARE(names, sync::referenceTableNames());

        // A synced cache, then the platform's reference data changes underneath (another
        // connection, as an administration command would): the next sync brings the change.
        QTemporaryDir dir;
        SyncEngine engine(dir.path(), m_platform.url());
        QVERIFY2(engine.login(QStringLiteral("operator1"), QStringLiteral("demo")), "login failed");
        SyncReport r = engine.syncOnce();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(engine.store()->referenceVersion(), data->version);
        QVERIFY(exec(m_platformDb, QStringLiteral("UPDATE streets SET name_en = 'Renamed Street' "
                                                  "WHERE id = (SELECT min(id) FROM streets)")));
        QVERIFY(exec(m_platformDb, QStringLiteral("INSERT INTO cameras (id, code, name_zh, kind, "
                                                  "lon, lat) VALUES (99999, 'CAM-TEST', '测试', "
                                                  "'camera', 121.5, 31.2)")));
        r = engine.syncOnce();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QVERIFY(engine.store()->referenceVersion() != data->version);
        const QString cache = Database::pathInDir(dir.path());
        QCOMPARE(rows(cache, QStringLiteral("SELECT name_en FROM streets ORDER BY id LIMIT 1")),
                 QStringList{QStringLiteral("Renamed Street")});
        QCOMPARE(rows(cache, QStringLiteral("SELECT code FROM cameras WHERE id = 99999")),
                 QStringList{QStringLiteral("CAM-TEST")});
        // A row the platform drops leaves the cache too.
        QVERIFY(exec(m_platformDb, QStringLiteral("DELETE FROM cameras WHERE id = 99999")));
        r = engine.syncOnce();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(rows(cache, QStringLiteral("SELECT count(*) FROM cameras WHERE id = 99999")),
                 QStringList{QStringLiteral("0")});
        QCOMPARE(rows(cache, QStringLiteral("SELECT count(*) FROM cameras")),
                 rows(m_platformDb, QStringLiteral("SELECT count(*) FROM cameras")));
    }

    void notModified()
    {
        Client c(m_platform.url());
        QCOMPARE(c.login(QStringLiteral("operator1")).status, 200);
        const Answer first = c.get(QStringLiteral("/api/v1/reference"));
        QCOMPARE(first.status, 200);
        const auto data = sync::decodeReference(first.body);
        QVERIFY2(data, qPrintable(why(data)));
        // The sync client sends the version it holds and gets nothing back while it is current.
        sync::SyncClient client(m_platform.url());
        client.setToken(c.token());
        const auto same = client.reference(data->version);
        QVERIFY(std::holds_alternative<std::optional<sync::ReferenceData>>(same));
        QVERIFY(!std::get<std::optional<sync::ReferenceData>>(same).has_value());
        const auto other = client.reference(QStringLiteral("0123"));
        QVERIFY(std::holds_alternative<std::optional<sync::ReferenceData>>(other));
        QCOMPARE(std::get<std::optional<sync::ReferenceData>>(other)->version, data->version);
    }

    void badReferenceIsRefused_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");
        QTest::newRow("no version")
            << QByteArray(R"({"tables": []})") << QStringLiteral("reference.version");
        QTest::newRow("key not a column")
            << QByteArray(R"({"version": "v", "tables": [{"name": "streets", "key": "id",
                             "columns": ["code"], "rows": []}]})")
            << QStringLiteral("reference.tables[0]");
        QTest::newRow("short row")
            << QByteArray(R"({"version": "v", "tables": [{"name": "streets", "key": "id",
                             "columns": ["id", "code"], "rows": [[1]]}]})")
            << QStringLiteral("reference.tables[0].rows[0]");
        QTest::newRow("nested value")
            << QByteArray(R"({"version": "v", "tables": [{"name": "streets", "key": "id",
                             "columns": ["id"], "rows": [[{"a": 1}]]}]})")
            << QStringLiteral("reference.tables[0].rows[0]");
        QTest::newRow("not json") << QByteArray("{") << QStringLiteral("reference:");
    }
    void badReferenceIsRefused()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        const auto r = sync::decodeReference(body);
        QVERIFY(!r);
        QVERIFY2(r.error().startsWith(error), qPrintable(r.error()));
    }

    void nothingHalfApplied()
    {
        // A reference update that does not fit (a street that cases still refer to is gone)
        // leaves the cache as it was.
        QTemporaryDir dir;
        SyncEngine engine(dir.path(), m_platform.url());
        QVERIFY2(engine.login(QStringLiteral("operator1"), QStringLiteral("demo")), "login failed");
        SyncReport r = engine.syncOnce();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        Client c(m_platform.url());
        QCOMPARE(c.login(QStringLiteral("operator1")).status, 200);
        auto data = sync::decodeReference(c.get(QStringLiteral("/api/v1/reference")).body);
        QVERIFY2(data, qPrintable(why(data)));
        const QString cache = Database::pathInDir(dir.path());
        const QStringList before = rows(cache, QStringLiteral("SELECT * FROM streets"));
        for (auto &t : data->tables) {
            if (t.name == QLatin1String("streets"))
                t.rows.clear();
            if (t.name == QLatin1String("cameras"))
                t.rows.clear();
        }
        data->version = QStringLiteral("broken");
        const Status s = engine.store()->applyReference(*data);
        QVERIFY(!s);
        QVERIFY2(s.error().contains(QStringLiteral("FOREIGN KEY")), qPrintable(s.error()));
        QCOMPARE(rows(cache, QStringLiteral("SELECT * FROM streets")), before);
        QVERIFY(!rows(cache, QStringLiteral("SELECT * FROM cameras")).isEmpty());
        QVERIFY(engine.store()->referenceVersion() != QLatin1String("broken"));
    }

private:
    QTemporaryDir m_dir;
    PlatformProcess m_platform;
    QString m_platformDb;
};

QTEST_GUILESS_MAIN(TestReference)
#include "tst_reference.moc"
