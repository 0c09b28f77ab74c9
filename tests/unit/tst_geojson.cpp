#include "geo/geojson.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace cityops;

Q_DECLARE_METATYPE(cityops::GeometryKind)

namespace {

const QString kValidDir = QStringLiteral(CITYOPS_TEST_DATA "/geojson/valid");
const QString kMalformedDir = QStringLiteral(CITYOPS_TEST_DATA "/geojson/malformed");

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

/** The corpus expectations: malformed file name → a substring its error message must contain. */
QJsonObject expectations()
{
    return QJsonDocument::fromJson(readBytes(kMalformedDir + QStringLiteral("/expected.json")))
        .object();
}

QStringList malformedFiles()
{
    return QDir(kMalformedDir).entryList({QStringLiteral("*.geojson")}, QDir::Files, QDir::Name);
}

/** Parses a file of the valid corpus, failing the test (by returning empty) if that fails. */
QList<GeoFeature> valid(const QString &name)
{
    const auto r = GeoJson::parse(readBytes(kValidDir + QLatin1Char('/') + name));
    if (!r) {
        qWarning("%s: %s", qPrintable(name), qPrintable(r.error()));
        return {};
    }
    return *r;
}

bool near(const QRectF &a, const QRectF &b)
{
    return std::abs(a.left() - b.left()) < 1e-12 && std::abs(a.top() - b.top()) < 1e-12 &&
           std::abs(a.right() - b.right()) < 1e-12 && std::abs(a.bottom() - b.bottom()) < 1e-12;
}

} // namespace

/** The strict GeoJSON reader, driven by the corpus under tests/data/geojson. */
class TestGeoJson : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void corpusIsComplete();
    void malformed_data();
    void malformed();
    void validCorpus_data();
    void validCorpus();
    void polygonWithTwoHoles();
    void multiPolygonWithHole();
    void boundsCoverHolesOutsideTheirRing();
    void chineseProperties();
    void bareGeometryAndSingleFeature();
    void nullGeometry();
    void positions3d();
    void geometryCollection();
    void ids();
    void bomAndForeignMembers();
    void allOrNothing();
    void parseGeometry();
    void readFile();
    void hugeCoordinateArray();
};

void TestGeoJson::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(QDir(kMalformedDir).exists(), qPrintable(kMalformedDir));
    QVERIFY2(QDir(kValidDir).exists(), qPrintable(kValidDir));
}

void TestGeoJson::corpusIsComplete()
{
    const QJsonObject expected = expectations();
    const QStringList files = malformedFiles();
    QVERIFY2(files.size() >= 30, qPrintable(QString::number(files.size())));
    for (const QString &f : files)
        QVERIFY2(expected.contains(f), qPrintable(f + QStringLiteral(" has no expectation")));
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        QVERIFY2(files.contains(it.key()), qPrintable(it.key() + QStringLiteral(" is missing")));
        QVERIFY2(!it.value().toString().isEmpty(), qPrintable(it.key()));
    }
    qInfo("malformed corpus: %d files", int(files.size()));
}

void TestGeoJson::malformed_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("substring");
    const QJsonObject expected = expectations();
    for (const QString &f : malformedFiles())
        QTest::newRow(qPrintable(f)) << f << expected.value(f).toString();
}

void TestGeoJson::malformed()
{
    QFETCH(QString, file);
    QFETCH(QString, substring);
    QVERIFY2(!substring.isEmpty(), "no expectation in expected.json");
    const QString path = kMalformedDir + QLatin1Char('/') + file;
    const auto r = GeoJson::parse(readBytes(path));
    QVERIFY2(!r.ok(), "parsed although it is malformed");
    QVERIFY2(r.error().contains(substring),
             qPrintable(QStringLiteral("message \"%1\" lacks \"%2\"").arg(r.error(), substring)));
    // readFile reports the same problem and names the file.
    const auto fromFile = GeoJson::readFile(path);
    QVERIFY(!fromFile.ok());
    QVERIFY(fromFile.error().contains(path));
    QVERIFY(fromFile.error().contains(substring));
}

