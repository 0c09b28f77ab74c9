#include "types.h"

#include "util/timefmt.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cityops {

namespace {
template <typename E, std::size_t N>
std::optional<E> lookup(const QString &key, const std::array<E, N> &all)
{
    for (E e : all) {
        if (Names::key(e) == key)
            return e;
    }
    return std::nullopt;
}
constexpr std::array kAllStages{Stage::None, Stage::Notice, Stage::Persuasion, Stage::Enforcement};
} // namespace

QString Names::key(CaseState s)
{
    switch (s) {
    case CaseState::Reported:
        return QStringLiteral("reported");
    case CaseState::Registered:
        return QStringLiteral("registered");
    case CaseState::Dispatched:
        return QStringLiteral("dispatched");
    case CaseState::Handling:
        return QStringLiteral("handling");
    case CaseState::Feedback:
        return QStringLiteral("feedback");
    case CaseState::Verified:
        return QStringLiteral("verified");
    case CaseState::Closed:
        return QStringLiteral("closed");
    case CaseState::Returned:
        return QStringLiteral("returned");
    case CaseState::Shelved:
        return QStringLiteral("shelved");
    case CaseState::Rejected:
        return QStringLiteral("rejected");
    }
    return {};
}

QString Names::key(Stage s)
{
    switch (s) {
    case Stage::None:
        return QStringLiteral("none");
    case Stage::Notice:
        return QStringLiteral("notice");
    case Stage::Persuasion:
        return QStringLiteral("persuasion");
    case Stage::Enforcement:
        return QStringLiteral("enforcement");
    }
    return {};
}

QString Names::key(Role r)
{
    switch (r) {
    case Role::Operator:
        return QStringLiteral("operator");
    case Role::Dispatcher:
        return QStringLiteral("dispatcher");
    case Role::Supervisor:
        return QStringLiteral("supervisor");
    case Role::Field:
        return QStringLiteral("field");
    case Role::Enforcement:
        return QStringLiteral("enforcement");
    case Role::Auditor:
        return QStringLiteral("auditor");
    }
    return {};
}

QString Names::key(CaseSource s)
{
    switch (s) {
    case CaseSource::Camera:
        return QStringLiteral("camera");
    case CaseSource::Patrol:
        return QStringLiteral("patrol");
    case CaseSource::Hotline:
        return QStringLiteral("hotline");
    case CaseSource::GridWorker:
        return QStringLiteral("grid_worker");
    case CaseSource::Open311:
        return QStringLiteral("open311");
    }
    return {};
}

std::optional<CaseState> Names::caseState(const QString &key)
{
    return lookup(key, kAllCaseStates);
}
std::optional<Stage> Names::stage(const QString &key)
{
    return lookup(key, kAllStages);
}
std::optional<Role> Names::role(const QString &key)
{
    return lookup(key, kAllRoles);
}
std::optional<CaseSource> Names::source(const QString &key)
{
    return lookup(key, kAllSources);
}

QString Names::label(CaseState s)
{
    switch (s) {
    case CaseState::Reported:
        return tr("Reported");
    case CaseState::Registered:
        return tr("Registered");
    case CaseState::Dispatched:
        return tr("Dispatched");
    case CaseState::Handling:
        return tr("Handling");
    case CaseState::Feedback:
        return tr("Awaiting verification");
    case CaseState::Verified:
        return tr("Verified, awaiting closure");
    case CaseState::Closed:
        return tr("Closed");
    case CaseState::Returned:
        return tr("Returned");
    case CaseState::Shelved:
        return tr("Shelved");
    case CaseState::Rejected:
        return tr("Not filed");
    }
    return {};
}

QString Names::label(Stage s)
{
    switch (s) {
    case Stage::None:
        return tr("No escalation");
    case Stage::Notice:
        return tr("Stage 1: notice");
    case Stage::Persuasion:
        return tr("Stage 2: community persuasion");
    case Stage::Enforcement:
        return tr("Stage 3: enforcement");
    }
    return {};
}

QString Names::label(Role r)
{
    switch (r) {
    case Role::Operator:
        return tr("Operator");
    case Role::Dispatcher:
        return tr("Dispatcher");
    case Role::Supervisor:
        return tr("Supervisor");
    case Role::Field:
        return tr("Field worker");
    case Role::Enforcement:
        return tr("Enforcement officer");
    case Role::Auditor:
        return tr("Auditor");
    }
    return {};
}

QString Names::label(CaseSource s)
{
    switch (s) {
    case CaseSource::Camera:
        return tr("Camera");
    case CaseSource::Patrol:
        return tr("Patrol");
    case CaseSource::Hotline:
        return tr("Hotline");
    case CaseSource::GridWorker:
        return tr("Grid worker");
    case CaseSource::Open311:
        return tr("Open311");
    }
    return {};
}

QString Names::stateLabel(const QString &key)
{
    const auto s = caseState(key);
    return s ? label(*s) : key;
}

QString Names::sourceLabel(const QString &key)
{
    const auto s = source(key);
    return s ? label(*s) : key;
}

QString Names::stageLabel(int stage)
{
    if (stage < 0 || stage > 3)
        return QString::number(stage);
    return label(static_cast<Stage>(stage));
}

