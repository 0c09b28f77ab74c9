#include "tilelayer.h"

#include "geo/projection.h"
#include "geo/tilefetcher.h"
#include "storage/mbtiles.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThreadPool>

#include <cmath>

namespace cityops {

namespace {

class TileRenderer : public MapLayerRenderer
{
public:
    TileRenderer(QString sourceId, std::shared_ptr<MbTiles> package, geo::TileImageCache *memory,
                 int z)
        : m_sourceId(std::move(sourceId)), m_package(std::move(package)), m_memory(memory), m_z(z)
    {}

    QImage load(geo::TileId t)
    {
        QImage img = m_memory->get(m_sourceId, t);
        if (img.isNull() && m_package) {
            if (auto bytes = m_package->tile(t)) {
                img = QImage::fromData(*bytes);
                if (!img.isNull()) {
                    img = img.convertToFormat(QImage::Format_ARGB32_Premultiplied);
                    m_memory->insert(m_sourceId, t, img);
                }
            }
        }
        return img;
    }

    void render(QPainter &p, const geo::MapViewport &view) override
    {
        const int z = m_z;
        const QRect range = view.tileRange(z);
        const double tilePx = view.scale() / double(1 << z);
        p.setRenderHint(QPainter::SmoothPixmapTransform, std::abs(tilePx - 256) > 0.5);
        for (int y = range.top(); y <= range.bottom(); ++y) {
            for (int x = range.left(); x <= range.right(); ++x) {
                if (cancelled)
                    return;
                const geo::TileId t{z, x, y};
                const QRectF target = view.tileScreenRect(z, x, y);
                const QImage img = load(t);
                if (!img.isNull()) {
                    p.drawImage(target, img);
                    continue;
                }
                if (!m_packageBounds.isNull() &&
                    (t.z > m_packageMaxZoom || !geo::tileLonLatRect(t).intersects(m_packageBounds)))
                    continue; // outside the package: nothing to wait for
                missing.insert(t);
                // Stand in a scaled part of the nearest ancestor that is in memory.
                geo::TileId a = t;
                for (int up = 1; up <= 6 && a.z > 0; ++up) {
                    a = a.parent();
                    const QImage parent = m_memory->get(m_sourceId, a);
                    if (parent.isNull())
                        continue;
                    const int span = 1 << up;
                    const double side = double(parent.width()) / span;
                    const QRectF src((t.x - (a.x << up)) * side, (t.y - (a.y << up)) * side, side,
                                     side);
                    p.drawImage(target, parent, src);
                    break;
                }
            }
        }
    }

    QSet<geo::TileId> missing;
    QRectF m_packageBounds;
    int m_packageMaxZoom = 30;

private:
    QString m_sourceId;
    std::shared_ptr<MbTiles> m_package;
    geo::TileImageCache *m_memory;
    int m_z;
};

} // namespace

TileLayer::TileLayer(const QString &id, const geo::TileSource &source, geo::TileFetcher *fetcher,
                     geo::TileImageCache *memory, QObject *parent)
    : MapLayer(id, LayerKind::Basemap, parent), m_source(source), m_fetcher(fetcher),
      m_memory(memory)
{
    if (!m_source.mbtilesPath.isEmpty()) {
        auto opened = MbTiles::open(m_source.mbtilesPath, MbTiles::Mode::ReadOnly);
        if (opened) {
            m_package = std::shared_ptr<MbTiles>(std::move(opened.value()));
        } else {
            m_usable = false;
            m_error = opened.error();
        }
    }
    m_decoder.setMaxThreadCount(2);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(40);
    connect(&m_coalesce, &QTimer::timeout, this, &TileLayer::markChanged);
    if (m_fetcher && !m_package)
        connect(m_fetcher, &geo::TileFetcher::tileReady, this,
                [this](const QString &sourceId, geo::TileId tile, const QByteArray &data, bool) {
                    onTileReady(sourceId, tile, data);
                });
}

TileLayer::~TileLayer()
{
    // Decodes write into the shared image cache: none may outlive the layer.
    m_decoder.clear();
    m_decoder.waitForDone();
}

int TileLayer::tileZoom(double viewZoom) const
{
    return std::clamp(int(std::lround(viewZoom)), m_source.minZoom, m_source.maxZoom);
}

std::unique_ptr<MapLayerRenderer> TileLayer::createRenderer(const geo::MapViewport &view)
{
    auto r = std::make_unique<TileRenderer>(m_source.id, m_usable ? m_package : nullptr, m_memory,
                                            tileZoom(view.zoom()));
    if (m_package) {
        r->m_packageBounds = m_package->bounds();
        r->m_packageMaxZoom = m_source.maxZoom;
    }
    return r;
}

void TileLayer::rendered(MapLayerRenderer &renderer)
{
    auto &r = static_cast<TileRenderer &>(renderer);
    const bool changedMissing = r.missing != m_missing;
    m_missing = std::move(r.missing);
    if (m_fetcher && !m_package && m_usable) {
        for (const geo::TileId &t : std::as_const(m_missing)) {
            if (m_requested.contains(t))
                continue;
            m_requested.insert(t);
            m_fetcher->request(m_source, t);
        }
    }
    if (changedMissing)
        emit missingChanged();
}

void TileLayer::onTileReady(const QString &sourceId, geo::TileId tile, const QByteArray &data)
{
    if (sourceId != m_source.id)
        return;
    m_requested.remove(tile);
    // Decode off the GUI thread, then redraw (coalesced: tiles arrive in bursts).
    m_decoder.start(
        [tile, data, memory = m_memory, id = m_source.id, guard = QPointer<TileLayer>(this)] {
            QImage img = QImage::fromData(data);
            if (img.isNull())
                return;
            memory->insert(id, tile, img.convertToFormat(QImage::Format_ARGB32_Premultiplied));
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [guard] {
                    if (guard)
                        guard->m_coalesce.start();
                },
                Qt::QueuedConnection);
        });
}

QList<LegendEntry> TileLayer::legend() const
{
    QList<LegendEntry> out;
    if (!m_usable)
        out.append({QColor(220, 38, 38), m_error});
    if (!m_source.attribution.isEmpty())
        out.append({QColor(120, 120, 120), m_source.attribution});
    if (m_source.gcj02)
        out.append({QColor(234, 88, 12), tr("GCJ-02: data shifted to match")});
    return out;
}

} // namespace cityops
