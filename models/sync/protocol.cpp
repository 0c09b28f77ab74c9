#include "protocol.h"

#include "jsonpull.h"
#include "jsonwriter.h"
#include "protocol_p.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

#include <algorithm>
#include <cmath>

// The messages' encoding and decoding. The JSON writer is in jsonwriter.h, the pull reader of
// bulk pages in jsonpull.h, and the binary snapshot page and SnapshotWriter in snapshotbinary.cpp.
namespace cityops::sync {

using namespace detail;

namespace {

// ---------------------------------------------------------------------------------------------
// Decoding: strict readers that name the field of the first problem.

QString fieldPath(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

/** Reads the fields of one JSON object; the first problem is kept and later reads are no-ops. */
class Fields
{
public:
    /** `index` >= 0: the object is element `index` of the array at `parent`. */
    Fields(const QJsonValue &v, QString parent, bool strict, qsizetype index = -1)
        : m_parent(std::move(parent)), m_index(index), m_strict(strict)
    {
        if (!v.isObject())
            fail(path(), Tr::tr("expected an object"));
        else
            m_o = v.toObject();
    }

    bool ok() const { return !m_error; }
    Error error() const { return *m_error; }

    QString str(const char *key, qsizetype maxChars, bool required = false)
    {
        const QJsonValue v = take(key);
        if (!ok())
            return {};
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(at(key), Tr::tr("is required"));
            return {};
        }
        if (!v.isString()) {
            fail(at(key), Tr::tr("expected a string"));
            return {};
        }
        const QString s = v.toString();
        if (s.size() > maxChars)
            fail(at(key), Tr::tr("longer than %1 characters").arg(maxChars));
        else if (required && s.trimmed().isEmpty())
            fail(at(key), Tr::tr("must not be empty"));
        return s;
    }
    std::optional<QString> optStr(const char *key, qsizetype maxChars)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isNull() || v.isUndefined()) {
            take(key);
            return std::nullopt;
        }
        return str(key, maxChars);
    }
    qint64 integer(const char *key, qint64 lo, qint64 hi, bool required = false)
    {
        const QJsonValue v = take(key);
        if (!ok())
            return 0;
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(at(key), Tr::tr("is required"));
            return 0;
        }
        const double d = v.toDouble();
        if (!v.isDouble() || d != std::floor(d) || std::fabs(d) > 9007199254740992.0) {
            fail(at(key), Tr::tr("expected a whole number"));
            return 0;
        }
        const auto n = static_cast<qint64>(d);
        if (n < lo || n > hi) {
            fail(at(key), Tr::tr("must be from %1 to %2").arg(lo).arg(hi));
            return 0;
        }
        return n;
    }
    std::optional<qint64> optInt(const char *key, qint64 lo, qint64 hi)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isNull() || v.isUndefined()) {
            take(key);
            return std::nullopt;
        }
        return integer(key, lo, hi);
    }
    double number(const char *key, double lo, double hi, bool required = false)
    {
        const QJsonValue v = take(key);
        if (!ok())
            return 0;
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(at(key), Tr::tr("is required"));
            return 0;
        }
        const double d = v.toDouble();
        if (!v.isDouble() || !std::isfinite(d)) {
            fail(at(key), Tr::tr("expected a number"));
            return 0;
        }
        if (d < lo || d > hi)
            fail(at(key), Tr::tr("must be from %1 to %2").arg(lo).arg(hi));
        return d;
    }
    bool boolean(const char *key)
    {
        const QJsonValue v = take(key);
        if (!ok() || v.isUndefined() || v.isNull())
            return false;
        if (!v.isBool())
            fail(at(key), Tr::tr("expected true or false"));
        return v.toBool();
    }
    QStringList strList(const char *key, int maxItems, qsizetype maxChars)
    {
        const QJsonValue v = take(key);
        QStringList out;
        if (!ok() || v.isUndefined() || v.isNull())
            return out;
        if (!v.isArray()) {
            fail(at(key), Tr::tr("expected an array of strings"));
            return out;
        }
        const QJsonArray a = v.toArray();
        if (a.size() > maxItems) {
            fail(at(key), Tr::tr("more than %1 items").arg(maxItems));
            return out;
        }
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QString item = QStringLiteral("%1[%2]").arg(at(key)).arg(i);
            if (!a.at(i).isString()) {
                fail(item, Tr::tr("expected a string"));
                return out;
            }
            if (a.at(i).toString().size() > maxChars) {
                fail(item, Tr::tr("longer than %1 characters").arg(maxChars));
                return out;
            }
            out.append(a.at(i).toString());
        }
        return out;
    }
    QByteArray hex(const char *key, bool nullable)
    {
        const QJsonValue v = take(key);
        if (!ok() || ((v.isNull() || v.isUndefined()) && nullable))
            return {};
        const QString s = v.toString();
        if (!v.isString() || s.size() > 128 || s.size() % 2 ||
            !std::all_of(s.begin(), s.end(), [](QChar c) {
                return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
            })) {
            fail(at(key), Tr::tr("expected lowercase hex digits"));
            return {};
        }
        return QByteArray::fromHex(s.toLatin1());
    }
    QJsonArray array(const char *key, bool required)
    {
        const QJsonValue v = take(key);
        if (!ok())
            return {};
        if (v.isUndefined() && !required)
            return {};
        if (!v.isArray())
            fail(at(key), Tr::tr("expected an array"));
        return v.toArray();
    }
    /** The raw value (decoded by the caller). */
    QJsonValue value(const char *key) { return take(key); }
    QString at(const char *key) const { return fieldPath(path(), QLatin1String(key)); }
    /** Built only when a message needs it: decoding a page touches many thousand objects. */
    QString path() const
    {
        return m_index < 0 ? m_parent : QStringLiteral("%1[%2]").arg(m_parent).arg(m_index);
    }
    void fail(const QString &where, const QString &what)
    {
        if (!m_error)
            m_error = Error{QStringLiteral("%1: %2").arg(where, what)};
    }
    /** In strict mode, a field that no read asked for is an error. */
    bool finish()
    {
        if (ok() && m_strict) {
            for (auto it = m_o.begin(); it != m_o.end(); ++it) {
                if (!m_seen.contains(it.key())) {
                    fail(fieldPath(path(), it.key()), Tr::tr("unknown field"));
                    break;
                }
            }
        }
        return ok();
    }

