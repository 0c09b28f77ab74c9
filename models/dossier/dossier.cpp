#include "dossier.h"

#include "util/timefmt.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPageLayout>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QTextDocument>
#include <QUrl>

#include <cmath>

namespace cityops {

namespace {

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString row(const QString &label, const QString &value)
{
    return QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(esc(label), esc(value));
}

/** The outer rings of a GeoJSON Polygon or MultiPolygon, as lon/lat points. */
QList<QPolygonF> rings(const QByteArray &geometry)
{
    QList<QPolygonF> out;
    const QJsonObject g = QJsonDocument::fromJson(geometry).object();
    const QString type = g.value(QLatin1String("type")).toString();
    QJsonArray polys;
    if (type == QLatin1String("Polygon"))
        polys.append(g.value(QLatin1String("coordinates")));
    else if (type == QLatin1String("MultiPolygon"))
        polys = g.value(QLatin1String("coordinates")).toArray();
    for (const QJsonValue &p : polys) {
        const QJsonArray ring = p.toArray().first().toArray();
        QPolygonF poly;
        for (const QJsonValue &pt : ring)
            poly.append({pt.toArray().at(0).toDouble(), pt.toArray().at(1).toDouble()});
        out.append(poly);
    }
    return out;
}

QString imageUrl(const QString &name)
{
    return QStringLiteral("dossier://") + name;
}

} // namespace

QImage Dossier::mapImage(const DossierData &data, QSize size)
{
    QImage img(size, QImage::Format_RGB32); // opaque: PDF viewers differ on alpha
    img.fill(QColor(0xf4, 0xf1, 0xea));
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    // A local equirectangular view centred on the case, metres-true in both directions.
    const double lon0 = data.record.lon, lat0 = data.record.lat;
    const double kx = std::cos(lat0 * M_PI / 180.0);
    const double spanLat = 2 * 0.0022;
    const double scale = size.height() / spanLat; // px per degree of latitude
    const auto toPx = [&](QPointF ll) {
        return QPointF(size.width() / 2.0 + (ll.x() - lon0) * kx * scale,
                       size.height() / 2.0 - (ll.y() - lat0) * scale);
    };
    QFont small = p.font();
    small.setPixelSize(10);
    p.setFont(small);
    for (const MapArea &a : data.grids) {
        for (const QPolygonF &ring : rings(a.geometry)) {
            QPolygonF px;
            for (const QPointF &pt : ring)
                px.append(toPx(pt));
            const bool here = a.code == data.record.gridCode;
            p.setPen(
                QPen(here ? QColor(0x1f, 0x5f, 0xbf) : QColor(0x99, 0x99, 0x99), here ? 2.5 : 1));
            p.setBrush(here ? QBrush(QColor(0x1f, 0x5f, 0xbf, 40)) : QBrush(Qt::NoBrush));
            p.drawPolygon(px);
            if (here) {
                p.setPen(QColor(0x1f, 0x5f, 0xbf));
                p.drawText(px.boundingRect().adjusted(3, 3, -3, -3), Qt::AlignLeft | Qt::AlignTop,
                           a.code.right(8));
            }
        }
    }
    const QPointF c = toPx({lon0, lat0});
    p.setPen(QPen(Qt::white, 2));
    p.setBrush(QColor(0xd0, 0x21, 0x2c));
    p.drawEllipse(c, 8, 8);
    // Scale bar: 100 m.
    const double px100 = 100.0 / 111320.0 * scale;
    p.setPen(QPen(Qt::black, 2));
    const QPointF s0(12, size.height() - 14);
    p.drawLine(s0, s0 + QPointF(px100, 0));
    p.drawText(QPointF(s0.x(), s0.y() - 5), QStringLiteral("100 m"));
    p.setPen(QColor(0x55, 0x55, 0x55));
    p.drawText(QRectF(0, 4, size.width() - 8, 16), Qt::AlignRight,
               QStringLiteral("%1, %2 (WGS-84)").arg(lon0, 0, 'f', 6).arg(lat0, 0, 'f', 6));
    return img;
}

std::unique_ptr<QTextDocument> Dossier::document(const DossierData &d)
{
    auto doc = std::make_unique<QTextDocument>();
    QFont font(QStringLiteral("WenQuanYi Micro Hei"));
    font.setStyleHint(QFont::SansSerif);
    font.setPointSizeF(9.5);
    doc->setDefaultFont(font);
    doc->setDocumentMargin(0);
    doc->setDefaultStyleSheet(QStringLiteral(
        "h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 14px; } "
        "table { border-collapse: collapse; } td, th { padding: 2px 6px; } "
        "th { background-color: #e8e8e8; text-align: left; } .bad { color: #b00020; } "
        ".ok { color: #176b2c; } .mono { font-family: monospace; font-size: 8pt; }"));
    const CaseRecord &r = d.record;
    QString h;
    h += QStringLiteral("<h1>%1</h1>").arg(esc(tr("Enforcement dossier: case %1").arg(r.id)));
    h += QStringLiteral("<p>%1</p>")
             .arg(esc(tr("%1 · generated %2 (Asia/Shanghai)")
                          .arg(d.district, TimeFormat::dateTime(d.generatedAt))));

    h += QStringLiteral("<h2>%1</h2><table>").arg(esc(tr("Case facts")));
    h += row(tr("Case number"), QString::number(r.id));
    h += row(tr("Category"), QStringLiteral("%1 %2").arg(r.categoryCode, r.categoryName));
    h += row(tr("State"), Names::stateLabel(r.state));
    h += row(tr("Stage"), Names::stageLabel(r.stage));
    h += row(tr("Priority"), QString::number(r.priority));
    h += row(tr("Source"), Names::sourceLabel(r.source));
    h +=
        row(tr("Street / community"), QStringLiteral("%1 / %2").arg(r.streetName, r.communityName));
    h += row(tr("Grid cell"), r.gridCode);
    h += row(tr("Address"), r.address);
    h += row(tr("Position (WGS-84)"),
             QStringLiteral("%1, %2").arg(r.lon, 0, 'f', 6).arg(r.lat, 0, 'f', 6));
    h += row(tr("Description"), r.description);
    if (!r.party.isEmpty())
        h += row(tr("Party"), r.party);
    h += row(tr("Reported"), TimeFormat::dateTime(r.reportedAt));
    if (r.deadlineAt)
        h += row(tr("Deadline"), TimeFormat::dateTime(r.deadlineAt));
    if (r.closedAt)
        h += row(tr("Closed"), TimeFormat::dateTime(r.closedAt));
    h += row(tr("Responsible unit"), r.unitName);
    h += row(tr("Assignee"), r.assigneeName);
    if (d.snapshot.linkedCase)
        h += row(tr("Linked to earlier case"), QString::number(d.snapshot.linkedCase));
    h += QStringLiteral("</table>");

    h += QStringLiteral("<h2>%1</h2>").arg(esc(tr("Map")));
    h += QStringLiteral("<p><img src=\"%1\" width=\"480\"></p>")
             .arg(imageUrl(QStringLiteral("map.png")));
    doc->addResource(QTextDocument::ImageResource, QUrl(imageUrl(QStringLiteral("map.png"))),
                     mapImage(d));

    h += QStringLiteral("<h2>%1</h2>").arg(esc(tr("Escalation ladder")));
    if (d.snapshot.stages.isEmpty()) {
        h += QStringLiteral("<p>%1</p>")
                 .arg(esc(tr("The case never entered the escalation ladder.")));
    } else {
        h += QStringLiteral("<table border=\"1\"><tr><th>%1</th><th>%2</th><th>%3</th><th>%4</th>"
                            "<th>%5</th></tr>")
                 .arg(esc(tr("Stage")), esc(tr("Entered")), esc(tr("Requested by")),
                      esc(tr("Approved by")), esc(tr("Outcome")));
        for (const StageRecord &s : d.snapshot.stages) {
            QString stage = Names::stageLabel(s.stage);
            if (s.skip)
                stage += QStringLiteral(" — ") + tr("skips a stage");
            h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>")
                     .arg(esc(stage), esc(TimeFormat::dateTime(s.enteredAt)), esc(s.requester),
                          esc(s.approver), esc(s.outcome));
        }
        h += QStringLiteral("</table>");
    }

    h += QStringLiteral("<h2>%1</h2>").arg(esc(tr("Timeline")));
    h += QStringLiteral("<table border=\"1\"><tr><th>#</th><th>%1</th><th>%2</th><th>%3</th>"
                        "<th>%4</th></tr>")
             .arg(esc(tr("Time")), esc(tr("Event")), esc(tr("Actor (role)")), esc(tr("Details")));
    for (const CaseEvent &e : d.events) {
        h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4 (%5)</td><td>%6</td></tr>")
                 .arg(e.seq)
                 .arg(esc(TimeFormat::dateTime(e.at)), esc(Names::eventLabel(e.kind)), esc(e.actor),
                      esc(e.role),
                      esc(e.payload.size() > 2 ? Names::payloadSummary(e.payload) : QString()));
    }
    h += QStringLiteral("</table>");

    h += QStringLiteral("<h2>%1</h2>").arg(esc(tr("Evidence")));
    if (d.photos.isEmpty())
        h += QStringLiteral("<p>%1</p>").arg(esc(tr("The case has no evidence files.")));
    int n = 0;
    for (const DossierPhoto &p : d.photos) {
        ++n;
        h += QStringLiteral("<p><b>%1</b><br>")
                 .arg(esc(tr("Photo %1: %2").arg(n).arg(p.originalName)));
        h += QStringLiteral("SHA-256: <span class=\"mono\">%1</span><br>").arg(esc(p.sha256));
        h += esc(tr("Captured: %1 · stored: %2")
                     .arg(p.capturedAt ? TimeFormat::dateTime(p.capturedAt) : tr("unknown"),
                          TimeFormat::dateTime(p.storedAt)));
        QImage img;
        if (!p.path.isEmpty())
            img.load(p.path);
        if (img.isNull()) {
            h += QStringLiteral("<br><span class=\"bad\">%1</span></p>")
                     .arg(esc(p.path.isEmpty() ? tr("The file is missing from the evidence store.")
                                               : tr("The file is not an image.")));
            continue;
        }
        const QString name = QStringLiteral("photo-%1.png").arg(n);
        const QImage scaled =
            img.width() > 900 ? img.scaledToWidth(900, Qt::SmoothTransformation) : img;
        doc->addResource(QTextDocument::ImageResource, QUrl(imageUrl(name)), scaled);
        h += QStringLiteral("<br><img src=\"%1\" width=\"%2\"></p>")
                 .arg(imageUrl(name))
                 .arg(std::min(360, scaled.width()));
    }

    h += QStringLiteral("<h2>%1</h2>").arg(esc(tr("Audit chain")));
    if (d.audit.intact) {
        h += QStringLiteral("<p class=\"ok\">%1</p>")
                 .arg(esc(tr("Audit chain intact: %n event(s) verified.", nullptr,
                             int(d.audit.events))));
    } else {
        h += QStringLiteral("<p class=\"bad\">%1</p>")
                 .arg(esc(tr("Audit chain BROKEN at event %1: %2")
                              .arg(d.audit.brokenSeq)
                              .arg(d.audit.problem)));
    }
    h += QStringLiteral("<p>%1</p>")
             .arg(esc(tr("Each event stores the SHA-256 of the previous event of the case; the "
                         "case's chain head is the hash of the last one.")));
    doc->setHtml(h);
    return doc;
}

void Dossier::print(const DossierData &data, QPagedPaintDevice *device)
{
    auto doc = document(data);
    doc->print(device);
}

Status Dossier::writePdf(const DossierData &data, const QString &path)
{
    {
        QFile probe(path);
        if (!probe.open(QIODevice::WriteOnly))
            return Error{tr("Cannot write %1: %2").arg(path, probe.errorString())};
    }
    QPdfWriter pdf(path);
    pdf.setTitle(tr("Enforcement dossier: case %1").arg(data.record.id));
    pdf.setCreator(QStringLiteral("CityOps"));
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    pdf.setResolution(150);
    print(data, &pdf);
    if (!QFileInfo(path).exists() || QFileInfo(path).size() == 0)
        return Error{tr("Cannot write %1.").arg(path)};
    return Ok{};
}

} // namespace cityops
