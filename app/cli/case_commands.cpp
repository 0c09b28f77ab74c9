// cityops-cli case new, do, bulk, show, dossier: report, act on and show cases.
#include "cli.h"

#include "dossier/dossier.h"
#include "storage/casestore.h"
#include "storage/dossierstore.h"
#include "util/clock.h"
#include "util/timefmt.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include <algorithm>
#include <cstdio>

namespace cityops::cli {

namespace {

std::optional<qint64> parseWhen(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid())
        return std::nullopt;
    if (t.timeSpec() == Qt::LocalTime)
        t = QDateTime(t.date(), t.time(), QTimeZone(8 * 3600));
    return t.toMSecsSinceEpoch();
}

const QCommandLineOption kAtOpt(QStringLiteral("at"),
                                QStringLiteral("Time of the action as ISO date-time in "
                                               "Asia/Shanghai (back-filling and tests; default: "
                                               "now)."),
                                QStringLiteral("WHEN"));

/** The time of an action: --at when given (back-filling, tests), otherwise now. */
std::optional<qint64> actionTime(const QCommandLineParser &p, int *rc)
{
    if (!p.isSet(kAtOpt))
        return clientNow();
    const auto at = parseWhen(p.value(kAtOpt));
    if (!at)
        *rc = error(Tr::tr("--at \"%1\" is not an ISO date-time").arg(p.value(kAtOpt)), ExitUsage);
    return at;
}

} // namespace

int caseNew(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption category(QStringLiteral("category"),
                                      Tr::tr("Subcategory code, e.g. E0401."),
                                      QStringLiteral("CODE"));
    const QCommandLineOption lon(QStringLiteral("lon"), Tr::tr("WGS-84 longitude."),
                                 QStringLiteral("X"));
    const QCommandLineOption lat(QStringLiteral("lat"), Tr::tr("WGS-84 latitude."),
                                 QStringLiteral("Y"));
    const QCommandLineOption desc(QStringLiteral("desc"), Tr::tr("Description."),
                                  QStringLiteral("TEXT"));
    const QCommandLineOption address(QStringLiteral("address"), Tr::tr("Address."),
                                     QStringLiteral("TEXT"));
    const QCommandLineOption party(QStringLiteral("party"),
                                   Tr::tr("The party (shop or person), for recurrence."),
                                   QStringLiteral("NAME"));
    const QCommandLineOption source(
        QStringLiteral("source"),
        Tr::tr("camera, patrol, hotline, grid_worker or open311 (default patrol); a cache that "
               "syncs with a platform cannot claim camera or open311 (their channels file their "
               "own reports)."),
        QStringLiteral("SOURCE"), QStringLiteral("patrol"));
    const QCommandLineOption evidence(
        QStringLiteral("evidence"), Tr::tr("Attach a file (repeatable)."), QStringLiteral("FILE"));
    p.addOptions({category, lon, lat, desc, address, party, source, evidence, kAtOpt});
    int rc = 0;
    if (!parse(p, {QStringLiteral("case"), QStringLiteral("new")}, args, &rc))
        return rc;
    for (const auto &o : {category, lon, lat, desc}) {
        if (!p.isSet(o))
            return error(Tr::tr("--%1 is required").arg(o.names().first()), ExitUsage);
    }
    if (!Names::source(p.value(source)))
        return error(Tr::tr("unknown source \"%1\"").arg(p.value(source)), ExitUsage);
    bool okLon = false, okLat = false;
    ReportInput in;
    in.category = p.value(category);
    in.lon = p.value(lon).toDouble(&okLon);
    in.lat = p.value(lat).toDouble(&okLat);
    if (!okLon || !okLat)
        return error(Tr::tr("--lon and --lat must be numbers"), ExitUsage);
    in.description = p.value(desc);
    in.address = p.value(address);
    in.party = p.value(party);
    in.source = p.value(source);
    const auto now = actionTime(p, &rc);
    if (!now)
        return rc;
    auto s = openSession(g, true, &rc);
    if (!s)
        return rc;
    for (const QString &file : p.values(evidence)) {
        auto sha = s->evidence->import(file, false);
        if (!sha)
            return error(sha.error());
        in.evidence << *sha;
    }
    const Outcome o = s->cases->report(in, *now);
    if (!o.ok())
        return o.kind == Outcome::Rejected ? error(o.message(), ExitRejected) : s->failure(o);
    out(QString::number(o.snapshot.id));
    if (o.snapshot.linkedCase)
        std::fprintf(stderr, "%s\n",
                     qPrintable(Tr::tr("Repeats case %1; enters the ladder at stage %2.")
                                    .arg(o.snapshot.linkedCase)
                                    .arg(int(o.snapshot.stage))));
    return ExitOk;
}

