#include "geo/projection.h"
#include "util/rng.h"

#include <QFile>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTest>

#include <cmath>

using namespace cityops;
using namespace cityops::geo;

namespace {

constexpr double kMetresPerDegree = kEarthRadius * std::numbers::pi / 180.0;

/** Shanghai padded to its islets (REFERENCE.md). */
const QGeoRectangle kShanghai(QGeoCoordinate(31.90, 120.85), QGeoCoordinate(30.65, 122.25));

QList<QPointF> randomPoints(quint64 seed, int n, double lon0, double lon1, double lat0, double lat1)
{
    Rng rng(seed);
    QList<QPointF> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        const double lon = rng.uniform(lon0, lon1);
        out.append(QPointF(lon, rng.uniform(lat0, lat1)));
    }
    return out;
}

/** Random points over China's extent plus the corners of the Shanghai box. */
QList<QPointF> chinaPoints()
{
    QList<QPointF> pts = randomPoints(20240517, 2000, 73.0, 135.0, 18.0, 54.0);
    for (double lon : {120.85, 122.25})
        for (double lat : {30.65, 31.90})
            pts.append(QPointF(lon, lat));
    return pts;
}

QString num(double v)
{
    return QString::number(v, 'g', 17);
}

/**
 * Runs a reference tool once with the given stdin and returns its output lines, or fails the test
 * (via the returned error text) when it cannot run or does not answer one line per input line.
 */
QString runTool(const QString &program, const QStringList &args, const QStringList &input,
                QList<QList<double>> *rows)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(10000))
        return QStringLiteral("%1 did not start: %2").arg(program, p.errorString());
    p.write(input.join(QLatin1Char('\n')).toUtf8() + '\n');
    p.closeWriteChannel();
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral("%1 failed (exit %2): %3")
            .arg(program)
            .arg(p.exitCode())
            .arg(QString::fromUtf8(p.readAllStandardError()));
    const QList<QByteArray> lines = p.readAllStandardOutput().trimmed().split('\n');
    if (lines.size() != input.size())
        return QStringLiteral("%1 answered %2 lines for %3 inputs")
            .arg(program)
            .arg(lines.size())
            .arg(input.size());
    rows->clear();
    for (const QByteArray &line : lines) {
        QList<double> row;
        for (const QByteArray &field : line.simplified().split(' ')) {
            bool ok = false;
            row.append(field.toDouble(&ok));
            if (!ok)
                return QStringLiteral("%1 printed an unreadable line: %2")
                    .arg(program, QString::fromUtf8(line));
        }
        rows->append(row);
    }
    return {};
}

QString cs2cs()
{
    return QStandardPaths::findExecutable(QStringLiteral("cs2cs"));
}

/** The textbook (OSM wiki) tile formula, kept independent of projection.cpp on purpose. */
QPointF textbookTile(double lon, double lat, int z)
{
    const double n = std::exp2(z);
    const double r = lat * std::numbers::pi / 180.0;
    return {(lon + 180.0) / 360.0 * n,
            (1.0 - std::log(std::tan(r) + 1.0 / std::cos(r)) / std::numbers::pi) / 2.0 * n};
}

} // namespace

/** Projection, tile and GCJ-02 maths, checked against PROJ and the public GCJ-02 reference. */
class TestGeo : public QObject
{
    Q_OBJECT
private slots:
    void mercatorMatchesProj();
    void mercatorInverseMatchesProj();
    void mercatorBasics();
    void unitCoordinates();
    void gcjForwardMatchesReference();
    void gcjRoundTrip();
    void gcjOutsideChinaUnchanged_data();
    void gcjOutsideChinaUnchanged();
    void gcjShanghaiOffset();
    void tileAtKnown_data();
    void tileAtKnown();
    void tileAtMatchesTextbook();
    void tmsFlip_data();
    void tmsFlip();
    void tileRectsContainPoint();
    void tilesCoveringMatchesCount_data();
    void tilesCoveringMatchesCount();
    void shanghaiTileCounts_data();
    void shanghaiTileCounts();
    void edgeOnTileBoundary();
    void metresPerPixel_data();
    void metresPerPixel();
};

