#include "queuespanel.h"

#include "batchprogress.h"

#include "consolecontext.h"
#include "domain/catalogue.h"
#include "itemmodels/caselistmodel.h"
#include "storage/casestore.h"
#include "util/csv.h"

#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTabBar>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace cityops {

namespace {
constexpr qint64 kDayMs = 86400000;
const char *kViewsGroup = "savedViews";
} // namespace

QueuesPanel::QueuesPanel(ConsoleContext &ctx, QWidget *parent)
    : QWidget(parent), m_ctx(ctx), m_model(new CaseListModel(ctx.store(), this))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    outer->setSpacing(4);
    m_tabs = new QTabBar;
    m_tabs->setObjectName(QStringLiteral("queueTabs"));
    m_tabs->setExpanding(false);
    m_tabs->setDrawBase(false);
    for (Queue q : kAllQueues) {
        const int i = m_tabs->addTab(QueueNames::label(q));
        m_tabs->setTabData(i, int(q));
    }
    outer->addWidget(m_tabs);

    auto *bar = new QWidget;
    buildFilterBar(bar);
    // The filter row scrolls sideways rather than forcing the dock (and the window) wide.
    auto *barScroll = new QScrollArea;
    barScroll->setWidget(bar);
    barScroll->setWidgetResizable(true);
    barScroll->setFrameShape(QFrame::NoFrame);
    barScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    barScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    barScroll->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    barScroll->setFixedHeight(bar->sizeHint().height() +
                              barScroll->horizontalScrollBar()->sizeHint().height());
    outer->addWidget(barScroll);

    auto *split = new QSplitter(Qt::Horizontal);
    auto *side = new QWidget;
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(new QLabel(tr("Saved views")));
    m_views = new QListWidget;
    m_views->setObjectName(QStringLiteral("savedViews"));
    sideLayout->addWidget(m_views, 1);
    auto *save = new QPushButton(tr("Save view…"));
    auto *remove = new QPushButton(tr("Delete"));
    auto *sideButtons = new QHBoxLayout;
    sideButtons->addWidget(save);
    sideButtons->addWidget(remove);
    sideLayout->addLayout(sideButtons);
    split->addWidget(side);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("caseTable"));
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(CaseListModel::IdColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(24);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (int c = 0; c < CaseListModel::ColumnCount; ++c) {
        auto *toggle = new QAction(m_model->headerData(c, Qt::Horizontal).toString(), m_table);
        toggle->setCheckable(true);
        toggle->setChecked(true);
        connect(toggle, &QAction::toggled, this,
                [this, c](bool on) { m_table->setColumnHidden(c, !on); });
        m_table->horizontalHeader()->addAction(toggle);
    }
    const int widths[] = {72, 120, 150, 260, 90, 120, 60, 130, 170, 80, 80};
    for (int c = 0; c < CaseListModel::ColumnCount; ++c)
        m_table->setColumnWidth(c, widths[c]);
    split->addWidget(m_table);
    split->setStretchFactor(1, 1);
    split->setSizes({150, 900});
    outer->addWidget(split, 1);

    connect(m_tabs, &QTabBar::currentChanged, this, &QueuesPanel::applyFilters);
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &i) {
        emit caseActivated(i.data(CaseListModel::CaseIdRole).toLongLong());
    });
    connect(save, &QPushButton::clicked, this, &QueuesPanel::saveCurrentView);
    connect(remove, &QPushButton::clicked, this, [this] {
        if (auto *item = m_views->currentItem()) {
            QSettings s;
            s.beginGroup(QLatin1String(kViewsGroup));
            s.remove(item->text());
            delete item;
        }
    });
    connect(m_views, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { applySavedView(item->text()); });
    connect(m_views, &QListWidget::itemClicked, this,
            [this](QListWidgetItem *item) { applySavedView(item->text()); });
    // One notification per command or batch: the model reloads its rows once, the tabs count.
    m_model->follow(ctx.cases());
    connect(&ctx.cases(), &CaseService::casesChanged, this, &QueuesPanel::refreshCounts);
    // SLA countdowns and the overdue count move with the clock.
    auto *tick = new QTimer(this);
    tick->setInterval(60 * 1000);
    connect(tick, &QTimer::timeout, this, [this] {
        refreshCounts();
        m_table->viewport()->update();
    });
    tick->start();
    loadSavedViews();
    applyFilters();
}

