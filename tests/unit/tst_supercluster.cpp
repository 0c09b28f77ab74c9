#include "geo/supercluster.h"
#include "util/rng.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

using namespace cityops;
using namespace cityops::geo;

namespace {

const QString kScript = QStringLiteral(CITYOPS_REFERENCE_DIR "/cluster_counts.mjs");
const QString kReferencePackage =
    QStringLiteral(CITYOPS_REFERENCE_DIR "/node_modules/supercluster/package.json");

/** Gaussian hotspots around People's Square plus uniform noise over greater Shanghai. */
std::vector<ClusterInput> shanghaiLike(int n, quint64 seed)
{
    Rng rng(seed);
    struct Hotspot
    {
        double lon, lat, sd;
    };
    std::vector<Hotspot> hotspots;
    for (int i = 0; i < 12; ++i) {
        const double lon = 121.47 + 0.15 * rng.normal();
        const double lat = 31.23 + 0.12 * rng.normal();
        hotspots.push_back({lon, lat, rng.uniform(0.005, 0.05)});
    }
    std::vector<ClusterInput> points;
    for (int i = 0; i < n; ++i) {
        ClusterInput p;
        if (rng.chance(0.7)) {
            const Hotspot &h = rng.pick(hotspots);
            p.lon = h.lon + h.sd * rng.normal();
            p.lat = h.lat + h.sd * rng.normal();
        } else {
            p.lon = rng.uniform(120.85, 122.25);
            p.lat = rng.uniform(30.65, 31.90);
        }
        p.id = static_cast<quint32>(i);
        p.klass = static_cast<quint8>(rng.below(kClusterClasses));
        points.push_back(p);
    }
    return points;
}

/** Uniform over the whole lon/lat rectangle, poles and antimeridian included. */
std::vector<ClusterInput> worldUniform(int n, quint64 seed)
{
    Rng rng(seed);
    std::vector<ClusterInput> points;
    const QList<QPointF> edges = {{-180, 0},   {180, 0},          {0, 90},    {0, -90},   {180, 85},
                                  {-180, -85}, {179.9999, 84.99}, {0, 85.06}, {0, -85.06}};
    for (const QPointF &e : edges)
        points.push_back({e.x(), e.y(), 0, 0});
    while (static_cast<int>(points.size()) < n)
        points.push_back({rng.uniform(-180, 180), rng.uniform(-90, 90), 0, 0});
    for (std::size_t i = 0; i < points.size(); ++i) {
        points[i].id = static_cast<quint32>(i);
        points[i].klass = static_cast<quint8>(i % kClusterClasses);
    }
    return points;
}

/** Stacks of identical coordinates (up to 60 deep) among scattered points, shuffled. */
std::vector<ClusterInput> duplicates(quint64 seed)
{
    Rng rng(seed);
    std::vector<ClusterInput> points;
    for (int spot = 0; spot < 40; ++spot) {
        const double lon = rng.uniform(121.3, 121.6);
        const double lat = rng.uniform(31.1, 31.35);
        const auto copies = rng.between(2, 60);
        for (qint64 c = 0; c < copies; ++c)
            points.push_back({lon, lat, 0, 0});
    }
    for (int i = 0; i < 1000; ++i)
        points.push_back({rng.uniform(121.3, 121.6), rng.uniform(31.1, 31.35), 0, 0});
    for (std::size_t i = points.size() - 1; i > 0; --i)
        std::swap(points[i], points[static_cast<std::size_t>(rng.below(qint64(i) + 1))]);
    for (std::size_t i = 0; i < points.size(); ++i) {
        points[i].id = static_cast<quint32>(i);
        points[i].klass = static_cast<quint8>(rng.below(kClusterClasses));
    }
    return points;
}

std::vector<ClusterInput> dataset(const QString &name)
{
    if (name == QLatin1String("shanghai20k"))
        return shanghaiLike(20000, 7);
    if (name == QLatin1String("world5k"))
        return worldUniform(5000, 11);
    if (name == QLatin1String("duplicates"))
        return duplicates(3);
    if (name == QLatin1String("single"))
        return {{121.4737, 31.2304, 0, 0}};
    if (name == QLatin1String("empty"))
        return {};
    qFatal("unknown dataset %s", qPrintable(name));
}

bool writeCsv(const QString &path, const std::vector<ClusterInput> &points)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QByteArray data("lon,lat\n"); // the reference script and readPointsCsv skip a header
    for (const ClusterInput &p : points)
        data +=
            QByteArray::number(p.lon, 'g', 17) + ',' + QByteArray::number(p.lat, 'g', 17) + '\n';
    return f.write(data) == data.size();
}

