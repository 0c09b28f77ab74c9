#include "demogenerator.h"

#include "demofacts.h"

#include "domain/catalogue.h"
#include "domain/eventchain.h"
#include "domain/workcalendar.h"
#include "storage/bulkinsert.h"
#include "storage/database.h"
#include "util/rng.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QSaveFile>
#include <QTimeZone>

#include <array>
#include <cmath>
#include <cstring>
#include <vector>

namespace cityops {

namespace {

// The demo district: about 7.6 km x 6.9 km in central Shanghai, far inside the city's box.
constexpr double kWest = 121.420, kEast = 121.500, kSouth = 31.200, kNorth = 31.262;
constexpr double kMetresPerDegLat = 110574.0;
const double kMetresPerDegLon = 111320.0 * std::cos((kSouth + kNorth) / 2 * 3.14159265358979 / 180);
constexpr int kStreetCols = 5, kStreetRows = 2;
constexpr double kCellMetres = 120.0;
constexpr qint64 kMinute = 60000, kHour = 60 * kMinute, kDay = 24 * kHour;
const QByteArray kCountyCode = "310199";     // demo county (not a real GB/T 2260 code)
const QByteArray kGridObjectCode = "310000"; // object code of the 万米单元网格 layer

struct Rect
{
    double w, s, e, n;
    double widthM() const { return (e - w) * kMetresPerDegLon; }
    double heightM() const { return (n - s) * kMetresPerDegLat; }
};

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

QByteArray pad(qint64 v, int width)
{
    return QByteArray::number(v).rightJustified(width, '0');
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

struct DemoNames
{
    struct Pair
    {
        QByteArray zh, en;
    };
    QByteArray districtZh;
    std::vector<Pair> streets;
    std::vector<QByteArray> communityPrefixes, roads, shops, surnames, givenNames, landmarks;
    QHash<QString, std::vector<QByteArray>> descriptions;

    static Result<DemoNames> load()
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
};

struct Street
{
    Rect r;
    std::vector<double> xs, ys; // community split edges
    int firstCommunity = 0;
};
struct Community
{
    Rect r;
    int street = 0;
    int nx = 1, ny = 1;
    qint64 firstGridId = 0;
    QByteArray gridPrefix; // first 18 digits of the grid code
    QByteArray nameZh;
};
struct Unit
{
    qint64 id;
    QByteArray code;
    QByteArray device; ///< "mobile-<code>", built once: every field event names it
};
/** A team and the people in it: responsibility lands on a named person. */
struct Team
{
    Unit team;
    std::vector<Unit> people;
};

struct Event
{
    QByteArray kind, actor, role, device, payload;
    qint64 at;
};

class Generator
{
public:
    Generator(Database &db, const DemoOptions &o, const DemoNames &names)
        : m_db(db), m_opt(o), m_names(names), m_rng(o.seed), m_cal(WorkCalendar::builtin()),
          m_cat(Catalogue::builtin())
    {}

    Result<DemoSummary> run()
    {
        if (Status s = categories(); !s)
            return Error{s.error()};
        if (Status s = photos(); !s)
            return Error{s.error()};
        if (Status s = places(); !s)
            return Error{s.error()};
        if (Status s = roadsAndCameras(); !s)
            return Error{s.error()};
        if (Status s = units(); !s)
            return Error{s.error()};
        if (Status s = cases(); !s)
            return Error{s.error()};
        return m_sum;
    }

private:
    Status categories()
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
                << QByteArray(c.limitUnit == LimitUnit::WorkingHours ? "working_hours"
                                                                     : "working_days")
                << c.responsibleUnit.toUtf8() << c.priority;
            if (c.ladder)
                ins << c.ladder->noticeHours << c.ladder->persuasionDays
                    << c.ladder->enforcementDays;
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
    Status photos()
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
                p.drawPolygon(QPolygon({QPoint(x - 6, 112), QPoint(x + 62, 112), QPoint(x + 50, 96),
                                        QPoint(x + 6, 96)}));
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
            const QByteArray sha =
                QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex();
            att << sha << qint64(png.size()) << QByteArray("camera-" + pad(k + 1, 2) + ".png")
                << m_opt.anchorMs << m_opt.anchorMs;
            if (Status s = att.exec(); !s)
                return s;
            m_photos.push_back({sha, png});
        }
        return Ok{};
    }

    Status places()
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

    struct Place
    {
        int street, community;
        QByteArray grid;
    };
    Place locate(double lon, double lat) const
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

    Status roadsAndCameras()
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
                    << QByteArray(sensor ? "sensor" : "camera") << lon << lat
                    << qint64(p.street + 1) << p.grid;
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

    QByteArray personName()
    {
        return m_rng.pick(m_names.surnames) + m_rng.pick(m_names.givenNames);
    }

