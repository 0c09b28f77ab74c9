#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QString>

#include <functional>

namespace cityops {

/** Options of the synthetic demo district. */
struct DemoOptions
{
    quint64 seed = 1;
    qint64 cases = 20000;
    /**
     * "Now" of the demo, UTC ms: every generated time lies before it. The generator never reads
     * the wall clock. Library callers (the tests) get the fixed kDefaultAnchorMs, so a seed always
     * gives the same rows; the command-line entry points (cityops-cli demo generate,
     * cityops-platform --seed-demo) pass currentHourAnchor() unless given --anchor, so a new
     * user's district is current rather than weeks overdue.
     */
    qint64 anchorMs = kDefaultAnchorMs;
    /** Called with 0..100; return false to cancel. */
    std::function<bool(int percent)> progress;

    /** The tests' fixed anchor: 2026-11-27 18:00 Asia/Shanghai, 2026-11-27T18:00+08:00. */
    static constexpr qint64 kDefaultAnchorMs = 1795773600000LL;

    /**
     * An --anchor value: an ISO 8601 date-time ("2026-11-27T18:00", with an offset such as
     * "+08:00" or "Z", or without one meaning Asia/Shanghai) or a date ("2026-11-27", meaning
     * 18:00 in Asia/Shanghai). The error names the value.
     */
    static Result<qint64> parseAnchor(const QString &text);
    /** utcMs rounded down to the whole hour (Asia/Shanghai is a whole number of hours ahead). */
    static qint64 floorToHour(qint64 utcMs);
    /** The command-line tools' default anchor: the current time rounded down to the hour. */
    static qint64 currentHourAnchor();
};

/** What a generator run wrote. */
struct DemoSummary
{
    int streets = 0;
    int communities = 0;
    int grids = 0;
    int roads = 0;
    int cameras = 0;
    int units = 0;
    int users = 0;
    qint64 cases = 0;
    qint64 events = 0;
};

/**
 * Builds a deterministic synthetic district ("浦江示范区", clearly not real boundaries) inside
 * Shanghai's bounding box: streets, communities, grid cells tiling each community with CJ/T
 * 349-style 20-digit codes, roads, cameras, field units, demo users and N cases with full
 * timelines. The same seed and anchor give identical rows. The cache is written to a temporary
 * file and renamed into place only when complete, so a failed or cancelled run leaves nothing.
 */
class DemoGenerator
{
    Q_DECLARE_TR_FUNCTIONS(DemoGenerator)
public:
    static Result<DemoSummary> generate(const QString &dataDir, const DemoOptions &options);
};

} // namespace cityops
