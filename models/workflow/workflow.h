#pragma once

#include "domain/types.h"
#include "util/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace cityops {

class Catalogue;
class WorkCalendar;

/** Every command of the case workflow; the name (key) is also the kind of the event it writes. */
enum class Action
{
    Report,
    Register,
    Reject,
    Dispatch,
    Accept,
    Return,
    Feedback,
    VerifyPass,
    VerifyFail,
    Close,
    Reopen,
    ExtendRequest,
    ExtendApprove,
    ExtendReject,
    Shelve,
    Resume,
    Notice,
    RecheckCorrected,
    RecheckUncorrected,
    EscalateRequest,
    EscalateApprove,
    EscalateReject,
    Deescalate,
    MarkDuplicate
};
inline constexpr std::array kAllActions{Action::Report,
                                        Action::Register,
                                        Action::Reject,
                                        Action::Dispatch,
                                        Action::Accept,
                                        Action::Return,
                                        Action::Feedback,
                                        Action::VerifyPass,
                                        Action::VerifyFail,
                                        Action::Close,
                                        Action::Reopen,
                                        Action::ExtendRequest,
                                        Action::ExtendApprove,
                                        Action::ExtendReject,
                                        Action::Shelve,
                                        Action::Resume,
                                        Action::Notice,
                                        Action::RecheckCorrected,
                                        Action::RecheckUncorrected,
                                        Action::EscalateRequest,
                                        Action::EscalateApprove,
                                        Action::EscalateReject,
                                        Action::Deescalate,
                                        Action::MarkDuplicate};

QString actionKey(Action a);
std::optional<Action> actionFromKey(const QString &key);

/** Who does something: a user (or field person) with one role, on a device. */
struct Actor
{
    QString id; ///< user name, or the unit code of a field person
    Role role = Role::Operator;
    QString person; ///< unit code of the person behind a user account (may be empty)
    QString device;
    bool is(const QString &who) const { return !who.isEmpty() && (who == id || who == person); }
    /**
     * Whether this actor is the one behind an earlier step: the same account, or the same person
     * (`whoPerson`, the person code recorded with that step) through another account. Separation
     * of duties compares people, not account names.
     */
    bool isSamePerson(const QString &who, const QString &whoPerson) const
    {
        return is(who) || (!person.isEmpty() && person == whoPerson);
    }
};

/** What a command carries besides its action; which fields matter depends on the action. */
struct Command
{
    Action action = Action::Report;
    QString reason;
    QString to;     ///< dispatch: person code
    QString toUnit; ///< dispatch: the person's team
    QString toType; ///< dispatch: unit type of the person (grid_worker, volunteer, enforcement…)
    qint64 toStreet = 0;        ///< dispatch: the person's street (registry id; 0 = none)
    qint64 toCommunity = 0;     ///< dispatch: the person's community (registry id; 0 = none)
    QStringList evidence;       ///< SHA-256 of attachments already in the evidence store
    int toStage = 0;            ///< escalate-request
    bool skip = false;          ///< escalate-request: skipping a stage (needs a reason)
    bool confirmFiling = false; ///< register: the filing condition was checked
    int hours = 0;              ///< extend-request: extra working hours
    QString decision;           ///< feedback at the enforcement stage: decision or penalty number
    // report only
    QString source;
    CaseId linkedCase = 0;  ///< recurrence: the earlier case this one repeats
    int entryStage = 0;     ///< recurrence: the ladder stage the earlier case ended at
    CaseId duplicateOf = 0; ///< mark-duplicate: the case this one repeats
};

/** A pending escalation request. */
struct EscalationRequest
{
    QString requester;
    int toStage = 0;
    bool skip = false;
    QString reason;
    QStringList evidence;
    qint64 at = 0;
    QString requesterPerson; ///< the person behind the requesting account (may be empty)
};

/** A pending extension request. */
struct ExtensionRequest
{
    QString requester;
    int hours = 0;
    QString reason;
    qint64 at = 0;
    QString requesterPerson; ///< the person behind the requesting account (may be empty)
};

/** One rung of the ladder as it happened. */
struct StageRecord
{
    int stage = 0;
    qint64 enteredAt = 0;
    QString requester; ///< empty for stage 1 (entered by the notice)
    QString approver;
    bool skip = false;
    QString outcome; ///< "", "corrected", "uncorrected", "stepped-down"
};

/**
 * Everything the workflow knows about a case, derived only by folding its events in order
 * (fold() is pure and needs no calendar), so every replica computes the same state.
 */
