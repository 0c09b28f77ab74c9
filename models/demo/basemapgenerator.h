#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QList>
#include <QPolygonF>
#include <QRectF>

namespace cityops {

/** What a generated basemap shows. */
struct BasemapOptions
{
    QRectF bounds; ///< lon/lat box (x = west, y = south, width, height) to cover
    int minZoom = 10;
    int maxZoom = 16;
    QList<QPolygonF> roads;  ///< lon/lat polylines drawn as streets
    QList<QPolygonF> blocks; ///< lon/lat polygons drawn as built-up blocks
    QString name;
};

/**
 * Writes an offline raster basemap as an MBTiles package (PNG tiles, metadata with bounds and zoom
 * range): land, blocks and streets drawn from vector data. The demo district and the map
 * benchmark use it so that the map works without any network. Any thread.
 */
class BasemapGenerator
{
    Q_DECLARE_TR_FUNCTIONS(BasemapGenerator)
public:
    /** Number of tiles written. An existing file at `path` is replaced only on success. */
    static Result<qint64> generate(const QString &path, const BasemapOptions &options);
    /** Roads and street areas of a demo cache, for `generate`. */
    static Result<BasemapOptions> fromCache(const QString &dataDir);
};

} // namespace cityops
