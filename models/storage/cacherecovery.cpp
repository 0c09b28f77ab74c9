#include "cacherecovery.h"

#include "database.h"
#include "sqlitestatement.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>

namespace cityops {

namespace {

constexpr const char *kFormat = "cityops-outbox";

/** The district's reference data: what a fresh cache needs besides the platform's cases. */
constexpr const char *kReferenceTables[] = {
    "meta",  "category_majors", "categories", "streets", "communities",
    "grids", "roads",           "units",      "users",   "cameras"};

/** Closes a raw handle on every path. */
struct Handle
{
    sqlite3 *h = nullptr;
    ~Handle() { sqlite3_close_v2(h); }
};

QJsonObject toObject(const RecoveredCommand &c)
{
    return {{QLatin1String("commandId"), c.commandId},
            {QLatin1String("user"), c.username},
            {QLatin1String("caseId"), c.caseId},
            {QLatin1String("state"), c.state},
            {QLatin1String("command"), c.command.toJson()}};
}

Result<RecoveredCommand> fromObject(const QJsonObject &o, const QString &where)
{
    RecoveredCommand c;
    c.commandId = o.value(QLatin1String("commandId")).toString();
    c.username = o.value(QLatin1String("user")).toString();
    c.caseId = o.value(QLatin1String("caseId")).toInteger();
    c.state = o.value(QLatin1String("state")).toString(QStringLiteral("pending"));
    auto cmd = sync::ClientCommand::fromJson(o.value(QLatin1String("command")),
                                             where + QStringLiteral(".command"));
    if (!cmd)
        return Error{cmd.error()};
    c.command = *cmd;
    if (c.commandId.isEmpty() || c.commandId != c.command.id || c.username.isEmpty())
        return Error{CacheRecovery::tr("%1: the command id or user is missing").arg(where)};
    return c;
}

} // namespace

QList<RecoveredCommand> OutboxExport::outstanding() const
{
    QList<RecoveredCommand> out;
    for (const RecoveredCommand &c : commands) {
        if (c.state != QLatin1String("rejected"))
            out << c;
    }
    return out;
}

QByteArray OutboxExport::toJson() const
{
    QJsonArray list;
    for (const RecoveredCommand &c : commands)
        list.append(toObject(c));
    QJsonObject o{{QLatin1String("format"), QLatin1String(kFormat)},
                  {QLatin1String("version"), 1},
                  {QLatin1String("source"), source},
                  {QLatin1String("cache"), cache},
                  {QLatin1String("exportedAt"), QDateTime::currentMSecsSinceEpoch()},
                  {QLatin1String("commands"), list}};
    if (!note.isEmpty())
        o.insert(QLatin1String("note"), note);
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

Result<OutboxExport> OutboxExport::fromJson(const QByteArray &json, const QString &fileName)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    const QJsonObject o = doc.object();
    if (err.error != QJsonParseError::NoError)
        return Error{CacheRecovery::tr("%1 is not JSON: %2").arg(fileName, err.errorString())};
    if (o.value(QLatin1String("format")).toString() != QLatin1String(kFormat))
        return Error{CacheRecovery::tr("%1 is not an outbox export (its \"format\" is not \"%2\")")
                         .arg(fileName, QLatin1String(kFormat))};
    OutboxExport e;
    e.source = o.value(QLatin1String("source")).toString();
    e.cache = o.value(QLatin1String("cache")).toString();
    e.note = o.value(QLatin1String("note")).toString();
    const QJsonArray list = o.value(QLatin1String("commands")).toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        auto c = fromObject(list.at(i).toObject(), QStringLiteral("commands[%1]").arg(i));
        if (!c)
            return Error{QStringLiteral("%1: %2").arg(fileName, c.error())};
        e.commands << *c;
    }
    return e;
}

QString OutboxJournal::pathFor(const QString &cachePath)
{
    return QFileInfo(cachePath).dir().filePath(QLatin1String(kFileName));
}

Status OutboxJournal::append(const QString &cachePath, const RecoveredCommand &command)
{
    const QString path = pathFor(cachePath);
    QFile f(path);
    if (!f.open(QIODevice::Append))
        return Error{tr("Cannot write the outbox journal %1: %2").arg(path, f.errorString())};
    const QByteArray line = QJsonDocument(toObject(command)).toJson(QJsonDocument::Compact) + '\n';
    if (f.write(line) != line.size() || !f.flush() || ::fsync(f.handle()) != 0)
        return Error{tr("Cannot write the outbox journal %1: %2").arg(path, f.errorString())};
    return Ok{};
}

Result<QList<RecoveredCommand>> OutboxJournal::read(const QString &cachePath)
{
    const QString path = pathFor(cachePath);
    QFile f(path);
    if (!f.exists())
        return QList<RecoveredCommand>{};
    if (!f.open(QIODevice::ReadOnly))
        return Error{tr("Cannot read the outbox journal %1: %2").arg(path, f.errorString())};
    QList<RecoveredCommand> out;
    QSet<QString> seen;
    int lineNo = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        ++lineNo;
        if (line.isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (!doc.isObject())
            continue; // a torn last line: the command's transaction committed, its echo did not
        auto c = fromObject(doc.object(), QStringLiteral("%1:%2").arg(path).arg(lineNo));
        if (!c)
            return Error{c.error()};
        if (!seen.contains(c->commandId)) {
            seen.insert(c->commandId);
            out << *c;
        }
    }
    return out;
}

