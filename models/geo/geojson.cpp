#include "geojson.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cityops {

QString GeoJson::kindName(GeometryKind kind)
{
    switch (kind) {
    case GeometryKind::None:
        return QStringLiteral("null");
    case GeometryKind::Point:
        return QStringLiteral("Point");
    case GeometryKind::MultiPoint:
        return QStringLiteral("MultiPoint");
    case GeometryKind::LineString:
        return QStringLiteral("LineString");
    case GeometryKind::MultiLineString:
        return QStringLiteral("MultiLineString");
    case GeometryKind::Polygon:
        return QStringLiteral("Polygon");
    case GeometryKind::MultiPolygon:
        return QStringLiteral("MultiPolygon");
    case GeometryKind::GeometryCollection:
        return QStringLiteral("GeometryCollection");
    }
    return {};
}

namespace {

QString number(double v)
{
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

/** A short description of a JSON value for messages ("a string", "the number 3", …). */
QString describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return GeoJson::tr("null");
    case QJsonValue::Bool:
        return v.toBool() ? GeoJson::tr("true") : GeoJson::tr("false");
    case QJsonValue::Double:
        return GeoJson::tr("the number %1").arg(number(v.toDouble()));
    case QJsonValue::String:
        return GeoJson::tr("a string");
    case QJsonValue::Array:
        return GeoJson::tr("an array");
    case QJsonValue::Object:
        return GeoJson::tr("an object");
    case QJsonValue::Undefined:
        break;
    }
    return GeoJson::tr("nothing");
}