private:
    QJsonValue take(const char *key)
    {
        const QLatin1StringView k(key);
        if (m_strict)
            m_seen.insert(k);
        return m_o.value(k);
    }

    QJsonObject m_o;
    QString m_parent;
    qsizetype m_index;
    bool m_strict;
    QSet<QString> m_seen;
    std::optional<Error> m_error;
};

constexpr qint64 kMaxId = 9007199254740991LL;
constexpr qint64 kMaxTime = 253402300799999LL; // 9999-12-31

/** Nesting depth of a JSON text, ignoring brackets inside strings. */
int jsonDepth(const QByteArray &body)
{
    int depth = 0, worst = 0;
    bool inString = false, escaped = false;
    for (const char c : body) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            worst = std::max(worst, ++depth);
        else if (c == '}' || c == ']')
            --depth;
    }
    return worst;
}

} // namespace

// ---------------------------------------------------------------------------------------------

bool isSha256Hex(QStringView s)
{
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](QChar c) {
               return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
           });
}

Result<QJsonObject> parseObject(const QByteArray &body)
{
    if (body.size() > kMaxBodyBytes)
        return Error{Tr::tr("body: larger than %1 bytes").arg(kMaxBodyBytes)};
    if (body.trimmed().isEmpty())
        return Error{Tr::tr("body: empty; a JSON object is expected")};
    if (jsonDepth(body) > kMaxJsonDepth)
        return Error{Tr::tr("body: nested deeper than %1 levels").arg(kMaxJsonDepth)};
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error{
            Tr::tr("body: not valid JSON (%1 at byte %2)").arg(pe.errorString()).arg(pe.offset)};
    if (!doc.isObject())
        return Error{Tr::tr("body: expected a JSON object")};
    return doc.object();
}

// --- ClientCommand ---------------------------------------------------------------------------

