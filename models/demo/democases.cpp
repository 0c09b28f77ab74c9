#include "demogenerator_p.h"

#include "demofacts.h"

#include "domain/eventchain.h"
#include "workflow/workflow.h"

#include <algorithm>

namespace cityops::demo {

const Category &Generator::pickCategory()
{
    const double x = m_rng.uniform() * m_catCumulative.back();
    const auto it = std::upper_bound(m_catCumulative.begin(), m_catCumulative.end(), x);
    return m_cat.categories()[std::min<qsizetype>(it - m_catCumulative.begin(),
                                                  m_cat.categories().size() - 1)];
}

const Team &Generator::teamFor(const Category &c, int street)
{
    const auto &teams = m_teams[c.responsibleUnit];
    return teams.size() == 1 ? teams.front() : teams[std::size_t(street) % teams.size()];
}

/** Local time of day at which a case of this category is typically reported. */
qint64 Generator::reportTime(const Category &c)
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

/**
 * One case's life from its report until the anchor ("now"): the events, as the people of the
 * district would have recorded them, folded through the workflow as they are added, so the
 * simulation asks the folded snapshot where the case is (state, stage, deadline) and the row
 * written afterwards is that snapshot.
 */
class CaseLife
{
public:
    CaseLife(Generator &g, const CaseDraft &d, std::vector<CaseEvent> &ev)
        : m_g(g), m_d(d), m_cat(*d.cat), m_ev(ev),
          m_gw(g.m_gridWorkers[std::size_t(d.place.community)]),
          m_verifier(
              g.m_gridWorkers[(std::size_t(d.place.community) + 1) % g.m_gridWorkers.size()]),
          m_team(g.teamFor(m_cat, d.place.street)), m_handler(g.m_rng.pick(m_team.people)),
          m_perDay(g.m_cal.workingMinutesPerDay()), m_limitMin(m_cat.limitMinutes(m_perDay)),
          m_t(d.reportedAt), m_snap(g.m_workflow.initial(d.id, m_cat.code))
    {
        m_ev.clear();
    }

    void run()
    {
        report();
        const bool stuck = rng().chance(0.05); // a share of cases that stall and go overdue
        // Intake: register (or reject) within minutes, wall-clock (the centre runs 24/7).
        if (rng().chance(0.03)) {
            step(m_t + rng().between(3, 40) * kMinute, "reject", "operator1", "operator", kConsole,
                 "{\"reason\":\"不符合立案条件\"}");
            return;
        }
        if (!step(m_t + rng().between(2, stuck               ? 400
                                         : rng().chance(0.3) ? 240
                                                             : 35) *
                            kMinute,
                  "register", "operator1", "operator", kConsole))
            return;
        setDue(m_t + 60 * kMinute);
        if (m_cat.ladder ? ladder() : standard(stuck))
            verifyAndClose();
    }

    const CaseSnapshot &snapshot() const { return m_snap; }

private:
    static inline const QByteArray kConsole = "console-01";

    Rng &rng() { return m_g.m_rng; }

