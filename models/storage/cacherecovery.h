#pragma once

#include "domain/types.h"
#include "sync/messages.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <memory>

namespace cityops {

class Database;

/** A command of the outbox as recovered from the cache or its journal. */
struct RecoveredCommand
{
    QString commandId;
    QString username;
    CaseId caseId = 0;
    QString state; ///< pending, applied (not yet confirmed by a pulled change) or rejected
    sync::ClientCommand command;

    bool operator==(const RecoveredCommand &o) const
    {
        return commandId == o.commandId && username == o.username && caseId == o.caseId &&
               state == o.state;
    }
};

/** The outbox written to a file (`cityops-cli outbox export`), read back for a replay. */
struct OutboxExport
{
    QList<RecoveredCommand> commands;
    QString source; ///< "outbox" (the cache's table) or "journal"
    QString cache;  ///< the cache file it came from
    QString note;   ///< why the journal was used, when it was

    /** The commands that still need the platform (not rejected). */
    QList<RecoveredCommand> outstanding() const;
    QByteArray toJson() const;
    static Result<OutboxExport> fromJson(const QByteArray &json, const QString &fileName);
};

/**
 * The outbox journal: every command the outbox accepts is also appended (after its transaction
 * committed) to DATA/outbox-journal.jsonl, one JSON object a line, and flushed to disk, so that
 * a cache file that is damaged or deleted still leaves its unsent commands recoverable. It is
 * emptied only when the outbox is empty (by the sync engine, inside a write transaction so no
 * command can be queued meanwhile). Lines are deduplicated by command id on reading; a torn last
 * line (a crash during the append) is skipped.
 */
class OutboxJournal
{
    Q_DECLARE_TR_FUNCTIONS(OutboxJournal)
public:
    static constexpr const char *kFileName = "outbox-journal.jsonl";

    /** The journal next to a cache file. */
    static QString pathFor(const QString &cachePath);
    static Status append(const QString &cachePath, const RecoveredCommand &command);
    static Result<QList<RecoveredCommand>> read(const QString &cachePath);
    static Status clear(const QString &cachePath);
};

/**
 * Recovering from a damaged, deleted or unreadable cache (docs/reliability.md, "Storage faults"):
 * reading the outbox out of it, moving it aside and seeding a fresh cache that the sync engine
 * then fills from the platform. Nothing here deletes or writes to the old file.
 */
class CacheRecovery
{
    Q_DECLARE_TR_FUNCTIONS(CacheRecovery)
public:
    /**
     * The outbox of the cache in a data directory: read from its outbox table through a
     * read-only handle (which works while other tables are damaged), or, when that table cannot
     * be read, from the journal. An error says why neither could be read. A running console
     * passes its live connection, which still reads a file deleted under it.
     */
    static Result<OutboxExport> exportOutbox(const QString &dataDir, Database *live = nullptr);

    /** The platform URL and sessions (sync_state) of a cache, read through a read-only handle. */
    using Session = QList<QPair<QString, QString>>;
    static Result<Session> readSession(const QString &cachePath, Database *live = nullptr);

    /** Writes the platform URL and sessions into a fresh cache (sync_state), in one transaction. */
    static Status seedSession(Database &fresh, const Session &session);

    /**
     * Renames a cache file and its WAL and shared-memory files (each that exists: a file
     * deleted under a running console leaves its WAL) to `cityops.db.broken-YYYYMMDDTHHMMSS`
     * (never deleting anything); returns the new path, or an empty string when there was none.
     */
    static Result<QString> moveAside(const QString &cachePath);
};

} // namespace cityops
