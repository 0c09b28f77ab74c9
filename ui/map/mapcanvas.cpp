#include "mapcanvas.h"

#include "caselayer.h"
#include "geo/projection.h"
#include "itemmodels/layertreemodel.h"
#include "maptools.h"
#include "pointlayer.h"
#include "vectorlayer.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace cityops {

namespace {
const QColor kBackground(232, 236, 239);
const QColor kSelection(250, 204, 21);
} // namespace

struct MapCanvas::Job
{
    QString layerId;
    quint64 generation = 0;
    quint64 ticket = 0;
    geo::MapViewport view;
    std::unique_ptr<MapLayerRenderer> renderer;
    QImage image;
    QList<MapHit> hits;
};

MapCanvas::MapCanvas(LayerTreeModel *tree, QWidget *parent) : QWidget(parent), m_tree(tree)
{
    setObjectName(QStringLiteral("MapCanvas"));
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(200, 150);
    m_pool.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
    m_renderTimer.setSingleShot(true);
    m_renderTimer.setInterval(0);
    connect(&m_renderTimer, &QTimer::timeout, this, &MapCanvas::startRenders);
    connect(m_tree, &LayerTreeModel::layerChanged, this, [this] {
        update();
        scheduleRender();
    });
    connect(m_tree, &LayerTreeModel::orderChanged, this, [this] {
        update();
        scheduleRender();
    });
    m_view = geo::MapViewport(geo::toUnit(121.47, 31.23), 12, size());
    m_measureTool = new MeasureTool(this);
    connect(m_measureTool, &MeasureTool::measureChanged, this, &MapCanvas::measureChanged);
    m_tools = {new PanTool(this), new SelectRectTool(this), new LassoTool(this), m_measureTool};
    setTool(Tool::Pan);
}

MapCanvas::~MapCanvas()
{
    m_pool.waitForDone();
}

void MapCanvas::addLayer(MapLayer *layer)
{
    layer->setParent(this);
    layer->setGcj02(m_view.gcj02());
    m_layers.insert(layer->id(), layer);
    connect(layer, &MapLayer::changed, this, [this] {
        update();
        scheduleRender();
    });
    scheduleRender();
}

void MapCanvas::removeLayer(const QString &id)
{
    if (MapLayer *l = m_layers.take(id)) {
        m_cache.remove(id);
        l->deleteLater();
        update();
    }
}

MapLayer *MapCanvas::layer(const QString &id) const
{
    return m_layers.value(id);
}

QList<MapLayer *> MapCanvas::layers() const
{
    return m_layers.values();
}

void MapCanvas::setViewport(geo::MapViewport view)
{
    m_pendingFit.reset();
    view.setSize(size());
    view.setGcj02(m_view.gcj02());
    if (view == m_view)
        return;
    m_view = view;
    viewMoved();
}

void MapCanvas::viewMoved()
{
    update();
    scheduleRender();
    emit viewChanged();
}

void MapCanvas::centreOn(double lon, double lat, double zoom)
{
    geo::MapViewport v = m_view;
    v.setZoom(zoom);
    v.setCentre(v.project(lon, lat));
    setViewport(v);
}

void MapCanvas::zoomToWorld(const QRectF &world, double maxZoom)
{
    const bool pending = !isVisible();
    geo::MapViewport v = m_view;
    v.fitWorld(world, 24, maxZoom);
    setViewport(v);
    if (pending)
        m_pendingFit = std::pair{world, maxZoom}; // the final size is not known yet
}

void MapCanvas::zoomBy(double steps, std::optional<QPointF> around)
{
    geo::MapViewport v = m_view;
    v.zoomAround(around.value_or(QPointF(width() / 2.0, height() / 2.0)), v.zoom() + steps);
    setViewport(v);
}

void MapCanvas::panBy(QPointF pixels)
{
    geo::MapViewport v = m_view;
    v.panBy(pixels);
    setViewport(v);
}