void TestGeoJson::validCorpus_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("features");
    QTest::addColumn<GeometryKind>("kind"); // of the first feature
    QTest::addColumn<int>("points");
    QTest::addColumn<int>("lines");
    QTest::addColumn<int>("polygons");
    QTest::newRow("polygon with two holes")
        << "polygon_two_holes.geojson" << 1 << GeometryKind::Polygon << 0 << 0 << 1;
    QTest::newRow("multipolygon") << "multipolygon_with_hole.geojson" << 1
                                  << GeometryKind::MultiPolygon << 0 << 0 << 2;
    QTest::newRow("chinese properties")
        << "chinese_properties.geojson" << 1 << GeometryKind::Point << 1 << 0 << 0;
    QTest::newRow("bare geometry")
        << "bare_geometry.geojson" << 1 << GeometryKind::LineString << 0 << 1 << 0;
    QTest::newRow("single feature")
        << "single_feature.geojson" << 1 << GeometryKind::Point << 1 << 0 << 0;
    QTest::newRow("null geometry")
        << "null_geometry.geojson" << 2 << GeometryKind::None << 0 << 0 << 0;
    QTest::newRow("3d positions") << "positions_3d.geojson" << 1 << GeometryKind::MultiLineString
                                  << 0 << 2 << 0;
    QTest::newRow("geometry collection")
        << "geometry_collection.geojson" << 1 << GeometryKind::GeometryCollection << 3 << 1 << 1;
    QTest::newRow("ids") << "ids.geojson" << 4 << GeometryKind::Point << 1 << 0 << 0;
    QTest::newRow("empty collection")
        << "empty_collection.geojson" << 0 << GeometryKind::None << 0 << 0 << 0;
    QTest::newRow("byte-order mark")
        << "with_bom.geojson" << 1 << GeometryKind::Point << 1 << 0 << 0;
    QTest::newRow("foreign members")
        << "foreign_members.geojson" << 1 << GeometryKind::Point << 1 << 0 << 0;
}

void TestGeoJson::validCorpus()
{
    QFETCH(QString, file);
    QFETCH(int, features);
    QFETCH(GeometryKind, kind);
    QFETCH(int, points);
    QFETCH(int, lines);
    QFETCH(int, polygons);
    const auto r = GeoJson::readFile(kValidDir + QLatin1Char('/') + file);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error()));
    QCOMPARE(r->size(), features);
    for (int i = 0; i < r->size(); ++i)
        QCOMPARE(r->at(i).index, i);
    if (features == 0)
        return;
    const GeoFeature &f = r->first();
    QCOMPARE(f.kind, kind);
    QCOMPARE(f.points.size(), points);
    QCOMPARE(f.lines.size(), lines);
    QCOMPARE(f.polygons.size(), polygons);
    for (const GeoPolygon &p : f.polygons)
        for (const GeoRing &ring : p.rings)
            QCOMPARE(ring.first(), ring.last());
}

void TestGeoJson::polygonWithTwoHoles()
{
    const QList<GeoFeature> fs = valid(QStringLiteral("polygon_two_holes.geojson"));
    QCOMPARE(fs.size(), 1);
    const GeoFeature &f = fs.first();
    QCOMPARE(f.id, QVariant(QStringLiteral("grid-310101002001")));
    QCOMPARE(f.polygons.first().rings.size(), 3);
    QCOMPARE(f.polygons.first().rings.at(0).size(), 5);
    QCOMPARE(f.polygons.first().rings.at(1).size(), 4);
    QCOMPARE(f.polygons.first().rings.at(2).size(), 5);
    QCOMPARE(f.polygons.first().rings.at(1).at(2), QPointF(121.43, 31.24));
    QVERIFY(near(f.bounds, QRectF(QPointF(121.40, 31.20), QPointF(121.50, 31.30))));
    QCOMPARE(f.properties.value(QStringLiteral("code")).toString(), QStringLiteral("310101002001"));
}