void QueuesPanel::buildFilterBar(QWidget *bar)
{
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("caseSearch"));
    m_search->setPlaceholderText(tr("Search description, address, party…"));
    m_search->setClearButtonEnabled(true);
    m_street = new QComboBox;
    m_street->addItem(tr("All streets"), 0);
    for (const auto &s : m_ctx.store()->streets())
        m_street->addItem(s.second, s.first);

    // The category filter shows the catalogue as a tree: each major category (selectable, it
    // filters all its subcategories) followed by its subcategories, indented.
    m_category = new QComboBox;
    m_category->addItem(tr("All categories"), QString());
    const Catalogue &cat = Catalogue::builtin();
    for (const MajorCategory &m : cat.majors()) {
        m_category->addItem(QStringLiteral("%1 %2").arg(m.code, m.displayName()), m.code);
        QFont bold = m_category->font();
        bold.setBold(true);
        m_category->setItemData(m_category->count() - 1, bold, Qt::FontRole);
        for (const Category &c : cat.categories()) {
            if (c.majorCode == m.code)
                m_category->addItem(QStringLiteral("    %1 %2").arg(c.code, c.displayName()),
                                    c.code);
        }
    }
    m_category->setMinimumContentsLength(14);
    m_category->setMaxVisibleItems(24);

    m_stage = new QComboBox;
    m_stage->addItem(tr("Any stage"), -1);
    for (int s = 0; s <= 3; ++s)
        m_stage->addItem(Names::stageLabel(s), s);
    m_source = new QComboBox;
    m_source->addItem(tr("Any source"), QString());
    for (CaseSource s : kAllSources)
        m_source->addItem(Names::label(s), Names::key(s));
    m_priority = new QComboBox;
    m_priority->addItem(tr("Any priority"), 0);
    m_priority->addItem(tr("Urgent"), 1);
    m_priority->addItem(tr("High"), 2);
    m_priority->addItem(tr("Normal"), 3);
    m_period = new QComboBox;
    m_period->addItem(tr("Any time"), 0);
    m_period->addItem(tr("Last 24 hours"), 1);
    m_period->addItem(tr("Last 7 days"), 7);
    m_period->addItem(tr("Last 30 days"), 30);
    m_unit = new QLineEdit;
    m_unit->setPlaceholderText(tr("Unit / person code"));
    m_unit->setMaximumWidth(130);
    m_grid = new QLineEdit;
    m_grid->setPlaceholderText(tr("Grid code"));
    m_grid->setMaximumWidth(170);
    m_onlyChip = new QPushButton;
    m_onlyChip->setObjectName(QStringLiteral("mapSelectionChip"));
    m_onlyChip->setToolTip(tr("The queue shows only the cases selected on the map; click to show "
                              "all again."));
    m_onlyChip->hide();
    connect(m_onlyChip, &QPushButton::clicked, this, [this] { showOnly({}); });
    auto *exportButton = new QPushButton(tr("Export CSV…"));
    auto *bulkButton = new QPushButton(tr("Bulk action…"));
    row->addWidget(m_search, 2);
    for (QWidget *w : {static_cast<QWidget *>(m_street), static_cast<QWidget *>(m_category),
                       static_cast<QWidget *>(m_stage), static_cast<QWidget *>(m_source),
                       static_cast<QWidget *>(m_priority), static_cast<QWidget *>(m_period),
                       static_cast<QWidget *>(m_unit), static_cast<QWidget *>(m_grid)})
        row->addWidget(w);
    row->addWidget(m_onlyChip);
    row->addWidget(bulkButton);
    row->addWidget(exportButton);
    for (QComboBox *c : {m_street, m_category, m_stage, m_source, m_priority, m_period})
        connect(c, &QComboBox::currentIndexChanged, this, &QueuesPanel::applyFilters);
    for (QLineEdit *e : {m_search, m_unit, m_grid})
        connect(e, &QLineEdit::returnPressed, this, &QueuesPanel::applyFilters);
    // Search as the operator types, after a short pause.
    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, &QueuesPanel::applyFilters);
    connect(exportButton, &QPushButton::clicked, this, &QueuesPanel::exportDialog);
    connect(bulkButton, &QPushButton::clicked, this, &QueuesPanel::bulkDialog);
}

void QueuesPanel::showOnly(const QList<CaseId> &ids)
{
    m_onlyIds = ids;
    m_onlyChip->setText(tr("Map selection: %n case(s) ✕", nullptr, int(ids.size())));
    m_onlyChip->setVisible(!ids.isEmpty());
    applyFilters();
}