void TestGeo::mercatorMatchesProj()
{
    if (cs2cs().isEmpty())
        QFAIL("cs2cs not found on PATH: install proj-bin (scripts/deps does)");
    const QList<QPointF> pts = chinaPoints();
    QStringList input;
    for (const QPointF &p : pts) // EPSG:4326 axis order in cs2cs is latitude first
        input << num(p.y()) + QLatin1Char(' ') + num(p.x());
    QList<QList<double>> rows;
    const QString err = runTool(cs2cs(),
                                {QStringLiteral("-f"), QStringLiteral("%.9f"),
                                 QStringLiteral("EPSG:4326"), QStringLiteral("EPSG:3857")},
                                input, &rows);
    if (!err.isEmpty())
        QFAIL(qPrintable(err));
    double maxErr = 0;
    for (qsizetype i = 0; i < pts.size(); ++i) {
        QVERIFY2(rows[i].size() >= 2, "cs2cs printed fewer than two numbers");
        const QPointF m = toMercator(pts[i].x(), pts[i].y());
        const double e = std::hypot(m.x() - rows[i][0], m.y() - rows[i][1]);
        maxErr = std::max(maxErr, e);
        if (e >= 0.01)
            QFAIL(qPrintable(QStringLiteral("(%1, %2): ours (%3, %4) vs PROJ (%5, %6)")
                                 .arg(num(pts[i].x()), num(pts[i].y()), num(m.x()), num(m.y()),
                                      num(rows[i][0]), num(rows[i][1]))));
    }
    qInfo("Mercator vs PROJ over %d points: max error %.3g m", int(pts.size()), maxErr);
}

void TestGeo::mercatorInverseMatchesProj()
{
    if (cs2cs().isEmpty())
        QFAIL("cs2cs not found on PATH: install proj-bin (scripts/deps does)");
    const QList<QPointF> pts = chinaPoints();
    QList<QPointF> merc;
    QStringList input;
    for (const QPointF &p : pts) {
        // Perturb so the inverse is not just fed our own forward images.
        const QPointF m = toMercator(p.x(), p.y()) + QPointF(0.123, -0.456);
        merc << m;
        input << num(m.x()) + QLatin1Char(' ') + num(m.y());
    }
    QList<QList<double>> rows;
    const QString err = runTool(cs2cs(),
                                {QStringLiteral("-f"), QStringLiteral("%.10f"),
                                 QStringLiteral("EPSG:3857"), QStringLiteral("EPSG:4326")},
                                input, &rows);
    if (!err.isEmpty())
        QFAIL(qPrintable(err));
    double maxErr = 0;
    for (qsizetype i = 0; i < merc.size(); ++i) {
        QVERIFY2(rows[i].size() >= 2, "cs2cs printed fewer than two numbers");
        const QPointF ll = fromMercator(merc[i]);
        const double projLat = rows[i][0];
        const double projLon = rows[i][1];
        const double e = std::hypot((ll.x() - projLon) * kMetresPerDegree *
                                        std::cos(projLat * std::numbers::pi / 180.0),
                                    (ll.y() - projLat) * kMetresPerDegree);
        maxErr = std::max(maxErr, e);
        if (e >= 0.01)
            QFAIL(qPrintable(QStringLiteral("(%1, %2): ours (%3, %4) vs PROJ (%5, %6)")
                                 .arg(num(merc[i].x()), num(merc[i].y()), num(ll.x()), num(ll.y()),
                                      num(projLon), num(projLat))));
    }
    qInfo("inverse Mercator vs PROJ over %d points: max error %.3g m", int(merc.size()), maxErr);
}

