#pragma once

#include "demo/demogenerator.h"
#include "storage/database.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

namespace cityops::test {

/** Generates a demo cache in dir and fails the current test if that does not work. */
inline DemoSummary makeDemo(const QString &dir, qint64 cases, quint64 seed = 1)
{
    DemoOptions o;
    o.seed = seed;
    o.cases = cases;
    auto r = DemoGenerator::generate(dir, o);
    if (!r)
        qFatal("demo generation failed: %s", qPrintable(r.error()));
    return *r;
}

/** SHA-256 over every column of every row of a table, in primary-key order. */
inline QByteArray tableHash(Database &db, const QString &table)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    QSqlQuery q(db.sql());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT * FROM %1 ORDER BY 1").arg(table)))
        qFatal("cannot read %s", qPrintable(table));
    while (q.next()) {
        for (int i = 0; i < q.record().count(); ++i) {
            h.addData(q.value(i).toByteArray());
            h.addData(QByteArrayView("\x1f", 1));
        }
        h.addData(QByteArrayView("\x1e", 1));
    }
    return h.result().toHex();
}

inline QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace cityops::test