Command ClientCommand::toCommand() const
{
    Command c;
    c.action = actionFromKey(action).value_or(Action::Report);
    c.reason = reason;
    c.to = to;
    c.toUnit = toUnit;
    c.toType = toType;
    c.evidence = evidence;
    c.toStage = toStage;
    c.skip = skip;
    c.confirmFiling = confirmFiling;
    c.hours = hours;
    c.decision = decision;
    c.source = source;
    c.duplicateOf = duplicateOf;
    return c;
}

ReportInput ClientCommand::toReport() const
{
    ReportInput in;
    in.category = category;
    in.lon = lon;
    in.lat = lat;
    in.address = address;
    in.description = description;
    in.party = party;
    if (!source.isEmpty())
        in.source = source;
    in.evidence = evidence;
    return in;
}

ClientCommand ClientCommand::fromCommand(const QString &id, CaseId caseId, const Command &cmd,
                                         const QString &device, qint64 clientAt, int baseVersion)
{
    ClientCommand c;
    c.id = id;
    c.caseId = caseId;
    c.action = actionKey(cmd.action);
    c.device = device;
    c.clientAt = clientAt;
    c.baseVersion = baseVersion;
    c.reason = cmd.reason;
    c.to = cmd.to;
    c.toUnit = cmd.toUnit;
    c.toType = cmd.toType;
    c.evidence = cmd.evidence;
    c.toStage = cmd.toStage;
    c.skip = cmd.skip;
    c.confirmFiling = cmd.confirmFiling;
    c.hours = cmd.hours;
    c.decision = cmd.decision;
    c.duplicateOf = cmd.duplicateOf;
    return c;
}

ClientCommand ClientCommand::fromReport(const QString &id, const ReportInput &in,
                                        const QString &device, qint64 clientAt)
{
    ClientCommand c;
    c.id = id;
    c.action = QStringLiteral("report");
    c.device = device;
    c.clientAt = clientAt;
    c.category = in.category;
    c.lon = in.lon;
    c.lat = in.lat;
    c.address = in.address;
    c.description = in.description;
    c.party = in.party;
    c.source = in.source;
    c.evidence = in.evidence;
    return c;
}

QJsonObject ClientCommand::toJson() const
{
    QJsonObject o{{QLatin1String("id"), id},
                  {QLatin1String("action"), action},
                  {QLatin1String("device"), device},
                  {QLatin1String("clientAt"), clientAt},
                  {QLatin1String("baseVersion"), baseVersion}};
    auto put = [&](const char *key, const QString &v) {
        if (!v.isEmpty())
            o.insert(QLatin1String(key), v);
    };
    if (caseId)
        o.insert(QLatin1String("caseId"), caseId);
    put("caseRef", caseRef);
    put("reason", reason);
    put("to", to);
    put("toUnit", toUnit);
    put("toType", toType);
    if (!evidence.isEmpty())
        o.insert(QLatin1String("evidence"), QJsonArray::fromStringList(evidence));
    if (toStage)
        o.insert(QLatin1String("toStage"), toStage);
    if (skip)
        o.insert(QLatin1String("skip"), true);
    if (confirmFiling)
        o.insert(QLatin1String("confirmFiling"), true);
    if (hours)
        o.insert(QLatin1String("hours"), hours);
    put("decision", decision);
    if (duplicateOf)
        o.insert(QLatin1String("duplicateOf"), duplicateOf);
    if (isReport()) {
        o.insert(QLatin1String("category"), category);
        o.insert(QLatin1String("lon"), lon);
        o.insert(QLatin1String("lat"), lat);
        put("address", address);
        o.insert(QLatin1String("description"), description);
        put("party", party);
        put("source", source);
    }
    return o;
}

