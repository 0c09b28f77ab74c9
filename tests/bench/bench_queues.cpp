// cityops-bench-queues: how the case queues behave on a large local cache.
// Generates (or reuses) a demo cache, then measures the console's queue interactions and, for
// each, the same query run directly on SQLite (the floor). Prints one JSON object last.
#include "benchstats.h"
#include "demo/demogenerator.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "itemmodels/caselistmodel.h"
#include "storage/caserepository.h"
#include "storage/casestore.h"
#include "storage/database.h"
#include "storage/searchindex.h"
#include "util/rng.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace cityops;

using bench::percentile;

namespace {

std::vector<double> measure(int runs, const std::function<void(int)> &op)
{
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        op(i);
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    return ms;
}

QJsonObject stats(const std::vector<double> &ms, const std::vector<double> &floor)
{
    const double p95 = percentile(ms, 95), fp95 = percentile(floor, 95);
    return {{"p50_ms", percentile(ms, 50)}, {"p95_ms", p95},
            {"p99_ms", percentile(ms, 99)}, {"floor_p50_ms", percentile(floor, 50)},
            {"floor_p95_ms", fp95},         {"ratio_p95", fp95 > 0 ? p95 / fp95 : 0}};
}

double peakRssMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return 0;
}

/** The floor: the same query text the store builds, run straight on SQLite. */
class Floor
{
public:
    explicit Floor(const QString &path)
    {
        sqlite3_open_v2(path.toUtf8().constData(), &m_db, SQLITE_OPEN_READONLY, nullptr);
        // The same connection settings as the store's, so the floor measures the query alone.
        sqlite3_exec(m_db, "PRAGMA cache_size = -65536;", nullptr, nullptr, nullptr);
    }
    ~Floor() { sqlite3_close_v2(m_db); }
    /** Count plus the first `rows` ids, as the queue needs for its first screen. */
    void page(const QString &where, const QVariantList &binds, const QString &order, int rows)
    {
        run(QStringLiteral("SELECT count(*) FROM cases c") + where, binds);
        run(QStringLiteral(
                "SELECT c.id, c.address, c.deadline_at FROM cases c%1 ORDER BY %2 LIMIT %3")
                .arg(where, order)
                .arg(rows),
            binds);
    }
    void run(const QString &sql, const QVariantList &binds)
    {
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.toUtf8().constData(), -1, &st, nullptr) != SQLITE_OK) {
            std::fprintf(stderr, "floor: %s\n", sqlite3_errmsg(m_db));
            return;
        }
        int i = 0;
        for (const QVariant &v : binds) {
            ++i;
            if (v.typeId() == QMetaType::QString) {
                const QByteArray u = v.toString().toUtf8();
                sqlite3_bind_text(st, i, u.constData(), int(u.size()), SQLITE_TRANSIENT);
            } else {
                sqlite3_bind_int64(st, i, v.toLongLong());
            }
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
        }
        sqlite3_finalize(st);
    }

private:
    sqlite3 *m_db = nullptr;
};