/** A position written back as JSON for messages, e.g. "[200, 31]"; long arrays are cut short. */
QString positionText(const QJsonArray &a)
{
    QStringList parts;
    for (qsizetype i = 0; i < a.size() && i < 4; ++i) {
        const QJsonValue v = a.at(i);
        if (v.isDouble())
            parts << number(v.toDouble());
        else if (v.isString())
            parts << QLatin1Char('"') + v.toString().left(20) + QLatin1Char('"');
        else if (v.isArray())
            parts << QStringLiteral("[…]");
        else if (v.isObject())
            parts << QStringLiteral("{…}");
        else
            parts << (v.isBool() ? (v.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                                 : QStringLiteral("null"));
    }
    if (a.size() > 4)
        parts << QStringLiteral("…");
    return QLatin1Char('[') + parts.join(QLatin1String(", ")) + QLatin1Char(']');
}

const QString kGeometryTypes[] = {QStringLiteral("Point"),
                                  QStringLiteral("MultiPoint"),
                                  QStringLiteral("LineString"),
                                  QStringLiteral("MultiLineString"),
                                  QStringLiteral("Polygon"),
                                  QStringLiteral("MultiPolygon"),
                                  QStringLiteral("GeometryCollection")};

GeometryKind geometryKind(const QString &type)
{
    for (int i = 0; i < 7; ++i)
        if (type == kGeometryTypes[i])
            return static_cast<GeometryKind>(i + 1);
    return GeometryKind::None;
}

/** Walks one GeoJSON document; the first problem found is kept and everything after it ignored. */
class Reader
{
public:
    bool failed() const { return !m_error.isEmpty(); }
    const QString &error() const { return m_error; }

    bool fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = m_featurePrefix + m_memberPrefix + message;
        return false;
    }

    /** The root object, as parse() sees it. */
    Result<QList<GeoFeature>> readRoot(const QJsonObject &root)
    {
        QString type;
        if (!readType(root, GeoJson::tr("the GeoJSON object"), &type))
            return Error{m_error};
        QList<GeoFeature> features;
        if (type == QLatin1String("FeatureCollection")) {
            if (!checkCommonMembers(root))
                return Error{m_error};
            const QJsonValue list = root.value(QLatin1String("features"));
            if (list.isUndefined())
                return Error{GeoJson::tr("FeatureCollection has no \"features\" member")};
            if (!list.isArray())
                return Error{
                    GeoJson::tr("\"features\" must be an array, not %1").arg(describe(list))};
            const QJsonArray array = list.toArray();
            features.reserve(array.size());
            for (qsizetype i = 0; i < array.size(); ++i) {
                if (i > std::numeric_limits<int>::max())
                    return Error{GeoJson::tr("too many features")};
                GeoFeature f;
                if (!readFeature(array.at(i), int(i), &f))
                    return Error{m_error};
                features.append(std::move(f));
            }
        } else if (type == QLatin1String("Feature")) {
            GeoFeature f;
            if (!readFeature(root, 0, &f))
                return Error{m_error};
            features.append(std::move(f));
        } else if (geometryKind(type) != GeometryKind::None) {
            GeoFeature f;
            if (!readGeometry(root, type, &f, true))
                return Error{m_error};
            features.append(std::move(f));
        } else {
            return Error{GeoJson::tr("unknown GeoJSON type \"%1\"").arg(type.left(40))};
        }
        return features;
    }

    /** A bare geometry object, as parseGeometry() sees it. */
    Result<GeoFeature> readBareGeometry(const QJsonObject &g)
    {
        QString type;
        if (!readType(g, GeoJson::tr("the geometry"), &type))
            return Error{m_error};
        if (geometryKind(type) == GeometryKind::None) {
            if (type == QLatin1String("Feature") || type == QLatin1String("FeatureCollection"))
                return Error{GeoJson::tr("expected a geometry object, found a %1").arg(type)};
            return Error{GeoJson::tr("unknown geometry type \"%1\"").arg(type.left(40))};
        }
        GeoFeature f;
        if (!readGeometry(g, type, &f, true))
            return Error{m_error};
        return f;
    }

private:
    bool readType(const QJsonObject &o, const QString &what, QString *type)
    {
        const QJsonValue t = o.value(QLatin1String("type"));
        if (t.isUndefined())
            return fail(GeoJson::tr("%1 has no \"type\" member").arg(what));
        if (!t.isString())
            return fail(GeoJson::tr("\"type\" must be a string, not %1").arg(describe(t)));
        *type = t.toString();
        return true;
    }

    /** "bbox" and the GeoJSON-2008 "crs", which may appear on any object. */
    bool checkCommonMembers(const QJsonObject &o)
    {
        const QJsonValue bbox = o.value(QLatin1String("bbox"));
        if (!bbox.isUndefined()) {
            const QJsonArray a = bbox.toArray();
            bool ok = bbox.isArray() && (a.size() == 4 || a.size() == 6);
            for (const QJsonValue &v : a)
                ok = ok && v.isDouble() && std::isfinite(v.toDouble());
            if (!ok)
                return fail(GeoJson::tr("\"bbox\" must be an array of 4 or 6 numbers"));
        }
        const QJsonValue crs = o.value(QLatin1String("crs"));
        if (crs.isUndefined() || crs.isNull())
            return true;
        const QJsonObject c = crs.toObject();
        const QString name =
            c.value(QLatin1String("properties")).toObject().value(QLatin1String("name")).toString();
        static const QStringList wgs84{QStringLiteral("urn:ogc:def:crs:OGC:1.3:CRS84"),
                                       QStringLiteral("urn:ogc:def:crs:OGC::CRS84"),
                                       QStringLiteral("OGC:CRS84"),
                                       QStringLiteral("CRS84"),
                                       QStringLiteral("urn:ogc:def:crs:EPSG::4326"),
                                       QStringLiteral("urn:ogc:def:crs:EPSG:4326"),
                                       QStringLiteral("EPSG:4326"),
                                       QStringLiteral("WGS84")};
        if (c.value(QLatin1String("type")).toString() == QLatin1String("name") &&
            wgs84.contains(name, Qt::CaseInsensitive))
            return true;
        return fail(GeoJson::tr("coordinate reference system \"%1\" is not supported: RFC 7946 "
                                "GeoJSON uses WGS-84 longitude/latitude only (reproject the data "
                                "to EPSG:4326)")
                        .arg(name.isEmpty() ? GeoJson::tr("(unnamed)") : name.left(60)));
    }

    bool readFeature(const QJsonValue &value, int index, GeoFeature *f)
    {
        m_featurePrefix = GeoJson::tr("feature %1: ").arg(index);
        f->index = index;
        if (!value.isObject())
            return fail(GeoJson::tr("must be a Feature object, not %1").arg(describe(value)));
        const QJsonObject o = value.toObject();
        QString type;
        if (!readType(o, GeoJson::tr("the Feature"), &type))
            return false;
        if (type != QLatin1String("Feature"))
            return fail(
                GeoJson::tr("expected \"type\": \"Feature\", found \"%1\"").arg(type.left(40)));
        if (!checkCommonMembers(o))
            return false;

        const QJsonValue id = o.value(QLatin1String("id"));
        if (id.isString() || id.isDouble())
            f->id = id.toVariant();
        else if (!id.isUndefined())
            return fail(
                GeoJson::tr("\"id\" must be a string or a number, not %1").arg(describe(id)));

        const QJsonValue props = o.value(QLatin1String("properties"));
        if (props.isObject())
            f->properties = props.toObject().toVariantMap();
        else if (!props.isNull() && !props.isUndefined())
            return fail(GeoJson::tr("\"properties\" must be an object or null, not %1")
                            .arg(describe(props)));

        const QJsonValue geometry = o.value(QLatin1String("geometry"));
        if (geometry.isUndefined())
            return fail(GeoJson::tr("Feature has no \"geometry\" member (use \"geometry\": null "
                                    "for a feature without a location)"));
        if (geometry.isNull())
            return true;
        if (!geometry.isObject())
            return fail(GeoJson::tr("\"geometry\" must be an object or null, not %1")
                            .arg(describe(geometry)));
        const QJsonObject g = geometry.toObject();
        if (!readType(g, GeoJson::tr("the geometry"), &type))
            return false;
        if (geometryKind(type) == GeometryKind::None)
            return fail(GeoJson::tr("unknown geometry type \"%1\"").arg(type.left(40)));
        return readGeometry(g, type, f, true);
    }

    /** Reads a geometry of a known type into f; GeometryCollection members are appended. */
    bool readGeometry(const QJsonObject &g, const QString &type, GeoFeature *f, bool topLevel)
    {
        const GeometryKind kind = geometryKind(type);
        if (topLevel)
            f->kind = kind;
        if (!checkCommonMembers(g))
            return false;
        if (kind == GeometryKind::GeometryCollection) {
            if (!topLevel)
                return fail(GeoJson::tr("nested GeometryCollection is not allowed"));
            const QJsonValue members = g.value(QLatin1String("geometries"));
            if (!members.isArray())
                return fail(GeoJson::tr("GeometryCollection needs a \"geometries\" array"));
            const QJsonArray list = members.toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                m_memberPrefix = GeoJson::tr("geometry %1 of the collection: ").arg(i);
                const QJsonValue member = list.at(i);
                if (!member.isObject())
                    return fail(
                        GeoJson::tr("must be a geometry object, not %1").arg(describe(member)));
                QString memberType;
                if (!readType(member.toObject(), GeoJson::tr("the geometry"), &memberType))
                    return false;
                if (geometryKind(memberType) == GeometryKind::None)
                    return fail(
                        GeoJson::tr("unknown geometry type \"%1\"").arg(memberType.left(40)));
                if (!readGeometry(member.toObject(), memberType, f, false))
                    return false;
            }
            m_memberPrefix.clear();
            return true;
        }

        const QJsonValue coordinates = g.value(QLatin1String("coordinates"));
        if (coordinates.isUndefined())
            return fail(GeoJson::tr("%1 has no \"coordinates\" member").arg(type));
        if (!coordinates.isArray())
            return fail(GeoJson::tr("\"coordinates\" of a %1 must be an array, not %2")
                            .arg(type, describe(coordinates)));
        const QJsonArray c = coordinates.toArray();
        m_type = type;
        switch (kind) {
        case GeometryKind::Point: {
            QPointF p;
            const QString problem = positionProblem(c, &p);
            if (!problem.isEmpty())
                return fail(problem);
            f->points.append(p);
            return true;
        }
        case GeometryKind::MultiPoint: {
            QList<QPointF> points;
            if (!readPositions(c, QString(), &points))
                return false;
            f->points.append(points);
            return true;
        }
        case GeometryKind::LineString: {
            QList<QPointF> line;
            if (!readLine(c, GeoJson::tr("line string"), &line))
                return false;
            f->lines.append(std::move(line));
            return true;
        }
        case GeometryKind::MultiLineString:
            for (qsizetype i = 0; i < c.size(); ++i) {
                const QString label = GeoJson::tr("line %1").arg(i);
                QList<QPointF> line;
                if (!nested(c.at(i), label) || !readLine(c.at(i).toArray(), label, &line))
                    return false;
                f->lines.append(std::move(line));
            }
            return true;
        case GeometryKind::Polygon: {
            GeoPolygon polygon;
            if (!readPolygon(c, GeoJson::tr("polygon"), &polygon))
                return false;
            f->polygons.append(std::move(polygon));
            return true;
        }
        case GeometryKind::MultiPolygon:
            for (qsizetype i = 0; i < c.size(); ++i) {
                const QString label = GeoJson::tr("polygon %1").arg(i);
                GeoPolygon polygon;
                if (!nested(c.at(i), label) || !readPolygon(c.at(i).toArray(), label, &polygon))
                    return false;
                f->polygons.append(std::move(polygon));
            }
            return true;
        case GeometryKind::None:
        case GeometryKind::GeometryCollection:
            break;
        }
        return false;
    }

    /** Fails unless v is the array the geometry's nesting depth calls for at label. */
    bool nested(const QJsonValue &v, const QString &label)
    {
        if (v.isArray())
            return true;
        return fail(GeoJson::tr("%1: expected an array but found %2 (coordinates are nested too "
                                "shallowly for a %3)")
                        .arg(label, describe(v), m_type));
    }

    bool readPolygon(const QJsonArray &rings, const QString &label, GeoPolygon *polygon)
    {
        if (rings.isEmpty())
            return fail(
                GeoJson::tr("%1 has no rings (at least the outer ring is needed)").arg(label));
        for (qsizetype r = 0; r < rings.size(); ++r) {
            const QString ringLabel = GeoJson::tr("%1 ring %2").arg(label).arg(r);
            if (!nested(rings.at(r), ringLabel))
                return false;
            const QJsonArray ring = rings.at(r).toArray();
            GeoRing points;
            if (!readPositions(ring, ringLabel, &points))
                return false;
            if (ring.size() < 4)
                return fail(GeoJson::tr("%1 has too few positions (%2); a linear ring needs at "
                                        "least 4, the last repeating the first")
                                .arg(ringLabel)
                                .arg(ring.size()));
            if (!samePosition(ring.first().toArray(), ring.last().toArray()))
                return fail(GeoJson::tr("%1 is not closed (first and last positions differ)")
                                .arg(ringLabel));
            polygon->rings.append(std::move(points));
        }
        return true;
    }

    bool readLine(const QJsonArray &positions, const QString &label, QList<QPointF> *line)
    {
        if (!readPositions(positions, label, line))
            return false;
        if (positions.size() < 2)
            return fail(GeoJson::tr("%1 has too few positions (%2); at least 2 are needed")
                            .arg(label)
                            .arg(positions.size()));
        return true;
    }

    bool readPositions(const QJsonArray &positions, const QString &label, QList<QPointF> *out)
    {
        out->reserve(out->size() + positions.size());
        for (qsizetype i = 0; i < positions.size(); ++i) {
            const QJsonValue v = positions.at(i);
            QString problem;
            QPointF p;
            if (!v.isArray()) {
                problem =
                    GeoJson::tr("expected a position [lon, lat] but found %1").arg(describe(v));
                if (v.isDouble())
                    problem +=
                        GeoJson::tr(" (coordinates are nested too shallowly for a %1)").arg(m_type);
            } else {
                problem = positionProblem(v.toArray(), &p);
            }
            if (!problem.isEmpty()) {
                const QString where = label.isEmpty()
                                          ? GeoJson::tr("position %1").arg(i)
                                          : GeoJson::tr("%1, position %2").arg(label).arg(i);
                return fail(where + QStringLiteral(": ") + problem);
            }
            out->append(p);
        }
        return true;
    }

    /** Empty when a is a valid position (then stored in *p), else what is wrong with it. */
    QString positionProblem(const QJsonArray &a, QPointF *p) const
    {
        for (const QJsonValue &v : a) {
            if (v.isArray())
                return GeoJson::tr("expected a position [lon, lat] but found %1 (coordinates are "
                                   "nested too deeply for a %2)")
                    .arg(positionText(a), m_type);
            if (v.isString())
                return GeoJson::tr("position %1 holds a string; coordinates must be JSON "
                                   "numbers, not quoted")
                    .arg(positionText(a));
            if (!v.isDouble())
                return GeoJson::tr("position %1 holds %2; coordinates must be numbers")
                    .arg(positionText(a), describe(v));
        }
        if (a.size() < 2 || a.size() > 3)
            return GeoJson::tr("position %1 has the wrong length: 2 or 3 numbers are needed "
                               "(longitude, latitude[, altitude])")
                .arg(positionText(a));
        const double lon = a.at(0).toDouble();
        const double lat = a.at(1).toDouble();
        if (!std::isfinite(lon) || !std::isfinite(lat) ||
            (a.size() == 3 && !std::isfinite(a.at(2).toDouble())))
            return GeoJson::tr("position %1 is not finite").arg(positionText(a));
        if (lon < -180.0 || lon > 180.0)
            return GeoJson::tr("coordinate %1 is out of range (longitude must be within "
                               "−180…180)")
                .arg(positionText(a));
        if (lat < -90.0 || lat > 90.0) {
            if (std::abs(lon) <= 90.0 && std::abs(lat) <= 180.0)
                return GeoJson::tr("coordinate %1 is out of range (latitude must be within "
                                   "−90…90; are longitude and latitude swapped? GeoJSON puts "
                                   "longitude first)")
                    .arg(positionText(a));
            return GeoJson::tr("coordinate %1 is out of range (latitude must be within −90…90)")
                .arg(positionText(a));
        }
        *p = QPointF(lon, lat);
        return {};
    }

    static bool samePosition(const QJsonArray &a, const QJsonArray &b)
    {
        if (a.size() != b.size())
            return false;
        for (qsizetype i = 0; i < a.size(); ++i)
            if (a.at(i).toDouble() != b.at(i).toDouble())
                return false;
        return true;
    }

    QString m_error;
    QString m_featurePrefix;
    QString m_memberPrefix;
    QString m_type; ///< the geometry type being read, for messages about nesting depth
};

