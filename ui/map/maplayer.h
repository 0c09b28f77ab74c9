#pragma once

#include "geo/mapviewport.h"
#include "itemmodels/layertreemodel.h"

#include <QImage>
#include <QObject>
#include <QPainter>

#include <array>
#include <atomic>
#include <memory>

namespace cityops {

/** Something a layer drew that the pointer can hit (a case marker, a camera, a unit). */
struct MapHit
{
    QPointF screen;      ///< where it was drawn, in the coordinates of the render's viewport
    float radius = 6;    ///< hit radius in pixels
    qint64 id = 0;       ///< case id, or index into the layer's own list
    qint64 cluster = -1; ///< supercluster id when this is a cluster
    quint32 count = 1;
    QString text;                     ///< tooltip text, when the layer knows it at render time
    std::array<quint32, 4> classes{}; ///< clusters: members per case marker class
};

/** A uniform-grid index over the hits of one render, for O(1) hover and click lookups. */
class HitIndex
{
public:
    static constexpr int kCell = 32;
    void build(QList<MapHit> hits, QSize size);
    /** The nearest hit within its radius of `screen`, or nullptr. */
    const MapHit *at(QPointF screen) const;
    const QList<MapHit> &hits() const { return m_hits; }
    bool isEmpty() const { return m_hits.isEmpty(); }

private:
    QList<MapHit> m_hits;
    int m_cols = 0, m_rows = 0;
    std::vector<std::vector<int>> m_cells;
};

/**
 * Draws one layer for one view, on a worker thread. The canvas asks the layer for a renderer on
 * the GUI thread (`MapLayer::createRenderer`), which copies or shares immutably everything it
 * needs: a snapshot. `render()` then runs on a worker thread and touches nothing but that snapshot
 * and explicitly thread-safe caches; it checks `cancelled` between expensive steps. The canvas
 * keeps the finished image only if the layer has not changed in the meantime.
 */
class MapLayerRenderer
{
public:
    virtual ~MapLayerRenderer() = default;
    virtual void render(QPainter &painter, const geo::MapViewport &view) = 0;
    /** Hits for hover and click, in the render viewport's screen coordinates. */
    QList<MapHit> takeHits() { return std::move(m_hits); }
    std::atomic_bool cancelled{false};

protected:
    QList<MapHit> m_hits;
};

/**
 * One layer of the map: owns its data (already projected to world coordinates for the current
 * datum) and makes renderers. GUI thread only; `generation()` changes whenever what it would draw
 * changes, and `changed()` asks the canvas to draw it again.
 */
class MapLayer : public QObject
{
    Q_OBJECT
public:
    MapLayer(const QString &id, LayerKind kind, QObject *parent = nullptr);

    QString id() const { return m_id; }
    LayerKind kind() const { return m_kind; }
    quint64 generation() const { return m_generation; }

    virtual std::unique_ptr<MapLayerRenderer> createRenderer(const geo::MapViewport &view) = 0;
    /** GUI thread, after a render of this layer finished (tile layers fetch what was missing). */
    virtual void rendered(MapLayerRenderer &) {}
    /** Reprojects the data for a GCJ-02 (true) or WGS-84 basemap. */
    virtual void setGcj02(bool on);
    bool gcj02() const { return m_gcj02; }
    /** Legend rows for the layer panel. */
    virtual QList<LegendEntry> legend() const { return {}; }
    /** World bounds of the data, for "zoom to layer"; null when unknown. */
    virtual QRectF worldBounds() const { return {}; }

signals:
    void changed();

protected:
    void markChanged();
    virtual void reproject() {}

private:
    QString m_id;
    LayerKind m_kind;
    quint64 m_generation = 1;
    bool m_gcj02 = false;
};

} // namespace cityops
