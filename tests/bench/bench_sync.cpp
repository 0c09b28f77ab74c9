// cityops-bench-sync: the platform and the console's sync, on loopback, in one run.
// Starts a real cityops-platform with a seeded demo district, then measures: the first sync of an
// empty console cache (SyncEngine: reference data, pipelined snapshot, feed) against a floor (the
// same case and event rows inserted straight into SQLite in one transaction), command round trips,
// console→platform→console propagation through the long-poll feed, and platform throughput with
// many simulated consoles; and, with scoped accounts (issue 19), the snapshot of one street against
// the whole district's and the command throughput of consoles of different scopes against the
// same load sent by a district account. Prints one JSON object last.
#include "benchstats.h"
#include "domain/catalogue.h"
#include "domain/scope.h"
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
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <numeric>

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

/** What a fleet of simulated consoles got done in one phase. */
struct FleetRun
{
    qint64 applied = 0;
    qint64 refused = 0;
    QMap<QString, qint64> refusedBy; ///< refusal code → count
    double seconds = 0;
    double perSecond() const { return seconds > 0 ? double(applied) / seconds : 0; }
};

/**
 * One console per token, each on its own connection, sending the batches `makeBatch(console)`
 * back to back for `seconds`; batches still in flight at the end are waited for and counted, with
 * their time.
 */
FleetRun runFleet(const QUrl &url, const std::vector<QByteArray> &tokens, int seconds,
                  const std::function<QList<sync::ClientCommand>(int)> &makeBatch)
{
    std::vector<std::unique_ptr<Client>> fleet;
    for (const QByteArray &token : tokens) {
        fleet.push_back(std::make_unique<Client>(url));
        fleet.back()->setToken(token);
    }
    FleetRun run;
    int inFlight = 0;
    // The client waits for its replies in an event loop that sleeps until one arrives: polling
    // would spin a core that the platform needs on a small machine.
    QEventLoop phase;
    QElapsedTimer clock;
    clock.start();
    const qint64 endAt = qint64(seconds) * 1000;
    std::function<void(int)> fire = [&](int i) {
        ++inFlight;
        QNetworkReply *r = fleet[size_t(i)]->send("POST", QStringLiteral("/api/v1/commands"),
                                                  sync::encodeCommands(makeBatch(i)));
        QObject::connect(r, &QNetworkReply::finished, r, [&, r, i] {
            const QByteArray body = r->readAll();
            r->deleteLater();
            --inFlight;
            if (auto res = sync::decodeResults(body)) {
                for (const auto &x : *res) {
                    if (x.status == sync::CommandStatus::Applied) {
                        ++run.applied;
                    } else {
                        ++run.refused;
                        ++run.refusedBy[x.code];
                    }
                }
            } else {
                ++run.refusedBy[QStringLiteral("http")];
            }
            if (clock.elapsed() < endAt)
                fire(i);
            else if (inFlight == 0)
                phase.quit();
        });
    };
    for (int i = 0; i < int(fleet.size()); ++i)
        fire(i);
    QTimer::singleShot(int(endAt + 300000), &phase, &QEventLoop::quit);
    phase.exec();
    run.seconds = double(clock.nsecsElapsed()) / 1e9;
    return run;
}

QString refusals(const FleetRun &r)
{
    QStringList out;
    for (auto it = r.refusedBy.cbegin(); it != r.refusedBy.cend(); ++it)
        out << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
    return out.isEmpty() ? QStringLiteral("none") : out.join(QStringLiteral(", "));
}

QJsonObject timings(const std::vector<double> &ms)
{
    QJsonArray samples;
    for (const double x : ms)
        samples.append(x);
    return {{"p50_ms", percentile(ms, 50)},
            {"samples_ms", samples},
            {"min_ms", *std::min_element(ms.begin(), ms.end())},
            {"max_ms", *std::max_element(ms.begin(), ms.end())}};
}

/**
 * The cases a scope sees (ResolvedScope::sees, on the platform's database) in a state a
 * supervisor can shelve, by id, at most `limit`.
 */
