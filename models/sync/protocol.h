#pragma once

#include "domain/types.h"
#include "sync/messages.h"
#include "sync/snapshotwriter.h"
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

// The message values (ClientCommand, CommandResult, CaseRow, ChangesPage, SnapshotPage,
// ReferenceData…) are in sync/messages.h, the snapshot page writer in sync/snapshotwriter.h.

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
    QString org;   ///< the account's organisation (a team's code; empty: the district centre)
    QString scope; ///< where the account works (Scope::parse; empty from older platforms)
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
