#include "database.h"

#include "util/privatefiles.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QStorageInfo>
#include <QUuid>

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

namespace cityops {

namespace {

/**
 * Rebuilds kpi_facts from cases and case_facts in one pass, as migration 0008 fills it: after a
 * bulk load that ran with its triggers off (dropSecondaryIndexes).
 */
constexpr const char *kRefillKpiFacts =
    "DELETE FROM kpi_facts;\n"
    "INSERT INTO kpi_facts SELECT r.case_id, r.reported_at, r.closed_at, r.deadline_at, r.state, "
    "r.stage, r.street_id, r.category, r.unit_id, r.grid, r.flags | coalesce(b.flags, 0), "
    "coalesce(b.max_stage, 0) FROM kpi_case_rows r LEFT JOIN kpi_fact_bits b ON b.case_id = "
    "r.case_id ORDER BY r.case_id";

/** Closes a raw read-only handle on every path. */
struct RawHandle
{
    sqlite3 *h = nullptr;
    ~RawHandle() { sqlite3_close_v2(h); }
};

std::optional<qint64> scalar(sqlite3 *h, const char *sql, QString *error)
{
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(h, sql, -1, &st, nullptr) != SQLITE_OK) {
        *error = QString::fromUtf8(sqlite3_errmsg(h));
        return std::nullopt;
    }
    std::optional<qint64> out;
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        out = 0;
    else
        *error = QString::fromUtf8(sqlite3_errmsg(h));
    sqlite3_finalize(st);
    return out;
}

QString sqliteError(sqlite3 *h)
{
    return QString::fromUtf8(sqlite3_errmsg(h));
}

/** Less free space than this (SQLite's WAL index alone takes 32 KiB) counts as a full disk. */
constexpr qint64 kFullDiskBytes = 64 * 1024;

/**
 * SQLite reports a disk with no room left to create or grow the WAL or its index (-wal, -shm) as
 * an I/O error or as "unable to open", not as SQLITE_FULL. Such a failure is a full disk when the
 * operating system said so (ENOSPC, EDQUOT: `systemErrno`, sqlite3_system_errno) or when the
 * file's filesystem has (almost) no space left for this user.
 */
StorageFault onFullDisk(StorageFault fault, const QString &path, int systemErrno)
{
    if (fault != StorageFault::IoError && fault != StorageFault::CantOpen)
        return fault;
    if (systemErrno == ENOSPC || systemErrno == EDQUOT)
        return StorageFault::DiskFull;
    const QStorageInfo disk(QFileInfo(path).absolutePath());
    return disk.isValid() && disk.bytesAvailable() < kFullDiskBytes ? StorageFault::DiskFull
                                                                    : fault;
}

/**
 * The message of a failure to open or inspect `path` that lies with the disk rather than the
 * file's content (I/O error, full, read-only, cannot open), if it is one.
 */
std::optional<QString> diskFault(const QString &path, const QString &error, int systemErrno)
{
    const StorageFault f = onFullDisk(Database::faultOfMessage(error), path, systemErrno);
    if (f == StorageFault::None || f == StorageFault::Corrupt || f == StorageFault::NotADatabase)
        return std::nullopt;
    return Database::faultMessage(f, path, error);
}

} // namespace

void Database::configureLibrary()
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

QString Database::pathInDir(const QString &dataDir)
{
    return QDir(dataDir).filePath(QLatin1String(kFileName));
}

Result<std::shared_ptr<Database>> Database::openDir(const QString &dataDir)
{
    if (!PrivateFiles::makeDir(dataDir))
        return Error{tr("Cannot create the data directory %1.").arg(dataDir)};
    return open(pathInDir(dataDir));
}

QString Database::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
}

QList<Migration> Database::builtinMigrations()
{
    QList<Migration> out;
    static const QRegularExpression re(QStringLiteral("^(\\d{4})_(.+)\\.sql$"));
    const QDir dir(QStringLiteral(":/migrations"));
    for (const QString &name : dir.entryList(QDir::Files, QDir::Name)) {
        const auto m = re.match(name);
        if (!m.hasMatch())
            continue;
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        out.append({m.captured(1).toInt(), m.captured(2), f.readAll()});
    }
    return out;
}