struct CaseSnapshot
{
    CaseId id = 0;
    QString category;
    bool ladder = false;
    int priority = 3;
    CaseState state = CaseState::Reported;
    Stage stage = Stage::None;
    int seq = 0;
    qint64 reportedAt = 0;
    qint64 updatedAt = 0;
    qint64 deadlineAt = 0;
    qint64 closedAt = 0;
    QString reporter;
    QString assignee;      ///< person code the case is dispatched to
    QString assigneeUnit;  ///< that person's team
    QString handler;       ///< who reported the case handled / corrected (the verifier must differ)
    QString handlerPerson; ///< the person behind the handler's account (may be empty)
    /**
     * Where the case is (registry ids from its row, 0 = unknown): not folded from events but set
     * by whoever loads the snapshot, so dispatch can keep persuasion local.
     */
    qint64 street = 0;
    qint64 community = 0;
    bool awaitingEscalation = false; ///< the current stage's outcome was "not corrected"
    std::optional<EscalationRequest> escalation;
    std::optional<ExtensionRequest> extension;
    CaseState shelvedFrom = CaseState::Registered;
    qint64 remainingMinutes = 0; ///< working minutes left when shelved (the clock is paused)
    QStringList evidence;        ///< every attachment of the case, in order
    QList<StageRecord> stages;
    CaseId linkedCase = 0;
    int reworks = 0;
    int extensions = 0;
    bool everShelved = false;
    bool noticed = false;
    CaseId duplicateOf = 0;

    bool isOpen() const
    {
        return state != CaseState::Closed && state != CaseState::Rejected &&
               state != CaseState::Shelved;
    }
    bool overdue(qint64 now) const { return isOpen() && deadlineAt && deadlineAt < now; }
};

/**
 * An event the engine decided, before storage gives it a sequence number and hash. Not a
 * CaseEvent (domain/caserecord.h, the stored and transmitted event) on purpose: the engine
 * decides only what happened (kind, payload, time); which case row, sequence number and chain
 * link it gets, and the actor's account, role and device, are written by the store that commits
 * it (CaseRepository::commit), so a proposal cannot be mistaken for, or passed where the code
 * expects, a numbered and chained event.
 */
struct NewEvent
{
    QString kind;
    QByteArray payload; ///< compact JSON with sorted keys
    qint64 at = 0;
};

/** Why a command was refused: a stable code for programs and a sentence for people. */
struct Rejection
{
    QString code; ///< role, state, actor, pending, argument, ladder, locality, closed
    QString reason;
};

/** Local rules (see docs/workflow.md); configurable, never hard-coded elsewhere. */
struct WorkflowConfig
{
    int intakeMinutesUrgent = 10;
    int intakeMinutes = 30;
    int dispatchMinutes = 60;
    int verifyWorkingMinutes = 240;
    int closeMinutes = 60;
    int maxExtensionHours = 480;
    double recurrenceRadiusMetres = 30;
    int recurrenceWindowDays = 30;

    /**
     * Local rules from DATA/workflow.json when the file exists (any subset of the keys in
     * docs/workflow.md); a malformed file or value is refused with a message naming it.
     */
    static Result<WorkflowConfig> load(const QString &dataDir);
};

/**
 * The case workflow engine: (case snapshot, command, actor, time) → new events or a typed
 * rejection. Pure and deterministic: it depends on nothing but its inputs (the catalogue and the
 * calendar are data passed in), so it runs optimistically on the console and authoritatively on
 * the platform with the same result. Thread-safe: it holds only const references.
 */
class Workflow
{
    Q_DECLARE_TR_FUNCTIONS(Workflow)
public:
    Workflow(const Catalogue &catalogue, const WorkCalendar &calendar, WorkflowConfig config = {});

    using Decision = std::variant<QList<NewEvent>, Rejection>;

    /** The snapshot of a new case before its report event. */
    CaseSnapshot initial(CaseId id, const QString &category) const;
    /** Decides a command. For Action::Report, `c` is initial(). */
    Decision decide(const CaseSnapshot &c, const Command &cmd, const Actor &actor,
                    qint64 now) const;
    /** Role, state and identity preconditions only (no argument checks): can `actor` do `a`? */
    std::optional<Rejection> precheck(const CaseSnapshot &c, Action a, const Actor &actor) const;
    /** Applies one event (of any actor) to a snapshot. */
    static void fold(CaseSnapshot &c, const QString &kind, const QByteArray &payload,
                     const QString &actor, qint64 at);
    /** Roles that may perform an action at all (the role rule of the command). */
    static QList<Role> rolesFor(Action a);
    const WorkflowConfig &config() const { return m_config; }

private:
    qint64 stageLimitMinutes(const CaseSnapshot &c, int stage) const;

    const Catalogue &m_catalogue;
    const WorkCalendar &m_calendar;
    WorkflowConfig m_config;
};

} // namespace cityops
