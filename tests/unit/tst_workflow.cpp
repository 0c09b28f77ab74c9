// The case workflow engine: every (state, action, role) against the written rules, focused walks
// through the ladder and the closed loop, and random histories that must keep the invariants.
#include "domain/catalogue.h"
#include "domain/eventchain.h"
#include "domain/types.h"
#include "domain/workcalendar.h"
#include "util/rng.h"
#include "workflow/workflow.h"

#include <QDateTime>
#include <QDebug>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

#include <utility>
#include <variant>
#include <vector>

using namespace cityops;

namespace {

constexpr qint64 kMinute = 60000;
constexpr qint64 kHour = 60 * kMinute;
constexpr char kLadder[] = "E0401"; ///< 占道经营: runs the escalation ladder
constexpr char kPlain[] = "E0101";  ///< 暴露垃圾: no ladder
constexpr int kSequences = 10000;
constexpr int kSteps = 25;

qint64 at(int y, int m, int d, int h, int min)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), QTimeZone(8 * 3600)).toMSecsSinceEpoch();
}

/** Monday 2026-11-23 10:00 in Shanghai: a working morning. */
qint64 fixedNow()
{
    return at(2026, 11, 23, 10, 0);
}

qint64 later(qint64 &t, qint64 minutes = 5)
{
    t += minutes * kMinute;
    return t;
}

const Workflow &engine()
{
    static const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
    return wf;
}

// ---- The written rules (docs of the product), independent of Workflow::rolesFor/precheck ----

struct Rule
{
    Action action;
    QList<Role> roles;
    QList<CaseState> states;
};

const QList<Rule> &rules()
{
    using R = Role;
    using S = CaseState;
    static const QList<CaseState> notClosed = {S::Reported, S::Registered, S::Dispatched,
                                               S::Handling, S::Feedback,   S::Verified,
                                               S::Returned, S::Shelved,    S::Rejected};
    static const QList<Rule> table = {
        {Action::Register, {R::Operator, R::Dispatcher, R::Supervisor}, {S::Reported}},
        {Action::Reject, {R::Operator, R::Dispatcher, R::Supervisor}, {S::Reported}},
        {Action::Dispatch, {R::Dispatcher, R::Supervisor}, {S::Registered, S::Returned}},
        {Action::Accept, {R::Field, R::Enforcement}, {S::Dispatched}},
        {Action::Return, {R::Field, R::Enforcement}, {S::Dispatched, S::Handling}},
        {Action::Feedback, {R::Field, R::Enforcement}, {S::Handling}},
        {Action::VerifyPass, {R::Field, R::Supervisor}, {S::Feedback}},
        {Action::VerifyFail, {R::Field, R::Supervisor}, {S::Feedback}},
        {Action::Close, {R::Operator, R::Supervisor}, {S::Verified}},
        {Action::Reopen, {R::Operator, R::Supervisor}, {S::Closed}},
        {Action::ExtendRequest, {R::Field, R::Enforcement}, {S::Dispatched, S::Handling}},
        {Action::ExtendApprove, {R::Supervisor}, notClosed},
        {Action::ExtendReject, {R::Supervisor}, notClosed},
        {Action::Shelve, {R::Supervisor}, {S::Registered, S::Dispatched, S::Handling, S::Returned}},
        {Action::Resume, {R::Supervisor}, {S::Shelved}},
        {Action::Notice, {R::Operator, R::Dispatcher}, {S::Registered}},
        {Action::RecheckCorrected, {R::Field, R::Enforcement}, {S::Handling}},
        {Action::RecheckUncorrected, {R::Field, R::Enforcement}, {S::Handling}},
        {Action::EscalateRequest,
         {R::Operator, R::Dispatcher, R::Field, R::Enforcement, R::Supervisor},
         {S::Registered, S::Dispatched, S::Handling}},
        {Action::EscalateApprove, {R::Supervisor}, notClosed},
        {Action::EscalateReject, {R::Supervisor}, notClosed},
        {Action::Deescalate, {R::Supervisor}, {S::Registered, S::Dispatched, S::Handling}},
        {Action::MarkDuplicate,
         {R::Operator, R::Dispatcher, R::Supervisor},
         {S::Reported, S::Registered}},
    };
    return table;
}

const Rule &rule(Action a)
{
    for (const Rule &r : rules()) {
        if (r.action == a)
            return r;
    }
    qFatal("no written rule for %s", qPrintable(actionKey(a)));
}

/** The written outcome; the auditor appears in no rule, and a closed case only reopens. */
bool allowed(Action a, CaseState s, Role r)
{
    const Rule &w = rule(a);
    return w.roles.contains(r) && w.states.contains(s) &&
           (s != CaseState::Closed || a == Action::Reopen);
}

/** Row names of the matrix (written out here so they never depend on Names). */
const char *stateName(CaseState s)
{
    switch (s) {
    case CaseState::Reported:
        return "reported";
    case CaseState::Registered:
        return "registered";
    case CaseState::Dispatched:
        return "dispatched";
    case CaseState::Handling:
        return "handling";
    case CaseState::Feedback:
        return "feedback";
    case CaseState::Verified:
        return "verified";
    case CaseState::Closed:
        return "closed";
    case CaseState::Returned:
        return "returned";
    case CaseState::Shelved:
        return "shelved";
    case CaseState::Rejected:
        return "rejected";
    }
    return "?";
}

const char *roleName(Role r)
{
    switch (r) {
    case Role::Operator:
        return "operator";
    case Role::Dispatcher:
        return "dispatcher";
    case Role::Supervisor:
        return "supervisor";
    case Role::Field:
        return "field";
    case Role::Enforcement:
        return "enforcement";
    case Role::Auditor:
        return "auditor";
    }
    return "?";
}

bool ladderAction(Action a)
{
    switch (a) {
    case Action::Notice:
    case Action::RecheckCorrected:
    case Action::RecheckUncorrected:
    case Action::EscalateRequest:
    case Action::EscalateApprove:
    case Action::EscalateReject:
    case Action::Deescalate:
        return true;
    default:
        return false;
    }
}

Actor who(const QString &id, Role role)
{
    return Actor{id, role, QString(), QStringLiteral("test")};
}

