#include "dashboardwidget.h"

#include "dashboard/dashboardengine.h"
#include "dashboard/kpitablemodel.h"
#include "util/csv.h"

#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QHorizontalBarSeries>
#include <QtCharts/QHorizontalPercentBarSeries>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>

namespace cityops {

namespace {

constexpr qint64 kDayMs = 24LL * 3600 * 1000;
constexpr int kMaxBars = 15;

void clearChart(QChart *chart)
{
    chart->removeAllSeries();
    for (QAbstractAxis *a : chart->axes()) {
        chart->removeAxis(a);
        delete a;
    }
}

/** A line chart over the period's days. */
void setDaySeries(QChart *chart, const QList<qint64> &days,
                  const QList<std::pair<QString, const QList<qint64> *>> &lines)
{
    clearChart(chart);
    auto *x = new QDateTimeAxis;
    x->setFormat(QStringLiteral("MM-dd"));
    auto *y = new QValueAxis;
    y->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    qint64 lo = 0, hi = 1;
    for (const auto &[name, values] : lines) {
        auto *s = new QLineSeries;
        s->setName(name);
        QList<QPointF> pts;
        pts.reserve(values->size());
        // Points at local noon so the date labels fall on the right day.
        for (qsizetype i = 0; i < values->size() && i < days.size(); ++i) {
            pts.append({double(days[i] + kDayMs / 2), double(values->at(i))});
            lo = std::min(lo, values->at(i));
            hi = std::max(hi, values->at(i));
        }
        s->replace(pts);
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    if (!days.isEmpty())
        x->setRange(QDateTime::fromMSecsSinceEpoch(days.first()),
                    QDateTime::fromMSecsSinceEpoch(days.last() + kDayMs));
    x->setTickCount(std::clamp(int(days.size()), 2, 8));
    y->setRange(double(lo), double(hi) * 1.05);
    y->applyNiceNumbers();
}

void setCountBars(QChart *chart, const QString &name, const QList<NamedCount> &counts)
{
    clearChart(chart);
    if (counts.isEmpty())
        return; // nothing overdue: an empty chart, not an axis over nothing
    auto *set = new QBarSet(name);
    QStringList labels;
    const qsizetype n = std::min<qsizetype>(counts.size(), kMaxBars);
    // Largest at the top: horizontal bars are drawn bottom-up.
    for (qsizetype i = n - 1; i >= 0; --i) {
        *set << double(counts[i].count);
        labels << counts[i].label;
    }
    auto *series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    chart->addSeries(series);
    auto *y = new QBarCategoryAxis;
    y->append(labels);
    auto *x = new QValueAxis;
    x->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(y);
    series->attachAxis(x);
    x->setRange(0, double(std::max<qint64>(1, counts.first().count)));
    x->applyNiceNumbers();
}

void setFunnel(QChart *chart, const FunnelRow &total, const QList<FunnelRow> &rows)
{
    clearChart(chart);
    if (total.cases == 0)
        return; // no case of a ladder category: no shares to show
    auto *outside = new QBarSet(DashboardWidget::tr("Closed without the ladder"));
    auto *notice = new QBarSet(DashboardWidget::tr("Resolved at notice"));
    auto *persuasion = new QBarSet(DashboardWidget::tr("Resolved at persuasion"));
    auto *enforcement = new QBarSet(DashboardWidget::tr("Resolved at enforcement"));
    auto *open = new QBarSet(DashboardWidget::tr("Still open"));
    QStringList labels;
    QList<FunnelRow> all = rows;
    std::sort(all.begin(), all.end(),
              [](const FunnelRow &a, const FunnelRow &b) { return a.cases < b.cases; });
    if (all.size() > kMaxBars)
        all = all.mid(all.size() - kMaxBars);
    all.append(total);
    for (const FunnelRow &f : all) {
        *outside << double(f.outsideLadder);
        *notice << double(f.atNotice);
        *persuasion << double(f.atPersuasion);
        *enforcement << double(f.atEnforcement);
        *open << double(f.open);
        // Skips are shown apart: they did not pass through the stages they skipped.
        labels << DashboardWidget::tr("%1 (%2 cases, %3 entered, %4 skipped)")
                      .arg(f.label)
                      .arg(f.cases)
                      .arg(f.entered)
                      .arg(f.skipped);
    }
    auto *series = new QHorizontalPercentBarSeries;
    series->append({outside, notice, persuasion, enforcement, open});
    chart->addSeries(series);
    auto *y = new QBarCategoryAxis;
    y->append(labels);
    auto *x = new QValueAxis;
    x->setLabelFormat(QStringLiteral("%d %%"));
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(y);
    series->attachAxis(x);
}

} // namespace

DashboardWidget::DashboardWidget(const QString &databasePath, QWidget *parent)
    : QWidget(parent), m_engine(new DashboardEngine(databasePath, this))
{
    buildFilters();
    m_tabs = new QTabWidget;
    const QString titles[ChartCount] = {tr("Discovery vs disposal"), tr("Backlog and overdue"),
                                        tr("Overdue by unit"),       tr("Overdue by street"),
                                        tr("Funnel by category"),    tr("Funnel by street")};
    for (int c = 0; c < ChartCount; ++c) {
        auto *chart = new QChart;
        chart->setTitle(titles[c]);
        chart->legend()->setAlignment(Qt::AlignBottom);
        chart->setAnimationOptions(QChart::NoAnimation);
        m_views[c] = new QChartView(chart);
        m_views[c]->setRenderHint(QPainter::Antialiasing);
        m_views[c]->setObjectName(QStringLiteral("chart%1").arg(c));
        m_views[c]->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(m_views[c], &QWidget::customContextMenuRequested, this, [this](QPoint) {
            QMenu menu;
            menu.addAction(tr("Export chart as PNG…"), this, &DashboardWidget::exportCurrentChart);
            menu.exec(QCursor::pos());
        });
        m_tabs->addTab(m_views[c], titles[c]);
    }

    m_kpiModel = new KpiTableModel(this);
    m_kpiTable = new QTableView;
    m_kpiTable->setModel(m_kpiModel);
    m_kpiTable->setObjectName(QStringLiteral("kpiTable"));
    m_kpiTable->verticalHeader()->hide();
    m_kpiTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_kpiTable->setSelectionBehavior(QAbstractItemView::SelectRows);

    m_hotspotModel = new HotspotModel(this);
    m_hotspotTable = new QTableView;
    m_hotspotTable->setModel(m_hotspotModel);
    m_hotspotTable->setObjectName(QStringLiteral("hotspotTable"));
    m_hotspotTable->verticalHeader()->hide();
    m_hotspotTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_hotspotTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_hotspotTable->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_hotspotTable, &QAbstractItemView::clicked, this, [this](const QModelIndex &i) {
        emit gridActivated(i.data(HotspotModel::GridCodeRole).toString());
    });
    connect(m_hotspotTable, &QAbstractItemView::activated, this, [this](const QModelIndex &i) {
        emit gridActivated(i.data(HotspotModel::GridCodeRole).toString());
    });

