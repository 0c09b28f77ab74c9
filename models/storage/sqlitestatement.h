#pragma once

// Private to models/storage: the only code that talks to SQLite directly.

#include "geo/tileid.h"

#include <QByteArray>
#include <QString>

#include <sqlite3.h>

namespace cityops {

/** A prepared statement on a raw sqlite3 connection, finalised on every path. */
class SqliteStatement
{
public:
    SqliteStatement(sqlite3 *db, const char *sql) : m_db(db)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_st, nullptr) != SQLITE_OK)
            m_st = nullptr;
    }
    ~SqliteStatement() { sqlite3_finalize(m_st); }
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool ok() const { return m_st != nullptr; }
    sqlite3_stmt *get() const { return m_st; }
    QString error() const { return QString::fromUtf8(sqlite3_errmsg(m_db)); }
    void reset() { sqlite3_reset(m_st); }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_st, i, v); }
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
};

} // namespace cityops
