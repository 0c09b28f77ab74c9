#include "demogenerator_p.h"

namespace cityops::demo {

QByteArray Generator::personName()
{
    return m_rng.pick(m_names.surnames) + m_rng.pick(m_names.givenNames);
}

Result<Unit> Generator::addUnit(const QByteArray &code, const QByteArray &nameZh,
                                const QByteArray &nameEn, bool person, const QByteArray &type,
                                const Unit *parent, int street, int community)
{
    const qint64 id = ++m_unitCount;
    m_unitIns->operator<<(id) << code << nameZh << nameEn << QByteArray(person ? "person" : "team")
                              << type;
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
    m_unitIds.insert(QString::fromUtf8(code), id);
    return Unit{id, code, "mobile-" + code};
}

Result<Team> Generator::addTeam(const QByteArray &code, const QByteArray &nameZh,
                                const QByteArray &nameEn, const QByteArray &type, int street,
                                int people)
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

Status Generator::units()
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
            auto team = addTeam(code, prefix + t.zh, QByteArray(t.en), t.type, t.perStreet ? s : -1,
                                people);
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
    auto addUser = [&](const QByteArray &name, const QByteArray &display, const char *role,
                       qint64 unit) {
        us << ++id << name << display << QByteArray(role);
        if (unit)
            us << unit;
        else
            us << nullptr;
        return us.exec();
    };
    for (const U &u : users) {
        if (Status s = addUser(QByteArray(u.name), QByteArray(u.display), u.role, u.unit); !s)
            return s;
    }
    // The district's organisation (issue 19): each street's operations sub-centre has an
    // operator and a supervisor; each street's enforcement squad (城管中队) an officer; each
    // district bureau of a department a dispatcher. Their scopes follow from their units
    // (PlatformStore::defaultScope).
    const std::vector<Team> offices = m_teams.value(QStringLiteral("street_office"));
    for (std::size_t s = 0; s < offices.size(); ++s) {
        const QByteArray tag = pad(qint64(s + 1), 2);
        const QByteArray street = m_names.streets[s].zh;
        if (Status st = addUser("street" + tag + "-operator", street + "分中心值班员", "operator",
                                offices[s].team.id);
            !st)
            return st;
        if (Status st = addUser("street" + tag + "-supervisor", street + "分中心值班长",
                                "supervisor", offices[s].team.id);
            !st)
            return st;
    }
    const std::vector<Team> squads = m_teams.value(QStringLiteral("enforcement"));
    for (std::size_t s = 0; s < squads.size(); ++s) {
        if (Status st =
                addUser("cg-squad" + pad(qint64(s + 1), 2), m_names.streets[s].zh + "城管中队队员",
                        "enforcement", squads[s].people.front().id);
            !st)
            return st;
    }
    static const std::pair<const char *, const char *> kBureaus[] = {
        {"market", "市场监管调度员"},
        {"water", "供排水调度员"},
        {"traffic", "交警调度员"},
        {"construction", "建管委调度员"},
    };
    for (const auto &[type, display] : kBureaus) {
        const std::vector<Team> bureau = m_teams.value(QLatin1String(type));
        if (bureau.empty())
            continue;
        if (Status st = addUser(QByteArray(type) + "-bureau", m_names.districtZh + display,
                                "dispatcher", bureau.front().team.id);
            !st)
            return st;
    }
    m_sum.users = int(id);
    return Ok{};
}

} // namespace cityops::demo
