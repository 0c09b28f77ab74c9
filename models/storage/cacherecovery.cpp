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

Status CacheRecovery::seedSession(Database &fresh, const Session &session)
{
    Transaction tx(fresh);
    if (!tx.isActive())
        return Error{tx.error()};
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
