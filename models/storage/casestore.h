#pragma once

#include "domain/casequery.h"
#include "domain/caserecord.h"

#include <QHash>

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace cityops {

class Database;

/**
 * Read access to cases and their timelines for the console and the CLI. Display names come out in
 * the UI language (Chinese or English). Same threading rule as Database.
 */
class CaseStore
{
    Q_DECLARE_TR_FUNCTIONS(CaseStore)
public:
    explicit CaseStore(std::shared_ptr<Database> db);

    qint64 caseCount() const;
    std::optional<CaseRecord> findCase(CaseId id) const;
    QList<CaseEvent> events(CaseId id) const;
    /** A page of a queue in the given order (ties broken by id). */
    QList<QueueRow> listPage(const CaseQuery &query, CaseSort sort, Qt::SortOrder order,
                             qint64 offset, int limit) const;
    /** How many cases a query matches. */
    qint64 count(const CaseQuery &query) const;
    /**
     * The tab counts: state queues come from counters that triggers keep current, Overdue and
     * Mine from partial indexes; nothing counts the whole table.
     */
    QHash<Queue, qint64> queueCounts(const QString &me, qint64 now) const;
    /** The SQL count() runs (also run directly by the benchmark's SQLite floor). */
    QString countSql(const CaseQuery &query, QVariantList &binds) const;
    /** The SQL listPage() runs, ending in LIMIT ? OFFSET ?. */
    QString pageSql(const CaseQuery &query, CaseSort sort, Qt::SortOrder order,
                    QVariantList &binds) const;
    /** FROM … WHERE for a query with a search text, driven by the FTS table when it is complete. */
    QString searchFrom(const CaseQuery &query, QVariantList &binds) const;
    /** The WHERE clause of a query (alias c), appending its bind values. */
    QString where(const CaseQuery &query, QVariantList &binds) const;
    QString meta(const QString &key) const;
    /** A value the sync keeps (SyncStore::value), e.g. the session's "session_scope". */
    QString syncState(const QString &key) const;
    /** A possible duplicate of a case at intake. */
    struct Duplicate
    {
        CaseId id;
        double metres;
        qint64 minutesApart;
        QString state;
    };
    /** Cases of the same subcategory within `radiusM` metres and `windowMin` minutes. */
    QList<Duplicate> duplicateCandidates(CaseId id, double radiusM = 50,
                                         int windowMin = 24 * 60) const;
    /** Streets (id, display name), for the filter bar. */
    QList<std::pair<qint64, QString>> streets() const;
    /** User accounts as "name — display name (role)" pairs, for the sign-in picker. */
    QList<std::pair<QString, QString>> users() const;
    /** Cases with a request waiting for a supervisor, oldest first. */
    QList<PendingRequest> pendingRequests() const;
    Database &database() const { return *m_db; }
    /** The open (unfinished) states as an SQL list, "('reported', …)". */
    static QLatin1String openStatesSql();

private:
    std::shared_ptr<Database> m_db;
};

} // namespace cityops