namespace {

bool needsPhoto(Action a)
{
    return a == Action::Notice || a == Action::RecheckCorrected ||
           a == Action::RecheckUncorrected || a == Action::Feedback || a == Action::VerifyPass ||
           a == Action::VerifyFail;
}

QString actionHelp()
{
    return Tr::tr(
        "Actions (who may do them, see docs/workflow.md):\n"
        "  register --confirm          file a reported case (the filing condition was checked)\n"
        "  reject --reason T           do not file a report\n"
        "  dispatch --to PERSON        send to a person (unit code) of the responsible unit\n"
        "  accept                      the assignee accepts\n"
        "  return --reason T           a unit that is not responsible sends it back (回退)\n"
        "  feedback --evidence F [--decision N]   report it handled (stage 3: decision number)\n"
        "  verify-pass --evidence F    on-site check passes (not by the handler)\n"
        "  verify-fail --evidence F --reason T    on-site check fails: rework (返工)\n"
        "  close                       close a verified case (结案)\n"
        "  reopen --reason T           reopen a closed case\n"
        "  extend-request --hours N --reason T, extend-approve, extend-reject --reason T (延期)\n"
        "  shelve --reason T, resume   shelve with a written explanation (挂账), resume\n"
        "  notice --evidence F         stage 1: notice to the party with the camera photo\n"
        "  recheck-corrected --evidence F, recheck-uncorrected --evidence F\n"
        "  escalate-request --reason T [--stage N --skip] [--use-evidence SHA]...\n"
        "  escalate-approve, escalate-reject --reason T   supervisor, never the requester\n"
        "  deescalate --reason T       step back down a stage\n"
        "  mark-duplicate --duplicate-of ID   close as a duplicate of an earlier case\n");
}

} // namespace