Queue QueuesPanel::queue() const
{
    return m_tabs->currentIndex() < 0 ? Queue::All
                                      : Queue(m_tabs->tabData(m_tabs->currentIndex()).toInt());
}

void QueuesPanel::setGridFilter(const QString &gridCode)
{
    m_grid->setText(gridCode);
    applyFilters();
}

void QueuesPanel::setQueue(Queue q)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->tabData(i).toInt() == int(q))
            m_tabs->setCurrentIndex(i);
    }
}

CaseQuery QueuesPanel::currentQuery() const
{
    CaseQuery q;
    q.queue = queue();
    q.streetId = m_street->currentData().toLongLong();
    q.category = m_category->currentData().toString();
    q.stage = m_stage->currentData().toInt();
    q.source = m_source->currentData().toString();
    q.priority = m_priority->currentData().toInt();
    const qint64 now = m_model->now();
    if (const int days = m_period->currentData().toInt())
        q.from = now - days * kDayMs;
    q.unitCode = m_unit->text().trimmed();
    q.gridCode = m_grid->text().trimmed();
    q.text = m_search->text().trimmed();
    q.me = m_ctx.actor().person.isEmpty() ? m_ctx.actor().id : m_ctx.actor().person;
    q.now = now;
    q.ids = m_onlyIds;
    return q;
}

void QueuesPanel::applyFilters()
{
    if (m_applying)
        return;
    m_model->setQuery(currentQuery());
    refreshCounts();
}

void QueuesPanel::refreshCounts()
{
    const CaseQuery q = currentQuery();
    const auto counts = m_ctx.store()->queueCounts(q.me, m_model->now());
    const QLocale loc;
    for (int i = 0; i < m_tabs->count(); ++i) {
        const Queue qq = Queue(m_tabs->tabData(i).toInt());
        m_tabs->setTabText(
            i, tr("%1 (%2)").arg(QueueNames::label(qq), loc.toString(counts.value(qq))));
    }
}

QList<CaseId> QueuesPanel::selectedIds() const
{
    QList<CaseId> ids;
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    for (const QModelIndex &i : rows)
        ids << i.data(CaseListModel::CaseIdRole).toLongLong();
    return ids;
}

