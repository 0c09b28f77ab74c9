#include "maptools.h"

#include "geo/projection.h"
#include "mapcanvas.h"

#include <QMouseEvent>
#include <QPainter>

namespace cityops {

// ---- PanTool -------------------------------------------------------------------------------

PanTool::PanTool(MapCanvas *canvas) : MapTool(canvas)
{
    setCursor(Qt::OpenHandCursor);
}

bool PanTool::canvasPressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return false;
    const QPoint pos = event->position().toPoint();
    m_press.press(pos);
    if (event->modifiers() & Qt::ShiftModifier) {
        m_band.begin(RubberBand::Shape::Rectangle, pos);
    } else {
        m_band.clear();
        setCursor(Qt::ClosedHandCursor);
    }
    return true;
}

bool PanTool::canvasMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    const auto moved = m_press.drag(pos);
    if (!moved)
        return false;
    if (m_band.isActive()) {
        m_band.extend(pos);
        canvas()->update();
    } else {
        canvas()->panBy(QPointF(*moved));
    }
    return true;
}

bool PanTool::canvasReleaseEvent(QMouseEvent *event)
{
    const auto release = m_press.release(event->button());
    if (release == PointerPress::Release::None)
        return false;
    setCursor(Qt::OpenHandCursor);
    const bool selecting = m_band.isActive();
    const QPolygonF band = m_band.polygon();
    m_band.clear();
    if (release == PointerPress::Release::Click) {
        canvas()->clickAt(event->position());
    } else if (selecting) {
        canvas()->selectInPolygon(band);
        canvas()->update();
    }
    return true;
}

bool PanTool::canvasDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return false;
    canvas()->zoomBy(1, event->position());
    return true;
}

void PanTool::paint(QPainter &p) const
{
    m_band.paint(p);
}

void PanTool::reset()
{
    m_press.reset();
    m_band.clear();
    setCursor(Qt::OpenHandCursor);
}

// ---- rectangle and lasso -------------------------------------------------------------------

RubberBandTool::RubberBandTool(MapCanvas *canvas, RubberBand::Shape shape)
    : MapTool(canvas), m_shape(shape)
{
    setCursor(Qt::CrossCursor);
}

bool RubberBandTool::canvasPressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return false;
    const QPoint pos = event->position().toPoint();
    m_press.press(pos);
    m_band.begin(m_shape, pos);
    return true;
}

bool RubberBandTool::canvasMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (!m_press.drag(pos))
        return false;
    m_band.extend(pos);
    canvas()->update();
    return true;
}

bool RubberBandTool::canvasReleaseEvent(QMouseEvent *event)
{
    const auto release = m_press.release(event->button());
    if (release == PointerPress::Release::None)
        return false;
    if (release == PointerPress::Release::Click) {
        m_band.clear();
        canvas()->clickAt(event->position());
        return true;
    }
    m_band.finish(event->position());
    const QPolygonF band = m_band.polygon();
    m_band.clear();
    canvas()->selectInPolygon(band);
    canvas()->update();
    return true;
}

void RubberBandTool::paint(QPainter &p) const
{
    m_band.paint(p);
}

void RubberBandTool::reset()
{
    m_press.reset();
    m_band.clear();
}

SelectRectTool::SelectRectTool(MapCanvas *canvas)
    : RubberBandTool(canvas, RubberBand::Shape::Rectangle)
{}

LassoTool::LassoTool(MapCanvas *canvas) : RubberBandTool(canvas, RubberBand::Shape::Lasso) {}

// ---- MeasureTool ---------------------------------------------------------------------------

MeasureTool::MeasureTool(MapCanvas *canvas) : MapTool(canvas)
{
    setCursor(Qt::CrossCursor);
}

bool MeasureTool::canvasPressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::RightButton) {
        clear();
        return true;
    }
    if (event->button() != Qt::LeftButton)
        return false;
    m_press.press(event->position().toPoint());
    return true;
}

bool MeasureTool::canvasMoveEvent(QMouseEvent *event)
{
    // A drag adds no point; the map stays where it is.
    return m_press.drag(event->position().toPoint()).has_value();
}

bool MeasureTool::canvasReleaseEvent(QMouseEvent *event)
{
    const auto release = m_press.release(event->button());
    if (release == PointerPress::Release::Click) {
        m_points << canvas()->viewport().geographicAt(event->position());
        emit measureChanged(metres());
        canvas()->update();
    }
    return release != PointerPress::Release::None;
}

double MeasureTool::metres() const
{
    double total = 0;
    for (int i = 1; i < m_points.size(); ++i)
        total += geo::distanceMetres(m_points[i - 1], m_points[i]);
    return total;
}

void MeasureTool::paint(QPainter &p) const
{
    if (m_points.isEmpty())
        return;
    const geo::MapViewport &view = canvas()->viewport();
    QPolygonF line;
    for (const QPointF &ll : m_points)
        line << view.worldToScreen(view.project(ll.x(), ll.y()));
    p.setPen(QPen(QColor(234, 88, 12), 2));
    p.drawPolyline(line);
    double total = 0;
    for (int i = 0; i < line.size(); ++i) {
        if (i > 0)
            total += geo::distanceMetres(m_points[i - 1], m_points[i]);
        p.setBrush(Qt::white);
        p.drawEllipse(line[i], 4, 4);
        if (i > 0)
            p.drawText(line[i] + QPointF(8, -6), MapCanvas::distanceText(total));
    }
}

void MeasureTool::clear()
{
    m_points.clear();
    emit measureChanged(0);
    canvas()->update();
}

void MeasureTool::reset()
{
    m_press.reset();
    if (!m_points.isEmpty())
        clear();
}

} // namespace cityops
