#pragma once

#include "domain/types.h"
#include "storage/caserepository.h"
#include "util/result.h"
#include "workflow/workflow.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

/**
 * The wire protocol between consoles (and the CLI) and the district platform: JSON messages,
 * encoded and decoded here with strict validation, so both ends share one definition. The HTTP
 * routes that carry them are documented in docs/api/openapi.yaml.
 *
 * Naming: command fields are camelCase; case rows use the column names of the `cases` table and
 * events those of `case_events`, so a client can bind them to its cache directly. Times are UTC
 * epoch milliseconds. Decoders of client → platform messages refuse unknown fields; decoders of
 * platform → client messages ignore them (a newer platform may add fields). Every error names the
 * offending field, e.g. "commands[2].toStage: expected a whole number".
 */
namespace cityops::sync {

/** Limits every message obeys; the platform answers 413 or 400 beyond them. */
inline constexpr qsizetype kMaxBodyBytes = 8 * 1024 * 1024;
inline constexpr int kMaxJsonDepth = 16;
inline constexpr int kMaxCommandsPerBatch = 500;
inline constexpr qsizetype kMaxTextChars = 4000; ///< description, reason
inline constexpr qsizetype kMaxShortChars = 200; ///< codes, names, device, address
inline constexpr int kMaxEvidence = 32;          ///< attachments per command
inline constexpr int kMaxSnapshotLimit = 5000;   ///< cases per snapshot page
/**
 * Sent with every snapshot page that has a next one: its `next`, so that a client can ask for
 * that page before it has decoded this one. The body stays authoritative (a client checks the
 * two agree); without the header a client decodes first.
 */
inline constexpr char kSnapshotNextHeader[] = "CityOps-Snapshot-Next";
/**
 * The media type of a binary snapshot page: the same cases, events and facts as the JSON page,
 * with typed values instead of text (decodeSnapshotBinary() describes the layout). A client asks
 * for it in `Accept`; the platform answers with it only then, and JSON otherwise.
 */
inline constexpr char kSnapshotBinaryType[] = "application/vnd.cityops.snapshot";
inline constexpr int kMaxChangesLimit = 2000; ///< changes per feed page
inline constexpr int kMaxWaitSeconds = 30;    ///< long-poll
inline constexpr int kDefaultPageLimit = 500;

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

/** A `case_events` row. */
struct WireEvent
{
    CaseId caseId = 0;
    int seq = 0;
    QString kind;
    QString actor;
    QString role;
    qint64 at = 0;
    QString device;
    QByteArray payload;  ///< compact JSON, byte for byte as hashed (a string on the wire)
    QByteArray prevHash; ///< raw 32 bytes (hex on the wire)

    bool operator==(const WireEvent &) const = default;
    static Result<WireEvent> fromJson(const QJsonValue &v, const QString &path);
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
    QList<WireEvent> events;
    /**
     * The id of the client command that made the change (the UUID its console generated; null
     * for changes made otherwise, e.g. by a platform job): a console confirms its own outbox
     * rows by it.
     */
    std::optional<QString> commandId;
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
    QList<WireEvent> events;
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

/** POST /api/v1/session request. */
struct Login
{
    QString username;
    QString password;
};

/** POST /api/v1/session answer. */
struct SessionInfo
{
    QString token; ///< send as "Authorization: Bearer TOKEN"
    qint64 expiresAt = 0;
    QString user;
    QString role;   ///< Names::key(Role)
    QString person; ///< unit code of the person behind the account (may be empty)
    QString displayName;
};

/** Every non-2xx answer of /api/v1: {"error": {"code": "...", "message": "..."}}. */
struct ApiError
{
    QString code;
    QString message;
};

/**
 * Parses a request or response body as one JSON object after checking its size and nesting
 * depth (before the parser sees it), so a hostile body costs little.
 */
Result<QJsonObject> parseObject(const QByteArray &body);

QByteArray encodeCommands(const QList<ClientCommand> &commands);
/** {"commands": [...]} with 1..kMaxCommandsPerBatch commands; all or nothing. */
Result<QList<ClientCommand>> decodeCommands(const QByteArray &body);
QByteArray encodeResults(const QList<CommandResult> &results);
Result<QList<CommandResult>> decodeResults(const QByteArray &body);

QByteArray encodeChanges(const ChangesPage &page);
Result<ChangesPage> decodeChanges(const QByteArray &body);
QByteArray encodeSnapshot(const SnapshotPage &page);

class JsonOut;

/**
 * Writes a snapshot page field by field, straight from the platform's rows: what
 * encodeSnapshot() makes of the same CaseWithEvents, without building them (no per-field
 * strings), which is most of the platform's cost of a page. Per case: beginCase(), the row's
 * fields, beginEvents(), for each event beginEvent(), its fields, endEvent(); then optionally
 * beginFacts() and the facts' fields; endCase(). Keys are the column names.
 */
class SnapshotWriter
{
public:
    enum class Format
    {
        Json,
        Binary ///< kSnapshotBinaryType
    };
    explicit SnapshotWriter(qsizetype reserve = 0, Format format = Format::Json);
    ~SnapshotWriter();
    SnapshotWriter(const SnapshotWriter &) = delete;
    SnapshotWriter &operator=(const SnapshotWriter &) = delete;

    void beginCase();
    void beginEvents();
    void beginEvent();
    void endEvent();
    void beginFacts();
    void endCase();
    /**
     * The column names of the row, each event and the facts, in the order their values are
     * written, once before the first case. The binary page carries them once instead of keys.
     */
    void columns(const std::vector<const char *> &row, const std::vector<const char *> &events,
                 const std::vector<const char *> &facts);
    void integer(const char *key, qint64 v);
    void number(const char *key, double v);
    void null(const char *key);
    void text(const char *key, const char *utf8, qsizetype n);
    void hex(const char *key, const char *bytes, qsizetype n);
    QByteArray finish(CaseId next, bool more, qint64 cursor);

private:
    template <typename T> void put(char tag, T v);
    void put(char tag, const char *bytes, qsizetype n);

    QByteArray m_out;
    std::unique_ptr<JsonOut> m_w; ///< null for the binary page
    bool m_inFacts = false;
};
Result<SnapshotPage> decodeSnapshot(const QByteArray &body);
/** A binary snapshot page (kSnapshotBinaryType); hostile input gets an error, never a crash. */
Result<SnapshotPage> decodeSnapshotBinary(const QByteArray &body);
/** The page in the format its Content-Type names: binary or JSON. */
Result<SnapshotPage> decodeSnapshot(const QByteArray &body, QByteArrayView contentType);

QByteArray encodeReference(const ReferenceData &data);
Result<ReferenceData> decodeReference(const QByteArray &body);

QByteArray encodeLogin(const Login &login);
Result<Login> decodeLogin(const QByteArray &body);
QByteArray encodeSession(const SessionInfo &session);
Result<SessionInfo> decodeSession(const QByteArray &body);

QByteArray encodeError(const ApiError &error);
/** The error of a non-2xx answer, when the body is one. */
std::optional<ApiError> decodeError(const QByteArray &body);

/** True for 64 lowercase hex digits (attachment names). */
bool isSha256Hex(QStringView s);

} // namespace cityops::sync
