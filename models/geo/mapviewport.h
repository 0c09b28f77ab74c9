#pragma once

#include <QPointF>
#include <QRect>
#include <QRectF>
#include <QSize>
#include <QTransform>

#include <cmath>

namespace cityops::geo {

/**
 * What part of the world the map shows, at what scale. Three coordinate systems meet here:
 * - **geographic**: WGS-84 longitude/latitude in degrees, the datum of all our data;
 * - **world**: normalised Web Mercator, [0,1]² with x east and y south; at zoom z one world unit
 *   is 256·2^z screen pixels. When the basemap is GCJ-02 (`gcj02()`), geographic positions are
 *   shifted to GCJ-02 before they are projected into world coordinates, so data lands on the
 *   basemap's streets; `geographicAt()` shifts back, so the cursor readout is always WGS-84;
 * - **screen**: widget pixels, origin at the top left.
 * A value type: renderers take a copy as part of their snapshot.
 */
class MapViewport
{
public:
    static constexpr double kMinZoom = 2;
    static constexpr double kMaxZoom = 20;
    static constexpr double kTileSize = 256;

    MapViewport() = default;
    MapViewport(QPointF centreWorld, double zoom, QSize size, bool gcj02 = false);

    QPointF centre() const { return m_centre; }
    double zoom() const { return m_zoom; }
    QSize size() const { return m_size; }
    bool gcj02() const { return m_gcj02; }
    /** Screen pixels per world unit. */
    double scale() const { return m_scale; }

    void setCentre(QPointF world);
    void setZoom(double zoom);
    void setSize(QSize size) { m_size = size; }
    void setGcj02(bool on) { m_gcj02 = on; }
    /** Moves the view by a screen offset (dragging the map right moves the centre west). */
    void panBy(QPointF pixels);
    /** Zooms so that the world point under `screen` stays under it. */
    void zoomAround(QPointF screen, double zoom);
    /** Centres on a world rectangle with a margin, at the largest zoom that shows all of it. */
    void fitWorld(const QRectF &world, double marginPx = 24, double maxZoom = 18);

    QPointF worldToScreen(QPointF w) const
    {
        return {(w.x() - m_centre.x()) * m_scale + m_size.width() / 2.0,
                (w.y() - m_centre.y()) * m_scale + m_size.height() / 2.0};
    }
    QPointF screenToWorld(QPointF s) const
    {
        return {(s.x() - m_size.width() / 2.0) / m_scale + m_centre.x(),
                (s.y() - m_size.height() / 2.0) / m_scale + m_centre.y()};
    }
    QTransform worldToScreenTransform() const;
    QRectF visibleWorld() const;

    /** The XYZ tiles of zoom z on screen: columns left()..right(), rows top()..bottom(). */
    QRect tileRange(int z) const;
    /** Where a tile of zoom z lands on screen, snapped outwards to whole pixels (no seams). */
    QRectF tileScreenRect(int z, int x, int y) const;
    /** World position of a WGS-84 coordinate in this view's display datum. */
    QPointF project(double lon, double lat) const;
    /** WGS-84 longitude/latitude (x, y) under a screen position. */
    QPointF geographicAt(QPointF screen) const;
    /** Ground metres per screen pixel at the centre. */
    double metresPerPixel() const;

    friend bool operator==(const MapViewport &a, const MapViewport &b) = default;

private:
    QPointF m_centre{0.5, 0.5};
    double m_zoom = 2;
    double m_scale = kTileSize * 4;
    QSize m_size{256, 256};
    bool m_gcj02 = false;
};

} // namespace cityops::geo
