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
    /** "Now" of the demo, UTC ms: every generated time lies before it. Never the wall clock. */
    qint64 anchorMs = kDefaultAnchorMs;
    /** Called with 0..100; return false to cancel. */
    std::function<bool(int percent)> progress;

    /** 2026-11-27 18:00 Asia/Shanghai. */
    static constexpr qint64 kDefaultAnchorMs = 1795773600000LL;
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