void TestGeo::mercatorBasics()
{
    QCOMPARE(toMercator(180.0, 0.0).x(), kWorldMetres / 2);
    QCOMPARE(toMercator(0.0, 0.0), QPointF(0, 0));
    // Latitude is clamped to the square world.
    QCOMPARE(toMercator(0.0, 89.9), toMercator(0.0, kMaxLatitude));
    QVERIFY(std::abs(toMercator(0.0, kMaxLatitude).y() - kWorldMetres / 2) < 0.01);
    QVERIFY(std::abs(toMercator(0.0, -90.0).y() + kWorldMetres / 2) < 0.01);

    const QGeoCoordinate square(31.2304, 121.4737);
    const QPointF m = toMercator(square);
    QCOMPARE(m, toMercator(121.4737, 31.2304));
    const QGeoCoordinate back = coordinateFromMercator(m);
    QVERIFY(std::abs(back.latitude() - 31.2304) < 1e-12);
    QVERIFY(std::abs(back.longitude() - 121.4737) < 1e-12);
    for (const QPointF &p : chinaPoints()) {
        const QPointF q = fromMercator(toMercator(p.x(), p.y()));
        QVERIFY(std::abs(q.x() - p.x()) < 1e-12 && std::abs(q.y() - p.y()) < 1e-12);
    }
}

void TestGeo::unitCoordinates()
{
    QCOMPARE(toUnit(-180, 0), QPointF(0, 0.5));
    QCOMPARE(toUnit(0, 0), QPointF(0.5, 0.5));
    QCOMPARE(toUnit(0, 90).y(), 0.0);
    QCOMPARE(toUnit(0, -90).y(), 1.0);
    QVERIFY(toUnit(0, 31).y() < 0.5); // y grows southwards
    double maxMetres = 0;
    for (const QPointF &p : chinaPoints()) {
        const QPointF u = toUnit(p.x(), p.y());
        const QPointF back = fromUnit(u);
        QVERIFY(std::abs(back.x() - p.x()) < 1e-10 && std::abs(back.y() - p.y()) < 1e-10);
        const QPointF viaUnit = unitToMercator(u);
        const QPointF direct = toMercator(p.x(), p.y());
        maxMetres =
            std::max(maxMetres, std::hypot(viaUnit.x() - direct.x(), viaUnit.y() - direct.y()));
        const QPointF u2 = mercatorToUnit(direct);
        QVERIFY(std::abs(u2.x() - u.x()) < 1e-12 && std::abs(u2.y() - u.y()) < 1e-12);
    }
    QVERIFY2(maxMetres < 1e-6, qPrintable(QString::number(maxMetres)));
}

void TestGeo::gcjForwardMatchesReference()
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    const QString script = QStringLiteral(CITYOPS_REFERENCE_DIR "/gcj02_reference.mjs");
    if (node.isEmpty())
        QFAIL("node not found on PATH: run ./scripts/deps");
    if (!QFile::exists(
            QStringLiteral(CITYOPS_REFERENCE_DIR "/node_modules/coordtransform/package.json")))
        QFAIL("the npm package coordtransform is missing from tests/reference: run ./scripts/deps");
    QList<QPointF> pts = chinaPoints();
    pts << randomPoints(7, 300, -180.0, 180.0, -85.0, 85.0); // mostly abroad
    pts << randomPoints(8, 200, 73.0, 74.5, 3.0, 54.0);      // across the west edge
    pts << randomPoints(9, 200, 134.5, 136.0, 50.0, 54.0);   // across the north-east corner
    pts << QPointF(73.66, 30) << QPointF(135.05, 30) << QPointF(100, 3.86) << QPointF(100, 53.55);
    QStringList input;
    for (const QPointF &p : pts)
        input << num(p.x()) + QLatin1Char(' ') + num(p.y());
    QList<QList<double>> rows;
    const QString err = runTool(node, {script}, input, &rows);
    if (!err.isEmpty())
        QFAIL(qPrintable(err));
    double maxErr = 0;
    int shifted = 0;
    for (qsizetype i = 0; i < pts.size(); ++i) {
        QVERIFY2(rows[i].size() == 2, "the reference printed a malformed line");
        const QPointF g = wgs84ToGcj02(pts[i].x(), pts[i].y());
        const double e = std::max(std::abs(g.x() - rows[i][0]), std::abs(g.y() - rows[i][1]));
        maxErr = std::max(maxErr, e);
        shifted += g != pts[i];
        if (e >= 1e-9)
            QFAIL(qPrintable(QStringLiteral("(%1, %2): ours (%3, %4) vs reference (%5, %6)")
                                 .arg(num(pts[i].x()), num(pts[i].y()), num(g.x()), num(g.y()),
                                      num(rows[i][0]), num(rows[i][1]))));
    }
    QVERIFY(shifted > 1500);
    qInfo("GCJ-02 forward vs coordtransform over %d points (%d shifted): max difference %.3g°",
          int(pts.size()), shifted, maxErr);
}

