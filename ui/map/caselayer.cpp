#include "caselayer.h"

#include "geo/projection.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace cityops {

namespace MarkerSprites {

namespace {
QMutex g_mutex;
QHash<quint64, QImage> g_sprites;
constexpr int kDpr = 1;

double radiusFor(quint32 count)
{
    return count < 10 ? 11 : count < 100 ? 14 : count < 1000 ? 17 : 21;
}
} // namespace

QString countLabel(quint32 count)
{
    if (count < 1000)
        return QString::number(count);
    if (count < 10000)
        return QString::number(count / 1000.0, 'f', 1) + QLatin1Char('k');
    return QString::number(count / 1000) + QLatin1Char('k');
}

CaseMarkerClass worstClass(const std::array<quint32, geo::kClusterClasses> &counts)
{
    if (counts[size_t(CaseMarkerClass::Overdue)])
        return CaseMarkerClass::Overdue;
    if (counts[size_t(CaseMarkerClass::Escalated)])
        return CaseMarkerClass::Escalated;
    if (counts[size_t(CaseMarkerClass::Open)])
        return CaseMarkerClass::Open;
    return CaseMarkerClass::Finished;
}

QImage cluster(CaseMarkerClass c, quint32 count)
{
    // Counts above 999 share a sprite per label ("1.2k", "15k"): key by what the label shows.
    const quint32 keyCount = count < 1000    ? count
                             : count < 10000 ? 1000000 + count / 100
                                             : 2000000 + count / 1000;
    const quint64 key = (quint64(c) << 40) | (quint64(1) << 39) | keyCount;
    QMutexLocker lock(&g_mutex);
    auto it = g_sprites.constFind(key);
    if (it != g_sprites.constEnd())
        return *it;
    const QString label = countLabel(count);
    const double r = radiusFor(count);
    const int side = int(std::ceil(2 * r + 4));
    QImage img(side * kDpr, side * kDpr, QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::transparent);
    {
        QPainter p(&img);
        p.setRenderHint(QPainter::Antialiasing);
        const QColor col = CaseLayer::classColour(c);
        QColor halo = col;
        halo.setAlpha(90);
        p.setPen(Qt::NoPen);
        p.setBrush(halo);
        p.drawEllipse(QPointF(side / 2.0, side / 2.0), r + 1.5, r + 1.5);
        p.setBrush(col);
        p.drawEllipse(QPointF(side / 2.0, side / 2.0), r - 2, r - 2);
        QFont f = p.font();
        f.setPixelSize(count < 100 ? 11 : 10);
        f.setBold(true);
        p.setFont(f);
        p.setPen(Qt::white);
        p.drawText(QRectF(0, 0, side, side), Qt::AlignCenter, label);
    }
    g_sprites.insert(key, img);
    return img;
}

QImage point(CaseMarkerClass c)
{
    const quint64 key = quint64(c) << 40;
    QMutexLocker lock(&g_mutex);
    auto it = g_sprites.constFind(key);
    if (it != g_sprites.constEnd())
        return *it;
    QImage img(12, 12, QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::transparent);
    {
        QPainter p(&img);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::white, 1.5));
        p.setBrush(CaseLayer::classColour(c));
        p.drawEllipse(QPointF(6, 6), 4.5, 4.5);
    }
    g_sprites.insert(key, img);
    return img;
}

} // namespace MarkerSprites

namespace {

int clusterZoom(const geo::MapViewport &view)
{
    return std::clamp(int(std::floor(view.zoom())), 0, CaseLayer::clusterOptions().maxZoom + 1);
}

class CaseRenderer : public MapLayerRenderer
{
public:
    explicit CaseRenderer(std::shared_ptr<const CaseIndex> index) : m_index(std::move(index)) {}

    void render(QPainter &p, const geo::MapViewport &view) override
    {
        if (!m_index)
            return;
        const double pad = 24 / view.scale();
        const QRectF area = view.visibleWorld().adjusted(-pad, -pad, pad, pad);
        const auto items = m_index->clusters.clustersInUnitRect(area, clusterZoom(view));
        m_hits.reserve(items.size());
        for (const geo::ClusterItem &it : items) {
            const QPointF s = view.worldToScreen(QPointF(it.x, it.y));
            if (it.count > 1) {
                const QImage img =
                    MarkerSprites::cluster(MarkerSprites::worstClass(it.classCounts), it.count);
                p.drawImage(QPointF(s.x() - img.width() / 2.0, s.y() - img.height() / 2.0), img);
                m_hits.append(
                    {s, float(img.width() / 2.0), 0, it.clusterId, it.count, {}, it.classCounts});
            } else {
                const auto &pt = m_index->points[it.pointId];
                const QImage img = MarkerSprites::point(pt.klass);
                p.drawImage(QPointF(s.x() - 6, s.y() - 6), img);
                m_hits.append({s, 7, pt.id, -1, 1, {}, {}});
            }
        }
    }

private:
    std::shared_ptr<const CaseIndex> m_index;
};

class HeatmapRenderer : public MapLayerRenderer
{
public:
    explicit HeatmapRenderer(std::shared_ptr<const CaseIndex> index) : m_index(std::move(index)) {}

