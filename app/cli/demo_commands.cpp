// cityops-cli demo generate, demo basemap: the synthetic demo district and its offline basemap.
#include "cli.h"

#include "demo/basemapgenerator.h"
#include "demo/demogenerator.h"

#include <QDir>
#include <QElapsedTimer>

#include <cstdio>

#include <unistd.h>

namespace cityops::cli {

int demoGenerate(const Globals &, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption seed(QStringLiteral("seed"), Tr::tr("Random seed (default 1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption cases(QStringLiteral("cases"),
                                   Tr::tr("Number of cases (default 20000)."), QStringLiteral("N"),
                                   QStringLiteral("20000"));
    const QCommandLineOption outDir(QStringLiteral("out"),
                                    Tr::tr("Data directory to create the demo cache in."),
                                    QStringLiteral("DIR"));
    const QCommandLineOption anchor(
        QStringLiteral("anchor"),
        Tr::tr("\"Now\" of the demo: an ISO date or date-time, Asia/Shanghai unless it has an "
               "offset, e.g. 2026-11-27T18:00+08:00 (default: the current time rounded down to "
               "the hour). Every generated time lies before it."),
        QStringLiteral("WHEN"));
    p.addOptions({seed, cases, outDir, anchor});
    int rc = 0;
    if (!parse(p, {QStringLiteral("demo"), QStringLiteral("generate")}, args, &rc))
        return rc;
    DemoOptions o;
    bool ok = false;
    o.seed = p.value(seed).toULongLong(&ok);
    if (!ok)
        return error(Tr::tr("--seed must be a non-negative whole number"), ExitUsage);
    o.cases = p.value(cases).toLongLong(&ok);
    if (!ok || o.cases < 0 || o.cases > 10'000'000)
        return error(Tr::tr("--cases must be a whole number from 0 to 10000000"), ExitUsage);
    if (!p.isSet(outDir))
        return error(Tr::tr("--out DIR is required"), ExitUsage);
    o.anchorMs = DemoOptions::currentHourAnchor();
    if (p.isSet(anchor)) {
        const auto at = DemoOptions::parseAnchor(p.value(anchor));
        if (!at)
            return error(at.error(), ExitUsage);
        o.anchorMs = *at;
    }
    QElapsedTimer timer;
    timer.start();
    const bool tty = isatty(fileno(stderr));
    o.progress = [tty](int pct) {
        if (tty)
            std::fprintf(stderr, "\r%3d%%", pct);
        return true;
    };
    const auto r = DemoGenerator::generate(p.value(outDir), o);
    if (tty)
        std::fprintf(stderr, "\r    \r");
    if (!r)
        return error(r.error());
    out(Tr::tr("Demo district written to %1 in %2 s: %3 streets, %4 communities, %5 grids, "
               "%6 roads, %7 cameras and sensors, %8 units, %9 users, %10 cases, %11 events.")
            .arg(QDir::toNativeSeparators(Database::pathInDir(p.value(outDir))))
            .arg(timer.elapsed() / 1000.0, 0, 'f', 1)
            .arg(r->streets)
            .arg(r->communities)
            .arg(r->grids)
            .arg(r->roads)
            .arg(r->cameras)
            .arg(r->units)
            .arg(r->users)
            .arg(r->cases)
            .arg(r->events));
    return ExitOk;
}

int demoBasemap(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption outFile(
        QStringLiteral("out"),
        Tr::tr("MBTiles file to write (default: basemap.mbtiles in the data directory, which the "
               "console shows as its offline basemap)."),
        QStringLiteral("FILE"));
    const QCommandLineOption minZoom(QStringLiteral("min-zoom"), Tr::tr("First zoom (default 10)."),
                                     QStringLiteral("Z"), QStringLiteral("10"));
    const QCommandLineOption maxZoom(QStringLiteral("max-zoom"), Tr::tr("Last zoom (default 16)."),
                                     QStringLiteral("Z"), QStringLiteral("16"));
    p.addOptions({outFile, minZoom, maxZoom});
    int rc = 0;
    if (!parse(p, {QStringLiteral("demo"), QStringLiteral("basemap")}, args, &rc))
        return rc;
    auto options = BasemapGenerator::fromCache(g.dataDir);
    if (!options)
        return error(options.error());
    bool ok1 = false, ok2 = false;
    options->minZoom = p.value(minZoom).toInt(&ok1);
    options->maxZoom = p.value(maxZoom).toInt(&ok2);
    if (!ok1 || !ok2)
        return error(Tr::tr("--min-zoom and --max-zoom take whole numbers"), ExitUsage);
    const QString path = p.isSet(outFile)
                             ? p.value(outFile)
                             : QDir(g.dataDir).filePath(QStringLiteral("basemap.mbtiles"));
    QElapsedTimer timer;
    timer.start();
    const auto written = BasemapGenerator::generate(path, *options);
    if (!written)
        return error(written.error());
    out(Tr::tr("Offline basemap written to %1: %2 tiles, zoom %3–%4, in %5 s.")
            .arg(QDir::toNativeSeparators(path))
            .arg(*written)
            .arg(options->minZoom)
            .arg(options->maxZoom)
            .arg(timer.elapsed() / 1000.0, 0, 'f', 1));
    return ExitOk;
}

} // namespace cityops::cli
