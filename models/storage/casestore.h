#pragma once

#include "domain/caserecord.h"

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
    /** A page of the case list in the given order (ties broken by id). */
    QList<CaseRow> listPage(CaseSort sort, Qt::SortOrder order, qint64 offset, int limit) const;
    QString meta(const QString &key) const;
    /** User accounts as "name — display name (role)" pairs, for the sign-in picker. */
    QList<std::pair<QString, QString>> users() const;
    /** Cases with a request waiting for a supervisor, oldest first. */
    QList<PendingRequest> pendingRequests() const;
    Database &database() const { return *m_db; }

private:
    std::shared_ptr<Database> m_db;
};

} // namespace cityops
