#include "bulkinsert.h"

#include "database.h"

#include <sqlite3.h>

namespace cityops {

BulkInsert::BulkInsert(Database &db, const char *sql) : m_db(db)
{
    if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) !=
        SQLITE_OK)
        m_error = QString::fromUtf8(sqlite3_errmsg(db.handle()));
}

BulkInsert::~BulkInsert()
{
    sqlite3_finalize(m_stmt);
}

BulkInsert &BulkInsert::operator<<(qint64 v)
{
    sqlite3_bind_int64(m_stmt, ++m_col, v);
    return *this;
}

BulkInsert &BulkInsert::operator<<(double v)
{
    sqlite3_bind_double(m_stmt, ++m_col, v);
    return *this;
}

BulkInsert &BulkInsert::operator<<(const QByteArray &utf8)
{
    sqlite3_bind_text(m_stmt, ++m_col, utf8.constData(), static_cast<int>(utf8.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

BulkInsert &BulkInsert::operator<<(std::nullptr_t)
{
    sqlite3_bind_null(m_stmt, ++m_col);
    return *this;
}

BulkInsert &BulkInsert::blob(const QByteArray &bytes)
{
    sqlite3_bind_blob(m_stmt, ++m_col, bytes.constData(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Status BulkInsert::exec()
{
    if (!m_stmt)
        return Error{m_error};
    const int rc = sqlite3_step(m_stmt);
    sqlite3_reset(m_stmt);
    m_col = 0;
    if (rc != SQLITE_DONE)
        return Error{QString::fromUtf8(sqlite3_errmsg(m_db.handle()))};
    return Ok{};
}

} // namespace cityops