    void render(QPainter &p, const geo::MapViewport &view) override
    {
        if (!m_index)
            return;
        constexpr int kCell = 4; // the density grid is a quarter of the screen resolution
        const int w = view.size().width() / kCell + 1, h = view.size().height() / kCell + 1;
        const double pad = 40 / view.scale();
        const QRectF area = view.visibleWorld().adjusted(-pad, -pad, pad, pad);
        const int z = std::min(clusterZoom(view) + 2, CaseLayer::clusterOptions().maxZoom + 1);
        const auto items = m_index->clusters.clustersInUnitRect(area, z);
        if (cancelled)
            return;
        std::vector<float> grid(size_t(w) * size_t(h), 0.f);
        constexpr int kRadius = 6; // cells: 24 px
        float kernel[2 * kRadius + 1][2 * kRadius + 1];
        for (int dy = -kRadius; dy <= kRadius; ++dy)
            for (int dx = -kRadius; dx <= kRadius; ++dx)
                kernel[dy + kRadius][dx + kRadius] =
                    std::exp(-float(dx * dx + dy * dy) / (2.0f * 2.5f * 2.5f));
        for (const auto &it : items) {
            if (m_index->points.empty())
                break;
            const QPointF s = view.worldToScreen(QPointF(it.x, it.y));
            const int cx = int(s.x() / kCell), cy = int(s.y() / kCell);
            const float weight = float(it.count);
            for (int dy = -kRadius; dy <= kRadius; ++dy) {
                const int y = cy + dy;
                if (y < 0 || y >= h)
                    continue;
                for (int dx = -kRadius; dx <= kRadius; ++dx) {
                    const int x = cx + dx;
                    if (x >= 0 && x < w)
                        grid[size_t(y) * size_t(w) + size_t(x)] +=
                            weight * kernel[dy + kRadius][dx + kRadius];
                }
            }
        }
        const float peak = *std::max_element(grid.begin(), grid.end());
        if (peak <= 0)
            return;
        QImage img(w, h, QImage::Format_ARGB32_Premultiplied);
        for (int y = 0; y < h; ++y) {
            auto *line = reinterpret_cast<QRgb *>(img.scanLine(y));
            for (int x = 0; x < w; ++x) {
                const float v = std::sqrt(grid[size_t(y) * size_t(w) + size_t(x)] / peak);
                line[x] = v < 0.04f ? 0 : ramp(v);
            }
        }
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.drawImage(QRectF(0, 0, w * kCell, h * kCell), img);
    }

    /** Blue → yellow → red, alpha rising with density (premultiplied). */
    static QRgb ramp(float v)
    {
        const float a = std::min(1.f, 0.25f + v) * 200.f;
        float r, g, b;
        if (v < 0.5f) {
            const float t = v / 0.5f;
            r = 30 + t * (250 - 30), g = 100 + t * (204 - 100), b = 220 - t * 200;
        } else {
            const float t = (v - 0.5f) / 0.5f;
            r = 250 - t * 30, g = 204 - t * 184, b = 20;
        }
        const float k = a / 255.f;
        return qRgba(int(r * k), int(g * k), int(b * k), int(a));
    }

private:
    std::shared_ptr<const CaseIndex> m_index;
};

} // namespace

CaseLayer::CaseLayer(const QString &id, QObject *parent)
    : MapLayer(id, LayerKind::Cases, parent), m_index(std::make_shared<CaseIndex>())
{
    connect(&m_watcher, &QFutureWatcher<std::shared_ptr<CaseIndex>>::finished, this, [this] {
        if (m_buildSerial == m_serial)
            m_index = m_watcher.result(); // else superseded by setCasesNow() meanwhile
        m_building = false;
        if (m_rebuildPending) {
            m_rebuildPending = false;
            startBuild();
        }
        markChanged();
        if (!m_building)
            emit indexReady();
    });
}

CaseLayer::~CaseLayer()
{
    m_watcher.waitForFinished();
}

geo::ClusterOptions CaseLayer::clusterOptions()
{
    geo::ClusterOptions o;
    o.maxZoom = 16;
    o.radius = 40;
    o.extent = 512;
    return o;
}

