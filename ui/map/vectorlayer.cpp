#include "vectorlayer.h"

#include <QPainterPath>

namespace cityops {

namespace {

bool insideRing(const QPolygonF &ring, QPointF p)
{
    bool in = false;
    for (qsizetype i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const QPointF &a = ring[i], &b = ring[j];
        if ((a.y() > p.y()) != (b.y() > p.y()) &&
            p.x() < (b.x() - a.x()) * (p.y() - a.y()) / (b.y() - a.y()) + a.x())
            in = !in;
    }
    return in;
}

class VectorRenderer : public MapLayerRenderer
{
public:
    VectorRenderer(std::shared_ptr<const std::vector<VectorShape>> shapes, VectorStyle style)
        : m_shapes(std::move(shapes)), m_style(std::move(style))
    {}

    void render(QPainter &p, const geo::MapViewport &view) override
    {
        if (view.zoom() < m_style.minZoom)
            return;
        const double s = view.scale();
        const QPointF off = view.worldToScreen(QPointF(0, 0));
        const QRectF visible = view.visibleWorld().adjusted(-4 / s, -4 / s, 4 / s, 4 / s);
        QPen pen(m_style.stroke, m_style.strokeWidth);
        pen.setCosmetic(true);
        if (m_style.dashed)
            pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.setBrush(m_style.fill.alpha() ? QBrush(m_style.fill) : QBrush(Qt::NoBrush));
        const bool labels = view.zoom() >= m_style.labelMinZoom;
        QPolygonF screen;
        int n = 0;
        for (const VectorShape &shape : *m_shapes) {
            if ((++n & 255) == 0 && cancelled)
                return;
            if (!shape.bounds.intersects(visible) && !visible.contains(shape.bounds.topLeft()))
                continue;
            int ring = 0;
            for (int poly = 0;
                 poly < (shape.area ? shape.ringsPerPolygon.size() : shape.polygons.size());
                 ++poly) {
                const int rings = shape.area ? shape.ringsPerPolygon[poly] : 1;
                if (rings == 1) {
                    const QPolygonF &src = shape.polygons[ring++];
                    screen.resize(src.size());
                    for (qsizetype i = 0; i < src.size(); ++i)
                        screen[i] = QPointF(src[i].x() * s + off.x(), src[i].y() * s + off.y());
                    if (shape.area)
                        p.drawPolygon(screen);
                    else
                        p.drawPolyline(screen);
                } else {
                    QPainterPath path;
                    path.setFillRule(Qt::OddEvenFill);
                    for (int r = 0; r < rings; ++r) {
                        const QPolygonF &src = shape.polygons[ring++];
                        screen.resize(src.size());
                        for (qsizetype i = 0; i < src.size(); ++i)
                            screen[i] = QPointF(src[i].x() * s + off.x(), src[i].y() * s + off.y());
                        path.addPolygon(screen);
                        path.closeSubpath();
                    }
                    p.drawPath(path);
                }
            }
            if (!shape.points.isEmpty()) {
                p.save();
                p.setBrush(m_style.pointColour);
                for (const QPointF &w : shape.points)
                    p.drawEllipse(QPointF(w.x() * s + off.x(), w.y() * s + off.y()), 4, 4);
                p.restore();
            }
            if (labels && !shape.label.isEmpty()) {
                const QRectF r(shape.bounds.x() * s + off.x(), shape.bounds.y() * s + off.y(),
                               shape.bounds.width() * s, shape.bounds.height() * s);
                if (r.width() > 60 && r.height() > 16) {
                    p.save();
                    p.setPen(m_style.stroke.darker(140));
                    p.drawText(r, Qt::AlignCenter | Qt::TextWordWrap, shape.label);
                    p.restore();
                }
            }
        }
    }

private:
    std::shared_ptr<const std::vector<VectorShape>> m_shapes;
    VectorStyle m_style;
};

} // namespace

VectorLayer::VectorLayer(const QString &id, LayerKind kind, const VectorStyle &style,
                         QObject *parent)
    : MapLayer(id, kind, parent), m_style(style),
      m_shapes(std::make_shared<std::vector<VectorShape>>())
{}

void VectorLayer::setFeatures(QList<GeoFeature> features, const QString &labelKey,
                              const QString &codeKey)
{
    m_source = std::move(features);
    m_labelKey = labelKey;
    m_codeKey = codeKey;
    reproject();
    markChanged();
}

void VectorLayer::setStyle(const VectorStyle &style)
{
    m_style = style;
    markChanged();
}

void VectorLayer::reproject()
{
    const geo::MapViewport proj({0.5, 0.5}, 2, {256, 256}, gcj02());
    auto shapes = std::make_shared<std::vector<VectorShape>>();
    shapes->reserve(size_t(m_source.size()));
    QRectF all;
    auto toWorld = [&](const QList<QPointF> &ll) {
        QPolygonF out;
        out.reserve(ll.size());
        for (const QPointF &c : ll)
            out << proj.project(c.x(), c.y());
        return out;
    };
    for (const GeoFeature &f : std::as_const(m_source)) {
        VectorShape s;
        s.area = !f.polygons.isEmpty();
        for (const GeoPolygon &poly : f.polygons) {
            for (const GeoRing &ring : poly.rings)
                s.polygons << toWorld(ring);
            s.ringsPerPolygon << int(poly.rings.size());
        }
        if (!s.area)
            for (const auto &line : f.lines)
                s.polygons << toWorld(line);
        for (const QPointF &pt : f.points)
            s.points << proj.project(pt.x(), pt.y());
        QRectF b;
        for (const QPolygonF &poly : std::as_const(s.polygons))
            b = b.isNull() ? poly.boundingRect() : b.united(poly.boundingRect());
        for (const QPointF &pt : std::as_const(s.points))
            b = b.isNull() ? QRectF(pt, QSizeF(1e-12, 1e-12))
                           : b.united(QRectF(pt, QSizeF(1e-12, 1e-12)));
        s.bounds = b;
        if (!m_labelKey.isEmpty())
            s.label = f.properties.value(m_labelKey).toString();
        if (!m_codeKey.isEmpty())
            s.code = f.properties.value(m_codeKey).toString();
        all = all.isNull() ? b : all.united(b);
        shapes->push_back(std::move(s));
    }
    m_bounds = all;
    m_shapes = std::move(shapes);
}

std::unique_ptr<MapLayerRenderer> VectorLayer::createRenderer(const geo::MapViewport &)
{
    return std::make_unique<VectorRenderer>(m_shapes, m_style);
}

QList<LegendEntry> VectorLayer::legend() const
{
    return {{m_style.stroke, tr("%n feature(s)", nullptr, int(m_source.size()))}};
}

QRectF VectorLayer::worldBounds() const
{
    return m_bounds;
}

const VectorShape *VectorLayer::shapeAt(QPointF world) const
{
    for (const VectorShape &s : *m_shapes) {
        if (!s.area || !s.bounds.contains(world))
            continue;
        int ring = 0;
        for (int rings : s.ringsPerPolygon) {
            bool in = insideRing(s.polygons[ring], world);
            for (int h = 1; h < rings; ++h)
                if (insideRing(s.polygons[ring + h], world))
                    in = false;
            if (in)
                return &s;
            ring += rings;
        }
    }
    return nullptr;
}

const VectorShape *VectorLayer::shapeByCode(const QString &code) const
{
    for (const VectorShape &s : *m_shapes)
        if (s.code == code || (s.code.isEmpty() && s.label == code))
            return &s;
    return nullptr;
}

} // namespace cityops
