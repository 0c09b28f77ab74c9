#pragma once

#include "service/caseservice.h"
#include "workflow/workflow.h"

#include <QObject>
#include <QString>

#include <memory>

namespace cityops {

class CaseStore;
class Database;
class EvidenceStore;

/**
 * What the console's widgets share: the read-side store, the workflow engine, the evidence
 * store, the signed-in user and the CaseService through which every change to a case goes (and
 * from which every change notification comes). Views never write to storage themselves.
 * GUI thread only.
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
    CaseService &cases() const { return *m_cases; }
    EvidenceStore &evidence() const { return *m_evidence; }
    const Workflow &workflow() const { return *m_workflow; }
    const Actor &actor() const { return m_actor; }
    bool signedIn() const { return !m_actor.id.isEmpty(); }
    const QString &dataDir() const { return m_dataDir; }

private:
    std::shared_ptr<Database> m_db;
    QString m_dataDir;
    Actor m_actor;
    std::shared_ptr<CaseStore> m_store;
    std::unique_ptr<Workflow> m_workflow;
    std::unique_ptr<EvidenceStore> m_evidence;
    std::unique_ptr<CaseService> m_cases;
};

} // namespace cityops
