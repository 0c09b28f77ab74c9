// Local cache: migrations, transactions, and refusing files that are not ours.
#include "storage/database.h"
#include "storage/walcheckpointer.h"
#include "testsupport.h"

#include <QFileInfo>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace cityops;

class TestStorage : public QObject
{
    Q_OBJECT

    /** One schema object each migration introduces. */
    inline static const QMap<int, const char *> kIntroduced{
        {1, "case_events"},  {2, "cases_reported"}, {3, "cases_pending"},
        {4, "queue_counts"}, {7, "grids_bbox"},     {8, "kpi_facts"}};

    static int count(Database &db, const QString &sql)
    {
        QSqlQuery q(db.sql());
        return q.exec(sql) && q.next() ? q.value(0).toInt() : -1;
    }
    static bool hasObject(Database &db, const QString &name)
    {
        return count(db, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = '%1'")
                             .arg(name)) == 1;
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void migratesAnEmptyFile()
    {
        QTemporaryDir dir;
        auto db = Database::openDir(dir.path());
        QVERIFY2(db.ok(), qPrintable(db ? QString() : db.error()));
        QCOMPARE((*db)->schemaVersion(), Database::kSchemaVersion);
        for (const char *t : {"cases", "case_events", "categories", "streets", "communities",
                              "grids", "units", "users", "cameras", "attachments", "roads"})
            QVERIFY2(hasObject(**db, QLatin1String(t)), t);
        QCOMPARE(count(**db, QStringLiteral("PRAGMA foreign_keys")), 1);
        QSqlQuery q((*db)->sql());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        QCOMPARE(count(**db, QStringLiteral("PRAGMA application_id")), Database::kApplicationId);
        // One row per migration (their numbers may have gaps when branches are merged).
        QCOMPARE(count(**db, QStringLiteral("SELECT count(*) FROM schema_version")),
                 int(Database::builtinMigrations().size()));
    }

    void migratesFromEachEarlierVersion_data()
    {
        QTest::addColumn<int>("from");
        for (const Migration &m : Database::builtinMigrations()) {
            if (m.version < Database::kSchemaVersion)
                QTest::addRow("v%d", m.version) << m.version;
        }
    }
    void migratesFromEachEarlierVersion()
    {
        QFETCH(int, from);
        QTemporaryDir dir;
        const QString path = Database::pathInDir(dir.path());
        {
            Database::Options o;
            o.targetVersion = from;
            auto db = Database::open(path, o);
            QVERIFY(db.ok());
            QCOMPARE((*db)->schemaVersion(), from);
            for (auto it = kIntroduced.begin(); it != kIntroduced.end(); ++it)
                QCOMPARE(hasObject(**db, QLatin1String(it.value())), it.key() <= from);
            QVERIFY((*db)->exec("INSERT INTO meta VALUES ('kept', 'yes')"));
        }
        auto db = Database::open(path);
        QVERIFY2(db.ok(), qPrintable(db ? QString() : db.error()));
        QCOMPARE((*db)->schemaVersion(), Database::kSchemaVersion);
        for (const char *object : kIntroduced)
            QVERIFY2(hasObject(**db, QLatin1String(object)), object);
        QCOMPARE(count(**db, QStringLiteral("SELECT count(*) FROM meta WHERE key = 'kept'")), 1);
    }

    void failedMigrationLeavesTheStoreUntouched()
    {
        QTemporaryDir dir;
        const QString path = Database::pathInDir(dir.path());
        {
            auto db = Database::open(path);
            QVERIFY(db.ok());
            QVERIFY((*db)->exec(
                "INSERT INTO meta VALUES ('before', '1'); PRAGMA wal_checkpoint(TRUNCATE);"));
        }
        const QByteArray before = test::fileBytes(path);
        QList<Migration> broken = Database::builtinMigrations();
        broken.append(
            {Database::kSchemaVersion + 1, QStringLiteral("broken"),
             "CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);"});
        Database::Options o;
        o.migrations = broken;
        o.targetVersion = Database::kSchemaVersion + 1;
        {
            auto failed = Database::open(path, o);
            QVERIFY(!failed.ok());
            QVERIFY2(failed.error().contains(QLatin1String("broken")), qPrintable(failed.error()));
            QVERIFY2(failed.error().contains(path), qPrintable(failed.error()));
        }
        QCOMPARE(test::fileBytes(path), before);
        auto db = Database::open(path);
        QVERIFY(db.ok());
        QCOMPARE((*db)->schemaVersion(), Database::kSchemaVersion);
        QVERIFY(!hasObject(**db, QStringLiteral("half_done")));
        QCOMPARE(count(**db, QStringLiteral("SELECT count(*) FROM meta WHERE key = 'before'")), 1);
    }

    void transactionRollsBackUnlessCommitted()
    {
        QTemporaryDir dir;
        auto db = Database::openDir(dir.path());
        QVERIFY(db.ok());
        Database &d = **db;
        {
            Transaction tx(d);
            QVERIFY(tx.isActive());
            QVERIFY(d.exec("INSERT INTO meta VALUES ('a', '1')"));
        } // destroyed without commit
        QCOMPARE(count(d, QStringLiteral("SELECT count(*) FROM meta WHERE key = 'a'")), 0);
        {
            Transaction tx(d);
            QVERIFY(d.exec("INSERT INTO meta VALUES ('b', '1')"));
            {
                Transaction inner(d);
                QVERIFY(d.exec("INSERT INTO meta VALUES ('c', '1')"));
                // inner rolls back to its savepoint only
            }
            QVERIFY(tx.commit());
        }
        QCOMPARE(count(d, QStringLiteral("SELECT count(*) FROM meta WHERE key IN ('a', 'b', 'c')")),
                 1);
        QCOMPARE(count(d, QStringLiteral("SELECT count(*) FROM meta WHERE key = 'b'")), 1);
        {
            Transaction tx(d);
            QVERIFY(!d.exec("INSERT INTO meta VALUES ('b', 'duplicate key')"));
            QVERIFY(d.exec("INSERT INTO meta VALUES ('d', '1')"));
            tx.rollback();
        }
        QCOMPARE(
            count(d, QStringLiteral("SELECT count(*) FROM meta WHERE key IN ('a', 'b', 'c', 'd')")),
            1);
    }

    void timelineIsAppendOnly()
    {
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 5);
        auto db = Database::openDir(dir.path());
        QVERIFY(db.ok());
        const auto upd = (*db)->exec("UPDATE case_events SET actor = 'x' WHERE id = 1");
        QVERIFY(!upd.ok());
        QVERIFY(upd.error().contains(QLatin1String("append-only")));
        QVERIFY(!(*db)->exec("DELETE FROM case_events WHERE id = 1").ok());
    }

