// libFuzzer target: the RFC 7946 reader (models/geo/geojson.*), as a whole document and as a bare
// geometry (the cache's geometry columns). What it accepts must obey RFC 7946 as the reader
// promises: positions in WGS-84 range, lines of 2+ positions, closed rings of 4+, feature indexes
// in order, and bounds that contain every position.
#include "fuzzsupport.h"

#include "geo/geojson.h"

using namespace cityops;

namespace {

void checkPosition(const GeoFeature &f, const QPointF &p)
{
    FUZZ_CHECK(p.x() >= -180 && p.x() <= 180 && p.y() >= -90 && p.y() <= 90);
    // QRectF keeps x, y, width and height, so right() = x + width may round a last bit below the
    // largest longitude; 1e-9 degrees (0.1 mm) is far below anything drawn.
    constexpr double eps = 1e-9;
    const QRectF &b = f.bounds;
    FUZZ_CHECK(p.x() >= b.left() - eps && p.x() <= b.right() + eps && p.y() >= b.top() - eps &&
               p.y() <= b.bottom() + eps);
}

void checkFeature(const GeoFeature &f)
{
    for (const QPointF &p : f.points)
        checkPosition(f, p);
    for (const QList<QPointF> &line : f.lines) {
        FUZZ_CHECK(line.size() >= 2);
        for (const QPointF &p : line)
            checkPosition(f, p);
    }
    for (const GeoPolygon &poly : f.polygons) {
        FUZZ_CHECK(!poly.rings.isEmpty());
        for (const GeoRing &ring : poly.rings) {
            FUZZ_CHECK(ring.size() >= 4 && ring.first() == ring.last());
            for (const QPointF &p : ring)
                checkPosition(f, p);
        }
    }
    FUZZ_CHECK(f.kind != GeometryKind::None || f.isEmpty());
    FUZZ_CHECK(!GeoJson::kindName(f.kind).isEmpty());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cityops::fuzz::initApplication(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), qsizetype(size));
    if (const auto features = GeoJson::parse(json)) {
        int last = -1;
        for (const GeoFeature &f : *features) {
            FUZZ_CHECK(f.index > last);
            last = f.index;
            checkFeature(f);
        }
    } else {
        FUZZ_CHECK(!features.error().isEmpty());
    }
    if (const auto g = GeoJson::parseGeometry(json))
        checkFeature(*g);
    return 0;
}
