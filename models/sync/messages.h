#pragma once

#include "domain/caseinput.h"
#include "domain/caserecord.h"
#include "domain/types.h"
#include "util/result.h"
#include "workflow/workflow.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

/**
 * The values the sync protocol carries (commands, results, case rows, change and snapshot pages,
 * reference data), without the wire codec: what the stores that persist them (the outbox, the
 * replica, the platform's rows) need, so that models/storage does not depend on sync/protocol.h.
 * Each value's own JSON form (toJson/fromJson) is declared with it because the outbox stores
 * commands as that JSON; framing, limits, parsers and the snapshot codec stay in protocol.h.
 * Events are the domain's CaseEvent (domain/caserecord.h), which is also the stored row.
 */
namespace cityops::sync {

/** One workflow command as a console queues it in its outbox and sends it to the platform. */
struct ClientCommand
{
    QString id;        ///< client-generated UUID; the platform applies an id at most once
    CaseId caseId = 0; ///< 0 for a new report, or with caseRef
    /**
     * Id of an earlier `report` command whose case this command acts on: a case filed offline
     * has no platform id yet. Used only when caseId is 0.
     */
    QString caseRef;
    QString action; ///< actionKey(), e.g. "register", "escalate-request"
    QString device;
    qint64 clientAt = 0; ///< the device's clock: display and audit only, never ordering
    int baseVersion = 0; ///< the case version the console saw (audit; the platform decides)
    // Command fields (which matter depends on the action; see docs/workflow.md)
    QString reason;
    QString to;           ///< dispatch: person code
    QString toUnit;       ///< informational: the platform looks the person's team up itself
    QString toType;       ///< informational, likewise
    QStringList evidence; ///< SHA-256 (hex) of attachments uploaded before the command
    int toStage = 0;
    bool skip = false;
    bool confirmFiling = false;
    int hours = 0;
    QString decision;
    CaseId duplicateOf = 0;
    // report only
    QString category;
    double lon = 0;
    double lat = 0;
    QString address;
    QString description;
    QString party;
    QString source; ///< Names::key(CaseSource); empty = patrol

    bool isReport() const { return action == QLatin1String("report"); }
    /** The workflow command (action must be valid: decoded commands always are). */
    Command toCommand() const;
    /** The report fields (evidence included). */
    ReportInput toReport() const;

    /** A command on an existing case (or on caseRef when caseId is 0). */
    static ClientCommand fromCommand(const QString &id, CaseId caseId, const Command &cmd,
                                     const QString &device, qint64 clientAt, int baseVersion);
    /** A new report. */
    static ClientCommand fromReport(const QString &id, const ReportInput &in, const QString &device,
                                    qint64 clientAt);

    QJsonObject toJson() const;
    /** Strict: wrong types, unknown fields or actions and oversized strings are refused. */
    static Result<ClientCommand> fromJson(const QJsonValue &v, const QString &path);
};

enum class CommandStatus
{
    Applied,   ///< applied now
    Duplicate, ///< this id was seen before; `original` says what happened then
    Rejected   ///< refused by the workflow or by validation; nothing changed
};
QString statusKey(CommandStatus s);
std::optional<CommandStatus> statusFromKey(const QString &key);

/** The platform's answer to one command. */
struct CommandResult
{
    QString id;
    CommandStatus status = CommandStatus::Rejected;
    /** For a duplicate: Applied or Rejected, as the first time; otherwise equal to status. */
    CommandStatus original = CommandStatus::Rejected;
    QString reason; ///< translated sentence (empty when applied)
    /**
     * Machine key: the workflow's rejection codes (role, state, actor, pending, argument, ladder,
     * locality, closed) and not-found, invalid, evidence-missing, error. evidence-missing is not
     * remembered: upload the attachment and send the same id again.
     */
    QString code;
    CaseId caseId = 0; ///< the platform's case id, also for a new report
    int version = 0;   ///< the case's current version (number of events)