void MapCanvas::setGcj02(bool on)
{
    if (on == m_view.gcj02())
        return;
    // Keep the same place on screen: re-centre on the same geographic point in the new datum.
    const QPointF centre = m_view.geographicAt(QPointF(width() / 2.0, height() / 2.0));
    m_view.setGcj02(on);
    m_view.setCentre(m_view.project(centre.x(), centre.y()));
    for (MapLayer *l : std::as_const(m_layers))
        l->setGcj02(on);
    viewMoved();
}

void MapCanvas::setTool(Tool tool)
{
    if (tool != Tool::Custom)
        setMapTool(m_tools[size_t(tool)]);
}

MapCanvas::Tool MapCanvas::tool() const
{
    const auto it = std::find(m_tools.cbegin(), m_tools.cend(), m_mapTool.data());
    return it == m_tools.cend() ? Tool::Custom : Tool(it - m_tools.cbegin());
}

void MapCanvas::setMapTool(MapTool *tool)
{
    if (!tool || tool == m_mapTool)
        return;
    // The new tool is current before the old one lets go, so that whoever hears the old tool
    // drop its work (measureChanged) already sees the new tool.
    MapTool *old = m_mapTool;
    m_mapTool = tool;
    if (old)
        old->deactivate();
    tool->activate();
    update();
}

void MapCanvas::setSelectedCases(const QList<qint64> &ids)
{
    if (ids == m_selected)
        return;
    m_selected = ids;
    update();
}

bool MapCanvas::zoomToSelection()
{
    if (!m_caseLayer || m_selected.isEmpty())
        return false;
    QRectF box;
    for (qint64 id : std::as_const(m_selected)) {
        if (auto w = m_caseLayer->worldOf(id)) {
            const QRectF r(*w, QSizeF(1e-9, 1e-9));
            box = box.isNull() ? r : box.united(r);
        }
    }
    if (box.isNull())
        return false;
    zoomToWorld(box, 17);
    return true;
}

bool MapCanvas::zoomToGrid(const QString &code)
{
    if (!m_gridLayer)
        return false;
    const VectorShape *s = m_gridLayer->shapeByCode(code.trimmed());
    if (!s)
        return false;
    zoomToWorld(s->bounds, 18);
    return true;
}

QString MapCanvas::gridCodeAt(QPointF screen) const
{
    if (!m_gridLayer)
        return {};
    const VectorShape *s = m_gridLayer->shapeAt(m_view.screenToWorld(screen));
    return s ? s->code : QString();
}

// ---- rendering ----------------------------------------------------------------------------

bool MapCanvas::upToDate(const QString &id) const
{
    const auto it = m_cache.constFind(id);
    const MapLayer *l = m_layers.value(id);
    return it != m_cache.constEnd() && l && !it->image.isNull() && it->view == m_view &&
           it->generation == l->generation();
}

bool MapCanvas::renderPending() const
{
    for (const LayerInfo &info : m_tree->layers()) {
        if (!info.visible || !m_layers.contains(info.id))
            continue;
        if (!upToDate(info.id) || m_cache.value(info.id).busy)
            return true;
    }
    return false;
}

void MapCanvas::scheduleRender()
{
    if (!m_renderTimer.isActive())
        m_renderTimer.start();
}

std::shared_ptr<MapCanvas::Job> MapCanvas::makeJob(MapLayer *layer)
{
    auto job = std::make_shared<Job>();
    job->layerId = layer->id();
    job->generation = layer->generation();
    job->ticket = m_nextTicket++;
    job->view = m_view;
    job->renderer = layer->createRenderer(m_view);
    // Double buffering per layer: draw into the image that is no longer shown.
    Cache &c = m_cache[layer->id()];
    if (c.spare.size() == m_view.size() && !c.spare.isDetached())
        c.spare = QImage();
    if (c.spare.size() == m_view.size())
        job->image = std::move(c.spare);
    c.spare = QImage();
    return job;
}