Result<std::shared_ptr<Database>> Database::open(const QString &path, const Options &options)
{
    const QFileInfo fi(path);
    const bool existed = fi.exists() && fi.size() > 0;
    if (fi.exists() && !fi.isFile())
        return Error{tr("%1 is not a file.").arg(path)};

    // Inspect an existing file through a read-only handle first, so that a file that is not ours
    // is never written to (not even by a pragma or a journal-mode switch).
    if (existed) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return Error{tr("Cannot read %1: %2").arg(path, f.errorString())};
        const QByteArray header = f.read(16);
        if (header != QByteArray("SQLite format 3\0", 16))
            return Error{tr("%1 is not a CityOps cache: it is not an SQLite database. The file "
                            "was not modified.")
                             .arg(path)};
        f.close();
        RawHandle raw;
        if (sqlite3_open_v2(path.toUtf8().constData(), &raw.h, SQLITE_OPEN_READONLY, nullptr) !=
            SQLITE_OK)
            return Error{diskFault(path, sqliteError(raw.h), sqlite3_system_errno(raw.h))
                             .value_or(tr("Cannot open %1: %2").arg(path, sqliteError(raw.h)))};
        QString err;
        const auto appId = scalar(raw.h, "PRAGMA application_id", &err);
        const auto tables = scalar(raw.h, "SELECT count(*) FROM sqlite_master", &err);
        // Reading needs the WAL index (-shm): a disk that cannot hold it fails here, and that does
        // not make the file damaged.
        if (!appId || !tables) {
            if (auto m = diskFault(path, err, sqlite3_system_errno(raw.h)))
                return Error{*m};
            return Error{tr("%1 is damaged or not a CityOps cache (%2). The file was not "
                            "modified.")
                             .arg(path, err)};
        }
        if (*appId != kApplicationId && *tables > 0)
            return Error{tr("%1 is an SQLite database but not a CityOps cache. The file was not "
                            "modified.")
                             .arg(path)};
        if (*appId == kApplicationId) {
            const auto version = scalar(raw.h, "SELECT max(version) FROM schema_version", &err);
            if (!version)
                return Error{
                    diskFault(path, err, sqlite3_system_errno(raw.h))
                        .value_or(
                            tr("%1 is damaged: its schema version cannot be read (%2). The file "
                               "was not modified.")
                                .arg(path, err))};
            const int newest =
                options.migrations ? options.migrations->last().version : kSchemaVersion;
            if (*version > newest)
                return Error{tr("%1 was written by a newer CityOps (schema %2; this build "
                                "supports up to %3). The file was not modified.")
                                 .arg(path)
                                 .arg(*version)
                                 .arg(newest)};
        }
    }
    if (options.readOnly && !existed)
        return Error{tr("%1 does not exist.").arg(path)};
    if (!fi.exists() && !options.readOnly && QFileInfo::exists(path + QStringLiteral("-wal"))) {
        // The WAL of a deleted database: SQLite would replay its pages into the new file. It is
        // kept, renamed, never deleted.
        const QString stamp =
            QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmsszzz"));
        for (const char *suffix : {"-wal", "-shm"}) {
            const QString from = path + QLatin1String(suffix);
            if (QFileInfo::exists(from) && !QFile::rename(from, path + QStringLiteral(".orphan-") +
                                                                    stamp + QLatin1String(suffix)))
                return Error{tr("Cannot move the orphaned %1 aside.").arg(from)};
        }
    }

    // Private whatever the umask (docs/security.md): a new file is created 0600 before SQLite
    // opens it, and SQLite gives the -wal and -shm it creates the main file's mode; existing ones
    // (an older build's) are corrected here.
    if (!options.readOnly &&
        !(fi.exists() ? PrivateFiles::restrictDatabase(path) : PrivateFiles::createFile(path)))
        return Error{tr("Cannot make %1 private to this account.").arg(path)};

    std::shared_ptr<Database> self(new Database);
    self->m_path = path;
    self->m_connection =
        QStringLiteral("cityops-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
    self->m_db = std::make_unique<QSqlDatabase>(
        QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), self->m_connection));
    self->m_db->setDatabaseName(path);
    if (options.readOnly)
        self->m_db->setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!self->m_db->open()) {
        const QString err = self->m_db->lastError().text();
        return Error{diskFault(path, err, 0).value_or(tr("Cannot open %1: %2").arg(path, err))};
    }
    const QVariant v = self->m_db->driver()->handle();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return Error{tr("The Qt SQLite driver did not expose its handle.")};
    self->m_handle = *static_cast<sqlite3 *const *>(v.constData());
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) == 0) {
        self->m_device = quint64(st.st_dev);
        self->m_inode = quint64(st.st_ino);
    }

    // A 64 MB page cache: queues over a million cases touch many index pages, and the default
    // 2 MB cache turns each write into a string of disk reads. (No mmap: mapped pages count
    // against the console's memory and the OS page cache serves reads as well.)
    QByteArray pragmas = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; "
                         "PRAGMA cache_size = -65536;";
    if (!options.readOnly)
        pragmas += "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                   "PRAGMA journal_size_limit = 67108864;"; // a big load's log shrinks after
    if (Status s = self->exec(pragmas); !s) // a storage fault's message names the file already
        return Error{s.error().contains(QDir::toNativeSeparators(path))
                         ? s.error()
                         : tr("Cannot prepare %1: %2").arg(path, s.error())};

    const QList<Migration> migrations = options.migrations.value_or(builtinMigrations());
    if (options.readOnly) {
        QString err;
        self->m_version = static_cast<int>(
            scalar(self->m_handle, "SELECT max(version) FROM schema_version", &err).value_or(0));
        return self;
    }
    if (Status s = self->migrate(migrations, options.targetVersion); !s)
        return Error{tr("Cannot update the schema of %1: %2").arg(path, s.error())};
    return self;
}

