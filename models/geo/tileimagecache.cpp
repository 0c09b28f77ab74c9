#include "tileimagecache.h"

namespace cityops::geo {

TileImageCache::TileImageCache(qint64 capBytes) : m_cache(qsizetype(capBytes / 1024)) {}

QString TileImageCache::key(const QString &source, TileId tile)
{
    return source + QLatin1Char('/') + QString::number(tile.key(), 16);
}

QImage TileImageCache::get(const QString &source, TileId tile) const
{
    QMutexLocker lock(&m_mutex);
    const QImage *img = m_cache.object(key(source, tile));
    return img ? *img : QImage();
}

bool TileImageCache::contains(const QString &source, TileId tile) const
{
    QMutexLocker lock(&m_mutex);
    return m_cache.contains(key(source, tile));
}

void TileImageCache::insert(const QString &source, TileId tile, const QImage &image)
{
    if (image.isNull())
        return;
    QMutexLocker lock(&m_mutex);
    m_cache.insert(key(source, tile), new QImage(image),
                   std::max<qsizetype>(1, image.sizeInBytes() / 1024));
}

void TileImageCache::clear(const QString &source)
{
    QMutexLocker lock(&m_mutex);
    if (source.isEmpty()) {
        m_cache.clear();
        return;
    }
    const QString prefix = source + QLatin1Char('/');
    const auto keys = m_cache.keys();
    for (const QString &k : keys)
        if (k.startsWith(prefix))
            m_cache.remove(k);
}

qint64 TileImageCache::bytes() const
{
    QMutexLocker lock(&m_mutex);
    return qint64(m_cache.totalCost()) * 1024;
}

} // namespace cityops::geo