Result<ClientCommand> ClientCommand::fromJson(const QJsonValue &v, const QString &path)
{
    Fields f(v, path, true);
    ClientCommand c;
    c.id = f.str("id", 64, true);
    if (f.ok() && QUuid::fromString(c.id).isNull())
        f.fail(f.at("id"), Tr::tr("expected a UUID"));
    c.action = f.str("action", 40, true);
    if (f.ok() && !actionFromKey(c.action))
        f.fail(f.at("action"), Tr::tr("unknown action \"%1\"").arg(c.action));
    c.caseId = f.integer("caseId", 0, kMaxId);
    c.caseRef = f.str("caseRef", 64);
    if (f.ok() && !c.caseRef.isEmpty() && QUuid::fromString(c.caseRef).isNull())
        f.fail(f.at("caseRef"), Tr::tr("expected a UUID"));
    c.device = f.str("device", kMaxShortChars, true);
    c.clientAt = f.integer("clientAt", 0, kMaxTime);
    c.baseVersion = int(f.integer("baseVersion", 0, 1000000));
    c.reason = f.str("reason", kMaxTextChars);
    c.to = f.str("to", kMaxShortChars);
    c.toUnit = f.str("toUnit", kMaxShortChars);
    c.toType = f.str("toType", kMaxShortChars);
    c.evidence = f.strList("evidence", kMaxEvidence, 64);
    for (qsizetype i = 0; f.ok() && i < c.evidence.size(); ++i) {
        if (!isSha256Hex(c.evidence.at(i)))
            f.fail(QStringLiteral("%1[%2]").arg(f.at("evidence")).arg(i),
                   Tr::tr("expected a SHA-256 in lowercase hex"));
    }
    c.toStage = int(f.integer("toStage", 0, 3));
    c.skip = f.boolean("skip");
    c.confirmFiling = f.boolean("confirmFiling");
    c.hours = int(f.integer("hours", 0, 100000));
    c.decision = f.str("decision", kMaxShortChars);
    c.duplicateOf = f.integer("duplicateOf", 0, kMaxId);
    const bool report = f.ok() && c.isReport();
    c.category = f.str("category", 16, report);
    c.lon = f.number("lon", -180, 180, report);
    c.lat = f.number("lat", -90, 90, report);
    c.address = f.str("address", kMaxShortChars);
    c.description = f.str("description", kMaxTextChars, report);
    c.party = f.str("party", kMaxShortChars);
    c.source = f.str("source", 20);
    if (f.ok() && !c.source.isEmpty() && !Names::source(c.source))
        f.fail(f.at("source"), Tr::tr("unknown source \"%1\"").arg(c.source));
    if (f.ok() && !report && c.caseId == 0 && c.caseRef.isEmpty())
        f.fail(f.at("caseId"), Tr::tr("is required (or caseRef) for %1").arg(c.action));
    if (f.ok() && c.caseId != 0 && !c.caseRef.isEmpty())
        f.fail(f.at("caseRef"), Tr::tr("give either caseId or caseRef, not both"));
    if (f.ok() && report && (c.caseId != 0 || !c.caseRef.isEmpty()))
        f.fail(f.at("caseId"), Tr::tr("a report creates a new case; leave it out"));
    if (!f.finish())
        return f.error();
    return c;
}

// --- CommandResult ---------------------------------------------------------------------------

QString statusKey(CommandStatus s)
{
    switch (s) {
    case CommandStatus::Applied:
        return QStringLiteral("applied");
    case CommandStatus::Duplicate:
        return QStringLiteral("duplicate");
    case CommandStatus::Rejected:
        return QStringLiteral("rejected");
    }
    return {};
}

std::optional<CommandStatus> statusFromKey(const QString &key)
{
    for (auto s : {CommandStatus::Applied, CommandStatus::Duplicate, CommandStatus::Rejected}) {
        if (statusKey(s) == key)
            return s;
    }
    return std::nullopt;
}

QJsonObject CommandResult::toJson() const
{
    QJsonObject o{{QLatin1String("id"), id},
                  {QLatin1String("status"), statusKey(status)},
                  {QLatin1String("caseId"), caseId},
                  {QLatin1String("version"), version}};
    if (status == CommandStatus::Duplicate)
        o.insert(QLatin1String("original"), statusKey(original));
    if (!reason.isEmpty())
        o.insert(QLatin1String("reason"), reason);
    if (!code.isEmpty())
        o.insert(QLatin1String("code"), code);
    return o;
}

