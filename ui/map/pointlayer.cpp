#include "pointlayer.h"

#include "util/timefmt.h"

namespace cityops {

namespace {

class PointRenderer : public MapLayerRenderer
{
public:
    PointRenderer(std::shared_ptr<const std::vector<PointLayer::Item>> items, qint64 now,
                  bool units)
        : m_items(std::move(items)), m_now(now), m_units(units)
    {}

    void render(QPainter &p, const geo::MapViewport &view) override
    {
        if (!m_units && view.zoom() < 13)
            return; // hundreds of cameras are clutter until the operator zooms in
        const QRectF visible = view.visibleWorld();
        const double pad = 10 / view.scale();
        const QRectF area = visible.adjusted(-pad, -pad, pad, pad);
        p.setPen(QPen(Qt::white, 1));
        for (const auto &item : *m_items) {
            if (!area.contains(item.world))
                continue;
            const QPointF s = view.worldToScreen(item.world);
            QColor c = PointLayer::colourFor(item.device.kind);
            const qint64 ageMin =
                item.device.seenAt > 0 ? (m_now - item.device.seenAt) / 60000 : -1;
            if (m_units)
                c = PointLayer::ageColour(c, ageMin < 0 ? PointLayer::kGreyAfterMin : ageMin);
            p.setBrush(c);
            if (item.device.kind == QLatin1String("camera")) {
                p.drawRect(QRectF(s.x() - 4, s.y() - 4, 8, 8));
            } else if (item.device.kind == QLatin1String("sensor")) {
                const QPointF d[4] = {
                    {s.x(), s.y() - 5}, {s.x() + 5, s.y()}, {s.x(), s.y() + 5}, {s.x() - 5, s.y()}};
                p.drawPolygon(d, 4);
            } else {
                const double r = item.device.kind == QLatin1String("team") ? 6 : 4.5;
                p.drawEllipse(s, r, r);
            }
            // The tooltip text is made only when the pointer rests here (hitText()).
            m_hits.append({s,
                           7,
                           m_units ? ageMin : -2,
                           -1,
                           1,
                           item.device.name.isEmpty() ? item.device.code : item.device.name,
                           {}});
        }
    }

private:
    std::shared_ptr<const std::vector<PointLayer::Item>> m_items;
    qint64 m_now;
    bool m_units;
};

} // namespace

PointLayer::PointLayer(const QString &id, LayerKind kind, QObject *parent)
    : MapLayer(id, kind, parent), m_items(std::make_shared<std::vector<Item>>())
{}

void PointLayer::setPoints(QList<MapDevice> points, qint64 now)
{
    m_source = std::move(points);
    m_now = now;
    reproject();
    markChanged();
}

void PointLayer::reproject()
{
    const geo::MapViewport proj({0.5, 0.5}, 2, {256, 256}, gcj02());
    auto items = std::make_shared<std::vector<Item>>();
    items->reserve(size_t(m_source.size()));
    QRectF b;
    for (const MapDevice &d : std::as_const(m_source)) {
        const QPointF w = proj.project(d.lon, d.lat);
        items->push_back({w, d});
        const QRectF r(w, QSizeF(1e-12, 1e-12));
        b = b.isNull() ? r : b.united(r);
    }
    m_bounds = b;
    m_items = std::move(items);
}

std::unique_ptr<MapLayerRenderer> PointLayer::createRenderer(const geo::MapViewport &)
{
    return std::make_unique<PointRenderer>(m_items, m_now, kind() == LayerKind::Units);
}

QString PointLayer::hitText(const MapHit &hit)
{
    if (hit.id == -2)
        return hit.text; // a camera or sensor: its name
    return hit.id < 0 ? tr("%1 — no position report").arg(hit.text)
                      : tr("%1 — position %2 old").arg(hit.text, TimeFormat::span(hit.id));
}

QColor PointLayer::colourFor(const QString &kind)
{
    if (kind == QLatin1String("camera"))
        return QColor(37, 99, 235);
    if (kind == QLatin1String("sensor"))
        return QColor(13, 148, 136);
    if (kind == QLatin1String("team"))
        return QColor(234, 88, 12);
    return QColor(217, 119, 6);
}

QColor PointLayer::ageColour(QColor base, qint64 ageMin)
{
    if (ageMin >= kGreyAfterMin)
        return QColor(150, 150, 150);
    if (ageMin >= kStaleAfterMin) {
        base.setAlpha(150);
        return base;
    }
    return base;
}

QList<LegendEntry> PointLayer::legend() const
{
    if (kind() == LayerKind::Units)
        return {{colourFor(QStringLiteral("team")), tr("Team")},
                {colourFor(QStringLiteral("person")), tr("Person")},
                {ageColour(colourFor(QStringLiteral("team")), kStaleAfterMin),
                 tr("Position over %n minute(s) old", nullptr, kStaleAfterMin)},
                {ageColour(colourFor(QStringLiteral("team")), kGreyAfterMin),
                 tr("Position over %n minute(s) old", nullptr, kGreyAfterMin)}};
    return {{colourFor(QStringLiteral("camera")), tr("Camera")},
            {colourFor(QStringLiteral("sensor")), tr("Sensor")}};
}

QRectF PointLayer::worldBounds() const
{
    return m_bounds;
}

} // namespace cityops