int caseDo(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("ID"), Tr::tr("Case number."));
    p.addPositionalArgument(QStringLiteral("ACTION"), actionHelp());
    const QCommandLineOption reason(QStringLiteral("reason"), Tr::tr("Reason or explanation."),
                                    QStringLiteral("TEXT"));
    const QCommandLineOption to(QStringLiteral("to"), Tr::tr("Person (unit code) to dispatch to."),
                                QStringLiteral("UNIT_OR_PERSON"));
    const QCommandLineOption evidence(QStringLiteral("evidence"),
                                      Tr::tr("Attach a photo or file (repeatable)."),
                                      QStringLiteral("FILE"));
    const QCommandLineOption useEvidence(QStringLiteral("use-evidence"),
                                         Tr::tr("Select evidence already on the case by SHA-256 "
                                                "(repeatable; escalate-request; default: all)."),
                                         QStringLiteral("SHA"));
    const QCommandLineOption confirm(QStringLiteral("confirm"),
                                     Tr::tr("register: the filing condition was checked."));
    const QCommandLineOption stage(QStringLiteral("stage"),
                                   Tr::tr("escalate-request: target stage (default: the next)."),
                                   QStringLiteral("N"));
    const QCommandLineOption skip(QStringLiteral("skip"),
                                  Tr::tr("escalate-request: skip a stage (needs --reason)."));
    const QCommandLineOption hours(QStringLiteral("hours"),
                                   Tr::tr("extend-request: extra working hours."),
                                   QStringLiteral("N"));
    const QCommandLineOption decision(QStringLiteral("decision"),
                                      Tr::tr("feedback at stage 3: decision or penalty number."),
                                      QStringLiteral("NUMBER"));
    const QCommandLineOption duplicateOf(QStringLiteral("duplicate-of"),
                                         Tr::tr("mark-duplicate: the earlier case."),
                                         QStringLiteral("ID"));
    p.addOptions({reason, to, evidence, useEvidence, confirm, stage, skip, hours, decision,
                  duplicateOf, kAtOpt});
    p.addHelpOption();
    p.setApplicationDescription(
        QStringLiteral("case do ID ACTION\n\n") + actionHelp() +
        Tr::tr("\nExit codes: 0 applied, 3 rejected (reason on stderr), 1 error, 2 usage."));
    QStringList argv{QStringLiteral("cityops-cli case do")};
    argv += args;
    if (!p.parse(argv))
        return error(p.errorText(), ExitUsage);
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return ExitOk;
    }
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2)
        return error(Tr::tr("usage: cityops-cli --user NAME case do ID ACTION [options]"),
                     ExitUsage);
    bool ok = false;
    const CaseId id = pos.at(0).toLongLong(&ok);
    // Negative numbers are cases filed offline that the platform has not numbered yet.
    if (!ok || id == 0)
        return error(Tr::tr("\"%1\" is not a case number").arg(pos.at(0)), ExitUsage);
    const auto action = actionFromKey(pos.at(1));
    if (!action || *action == Action::Report)
        return error(Tr::tr("unknown action \"%1\"; see cityops-cli case do --help").arg(pos.at(1)),
                     ExitUsage);
    int rc = 0;
    const auto now = actionTime(p, &rc);
    if (!now)
        return rc;
    auto s = openSession(g, true, &rc);
    if (!s)
        return rc;
    Command cmd;
    cmd.action = *action;
    cmd.reason = p.value(reason);
    cmd.confirmFiling = p.isSet(confirm);
    cmd.skip = p.isSet(skip);
    cmd.decision = p.value(decision);
    cmd.duplicateOf = p.value(duplicateOf).toLongLong();
    if (p.isSet(stage)) {
        cmd.toStage = p.value(stage).toInt(&ok);
        if (!ok)
            return error(Tr::tr("--stage must be 1, 2 or 3"), ExitUsage);
    }
    if (p.isSet(hours)) {
        cmd.hours = p.value(hours).toInt(&ok);
        if (!ok)
            return error(Tr::tr("--hours must be a whole number"), ExitUsage);
    }
    if (p.isSet(to)) {
        if (!s->cases->findAssignee(p.value(to)))
            return error(Tr::tr("there is no person with the code \"%1\"").arg(p.value(to)));
        cmd.to = p.value(to);
    }
    for (const QString &file : p.values(evidence)) {
        auto sha = s->evidence->import(file, needsPhoto(*action));
        if (!sha)
            return error(sha.error());
        cmd.evidence << *sha;
    }
    if (*action == Action::EscalateRequest) {
        const auto snap = s->cases->snapshot(id);
        if (!snap)
            return error(snap.error());
        const QStringList chosen = p.values(useEvidence);
        for (const QString &prefix : chosen) {
            const auto it = std::find_if(snap->evidence.begin(), snap->evidence.end(),
                                         [&](const QString &e) { return e.startsWith(prefix); });
            if (prefix.size() < 8 || it == snap->evidence.end())
                return error(Tr::tr("case %1 has no evidence %2").arg(id).arg(prefix), ExitUsage);
            cmd.evidence << *it;
        }
        if (chosen.isEmpty())
            cmd.evidence += snap->evidence;
    }
    const Outcome o = s->cases->run(id, cmd, *now);
    if (!o.ok())
        return s->failure(o);
    out(Tr::tr("case %1: %2 → %3")
            .arg(id)
            .arg(actionKey(*action), Names::stateLabel(Names::key(o.snapshot.state))));
    return ExitOk;
}