    auto *side = new QSplitter(Qt::Vertical);
    auto *kpiBox = new QWidget;
    auto *kpiLayout = new QVBoxLayout(kpiBox);
    kpiLayout->setContentsMargins(0, 0, 0, 0);
    kpiLayout->addWidget(new QLabel(tr("Standard KPIs (cases reported in the period)")));
    kpiLayout->addWidget(m_kpiTable);
    auto *hotBox = new QWidget;
    auto *hotLayout = new QVBoxLayout(hotBox);
    hotLayout->setContentsMargins(0, 0, 0, 0);
    hotLayout->addWidget(new QLabel(tr("Hotspots: grid cells with the most recurrences")));
    hotLayout->addWidget(m_hotspotTable);
    side->addWidget(kpiBox);
    side->addWidget(hotBox);

    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_tabs);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = qobject_cast<QVBoxLayout *>(this->layout());
    layout->addWidget(split, 1);

    connect(m_engine, &DashboardEngine::ready, this, &DashboardWidget::showResult);
    connect(m_engine, &DashboardEngine::dimensionsReady, this, &DashboardWidget::fillDimensions);
    connect(m_engine, &DashboardEngine::failed, this,
            [this](const QString &m) { m_status->setText(m); });
}

DashboardWidget::~DashboardWidget() = default;

void DashboardWidget::buildFilters()
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_period = new QComboBox;
    m_period->setObjectName(QStringLiteral("period"));
    m_period->addItem(tr("Last 7 days"), 7);
    m_period->addItem(tr("Last 30 days"), 30);
    m_period->addItem(tr("Last 90 days"), 90);
    m_period->addItem(tr("Last 365 days"), 365);
    m_period->addItem(tr("All time"), 0);
    m_period->setCurrentIndex(1);
    m_street = new QComboBox;
    m_street->setObjectName(QStringLiteral("street"));
    m_category = new QComboBox;
    m_category->setObjectName(QStringLiteral("category"));
    m_unit = new QComboBox;
    m_unit->setObjectName(QStringLiteral("unit"));
    for (QComboBox *b : {m_street, m_category, m_unit}) {
        b->addItem(tr("All"), -1);
        b->setMinimumContentsLength(10);
        b->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    }
    m_category->setItemData(0, QString());
    bar->addWidget(new QLabel(tr("Period")));
    bar->addWidget(m_period);
    bar->addWidget(new QLabel(tr("Street")));
    bar->addWidget(m_street);
    bar->addWidget(new QLabel(tr("Category")));
    bar->addWidget(m_category);
    bar->addWidget(new QLabel(tr("Unit")));
    bar->addWidget(m_unit);
    bar->addStretch(1);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("status"));
    bar->addWidget(m_status);
    auto *exportButton = new QToolButton;
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(exportButton);
    menu->addAction(tr("Chart as PNG…"), this, &DashboardWidget::exportCurrentChart);
    menu->addAction(tr("KPI table as CSV…"), this, &DashboardWidget::exportCsvDialog);
    exportButton->setMenu(menu);
    bar->addWidget(exportButton);
    layout->addLayout(bar);
    for (QComboBox *b : {m_period, m_street, m_category, m_unit}) {
        connect(b, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling)
                refresh();
        });
    }
}

