#include "maptool.h"

#include "mapcanvas.h"

#include <QKeyEvent>
#include <QPainter>

namespace cityops {

namespace {
constexpr int kClickSlop = 4;
} // namespace

MapTool::MapTool(MapCanvas *canvas) : QObject(canvas), m_canvas(canvas) {}

void MapTool::activate()
{
    m_active = true;
    m_canvas->setCursor(m_cursor);
}

void MapTool::deactivate()
{
    m_active = false;
    reset();
    m_canvas->update();
}

void MapTool::setCursor(const QCursor &cursor)
{
    m_cursor = cursor;
    if (m_active)
        m_canvas->setCursor(cursor);
}

bool MapTool::canvasPressEvent(QMouseEvent *)
{
    return false;
}

bool MapTool::canvasMoveEvent(QMouseEvent *)
{
    return false;
}

bool MapTool::canvasReleaseEvent(QMouseEvent *)
{
    return false;
}

bool MapTool::canvasDoubleClickEvent(QMouseEvent *)
{
    return false;
}

bool MapTool::canvasWheelEvent(QWheelEvent *)
{
    return false;
}

bool MapTool::keyPressEvent(QKeyEvent *event)
{
    if (event->key() != Qt::Key_Escape)
        return false;
    reset();
    m_canvas->update();
    return true;
}

void MapTool::paint(QPainter &) const {}

// ---- PointerPress --------------------------------------------------------------------------

void PointerPress::press(QPoint pos)
{
    m_pressed = true;
    m_dragging = false;
    m_pressPos = m_lastPos = pos;
}

std::optional<QPoint> PointerPress::drag(QPoint pos)
{
    if (!m_pressed || (!m_dragging && (pos - m_pressPos).manhattanLength() < kClickSlop))
        return std::nullopt;
    m_dragging = true;
    const QPoint moved = pos - m_lastPos;
    m_lastPos = pos;
    return moved;
}

PointerPress::Release PointerPress::release(Qt::MouseButton button)
{
    if (button != Qt::LeftButton || !m_pressed)
        return Release::None;
    m_pressed = false;
    return m_dragging ? Release::Drag : Release::Click;
}

// ---- RubberBand ----------------------------------------------------------------------------

void RubberBand::begin(Shape shape, QPoint at)
{
    m_shape = shape;
    m_active = true;
    m_start = QPointF(at);
    m_polygon.clear();
    if (shape == Shape::Lasso)
        m_polygon << m_start;
}

void RubberBand::extend(QPointF to)
{
    if (m_shape == Shape::Lasso)
        m_polygon << to;
    else
        m_polygon = QPolygonF(QRectF(m_start, to).normalized());
}

void RubberBand::finish(QPointF at)
{
    if (m_shape == Shape::Lasso)
        m_polygon << at;
}

void RubberBand::clear()
{
    m_active = false;
    m_polygon.clear();
}

void RubberBand::paint(QPainter &p) const
{
    if (m_polygon.size() < 2)
        return;
    p.setPen(QPen(QColor(37, 99, 235), 1.5, Qt::DashLine));
    p.setBrush(QColor(37, 99, 235, 40));
    p.drawPolygon(m_polygon);
}

} // namespace cityops
