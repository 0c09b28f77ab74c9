#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QVariant>
#include <QVariantMap>

namespace cityops {

enum class GeometryKind
{
    None, ///< "geometry": null
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
    GeometryCollection
};

using GeoRing = QList<QPointF>; ///< (lon, lat) positions, closed: first == last

/** One polygon: rings[0] is the outer ring, the others are holes. */
struct GeoPolygon
{
    QList<GeoRing> rings;
};

/**
 * One feature with its geometry flattened into point, line and polygon lists. A Point fills
 * one entry of points, a MultiPolygon several of polygons, and a GeometryCollection whatever its
 * members hold (kind then stays GeometryCollection).
 */
struct GeoFeature
{
    int index = 0; ///< position in the input's feature list (0 for a single Feature or geometry)
    QVariant id;   ///< invalid when absent; QString, or qlonglong / double for numbers
    GeometryKind kind = GeometryKind::None;
    QList<QPointF> points;       ///< Point / MultiPoint members (lon, lat)
    QList<QList<QPointF>> lines; ///< LineString / MultiLineString members
    QList<GeoPolygon> polygons;  ///< Polygon / MultiPolygon members
    QVariantMap properties;      ///< empty when "properties" is null
    /// lon/lat box: x = min lon, y = min lat. QRectF() when there are no positions; a lone point
    /// gives a zero-size box at the point, so test isEmpty(), not bounds.isNull().
    QRectF bounds;

    bool isEmpty() const { return points.isEmpty() && lines.isEmpty() && polygons.isEmpty(); }
};

/**
 * A strict RFC 7946 GeoJSON reader, all or nothing: input with a single problem is rejected with
 * one message naming the problem and the feature (by its 0-based index; rings, parts and
 * geometries inside a feature are 0-based as well). Accepts a FeatureCollection, one Feature or a
 * bare geometry. Positions are [lon, lat] or [lon, lat, alt] (altitude ignored) in WGS-84.
 * Deviations from the letter of the RFC: a Feature without "properties" is accepted (as null),
 * foreign members are ignored, and a GeoJSON-2008 "crs" naming WGS-84 (CRS84, EPSG:4326) is
 * tolerated while any other crs is rejected. Stateless; safe to call from any thread.
 */
class GeoJson
{
    Q_DECLARE_TR_FUNCTIONS(GeoJson)
public:
    static constexpr qint64 kMaxBytes = 256LL * 1024 * 1024;

    static Result<QList<GeoFeature>> parse(const QByteArray &json);
    /** Reads and parses a file; the size cap is checked before reading. Errors name the file. */
    static Result<QList<GeoFeature>> readFile(const QString &path, qint64 maxBytes = kMaxBytes);
    /** Parses one bare geometry object (as stored in the cache's geometry columns). */
    static Result<GeoFeature> parseGeometry(const QByteArray &json);

    /** The RFC 7946 "type" name of a kind ("Polygon", …; "null" for None). */
    static QString kindName(GeometryKind kind);
};

} // namespace cityops
