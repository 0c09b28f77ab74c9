#include "mapviewport.h"

#include "projection.h"

#include <algorithm>

namespace cityops::geo {

MapViewport::MapViewport(QPointF centreWorld, double zoom, QSize size, bool gcj02)
    : m_size(size), m_gcj02(gcj02)
{
    setCentre(centreWorld);
    setZoom(zoom);
}

void MapViewport::setCentre(QPointF world)
{
    m_centre = {std::clamp(world.x(), 0.0, 1.0), std::clamp(world.y(), 0.0, 1.0)};
}

void MapViewport::setZoom(double zoom)
{
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    m_scale = kTileSize * std::exp2(m_zoom);
}

void MapViewport::panBy(QPointF pixels)
{
    setCentre(m_centre - pixels / m_scale);
}

void MapViewport::zoomAround(QPointF screen, double zoom)
{
    const QPointF anchor = screenToWorld(screen);
    setZoom(zoom);
    // Keep `anchor` under `screen`.
    setCentre(anchor -
              QPointF(screen.x() - m_size.width() / 2.0, screen.y() - m_size.height() / 2.0) /
                  m_scale);
}

void MapViewport::fitWorld(const QRectF &world, double marginPx, double maxZoom)
{
    setCentre(world.center());
    const double w = std::max(1.0, m_size.width() - 2 * marginPx);
    const double h = std::max(1.0, m_size.height() - 2 * marginPx);
    const double spanX = std::max(world.width(), 1e-12), spanY = std::max(world.height(), 1e-12);
    const double z = std::log2(std::min(w / spanX, h / spanY) / kTileSize);
    setZoom(std::min(z, maxZoom));
}

QTransform MapViewport::worldToScreenTransform() const
{
    return QTransform(m_scale, 0, 0, m_scale, m_size.width() / 2.0 - m_centre.x() * m_scale,
                      m_size.height() / 2.0 - m_centre.y() * m_scale);
}

QRectF MapViewport::visibleWorld() const
{
    return QRectF(screenToWorld(QPointF(0, 0)),
                  screenToWorld(QPointF(m_size.width(), m_size.height())));
}

QRect MapViewport::tileRange(int z) const
{
    const int n = 1 << z;
    const QRectF vis = visibleWorld();
    const int x0 = std::max(0, int(std::floor(vis.left() * n)));
    const int x1 = std::min(n - 1, int(std::floor(vis.right() * n)));
    const int y0 = std::max(0, int(std::floor(vis.top() * n)));
    const int y1 = std::min(n - 1, int(std::floor(vis.bottom() * n)));
    return QRect(QPoint(x0, y0), QPoint(x1, y1));
}

QRectF MapViewport::tileScreenRect(int z, int x, int y) const
{
    const double n = double(1 << z);
    const QPointF tl = worldToScreen(QPointF(x / n, y / n));
    const double px = m_scale / n;
    return QRectF(std::floor(tl.x()), std::floor(tl.y()),
                  std::ceil(tl.x() + px) - std::floor(tl.x()),
                  std::ceil(tl.y() + px) - std::floor(tl.y()));
}

QPointF MapViewport::project(double lon, double lat) const
{
    if (m_gcj02) {
        const QPointF g = wgs84ToGcj02(lon, lat);
        return toUnit(g.x(), g.y());
    }
    return toUnit(lon, lat);
}

QPointF MapViewport::geographicAt(QPointF screen) const
{
    const QPointF ll = fromUnit(screenToWorld(screen));
    return m_gcj02 ? gcj02ToWgs84(ll.x(), ll.y()) : ll;
}

double MapViewport::metresPerPixel() const
{
    return geo::metresPerPixel(fromUnit(m_centre).y(), m_zoom);
}

} // namespace cityops::geo
