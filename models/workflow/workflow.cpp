#include "workflow.h"

#include "domain/catalogue.h"
#include "domain/workcalendar.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <functional>

namespace cityops {

namespace {

constexpr qint64 kMinute = 60000;

/** Records the person behind the acting account with a request or a handling step. */
void insertPerson(QJsonObject &o, const Actor &actor)
{
    if (!actor.person.isEmpty() && actor.person != actor.id)
        o.insert(QLatin1String("person"), actor.person);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

bool stateIn(CaseState s, std::initializer_list<CaseState> set)
{
    return std::find(set.begin(), set.end(), s) != set.end();
}

Rejection reject(const char *code, const QString &reason)
{
    return {QString::fromLatin1(code), reason};
}

} // namespace

QString actionKey(Action a)
{
    switch (a) {
    case Action::Report:
        return QStringLiteral("report");
    case Action::Register:
        return QStringLiteral("register");
    case Action::Reject:
        return QStringLiteral("reject");
    case Action::Dispatch:
        return QStringLiteral("dispatch");
    case Action::Accept:
        return QStringLiteral("accept");
    case Action::Return:
        return QStringLiteral("return");
    case Action::Feedback:
        return QStringLiteral("feedback");
    case Action::VerifyPass:
        return QStringLiteral("verify-pass");
    case Action::VerifyFail:
        return QStringLiteral("verify-fail");
    case Action::Close:
        return QStringLiteral("close");
    case Action::Reopen:
        return QStringLiteral("reopen");
    case Action::ExtendRequest:
        return QStringLiteral("extend-request");
    case Action::ExtendApprove:
        return QStringLiteral("extend-approve");
    case Action::ExtendReject:
        return QStringLiteral("extend-reject");
    case Action::Shelve:
        return QStringLiteral("shelve");
    case Action::Resume:
        return QStringLiteral("resume");
    case Action::Notice:
        return QStringLiteral("notice");
    case Action::RecheckCorrected:
        return QStringLiteral("recheck-corrected");
    case Action::RecheckUncorrected:
        return QStringLiteral("recheck-uncorrected");
    case Action::EscalateRequest:
        return QStringLiteral("escalate-request");
    case Action::EscalateApprove:
        return QStringLiteral("escalate-approve");
    case Action::EscalateReject:
        return QStringLiteral("escalate-reject");
    case Action::Deescalate:
        return QStringLiteral("deescalate");
    case Action::MarkDuplicate:
        return QStringLiteral("mark-duplicate");
    }
    return {};
}

std::optional<Action> actionFromKey(const QString &key)
{
    for (Action a : kAllActions) {
        if (actionKey(a) == key)
            return a;
    }
    return std::nullopt;
}

Result<WorkflowConfig> WorkflowConfig::load(const QString &dataDir)
{
    WorkflowConfig c;
    const QString path = QDir(dataDir).filePath(QStringLiteral("workflow.json"));
    QFile f(path);
    if (!f.exists())
        return c;
    if (!f.open(QIODevice::ReadOnly))
        return Error{Workflow::tr("Cannot read %1: %2").arg(path, f.errorString())};
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error{Workflow::tr("%1 is not a JSON object: %2").arg(path, pe.errorString())};
    const QJsonObject o = doc.object();
    struct Field
    {
        const char *key;
        double lo, hi;
        std::function<void(double)> set;
    };
    const Field fields[] = {
        {"recurrence_radius_m", 1, 1000,
         [&](double v) {
             c.recurrenceRadiusMetres = v;
         }},
        {"recurrence_window_days", 1, 365,
         [&](double v) {
             c.recurrenceWindowDays = int(v);
         }},
        {"intake_minutes", 1, 1440,
         [&](double v) {
             c.intakeMinutes = int(v);
         }},
        {"intake_minutes_urgent", 1, 1440,
         [&](double v) {
             c.intakeMinutesUrgent = int(v);
         }},
        {"dispatch_minutes", 1, 1440,
         [&](double v) {
             c.dispatchMinutes = int(v);
         }},
        {"verify_working_minutes", 1, 4800,
         [&](double v) {
             c.verifyWorkingMinutes = int(v);
         }},
        {"close_minutes", 1, 1440,
         [&](double v) {
             c.closeMinutes = int(v);
         }},
        {"max_extension_hours", 1, 2000,
         [&](double v) {
             c.maxExtensionHours = int(v);
         }},
    };
    for (auto it = o.begin(); it != o.end(); ++it) {
        const Field *f2 = nullptr;
        for (const Field &fd : fields) {
            if (it.key() == QLatin1String(fd.key))
                f2 = &fd;
        }
        if (!f2)
            return Error{Workflow::tr("%1: unknown setting \"%2\"").arg(path, it.key())};
        const double v = it.value().toDouble(-1);
        if (!it.value().isDouble() || v < f2->lo || v > f2->hi)
            return Error{Workflow::tr("%1: \"%2\" must be a number from %3 to %4")
                             .arg(path, it.key())
                             .arg(f2->lo)
                             .arg(f2->hi)};
        f2->set(v);
    }
    return c;
}

Workflow::Workflow(const Catalogue &catalogue, const WorkCalendar &calendar, WorkflowConfig config)
    : m_catalogue(catalogue), m_calendar(calendar), m_config(config)
{}

CaseSnapshot Workflow::initial(CaseId id, const QString &category) const
{
    CaseSnapshot c;
    c.id = id;
    c.category = category;
    if (const Category *cat = m_catalogue.find(category)) {
        c.ladder = cat->ladder.has_value();
        c.priority = cat->priority;
    }
    return c;
}

QList<Role> Workflow::rolesFor(Action a)
{
    using R = Role;
    switch (a) {
    case Action::Report:
        return {R::Operator, R::Dispatcher, R::Supervisor, R::Field, R::Enforcement};
    case Action::Register:
    case Action::Reject:
    case Action::MarkDuplicate:
        return {R::Operator, R::Dispatcher, R::Supervisor};
    case Action::Dispatch:
        return {R::Dispatcher, R::Supervisor};
    case Action::Accept:
    case Action::Return:
    case Action::Feedback:
    case Action::ExtendRequest:
    case Action::RecheckCorrected:
    case Action::RecheckUncorrected:
        return {R::Field, R::Enforcement};
    case Action::VerifyPass:
    case Action::VerifyFail:
        return {R::Field, R::Supervisor};
    case Action::Close:
    case Action::Reopen:
        return {R::Operator, R::Supervisor};
    case Action::Notice:
        return {R::Operator, R::Dispatcher};
    case Action::EscalateRequest:
        return {R::Operator, R::Dispatcher, R::Field, R::Enforcement, R::Supervisor};
    case Action::ExtendApprove:
    case Action::ExtendReject:
    case Action::Shelve:
    case Action::Resume:
    case Action::EscalateApprove:
    case Action::EscalateReject:
    case Action::Deescalate:
        return {R::Supervisor};
    }
    return {};
}

std::optional<Rejection> Workflow::precheck(const CaseSnapshot &c, Action a,
                                            const Actor &actor) const
{
    const QString what = actionKey(a);
    if (!rolesFor(a).contains(actor.role))
        return reject("role", tr("A %1 may not %2.").arg(Names::label(actor.role), what));
    if (a == Action::Report) {
        if (c.seq != 0)
            return reject("state", tr("Case %1 has already been reported.").arg(c.id));
        return std::nullopt;
    }
    if (c.seq == 0)
        return reject("state", tr("Case %1 does not exist.").arg(c.id));
    if (c.state == CaseState::Closed && a != Action::Reopen)
        return reject("closed", tr("Case %1 is closed; it can only be reopened.").arg(c.id));
    const QString state = Names::label(c.state);
    auto wrongState = [&] {
        return reject("state", tr("Cannot %1 a case that is \"%2\".").arg(what, state));
    };
    auto notLadder = [&] {
        return reject("ladder",
                      tr("Category %1 does not use the escalation ladder.").arg(c.category));
    };
    switch (a) {
    case Action::Report:
        break;
    case Action::Register:
    case Action::Reject:
        if (c.state != CaseState::Reported)
            return wrongState();
        break;
    case Action::Dispatch:
        if (!stateIn(c.state, {CaseState::Registered, CaseState::Returned}))
            return wrongState();
        if (c.ladder && c.stage == Stage::Notice)
            return reject("ladder", tr("At stage 1 the party is notified, not dispatched; "
                                       "issue a notice or request escalation."));
        break;
    case Action::Accept:
        if (c.state != CaseState::Dispatched)
            return wrongState();
        if (!actor.is(c.assignee))
            return reject(
                "actor",
                tr("Only %1, to whom the case was dispatched, can accept it.").arg(c.assignee));
        break;
    case Action::Return:
        if (!stateIn(c.state, {CaseState::Dispatched, CaseState::Handling}))
            return wrongState();
        if (!actor.is(c.assignee))
            return reject(
                "actor",
                tr("Only %1, to whom the case was dispatched, can return it.").arg(c.assignee));
        break;
    case Action::Feedback:
        if (c.state != CaseState::Handling)
            return wrongState();
        if (c.stage == Stage::Notice)
            return reject("ladder", tr("At stage 1 record the re-check outcome instead."));
        if (!actor.is(c.assignee))
            return reject(
                "actor", tr("Only %1, who handles the case, can report feedback.").arg(c.assignee));
        break;
    case Action::VerifyPass:
    case Action::VerifyFail:
        if (c.state != CaseState::Feedback)
            return wrongState();
        if (actor.isSamePerson(c.handler, c.handlerPerson) || actor.is(c.assignee))
            return reject("actor", tr("The verifier must be someone other than the handler "
                                      "(%1).")
                                       .arg(c.handler.isEmpty() ? c.assignee : c.handler));
        break;
    case Action::Close:
        if (c.state != CaseState::Verified)
            return wrongState();
        break;
    case Action::Reopen:
        if (c.state != CaseState::Closed)
            return wrongState();
        break;
    case Action::ExtendRequest:
        if (!stateIn(c.state, {CaseState::Dispatched, CaseState::Handling}))
            return wrongState();
        if (!actor.is(c.assignee))
            return reject(
                "actor",
                tr("Only %1, who handles the case, can ask for an extension.").arg(c.assignee));
        if (c.extension)
            return reject("pending", tr("An extension request is already pending."));
        break;
    case Action::ExtendApprove:
    case Action::ExtendReject:
        if (!c.extension)
            return reject("pending", tr("There is no pending extension request."));
        if (actor.isSamePerson(c.extension->requester, c.extension->requesterPerson))
            return reject("actor", tr("The person who asked cannot decide their own request."));
        break;
    case Action::Shelve:
        if (!stateIn(c.state, {CaseState::Registered, CaseState::Dispatched, CaseState::Handling,
                               CaseState::Returned}))
            return wrongState();
        break;
    case Action::Resume:
        if (c.state != CaseState::Shelved)
            return wrongState();
        break;
    case Action::Notice:
        if (!c.ladder)
            return notLadder();
        if (c.state != CaseState::Registered || c.stage > Stage::Notice)
            return wrongState();
        break;
    case Action::RecheckCorrected:
    case Action::RecheckUncorrected:
        if (!c.ladder)
            return notLadder();
        if (c.stage == Stage::None || c.state != CaseState::Handling)
            return wrongState();
        if (c.stage > Stage::Notice && !actor.is(c.assignee))
            return reject(
                "actor",
                tr("Only %1, who handles this stage, can record its outcome.").arg(c.assignee));
        if (a == Action::RecheckUncorrected && c.awaitingEscalation)
            return reject("state", tr("This stage's outcome is already recorded; request "
                                      "escalation."));
        break;
    case Action::EscalateRequest:
        if (!c.ladder)
            return notLadder();
        if (!stateIn(c.state, {CaseState::Registered, CaseState::Dispatched, CaseState::Handling}))
            return wrongState();
        if (c.escalation)
            return reject("pending", tr("An escalation request is already pending."));
        if (c.stage == Stage::Enforcement)
            return reject("ladder", tr("The case is already at the last stage."));
        break;
    case Action::EscalateApprove:
    case Action::EscalateReject:
        if (!c.escalation)
            return reject("pending", tr("There is no pending escalation request."));
        if (actor.isSamePerson(c.escalation->requester, c.escalation->requesterPerson))
            return reject("actor", tr("The person who asked cannot decide their own request."));
        break;
    case Action::MarkDuplicate:
        if (!stateIn(c.state, {CaseState::Reported, CaseState::Registered}))
            return wrongState();
        break;
    case Action::Deescalate:
        if (!c.ladder)
            return notLadder();
        if (c.stage < Stage::Persuasion)
            return reject("ladder", tr("There is no lower stage to step down to."));
        if (!stateIn(c.state, {CaseState::Registered, CaseState::Dispatched, CaseState::Handling}))
            return wrongState();
        if (c.escalation)
            return reject("pending", tr("Decide the pending escalation request first."));
        break;
    }
    return std::nullopt;
}

qint64 Workflow::stageLimitMinutes(const CaseSnapshot &c, int stage) const
{
    const Category *cat = m_catalogue.find(c.category);
    const int perDay = m_calendar.workingMinutesPerDay();
    if (!cat)
        return perDay;
    if (cat->ladder && stage == 1)
        return cat->ladder->noticeHours * 60;
    if (cat->ladder && stage == 2)
        return qint64(cat->ladder->persuasionDays) * perDay;
    if (cat->ladder && stage == 3)
        return qint64(cat->ladder->enforcementDays) * perDay;
    return cat->limitMinutes(perDay);
}

Workflow::Decision Workflow::decide(const CaseSnapshot &c, const Command &cmd, const Actor &actor,
                                    qint64 now) const
{
    if (auto r = precheck(c, cmd.action, actor))
        return *r;
    auto needReason = [&]() -> std::optional<Rejection> {
        if (cmd.reason.trimmed().isEmpty())
            return reject("argument", tr("%1 needs a reason.").arg(actionKey(cmd.action)));
        return std::nullopt;
    };
    auto needEvidence = [&]() -> std::optional<Rejection> {
        if (cmd.evidence.isEmpty())
            return reject("argument", tr("%1 needs photo evidence.").arg(actionKey(cmd.action)));
        return std::nullopt;
    };
    auto working = [&](qint64 from, qint64 minutes) {
        return m_calendar.addWorkingMinutes(from, minutes);
    };
    const int stage = int(c.stage);
    QJsonObject o;
    if (!cmd.evidence.isEmpty())
        o.insert(QLatin1String("evidence"), QJsonArray::fromStringList(cmd.evidence));

    switch (cmd.action) {
    case Action::Report: {
        const Category *cat = m_catalogue.find(c.category);
        if (!cat)
            return reject("argument", tr("Unknown category %1.").arg(c.category));
        o.insert(QLatin1String("category"), c.category);
        if (!cmd.source.isEmpty())
            o.insert(QLatin1String("source"), cmd.source);
        if (cmd.linkedCase) {
            o.insert(QLatin1String("linked"), cmd.linkedCase);
            if (cat->ladder && cmd.entryStage > 0)
                o.insert(QLatin1String("entry_stage"), std::clamp(cmd.entryStage, 1, 3));
        }
        o.insert(QLatin1String("due"), now + (cat->priority == 1 ? m_config.intakeMinutesUrgent
                                                                 : m_config.intakeMinutes) *
                                                 kMinute);
        break;
    }
    case Action::Register:
        if (!cmd.confirmFiling) {
            const Category *cat = m_catalogue.find(c.category);
            return reject("argument", tr("Confirm the filing condition first: %1")
                                          .arg(cat ? cat->filingCondition : c.category));
        }
        o.insert(QLatin1String("due"), now + m_config.dispatchMinutes * kMinute);
        break;
    case Action::Reject:
    case Action::Shelve:
    case Action::ExtendReject:
    case Action::EscalateReject:
    case Action::Reopen:
    case Action::Return:
    case Action::Deescalate:
        if (auto r = needReason())
            return *r;
        o.insert(QLatin1String("reason"), cmd.reason.trimmed());
        if (cmd.action == Action::Shelve)
            o.insert(QLatin1String("remaining"),
                     std::max<qint64>(0, c.deadlineAt
                                             ? m_calendar.workingMinutesBetween(now, c.deadlineAt)
                                             : 0));
        if (cmd.action == Action::ExtendReject)
            o.insert(QLatin1String("requester"), c.extension->requester);
        if (cmd.action == Action::EscalateReject)
            o.insert(QLatin1String("requester"), c.escalation->requester);
        if (cmd.action == Action::Reopen || cmd.action == Action::Return)
            o.insert(QLatin1String("due"), now + m_config.dispatchMinutes * kMinute);
        if (cmd.action == Action::Deescalate) {
            o.insert(QLatin1String("to_stage"), stage - 1);
            o.insert(QLatin1String("due"), now + m_config.dispatchMinutes * kMinute);
        }
        break;
    case Action::Dispatch: {
        if (cmd.to.trimmed().isEmpty())
            return reject("argument", tr("dispatch needs a person to send the case to."));
        const bool community =
            cmd.toType == QLatin1String("grid_worker") || cmd.toType == QLatin1String("volunteer");
        if (c.stage == Stage::Persuasion && !community)
            return reject("argument", tr("Stage 2 is carried out by a grid worker or a "
                                         "volunteer, not by %1.")
                                          .arg(cmd.to));
        // Soft before hard: on a ladder category an enforcement team is sent only at stage 3,
        // reached through an approved escalation (or an approved, flagged skip).
        if (c.ladder && c.stage != Stage::Enforcement && cmd.toType == QLatin1String("enforcement"))
            return reject("ladder",
                          tr("%1 is an enforcement officer; on category %2 enforcement comes only "
                             "at stage 3, after an approved escalation (request one, or a skip "
                             "with its reason).")
                              .arg(cmd.to, c.category));
        if (c.stage == Stage::Persuasion) {
            // Persuasion is local: the case's own community; another community of the same
            // street with a recorded reason; never another street.
            if (c.street && cmd.toStreet && cmd.toStreet != c.street)
                return reject("locality",
                              tr("%1 belongs to another street; community persuasion is done by "
                                 "the grid workers and volunteers of the case's own street.")
                                  .arg(cmd.to));
            if (c.community && cmd.toCommunity && cmd.toCommunity != c.community) {
                if (cmd.reason.trimmed().isEmpty())
                    return Rejection{QStringLiteral("locality"),
                                     tr("%1 belongs to another community of this street; give "
                                        "the reason for not sending the case's own community.")
                                         .arg(cmd.to)};
                o.insert(QLatin1String("reason"), cmd.reason.trimmed());
                o.insert(QLatin1String("outside_community"), true);
            }
        }
        if (c.stage == Stage::Enforcement && cmd.toType != QLatin1String("enforcement"))
            return reject(
                "argument",
                tr("Stage 3 is carried out by an enforcement team, not by %1.").arg(cmd.to));
        o.insert(QLatin1String("to"), cmd.to.trimmed());
        if (!cmd.toUnit.isEmpty())
            o.insert(QLatin1String("unit"), cmd.toUnit);
        if (!cmd.toType.isEmpty())
            o.insert(QLatin1String("type"), cmd.toType);
        if (stage > 0)
            o.insert(QLatin1String("stage"), stage);
        if (c.stage == Stage::Enforcement)
            o.insert(QLatin1String("bundle"), QJsonArray::fromStringList(c.evidence));
        o.insert(QLatin1String("due"), working(now, stageLimitMinutes(c, stage)));
        break;
    }
    case Action::Accept:
    case Action::Close:
        if (cmd.action == Action::Close)
            o.remove(QLatin1String("evidence"));
        break;
    case Action::Feedback:
        if (auto r = needEvidence())
            return *r;
        if (c.stage == Stage::Enforcement && cmd.decision.trimmed().isEmpty())
            return reject("argument", tr("At the enforcement stage, feedback needs the decision "
                                         "or penalty number."));
        if (!cmd.decision.trimmed().isEmpty())
            o.insert(QLatin1String("decision"), cmd.decision.trimmed());
        o.insert(QLatin1String("due"), working(now, m_config.verifyWorkingMinutes));
        insertPerson(o, actor);
        break;
    case Action::VerifyPass:
        if (auto r = needEvidence())
            return *r;
        o.insert(QLatin1String("due"), now + m_config.closeMinutes * kMinute);
        break;
    case Action::VerifyFail:
        if (auto r = needEvidence())
            return *r;
        if (auto r = needReason())
            return *r;
        o.insert(QLatin1String("reason"), cmd.reason.trimmed());
        o.insert(QLatin1String("due"), working(now, stageLimitMinutes(c, stage)));
        break;
    case Action::ExtendRequest:
        if (auto r = needReason())
            return *r;
        if (cmd.hours < 1 || cmd.hours > m_config.maxExtensionHours)
            return reject(
                "argument",
                tr("An extension is from 1 to %1 working hours.").arg(m_config.maxExtensionHours));
        o.insert(QLatin1String("reason"), cmd.reason.trimmed());
        o.insert(QLatin1String("hours"), cmd.hours);
        insertPerson(o, actor);
        break;
    case Action::ExtendApprove:
        o.insert(QLatin1String("requester"), c.extension->requester);
        o.insert(QLatin1String("hours"), c.extension->hours);
        o.insert(QLatin1String("due"),
                 working(std::max(c.deadlineAt, now), qint64(c.extension->hours) * 60));
        break;
    case Action::Resume:
        o.insert(QLatin1String("due"), working(now, std::max<qint64>(1, c.remainingMinutes)));
        break;
    case Action::Notice: {
        if (auto r = needEvidence())
            return *r;
        o.insert(QLatin1String("due"), working(now, stageLimitMinutes(c, 1)));
        break;
    }
    case Action::RecheckCorrected:
        if (auto r = needEvidence())
            return *r;
        o.insert(QLatin1String("due"), working(now, m_config.verifyWorkingMinutes));
        insertPerson(o, actor);
        break;
    case Action::RecheckUncorrected:
        if (auto r = needEvidence())
            return *r;
        break;
    case Action::EscalateRequest: {
        if (auto r = needReason())
            return *r;
        const int to = cmd.toStage ? cmd.toStage : stage + 1;
        if (to <= stage || to > 3 || to < 2)
            return reject("argument", tr("The case is at stage %1; escalation goes to a higher "
                                         "stage, 2 or 3.")
                                          .arg(stage));
        if (to > stage + 1 && !cmd.skip)
            return reject("argument", tr("Going from stage %1 to stage %2 skips a stage; mark "
                                         "the request as a skip and give the reason.")
                                          .arg(stage)
                                          .arg(to));
        if (to == stage + 1 && !c.awaitingEscalation)
            return reject("state", tr("Stage %1 has no \"not corrected\" outcome yet.").arg(stage));
        for (const QString &e : cmd.evidence) {
            if (!c.evidence.contains(e))
                return reject("argument",
                              tr("Evidence %1 does not belong to this case.").arg(e.left(12)));
        }
        if (!c.evidence.isEmpty() && cmd.evidence.isEmpty())
            return reject("argument", tr("Select the evidence that supports the escalation."));
        o.insert(QLatin1String("reason"), cmd.reason.trimmed());
        o.insert(QLatin1String("to_stage"), to);
        if (to > stage + 1)
            o.insert(QLatin1String("skip"), true);
        insertPerson(o, actor);
        break;
    }
    case Action::MarkDuplicate:
        if (cmd.duplicateOf <= 0 || cmd.duplicateOf == c.id)
            return reject("argument", tr("Name the earlier case this one duplicates."));
        o.insert(QLatin1String("duplicate_of"), cmd.duplicateOf);
        break;
    case Action::EscalateApprove:
        o.remove(QLatin1String("evidence"));
        o.insert(QLatin1String("requester"), c.escalation->requester);
        o.insert(QLatin1String("to_stage"), c.escalation->toStage);
        if (c.escalation->skip)
            o.insert(QLatin1String("skip"), true);
        o.insert(QLatin1String("due"), now + m_config.dispatchMinutes * kMinute);
        break;
    }
    return QList<NewEvent>{{actionKey(cmd.action), compact(o), now}};
}

void Workflow::fold(CaseSnapshot &c, const QString &kind, const QByteArray &payload,
                    const QString &actor, qint64 at)
{
    const QJsonObject o = QJsonDocument::fromJson(payload).object();
    ++c.seq;
    c.updatedAt = at;
    if (o.contains(QLatin1String("due")))
        c.deadlineAt = o.value(QLatin1String("due")).toInteger();
    for (const QJsonValue &e : o.value(QLatin1String("evidence")).toArray()) {
        if (!c.evidence.contains(e.toString()))
            c.evidence.append(e.toString());
    }
    const std::optional<Action> a = actionFromKey(kind);
    if (!a)
        return; // an event of a newer version: recorded, no effect here
    auto stageRecord = [&](int stage, const QString &requester, const QString &approver,
                           bool skip) {
        c.stages.append({stage, at, requester, approver, skip, QString()});
    };
    auto setOutcome = [&](const char *outcome) {
        if (!c.stages.isEmpty())
            c.stages.last().outcome = QLatin1String(outcome);
    };
    switch (*a) {
    case Action::Report:
        c.state = CaseState::Reported;
        c.reportedAt = at;
        c.reporter = actor;
        c.linkedCase = o.value(QLatin1String("linked")).toInteger();
        if (const int s = o.value(QLatin1String("entry_stage")).toInt(); s > 0) {
            c.stage = Stage(s);
            stageRecord(s, QString(), QString(), false);
        }
        break;
    case Action::Register:
        c.state = CaseState::Registered;
        break;
    case Action::Reject:
        c.state = CaseState::Rejected;
        c.closedAt = at;
        c.deadlineAt = 0;
        break;
    case Action::Dispatch:
        c.state = CaseState::Dispatched;
        c.extension.reset(); // a request belongs to the person who made it
        c.assignee = o.value(QLatin1String("to")).toString();
        c.assigneeUnit = o.value(QLatin1String("unit")).toString();
        c.handler.clear();
        c.handlerPerson.clear();
        break;
    case Action::Accept:
        c.state = CaseState::Handling;
        break;
    case Action::Return:
        c.state = CaseState::Returned;
        c.extension.reset();
        c.assignee.clear();
        c.assigneeUnit.clear();
        break;
    case Action::Feedback:
    case Action::RecheckCorrected:
        // Resolved at this stage: an open request to escalate or extend has nothing left to do.
        c.state = CaseState::Feedback;
        c.escalation.reset();
        c.extension.reset();
        c.handler = actor;
        c.handlerPerson = o.value(QLatin1String("person")).toString();
        if (c.stage != Stage::None)
            setOutcome("corrected");
        break;
    case Action::VerifyPass:
        c.state = CaseState::Verified;
        break;
    case Action::VerifyFail:
        c.state = CaseState::Handling;
        ++c.reworks;
        c.handler.clear();
        c.handlerPerson.clear();
        break;
    case Action::Close:
        c.state = CaseState::Closed;
        c.closedAt = at;
        c.escalation.reset();
        c.extension.reset();
        break;
    case Action::Reopen:
        c.state = CaseState::Registered;
        c.closedAt = 0;
        c.assignee.clear();
        c.assigneeUnit.clear();
        c.handler.clear();
        c.handlerPerson.clear();
        break;
    case Action::ExtendRequest:
        c.extension = ExtensionRequest{actor, o.value(QLatin1String("hours")).toInt(),
                                       o.value(QLatin1String("reason")).toString(), at,
                                       o.value(QLatin1String("person")).toString()};
        break;
    case Action::ExtendApprove:
        c.extension.reset();
        ++c.extensions;
        break;
    case Action::ExtendReject:
        c.extension.reset();
        break;
    case Action::Shelve:
        c.shelvedFrom = c.state;
        c.remainingMinutes = o.value(QLatin1String("remaining")).toInteger();
        c.state = CaseState::Shelved;
        c.escalation.reset();
        c.extension.reset();
        c.everShelved = true;
        c.deadlineAt = 0;
        break;
    case Action::Resume:
        c.state = c.shelvedFrom;
        break;
    case Action::Notice:
        c.state = CaseState::Handling;
        if (c.stage != Stage::Notice || c.stages.isEmpty())
            stageRecord(1, QString(), QString(), false);
        c.stage = Stage::Notice;
        c.noticed = true;
        c.awaitingEscalation = false;
        c.assignee.clear();
        c.assigneeUnit.clear();
        break;
    case Action::RecheckUncorrected:
        c.awaitingEscalation = true;
        setOutcome("uncorrected");
        break;
    case Action::EscalateRequest: {
        QStringList ev;
        for (const QJsonValue &e : o.value(QLatin1String("evidence")).toArray())
            ev.append(e.toString());
        c.escalation = EscalationRequest{actor,
                                         o.value(QLatin1String("to_stage")).toInt(),
                                         o.value(QLatin1String("skip")).toBool(),
                                         o.value(QLatin1String("reason")).toString(),
                                         ev,
                                         at,
                                         o.value(QLatin1String("person")).toString()};
        break;
    }
    case Action::EscalateApprove: {
        const int to = o.value(QLatin1String("to_stage"))
                           .toInt(c.escalation ? c.escalation->toStage : int(c.stage) + 1);
        const QString requester =
            c.escalation ? c.escalation->requester : o.value(QLatin1String("requester")).toString();
        c.stage = Stage(std::clamp(to, 1, 3));
        c.state = CaseState::Registered;
        c.awaitingEscalation = false;
        stageRecord(int(c.stage), requester, actor, o.value(QLatin1String("skip")).toBool());
        c.escalation.reset();
        c.assignee.clear();
        break;
    }
    case Action::EscalateReject:
        c.escalation.reset();
        break;
    case Action::MarkDuplicate:
        c.state = CaseState::Closed;
        c.closedAt = at;
        c.duplicateOf = o.value(QLatin1String("duplicate_of")).toInteger();
        break;
    case Action::Deescalate:
        setOutcome("stepped-down");
        c.stage = Stage(std::clamp(o.value(QLatin1String("to_stage")).toInt(), 1, 3));
        c.state = CaseState::Registered;
        c.awaitingEscalation = false;
        c.noticed = false;
        stageRecord(int(c.stage), QString(), actor, false);
        c.assignee.clear();
        break;
    }
}

} // namespace cityops