QRectF boundsOf(const GeoFeature &f)
{
    double minX = std::numeric_limits<double>::infinity();
    double minY = minX;
    double maxX = -minX;
    double maxY = -minX;
    auto add = [&](const QPointF &p) {
        minX = std::min(minX, p.x());
        minY = std::min(minY, p.y());
        maxX = std::max(maxX, p.x());
        maxY = std::max(maxY, p.y());
    };
    for (const QPointF &p : f.points)
        add(p);
    for (const QList<QPointF> &line : f.lines)
        for (const QPointF &p : line)
            add(p);
    // Every ring, holes too: the reader does not check that a hole lies inside its outer ring.
    for (const GeoPolygon &polygon : f.polygons)
        for (const GeoRing &ring : polygon.rings)
            for (const QPointF &p : ring)
                add(p);
    if (minX > maxX)
        return {};
    return QRectF(minX, minY, maxX - minX, maxY - minY);
}

/** JSON text to a root object, with the size, emptiness and top-level checks shared by both
 * entry points. */
Result<QJsonObject> rootObject(const QByteArray &json)
{
    if (json.size() > GeoJson::kMaxBytes)
        return Error{GeoJson::tr("GeoJSON is larger than %1 MB").arg(GeoJson::kMaxBytes >> 20)};
    QByteArrayView body(json);
    if (body.startsWith("\xEF\xBB\xBF"))
        body = body.sliced(3);
    const QByteArrayView trimmed = body.trimmed();
    if (trimmed.isEmpty())
        return Error{GeoJson::tr("the input is empty")};
    if (trimmed.front() != '{' && trimmed.front() != '[')
        // Qt reports "illegal value" here; say what a GeoJSON document looks like instead.
        return Error{GeoJson::tr("not valid JSON at offset %1: a GeoJSON document must start "
                                 "with \"{\"")
                         .arg(trimmed.data() - json.constData())};
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error{
            GeoJson::tr("not valid JSON at offset %1: %2").arg(pe.offset).arg(pe.errorString())};
    if (doc.isArray())
        return Error{GeoJson::tr("the top level is a JSON array; GeoJSON must be one object (a "
                                 "FeatureCollection, a Feature or a geometry)")};
    if (!doc.isObject())
        return Error{GeoJson::tr("the top level must be a JSON object")};
    return doc.object();
}

} // namespace

