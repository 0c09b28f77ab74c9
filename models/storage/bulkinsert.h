#pragma once

#include "util/result.h"

#include <QByteArray>

struct sqlite3_stmt;

namespace cityops {

class Database;

/**
 * A prepared INSERT for loading many rows fast (demo generation, snapshots): values are bound in
 * column order with operator<<, then exec() writes the row. Run it inside a Transaction.
 */
class BulkInsert
{
public:
    BulkInsert(Database &db, const char *sql);
    ~BulkInsert();
    BulkInsert(const BulkInsert &) = delete;
    BulkInsert &operator=(const BulkInsert &) = delete;

    BulkInsert &operator<<(qint64 v);
    BulkInsert &operator<<(int v) { return *this << static_cast<qint64>(v); }
    BulkInsert &operator<<(double v);
    BulkInsert &operator<<(const QByteArray &utf8);
    BulkInsert &operator<<(const char *utf8) { return *this << QByteArray(utf8); }
    BulkInsert &operator<<(std::nullptr_t);
    /** Binds a BLOB (operator<< binds QByteArray as text). */
    BulkInsert &blob(const QByteArray &bytes);
    Status exec();
    const QString &prepareError() const { return m_error; }

private:
    Database &m_db;
    sqlite3_stmt *m_stmt = nullptr;
    int m_col = 0;
    QString m_error;
};

} // namespace cityops
