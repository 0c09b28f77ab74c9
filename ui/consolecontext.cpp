#include "consolecontext.h"

#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/casestore.h"
#include "storage/database.h"
#include "storage/evidencestore.h"

namespace cityops {

namespace {
/** The data directory's workflow.json; the console refuses a bad one before it gets here. */
WorkflowConfig localRules(const QString &dataDir)
{
    auto rules = WorkflowConfig::load(dataDir);
    return rules ? *rules : WorkflowConfig{};
}
} // namespace

ConsoleContext::ConsoleContext(std::shared_ptr<Database> db, QString dataDir, Actor actor,
                               QObject *parent)
    : QObject(parent), m_db(std::move(db)), m_dataDir(std::move(dataDir)),
      m_actor(std::move(actor)), m_store(std::make_shared<CaseStore>(m_db)),
      m_workflow(std::make_unique<Workflow>(Catalogue::builtin(), WorkCalendar::builtin(),
                                            localRules(m_dataDir))),
      m_evidence(std::make_unique<EvidenceStore>(m_db, m_dataDir)),
      m_cases(std::make_unique<CaseService>(m_db, *m_workflow, m_actor,
                                            CaseService::Authority::Automatic))
{}

ConsoleContext::~ConsoleContext() = default;

} // namespace cityops