void MapCanvas::runJob(Job &job)
{
    if (job.image.size() != job.view.size())
        job.image = QImage(job.view.size(), QImage::Format_ARGB32_Premultiplied);
    job.image.fill(Qt::transparent);
    QPainter p(&job.image);
    p.setRenderHint(QPainter::Antialiasing);
    job.renderer->render(p, job.view);
    p.end();
    job.hits = job.renderer->takeHits();
}

void MapCanvas::startRenders()
{
    if (m_view.size().isEmpty())
        return;
    for (const LayerInfo &info : m_tree->layers()) {
        MapLayer *l = m_layers.value(info.id);
        if (!info.visible || !l || upToDate(info.id))
            continue;
        Cache &c = m_cache[info.id];
        if (c.busy)
            continue; // one job per layer; the finished job schedules the next
        c.busy = true;
        auto job = makeJob(l);
        QPointer<MapCanvas> self(this);
        m_pool.start([job, self] {
            runJob(*job);
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [job, self] {
                    if (self)
                        self->finishJob(job);
                },
                Qt::QueuedConnection);
        });
    }
}

void MapCanvas::finishJob(const std::shared_ptr<Job> &job)
{
    MapLayer *l = m_layers.value(job->layerId);
    auto it = m_cache.find(job->layerId);
    if (!l || it == m_cache.end())
        return;
    it->busy = false;
    // Drop a result whose layer changed meanwhile, or that is older than what we show.
    if (job->generation == l->generation() && job->ticket > it->ticket) {
        it->spare = std::move(it->image);
        it->image = std::move(job->image);
        it->view = job->view;
        it->generation = job->generation;
        it->ticket = job->ticket;
        it->hits.build(std::move(job->hits), job->view.size());
        l->rendered(*job->renderer);
        update();
    }
    if (renderPending())
        scheduleRender();
    else
        emit renderFinished();
}

QImage MapCanvas::renderNow()
{
    m_view.setSize(size());
    QList<std::shared_ptr<Job>> jobs;
    QList<QFuture<void>> futures;
    for (const LayerInfo &info : m_tree->layers()) {
        MapLayer *l = m_layers.value(info.id);
        if (!info.visible || !l || upToDate(info.id))
            continue;
        auto job = makeJob(l);
        jobs << job;
        futures << QtConcurrent::run(&m_pool, [job] { runJob(*job); });
    }
    for (int i = 0; i < jobs.size(); ++i) {
        futures[i].waitForFinished();
        Cache &c = m_cache[jobs[i]->layerId];
        const bool wasBusy = c.busy;
        finishJob(jobs[i]);
        c.busy = wasBusy; // an asynchronous job may still be in flight
    }
    if (m_frame.size() != size() || !m_frame.isDetached())
        m_frame = QImage(size(), QImage::Format_ARGB32_Premultiplied);
    QPainter p(&m_frame);
    compose(p);
    drawOverlays(p);
    p.end();
    return m_frame;
}

void MapCanvas::compose(QPainter &p) const
{
    p.fillRect(QRect(QPoint(0, 0), m_view.size()), kBackground);
    for (const QString &id : m_tree->drawOrder()) {
        const LayerInfo *info = m_tree->layer(id);
        const auto it = m_cache.constFind(id);
        if (!info || !info->visible || it == m_cache.constEnd() || it->image.isNull() ||
            !m_layers.contains(id))
            continue;
        p.setOpacity(info->opacity);
        if (it->view == m_view) {
            p.drawImage(QPointF(0, 0), it->image);
        } else {
            // Rendered for an earlier view: shift and scale it into place until the new one is in.
            const QPointF tl = m_view.worldToScreen(it->view.screenToWorld(QPointF(0, 0)));
            const double k = m_view.scale() / it->view.scale();
            p.setRenderHint(QPainter::SmoothPixmapTransform, std::abs(k - 1) > 1e-6);
            p.drawImage(QRectF(tl, QSizeF(it->image.width() * k, it->image.height() * k)),
                        it->image);
        }
    }
    p.setOpacity(1);
}

