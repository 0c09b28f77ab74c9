#pragma once

#include "dashboard/kpis.h"

#include <QAbstractTableModel>

namespace cityops {

/** The dashboard's KPI table: the whole selection first, then one row per unit. */
class KpiTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Label,
        Cases,
        Closed,
        ClosureRate,
        OnTimeRate,
        ReworkRate,
        ExtensionRate,
        ShelvedRate,
        MeanHours,
        P90Hours,
        ColumnCount
    };
    using QAbstractTableModel::QAbstractTableModel;

    void setResult(const DashboardResult &result);
    const KpiRow &kpiRow(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    QList<KpiRow> m_rows;
};

/** The grid cells with the most recurrences (DashboardResult::hotspots). */
class HotspotModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Grid,
        Recurrences,
        Cases,
        ColumnCount
    };
    enum Roles
    {
        GridCodeRole = Qt::UserRole + 1
    };
    using QAbstractTableModel::QAbstractTableModel;

    void setHotspots(const QList<Hotspot> &hotspots);
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    QList<Hotspot> m_rows;
};

} // namespace cityops
