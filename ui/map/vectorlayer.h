#pragma once

#include "geo/geojson.h"
#include "maplayer.h"

#include <QColor>
#include <QPolygonF>

namespace cityops {

/** How a vector layer draws. */
struct VectorStyle
{
    QColor stroke{40, 90, 160};
    double strokeWidth = 1.0;
    QColor fill = Qt::transparent;
    QColor pointColour{40, 90, 160};
    bool dashed = false;
    double labelMinZoom = 99; ///< labels appear from this zoom on
    double minZoom = 0;       ///< below this zoom the layer draws nothing (too dense to read)
};

/** One drawable feature in world coordinates. */
struct VectorShape
{
    QList<QPolygonF> polygons;  ///< rings (areas) or polylines, world coordinates
    QList<int> ringsPerPolygon; ///< areas: how many rings each polygon has (outer + holes)
    QList<QPointF> points;
    QRectF bounds;
    QString label;
    QString code;
    bool area = false;
};

/**
 * Boundaries (streets, communities, grid cells), roads and imported GeoJSON: features kept in
 * WGS-84 and projected to world coordinates for the current datum. GUI thread; its renderers share
 * the projected shapes immutably.
 */
class VectorLayer : public MapLayer
{
    Q_OBJECT
public:
    VectorLayer(const QString &id, LayerKind kind, const VectorStyle &style,
                QObject *parent = nullptr);

    /** Replaces the features; `labelKey` names the property used as label (if any). */
    void setFeatures(QList<GeoFeature> features, const QString &labelKey = {},
                     const QString &codeKey = {});
    int featureCount() const { return int(m_source.size()); }
    const VectorStyle &style() const { return m_style; }
    void setStyle(const VectorStyle &style);

    std::unique_ptr<MapLayerRenderer> createRenderer(const geo::MapViewport &view) override;
    QList<LegendEntry> legend() const override;
    QRectF worldBounds() const override;
    /** The feature under a world position (areas: inside; lines/points: not hit), or nullptr. */
    const VectorShape *shapeAt(QPointF world) const;
    /** The feature whose code (or label) equals `code`, or nullptr. */
    const VectorShape *shapeByCode(const QString &code) const;

protected:
    void reproject() override;

private:
    QList<GeoFeature> m_source;
    QString m_labelKey, m_codeKey;
    VectorStyle m_style;
    std::shared_ptr<const std::vector<VectorShape>> m_shapes;
    QRectF m_bounds;
};

} // namespace cityops