    /** Records an event that happens before the anchor; false (and nothing) after it. */
    bool add(qint64 at, const char *kind, const QByteArray &actor, const char *role,
             const QByteArray &device, QByteArray payload = "{}")
    {
        if (at >= m_g.m_opt.anchorMs)
            return false;
        m_t = at;
        m_ev.push_back({0, m_d.id, int(m_ev.size() + 1), QString::fromLatin1(kind),
                        QString::fromUtf8(actor), QString::fromLatin1(role), at,
                        QString::fromUtf8(device), std::move(payload), QByteArray()});
        fold();
        return true;
    }
    /** add(), once the case's timeline has not reached the anchor yet. */
    bool step(qint64 at, const char *kind, const QByteArray &actor, const char *role,
              const QByteArray &device, QByteArray payload = "{}")
    {
        m_alive = m_alive && add(at, kind, actor, role, device, std::move(payload));
        return m_alive;
    }
    void fold()
    {
        const CaseEvent &e = m_ev.back();
        Workflow::fold(m_snap, e.kind, e.payload, e.actor, e.at);
    }
    /**
     * The deadline the last step sets goes into its payload as "due", as the workflow engine's
     * events carry it, and so into the snapshot and the row.
     */
    void setDue(qint64 due)
    {
        QByteArray &p = m_ev.back().payload;
        p.insert(p.size() - 1, (p.size() > 2 ? ",\"due\":" : "\"due\":") + QByteArray::number(due));
        m_snap.deadlineAt = due;
    }
    qint64 deadline() const { return m_snap.deadlineAt; }
    qint64 afterWork(qint64 from, double minutes) const
    {
        return m_g.m_cal.addWorkingMinutes(from, std::max<qint64>(1, qint64(minutes)));
    }
    /** Adds evidence to a JSON object: a fresh photo. */
    QByteArray withPhoto(const QByteArray &json)
    {
        const QByteArray &sha = rng().pick(m_g.m_photos).sha;
        if (std::find(m_evidence.begin(), m_evidence.end(), sha) == m_evidence.end())
            m_evidence.push_back(sha);
        return json.left(json.size() - 1) + (json.size() > 2 ? "," : "") + "\"evidence\":[\"" +
               sha + "\"]}";
    }
    /** Adds the case's photos so far to a JSON object. */
    QByteArray withCaseEvidence(const QByteArray &json) const
    {
        if (m_evidence.empty())
            return json;
        QByteArray list;
        for (const QByteArray &e : m_evidence)
            list += (list.isEmpty() ? "\"" : ",\"") + e + "\"";
        return json.left(json.size() - 1) + ",\"evidence\":[" + list + "]}";
    }
    QByteArray decision() const
    {
        return "{\"decision\":\"沪城管罚字〔2026〕第" + pad(m_d.id % 100000, 5) + "号\"}";
    }

    void report()
    {
        const QByteArray source(m_d.source);
        bool filed;
        if (source == "camera")
            filed = add(m_t, "report", "operator1", "operator", kConsole,
                        "{\"camera\":\"" + rng().pick(m_g.m_cameras) + "\"}");
        else if (source == "grid_worker")
            filed = add(m_t, "report", m_gw.code, "field", m_gw.device);
        else if (source == "patrol")
            filed = add(m_t, "report", m_handler.code, "enforcement", m_handler.device);
        else if (source == "hotline")
            filed =
                add(m_t, "report", "operator1", "operator", kConsole, "{\"channel\":\"12345\"}");
        else
            filed = add(m_t, "report", "open311", "operator", "open311-gateway");
        if (filed)
            setDue(m_t + (m_cat.priority == 1 ? 10 : 30) * kMinute);
    }

