#include "consolecontext.h"

#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/casestore.h"
#include "storage/database.h"
#include "storage/evidencestore.h"
#include "storage/syncstore.h"
#include "util/clock.h"

#include <QDateTime>

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
      m_repo(std::make_unique<CaseRepository>(m_db, *m_workflow)),
      m_evidence(std::make_unique<EvidenceStore>(m_db, m_dataDir))
{
    auto sync = std::make_unique<SyncStore>(m_db, *m_workflow);
    if (!sync->value(QStringLiteral("platform_url")).isEmpty())
        m_sync = std::move(sync);
}

ConsoleContext::~ConsoleContext() = default;

Outcome ConsoleContext::run(CaseId id, const Command &cmd)
{
    const qint64 now = clientNow();
    Outcome o =
        m_sync ? m_sync->apply(id, cmd, m_actor, now) : m_repo->apply(id, cmd, m_actor, now);
    if (o.ok()) {
        emit caseChanged(id);
        if (m_sync)
            emit commandQueued();
    } else if (o.kind == Outcome::Failed) {
        // Name the file and the cause (damaged, deleted, disk full) rather than SQLite's words.
        o.error = m_db->describe(o.error);
        if (m_db->diagnose(o.error) != StorageFault::None)
            reportStorageFault(o.error);
    }
    return o;
}

void ConsoleContext::reportStorageFault(const QString &message)
{
    if (message == m_lastFault)
        return;
    m_lastFault = message;
    emit storageFault(message);
}

} // namespace cityops
