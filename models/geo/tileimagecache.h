#pragma once

#include "tileid.h"

#include <QCache>
#include <QImage>
#include <QMutex>
#include <QString>

namespace cityops::geo {

/**
 * Decoded basemap tiles in memory, least recently used dropped first, bounded in bytes.
 * Thread-safe: renderers read it on worker threads while decoders fill it.
 */
class TileImageCache
{
public:
    explicit TileImageCache(qint64 capBytes = 256LL * 1024 * 1024);

    QImage get(const QString &source, TileId tile) const;
    bool contains(const QString &source, TileId tile) const;
    void insert(const QString &source, TileId tile, const QImage &image);
    void clear(const QString &source = {});
    qint64 bytes() const;

private:
    static QString key(const QString &source, TileId tile);

    mutable QMutex m_mutex;
    mutable QCache<QString, QImage> m_cache; ///< cost in KiB
};

} // namespace cityops::geo