    /**
     * A ladder category: a notice with a correction deadline, then
     * persuasion and enforcement on request and approval while the party does not correct.
     * True when resolved (awaiting verification).
     */
    bool ladder()
    {
        // Stage 1: notice to the party with the camera photo and a correction deadline.
        const qint64 due = afterWork(m_t + 5 * kMinute, m_cat.ladder->noticeHours * 60.0);
        if (!step(m_t + rng().between(5, 30) * kMinute, "notice", "dispatcher1", "dispatcher",
                  kConsole, withPhoto("{\"due\":" + QByteArray::number(due) + "}")))
            return false;
        // Who rechecks and corrects on site (the row's assignee is what the events say).
        m_worker = &m_gw;
        int level = 1;
        while (m_alive) {
            const bool corrected = rng().chance(level == 1 ? 0.6 : 0.65);
            const qint64 checkAt =
                std::max(deadline(), m_t + 10 * kMinute) + rng().between(0, 90) * kMinute;
            if (corrected || level == 3) {
                const QByteArray payload =
                    level == 3 ? decision() : QByteArray("{\"outcome\":\"corrected\"}");
                return step(checkAt, level == 1 ? "recheck-corrected" : "feedback", m_worker->code,
                            level == 3 ? "enforcement" : "field", m_worker->device,
                            withPhoto(payload));
            }
            if (!step(checkAt, "recheck-uncorrected", m_worker->code, "field", m_worker->device,
                      withPhoto("{}")))
                return false;
            const bool skip = level == 1 && rng().chance(0.05);
            const int to = skip ? 3 : level + 1;
            const QByteArray req = "{\"to_stage\":" + QByteArray::number(to) +
                                   (skip ? ",\"skip\":true,\"reason\":\"存在安全"
                                           "隐患，直接执法\"}"
                                         : ",\"reason\":\"整改期限届满仍未改正\"}");
            if (!step(m_t + rng().between(5, 60) * kMinute, "escalate-request", "dispatcher1",
                      "dispatcher", kConsole, withCaseEvidence(req)))
                return false;
            if (rng().chance(0.1)) {
                if (!step(m_t + rng().between(10, 120) * kMinute, "escalate-reject", "supervisor1",
                          "supervisor", kConsole, "{\"reason\":\"证据不足，请补充照片\"}") ||
                    !step(m_t + rng().between(30, 240) * kMinute, "escalate-request", "dispatcher1",
                          "dispatcher", kConsole, withCaseEvidence(req)))
                    return false;
            }
            // Supervisors decide in batches: requests wait, across nights too.
            if (!step(afterWork(m_t, double(rng().between(20, 600))), "escalate-approve",
                      "supervisor1", "supervisor", kConsole))
                return false;
            level = to;
            setDue(m_t + 60 * kMinute);
            const Unit &who =
                level == 2
                    ? (rng().chance(0.6) ? m_gw
                                         : m_g.m_volunteers[std::size_t(m_d.place.community)])
                    : rng().pick(
                          m_g.m_teams[QStringLiteral("enforcement")][std::size_t(m_d.place.street)]
                              .people);
            const qint64 stageDue = afterWork(
                m_t, (level == 2 ? m_cat.ladder->persuasionDays : m_cat.ladder->enforcementDays) *
                         double(m_perDay));
            if (!step(m_t + rng().between(5, 40) * kMinute, "dispatch", "dispatcher1", "dispatcher",
                      kConsole,
                      "{\"to\":\"" + who.code + "\",\"stage\":" + QByteArray::number(level) + "}"))
                return false;
            m_worker = &who;
            setDue(stageDue);
            // The next iteration records this stage's outcome.
            if (!step(m_t + rng().between(5, 90) * kMinute, "accept", who.code,
                      level == 3 ? "enforcement" : "field", who.device))
                return false;
        }
        return false;
    }

    bool dispatch(qint64 at, bool again)
    {
        if (!step(at, "dispatch", "dispatcher1", "dispatcher", kConsole,
                  "{\"unit\":\"" + m_team.team.code + "\",\"to\":\"" + m_handler.code +
                      (again ? "\",\"redispatch\":true}" : "\"}")))
            return false;
        m_worker = &m_handler;
        setDue(afterWork(m_t, m_limitMin));
        return true;
    }

    /**
     * A plain case: dispatch to the responsible team's person, who may return it, accept it, ask
     * for more time, stall (then the supervisor shelves it) or report it handled. True when
     * resolved (awaiting verification).
     */
    bool standard(bool stuck)
    {
        if (stuck && rng().chance(0.5))
            return false; // registered but never dispatched: an overdue intake
        if (!dispatch(m_t + rng().between(5, 50) * kMinute, false))
            return false;
        if (rng().chance(0.04) &&
            step(m_t + rng().between(10, 120) * kMinute, "return", m_handler.code, "field",
                 m_handler.device, "{\"reason\":\"非本单位职责\"}")) {
            m_worker = nullptr;
            dispatch(m_t + rng().between(10, 90) * kMinute, true);
        }
        if (!m_alive || m_snap.state != CaseState::Dispatched ||
            !step(m_t + rng().between(5, 60) * kMinute, "accept", m_handler.code, "field",
                  m_handler.device))
            return false;
        if (rng().chance(0.05) &&
            step(afterWork(m_t, m_limitMin * 0.5), "extend-request", m_handler.code, "field",
                 m_handler.device, "{\"hours\":8,\"reason\":\"需协调多部门处置\"}") &&
            step(m_t + rng().between(20, 240) * kMinute, "extend-approve", "supervisor1",
                 "supervisor", kConsole)) {
            setDue(afterWork(deadline(), m_limitMin));
        }
        if (stuck && rng().chance(0.4)) {
            step(afterWork(deadline(), m_perDay * 3.0), "shelve", "supervisor1", "supervisor",
                 kConsole, "{\"reason\":\"涉及历史遗留问题，需专项整治\"}");
            return false;
        }
        if (stuck)
            return false;
        const double factor =
            rng().chance(0.12) ? rng().uniform(1.1, 3.0) : rng().uniform(0.15, 0.95);
        return step(afterWork(m_t, m_limitMin * factor), "feedback", m_handler.code, "field",
                    m_handler.device, withPhoto("{\"outcome\":\"handled\"}"));
    }