    void refusesFilesThatAreNotOurs_data()
    {
        QTest::addColumn<QByteArray>("kind");
        QTest::addColumn<QString>("expect");
        QTest::newRow("text file")
            << QByteArray("text") << QStringLiteral("not an SQLite database");
        QTest::newRow("random bytes")
            << QByteArray("random") << QStringLiteral("not an SQLite database");
        QTest::newRow("corrupt sqlite") << QByteArray("corrupt") << QStringLiteral("damaged");
        QTest::newRow("another app's sqlite")
            << QByteArray("foreign") << QStringLiteral("not a CityOps cache");
        QTest::newRow("newer schema") << QByteArray("newer") << QStringLiteral("newer CityOps");
    }
    void refusesFilesThatAreNotOurs()
    {
        QFETCH(QByteArray, kind);
        QFETCH(QString, expect);
        QTemporaryDir dir;
        const QString path = Database::pathInDir(dir.path());
        if (kind == "text" || kind == "random" || kind == "corrupt") {
            QByteArray bytes;
            if (kind == "text")
                bytes = "id,name\n1,这不是数据库\n";
            for (int i = 0; kind != "text" && i < 8192; ++i)
                bytes.append(char((i * 7919 + 13) % 251));
            if (kind == "corrupt")
                bytes.replace(0, 16, QByteArray("SQLite format 3\0", 16));
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        } else {
            {
                auto db = Database::open(path);
                QVERIFY(db.ok());
                if (kind == "foreign")
                    QVERIFY((*db)->exec("PRAGMA application_id = 12345; CREATE TABLE notes (x)"));
                else
                    QVERIFY((*db)->exec("INSERT INTO schema_version VALUES (99, 'future')"));
                QVERIFY((*db)->exec("PRAGMA journal_mode = DELETE"));
            }
        }
        const QByteArray before = test::fileBytes(path);
        QVERIFY(!before.isEmpty());
        auto db = Database::open(path);
        QVERIFY(!db.ok());
        QVERIFY2(db.error().contains(path), qPrintable(db.error()));
        QVERIFY2(db.error().contains(expect), qPrintable(db.error()));
        QCOMPARE(test::fileBytes(path), before);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
    }

    /** A bulk load's log is copied into the database file by the checkpointer's own thread. */
    void walCheckpointerCopiesTheLog()
    {
        QTemporaryDir dir;
        auto db = Database::openDir(dir.path());
        QVERIFY(db.ok());
        const QString path = (*db)->path();
        QVERIFY((*db)->exec("PRAGMA wal_autocheckpoint = 0; CREATE TABLE bulk (x BLOB)"));
        QVERIFY((*db)->exec("PRAGMA wal_checkpoint(TRUNCATE)"));
        const qint64 before = QFileInfo(path).size();
        for (int t = 0; t < 4; ++t) // four commits of 1 MB each
            QVERIFY((*db)->exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < 256) INSERT INTO bulk SELECT randomblob(4096) FROM n"));
        QCOMPARE(QFileInfo(path).size(), before); // all of it still in the log
        QVERIFY(QFileInfo(path + QStringLiteral("-wal")).size() > 4 * 1024 * 1024);
        {
            WalCheckpointer checkpointer(path);
            QVERIFY(checkpointer.active());
            QVERIFY(checkpointer.idle());
            checkpointer.request();
            checkpointer.waitUntilIdle();
            QVERIFY(checkpointer.idle());
            QCOMPARE(checkpointer.completed(), 1);
            QVERIFY(QFileInfo(path).size() >= before + 4 * 1024 * 1024);
            // The writer goes on meanwhile, and the destructor runs what was asked last.
            QVERIFY((*db)->exec("INSERT INTO bulk SELECT randomblob(4096) FROM bulk LIMIT 256"));
            checkpointer.request();
        }
        QVERIFY(QFileInfo(path).size() >= before + 5 * 1024 * 1024);
        QSqlQuery q((*db)->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM bulk")) && q.next());
        QCOMPARE(q.value(0).toInt(), 5 * 256);

        // A file that cannot be opened: inactive, and asking does nothing.
        WalCheckpointer none(dir.filePath(QStringLiteral("missing/cityops.db")));
        QVERIFY(!none.active());
        none.request();
        QCOMPARE(none.completed(), 0);
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