std::shared_ptr<CaseIndex> CaseLayer::build(std::vector<MapCasePoint> points, bool gcj02)
{
    QElapsedTimer t;
    t.start();
    auto index = std::make_shared<CaseIndex>();
    index->points = std::move(points);
    std::vector<geo::ClusterInput> input;
    input.reserve(index->points.size());
    index->world.reserve(index->points.size());
    index->rowOfId.reserve(qsizetype(index->points.size()));
    const geo::MapViewport proj({0.5, 0.5}, 2, {256, 256}, gcj02);
    for (quint32 i = 0; i < index->points.size(); ++i) {
        const MapCasePoint &p = index->points[i];
        QPointF ll(p.lon, p.lat);
        if (gcj02)
            ll = geo::wgs84ToGcj02(p.lon, p.lat);
        input.push_back({ll.x(), ll.y(), i, quint8(p.klass)});
        index->world.push_back(proj.project(p.lon, p.lat));
        index->rowOfId.insert(p.id, i);
    }
    index->clusters = geo::Supercluster(clusterOptions());
    index->clusters.load(std::move(input));
    index->buildMs = t.elapsed();
    return index;
}

void CaseLayer::startBuild()
{
    if (m_building) {
        m_rebuildPending = true;
        return;
    }
    m_building = true;
    m_buildSerial = m_serial;
    m_watcher.setFuture(QtConcurrent::run(&CaseLayer::build, m_points, gcj02()));
}

void CaseLayer::setCases(QList<MapCasePoint> points)
{
    m_points.assign(points.begin(), points.end());
    ++m_serial;
    startBuild();
}

void CaseLayer::setCasesNow(QList<MapCasePoint> points)
{
    m_watcher.waitForFinished();
    m_points.assign(points.begin(), points.end());
    ++m_serial;
    m_rebuildPending = false;
    m_index = build(m_points, gcj02());
    markChanged();
}

void CaseLayer::reproject()
{
    ++m_serial;
    startBuild();
}

std::unique_ptr<MapLayerRenderer> CaseLayer::createRenderer(const geo::MapViewport &)
{
    return std::make_unique<CaseRenderer>(m_index);
}

QColor CaseLayer::classColour(CaseMarkerClass c)
{
    switch (c) {
    case CaseMarkerClass::Open:
        return QColor(37, 99, 235);
    case CaseMarkerClass::Overdue:
        return QColor(220, 38, 38);
    case CaseMarkerClass::Escalated:
        return QColor(147, 51, 234);
    case CaseMarkerClass::Finished:
        return QColor(120, 130, 145);
    }
    return Qt::black;
}

QString CaseLayer::classLabel(CaseMarkerClass c)
{
    switch (c) {
    case CaseMarkerClass::Open:
        return tr("Open, on time");
    case CaseMarkerClass::Overdue:
        return tr("Overdue");
    case CaseMarkerClass::Escalated:
        return tr("On the escalation ladder");
    case CaseMarkerClass::Finished:
        return tr("Closed, shelved or rejected");
    }
    return {};
}

QList<LegendEntry> CaseLayer::legend() const
{
    QList<LegendEntry> out;
    for (auto c : {CaseMarkerClass::Overdue, CaseMarkerClass::Escalated, CaseMarkerClass::Open,
                   CaseMarkerClass::Finished})
        out.append({classColour(c), classLabel(c)});
    return out;
}

QRectF CaseLayer::worldBounds() const
{
    QRectF b;
    for (const QPointF &w : m_index->world) {
        const QRectF r(w, QSizeF(1e-12, 1e-12));
        b = b.isNull() ? r : b.united(r);
    }
    return b;
}

std::optional<QPointF> CaseLayer::worldOf(qint64 caseId) const
{
    const auto it = m_index->rowOfId.constFind(caseId);
    if (it == m_index->rowOfId.constEnd())
        return std::nullopt;
    return m_index->world[*it];
}

QList<qint64> CaseLayer::casesIn(const QPolygonF &world) const
{
    QList<qint64> out;
    const QRectF box = world.boundingRect();
    for (size_t i = 0; i < m_index->world.size(); ++i) {
        const QPointF &w = m_index->world[i];
        if (box.contains(w) && world.containsPoint(w, Qt::OddEvenFill))
            out.append(m_index->points[i].id);
    }
    return out;
}

HeatmapLayer::HeatmapLayer(const QString &id, CaseLayer *cases, QObject *parent)
    : MapLayer(id, LayerKind::Heatmap, parent), m_cases(cases)
{
    connect(cases, &MapLayer::changed, this, &HeatmapLayer::markChanged);
}

std::unique_ptr<MapLayerRenderer> HeatmapLayer::createRenderer(const geo::MapViewport &)
{
    return std::make_unique<HeatmapRenderer>(m_cases->index());
}

QList<LegendEntry> HeatmapLayer::legend() const
{
    return {{QColor(30, 100, 220), tr("Few cases")},
            {QColor(250, 204, 20), tr("Many cases")},
            {QColor(220, 20, 20), tr("Most cases")}};
}

} // namespace cityops
