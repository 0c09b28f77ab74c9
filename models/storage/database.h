#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <memory>

// QtSql is private to cityops_core: callers of Database::sql() include <QSqlDatabase> themselves.
QT_BEGIN_NAMESPACE
class QSqlDatabase;
QT_END_NAMESPACE
struct sqlite3;

namespace cityops {

/**
 * A failure whose cause is the cache file or its disk rather than the data: what the console and
 * the CLI report as a storage fault (docs/reliability.md, "Storage faults").
 */
enum class StorageFault
{
    None,
    Corrupt,      ///< SQLITE_CORRUPT: pages damaged (overwritten, truncated)
    NotADatabase, ///< SQLITE_NOTADB: the header is no longer SQLite's
    IoError,      ///< SQLITE_IOERR: the operating system refused a read or write
    DiskFull,     ///< SQLITE_FULL
    ReadOnly,     ///< SQLITE_READONLY: the file or its directory became read-only
    CantOpen,     ///< SQLITE_CANTOPEN: the file (or its journal) cannot be opened
    Missing       ///< the file was deleted or replaced under the running process
};

/** One numbered schema step, shipped as ":/migrations/NNNN_name.sql". */
struct Migration
{
    int version = 0;
    QString name;
    QByteArray sql;
};

/**
 * An open CityOps cache file: checks that a file is ours before touching it, applies numbered
 * migrations, and owns one QSqlDatabase connection.
 *
 * Threading: a Database belongs to the thread that opened it (a QtSql rule); open another
 * Database on the same file for another thread. WAL lets readers run beside the one writer.
 */
class Database
{
    Q_DECLARE_TR_FUNCTIONS(Database)
public:
    static constexpr int kSchemaVersion = 9;
    static constexpr int kApplicationId = 0x43594F50; // "CYOP"
    static constexpr const char *kFileName = "cityops.db";

    struct Options
    {
        /** Stop at this version (tests migrate step by step). */
        int targetVersion = kSchemaVersion;
        /** Replace the built-in migrations (tests inject a failing one). */
        std::optional<QList<Migration>> migrations;
        bool readOnly = false;
    };

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    /**
     * Opens (creating if absent) a cache file. A file that is not SQLite, an SQLite file that is
     * not a CityOps cache, a damaged file or a newer schema is refused with a message naming the
     * file, and the file is left byte-for-byte unchanged.
     */
    static Result<std::shared_ptr<Database>> open(const QString &path, const Options &options);
    static Result<std::shared_ptr<Database>> open(const QString &path) { return open(path, {}); }
    /** Path of the cache inside a data directory. */
    static QString pathInDir(const QString &dataDir);
    /**
     * Process-wide SQLite settings; call once at start-up, before any database opens. Turns off
     * SQLite's memory statistics, which take a global mutex on every allocation and which
     * nothing here reads (bulk loads allocate millions of times).
     */
    static void configureLibrary();
    /** Creates the data directory if needed and opens the cache in it. */
    static Result<std::shared_ptr<Database>> openDir(const QString &dataDir);
    /** The default data directory (the platform's app-data location). */
    static QString defaultDataDir();
    static QList<Migration> builtinMigrations();

    QSqlDatabase &sql() { return *m_db; }
    sqlite3 *handle() const { return m_handle; }
    const QString &path() const { return m_path; }
    int schemaVersion() const { return m_version; }

    /**
     * The storage fault behind a failure message of this connection, if any: SQLite's own wording
     * of the fault codes (which the Qt driver includes in its messages), or a file that is no
     * longer the one opened.
     */
    StorageFault diagnose(const QString &error) const;
    /**
     * A failure message for people: for a storage fault, what happened to which file, that
     * nothing was half-applied and what to do; any other message unchanged.
     */
    QString describe(const QString &error) const;
    /** The fault of a primary or extended SQLite result code (None for the others). */
    static StorageFault faultOfCode(int sqliteCode);
    /** The fault SQLite's message for a fault code names, if any. */
    static StorageFault faultOfMessage(const QString &error);
    /** The message of a fault of the cache file `path` (detail: the underlying error). */
    static QString faultMessage(StorageFault fault, const QString &path, const QString &detail);
    /** Whether the path still names the file this connection opened (not deleted or replaced). */
    Status checkFile() const;

    /** Runs one or more statements; the message of a failure names the statement's error. */
    Status exec(const QByteArray &sql);
    /**
     * Drops every index that has a definition (not the automatic ones behind UNIQUE), the
     * queue-counter triggers and the triggers that keep case_facts and kpi_facts, and returns
     * the statements that create them again (and refill kpi_facts from cases and case_facts):
     * for bulk loads, which run them after the load and call recountQueues().
     */
    Result<QList<QByteArray>> dropSecondaryIndexes();
    /** Recomputes the queue counters from the cases table (after a bulk load). */
    Status recountQueues();
    /** File size of the database plus its WAL, in bytes. */
    qint64 sizeOnDisk() const;

private:
    Database() = default;
    Status migrate(const QList<Migration> &migrations, int target);

    std::unique_ptr<QSqlDatabase> m_db;
    QString m_connection;
    QString m_path;
    sqlite3 *m_handle = nullptr;
    int m_version = 0;
    // Identity of the opened file, to notice it being deleted or replaced under us.
    quint64 m_device = 0;
    quint64 m_inode = 0;
};

/**
 * RAII transaction: rolls back in its destructor unless commit() succeeded. Nested use becomes a
 * savepoint, so a helper can open its own Transaction inside a caller's. An outermost transaction
 * first checks that the cache file is still the one opened: SQLite would go on writing into a
 * deleted file, and everything written there would be lost.
 */
class Transaction
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    bool isActive() const { return m_active; }
    /** Why the transaction could not begin (a storage fault, a lock), when it is not active. */
    const QString &error() const { return m_error; }
    Status commit();
    void rollback();

private:
    Database &m_db;
    bool m_active = false;
    bool m_nested = false;
    QString m_error;
};

} // namespace cityops
