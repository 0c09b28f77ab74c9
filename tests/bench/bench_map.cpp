// cityops-bench-map: how the map canvas behaves with hundreds of thousands of cases.
// Generates a Shanghai-like district (cases in hotspots, a 40 × 50 grid lattice, 500 moving field
// units, an MBTiles basemap made with BasemapGenerator) and plays one view script (two 300-frame
// pans, a zoom sweep, hover hit tests) on three variants: a naive QGraphicsScene with one item per
// marker, the MapCanvas, and the floor (a bare QPainter drawing exactly what the canvas drew).
// With several sizes, each runs in a child process of its own so that every run starts from a
// fresh heap. Prints a table, then one JSON object as the last line.
//
// Second mode, for comparing the clustering with the reference:
//   cityops-bench-map --points FILE.csv --dump-clusters --radius R --extent E --max-zoom Z
// prints {"0":count,...} for the lon,lat points in FILE.csv.
#include "benchstats.h"
#include "demo/basemapgenerator.h"
#include "geo/geojson.h"
#include "geo/mapviewport.h"
#include "geo/projection.h"
#include "geo/supercluster.h"
#include "geo/tileimagecache.h"
#include "geo/tilesource.h"
#include "itemmodels/layertreemodel.h"
#include "map/caselayer.h"
#include "map/mapcanvas.h"
#include "map/pointlayer.h"
#include "map/tilelayer.h"
#include "map/vectorlayer.h"
#include "storage/mapstore.h"
#include "storage/mbtiles.h"
#include "util/rng.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QGraphicsEllipseItem>
#include <QGraphicsPolygonItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QPixmap>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <numbers>
#include <vector>

using namespace cityops;

using bench::percentile;

