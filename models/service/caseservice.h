#pragma once

#include "domain/caseinput.h"
#include "util/result.h"
#include "workflow/outcome.h"
#include "workflow/workflow.h"

#include <QFlags>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace cityops {

class CaseRepository;
class Database;
class SyncStore;
struct OutboxEntry;

/** What about a case changed: a panel refreshes only what it shows. */
enum class CaseField
{
    State = 0x01,    ///< state, deadline, closing
    Stage = 0x02,    ///< escalation ladder stage
    Assignee = 0x04, ///< who it is dispatched to
    Request = 0x08,  ///< a pending escalation or extension request
    Evidence = 0x10, ///< attachments
    Timeline = 0x20, ///< events were appended
    Created = 0x40,  ///< a new case (or one renumbered by the platform)
    All = 0x7f
};
Q_DECLARE_FLAGS(CaseFields, CaseField)
Q_DECLARE_OPERATORS_FOR_FLAGS(CaseFields)

/** One notification: these cases changed in these ways. */
struct CaseChange
{
    QList<CaseId> ids;
    CaseFields fields;
    /** The platform's changes pulled into the replica (otherwise this user's own commands). */
    bool pulled = false;
};

/** The outcome of one action over many cases. */
struct BatchResult
{
    struct Failure
    {
        CaseId id = 0;
        Outcome outcome;
    };
    QList<CaseId> applied;
    QList<Failure> failures; ///< rejected, failed or not attempted (cancelled), in input order
    bool cancelled = false;
};

/**
 * The only way a console panel, the CLI or a bulk operation changes a case, and the only source
 * of change notifications.
 *
 * Whether this cache is its own authority or a replica of a platform is decided once, at
 * construction: a replica writes each command's provisional effect and its outbox row in one
 * transaction (SyncStore), a standalone cache applies it directly (CaseRepository). Times come
 * from clientNow() unless a caller back-fills with an explicit time (the CLI's --at).
 *
 * Readers (item models, the map, the dashboard) listen to casesChanged; a batch of N cases
 * emits it once. Threading: the GUI thread (or the CLI's one thread), like Database.
 */
class CaseService : public QObject
{
    Q_OBJECT
public:
    enum class Authority
    {
        Automatic, ///< a replica when the cache has a platform URL, otherwise local
        Replica    ///< a replica whatever the cache says (the CLI's --platform)
    };
    CaseService(std::shared_ptr<Database> db, const Workflow &workflow, Actor actor,
                Authority authority = Authority::Automatic, QObject *parent = nullptr);
    ~CaseService() override;

    const Actor &actor() const { return m_actor; }
    const Workflow &workflow() const { return m_workflow; }
    /** True when commands go through the outbox to a platform. */
    bool isReplica() const { return m_sync != nullptr; }
    /** The user signed in to the platform on this cache (empty on a standalone cache). */
    QString sessionUser() const;
    /** The resolved actor of a user of this cache (role and person from `users`). */
    Result<Actor> actorFor(const QString &username, const QString &device) const;

    // Writes: the single path.
    Outcome report(const ReportInput &in, std::optional<qint64> at = std::nullopt);
    Outcome run(CaseId id, const Command &cmd, std::optional<qint64> at = std::nullopt);
    /**
     * Runs a command on each of many cases in order (`command(i)` for `ids[i]`; each case all
     * or nothing), then notifies once. `progress(done)` is called after each case; returning false
     * cancels the rest, which are listed as not attempted.
     */
    BatchResult runBatch(const QList<CaseId> &ids,
                         const std::function<Command(qsizetype index)> &command,
                         const std::function<bool(qsizetype done)> &progress = {});

    // Reads the workflow needs before a command.
    Result<CaseSnapshot> snapshot(CaseId id) const;
    std::optional<Assignee> findAssignee(const QString &code) const;
    QList<Assignee> dispatchCandidates(CaseId id, const QStringList &types, int limit = 200) const;

    // The outbox of a replica (empty / errors on a local cache).
    int outstandingCount() const;
    int rejectedCount() const;
    /** The bearer token of the platform session signed in now; empty when signed out. */
    QByteArray sessionToken() const;
    QList<OutboxEntry> rejectedCommands() const;
    /** Sends a rejected command again under a new id with an edited reason. */
    Result<CaseId> retry(const QString &commandId, const QString &reason);
    /** Drops a rejected command and rolls back its local effect. */
    Result<CaseId> discard(const QString &commandId);

    /**
     * The sync engine pulled the platform's changes of these cases into the cache (on its own
     * connection): tells every listener once.
     */
    void notifyPulled(const QList<CaseId> &ids);
    /**
     * Reports a storage fault (damaged, deleted or read-only cache, full disk) found by any part
     * of the console: emitted once per distinct message.
     */
    void reportStorageFault(const QString &message);

    /** The fields an action can change (for notifications). */
    static CaseFields fieldsOf(const Command &cmd);

signals:
    void casesChanged(const cityops::CaseChange &change);
    /** The outbox gained, lost or changed commands (replica only). */
    void outboxChanged();
    void storageFault(const QString &message);

private:
    Outcome execute(CaseId id, const Command &cmd, qint64 at);
    /** Names the file and the cause of a storage failure, and reports it. */
    void describeFailure(Outcome &o);

    std::shared_ptr<Database> m_db;
    const Workflow &m_workflow;
    Actor m_actor;
    std::unique_ptr<CaseRepository> m_repo;
    std::unique_ptr<SyncStore> m_sync;
    QString m_lastFault;
};

} // namespace cityops

Q_DECLARE_METATYPE(cityops::CaseChange)