/** What tests/reference/cluster_counts.mjs printed: the line as is, and parsed. */
struct ReferenceOutput
{
    QByteArray line;
    QJsonObject json;
};

/** Runs tests/reference/cluster_counts.mjs; its output, or why not in *error. */
std::optional<ReferenceOutput> runReference(const QStringList &args, QString *error)
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty() || !QFileInfo::exists(kReferencePackage)) {
        *error = QStringLiteral("the reference (node and npm supercluster in tests/reference) is "
                                "not installed: run ./scripts/deps");
        return std::nullopt;
    }
    QProcess p;
    p.start(node, QStringList{kScript} + args);
    if (!p.waitForFinished(180000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("cluster_counts.mjs failed (%1): %2")
                     .arg(p.errorString(), QString::fromUtf8(p.readAllStandardError()));
        return std::nullopt;
    }
    const QByteArray line = p.readAllStandardOutput().trimmed();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
    if (!doc.isObject()) {
        *error = QStringLiteral("cluster_counts.mjs printed no JSON object: %1")
                     .arg(parseError.errorString());
        return std::nullopt;
    }
    return ReferenceOutput{line, doc.object()};
}

QStringList referenceArgs(const QString &csv, const ClusterOptions &o)
{
    return {csv, QString::number(o.radius, 'g', 17), QString::number(o.extent, 'g', 17),
            QString::number(o.maxZoom), QString::number(o.minPoints)};
}

/** The id the reference script prints for a feature: cluster_id, or the point's input index. */
qint64 referenceId(const ClusterItem &item)
{
    return item.clusterId >= 0 ? item.clusterId : qint64(item.pointId);
}

QPointF unit(double lon, double lat)
{
    // supercluster's lngX/latY, enough for bounds checks (not bit-exact).
    constexpr double pi = std::numbers::pi;
    const double s = std::sin(lat * pi / 180);
    return {lon / 360 + 0.5, std::clamp(0.5 - 0.25 * std::log((1 + s) / (1 - s)) / pi, 0.0, 1.0)};
}

} // namespace

/** Supercluster against npm supercluster (tests/reference), plus its own invariants. */
class TestSupercluster : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void countsMatchReference_data();
    void countsMatchReference();
    void viewportsMatchReference_data();
    void viewportsMatchReference();
    void invariants_data();
    void invariants();
    void weightedCentroid();
    void unknownIds();
    void queriesAndWrapping();
    void minZoom();
    void countsJson();
    void readPointsCsv_data();
    void readPointsCsv();
    void timing100k();
};

void TestSupercluster::countsMatchReference_data()
{
    QTest::addColumn<QString>("data");
    QTest::addColumn<double>("radius");
    QTest::addColumn<double>("extent");
    QTest::addColumn<int>("maxZoom");
    QTest::addColumn<int>("minPoints");

    QTest::newRow("shanghai r40 e512 z16") << "shanghai20k" << 40.0 << 512.0 << 16 << 2;
    QTest::newRow("shanghai r60 e256 z17") << "shanghai20k" << 60.0 << 256.0 << 17 << 2;
    QTest::newRow("shanghai minPoints 3") << "shanghai20k" << 40.0 << 512.0 << 16 << 3;
    // From minPoints 4 on, the order in which neighbours are found decides which points stay
    // unclustered: this row fails if the KD-tree traversal order differs from kdbush's.
    QTest::newRow("shanghai minPoints 5") << "shanghai20k" << 40.0 << 512.0 << 16 << 5;
    QTest::newRow("shanghai r80 e512 z20") << "shanghai20k" << 80.0 << 512.0 << 20 << 2;
    QTest::newRow("world r40 e512 z16") << "world5k" << 40.0 << 512.0 << 16 << 2;
    QTest::newRow("world r60 e256 z17 mp3") << "world5k" << 60.0 << 256.0 << 17 << 3;
    QTest::newRow("duplicates r40 e512 z16") << "duplicates" << 40.0 << 512.0 << 16 << 2;
    QTest::newRow("duplicates minPoints 5") << "duplicates" << 40.0 << 512.0 << 16 << 5;
    QTest::newRow("single point") << "single" << 40.0 << 512.0 << 16 << 2;
    QTest::newRow("no points") << "empty" << 40.0 << 512.0 << 16 << 2;
}