void DashboardWidget::fillDimensions()
{
    const KpiFacts &d = m_engine->dimensions();
    m_filling = true;
    const int street = m_street->currentData().toInt();
    const QString category = m_category->currentData().toString();
    const int unit = m_unit->currentData().toInt();
    for (QComboBox *b : {m_street, m_category, m_unit}) {
        while (b->count() > 1)
            b->removeItem(1);
    }
    for (qsizetype i = 0; i < d.streets.size(); ++i)
        m_street->addItem(d.streets[i].name, int(i));
    // Majors first ("01 …"), then each subcategory indented.
    QString major;
    for (const KpiDimension &c : d.categories) {
        if (c.code.left(2) != major) {
            major = c.code.left(2);
            m_category->addItem(tr("%1 (all)").arg(major), major);
        }
        m_category->addItem(QStringLiteral("  %1 %2").arg(c.code, c.name), c.code);
    }
    for (qsizetype i = 0; i < d.units.size(); ++i)
        m_unit->addItem(d.units[i].name, int(i));
    m_street->setCurrentIndex(std::max(0, m_street->findData(street)));
    m_category->setCurrentIndex(std::max(0, m_category->findData(category)));
    m_unit->setCurrentIndex(std::max(0, m_unit->findData(unit)));
    m_filling = false;
}

DashboardFilter DashboardWidget::filter() const
{
    DashboardFilter f;
    const qint64 now = m_engine->now();
    const int days = m_period->currentData().toInt();
    f.to = now + 1;
    f.from = days > 0 ? Kpis::dayStart(now) - qint64(days - 1) * kDayMs : 0;
    f.street = m_street->currentData().toInt();
    f.category = m_category->currentData().toString();
    f.unit = m_unit->currentData().toInt();
    return f;
}

void DashboardWidget::setPeriodDays(int days)
{
    const int i = m_period->findData(days);
    if (i >= 0)
        m_period->setCurrentIndex(i);
}

void DashboardWidget::setStreet(int index)
{
    m_street->setCurrentIndex(std::max(0, m_street->findData(index)));
}

void DashboardWidget::setCategory(const QString &prefix)
{
    m_category->setCurrentIndex(std::max(0, m_category->findData(prefix)));
}

void DashboardWidget::setUnit(int index)
{
    m_unit->setCurrentIndex(std::max(0, m_unit->findData(index)));
}

void DashboardWidget::refresh()
{
    m_status->setText(tr("Computing…"));
    m_engine->request(filter());
}

void DashboardWidget::casesChanged(const CaseChange &change)
{
    m_engine->casesChanged(change.ids);
}

void DashboardWidget::showResult(const DashboardResult &r)
{
    m_result = r;
    m_hasResult = true;
    setDaySeries(
        m_views[Flow]->chart(), r.days,
        {{tr("Found"), &r.found}, {tr("Closed"), &r.closed}, {tr("Gap (found − closed)"), &r.gap}});
    setDaySeries(m_views[Backlog]->chart(), r.days,
                 {{tr("Backlog (open)"), &r.backlog}, {tr("Overdue"), &r.overdue}});
    setCountBars(m_views[OverdueByUnit]->chart(), tr("Overdue now"), r.overdueByUnit);
    setCountBars(m_views[OverdueByStreet]->chart(), tr("Overdue now"), r.overdueByStreet);
    setFunnel(m_views[FunnelByCategory]->chart(), r.funnelTotal, r.funnelByCategory);
    setFunnel(m_views[FunnelByStreet]->chart(), r.funnelTotal, r.funnelByStreet);
    m_kpiModel->setResult(r);
    m_hotspotModel->setHotspots(r.hotspots);
    m_status->setText(tr("%n case(s) in the period", nullptr, int(r.total.cases)));
    emit updated();
}

bool DashboardWidget::exportChartPng(Chart c, const QString &path) const
{
    const QPixmap pm = m_views[c]->grab();
    return !pm.isNull() && pm.save(path, "PNG");
}

bool DashboardWidget::exportKpiCsv(const QString &path) const
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QByteArray out = Csv::bom();
    for (const QStringList &row : Kpis::table(m_result))
        out += Csv::row(row);
    return f.write(out) == out.size() && f.flush();
}

void DashboardWidget::exportCurrentChart()
{
    const int c = m_tabs->currentIndex();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"),
                                                      m_tabs->tabText(c) + QStringLiteral(".png"),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (!exportChartPng(Chart(c), path))
        QMessageBox::warning(this, tr("Export chart"), tr("Cannot write %1.").arg(path));
}

void DashboardWidget::exportCsvDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export KPI table"), tr("kpis.csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    if (!exportKpiCsv(path))
        QMessageBox::warning(this, tr("Export KPI table"), tr("Cannot write %1.").arg(path));
}

} // namespace cityops
