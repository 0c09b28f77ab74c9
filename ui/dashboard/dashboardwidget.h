#pragma once

#include "dashboard/kpis.h"
#include "service/caseservice.h"

#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;
class QTabWidget;
class QTableView;

namespace cityops {

class DashboardEngine;
class HotspotModel;
class KpiTableModel;

/**
 * The supervisor dashboard: filters (period, street, category, unit), the charts (discovery vs
 * disposal, backlog and overdue, overdue by unit and street, the escalation funnel by category
 * and street), the KPI table and the hotspot grid cells. All figures come from a DashboardEngine
 * (computed on its worker thread); this widget only shows the latest result and never waits.
 */
class DashboardWidget : public QWidget
{
    Q_OBJECT
public:
    enum Chart
    {
        Flow,
        Backlog,
        OverdueByUnit,
        OverdueByStreet,
        FunnelByCategory,
        FunnelByStreet,
        ChartCount
    };
    /** `databasePath`: the cache file; the engine opens its own connection on it. */
    explicit DashboardWidget(const QString &databasePath, QWidget *parent = nullptr);
    ~DashboardWidget() override;

    DashboardEngine *engine() const { return m_engine; }
    /** The filter the bar shows now. */
    DashboardFilter filter() const;
    /** Period in days back from now (0: everything). */
    void setPeriodDays(int days);
    /** Street / unit index into the engine's dimensions (-1: all); category code prefix. */
    void setStreet(int index);
    void setCategory(const QString &prefix);
    void setUnit(int index);
    /** Asks for fresh figures (the first call loads the cache on the worker). */
    void refresh();
    /** Changed cases (CaseService::casesChanged): refreshed after a short debounce. */
    void casesChanged(const cityops::CaseChange &change);

    const DashboardResult &result() const { return m_result; }
    bool hasResult() const { return m_hasResult; }
    QChartView *chartView(Chart c) const { return m_views[c]; }
    QTabWidget *tabs() const { return m_tabs; }
    QTableView *kpiTable() const { return m_kpiTable; }
    QTableView *hotspotTable() const { return m_hotspotTable; }
    KpiTableModel *kpiModel() const { return m_kpiModel; }
    HotspotModel *hotspotModel() const { return m_hotspotModel; }
    QComboBox *periodBox() const { return m_period; }
    QComboBox *streetBox() const { return m_street; }
    QComboBox *categoryBox() const { return m_category; }
    QComboBox *unitBox() const { return m_unit; }

    /** Writes a chart as PNG (what the view shows). */
    bool exportChartPng(Chart c, const QString &path) const;
    /** Writes the KPI table as CSV (UTF-8 with BOM, for Excel). */
    bool exportKpiCsv(const QString &path) const;

signals:
    /** A result is on screen. */
    void updated();
    /** The user picked a hotspot grid cell (zoom the map, filter the queue). */
    void gridActivated(const QString &gridCode);

private:
    void buildFilters();
    void fillDimensions();
    void showResult(const DashboardResult &r);
    void exportCurrentChart();
    void exportCsvDialog();

    DashboardEngine *m_engine = nullptr;
    QComboBox *m_period = nullptr;
    QComboBox *m_street = nullptr;
    QComboBox *m_category = nullptr;
    QComboBox *m_unit = nullptr;
    QLabel *m_status = nullptr;
    QTabWidget *m_tabs = nullptr;
    QChartView *m_views[ChartCount] = {};
    QTableView *m_kpiTable = nullptr;
    QTableView *m_hotspotTable = nullptr;
    KpiTableModel *m_kpiModel = nullptr;
    HotspotModel *m_hotspotModel = nullptr;
    DashboardResult m_result;
    bool m_hasResult = false;
    bool m_filling = false;
};

} // namespace cityops