void TestGeo::gcjRoundTrip()
{
    // Keep a margin inside the reference rectangle: a point whose GCJ-02 image leaves it cannot
    // be inverted (the reference leaves points outside unchanged).
    const QList<QPointF> pts = randomPoints(11, 10000, 73.7, 135.0, 18.0, 53.5);
    double maxErr = 0;
    for (const QPointF &p : pts) {
        const QPointF g = wgs84ToGcj02(p.x(), p.y());
        const QPointF w = gcj02ToWgs84(g.x(), g.y());
        const double e = distanceMetres(p, w);
        maxErr = std::max(maxErr, e);
        if (e >= 0.5)
            QFAIL(qPrintable(QStringLiteral("(%1, %2) came back %3 m away")
                                 .arg(num(p.x()), num(p.y()), num(e))));
    }
    QVERIFY(maxErr < 0.001);
    qInfo("GCJ-02 round trip over %d points: max error %.3g m", int(pts.size()), maxErr);

    // The naive one-step inverse is what the iteration improves on: it is off by metres.
    const QPointF g = wgs84ToGcj02(121.4737, 31.2304);
    const QPointF off = wgs84ToGcj02(g.x(), g.y()) - g;
    QVERIFY(distanceMetres(QPointF(121.4737, 31.2304), g - off) > 0.01);

    const QGeoCoordinate c(31.2304, 121.4737, 12.5);
    const QGeoCoordinate back = gcj02ToWgs84(wgs84ToGcj02(c));
    QVERIFY(back.distanceTo(c) < 0.001);
    QCOMPARE(back.altitude(), 12.5);
}

void TestGeo::gcjOutsideChinaUnchanged_data()
{
    QTest::addColumn<double>("lon");
    QTest::addColumn<double>("lat");
    QTest::newRow("null island") << 0.0 << 0.0;
    QTest::newRow("new york") << -74.006 << 40.7128;
    QTest::newRow("tokyo-ish east of the box") << 139.69 << 35.69;
    QTest::newRow("west of the box") << 73.5 << 30.0;
    QTest::newRow("north of the box") << 121.0 << 53.6;
    QTest::newRow("south of the box") << 110.0 << 3.5;
    QTest::newRow("on the west edge") << 73.66 << 30.0;
    QTest::newRow("on the north edge") << 121.0 << 53.55;
}

void TestGeo::gcjOutsideChinaUnchanged()
{
    QFETCH(double, lon);
    QFETCH(double, lat);
    QVERIFY(outOfChina(lon, lat));
    QCOMPARE(wgs84ToGcj02(lon, lat), QPointF(lon, lat));
    QCOMPARE(gcj02ToWgs84(lon, lat), QPointF(lon, lat));
}