    Result<Unit> addUnit(const QByteArray &code, const QByteArray &nameZh, const QByteArray &nameEn,
                         bool person, const QByteArray &type, const Unit *parent, int street,
                         int community)
    {
        const qint64 id = ++m_unitCount;
        m_unitIns->operator<<(id) << code << nameZh << nameEn
                                  << QByteArray(person ? "person" : "team") << type;
        if (parent)
            *m_unitIns << parent->id;
        else
            *m_unitIns << nullptr;
        if (street >= 0)
            *m_unitIns << qint64(street + 1);
        else
            *m_unitIns << nullptr;
        if (community >= 0)
            *m_unitIns << qint64(community + 1);
        else
            *m_unitIns << nullptr;
        if (person) {
            const Rect &r = community >= 0 ? m_communities[community].r
                            : street >= 0  ? m_streets[street].r
                                           : Rect{kWest, kSouth, kEast, kNorth};
            *m_unitIns << m_rng.uniform(r.w, r.e) << m_rng.uniform(r.s, r.n)
                       << (m_opt.anchorMs - m_rng.below(90) * kMinute);
        } else {
            *m_unitIns << nullptr << nullptr << nullptr;
        }
        if (Status s = m_unitIns->exec(); !s)
            return Error{s.error()};
        return Unit{id, code, "mobile-" + code};
    }

    Result<Team> addTeam(const QByteArray &code, const QByteArray &nameZh, const QByteArray &nameEn,
                         const QByteArray &type, int street, int people)
    {
        auto t = addUnit(code, nameZh, nameEn, false, type, nullptr, street, -1);
        if (!t)
            return Error{t.error()};
        Team team{*t, {}};
        for (int i = 0; i < people; ++i) {
            const QByteArray who = personName();
            auto p = addUnit(code + "-" + pad(i + 1, 2), who, "Member " + pad(i + 1, 2), true, type,
                             &team.team, street, -1);
            if (!p)
                return Error{p.error()};
            team.people.push_back(*p);
        }
        return team;
    }