namespace {

/**
 * A --query of case bulk: space-separated key=value terms (queue, street, category, stage,
 * source, priority, unit, grid, text), e.g. "queue=intake street=临江街道".
 */
Result<CaseQuery> parseBulkQuery(const QString &text, const CaseStore &store)
{
    CaseQuery q;
    for (const QString &term : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const qsizetype eq = term.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return Error{Tr::tr("--query: \"%1\" is not key=value").arg(term)};
        const QString key = term.left(eq);
        const QString value = term.mid(eq + 1);
        bool ok = true;
        if (key == QLatin1String("queue")) {
            const auto queue = QueueNames::fromKey(value);
            if (!queue)
                return Error{Tr::tr("--query: unknown queue \"%1\"").arg(value)};
            q.queue = *queue;
        } else if (key == QLatin1String("street")) {
            for (const auto &[id, name] : store.streets()) {
                if (name == value || QString::number(id) == value)
                    q.streetId = id;
            }
            ok = q.streetId != 0;
        } else if (key == QLatin1String("category")) {
            q.category = value;
        } else if (key == QLatin1String("stage")) {
            q.stage = value.toInt(&ok);
            ok = ok && q.stage >= 0 && q.stage <= 3;
        } else if (key == QLatin1String("source")) {
            ok = Names::source(value).has_value();
            q.source = value;
        } else if (key == QLatin1String("priority")) {
            q.priority = value.toInt(&ok);
            ok = ok && q.priority >= 1 && q.priority <= 3;
        } else if (key == QLatin1String("unit")) {
            q.unitCode = value;
        } else if (key == QLatin1String("grid")) {
            q.gridCode = value;
        } else if (key == QLatin1String("text")) {
            q.text = value;
        } else {
            return Error{Tr::tr("--query: unknown key \"%1\" (queue, street, category, stage, "
                                "source, priority, unit, grid, text)")
                             .arg(key)};
        }
        if (!ok)
            return Error{Tr::tr("--query: \"%1\" is not a valid %2").arg(value, key)};
    }
    return q;
}

} // namespace

int caseBulk(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("ACTION"),
                            Tr::tr("A workflow action, as for case do (register, dispatch, "
                                   "close, reject, shelve, …)."));
    const QCommandLineOption ids(QStringLiteral("ids"), Tr::tr("Case numbers, comma-separated."),
                                 QStringLiteral("ID,ID,…"));
    const QCommandLineOption query(
        QStringLiteral("query"),
        Tr::tr("The cases a queue filter selects: key=value terms separated by spaces (queue, "
               "street, category, stage, source, priority, unit, grid, text)."),
        QStringLiteral("TERMS"));
    const QCommandLineOption to(QStringLiteral("to"), Tr::tr("dispatch: the person (unit code)."),
                                QStringLiteral("PERSON"));
    const QCommandLineOption reason(QStringLiteral("reason"), Tr::tr("Reason or explanation."),
                                    QStringLiteral("TEXT"));
    const QCommandLineOption confirm(
        QStringLiteral("confirm"), Tr::tr("register: the filing condition was checked for each."));
    p.addOptions({ids, query, to, reason, confirm});
    p.setApplicationDescription(
        Tr::tr("ACTION (--ids ID,ID,… | --query TERMS)\n\nRuns one action over many cases, each "
               "on its own (a case the workflow refuses is listed and the others go on). With a "
               "platform the commands wait in the outbox like any other.\n\nExit codes: 0 all "
               "applied, 3 some rejected (one line each on stderr), 8 storage fault, 1 error, 2 "
               "usage."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("case"), QStringLiteral("bulk")}, args, &rc, true))
        return rc;
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1 || p.isSet(ids) == p.isSet(query))
        return error(Tr::tr("usage: cityops-cli --user NAME case bulk ACTION (--ids ID,ID,… | "
                            "--query TERMS) [--to PERSON] [--reason T] [--confirm]"),
                     ExitUsage);
    const auto action = actionFromKey(pos.at(0));
    if (!action || *action == Action::Report)
        return error(Tr::tr("unknown action \"%1\"; see cityops-cli case do --help").arg(pos.at(0)),
                     ExitUsage);
    if (*action == Action::Register && !p.isSet(confirm))
        return error(Tr::tr("register needs --confirm: the filing condition was checked for "
                            "every case"),
                     ExitUsage);
    if (*action == Action::Dispatch && !p.isSet(to))
        return error(Tr::tr("dispatch needs --to PERSON"), ExitUsage);
    auto s = openSession(g, true, &rc);
    if (!s)
        return rc;
    QList<CaseId> cases;
    if (p.isSet(ids)) {
        for (const QString &part : p.value(ids).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const CaseId id = part.trimmed().toLongLong(&ok);
            if (!ok || id == 0)
                return error(Tr::tr("--ids: \"%1\" is not a case number").arg(part), ExitUsage);
            if (!cases.contains(id))
                cases << id;
        }
    } else {
        const CaseStore store(s->db);
        auto q = parseBulkQuery(p.value(query), store);
        if (!q)
            return error(q.error(), ExitUsage);
        q->me =
            s->cases->actor().person.isEmpty() ? s->cases->actor().id : s->cases->actor().person;
        q->now = clientNow();
        const qint64 n = store.count(*q);
        for (const QueueRow &r : store.listPage(*q, CaseSort::Id, Qt::AscendingOrder, 0,
                                                int(std::min<qint64>(n, 1 << 30))))
            cases << r.id;
    }
    if (cases.isEmpty()) {
        out(Tr::tr("No cases selected; nothing done."));
        return ExitOk;
    }
    if (*action == Action::Dispatch && !s->cases->findAssignee(p.value(to)))
        return error(Tr::tr("there is no person with the code \"%1\"").arg(p.value(to)));
    Command cmd;
    cmd.action = *action;
    cmd.reason = p.value(reason);
    cmd.confirmFiling = p.isSet(confirm);
    cmd.to = p.value(to);
    const BatchResult r = s->cases->runBatch(cases, [&](qsizetype) { return cmd; });
    bool storage = false;
    for (const BatchResult::Failure &f : r.failures) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(Tr::tr("case %1: %2").arg(f.id).arg(f.outcome.message())));
        storage = storage || (f.outcome.kind == Outcome::Failed &&
                              s->db->diagnose(f.outcome.error) != StorageFault::None);
    }
    out(s->cases->isReplica()
            ? Tr::tr("%1: %2 of %3 cases applied, %4 not changed; queued in the outbox (%5 "
                     "waiting for the platform).")
                  .arg(actionKey(*action))
                  .arg(r.applied.size())
                  .arg(cases.size())
                  .arg(r.failures.size())
                  .arg(s->cases->outstandingCount())
            : Tr::tr("%1: %2 of %3 cases applied, %4 not changed.")
                  .arg(actionKey(*action))
                  .arg(r.applied.size())
                  .arg(cases.size())
                  .arg(r.failures.size()));
    if (storage)
        return ExitStorage;
    return r.failures.isEmpty() ? ExitOk : ExitRejected;
}

