#pragma once

#include "domain/caserecord.h"

#include <QAbstractTableModel>

#include <functional>
#include <memory>

namespace cityops {

class CaseStore;

/**
 * The case list as a table: id, category, street, address, state, deadline. Rows are fetched
 * lazily in pages (canFetchMore/fetchMore) and sorted by the store, so a large cache never sits
 * in memory whole. Lives on the GUI thread with the store it reads.
 */
class CaseListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        IdColumn,
        CategoryColumn,
        StreetColumn,
        AddressColumn,
        StateColumn,
        DeadlineColumn,
        ColumnCount
    };
    enum Roles
    {
        CaseIdRole = Qt::UserRole + 1,
        OverdueRole,
        StateKeyRole
    };
    static constexpr int kPageSize = 256;

    explicit CaseListModel(std::shared_ptr<CaseStore> store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    /** Total cases in the store (rowCount() is how many are loaded so far). */
    qint64 totalCount() const { return m_total; }
    /** Row of a case among those loaded, or -1. */
    int rowOf(CaseId id) const;
    /** Clock used for overdue colouring; tests pin it. */
    void setClock(std::function<qint64()> now) { m_now = std::move(now); }

public slots:
    void reload();

private:
    std::shared_ptr<CaseStore> m_store;
    QList<CaseRow> m_rows;
    qint64 m_total = 0;
    bool m_resetting = false;
    CaseSort m_sort = CaseSort::Id;
    Qt::SortOrder m_order = Qt::DescendingOrder;
    std::function<qint64()> m_now;
};

} // namespace cityops
