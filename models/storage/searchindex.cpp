#include "searchindex.h"

#include "database.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace cityops {

namespace {
qint64 scalar(Database &db, const QString &sql)
{
    QSqlQuery q(db.sql());
    return q.exec(sql) && q.next() ? q.value(0).toLongLong() : 0;
}

QString quoted(QString s)
{
    return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
           QLatin1Char('"');
}
} // namespace

QString SearchIndex::spaced(const QString &text)
{
    QString out;
    out.reserve(text.size() * 2);
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isSpace())
            continue;
        if (!out.isEmpty())
            out += QLatin1Char(' ');
        out += c;
        if (c.isHighSurrogate() && i + 1 < text.size())
            out += text.at(++i);
    }
    return out;
}

qint64 SearchIndex::indexedTo(Database &db)
{
    return scalar(db, QStringLiteral("SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
                                     "'search_indexed_to'"));
}

qint64 SearchIndex::backlog(Database &db)
{
    return scalar(db,
                  QStringLiteral("SELECT count(*) FROM cases WHERE id > %1").arg(indexedTo(db)));
}

Result<qint64> SearchIndex::catchUp(Database &db, qint64 maxRows,
                                    const std::function<bool(qint64, qint64)> &progress)
{
    // Counting the backlog reads every unindexed row, so it is done only for a progress report;
    // otherwise the chunks below simply stop when no row is left.
    const qint64 total = progress ? std::min(maxRows, backlog(db)) : maxRows;
    qint64 done = 0;
    constexpr int kChunk = 5000;
    while (done < total) {
        Transaction tx(db);
        if (!tx.isActive())
            return Error{tr("The local cache is busy; the search index will catch up later.")};
        const qint64 from = indexedTo(db);
        QSqlQuery rows(db.sql());
        rows.setForwardOnly(true);
        rows.prepare(
            QStringLiteral("SELECT id, description || ' ' || address || ' ' || "
                           "coalesce(party, '') FROM cases WHERE id > ? ORDER BY id LIMIT ?"));
        rows.addBindValue(from);
        rows.addBindValue(int(std::min<qint64>(kChunk, total - done)));
        if (!rows.exec())
            return Error{rows.lastError().text()};
        QSqlQuery tri(db.sql()), uni(db.sql());
        tri.prepare(QStringLiteral("INSERT INTO cases_fts3 (rowid, body) VALUES (?, ?)"));
        uni.prepare(QStringLiteral("INSERT INTO cases_fts1 (rowid, body) VALUES (?, ?)"));
        qint64 last = from;
        int n = 0;
        while (rows.next()) {
            last = rows.value(0).toLongLong();
            const QString body = rows.value(1).toString();
            tri.addBindValue(last);
            tri.addBindValue(body);
            uni.addBindValue(last);
            uni.addBindValue(spaced(body));
            if (!tri.exec() || !uni.exec())
                return Error{tr("Cannot index case %1: %2").arg(last).arg(tri.lastError().text())};
            ++n;
        }
        if (n == 0)
            break;
        QSqlQuery mark(db.sql());
        mark.prepare(QStringLiteral("UPDATE meta SET value = ? WHERE key = 'search_indexed_to'"));
        mark.addBindValue(QString::number(last));
        if (!mark.exec())
            return Error{mark.lastError().text()};
        if (Status s = tx.commit(); !s)
            return Error{s.error()};
        done += n;
        if (progress && !progress(done, total))
            break;
    }
    return done;
}

std::pair<QString, QString> SearchIndex::match(const QString &text)
{
    const QString t = text.simplified();
    if (t.isEmpty())
        return {};
    const QString compact = QString(t).remove(QLatin1Char(' '));
    if (compact.size() >= 3)
        return {QStringLiteral("cases_fts3"), quoted(t)};
    return {QStringLiteral("cases_fts1"), quoted(spaced(compact))};
}

QString SearchIndex::clause(Database &db, const QString &text, QVariantList &binds)
{
    const QString t = text.simplified();
    if (t.isEmpty())
        return {};
    const QString compact = QString(t).remove(QLatin1Char(' '));
    QString indexed;
    if (compact.size() >= 3) {
        indexed = QStringLiteral("c.id IN (SELECT rowid FROM cases_fts3 WHERE cases_fts3 MATCH ?)");
        binds << quoted(t);
    } else {
        indexed = QStringLiteral("c.id IN (SELECT rowid FROM cases_fts1 WHERE cases_fts1 MATCH ?)");
        binds << quoted(spaced(compact));
    }
    // Rows the indexer has not reached yet are matched by a scan, so results are complete.
    const qint64 upTo = indexedTo(db);
    const QString like = QLatin1Char('%') +
                         QString(t).replace(QLatin1Char('%'), QStringLiteral("\\%")) +
                         QLatin1Char('%');
    binds << upTo << like << like << like;
    return QStringLiteral("(%1 OR (c.id > ? AND (c.description LIKE ? ESCAPE '\\' OR c.address "
                          "LIKE ? ESCAPE '\\' OR c.party LIKE ? ESCAPE '\\')))")
        .arg(indexed);
}

} // namespace cityops