Result<CommandResult> CommandResult::fromJson(const QJsonValue &v, const QString &path)
{
    Fields f(v, path, false);
    CommandResult r;
    r.id = f.str("id", 64, true);
    const QString status = f.str("status", 20, true);
    const QString original = f.str("original", 20);
    r.reason = f.str("reason", kMaxTextChars);
    r.code = f.str("code", kMaxShortChars);
    r.caseId = f.integer("caseId", 0, kMaxId);
    r.version = int(f.integer("version", 0, 1000000));
    if (f.ok()) {
        const auto s = statusFromKey(status);
        const auto o = original.isEmpty() ? s : statusFromKey(original);
        if (!s)
            f.fail(f.at("status"), Tr::tr("unknown status \"%1\"").arg(status));
        else if (!o || *o == CommandStatus::Duplicate)
            f.fail(f.at("original"), Tr::tr("unknown status \"%1\"").arg(original));
        else {
            r.status = *s;
            r.original =
                *s == CommandStatus::Duplicate && original.isEmpty() ? CommandStatus::Applied : *o;
        }
    }
    if (!f.finish())
        return f.error();
    return r;
}

// --- rows and events -------------------------------------------------------------------------

QByteArray CaseRow::toJsonBytes() const
{
    QByteArray out;
    out.reserve(768);
    JsonOut w(out);
    writeRow(w, *this);
    return out;
}

Result<CaseRow> CaseRow::fromJsonBytes(const QByteArray &json)
{
    PullReader r(json);
    CaseRow row;
    readRow(r, &row);
    r.finish();
    if (r.ok() && row.id <= 0)
        r.fail(QStringLiteral("id"), Tr::tr("is required"));
    if (!r.ok())
        return Error{Tr::tr("case: %1").arg(r.error())};
    return row;
}

Result<CaseRow> CaseRow::fromJson(const QJsonValue &v, const QString &path)
{
    Fields f(v, path, false);
    CaseRow r;
    r.id = f.integer("id", 1, kMaxId, true);
    r.category = f.str("category", 16, true);
    r.state = f.str("state", 20, true);
    r.stage = int(f.integer("stage", 0, 3));
    r.priority = int(f.integer("priority", 1, 3, true));
    r.source = f.str("source", 20, true);
    r.streetId = f.optInt("street_id", 0, kMaxId);
    r.communityId = f.optInt("community_id", 0, kMaxId);
    r.gridCode = f.optStr("grid_code", 40);
    r.address = f.str("address", kMaxTextChars);
    r.description = f.str("description", kMaxTextChars);
    r.party = f.optStr("party", kMaxTextChars);
    r.lon = f.number("lon", -180, 180, true);
    r.lat = f.number("lat", -90, 90, true);
    r.reportedAt = f.integer("reported_at", 0, kMaxTime, true);
    r.deadlineAt = f.optInt("deadline_at", 0, kMaxTime);
    r.closedAt = f.optInt("closed_at", 0, kMaxTime);
    r.unitId = f.optInt("unit_id", 0, kMaxId);
    r.assigneeId = f.optInt("assignee_id", 0, kMaxId);
    r.version = int(f.integer("version", 0, 1000000, true));
    r.updatedAt = f.integer("updated_at", 0, kMaxTime, true);
    r.chainHead = f.hex("chain_head", true);
    r.pending = f.optStr("pending", 20);
    r.pendingBy = f.optStr("pending_by", kMaxShortChars);
    r.pendingAt = f.optInt("pending_at", 0, kMaxTime);
    r.pendingToStage = f.optInt("pending_to_stage", 0, 3);
    r.assigneeCode = f.optStr("assignee_code", kMaxShortChars);
    r.handler = f.optStr("handler", kMaxShortChars);
    r.linkedCase = f.optInt("linked_case", 0, kMaxId);
    if (!f.finish())
        return f.error();
    return r;
}

// --- batches ---------------------------------------------------------------------------------

QByteArray encodeCommands(const QList<ClientCommand> &commands)
{
    QJsonArray a;
    for (const ClientCommand &c : commands)
        a.append(c.toJson());
    return QJsonDocument(QJsonObject{{QLatin1String("commands"), a}})
        .toJson(QJsonDocument::Compact);
}

Result<QList<ClientCommand>> decodeCommands(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    Fields f(*o, QString(), true);
    const QJsonArray a = f.array("commands", true);
    if (!f.finish())
        return f.error();
    if (a.isEmpty())
        return Error{Tr::tr("commands: expected at least one command")};
    if (a.size() > kMaxCommandsPerBatch)
        return Error{
            Tr::tr("commands: more than %1 commands in one batch").arg(kMaxCommandsPerBatch)};
    QList<ClientCommand> out;
    out.reserve(a.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        auto c = ClientCommand::fromJson(a.at(i), QStringLiteral("commands[%1]").arg(i));
        if (!c)
            return Error{c.error()};
        out.append(std::move(c).value());
    }
    return out;
}