Database::~Database()
{
    if (m_db) {
        m_db->close();
        m_db.reset();
    }
    if (!m_connection.isEmpty())
        QSqlDatabase::removeDatabase(m_connection);
}

Status Database::exec(const QByteArray &sql)
{
    char *msg = nullptr;
    if (const int rc = sqlite3_exec(m_handle, sql.constData(), nullptr, nullptr, &msg);
        rc != SQLITE_OK) {
        const QString err = QString::fromUtf8(msg ? msg : sqlite3_errmsg(m_handle));
        sqlite3_free(msg);
        const StorageFault fault = onFullDisk(faultOfCode(sqlite3_extended_errcode(m_handle)),
                                              m_path, sqlite3_system_errno(m_handle));
        return Error{fault == StorageFault::None ? err : faultMessage(fault, m_path, err)};
    }
    return Ok{};
}

StorageFault Database::faultOfCode(int sqliteCode)
{
    switch (sqliteCode & 0xff) {
    case SQLITE_CORRUPT:
        return StorageFault::Corrupt;
    case SQLITE_NOTADB:
        return StorageFault::NotADatabase;
    case SQLITE_IOERR:
        return StorageFault::IoError;
    case SQLITE_FULL:
        return StorageFault::DiskFull;
    case SQLITE_READONLY:
        return StorageFault::ReadOnly;
    case SQLITE_CANTOPEN:
        return StorageFault::CantOpen;
    default:
        return StorageFault::None;
    }
}

StorageFault Database::faultOfMessage(const QString &error)
{
    // The Qt driver's messages end with sqlite3_errmsg(), which for these codes is SQLite's fixed
    // wording of the code (sqlite3_errstr), so the code can be told from the text.
    for (const int code : {SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_IOERR, SQLITE_FULL,
                           SQLITE_READONLY, SQLITE_CANTOPEN}) {
        if (error.contains(QLatin1String(sqlite3_errstr(code)), Qt::CaseInsensitive))
            return faultOfCode(code);
    }
    return StorageFault::None;
}

QString Database::faultMessage(StorageFault fault, const QString &path, const QString &detail)
{
    const QString file = QDir::toNativeSeparators(path);
    QString what;
    switch (fault) {
    case StorageFault::None:
        return detail;
    case StorageFault::Corrupt:
        what = tr("The cache %1 is damaged (%2).");
        break;
    case StorageFault::NotADatabase:
        what = tr("The cache %1 is no longer a database: it was overwritten (%2).");
        break;
    case StorageFault::IoError:
        what = tr("The cache %1 cannot be read or written: disk I/O error (%2).");
        break;
    case StorageFault::DiskFull:
        return tr("The disk holding the cache %1 is full (%2). Nothing of the action was saved; "
                  "free some space and try again.")
            .arg(file, detail);
    case StorageFault::ReadOnly:
        what = tr("The cache %1 has become read-only (%2).");
        break;
    case StorageFault::CantOpen:
        what = tr("The cache %1 cannot be opened (%2).");
        break;
    case StorageFault::Missing:
        what = tr("The cache %1 was deleted or replaced while CityOps was running (%2).");
        break;
    }
    return what.arg(file, detail) + QLatin1Char(' ') +
           tr("Nothing was half-saved. Export the outbox and rebuild the cache from the platform "
              "(File ▸ Rebuild cache from platform…, or cityops-cli outbox export and cityops-cli "
              "cache rebuild).");
}

StorageFault Database::diagnose(const QString &error) const
{
    if (const StorageFault f = faultOfMessage(error); f != StorageFault::None)
        return onFullDisk(f, m_path, sqlite3_system_errno(m_handle));
    return checkFile() ? StorageFault::None : StorageFault::Missing;
}

QString Database::describe(const QString &error) const
{
    // A message that already names the file was described before.
    if (error.contains(QDir::toNativeSeparators(m_path)))
        return error;
    const StorageFault fault = diagnose(error);
    return fault == StorageFault::None ? error : faultMessage(fault, m_path, error);
}

