#pragma once

#include "geo/tileid.h"
#include "geo/tilesource.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QObject>
#include <QPointer>
#include <QRect>
#include <QRectF>
#include <QSet>
#include <QString>

#include <memory>

namespace cityops {
class TileDiskCache;
}

namespace cityops::geo {

class TileFetcher;

/** What a prefetch would download, and whether it may; shown to the user before it starts. */
struct PrefetchPlan
{
    qint64 tiles = 0;
    /** Bytes still to download: (tiles − alreadyCached) × the average tile size. */
    qint64 estimatedBytes = 0;
    /** Tiles already fresh in the cache (known only when planned against a cache). */
    qint64 alreadyCached = 0;
    bool exceedsCap = false;
    bool allowed = false;
    /** Why it is not allowed (translated); empty when allowed. */
    QString refusal;
};

/** Prefetch planning: tile counts over a lon/lat box and the rules that may refuse a download. */
class Prefetch
{
    Q_DECLARE_TR_FUNCTIONS(Prefetch)
public:
    static constexpr qint64 kDefaultAvgTileBytes = 20 * 1024;

    /**
     * Plans a download of every tile from zMin to zMax that touches lonLatBox (x = longitude,
     * y = latitude, either orientation). Refuses when zMin > zMax or the zooms are outside the
     * source's range, when the source's terms forbid bulk download, when there are more tiles
     * than the source's maxPrefetchTiles, or when the estimate exceeds the free cache
     * (cacheCap − cacheUsed; cacheCap <= 0 means no cap). avgTileBytes <= 0 uses the default.
     */
    static PrefetchPlan plan(const TileSource &source, const QRectF &lonLatBox, int zMin, int zMax,
                             qint64 avgTileBytes, qint64 cacheCap, qint64 cacheUsed);
    /** The same, against a cache: also counts the tiles already fresh in it. */
    static PrefetchPlan plan(const TileSource &source, const QRectF &lonLatBox, int zMin, int zMax,
                             qint64 avgTileBytes, const TileDiskCache &cache);

    /** XYZ columns (x) and rows (y) touched by the box at zoom z, inclusive; empty if none. */
    static QRect tileRange(const QRectF &lonLatBox, int z);
    /** Number of tiles touched by the box from zMin to zMax. */
    static qint64 tileCount(const QRectF &lonLatBox, int zMin, int zMax);
};

/**
 * Runs a prefetch: downloads every tile of a box and zoom range into the disk cache through a
 * TileFetcher, at most maxConcurrent at a time, skipping tiles already fresh and stopping before
 * the cache cap would be exceeded.
 *
 * Threading: GUI thread, like the TileFetcher it drives (which it does not own).
 */
class Prefetcher : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultMaxConcurrent = 4;

    explicit Prefetcher(TileFetcher *fetcher, QObject *parent = nullptr);
    ~Prefetcher() override;

    void setMaxConcurrent(int n);
    int maxConcurrent() const { return m_maxConcurrent; }

    /**
     * Plans against the source's cache and starts; returns the refusal of the plan (or another
     * reason) without starting. progress and finished follow.
     */
    Status start(const TileSource &source, const QRectF &lonLatBox, int zMin, int zMax,
                 qint64 avgTileBytes = Prefetch::kDefaultAvgTileBytes);
    /** Stops: pending downloads are dropped and finished() is emitted before this returns. */
    void cancel();
    bool isRunning() const { return m_running; }
    /** Why the last run stopped early (translated), empty when it ran to the end. */
    const QString &stopReason() const { return m_stopReason; }

signals:
    /** done = ok + failed tiles so far; bytes downloaded so far. */
    void progress(qint64 done, qint64 total, qint64 bytes);
    /** cancelled counts the tiles never attempted (cancel() or the cache cap). */
    void finished(qint64 ok, qint64 failed, qint64 cancelled);

private:
    bool nextTile(TileId *out);
    void issue();
    void onDone(const QString &sourceId, TileId tile, qint64 bytes, bool ok);
    void finish();

    QPointer<TileFetcher> m_fetcher;
    std::shared_ptr<TileDiskCache> m_cache;
    TileSource m_source;
    QRectF m_box;
    int m_zMax = 0;
    TileId m_cursor;
    QRect m_range;
    bool m_exhausted = true;
    int m_maxConcurrent = kDefaultMaxConcurrent;
    /** Room kept free in the cache per tile in flight. */
    qint64 m_reserveBytes = Prefetch::kDefaultAvgTileBytes;
    QSet<TileId> m_inFlight;
    qint64 m_total = 0, m_ok = 0, m_failed = 0, m_bytes = 0, m_networkTiles = 0;
    bool m_running = false;
    QString m_stopReason;
};

} // namespace cityops::geo
