#pragma once

#include "geo/tileid.h"
#include "util/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QRect>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>

namespace cityops {

class MbTiles;

/** One tile from the disk cache, with the HTTP validators needed to revalidate it. */
struct CachedTile
{
    QByteArray data;
    /** Invalid when the server gave no usable expiry: the tile is then stale at once. */
    QDateTime expires;
    QByteArray etag;
    QByteArray lastModified;

    bool fresh(const QDateTime &now) const { return expires.isValid() && now < expires; }
};

/**
 * A persistent per-source tile cache: `<dir>/<sourceId>.mbtiles`, a valid MBTiles file (any
 * MBTiles reader can open it) plus a `cityops_tile_cache` table that holds sizes, last use and
 * the HTTP validators, and evicts least-recently-used tiles beyond a byte cap.
 *
 * Threading: every method may be called from any thread (one SQLite connection behind a mutex);
 * sizeBytes() and cap() never wait for it. Within a process one object serves each file: open()
 * hands out the same shared object to every caller.
 */
class TileDiskCache
{
    Q_DECLARE_TR_FUNCTIONS(TileDiskCache)
public:
    /** After pruning the cache holds at most this share of its cap (hysteresis). */
    static constexpr double kPruneTarget = 0.9;
    /** Touches of last_used are written in batches of this many (or on flush()). */
    static constexpr int kTouchBatch = 256;

    ~TileDiskCache();
    TileDiskCache(const TileDiskCache &) = delete;
    TileDiskCache &operator=(const TileDiskCache &) = delete;

    /**
     * Opens (creating if needed) the cache of one source. capBytes <= 0 means no cap. A cache
     * file that is damaged or not MBTiles is moved aside to `<file>.broken` and a new one is
     * started (a cache holds nothing that cannot be downloaded again); the error is returned
     * only when no cache can be made at all.
     */
    static Result<std::shared_ptr<TileDiskCache>> open(const QString &dir, const QString &sourceId,
                                                       qint64 capBytes);
    /** The file that holds a source's cache (the id is reduced to a safe file name). */
    static QString pathFor(const QString &dir, const QString &sourceId);

    const QString &path() const { return m_path; }
    const QString &sourceId() const { return m_sourceId; }

    /** The cached tile (fresh or stale), or nullopt. Records the use for LRU, in batches. */
    std::optional<CachedTile> lookup(geo::TileId xyz);
    /** The expiry of a cached tile without reading its data, or nullopt when not cached. */
    std::optional<QDateTime> expiry(geo::TileId xyz) const;
    /**
     * Stores (or replaces) a tile with its validators; prunes when the cache goes above its cap.
     */
    Status store(geo::TileId xyz, const QByteArray &data, const QDateTime &expires,
                 const QByteArray &etag = {}, const QByteArray &lastModified = {});
    /** Gives a cached tile a new expiry (after a 304 Not Modified). */
    Status refresh(geo::TileId xyz, const QDateTime &newExpires);
    /** Cached tiles at zoom z inside an inclusive XYZ column/row range that are fresh at now. */
    qint64 countFresh(int z, const QRect &xyRange, const QDateTime &now) const;

    /** Sum of the stored tile sizes in bytes. */
    qint64 sizeBytes() const { return m_size.load(); }
    qint64 cap() const { return m_cap.load(); }
    qint64 tileCount() const;
    /** Sets the cap (<= 0: none); prune() applies it. */
    void setCap(qint64 capBytes) { m_cap.store(capBytes); }
    /**
     * When the total exceeds the cap, deletes least-recently-used tiles until it is at most
     * kPruneTarget of the cap, tiles and bookkeeping in one transaction.
     */
    Status prune();
    /** Deletes every tile. */
    Status clear();
    /** Writes the batched last_used touches now. */
    Status flush();

private:
    TileDiskCache() = default;
    Status init();
    Status flushLocked();
    Status pruneLocked();
    qint64 nextClockLocked();

    std::unique_ptr<MbTiles> m_tiles;
    QString m_path;
    QString m_sourceId;
    std::atomic<qint64> m_size{0};
    std::atomic<qint64> m_cap{0};
    /** Last value handed out as last_used: ms since the epoch, but strictly increasing. */
    qint64 m_clock = 0;
    int m_minZoom = -1;
    int m_maxZoom = -1;
    bool m_formatKnown = false;
    /** Pending last_used updates. */
    QHash<geo::TileId, qint64> m_touches;
};

} // namespace cityops