    /** Verification on site by someone other than the handler, rework, closure, a reopening. */
    void verifyAndClose()
    {
        while (m_alive) {
            const bool pass = !rng().chance(0.08);
            if (!step(afterWork(m_t, rng().between(20, 240)), pass ? "verify-pass" : "verify-fail",
                      m_verifier.code, "field", m_verifier.device,
                      withPhoto(pass ? QByteArray("{}")
                                     : QByteArray("{\"reason\":\"现场仍有问题，需返工\"}"))))
                return;
            if (!pass) {
                const Stage stage = m_snap.stage;
                step(afterWork(m_t, m_limitMin * rng().uniform(0.2, 0.8)),
                     stage == Stage::Notice ? "recheck-corrected" : "feedback",
                     m_worker ? m_worker->code : m_handler.code, "field",
                     m_worker ? m_worker->device : m_handler.device,
                     withPhoto(stage == Stage::Enforcement
                                   ? decision()
                                   : QByteArray("{\"outcome\":\"reworked\"}")));
                continue;
            }
            if (step(m_t + rng().between(5, 120) * kMinute, "close", "operator1", "operator",
                     kConsole) &&
                rng().chance(0.01) &&
                step(m_t + rng().between(1, 20) * kDay, "reopen", "operator1", "operator", kConsole,
                     "{\"reason\":\"问题复现\"}")) {
                setDue(m_t + 60 * kMinute); // a reopened ladder case keeps its stage
                m_worker = nullptr;
            }
            return;
        }
    }

