#include "kpitablemodel.h"

namespace cityops {

void KpiTableModel::setResult(const DashboardResult &result)
{
    beginResetModel();
    m_rows = {result.total};
    m_rows += result.byUnit;
    endResetModel();
}

int KpiTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int KpiTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KpiTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const KpiRow &k = m_rows.at(index.row());
    const auto pct = [](double v) {
        return QStringLiteral("%1 %").arg(v * 100, 0, 'f', 1);
    };
    const auto hrs = [](double v) {
        return QString::number(v, 'f', 1);
    };
    if (role == Qt::TextAlignmentRole)
        return index.column() == Label ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::UserRole) { // the raw value, for sorting and tests
        switch (index.column()) {
        case Label:
            return k.label;
        case Cases:
            return k.cases;
        case Closed:
            return k.closed;
        case ClosureRate:
            return k.closureRate;
        case OnTimeRate:
            return k.onTimeRate;
        case ReworkRate:
            return k.reworkRate;
        case ExtensionRate:
            return k.extensionRate;
        case ShelvedRate:
            return k.shelvedRate;
        case MeanHours:
            return k.meanHoursToClose;
        case P90Hours:
            return k.p90HoursToClose;
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Label:
        return k.label;
    case Cases:
        return QString::number(k.cases);
    case Closed:
        return QString::number(k.closed);
    case ClosureRate:
        return pct(k.closureRate);
    case OnTimeRate:
        return pct(k.onTimeRate);
    case ReworkRate:
        return pct(k.reworkRate);
    case ExtensionRate:
        return pct(k.extensionRate);
    case ShelvedRate:
        return pct(k.shelvedRate);
    case MeanHours:
        return hrs(k.meanHoursToClose);
    case P90Hours:
        return hrs(k.p90HoursToClose);
    }
    return {};
}

QVariant KpiTableModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, o, role);
    switch (section) {
    case Label:
        return tr("Unit");
    case Cases:
        return tr("Cases");
    case Closed:
        return tr("Closed");
    case ClosureRate:
        return tr("结案率 closure");
    case OnTimeRate:
        return tr("按期结案率 on time");
    case ReworkRate:
        return tr("返工率 rework");
    case ExtensionRate:
        return tr("延期率 extension");
    case ShelvedRate:
        return tr("挂账率 shelved");
    case MeanHours:
        return tr("Mean h to close");
    case P90Hours:
        return tr("P90 h to close");
    }
    return {};
}

void HotspotModel::setHotspots(const QList<Hotspot> &hotspots)
{
    beginResetModel();
    m_rows = hotspots;
    endResetModel();
}

int HotspotModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HotspotModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HotspotModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Hotspot &h = m_rows.at(index.row());
    if (role == GridCodeRole)
        return h.gridCode;
    if (role == Qt::ToolTipRole)
        return tr("Click to zoom the map to this grid cell and filter the queue to it.");
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Grid:
        return h.gridCode;
    case Recurrences:
        return h.recurrences;
    case Cases:
        return h.cases;
    }
    return {};
}

QVariant HotspotModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, o, role);
    switch (section) {
    case Grid:
        return tr("Grid cell");
    case Recurrences:
        return tr("Recurrences");
    case Cases:
        return tr("Cases");
    }
    return {};
}

} // namespace cityops