void TestSupercluster::countsMatchReference()
{
    QFETCH(QString, data);
    QFETCH(double, radius);
    QFETCH(double, extent);
    QFETCH(int, maxZoom);
    QFETCH(int, minPoints);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString csv = dir.filePath(QStringLiteral("points.csv"));
    const std::vector<ClusterInput> points = dataset(data);
    QVERIFY(writeCsv(csv, points));

    ClusterOptions o;
    o.radius = radius;
    o.extent = extent;
    o.maxZoom = maxZoom;
    o.minPoints = minPoints;
    Supercluster index(o);
    index.load(points);

    QString error;
    const auto reference = runReference(referenceArgs(csv, o), &error);
    if (!reference)
        QFAIL(qPrintable(error));
    const QJsonObject &expected = reference->json;
    const QMap<int, int> counts = index.countsPerZoom();
    QCOMPARE(counts.size(), maxZoom + 1);
    QCOMPARE(expected.size(), maxZoom + 1);
    for (int z = 0; z <= maxZoom; ++z) {
        const QString key = QString::number(z);
        QVERIFY2(expected.contains(key), qPrintable(key));
        if (counts.value(z) != expected.value(key).toInt())
            qWarning("zoom %d: %d nodes here, %d in supercluster", z, counts.value(z),
                     expected.value(key).toInt());
        QCOMPARE(counts.value(z), expected.value(key).toInt());
    }
    QCOMPARE(Supercluster::countsJson(counts), QString::fromUtf8(reference->line));

    // Beyond the counts: every level bit for bit (positions, counts, ids, visiting order).
    const auto digests = runReference(referenceArgs(csv, o) << QStringLiteral("--digest"), &error);
    if (!digests)
        QFAIL(qPrintable(error));
    const QMap<int, quint32> fingerprints = index.fingerprints();
    for (int z = 0; z <= maxZoom; ++z) {
        QCOMPARE(QStringLiteral("%1").arg(fingerprints.value(z), 8, 16, QLatin1Char('0')),
                 digests->json.value(QString::number(z)).toString());
    }
}

void TestSupercluster::viewportsMatchReference_data()
{
    QTest::addColumn<QString>("data");
    QTest::addColumn<QList<QList<double>>>("viewports"); // west, south, east, north, zoom

    QTest::newRow("shanghai") << "shanghai20k"
                              << QList<QList<double>>{{121.40, 31.18, 121.56, 31.28, 12},
                                                      {121.45, 31.21, 121.50, 31.25, 15},
                                                      {121.20, 31.00, 121.80, 31.45, 12},
                                                      {121.462, 31.225, 121.482, 31.238, 15},
                                                      {-180, -85, 180, 85, 9},
                                                      {121.4, 31.1, 121.6, 31.3, 17}};
    QTest::newRow("world") << "world5k"
                           << QList<QList<double>>{
                                  {-180, -85, 180, 85, 4},  {-180, -90, 180, 90, 4},
                                  {170, -30, -170, 30, 3},  {160, -10, 200, 10, 5},
                                  {-200, -60, -150, 60, 2}, {-500, -90, 500, 90, 1},
                                  {0, 0, 45, 45, 7}};
}

void TestSupercluster::viewportsMatchReference()
{
    QFETCH(QString, data);
    QFETCH(QList<QList<double>>, viewports);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString csv = dir.filePath(QStringLiteral("points.csv"));
    const std::vector<ClusterInput> points = dataset(data);
    QVERIFY(writeCsv(csv, points));
    const ClusterOptions o;
    Supercluster index(o);
    index.load(points);

    QStringList args = referenceArgs(csv, o);
    for (const QList<double> &v : viewports) {
        QStringList parts;
        for (double d : v)
            parts << QString::number(d, 'g', 17);
        args << QStringLiteral("--viewport=") + parts.join(QLatin1Char(','));
    }
    QString error;
    const auto expected = runReference(args, &error);
    if (!expected)
        QFAIL(qPrintable(error));
    const QJsonArray lists = expected->json.value(QStringLiteral("viewports")).toArray();
    QCOMPARE(lists.size(), viewports.size());

    for (int i = 0; i < viewports.size(); ++i) {
        const QList<double> &v = viewports[i];
        const QRectF box(v[0], v[1], v[2] - v[0], v[3] - v[1]);
        const QList<ClusterItem> items = index.clusters(box, static_cast<int>(v[4]));
        QList<qint64> ids; // in the reference's order, not just the same set
        for (const ClusterItem &item : items)
            ids << referenceId(item);
        QList<qint64> want;
        for (const QJsonValue &id : lists[i].toArray())
            want << static_cast<qint64>(id.toDouble());
        QVERIFY2(!want.isEmpty() || v[4] > 16, "a viewport should not be empty");
        QCOMPARE(ids.size(), want.size());
        QCOMPARE(ids, want);
    }
}