QList<CaseId> shelvableCases(const QString &dbPath, const QString &scopeText, int limit)
{
    const auto scope = Scope::parse(scopeText);
    if (!scope)
        qFatal("scope %s", qPrintable(scopeText));
    QString where;
    switch (scope->kind) {
    case Scope::Kind::District:
        where = QStringLiteral("1");
        break;
    case Scope::Kind::Street:
        where = QStringLiteral("street_id = (SELECT id FROM streets WHERE code = '%1')")
                    .arg(scope->code);
        break;
    case Scope::Kind::Community:
        where = QStringLiteral("community_id = (SELECT id FROM communities WHERE code = '%1')")
                    .arg(scope->code);
        break;
    case Scope::Kind::Department: {
        // The department's teams (in the street, or all of them) and their people.
        const QString team =
            QStringLiteral("t.kind = 'team' AND t.unit_type = '%1' AND ('%2' = '' OR t.street_id "
                           "= (SELECT id FROM streets WHERE code = '%2'))")
                .arg(scope->code, scope->street);
        const QString units = QStringLiteral("SELECT t.id FROM units t WHERE %1 UNION SELECT p.id "
                                             "FROM units p JOIN units t ON t.id = p.parent_id "
                                             "WHERE %1")
                                  .arg(team);
        where = QStringLiteral("(unit_id IN (%1) OR assignee_id IN (%1))").arg(units);
        break;
    }
    }
    QList<CaseId> out;
    for (const QString &id :
         column(dbPath, QStringLiteral("SELECT id FROM cases WHERE %1 AND state IN ('registered', "
                                       "'dispatched', 'handling', 'returned') ORDER BY id LIMIT %2")
                            .arg(where)
                            .arg(limit))) {
        bool ok = false;
        const CaseId c = id.toLongLong(&ok);
        if (!ok)
            qFatal("cases of %s: %s", qPrintable(scopeText), qPrintable(id));
        out << c;
    }
    return out;
}

/** The password of the accounts the benchmark adds (the demo's own have "demo"). */
const QString kBenchPassword = QStringLiteral("bench-password-19");

