#include "workload.h"

#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/audit.h"
#include "storage/database.h"
#include "storage/evidencestore.h"
#include "storage/syncstore.h"
#include "sync/syncengine.h"
#include "testsupport.h"
#include "workflow/workflow.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QSqlError>
#include <QSqlQuery>

#include <cstdio>
#include <set>

namespace cityops::test {

namespace {

/** Ladder and plain categories, so both kinds of lifecycle get exercised. */
const QStringList kCategories{QStringLiteral("E0401"), QStringLiteral("E0201"),
                              QStringLiteral("F0101"), QStringLiteral("E0402")};

Command argumentsFor(Action a, const CaseSnapshot &s, const Workload &w, Rng &rng,
                     CaseRepository &repo)
{
    Command c;
    c.action = a;
    c.reason = QStringLiteral("fault test %1").arg(rng.below(1000));
    switch (a) {
    case Action::Register:
        c.confirmFiling = true;
        break;
    case Action::Dispatch: {
        // Ladder stage 2 goes to a grid worker (field1), stage 3 to an enforcement officer.
        QString to = rng.pick(w.assignees);
        if (s.ladder && s.stage == Stage::Persuasion)
            to = w.assignees.value(0);
        else if (s.ladder && s.stage == Stage::Enforcement)
            to = w.assignees.value(1);
        if (const auto who = repo.findAssignee(to)) {
            c.to = who->code;
            c.toUnit = who->unitCode;
            c.toType = who->unitType;
        }
        break;
    }
    case Action::Feedback:
        if (s.stage == Stage::Enforcement)
            c.decision = QStringLiteral("沪城管罚字〔2026〕%1号").arg(rng.between(1, 999));
        c.evidence = {w.photoSha};
        break;
    case Action::VerifyPass:
    case Action::VerifyFail:
    case Action::Notice:
    case Action::RecheckCorrected:
    case Action::RecheckUncorrected:
        c.evidence = {w.photoSha};
        break;
    case Action::ExtendRequest:
        c.hours = int(rng.between(1, 16));
        break;
    case Action::EscalateRequest:
        c.toStage = int(s.stage) + 1;
        if (int(s.stage) + 2 <= int(Stage::Enforcement) && rng.chance(0.2)) {
            c.toStage = int(s.stage) + 2;
            c.skip = true;
        }
        if (!s.evidence.isEmpty())
            c.evidence = {s.evidence.first()};
        break;
    default:
        break;
    }
    return c;
}

double weight(Action a)
{
    switch (a) {
    case Action::Reject:
    case Action::Shelve:
        return 0.15;
    case Action::Deescalate:
    case Action::ExtendReject:
    case Action::EscalateReject:
        return 0.4;
    default:
        return 1.0;
    }
}

int scalar(Database &db, const QString &sql, const QVariantList &binds = {})
{
    QSqlQuery q(db.sql());
    q.prepare(sql);
    for (const QVariant &v : binds)
        q.addBindValue(v);
    return q.exec() && q.next() ? q.value(0).toInt() : -1;
}

QString inList(const QList<CaseId> &ids)
{
    QStringList parts;
    for (CaseId id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(','));
}

} // namespace

ClientCache::~ClientCache() = default;

Result<std::unique_ptr<ClientCache>> ClientCache::open(const QString &dir, const QString &user)
{
    auto c = std::make_unique<ClientCache>();
    c->dir = dir;
    c->user = user;
    auto db = Database::openDir(dir);
    if (!db)
        return Error{db.error()};
    c->db = *db;
    const auto config = WorkflowConfig::load(dir);
    if (!config)
        return Error{config.error()};
    c->workflow =
        std::make_unique<Workflow>(Catalogue::builtin(), WorkCalendar::builtin(), *config);
    c->store = std::make_unique<SyncStore>(c->db, *c->workflow);
    c->evidence = std::make_unique<EvidenceStore>(c->db, dir);
    const auto actor = c->store->repository().actorFor(user, QFileInfo(dir).fileName());
    if (!actor)
        return Error{actor.error()};
    c->actor = *actor;
    return c;
}

Result<std::unique_ptr<ClientCache>> prepareConsole(const QString &dir, const QString &user,
                                                    const QUrl &url, quint64 seed,
                                                    const QString &photo, QString *photoSha)
{
    makeDemo(dir, 0, seed);
    {
        SyncEngine signIn(dir, url);
        if (const auto s = signIn.login(user, QStringLiteral("demo")); !s)
            return Error{QStringLiteral("%1 cannot sign in: %2").arg(user, s.error())};
    }
    auto cache = ClientCache::open(dir, user);
    if (!cache)
        return cache;
    const auto sha = (*cache)->evidence->import(photo, true);
    if (!sha)
        return Error{sha.error()};
    *photoSha = *sha;
    return cache;
}

void say(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

Made randomCommand(ClientCache &client, const Workload &w, Rng &rng, const QList<CaseId> &cases,
                   qint64 now)
{
    Made m;
    const bool mayReport = Workflow::rolesFor(Action::Report).contains(client.actor.role);
    if (mayReport && (cases.isEmpty() || rng.chance(w.reportShare))) {
        ReportInput in;
        in.category = rng.pick(kCategories);
        in.lon = 121.42 + rng.uniform(0, 0.08);
        in.lat = 31.20 + rng.uniform(0, 0.062);
        in.description = QStringLiteral("故障测试上报 %1").arg(rng.below(100000));
        m.action = QStringLiteral("report");
        const Outcome o = client.store->report(in, client.actor, now, &m.commandId);
        m.caseId = o.snapshot.id;
        if (!o.ok()) {
            m.commandId.clear();
            m.localRejection = o.message();
        }
        return m;
    }
    for (int attempt = 0; attempt < 6 && !cases.isEmpty(); ++attempt) {
        const CaseId id = rng.pick(cases);
        const auto snapshot = client.store->repository().snapshot(id);
        if (!snapshot || snapshot->seq == 0)
            continue;
        QList<Action> allowed;
        for (Action a : kAllActions) {
            if (a != Action::Report && a != Action::MarkDuplicate &&
                !client.workflow->precheck(*snapshot, a, client.actor))
                allowed << a;
        }
        if (allowed.isEmpty())
            continue;
        // Actions that end or park a case are rarer, so cases get deep into their lifecycle.
        double sum = 0;
        for (Action a : allowed)
            sum += weight(a);
        double roll = rng.uniform(0, sum);
        Action a = allowed.last();
        for (Action candidate : allowed) {
            roll -= weight(candidate);
            if (roll < 0) {
                a = candidate;
                break;
            }
        }
        const Command cmd = argumentsFor(a, *snapshot, w, rng, client.store->repository());
        m.action = actionKey(a);
        m.caseId = id;
        const Outcome o = client.store->apply(id, cmd, client.actor, now, &m.commandId);
        if (!o.ok()) {
            m.commandId.clear();
            m.localRejection = o.message();
        }
        return m;
    }
    return m;
}

QList<CaseId> openCases(Database &db, int limit)
{
    QList<CaseId> out;
    QSqlQuery q(db.sql());
    q.prepare(QStringLiteral("SELECT id FROM cases WHERE state NOT IN ('closed', 'rejected') ORDER "
                             "BY id DESC LIMIT ?"));
    q.addBindValue(limit);
    if (q.exec()) {
        while (q.next())
            out << q.value(0).toLongLong();
    }
    return out;
}

QStringList caseLines(Database &db, const QList<CaseId> &ids)
{
    QStringList out;
    QSqlQuery q(db.sql());
    q.setForwardOnly(true);
    const QString where =
        ids.isEmpty() ? QString() : QStringLiteral(" WHERE id IN (%1)").arg(inList(ids));
    if (!q.exec(QStringLiteral("SELECT id, state, stage, version, hex(chain_head), "
                               "coalesce(assignee_code, ''), coalesce(pending, ''), "
                               "coalesce(pending_by, ''), coalesce(deadline_at, 0) FROM cases%1 "
                               "ORDER BY id")
                    .arg(where)))
        return {QStringLiteral("error: ") + q.lastError().text()};
    while (q.next()) {
        QStringList row;
        for (int i = 0; i < 9; ++i)
            row << q.value(i).toString();
        out << row.join(QLatin1Char('|'));
    }
    return out;
}

Accounting account(Database &platform, const QList<Tracked> &commands,
                   const QList<ClientCache *> &clients)
{
    Accounting a;
    QList<QMap<QString, OutboxEntry>> outboxes;
    for (ClientCache *c : clients) {
        QMap<QString, OutboxEntry> m;
        for (const OutboxEntry &e : c->store->entries())
            m.insert(e.commandId, e);
        outboxes << m;
    }
    QSqlQuery q(platform.sql());
    q.prepare(QStringLiteral("SELECT status, reason FROM applied_commands WHERE id = ?"));
    QSqlQuery changes(platform.sql());
    changes.prepare(QStringLiteral("SELECT count(*) FROM changes WHERE command_id = ?"));
    for (const Tracked &t : commands) {
        const auto entry = outboxes.value(t.client).value(t.commandId);
        const bool inOutbox = !entry.commandId.isEmpty();
        q.addBindValue(t.commandId);
        const bool known = q.exec() && q.next();
        const QString status = known ? q.value(0).toString() : QString();
        changes.addBindValue(t.commandId);
        const int effects = changes.exec() && changes.next() ? changes.value(0).toInt() : 0;
        auto problem = [&](int *counter, const QString &what) {
            ++*counter;
            a.problems << QStringLiteral("client %1 %2 %3: %4")
                              .arg(t.client)
                              .arg(t.action, t.commandId, what);
        };
        if (inOutbox && entry.state != QLatin1String("rejected")) {
            problem(&a.stuck, QStringLiteral("still %1 in the outbox (%2 attempts, %3)")
                                  .arg(entry.state)
                                  .arg(entry.attempts)
                                  .arg(entry.lastError));
            continue;
        }
        if (status == QLatin1String("applied")) {
            if (effects != 1)
                problem(&a.duplicated, QStringLiteral("applied with %1 changes").arg(effects));
            if (inOutbox)
                problem(&a.lost, QStringLiteral("applied, but its client shows it rejected"));
            else
                ++a.applied;
        } else if (status == QLatin1String("rejected")) {
            if (effects != 0)
                problem(&a.duplicated, QStringLiteral("rejected with %1 changes").arg(effects));
            if (inOutbox && !entry.reason.isEmpty())
                ++a.rejected;
            else
                problem(&a.lost, QStringLiteral("rejected, but its client does not show it"));
        } else {
            problem(&a.lost, QStringLiteral("unknown to the platform and not in the outbox"));
        }
    }
    // Every applied command appends exactly one event.
    const int extra = scalar(platform, QStringLiteral("SELECT count(*) FROM changes WHERE "
                                                      "version - prev_version != 1"));
    if (extra != 0) {
        a.duplicated += std::max(1, extra);
        a.problems << QStringLiteral("%1 changes append other than one event").arg(extra);
    }
    return a;
}

QStringList checkInvariants(Database &platform, const Workflow &workflow,
                            const QList<CaseId> &cases)
{
    QStringList v;
    auto db = std::shared_ptr<Database>(&platform, [](Database *) {});
    CaseRepository repo(db, workflow);
    QMap<QString, Actor> actors;
    auto actorFor = [&](const QString &user) -> std::optional<Actor> {
        if (!actors.contains(user)) {
            const auto a = repo.actorFor(user, QString());
            if (!a)
                return std::nullopt;
            actors.insert(user, *a);
        }
        return actors.value(user);
    };
    const int twice = scalar(platform, QStringLiteral("SELECT count(*) FROM (SELECT command_id "
                                                      "FROM changes WHERE command_id IS NOT NULL "
                                                      "GROUP BY command_id HAVING count(*) > 1)"));
    if (twice != 0)
        v << QStringLiteral("%1 command ids applied more than once").arg(twice);

    QSqlQuery rows(platform.sql());
    rows.setForwardOnly(true);
    const QString where =
        cases.isEmpty() ? QString() : QStringLiteral(" WHERE id IN (%1)").arg(inList(cases));
    if (!rows.exec(
            QStringLiteral("SELECT id, category, state, stage, version FROM cases%1 ORDER BY id")
                .arg(where)))
        return {QStringLiteral("cannot read cases: ") + rows.lastError().text()};
    QSqlQuery events(platform.sql());
    events.prepare(QStringLiteral("SELECT seq, kind, actor, role, at, payload FROM case_events "
                                  "WHERE case_id = ? ORDER BY seq"));
    QSqlQuery changes(platform.sql());
    changes.prepare(
        QStringLiteral("SELECT prev_version, version FROM changes WHERE case_id = ? ORDER BY seq"));
    while (rows.next()) {
        const CaseId id = rows.value(0).toLongLong();
        const QString state = rows.value(2).toString();
        const int stage = rows.value(3).toInt();
        const int version = rows.value(4).toInt();
        auto fail = [&](const QString &what) {
            v << QStringLiteral("case %1: %2").arg(id).arg(what);
        };
        // Versions: each change continues where the previous one ended, one event at a time.
        std::set<int> byCommand;
        changes.addBindValue(id);
        if (!changes.exec())
            return {changes.lastError().text()};
        int last = -1;
        while (changes.next()) {
            const int prev = changes.value(0).toInt();
            const int to = changes.value(1).toInt();
            if (to <= prev || (last >= 0 && prev != last))
                fail(QStringLiteral("change %1→%2 after version %3").arg(prev).arg(to).arg(last));
            for (int s = prev + 1; s <= to; ++s)
                byCommand.insert(s);
            last = to;
        }
        if (last >= 0 && last != version)
            fail(QStringLiteral("the last change ends at %1, the case is at %2")
                     .arg(last)
                     .arg(version));
        // Replay the timeline through the engine: every command the platform applied was legal
        // in the state its predecessors left, and the fold ends where the row says.
        CaseSnapshot s = workflow.initial(id, rows.value(1).toString());
        events.addBindValue(id);
        if (!events.exec())
            return {events.lastError().text()};
        int seq = 0;
        bool verified = false;
        while (events.next()) {
            ++seq;
            if (events.value(0).toInt() != seq)
                fail(QStringLiteral("event %1 where %2 was due")
                         .arg(events.value(0).toInt())
                         .arg(seq));
            const QString kind = events.value(1).toString();
            const QString user = events.value(2).toString();
            const QByteArray payload = events.value(5).toByteArray();
            const qint64 at = events.value(4).toLongLong();
            const int stageBefore = int(s.stage);
            const bool checked = byCommand.count(seq) > 0;
            if (checked) {
                const auto action = actionFromKey(kind);
                auto actor = actorFor(user);
                if (!action || !actor) {
                    fail(QStringLiteral("event %1: unknown action %2 or user %3")
                             .arg(seq)
                             .arg(kind, user));
                } else {
                    actor->role = Names::role(events.value(3).toString()).value_or(actor->role);
                    if (const auto r = workflow.precheck(s, *action, *actor))
                        fail(QStringLiteral("event %1 (%2 by %3) was not legal: %4")
                                 .arg(seq)
                                 .arg(kind, user, r->reason));
                    if (*action == Action::EscalateApprove && s.escalation &&
                        actor->is(s.escalation->requester))
                        fail(QStringLiteral("event %1: %2 approved their own escalation")
                                 .arg(seq)
                                 .arg(user));
                    if (*action == Action::Close && !verified)
                        fail(QStringLiteral("event %1: closed without a verification").arg(seq));
                }
            }
            Workflow::fold(s, kind, payload, user, at);
            if (kind == QLatin1String("verify-pass"))
                verified = true;
            else if (kind == QLatin1String("verify-fail") || kind == QLatin1String("reopen"))
                verified = false;
            if (checked && kind == QLatin1String("escalate-approve") &&
                int(s.stage) > stageBefore + 1 && (s.stages.isEmpty() || !s.stages.last().skip))
                fail(QStringLiteral("event %1: stage %2 → %3 without a recorded skip")
                         .arg(seq)
                         .arg(stageBefore)
                         .arg(int(s.stage)));
        }
        if (seq != version)
            fail(QStringLiteral("%1 events, version %2").arg(seq).arg(version));
        if (Names::key(s.state) != state || int(s.stage) != stage)
            fail(QStringLiteral("replay gives %1/%2, the row says %3/%4")
                     .arg(Names::key(s.state))
                     .arg(int(s.stage))
                     .arg(state)
                     .arg(stage));
        const AuditReport audit = Audit::verify(platform, id);
        if (!audit.intact)
            fail(QStringLiteral("hash chain broken at event %1: %2")
                     .arg(audit.brokenSeq)
                     .arg(audit.problem));
    }
    return v;
}

QString writePhoto(const QString &dir)
{
    QImage image(16, 16, QImage::Format_RGB32);
    image.fill(QColor(40, 120, 200));
    const QString path = QDir(dir).filePath(QStringLiteral("photo.png"));
    image.save(path, "PNG");
    return path;
}

} // namespace cityops::test