void TestSupercluster::invariants_data()
{
    QTest::addColumn<QString>("data");
    QTest::addColumn<int>("minPoints");
    QTest::newRow("shanghai") << "shanghai20k" << 2;
    QTest::newRow("shanghai minPoints 4") << "shanghai20k" << 4;
    QTest::newRow("world") << "world5k" << 2;
    QTest::newRow("duplicates") << "duplicates" << 2;
}

void TestSupercluster::invariants()
{
    QFETCH(QString, data);
    QFETCH(int, minPoints);
    const std::vector<ClusterInput> points = dataset(data);
    ClusterOptions o;
    o.minPoints = minPoints;
    Supercluster index(o);
    index.load(points);
    const auto n = static_cast<quint32>(points.size());
    const QMap<int, int> counts = index.countsPerZoom();

    for (int z = o.minZoom; z <= o.maxZoom; ++z) {
        const QList<ClusterItem> items = index.clustersInUnitRect(QRectF(0, 0, 1, 1), z);
        QCOMPARE(items.size(), counts.value(z));
        QCOMPARE(index.clusters(QRectF(-180, -90, 360, 180), z).size(), counts.value(z));
        quint32 total = 0;
        QSet<quint32> seen;
        for (const ClusterItem &item : items) {
            total += item.count;
            quint32 classes = 0;
            for (quint32 c : item.classCounts)
                classes += c;
            QCOMPARE(classes, item.count);
            if (item.clusterId < 0) {
                QCOMPARE(item.count, 1u);
                QVERIFY(!seen.contains(item.pointId));
                seen.insert(item.pointId);
                QCOMPARE(item.lon, points[item.pointId].lon);
                continue;
            }
            QVERIFY(item.count >= quint32(std::max(2, minPoints)));
            const QList<quint32> leaves = index.leaves(item.clusterId);
            QCOMPARE(quint32(leaves.size()), item.count);
            std::array<quint32, kClusterClasses> classCounts{};
            for (quint32 id : leaves) {
                QVERIFY(id < n);
                QVERIFY2(!seen.contains(id), "a point under two nodes");
                seen.insert(id);
                classCounts[points[id].klass]++;
            }
            QCOMPARE(classCounts, item.classCounts);
            const int expansion = index.expansionZoom(item.clusterId);
            QVERIFY2(expansion > z && expansion <= o.maxZoom + 1, qPrintable(QString::number(z)));
            const QList<quint32> few = index.leaves(item.clusterId, 3);
            QCOMPARE(few, leaves.mid(0, 3));
        }
        QCOMPARE(total, n);
        QCOMPARE(quint32(seen.size()), n);
    }
}

void TestSupercluster::weightedCentroid()
{
    // Two points 10 m apart form one cluster at zoom 16; its centre lies between them.
    const std::vector<ClusterInput> two = {{121.4737, 31.2304, 10, 1}, {121.4738, 31.2305, 20, 2}};
    Supercluster index;
    index.load(two);
    QCOMPARE(index.countsPerZoom().value(16), 1);
    const QList<ClusterItem> items = index.clusters(QRectF(121, 31, 1, 1), 16);
    QCOMPARE(items.size(), 1);
    const ClusterItem &c = items.first();
    QCOMPARE(c.count, 2u);
    QVERIFY(c.clusterId >= 0);
    QCOMPARE(c.classCounts, (std::array<quint32, kClusterClasses>{0, 1, 1, 0}));
    const QPointF a = unit(two[0].lon, two[0].lat);
    const QPointF b = unit(two[1].lon, two[1].lat);
    QVERIFY(c.x > a.x() && c.x < b.x());
    QVERIFY(c.y < a.y() && c.y > b.y()); // y grows southwards
    QVERIFY(c.lon > two[0].lon && c.lon < two[1].lon);
    QVERIFY(c.lat > two[0].lat && c.lat < two[1].lat);
    QList<quint32> leaves = index.leaves(c.clusterId);
    std::sort(leaves.begin(), leaves.end());
    QCOMPARE(leaves, (QList<quint32>{10, 20}));
    QCOMPARE(index.expansionZoom(c.clusterId), 17);

    // Weighted: two points at A and one at B put the centre a third of the way to B.
    const std::vector<ClusterInput> three = {
        {121.4737, 31.2304, 0, 0}, {121.4737, 31.2304, 1, 0}, {121.4740, 31.2304, 2, 0}};
    index.load(three);
    const QList<ClusterItem> one = index.clusters(QRectF(121, 31, 1, 1), 15);
    QCOMPARE(one.size(), 1);
    QCOMPARE(one.first().count, 3u);
    QVERIFY(std::abs(one.first().lon - (2 * 121.4737 + 121.4740) / 3) < 1e-5);
}