void TestGeoJson::multiPolygonWithHole()
{
    const QList<GeoFeature> fs = valid(QStringLiteral("multipolygon_with_hole.geojson"));
    QCOMPARE(fs.size(), 1);
    const GeoFeature &f = fs.first();
    QCOMPARE(f.polygons.at(0).rings.size(), 2);
    QCOMPARE(f.polygons.at(1).rings.size(), 1);
    QCOMPARE(f.polygons.at(1).rings.first().size(), 4);
    // The bounds span both parts.
    QVERIFY(near(f.bounds, QRectF(QPointF(121.40, 31.10), QPointF(121.70, 31.30))));
    QVERIFY(!f.id.isValid());
}

void TestGeoJson::boundsCoverHolesOutsideTheirRing()
{
    // Found by fuzz_geojson (multipolygon_with_hole.geojson with one hole latitude changed to
    // 61.22): the reader does not check that holes lie inside their ring, and the bounds were
    // taken from the outer rings only, so a position of the feature lay outside its bounds.
    const auto r = GeoJson::parse(
        R"({"type": "Polygon", "coordinates": [[[121.4, 31.2], [121.5, 31.2], [121.5, 31.3],
            [121.4, 31.2]], [[121.42, 31.22], [121.44, 61.22], [121.43, 31.24], [121.42, 31.22]]]})");
    QVERIFY2(r.ok(), qPrintable(r ? QString() : r.error()));
    QVERIFY(near(r->first().bounds, QRectF(QPointF(121.40, 31.20), QPointF(121.50, 61.22))));
}

void TestGeoJson::chineseProperties()
{
    const QList<GeoFeature> fs = valid(QStringLiteral("chinese_properties.geojson"));
    QCOMPARE(fs.size(), 1);
    const QVariantMap &p = fs.first().properties;
    QCOMPARE(p.value(QStringLiteral("名称")).toString(), QStringLiteral("南京东路街道"));
    QCOMPARE(p.value(QStringLiteral("区")).toString(), QStringLiteral("黄浦区"));
    QCOMPARE(p.value(QStringLiteral("人口")).toLongLong(), 56000);
    QCOMPARE(p.value(QStringLiteral("面积")).toDouble(), 2.3);
    QCOMPARE(p.value(QStringLiteral("标签")).toStringList(),
             (QStringList{QStringLiteral("商业"), QStringLiteral("旅游")}));
    QCOMPARE(p.value(QStringLiteral("上级")).toMap().value(QStringLiteral("名称")).toString(),
             QStringLiteral("黄浦区"));
    QVERIFY(p.contains(QStringLiteral("备注")));
    QVERIFY(p.value(QStringLiteral("备注")).isNull());
    QCOMPARE(fs.first().id.toLongLong(), 310101002);
    // Round trip: the map written back as JSON is the original object.
    const QJsonObject original =
        QJsonDocument::fromJson(
            readBytes(kValidDir + QStringLiteral("/chinese_properties.geojson")))
            .object()
            .value(QLatin1String("features"))
            .toArray()
            .first()
            .toObject()
            .value(QLatin1String("properties"))
            .toObject();
    QCOMPARE(QJsonObject::fromVariantMap(p), original);
}

void TestGeoJson::bareGeometryAndSingleFeature()
{
    const QList<GeoFeature> bare = valid(QStringLiteral("bare_geometry.geojson"));
    QCOMPARE(bare.size(), 1);
    QCOMPARE(bare.first().index, 0);
    QVERIFY(!bare.first().id.isValid());
    QVERIFY(bare.first().properties.isEmpty());
    QCOMPARE(bare.first().lines.first().size(), 3);
    QVERIFY(near(bare.first().bounds, QRectF(QPointF(121.47, 31.22), QPointF(121.49, 31.235))));

    const QList<GeoFeature> single = valid(QStringLiteral("single_feature.geojson"));
    QCOMPARE(single.size(), 1);
    QCOMPARE(single.first().id, QVariant(QStringLiteral("A-1")));
    QCOMPARE(single.first().points.first(), QPointF(121.4737, 31.2304));
    QCOMPARE(single.first().properties.value(QStringLiteral("kind")).toString(),
             QStringLiteral("hydrant"));
    // A point's bounds are a zero-size box at the point.
    QCOMPARE(single.first().bounds.topLeft(), QPointF(121.4737, 31.2304));
    QCOMPARE(single.first().bounds.size(), QSizeF(0, 0));
}

