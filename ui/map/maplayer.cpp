#include "maplayer.h"

#include <cmath>

namespace cityops {

void HitIndex::build(QList<MapHit> hits, QSize size)
{
    m_hits = std::move(hits);
    m_cols = std::max(1, (size.width() + kCell - 1) / kCell);
    m_rows = std::max(1, (size.height() + kCell - 1) / kCell);
    m_cells.assign(size_t(m_cols) * size_t(m_rows), {});
    for (int i = 0; i < m_hits.size(); ++i) {
        const MapHit &h = m_hits[i];
        const int x0 = int(std::floor((h.screen.x() - h.radius) / kCell));
        const int x1 = int(std::floor((h.screen.x() + h.radius) / kCell));
        const int y0 = int(std::floor((h.screen.y() - h.radius) / kCell));
        const int y1 = int(std::floor((h.screen.y() + h.radius) / kCell));
        for (int y = std::max(0, y0); y <= std::min(m_rows - 1, y1); ++y)
            for (int x = std::max(0, x0); x <= std::min(m_cols - 1, x1); ++x)
                m_cells[size_t(y) * size_t(m_cols) + size_t(x)].push_back(i);
    }
}

const MapHit *HitIndex::at(QPointF screen) const
{
    const int cx = int(std::floor(screen.x() / kCell)), cy = int(std::floor(screen.y() / kCell));
    if (cx < 0 || cy < 0 || cx >= m_cols || cy >= m_rows)
        return nullptr;
    const MapHit *best = nullptr;
    double bestD = 0;
    // Later hits were drawn on top: prefer them on ties.
    for (int i : m_cells[size_t(cy) * size_t(m_cols) + size_t(cx)]) {
        const MapHit &h = m_hits[i];
        const double dx = h.screen.x() - screen.x(), dy = h.screen.y() - screen.y();
        const double d = dx * dx + dy * dy;
        if (d <= double(h.radius) * h.radius && (!best || d <= bestD)) {
            best = &h;
            bestD = d;
        }
    }
    return best;
}

MapLayer::MapLayer(const QString &id, LayerKind kind, QObject *parent)
    : QObject(parent), m_id(id), m_kind(kind)
{}

void MapLayer::setGcj02(bool on)
{
    if (on == m_gcj02)
        return;
    m_gcj02 = on;
    reproject();
    markChanged();
}

void MapLayer::markChanged()
{
    ++m_generation;
    emit changed();
}

} // namespace cityops