void TestSupercluster::unknownIds()
{
    Supercluster index;
    QVERIFY(index.leaves(12345).isEmpty());
    QCOMPARE(index.expansionZoom(12345), -1);
    index.load(shanghaiLike(2000, 5));
    QVERIFY(index.leaves(-1).isEmpty());
    QVERIFY(index.leaves(5).isEmpty());               // below the first cluster id
    QVERIFY(index.leaves(2000 + (5 << 5)).isEmpty()); // zoom field 0 is never an origin
    QCOMPARE(index.expansionZoom(2000 + (999999 << 5) + 3), -1);
    const QList<ClusterItem> items = index.clustersInUnitRect(QRectF(0, 0, 1, 1), 10);
    const auto cluster = std::find_if(items.cbegin(), items.cend(),
                                      [](const ClusterItem &i) { return i.clusterId >= 0; });
    QVERIFY(cluster != items.cend());
    QVERIFY(index.leaves(cluster->clusterId, 0).isEmpty());
    QCOMPARE(index.leaves(cluster->clusterId, 1).size(), 1);
}

void TestSupercluster::queriesAndWrapping()
{
    const std::vector<ClusterInput> points = {
        {179.5, 10, 0, 0}, {-179.5, 10, 1, 0}, {0, 0, 2, 0}, {10, 86, 3, 0}};
    Supercluster index;
    index.load(points);
    const auto ids = [](const QList<ClusterItem> &items) {
        QList<quint32> out;
        for (const ClusterItem &i : items)
            out << i.pointId;
        std::sort(out.begin(), out.end());
        return out;
    };
    // West > east crosses the antimeridian, written either as a negative width or east > 180.
    QCOMPARE(ids(index.clusters(QRectF(170, 0, -340, 20), 16)), (QList<quint32>{0, 1}));
    QCOMPARE(ids(index.clusters(QRectF(170, 0, 20, 20), 16)), (QList<quint32>{0, 1}));
    QCOMPARE(ids(index.clusters(QRectF(-180, -85, 360, 170), 16)), (QList<quint32>{0, 1, 2}));
    QCOMPARE(ids(index.clusters(QRectF(-180, -90, 360, 180), 16)), (QList<quint32>{0, 1, 2, 3}));
    // Zooms beyond maxZoom + 1 and below minZoom are clamped.
    QCOMPARE(index.clusters(QRectF(-180, -90, 360, 180), 40).size(), 4);
    QCOMPARE(index.clusters(QRectF(-180, -90, 360, 180), -3).size(),
             index.countsPerZoom().value(0));
    const QList<ClusterItem> unitItems = index.clustersInUnitRect(QRectF(0.4, 0.4, 0.2, 0.2), 16);
    QCOMPARE(unitItems.size(), 1);
    QCOMPARE(unitItems.first().pointId, 2u);
    QCOMPARE(unitItems.first().x, 0.5);
    QCOMPARE(unitItems.first().y, 0.5);
    QVERIFY(index.memoryBytes() > 0);
    QCOMPARE(index.pointCount(), 4);
}