void TestGeoJson::nullGeometry()
{
    const QList<GeoFeature> fs = valid(QStringLiteral("null_geometry.geojson"));
    QCOMPARE(fs.size(), 2);
    for (const GeoFeature &f : fs) {
        QCOMPARE(f.kind, GeometryKind::None);
        QVERIFY(f.isEmpty());
        QVERIFY(f.bounds.isNull());
    }
    QVERIFY(fs.at(0).properties.isEmpty());
    QCOMPARE(fs.at(1).properties.value(QStringLiteral("status")).toString(),
             QStringLiteral("unlocated"));
}

void TestGeoJson::positions3d()
{
    const QList<GeoFeature> fs = valid(QStringLiteral("positions_3d.geojson"));
    QCOMPARE(fs.size(), 1);
    const GeoFeature &f = fs.first();
    QCOMPARE(f.lines.at(0).size(), 2);
    QCOMPARE(f.lines.at(1).size(), 3);
    QCOMPARE(f.lines.at(1).at(1), QPointF(121.50, 31.26)); // altitude dropped
    QVERIFY(near(f.bounds, QRectF(QPointF(121.47, 31.23), QPointF(121.51, 31.27))));
}

void TestGeoJson::geometryCollection()
{
    const QList<GeoFeature> fs = valid(QStringLiteral("geometry_collection.geojson"));
    QCOMPARE(fs.size(), 1);
    const GeoFeature &f = fs.first();
    QCOMPARE(f.points, (QList<QPointF>{{121.45, 31.21}, {121.46, 31.22}, {121.47, 31.23}}));
    QCOMPARE(f.lines.first().size(), 2);
    QCOMPARE(f.polygons.first().rings.first().size(), 4);
    QVERIFY(near(f.bounds, QRectF(QPointF(121.44, 31.10), QPointF(121.70, 31.25))));
    QCOMPARE(GeoJson::kindName(f.kind), QStringLiteral("GeometryCollection"));
}

void TestGeoJson::ids()
{
    const QList<GeoFeature> fs = valid(QStringLiteral("ids.geojson"));
    QCOMPARE(fs.size(), 4);
    QCOMPARE(fs.at(0).id.typeId(), QMetaType::LongLong);
    QCOMPARE(fs.at(0).id.toLongLong(), 42);
    QCOMPARE(fs.at(1).id.typeId(), QMetaType::QString);
    QCOMPARE(fs.at(1).id.toString(), QStringLiteral("310101002001"));
    QCOMPARE(fs.at(2).id.typeId(), QMetaType::Double);
    QCOMPARE(fs.at(2).id.toDouble(), 3.5);
    QVERIFY(!fs.at(3).id.isValid());
    for (int i = 0; i < 4; ++i)
        QCOMPARE(fs.at(i).points.first(), QPointF(121.1 + 0.1 * i, 31.1 + 0.1 * i));
}

void TestGeoJson::bomAndForeignMembers()
{
    const QList<GeoFeature> bom = valid(QStringLiteral("with_bom.geojson"));
    QCOMPARE(bom.size(), 1);
    QCOMPARE(bom.first().properties.value(QStringLiteral("名称")).toString(),
             QStringLiteral("带BOM"));
    const QList<GeoFeature> foreign = valid(QStringLiteral("foreign_members.geojson"));
    QCOMPARE(foreign.size(), 1);
    QCOMPARE(foreign.first().points.first(), QPointF(121.5, 31.5));
    QVERIFY(foreign.first().properties.isEmpty());
}

