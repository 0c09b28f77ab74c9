#pragma once

#include "caserepository.h"
#include "domain/types.h"
#include "sync/messages.h"
#include "sync/outbox.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <memory>
#include <utility>

namespace cityops {

class Database;
class WalCheckpointer;

/**
 * The console's side of sync in its cache: the outbox, the sync state (cursor, session,
 * platform URL) and applying the platform's authoritative cases and events.
 *
 * Local actions go through report() and apply(): the optimistic effect (provisional events) and
 * the outbox row are written in one transaction. Pulled changes replace a case's provisional
 * events by the platform's, confirm applied commands in the same transaction, and replay the
 * case's still-outstanding commands on top (rebase). Nothing is dropped: rejected commands stay
 * until discarded explicitly.
 *
 * Threading: same rule as Database (one instance per connection and thread).
 */
class SyncStore
{
    Q_DECLARE_TR_FUNCTIONS(SyncStore)
public:
    SyncStore(std::shared_ptr<Database> db, const Workflow &workflow);
    ~SyncStore();

    Database &database() const { return *m_db; }
    CaseRepository &repository() { return m_repo; }

    // Local actions: effect and outbox row in one transaction.
    Outcome report(const ReportInput &in, const Actor &actor, qint64 now,
                   QString *commandId = nullptr);
    Outcome apply(CaseId id, const Command &cmd, const Actor &actor, qint64 now,
                  QString *commandId = nullptr);

    // The outbox
    QList<OutboxEntry> pending(int limit) const; ///< state pending, in order
    QList<OutboxEntry> rejected() const;
    QList<OutboxEntry> entries() const;
    int outstandingCount() const; ///< pending or applied (not yet confirmed by a pulled change)
    int rejectedCount() const;
    /**
     * Records the platform's answers: applied ones wait for their change (or leave when the
     * cache already holds it), a report's temporary case is re-keyed to the platform's id,
     * rejected ones are kept with their reason and their local effect is rolled back. Returns
     * the cases whose local state changed.
     */
    Result<QList<CaseId>> recordResults(const QList<sync::CommandResult> &results);
    /**
     * Removes a case that left the account's scope (sync::Change::dropped): its row, events,
     * facts, outbox rows and attachment rows, listed in `scope_drops`. The attachments' hashes
     * are added to `evidence` (their files go once the transaction has committed).
     */
    Status dropCase(CaseId id, qint64 at, QStringList *evidence);
    /** The evidence of cases dropped by committed change pages, for the caller to delete. */
    QStringList takeDroppedEvidence();
    /**
     * Removes every case of the cache, for a sign-in under another scope (docs/security.md, "Who
     * sees what"): rows, events, facts, the dashboard's and search's side tables, and every
     * attachment no remaining (rejected) outbox command names (their hashes are added to
     * `evidence`, for the caller to delete once committed). Confirmed events go the way dropCase's
     * do (listed in `scope_drops`, unlisted again once gone, so the cases pulled next are
     * append-only again). Applied commands leave the outbox (they are the platform's now), rejected
     * ones stay. The snapshot and feed state is reset, so the next sync pulls a fresh snapshot.
     * Refused while a command is pending. One transaction; returns the removed case ids.
     */
    Result<QList<CaseId>> purgeCases(qint64 at, QStringList *evidence);
    /**
     * The scope the cache's cases were pulled under (`cases_scope`): "district" for a cache with
     * cases from before it was recorded (`cityops-cli demo generate`, an older console), empty
     * for a cache that holds none.
     */
    QString casesScope() const;
    /** Commands pending or applied but not yet confirmed, per user, in outbox order. */
    QList<std::pair<QString, int>> outstandingByUser() const;
    /** Counts an attempt that did not get an answer. */
    Status noteAttempt(const QStringList &commandIds, const QString &error);
    /** Drops a rejected command (the operator confirmed it) and rolls back its local effect. */
    Result<CaseId> discard(const QString &commandId);
    /** Sends a rejected command again under a new id, with an edited reason. */
    Result<CaseId> retry(const QString &commandId, const QString &reason);

    // Pulled state: each call is one transaction (a page and its cursor together).
    Result<QList<CaseId>> applyChanges(const sync::ChangesPage &page);
    Result<QList<CaseId>> applySnapshotPage(const sync::SnapshotPage &page);
    /**
     * Replaces the cache's reference data by the platform's (one transaction: all tables and
     * `reference_version`, or nothing). Rows the platform no longer has are deleted; a case that
     * still refers to one makes the whole refresh fail.
     */
    Status applyReference(const sync::ReferenceData &data);

    // Sync state
    QString value(const QString &key) const;
    Status setValue(const QString &key, const QString &value);
    qint64 cursor() const { return value(QStringLiteral("cursor")).toLongLong(); }
    QString referenceVersion() const { return value(QStringLiteral("reference_version")); }
    bool snapshotDone() const
    {
        return value(QStringLiteral("snapshot_done")) == QLatin1String("1");
    }

private:
    /** commandId: the client command that made the change (the feed says), confirmed by it. */
    Status writeCase(const sync::CaseRow &row, const QList<CaseEvent> &events,
                     QList<CaseId> *touched,
                     const std::optional<QString> &commandId = std::nullopt);
    /** Retires the outbox row of a command a pulled change names; true when there was one. */
    Result<bool> confirmCommand(const QString &commandId, const sync::CaseRow &row,
                                QList<CaseId> *touched);
    Status rebase(CaseId id);
    Status replay(CaseId id);
    Status saveBase(CaseId id);
    Status removeLocalCase(CaseId id);
    int authoritativeVersion(CaseId id) const;
    /** Whether any case has local commands on top (otherwise pulled pages take a fast path). */
    bool hasLocalWork() const;
    bool hasOutstanding(CaseId id) const;
    Status append(const sync::ClientCommand &cmd, CaseId caseId, const QString &username);

    /** A PRAGMA's current value on this connection (`fallback` when it cannot be read). */
    QByteArray pragma(const char *name, const QByteArray &fallback) const;

    std::shared_ptr<Database> m_db;
    CaseRepository m_repo;
    /** Checkpoints beside the bulk load of an empty cache (applySnapshotPage). */
    std::unique_ptr<WalCheckpointer> m_checkpointer;
    QStringList m_droppedEvidence;
    int m_bulkPages = 0;
};

} // namespace cityops