void firstScreen(const CaseListModel &m)
{
    for (int r = 0; r < std::min(40, m.rowCount()); ++r) {
        for (int c = 0; c < CaseListModel::ColumnCount; ++c)
            (void)m.index(r, c).data();
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Benchmark of the case queues."));
    p.addHelpOption();
    const QCommandLineOption casesOpt(QStringLiteral("cases"),
                                      QStringLiteral("Cases (default 1000000)."),
                                      QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption dataOpt(QStringLiteral("data"),
                                     QStringLiteral("Cache directory to reuse or create (default: "
                                                    "/tmp/cityops-bench-<cases>)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption runsOpt(QStringLiteral("runs"),
                                     QStringLiteral("Repetitions per interaction (default 40)."),
                                     QStringLiteral("K"), QStringLiteral("40"));
    p.addOptions({casesOpt, dataOpt, runsOpt});
    p.process(app);
    const qint64 cases = p.value(casesOpt).toLongLong();
    const int runs = std::max(3, p.value(runsOpt).toInt());
    const QString dir =
        p.isSet(dataOpt) ? p.value(dataOpt) : QStringLiteral("/tmp/cityops-bench-%1").arg(cases);

    QElapsedTimer setup;
    setup.start();
    if (!QFile::exists(Database::pathInDir(dir))) {
        DemoOptions o;
        o.cases = cases;
        auto r = DemoGenerator::generate(dir, o);
        if (!r) {
            std::fprintf(stderr, "generate: %s\n", qPrintable(r.error()));
            return 1;
        }
    }
    qint64 indexMs = 0;
    {
        auto db = Database::openDir(dir);
        if (!db) {
            std::fprintf(stderr, "%s\n", qPrintable(db.error()));
            return 1;
        }
        QElapsedTimer t;
        t.start();
        (void)SearchIndex::catchUp(**db, 1LL << 40);
        indexMs = t.elapsed();
    }
    std::fprintf(stderr, "setup (generate if needed + search index): %lld ms\n", setup.elapsed());

    // Cold open: open the cache, build the queue model, show the first screen of rows.
    QElapsedTimer open;
    open.start();
    auto db = *Database::openDir(dir);
    auto store = std::make_shared<CaseStore>(db);
    CaseListModel model(store);
    model.setClock([] { return DemoOptions::kDefaultAnchorMs; });
    CaseQuery start;
    start.queue = Queue::Intake;
    start.now = DemoOptions::kDefaultAnchorMs;
    model.setQuery(start);
    firstScreen(model);
    const double openMs = double(open.nsecsElapsed()) / 1e6;

    Floor floor(Database::pathInDir(dir));
    // The floor runs the very statements the store prepares (count and first page), straight
    // on SQLite: what is left between the two is the model, QtSql and formatting.
    auto floorPage = [&](const CaseQuery &q, CaseSort sort, Qt::SortOrder order) {
        QVariantList cb;
        floor.run(store->countSql(q, cb), cb);
        QVariantList pb;
        const QString sql = store->pageSql(q, sort, order, pb);
        pb << CaseListModel::kPageSize << 0; // the model reads a whole page at once
        floor.run(sql, pb);
    };
    const QList<Queue> tabs{Queue::Intake,   Queue::Dispatch, Queue::InProgress, Queue::Verify,
                            Queue::Approval, Queue::Overdue,  Queue::Shelved,    Queue::Closed};
    auto tabQuery = [&](int i) {
        CaseQuery q;
        q.queue = tabs.at(i % tabs.size());
        q.now = DemoOptions::kDefaultAnchorMs;
        return q;
    };
    QJsonObject ops;
    ops.insert(QStringLiteral("tab_switch"), stats(measure(runs,
                                                           [&](int i) {
                                                               model.setQuery(tabQuery(i));
                                                               firstScreen(model);
                                                           }),
                                                   measure(runs, [&](int i) {
                                                       floorPage(tabQuery(i), CaseSort::Id,
                                                                 Qt::DescendingOrder);
                                                   })));

    CaseQuery all;
    all.now = DemoOptions::kDefaultAnchorMs;
    auto slaOrder = [](int i) {
        return i % 2 ? Qt::DescendingOrder : Qt::AscendingOrder;
    };
    ops.insert(
        QStringLiteral("sort_sla"),
        stats(measure(runs,
                      [&](int i) {
                          model.setQuery(all);
                          model.sort(CaseListModel::SlaColumn, slaOrder(i));
                          firstScreen(model);
                          model.sort(CaseListModel::IdColumn, Qt::DescendingOrder);
                      }),
              measure(runs, [&](int i) { floorPage(all, CaseSort::Deadline, slaOrder(i)); })));

    auto filterQuery = [&](int i) {
        CaseQuery q;
        q.streetId = 1 + i % 10;
        q.category = i % 2 ? QStringLiteral("E0401") : QStringLiteral("E01");
        q.now = DemoOptions::kDefaultAnchorMs;
        return q;
    };
    ops.insert(QStringLiteral("filter"), stats(measure(runs,
                                                       [&](int i) {
                                                           model.setQuery(filterQuery(i));
                                                           firstScreen(model);
                                                       }),
                                               measure(runs, [&](int i) {
                                                   floorPage(filterQuery(i), CaseSort::Id,
                                                             Qt::DescendingOrder);
                                               })));

    const QStringList words{QStringLiteral("摊贩"), QStringLiteral("人行道"),
                            QStringLiteral("井盖"), QStringLiteral("流动摊贩"),
                            QStringLiteral("垃圾")};
    auto searchQuery = [&](int i) {
        CaseQuery q;
        q.text = words.at(i % words.size());
        q.now = DemoOptions::kDefaultAnchorMs;
        return q;
    };
    ops.insert(QStringLiteral("search"), stats(measure(runs,
                                                       [&](int i) {
                                                           model.setQuery(searchQuery(i));
                                                           firstScreen(model);
                                                       }),
                                               measure(runs, [&](int i) {
                                                   floorPage(searchQuery(i), CaseSort::Id,
                                                             Qt::DescendingOrder);
                                               })));

    // Count refresh after 1,000 new events: workflow commands on open cases, applied through the
    // repository in one transaction per round (setup, not measured), then the tab counts re-read.
    const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
    CaseRepository repo(db, wf);
    Rng rng(5);
    QList<Actor> actors;
    for (const char *u : {"operator1", "dispatcher1", "supervisor1"})
        actors << *repo.actorFor(QLatin1String(u), QStringLiteral("bench"));
    CaseQuery openWork;
    openWork.queue = Queue::Dispatch;
    QList<CaseId> candidates;
    for (const QueueRow &r : store->listPage(openWork, CaseSort::Id, Qt::DescendingOrder, 0, 20000))
        candidates << r.id;
    openWork.queue = Queue::Intake;
    for (const QueueRow &r : store->listPage(openWork, CaseSort::Id, Qt::DescendingOrder, 0, 20000))
        candidates << r.id;
    std::vector<double> refresh, refreshFloor;
    int events = 0;
    for (int round = 0; round < 5 && !candidates.isEmpty(); ++round) {
        Transaction batch(*db);
        for (int k = 0; k < 1000 && !candidates.isEmpty();) {
            const CaseId id = candidates.takeAt(qsizetype(rng.below(candidates.size())));
            const CaseSnapshot snap = *repo.snapshot(id);
            for (const Actor &a : actors) {
                for (Action act : {Action::Register, Action::Shelve, Action::Reject}) {
                    if (wf.precheck(snap, act, a))
                        continue;
                    Command c;
                    c.action = act;
                    c.confirmFiling = true;
                    c.reason = QStringLiteral("基准测试");
                    if (repo.apply(id, c, a, DemoOptions::kDefaultAnchorMs).ok()) {
                        ++events;
                        ++k;
                        goto next;
                    }
                }
            }
        next:;
        }
        if (!batch.commit())
            return 1;
        QElapsedTimer t;
        t.start();
        (void)store->queueCounts(QStringLiteral("GW-01-001"), DemoOptions::kDefaultAnchorMs);
        refresh.push_back(double(t.nsecsElapsed()) / 1e6);
        t.restart();
        floor.run(QStringLiteral("SELECT queue, n FROM queue_counts"), {});
        CaseQuery overdue;
        overdue.queue = Queue::Overdue;
        overdue.now = DemoOptions::kDefaultAnchorMs;
        QVariantList b;
        floor.run(QStringLiteral("SELECT count(*) FROM cases c") + store->where(overdue, b), b);
        refreshFloor.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::fprintf(stderr, "count refresh: %d events applied\n", events);
    ops.insert(QStringLiteral("count_refresh"), stats(refresh, refreshFloor));

    const QJsonObject out{{"cases", cases},        {"open_ms", openMs},
                          {"rss_mb", peakRssMb()}, {"search_index_build_ms", double(indexMs)},
                          {"runs", runs},          {"ops", ops}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