void TestGeoJson::allOrNothing()
{
    // Nine good features do not come back when the eighth is bad.
    const auto r =
        GeoJson::parse(readBytes(kMalformedDir + QStringLiteral("/error_in_feature_7.geojson")));
    QVERIFY(!r.ok());
    QVERIFY2(r.error().startsWith(QStringLiteral("feature 7: ")), qPrintable(r.error()));
}

void TestGeoJson::parseGeometry()
{
    // As stored in the cache's geometry columns: compact, no Feature wrapper.
    const QByteArray stored = R"({"type":"Polygon","coordinates":[[[121.47,31.23],[121.48,31.23],)"
                              R"([121.48,31.24],[121.47,31.24],[121.47,31.23]]]})";
    const auto g = GeoJson::parseGeometry(stored);
    QVERIFY2(g.ok(), qPrintable(g.ok() ? QString() : g.error()));
    QCOMPARE(g->kind, GeometryKind::Polygon);
    QCOMPARE(g->polygons.size(), 1);
    QCOMPARE(g->polygons.first().rings.first().size(), 5);
    QVERIFY(near(g->bounds, QRectF(QPointF(121.47, 31.23), QPointF(121.48, 31.24))));

    const auto feature =
        GeoJson::parseGeometry(R"({"type":"Feature","properties":{},"geometry":null})");
    QVERIFY(!feature.ok());
    QVERIFY2(feature.error().contains(QStringLiteral("expected a geometry object")),
             qPrintable(feature.error()));
    const auto open =
        GeoJson::parseGeometry(R"({"type":"Polygon","coordinates":[[[1,2],[3,4],[5,6],[1,3]]]})");
    QVERIFY(!open.ok());
    QVERIFY2(open.error().startsWith(QStringLiteral("polygon ring 0 is not closed")),
             qPrintable(open.error()));
    QVERIFY(!GeoJson::parseGeometry(QByteArray()).ok());
    QVERIFY(!GeoJson::parseGeometry("[]").ok());
}

void TestGeoJson::readFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(QStringLiteral("no-such-file.geojson"));
    const auto r = GeoJson::readFile(missing);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().contains(missing), qPrintable(r.error()));

    const QString big = dir.filePath(QStringLiteral("big.geojson"));
    QFile f(big);
    QVERIFY(f.open(QIODevice::WriteOnly));
    const QByteArray body = R"({"type":"FeatureCollection","features":[]})";
    f.write(body);
    f.close();
    QVERIFY(GeoJson::readFile(big).ok());
    QVERIFY(GeoJson::readFile(big, body.size()).ok()); // the cap is inclusive
    const auto capped = GeoJson::readFile(big, body.size() - 1);
    QVERIFY(!capped.ok());
    QVERIFY2(capped.error().contains(big) && capped.error().contains(QStringLiteral("limit")),
             qPrintable(capped.error()));

    const auto directory = GeoJson::readFile(dir.path());
    QVERIFY(!directory.ok());
    QVERIFY(directory.error().contains(dir.path()));
}

void TestGeoJson::hugeCoordinateArray()
{
    constexpr int kPositions = 200000;
    QByteArray json = R"({"type":"LineString","coordinates":[)";
    json.reserve(kPositions * 24);
    for (int i = 0; i < kPositions; ++i) {
        if (i)
            json += ',';
        json += '[' + QByteArray::number(120.0 + i * 1e-5, 'f', 6) + ',' +
                QByteArray::number(30.0 + (i % 1000) * 1e-4, 'f', 6) + ']';
    }
    json += "]}";
    const auto r = GeoJson::parse(json);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error()));
    QCOMPARE(r->first().lines.first().size(), kPositions);
    QVERIFY(near(r->first().bounds, QRectF(QPointF(120.0, 30.0), QPointF(121.99999, 30.0999))));
}

QTEST_GUILESS_MAIN(TestGeoJson)
#include "tst_geojson.moc"