QString Names::eventLabel(const QString &kind)
{
    static const QHash<QString, const char *> labels{
        {QStringLiteral("report"), QT_TR_NOOP("Reported")},
        {QStringLiteral("register"), QT_TR_NOOP("Registered (filed)")},
        {QStringLiteral("reject"), QT_TR_NOOP("Not filed")},
        {QStringLiteral("dispatch"), QT_TR_NOOP("Dispatched")},
        {QStringLiteral("accept"), QT_TR_NOOP("Accepted")},
        {QStringLiteral("return"), QT_TR_NOOP("Returned to the centre")},
        {QStringLiteral("feedback"), QT_TR_NOOP("Handling feedback")},
        {QStringLiteral("verify-pass"), QT_TR_NOOP("Verification passed")},
        {QStringLiteral("verify-fail"), QT_TR_NOOP("Verification failed (rework)")},
        {QStringLiteral("close"), QT_TR_NOOP("Closed")},
        {QStringLiteral("reopen"), QT_TR_NOOP("Reopened")},
        {QStringLiteral("extend-request"), QT_TR_NOOP("Extension requested")},
        {QStringLiteral("extend-approve"), QT_TR_NOOP("Extension approved")},
        {QStringLiteral("extend-reject"), QT_TR_NOOP("Extension rejected")},
        {QStringLiteral("shelve"), QT_TR_NOOP("Shelved")},
        {QStringLiteral("resume"), QT_TR_NOOP("Resumed from shelving")},
        {QStringLiteral("deescalate"), QT_TR_NOOP("Stepped down a stage")},
        {QStringLiteral("mark-duplicate"), QT_TR_NOOP("Closed as a duplicate")},
        {QStringLiteral("notice"), QT_TR_NOOP("Notice issued to the party")},
        {QStringLiteral("recheck-corrected"), QT_TR_NOOP("Re-check: corrected")},
        {QStringLiteral("recheck-uncorrected"), QT_TR_NOOP("Re-check: not corrected")},
        {QStringLiteral("escalate-request"), QT_TR_NOOP("Escalation requested")},
        {QStringLiteral("escalate-approve"), QT_TR_NOOP("Escalation approved")},
        {QStringLiteral("escalate-reject"), QT_TR_NOOP("Escalation rejected")},
    };
    const auto it = labels.constFind(kind);
    return it == labels.constEnd() ? kind : tr(*it);
}

QString Names::payloadSummary(const QByteArray &payload)
{
    const QJsonObject o = QJsonDocument::fromJson(payload).object();
    QStringList parts;
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString k = it.key();
        const QJsonValue v = it.value();
        if (k == QLatin1String("to"))
            parts << tr("to %1").arg(v.toString());
        else if (k == QLatin1String("unit"))
            parts << tr("unit %1").arg(v.toString());
        else if (k == QLatin1String("reason"))
            parts << tr("reason: %1").arg(v.toString());
        else if (k == QLatin1String("due"))
            parts << tr("due %1").arg(TimeFormat::dateTime(v.toInteger()));
        else if (k == QLatin1String("decision"))
            parts << tr("decision %1").arg(v.toString());
        else if (k == QLatin1String("camera"))
            parts << tr("camera %1").arg(v.toString());
        else if (k == QLatin1String("channel"))
            parts << tr("channel %1").arg(v.toString());
        else if (k == QLatin1String("to_stage") || k == QLatin1String("stage") ||
                 k == QLatin1String("entry_stage"))
            parts << stageLabel(v.toInt());
        else if (k == QLatin1String("skip") && v.toBool())
            parts << tr("stage skipped");
        else if (k == QLatin1String("redispatch") && v.toBool())
            parts << tr("re-dispatched");
        else if (k == QLatin1String("evidence"))
            parts << tr("%1 photo(s)").arg(v.toArray().size());
        else if (k == QLatin1String("bundle"))
            parts << tr("evidence bundle of %1").arg(v.toArray().size());
        else if (k == QLatin1String("requester"))
            parts << tr("requested by %1").arg(v.toString());
        else if (k == QLatin1String("hours"))
            parts << tr("%1 working hours").arg(v.toInt());
        else if (k == QLatin1String("remaining"))
            parts << tr("%1 working minutes left").arg(v.toInteger());
        else if (k == QLatin1String("duplicate_of"))
            parts << tr("duplicate of case %1").arg(v.toInteger());
        else if (k == QLatin1String("linked"))
            parts << tr("repeats case %1").arg(v.toInteger());
        else if (k == QLatin1String("category") || k == QLatin1String("source") ||
                 k == QLatin1String("type"))
            continue; // shown elsewhere in the detail panel
        else if (k == QLatin1String("outcome"))
            parts << (v.toString() == QLatin1String("corrected")  ? tr("corrected")
                      : v.toString() == QLatin1String("reworked") ? tr("reworked")
                      : v.toString() == QLatin1String("handled")  ? tr("handled")
                                                                  : v.toString());
        else
            parts << QStringLiteral("%1: %2").arg(k, v.toVariant().toString());
    }
    return parts.join(tr("; "));
}

} // namespace cityops