void TestGeo::gcjShanghaiOffset()
{
    const QPointF square(121.4737, 31.2304); // People's Square
    QVERIFY(!outOfChina(square.x(), square.y()));
    const QPointF g = wgs84ToGcj02(square.x(), square.y());
    const double metres = distanceMetres(square, g);
    QVERIFY2(metres > 450 && metres < 600, qPrintable(QString::number(metres)));
    // REFERENCE.md: about 118 px at zoom 15.
    const QPointF d = toUnit(g.x(), g.y()) - toUnit(square.x(), square.y());
    const double px = std::hypot(d.x(), d.y()) * kTileSize * std::exp2(15);
    QVERIFY2(px > 100 && px < 140, qPrintable(QString::number(px)));
    qInfo("GCJ-02 offset at People's Square: %.1f m, %.1f px at z15", metres, px);
}

void TestGeo::tileAtKnown_data()
{
    QTest::addColumn<double>("lon");
    QTest::addColumn<double>("lat");
    QTest::addColumn<int>("z");
    QTest::addColumn<int>("x");
    QTest::addColumn<int>("y");
    QTest::newRow("origin z0") << 0.0 << 0.0 << 0 << 0 << 0;
    QTest::newRow("origin z1") << 0.0 << 0.0 << 1 << 1 << 1;
    QTest::newRow("north-west corner") << -180.0 << 85.0 << 2 << 0 << 0;
    QTest::newRow("south-east corner") << 180.0 << -85.0 << 2 << 3 << 3;
    QTest::newRow("beyond the pole clamps") << 10.0 << 89.9 << 3 << 4 << 0;
    QTest::newRow("people's square z15") << 121.4737 << 31.2304 << 15 << 27440 << 13389;
    QTest::newRow("people's square z16") << 121.4737 << 31.2304 << 16 << 54881 << 26778;
    QTest::newRow("people's square z17") << 121.4737 << 31.2304 << 17 << 109763 << 53556;
    QTest::newRow("tiananmen z10") << 116.3912 << 39.9073 << 10 << 843 << 388;
}

void TestGeo::tileAtKnown()
{
    QFETCH(double, lon);
    QFETCH(double, lat);
    QFETCH(int, z);
    QFETCH(int, x);
    QFETCH(int, y);
    const TileId t = tileAt(lon, lat, z);
    QCOMPARE(t, (TileId{z, x, y}));
    QVERIFY(t.isValid());
    if (std::abs(lat) < 85) {
        const QPointF tb = textbookTile(lon, lat, z);
        QCOMPARE(std::min(int(std::floor(tb.x())), (1 << z) - 1), x);
        QCOMPARE(int(std::floor(tb.y())), y);
    }
}

void TestGeo::tileAtMatchesTextbook()
{
    int compared = 0;
    for (const QPointF &p : chinaPoints()) {
        for (int z = 0; z <= 20; ++z) {
            const TileId t = tileAt(p.x(), p.y(), z);
            const QPointF tb = textbookTile(p.x(), p.y(), z);
            // The formulas differ in the last bits; only a point within 1e-9 tile of a boundary
            // may land on either side.
            const bool nearX = std::abs(tb.x() - std::round(tb.x())) < 1e-9;
            const bool nearY = std::abs(tb.y() - std::round(tb.y())) < 1e-9;
            if (!nearX)
                QCOMPARE(t.x, int(std::floor(tb.x())));
            if (!nearY)
                QCOMPARE(t.y, int(std::floor(tb.y())));
            ++compared;
        }
    }
    QVERIFY(compared > 40000);
}

void TestGeo::tmsFlip_data()
{
    QTest::addColumn<int>("z");
    QTest::addColumn<int>("x");
    QTest::addColumn<int>("y");
    QTest::addColumn<int>("tms");
    QTest::newRow("z0") << 0 << 0 << 0 << 0;
    QTest::newRow("z1 top") << 1 << 0 << 0 << 1;
    QTest::newRow("z1 bottom") << 1 << 1 << 1 << 0;
    QTest::newRow("z3") << 3 << 5 << 2 << 5;
    QTest::newRow("z15 shanghai") << 15 << 27440 << 13389 << 32767 - 13389;
    QTest::newRow("z17 shanghai") << 17 << 109763 << 53556 << 131071 - 53556;
    QTest::newRow("z20 last row") << 20 << 7 << (1 << 20) - 1 << 0;
}

