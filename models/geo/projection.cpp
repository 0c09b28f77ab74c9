#include "projection.h"

namespace cityops::geo {

QPointF toMercator(const QGeoCoordinate &c)
{
    return toMercator(c.longitude(), c.latitude());
}

QGeoCoordinate coordinateFromMercator(QPointF m)
{
    const QPointF ll = fromMercator(m);
    return QGeoCoordinate(ll.y(), ll.x());
}

namespace {

/** Tile index of a unit coordinate, clamped to the world's 2^z tiles. */
int tileIndex(double unit, int z)
{
    const double n = std::ldexp(1.0, z);
    return static_cast<int>(std::clamp(std::floor(unit * n), 0.0, n - 1.0));
}

/** Closed range of tile indices [first, last] covered by the half-open unit interval [lo, hi]. */
struct IndexRange
{
    int first = 0;
    int last = -1;
    qint64 size() const { return last >= first ? qint64(last) - first + 1 : 0; }
};

IndexRange tileRange(double lo, double hi, int z)
{
    const double n = std::ldexp(1.0, z);
    const int first = tileIndex(lo, z);
    // ceil − 1 leaves out the tile that merely touches an edge on a boundary; a degenerate
    // (zero-width) interval still covers the one tile it lies in.
    const double lastRaw = std::ceil(hi * n) - 1.0;
    const int last = static_cast<int>(std::clamp(lastRaw, double(first), n - 1.0));
    return {first, last};
}

/** Column ranges of an area: two when it crosses the antimeridian. */
QList<IndexRange> columnRanges(const QGeoRectangle &area, int z)
{
    const double west = area.topLeft().longitude();
    const double east = area.bottomRight().longitude();
    if (west <= east)
        return {tileRange(west / 360.0 + 0.5, east / 360.0 + 0.5, z)};
    return {tileRange(west / 360.0 + 0.5, 1.0, z), tileRange(0.0, east / 360.0 + 0.5, z)};
}

IndexRange rowRange(const QGeoRectangle &area, int z)
{
    return tileRange(toUnit(0, area.topLeft().latitude()).y(),
                     toUnit(0, area.bottomRight().latitude()).y(), z);
}

bool usable(const QGeoRectangle &area, int z)
{
    return area.isValid() && z >= 0 && z <= 30;
}

} // namespace

TileId tileAt(double lon, double lat, int z)
{
    const QPointF u = toUnit(lon, lat);
    return {z, tileIndex(u.x(), z), tileIndex(u.y(), z)};
}

QRectF tileUnitRect(TileId t)
{
    const double size = std::ldexp(1.0, -t.z);
    return {t.x * size, t.y * size, size, size};
}

QRectF tileLonLatRect(TileId t)
{
    const QRectF u = tileUnitRect(t);
    const QPointF nw = fromUnit(u.topLeft());
    const QPointF se = fromUnit(u.bottomRight());
    return {nw.x(), se.y(), se.x() - nw.x(), nw.y() - se.y()};
}

QList<TileId> tilesCovering(const QGeoRectangle &area, int z)
{
    QList<TileId> out;
    if (!usable(area, z))
        return out;
    const IndexRange rows = rowRange(area, z);
    const QList<IndexRange> cols = columnRanges(area, z);
    qint64 total = 0;
    for (const IndexRange &c : cols)
        total += c.size();
    out.reserve(total * rows.size());
    for (int y = rows.first; y <= rows.last; ++y)
        for (const IndexRange &c : cols)
            for (int x = c.first; x <= c.last; ++x)
                out.append(TileId{z, x, y});
    return out;
}

qint64 tileCount(const QGeoRectangle &area, int zMin, int zMax)
{
    qint64 total = 0;
    for (int z = std::max(zMin, 0); z <= zMax; ++z) {
        if (!usable(area, z))
            break;
        qint64 columns = 0;
        for (const IndexRange &c : columnRanges(area, z))
            columns += c.size();
        total += columns * rowRange(area, z).size();
    }
    return total;
}

double metresPerPixel(double lat, double zoom, int tileSize)
{
    return std::cos(degToRad(lat)) * kWorldMetres / (tileSize * std::exp2(zoom));
}

namespace {

// Constants and polynomials of the public GCJ-02 reference (coordtransform's index.js); the
// expressions keep its operation order so that results agree to the last bit or two.
constexpr double kPi = 3.1415926535897932384626;
constexpr double kKrasovskyA = 6378245.0;
constexpr double kKrasovskyEe = 0.00669342162296594323;

double transformLat(double lng, double lat)
{
    double ret = -100.0 + 2.0 * lng + 3.0 * lat + 0.2 * lat * lat + 0.1 * lng * lat +
                 0.2 * std::sqrt(std::abs(lng));
    ret += (20.0 * std::sin(6.0 * lng * kPi) + 20.0 * std::sin(2.0 * lng * kPi)) * 2.0 / 3.0;
    ret += (20.0 * std::sin(lat * kPi) + 40.0 * std::sin(lat / 3.0 * kPi)) * 2.0 / 3.0;
    ret += (160.0 * std::sin(lat / 12.0 * kPi) + 320 * std::sin(lat * kPi / 30.0)) * 2.0 / 3.0;
    return ret;
}

double transformLng(double lng, double lat)
{
    double ret = 300.0 + lng + 2.0 * lat + 0.1 * lng * lng + 0.1 * lng * lat +
                 0.1 * std::sqrt(std::abs(lng));
    ret += (20.0 * std::sin(6.0 * lng * kPi) + 20.0 * std::sin(2.0 * lng * kPi)) * 2.0 / 3.0;
    ret += (20.0 * std::sin(lng * kPi) + 40.0 * std::sin(lng / 3.0 * kPi)) * 2.0 / 3.0;
    ret += (150.0 * std::sin(lng / 12.0 * kPi) + 300.0 * std::sin(lng / 30.0 * kPi)) * 2.0 / 3.0;
    return ret;
}

/** The GCJ-02 offset (dLon, dLat) in degrees at a WGS-84 point inside China. */
QPointF gcjOffset(double lng, double lat)
{
    double dlat = transformLat(lng - 105.0, lat - 35.0);
    double dlng = transformLng(lng - 105.0, lat - 35.0);
    const double radlat = lat / 180.0 * kPi;
    double magic = std::sin(radlat);
    magic = 1 - kKrasovskyEe * magic * magic;
    const double sqrtmagic = std::sqrt(magic);
    dlat = (dlat * 180.0) / ((kKrasovskyA * (1 - kKrasovskyEe)) / (magic * sqrtmagic) * kPi);
    dlng = (dlng * 180.0) / (kKrasovskyA / sqrtmagic * std::cos(radlat) * kPi);
    return {dlng, dlat};
}

} // namespace

QPointF wgs84ToGcj02(double lon, double lat)
{
    if (outOfChina(lon, lat))
        return {lon, lat};
    const QPointF d = gcjOffset(lon, lat);
    return {lon + d.x(), lat + d.y()};
}

QPointF gcj02ToWgs84(double lon, double lat)
{
    if (outOfChina(lon, lat))
        return {lon, lat};
    constexpr double kTolerance = 1e-10; // degrees, about 10 µm
    constexpr int kMaxIterations = 30;
    // The offset varies slowly (its gradient is ~1e-3), so w ← w − (f(w) − g) converges by about
    // three decimal digits per step, starting from the one-step ("naive") inverse.
    const QPointF d0 = gcjOffset(lon, lat);
    double wLon = lon - d0.x();
    double wLat = lat - d0.y();
    for (int i = 0; i < kMaxIterations; ++i) {
        const QPointF g = wgs84ToGcj02(wLon, wLat);
        const double eLon = g.x() - lon;
        const double eLat = g.y() - lat;
        if (std::abs(eLon) < kTolerance && std::abs(eLat) < kTolerance)
            break;
        wLon -= eLon;
        wLat -= eLat;
    }
    return {wLon, wLat};
}

QGeoCoordinate wgs84ToGcj02(const QGeoCoordinate &c)
{
    const QPointF p = wgs84ToGcj02(c.longitude(), c.latitude());
    return QGeoCoordinate(p.y(), p.x(), c.altitude());
}

QGeoCoordinate gcj02ToWgs84(const QGeoCoordinate &c)
{
    const QPointF p = gcj02ToWgs84(c.longitude(), c.latitude());
    return QGeoCoordinate(p.y(), p.x(), c.altitude());
}

double distanceMetres(QPointF lonLatA, QPointF lonLatB)
{
    return QGeoCoordinate(lonLatA.y(), lonLatA.x())
        .distanceTo(QGeoCoordinate(lonLatB.y(), lonLatB.x()));
}

} // namespace cityops::geo
