#include "caseservice.h"

#include "storage/caserepository.h"
#include "storage/database.h"
#include "storage/syncstore.h"
#include "util/clock.h"

namespace cityops {

CaseService::CaseService(std::shared_ptr<Database> db, const Workflow &workflow, Actor actor,
                         Authority authority, QObject *parent)
    : QObject(parent), m_db(std::move(db)), m_workflow(workflow), m_actor(std::move(actor)),
      m_repo(std::make_unique<CaseRepository>(m_db, m_workflow))
{
    qRegisterMetaType<cityops::CaseChange>();
    auto sync = std::make_unique<SyncStore>(m_db, m_workflow);
    if (authority == Authority::Replica || !sync->value(QStringLiteral("platform_url")).isEmpty())
        m_sync = std::move(sync);
}

CaseService::~CaseService() = default;

QString CaseService::sessionUser() const
{
    return m_sync ? m_sync->value(QStringLiteral("session_user")) : QString();
}

Result<Actor> CaseService::actorFor(const QString &username, const QString &device) const
{
    return m_repo->actorFor(username, device);
}

CaseFields CaseService::fieldsOf(const Command &cmd)
{
    CaseFields f = CaseField::Timeline;
    if (!cmd.evidence.isEmpty())
        f |= CaseField::Evidence;
    switch (cmd.action) {
    case Action::Report:
        return CaseField::All;
    case Action::Dispatch:
    case Action::Return:
    case Action::Reopen:
        return f | CaseField::State | CaseField::Assignee;
    case Action::ExtendRequest:
    case Action::EscalateReject:
        return f | CaseField::Request;
    case Action::ExtendApprove:
    case Action::ExtendReject:
        return f | CaseField::Request | CaseField::State;
    case Action::EscalateRequest:
        return f | CaseField::Request;
    case Action::EscalateApprove:
    case Action::Deescalate:
    case Action::Notice:
    case Action::RecheckCorrected:
    case Action::RecheckUncorrected:
        return f | CaseField::Stage | CaseField::State | CaseField::Assignee | CaseField::Request;
    case Action::Register:
    case Action::Reject:
    case Action::Accept:
    case Action::Feedback:
    case Action::VerifyPass:
    case Action::VerifyFail:
    case Action::Close:
    case Action::Shelve:
    case Action::Resume:
    case Action::MarkDuplicate:
        return f | CaseField::State | CaseField::Request;
    }
    return CaseField::All;
}

void CaseService::describeFailure(Outcome &o)
{
    if (o.kind != Outcome::Failed)
        return;
    // Name the file and the cause (damaged, deleted, disk full) rather than SQLite's words.
    o.error = m_db->describe(o.error);
    if (m_db->diagnose(o.error) != StorageFault::None)
        reportStorageFault(o.error);
}

Outcome CaseService::report(const ReportInput &in, std::optional<qint64> at)
{
    const qint64 now = at.value_or(clientNow());
    // Signed in to a platform, the console is one client among many: it files what its users
    // find, never what Open311 or a camera reports (the platform refuses that; say so now).
    if (const auto source = Names::source(in.source); m_sync && source && isChannelBound(*source)) {
        Outcome refused;
        refused.kind = Outcome::Rejected;
        refused.rejection = {QStringLiteral("source-not-allowed"),
                             tr("A report from a signed-in client cannot have the source \"%1\": "
                                "that channel files its own reports.")
                                 .arg(Names::label(*source))};
        return refused;
    }
    Outcome o = m_sync ? m_sync->report(in, m_actor, now) : m_repo->report(in, m_actor, now);
    if (o.ok()) {
        emit casesChanged({{o.snapshot.id}, CaseField::All, false});
        if (m_sync)
            emit outboxChanged();
    }
    describeFailure(o);
    return o;
}

Outcome CaseService::execute(CaseId id, const Command &cmd, qint64 at)
{
    Outcome o = m_sync ? m_sync->apply(id, cmd, m_actor, at) : m_repo->apply(id, cmd, m_actor, at);
    describeFailure(o);
    return o;
}

Outcome CaseService::run(CaseId id, const Command &cmd, std::optional<qint64> at)
{
    const Outcome o = execute(id, cmd, at.value_or(clientNow()));
    if (o.ok()) {
        emit casesChanged({{id}, fieldsOf(cmd), false});
        if (m_sync)
            emit outboxChanged();
    }
    return o;
}

BatchResult CaseService::runBatch(const QList<CaseId> &ids,
                                  const std::function<Command(qsizetype index)> &command,
                                  const std::function<bool(qsizetype)> &progress)
{
    BatchResult r;
    CaseFields fields;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (r.cancelled) {
            Outcome skipped;
            skipped.kind = Outcome::Failed;
            skipped.error = tr("not attempted (cancelled)");
            r.failures.append({ids.at(i), skipped});
            continue;
        }
        const Command cmd = command(i);
        const Outcome o = execute(ids.at(i), cmd, clientNow());
        if (o.ok()) {
            r.applied.append(ids.at(i));
            fields |= fieldsOf(cmd);
        } else {
            r.failures.append({ids.at(i), o});
        }
        if (progress && !progress(i + 1))
            r.cancelled = true;
    }
    if (!r.applied.isEmpty()) {
        emit casesChanged({r.applied, fields, false});
        if (m_sync)
            emit outboxChanged();
    }
    return r;
}

Result<CaseSnapshot> CaseService::snapshot(CaseId id) const
{
    return m_repo->snapshot(id);
}

std::optional<Assignee> CaseService::findAssignee(const QString &code) const
{
    return m_repo->findAssignee(code);
}

QList<Assignee> CaseService::dispatchCandidates(CaseId id, const QStringList &types,
                                                int limit) const
{
    return m_repo->dispatchCandidates(id, types, limit);
}

int CaseService::outstandingCount() const
{
    return m_sync ? m_sync->outstandingCount() : 0;
}

QByteArray CaseService::sessionToken() const
{
    return m_sync ? m_sync->value(QStringLiteral("session_token")).toUtf8() : QByteArray();
}

int CaseService::rejectedCount() const
{
    return m_sync ? m_sync->rejectedCount() : 0;
}

QList<OutboxEntry> CaseService::rejectedCommands() const
{
    return m_sync ? m_sync->rejected() : QList<OutboxEntry>{};
}

Result<CaseId> CaseService::retry(const QString &commandId, const QString &reason)
{
    if (!m_sync)
        return Error{tr("This cache does not sync with a platform.")};
    auto id = m_sync->retry(commandId, reason);
    if (id) {
        emit casesChanged({{*id}, CaseField::All, false});
        emit outboxChanged();
    }
    return id;
}

Result<CaseId> CaseService::discard(const QString &commandId)
{
    if (!m_sync)
        return Error{tr("This cache does not sync with a platform.")};
    auto id = m_sync->discard(commandId);
    if (id) {
        emit casesChanged({{*id}, CaseField::All, false});
        emit outboxChanged();
    }
    return id;
}

void CaseService::notifyPulled(const QList<CaseId> &ids)
{
    if (ids.isEmpty())
        return;
    // The engine reports the outbox's counts itself; nudging it here would only make it cycle.
    emit casesChanged({ids, CaseField::All, true});
}

void CaseService::reportStorageFault(const QString &message)
{
    if (message == m_lastFault)
        return;
    m_lastFault = message;
    emit storageFault(message);
}

} // namespace cityops