void TestGeo::tmsFlip()
{
    QFETCH(int, z);
    QFETCH(int, x);
    QFETCH(int, y);
    QFETCH(int, tms);
    const TileId t{z, x, y};
    QCOMPARE(t.tmsRow(), tms);
    QCOMPARE(TileId::fromTms(z, x, tms), t);
    QCOMPARE(TileId::fromTms(z, x, t.tmsRow()).tmsRow(), tms);
}

void TestGeo::tileRectsContainPoint()
{
    for (const QPointF &p : chinaPoints()) {
        for (int z : {0, 3, 9, 15, 18}) {
            const TileId t = tileAt(p.x(), p.y(), z);
            const QRectF u = tileUnitRect(t);
            QVERIFY(u.contains(toUnit(p.x(), p.y())));
            QCOMPARE(u.width(), std::exp2(-z));
            const QRectF ll = tileLonLatRect(t);
            QVERIFY(ll.left() <= p.x() && p.x() <= ll.right());
            QVERIFY(ll.top() <= p.y() && p.y() <= ll.bottom()); // top() is the south edge
            QVERIFY(ll.height() > 0);
        }
    }
    const QRectF world = tileLonLatRect(TileId{0, 0, 0});
    QCOMPARE(world.x(), -180.0);
    QCOMPARE(world.width(), 360.0);
    QVERIFY(std::abs(world.y() + kMaxLatitude) < 1e-8);
    QVERIFY(std::abs(world.y() + world.height() - kMaxLatitude) < 1e-8);
    const QRectF ne = tileLonLatRect(TileId{1, 1, 0});
    QCOMPARE(ne.x(), 0.0);
    QCOMPARE(ne.y(), 0.0);
    QCOMPARE(ne.width(), 180.0);
}

void TestGeo::tilesCoveringMatchesCount_data()
{
    QTest::addColumn<QGeoRectangle>("area");
    QTest::addColumn<int>("z");
    QTest::addColumn<qint64>("expected"); // −1: only compare with tileCount
    const QGeoRectangle huangpu(QGeoCoordinate(31.26, 121.45), QGeoCoordinate(31.19, 121.52));
    QTest::newRow("shanghai z10") << kShanghai << 10 << qint64(-1);
    QTest::newRow("shanghai z12") << kShanghai << 12 << qint64(-1);
    QTest::newRow("huangpu z15") << huangpu << 15 << qint64(-1);
    QTest::newRow("huangpu z18") << huangpu << 18 << qint64(-1);
    QTest::newRow("world z2") << QGeoRectangle(QGeoCoordinate(85, -180), QGeoCoordinate(-85, 180))
                              << 2 << qint64(16);
    QTest::newRow("a point") << QGeoRectangle(QGeoCoordinate(31.2304, 121.4737),
                                              QGeoCoordinate(31.2304, 121.4737))
                             << 14 << qint64(1);
    QTest::newRow("across the antimeridian")
        << QGeoRectangle(QGeoCoordinate(10, 170), QGeoCoordinate(-10, -170)) << 4 << qint64(4);
}