    QJsonObject toJson() const;
    static Result<CommandResult> fromJson(const QJsonValue &v, const QString &path);
};

/** A `cases` row as the console caches it. Nullable columns are std::optional. */
struct CaseRow
{
    CaseId id = 0;
    QString category;
    QString state;
    int stage = 0;
    int priority = 3;
    QString source;
    std::optional<qint64> streetId;
    std::optional<qint64> communityId;
    std::optional<QString> gridCode;
    QString address;
    QString description;
    std::optional<QString> party;
    double lon = 0;
    double lat = 0;
    qint64 reportedAt = 0;
    std::optional<qint64> deadlineAt;
    std::optional<qint64> closedAt;
    std::optional<qint64> unitId;
    std::optional<qint64> assigneeId;
    int version = 0;
    qint64 updatedAt = 0;
    QByteArray chainHead; ///< raw 32 bytes (hex on the wire)
    std::optional<QString> pending;
    std::optional<QString> pendingBy;
    std::optional<qint64> pendingAt;
    std::optional<qint64> pendingToStage;
    std::optional<QString> assigneeCode;
    std::optional<QString> handler;
    std::optional<qint64> linkedCase;

    bool operator==(const CaseRow &) const = default;
    /** Compact JSON with the column names as keys (null for NULL). */
    QByteArray toJsonBytes() const;
    static Result<CaseRow> fromJson(const QJsonValue &v, const QString &path);
    /** The inverse of toJsonBytes() (lenient about unknown fields, strict about types). */
    static Result<CaseRow> fromJsonBytes(const QByteArray &json);
};

/**
 * One entry of the change feed: an applied command. `row` is the case as that command left it
 * and `events` are exactly the events it appended (seq in (prevVersion, version]), so a client
 * that applies changes in seq order has a consistent case after each one. A client that already
 * holds version >= `version` (e.g. from a snapshot page read later) skips the change; events are
 * idempotent by (case_id, seq).
 */
struct Change
{
    qint64 seq = 0;
    CaseId caseId = 0;
    int prevVersion = 0;
    int version = 0;
    qint64 at = 0;
    CaseRow row;
    QList<CaseEvent> events;
    /**
     * The id of the client command that made the change (the UUID its console generated; null
     * for changes made otherwise, e.g. by a platform job): a console confirms its own outbox
     * rows by it.
     */
    std::optional<QString> commandId;
    /**
     * The case left the console's scope (issue 19): the console removes it with its events and
     * evidence. Such a change carries no row (only the id) and no events.
     */
    bool dropped = false;
};

/** GET /api/v1/changes */
struct ChangesPage
{
    QList<Change> changes;
    qint64 cursor = 0; ///< pass as `since` next time (the last seq here, or the request's since)
    bool more = false; ///< more changes are waiting beyond this page
};

/**
 * A `case_facts` row: the dashboard's per-case figures as the platform's trigger keeps them from
 * the timeline. The snapshot carries them so that a console's first sync does not re-derive them
 * from a million events.
 */
struct CaseFacts
{
    int reworks = 0;
    int extensions = 0;
    int shelves = 0;
    int reopens = 0;
    int maxStage = 0;
    int skips = 0;
    std::optional<qint64> reqStage;
    std::optional<qint64> reqSkip;
    bool late = false;
    std::optional<qint64> due;

    bool operator==(const CaseFacts &) const = default;
};

/** A case and its whole timeline. */
struct CaseWithEvents
{
    CaseRow row;
    QList<CaseEvent> events;
    std::optional<CaseFacts> facts; ///< absent from a platform that does not send them
};

/** GET /api/v1/snapshot */
struct SnapshotPage
{
    QList<CaseWithEvents> cases;
    CaseId next = 0;   ///< pass as `after` for the next page
    bool more = false; ///< false on the last page
    /**
     * The platform's latest change seq when this page was read. Keep the one of the first page
     * (after=0) and pull the change feed from it once the snapshot is complete.
     */
    qint64 cursor = 0;
};

/**
 * One table of the district's reference data (GET /api/v1/reference): its column names, its
 * single-column primary key and its rows (arrays of null, numbers and strings in column order).
 */
struct ReferenceTable
{
    QString name;
    QString key;
    QStringList columns;
    QList<QJsonArray> rows;
};

/**
 * GET /api/v1/reference: what a console needs of the district besides the cases (categories,
 * streets, communities, grids, roads, units, users, cameras and sensors, the district's name),
 * in foreign-key order. `version` is the platform's ETag for exactly this content: a console
 * sends it back in If-None-Match and gets 304 while nothing changed.
 */
struct ReferenceData
{
    QString version;
    QList<ReferenceTable> tables;
};

/** The reference tables a platform serves and a console takes, in foreign-key order. */
const QStringList &referenceTableNames();
/** The version of reference data: a digest of its tables, independent of `version`. */
QString referenceVersion(const ReferenceData &data);

} // namespace cityops::sync
