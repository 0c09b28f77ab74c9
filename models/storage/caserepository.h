#pragma once

#include "domain/caseinput.h"
#include "util/result.h"
#include "workflow/outcome.h"
#include "workflow/workflow.h"

#include <QCoreApplication>
#include <QString>

#include <memory>

namespace cityops {

class Database;
class StatementCache;

/**
 * Runs workflow commands against the local store: loads a case's snapshot by folding its
 * timeline, asks the Workflow engine, and on success appends the events to the hash chain and
 * updates the case row, all in one transaction. Same threading rule as Database.
 */
class CaseRepository
{
    Q_DECLARE_TR_FUNCTIONS(CaseRepository)
public:
    CaseRepository(std::shared_ptr<Database> db, const Workflow &workflow);
    ~CaseRepository();

    /** The actor for a user account (role and unit from `users`). */
    Result<Actor> actorFor(const QString &username, const QString &device) const;
    Result<CaseSnapshot> snapshot(CaseId id) const;
    /** Files a new case; links it to an earlier one when it repeats (same place or party). */
    Outcome report(const ReportInput &in, const Actor &actor, qint64 now);
    Outcome apply(CaseId id, const Command &cmd, const Actor &actor, qint64 now);
    /** A person by unit code, for dispatch. */
    std::optional<Assignee> findAssignee(const QString &code) const;
    /** People of the given unit types, in code order. */
    QList<Assignee> assignees(const QStringList &types, int limit = 200) const;
    /**
     * People of the given unit types who could take a case, those of its own community first,
     * then of its street, then the rest, each with open cases and distance from the case.
     */
    QList<Assignee> dispatchCandidates(CaseId id, const QStringList &types, int limit = 200) const;
    const Workflow &workflow() const { return m_workflow; }
    /**
     * Console mode: events are written provisional (the platform's replace them) and a new case
     * gets a temporary negative id until the platform numbers it.
     */
    void setProvisional(bool on) { m_provisional = on; }
    /** Files the next report under this id (replaying an offline report); 0 = automatic. */
    void setNextCaseId(CaseId id) { m_nextCaseId = id; }
    /**
     * Whether report() indexes new cases for full-text search (on by default). The platform turns
     * it off: nothing searches its store, and consoles index the cases they receive themselves.
     */
    void setSearchIndexing(bool on) { m_searchIndexing = on; }

private:
    Outcome commit(CaseSnapshot before, const QList<NewEvent> &events, const Actor &actor,
                   bool isNew, const ReportInput *report);

    std::shared_ptr<Database> m_db;
    const Workflow &m_workflow;
    bool m_provisional = false;
    bool m_searchIndexing = true;
    CaseId m_nextCaseId = 0;
    /** Statements of report() and apply(), parsed once (after m_db: closed before it). */
    std::unique_ptr<StatementCache> m_statements;
};

} // namespace cityops