void TestGeo::tilesCoveringMatchesCount()
{
    QFETCH(QGeoRectangle, area);
    QFETCH(int, z);
    QFETCH(qint64, expected);
    const QList<TileId> tiles = tilesCovering(area, z);
    QCOMPARE(qint64(tiles.size()), tileCount(area, z, z));
    if (expected >= 0)
        QCOMPARE(qint64(tiles.size()), expected);
    QSet<TileId> unique(tiles.cbegin(), tiles.cend());
    QCOMPARE(unique.size(), tiles.size());
    for (const TileId &t : tiles)
        QVERIFY(t.isValid() && t.z == z);
    const QGeoCoordinate nw = area.topLeft();
    QVERIFY(unique.contains(tileAt(nw.longitude(), nw.latitude(), z)));
    if (area.topLeft().longitude() <= area.bottomRight().longitude()) {
        // Every covering tile overlaps the area.
        for (const TileId &t : tiles) {
            const QRectF r = tileLonLatRect(t);
            QVERIFY(r.left() <= area.bottomRight().longitude() &&
                    r.right() >= area.topLeft().longitude());
            QVERIFY(r.top() <= area.topLeft().latitude() &&
                    r.bottom() >= area.bottomRight().latitude());
        }
    }
}

void TestGeo::shanghaiTileCounts_data()
{
    QTest::addColumn<int>("zMin");
    QTest::addColumn<int>("zMax");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("z16") << 16 << 16 << qint64(68085); // REFERENCE.md
    QTest::newRow("z17") << 17 << 17 << qint64(271830);
    QTest::newRow("z16-17") << 16 << 17 << qint64(68085 + 271830);
    QTest::newRow("empty range") << 17 << 16 << qint64(0);
}

void TestGeo::shanghaiTileCounts()
{
    QFETCH(int, zMin);
    QFETCH(int, zMax);
    QFETCH(qint64, expected);
    QCOMPARE(tileCount(kShanghai, zMin, zMax), expected);
    if (zMin == zMax)
        QCOMPARE(qint64(tilesCovering(kShanghai, zMin).size()), expected);
}

void TestGeo::edgeOnTileBoundary()
{
    // At z1 the tile boundaries are the meridian 0 and the equator: a box ending exactly on them
    // stays in one tile, and one starting on them begins in the tile beyond.
    const QGeoRectangle westOfZero(QGeoCoordinate(10, -10), QGeoCoordinate(0, 0));
    QCOMPARE(tilesCovering(westOfZero, 1), (QList<TileId>{TileId{1, 0, 0}}));
    const QGeoRectangle eastOfZero(QGeoCoordinate(0, 0), QGeoCoordinate(-10, 10));
    QCOMPARE(tilesCovering(eastOfZero, 1), (QList<TileId>{TileId{1, 1, 1}}));
    QCOMPARE(tileCount(westOfZero, 0, 3), qint64(4));
    QCOMPARE(tileCount(QGeoRectangle(), 0, 5), qint64(0));
}

void TestGeo::metresPerPixel_data()
{
    QTest::addColumn<double>("lat");
    QTest::addColumn<double>("zoom");
    QTest::addColumn<int>("tileSize");
    QTest::addColumn<double>("expected");
    QTest::newRow("equator z0") << 0.0 << 0.0 << 256 << 156543.03392804097;
    QTest::newRow("equator z1") << 0.0 << 1.0 << 256 << 78271.516964020485;
    QTest::newRow("60N z0") << 60.0 << 0.0 << 256 << 78271.516964020485;
    QTest::newRow("equator z0 512px") << 0.0 << 0.0 << 512 << 78271.516964020485;
    QTest::newRow("equator z0.5") << 0.0 << 0.5 << 256 << 156543.03392804097 / std::sqrt(2.0);
    QTest::newRow("shanghai z15") << 31.2304 << 15.0 << 256 << 4.085030241282181;
}

void TestGeo::metresPerPixel()
{
    QFETCH(double, lat);
    QFETCH(double, zoom);
    QFETCH(int, tileSize);
    QFETCH(double, expected);
    const double got = cityops::geo::metresPerPixel(lat, zoom, tileSize);
    QVERIFY2(std::abs(got - expected) < 1e-4 * std::max(1.0, expected / 1000),
             qPrintable(QString::number(got, 'g', 17)));
}

QTEST_GUILESS_MAIN(TestGeo)
#include "tst_geo.moc"
