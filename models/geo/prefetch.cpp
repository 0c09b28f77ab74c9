#include "prefetch.h"

#include "geo/tilefetcher.h"
#include "storage/tilecache.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace cityops::geo {

namespace {

/** Latitude limit of the square Web Mercator world. */
constexpr double kMaxLat = 85.0511287798066;

int columnOf(double lon, int z)
{
    const double n = std::ldexp(1.0, z);
    return int(std::clamp(std::floor((lon + 180.0) / 360.0 * n), 0.0, n - 1));
}

int rowOf(double lat, int z)
{
    const double n = std::ldexp(1.0, z);
    const double phi = std::clamp(lat, -kMaxLat, kMaxLat) * std::numbers::pi / 180.0;
    const double y = (1.0 - std::log(std::tan(phi) + 1.0 / std::cos(phi)) / std::numbers::pi) / 2.0;
    return int(std::clamp(std::floor(y * n), 0.0, n - 1));
}

qint64 saturatingMul(qint64 a, qint64 b)
{
    if (a <= 0 || b <= 0)
        return 0;
    return a > std::numeric_limits<qint64>::max() / b ? std::numeric_limits<qint64>::max() : a * b;
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1);
}

PrefetchPlan planImpl(const TileSource &source, const QRectF &box, int zMin, int zMax,
                      qint64 avgTileBytes, qint64 cacheCap, qint64 cacheUsed, qint64 cached)
{
    PrefetchPlan p;
    const qint64 avg = avgTileBytes > 0 ? avgTileBytes : Prefetch::kDefaultAvgTileBytes;
    if (zMin > zMax) {
        p.refusal = Prefetch::tr("The lowest zoom level (%1) is above the highest (%2).")
                        .arg(zMin)
                        .arg(zMax);
        return p;
    }
    if (zMin < source.minZoom || zMax > source.maxZoom) {
        p.refusal = Prefetch::tr("Zoom levels %1–%2 are outside the range %3–%4 of %5.")
                        .arg(zMin)
                        .arg(zMax)
                        .arg(source.minZoom)
                        .arg(source.maxZoom)
                        .arg(source.name);
        return p;
    }
    p.tiles = Prefetch::tileCount(box, zMin, zMax);
    p.alreadyCached = std::min(cached, p.tiles);
    p.estimatedBytes = saturatingMul(p.tiles - p.alreadyCached, avg);
    const qint64 freeBytes = cacheCap > 0 ? std::max<qint64>(0, cacheCap - cacheUsed)
                                          : std::numeric_limits<qint64>::max();
    p.exceedsCap = p.estimatedBytes > freeBytes;

    if (source.isPackage())
        p.refusal = Prefetch::tr("%1 is an offline package already; there is nothing to download.")
                        .arg(source.name);
    else if (!source.allowsPrefetch)
        p.refusal = Prefetch::tr("The terms of %1 do not allow bulk or offline downloading. Use "
                                 "the agency's tile server, Tianditu with a key, or an MBTiles "
                                 "package for offline maps.")
                        .arg(source.name);
    else if (source.maxPrefetchTiles > 0 && p.tiles > source.maxPrefetchTiles)
        p.refusal = Prefetch::tr("%1 tiles is more than the %2 that %3 allows in one download. "
                                 "Choose a smaller area or fewer zoom levels.")
                        .arg(p.tiles)
                        .arg(source.maxPrefetchTiles)
                        .arg(source.name);
    else if (p.exceedsCap)
        p.refusal = Prefetch::tr("About %1 MB would be downloaded, but only %2 MB of the tile "
                                 "cache is free.")
                        .arg(megabytes(p.estimatedBytes), megabytes(freeBytes));
    p.allowed = p.refusal.isEmpty();
    return p;
}

} // namespace

QRect Prefetch::tileRange(const QRectF &lonLatBox, int z)
{
    if (z < 0 || z > 30 || lonLatBox.isNull())
        return {};
    const QRectF b = lonLatBox.normalized();
    const double west = std::max(-180.0, b.left()), east = std::min(180.0, b.right());
    const double south = std::max(-kMaxLat, b.top()), north = std::min(kMaxLat, b.bottom());
    if (west > east || south > north)
        return {};
    return QRect(QPoint(columnOf(west, z), rowOf(north, z)),
                 QPoint(columnOf(east, z), rowOf(south, z)));
}

qint64 Prefetch::tileCount(const QRectF &lonLatBox, int zMin, int zMax)
{
    qint64 n = 0;
    for (int z = std::max(0, zMin); z <= std::min(30, zMax); ++z) {
        const QRect r = tileRange(lonLatBox, z);
        if (!r.isEmpty())
            n += qint64(r.width()) * r.height();
    }
    return n;
}

PrefetchPlan Prefetch::plan(const TileSource &source, const QRectF &lonLatBox, int zMin, int zMax,
                            qint64 avgTileBytes, qint64 cacheCap, qint64 cacheUsed)
{
    return planImpl(source, lonLatBox, zMin, zMax, avgTileBytes, cacheCap, cacheUsed, 0);
}

PrefetchPlan Prefetch::plan(const TileSource &source, const QRectF &lonLatBox, int zMin, int zMax,
                            qint64 avgTileBytes, const TileDiskCache &cache)
{
    qint64 cached = 0;
    if (zMin <= zMax && zMin >= source.minZoom && zMax <= source.maxZoom) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (int z = zMin; z <= zMax; ++z) {
            if (const QRect r = tileRange(lonLatBox, z); !r.isEmpty())
                cached += cache.countFresh(z, r, now);
        }
    }
    return planImpl(source, lonLatBox, zMin, zMax, avgTileBytes, cache.cap(), cache.sizeBytes(),
                    cached);
}