    Status units()
    {
        BulkInsert ui(m_db, "INSERT INTO units VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
        m_unitIns = &ui;
        struct TypeName
        {
            const char *type, *zh, *en;
            bool perStreet;
        };
        static const TypeName kTypes[] = {
            {"enforcement", "城管中队", "Enforcement squad", true},
            {"sanitation", "环卫所", "Sanitation depot", true},
            {"municipal", "市政养护所", "Road maintenance", true},
            {"greening", "绿化养护队", "Greening team", true},
            {"street_office", "街道城运分中心", "Street operations sub-centre", true},
            {"housing", "房管办", "Housing office", true},
            {"traffic", "交警支队", "Traffic police", false},
            {"water", "供排水公司", "Water company", false},
            {"power", "供电公司", "Power company", false},
            {"telecom", "通信公司", "Telecom operator", false},
            {"gas", "燃气公司", "Gas company", false},
            {"market", "市场监管所", "Market regulation", false},
            {"construction", "建管委", "Construction authority", false},
            {"emergency", "应急消防站", "Emergency station", false},
        };
        for (const TypeName &t : kTypes) {
            const int n = t.perStreet ? int(m_streets.size()) : 1;
            for (int s = 0; s < n; ++s) {
                const QByteArray prefix = t.perStreet ? m_names.streets[s].zh : m_names.districtZh;
                const QByteArray code = QByteArray(t.type).toUpper().left(3) + "-" +
                                        (t.perStreet ? pad(s + 1, 2) : QByteArray("00"));
                const int people = QByteArray(t.type) == "enforcement" ? 4 : 2;
                auto team = addTeam(code, prefix + t.zh, QByteArray(t.en), t.type,
                                    t.perStreet ? s : -1, people);
                if (!team)
                    return Error{team.error()};
                m_teams[QString::fromLatin1(t.type)].push_back(*team);
            }
        }
        for (std::size_t c = 0; c < m_communities.size(); ++c) {
            const Community &k = m_communities[c];
            const QByteArray tag = pad(k.street + 1, 2) + "-" + pad(qint64(c + 1), 3);
            auto gw = addUnit("GW-" + tag, personName() + "（网格员）", "Grid worker " + tag, true,
                              "grid_worker", nullptr, k.street, int(c));
            auto vol = addUnit("VOL-" + tag, personName() + "（志愿者）", "Volunteer " + tag, true,
                               "volunteer", nullptr, k.street, int(c));
            if (!gw || !vol)
                return Error{gw ? vol.error() : gw.error()};
            m_gridWorkers.push_back(*gw);
            m_volunteers.push_back(*vol);
        }
        m_sum.units = int(m_unitCount);
        m_unitIns = nullptr;

        BulkInsert us(m_db, "INSERT INTO users VALUES (?,?,?,?,?)");
        struct U
        {
            const char *name, *display, *role;
            qint64 unit;
        };
        const U users[] = {
            {"operator1", "值班员 王敏", "operator", 0},
            {"dispatcher1", "派遣员 李强", "dispatcher", 0},
            {"supervisor1", "值班长 陈静", "supervisor", 0},
            {"field1", "网格员 张伟", "field", m_gridWorkers.front().id},
            {"enforcer1", "执法队员 刘洋", "enforcement",
             m_teams.value(QStringLiteral("enforcement")).front().people.front().id},
            {"auditor1", "审计员 赵磊", "auditor", 0},
        };
        qint64 id = 0;
        for (const U &u : users) {
            us << ++id << QByteArray(u.name) << QByteArray(u.display) << QByteArray(u.role);
            if (u.unit)
                us << u.unit;
            else
                us << nullptr;
            if (Status s = us.exec(); !s)
                return s;
        }
        m_sum.users = int(id);
        return Ok{};
    }

    const Category &pickCategory()
    {
        const double x = m_rng.uniform() * m_catCumulative.back();
        const auto it = std::upper_bound(m_catCumulative.begin(), m_catCumulative.end(), x);
        return m_cat.categories()[std::min<qsizetype>(it - m_catCumulative.begin(),
                                                      m_cat.categories().size() - 1)];
    }

    const Team &teamFor(const Category &c, int street)
    {
        const auto &teams = m_teams[c.responsibleUnit];
        return teams.size() == 1 ? teams.front() : teams[std::size_t(street) % teams.size()];
    }

    /** Local time of day at which a case of this category is typically reported. */
    qint64 reportTime(const Category &c)
    {
        // Recent days carry more cases (and so the open work): ages fall off exponentially.
        const qint64 back = std::min<qint64>(74, qint64(-std::log(1.0 - m_rng.uniform()) * 18));
        const qint64 day = WorkCalendar::localDay(m_opt.anchorMs) - back;
        double hour;
        if (c.ladder && m_rng.chance(0.7))
            hour = m_rng.chance(0.45) ? m_rng.uniform(6.0, 9.5) : m_rng.uniform(16.5, 22.0);
        else
            hour = std::clamp(13.0 + m_rng.normal() * 3.5, 0.0, 23.99);
        qint64 t = day * kDay - WorkCalendar::kShanghaiOffsetMs + qint64(hour * kHour);
        while (t >= m_opt.anchorMs)
            t -= kDay;
        return t;
    }

    Status cases()
    {
        // The dashboard's per-case facts are written with each timeline (their trigger is off
        // during the load, see Database::dropSecondaryIndexes).
        BulkInsert fi(m_db, DemoFacts::insertSql());
        BulkInsert ci(m_db,
                      "INSERT INTO cases (id, category, state, stage, priority, source, street_id, "
                      "community_id, grid_code, address, description, party, lon, lat, "
                      "reported_at, deadline_at, closed_at, unit_id, assignee_id, version, "
                      "updated_at, chain_head, pending, pending_by, pending_at, pending_to_stage, "
                      "assignee_code, handler) VALUES "
                      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        BulkInsert ei(m_db, "INSERT INTO case_events (case_id, seq, kind, actor, role, at, device, "
                            "payload, prev_hash) VALUES (?,?,?,?,?,?,?,?,?)");
        std::vector<std::pair<double, double>> hotspots;
        for (int i = 0; i < 30; ++i)
            hotspots.emplace_back(m_rng.uniform(kWest + 0.004, kEast - 0.004),
                                  m_rng.uniform(kSouth + 0.004, kNorth - 0.004));
        const int perDay = m_cal.workingMinutesPerDay();
        const QByteArray genesis = genesisHash();
        std::vector<Event> ev;
        std::vector<QByteArray> prevs;
        // Case numbers follow the order of reporting, as in a real centre: draw every case's
        // category and report time first, then number them chronologically.
        struct Draw
        {
            qint64 at;
            const Category *cat;
        };
        std::vector<Draw> draws;
        draws.reserve(std::size_t(m_opt.cases));
        for (qint64 i = 0; i < m_opt.cases; ++i) {
            const Category &c = pickCategory();
            draws.push_back({reportTime(c), &c});
        }
        std::stable_sort(draws.begin(), draws.end(),
                         [](const Draw &a, const Draw &b) { return a.at < b.at; });
        int lastPercent = -1;
        for (qint64 id = 1; id <= m_opt.cases; ++id) {
            const Category &cat = *draws[std::size_t(id - 1)].cat;
            double lon, lat;
            if (m_rng.chance(cat.ladder ? 0.75 : 0.35)) {
                const auto &h = m_rng.pick(hotspots);
                lon = h.first + m_rng.normal() * 150.0 / kMetresPerDegLon;
                lat = h.second + m_rng.normal() * 150.0 / kMetresPerDegLat;
            } else {
                lon = m_rng.uniform(kWest, kEast);
                lat = m_rng.uniform(kSouth, kNorth);
            }
            lon = std::clamp(lon, kWest + 1e-6, kEast - 1e-6);
            lat = std::clamp(lat, kSouth + 1e-6, kNorth - 1e-6);
            const Place place = locate(lon, lat);
            const QByteArray &road = m_rng.pick(m_roadNames);
            QByteArray address = m_names.streets[place.street].zh + road +
                                 QByteArray::number(m_rng.between(1, 1200)) + "号";
            if (m_rng.chance(0.4))
                address += "（" + m_rng.pick(m_names.landmarks) + "）";
            const auto descs = m_names.descriptions.constFind(cat.code);
            const QByteArray desc = descs == m_names.descriptions.constEnd() || descs->empty()
                                        ? cat.nameZh.toUtf8()
                                        : m_rng.pick(*descs);
            QByteArray party;
            if (cat.ladder || (cat.kind == CategoryKind::Event && m_rng.chance(0.2)))
                party = m_rng.pick(m_names.shops);
            const double srcRoll = m_rng.uniform();
            const char *source = srcRoll < 0.35   ? "camera"
                                 : srcRoll < 0.70 ? "grid_worker"
                                 : srcRoll < 0.80 ? "patrol"
                                 : srcRoll < 0.95 ? "hotline"
                                                  : "open311";
            const Unit &gw = m_gridWorkers[std::size_t(place.community)];
            const Unit &verifier =
                m_gridWorkers[(std::size_t(place.community) + 1) % m_gridWorkers.size()];
            const Team &team = teamFor(cat, place.street);
            const Unit &handler = m_rng.pick(team.people);

            // Simulate the case forward from its report until the anchor ("now").
            ev.clear();
            qint64 t = draws[std::size_t(id - 1)].at;
            const qint64 reportedAt = t;
            QByteArray state = "reported";
            int stage = 0;
            qint64 deadline = t + (cat.priority == 1 ? 10 : 30) * kMinute;
            qint64 closedAt = 0;
            bool hasUnit = false;
            const Unit *assignee = nullptr;
            auto add = [&](qint64 at, const char *kind, const QByteArray &actor, const char *role,
                           const QByteArray &device, QByteArray payload = "{}") {
                if (at >= m_opt.anchorMs)
                    return false;
                t = at;
                // kind and role are string literals: reference them instead of copying.
                ev.push_back({QByteArray::fromRawData(kind, qsizetype(std::strlen(kind))), actor,
                              QByteArray::fromRawData(role, qsizetype(std::strlen(role))), device,
                              std::move(payload), at});
                return true;
            };
            auto afterWork = [&](qint64 from, double minutes) {
                return m_cal.addWorkingMinutes(from, std::max<qint64>(1, qint64(minutes)));
            };
            const QByteArray console = "console-01";
            std::vector<QByteArray> caseEvidence;
            // Adds evidence to a JSON object: a fresh photo, or the case's photos so far.
            auto withPhoto = [&](const QByteArray &json) {
                const QByteArray &sha = m_rng.pick(m_photos).sha;
                if (std::find(caseEvidence.begin(), caseEvidence.end(), sha) == caseEvidence.end())
                    caseEvidence.push_back(sha);
                return json.left(json.size() - 1) + (json.size() > 2 ? "," : "") +
                       "\"evidence\":[\"" + sha + "\"]}";
            };
            auto withCaseEvidence = [&](const QByteArray &json) {
                if (caseEvidence.empty())
                    return json;
                QByteArray list;
                for (const QByteArray &e : caseEvidence)
                    list += (list.isEmpty() ? "\"" : ",\"") + e + "\"";
                return json.left(json.size() - 1) + ",\"evidence\":[" + list + "]}";
            };
            if (QByteArray(source) == "camera")
                add(t, "report", "operator1", "operator", console,
                    "{\"camera\":\"" + m_rng.pick(m_cameras) + "\"}");
            else if (QByteArray(source) == "grid_worker")
                add(t, "report", gw.code, "field", gw.device);
            else if (QByteArray(source) == "patrol")
                add(t, "report", handler.code, "enforcement", handler.device);
            else if (QByteArray(source) == "hotline")
                add(t, "report", "operator1", "operator", console, "{\"channel\":\"12345\"}");
            else
                add(t, "report", "open311", "operator", "open311-gateway");

            const int limitMin = cat.limitMinutes(perDay);
            bool alive = true;
            auto step = [&](qint64 at, const char *kind, const QByteArray &actor, const char *role,
                            const QByteArray &device, QByteArray payload = "{}") {
                alive = alive && add(at, kind, actor, role, device, std::move(payload));
                return alive;
            };
            auto dispatch = [&](qint64 at, bool again) {
                if (!step(at, "dispatch", "dispatcher1", "dispatcher", console,
                          "{\"unit\":\"" + team.team.code + "\",\"to\":\"" + handler.code +
                              (again ? "\",\"redispatch\":true}" : "\"}")))
                    return false;
                state = "dispatched";
                hasUnit = true;
                assignee = &handler;
                deadline = afterWork(t, limitMin);
                return true;
            };
            const bool stuck = m_rng.chance(0.05); // a share of cases that stall and go overdue
            // Intake: register (or reject) within minutes, wall-clock (the centre runs 24/7).
            if (m_rng.chance(0.03)) {
                if (step(t + m_rng.between(3, 40) * kMinute, "reject", "operator1", "operator",
                         console, "{\"reason\":\"不符合立案条件\"}")) {
                    state = "rejected";
                    deadline = 0;
                    closedAt = t;
                }
            } else if (step(t + m_rng.between(2, stuck               ? 400
                                                 : m_rng.chance(0.3) ? 240
                                                                     : 35) *
                                    kMinute,
                            "register", "operator1", "operator", console)) {
                state = "registered";
                deadline = t + 60 * kMinute;
                bool resolved = false;
                if (cat.ladder) {
                    // Stage 1: notice to the party with the camera photo and a correction deadline.
                    const qint64 due = afterWork(t + 5 * kMinute, cat.ladder->noticeHours * 60.0);
                    if (step(t + m_rng.between(5, 30) * kMinute, "notice", "dispatcher1",
                             "dispatcher", console,
                             withPhoto("{\"due\":" + QByteArray::number(due) + "}"))) {
                        state = "handling";
                        stage = 1;
                        deadline = due;
                        hasUnit = true;
                        assignee = &gw;
                        int level = 1;
                        while (alive && !resolved) {
                            const bool corrected = m_rng.chance(level == 1 ? 0.6 : 0.65);
                            const qint64 checkAt = std::max(deadline, t + 10 * kMinute) +
                                                   m_rng.between(0, 90) * kMinute;
                            if (corrected || level == 3) {
                                const QByteArray payload =
                                    level == 3 ? "{\"decision\":\"沪城管罚字〔2026〕第" +
                                                     pad(id % 100000, 5) + "号\"}"
                                               : QByteArray("{\"outcome\":\"corrected\"}");
                                if (step(checkAt, level == 1 ? "recheck-corrected" : "feedback",
                                         assignee->code, level == 3 ? "enforcement" : "field",
                                         assignee->device, withPhoto(payload))) {
                                    state = "feedback";
                                    resolved = true;
                                }
                                break;
                            }
                            if (!step(checkAt, "recheck-uncorrected", assignee->code, "field",
                                      assignee->device, withPhoto("{}")))
                                break;
                            const bool skip = level == 1 && m_rng.chance(0.05);
                            const int to = skip ? 3 : level + 1;
                            const QByteArray req = "{\"to_stage\":" + QByteArray::number(to) +
                                                   (skip ? ",\"skip\":true,\"reason\":\"存在安全"
                                                           "隐患，直接执法\"}"
                                                         : ",\"reason\":\"整改期限届满仍未改正\"}");
                            if (!step(t + m_rng.between(5, 60) * kMinute, "escalate-request",
                                      "dispatcher1", "dispatcher", console, withCaseEvidence(req)))
                                break;
                            if (m_rng.chance(0.1)) {
                                if (!step(t + m_rng.between(10, 120) * kMinute, "escalate-reject",
                                          "supervisor1", "supervisor", console,
                                          "{\"reason\":\"证据不足，请补充照片\"}") ||
                                    !step(t + m_rng.between(30, 240) * kMinute, "escalate-request",
                                          "dispatcher1", "dispatcher", console,
                                          withCaseEvidence(req)))
                                    break;
                            }
                            // Supervisors decide in batches: requests wait, across nights too.
                            if (!step(afterWork(t, double(m_rng.between(20, 600))),
                                      "escalate-approve", "supervisor1", "supervisor", console))
                                break;
                            level = to;
                            stage = level;
                            state = "registered";
                            deadline = t + 60 * kMinute;
                            const Unit &who =
                                level == 2 ? (m_rng.chance(0.6)
                                                  ? gw
                                                  : m_volunteers[std::size_t(place.community)])
                                           : m_rng.pick(m_teams[QStringLiteral("enforcement")]
                                                               [std::size_t(place.street)]
                                                                   .people);
                            const qint64 stageDue =
                                afterWork(t, (level == 2 ? cat.ladder->persuasionDays
                                                         : cat.ladder->enforcementDays) *
                                                 double(perDay));
                            if (!step(t + m_rng.between(5, 40) * kMinute, "dispatch", "dispatcher1",
                                      "dispatcher", console,
                                      "{\"to\":\"" + who.code +
                                          "\",\"stage\":" + QByteArray::number(level) + "}"))
                                break;
                            state = "dispatched";
                            assignee = &who;
                            deadline = stageDue;
                            if (!step(t + m_rng.between(5, 90) * kMinute, "accept", who.code,
                                      level == 3 ? "enforcement" : "field", who.device))
                                break;
                            state = "handling";
                            // The next loop iteration records this stage's outcome.
                            deadline = std::max(deadline, t);
                        }
                    }
                } else {
                    if (stuck && m_rng.chance(0.5)) {
                        // registered but never dispatched: an overdue intake.
                    } else if (dispatch(t + m_rng.between(5, 50) * kMinute, false)) {
                        if (m_rng.chance(0.04) &&
                            step(t + m_rng.between(10, 120) * kMinute, "return", handler.code,
                                 "field", handler.device, "{\"reason\":\"非本单位职责\"}")) {
                            state = "returned";
                            hasUnit = false;
                            assignee = nullptr;
                            dispatch(t + m_rng.between(10, 90) * kMinute, true);
                        }
                        if (alive && state == "dispatched" &&
                            step(t + m_rng.between(5, 60) * kMinute, "accept", handler.code,
                                 "field", handler.device)) {
                            state = "handling";
                            if (m_rng.chance(0.05) &&
                                step(afterWork(t, limitMin * 0.5), "extend-request", handler.code,
                                     "field", handler.device,
                                     "{\"hours\":8,\"reason\":\"需协调多部门处置\"}") &&
                                step(t + m_rng.between(20, 240) * kMinute, "extend-approve",
                                     "supervisor1", "supervisor", console)) {
                                deadline = afterWork(deadline, limitMin);
                            }
                            if (stuck && m_rng.chance(0.4)) {
                                if (step(afterWork(deadline, perDay * 3.0), "shelve", "supervisor1",
                                         "supervisor", console,
                                         "{\"reason\":\"涉及历史遗留问题，需专项整治\"}")) {
                                    state = "shelved";
                                }
                            } else if (!stuck) {
                                const double factor = m_rng.chance(0.12)
                                                          ? m_rng.uniform(1.1, 3.0)
                                                          : m_rng.uniform(0.15, 0.95);
                                if (step(afterWork(t, limitMin * factor), "feedback", handler.code,
                                         "field", handler.device,
                                         withPhoto("{\"outcome\":\"handled\"}"))) {
                                    state = "feedback";
                                    resolved = true;
                                }
                            }
                        }
                    }
                }
                // Verification on site by someone other than the handler, then closure.
                while (resolved && alive) {
                    const bool pass = !m_rng.chance(0.08);
                    if (!step(afterWork(t, m_rng.between(20, 240)),
                              pass ? "verify-pass" : "verify-fail", verifier.code, "field",
                              verifier.device,
                              withPhoto(pass
                                            ? QByteArray("{}")
                                            : QByteArray("{\"reason\":\"现场仍有问题，需返工\"}"))))
                        break;
                    if (!pass) {
                        state = "handling";
                        if (step(afterWork(t, limitMin * m_rng.uniform(0.2, 0.8)),
                                 stage == 1 ? "recheck-corrected" : "feedback",
                                 assignee ? assignee->code : handler.code, "field",
                                 (assignee ? assignee->device : handler.device),
                                 withPhoto(stage == 3 ? "{\"decision\":\"沪城管罚字〔2026〕第" +
                                                            pad(id % 100000, 5) + "号\"}"
                                                      : QByteArray("{\"outcome\":\"reworked\"}"))))
                            state = "feedback";
                        continue;
                    }
                    state = "verified";
                    if (step(t + m_rng.between(5, 120) * kMinute, "close", "operator1", "operator",
                             console)) {
                        state = "closed";
                        closedAt = t;
                        if (m_rng.chance(0.01) &&
                            step(t + m_rng.between(1, 20) * kDay, "reopen", "operator1", "operator",
                                 console, "{\"reason\":\"问题复现\"}")) {
                            state = "registered";
                            closedAt = 0; // a reopened ladder case keeps its stage
                            deadline = t + 60 * kMinute;
                            hasUnit = false;
                            assignee = nullptr;
                        }
                    }
                    break;
                }
            }

            // Hash-chain the timeline, then insert the case and its events (in that order: the
            // events reference the case).
            prevs.clear();
            QByteArray prev = genesis;
            for (std::size_t k = 0; k < ev.size(); ++k) {
                const Event &e = ev[k];
                prevs.push_back(prev);
                prev = eventHash(
                    {id, int(k + 1), e.kind, e.actor, e.role, e.at, e.device, e.payload, prev});
            }
            ci << id << cat.code.toUtf8() << state << qint64(stage) << qint64(cat.priority)
               << QByteArray(source) << qint64(place.street + 1) << qint64(place.community + 1)
               << place.grid << address << desc;
            if (party.isEmpty())
                ci << nullptr;
            else
                ci << party;
            ci << lon << lat << reportedAt;
            if (deadline && state != "shelved")
                ci << deadline;
            else
                ci << nullptr;
            if (closedAt)
                ci << closedAt;
            else
                ci << nullptr;
            if (hasUnit)
                ci << (stage ? assignee->id : team.team.id);
            else
                ci << nullptr;
            if (hasUnit && assignee)
                ci << assignee->id;
            else
                ci << nullptr;
            ci << qint64(ev.size()) << ev.back().at;
            ci.blob(prev);
            // What the queues read without replaying: a request left pending, the handler.
            const Event &last = ev.back();
            if (last.kind == "escalate-request" || last.kind == "extend-request") {
                const qsizetype at = last.payload.indexOf("\"to_stage\":");
                ci << QByteArray(last.kind == "escalate-request" ? "escalation" : "extension")
                   << last.actor << last.at;
                if (at >= 0)
                    ci << qint64(last.payload.at(at + 11) - '0');
                else
                    ci << nullptr;
            } else {
                ci << nullptr << nullptr << nullptr << nullptr;
            }
            if (hasUnit && assignee)
                ci << assignee->code;
            else
                ci << nullptr;
            QByteArray handlerCode;
            for (const Event &e : ev) {
                if (e.kind == "feedback" || e.kind == "recheck-corrected")
                    handlerCode = e.actor;
                else if (e.kind == "verify-fail" || e.kind == "dispatch" || e.kind == "reopen")
                    handlerCode.clear();
            }
            if (handlerCode.isEmpty())
                ci << nullptr;
            else
                ci << handlerCode;
            if (Status s = ci.exec(); !s)
                return s;
            for (std::size_t k = 0; k < ev.size(); ++k) {
                const Event &e = ev[k];
                ei << id << qint64(k + 1) << e.kind << e.actor << e.role << e.at << e.device
                   << e.payload;
                ei.blob(prevs[k]);
                if (Status s = ei.exec(); !s)
                    return s;
            }
            DemoFacts facts;
            for (const Event &e : ev)
                facts.add(e.kind, e.at, e.payload);
            const auto orNull = [&](const std::optional<qint64> &v) -> BulkInsert & {
                return v ? fi << *v : fi << nullptr;
            };
            fi << id << facts.reworks << facts.extensions << facts.shelves << facts.reopens
               << facts.maxStage << facts.skips;
            orNull(facts.reqStage);
            orNull(facts.reqSkip);
            fi << int(facts.late);
            orNull(facts.due);
            if (Status s = fi.exec(); !s)
                return s;
            m_sum.events += qint64(ev.size());
            const int percent = int(id * 100 / m_opt.cases);
            if (percent != lastPercent && m_opt.progress) {
                lastPercent = percent;
                if (!m_opt.progress(percent))
                    return Error{DemoGenerator::tr("cancelled")};
            }
        }
        m_sum.cases = m_opt.cases;
        return Ok{};
    }

    Database &m_db;
    const DemoOptions &m_opt;
    const DemoNames &m_names;
    Rng m_rng;
    const WorkCalendar &m_cal;
    const Catalogue &m_cat;
    DemoSummary m_sum;
    std::vector<double> m_catCumulative;
    std::vector<double> m_streetXs;
    std::vector<std::vector<double>> m_streetYs;
    std::vector<Street> m_streets;
    std::vector<Community> m_communities;
    std::vector<QByteArray> m_roadNames;
    std::vector<QByteArray> m_cameras;

public:
    struct Photo
    {
        QByteArray sha, png;
    };
    std::vector<Photo> m_photos;

private:
    QHash<QString, std::vector<Team>> m_teams;
    std::vector<Unit> m_gridWorkers, m_volunteers;
    BulkInsert *m_unitIns = nullptr;
    qint64 m_unitCount = 0;
};

} // namespace

Result<qint64> DemoOptions::parseAnchor(const QString &text)
{
    const QTimeZone shanghai(int(WorkCalendar::kShanghaiOffsetMs / 1000));
    const QString t = text.trimmed();
    // A bare date means 18:00 that day, like the fixed anchor (QDateTime would take midnight).
    // QDate alone would also accept a date-time, ignoring its time.
    if (const QDate d = QDate::fromString(t, Qt::ISODate); d.isValid() && t.size() == 10)
        return QDateTime(d, QTime(18, 0), shanghai).toMSecsSinceEpoch();
    QDateTime at = QDateTime::fromString(t, Qt::ISODate);
    if (!at.isValid())
        return Error{DemoGenerator::tr("--anchor \"%1\" is not an ISO date or date-time such as "
                                       "2026-11-27 or 2026-11-27T18:00+08:00")
                         .arg(text)};
    if (at.timeSpec() == Qt::LocalTime) // no offset given: the district's time, whatever the TZ
        at = QDateTime(at.date(), at.time(), shanghai);
    return at.toMSecsSinceEpoch();
}

qint64 DemoOptions::floorToHour(qint64 utcMs)
{
    return utcMs - ((utcMs % kHour) + kHour) % kHour;
}

qint64 DemoOptions::currentHourAnchor()
{
    return floorToHour(QDateTime::currentMSecsSinceEpoch());
}

Result<DemoSummary> DemoGenerator::generate(const QString &dataDir, const DemoOptions &options)
{
    if (options.cases < 0)
        return Error{tr("the number of cases must not be negative")};
    if (!QDir().mkpath(dataDir))
        return Error{tr("cannot create the directory %1").arg(dataDir)};
    const QString target = Database::pathInDir(dataDir);
    if (QFileInfo::exists(target))
        return Error{tr("%1 already exists; choose an empty directory or remove the old cache "
                        "first")
                         .arg(target)};
    auto names = DemoNames::load();
    if (!names)
        return Error{names.error()};
    const QString part = target + QStringLiteral(".part");
    for (const QString &f : {part, part + QStringLiteral("-wal"), part + QStringLiteral("-shm"),
                             part + QStringLiteral("-journal")})
        QFile::remove(f);

    Result<DemoSummary> result = Error{QString()};
    std::vector<Generator::Photo> photos;
    {
        auto db = Database::open(part);
        if (!db)
            return Error{db.error()};
        Database &d = **db;
        // Build the secondary indexes once over the full tables instead of row by row.
        const auto indexes = d.dropSecondaryIndexes();
        if (!indexes)
            return Error{indexes.error()};
        // A brand-new file that is renamed into place only when complete needs no journal.
        if (Status s = d.exec(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                "PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY; PRAGMA threads = 2;");
            !s)
            return Error{s.error()};
        Transaction tx(d);
        Generator g(d, options, *names);
        QElapsedTimer phase;
        phase.start();
        const bool trace = qEnvironmentVariableIsSet("CITYOPS_TRACE");
        result = g.run();
        if (trace)
            qInfo("generate: rows %lld ms", phase.restart());
        photos = g.m_photos;
        if (result) {
            const QByteArray meta = "INSERT INTO meta VALUES ('district', '" + names->districtZh +
                                    "'), ('demo_seed', '" + QByteArray::number(options.seed) +
                                    "'), ('demo_anchor', '" + QByteArray::number(options.anchorMs) +
                                    "')";
            Status s = d.exec(meta);
            for (const QByteArray &sql : *indexes) {
                if (s)
                    s = d.exec(sql);
            }
            if (s)
                s = d.recountQueues();
            if (trace)
                qInfo("generate: indexes %lld ms", phase.restart());
            if (s)
                s = tx.commit();
            if (trace)
                qInfo("generate: commit %lld ms", phase.restart());
            if (s)
                s = d.exec("ANALYZE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            if (trace)
                qInfo("generate: analyze %lld ms", phase.restart());
            if (!s)
                result = Error{s.error()};
        }
    }

    // The photos go in place before the cache does: a cache never points at missing evidence.
    for (const auto &ph : photos) {
        const QString dir = QDir(dataDir).filePath(QStringLiteral("evidence/") +
                                                   QString::fromLatin1(ph.sha.left(2)));
        QSaveFile f(QDir(dir).filePath(QString::fromLatin1(ph.sha)));
        if (result && (!QDir().mkpath(dir) || !f.open(QIODevice::WriteOnly) ||
                       f.write(ph.png) != ph.png.size() || !f.commit()))
            result = Error{tr("cannot write the demo evidence to %1").arg(dir)};
    }
    if (!result || !QFile::rename(part, target)) {
        for (const QString &f :
             {part, part + QStringLiteral("-wal"), part + QStringLiteral("-shm")})
            QFile::remove(f);
        return result
                   ? Result<DemoSummary>(Error{tr("cannot move the new cache to %1").arg(target)})
                   : result;
    }
    return result;
}

} // namespace cityops