std::pair<double, double> MapCanvas::scaleBar() const
{
    const double mpp = m_view.metresPerPixel();
    const double target = mpp * 120; // at most 120 px
    const double mag = std::pow(10.0, std::floor(std::log10(target)));
    double nice = mag;
    for (double f : {5.0, 2.0, 1.0}) {
        if (f * mag <= target) {
            nice = f * mag;
            break;
        }
    }
    return {nice, nice / mpp};
}

void MapCanvas::drawOverlays(QPainter &p) const
{
    p.setRenderHint(QPainter::Antialiasing);
    // Selected cases: a ring around each.
    if (m_caseLayer && !m_selected.isEmpty()) {
        p.setPen(QPen(kSelection, 3));
        p.setBrush(Qt::NoBrush);
        for (qint64 id : m_selected) {
            if (auto w = m_caseLayer->worldOf(id))
                p.drawEllipse(m_view.worldToScreen(*w), 10, 10);
        }
    }
    // The tool's rubber band, lasso or measuring line.
    if (m_mapTool) {
        p.save();
        m_mapTool->paint(p);
        p.restore();
    }
    // Scale bar.
    const auto [metres, px] = scaleBar();
    const QPointF origin(12, height() - 16);
    p.setPen(QPen(Qt::black, 2));
    p.drawLine(origin, origin + QPointF(px, 0));
    p.drawLine(origin, origin + QPointF(0, -6));
    p.drawLine(origin + QPointF(px, 0), origin + QPointF(px, -6));
    const QString label = metres >= 1000 ? tr("%1 km").arg(metres / 1000) : tr("%1 m").arg(metres);
    p.drawText(origin + QPointF(4, -6), label);
}

QString MapCanvas::distanceText(double metres)
{
    return metres >= 1000 ? tr("%1 km").arg(QLocale().toString(metres / 1000, 'f', 2))
                          : tr("%1 m").arg(QLocale().toString(metres, 'f', 0));
}

void MapCanvas::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    compose(p);
    drawOverlays(p);
}

void MapCanvas::resizeEvent(QResizeEvent *)
{
    m_view.setSize(size());
    if (m_pendingFit)
        m_view.fitWorld(m_pendingFit->first, 24, m_pendingFit->second);
    viewMoved();
}

void MapCanvas::showEvent(QShowEvent *)
{
    if (m_pendingFit) {
        // Fit again on every resize until the operator moves the map (windows settle late).
        m_view.setSize(size());
        m_view.fitWorld(m_pendingFit->first, 24, m_pendingFit->second);
        viewMoved();
    }
}

// ---- hit testing ---------------------------------------------------------------------------

std::optional<MapHit> MapCanvas::hitAt(QPointF screen, QString *layerId) const
{
    const QStringList order = m_tree->drawOrder();
    for (auto id = order.crbegin(); id != order.crend(); ++id) {
        const LayerInfo *info = m_tree->layer(*id);
        const auto it = m_cache.constFind(*id);
        if (!info || !info->visible || it == m_cache.constEnd() || it->hits.isEmpty())
            continue;
        // Hits are in the coordinates of the view the image was rendered for.
        const QPointF local =
            it->view == m_view ? screen : it->view.worldToScreen(m_view.screenToWorld(screen));
        if (const MapHit *h = it->hits.at(local)) {
            if (layerId)
                *layerId = *id;
            MapHit out = *h;
            out.screen = m_view.worldToScreen(it->view.screenToWorld(h->screen));
            return out;
        }
    }
    return std::nullopt;
}

