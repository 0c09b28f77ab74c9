#pragma once

#include "storage/caserepository.h"
#include "workflow/workflow.h"

#include <QObject>
#include <QString>

#include <memory>

namespace cityops {

class CaseStore;
class Database;
class EvidenceStore;
class SyncStore;

/**
 * What the console's widgets share: the store, the workflow engine, the evidence store and the
 * signed-in user. Emits caseChanged after every applied command so every panel refreshes from
 * the store (views never write to storage themselves). GUI thread only.
 */
class ConsoleContext : public QObject
{
    Q_OBJECT
public:
    ConsoleContext(std::shared_ptr<Database> db, QString dataDir, Actor actor,
                   QObject *parent = nullptr);
    ~ConsoleContext() override;

    Database &db() const { return *m_db; }
    const std::shared_ptr<Database> &database() const { return m_db; }
    const std::shared_ptr<CaseStore> &store() const { return m_store; }
    CaseRepository &repository() const { return *m_repo; }
    EvidenceStore &evidence() const { return *m_evidence; }
    const Workflow &workflow() const { return *m_workflow; }
    const Actor &actor() const { return m_actor; }
    bool signedIn() const { return !m_actor.id.isEmpty(); }
    const QString &dataDir() const { return m_dataDir; }

    /**
     * Runs a command as the signed-in user now; emits caseChanged when applied. In a cache that
     * syncs with a platform the effect is provisional and the command waits in the outbox (one
     * transaction), and commandQueued follows.
     */
    Outcome run(CaseId id, const Command &cmd);
    /** The outbox of a cache attached to a platform (null for a standalone cache). */
    SyncStore *sync() const { return m_sync.get(); }
    /**
     * Reports a storage fault (a damaged, deleted or read-only cache, a full disk) found by any
     * part of the console: storageFault is emitted once per distinct message, so a failing
     * cache shows one error, not one per attempt.
     */
    void reportStorageFault(const QString &message);

signals:
    void caseChanged(cityops::CaseId id);
    /**
     * Many cases changed at once (a pulled page of the platform's changes, the first snapshot).
     * caseChanged is then emitted once (for the last id) so panels reload once, not per case.
     */
    void casesChanged(const QList<qint64> &ids);
    void commandQueued();
    void storageFault(const QString &message);

private:
    std::shared_ptr<Database> m_db;
    QString m_dataDir;
    Actor m_actor;
    std::shared_ptr<CaseStore> m_store;
    std::unique_ptr<Workflow> m_workflow;
    std::unique_ptr<CaseRepository> m_repo;
    std::unique_ptr<EvidenceStore> m_evidence;
    std::unique_ptr<SyncStore> m_sync;
    QString m_lastFault;
};

} // namespace cityops