Status OutboxJournal::clear(const QString &cachePath)
{
    QFile f(pathFor(cachePath));
    if (!f.exists())
        return Ok{};
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return Error{
            tr("Cannot empty the outbox journal %1: %2").arg(f.fileName(), f.errorString())};
    return Ok{};
}

Result<OutboxExport> CacheRecovery::exportOutbox(const QString &dataDir, Database *live)
{
    const QString path = Database::pathInDir(dataDir);
    OutboxExport e;
    e.cache = path;
    QString problem;
    Handle raw;
    if (!live && !QFileInfo::exists(path)) {
        problem = tr("the cache %1 does not exist").arg(path);
    } else if (!live && sqlite3_open_v2(QFile::encodeName(path).constData(), &raw.h,
                                        SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        problem = QString::fromUtf8(sqlite3_errmsg(raw.h));
    }
    if (problem.isEmpty()) {
        SqliteStatement q(live ? live->handle() : raw.h,
                          "SELECT command_id, username, case_id, state, body FROM "
                          "outbox ORDER BY seq");
        if (!q.ok())
            problem = q.error();
        int rc = SQLITE_ROW;
        while (problem.isEmpty() && (rc = q.step()) == SQLITE_ROW) {
            const QString where = QStringLiteral("outbox %1").arg(q.text(0));
            const QJsonObject body = QJsonDocument::fromJson(q.text(4).toUtf8()).object();
            auto cmd = sync::ClientCommand::fromJson(body, where);
            if (!cmd) {
                problem = cmd.error();
                break;
            }
            e.commands << RecoveredCommand{q.text(0), q.text(1), q.integer(2), q.text(3), *cmd};
        }
        if (problem.isEmpty() && rc != SQLITE_DONE)
            problem = q.error();
    }
    if (problem.isEmpty()) {
        e.source = QStringLiteral("outbox");
        return e;
    }
    // The table is unreadable (or gone): the journal holds every command it accepted.
    e.commands.clear();
    const auto journal = OutboxJournal::read(path);
    if (!journal)
        return Error{tr("The outbox cannot be recovered: the cache's outbox table cannot be read "
                        "(%1) and neither can the journal (%2).")
                         .arg(problem, journal.error())};
    e.commands = *journal;
    e.source = QStringLiteral("journal");
    e.note = tr("The outbox table of %1 cannot be read (%2); the commands come from the outbox "
                "journal %3, which may also list commands the platform has confirmed since "
                "(replaying them is harmless).")
                 .arg(path, problem, OutboxJournal::pathFor(path));
    return e;
}

Result<QByteArray> CacheRecovery::referenceData(Database &db)
{
    QJsonArray tables;
    for (const char *table : kReferenceTables) {
        // A platform store's kind is not the console cache's.
        SqliteStatement read(
            db.handle(),
            QByteArray("SELECT * FROM ")
                .append(table)
                .append(qstrcmp(table, "meta") == 0 ? " WHERE key != 'store_kind'" : "")
                .constData());
        if (!read.ok())
            return Error{
                tr("Cannot read the table %1: %2").arg(QLatin1String(table), read.error())};
        const int n = sqlite3_column_count(read.get());
        QJsonArray columns, rows;
        for (int i = 0; i < n; ++i)
            columns.append(QString::fromUtf8(sqlite3_column_name(read.get(), i)));
        int rc = SQLITE_ROW;
        while ((rc = read.step()) == SQLITE_ROW) {
            QJsonArray row;
            for (int i = 0; i < n; ++i) {
                switch (sqlite3_column_type(read.get(), i)) {
                case SQLITE_INTEGER:
                    row.append(read.integer(i));
                    break;
                case SQLITE_FLOAT:
                    row.append(sqlite3_column_double(read.get(), i));
                    break;
                case SQLITE_TEXT:
                    row.append(read.text(i));
                    break;
                case SQLITE_BLOB:
                    row.append(QJsonObject{
                        {QLatin1String("hex"), QString::fromLatin1(read.blob(i).toHex())}});
                    break;
                default:
                    row.append(QJsonValue::Null);
                }
            }
            rows.append(row);
        }
        if (rc != SQLITE_DONE)
            return Error{
                tr("Cannot read the table %1: %2").arg(QLatin1String(table), read.error())};
        tables.append(QJsonObject{{QLatin1String("name"), QLatin1String(table)},
                                  {QLatin1String("columns"), columns},
                                  {QLatin1String("rows"), rows}});
    }
    return QJsonDocument(QJsonObject{{QLatin1String("tables"), tables}})
        .toJson(QJsonDocument::Compact);
}

Result<CacheRecovery::Session> CacheRecovery::readSession(const QString &cachePath, Database *live)
{
    Handle raw;
    if (!live && sqlite3_open_v2(QFile::encodeName(cachePath).constData(), &raw.h,
                                 SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        return Error{QString::fromUtf8(sqlite3_errmsg(raw.h))};
    SqliteStatement q(live ? live->handle() : raw.h,
                      "SELECT key, value FROM sync_state WHERE value != '' AND (key IN "
                      "('platform_url', 'session_user', 'session_token', 'session_role', "
                      "'session_expires') OR key LIKE 'token:%')");
    if (!q.ok())
        return Error{q.error()};
    Session out;
    int rc = SQLITE_ROW;
    while ((rc = q.step()) == SQLITE_ROW)
        out.append({q.text(0), q.text(1)});
    if (rc != SQLITE_DONE)
        return Error{q.error()};
    return out;
}

Status CacheRecovery::seedFreshCache(const QString &freshPath, const QByteArray &reference,
                                     const Session &session)
{
    if (QFileInfo::exists(freshPath))
        return Error{tr("%1 already exists.").arg(freshPath)};
    QJsonParseError err;
    const QJsonArray tables =
        QJsonDocument::fromJson(reference, &err).object().value(QLatin1String("tables")).toArray();
    if (err.error != QJsonParseError::NoError || tables.isEmpty())
        return Error{tr("The platform's reference data cannot be read: %1").arg(err.errorString())};
    auto opened = Database::open(freshPath);
    if (!opened)
        return Error{opened.error()};
    Database &fresh = **opened;
    Transaction tx(fresh);
    if (!tx.isActive())
        return Error{tx.error()};
    QSet<QString> allowed;
    for (const char *t : kReferenceTables)
        allowed.insert(QLatin1String(t));
    for (const QJsonValue &tv : tables) {
        const QJsonObject t = tv.toObject();
        const QString name = t.value(QLatin1String("name")).toString();
        if (!allowed.contains(name))
            return Error{tr("The platform's reference data names an unknown table \"%1\".")
                             .arg(name.left(64))};
        const QJsonArray columns = t.value(QLatin1String("columns")).toArray();
        QStringList cols, marks;
        for (const QJsonValue &c : columns) {
            cols << QLatin1Char('"') + c.toString().remove(QLatin1Char('"')) + QLatin1Char('"');
            marks << QStringLiteral("?");
        }
        SqliteStatement write(
            fresh.handle(),
            QStringLiteral("INSERT OR REPLACE INTO %1 (%2) VALUES (%3)")
                .arg(name, cols.join(QStringLiteral(", ")), marks.join(QStringLiteral(", ")))
                .toUtf8()
                .constData());
        if (!write.ok())
            return Error{tr("Cannot write the table %1: %2").arg(name, write.error())};
        for (const QJsonValue &rv : t.value(QLatin1String("rows")).toArray()) {
            const QJsonArray row = rv.toArray();
            write.reset();
            for (int i = 0; i < row.size() && i < columns.size(); ++i) {
                const QJsonValue v = row.at(i);
                if (v.isObject())
                    write.bindBlob(
                        i + 1, QByteArray::fromHex(
                                   v.toObject().value(QLatin1String("hex")).toString().toLatin1()));
                else if (v.isString())
                    write.bindText(i + 1, v.toString());
                else if (v.isDouble() && v.toDouble() == double(v.toInteger()))
                    write.bind(i + 1, v.toInteger());
                else if (v.isDouble())
                    sqlite3_bind_double(write.get(), i + 1, v.toDouble());
                else
                    sqlite3_bind_null(write.get(), i + 1);
            }
            if (!write.run())
                return Error{tr("Cannot write the table %1: %2").arg(name, write.error())};
        }
    }
    SqliteStatement put(fresh.handle(),
                        "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)");
    for (const auto &[key, value] : session) {
        put.reset();
        put.bindText(1, key);
        put.bindText(2, value);
        if (!put.run())
            return Error{put.error()};
    }
    return tx.commit();
}

Result<QString> CacheRecovery::moveAside(const QString &cachePath)
{
    const QList<const char *> suffixes{"", "-wal", "-shm"};
    if (std::none_of(suffixes.begin(), suffixes.end(), [&](const char *suffix) {
            return QFileInfo::exists(cachePath + QLatin1String(suffix));
        }))
        return QString();
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmss"));
    QString target = cachePath + QStringLiteral(".broken-") + stamp;
    for (int i = 2; QFileInfo::exists(target) || QFileInfo::exists(target + QStringLiteral("-wal"));
         ++i)
        target = cachePath + QStringLiteral(".broken-%1-%2").arg(stamp).arg(i);
    // The WAL holds committed transactions: it moves with its database, under the matching name.
    // A WAL left by a file deleted under a running console moves too, or the new file would
    // pick up its pages.
    for (const char *suffix : suffixes) {
        const QString from = cachePath + QLatin1String(suffix);
        if (QFileInfo::exists(from) && !QFile::rename(from, target + QLatin1String(suffix)))
            return Error{
                tr("Cannot move %1 aside to %2.").arg(from, target + QLatin1String(suffix))};
    }
    return target;
}

} // namespace cityops
