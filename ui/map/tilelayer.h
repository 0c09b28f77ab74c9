#pragma once

#include "geo/tileimagecache.h"
#include "geo/tilesource.h"
#include "maplayer.h"

#include <QSet>
#include <QThreadPool>
#include <QTimer>

namespace cityops {

class MbTiles;
namespace geo {
class TileFetcher;
}

/**
 * A raster basemap: XYZ/TMS/WMTS tiles from a URL template through the TileFetcher (memory →
 * disk cache → network), or an offline MBTiles package read directly. Renderers draw what is in
 * the memory cache, decode package tiles themselves (on the worker), and stand in scaled parent
 * tiles for tiles still loading; after a render the layer asks the fetcher for what was missing.
 * GUI thread; renderers share the package reader and the thread-safe image cache.
 */
class TileLayer : public MapLayer
{
    Q_OBJECT
public:
    TileLayer(const QString &id, const geo::TileSource &source, geo::TileFetcher *fetcher,
              geo::TileImageCache *memory, QObject *parent = nullptr);
    ~TileLayer() override;

    const geo::TileSource &source() const { return m_source; }
    /** Opens the MBTiles package of a package source; false with `error()` set if it cannot. */
    bool isUsable() const { return m_usable; }
    QString error() const { return m_error; }
    /** Tiles the last render could not draw (not in memory, the package or the cache). */
    const QSet<geo::TileId> &missing() const { return m_missing; }
    /** The integer tile zoom used for a view zoom. */
    int tileZoom(double viewZoom) const;

    std::unique_ptr<MapLayerRenderer> createRenderer(const geo::MapViewport &view) override;
    void rendered(MapLayerRenderer &renderer) override;
    QList<LegendEntry> legend() const override;

signals:
    void missingChanged();

private:
    void onTileReady(const QString &sourceId, geo::TileId tile, const QByteArray &data);

    geo::TileSource m_source;
    geo::TileFetcher *m_fetcher;
    geo::TileImageCache *m_memory;
    std::shared_ptr<MbTiles> m_package;
    bool m_usable = true;
    QString m_error;
    QSet<geo::TileId> m_missing;
    QSet<geo::TileId> m_requested;
    QTimer m_coalesce;
    QThreadPool m_decoder; ///< decodes arriving tiles; waited for on destruction
};

} // namespace cityops
