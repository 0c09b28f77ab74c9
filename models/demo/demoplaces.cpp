#include "demogenerator_p.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>

#include <algorithm>

namespace cityops::demo {

namespace {

const QByteArray kCountyCode = "310199";     // demo county (not a real GB/T 2260 code)
const QByteArray kGridObjectCode = "310000"; // object code of the 万米单元网格 layer

QByteArray num(double v)
{
    return QByteArray::number(v, 'f', 6);
}

QByteArray polygonJson(const Rect &r)
{
    return "{\"type\":\"Polygon\",\"coordinates\":[[[" + num(r.w) + "," + num(r.s) + "],[" +
           num(r.e) + "," + num(r.s) + "],[" + num(r.e) + "," + num(r.n) + "],[" + num(r.w) + "," +
           num(r.n) + "],[" + num(r.w) + "," + num(r.s) + "]]]}";
}

QByteArray lineJson(double x1, double y1, double x2, double y2)
{
    return "{\"type\":\"LineString\",\"coordinates\":[[" + num(x1) + "," + num(y1) + "],[" +
           num(x2) + "," + num(y2) + "]]}";
}

/** Splits [a, b] into n parts with jittered inner boundaries (cumulative, strictly increasing). */
std::vector<double> splits(Rng &rng, double a, double b, int n, double jitter)
{
    std::vector<double> out{a};
    for (int i = 1; i < n; ++i)
        out.push_back(a + (b - a) * (i + rng.uniform(-jitter, jitter)) / n);
    out.push_back(b);
    return out;
}

int slot(const std::vector<double> &edges, double v)
{
    int i = 0;
    while (i + 2 < static_cast<int>(edges.size()) && v >= edges[i + 1])
        ++i;
    return i;
}

} // namespace

Result<DemoNames> DemoNames::load()
{
    QFile f(QStringLiteral(":/demo/names.json"));
    if (!f.open(QIODevice::ReadOnly))
        return Error{DemoGenerator::tr("demo name data is missing")};
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    DemoNames n;
    auto list = [&](const char *key) {
        std::vector<QByteArray> out;
        for (const QJsonValue &v : o.value(QLatin1String(key)).toArray())
            out.push_back(v.toString().toUtf8());
        return out;
    };
    n.districtZh = o.value(QLatin1String("district"))
                       .toObject()
                       .value(QLatin1String("name_zh"))
                       .toString()
                       .toUtf8();
    for (const QJsonValue &v : o.value(QLatin1String("streets")).toArray())
        n.streets.push_back({v.toObject().value(QLatin1String("name_zh")).toString().toUtf8(),
                             v.toObject().value(QLatin1String("name_en")).toString().toUtf8()});
    n.communityPrefixes = list("community_prefixes");
    n.roads = list("road_names");
    n.shops = list("shop_names");
    n.surnames = list("surnames");
    n.givenNames = list("given_names");
    n.landmarks = list("landmarks");
    const QJsonObject d = o.value(QLatin1String("descriptions")).toObject();
    for (auto it = d.begin(); it != d.end(); ++it) {
        std::vector<QByteArray> v;
        for (const QJsonValue &s : it.value().toArray())
            v.push_back(s.toString().toUtf8());
        n.descriptions.insert(it.key(), v);
    }
    if (n.streets.size() < std::size_t(kStreetCols * kStreetRows) ||
        n.communityPrefixes.size() < 20 || n.roads.size() < 20 || n.shops.empty() ||
        n.surnames.empty() || n.givenNames.empty() || n.landmarks.empty())
        return Error{DemoGenerator::tr("demo name data is incomplete")};
    return n;
}

Status Generator::categories()
{
    BulkInsert maj(m_db, "INSERT INTO category_majors VALUES (?,?,?,?)");
    for (const auto &m : m_cat.majors()) {
        maj << m.code.toUtf8()
            << QByteArray(m.kind == CategoryKind::Facility ? "facility" : "event")
            << m.nameZh.toUtf8() << m.nameEn.toUtf8();
        if (Status s = maj.exec(); !s)
            return s;
    }
    BulkInsert ins(m_db, "INSERT INTO categories VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    double total = 0;
    for (const auto &c : m_cat.categories()) {
        ins << c.code.toUtf8() << c.majorCode.toUtf8()
            << QByteArray(c.kind == CategoryKind::Facility ? "facility" : "event")
            << c.nameZh.toUtf8() << c.nameEn.toUtf8() << c.filingCondition.toUtf8()
            << c.closureCondition.toUtf8() << c.limitValue
            << QByteArray(c.limitUnit == LimitUnit::WorkingHours ? "working_hours" : "working_days")
            << c.responsibleUnit.toUtf8() << c.priority;
        if (c.ladder)
            ins << c.ladder->noticeHours << c.ladder->persuasionDays << c.ladder->enforcementDays;
        else
            ins << nullptr << nullptr << nullptr;
        if (Status s = ins.exec(); !s)
            return s;
        const double w = c.frequency == QLatin1String("high")     ? 12
                         : c.frequency == QLatin1String("medium") ? 3
                                                                  : 1;
        total += w;
        m_catCumulative.push_back(total);
    }
    return Ok{};
}

/** Synthetic camera stills (street, stalls, people): shapes only, no text, so any
    QCoreApplication can draw them. Shared by many cases, as real camera frames are not. */
Status Generator::photos()
{
    BulkInsert att(m_db, "INSERT INTO attachments (sha256, mime, size, original_name, "
                         "captured_at, stored_at) VALUES (?, 'image/png', ?, ?, ?, ?)");
    for (int k = 0; k < 24; ++k) {
        QImage img(320, 240, QImage::Format_RGB32);
        img.fill(QColor::fromHsv(int(m_rng.below(60)) + 180, 40, 230));
        QPainter p(&img);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(0, 150, 320, 90, QColor(90, 92, 98));                            // road
        p.fillRect(0, 130, 320, 22, QColor(170, 160, 150));                         // sidewalk
        p.fillRect(0, 40, 320, 92, QColor::fromHsv(int(m_rng.below(40)), 30, 200)); // shops
        for (int i = 0, n = int(m_rng.between(1, 4)); i < n; ++i) {
            const int x = int(m_rng.between(10, 250));
            p.fillRect(x, 112, 56, 34, QColor::fromHsv(int(m_rng.below(360)), 160, 200));
            p.setBrush(QColor::fromHsv(int(m_rng.below(360)), 200, 230));
            p.setPen(Qt::NoPen);
            p.drawPolygon(QPolygon(
                {QPoint(x - 6, 112), QPoint(x + 62, 112), QPoint(x + 50, 96), QPoint(x + 6, 96)}));
        }
        for (int i = 0, n = int(m_rng.between(2, 7)); i < n; ++i) {
            const int x = int(m_rng.between(5, 310)), y = int(m_rng.between(118, 150));
            p.setBrush(QColor::fromHsv(int(m_rng.below(360)), 120, 120));
            p.drawEllipse(QPoint(x, y - 14), 5, 5);
            p.drawRoundedRect(x - 5, y - 9, 10, 18, 3, 3);
        }
        p.end();
        QByteArray png;
        QBuffer buf(&png);
        buf.open(QIODevice::WriteOnly);
        img.save(&buf, "PNG");
        const QByteArray sha = QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex();
        att << sha << qint64(png.size()) << QByteArray("camera-" + pad(k + 1, 2) + ".png")
            << m_opt.anchorMs << m_opt.anchorMs;
        if (Status s = att.exec(); !s)
            return s;
        m_photos.push_back({sha, png});
    }
    return Ok{};
}

Status Generator::places()
{
    BulkInsert st(m_db, "INSERT INTO streets VALUES (?,?,?,?,?)");
    BulkInsert cm(m_db, "INSERT INTO communities VALUES (?,?,?,?,?,?)");
    BulkInsert gr(m_db, "INSERT INTO grids VALUES (?,?,?,?,?,?,?,?,?)");
    m_streetXs = splits(m_rng, kWest, kEast, kStreetCols, 0.18);
    for (int c = 0; c < kStreetCols; ++c)
        m_streetYs.push_back(splits(m_rng, kSouth, kNorth, kStreetRows, 0.2));
    qint64 gridId = 1;
    int prefix = 0;
    for (int c = 0; c < kStreetCols; ++c) {
        for (int r = 0; r < kStreetRows; ++r) {
            const int si = c * kStreetRows + r;
            Street s;
            s.r = {m_streetXs[c], m_streetYs[c][r], m_streetXs[c + 1], m_streetYs[c][r + 1]};
            const bool wide = s.r.widthM() >= s.r.heightM();
            const int cols = wide ? 5 : 2, rows = wide ? 2 : 5;
            s.xs = splits(m_rng, s.r.w, s.r.e, cols, 0.25);
            s.ys = splits(m_rng, s.r.s, s.r.n, rows, 0.25);
            s.firstCommunity = static_cast<int>(m_communities.size());
            const auto &sn = m_names.streets[si];
            st << qint64(si + 1) << pad(si + 1, 3) << sn.zh << sn.en << polygonJson(s.r);
            if (Status x = st.exec(); !x)
                return x;
            const bool town = sn.zh.endsWith("镇");
            for (int cc = 0; cc < cols; ++cc) {
                for (int rr = 0; rr < rows; ++rr) {
                    Community k;
                    k.r = {s.xs[cc], s.ys[rr], s.xs[cc + 1], s.ys[rr + 1]};
                    k.street = si;
                    k.nx = std::max(1, int(std::lround(k.r.widthM() / kCellMetres)));
                    k.ny = std::max(1, int(std::lround(k.r.heightM() / kCellMetres)));
                    if (k.nx * k.ny > 99)
                        return Error{DemoGenerator::tr("a community needs more than 99 grids")};
                    k.firstGridId = gridId;
                    const int local = cc * rows + rr + 1;
                    k.nameZh = m_names.communityPrefixes[std::size_t(prefix++) %
                                                         m_names.communityPrefixes.size()] +
                               (town ? "村" : "居民区");
                    const qint64 cid = qint64(m_communities.size() + 1);
                    const QByteArray code = pad(si + 1, 3) + pad(local, 3);
                    cm << cid << qint64(si + 1) << code << k.nameZh
                       << QByteArray("Community " + code + ", " + sn.en) << polygonJson(k.r);
                    if (Status x = cm.exec(); !x)
                        return x;
                    k.gridPrefix = kGridObjectCode + kCountyCode + code;
                    const double dx = (k.r.e - k.r.w) / k.nx, dy = (k.r.n - k.r.s) / k.ny;
                    for (int iy = 0; iy < k.ny; ++iy) {
                        for (int ix = 0; ix < k.nx; ++ix) {
                            const Rect g{k.r.w + ix * dx, k.r.s + iy * dy,
                                         ix + 1 == k.nx ? k.r.e : k.r.w + (ix + 1) * dx,
                                         iy + 1 == k.ny ? k.r.n : k.r.s + (iy + 1) * dy};
                            gr << gridId++ << cid
                               << QByteArray(k.gridPrefix + pad(iy * k.nx + ix + 1, 2))
                               << polygonJson(g) << g.w << g.s << g.e << g.n
                               << g.widthM() * g.heightM();
                            if (Status x = gr.exec(); !x)
                                return x;
                        }
                    }
                    m_communities.push_back(k);
                }
            }
            m_streets.push_back(s);
        }
    }
    m_sum.streets = int(m_streets.size());
    m_sum.communities = int(m_communities.size());
    m_sum.grids = int(gridId - 1);
    return Ok{};
}

Place Generator::locate(double lon, double lat) const
{
    const int c = slot(m_streetXs, lon);
    const int r = slot(m_streetYs[c], lat);
    const int si = c * kStreetRows + r;
    const Street &s = m_streets[si];
    const int cc = slot(s.xs, lon), rr = slot(s.ys, lat);
    const int rows = int(s.ys.size()) - 1;
    const int ci = s.firstCommunity + cc * rows + rr;
    const Community &k = m_communities[ci];
    const int ix = std::clamp(int((lon - k.r.w) / (k.r.e - k.r.w) * k.nx), 0, k.nx - 1);
    const int iy = std::clamp(int((lat - k.r.s) / (k.r.n - k.r.s) * k.ny), 0, k.ny - 1);
    return {si, ci, k.gridPrefix + pad(iy * k.nx + ix + 1, 2)};
}

Status Generator::roadsAndCameras()
{
    BulkInsert rd(m_db, "INSERT INTO roads VALUES (?,?,?,?,?)");
    BulkInsert cam(m_db, "INSERT INTO cameras VALUES (?,?,?,?,?,?,?,?)");
    struct Seg
    {
        double x1, y1, x2, y2;
        QByteArray kind;
    };
    std::vector<Seg> segs;
    for (double x : m_streetXs)
        segs.push_back({x, kSouth, x, kNorth, "arterial"});
    segs.push_back({kWest, kSouth, kEast, kSouth, "arterial"});
    segs.push_back({kWest, kNorth, kEast, kNorth, "arterial"});
    for (int c = 0; c < kStreetCols; ++c)
        segs.push_back(
            {m_streetXs[c], m_streetYs[c][1], m_streetXs[c + 1], m_streetYs[c][1], "arterial"});
    for (const Street &s : m_streets) {
        for (std::size_t i = 1; i + 1 < s.xs.size(); ++i)
            segs.push_back({s.xs[i], s.r.s, s.xs[i], s.r.n, "branch"});
        for (std::size_t i = 1; i + 1 < s.ys.size(); ++i)
            segs.push_back({s.r.w, s.ys[i], s.r.e, s.ys[i], "branch"});
    }
    qint64 camId = 1;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const Seg &g = segs[i];
        const QByteArray &name = m_names.roads[i % m_names.roads.size()];
        m_roadNames.push_back(name);
        rd << qint64(i + 1) << name << QByteArray("Road " + pad(qint64(i + 1), 3)) << g.kind
           << lineJson(g.x1, g.y1, g.x2, g.y2);
        if (Status x = rd.exec(); !x)
            return x;
        const double lenM =
            std::hypot((g.x2 - g.x1) * kMetresPerDegLon, (g.y2 - g.y1) * kMetresPerDegLat);
        const int n = std::max(2, int(lenM / (g.kind == "arterial" ? 250.0 : 400.0)));
        for (int k = 0; k < n; ++k) {
            const double t = (k + 0.5) / n;
            const double lon = g.x1 + (g.x2 - g.x1) * t + m_rng.normal() * 0.00005;
            const double lat = g.y1 + (g.y2 - g.y1) * t + m_rng.normal() * 0.00005;
            const bool sensor = m_rng.chance(0.15);
            const Place p = locate(lon, lat);
            const QByteArray code = (sensor ? "SEN-" : "CAM-") + pad(camId, 4);
            cam << camId << code
                << QByteArray(name + (sensor ? "物联感知" : "视频监控") + pad(k + 1, 2))
                << QByteArray(sensor ? "sensor" : "camera") << lon << lat << qint64(p.street + 1)
                << p.grid;
            if (Status x = cam.exec(); !x)
                return x;
            if (!sensor)
                m_cameras.push_back(code);
            ++camId;
        }
    }
    m_sum.roads = int(segs.size());
    m_sum.cameras = int(camId - 1);
    return Ok{};
}

} // namespace cityops::demo
