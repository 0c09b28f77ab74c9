#include "districtarea.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cityops::platform {

namespace {

constexpr double kMetresPerDegLat = 110574.0;

/** Shanghai's bounding box, padded to its islets (REFERENCE.md): where no district is known. */
bool inShanghai(double lon, double lat)
{
    return lon >= 120.85 && lon <= 122.25 && lat >= 30.65 && lat <= 31.90;
}

/** Even-odd rule over every ring, so holes are outside. */
bool inPolygon(const GeoPolygon &polygon, double lon, double lat)
{
    bool inside = false;
    for (const GeoRing &ring : polygon.rings) {
        for (qsizetype i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
            const QPointF &a = ring.at(i);
            const QPointF &b = ring.at(j);
            if ((a.y() > lat) != (b.y() > lat) &&
                lon < (b.x() - a.x()) * (lat - a.y()) / (b.y() - a.y()) + a.x())
                inside = !inside;
        }
    }
    return inside;
}

/** Metres from the point to the polygon's nearest edge (locally flat: districts are small). */
double metresToEdge(const GeoPolygon &polygon, double lon, double lat)
{
    const double mLon = 111320.0 * std::cos(lat * M_PI / 180);
    double best = std::numeric_limits<double>::infinity();
    for (const GeoRing &ring : polygon.rings) {
        for (qsizetype i = 1; i < ring.size(); ++i) {
            const double ax = (ring.at(i - 1).x() - lon) * mLon;
            const double ay = (ring.at(i - 1).y() - lat) * kMetresPerDegLat;
            const double bx = (ring.at(i).x() - lon) * mLon;
            const double by = (ring.at(i).y() - lat) * kMetresPerDegLat;
            const double dx = bx - ax, dy = by - ay;
            const double len2 = dx * dx + dy * dy;
            const double t = len2 > 0 ? std::clamp(-(ax * dx + ay * dy) / len2, 0.0, 1.0) : 0.0;
            best = std::min(best, std::hypot(ax + t * dx, ay + t * dy));
        }
    }
    return best;
}

} // namespace

DistrictArea DistrictArea::fromReference(const sync::ReferenceData &data, double marginMetres)
{
    DistrictArea area;
    area.m_marginMetres = std::max(0.0, marginMetres);
    area.m_channelDevices.insert(QString::fromLatin1(kOpen311Device).toCaseFolded());
    for (const sync::ReferenceTable &t : data.tables) {
        if (t.name == QLatin1String("streets")) {
            const qsizetype col = t.columns.indexOf(QLatin1String("geometry"));
            if (col < 0)
                continue;
            for (const QJsonArray &row : t.rows) {
                const auto g = GeoJson::parseGeometry(row.at(col).toString().toUtf8());
                if (!g)
                    continue; // a damaged street shape narrows the area; it never widens it
                area.m_polygons += g->polygons;
                area.m_bounds =
                    area.m_bounds.isNull() ? g->bounds : area.m_bounds.united(g->bounds);
            }
        } else if (t.name == QLatin1String("cameras")) {
            const qsizetype col = t.columns.indexOf(QLatin1String("code"));
            if (col < 0)
                continue;
            for (const QJsonArray &row : t.rows)
                area.m_channelDevices.insert(row.at(col).toString().trimmed().toCaseFolded());
        }
    }
    if (!area.m_bounds.isNull()) {
        const double c = area.m_bounds.center().y();
        const double dLat = area.m_marginMetres / kMetresPerDegLat;
        const double dLon = area.m_marginMetres / (111320.0 * std::cos(c * M_PI / 180));
        area.m_bounds.adjust(-dLon, -dLat, dLon, dLat);
    }
    return area;
}

bool DistrictArea::contains(double lon, double lat) const
{
    if (!std::isfinite(lon) || !std::isfinite(lat))
        return false;
    if (m_polygons.isEmpty())
        return inShanghai(lon, lat);
    if (lon < m_bounds.left() || lon > m_bounds.right() || lat < m_bounds.top() ||
        lat > m_bounds.bottom())
        return false;
    for (const GeoPolygon &p : m_polygons) {
        if (inPolygon(p, lon, lat))
            return true;
    }
    if (m_marginMetres <= 0)
        return false;
    for (const GeoPolygon &p : m_polygons) {
        if (metresToEdge(p, lon, lat) <= m_marginMetres)
            return true;
    }
    return false;
}

std::optional<QString> DistrictArea::refusal(double lon, double lat) const
{
    if (contains(lon, lat))
        return std::nullopt;
    return m_polygons.isEmpty()
               ? tr("The position %1, %2 (latitude, longitude) lies outside the service area.")
                     .arg(lat)
                     .arg(lon)
               : tr("The position %1, %2 (latitude, longitude) lies outside the district.")
                     .arg(lat)
                     .arg(lon);
}

bool DistrictArea::isChannelDevice(const QString &device) const
{
    return m_channelDevices.contains(device.trimmed().toCaseFolded());
}

} // namespace cityops::platform