QByteArray encodeResults(const QList<CommandResult> &results)
{
    QJsonArray a;
    for (const CommandResult &r : results)
        a.append(r.toJson());
    return QJsonDocument(QJsonObject{{QLatin1String("results"), a}}).toJson(QJsonDocument::Compact);
}

Result<QList<CommandResult>> decodeResults(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    Fields f(*o, QString(), false);
    const QJsonArray a = f.array("results", true);
    if (!f.finish())
        return f.error();
    QList<CommandResult> out;
    for (qsizetype i = 0; i < a.size(); ++i) {
        auto r = CommandResult::fromJson(a.at(i), QStringLiteral("results[%1]").arg(i));
        if (!r)
            return Error{r.error()};
        out.append(std::move(r).value());
    }
    return out;
}

// --- change feed and snapshot ----------------------------------------------------------------

QByteArray encodeChanges(const ChangesPage &page)
{
    QByteArray out;
    out.reserve(1024 + page.changes.size() * 2048);
    JsonOut w(out);
    w.begin();
    w.beginArray("changes");
    for (const Change &c : page.changes) {
        w.beginObjectInArray();
        w.integer("seq", c.seq);
        w.integer("case_id", c.caseId);
        w.integer("prev_version", c.prevVersion);
        w.integer("version", c.version);
        w.integer("at", c.at);
        if (c.dropped) {
            w.boolean("drop", true);
        } else {
            w.optStr("command_id", c.commandId);
            writeRow(w, "case", c.row);
            writeEvents(w, c.events);
        }
        w.end();
    }
    w.endArray();
    w.integer("cursor", page.cursor);
    w.boolean("more", page.more);
    w.end();
    return out;
}

Result<ChangesPage> decodeChanges(const QByteArray &body)
{
    PullReader r(body);
    ChangesPage page;
    bool sawCursor = false;
    if (r.beginObject()) {
        QByteArrayView key;
        while (r.nextKey(&key)) {
            if (key == "changes") {
                if (!r.beginArray())
                    break;
                while (r.nextElement()) {
                    Change c;
                    if (!r.beginObject())
                        break;
                    while (r.nextKey(&key)) {
                        if (key == "seq")
                            r.integer(&c.seq);
                        else if (key == "case_id")
                            r.integer(&c.caseId);
                        else if (key == "prev_version")
                            r.integer(&c.prevVersion);
                        else if (key == "version")
                            r.integer(&c.version);
                        else if (key == "at")
                            r.integer(&c.at);
                        else if (key == "command_id")
                            r.optText(&c.commandId);
                        else if (key == "case")
                            readRow(r, &c.row);
                        else if (key == "events")
                            readEvents(r, &c.events);
                        else if (key == "drop")
                            r.boolean(&c.dropped);
                        else
                            r.skip();
                    }
                    if (c.dropped) // only the id: the case left the scope
                        c.row.id = c.caseId;
                    if (r.ok() && (c.seq <= 0 || c.caseId <= 0 || c.row.id != c.caseId))
                        r.fail(QStringLiteral("changes[%1]").arg(page.changes.size()),
                               Tr::tr("incomplete change"));
                    page.changes.append(std::move(c));
                }
            } else if (key == "cursor") {
                sawCursor = r.integer(&page.cursor);
            } else if (key == "more") {
                r.boolean(&page.more);
            } else {
                r.skip();
            }
        }
    }
    r.finish();
    if (r.ok() && !sawCursor)
        r.fail(QStringLiteral("cursor"), Tr::tr("is required"));
    if (!r.ok())
        return Error{Tr::tr("changes: %1").arg(r.error())};
    return page;
}

QByteArray encodeSnapshot(const SnapshotPage &page)
{
    QByteArray out;
    out.reserve(1024 + page.cases.size() * 4096);
    JsonOut w(out);
    w.begin();
    w.beginArray("cases");
    for (const CaseWithEvents &c : page.cases) {
        w.beginObjectInArray();
        writeRow(w, "case", c.row);
        writeEvents(w, c.events);
        if (c.facts)
            writeFacts(w, *c.facts);
        w.end();
    }
    w.endArray();
    w.integer("next", page.next);
    w.boolean("more", page.more);
    w.integer("cursor", page.cursor);
    w.end();
    return out;
}