/** A snapshot built directly (no folding) in which `a` is possible as far as its state allows. */
CaseSnapshot matrixSnapshot(const Workflow &wf, Action a, CaseState state, qint64 now)
{
    CaseSnapshot s = wf.initial(7, ladderAction(a) ? kLadder : kPlain);
    s.seq = 3;
    s.state = state;
    s.reportedAt = now - kHour;
    s.deadlineAt = now + kHour;
    s.assignee = QStringLiteral("P1");
    s.assigneeUnit = QStringLiteral("T1");
    s.handler = QStringLiteral("H1");
    s.evidence = {QStringLiteral("e1")};
    switch (a) {
    case Action::Notice:
        s.stage = Stage::None;
        break;
    case Action::RecheckCorrected:
    case Action::RecheckUncorrected:
        s.stage = Stage::Notice;
        break;
    case Action::EscalateRequest:
        s.stage = Stage::Notice;
        s.awaitingEscalation = true;
        break;
    case Action::Deescalate:
        s.stage = Stage::Persuasion;
        break;
    case Action::ExtendApprove:
    case Action::ExtendReject:
        s.extension = ExtensionRequest{QStringLiteral("R1"), 4, QStringLiteral("r"), now, {}};
        break;
    case Action::EscalateApprove:
    case Action::EscalateReject:
        s.stage = Stage::Notice;
        s.escalation = EscalationRequest{QStringLiteral("R1"),   2,   false, QStringLiteral("r"),
                                         {QStringLiteral("e1")}, now, {}};
        break;
    default:
        s.stage = Stage::None;
        break;
    }
    return s;
}

/** A command with every argument any action needs, all valid. */
Command fullCommand(Action a)
{
    Command c;
    c.action = a;
    c.reason = QStringLiteral("reason");
    c.evidence = {QStringLiteral("e1")};
    c.to = QStringLiteral("P2");
    c.toUnit = QStringLiteral("T2");
    c.toType = QStringLiteral("enforcement");
    c.confirmFiling = true;
    c.hours = 4;
    c.decision = QStringLiteral("D-1");
    c.toStage = 0;
    c.duplicateOf = 99;
    return c;
}

/** The assignee for the handler's actions, a verifier for verification, else a bystander. */
Actor matrixActor(Action a, Role role)
{
    switch (a) {
    case Action::Accept:
    case Action::Return:
    case Action::Feedback:
    case Action::ExtendRequest:
    case Action::RecheckCorrected:
    case Action::RecheckUncorrected:
        return who(QStringLiteral("P1"), role);
    case Action::VerifyPass:
    case Action::VerifyFail:
        return who(QStringLiteral("V1"), role);
    default:
        return who(QStringLiteral("S2"), role);
    }
}

// ---- Walking real sequences ----

/** A command under construction: Cmd(Action::Notice).with({"e1"}). */
struct Cmd : Command
{
    explicit Cmd(Action a) { action = a; }
    Cmd &because(const QString &why)
    {
        reason = why;
        return *this;
    }
    Cmd &with(const QStringList &files)
    {
        evidence = files;
        return *this;
    }
    Cmd &sendTo(const QString &person, const QString &type, const QString &unit)
    {
        to = person;
        toType = type;
        toUnit = unit;
        return *this;
    }
    Cmd &escalateTo(int stage, bool skipping = false)
    {
        toStage = stage;
        skip = skipping;
        return *this;
    }
    Cmd &filingChecked()
    {
        confirmFiling = true;
        return *this;
    }
    Cmd &forHours(int h)
    {
        hours = h;
        return *this;
    }
    Cmd &decided(const QString &d)
    {
        decision = d;
        return *this;
    }
};

/** Decides `cmd` and, when it is applied, folds its events into `c`. */
bool run(CaseSnapshot &c, const Command &cmd, const Actor &a, qint64 now, Rejection *why = nullptr,
         QList<NewEvent> *out = nullptr)
{
    const Workflow::Decision d = engine().decide(c, cmd, a, now);
    if (const Rejection *r = std::get_if<Rejection>(&d)) {
        if (why)
            *why = *r;
        return false;
    }
    const QList<NewEvent> &events = std::get<QList<NewEvent>>(d);
    for (const NewEvent &e : events)
        Workflow::fold(c, e.kind, e.payload, a.id, e.at);
    if (out)
        *out = events;
    return true;
}

QJsonObject payloadOf(const QList<NewEvent> &events)
{
    return QJsonDocument::fromJson(events.value(0).payload).object();
}

QStringList strings(const QJsonValue &array)
{
    QStringList out;
    const QJsonArray items = array.toArray();
    for (const QJsonValue &v : items)
        out.append(v.toString());
    return out;
}

struct Cast
{
    Actor op = who(QStringLiteral("operator1"), Role::Operator);
    Actor disp = who(QStringLiteral("dispatcher1"), Role::Dispatcher);
    Actor sup1 = who(QStringLiteral("sup1"), Role::Supervisor);
    Actor sup2 = who(QStringLiteral("sup2"), Role::Supervisor);
    Actor p1 = who(QStringLiteral("P1"), Role::Field);
    Actor p2 = who(QStringLiteral("P2"), Role::Field);
    Actor v1 = who(QStringLiteral("V1"), Role::Field);
    Actor e1 = who(QStringLiteral("E1"), Role::Enforcement);
    Actor a1 = who(QStringLiteral("A1"), Role::Auditor);
    QList<Actor> all() const { return {op, disp, sup1, sup2, p1, p2, v1, e1, a1}; }
};

// Applies a command that must be accepted / must be refused with the given code.
#define APPLY(c, cmd, actor, now)                                                                  \
    do {                                                                                           \
        Rejection why_;                                                                            \
        const Command cmd_ = (cmd);                                                                \
        QVERIFY2(run((c), cmd_, (actor), (now), &why_),                                            \
                 qPrintable(actionKey(cmd_.action) + QStringLiteral(" refused: ") + why_.code +    \
                            QLatin1Char(' ') + why_.reason));                                      \
    } while (false)

#define REFUSE(c, cmd, actor, now, expectedCode)                                                   \
    do {                                                                                           \
        Rejection why_;                                                                            \
        const Command cmd_ = (cmd);                                                                \
        QVERIFY2(!run((c), cmd_, (actor), (now), &why_),                                           \
                 qPrintable(actionKey(cmd_.action) + QStringLiteral(" was applied")));             \
        QCOMPARE(why_.code, QStringLiteral(expectedCode));                                         \
        QVERIFY(!why_.reason.isEmpty());                                                           \
    } while (false)

/** report → register: a filed case waiting for dispatch. */
void registered(CaseSnapshot &c, qint64 &t, const Cast &k)
{
    APPLY(c, Cmd(Action::Report), k.op, later(t));
    APPLY(c, Cmd(Action::Register).filingChecked(), k.op, later(t));
    QCOMPARE(c.state, CaseState::Registered);
}

/** A ladder case at stage 1 whose re-check found the violation not corrected. */
void stageOneNotCorrected(CaseSnapshot &c, qint64 &t, const Cast &k)
{
    registered(c, t, k);
    if (QTest::currentTestFailed())
        return;
    APPLY(c, Cmd(Action::Notice).with({"e1"}), k.op, later(t));
    QCOMPARE(c.stage, Stage::Notice);
    QCOMPARE(c.state, CaseState::Handling);
    APPLY(c, Cmd(Action::RecheckUncorrected).with({"e2"}), k.p1, later(t, 120));
    QVERIFY(c.awaitingEscalation);
}