/** A supervisor's shelve (with its reason) or resume of a case. */
sync::ClientCommand shelveOrResume(CaseId id, bool shelve)
{
    Command c;
    c.action = shelve ? Action::Shelve : Action::Resume;
    if (shelve)
        c.reason = QStringLiteral("基准 暂停");
    return sync::ClientCommand::fromCommand(newId(), id, c, QStringLiteral("bench-console"), 1, 0);
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
    const QCommandLineOption scopedRunsOpt(
        QStringLiteral("scoped-runs"),
        QStringLiteral("Snapshots pulled as one street and as the district, each (default 3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption scopedRoundsOpt(
        QStringLiteral("scoped-rounds"),
        QStringLiteral("Scoped and district command phases, each (default 2; 0: none)."),
        QStringLiteral("N"), QStringLiteral("2"));
    p.addOptions({casesOpt, rttOpt, propOpt, consolesOpt, batchOpt, secondsOpt, scopedRunsOpt,
                  scopedRoundsOpt});
    p.process(app);
    const qint64 cases = p.value(casesOpt).toLongLong();
    const int rttRuns = p.value(rttOpt).toInt();
    const int propRuns = p.value(propOpt).toInt();
    const int consoles = p.value(consolesOpt).toInt();
    const int batch = p.value(batchOpt).toInt();
    const int seconds = p.value(secondsOpt).toInt();
    const int scopedRuns = std::max(1, p.value(scopedRunsOpt).toInt());
    const int scopedRounds = p.value(scopedRoundsOpt).toInt();

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

    // 1b. Scoped snapshot (issue 19), before any command adds cases: the whole snapshot pulled
    // as a street's operator (street01-operator, the operator of the street with the most cases
    // and of the one closest to a tenth of them) and as the district's, as the console pulls it
    // (binary pages of kMaxSnapshotLimit cases, decoded), interleaved, the order rotated from run
    // to run.
    const QString dbPath = platform.databasePath();
    struct Reader
    {
        QString account;
        QString scope;
        qint64 expected = 0; ///< the cases the scope holds
        std::unique_ptr<Client> client;
        std::vector<double> ms;
        qint64 cases = 0;
        qint64 bytes = 0;
    };
    std::vector<Reader> readers;
    auto addStreetReader = [&](const QString &account) {
        Reader r;
        r.account = account;
        r.scope =
            column(dbPath,
                   QStringLiteral("SELECT scope FROM accounts WHERE username = '%1'").arg(account))
                .value(0);
        const auto scope = Scope::parse(r.scope);
        if (!scope || scope->kind != Scope::Kind::Street)
            qFatal("%s has the scope \"%s\", not a street", qPrintable(account),
                   qPrintable(r.scope));
        r.expected =
            column(dbPath, QStringLiteral("SELECT count(*) FROM cases WHERE street_id = (SELECT id "
                                          "FROM streets WHERE code = '%1')")
                               .arg(scope->code))
                .value(0)
                .toLongLong();
        r.client = std::make_unique<Client>(platform.url());
        if (r.client->login(account).status != 200)
            qFatal("login %s failed", qPrintable(account));
        readers.push_back(std::move(r));
    };
    addStreetReader(QStringLiteral("street01-operator"));
    // The street with the most cases (the worst case), and the one closest to a tenth of the
    // district (ten streets: a typical one).
    for (const char *order :
         {"count(*) DESC", "abs(count(*) * 10 - (SELECT count(*) FROM cases))"}) {
        const QString account =
            column(dbPath,
                   QStringLiteral("SELECT a.username FROM accounts a JOIN streets s ON a.scope = "
                                  "'street:' || s.code JOIN cases c ON c.street_id = s.id WHERE "
                                  "a.role = 'operator' GROUP BY a.username ORDER BY %1, "
                                  "a.username LIMIT 1")
                       .arg(QLatin1String(order)))
                .value(0);
        if (!account.isEmpty() &&
            std::none_of(readers.begin(), readers.end(),
                         [&](const Reader &r) { return r.account == account; }))
            addStreetReader(account);
    }
    {
        Reader district;
        district.account = QStringLiteral("operator1");
        district.scope = QStringLiteral("district");
        district.expected = rows;
        district.client = std::make_unique<Client>(platform.url());
        if (district.client->login(district.account).status != 200)
            qFatal("login operator1 failed");
        readers.push_back(std::move(district));
    }
    for (int run = 0; run < scopedRuns; ++run) {
        for (std::size_t k = 0; k < readers.size(); ++k) {
            Reader &r = readers[(std::size_t(run) + k) % readers.size()];
            const bool street = r.scope != QLatin1String("district");
            double ms = 0, dec = 0;
            qint64 bytes = 0, n = 0;
            QSet<qint64> streets;
            for (const auto &pg :
                 fetchSnapshot(*r.client, sync::kMaxSnapshotLimit, &ms, &dec, &bytes)) {
                n += pg.cases.size();
                for (const auto &c : pg.cases)
                    streets.insert(c.row.streetId.value_or(0));
            }
            if (n != r.expected || (street && streets.size() > 1))
                qFatal("%s received %lld cases of %lld streets; its scope holds %lld",
                       qPrintable(r.account), n, qint64(streets.size()), r.expected);
            r.ms.push_back(ms);
            r.cases = n;
            r.bytes = bytes;
        }
    }
    const Reader &districtReader = readers.back();
    const double districtP50 = percentile(districtReader.ms, 50);
    QJsonArray streetFigures;
    for (const Reader &r : readers) {
        const double p50 = percentile(r.ms, 50);
        say(QStringLiteral("scoped snapshot (%1 runs, binary): %2 (%3) %4 cases (%5 %), %6 MB in "
                           "p50 %7 ms (%8–%9) → of the district's time %10")
                .arg(scopedRuns)
                .arg(r.account, r.scope)
                .arg(r.cases)
                .arg(100.0 * double(r.cases) / double(std::max<qint64>(1, rows)), 0, 'f', 1)
                .arg(double(r.bytes) / 1e6, 0, 'f', 1)
                .arg(p50, 0, 'f', 0)
                .arg(*std::min_element(r.ms.begin(), r.ms.end()), 0, 'f', 0)
                .arg(*std::max_element(r.ms.begin(), r.ms.end()), 0, 'f', 0)
                .arg(p50 / districtP50, 0, 'f', 3));
        if (&r == &districtReader)
            continue;
        QJsonObject o = timings(r.ms);
        o.insert(QLatin1String("account"), r.account);
        o.insert(QLatin1String("scope"), r.scope);
        o.insert(QLatin1String("cases"), r.cases);
        o.insert(QLatin1String("bytes"), r.bytes);
        o.insert(QLatin1String("share_of_cases"),
                 double(r.cases) / double(std::max<qint64>(1, rows)));
        o.insert(QLatin1String("ratio"), p50 / districtP50);
        streetFigures.append(o);
    }
    // The target's figure: street01-operator's p50 over the district's.
    const double scopedSnapshotRatio = percentile(readers.front().ms, 50) / districtP50;

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

    // 4. Throughput: N consoles, each with its own connection, sending batches of new reports
    // back to back.
    qint64 sent = 0;
    const FleetRun reports = runFleet(
        platform.url(), std::vector<QByteArray>(size_t(consoles), op.token()), seconds, [&](int) {
            QList<sync::ClientCommand> b;
            for (int k = 0; k < batch; ++k)
                b << report(QStringLiteral("E0304"), QStringLiteral("吞吐 %1").arg(sent + k));
            sent += batch;
            return b;
        });
    const double throughput = reports.perSecond();
    say(QStringLiteral("throughput: %1 consoles, batches of %2: %3 commands applied in %4 s → %5 "
                       "commands/s")
            .arg(consoles)
            .arg(batch)
            .arg(reports.applied)
            .arg(reports.seconds, 0, 'f', 1)
            .arg(throughput, 0, 'f', 0));

    // 5. Scoped commands (issue 19): the same fleet, each console signed in to an account of its
    // own scope (street sub-centres, enforcement squads, department bureaus, the district) and
    // acting only on cases that scope sees, against the same commands on the same cases sent by
    // the district's supervisor. The commands are shelve + resume pairs (the case ends each batch
    // as it was, so they stay valid for any length of run), which only supervisors may send: the
    // street sub-centres have supervisors (streetNN-supervisor); for the squads' and bureaus'
    // scopes the benchmark adds a supervisor account with the scope of cg-squadNN and TYPE-bureau
    // (`cityops-platform user add`), since those accounts' roles (enforcement, dispatcher)
    // cannot shelve. Each console gets its own cases (no two consoles share one).
    QJsonObject scopedCommands;
    double scopedCmdRatio = 0;
    if (scopedRounds > 0) {
        auto scopeOfAccount = [&](const QString &user) {
            return column(
                       dbPath,
                       QStringLiteral("SELECT scope FROM accounts WHERE username = '%1'").arg(user))
                .value(0);
        };
        auto addSupervisor = [&](const QString &name, const QString &scope) {
            const Run r = runProgram(QStringLiteral(CITYOPS_PLATFORM_BIN),
                                     {QStringLiteral("--data"), platformDir, QStringLiteral("user"),
                                      QStringLiteral("add"), name, QStringLiteral("--role"),
                                      QStringLiteral("supervisor"), QStringLiteral("--scope"),
                                      scope, QStringLiteral("--password-stdin")},
                                     kBenchPassword.toUtf8() + '\n');
            if (r.rc != 0)
                qFatal("user add %s: %s%s", qPrintable(name), qPrintable(r.out), qPrintable(r.err));
        };
        struct Seat
        {
            QString account;
            QString scope;
            bool add = false; ///< an account the benchmark adds
        };
        std::vector<std::vector<Seat>> kinds(4);
        for (int s = 1; s <= 10; ++s) {
            const QString tag = QStringLiteral("%1").arg(s, 2, 10, QLatin1Char('0'));
            const QString street = QStringLiteral("street%1-supervisor").arg(tag);
            if (const QString scope = scopeOfAccount(street); !scope.isEmpty())
                kinds[0].push_back({street, scope});
            if (const QString scope = scopeOfAccount(QStringLiteral("cg-squad") + tag);
                !scope.isEmpty()) {
                kinds[1].push_back({QStringLiteral("bench-squad") + tag, scope, true});
            }
        }
        for (const char *type : {"market", "water", "traffic", "construction"}) {
            if (const QString scope =
                    scopeOfAccount(QLatin1String(type) + QStringLiteral("-bureau"));
                !scope.isEmpty()) {
                kinds[2].push_back({QStringLiteral("bench-") + QLatin1String(type), scope, true});
            }
        }
        const QString district = QStringLiteral("supervisor1");
        kinds[3].push_back({district, scopeOfAccount(district)});
        // The kinds in turn, so that a small fleet has every kind too; the accounts a fleet of
        // this size uses are added (each `user add` hashes a password: about half a second).
        std::vector<Seat> seats;
        for (std::size_t j = 0; j < 10; ++j)
            for (const auto &k : kinds)
                if (j < k.size())
                    seats.push_back(k[j]);
        seats.resize(std::min(seats.size(), std::size_t(std::max(1, consoles))));
        for (const Seat &seat : seats)
            if (seat.add)
                addSupervisor(seat.account, seat.scope);
        QHash<QString, QByteArray> tokens;
        {
            Client c(platform.url());
            if (c.login(district).status != 200)
                qFatal("login %s failed", qPrintable(district));
            tokens.insert(district, c.token());
        }
        for (const Seat &seat : seats) {
            Client c(platform.url());
            if (c.login(seat.account, seat.account.startsWith(QLatin1String("bench-"))
                                          ? kBenchPassword
                                          : QStringLiteral("demo"))
                    .status != 200)
                qFatal("login %s failed", qPrintable(seat.account));
            tokens.insert(seat.account, c.token());
        }
        // Each console's cases (up to kPool, so that the cases' timelines, which every command
        // folds, grow slowly): the scarcest scopes (departments) choose first.
        constexpr int kPool = 100;
        std::vector<QList<CaseId>> pools(static_cast<size_t>(consoles));
        std::vector<int> order(static_cast<size_t>(consoles));
        std::iota(order.begin(), order.end(), 0);
        auto rank = [&](int i) {
            const QString &sc = seats[size_t(i) % seats.size()].scope;
            return sc.startsWith(QLatin1String("department")) ? 0
                   : sc.startsWith(QLatin1String("street"))   ? 1
                                                              : 2;
        };
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return rank(a) < rank(b); });
        QSet<CaseId> taken;
        QHash<QString, QList<CaseId>> candidates;
        for (const int i : order) {
            const QString &sc = seats[size_t(i) % seats.size()].scope;
            if (!candidates.contains(sc))
                candidates.insert(sc, shelvableCases(dbPath, sc, consoles * kPool * 2));
            for (const CaseId c : candidates.value(sc)) {
                if (pools[size_t(i)].size() == kPool)
                    break;
                if (!taken.contains(c)) {
                    taken.insert(c);
                    pools[size_t(i)] << c;
                }
            }
        }
        // A console whose scope holds no case it could shelve (a small district) sits out.
        std::vector<int> active;
        QStringList idle;
        for (int i = 0; i < consoles; ++i) {
            if (pools[size_t(i)].isEmpty())
                idle << seats[size_t(i) % seats.size()].account;
            else
                active.push_back(i);
        }
        std::vector<QByteArray> scopedTokens, districtTokens;
        QSet<QString> accounts;
        for (const int i : active) {
            const Seat &seat = seats[size_t(i) % seats.size()];
            scopedTokens.push_back(tokens.value(seat.account));
            districtTokens.push_back(tokens.value(district));
            accounts.insert(seat.account);
        }
        std::vector<qint64> next(active.size(), 0);
        const int pairs = std::max(1, batch / 2);
        auto makeBatch = [&](int k) {
            const QList<CaseId> &pool = pools[size_t(active[size_t(k)])];
            QList<sync::ClientCommand> b;
            for (int j = 0; j < pairs; ++j) {
                const CaseId c = pool.at(qsizetype(next[size_t(k)]++ % pool.size()));
                b << shelveOrResume(c, true) << shelveOrResume(c, false);
            }
            return b;
        };
        FleetRun scopedSum, districtSum;
        QJsonArray perRound;
        auto add = [](FleetRun &sum, const FleetRun &r) {
            sum.applied += r.applied;
            sum.refused += r.refused;
            sum.seconds += r.seconds;
            for (auto it = r.refusedBy.cbegin(); it != r.refusedBy.cend(); ++it)
                sum.refusedBy[it.key()] += it.value();
        };
        if (!active.empty()) {
            for (int r = 0; r < scopedRounds; ++r) {
                QJsonObject round;
                // Alternated order: a drift of the machine weighs on both sides alike.
                for (int k = 0; k < 2; ++k) {
                    const bool scoped = (r + k) % 2 == 0;
                    const FleetRun run = runFleet(
                        platform.url(), scoped ? scopedTokens : districtTokens, seconds, makeBatch);
                    add(scoped ? scopedSum : districtSum, run);
                    round.insert(
                        QLatin1String(scoped ? "scoped_cmds_per_s" : "district_cmds_per_s"),
                        run.perSecond());
                    say(QStringLiteral("scoped commands, round %1, %2: %3 commands applied in %4 s "
                                       "→ %5 commands/s (refused: %6)")
                            .arg(r + 1)
                            .arg(scoped ? QStringLiteral("%1 accounts of their own scopes")
                                              .arg(accounts.size())
                                        : QStringLiteral("all as supervisor1 (district)"))
                            .arg(run.applied)
                            .arg(run.seconds, 0, 'f', 1)
                            .arg(run.perSecond(), 0, 'f', 0)
                            .arg(refusals(run)));
                }
                perRound.append(round);
            }
        }
        scopedCmdRatio =
            districtSum.perSecond() > 0 ? scopedSum.perSecond() / districtSum.perSecond() : 0;
        say(QStringLiteral("scoped commands: %1 consoles (%2 accounts; sitting out for want of "
                           "cases: %3), shelve+resume pairs, batches of %4: scoped %5 commands/s, "
                           "district %6 commands/s → %7")
                .arg(active.size())
                .arg(accounts.size())
                .arg(idle.isEmpty() ? QStringLiteral("none") : idle.join(QLatin1Char(' ')))
                .arg(pairs * 2)
                .arg(scopedSum.perSecond(), 0, 'f', 0)
                .arg(districtSum.perSecond(), 0, 'f', 0)
                .arg(scopedCmdRatio, 0, 'f', 3));
        QJsonArray seatList;
        for (const int i : active)
            seatList.append(seats[size_t(i) % seats.size()].scope);
        scopedCommands = QJsonObject{{"consoles", int(active.size())},
                                     {"accounts", int(accounts.size())},
                                     {"scopes", seatList},
                                     {"idle_consoles", int(idle.size())},
                                     {"batch", pairs * 2},
                                     {"rounds", scopedRounds},
                                     {"seconds_per_phase", seconds},
                                     {"scoped_cmds_per_s", scopedSum.perSecond()},
                                     {"district_cmds_per_s", districtSum.perSecond()},
                                     {"scoped_refused", scopedSum.refused},
                                     {"district_refused", districtSum.refused},
                                     {"ratio", scopedCmdRatio},
                                     {"per_round", perRound}};
    }
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
                          {"scoped_snapshot", QJsonObject{{"runs", scopedRuns},
                                                          {"streets", streetFigures},
                                                          {"district_cases", districtReader.cases},
                                                          {"district_bytes", districtReader.bytes},
                                                          {"district", timings(districtReader.ms)},
                                                          {"ratio", scopedSnapshotRatio}}},
                          {"scoped_commands", scopedCommands},
                          {"targets", QJsonObject{{"snapshot_over_floor_min", 0.5},
                                                  {"scoped_snapshot_ratio_max", 0.15},
                                                  {"scoped_commands_ratio_min", 0.8},
                                                  {"snapshot_rows_per_s_min", 20000},
                                                  {"cmd_rtt_p95_ms_max", 50},
                                                  {"propagation_p95_ms_max", 1000},
                                                  {"platform_cmds_per_s_min", 2000}}}};
    std::fprintf(stdout, "%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