Result<SnapshotPage> decodeSnapshot(const QByteArray &body)
{
    PullReader r(body);
    SnapshotPage page;
    bool sawCursor = false;
    if (r.beginObject()) {
        QByteArrayView key;
        while (r.nextKey(&key)) {
            if (key == "cases") {
                if (!r.beginArray())
                    break;
                // About 2.7 KB a case: growing the list would move every case several times.
                page.cases.reserve(std::min<qsizetype>(kMaxSnapshotLimit, body.size() / 1024 + 1));
                while (r.nextElement()) {
                    CaseWithEvents c;
                    if (!r.beginObject())
                        break;
                    while (r.nextKey(&key)) {
                        if (key == "case")
                            readRow(r, &c.row);
                        else if (key == "events")
                            readEvents(r, &c.events);
                        else if (key == "facts")
                            readFacts(r, &c.facts);
                        else
                            r.skip();
                    }
                    if (r.ok() && c.row.id <= 0)
                        r.fail(QStringLiteral("cases[%1].case").arg(page.cases.size()),
                               Tr::tr("is required"));
                    page.cases.append(std::move(c));
                }
            } else if (key == "next") {
                r.integer(&page.next);
            } else if (key == "more") {
                r.boolean(&page.more);
            } else if (key == "cursor") {
                sawCursor = r.integer(&page.cursor);
            } else {
                r.skip();
            }
        }
    }
    r.finish();
    if (r.ok() && !sawCursor)
        r.fail(QStringLiteral("cursor"), Tr::tr("is required"));
    if (!r.ok())
        return Error{Tr::tr("snapshot: %1").arg(r.error())};
    return page;
}

// --- reference data --------------------------------------------------------------------------

const QStringList &referenceTableNames()
{
    // Parents before children; `meta` carries only the district's name.
    static const QStringList names{QStringLiteral("meta"),        QStringLiteral("category_majors"),
                                   QStringLiteral("categories"),  QStringLiteral("streets"),
                                   QStringLiteral("communities"), QStringLiteral("grids"),
                                   QStringLiteral("roads"),       QStringLiteral("units"),
                                   QStringLiteral("users"),       QStringLiteral("cameras")};
    return names;
}

namespace {

QJsonArray tablesJson(const ReferenceData &data)
{
    QJsonArray tables;
    for (const ReferenceTable &t : data.tables) {
        QJsonArray rows;
        for (const QJsonArray &r : t.rows)
            rows.append(r);
        tables.append(QJsonObject{{QLatin1String("name"), t.name},
                                  {QLatin1String("key"), t.key},
                                  {QLatin1String("columns"), QJsonArray::fromStringList(t.columns)},
                                  {QLatin1String("rows"), rows}});
    }
    return tables;
}

} // namespace

QString referenceVersion(const ReferenceData &data)
{
    const QByteArray json = QJsonDocument(tablesJson(data)).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(
        QCryptographicHash::hash(json, QCryptographicHash::Sha256).toHex().left(32));
}

QByteArray encodeReference(const ReferenceData &data)
{
    return QJsonDocument(QJsonObject{{QLatin1String("version"), data.version},
                                     {QLatin1String("tables"), tablesJson(data)}})
        .toJson(QJsonDocument::Compact);
}