void TestSupercluster::minZoom()
{
    // Levels are built from the top down, so a higher minZoom only drops the lowest ones.
    const std::vector<ClusterInput> points = shanghaiLike(3000, 9);
    Supercluster all;
    all.load(points);
    ClusterOptions o;
    o.minZoom = 5;
    Supercluster some(o);
    some.load(points);
    const QMap<int, int> a = all.countsPerZoom();
    const QMap<int, int> b = some.countsPerZoom();
    QCOMPARE(b.firstKey(), 5);
    QCOMPARE(b.lastKey(), 16);
    for (int z = 5; z <= 16; ++z)
        QCOMPARE(b.value(z), a.value(z));
    QCOMPARE(some.clusters(QRectF(-180, -90, 360, 180), 2).size(), a.value(5));
    QCOMPARE(some.fingerprints().value(7), all.fingerprints().value(7));
}

void TestSupercluster::countsJson()
{
    QCOMPARE(Supercluster::countsJson({{0, 1}, {1, 12}, {2, 300}}),
             QStringLiteral("{\"0\":1,\"1\":12,\"2\":300}"));
    QCOMPARE(Supercluster::countsJson({}), QStringLiteral("{}"));
}

void TestSupercluster::readPointsCsv_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("count");     // -1: an error
    QTest::addColumn<QString>("error"); // expected in the message

    QTest::newRow("header") << QByteArray("lon,lat\n121.5,31.2\n121.6,31.3\n") << 2 << QString();
    QTest::newRow("no header, CRLF, blanks")
        << QByteArray("\r\n121.5,31.2\r\n\r\n  121.6 , 31.3 \r\n") << 2 << QString();
    QTest::newRow("no final newline") << QByteArray("1,2\n121.6,31.3") << 2 << QString();
    QTest::newRow("empty") << QByteArray() << 0 << QString();
    QTest::newRow("bad line") << QByteArray("lon,lat\n1,2\n\nx,3\n") << -1 << QStringLiteral(":4:");
    QTest::newRow("three fields") << QByteArray("1,2\n1,2,3\n") << -1 << QStringLiteral(":2:");
    QTest::newRow("out of range") << QByteArray("1,2\n1,91\n") << -1 << QStringLiteral(":2:");
    QTest::newRow("not a number") << QByteArray("1,2\nnan,1\n") << -1 << QStringLiteral(":2:");
}

void TestSupercluster::readPointsCsv()
{
    QFETCH(QByteArray, text);
    QFETCH(int, count);
    QFETCH(QString, error);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("p.csv"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
    f.close();

    const auto points = geo::readPointsCsv(path);
    if (count < 0) {
        QVERIFY(!points.ok());
        QVERIFY2(points.error().contains(error), qPrintable(points.error()));
        return;
    }
    QVERIFY2(points.ok(), points.ok() ? "" : qPrintable(points.error()));
    QCOMPARE(int(points->size()), count);
    for (std::size_t i = 0; i < points->size(); ++i)
        QCOMPARE((*points)[i].id, quint32(i));
    if (count == 2) {
        QCOMPARE((*points)[1].lon, 121.6);
        QCOMPARE((*points)[1].lat, 31.3);
    }
    QVERIFY(!geo::readPointsCsv(dir.filePath(QStringLiteral("missing.csv"))).ok());
}

void TestSupercluster::timing100k()
{
    // Informational only (benchmarks live in tests/bench): nothing is asserted about time.
    const std::vector<ClusterInput> points = shanghaiLike(100000, 42);
    double best = 1e9;
    Supercluster index;
    for (int run = 0; run < 5; ++run) {
        QElapsedTimer t;
        t.start();
        index.load(points);
        best = std::min(best, t.nsecsElapsed() / 1e6);
    }
    Rng rng(1);
    QElapsedTimer t;
    t.start();
    qint64 found = 0;
    constexpr int kQueries = 400;
    for (int q = 0; q < kQueries; ++q) {
        const int zoom = static_cast<int>(rng.between(11, 16));
        const double w = 360.0 / (1 << zoom) * 4; // about a 1024 px wide window
        const QRectF box(rng.uniform(121.2, 121.7), rng.uniform(31.0, 31.4), w, w * 0.6);
        found += index.clusters(box, zoom).size();
    }
    const double queryMs = t.nsecsElapsed() / 1e6 / kQueries;
    qInfo("100k Shanghai-like points, maxZoom 16: index built in %.1f ms (best of 5), "
          "%.1f MB; viewport query %.3f ms on average (%lld nodes returned in all)",
          best, index.memoryBytes() / 1e6, queryMs, found);
    QCOMPARE(index.pointCount(), 100000);
}

QTEST_GUILESS_MAIN(TestSupercluster)
#include "tst_supercluster.moc"
