#pragma once

#include "geo/tileid.h"

#include <QGeoCoordinate>
#include <QGeoRectangle>
#include <QList>
#include <QPointF>
#include <QRectF>

#include <algorithm>
#include <cmath>
#include <numbers>

/*
 * Coordinate systems used by the map code (all doubles):
 *  - lon/lat: WGS-84 degrees, passed as (lon, lat) in that order; a QPointF holds x = lon, y = lat.
 *  - Mercator: EPSG:3857 metres, x east, y NORTH, origin at (0°, 0°), ±kWorldMetres / 2.
 *  - unit: normalised world coordinates in [0, 1]², x east, y SOUTH, origin at the north-west
 *    corner (as in slippy maps and supercluster); pixel = unit × tileSize × 2^zoom.
 *  - GCJ-02: the obfuscated "Mars" lon/lat that Gaode/Amap tiles are drawn in.
 * Every function is pure and thread-safe.
 */
namespace cityops::geo {

inline constexpr double kEarthRadius = 6378137.0; ///< EPSG:3857 sphere radius, metres
inline constexpr double kWorldMetres = 2.0 * std::numbers::pi * kEarthRadius;
inline constexpr double kMaxLatitude = 85.05112878; ///< the latitude where Mercator y = ±x
inline constexpr int kTileSize = 256;

inline double degToRad(double deg)
{
    return deg * (std::numbers::pi / 180.0);
}
inline double radToDeg(double rad)
{
    return rad * (180.0 / std::numbers::pi);
}

// ---- EPSG:3857 Web Mercator -----------------------------------------------------------------

/** Lon/lat to EPSG:3857 metres; the latitude is clamped to ±kMaxLatitude. */
inline QPointF toMercator(double lon, double lat)
{
    const double phi = degToRad(std::clamp(lat, -kMaxLatitude, kMaxLatitude));
    // asinh(tan φ) equals ln(tan(π/4 + φ/2)) but loses no precision near the equator (as PROJ).
    return {kEarthRadius * degToRad(lon), kEarthRadius * std::asinh(std::tan(phi))};
}
/** EPSG:3857 metres back to QPointF(lon, lat). */
inline QPointF fromMercator(QPointF m)
{
    return {radToDeg(m.x() / kEarthRadius), radToDeg(std::atan(std::sinh(m.y() / kEarthRadius)))};
}
QPointF toMercator(const QGeoCoordinate &c);
QGeoCoordinate coordinateFromMercator(QPointF m);

// ---- Normalised world ("unit") coordinates ----------------------------------------------------

/**
 * Lon/lat to unit coordinates, with y clamped to [0, 1]. The formula is supercluster's
 * lngX/latY term for term, so clusters computed here agree with the reference bit for bit.
 */
inline QPointF toUnit(double lon, double lat)
{
    const double s = std::sin(lat * std::numbers::pi / 180.0);
    const double y = 0.5 - 0.25 * std::log((1.0 + s) / (1.0 - s)) / std::numbers::pi;
    return {lon / 360.0 + 0.5, std::clamp(y, 0.0, 1.0)};
}
/** Unit coordinates back to QPointF(lon, lat) (supercluster's xLng/yLat). */
inline QPointF fromUnit(QPointF u)
{
    const double y2 = (180.0 - u.y() * 360.0) * std::numbers::pi / 180.0;
    return {(u.x() - 0.5) * 360.0, 360.0 * std::atan(std::exp(y2)) / std::numbers::pi - 90.0};
}
inline QPointF unitToMercator(QPointF u)
{
    return {(u.x() - 0.5) * kWorldMetres, (0.5 - u.y()) * kWorldMetres};
}
inline QPointF mercatorToUnit(QPointF m)
{
    return {m.x() / kWorldMetres + 0.5, 0.5 - m.y() / kWorldMetres};
}

// ---- XYZ tiles (256 px, y from the north) -----------------------------------------------------

/** The tile containing (lon, lat) at zoom z; points on a tile boundary belong to the east/south
 * tile, points on the world's east/south edge to the last column/row. */
TileId tileAt(double lon, double lat, int z);
/** The tile's extent in unit coordinates (top-left = north-west corner). */
QRectF tileUnitRect(TileId t);
/**
 * The tile's extent in degrees as a y-up lon/lat rectangle: x = west, y = SOUTH,
 * width = east − west, height = north − south. So QRectF::top() is the southern edge here.
 */
QRectF tileLonLatRect(TileId t);
/**
 * The tiles at zoom z that overlap the rectangle, row by row from the north-west. The rectangle is
 * half-open: an east or south edge lying exactly on a tile boundary does not pull in the tile
 * beyond it. A rectangle crossing the antimeridian (west > east) is handled. Call tileCount()
 * first: a large area at a high zoom is millions of tiles.
 */
QList<TileId> tilesCovering(const QGeoRectangle &area, int z);
/** Number of tiles tilesCovering() would return, summed over zMin..zMax, without listing them. */
qint64 tileCount(const QGeoRectangle &area, int zMin, int zMax);
/** Ground resolution of Web Mercator at latitude lat and (possibly fractional) zoom. */
double metresPerPixel(double lat, double zoom, int tileSize = kTileSize);

// ---- GCJ-02 --------------------------------------------------------------------------------

/** The rectangle test of the public reference algorithm (not China's real border): outside it
 * GCJ-02 equals WGS-84. */
inline bool outOfChina(double lon, double lat)
{
    return !(lon > 73.66 && lon < 135.05 && lat > 3.86 && lat < 53.55);
}
/** WGS-84 to GCJ-02, the public reference algorithm operation for operation. */
QPointF wgs84ToGcj02(double lon, double lat);
/** GCJ-02 to WGS-84 by fixed-point iteration on the forward transform (round trip < 1 mm). */
QPointF gcj02ToWgs84(double lon, double lat);
/** As above; the altitude is kept. */
QGeoCoordinate wgs84ToGcj02(const QGeoCoordinate &c);
QGeoCoordinate gcj02ToWgs84(const QGeoCoordinate &c);

/** Great-circle distance in metres between two QPointF(lon, lat) (QGeoCoordinate::distanceTo). */
double distanceMetres(QPointF lonLatA, QPointF lonLatB);

} // namespace cityops::geo
