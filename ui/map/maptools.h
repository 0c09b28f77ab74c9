#pragma once

#include "maptool.h"

#include <QList>
#include <QPointF>

namespace cityops {

/**
 * The default tool: drag to pan, Shift+drag to select cases in a rectangle, click a case to select
 * it or a cluster to zoom into it, double-click to zoom in.
 */
class PanTool : public MapTool
{
    Q_OBJECT
public:
    explicit PanTool(MapCanvas *canvas);

    bool canvasPressEvent(QMouseEvent *event) override;
    bool canvasMoveEvent(QMouseEvent *event) override;
    bool canvasReleaseEvent(QMouseEvent *event) override;
    bool canvasDoubleClickEvent(QMouseEvent *event) override;
    void paint(QPainter &p) const override;

protected:
    void reset() override;

private:
    PointerPress m_press;
    RubberBand m_band; ///< active only for Shift+drag
};

/** Selects the cases inside a drawn shape; a click selects a case or zooms into a cluster. */
class RubberBandTool : public MapTool
{
    Q_OBJECT
public:
    bool canvasPressEvent(QMouseEvent *event) override;
    bool canvasMoveEvent(QMouseEvent *event) override;
    bool canvasReleaseEvent(QMouseEvent *event) override;
    void paint(QPainter &p) const override;
    /** The shape being drawn, in screen pixels (empty when not drawing). */
    QPolygonF band() const { return m_band.polygon(); }

protected:
    RubberBandTool(MapCanvas *canvas, RubberBand::Shape shape);
    void reset() override;

private:
    RubberBand::Shape m_shape;
    PointerPress m_press;
    RubberBand m_band;
};

/** Drag a rectangle to select the cases in it. */
class SelectRectTool : public RubberBandTool
{
    Q_OBJECT
public:
    explicit SelectRectTool(MapCanvas *canvas);
};

/** Draw a free-hand shape to select the cases in it. */
class LassoTool : public RubberBandTool
{
    Q_OBJECT
public:
    explicit LassoTool(MapCanvas *canvas);
};

/**
 * Measures a line on the ground: each click adds a point, the running geodesic total is written at
 * each vertex; right-click, Esc or another tool clears it.
 */
class MeasureTool : public MapTool
{
    Q_OBJECT
public:
    explicit MeasureTool(MapCanvas *canvas);

    bool canvasPressEvent(QMouseEvent *event) override;
    bool canvasMoveEvent(QMouseEvent *event) override;
    bool canvasReleaseEvent(QMouseEvent *event) override;
    void paint(QPainter &p) const override;

    /** WGS-84 points of the line. */
    QList<QPointF> points() const { return m_points; }
    double metres() const;

signals:
    void measureChanged(double metres);

protected:
    void reset() override;

private:
    void clear();

    PointerPress m_press;
    QList<QPointF> m_points;
};

} // namespace cityops