QString MapCanvas::hoverText(QPointF screen) const
{
    QString id;
    const auto hit = hitAt(screen, &id);
    if (!hit)
        return {};
    const MapLayer *l = m_layers.value(id);
    if (l && l->kind() == LayerKind::Cases) {
        if (hit->cluster >= 0) {
            QStringList parts;
            for (auto c : {CaseMarkerClass::Overdue, CaseMarkerClass::Escalated,
                           CaseMarkerClass::Open, CaseMarkerClass::Finished}) {
                if (const quint32 n = hit->classes[size_t(c)])
                    parts << tr("%1: %2").arg(CaseLayer::classLabel(c)).arg(n);
            }
            return tr("%n case(s)", nullptr, int(hit->count)) + QLatin1Char('\n') +
                   parts.join(QLatin1Char('\n')) + QLatin1Char('\n') + tr("Click to zoom in");
        }
        return m_describeCase ? m_describeCase(hit->id) : tr("Case %1").arg(hit->id);
    }
    if (l && (l->kind() == LayerKind::Units || l->kind() == LayerKind::Devices))
        return PointLayer::hitText(*hit);
    return hit->text;
}

// ---- interaction ---------------------------------------------------------------------------

void MapCanvas::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    if (m_mapTool)
        m_mapTool->canvasPressEvent(event);
}

void MapCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    m_cursor = pos;
    emit cursorMoved(m_view.geographicAt(pos), gridCodeAt(pos));
    if (m_mapTool)
        m_mapTool->canvasMoveEvent(event);
}

void MapCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_mapTool)
        m_mapTool->canvasReleaseEvent(event);
}

void MapCanvas::mouseDoubleClickEvent(QMouseEvent *event)
{
    // Not a second press: a double click is the tool's to use or ignore.
    if (m_mapTool)
        m_mapTool->canvasDoubleClickEvent(event);
}

void MapCanvas::clickAt(QPointF screen)
{
    QString id;
    const auto hit = hitAt(screen, &id);
    const MapLayer *l = m_layers.value(id);
    if (!hit || !l || l->kind() != LayerKind::Cases)
        return;
    if (hit->cluster >= 0 && m_caseLayer) {
        const int z = m_caseLayer->index()->clusters.expansionZoom(hit->cluster);
        geo::MapViewport v = m_view;
        v.setZoom(std::max(double(z), v.zoom() + 1));
        v.setCentre(m_view.screenToWorld(hit->screen));
        setViewport(v);
        return;
    }
    setSelectedCases({hit->id});
    emit caseClicked(hit->id);
}

void MapCanvas::selectInPolygon(const QPolygonF &screen)
{
    if (!m_caseLayer || screen.size() < 3)
        return;
    QPolygonF world;
    for (const QPointF &s : screen)
        world << m_view.screenToWorld(s);
    const QList<qint64> ids = m_caseLayer->casesIn(world);
    setSelectedCases(ids);
    emit casesSelected(ids);
}

double MapCanvas::measuredMetres() const
{
    return m_measureTool->metres();
}

QList<QPointF> MapCanvas::measurePoints() const
{
    return m_measureTool->points();
}

void MapCanvas::wheelEvent(QWheelEvent *event)
{
    if (m_mapTool && m_mapTool->canvasWheelEvent(event))
        return;
    const double steps = event->angleDelta().y() / 240.0; // half a zoom level per notch
    if (steps != 0)
        zoomBy(steps, event->position());
    event->accept();
}

void MapCanvas::keyPressEvent(QKeyEvent *event)
{
    if (m_mapTool && m_mapTool->keyPressEvent(event))
        return;
    const double step = (event->modifiers() & Qt::ShiftModifier) ? 0.5 : 0.25;
    switch (event->key()) {
    case Qt::Key_Left:
        panBy(QPointF(width() * step, 0));
        break;
    case Qt::Key_Right:
        panBy(QPointF(-width() * step, 0));
        break;
    case Qt::Key_Up:
        panBy(QPointF(0, height() * step));
        break;
    case Qt::Key_Down:
        panBy(QPointF(0, -height() * step));
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(1);
        break;
    case Qt::Key_Minus:
        zoomBy(-1);
        break;
    case Qt::Key_Escape:
        break; // Esc belongs to the tools; it does not go on to the window
    default:
        QWidget::keyPressEvent(event);
    }
}

bool MapCanvas::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = hoverText(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace cityops