Prefetcher::Prefetcher(TileFetcher *fetcher, QObject *parent) : QObject(parent), m_fetcher(fetcher)
{
    connect(
        fetcher, &TileFetcher::downloaded, this,
        [this](const QString &id, TileId t, qint64 bytes, bool) { onDone(id, t, bytes, true); });
    connect(fetcher, &TileFetcher::downloadFailed, this,
            [this](const QString &id, TileId t, const QString &) { onDone(id, t, 0, false); });
}

Prefetcher::~Prefetcher()
{
    if (m_running && m_fetcher) {
        for (const TileId &t : std::as_const(m_inFlight))
            m_fetcher->cancelDownload(m_source.id, t);
    }
}

void Prefetcher::setMaxConcurrent(int n)
{
    m_maxConcurrent = std::max(1, n);
    if (m_running)
        issue();
}

Status Prefetcher::start(const TileSource &source, const QRectF &lonLatBox, int zMin, int zMax,
                         qint64 avgTileBytes)
{
    if (m_running)
        return Error{tr("A prefetch is already running.")};
    if (!m_fetcher)
        return Error{tr("The tile fetcher is gone.")};
    auto cache = m_fetcher->cacheFor(source);
    if (!cache)
        return Error{cache.error()};
    const PrefetchPlan plan = Prefetch::plan(source, lonLatBox, zMin, zMax, avgTileBytes, **cache);
    if (!plan.allowed)
        return Error{plan.refusal};

    m_cache = *cache;
    m_source = source;
    m_box = lonLatBox;
    m_zMax = zMax;
    m_reserveBytes = avgTileBytes > 0 ? avgTileBytes : Prefetch::kDefaultAvgTileBytes;
    m_total = plan.tiles;
    m_ok = m_failed = m_bytes = m_networkTiles = 0;
    m_inFlight.clear();
    m_stopReason.clear();
    m_range = Prefetch::tileRange(lonLatBox, zMin);
    m_cursor = {zMin, m_range.left(), m_range.top()};
    m_exhausted = false;
    m_running = true;
    // The first requests go out from the event loop, so that every signal follows start().
    QMetaObject::invokeMethod(this, &Prefetcher::issue, Qt::QueuedConnection);
    return Ok{};
}

bool Prefetcher::nextTile(TileId *out)
{
    while (!m_exhausted && m_range.isEmpty()) {
        if (++m_cursor.z > m_zMax) {
            m_exhausted = true;
            break;
        }
        m_range = Prefetch::tileRange(m_box, m_cursor.z);
        m_cursor.x = m_range.left();
        m_cursor.y = m_range.top();
    }
    if (m_exhausted)
        return false;
    *out = m_cursor;
    if (++m_cursor.x > m_range.right()) {
        m_cursor.x = m_range.left();
        if (++m_cursor.y > m_range.bottom())
            m_range = QRect(); // next zoom on the next call
    }
    return true;
}

void Prefetcher::issue()
{
    if (!m_running)
        return;
    if (!m_fetcher) {
        m_exhausted = true;
        m_inFlight.clear();
        m_stopReason = tr("The tile fetcher is gone.");
    }
    while (!m_exhausted && m_inFlight.size() < m_maxConcurrent) {
        const qint64 cap = m_cache->cap();
        if (cap > 0 && m_cache->sizeBytes() + (m_inFlight.size() + 1) * m_reserveBytes > cap) {
            m_exhausted = true;
            m_stopReason = tr("The tile cache is full (%1 MB); the prefetch stopped before "
                              "evicting tiles.")
                               .arg(megabytes(cap));
            break;
        }
        TileId t;
        if (!nextTile(&t))
            break;
        m_inFlight.insert(t);
        m_fetcher->download(m_source, t, -1);
    }
    if (m_inFlight.isEmpty())
        finish();
}

void Prefetcher::onDone(const QString &sourceId, TileId tile, qint64 bytes, bool ok)
{
    if (!m_running || sourceId != m_source.id || !m_inFlight.remove(tile))
        return;
    ++(ok ? m_ok : m_failed);
    if (bytes > 0) {
        m_bytes += bytes;
        ++m_networkTiles;
        // Reserve room by the largest tile seen and a margin, so that the tiles in flight fit
        // without an eviction. The first real tile replaces the planning estimate.
        const qint64 reserve = bytes + bytes / 8;
        m_reserveBytes = m_networkTiles == 1 ? reserve : std::max(m_reserveBytes, reserve);
    }
    if (!ok && m_fetcher && !m_fetcher->online() && !m_exhausted) {
        // Offline: every further tile would fail the same way.
        m_exhausted = true;
        m_stopReason = tr("The network is unavailable; the prefetch stopped.");
    }
    emit progress(m_ok + m_failed, m_total, m_bytes);
    issue();
}

void Prefetcher::cancel()
{
    if (!m_running)
        return;
    m_exhausted = true;
    if (m_fetcher) {
        for (const TileId &t : std::as_const(m_inFlight))
            m_fetcher->cancelDownload(m_source.id, t);
    }
    m_inFlight.clear();
    m_stopReason = tr("The prefetch was cancelled.");
    finish();
}

void Prefetcher::finish()
{
    if (!m_running)
        return;
    m_running = false;
    emit finished(m_ok, m_failed, m_total - m_ok - m_failed);
}

} // namespace cityops::geo
