#pragma once

// Private to models/storage: the only code that talks to SQLite directly.

#include "geo/tileid.h"

#include <QByteArray>
#include <QString>

#include <sqlite3.h>

#include <string>
#include <unordered_map>

namespace cityops {

/**
 * Prepared statements kept for reuse on one connection, by SQL text: hot paths (the platform's
 * command path, the case repository) then parse each statement once instead of on every call.
 * A statement is lent to one SqliteStatement at a time and comes back reset with its bindings
 * cleared, so a kept statement never holds a read open. Must be destroyed before the connection
 * closes (declare it after the Database it uses). Same threading rule as the connection.
 */
class StatementCache
{
public:
    explicit StatementCache(sqlite3 *db) : m_db(db) {}
    ~StatementCache()
    {
        for (auto &[sql, st] : m_idle)
            sqlite3_finalize(st);
    }
    StatementCache(const StatementCache &) = delete;
    StatementCache &operator=(const StatementCache &) = delete;

    sqlite3 *db() const { return m_db; }
    /** The kept statement for `sql`, or a newly prepared one (nullptr when it does not prepare). */
    sqlite3_stmt *take(const char *sql)
    {
        if (const auto it = m_idle.find(sql); it != m_idle.end()) {
            sqlite3_stmt *st = it->second;
            m_idle.erase(it);
            return st;
        }
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) !=
            SQLITE_OK) {
            sqlite3_finalize(st);
            return nullptr;
        }
        return st;
    }
    /** Takes a statement back (a second one for the same text, from nested use, is dropped). */
    void give(sqlite3_stmt *st)
    {
        if (!st)
            return;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (!m_idle.try_emplace(sqlite3_sql(st), st).second)
            sqlite3_finalize(st);
    }

private:
    sqlite3 *m_db;
    std::unordered_map<std::string, sqlite3_stmt *> m_idle;
};

/**
 * A prepared statement on a raw sqlite3 connection, finalised on every path, or borrowed from a
 * StatementCache and given back (reset) on every path.
 */
class SqliteStatement
{
public:
    SqliteStatement(sqlite3 *db, const char *sql) : m_db(db)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_st, nullptr) != SQLITE_OK)
            m_st = nullptr;
    }
    SqliteStatement(StatementCache &cache, const char *sql)
        : m_db(cache.db()), m_st(cache.take(sql)), m_cache(&cache)
    {}
    ~SqliteStatement()
    {
        if (m_cache)
            m_cache->give(m_st);
        else
            sqlite3_finalize(m_st);
    }
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool ok() const { return m_st != nullptr; }
    sqlite3_stmt *get() const { return m_st; }
    QString error() const { return QString::fromUtf8(sqlite3_errmsg(m_db)); }
    void reset() { sqlite3_reset(m_st); }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_st, i, v); }
    void bindDouble(int i, double v) { sqlite3_bind_double(m_st, i, v); }
    void bindNull(int i) { sqlite3_bind_null(m_st, i); }
    /** Binds zoom_level, tile_column and the MBTiles (TMS) tile_row as parameters 1–3. */
    void bindTile(geo::TileId t)
    {
        bind(1, t.z);
        bind(2, t.x);
        bind(3, t.tmsRow());
    }
    void bindText(int i, const QString &s) { bindUtf8(i, s.toUtf8()); }
    /** Binds UTF-8 text; a null QByteArray binds SQL NULL. */
    void bindUtf8(int i, const QByteArray &utf8)
    {
        if (utf8.isNull())
            sqlite3_bind_null(m_st, i);
        else
            sqlite3_bind_text(m_st, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    void bindBlob(int i, const QByteArray &b)
    {
        // An empty QByteArray has a null data pointer, which SQLite would store as NULL.
        sqlite3_bind_blob(m_st, i, b.isEmpty() ? "" : b.constData(), int(b.size()),
                          SQLITE_TRANSIENT);
    }
    int step() { return m_st ? sqlite3_step(m_st) : SQLITE_ERROR; }
    /** Steps a statement that returns no rows; false (see error()) when it fails. */
    bool run() { return step() == SQLITE_DONE; }
    qint64 integer(int col) const { return sqlite3_column_int64(m_st, col); }
    double real(int col) const { return sqlite3_column_double(m_st, col); }
    bool isNull(int col) const { return sqlite3_column_type(m_st, col) == SQLITE_NULL; }
    QString text(int col) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_st, col));
        return p ? QString::fromUtf8(p, sqlite3_column_bytes(m_st, col)) : QString();
    }
    QByteArray blob(int col) const
    {
        const void *p = sqlite3_column_blob(m_st, col);
        const int n = sqlite3_column_bytes(m_st, col);
        return p ? QByteArray(static_cast<const char *>(p), n) : QByteArray();
    }

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_st = nullptr;
    StatementCache *m_cache = nullptr;
};

} // namespace cityops