int caseShow(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("ID"), Tr::tr("Case number."));
    const QCommandLineOption json(QStringLiteral("json"), Tr::tr("Print JSON."));
    p.addOption(json);
    p.addHelpOption();
    QStringList argv{QStringLiteral("cityops-cli case show")};
    argv += args;
    if (!p.parse(argv))
        return error(p.errorText(), ExitUsage);
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return ExitOk;
    }
    bool ok = false;
    const CaseId id = p.positionalArguments().value(0).toLongLong(&ok);
    if (p.positionalArguments().size() != 1 || !ok)
        return error(Tr::tr("usage: cityops-cli case show ID [--json]"), ExitUsage);
    int rc = 0;
    auto s = openSession(g, false, &rc);
    if (!s)
        return rc;
    CaseStore store(s->db);
    const auto rec = store.findCase(id);
    const auto snap = s->cases->snapshot(id);
    if (!rec || !snap)
        return error(Tr::tr("there is no case %1").arg(id));
    const QList<CaseEvent> events = store.events(id);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (p.isSet(json)) {
        QJsonObject o{
            {QStringLiteral("id"), id},
            {QStringLiteral("category"), rec->categoryCode},
            {QStringLiteral("state"), Names::key(snap->state)},
            {QStringLiteral("stage"), int(snap->stage)},
            {QStringLiteral("address"), rec->address},
            {QStringLiteral("description"), rec->description},
            {QStringLiteral("reported_at"), TimeFormat::iso(snap->reportedAt)},
            {QStringLiteral("deadline_at"),
             snap->deadlineAt ? QJsonValue(TimeFormat::iso(snap->deadlineAt)) : QJsonValue()},
            {QStringLiteral("overdue"), snap->overdue(now)},
            {QStringLiteral("assignee"), snap->assignee},
            {QStringLiteral("linked_case"),
             snap->linkedCase ? QJsonValue(snap->linkedCase) : QJsonValue()},
            {QStringLiteral("evidence"), QJsonArray::fromStringList(snap->evidence)}};
        if (snap->escalation)
            o.insert(QStringLiteral("pending_escalation"),
                     QJsonObject{{QStringLiteral("requester"), snap->escalation->requester},
                                 {QStringLiteral("to_stage"), snap->escalation->toStage},
                                 {QStringLiteral("skip"), snap->escalation->skip},
                                 {QStringLiteral("reason"), snap->escalation->reason}});
        QJsonArray stages;
        for (const StageRecord &r : snap->stages)
            stages.append(QJsonObject{{QStringLiteral("stage"), r.stage},
                                      {QStringLiteral("entered_at"), TimeFormat::iso(r.enteredAt)},
                                      {QStringLiteral("requester"), r.requester},
                                      {QStringLiteral("approver"), r.approver},
                                      {QStringLiteral("skip"), r.skip},
                                      {QStringLiteral("outcome"), r.outcome}});
        o.insert(QStringLiteral("stages"), stages);
        QJsonArray tl;
        for (const CaseEvent &e : events)
            tl.append(QJsonObject{
                {QStringLiteral("seq"), e.seq},
                {QStringLiteral("kind"), e.kind},
                {QStringLiteral("actor"), e.actor},
                {QStringLiteral("role"), e.role},
                {QStringLiteral("at"), TimeFormat::iso(e.at)},
                {QStringLiteral("device"), e.device},
                {QStringLiteral("payload"), QJsonDocument::fromJson(e.payload).object()}});
        o.insert(QStringLiteral("timeline"), tl);
        out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)));
        return ExitOk;
    }
    out(Tr::tr("Case %1 · %2 %3").arg(id).arg(rec->categoryCode, rec->categoryName));
    out(Tr::tr("State:    %1").arg(Names::label(snap->state)));
    out(Tr::tr("Stage:    %1").arg(Names::label(snap->stage)));
    out(Tr::tr("Address:  %1").arg(rec->address));
    out(Tr::tr("Deadline: %1")
            .arg(snap->deadlineAt
                     ? TimeFormat::dateTime(snap->deadlineAt) + QStringLiteral(" (") +
                           TimeFormat::countdown(snap->deadlineAt, now) + QStringLiteral(")")
                     : Tr::tr("none")));
    if (!snap->assignee.isEmpty())
        out(Tr::tr("Assignee: %1").arg(snap->assignee));
    if (snap->escalation)
        out(Tr::tr("Pending:  escalation to stage %1 requested by %2")
                .arg(snap->escalation->toStage)
                .arg(snap->escalation->requester));
    for (const StageRecord &r : snap->stages)
        out(Tr::tr("  %1 from %2%3")
                .arg(Names::stageLabel(r.stage), TimeFormat::dateTime(r.enteredAt),
                     r.approver.isEmpty() ? QString()
                                          : Tr::tr(", approved by %1").arg(r.approver)));
    out(Tr::tr("Timeline:"));
    for (const CaseEvent &e : events)
        out(QStringLiteral("  %1  %2  %3 (%4)  %5")
                .arg(e.seq, 3)
                .arg(TimeFormat::dateTime(e.at), Names::eventLabel(e.kind), e.actor, e.role) +
            (e.payload.size() > 2 ? QStringLiteral("  ") + Names::payloadSummary(e.payload)
                                  : QString()));
    return ExitOk;
}