namespace {

const QSize kWidget(1280, 800);
/// The district: lon/lat with x = west, y = south (as BasemapOptions::bounds).
const QRectF kArea(121.35, 31.15, 0.25, 0.17);
const QPointF kCentre(121.47, 31.23);    ///< the canvas's default view centre
const QColor kBackground(232, 236, 239); ///< MapCanvas's background
constexpr qint64 kNow = 1764000000000;   ///< fixed clock for unit report ages
constexpr int kUnits = 500;
constexpr int kGridRows = 40, kGridCols = 50;
constexpr double kGridMetres = 250;
/// The naive scene's coordinates are world units scaled to pixels at this zoom.
constexpr int kSceneZoom = 12;

double round3(double v)
{
    return std::round(v * 1000.0) / 1000.0;
}

QJsonObject stats(const std::vector<double> &ms, const QString &prefix)
{
    return {{prefix + QStringLiteral("p50_ms"), round3(percentile(ms, 50))},
            {prefix + QStringLiteral("p95_ms"), round3(percentile(ms, 95))},
            {prefix + QStringLiteral("p99_ms"), round3(percentile(ms, 99))}};
}

std::vector<double> concat(const std::vector<double> &a, const std::vector<double> &b)
{
    std::vector<double> out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

double msSince(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

// ---- data ----------------------------------------------------------------------------------

struct Hotspot
{
    double lon, lat, sigma, weight;
};
// Where cases gather in central Shanghai: People's Square, Lujiazui, Xujiahui, Zhabei, Yangpu,
// Huamu, Hongqiao, Caohejing.
constexpr Hotspot kHotspots[] = {
    {121.475, 31.232, 0.012, 3.0}, {121.505, 31.240, 0.010, 2.0}, {121.437, 31.195, 0.011, 2.0},
    {121.455, 31.265, 0.014, 1.5}, {121.525, 31.285, 0.015, 1.0}, {121.545, 31.205, 0.016, 1.0},
    {121.395, 31.225, 0.015, 1.0}, {121.410, 31.170, 0.013, 0.8},
};

QPointF randomPosition(Rng &rng)
{
    if (rng.chance(0.15))
        return {rng.uniform(kArea.left(), kArea.right()), rng.uniform(kArea.top(), kArea.bottom())};
    double total = 0;
    for (const Hotspot &h : kHotspots)
        total += h.weight;
    double pick = rng.uniform(0, total);
    const Hotspot *h = &kHotspots[0];
    for (const Hotspot &c : kHotspots) {
        h = &c;
        if ((pick -= c.weight) < 0)
            break;
    }
    for (;;) {
        const QPointF p(h->lon + h->sigma * rng.normal(), h->lat + 0.85 * h->sigma * rng.normal());
        if (kArea.contains(p))
            return p;
    }
}

QList<MapCasePoint> makeCases(int n, quint64 seed)
{
    Rng rng(seed);
    QList<MapCasePoint> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        const QPointF p = randomPosition(rng);
        const double c = rng.uniform();
        const CaseMarkerClass k = c < 0.55   ? CaseMarkerClass::Open
                                  : c < 0.70 ? CaseMarkerClass::Overdue
                                  : c < 0.80 ? CaseMarkerClass::Escalated
                                             : CaseMarkerClass::Finished;
        out.append({CaseId(i + 1), p.x(), p.y(), k});
    }
    return out;
}

/** The grid lattice: 40 × 50 squares of about 250 m centred on the district's centre. */
QList<GeoFeature> makeGrid()
{
    const double dLon = kGridMetres / (111320.0 * std::cos(geo::degToRad(kCentre.y())));
    const double dLat = kGridMetres / 110574.0;
    const double west = kCentre.x() - kGridCols / 2.0 * dLon;
    const double north = kCentre.y() + kGridRows / 2.0 * dLat;
    QList<GeoFeature> out;
    out.reserve(kGridRows * kGridCols);
    for (int r = 0; r < kGridRows; ++r) {
        for (int c = 0; c < kGridCols; ++c) {
            const double w = west + c * dLon, e = w + dLon;
            const double n = north - r * dLat, s = n - dLat;
            GeoFeature f;
            f.index = int(out.size());
            f.kind = GeometryKind::Polygon;
            f.polygons.append(GeoPolygon{{GeoRing{{w, n}, {e, n}, {e, s}, {w, s}, {w, n}}}});
            f.properties.insert(QStringLiteral("code"), QStringLiteral("3101010010%1%2")
                                                            .arg(r, 5, 10, QLatin1Char('0'))
                                                            .arg(c, 5, 10, QLatin1Char('0')));
            f.bounds = QRectF(w, s, dLon, dLat);
            out.append(f);
        }
    }
    return out;
}

struct Unit
{
    double lon, lat, phase, radius;
    QString code, kind;
    qint64 seenAt;
};

std::vector<Unit> makeUnits(quint64 seed)
{
    Rng rng(seed);
    std::vector<Unit> out;
    for (int i = 0; i < kUnits; ++i) {
        const QPointF p = randomPosition(rng);
        // Most reports are fresh; some are stale or old enough to be drawn grey.
        const double age = rng.uniform();
        const qint64 ageMin = age < 0.8 ? rng.below(10) : age < 0.95 ? 10 + rng.below(50) : 90;
        out.push_back({p.x(), p.y(), rng.uniform(0, 2 * std::numbers::pi),
                       rng.uniform(0.0005, 0.002),
                       QStringLiteral("U%1").arg(i, 3, 10, QLatin1Char('0')),
                       i % 5 == 0 ? QStringLiteral("team") : QStringLiteral("person"),
                       kNow - ageMin * 60000});
    }
    return out;
}

/** Where the units are at a frame: each frame moves every unit a little along its own circle. */
QList<MapDevice> unitsAt(const std::vector<Unit> &units, int frame)
{
    QList<MapDevice> out;
    out.reserve(qsizetype(units.size()));
    for (const Unit &u : units) {
        const double a = u.phase + frame * 0.02;
        out.append({u.code, u.code, u.kind, u.lon + u.radius * std::cos(a),
                    u.lat + 0.85 * u.radius * std::sin(a), u.seenAt});
    }
    return out;
}

/** Arterials, ring roads and a few diagonals for the basemap. */
QList<QPolygonF> makeRoads(quint64 seed)
{
    Rng rng(seed);
    QList<QPolygonF> roads;
    auto wiggly = [&](QPointF from, QPointF to) {
        QPolygonF line;
        constexpr int kSteps = 24;
        for (int i = 0; i <= kSteps; ++i) {
            const double t = double(i) / kSteps;
            line << from + (to - from) * t +
                        (i == 0 || i == kSteps ? QPointF()
                                               : QPointF(rng.normal(), rng.normal()) * 0.0008);
        }
        return line;
    };
    for (int i = 1; i < 14; ++i) {
        const double lat = kArea.top() + kArea.height() * i / 14.0;
        roads << wiggly({kArea.left(), lat}, {kArea.right(), lat});
    }
    for (int i = 1; i < 18; ++i) {
        const double lon = kArea.left() + kArea.width() * i / 18.0;
        roads << wiggly({lon, kArea.top()}, {lon, kArea.bottom()});
    }
    for (double r : {0.025, 0.05, 0.085}) {
        QPolygonF ring;
        for (int i = 0; i <= 72; ++i) {
            const double a = 2 * std::numbers::pi * i / 72;
            ring << QPointF(kCentre.x() + r * 1.17 * std::cos(a), kCentre.y() + r * std::sin(a));
        }
        roads << ring;
    }
    roads << wiggly(kArea.topLeft(), kArea.bottomRight())
          << wiggly(kArea.bottomLeft(), kArea.topRight());
    return roads;
}

// ---- view script ---------------------------------------------------------------------------

/** Offset in pixels after `frame` of `frames` steps around a square loop (back at the start). */
QPointF loopOffset(int frame, int frames, double step)
{
    const double side = frames * step / 4.0;
    double d = std::fmod(frame * step, frames * step);
    QPointF at;
    if (d < side)
        at = {d, 0};
    else if ((d -= side) < side)
        at = {side, d};
    else if ((d -= side) < side)
        at = {side - d, side};
    else
        at = {0, side - (d - side)};
    return at - QPointF(side / 2, side / 2); // the loop is centred on the start
}

struct Script
{
    int frames = 300; ///< per pan
    double step = 8;  ///< pixels per pan frame
    QList<double> panZooms{12, 15};
    QList<double> sweep; ///< zoom sweep, both directions

    geo::MapViewport panView(double zoom, int frame) const
    {
        geo::MapViewport v(geo::toUnit(kCentre.x(), kCentre.y()), zoom, kWidget);
        v.setCentre(v.centre() + loopOffset(frame, frames, step) / v.scale());
        return v;
    }
    geo::MapViewport zoomView(double zoom) const
    {
        return geo::MapViewport(geo::toUnit(kCentre.x(), kCentre.y()), zoom, kWidget);
    }
    /** Units move once per pan frame; frames are numbered across both pans. */
    int unitFrame(int pan, int frame) const { return pan * frames + frame; }
    int lastUnitFrame() const { return int(panZooms.size()) * frames - 1; }
};

// ---- the canvas ----------------------------------------------------------------------------

VectorStyle gridStyle()
{
    // As MapWidget draws grid cells.
    VectorStyle s;
    s.stroke = QColor(100, 116, 139);
    s.strokeWidth = 0.6;
    s.minZoom = 13;
    return s;
}

/** One MapCanvas with the console's layers (heatmap present but off). */
struct CanvasRig
{
    explicit CanvasRig(const geo::TileSource &basemap) : canvas(&tree)
    {
        tiles = new TileLayer(QStringLiteral("basemap-package"), basemap, nullptr, &memory);
        tree.addLayer(LayerTreeModel::Group::Basemaps,
                      {tiles->id(), basemap.name, LayerKind::Basemap, true, 1.0, {}, {}});
        canvas.addLayer(tiles);
        grids = new VectorLayer(QStringLiteral("grids"), LayerKind::Grids, gridStyle());
        tree.addLayer(
            LayerTreeModel::Group::Reference,
            {grids->id(), QStringLiteral("Grid cells"), LayerKind::Grids, true, 1.0, {}, {}});
        canvas.addLayer(grids);
        canvas.setGridLayer(grids);
        cases = new CaseLayer(QStringLiteral("cases"));
        auto *heat = new HeatmapLayer(QStringLiteral("heatmap"), cases);
        tree.addLayer(
            LayerTreeModel::Group::Operations,
            {heat->id(), QStringLiteral("Case density"), LayerKind::Heatmap, false, 0.8, {}, {}});
        canvas.addLayer(heat);
        units = new PointLayer(QStringLiteral("units"), LayerKind::Units);
        tree.addLayer(
            LayerTreeModel::Group::Operations,
            {units->id(), QStringLiteral("Field units"), LayerKind::Units, true, 1.0, {}, {}});
        canvas.addLayer(units);
        tree.addLayer(LayerTreeModel::Group::Operations,
                      {cases->id(), QStringLiteral("Cases"), LayerKind::Cases, true, 1.0, {}, {}});
        canvas.addLayer(cases);
        canvas.setCaseLayer(cases);
        canvas.resize(kWidget);
    }

    LayerTreeModel tree;
    geo::TileImageCache memory; ///< fresh per rig: the first view is cold
    MapCanvas canvas;
    TileLayer *tiles = nullptr;
    VectorLayer *grids = nullptr;
    PointLayer *units = nullptr;
    CaseLayer *cases = nullptr;
};

// ---- the floor -----------------------------------------------------------------------------

/** Everything the canvas draws for one view, resolved to screen positions (not timed). */
struct FloorFrame
{
    struct Tile
    {
        QImage image;
        QRectF target, source; ///< a null source: the whole image
    };
    struct Sprite
    {
        QImage image;
        QPointF at;
    };
    struct Dot
    {
        QPointF at;
        QColor colour;
        double radius;
    };
    bool smoothTiles = false;
    QList<Tile> tiles;
    QList<QPolygonF> grid;
    QList<Dot> dots;
    QList<Sprite> sprites;
    QLineF bar[3];
    QPointF barText;
    QString barLabel;
};

/**
 * Resolves views into FloorFrames the way the layer renderers do (tilelayer.cpp, vectorlayer.cpp,
 * pointlayer.cpp, caselayer.cpp, MapCanvas::drawOverlays), from the same data and index.
 */
class Floor
{
public:
    Floor(const geo::TileSource &basemap, const QList<GeoFeature> &grid,
          std::shared_ptr<const CaseIndex> index)
        : m_source(basemap), m_index(std::move(index)), m_style(gridStyle())
    {
        auto package = MbTiles::open(basemap.mbtilesPath, MbTiles::Mode::ReadOnly);
        if (package) {
            m_package = std::move(package.value());
            m_bounds = m_package->bounds();
        }
        for (const GeoFeature &f : grid) {
            QPolygonF ring;
            for (const QPointF &ll : f.polygons.first().rings.first())
                ring << geo::toUnit(ll.x(), ll.y());
            m_grid.push_back({ring, ring.boundingRect()});
        }
    }

    FloorFrame frame(const geo::MapViewport &view, const QList<MapDevice> &units)
    {
        FloorFrame f;
        addTiles(f, view);
        addGrid(f, view);
        addUnits(f, view, units);
        addCases(f, view);
        addScaleBar(f, view);
        return f;
    }

    /** The timed part: one frame on a bare QPainter. */
    static QImage draw(const FloorFrame &f, const VectorStyle &style)
    {
        QImage image(kWidget, QImage::Format_ARGB32_Premultiplied);
        QPainter p(&image);
        p.fillRect(QRect(QPoint(0, 0), kWidget), kBackground);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::SmoothPixmapTransform, f.smoothTiles);
        for (const FloorFrame::Tile &t : f.tiles) {
            if (t.source.isNull())
                p.drawImage(t.target, t.image);
            else
                p.drawImage(t.target, t.image, t.source);
        }
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        QPen gridPen(style.stroke, style.strokeWidth);
        gridPen.setCosmetic(true);
        p.setPen(gridPen);
        p.setBrush(Qt::NoBrush);
        for (const QPolygonF &poly : f.grid)
            p.drawPolygon(poly);
        p.setPen(QPen(Qt::white, 1));
        for (const FloorFrame::Dot &d : f.dots) {
            p.setBrush(d.colour);
            p.drawEllipse(d.at, d.radius, d.radius);
        }
        for (const FloorFrame::Sprite &s : f.sprites)
            p.drawImage(s.at, s.image);
        p.setPen(QPen(Qt::black, 2));
        p.drawLines(f.bar, 3);
        p.drawText(f.barText, f.barLabel);
        p.end();
        return image;
    }

    const VectorStyle &style() const { return m_style; }

private:
    QImage tile(geo::TileId t)
    {
        const auto it = m_tiles.constFind(t.key());
        if (it != m_tiles.constEnd())
            return *it;
        QImage img;
        if (m_package) {
            if (auto bytes = m_package->tile(t)) {
                img = QImage::fromData(*bytes);
                if (!img.isNull())
                    img = img.convertToFormat(QImage::Format_ARGB32_Premultiplied);
            }
        }
        m_tiles.insert(t.key(), img);
        return img;
    }

    void addTiles(FloorFrame &f, const geo::MapViewport &view)
    {
        const int z = std::clamp(int(std::lround(view.zoom())), m_source.minZoom, m_source.maxZoom);
        const QRect range = view.tileRange(z);
        const double tilePx = view.scale() / double(1 << z);
        f.smoothTiles = std::abs(tilePx - 256) > 0.5;
        for (int y = range.top(); y <= range.bottom(); ++y) {
            for (int x = range.left(); x <= range.right(); ++x) {
                const geo::TileId t{z, x, y};
                const QRectF target = view.tileScreenRect(z, x, y);
                const QImage img = tile(t);
                if (!img.isNull()) {
                    f.tiles.append({img, target, {}});
                    continue;
                }
                if (!m_bounds.isNull() &&
                    (t.z > m_source.maxZoom || !geo::tileLonLatRect(t).intersects(m_bounds)))
                    continue;
                // The canvas stands in the nearest ancestor it has in memory; here every ancestor
                // in the package counts as in memory (a warm cache).
                geo::TileId a = t;
                for (int up = 1; up <= 6 && a.z > 0; ++up) {
                    a = a.parent();
                    const QImage parent = tile(a);
                    if (parent.isNull())
                        continue;
                    const double side = double(parent.width()) / (1 << up);
                    f.tiles.append({parent, target,
                                    QRectF((t.x - (a.x << up)) * side, (t.y - (a.y << up)) * side,
                                           side, side)});
                    break;
                }
            }
        }
    }

    void addGrid(FloorFrame &f, const geo::MapViewport &view)
    {
        if (view.zoom() < m_style.minZoom)
            return;
        const double s = view.scale();
        const QPointF off = view.worldToScreen(QPointF(0, 0));
        const QRectF visible = view.visibleWorld().adjusted(-4 / s, -4 / s, 4 / s, 4 / s);
        for (const auto &[ring, bounds] : m_grid) {
            if (!bounds.intersects(visible) && !visible.contains(bounds.topLeft()))
                continue;
            QPolygonF screen(ring.size());
            for (qsizetype i = 0; i < ring.size(); ++i)
                screen[i] = QPointF(ring[i].x() * s + off.x(), ring[i].y() * s + off.y());
            f.grid.append(screen);
        }
    }

    static void addUnits(FloorFrame &f, const geo::MapViewport &view, const QList<MapDevice> &units)
    {
        const double pad = 10 / view.scale();
        const QRectF area = view.visibleWorld().adjusted(-pad, -pad, pad, pad);
        for (const MapDevice &d : units) {
            const QPointF w = geo::toUnit(d.lon, d.lat);
            if (!area.contains(w))
                continue;
            const qint64 ageMin = d.seenAt > 0 ? (kNow - d.seenAt) / 60000 : -1;
            const QColor c = PointLayer::ageColour(PointLayer::colourFor(d.kind),
                                                   ageMin < 0 ? PointLayer::kGreyAfterMin : ageMin);
            f.dots.append({view.worldToScreen(w), c, d.kind == QLatin1String("team") ? 6 : 4.5});
        }
    }

    void addCases(FloorFrame &f, const geo::MapViewport &view)
    {
        const double pad = 24 / view.scale();
        const QRectF area = view.visibleWorld().adjusted(-pad, -pad, pad, pad);
        const int z =
            std::clamp(int(std::floor(view.zoom())), 0, CaseLayer::clusterOptions().maxZoom + 1);
        for (const geo::ClusterItem &it : m_index->clusters.clustersInUnitRect(area, z)) {
            const QPointF s = view.worldToScreen(QPointF(it.x, it.y));
            if (it.count > 1) {
                const QImage img =
                    MarkerSprites::cluster(MarkerSprites::worstClass(it.classCounts), it.count);
                f.sprites.append(
                    {img, QPointF(s.x() - img.width() / 2.0, s.y() - img.height() / 2.0)});
            } else {
                f.sprites.append({MarkerSprites::point(m_index->points[it.pointId].klass),
                                  QPointF(s.x() - 6, s.y() - 6)});
            }
        }
    }

    static void addScaleBar(FloorFrame &f, const geo::MapViewport &view)
    {
        const double mpp = view.metresPerPixel();
        const double target = mpp * 120;
        const double mag = std::pow(10.0, std::floor(std::log10(target)));
        double nice = mag;
        for (double k : {5.0, 2.0, 1.0}) {
            if (k * mag <= target) {
                nice = k * mag;
                break;
            }
        }
        const double px = nice / mpp;
        const QPointF origin(12, kWidget.height() - 16);
        f.bar[0] = QLineF(origin, origin + QPointF(px, 0));
        f.bar[1] = QLineF(origin, origin + QPointF(0, -6));
        f.bar[2] = QLineF(origin + QPointF(px, 0), origin + QPointF(px, -6));
        f.barText = origin + QPointF(4, -6);
        f.barLabel = nice >= 1000 ? QStringLiteral("%1 km").arg(nice / 1000)
                                  : QStringLiteral("%1 m").arg(nice);
    }

    struct GridCell
    {
        QPolygonF ring;
        QRectF bounds;
    };

    geo::TileSource m_source;
    std::unique_ptr<MbTiles> m_package;
    QRectF m_bounds;
    QHash<quint64, QImage> m_tiles;
    std::vector<GridCell> m_grid;
    std::shared_ptr<const CaseIndex> m_index;
    VectorStyle m_style;
};

// ---- the naive variant ---------------------------------------------------------------------

struct NaiveResult
{
    std::vector<std::vector<double>> pans; ///< per pan zoom
    double buildMs = 0;
    double firstFrameMs = 0;
};

/**
 * What item-per-marker maps do: every case, grid cell and unit is a QGraphicsItem in a
 * QGraphicsScene (default BSP index), markers keep their pixel size through
 * ItemIgnoresTransformations, and each frame is QGraphicsView::grab() after centerOn().
 */
NaiveResult runNaive(const QList<MapCasePoint> &cases, const QList<GeoFeature> &grid,
                     const std::vector<Unit> &units, const Script &script, int framesPerPan,
                     const std::function<void(const QImage &, const QString &)> &save)
{
    NaiveResult r;
    const double scale = geo::kTileSize * std::exp2(kSceneZoom);
    auto toScene = [scale](double lon, double lat) {
        return geo::toUnit(lon, lat) * scale;
    };
    QElapsedTimer build;
    build.start();
    QGraphicsScene scene;
    QPen gridPen(gridStyle().stroke, gridStyle().strokeWidth);
    gridPen.setCosmetic(true);
    for (const GeoFeature &f : grid) {
        QPolygonF ring;
        for (const QPointF &ll : f.polygons.first().rings.first())
            ring << toScene(ll.x(), ll.y());
        auto *item = new QGraphicsPolygonItem(ring);
        item->setPen(gridPen);
        scene.addItem(item);
    }
    std::vector<QGraphicsEllipseItem *> unitItems;
    const QList<MapDevice> start = unitsAt(units, 0);
    for (const MapDevice &d : start) {
        const double rad = d.kind == QLatin1String("team") ? 6 : 4.5;
        auto *item = new QGraphicsEllipseItem(-rad, -rad, 2 * rad, 2 * rad);
        item->setFlag(QGraphicsItem::ItemIgnoresTransformations);
        item->setPen(QPen(Qt::white, 1));
        item->setBrush(PointLayer::colourFor(d.kind));
        item->setZValue(1);
        item->setPos(toScene(d.lon, d.lat));
        scene.addItem(item);
        unitItems.push_back(item);
    }
    const QPen markerPen(Qt::white, 1.5);
    QBrush brushes[4];
    for (int k = 0; k < 4; ++k)
        brushes[k] = QBrush(CaseLayer::classColour(CaseMarkerClass(k)));
    for (const MapCasePoint &c : cases) {
        auto *item = new QGraphicsEllipseItem(-4.5, -4.5, 9, 9);
        item->setFlag(QGraphicsItem::ItemIgnoresTransformations);
        item->setPen(markerPen);
        item->setBrush(brushes[int(c.klass)]);
        item->setZValue(2);
        item->setPos(toScene(c.lon, c.lat));
        scene.addItem(item);
    }
    QGraphicsView view(&scene);
    view.setFrameShape(QFrame::NoFrame);
    view.setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    view.setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    view.setRenderHint(QPainter::Antialiasing);
    view.setBackgroundBrush(kBackground);
    // Free panning: the scrollable area is the whole world, not just the items' bounds.
    view.setSceneRect(QRectF(0, 0, scale, scale));
    view.resize(kWidget);
    view.show();
    QCoreApplication::processEvents();
    r.buildMs = msSince(build);

    QElapsedTimer first;
    first.start();
    view.centerOn(script.panView(script.panZooms.first(), 0).centre() * scale);
    (void)view.grab(); // builds the BSP index
    r.firstFrameMs = msSince(first);

    for (int pan = 0; pan < script.panZooms.size(); ++pan) {
        const double zoom = script.panZooms[pan];
        const double k = std::exp2(zoom - kSceneZoom);
        view.setTransform(QTransform::fromScale(k, k));
        std::vector<double> ms;
        for (int i = 0; i < framesPerPan; ++i) {
            // Spread the frames evenly around the same loop as the canvas's.
            const int frame = i * script.frames / framesPerPan;
            const QList<MapDevice> moved = unitsAt(units, script.unitFrame(pan, frame));
            QElapsedTimer t;
            t.start();
            for (qsizetype u = 0; u < moved.size(); ++u)
                unitItems[size_t(u)]->setPos(toScene(moved[u].lon, moved[u].lat));
            view.centerOn(script.panView(zoom, frame).centre() * scale);
            const QPixmap frameImage = view.grab();
            ms.push_back(msSince(t));
            if (i == 0)
                save(frameImage.toImage(), QStringLiteral("naive-z%1").arg(zoom));
        }
        r.pans.push_back(std::move(ms));
    }
    view.hide();
    return r;
}

// ---- one run -------------------------------------------------------------------------------

struct Options
{
    QList<int> sizes;
    Script script;
    int naiveFrames = 30;
    int hoverPoints = 200;
    quint64 seed = 1;
    QString saveDir; ///< where the first frame of each pan is written, per variant
};

void printRow(const char *variant, int frames, const std::vector<double> &all,
              const std::vector<std::vector<double>> &pans, double zoomP95)
{
    std::printf("  %-8s %6d %9.2f %9.2f %9.2f", variant, frames, percentile(all, 50),
                percentile(all, 95), percentile(all, 99));
    for (const auto &p : pans)
        std::printf(" %9.2f", percentile(p, 95));
    if (zoomP95 >= 0)
        std::printf(" %9.2f\n", zoomP95);
    else
        std::printf(" %9s\n", "-");
}

QJsonObject runSize(int points, const Options &o, const geo::TileSource &basemap,
                    const QList<GeoFeature> &grid, const std::vector<Unit> &units)
{
    const Script &script = o.script;
    std::fprintf(stderr, "== %d points\n", points);
    const QList<MapCasePoint> cases = makeCases(points, o.seed);
    auto save = [&](const QImage &image, const QString &name) {
        if (!o.saveDir.isEmpty())
            image.save(QDir(o.saveDir).filePath(QStringLiteral("%1-%2.png").arg(points).arg(name)));
    };

    // ---- canvas
    QJsonObject canvasOut;
    std::vector<std::vector<double>> canvasPans;
    std::vector<double> canvasZoom, hover;
    std::shared_ptr<const CaseIndex> index;
    QJsonObject layerBreakdown;
    {
        CanvasRig rig(basemap);
        rig.grids->setFeatures(grid, {}, QStringLiteral("code"));
        std::vector<double> builds;
        for (int i = 0; i < 5; ++i) {
            rig.cases->setCasesNow(cases);
            builds.push_back(double(rig.cases->index()->buildMs));
        }
        index = rig.cases->index();
        rig.units->setPoints(unitsAt(units, 0), kNow);
        rig.canvas.setViewport(script.zoomView(12));
        QElapsedTimer cold;
        cold.start();
        (void)rig.canvas.renderNow();
        const double coldMs = msSince(cold);
        std::fprintf(stderr, "canvas: cluster build %.0f ms (min %.0f), cold view %.1f ms\n",
                     percentile(builds, 50), *std::min_element(builds.begin(), builds.end()),
                     coldMs);

        for (int pan = 0; pan < script.panZooms.size(); ++pan) {
            std::vector<double> ms;
            for (int f = 0; f < script.frames; ++f) {
                const geo::MapViewport v = script.panView(script.panZooms[pan], f);
                const QList<MapDevice> moved = unitsAt(units, script.unitFrame(pan, f));
                QElapsedTimer t;
                t.start();
                rig.units->setPoints(moved, kNow);
                rig.canvas.setViewport(v);
                const QImage image = rig.canvas.renderNow();
                ms.push_back(msSince(t));
                if (f == 0)
                    save(image, QStringLiteral("canvas-z%1").arg(script.panZooms[pan]));
            }
            canvasPans.push_back(std::move(ms));
        }
        for (double z : script.sweep) {
            const geo::MapViewport v = script.zoomView(z);
            QElapsedTimer t;
            t.start();
            rig.canvas.setViewport(v);
            (void)rig.canvas.renderNow();
            canvasZoom.push_back(msSince(t));
        }
        // Hover: hit tests only, after a render of a busy view.
        rig.canvas.setViewport(script.zoomView(script.panZooms.last()));
        (void)rig.canvas.renderNow();
        Rng rng(o.seed + 7);
        int hits = 0;
        for (int i = 0; i < o.hoverPoints; ++i) {
            const QPointF at(rng.uniform(0, kWidget.width()), rng.uniform(0, kWidget.height()));
            QElapsedTimer t;
            t.start();
            const auto hit = rig.canvas.hitAt(at);
            hover.push_back(double(t.nsecsElapsed()) / 1e3);
            hits += hit ? 1 : 0;
        }
        std::fprintf(stderr, "canvas: hover %d of %d points hit something\n", hits, o.hoverPoints);

        // Where a pan frame's time goes: each visible layer rendered alone on this thread as
        // runJob does (its image allocated and cleared, then drawn), and the composition of the
        // layer images into the frame (diagnostic, every fourth pan frame).
        QHash<QString, std::vector<double>> perLayer;
        std::vector<double> clearing, compose;
        const QStringList order = rig.tree.drawOrder();
        for (int pan = 0; pan < script.panZooms.size(); ++pan) {
            for (int f = 0; f < script.frames; f += 4) {
                const geo::MapViewport v = script.panView(script.panZooms[pan], f);
                QList<QImage> images;
                double clearMs = 0;
                for (const QString &id : order) {
                    const LayerInfo *info = rig.tree.layer(id);
                    if (!info || !info->visible)
                        continue;
                    QElapsedTimer t;
                    t.start();
                    QImage image(kWidget, QImage::Format_ARGB32_Premultiplied);
                    image.fill(Qt::transparent);
                    clearMs += msSince(t);
                    t.restart();
                    auto renderer = rig.canvas.layer(id)->createRenderer(v);
                    QPainter p(&image);
                    p.setRenderHint(QPainter::Antialiasing);
                    renderer->render(p, v);
                    p.end();
                    (void)renderer->takeHits();
                    perLayer[id].push_back(msSince(t));
                    images << image;
                }
                clearing.push_back(clearMs);
                QElapsedTimer t;
                t.start();
                QImage frame(kWidget, QImage::Format_ARGB32_Premultiplied);
                QPainter p(&frame);
                p.fillRect(QRect(QPoint(0, 0), kWidget), kBackground);
                for (const QImage &image : std::as_const(images))
                    p.drawImage(QPointF(0, 0), image);
                p.end();
                compose.push_back(msSince(t));
            }
        }
        for (auto it = perLayer.cbegin(); it != perLayer.cend(); ++it)
            layerBreakdown.insert(it.key(), stats(*it, {}));
        layerBreakdown.insert(QStringLiteral("images_alloc_clear"), stats(clearing, {}));
        layerBreakdown.insert(QStringLiteral("compose"), stats(compose, {}));

        const std::vector<double> all = concat(canvasPans[0], canvasPans[1]);
        canvasOut = stats(all, QStringLiteral("pan_"));
        for (int pan = 0; pan < script.panZooms.size(); ++pan) {
            for (int pc : {50, 95, 99})
                canvasOut.insert(QStringLiteral("pan_p%1_z%2_ms").arg(pc).arg(script.panZooms[pan]),
                                 round3(percentile(canvasPans[size_t(pan)], pc)));
        }
        canvasOut.insert(QStringLiteral("zoom_p95_ms"), round3(percentile(canvasZoom, 95)));
        canvasOut.insert(QStringLiteral("cluster_build_ms"), percentile(builds, 50));
        canvasOut.insert(QStringLiteral("cluster_build_min_ms"),
                         *std::min_element(builds.begin(), builds.end()));
        canvasOut.insert(QStringLiteral("hover_us"), round3(percentile(hover, 50)));
        canvasOut.insert(QStringLiteral("hover_p95_us"), round3(percentile(hover, 95)));
        canvasOut.insert(QStringLiteral("cold_view_ms"), round3(coldMs));
        canvasOut.insert(QStringLiteral("frames"), int(all.size()));
        canvasOut.insert(QStringLiteral("zoom_frames"), int(canvasZoom.size()));
        canvasOut.insert(QStringLiteral("layers"), layerBreakdown);
    }

    // ---- floor: the same views, data and index, drawing only
    std::vector<std::vector<double>> floorPans;
    std::vector<double> floorZoom;
    {
        Floor floor(basemap, grid, index);
        auto timed = [&](const FloorFrame &f) {
            QElapsedTimer t;
            t.start();
            const QImage image = Floor::draw(f, floor.style());
            return msSince(t);
        };
        qsizetype sprites = 0, tiles = 0, cells = 0;
        for (int pan = 0; pan < script.panZooms.size(); ++pan) {
            std::vector<double> ms;
            for (int f = 0; f < script.frames; ++f) {
                const FloorFrame frame = floor.frame(script.panView(script.panZooms[pan], f),
                                                     unitsAt(units, script.unitFrame(pan, f)));
                if (f == 0) {
                    sprites = frame.sprites.size();
                    tiles = frame.tiles.size();
                    cells = frame.grid.size();
                    std::fprintf(stderr,
                                 "floor: zoom %g draws %lld tiles, %lld grid cells, %lld markers\n",
                                 script.panZooms[pan], qlonglong(tiles), qlonglong(cells),
                                 qlonglong(sprites));
                    save(Floor::draw(frame, floor.style()),
                         QStringLiteral("floor-z%1").arg(script.panZooms[pan]));
                }
                ms.push_back(timed(frame));
            }
            floorPans.push_back(std::move(ms));
        }
        const QList<MapDevice> last = unitsAt(units, script.lastUnitFrame());
        for (double z : script.sweep)
            floorZoom.push_back(timed(floor.frame(script.zoomView(z), last)));
    }
    QJsonObject floorOut = stats(concat(floorPans[0], floorPans[1]), QStringLiteral("pan_"));
    for (int pan = 0; pan < script.panZooms.size(); ++pan)
        floorOut.insert(QStringLiteral("pan_p95_z%1_ms").arg(script.panZooms[pan]),
                        round3(percentile(floorPans[size_t(pan)], 95)));
    floorOut.insert(QStringLiteral("zoom_p95_ms"), round3(percentile(floorZoom, 95)));

    // ---- naive
    std::fprintf(stderr, "naive: building the scene\n");
    const NaiveResult naive =
        runNaive(cases, grid, units, script, std::min(o.naiveFrames, script.frames), save);
    const std::vector<double> naiveAll = concat(naive.pans[0], naive.pans[1]);
    QJsonObject naiveOut = stats(naiveAll, QStringLiteral("pan_"));
    for (int pan = 0; pan < script.panZooms.size(); ++pan)
        naiveOut.insert(QStringLiteral("pan_p95_z%1_ms").arg(script.panZooms[pan]),
                        round3(percentile(naive.pans[size_t(pan)], 95)));
    naiveOut.insert(QStringLiteral("frames"), int(naiveAll.size()));
    naiveOut.insert(QStringLiteral("build_ms"), round3(naive.buildMs));
    naiveOut.insert(QStringLiteral("first_frame_ms"), round3(naive.firstFrameMs));

    const double canvasP95 = canvasOut.value(QStringLiteral("pan_p95_ms")).toDouble();
    const double naiveP95 = naiveOut.value(QStringLiteral("pan_p95_ms")).toDouble();
    const double floorP95 = floorOut.value(QStringLiteral("pan_p95_ms")).toDouble();
    const QJsonObject ratios{
        {"naive_over_canvas", canvasP95 > 0 ? round3(naiveP95 / canvasP95) : 0},
        {"canvas_over_floor", floorP95 > 0 ? round3(canvasP95 / floorP95) : 0}};

    std::printf("\n%d cases, %d grid cells, %d units; pan frames per zoom: canvas/floor %d, naive "
                "%d (ms)\n",
                points, int(grid.size()), int(units.size()), script.frames,
                int(naive.pans[0].size()));
    std::printf("  %-8s %6s %9s %9s %9s %9s %9s %9s\n", "variant", "frames", "pan p50", "pan p95",
                "pan p99", "z12 p95", "z15 p95", "zoom p95");
    printRow("naive", int(naiveAll.size()), naiveAll, naive.pans, -1);
    printRow("canvas", int(canvasPans[0].size() + canvasPans[1].size()),
             concat(canvasPans[0], canvasPans[1]), canvasPans, percentile(canvasZoom, 95));
    printRow("floor", int(floorPans[0].size() + floorPans[1].size()),
             concat(floorPans[0], floorPans[1]), floorPans, percentile(floorZoom, 95));
    std::printf("  ratios (pan p95): naive/canvas %.1f, canvas/floor %.2f\n",
                ratios.value(QStringLiteral("naive_over_canvas")).toDouble(),
                ratios.value(QStringLiteral("canvas_over_floor")).toDouble());
    std::printf("  canvas: cluster build %.0f ms (min %.0f), hover p50 %.1f us / p95 %.1f us, cold "
                "view %.1f ms\n",
                canvasOut.value(QStringLiteral("cluster_build_ms")).toDouble(),
                canvasOut.value(QStringLiteral("cluster_build_min_ms")).toDouble(),
                percentile(hover, 50), percentile(hover, 95),
                canvasOut.value(QStringLiteral("cold_view_ms")).toDouble());
    std::printf("  canvas parts alone (p50/p95 ms, one thread, every 4th pan frame):");
    for (auto it = layerBreakdown.constBegin(); it != layerBreakdown.constEnd(); ++it) {
        const QJsonObject s = it.value().toObject();
        std::printf(" %s %.2f/%.2f", qPrintable(it.key()),
                    s.value(QStringLiteral("p50_ms")).toDouble(),
                    s.value(QStringLiteral("p95_ms")).toDouble());
    }
    std::printf("\n  naive: scene build %.0f ms, first frame %.0f ms\n", naive.buildMs,
                naive.firstFrameMs);
    std::fflush(stdout);

    return {{"points", points},
            {"naive", naiveOut},
            {"canvas", canvasOut},
            {"floor", floorOut},
            {"ratios", ratios}};
}

// ---- the clustering dump -------------------------------------------------------------------

int dumpClusters(const QString &path, double radius, double extent, int maxZoom)
{
    auto points = geo::readPointsCsv(path);
    if (!points) {
        std::fprintf(stderr, "%s\n", qPrintable(points.error()));
        return 1;
    }
    geo::ClusterOptions o;
    o.minZoom = 0;
    o.maxZoom = maxZoom;
    o.radius = radius;
    o.extent = extent;
    geo::Supercluster index(o);
    index.load(std::move(*points));
    std::printf("%s\n", qPrintable(geo::Supercluster::countsJson(index.countsPerZoom())));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    bool dump = false;
    for (int i = 1; i < argc; ++i)
        dump = dump || qstrcmp(argv[i], "--dump-clusters") == 0;
    // The clustering dump needs no display; the benchmark draws offscreen unless told otherwise.
    if (!dump && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    std::unique_ptr<QCoreApplication> app(dump ? new QCoreApplication(argc, argv)
                                               : new QApplication(argc, argv));

    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Benchmark of the map canvas against a naive QGraphicsScene and a bare-QPainter floor."));
    p.addHelpOption();
    const QCommandLineOption pointsOpt(
        QStringLiteral("points"),
        QStringLiteral("Cases per run (repeatable); with --dump-clusters, a lon,lat CSV file."),
        QStringLiteral("N|FILE"));
    const QCommandLineOption sizesOpt(
        QStringLiteral("sizes"),
        QStringLiteral("Comma-separated case counts (default 100000,300000)."),
        QStringLiteral("LIST"));
    const QCommandLineOption framesOpt(QStringLiteral("frames"),
                                       QStringLiteral("Frames per pan (default 300)."),
                                       QStringLiteral("N"), QStringLiteral("300"));
    const QCommandLineOption naiveOpt(QStringLiteral("naive-frames"),
                                      QStringLiteral("Naive frames per pan (default 30)."),
                                      QStringLiteral("N"), QStringLiteral("30"));
    const QCommandLineOption stepOpt(QStringLiteral("pan-step"),
                                     QStringLiteral("Pixels per pan frame (default 8)."),
                                     QStringLiteral("PX"), QStringLiteral("8"));
    const QCommandLineOption hoverOpt(QStringLiteral("hover"),
                                      QStringLiteral("Hover hit tests (default 200)."),
                                      QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption seedOpt(QStringLiteral("seed"),
                                     QStringLiteral("Data seed (default 1)."), QStringLiteral("S"),
                                     QStringLiteral("1"));
    const QCommandLineOption basemapZoomOpt(
        QStringLiteral("basemap-max-zoom"),
        QStringLiteral("Highest zoom of the generated basemap (default 16)."), QStringLiteral("Z"),
        QStringLiteral("16"));
    const QCommandLineOption basemapOpt(
        QStringLiteral("basemap"),
        QStringLiteral("Use this MBTiles package instead of generating one."),
        QStringLiteral("FILE"));
    const QCommandLineOption saveOpt(
        QStringLiteral("save-frames"),
        QStringLiteral("Write each variant's first frame of each pan as PNG into DIR."),
        QStringLiteral("DIR"));
    const QCommandLineOption dumpOpt(QStringLiteral("dump-clusters"),
                                     QStringLiteral("Print the cluster counts per zoom of --points "
                                                    "FILE as {\"0\":n,...} and exit."));
    const QCommandLineOption radiusOpt(QStringLiteral("radius"),
                                       QStringLiteral("Cluster radius (default 40)."),
                                       QStringLiteral("R"), QStringLiteral("40"));
    const QCommandLineOption extentOpt(QStringLiteral("extent"),
                                       QStringLiteral("Tile extent (default 512)."),
                                       QStringLiteral("E"), QStringLiteral("512"));
    const QCommandLineOption maxZoomOpt(QStringLiteral("max-zoom"),
                                        QStringLiteral("Highest clustered zoom (default 16)."),
                                        QStringLiteral("Z"), QStringLiteral("16"));
    p.addOptions({pointsOpt, sizesOpt, framesOpt, naiveOpt, stepOpt, hoverOpt, seedOpt,
                  basemapZoomOpt, basemapOpt, saveOpt, dumpOpt, radiusOpt, extentOpt, maxZoomOpt});
    p.process(*app);

    if (dump) {
        bool okR = false, okE = false, okZ = false;
        const double radius = p.value(radiusOpt).toDouble(&okR);
        const double extent = p.value(extentOpt).toDouble(&okE);
        const int maxZoom = p.value(maxZoomOpt).toInt(&okZ);
        if (p.values(pointsOpt).size() != 1 || !okR || !okE || !okZ || radius <= 0 || extent <= 0 ||
            maxZoom < 0 || maxZoom > 29) {
            std::fprintf(stderr, "usage: --points FILE.csv --dump-clusters --radius R (> 0) "
                                 "--extent E (> 0) --max-zoom Z (0..29)\n");
            return 2;
        }
        return dumpClusters(p.value(pointsOpt), radius, extent, maxZoom);
    }

    Options o;
    QStringList sizes = p.values(pointsOpt);
    if (p.isSet(sizesOpt))
        sizes += p.value(sizesOpt).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (sizes.isEmpty())
        sizes = {QStringLiteral("100000"), QStringLiteral("300000")};
    for (const QString &s : std::as_const(sizes)) {
        bool ok = false;
        const int n = s.trimmed().toInt(&ok);
        if (!ok || n < 1) {
            std::fprintf(stderr, "not a number of cases: %s\n", qPrintable(s));
            return 2;
        }
        o.sizes << n;
    }
    o.script.frames = std::max(4, p.value(framesOpt).toInt());
    o.script.step = std::max(1.0, p.value(stepOpt).toDouble());
    o.naiveFrames = std::max(1, p.value(naiveOpt).toInt());
    o.hoverPoints = std::max(1, p.value(hoverOpt).toInt());
    o.seed = p.value(seedOpt).toULongLong();
    o.saveDir = p.value(saveOpt);
    for (int i = 0; i <= 28; ++i) // 10 → 17 and back in quarter steps
        o.script.sweep << 10 + 0.25 * i;
    for (int i = 27; i >= 0; --i)
        o.script.sweep << 10 + 0.25 * i;

    QTemporaryDir dir;
    if (!dir.isValid()) {
        std::fprintf(stderr, "no temporary directory: %s\n", qPrintable(dir.errorString()));
        return 1;
    }
    QString mbtiles = p.value(basemapOpt);
    if (mbtiles.isEmpty()) {
        QElapsedTimer setup;
        setup.start();
        BasemapOptions bo;
        bo.bounds = kArea;
        bo.minZoom = 10;
        bo.maxZoom = std::clamp(p.value(basemapZoomOpt).toInt(), bo.minZoom, 19);
        bo.roads = makeRoads(o.seed);
        bo.name = QStringLiteral("Benchmark basemap");
        mbtiles = dir.filePath(QStringLiteral("basemap.mbtiles"));
        const auto written = BasemapGenerator::generate(mbtiles, bo);
        if (!written) {
            std::fprintf(stderr, "basemap: %s\n", qPrintable(written.error()));
            return 1;
        }
        std::fprintf(stderr, "basemap: %lld tiles, zoom %d-%d, %.1f s\n", *written, bo.minZoom,
                     bo.maxZoom, double(setup.elapsed()) / 1000);
    }
    const auto basemap = geo::TileSource::mbtilesPackage(mbtiles);
    if (!basemap) {
        std::fprintf(stderr, "basemap: %s\n", qPrintable(basemap.error()));
        return 1;
    }

    QJsonArray runs;
    QJsonObject metRun;
    if (o.sizes.size() == 1) {
        runs.append(runSize(o.sizes.first(), o, *basemap, makeGrid(), makeUnits(o.seed + 1)));
    } else {
        // One process per size: each run starts from a fresh heap. In one process the first
        // run's frees raise glibc's mmap and trim thresholds, after which the canvas's per-frame
        // layer images stop costing page faults, so later runs would measure a different
        // allocator than the first (and than the console after start-up).
        for (int n : std::as_const(o.sizes)) {
            QStringList args{QStringLiteral("--points"), QString::number(n),
                             QStringLiteral("--basemap"), mbtiles};
            for (const QCommandLineOption *opt :
                 {&framesOpt, &naiveOpt, &stepOpt, &hoverOpt, &seedOpt, &saveOpt}) {
                if (p.isSet(*opt))
                    args << QStringLiteral("--") + opt->names().first() << p.value(*opt);
            }
            QProcess child;
            child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            child.start(QCoreApplication::applicationFilePath(), args);
            child.waitForFinished(-1);
            QList<QByteArray> lines = child.readAllStandardOutput().trimmed().split('\n');
            const QJsonObject result = QJsonDocument::fromJson(lines.takeLast()).object();
            if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0 ||
                result.value(QStringLiteral("runs")).toArray().isEmpty()) {
                std::fprintf(stderr, "the run with %d points failed\n", n);
                return 1;
            }
            std::printf("\n");
            for (const QByteArray &line : std::as_const(lines))
                std::printf("%s\n", line.constData());
            runs.append(result.value(QStringLiteral("runs")).toArray().first());
        }
    }
    for (const QJsonValue &run : std::as_const(runs)) {
        if (metRun.isEmpty() || run[QStringLiteral("points")].toInt() == 100000)
            metRun = run.toObject();
    }

    const QJsonObject targets{{"pan_p95_ms", 8},
                              {"naive_over_canvas_min", 20},
                              {"canvas_over_floor_max", 3},
                              {"cluster_build_ms", 150},
                              {"hover_us", 100}};
    const QJsonObject canvas = metRun.value(QStringLiteral("canvas")).toObject();
    const QJsonObject ratios = metRun.value(QStringLiteral("ratios")).toObject();
    auto value = [](const QJsonObject &obj, const char *key) {
        return obj.value(QLatin1String(key)).toDouble();
    };
    const QJsonObject met{
        {"pan_p95_ms", value(canvas, "pan_p95_ms") <= value(targets, "pan_p95_ms")},
        {"naive_over_canvas_min",
         value(ratios, "naive_over_canvas") >= value(targets, "naive_over_canvas_min")},
        {"canvas_over_floor_max",
         value(ratios, "canvas_over_floor") <= value(targets, "canvas_over_floor_max")},
        {"cluster_build_ms",
         value(canvas, "cluster_build_ms") <= value(targets, "cluster_build_ms")},
        {"hover_us", value(canvas, "hover_us") <= value(targets, "hover_us")}};
    const QJsonObject out{{"runs", runs},
                          {"targets", targets},
                          {"met", met},
                          {"met_points", metRun.value(QStringLiteral("points"))}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
