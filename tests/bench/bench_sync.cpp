// cityops-bench-sync: the platform and the console's sync, on loopback, in one run.
// Starts a real cityops-platform with a seeded demo district, then measures: the first sync of an
// empty console cache (SyncEngine: reference data, pipelined snapshot, feed) against a floor (the
// same case and event rows inserted straight into SQLite in one transaction), command round trips,
// console→platform→console propagation through the long-poll feed, and platform throughput with
// many simulated consoles. Prints one JSON object last.
#include "benchstats.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "platformtest.h"
#include "storage/casestore.h"
#include "storage/database.h"
#include "storage/syncstore.h"
#include "sync/syncengine.h"
#include "util/allocator.h"
#include "workflow/workflow.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>

using namespace cityops;
using namespace cityops::test;

using bench::percentile;

namespace {

void say(const QString &s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
    std::fflush(stdout);
}

/**
 * Inserts snapshot rows straight into SQLite (the floor): every row a page carries (each case
 * with all its columns, its events, its facts), prepared statements, one transaction.
 */
double floorInsert(const QString &path, const QList<sync::SnapshotPage> &pages)
{
    sqlite3 *db = nullptr;
    sqlite3_open(path.toUtf8().constData(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE IF NOT EXISTS c (id INTEGER PRIMARY KEY, category TEXT, state TEXT,"
                 " stage INT, priority INT, source TEXT, street_id INT, community_id INT,"
                 " grid_code TEXT, address TEXT, description TEXT, party TEXT, lon REAL, lat REAL,"
                 " reported_at INT, deadline_at INT, closed_at INT, unit_id INT, assignee_id INT,"
                 " version INT, updated_at INT, chain_head BLOB, pending TEXT, pending_by TEXT,"
                 " pending_at INT, pending_to_stage INT, assignee_code TEXT, handler TEXT,"
                 " linked_case INT);"
                 "CREATE TABLE IF NOT EXISTS f (case_id INTEGER PRIMARY KEY, reworks INT,"
                 " extensions INT, shelves INT, reopens INT, max_stage INT, skips INT,"
                 " req_stage INT, req_skip INT, late INT, due INT);"
                 "CREATE TABLE IF NOT EXISTS e (id INTEGER PRIMARY KEY, case_id INT, seq INT,"
                 " kind TEXT, actor TEXT, role TEXT, at INT, device TEXT, payload TEXT,"
                 " prev_hash BLOB, UNIQUE (case_id, seq));",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt *c = nullptr, *e = nullptr, *f = nullptr;
    sqlite3_prepare_v2(
        db,
        "INSERT INTO c VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
        "?,?)",
        -1, &c, nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO f VALUES (?,?,?,?,?,?,?,?,?,?,?)", -1, &f, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO e (case_id, seq, kind, actor, role, at, device, payload, "
                       "prev_hash) VALUES (?,?,?,?,?,?,?,?,?)",
                       -1, &e, nullptr);
    auto text = [](sqlite3_stmt *s, int i, const QString &v) {
        const QByteArray u = v.toUtf8();
        sqlite3_bind_text(s, i, u.constData(), int(u.size()), SQLITE_TRANSIENT);
    };
    auto optInt = [](sqlite3_stmt *s, int i, const std::optional<qint64> &v) {
        if (v)
            sqlite3_bind_int64(s, i, *v);
        else
            sqlite3_bind_null(s, i);
    };
    QElapsedTimer t;
    t.start();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (const auto &page : pages) {
        for (const auto &ce : page.cases) {
            const sync::CaseRow &r = ce.row;
            sqlite3_bind_int64(c, 1, r.id);
            text(c, 2, r.category);
            text(c, 3, r.state);
            sqlite3_bind_int(c, 4, r.stage);
            sqlite3_bind_int(c, 5, r.priority);
            text(c, 6, r.source);
            optInt(c, 7, r.streetId);
            optInt(c, 8, r.communityId);
            text(c, 9, r.gridCode.value_or(QString()));
            text(c, 10, r.address);
            text(c, 11, r.description);
            text(c, 12, r.party.value_or(QString()));
            sqlite3_bind_double(c, 13, r.lon);
            sqlite3_bind_double(c, 14, r.lat);
            sqlite3_bind_int64(c, 15, r.reportedAt);
            optInt(c, 16, r.deadlineAt);
            optInt(c, 17, r.closedAt);
            optInt(c, 18, r.unitId);
            optInt(c, 19, r.assigneeId);
            sqlite3_bind_int(c, 20, r.version);
            sqlite3_bind_int64(c, 21, r.updatedAt);
            sqlite3_bind_blob(c, 22, r.chainHead.constData(), int(r.chainHead.size()),
                              SQLITE_TRANSIENT);
            text(c, 23, r.pending.value_or(QString()));
            text(c, 24, r.pendingBy.value_or(QString()));
            optInt(c, 25, r.pendingAt);
            optInt(c, 26, r.pendingToStage);
            text(c, 27, r.assigneeCode.value_or(QString()));
            text(c, 28, r.handler.value_or(QString()));
            optInt(c, 29, r.linkedCase);
            sqlite3_step(c);
            sqlite3_reset(c);
            if (const auto &x = ce.facts) {
                int i = 0;
                for (const qint64 v :
                     {qint64(r.id), qint64(x->reworks), qint64(x->extensions), qint64(x->shelves),
                      qint64(x->reopens), qint64(x->maxStage), qint64(x->skips)})
                    sqlite3_bind_int64(f, ++i, v);
                optInt(f, ++i, x->reqStage);
                optInt(f, ++i, x->reqSkip);
                sqlite3_bind_int(f, ++i, x->late ? 1 : 0);
                optInt(f, ++i, x->due);
                sqlite3_step(f);
                sqlite3_reset(f);
            }
            for (const auto &ev : ce.events) {
                sqlite3_bind_int64(e, 1, ev.caseId);
                sqlite3_bind_int(e, 2, ev.seq);
                text(e, 3, ev.kind);
                text(e, 4, ev.actor);
                text(e, 5, ev.role);
                sqlite3_bind_int64(e, 6, ev.at);
                text(e, 7, ev.device);
                sqlite3_bind_text(e, 8, ev.payload.constData(), int(ev.payload.size()),
                                  SQLITE_TRANSIENT);
                sqlite3_bind_blob(e, 9, ev.prevHash.constData(), int(ev.prevHash.size()),
                                  SQLITE_TRANSIENT);
                sqlite3_step(e);
                sqlite3_reset(e);
            }
        }
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    const double ms = double(t.nsecsElapsed()) / 1e6;
    sqlite3_finalize(c);
    sqlite3_finalize(e);
    sqlite3_finalize(f);
    sqlite3_close(db);
    return ms;
}

/**
 * Fetches every snapshot page (decoded) in the format the sync uses (binary); decodeMs: the part
 * of ms spent decoding.
 */
QList<sync::SnapshotPage> fetchSnapshot(Client &client, int limit, double *ms, double *decodeMs,
                                        qint64 *bytes)
{
    QList<sync::SnapshotPage> pages;
    QElapsedTimer t, d;
    t.start();
    CaseId after = 0;
    *decodeMs = 0;
    *bytes = 0;
    for (;;) {
        const Answer a = client.request(
            "GET", QStringLiteral("/api/v1/snapshot?after=%1&limit=%2").arg(after).arg(limit), {},
            {{"Accept", sync::kSnapshotBinaryType}});
        if (a.status != 200)
            qFatal("snapshot: HTTP %d %s", a.status, a.body.constData());
        *bytes += a.body.size();
        d.start();
        auto page = sync::decodeSnapshot(a.body, a.header("Content-Type"));
        *decodeMs += double(d.nsecsElapsed()) / 1e6;
        if (!page)
            qFatal("snapshot: %s", qPrintable(page.error()));
        pages << *page;
        after = page->next;
        if (!page->more)
            break;
    }
    *ms = double(t.nsecsElapsed()) / 1e6;
    return pages;
}

} // namespace

int main(int argc, char *argv[])
{
    // As the console does: the snapshot pages reuse freed memory (util/allocator.h), and SQLite
    // keeps no memory statistics.
    keepFreedMemoryForReuse();
    Database::configureLibrary();
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Benchmark of the platform and sync on loopback."));
    p.addHelpOption();
    const QCommandLineOption casesOpt(QStringLiteral("cases"),
                                      QStringLiteral("Cases on the platform (default 200000)."),
                                      QStringLiteral("N"), QStringLiteral("200000"));
    const QCommandLineOption rttOpt(QStringLiteral("rtt"),
                                    QStringLiteral("Command round trips (default 300)."),
                                    QStringLiteral("N"), QStringLiteral("300"));
    const QCommandLineOption propOpt(QStringLiteral("propagation"),
                                     QStringLiteral("Propagation samples (default 100)."),
                                     QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption consolesOpt(QStringLiteral("consoles"),
                                         QStringLiteral("Simulated consoles (default 50)."),
                                         QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption batchOpt(
        QStringLiteral("batch"),
        QStringLiteral("Commands per batch each console sends (default 20)."), QStringLiteral("N"),
        QStringLiteral("20"));
    const QCommandLineOption secondsOpt(QStringLiteral("seconds"),
                                        QStringLiteral("Throughput phase length (default 10)."),
                                        QStringLiteral("S"), QStringLiteral("10"));
    p.addOptions({casesOpt, rttOpt, propOpt, consolesOpt, batchOpt, secondsOpt});
    p.process(app);
    const qint64 cases = p.value(casesOpt).toLongLong();
    const int rttRuns = p.value(rttOpt).toInt();
    const int propRuns = p.value(propOpt).toInt();
    const int consoles = p.value(consolesOpt).toInt();
    const int batch = p.value(batchOpt).toInt();
    const int seconds = p.value(secondsOpt).toInt();

    QTemporaryDir dir;
    const QString platformDir = dir.filePath(QStringLiteral("platform"));
    QElapsedTimer setup;
    setup.start();
    PlatformProcess platform;
    if (!platform.start(platformDir,
                        {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                         QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                         QStringLiteral("1"), QStringLiteral("--cases"), QString::number(cases)})) {
        std::fprintf(stderr, "platform did not start: %s\n", platform.output().constData());
        return 1;
    }
    say(QStringLiteral("platform with %1 cases up at %2 in %3 s")
            .arg(cases)
            .arg(platform.url().toString())
            .arg(setup.elapsed() / 1000.0, 0, 'f', 1));

    // 1. The first sync of an empty console cache, as the console and the CLI do it: reference
    // data, then the snapshot (page N+1 fetched and decoded while page N is applied), then the
    // feed. Then, for comparison, the same pages fetched alone, applied alone, and the floor.
    const QString consoleDir = dir.filePath(QStringLiteral("console"));
    double syncMs = 0;
    qint64 rows = 0;
    {
        SyncEngine engine(consoleDir, platform.url());
        if (auto s = engine.login(QStringLiteral("operator1"), QStringLiteral("demo")); !s)
            qFatal("login: %s", qPrintable(s.error()));
        // login() fetched the reference data already; the timed sync starts from no cases.
        QElapsedTimer t;
        t.start();
        const SyncReport r = engine.syncOnce();
        syncMs = double(t.nsecsElapsed()) / 1e6;
        if (!r.error.isEmpty())
            qFatal("first sync: %s", qPrintable(r.error));
    }
    if (auto db = Database::openDir(consoleDir))
        rows = CaseStore(*db).caseCount();
    Client reader(platform.url());
    if (reader.login(QStringLiteral("operator1")).status != 200)
        qFatal("login failed");
    double fetchMs = 0, decodeMs = 0;
    qint64 pageBytes = 0;
    const QList<sync::SnapshotPage> pages =
        fetchSnapshot(reader, sync::kMaxSnapshotLimit, &fetchMs, &decodeMs, &pageBytes);
    qint64 pageRows = 0, events = 0;
    for (const auto &pg : pages) {
        pageRows += pg.cases.size();
        for (const auto &c : pg.cases)
            events += c.events.size();
    }
    if (pageRows != rows)
        qFatal("the first sync holds %lld cases, the snapshot %lld", rows, pageRows);
    double applyMs = 0;
    {
        const QString applyDir = dir.filePath(QStringLiteral("apply"));
        auto db = Database::openDir(applyDir);
        if (!db)
            qFatal("%s", qPrintable(db.error()));
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        SyncStore store(*db, wf);
        const auto reference =
            sync::decodeReference(reader.get(QStringLiteral("/api/v1/reference")).body);
        if (!reference)
            qFatal("reference: %s", qPrintable(reference.error()));
        if (auto s = store.applyReference(*reference); !s)
            qFatal("applyReference: %s", qPrintable(s.error()));
        QElapsedTimer t;
        t.start();
        for (const auto &pg : pages)
            if (auto r = store.applySnapshotPage(pg); !r)
                qFatal("applySnapshotPage: %s", qPrintable(r.error()));
        applyMs = double(t.nsecsElapsed()) / 1e6;
    }
    // The better of two runs: a disturbed floor would flatter the ratio.
    const double floorMs = std::min(floorInsert(dir.filePath(QStringLiteral("floor.db")), pages),
                                    floorInsert(dir.filePath(QStringLiteral("floor2.db")), pages));
    const double snapshotRate = rows / (syncMs / 1000.0);
    const double applyRate = rows / (applyMs / 1000.0);
    const double floorRate = rows / (floorMs / 1000.0);
    say(QStringLiteral("snapshot: %1 cases (%2 events) synced into an empty cache in %3 ms → %4 "
                       "rows/s end to end; alone: fetched+decoded in %5 ms (%10 MB, decoding %11 "
                       "ms), applied in %6 ms (%7 rows/s); floor %8 ms → %9 rows/s")
            .arg(rows)
            .arg(events)
            .arg(syncMs, 0, 'f', 0)
            .arg(snapshotRate, 0, 'f', 0)
            .arg(fetchMs, 0, 'f', 0)
            .arg(applyMs, 0, 'f', 0)
            .arg(applyRate, 0, 'f', 0)
            .arg(floorMs, 0, 'f', 0)
            .arg(floorRate, 0, 'f', 0)
            .arg(double(pageBytes) / 1e6, 0, 'f', 1)
            .arg(decodeMs, 0, 'f', 0));

    // 2. Command round trip: one report per batch, sequential.
    Client op(platform.url());
    op.login(QStringLiteral("operator1"));
    std::vector<double> rtt;
    for (int i = 0; i < rttRuns; ++i) {
        QElapsedTimer t;
        t.start();
        const auto res =
            op.commands({report(QStringLiteral("E0304"), QStringLiteral("基准 %1").arg(i))});
        rtt.push_back(double(t.nsecsElapsed()) / 1e6);
        if (res.size() != 1 || res.first().status != sync::CommandStatus::Applied)
            qFatal("round trip %d not applied", i);
    }
    say(QStringLiteral("command round trip p50/p95/p99: %1 / %2 / %3 ms")
            .arg(percentile(rtt, 50), 0, 'f', 2)
            .arg(percentile(rtt, 95), 0, 'f', 2)
            .arg(percentile(rtt, 99), 0, 'f', 2));

    // 3. Propagation: console B long-polls the feed; console A sends a command.
    Client watcher(platform.url());
    watcher.login(QStringLiteral("dispatcher1"));
    qint64 cursor = 0;
    {
        const Answer a = watcher.get(QStringLiteral("/api/v1/changes?since=0&limit=1"));
        auto page = sync::decodeChanges(a.body);
        if (!page)
            qFatal("changes: %s", qPrintable(page.error()));
        // Skip to the end of the feed.
        cursor = page->cursor;
        while (page->more) {
            const Answer b = watcher.get(QStringLiteral("/api/v1/changes?since=%1&limit=%2")
                                             .arg(cursor)
                                             .arg(sync::kMaxChangesLimit));
            page = sync::decodeChanges(b.body);
            cursor = page->cursor;
        }
    }
    std::vector<double> prop;
    for (int i = 0; i < propRuns; ++i) {
        QNetworkReply *poll = watcher.send(
            "GET", QStringLiteral("/api/v1/changes?since=%1&limit=100&wait=10").arg(cursor));
        QTest::qWait(5); // the poll is parked on the platform
        QElapsedTimer t;
        t.start();
        QNetworkReply *cmd =
            op.send("POST", QStringLiteral("/api/v1/commands"),
                    sync::encodeCommands(
                        {report(QStringLiteral("E0304"), QStringLiteral("传播 %1").arg(i))}));
        const Answer seen = Client::wait(poll, 15000);
        prop.push_back(double(t.nsecsElapsed()) / 1e6);
        Client::wait(cmd);
        auto page = sync::decodeChanges(seen.body);
        if (!page || page->changes.isEmpty())
            qFatal("propagation %d: nothing arrived", i);
        cursor = page->cursor;
    }
    say(QStringLiteral("propagation p50/p95/p99: %1 / %2 / %3 ms")
            .arg(percentile(prop, 50), 0, 'f', 2)
            .arg(percentile(prop, 95), 0, 'f', 2)
            .arg(percentile(prop, 99), 0, 'f', 2));

    // 4. Throughput: N consoles, each with its own connection, sending batches back to back.
    std::vector<std::unique_ptr<Client>> fleet;
    for (int i = 0; i < consoles; ++i) {
        fleet.push_back(std::make_unique<Client>(platform.url()));
        fleet.back()->setToken(op.token());
    }
    qint64 applied = 0, sent = 0;
    int inFlight = 0;
    // The client waits for its replies in an event loop that sleeps until one arrives: polling
    // would spin a core that the platform needs on a small machine.
    QEventLoop phase;
    QElapsedTimer clock;
    clock.start();
    const qint64 endAt = qint64(seconds) * 1000;
    std::function<void(int)> fire = [&](int i) {
        QList<sync::ClientCommand> b;
        for (int k = 0; k < batch; ++k)
            b << report(QStringLiteral("E0304"), QStringLiteral("吞吐 %1").arg(sent + k));
        sent += batch;
        ++inFlight;
        QNetworkReply *r = fleet[size_t(i)]->send("POST", QStringLiteral("/api/v1/commands"),
                                                  sync::encodeCommands(b));
        QObject::connect(r, &QNetworkReply::finished, r, [&, r, i] {
            const QByteArray body = r->readAll();
            r->deleteLater();
            --inFlight;
            if (auto res = sync::decodeResults(body))
                for (const auto &x : *res)
                    applied += x.status == sync::CommandStatus::Applied;
            if (clock.elapsed() < endAt)
                fire(i);
            else if (inFlight == 0)
                phase.quit();
        });
    };
    for (int i = 0; i < consoles; ++i)
        fire(i);
    // Run for the phase, then let every batch in flight finish (they count, and so does their
    // time).
    QTimer::singleShot(int(endAt + 300000), &phase, &QEventLoop::quit);
    phase.exec();
    const double throughput = applied / (clock.elapsed() / 1000.0);
    say(QStringLiteral("throughput: %1 consoles, batches of %2: %3 commands applied in %4 s → %5 "
                       "commands/s")
            .arg(consoles)
            .arg(batch)
            .arg(applied)
            .arg(clock.elapsed() / 1000.0, 0, 'f', 1)
            .arg(throughput, 0, 'f', 0));
    platform.stop();

    const QJsonObject out{{"cases", cases},
                          {"snapshot_rows_per_s", snapshotRate},
                          {"snapshot_apply_rows_per_s", applyRate},
                          {"floor_rows_per_s", floorRate},
                          {"snapshot_over_floor", snapshotRate / floorRate},
                          {"snapshot_sync_ms", syncMs},
                          {"snapshot_fetch_ms", fetchMs},
                          {"snapshot_decode_ms", decodeMs},
                          {"snapshot_apply_ms", applyMs},
                          {"cmd_rtt_p50_ms", percentile(rtt, 50)},
                          {"cmd_rtt_p95_ms", percentile(rtt, 95)},
                          {"cmd_rtt_p99_ms", percentile(rtt, 99)},
                          {"propagation_p50_ms", percentile(prop, 50)},
                          {"propagation_p95_ms", percentile(prop, 95)},
                          {"propagation_p99_ms", percentile(prop, 99)},
                          {"platform_cmds_per_s", throughput},
                          {"consoles", consoles},
                          {"batch", batch},
                          {"targets", QJsonObject{{"snapshot_over_floor_min", 0.5},
                                                  {"snapshot_rows_per_s_min", 20000},
                                                  {"cmd_rtt_p95_ms_max", 50},
                                                  {"propagation_p95_ms_max", 1000},
                                                  {"platform_cmds_per_s_min", 2000}}}};
    std::fprintf(stdout, "%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