Result<QList<GeoFeature>> GeoJson::parse(const QByteArray &json)
{
    Result<QJsonObject> root = rootObject(json);
    if (!root)
        return Error{root.error()};
    Reader reader;
    Result<QList<GeoFeature>> features = reader.readRoot(*root);
    if (features)
        for (GeoFeature &f : *features)
            f.bounds = boundsOf(f);
    return features;
}

Result<GeoFeature> GeoJson::parseGeometry(const QByteArray &json)
{
    Result<QJsonObject> root = rootObject(json);
    if (!root)
        return Error{root.error()};
    Reader reader;
    Result<GeoFeature> feature = reader.readBareGeometry(*root);
    if (feature)
        feature->bounds = boundsOf(*feature);
    return feature;
}

Result<QList<GeoFeature>> GeoJson::readFile(const QString &path, qint64 maxBytes)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error{tr("%1: file not found").arg(path)};
    if (!info.isFile())
        return Error{tr("%1: not a regular file").arg(path)};
    const qint64 cap = std::min(maxBytes, kMaxBytes);
    if (info.size() > cap)
        return Error{tr("%1: file is %2 bytes, more than the %3-byte limit for GeoJSON")
                         .arg(path)
                         .arg(info.size())
                         .arg(cap)};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{tr("%1: cannot open: %2").arg(path, file.errorString())};
    // One byte more than expected reveals a file that grew after the size check.
    const QByteArray data = file.read(std::min(cap, info.size()) + 1);
    if (data.size() > cap)
        return Error{tr("%1: file grew beyond the %2-byte limit while reading").arg(path).arg(cap)};
    Result<QList<GeoFeature>> features = parse(data);
    if (!features)
        return Error{tr("%1: %2").arg(path, features.error())};
    return features;
}

} // namespace cityops