int caseDossier(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("ID"), Tr::tr("Case number."));
    const QCommandLineOption outOpt(QStringLiteral("out"), Tr::tr("The PDF file to write."),
                                    QStringLiteral("FILE.pdf"));
    p.addOption(outOpt);
    p.addHelpOption();
    QStringList argv{QStringLiteral("cityops-cli case dossier")};
    argv += args;
    if (!p.parse(argv))
        return error(p.errorText(), ExitUsage);
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return ExitOk;
    }
    int rc = 0;
    bool ok = false;
    const CaseId id = p.positionalArguments().value(0).toLongLong(&ok);
    if (p.positionalArguments().size() != 1 || !ok || !p.isSet(outOpt))
        return error(Tr::tr("usage: cityops-cli case dossier ID --out FILE.pdf"), ExitUsage);
    auto s = openSession(g, false, &rc);
    if (!s)
        return rc;
    const auto data = DossierStore(s->db, g.dataDir).load(id, QDateTime::currentMSecsSinceEpoch());
    if (!data)
        return error(data.error());
    if (Status w = Dossier::writePdf(*data, p.value(outOpt)); !w)
        return error(w.error());
    out(Tr::tr("Dossier of case %1 written to %2.").arg(id).arg(p.value(outOpt)));
    return ExitOk;
}

} // namespace cityops::cli
