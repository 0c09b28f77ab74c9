#include "securitylogmodel.h"

#include "util/timefmt.h"

namespace cityops {

SecurityLogModel::SecurityLogModel(QObject *parent) : QAbstractTableModel(parent) {}

int SecurityLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int SecurityLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SecurityLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const sync::SecurityLogEntry &e = m_lines.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return TimeFormat::dateTime(e.at);
        case KindColumn:
            return e.kind;
        case UserColumn:
            return e.user;
        case AddressColumn:
            return e.address;
        case DetailColumn:
            return e.detail;
        case CountColumn:
            return e.count;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return TimeFormat::iso(e.at);
        if (index.column() == DetailColumn)
            return e.detail;
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == CountColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case IdRole:
        return e.id;
    case AtRole:
        return e.at;
    case KindRole:
        return e.kind;
    }
    return {};
}

QVariant SecurityLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case KindColumn:
        return tr("Kind");
    case UserColumn:
        return tr("User");
    case AddressColumn:
        return tr("Address");
    case DetailColumn:
        return tr("Detail");
    case CountColumn:
        return tr("Count");
    }
    return {};
}

void SecurityLogModel::setPage(const sync::SecurityLogPage &page)
{
    beginResetModel();
    m_lines = page.entries;
    m_next = page.next;
    m_chain = page.chain;
    endResetModel();
}

void SecurityLogModel::appendPage(const sync::SecurityLogPage &page)
{
    m_next = page.next;
    m_chain = page.chain;
    if (page.entries.isEmpty())
        return;
    const int first = int(m_lines.size());
    beginInsertRows({}, first, first + int(page.entries.size()) - 1);
    m_lines += page.entries;
    endInsertRows();
}

void SecurityLogModel::clear()
{
    setPage({});
}

} // namespace cityops