/** A plain case dispatched to P1, who accepted it. */
void handledByP1(CaseSnapshot &c, qint64 &t, const Cast &k)
{
    registered(c, t, k);
    if (QTest::currentTestFailed())
        return;
    APPLY(c, Cmd(Action::Dispatch).sendTo("P1", "grid_worker", "T1"), k.disp, later(t));
    APPLY(c, Cmd(Action::Accept), k.p1, later(t));
    QCOMPARE(c.state, CaseState::Handling);
    QCOMPARE(c.assignee, QStringLiteral("P1"));
}

/** A registered case waiting for dispatch at a ladder stage, built directly. */
CaseSnapshot waitingAt(const QString &category, Stage stage)
{
    CaseSnapshot c = engine().initial(1, category);
    c.seq = 5;
    c.state = CaseState::Registered;
    c.stage = stage;
    return c;
}

/** The dispatcher's decision on a dispatch command now. */
Workflow::Decision dispatchAt(const CaseSnapshot &c, const Command &cmd)
{
    return engine().decide(c, cmd, Cast().disp, fixedNow());
}

/** One stored event of a random history, with the hash the audit chain gave it. */
struct Logged
{
    CaseEvent rec;
    QByteArray hash;
};

} // namespace

class TestWorkflow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        const Category *ladder = Catalogue::builtin().find(QString::fromLatin1(kLadder));
        const Category *plain = Catalogue::builtin().find(QString::fromLatin1(kPlain));
        QVERIFY(ladder && ladder->ladder.has_value());
        QVERIFY(plain && !plain->ladder.has_value());
        QVERIFY(plain->kind == CategoryKind::Event);
        QCOMPARE(qsizetype(rules().size()), qsizetype(kAllActions.size()) - 1);
    }

    void roleStateMatrix_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<int>("action");
        QTest::addColumn<int>("role");
        QTest::addColumn<bool>("expectApplied");
        for (CaseState state : kAllCaseStates) {
            for (Action action : kAllActions) {
                if (action == Action::Report)
                    continue;
                for (Role role : kAllRoles) {
                    QTest::addRow("%s/%s/%s", stateName(state), qPrintable(actionKey(action)),
                                  roleName(role))
                        << int(state) << int(action) << int(role) << allowed(action, state, role);
                }
            }
        }
    }
    void roleStateMatrix()
    {
        QFETCH(int, state);
        QFETCH(int, action);
        QFETCH(int, role);
        QFETCH(bool, expectApplied);
        const auto st = CaseState(state);
        const auto act = Action(action);
        const auto rl = Role(role);
        const qint64 now = fixedNow();
        const CaseSnapshot s = matrixSnapshot(engine(), act, st, now);
        const Workflow::Decision d =
            engine().decide(s, fullCommand(act), matrixActor(act, rl), now);
        const auto *events = std::get_if<QList<NewEvent>>(&d);
        const Rejection *why = std::get_if<Rejection>(&d);
        QVERIFY2(bool(events) == expectApplied,
                 qPrintable(events ? QStringLiteral("applied, but the rules forbid it")
                                   : QStringLiteral("refused (%1: %2), but the rules allow it")
                                         .arg(why->code, why->reason)));
        if (events) {
            QCOMPARE(events->size(), qsizetype(1));
            QCOMPARE(events->first().kind, actionKey(act));
            QCOMPARE(events->first().at, now);
            return;
        }
        QVERIFY(why);
        QVERIFY(!why->reason.isEmpty());
        if (!rule(act).roles.contains(rl))
            QCOMPARE(why->code, QStringLiteral("role"));
        else if (st == CaseState::Closed && act != Action::Reopen)
            QCOMPARE(why->code, QStringLiteral("closed"));
        else
            QCOMPARE(why->code, QStringLiteral("state"));
    }

    void approverIsNeverTheRequester()
    {
        const Cast k;
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kLadder);
        stageOneNotCorrected(c, t, k);
        if (QTest::currentTestFailed())
            return;
        APPLY(c, Cmd(Action::EscalateRequest).because("back every morning").with({"e1", "e2"}),
              k.sup1, later(t));
        QVERIFY(c.escalation.has_value());
        QCOMPARE(c.escalation->requester, k.sup1.id);
        QCOMPARE(c.escalation->toStage, 2);
        REFUSE(c, Cmd(Action::EscalateApprove), k.sup1, later(t), "actor");
        REFUSE(c, Cmd(Action::EscalateReject).because("not needed"), k.sup1, later(t), "actor");
        QCOMPARE(c.stage, Stage::Notice);
        APPLY(c, Cmd(Action::EscalateApprove), k.sup2, later(t));
        QCOMPARE(c.stage, Stage::Persuasion);
        QCOMPARE(c.state, CaseState::Registered);
        QVERIFY(!c.escalation.has_value());
        QVERIFY(!c.awaitingEscalation);
        QCOMPARE(c.stages.size(), qsizetype(2));
        QCOMPARE(c.stages.last().stage, 2);
        QCOMPARE(c.stages.last().requester, k.sup1.id);
        QCOMPARE(c.stages.last().approver, k.sup2.id);
        QCOMPARE(c.stages.last().enteredAt, t);
    }

    // Soft before hard: on a ladder category enforcement is dispatched only at stage 3.
    void ladderDispatchOfEnforcement_data()
    {
        QTest::addColumn<QString>("category");
        QTest::addColumn<int>("stage");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("expected"); ///< "applied" or the rejection code
        QTest::newRow("ladder stage 0 to enforcement") << QString(kLadder) << 0 << "enforcement"
                                                       << "ladder";
        QTest::newRow("ladder stage 1 to enforcement") << QString(kLadder) << 1 << "enforcement"
                                                       << "ladder";
        QTest::newRow("ladder stage 2 to enforcement") << QString(kLadder) << 2 << "enforcement"
                                                       << "argument";
        QTest::newRow("ladder stage 3 to enforcement") << QString(kLadder) << 3 << "enforcement"
                                                       << "applied";
        QTest::newRow("ladder stage 0 to sanitation") << QString(kLadder) << 0 << "sanitation"
                                                      << "applied";
        QTest::newRow("plain category to enforcement") << QString(kPlain) << 0 << "enforcement"
                                                       << "applied";
    }
    void ladderDispatchOfEnforcement()
    {
        QFETCH(QString, category);
        QFETCH(int, stage);
        QFETCH(QString, type);
        QFETCH(QString, expected);
        const auto d = dispatchAt(waitingAt(category, Stage(stage)),
                                  Cmd(Action::Dispatch).sendTo("ENF-01-01", type, "ENF-01"));
        const Rejection *why = std::get_if<Rejection>(&d);
        QCOMPARE(why ? why->code : QStringLiteral("applied"), expected);
        if (why)
            QVERIFY(!why->reason.isEmpty());
    }

    // Persuasion is local: own community; another community of the street with a reason;
    // never another street.
    void persuasionLocality_data()
    {
        QTest::addColumn<qint64>("street");
        QTest::addColumn<qint64>("community");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("outside");
        QTest::newRow("own community") << 1LL << 11LL << ""
                                       << "applied" << false;
        QTest::newRow("other community, no reason") << 1LL << 12LL << ""
                                                    << "locality" << false;
        QTest::newRow("other community, reason") << 1LL << 12LL << "own grid worker on leave"
                                                 << "applied" << true;
        QTest::newRow("other street") << 2LL << 21LL << ""
                                      << "locality" << false;
        QTest::newRow("other street, reason") << 2LL << 21LL << "closest volunteer"
                                              << "locality" << false;
        QTest::newRow("person without a place") << 0LL << 0LL << ""
                                                << "applied" << false;
    }
    void persuasionLocality()
    {
        QFETCH(qint64, street);
        QFETCH(qint64, community);
        QFETCH(QString, reason);
        QFETCH(QString, expected);
        QFETCH(bool, outside);
        CaseSnapshot c = waitingAt(kLadder, Stage::Persuasion);
        c.street = 1;
        c.community = 11;
        Cmd cmd(Action::Dispatch);
        cmd.sendTo("VOL-01-012", "volunteer", "").because(reason);
        cmd.toStreet = street;
        cmd.toCommunity = community;
        const auto d = dispatchAt(c, cmd);
        const Rejection *why = std::get_if<Rejection>(&d);
        QCOMPARE(why ? why->code : QStringLiteral("applied"), expected);
        if (why)
            return;
        const QJsonObject o = payloadOf(std::get<QList<NewEvent>>(d));
        QCOMPARE(o.value(QLatin1String("outside_community")).toBool(), outside);
        QCOMPARE(o.value(QLatin1String("reason")).toString(), outside ? reason : QString());
    }

    // Requester ≠ approver and handler ≠ verifier compare people, not account names.
    void separationOfDutiesByPerson_data()
    {
        QTest::addColumn<int>("decision");
        QTest::addColumn<QString>("deciderPerson");
        QTest::addColumn<QString>("expected");
        const QString same = QStringLiteral("GW-01-001");
        const QString other = QStringLiteral("GW-01-002");
        QTest::newRow("escalation, same person") << int(Action::EscalateApprove) << same << "actor";
        QTest::newRow("escalation, other person")
            << int(Action::EscalateApprove) << other << "applied";
        QTest::newRow("escalation, no person")
            << int(Action::EscalateApprove) << QString() << "applied";
        QTest::newRow("extension, same person") << int(Action::ExtendApprove) << same << "actor";
        QTest::newRow("extension, other person")
            << int(Action::ExtendApprove) << other << "applied";
        QTest::newRow("verification, same person") << int(Action::VerifyPass) << same << "actor";
        QTest::newRow("verification, other person")
            << int(Action::VerifyPass) << other << "applied";
    }
    void separationOfDutiesByPerson()
    {
        QFETCH(int, decision);
        QFETCH(QString, deciderPerson);
        QFETCH(QString, expected);
        const Cast k;
        qint64 t = fixedNow();
        // field1 is the account of grid worker GW-01-001; zhangwei.sup a supervisor account.
        const Actor field{QStringLiteral("field1"), Role::Field, QStringLiteral("GW-01-001"),
                          QStringLiteral("test")};
        const Actor decider{QStringLiteral("zhangwei.sup"), Role::Supervisor, deciderPerson,
                            QStringLiteral("test")};
        const auto act = Action(decision);
        CaseSnapshot c = engine().initial(1, act == Action::EscalateApprove ? kLadder : kPlain);
        if (act == Action::EscalateApprove) {
            stageOneNotCorrected(c, t, k);
            if (QTest::currentTestFailed())
                return;
            APPLY(c, Cmd(Action::EscalateRequest).because("back again").with({"e1", "e2"}), field,
                  later(t));
            QCOMPARE(c.escalation->requesterPerson, QStringLiteral("GW-01-001"));
        } else {
            registered(c, t, k);
            if (QTest::currentTestFailed())
                return;
            APPLY(c, Cmd(Action::Dispatch).sendTo("GW-01-001", "grid_worker", "T1"), k.disp,
                  later(t));
            APPLY(c, Cmd(Action::Accept), field, later(t));
            if (act == Action::ExtendApprove)
                APPLY(c, Cmd(Action::ExtendRequest).because("parts").forHours(8), field, later(t));
            else
                APPLY(c, Cmd(Action::Feedback).with({"e1"}), field, later(t));
        }
        Cmd cmd(act);
        if (act == Action::VerifyPass)
            cmd.with({"e9"});
        Rejection why;
        const bool applied = run(c, cmd, decider, later(t), &why);
        QCOMPARE(applied ? QStringLiteral("applied") : why.code, expected);
    }

    void verifierIsNeverTheHandler()
    {
        const Cast k;
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kPlain);
        handledByP1(c, t, k);
        if (QTest::currentTestFailed())
            return;
        APPLY(c, Cmd(Action::Feedback).with({"e1"}), k.p1, later(t, 60));
        QCOMPARE(c.state, CaseState::Feedback);
        QCOMPARE(c.handler, k.p1.id);
        REFUSE(c, Cmd(Action::VerifyPass).with({"e2"}), k.p1, later(t), "actor");
        REFUSE(c, Cmd(Action::VerifyFail).because("still dirty").with({"e2"}), k.p1, later(t),
               "actor");
        QCOMPARE(c.state, CaseState::Feedback);
        APPLY(c, Cmd(Action::VerifyPass).with({"e2"}), k.v1, later(t));
        QCOMPARE(c.state, CaseState::Verified);
        APPLY(c, Cmd(Action::Close), k.op, later(t));
        QCOMPARE(c.state, CaseState::Closed);
        QCOMPARE(c.closedAt, t);
        QCOMPARE(c.evidence, QStringList({"e1", "e2"}));
    }

    void fullLadderWalk()
    {
        const Cast k;
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kLadder);
        QVERIFY(c.ladder);
        // Stage 1: notice, re-check, not corrected.
        stageOneNotCorrected(c, t, k);
        if (QTest::currentTestFailed())
            return;
        APPLY(c, Cmd(Action::EscalateRequest).because("not corrected").with({"e1", "e2"}), k.disp,
              later(t));
        APPLY(c, Cmd(Action::EscalateApprove), k.sup1, later(t));
        QCOMPARE(c.stage, Stage::Persuasion);
        QCOMPARE(c.state, CaseState::Registered);
        // Stage 2: persuasion by a volunteer.
        APPLY(c, Cmd(Action::Dispatch).sendTo("P2", "volunteer", "V-01"), k.disp, later(t));
        QCOMPARE(c.state, CaseState::Dispatched);
        QCOMPARE(c.assignee, k.p2.id);
        QCOMPARE(c.assigneeUnit, QStringLiteral("V-01"));
        APPLY(c, Cmd(Action::Accept), k.p2, later(t));
        QCOMPARE(c.state, CaseState::Handling);
        REFUSE(c, Cmd(Action::RecheckUncorrected).with({"e3"}), k.p1, later(t), "actor");
        APPLY(c, Cmd(Action::RecheckUncorrected).with({"e3"}), k.p2, later(t, 120));
        QVERIFY(c.awaitingEscalation);
        APPLY(c, Cmd(Action::EscalateRequest).because("refuses to move").with({"e3"}), k.p2,
              later(t));
        APPLY(c, Cmd(Action::EscalateApprove), k.sup1, later(t));
        QCOMPARE(c.stage, Stage::Enforcement);
        QCOMPARE(c.state, CaseState::Registered);
        QVERIFY(c.assignee.isEmpty());
        // Stage 3: only an enforcement team, which receives the whole evidence bundle.
        REFUSE(c, Cmd(Action::Dispatch).sendTo("P1", "grid_worker", "T1"), k.disp, later(t),
               "argument");
        const QStringList evidence = c.evidence;
        QCOMPARE(evidence, QStringList({"e1", "e2", "e3"}));
        QList<NewEvent> events;
        Rejection why;
        QVERIFY2(run(c, Cmd(Action::Dispatch).sendTo("E1", "enforcement", "ENF-1"), k.disp,
                     later(t), &why, &events),
                 qPrintable(why.reason));
        const QJsonObject dispatch = payloadOf(events);
        QCOMPARE(strings(dispatch.value(QStringLiteral("bundle"))), evidence);
        QCOMPARE(dispatch.value(QStringLiteral("stage")).toInt(), 3);
        QCOMPARE(c.assignee, k.e1.id);
        APPLY(c, Cmd(Action::Accept), k.e1, later(t));
        REFUSE(c, Cmd(Action::Feedback).with({"e4"}), k.e1, later(t, 60), "argument");
        APPLY(c, Cmd(Action::Feedback).with({"e4"}).decided("PEN-2026-0001"), k.e1, later(t));
        QCOMPARE(c.state, CaseState::Feedback);
        QCOMPARE(c.handler, k.e1.id);
        APPLY(c, Cmd(Action::VerifyPass).with({"e5"}), k.v1, later(t));
        APPLY(c, Cmd(Action::Close), k.sup2, later(t));
        QCOMPARE(c.state, CaseState::Closed);
        QCOMPARE(c.evidence, QStringList({"e1", "e2", "e3", "e4", "e5"}));

        QCOMPARE(c.stages.size(), qsizetype(3));
        const StageRecord &notice = c.stages.at(0);
        QCOMPARE(notice.stage, 1);
        QVERIFY(notice.requester.isEmpty());
        QVERIFY(notice.approver.isEmpty());
        QCOMPARE(notice.outcome, QStringLiteral("uncorrected"));
        const StageRecord &persuasion = c.stages.at(1);
        QCOMPARE(persuasion.stage, 2);
        QCOMPARE(persuasion.requester, k.disp.id);
        QCOMPARE(persuasion.approver, k.sup1.id);
        QCOMPARE(persuasion.outcome, QStringLiteral("uncorrected"));
        QVERIFY(!persuasion.skip);
        const StageRecord &enforcement = c.stages.at(2);
        QCOMPARE(enforcement.stage, 3);
        QCOMPARE(enforcement.requester, k.p2.id);
        QCOMPARE(enforcement.approver, k.sup1.id);
        QCOMPARE(enforcement.outcome, QStringLiteral("corrected"));
        QVERIFY(!enforcement.skip);
        QVERIFY(notice.enteredAt < persuasion.enteredAt);
        QVERIFY(persuasion.enteredAt < enforcement.enteredAt);
    }

    void skippingNeedsFlagAndReason()
    {
        const Cast k;
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kLadder);
        stageOneNotCorrected(c, t, k);
        if (QTest::currentTestFailed())
            return;
        REFUSE(
            c,
            Cmd(Action::EscalateRequest).because("blocks the fire lane").with({"e1"}).escalateTo(3),
            k.sup1, later(t), "argument");
        REFUSE(c, Cmd(Action::EscalateRequest).with({"e1"}).escalateTo(3, true), k.sup1, later(t),
               "argument");
        REFUSE(c, Cmd(Action::EscalateRequest).because("  ").with({"e1"}).escalateTo(3, true),
               k.sup1, later(t), "argument");
        QVERIFY(!c.escalation.has_value());
        QList<NewEvent> events;
        Rejection why;
        QVERIFY2(run(c,
                     Cmd(Action::EscalateRequest)
                         .because("blocks the fire lane")
                         .with({"e1", "e2"})
                         .escalateTo(3, true),
                     k.sup1, later(t), &why, &events),
                 qPrintable(why.reason));
        const QJsonObject request = payloadOf(events);
        QVERIFY(request.contains(QStringLiteral("skip")));
        QCOMPARE(request.value(QStringLiteral("skip")).toBool(), true);
        QCOMPARE(request.value(QStringLiteral("to_stage")).toInt(), 3);
        QVERIFY(c.escalation.has_value());
        QVERIFY(c.escalation->skip);
        APPLY(c, Cmd(Action::EscalateApprove), k.sup2, later(t));
        QCOMPARE(c.stage, Stage::Enforcement);
        QCOMPARE(c.stages.size(), qsizetype(2));
        QCOMPARE(c.stages.last().stage, 3);
        QVERIFY(c.stages.last().skip);
        QCOMPARE(c.stages.last().requester, k.sup1.id);
        QCOMPARE(c.stages.last().approver, k.sup2.id);
    }

    void escalationNeedsANotCorrectedOutcome()
    {
        const Cast k;
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kLadder);
        registered(c, t, k);
        if (QTest::currentTestFailed())
            return;
        APPLY(c, Cmd(Action::Notice).with({"e1"}), k.disp, later(t));
        QCOMPARE(c.stage, Stage::Notice);
        QVERIFY(!c.awaitingEscalation);
        REFUSE(c, Cmd(Action::EscalateRequest).because("impatient").with({"e1"}), k.sup1, later(t),
               "state");
        REFUSE(c, Cmd(Action::EscalateRequest).because("impatient").with({"e1"}).escalateTo(2),
               k.sup1, later(t), "state");
        // Once the re-check finds it not corrected, the same request goes through.
        APPLY(c, Cmd(Action::RecheckUncorrected).with({"e2"}), k.p1, later(t, 120));
        REFUSE(c, Cmd(Action::RecheckUncorrected).with({"e3"}), k.p1, later(t), "state");
        APPLY(c, Cmd(Action::EscalateRequest).because("not corrected").with({"e1"}), k.sup1,
              later(t));
    }

    void onlyOneOpenEscalationRequest()
    {
        const Cast k;
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kLadder);
        stageOneNotCorrected(c, t, k);
        if (QTest::currentTestFailed())
            return;
        APPLY(c, Cmd(Action::EscalateRequest).because("first").with({"e1"}), k.sup1, later(t));
        REFUSE(c, Cmd(Action::EscalateRequest).because("second").with({"e2"}), k.disp, later(t),
               "pending");
        REFUSE(c, Cmd(Action::EscalateRequest).because("third").with({"e2"}), k.p1, later(t),
               "pending");
        REFUSE(c, Cmd(Action::Deescalate).because("x"), k.sup2, later(t), "ladder");
        APPLY(c, Cmd(Action::EscalateReject).because("give them a day"), k.sup2, later(t));
        QVERIFY(!c.escalation.has_value());
        QCOMPARE(c.stage, Stage::Notice);
        APPLY(c, Cmd(Action::EscalateRequest).because("second").with({"e2"}), k.disp, later(t));
        QVERIFY(c.escalation.has_value());
        QCOMPARE(c.escalation->requester, k.disp.id);
    }

    void closedCaseAcceptsOnlyReopen()
    {
        const Cast k;
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kPlain);
        handledByP1(c, t, k);
        if (QTest::currentTestFailed())
            return;
        APPLY(c, Cmd(Action::Feedback).with({"e1"}), k.p1, later(t));
        APPLY(c, Cmd(Action::VerifyPass).with({"e2"}), k.v1, later(t));
        APPLY(c, Cmd(Action::Close), k.op, later(t));
        QCOMPARE(c.state, CaseState::Closed);
        for (Action a : kAllActions) {
            if (a == Action::Report || a == Action::Reopen)
                continue;
            const Workflow::Decision d = engine().decide(
                c, fullCommand(a), who(QStringLiteral("P1"), rule(a).roles.first()), later(t));
            const Rejection *why = std::get_if<Rejection>(&d);
            QVERIFY2(why, qPrintable(actionKey(a) + QStringLiteral(" on a closed case")));
            QVERIFY2(why->code == QLatin1String("closed"),
                     qPrintable(actionKey(a) + QStringLiteral(": ") + why->code));
        }
        REFUSE(c, Cmd(Action::Reopen), k.op, later(t), "argument");
        REFUSE(c, Cmd(Action::Reopen).because("back again"), k.p1, later(t), "role");
        QCOMPARE(c.state, CaseState::Closed);
        APPLY(c, Cmd(Action::Reopen).because("back again"), k.op, later(t));
        QCOMPARE(c.state, CaseState::Registered);
        QCOMPARE(c.closedAt, qint64(0));
        QVERIFY(c.assignee.isEmpty());
        QVERIFY(c.handler.isEmpty());
    }

    void extensionMovesTheDeadline()
    {
        const Cast k;
        const WorkCalendar &cal = WorkCalendar::builtin();
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kPlain);
        handledByP1(c, t, k);
        if (QTest::currentTestFailed())
            return;
        const qint64 oldDeadline = c.deadlineAt;
        QVERIFY(oldDeadline > t);
        REFUSE(c, Cmd(Action::ExtendRequest).because("parts on order").forHours(8), k.p2, later(t),
               "actor");
        APPLY(c, Cmd(Action::ExtendRequest).because("parts on order").forHours(8), k.p1, later(t));
        QVERIFY(c.extension.has_value());
        QCOMPARE(c.extension->requester, k.p1.id);
        QCOMPARE(c.extension->hours, 8);
        QCOMPARE(c.deadlineAt, oldDeadline);
        REFUSE(c, Cmd(Action::ExtendRequest).because("again").forHours(2), k.p1, later(t),
               "pending");
        APPLY(c, Cmd(Action::ExtendApprove), k.sup1, later(t));
        QVERIFY(t < oldDeadline);
        QCOMPARE(c.deadlineAt, cal.addWorkingMinutes(oldDeadline, 480));
        QCOMPARE(cal.workingMinutesBetween(oldDeadline, c.deadlineAt), qint64(480));
        QVERIFY(c.deadlineAt > oldDeadline);
        QVERIFY(!c.extension.has_value());
        QCOMPARE(c.extensions, 1);
    }

    void shelvingPausesTheClock()
    {
        const Cast k;
        const WorkCalendar &cal = WorkCalendar::builtin();
        qint64 t = fixedNow();
        CaseSnapshot c = engine().initial(1, kPlain);
        handledByP1(c, t, k);
        if (QTest::currentTestFailed())
            return;
        const qint64 deadline = c.deadlineAt;
        const qint64 shelvedAt = later(t, 30);
        QVERIFY(shelvedAt < deadline);
        APPLY(c, Cmd(Action::Shelve).because("waiting for the owner"), k.sup1, shelvedAt);
        QCOMPARE(c.state, CaseState::Shelved);
        QCOMPARE(c.shelvedFrom, CaseState::Handling);
        QCOMPARE(c.remainingMinutes, cal.workingMinutesBetween(shelvedAt, deadline));
        QVERIFY(c.remainingMinutes > 0);
        QCOMPARE(c.deadlineAt, qint64(0));
        QVERIFY(!c.overdue(deadline + 24 * kHour));
        // Resumed on a Friday evening: the rest of the time runs from the next working period.
        const qint64 resumedAt = at(2026, 11, 27, 17, 30);
        const qint64 remaining = c.remainingMinutes;
        APPLY(c, Cmd(Action::Resume), k.sup2, resumedAt);
        QCOMPARE(c.state, CaseState::Handling);
        QCOMPARE(c.deadlineAt, cal.addWorkingMinutes(resumedAt, remaining));
        QCOMPARE(cal.workingMinutesBetween(resumedAt, c.deadlineAt), remaining);
        QVERIFY(c.everShelved);
    }

    void missingArgumentsAreRejected_data()
    {
        QTest::addColumn<int>("action");
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("missing");
        auto row = [](const char *name, Action a, CaseState s, const char *missing) {
            QTest::newRow(name) << int(a) << int(s) << QString::fromLatin1(missing);
        };
        row("register without confirmFiling", Action::Register, CaseState::Reported,
            "confirmFiling");
        row("reject without reason", Action::Reject, CaseState::Reported, "reason");
        row("dispatch without to", Action::Dispatch, CaseState::Registered, "to");
        row("feedback without evidence", Action::Feedback, CaseState::Handling, "evidence");
        row("notice without evidence", Action::Notice, CaseState::Registered, "evidence");
        row("verify-fail without reason", Action::VerifyFail, CaseState::Feedback, "reason");
        row("extend-request with hours 0", Action::ExtendRequest, CaseState::Handling, "hours");
        row("extend-request beyond the maximum", Action::ExtendRequest, CaseState::Handling,
            "too-many-hours");
        row("return with a blank reason", Action::Return, CaseState::Handling, "blank-reason");
        row("escalate-request with foreign evidence", Action::EscalateRequest, CaseState::Handling,
            "foreign-evidence");
    }
    void missingArgumentsAreRejected()
    {
        QFETCH(int, action);
        QFETCH(int, state);
        QFETCH(QString, missing);
        const auto a = Action(action);
        const qint64 now = fixedNow();
        const CaseSnapshot s = matrixSnapshot(engine(), a, CaseState(state), now);
        const Actor actor = matrixActor(a, rule(a).roles.first());
        Command cmd = fullCommand(a);
        // With every argument the command goes through, so only the missing one can refuse it.
        QVERIFY(std::holds_alternative<QList<NewEvent>>(engine().decide(s, cmd, actor, now)));
        if (missing == QLatin1String("confirmFiling"))
            cmd.confirmFiling = false;
        else if (missing == QLatin1String("reason"))
            cmd.reason.clear();
        else if (missing == QLatin1String("blank-reason"))
            cmd.reason = QStringLiteral("   ");
        else if (missing == QLatin1String("to"))
            cmd.to.clear();
        else if (missing == QLatin1String("evidence"))
            cmd.evidence.clear();
        else if (missing == QLatin1String("foreign-evidence"))
            cmd.evidence = {QStringLiteral("not-of-this-case")};
        else if (missing == QLatin1String("hours"))
            cmd.hours = 0;
        else if (missing == QLatin1String("too-many-hours"))
            cmd.hours = engine().config().maxExtensionHours + 1;
        else
            QVERIFY2(false, qPrintable(missing));
        const Workflow::Decision d = engine().decide(s, cmd, actor, now);
        const Rejection *why = std::get_if<Rejection>(&d);
        QVERIFY(why);
        QCOMPARE(why->code, QStringLiteral("argument"));
        QVERIFY(!why->reason.isEmpty());
    }

    void engineIsDeterministic()
    {
        const Workflow other(Catalogue::builtin(), WorkCalendar::builtin());
        const qint64 now = fixedNow();
        for (Action a : kAllActions) {
            if (a == Action::Report)
                continue;
            const Rule &r = rule(a);
            const CaseSnapshot s = matrixSnapshot(engine(), a, r.states.first(), now);
            const Actor actor = matrixActor(a, r.roles.first());
            const Command cmd = fullCommand(a);
            const Workflow::Decision first = engine().decide(s, cmd, actor, now);
            const Workflow::Decision second = engine().decide(s, cmd, actor, now);
            const Workflow::Decision third = other.decide(s, cmd, actor, now);
            const auto *x = std::get_if<QList<NewEvent>>(&first);
            const auto *y = std::get_if<QList<NewEvent>>(&second);
            const auto *z = std::get_if<QList<NewEvent>>(&third);
            QVERIFY2(x && y && z, qPrintable(actionKey(a)));
            QCOMPARE(x->size(), qsizetype(1));
            QCOMPARE(y->size(), qsizetype(1));
            QCOMPARE(z->size(), qsizetype(1));
            QCOMPARE(x->first().payload, y->first().payload);
            QCOMPARE(x->first().payload, z->first().payload);
            QCOMPARE(x->first().kind, y->first().kind);
            QCOMPARE(x->first().at, y->first().at);
            // The payload is canonical compact JSON (sorted keys): re-encoding changes nothing.
            const QJsonDocument doc = QJsonDocument::fromJson(x->first().payload);
            QVERIFY(doc.isObject());
            QCOMPARE(doc.toJson(QJsonDocument::Compact), x->first().payload);
        }
        // The enforcement dispatch with its evidence bundle, the largest payload.
        CaseSnapshot s = engine().initial(7, kLadder);
        s.seq = 9;
        s.state = CaseState::Registered;
        s.stage = Stage::Enforcement;
        s.evidence = {QStringLiteral("e1"), QStringLiteral("e2"), QStringLiteral("e3")};
        const Cast k;
        const Cmd cmd = Cmd(Action::Dispatch).sendTo("E1", "enforcement", "ENF-1");
        const Workflow::Decision first = engine().decide(s, cmd, k.disp, now);
        const Workflow::Decision second = engine().decide(s, cmd, k.disp, now);
        const auto *x = std::get_if<QList<NewEvent>>(&first);
        const auto *y = std::get_if<QList<NewEvent>>(&second);
        QVERIFY(x && y);
        QCOMPARE(x->first().payload, y->first().payload);
        QCOMPARE(strings(payloadOf(*x).value(QStringLiteral("bundle"))), s.evidence);
    }

    void randomHistoriesKeepInvariants()
    {
        const Workflow &wf = engine();
        const Cast k;
        const QList<Actor> pool = k.all();
        // Who may be picked for an action: the pool members whose role the written rules allow.
        std::vector<QList<Actor>> eligible(kAllActions.size());
        for (Action a : kAllActions) {
            for (const Actor &p : pool) {
                if (a == Action::Report || rule(a).roles.contains(p.role))
                    eligible[std::size_t(a)].append(p);
            }
        }
        struct Target
        {
            QString id;
            QString unit;
            QString type;
        };
        const QList<Target> targets = {
            {QStringLiteral("P1"), QStringLiteral("T-GRID"), QStringLiteral("grid_worker")},
            {QStringLiteral("P2"), QStringLiteral("T-VOL"), QStringLiteral("volunteer")},
            {QStringLiteral("E1"), QStringLiteral("T-ENF"), QStringLiteral("enforcement")}};
        const QStringList types = {QStringLiteral("grid_worker"), QStringLiteral("volunteer"),
                                   QStringLiteral("enforcement")};

        Rng rng(20261123);
        int reachedEnforcement = 0;
        int reachedClosed = 0;
        qint64 appliedSteps = 0;
        qint64 refusedSteps = 0;
        for (int n = 0; n < kSequences; ++n) {
            const bool ladder = rng.chance(0.6);
            CaseSnapshot c = wf.initial(1, ladder ? kLadder : kPlain);
            qint64 now = fixedNow() + rng.below(7 * 24 * 60) * kMinute;
            QList<Logged> history;
            QByteArray lastHash = genesisHash();
            bool escalationOpen = false;
            QString escalationRequester;
            QString lastHandler;
            bool sawEnforcement = false;
            bool sawClosed = false;
            int nextEvidence = 1;
            int step = -1;
            Action action = Action::Report;
            auto where = [&](const char *what) {
                return QStringLiteral("sequence %1, step %2 (%3): %4")
                    .arg(n)
                    .arg(step)
                    .arg(actionKey(action), QString::fromLatin1(what));
            };
            auto record = [&](const NewEvent &e, const Actor &a) {
                Logged l;
                l.rec.caseId = c.id;
                l.rec.seq = c.seq;
                l.rec.kind = e.kind;
                l.rec.actor = a.id;
                l.rec.role = Names::key(a.role);
                l.rec.at = e.at;
                l.rec.device = a.device;
                l.rec.payload = e.payload;
                l.rec.prevHash = lastHash;
                l.hash = eventHash(l.rec);
                lastHash = l.hash;
                history.append(l);
            };
#define INVARIANT(cond, what)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            QVERIFY2((cond), qPrintable(where(what)));                                             \
    } while (false)

            Command report;
            report.action = Action::Report;
            report.evidence = {QStringLiteral("e0")};
            const Workflow::Decision reported = wf.decide(c, report, k.op, now);
            const auto *reportEvents = std::get_if<QList<NewEvent>>(&reported);
            INVARIANT(reportEvents && reportEvents->size() == 1, "the report applies");
            Workflow::fold(c, reportEvents->first().kind, reportEvents->first().payload, k.op.id,
                           reportEvents->first().at);
            record(reportEvents->first(), k.op);

            for (step = 0; step < kSteps; ++step) {
                now += rng.between(1, 600) * kMinute;
                // A random action and actor. Most steps redraw a few times until the pair passes
                // the engine's own precondition, so histories get deep enough to be interesting;
                // the expectations below never come from the engine.
                const int tries = rng.chance(0.8) ? 16 : 1;
                Actor actor = pool.first();
                for (int i = 0; i < tries; ++i) {
                    action = rng.pick(kAllActions);
                    const QList<Actor> &candidates = eligible[std::size_t(action)];
                    actor = rng.pick(candidates);
                    if (!c.assignee.isEmpty() && rng.chance(0.5)) {
                        for (const Actor &p : candidates) {
                            if (p.id == c.assignee)
                                actor = p;
                        }
                    }
                    if (!wf.precheck(c, action, actor))
                        break;
                }
                Command cmd;
                cmd.action = action;
                if (!rng.chance(0.2))
                    cmd.reason = QStringLiteral("r");
                if (!rng.chance(0.2)) {
                    for (const QString &e : std::as_const(c.evidence)) {
                        if (rng.chance(0.5))
                            cmd.evidence.append(e);
                    }
                    if (cmd.evidence.isEmpty() || rng.chance(0.3))
                        cmd.evidence.append(QStringLiteral("e%1").arg(nextEvidence++));
                }
                const Target &target = rng.pick(targets);
                cmd.to = target.id;
                cmd.toUnit = target.unit;
                cmd.toType = rng.chance(0.75) ? target.type : rng.pick(types);
                cmd.toStage = rng.chance(0.5) ? 0 : int(rng.between(1, 3));
                cmd.skip = rng.chance(0.5);
                cmd.confirmFiling = rng.chance(0.8);
                cmd.hours = int(rng.between(0, 10));
                if (!rng.chance(0.3))
                    cmd.decision = QStringLiteral("D");

                const CaseState stateBefore = c.state;
                const Stage stageBefore = c.stage;
                const Workflow::Decision d = wf.decide(c, cmd, actor, now);
                if (const Rejection *why = std::get_if<Rejection>(&d)) {
                    INVARIANT(!why->code.isEmpty() && !why->reason.isEmpty(),
                              "a refusal names its code and reason");
                    ++refusedSteps;
                    continue;
                }
                const QList<NewEvent> &events = std::get<QList<NewEvent>>(d);
                INVARIANT(events.size() == 1, "one command, one event");
                const NewEvent &e = events.first();
                INVARIANT(e.kind == actionKey(action) && e.at == now, "the event is the command");
                // (e) a closed case only reopens.
                INVARIANT(stateBefore != CaseState::Closed || action == Action::Reopen,
                          "(e) a closed case accepts only reopen");
                // (a) one open escalation request at a time; (c) never decided by its requester.
                if (action == Action::EscalateRequest) {
                    INVARIANT(!escalationOpen, "(a) two escalation requests without a decision");
                    escalationOpen = true;
                    escalationRequester = actor.id;
                } else if (action == Action::EscalateApprove || action == Action::EscalateReject) {
                    INVARIANT(escalationOpen, "an escalation decision without a request");
                    INVARIANT(actor.id != escalationRequester,
                              "(c) the requester decided their own escalation");
                    escalationOpen = false;
                } else if (action == Action::Feedback || action == Action::RecheckCorrected ||
                           action == Action::Shelve || action == Action::Close) {
                    // Resolving, shelving or closing the case withdraws an open request.
                    escalationOpen = false;
                }
                // (d) the verifier is never whoever reported the handling.
                if (action == Action::VerifyPass || action == Action::VerifyFail)
                    INVARIANT(actor.id != lastHandler, "(d) the handler verified their own work");
                if (action == Action::Feedback || action == Action::RecheckCorrected)
                    lastHandler = actor.id;

                Workflow::fold(c, e.kind, e.payload, actor.id, e.at);
                record(e, actor);
                ++appliedSteps;
                INVARIANT(c.seq == history.size(), "the sequence number counts the events");
                // (b) the stage rises only by an approved escalation or the first notice.
                if (c.stage > stageBefore) {
                    INVARIANT(action == Action::EscalateApprove ||
                                  (action == Action::Notice && stageBefore == Stage::None &&
                                   c.stage == Stage::Notice),
                              "(b) the stage rose without an approval or a notice");
                } else if (c.stage < stageBefore) {
                    INVARIANT(action == Action::Deescalate, "the stage fell without deescalate");
                }
                if (c.stage == Stage::Enforcement)
                    sawEnforcement = true;
                if (c.state == CaseState::Closed)
                    sawClosed = true;
            }
            step = kSteps;

            // (f) the audit chain re-verifies from the stored fields.
            QByteArray prev = genesisHash();
            for (const Logged &l : std::as_const(history)) {
                INVARIANT(l.rec.prevHash == prev, "(f) an event does not link to its predecessor");
                const QByteArray h = eventHash(l.rec);
                INVARIANT(h == l.hash, "(f) a stored hash does not recompute");
                prev = h;
            }
            if (n % 50 == 0 && history.size() > 1) {
                CaseEvent tampered = history.at(history.size() - 1).rec;
                tampered.payload.append(' ');
                INVARIANT(eventHash(tampered) != history.last().hash,
                          "(f) an edited payload keeps its hash");
                tampered = history.first().rec;
                tampered.actor = QStringLiteral("someone-else");
                INVARIANT(eventHash(tampered) != history.first().hash,
                          "(f) an edited actor keeps its hash");
            }
            // Folding the stored history again gives the same case.
            CaseSnapshot replay = wf.initial(1, c.category);
            for (const Logged &l : std::as_const(history))
                Workflow::fold(replay, l.rec.kind, l.rec.payload, l.rec.actor, l.rec.at);
            INVARIANT(replay.state == c.state && replay.stage == c.stage && replay.seq == c.seq &&
                          replay.deadlineAt == c.deadlineAt && replay.evidence == c.evidence &&
                          replay.stages.size() == c.stages.size(),
                      "replaying the history gives another case");
#undef INVARIANT
            if (sawEnforcement)
                ++reachedEnforcement;
            if (sawClosed)
                ++reachedClosed;
        }
        qInfo() << "random histories:" << kSequences << "sequences," << appliedSteps
                << "steps applied," << refusedSteps << "refused;" << reachedEnforcement
                << "reached stage 3," << reachedClosed << "reached closed";
        QVERIFY(reachedEnforcement > 0);
        QVERIFY(reachedClosed > 0);
    }
};

QTEST_GUILESS_MAIN(TestWorkflow)
#include "tst_workflow.moc"
