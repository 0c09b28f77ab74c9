#pragma once

#include "maplayer.h"
#include "storage/mapstore.h"

namespace cityops {

/**
 * Cameras and sensors, or field units with their last reported positions; units whose report is
 * old are drawn faded and then grey, with the age in the tooltip. GUI thread; renderers share the
 * projected points immutably.
 */
class PointLayer : public MapLayer
{
    Q_OBJECT
public:
    /** Reports older than this are drawn faded, and grey after `kGreyAfterMin`. */
    static constexpr int kStaleAfterMin = 10;
    static constexpr int kGreyAfterMin = 60;

    PointLayer(const QString &id, LayerKind kind, QObject *parent = nullptr);

    /** Replaces the points; `now` (ms) is the time ages are measured against. */
    void setPoints(QList<MapDevice> points, qint64 now);
    int pointCount() const { return int(m_source.size()); }

    std::unique_ptr<MapLayerRenderer> createRenderer(const geo::MapViewport &view) override;
    QList<LegendEntry> legend() const override;
    QRectF worldBounds() const override;

    static QColor colourFor(const QString &kind);
    /** Tooltip for a hit this layer's renderer recorded (name, and a unit's report age). */
    static QString hitText(const MapHit &hit);
    /** A unit's colour faded by the age of its report. */
    static QColor ageColour(QColor base, qint64 ageMin);

protected:
    void reproject() override;

public:
    struct Item
    {
        QPointF world;
        MapDevice device;
    };

private:
    QList<MapDevice> m_source;
    qint64 m_now = 0;
    std::shared_ptr<const std::vector<Item>> m_items;
    QRectF m_bounds;
};

} // namespace cityops