Status Database::checkFile() const
{
    if (m_inode == 0)
        return Ok{};
    struct stat st = {};
    if (::stat(QFile::encodeName(m_path).constData(), &st) != 0)
        return Error{faultMessage(StorageFault::Missing, m_path, tr("the file is gone"))};
    if (quint64(st.st_ino) != m_inode || quint64(st.st_dev) != m_device)
        return Error{
            faultMessage(StorageFault::Missing, m_path, tr("another file is in its place"))};
    return Ok{};
}

Status Database::migrate(const QList<Migration> &migrations, int target)
{
    if (Status s = exec("CREATE TABLE IF NOT EXISTS schema_version ("
                        " version INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        !s)
        return s;
    QString err;
    m_version = static_cast<int>(
        scalar(m_handle, "SELECT coalesce(max(version), 0) FROM schema_version", &err).value_or(0));
    for (const Migration &m : migrations) {
        if (m.version <= m_version || m.version > target)
            continue;
        Transaction tx(*this);
        Status s = exec(m.sql);
        if (s) {
            QSqlQuery q(*m_db);
            q.prepare(QStringLiteral("INSERT INTO schema_version (version, name) VALUES (?, ?)"));
            q.addBindValue(m.version);
            q.addBindValue(m.name);
            if (!q.exec())
                s = Error{q.lastError().text()};
        }
        if (s)
            s = exec(QByteArray("PRAGMA application_id = ") + QByteArray::number(kApplicationId));
        if (s)
            s = tx.commit();
        if (!s)
            return Error{tr("migration %1 (%2) failed: %3")
                             .arg(m.version, 4, 10, QLatin1Char('0'))
                             .arg(m.name, s.error())};
        m_version = m.version;
    }
    return Ok{};
}

Result<QList<QByteArray>> Database::dropSecondaryIndexes()
{
    QList<QByteArray> names, sql;
    {
        QSqlQuery q(*m_db);
        // Indexes, the triggers that keep the queue counters (recounted after the load), the one
        // that keeps the dashboard's case facts (a bulk load writes those rows itself) and the
        // ones that mirror cases and case facts into kpi_facts (refilled in one pass below).
        if (!q.exec(QStringLiteral("SELECT name, sql, type FROM sqlite_master WHERE (type = "
                                   "'index' AND sql IS NOT NULL) OR (type = 'trigger' AND (name "
                                   "LIKE 'cases_count_%' OR name = 'case_events_facts' OR name "
                                   "LIKE 'cases_kpi_%' OR name LIKE 'case_facts_kpi_%')) "
                                   "ORDER BY type, name")))
            return Error{q.lastError().text()};
        while (q.next()) {
            names << q.value(2).toByteArray() + " \"" + q.value(0).toByteArray() + "\"";
            sql << q.value(1).toByteArray();
        }
    }
    for (const QByteArray &n : names) {
        if (Status s = exec("DROP " + n); !s)
            return Error{s.error()};
    }
    if (std::any_of(sql.cbegin(), sql.cend(),
                    [](const QByteArray &s) { return s.contains("cases_kpi_insert"); }))
        sql << kRefillKpiFacts;
    return sql;
}

Status Database::recountQueues()
{
    return exec("UPDATE queue_counts SET n = (SELECT count(*) FROM cases WHERE 'state:' || "
                "cases.state = queue) WHERE queue LIKE 'state:%';"
                "UPDATE queue_counts SET n = (SELECT count(*) FROM cases WHERE pending IS NOT "
                "NULL) WHERE queue = 'pending';"
                "UPDATE queue_counts SET n = (SELECT count(*) FROM cases) WHERE queue = 'all';");
}

qint64 Database::sizeOnDisk() const
{
    return QFileInfo(m_path).size() + QFileInfo(m_path + QStringLiteral("-wal")).size();
}

Transaction::Transaction(Database &db) : m_db(db)
{
    m_nested = sqlite3_get_autocommit(db.handle()) == 0;
    if (!m_nested) {
        if (Status f = db.checkFile(); !f) {
            m_error = f.error();
            return;
        }
    }
    const Status s = db.exec(m_nested ? "SAVEPOINT cityops_tx" : "BEGIN IMMEDIATE");
    m_active = static_cast<bool>(s);
    if (!s)
        m_error = db.describe(s.error());
}

Transaction::~Transaction()
{
    if (m_active)
        rollback();
}

Status Transaction::commit()
{
    if (!m_active)
        return Error{m_error.isEmpty()
                         ? QCoreApplication::translate("Database", "no active transaction")
                         : m_error};
    Status s = m_db.exec(m_nested ? "RELEASE cityops_tx" : "COMMIT");
    if (!s) {
        rollback();
        return Error{m_db.describe(s.error())};
    }
    m_active = false;
    return Ok{};
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    if (m_nested)
        (void)m_db.exec("ROLLBACK TO cityops_tx; RELEASE cityops_tx");
    else
        (void)m_db.exec("ROLLBACK");
}

} // namespace cityops
