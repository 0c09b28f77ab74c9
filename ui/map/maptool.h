#pragma once

#include <QCursor>
#include <QObject>
#include <QPoint>
#include <QPolygonF>

#include <optional>

class QKeyEvent;
class QMouseEvent;
class QPainter;
class QWheelEvent;

namespace cityops {

class MapCanvas;

/**
 * One way of working with the map (pan, select, measure), QGIS's QgsMapTool: the canvas hands its
 * pointer and key events to the current tool first and draws the tool's overlay over the layers;
 * what no tool handles (wheel zoom, keyboard panning, tooltips) the canvas does itself. Setting
 * another tool deactivates this one, which drops whatever it had half done. GUI thread only.
 */
class MapTool : public QObject
{
    Q_OBJECT
public:
    /** Called by the canvas when the tool becomes current: the canvas takes the tool's cursor. */
    virtual void activate();
    /** Called by the canvas when another tool takes over: drops unfinished work (reset()). */
    virtual void deactivate();
    bool isActive() const { return m_active; }
    MapCanvas *canvas() const { return m_canvas; }

    // Each returns true if the tool handled the event (the canvas then leaves it alone).
    virtual bool canvasPressEvent(QMouseEvent *event);
    virtual bool canvasMoveEvent(QMouseEvent *event);
    virtual bool canvasReleaseEvent(QMouseEvent *event);
    virtual bool canvasDoubleClickEvent(QMouseEvent *event);
    virtual bool canvasWheelEvent(QWheelEvent *event);
    /** Esc drops unfinished work (reset()); other keys are left to the canvas. */
    virtual bool keyPressEvent(QKeyEvent *event);
    /** Draws the tool's overlay (rubber band, measuring line) in screen pixels. */
    virtual void paint(QPainter &p) const;

    QCursor cursor() const { return m_cursor; }
    /** The cursor the canvas shows while this tool is current. */
    void setCursor(const QCursor &cursor);
    /** A transient tool does one job and hands back to the previous tool, like QGIS's zoom
     * tools; the canvas's own tools are not transient. */
    bool isTransient() const { return m_transient; }

protected:
    explicit MapTool(MapCanvas *canvas);
    /** Drops what the tool has half done (Esc, deactivate()). */
    virtual void reset() {}
    void setTransient(bool transient) { m_transient = transient; }

private:
    MapCanvas *m_canvas;
    QCursor m_cursor;
    bool m_active = false;
    bool m_transient = false;
};

/** Tells a click from a drag: the pointer must leave a few pixels' slop to start dragging. */
class PointerPress
{
public:
    enum class Release
    {
        None, ///< not the left button, or nothing was pressed
        Click,
        Drag
    };

    void press(QPoint pos);
    /** Once dragging, the movement since the last drag step; nothing before or without a press. */
    std::optional<QPoint> drag(QPoint pos);
    Release release(Qt::MouseButton button);
    void reset() { m_pressed = m_dragging = false; }

private:
    bool m_pressed = false;
    bool m_dragging = false;
    QPoint m_pressPos;
    QPoint m_lastPos;
};

/** The rectangle or lasso being drawn, in screen pixels. */
class RubberBand
{
public:
    enum class Shape
    {
        Rectangle,
        Lasso
    };

    void begin(Shape shape, QPoint at);
    void extend(QPointF to);
    /** The pointer was released here: a lasso takes it as its last point. */
    void finish(QPointF at);
    void clear();
    bool isActive() const { return m_active; }
    QPolygonF polygon() const { return m_polygon; }
    void paint(QPainter &p) const;

private:
    Shape m_shape = Shape::Rectangle;
    bool m_active = false;
    QPointF m_start;
    QPolygonF m_polygon;
};

} // namespace cityops
