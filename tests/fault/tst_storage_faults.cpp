// Storage faults (issue #7 item 6) against a real cityops-platform: the cache file truncated,
// corrupted or deleted under the CLI and under a running console, and the disk full during a
// write. Each: a clear error and no crash, the outbox exported and replayed so every command is
// applied exactly once, and the cache rebuilt from the platform equals the platform's state.
// Prints {"storage_faults":N,"lost":L,"duplicated":D} last.
#include "consolecontext.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "mainwindow.h"
#include "platformtest.h"
#include "storage/cacherecovery.h"
#include "storage/syncstore.h"
#include "sync/cacherebuild.h"
#include "util/rng.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cstdio>

using namespace cityops;
using namespace cityops::test;

namespace {

Run cli(const QStringList &args, const QByteArray &input = {})
{
    // A crash is not a normal exit: -1, which no assertion below accepts.
    return runProgram(QStringLiteral(CITYOPS_CLI_BIN), args, input);
}

const QString kCaseSql = QStringLiteral(
    "SELECT id, state, stage, version, hex(chain_head), coalesce(assignee_code, '') FROM cases "
    "ORDER BY id");

QStringList commandIds(const OutboxExport &e)
{
    QStringList ids;
    for (const RecoveredCommand &c : e.outstanding())
        ids << c.commandId;
    return ids;
}

Result<OutboxExport> readExport(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{f.errorString()};
    return OutboxExport::fromJson(f.readAll(), path);
}

} // namespace

class TestStorageFaults : public QObject
{
    Q_OBJECT

public:
    /** The summary line, printed after QTest's own output so it is the last line. */
    void printSummary() const
    {
        std::printf("{\"storage_faults\":%d,\"lost\":%d,\"duplicated\":%d}\n", m_faults, m_lost,
                    m_duplicated);
        std::fflush(stdout);
    }

private:
    QTemporaryDir m_tmp;
    std::unique_ptr<PlatformProcess> m_platform;
    int m_faults = 0;
    int m_lost = 0;
    int m_duplicated = 0;

    QString url() const { return m_platform->url().toString(); }

    /** A console cache with the platform's district, signed in as operator1 and synced. */
    bool makeConsole(const QString &dir)
    {
        const Run gen =
            cli({QStringLiteral("demo"), QStringLiteral("generate"), QStringLiteral("--anchor"),
                 QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                 QStringLiteral("11"), QStringLiteral("--cases"), QStringLiteral("0"),
                 QStringLiteral("--out"), dir});
        const Run login = cli({QStringLiteral("--platform"), url(), QStringLiteral("--data"), dir,
                               QStringLiteral("login"), QStringLiteral("--user"),
                               QStringLiteral("operator1"), QStringLiteral("--password-stdin")},
                              "demo\n");
        const Run sync = cli({QStringLiteral("--data"), dir, QStringLiteral("sync")});
        if (gen.rc != 0 || login.rc != 0 || sync.rc != 0) {
            qWarning() << gen.err << login.err << sync.err;
            return false;
        }
        return true;
    }

    Run report(const QString &dir, const QString &description)
    {
        return cli({QStringLiteral("--data"), dir, QStringLiteral("case"), QStringLiteral("new"),
                    QStringLiteral("--category"), QStringLiteral("E0401"), QStringLiteral("--lon"),
                    QStringLiteral("121.47"), QStringLiteral("--lat"), QStringLiteral("31.25"),
                    QStringLiteral("--desc"), description});
    }

    /** How often each command id appears in the platform's change feed. */
    QMap<QString, int> appliedOnPlatform()
    {
        Client reader(m_platform->url());
        QMap<QString, int> seen;
        if (reader.login(QStringLiteral("auditor1")).status != 200)
            return seen;
        qint64 since = 0;
        for (;;) {
            const Answer a =
                reader.get(QStringLiteral("/api/v1/changes?since=%1&limit=2000").arg(since));
            auto page = sync::decodeChanges(a.body);
            if (a.status != 200 || !page)
                return seen;
            for (const sync::Change &c : page->changes) {
                if (c.commandId)
                    ++seen[*c.commandId];
            }
            if (!page->more)
                break;
            since = page->cursor;
        }
        return seen;
    }

