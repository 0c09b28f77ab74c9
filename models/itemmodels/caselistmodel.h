#pragma once

#include "domain/casequery.h"
#include "domain/caserecord.h"

#include <QAbstractTableModel>
#include <QHash>

#include <functional>
#include <memory>

namespace cityops {

class CaseService;
class CaseStore;

/**
 * A queue of cases as a table, for a million cases: rowCount() is the query's count, and rows
 * are read from the store in pages of 256 when a view asks for them (a bounded cache of pages,
 * never the whole table in memory). Sorting and filtering run in SQL on indexes. Lives on the GUI
 * thread with the store it reads.
 */
class CaseListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        IdColumn,
        CategoryColumn,
        PlaceColumn,
        AddressColumn,
        StateColumn,
        StageColumn,
        PriorityColumn,
        SlaColumn,
        AssigneeColumn,
        AgeColumn,
        SourceColumn,
        ColumnCount
    };
    enum Roles
    {
        CaseIdRole = Qt::UserRole + 1,
        OverdueRole,
        StateKeyRole,
        DeadlineRole,
        SlaLevelRole,
        CategoryCodeRole
    };
    /** SLA colouring: on time, due within an hour, overdue. */
    enum SlaLevel
    {
        SlaNone,
        SlaOnTime,
        SlaDueSoon,
        SlaOverdue
    };
    static constexpr int kPageSize = 256;
    static constexpr int kMaxPages = 64;

    explicit CaseListModel(std::shared_ptr<CaseStore> store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    void setQuery(const CaseQuery &query);
    const CaseQuery &query() const { return m_query; }
    CaseSort sortKey() const { return m_sort; }
    Qt::SortOrder sortOrder() const { return m_order; }
    /** Total cases the query matches (same as rowCount, without the int limit). */
    qint64 totalCount() const { return m_total; }
    /** Row of a case among the rows read so far, or -1. */
    int rowOf(CaseId id) const;
    /** Row of a case, reading pages in order up to `maxRows` rows; -1 when not found. */
    int findRow(CaseId id, int maxRows = 20000) const;
    /** The row's record (reads its page if needed). */
    const QueueRow *row(int r) const;
    /** Clock used for SLA colouring and the overdue queue; tests pin it. */
    void setClock(std::function<qint64()> now);
    qint64 now() const { return m_now(); }
    /** Pages read from the store since the last reset (for tests of laziness). */
    int pagesRead() const { return m_pagesRead; }
    /** Reloads once per change notification of the service (a bulk action: once). */
    void follow(const CaseService &service);

public slots:
    /** Re-reads the count and drops cached pages: after events arrive or a query change. */
    void reload();

private:
    const QList<QueueRow> *page(int p) const;

    std::shared_ptr<CaseStore> m_store;
    CaseQuery m_query;
    qint64 m_total = 0;
    CaseSort m_sort = CaseSort::Id;
    Qt::SortOrder m_order = Qt::DescendingOrder;
    std::function<qint64()> m_now;
    mutable QHash<int, QList<QueueRow>> m_pages;
    mutable QList<int> m_lru;
    mutable int m_pagesRead = 0;
};

} // namespace cityops
