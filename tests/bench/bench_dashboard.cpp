// cityops-bench-dashboard: the supervisor dashboard on a large cache. Prints progress on stderr
// and one JSON object as its last line on stdout.
//
// first render: a new DashboardWidget (its worker opens the cache, loads every case's facts and
// computes the figures) until the charts, the KPI table and the hotspots are on screen and painted.
// filter change: pick a street, a category, a unit or a period in the filter bar until the new
// figures are painted. Floor: Kpis::compute for the same filter on facts already in memory, so the
// ratio is the cost of the worker round trip, the charts and the paint.
#include "benchstats.h"
#include "dashboard/dashboardengine.h"
#include "dashboardwidget.h"
#include "demo/demogenerator.h"
#include "storage/database.h"
#include "storage/kpifactsstore.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace cityops;

using bench::percentile;

namespace {

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

/** Runs the event loop until the widget shows a result (false after 120 s). */
bool waitUpdated(DashboardWidget &w)
{
    QEventLoop loop;
    bool ok = false;
    const auto c = QObject::connect(&w, &DashboardWidget::updated, &loop, [&] {
        ok = true;
        loop.quit();
    });
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(c);
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Benchmark of the supervisor dashboard."));
    p.addHelpOption();
    const QCommandLineOption casesOpt(QStringLiteral("cases"),
                                      QStringLiteral("Cases (default 1000000)."),
                                      QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption dataOpt(QStringLiteral("data"),
                                     QStringLiteral("Cache directory to reuse or create (default: "
                                                    "/tmp/cityops-bench-dashboard-<cases>)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption runsOpt(QStringLiteral("runs"),
                                     QStringLiteral("Filter changes to measure (default 40)."),
                                     QStringLiteral("K"), QStringLiteral("40"));
    p.addOptions({casesOpt, dataOpt, runsOpt});
    p.process(app);
    const qint64 cases = p.value(casesOpt).toLongLong();
    const int runs = std::max(3, p.value(runsOpt).toInt());
    const QString dir = p.isSet(dataOpt)
                            ? p.value(dataOpt)
                            : QStringLiteral("/tmp/cityops-bench-dashboard-%1").arg(cases);

    // Setup, not measured: generate the cache if needed and bring its schema up to date (a cache
    // of an older schema gets the case_facts and kpi_facts backfills here).
    qint64 generateMs = 0, migrateMs = 0;
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
        generateMs = setup.elapsed();
    }
    std::shared_ptr<Database> db;
    {
        QElapsedTimer t;
        t.start();
        auto opened = Database::openDir(dir);
        if (!opened) {
            std::fprintf(stderr, "%s\n", qPrintable(opened.error()));
            return 1;
        }
        db = *opened;
        migrateMs = t.elapsed();
    }
    std::fprintf(stderr, "setup: generate %lld ms, open/migrate %lld ms\n", generateMs, migrateMs);

    // The floor's facts, loaded on this thread (also the load time alone).
    QElapsedTimer lt;
    lt.start();
    auto facts = KpiFactsStore(db).load();
    if (!facts) {
        std::fprintf(stderr, "%s\n", qPrintable(facts.error()));
        return 1;
    }
    const double loadMs = double(lt.nsecsElapsed()) / 1e6;
    std::fprintf(stderr, "facts of %zu cases loaded in %.0f ms\n", facts->cases.size(), loadMs);

    // First render: a cold dashboard until its figures are painted.
    QElapsedTimer first;
    first.start();
    DashboardWidget w(db->path());
    w.engine()->setNow(DemoOptions::kDefaultAnchorMs);
    double constructedMs = double(first.nsecsElapsed()) / 1e6, loadedMs = 0, resultMs = 0;
    // (Only the first of each: later filter changes emit them again.)
    QObject::connect(w.engine(), &DashboardEngine::dimensionsReady, &w, [&] {
        if (!loadedMs)
            loadedMs = double(first.nsecsElapsed()) / 1e6;
    });
    QObject::connect(w.engine(), &DashboardEngine::ready, &w, [&] {
        if (!resultMs)
            resultMs = double(first.nsecsElapsed()) / 1e6;
    });
    w.resize(1600, 900);
    w.show();
    w.refresh();
    if (!waitUpdated(w)) {
        std::fprintf(stderr, "the dashboard never showed a result\n");
        return 1;
    }
    (void)w.grab();
    const double firstMs = double(first.nsecsElapsed()) / 1e6;
    std::fprintf(stderr,
                 "first render: %.0f ms (%lld cases in the period): widget built %.0f, facts "
                 "loaded %.0f, figures computed %.0f, shown and painted %.0f\n",
                 firstMs, w.result().total.cases, constructedMs, loadedMs, resultMs, firstMs);

    // Filter changes through the filter bar: streets, categories, units and periods in turn.
    std::vector<double> ms, floor;
    const int periods[] = {7, 90, 365, 0, 30};
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        switch (i % 4) {
        case 0:
            w.streetBox()->setCurrentIndex(1 + (i / 4) % (w.streetBox()->count() - 1));
            break;
        case 1:
            w.categoryBox()->setCurrentIndex(1 + (i * 7) % (w.categoryBox()->count() - 1));
            break;
        case 2:
            w.unitBox()->setCurrentIndex((i * 13) % w.unitBox()->count());
            break;
        case 3:
            w.setPeriodDays(periods[(i / 4) % 5]);
            w.streetBox()->setCurrentIndex(0);
            break;
        }
        if (!waitUpdated(w)) {
            std::fprintf(stderr, "no result for filter change %d\n", i);
            return 1;
        }
        (void)w.grab();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
        t.restart();
        const DashboardResult r = Kpis::compute(*facts, w.filter(), DemoOptions::kDefaultAnchorMs);
        floor.push_back(double(t.nsecsElapsed()) / 1e6);
        if (r.total.cases != w.result().total.cases) {
            std::fprintf(stderr, "floor and dashboard disagree on filter change %d\n", i);
            return 1;
        }
    }
    const double p95 = percentile(ms, 95), fp95 = percentile(floor, 95);
    std::fprintf(stderr, "filter change: p50 %.1f, p95 %.1f, p99 %.1f ms; floor p95 %.1f ms\n",
                 percentile(ms, 50), p95, percentile(ms, 99), fp95);

    const QJsonObject out{{"cases", qint64(facts->cases.size())},
                          {"runs", runs},
                          {"generate_ms", double(generateMs)},
                          {"migrate_ms", double(migrateMs)},
                          {"facts_load_ms", loadMs},
                          {"filter_p50_ms", percentile(ms, 50)},
                          {"filter_p99_ms", percentile(ms, 99)},
                          {"floor_p50_ms", percentile(floor, 50)},
                          {"floor_p95_ms", fp95},
                          {"ratio_p95", fp95 > 0 ? p95 / fp95 : 0},
                          {"rss_mb", peakRssMb()},
                          {"first_facts_loaded_ms", loadedMs},
                          {"first_figures_ms", resultMs},
                          {"first_render_ms", firstMs},
                          {"filter_p95_ms", p95}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