    Generator &m_g;
    const CaseDraft &m_d;
    const Category &m_cat;
    std::vector<CaseEvent> &m_ev;
    const Unit &m_gw;
    const Unit &m_verifier;
    const Team &m_team;
    const Unit &m_handler;
    const Unit *m_worker = nullptr; ///< who does the field work now (the simulation's choice)
    const int m_perDay;
    const int m_limitMin;
    qint64 m_t;
    bool m_alive = true;
    CaseSnapshot m_snap;
    std::vector<QByteArray> m_evidence; ///< the case's photos so far
};

Status Generator::cases()
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
    std::vector<CaseEvent> ev;
    int lastPercent = -1;
    for (qint64 id = 1; id <= m_opt.cases; ++id) {
        const Draw &draw = draws[std::size_t(id - 1)];
        const CaseDraft d = draft(id, *draw.cat, draw.at, hotspots);
        CaseLife life(*this, d, ev);
        life.run();
        if (Status s = write(d, life.snapshot(), ev, ci, ei, fi); !s)
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

CaseDraft Generator::draft(CaseId id, const Category &cat, qint64 reportedAt,
                           const std::vector<std::pair<double, double>> &hotspots)
{
    CaseDraft d;
    d.id = id;
    d.cat = &cat;
    d.reportedAt = reportedAt;
    if (m_rng.chance(cat.ladder ? 0.75 : 0.35)) {
        const auto &h = m_rng.pick(hotspots);
        d.lon = h.first + m_rng.normal() * 150.0 / kMetresPerDegLon;
        d.lat = h.second + m_rng.normal() * 150.0 / kMetresPerDegLat;
    } else {
        d.lon = m_rng.uniform(kWest, kEast);
        d.lat = m_rng.uniform(kSouth, kNorth);
    }
    d.lon = std::clamp(d.lon, kWest + 1e-6, kEast - 1e-6);
    d.lat = std::clamp(d.lat, kSouth + 1e-6, kNorth - 1e-6);
    d.place = locate(d.lon, d.lat);
    const QByteArray &road = m_rng.pick(m_roadNames);
    d.address = m_names.streets[d.place.street].zh + road +
                QByteArray::number(m_rng.between(1, 1200)) + "号";
    if (m_rng.chance(0.4))
        d.address += "（" + m_rng.pick(m_names.landmarks) + "）";
    const auto descs = m_names.descriptions.constFind(cat.code);
    d.description = descs == m_names.descriptions.constEnd() || descs->empty() ? cat.nameZh.toUtf8()
                                                                               : m_rng.pick(*descs);
    if (cat.ladder || (cat.kind == CategoryKind::Event && m_rng.chance(0.2)))
        d.party = m_rng.pick(m_names.shops);
    const double srcRoll = m_rng.uniform();
    d.source = srcRoll < 0.35   ? "camera"
               : srcRoll < 0.70 ? "grid_worker"
               : srcRoll < 0.80 ? "patrol"
               : srcRoll < 0.95 ? "hotline"
                                : "open311";
    return d;
}

Status Generator::write(const CaseDraft &d, const CaseSnapshot &s, std::vector<CaseEvent> &ev,
                        BulkInsert &ci, BulkInsert &ei, BulkInsert &fi)
{
    // The row is the workflow's fold of the events (CaseLife folds them as they happen), written
    // as CaseRepository writes it, so a demo case row cannot disagree with its own timeline.
    QByteArray prev = genesisHash();
    DemoFacts facts;
    for (CaseEvent &e : ev) {
        e.prevHash = prev;
        prev = eventHash(e);
        facts.add(e.kind, e.at, e.payload);
    }
    const auto text = [&](const QString &v) -> BulkInsert & {
        return v.isEmpty() ? ci << nullptr : ci << v.toUtf8();
    };
    const auto number = [&](qint64 v) -> BulkInsert & {
        return v ? ci << v : ci << nullptr;
    };
    const Category &cat = *d.cat;
    ci << d.id << cat.code.toUtf8() << Names::key(s.state).toUtf8() << qint64(s.stage)
       << qint64(cat.priority) << QByteArray(d.source) << qint64(d.place.street + 1)
       << qint64(d.place.community + 1) << d.place.grid << d.address << d.description;
    if (d.party.isEmpty())
        ci << nullptr;
    else
        ci << d.party;
    ci << d.lon << d.lat << s.reportedAt;
    number(s.deadlineAt);
    number(s.closedAt);
    number(m_unitIds.value(s.assigneeUnit.isEmpty() ? s.assignee : s.assigneeUnit));
    number(m_unitIds.value(s.assignee));
    ci << qint64(s.seq) << s.updatedAt;
    ci.blob(prev);
    // What the queues read without replaying: a request left pending, the assignee, the handler.
    if (s.escalation) {
        ci << QByteArray("escalation") << s.escalation->requester.toUtf8() << s.escalation->at
           << qint64(s.escalation->toStage);
    } else if (s.extension) {
        ci << QByteArray("extension") << s.extension->requester.toUtf8() << s.extension->at
           << nullptr;
    } else {
        ci << nullptr << nullptr << nullptr << nullptr;
    }
    text(s.assignee);
    text(s.handler);
    if (Status st = ci.exec(); !st)
        return st;
    for (const CaseEvent &e : ev) {
        ei << d.id << qint64(e.seq) << e.kind.toUtf8() << e.actor.toUtf8() << e.role.toUtf8()
           << e.at << e.device.toUtf8() << e.payload;
        ei.blob(e.prevHash);
        if (Status st = ei.exec(); !st)
            return st;
    }
    const auto orNull = [&](const std::optional<qint64> &v) -> BulkInsert & {
        return v ? fi << *v : fi << nullptr;
    };
    fi << d.id << facts.reworks << facts.extensions << facts.shelves << facts.reopens
       << facts.maxStage << facts.skips;
    orNull(facts.reqStage);
    orNull(facts.reqSkip);
    fi << int(facts.late);
    orNull(facts.due);
    return fi.exec();
}

} // namespace cityops::demo