bool QueuesPanel::exportCsv(const QString &path, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    QHeaderView *h = m_table->horizontalHeader();
    QList<int> columns;
    for (int v = 0; v < h->count(); ++v) {
        const int logical = h->logicalIndex(v);
        if (!h->isSectionHidden(logical))
            columns << logical;
    }
    f.write(Csv::bom());
    QStringList header;
    for (int c : columns)
        header << m_model->headerData(c, Qt::Horizontal).toString();
    f.write(Csv::row(header));
    // Every row of the view, page by page through the model (never all in memory at once).
    for (int r = 0; r < m_model->rowCount(); ++r) {
        QStringList fields;
        for (int c : columns)
            fields << m_model->index(r, c).data().toString();
        f.write(Csv::row(fields));
    }
    if (!f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

void QueuesPanel::exportDialog()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export the view"), QStringLiteral("cases-%1.csv").arg(QueueNames::key(queue())),
        tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export"), error);
}

QStringList QueuesPanel::runBulk(const QList<CaseId> &ids, const Command &command, bool interactive)
{
    // The single write path: outbox and provisional state on a synced console, one refresh.
    const BatchResult r = BatchProgress::run(
        this, m_ctx.cases(), ids, [&](qsizetype) { return command; },
        tr("Working through %n case(s)…", nullptr, int(ids.size())), interactive);
    return BatchProgress::failureLines(r);
}

void QueuesPanel::bulkDialog()
{
    const QList<CaseId> ids = selectedIds();
    if (ids.isEmpty()) {
        QMessageBox::information(this, tr("Bulk action"), tr("Select the cases first."));
        return;
    }
    const QStringList choices{tr("Register (filing condition checked)"), tr("Dispatch to…"),
                              tr("Close (verified cases)")};
    bool ok = false;
    const QString choice = QInputDialog::getItem(
        this, tr("Bulk action"), tr("Apply to %n case(s):", nullptr, int(ids.size())), choices, 0,
        false, &ok);
    if (!ok)
        return;
    Command cmd;
    if (choice == choices.at(0)) {
        cmd.action = Action::Register;
        cmd.confirmFiling = true;
    } else if (choice == choices.at(1)) {
        const QString code = QInputDialog::getText(this, tr("Dispatch"), tr("Person (unit code):"),
                                                   QLineEdit::Normal, QString(), &ok)
                                 .trimmed();
        if (!ok)
            return;
        if (!m_ctx.cases().findAssignee(code)) {
            QMessageBox::warning(this, tr("Dispatch"),
                                 tr("There is no person with the code %1.").arg(code));
            return;
        }
        cmd.action = Action::Dispatch;
        cmd.to = code;
    } else {
        cmd.action = Action::Close;
    }
    const QStringList failures = runBulk(ids, cmd, true);
    if (!failures.isEmpty())
        QMessageBox::warning(this,
                             tr("%1 of %2 done").arg(ids.size() - failures.size()).arg(ids.size()),
                             tr("Not changed:\n\n%1").arg(failures.join(QLatin1Char('\n'))));
}

QByteArray QueuesPanel::saveHeaderState() const
{
    return m_table->horizontalHeader()->saveState();
}

void QueuesPanel::restoreHeaderState(const QByteArray &state)
{
    QHeaderView *h = m_table->horizontalHeader();
    h->restoreState(state);
    const QList<QAction *> toggles = h->actions();
    for (int c = 0; c < toggles.size(); ++c)
        toggles.at(c)->setChecked(!h->isSectionHidden(c));
}

void QueuesPanel::loadSavedViews()
{
    QSettings s;
    s.beginGroup(QLatin1String(kViewsGroup));
    m_views->clear();
    m_views->addItems(s.childKeys());
}

void QueuesPanel::saveCurrentView()
{
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Save view"), tr("Name:"), QLineEdit::Normal, QString(), &ok)
            .trimmed();
    if (!ok || name.isEmpty())
        return;
    const CaseQuery q = currentQuery();
    QJsonObject o{
        {QStringLiteral("queue"), QueueNames::key(q.queue)},
        {QStringLiteral("street"), m_street->currentIndex()},
        {QStringLiteral("category"), q.category},
        {QStringLiteral("stage"), m_stage->currentIndex()},
        {QStringLiteral("source"), m_source->currentIndex()},
        {QStringLiteral("priority"), m_priority->currentIndex()},
        {QStringLiteral("period"), m_period->currentIndex()},
        {QStringLiteral("unit"), q.unitCode},
        {QStringLiteral("grid"), q.gridCode},
        {QStringLiteral("text"), q.text},
        {QStringLiteral("sortColumn"), m_table->horizontalHeader()->sortIndicatorSection()},
        {QStringLiteral("sortOrder"), int(m_table->horizontalHeader()->sortIndicatorOrder())},
        {QStringLiteral("header"), QString::fromLatin1(saveHeaderState().toBase64())}};
    QSettings s;
    s.beginGroup(QLatin1String(kViewsGroup));
    s.setValue(name, QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    loadSavedViews();
}

void QueuesPanel::applySavedView(const QString &name)
{
    QSettings s;
    s.beginGroup(QLatin1String(kViewsGroup));
    const QJsonObject o = QJsonDocument::fromJson(s.value(name).toString().toUtf8()).object();
    if (o.isEmpty())
        return;
    m_applying = true;
    setQueue(QueueNames::fromKey(o.value(QLatin1String("queue")).toString()).value_or(Queue::All));
    m_street->setCurrentIndex(o.value(QLatin1String("street")).toInt());
    m_category->setCurrentIndex(
        std::max(0, m_category->findData(o.value(QLatin1String("category")).toString())));
    m_stage->setCurrentIndex(o.value(QLatin1String("stage")).toInt());
    m_source->setCurrentIndex(o.value(QLatin1String("source")).toInt());
    m_priority->setCurrentIndex(o.value(QLatin1String("priority")).toInt());
    m_period->setCurrentIndex(o.value(QLatin1String("period")).toInt());
    m_unit->setText(o.value(QLatin1String("unit")).toString());
    m_grid->setText(o.value(QLatin1String("grid")).toString());
    m_search->setText(o.value(QLatin1String("text")).toString());
    restoreHeaderState(
        QByteArray::fromBase64(o.value(QLatin1String("header")).toString().toLatin1()));
    m_applying = false;
    applyFilters();
    m_table->sortByColumn(o.value(QLatin1String("sortColumn")).toInt(),
                          Qt::SortOrder(o.value(QLatin1String("sortOrder")).toInt()));
}

} // namespace cityops
