#include "caselistmodel.h"

#include "storage/casestore.h"
#include "util/timefmt.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

namespace cityops {

namespace {
bool isOpenState(const QString &s)
{
    return s != QLatin1String("closed") && s != QLatin1String("rejected") &&
           s != QLatin1String("shelved");
}
} // namespace

CaseListModel::CaseListModel(std::shared_ptr<CaseStore> store, QObject *parent)
    : QAbstractTableModel(parent), m_store(std::move(store)),
      m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    reload();
}

void CaseListModel::reload()
{
    // Views (and QAbstractItemModelTester) react to modelReset synchronously; fetching more rows
    // from inside that notification would nest an insertion in the reset, so wait until it ends.
    m_resetting = true;
    beginResetModel();
    m_total = m_store->caseCount();
    m_rows = m_store->listPage(m_sort, m_order, 0, kPageSize);
    endResetModel();
    m_resetting = false;
}

int CaseListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CaseListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CaseListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CaseRow &r = m_rows.at(index.row());
    const bool overdue = r.deadlineAt && isOpenState(r.state) && r.deadlineAt < m_now();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return r.id;
        case CategoryColumn:
            return r.categoryName;
        case StreetColumn:
            return r.streetName;
        case AddressColumn:
            return r.address;
        case StateColumn:
            return Names::stateLabel(r.state);
        case DeadlineColumn:
            return TimeFormat::dateTime(r.deadlineAt);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == DeadlineColumn && r.deadlineAt && isOpenState(r.state))
            return TimeFormat::countdown(r.deadlineAt, m_now());
        if (index.column() == CategoryColumn)
            return r.categoryCode;
        break;
    case Qt::ForegroundRole:
        if (overdue && (index.column() == DeadlineColumn || index.column() == StateColumn))
            return QBrush(QColor(0xd9, 0x30, 0x25));
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case CaseIdRole:
        return r.id;
    case OverdueRole:
        return overdue;
    case StateKeyRole:
        return r.state;
    }
    return {};
}

QVariant CaseListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("Case");
    case CategoryColumn:
        return tr("Category");
    case StreetColumn:
        return tr("Street");
    case AddressColumn:
        return tr("Address");
    case StateColumn:
        return tr("State");
    case DeadlineColumn:
        return tr("Deadline");
    }
    return {};
}

void CaseListModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    const CaseSort s = static_cast<CaseSort>(column);
    if (s == m_sort && order == m_order && !m_rows.isEmpty())
        return;
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    QList<CaseId> ids;
    for (const QModelIndex &i : before)
        ids.append(m_rows.at(i.row()).id);
    m_sort = s;
    m_order = order;
    const qsizetype loaded = std::max<qsizetype>(m_rows.size(), kPageSize);
    m_rows = m_store->listPage(m_sort, m_order, 0, int(loaded));
    // Persistent indexes (the selection) follow their case when it is still loaded.
    QModelIndexList after;
    for (qsizetype k = 0; k < before.size(); ++k) {
        const int row = rowOf(ids.at(k));
        after.append(row < 0 ? QModelIndex() : index(row, before.at(k).column()));
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

bool CaseListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_resetting && m_rows.size() < m_total;
}

void CaseListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const QList<CaseRow> more = m_store->listPage(m_sort, m_order, m_rows.size(), kPageSize);
    if (more.isEmpty()) {
        m_total = m_rows.size();
        return;
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + more.size() - 1));
    m_rows.append(more);
    endInsertRows();
}

int CaseListModel::rowOf(CaseId id) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == id)
            return int(i);
    }
    return -1;
}

} // namespace cityops
