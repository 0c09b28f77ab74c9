#include "mapcanvas.h"

#include "caselayer.h"
#include "geo/projection.h"
#include "itemmodels/layertreemodel.h"
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

#include <cmath>

namespace cityops {

namespace {
constexpr int kClickSlop = 4;
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
    m_tool = tool;
    m_lasso.clear();
    m_rubberBand = false;
    if (tool != Tool::Measure && !m_measure.isEmpty()) {
        m_measure.clear();
        emit measureChanged(0);
    }
    setCursor(tool == Tool::Pan ? Qt::OpenHandCursor : Qt::CrossCursor);
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
    // Rubber band or lasso being drawn.
    if (m_lasso.size() >= 2) {
        p.setPen(QPen(QColor(37, 99, 235), 1.5, Qt::DashLine));
        p.setBrush(QColor(37, 99, 235, 40));
        p.drawPolygon(m_lasso);
    }
    // Measuring line with the running total at each vertex.
    if (!m_measure.isEmpty()) {
        QPolygonF line;
        for (const QPointF &ll : m_measure)
            line << m_view.worldToScreen(m_view.project(ll.x(), ll.y()));
        p.setPen(QPen(QColor(234, 88, 12), 2));
        p.drawPolyline(line);
        double total = 0;
        for (int i = 0; i < line.size(); ++i) {
            if (i > 0)
                total += geo::distanceMetres(m_measure[i - 1], m_measure[i]);
            p.setBrush(Qt::white);
            p.drawEllipse(line[i], 4, 4);
            if (i > 0) {
                const QString text = total >= 1000
                                         ? tr("%1 km").arg(QLocale().toString(total / 1000, 'f', 2))
                                         : tr("%1 m").arg(QLocale().toString(total, 'f', 0));
                p.drawText(line[i] + QPointF(8, -6), text);
            }
        }
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
    if (event->button() == Qt::RightButton && m_tool == Tool::Measure) {
        m_measure.clear();
        emit measureChanged(0);
        update();
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    m_pressed = true;
    m_dragging = false;
    m_pressPos = m_lastPos = event->position().toPoint();
    m_rubberBand = m_tool == Tool::RectSelect || m_tool == Tool::Lasso ||
                   (m_tool == Tool::Pan && (event->modifiers() & Qt::ShiftModifier));
    m_lasso.clear();
    if (m_tool == Tool::Lasso)
        m_lasso << QPointF(m_pressPos);
    if (m_tool == Tool::Pan && !m_rubberBand)
        setCursor(Qt::ClosedHandCursor);
}

void MapCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    m_cursor = pos;
    emit cursorMoved(m_view.geographicAt(pos), gridCodeAt(pos));
    if (!m_pressed)
        return;
    if (!m_dragging && (pos - m_pressPos).manhattanLength() < kClickSlop)
        return;
    m_dragging = true;
    if (m_rubberBand) {
        if (m_tool == Tool::Lasso)
            m_lasso << QPointF(pos);
        else
            m_lasso = QPolygonF(QRectF(QPointF(m_pressPos), QPointF(pos)).normalized());
        update();
    } else if (m_tool == Tool::Pan) {
        panBy(QPointF(pos - m_lastPos));
    }
    m_lastPos = pos;
}

void MapCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_pressed)
        return;
    m_pressed = false;
    const QPointF pos = event->position();
    if (m_tool == Tool::Pan)
        setCursor(Qt::OpenHandCursor);
    if (m_rubberBand && m_dragging) {
        if (m_tool == Tool::Lasso)
            m_lasso << pos;
        selectInPolygon(m_lasso);
        m_lasso.clear();
        m_rubberBand = false;
        update();
        return;
    }
    m_rubberBand = false;
    if (m_dragging)
        return;
    // A click.
    if (m_tool == Tool::Measure) {
        m_measure << m_view.geographicAt(pos);
        emit measureChanged(measuredMetres());
        update();
        return;
    }
    QString id;
    const auto hit = hitAt(pos, &id);
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

void MapCanvas::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (m_tool == Tool::Pan && event->button() == Qt::LeftButton)
        zoomBy(1, event->position());
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
    double total = 0;
    for (int i = 1; i < m_measure.size(); ++i)
        total += geo::distanceMetres(m_measure[i - 1], m_measure[i]);
    return total;
}

void MapCanvas::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 240.0; // half a zoom level per notch
    if (steps != 0)
        zoomBy(steps, event->position());
    event->accept();
}

void MapCanvas::keyPressEvent(QKeyEvent *event)
{
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
        if (!m_measure.isEmpty()) {
            m_measure.clear();
            emit measureChanged(0);
        }
        m_lasso.clear();
        m_pressed = m_rubberBand = false;
        update();
        break;
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