Result<ReferenceData> decodeReference(const QByteArray &body)
{
    // Larger than a command batch may be (the grids' outlines); still bounded and depth-checked.
    if (body.size() > kMaxBodyBytes * 16)
        return Error{Tr::tr("reference: larger than %1 bytes").arg(kMaxBodyBytes * 16)};
    if (jsonDepth(body) > kMaxJsonDepth)
        return Error{Tr::tr("reference: nested deeper than %1 levels").arg(kMaxJsonDepth)};
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error{Tr::tr("reference: not a JSON object (%1 at byte %2)")
                         .arg(pe.errorString())
                         .arg(pe.offset)};
    const QJsonObject o = doc.object();
    ReferenceData data;
    data.version = o.value(QLatin1String("version")).toString();
    if (data.version.isEmpty())
        return Error{Tr::tr("reference.version: is required")};
    const QJsonArray tables = o.value(QLatin1String("tables")).toArray();
    for (qsizetype i = 0; i < tables.size(); ++i) {
        const QString at = QStringLiteral("reference.tables[%1]").arg(i);
        const QJsonObject t = tables.at(i).toObject();
        ReferenceTable table;
        table.name = t.value(QLatin1String("name")).toString();
        table.key = t.value(QLatin1String("key")).toString();
        for (const QJsonValue &c : t.value(QLatin1String("columns")).toArray())
            table.columns << c.toString();
        if (table.name.isEmpty() || table.columns.isEmpty() || table.columns.contains(QString()) ||
            !table.columns.contains(table.key))
            return Error{Tr::tr("%1: needs a name, column names and a key among them").arg(at)};
        const QJsonArray rows = t.value(QLatin1String("rows")).toArray();
        table.rows.reserve(rows.size());
        for (qsizetype j = 0; j < rows.size(); ++j) {
            const QJsonArray row = rows.at(j).toArray();
            if (row.size() != table.columns.size())
                return Error{Tr::tr("%1.rows[%2]: expected %3 values")
                                 .arg(at)
                                 .arg(j)
                                 .arg(table.columns.size())};
            for (const QJsonValue &v : row) {
                if (v.isArray() || v.isObject() || v.isUndefined())
                    return Error{
                        Tr::tr("%1.rows[%2]: expected null, numbers and strings").arg(at).arg(j)};
            }
            table.rows.append(row);
        }
        data.tables.append(std::move(table));
    }
    return data;
}

// --- session and errors ----------------------------------------------------------------------

QByteArray encodeLogin(const Login &login)
{
    return QJsonDocument(QJsonObject{{QLatin1String("username"), login.username},
                                     {QLatin1String("password"), login.password}})
        .toJson(QJsonDocument::Compact);
}

Result<Login> decodeLogin(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    Fields f(*o, QString(), true);
    Login l;
    l.username = f.str("username", 64, true);
    l.password = f.str("password", 1024, true);
    if (!f.finish())
        return f.error();
    return l;
}

QByteArray encodeSession(const SessionInfo &s)
{
    return QJsonDocument(QJsonObject{{QLatin1String("token"), s.token},
                                     {QLatin1String("expiresAt"), s.expiresAt},
                                     {QLatin1String("user"), s.user},
                                     {QLatin1String("role"), s.role},
                                     {QLatin1String("person"), s.person},
                                     {QLatin1String("displayName"), s.displayName},
                                     {QLatin1String("org"), s.org},
                                     {QLatin1String("scope"), s.scope}})
        .toJson(QJsonDocument::Compact);
}

Result<SessionInfo> decodeSession(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    Fields f(*o, QString(), false);
    SessionInfo s;
    s.token = f.str("token", 256, true);
    s.expiresAt = f.integer("expiresAt", 0, kMaxTime, true);
    s.user = f.str("user", 64, true);
    s.role = f.str("role", 20, true);
    s.person = f.str("person", kMaxShortChars);
    s.displayName = f.str("displayName", kMaxShortChars);
    s.org = f.str("org", kMaxShortChars);
    s.scope = f.str("scope", kMaxShortChars);
    if (f.ok() && !Names::role(s.role))
        f.fail(f.at("role"), Tr::tr("unknown role \"%1\"").arg(s.role));
    if (!f.finish())
        return f.error();
    return s;
}

QByteArray encodeError(const ApiError &error)
{
    return QJsonDocument(QJsonObject{{QLatin1String("error"),
                                      QJsonObject{{QLatin1String("code"), error.code},
                                                  {QLatin1String("message"), error.message}}}})
        .toJson(QJsonDocument::Compact);
}

std::optional<ApiError> decodeError(const QByteArray &body)
{
    if (body.size() > kMaxBodyBytes)
        return std::nullopt;
    const QJsonObject e =
        QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    if (!e.value(QLatin1String("code")).isString())
        return std::nullopt;
    return ApiError{e.value(QLatin1String("code")).toString(),
                    e.value(QLatin1String("message")).toString()};
}

} // namespace cityops::sync