    /** Every command applied exactly once on the platform; counts the lost and duplicated. */
    void verifyOnce(const QStringList &ids)
    {
        const QMap<QString, int> seen = appliedOnPlatform();
        for (const QString &id : ids) {
            m_lost += seen.value(id) == 0;
            m_duplicated += seen.value(id) > 1;
            QVERIFY2(seen.value(id) == 1,
                     qPrintable(QStringLiteral("%1 applied %2 times").arg(id).arg(seen.value(id))));
        }
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_platform = std::make_unique<PlatformProcess>();
        QVERIFY(m_platform->start(m_tmp.filePath(QStringLiteral("platform")),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   QStringLiteral("2026-11-27T18:00+08:00"),
                                   QStringLiteral("--seed"), QStringLiteral("11"),
                                   QStringLiteral("--cases"), QStringLiteral("200")}));
    }

    void cleanupTestCase() { m_platform.reset(); }

    void faultsAreNamed_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("fault");
        // The Qt driver's wording: its own text, then SQLite's fixed text of the code.
        QTest::newRow("corrupt") << QStringLiteral(
                                        "database disk image is malformed Unable to fetch row")
                                 << int(StorageFault::Corrupt);
        QTest::newRow("not a database")
            << QStringLiteral("file is not a database Unable to execute statement")
            << int(StorageFault::NotADatabase);
        QTest::newRow("io") << QStringLiteral("disk I/O error Unable to fetch row")
                            << int(StorageFault::IoError);
        QTest::newRow("full") << QStringLiteral("database or disk is full Unable to fetch row")
                              << int(StorageFault::DiskFull);
        QTest::newRow("read-only") << QStringLiteral("attempt to write a readonly database")
                                   << int(StorageFault::ReadOnly);
        QTest::newRow("cannot open")
            << QStringLiteral("unable to open database file") << int(StorageFault::CantOpen);
        QTest::newRow("constraint") << QStringLiteral("UNIQUE constraint failed: outbox.command_id")
                                    << int(StorageFault::None);
    }

    void faultsAreNamed()
    {
        QFETCH(QString, message);
        QFETCH(int, fault);
        QCOMPARE(int(Database::faultOfMessage(message)), fault);
        const QString described = Database::faultMessage(
            StorageFault(fault), QStringLiteral("/data/cityops.db"), message);
        QVERIFY(described.contains(message));
        QCOMPARE(described.contains(QStringLiteral("/data/cityops.db")),
                 fault != int(StorageFault::None));
    }

    void transactionRefusesAReplacedFile()
    {
        QTemporaryDir tmp;
        const QString path = tmp.filePath(QStringLiteral("cityops.db"));
        auto db = Database::open(path);
        QVERIFY2(db, qPrintable(why(db)));
        QVERIFY((*db)->exec("CREATE TABLE t (x)"));
        QVERIFY((*db)->checkFile());
        QVERIFY(QFile::rename(path, path + QStringLiteral(".elsewhere")));
        Transaction tx(**db);
        QVERIFY(!tx.isActive());
        QVERIFY2(tx.error().contains(QStringLiteral("deleted or replaced")) &&
                     tx.error().contains(path),
                 qPrintable(tx.error()));
        QVERIFY(!tx.commit());
        QCOMPARE((*db)->diagnose(QStringLiteral("anything")), StorageFault::Missing);
        // Another file in its place is refused just the same.
        QVERIFY(QFile(path).open(QIODevice::WriteOnly));
        Transaction again(**db);
        QVERIFY(!again.isActive());
        QVERIFY2(again.error().contains(QStringLiteral("another file")), qPrintable(again.error()));
    }

    void cliFault_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::newRow("truncated") << QStringLiteral("truncated");
        QTest::newRow("corrupted") << QStringLiteral("corrupted");
        QTest::newRow("deleted") << QStringLiteral("deleted");
    }

    void cliFault()
    {
        QFETCH(QString, fault);
        const QString dir = m_tmp.filePath(QStringLiteral("cli-") + fault);
        QVERIFY(makeConsole(dir));
        const QString cache = Database::pathInDir(dir);
        for (int i = 0; i < 3; ++i) {
            const Run r = report(dir, QStringLiteral("%1 report %2").arg(fault).arg(i));
            QVERIFY2(r.rc == 0, qPrintable(r.err));
        }
        const QStringList queued =
            column(cache, QStringLiteral("SELECT command_id FROM outbox ORDER BY seq"));
        QCOMPARE(queued.size(), 3);

        // The fault, with no process running (the CLI's WAL is checkpointed on exit).
        QFile file(cache);
        const qint64 size = file.size();
        if (fault == QLatin1String("truncated")) {
            QVERIFY(file.resize(size * 6 / 10));
        } else if (fault == QLatin1String("corrupted")) {
            // Random pages of the second half (the district's reference data and the schema are
            // in the first): overwritten with random bytes.
            QVERIFY(file.open(QIODevice::ReadWrite));
            const qint64 page = 4096;
            const qint64 pages = size / page;
            Rng rng(7);
            for (int i = 0; i < int(pages / 3); ++i) {
                const qint64 p = pages / 2 + rng.below(pages - pages / 2);
                QByteArray junk(page, '\0');
                for (char &c : junk)
                    c = char(rng.below(256));
                QVERIFY(file.seek(p * page));
                QCOMPARE(file.write(junk), page);
            }
            file.close();
        } else {
            QVERIFY(file.remove());
        }
        ++m_faults;

        // A clear error naming the file, with the storage exit code, and no crash.
        const Run failed = report(dir, QStringLiteral("after the fault"));
        QVERIFY2(failed.rc == 8, qPrintable(QString::number(failed.rc) + failed.err));
        QVERIFY2(failed.err.contains(cache), qPrintable(failed.err));
        QVERIFY2(failed.err.contains(QStringLiteral("damaged")) ||
                     failed.err.contains(QStringLiteral("no longer a database")) ||
                     failed.err.contains(QStringLiteral("disk I/O")) ||
                     failed.err.contains(QStringLiteral("deleted")),
                 qPrintable(failed.err));

        // The outbox is exported (from its table or from the journal).
        const QString exported = m_tmp.filePath(fault + QStringLiteral("-outbox.json"));
        const Run exp = cli({QStringLiteral("--data"), dir, QStringLiteral("outbox"),
                             QStringLiteral("export"), QStringLiteral("--out"), exported});
        QVERIFY2(exp.rc == 0, qPrintable(exp.err));
        const auto e = readExport(exported);
        QVERIFY2(e, qPrintable(why(e)));
        QCOMPARE(commandIds(*e), queued);

        // Rebuilt from the platform (signing in and naming it, since the old session may be
        // unreadable): the old file is kept, the commands are replayed, the cache is the
        // platform's.
        const Run rebuilt =
            cli({QStringLiteral("--platform"), url(), QStringLiteral("--data"), dir,
                 QStringLiteral("cache"), QStringLiteral("rebuild"), QStringLiteral("--user"),
                 QStringLiteral("operator1"), QStringLiteral("--password-stdin")},
                "demo\n");
        QVERIFY2(rebuilt.rc == 0, qPrintable(rebuilt.out + rebuilt.err));
        QVERIFY2(rebuilt.out.contains(QStringLiteral("3 applied now")), qPrintable(rebuilt.out));
        // The old file (its WAL and shared memory, when left, move with it under the same name).
        QStringList aside =
            QDir(dir).entryList({QStringLiteral("cityops.db.broken-*")}, QDir::Files);
        aside.removeIf([](const QString &name) {
            return name.endsWith(QLatin1String("-wal")) || name.endsWith(QLatin1String("-shm"));
        });
        QCOMPARE(aside.size(), fault == QLatin1String("deleted") ? 0 : 1);

        // Replaying the export again applies nothing twice.
        const Run again = cli({QStringLiteral("--data"), dir, QStringLiteral("outbox"),
                               QStringLiteral("replay"), exported});
        QVERIFY2(again.rc == 0, qPrintable(again.out + again.err));
        QVERIFY2(again.out.contains(QStringLiteral("0 applied now, 3 applied before")),
                 qPrintable(again.out));
        verifyOnce(queued);
        QCOMPARE(column(cache, kCaseSql), column(m_platform->databasePath(), kCaseSql));
        QCOMPARE(column(cache, QStringLiteral("SELECT count(*) FROM outbox")),
                 QStringList{QStringLiteral("0")});
        // Working again: a new report goes through.
        const Run after = report(dir, QStringLiteral("after the rebuild"));
        QVERIFY2(after.rc == 0, qPrintable(after.err));
    }

    void diskFull()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("full"));
        QVERIFY(makeConsole(dir));
        auto db = *Database::openDir(dir);
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        ConsoleContext ctx(
            db, dir,
            *CaseRepository(db, wf).actorFor(QStringLiteral("operator1"), QStringLiteral("test")));
        QVERIFY(ctx.cases().isReplica());
        QSignalSpy faults(&ctx.cases(), &CaseService::storageFault);
        auto count = [&](const char *sql) {
            QSqlQuery q(db->sql());
            return q.exec(QLatin1String(sql)) && q.next() ? q.value(0).toLongLong() : -1;
        };
        const QStringList reported =
            column(db->path(), QStringLiteral("SELECT id FROM cases WHERE state = 'reported' "
                                              "ORDER BY id"));
        QVERIFY(reported.size() >= 2);
        // No free page and no room to grow: SQLite answers SQLITE_FULL as a full disk would.
        QVERIFY(db->exec("VACUUM"));
        QSqlQuery pc(db->sql());
        QVERIFY(pc.exec(QStringLiteral("PRAGMA page_count")) && pc.next());
        QVERIFY(db->exec("PRAGMA max_page_count = " + pc.value(0).toByteArray()));
        pc.finish();

        // A rejection with a long written reason needs new pages for its event.
        const qint64 events = count("SELECT count(*) FROM case_events");
        const qint64 outbox = count("SELECT count(*) FROM outbox");
        const QStringList before = column(db->path(), kCaseSql);
        Command reject;
        reject.action = Action::Reject;
        reject.reason = QString(20000, QChar(0x6EE1)); // 满
        const Outcome full = ctx.cases().run(reported.at(0).toLongLong(), reject);
        QCOMPARE(full.kind, Outcome::Failed);
        QVERIFY2(full.error.contains(QStringLiteral("is full")), qPrintable(full.error));
        QVERIFY2(full.error.contains(db->path()), qPrintable(full.error));
        QCOMPARE(faults.size(), 1);
        ++m_faults;
        // Nothing half-applied: the case, its events and the outbox are as they were, and the
        // journal has nothing a replay could apply.
        QCOMPARE(count("SELECT count(*) FROM case_events"), events);
        QCOMPARE(count("SELECT count(*) FROM outbox"), outbox);
        QCOMPARE(column(db->path(), kCaseSql), before);
        const auto none = OutboxJournal::read(db->path());
        QVERIFY2(none, qPrintable(why(none)));
        QVERIFY(none->isEmpty());

        // Room again: the action succeeds, is journaled, and syncs once.
        QVERIFY(db->exec("PRAGMA max_page_count = 1073741823"));
        reject.reason = QStringLiteral("重复上报");
        QVERIFY2(ctx.cases().run(reported.at(0).toLongLong(), reject).ok(),
                 "reject after freeing space");
        const QStringList applied =
            column(db->path(), QStringLiteral("SELECT command_id FROM outbox ORDER BY seq"));
        QCOMPARE(applied.size(), 1);
        const auto journal = OutboxJournal::read(db->path());
        QVERIFY2(journal, qPrintable(why(journal)));
        QCOMPARE(journal->size(), 1);
        QCOMPARE(journal->first().commandId, applied.first());
        const Run sync = cli({QStringLiteral("--data"), dir, QStringLiteral("sync")});
        QVERIFY2(sync.rc == 0, qPrintable(sync.err));
        verifyOnce(applied);
    }

    /**
     * A really full disk, not SQLITE_FULL from max_page_count: the cache on a tmpfs just larger
     * than it, mounted in a user and mount namespace (`unshare -rm`, no root needed), filled to
     * the last block. SQLite then fails at open, when it cannot create the WAL index (-shm), with
     * an I/O error; the CLI must say that the disk is full, exit 8 and keep the outbox.
     */
    void realDiskFull()
    {
        const Run probe =
            runProgram(QStringLiteral("unshare"), {QStringLiteral("-rm"), QStringLiteral("true")});
        QVERIFY2(probe.rc == 0, qPrintable(QStringLiteral("this test mounts a tmpfs and needs "
                                                          "unprivileged user namespaces "
                                                          "(unshare -rm): ") +
                                           probe.err));
        const QString dir = m_tmp.filePath(QStringLiteral("realfull"));
        QVERIFY(makeConsole(dir));
        for (int i = 0; i < 3; ++i) {
            const Run r = report(dir, QStringLiteral("before the disk filled %1").arg(i));
            QVERIFY2(r.rc == 0, qPrintable(r.err));
        }
        const QString cache = Database::pathInDir(dir);
        const QStringList queued =
            column(cache, QStringLiteral("SELECT command_id FROM outbox ORDER BY seq"));
        QCOMPARE(queued.size(), 3);
        // The cache and its WAL (a read-only reader, as above, leaves the WAL behind), as they are.
        const auto bytesOf = [](const QString &dataDir) {
            QByteArrayList files;
            for (const char *name : {"cityops.db", "cityops.db-wal"}) {
                QFile f(QDir(dataDir).filePath(QLatin1String(name)));
                files << (f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("absent"));
            }
            return files;
        };
        const QByteArrayList originalBytes = bytesOf(dir);

        // Inside the namespace: mount, copy the data directory, fill the disk, run the CLI, copy
        // what it left out to `out` (the tmpfs goes away with the namespace), free the filler
        // and run it again.
        const QString mnt = m_tmp.filePath(QStringLiteral("realfull-mnt"));
        const QString out = m_tmp.filePath(QStringLiteral("realfull-out"));
        QVERIFY(QDir().mkpath(mnt) && QDir().mkpath(out + QStringLiteral("/full")) &&
                QDir().mkpath(out + QStringLiteral("/after")));
        qint64 bytes = 0;
        for (const QFileInfo &f : QDir(dir).entryInfoList(QDir::Files))
            bytes += f.size();
        const QString script = QStringLiteral(R"(set -u
mnt=$1 data=$2 out=$3 cli=$4
mount -t tmpfs -o size="$5"k tmpfs "$mnt" || exit 90
cp -a "$data"/. "$mnt"/ || exit 91
step() {
    name=$1; shift
    "$cli" --data "$mnt" "$@" >"$out/$name.out" 2>"$out/$name.err"; echo $? >"$out/$name.rc"
}
report() { step "$1" case new --category E0401 --lon 121.47 --lat 31.25 --desc "$2"; }
dd if=/dev/zero of="$mnt/filler" bs=4096 2>/dev/null
df -B1 --output=avail "$mnt" | tail -n 1 >"$out/avail"
report new "on a full disk"
step sync sync
step export outbox export --out "$out/export.json"
for f in "$mnt"/cityops.db* "$mnt"/outbox-journal.jsonl; do cp "$f" "$out/full/"; done
rm "$mnt/filler"
report again "after freeing space"
for f in "$mnt"/cityops.db* "$mnt"/outbox-journal.jsonl; do cp "$f" "$out/after/"; done
)");
        const Run ns =
            runProgram(QStringLiteral("unshare"),
                       {QStringLiteral("-rm"), QStringLiteral("sh"), QStringLiteral("-c"), script,
                        QStringLiteral("sh"), mnt, dir, out, QStringLiteral(CITYOPS_CLI_BIN),
                        QString::number(bytes / 1024 + 2048)});
        QVERIFY2(ns.rc == 0, qPrintable(QString::number(ns.rc) + ns.err));
        auto text = [&](const QString &name) {
            QFile f(QDir(out).filePath(name));
            return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed()
                                               : QString();
        };
        const qint64 avail = text(QStringLiteral("avail")).toLongLong();
        QVERIFY2(avail < 4096, qPrintable(text(QStringLiteral("avail"))));
        ++m_faults;

        // Both the report and the sync: "the disk is full", naming the file, storage exit code.
        const QString mntCache = Database::pathInDir(mnt);
        for (const QString &step : {QStringLiteral("new"), QStringLiteral("sync")}) {
            const QString err = text(step + QStringLiteral(".err"));
            QVERIFY2(text(step + QStringLiteral(".rc")) == QLatin1String("8"),
                     qPrintable(step + QLatin1Char(' ') + text(step + QStringLiteral(".rc")) +
                                QLatin1Char(' ') + err));
            QVERIFY2(err.contains(QStringLiteral("disk holding the cache")) &&
                         err.contains(QStringLiteral("is full")) && err.contains(mntCache),
                     qPrintable(step + QLatin1Char(' ') + err));
        }
        // The outbox is intact: exported, the file byte for byte as it was, the journal whole.
        QVERIFY2(text(QStringLiteral("export.rc")) == QLatin1String("0"),
                 qPrintable(text(QStringLiteral("export.err"))));
        const auto e = readExport(QDir(out).filePath(QStringLiteral("export.json")));
        QVERIFY2(e, qPrintable(why(e)));
        QCOMPARE(commandIds(*e), queued);
        QVERIFY(bytesOf(out + QStringLiteral("/full")) == originalBytes);
        const auto journal =
            OutboxJournal::read(QDir(out).filePath(QStringLiteral("full/cityops.db")));
        QVERIFY2(journal, qPrintable(why(journal)));
        QCOMPARE(journal->size(), 3);

        // Space freed: the report goes through; back on the real disk every command syncs once.
        QVERIFY2(text(QStringLiteral("again.rc")) == QLatin1String("0"),
                 qPrintable(text(QStringLiteral("again.err"))));
        for (const QFileInfo &f : QDir(out + QStringLiteral("/after")).entryInfoList(QDir::Files)) {
            QFile::remove(QDir(dir).filePath(f.fileName()));
            QVERIFY(QFile::copy(f.filePath(), QDir(dir).filePath(f.fileName())));
        }
        const QStringList all =
            column(cache, QStringLiteral("SELECT command_id FROM outbox ORDER BY seq"));
        QCOMPARE(all.size(), 4);
        QCOMPARE(all.mid(0, 3), queued);
        const Run sync = cli({QStringLiteral("--data"), dir, QStringLiteral("sync")});
        QVERIFY2(sync.rc == 0, qPrintable(sync.err));
        verifyOnce(all);
    }

    void consoleFileDeleted()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("console"));
        QVERIFY(makeConsole(dir));
        auto db = *Database::openDir(dir);
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        MainWindow window(db, dir,
                          *CaseRepository(db, wf).actorFor(QStringLiteral("operator1"),
                                                           QStringLiteral("console-test")));
        window.show();
        QVERIFY(window.rebuildCacheAction()->isEnabled());
        const QStringList reported = column(
            db->path(),
            QStringLiteral("SELECT id FROM cases WHERE state = 'reported' ORDER BY id DESC"));
        QVERIFY(reported.size() > 3);
        Command reg;
        reg.action = Action::Register;
        reg.confirmFiling = true;
        QVERIFY(window.context().cases().run(reported.at(0).toLongLong(), reg).ok());
        const QStringList queued =
            column(db->path(), QStringLiteral("SELECT command_id FROM outbox ORDER BY seq"));
        QCOMPARE(queued.size(), 1);

        // Deleted under the running console: SQLite would go on writing into the unlinked file.
        QVERIFY(QFile::remove(db->path()));
        ++m_faults;
        for (int i = 1; i <= 2; ++i) {
            const Outcome o = window.context().cases().run(reported.at(i).toLongLong(), reg);
            QCOMPARE(o.kind, Outcome::Failed);
            QVERIFY2(o.error.contains(QStringLiteral("deleted or replaced")), qPrintable(o.error));
        }
        // One box, not one per attempt.
        QVERIFY(window.storageFaultBox());
        QVERIFY(window.storageFaultBox()->isVisible());
        QCOMPARE(window.findChildren<QMessageBox *>(QStringLiteral("storageFault")).size(), 1);

        // The confirmation: Cancel changes nothing.
        QSignalSpy requested(&window, &MainWindow::rebuildCacheRequested);
        window.rebuildCacheAction()->trigger();
        auto *confirm = window.findChild<QMessageBox *>(QStringLiteral("confirmRebuild"));
        QVERIFY(confirm);
        QTest::mouseClick(confirm->button(QMessageBox::Cancel), Qt::LeftButton);
        QCOMPARE(requested.size(), 0);

        // The live connection still reads the outbox; the rebuild comes from the platform.
        const auto e = CacheRecovery::exportOutbox(dir, db.get());
        QVERIFY2(e, qPrintable(why(e)));
        QCOMPARE(e->source, QStringLiteral("outbox"));
        QCOMPARE(commandIds(*e), queued);
        const auto r = CacheRebuild::run(dir, {}, db.get());
        QVERIFY2(r, qPrintable(why(r)));
        QVERIFY2(r->pull.error.isEmpty(), qPrintable(r->pull.error));
        // Only the running console's WAL was left: kept, moved aside so the new file is clean.
        QVERIFY2(QFileInfo::exists(r->movedTo + QStringLiteral("-wal")), qPrintable(r->movedTo));
        QCOMPARE(r->replay.applied, 1);
        QVERIFY(r->replay.rejected.isEmpty());
        verifyOnce(queued);
        QCOMPARE(column(Database::pathInDir(dir), kCaseSql),
                 column(m_platform->databasePath(), kCaseSql));
    }
};

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    TestStorageFaults test;
    const int rc = QTest::qExec(&test, argc, argv);
    test.printSummary();
    return rc;
}
#include "tst_storage_faults.moc"
