#pragma once

#include <QCoreApplication>
#include <QString>
#include <QtGlobal>

#include <array>
#include <optional>

namespace cityops {

using CaseId = qint64;

/** Where a case stands in the digital city-management closed loop. */
enum class CaseState
{
    Reported,   ///< 上报: reported, waiting for intake (待受理)
    Registered, ///< 立案: filed, waiting for dispatch (待派遣)
    Dispatched, ///< 派遣: sent to a unit and a named person, not yet accepted
    Handling,   ///< 处置: accepted and being handled
    Feedback,   ///< 处置反馈: handler reported back, waiting for verification (待核查)
    Verified,   ///< 核查通过: verified on site, waiting for closure (待结案)
    Closed,     ///< 结案
    Returned,   ///< 回退: sent back by a unit that is not responsible
    Shelved,    ///< 挂账
    Rejected,   ///< 不予立案: report did not meet the filing condition
};
inline constexpr std::array kAllCaseStates{
    CaseState::Reported, CaseState::Registered, CaseState::Dispatched, CaseState::Handling,
    CaseState::Feedback, CaseState::Verified,   CaseState::Closed,     CaseState::Returned,
    CaseState::Shelved,  CaseState::Rejected};

/** The staged escalation ladder for recurring street-order violations. */
enum class Stage
{
    None = 0,
    Notice = 1,
    Persuasion = 2,
    Enforcement = 3
};

/** Who may do what. */
enum class Role
{
    Operator,
    Dispatcher,
    Supervisor,
    Field,
    Enforcement,
    Auditor
};
inline constexpr std::array kAllRoles{Role::Operator, Role::Dispatcher,  Role::Supervisor,
                                      Role::Field,    Role::Enforcement, Role::Auditor};

/** How a case reached the centre. */
enum class CaseSource
{
    Camera,
    Patrol,
    Hotline,
    GridWorker,
    Open311
};
inline constexpr std::array kAllSources{CaseSource::Camera, CaseSource::Patrol, CaseSource::Hotline,
                                        CaseSource::GridWorker, CaseSource::Open311};
/**
 * Sources bound to a channel of their own (Open311 and the cameras file their own reports): the
 * platform derives them from the channel and refuses a signed-in client that claims them.
 */
inline constexpr bool isChannelBound(CaseSource s)
{
    return s == CaseSource::Open311 || s == CaseSource::Camera;
}

/** Stable machine names (stored in SQLite and sent over the wire) and translated labels. */
struct Names
{
    Q_DECLARE_TR_FUNCTIONS(Names)
public:
    static QString key(CaseState s);
    static QString key(Stage s);
    static QString key(Role r);
    static QString key(CaseSource s);
    static std::optional<CaseState> caseState(const QString &key);
    static std::optional<Stage> stage(const QString &key);
    static std::optional<Role> role(const QString &key);
    static std::optional<CaseSource> source(const QString &key);

    static QString label(CaseState s);
    static QString label(Stage s);
    static QString label(Role r);
    static QString label(CaseSource s);
    /** Label for a state key as stored; falls back to the key itself for unknown values. */
    static QString stateLabel(const QString &key);
    static QString sourceLabel(const QString &key);
    static QString stageLabel(int stage);
    /** Label of a timeline event kind (a workflow command name such as "escalate-approve"). */
    static QString eventLabel(const QString &kind);
    /** One-line, translated summary of an event payload (compact JSON) for the timeline. */
    static QString payloadSummary(const QByteArray &payload);
};

} // namespace cityops
