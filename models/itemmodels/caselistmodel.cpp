#include "caselistmodel.h"

#include "service/caseservice.h"

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
constexpr qint64 kHourMs = 3600 * 1000;
} // namespace

CaseListModel::CaseListModel(std::shared_ptr<CaseStore> store, QObject *parent)
    : QAbstractTableModel(parent), m_store(std::move(store)),
      m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_query.now = m_now();
    reload();
}

void CaseListModel::setClock(std::function<qint64()> now)
{
    m_now = std::move(now);
    m_query.now = m_now();
}

void CaseListModel::setQuery(const CaseQuery &query)
{
    m_query = query;
    reload();
}

void CaseListModel::follow(const CaseService &service)
{
    connect(&service, &CaseService::casesChanged, this, &CaseListModel::reload);
}

void CaseListModel::reload()
{
    beginResetModel();
    m_query.now = m_now();
    m_total = m_store->count(m_query);
    m_pages.clear();
    m_lru.clear();
    m_pagesRead = 0;
    endResetModel();
}

int CaseListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::min<qint64>(m_total, INT_MAX));
}

int CaseListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const QList<QueueRow> *CaseListModel::page(int p) const
{
    auto it = m_pages.find(p);
    if (it == m_pages.end()) {
        if (m_pages.size() >= kMaxPages && !m_lru.isEmpty())
            m_pages.remove(m_lru.takeFirst());
        it = m_pages.insert(
            p, m_store->listPage(m_query, m_sort, m_order, qint64(p) * kPageSize, kPageSize));
        ++m_pagesRead;
    } else {
        m_lru.removeOne(p);
    }
    m_lru.append(p);
    return &*it;
}

const QueueRow *CaseListModel::row(int r) const
{
    if (r < 0 || r >= rowCount())
        return nullptr;
    const QList<QueueRow> *pg = page(r / kPageSize);
    const int i = r % kPageSize;
    return i < pg->size() ? &pg->at(i) : nullptr;
}

QVariant CaseListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QueueRow *rp = row(index.row());
    if (!rp)
        return {};
    const QueueRow &r = *rp;
    const qint64 now = m_now();
    const bool open = isOpenState(r.state);
    SlaLevel sla = SlaNone;
    if (r.deadlineAt && open)
        sla = r.deadlineAt < now             ? SlaOverdue
              : r.deadlineAt - now < kHourMs ? SlaDueSoon
                                             : SlaOnTime;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return r.id;
        case CategoryColumn:
            return r.categoryName;
        case PlaceColumn:
            return r.gridCode.isEmpty()
                       ? r.streetName
                       : QStringLiteral("%1 / %2").arg(r.streetName, r.gridCode.right(8));
        case AddressColumn:
            return r.address;
        case StateColumn:
            return Names::stateLabel(r.state);
        case StageColumn:
            return r.stage ? Names::stageLabel(r.stage) : QString();
        case PriorityColumn:
            return r.priority == 1 ? tr("Urgent") : r.priority == 2 ? tr("High") : tr("Normal");
        case SlaColumn:
            if (!r.deadlineAt)
                return QString();
            return open ? TimeFormat::countdown(r.deadlineAt, now)
                        : TimeFormat::dateTime(r.deadlineAt);
        case AssigneeColumn:
            if (r.assigneeName.isEmpty() || r.assigneeName == r.unitName)
                return r.unitName;
            return QStringLiteral("%1 · %2").arg(r.unitName, r.assigneeName);
        case AgeColumn:
            return TimeFormat::span(std::max<qint64>(0, (now - r.reportedAt) / 60000));
        case SourceColumn:
            return Names::sourceLabel(r.source);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == SlaColumn && r.deadlineAt)
            return tr("Deadline %1").arg(TimeFormat::dateTime(r.deadlineAt));
        if (index.column() == CategoryColumn)
            return r.categoryCode;
        if (index.column() == PlaceColumn)
            return r.gridCode;
        if (index.column() == AgeColumn)
            return tr("Reported %1").arg(TimeFormat::dateTime(r.reportedAt));
        break;
    case Qt::ForegroundRole:
        if (index.column() == SlaColumn || index.column() == StateColumn) {
            if (sla == SlaOverdue)
                return QBrush(QColor(0xd9, 0x30, 0x25));
            if (sla == SlaDueSoon)
                return QBrush(QColor(0xc7, 0x7c, 0x02));
            if (sla == SlaOnTime && index.column() == SlaColumn)
                return QBrush(QColor(0x2e, 0x8b, 0x57));
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case CaseIdRole:
        return r.id;
    case OverdueRole:
        return sla == SlaOverdue;
    case StateKeyRole:
        return r.state;
    case DeadlineRole:
        return r.deadlineAt;
    case SlaLevelRole:
        return int(sla);
    case CategoryCodeRole:
        return r.categoryCode;
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
    case PlaceColumn:
        return tr("Street / grid");
    case AddressColumn:
        return tr("Address");
    case StateColumn:
        return tr("State");
    case StageColumn:
        return tr("Stage");
    case PriorityColumn:
        return tr("Priority");
    case SlaColumn:
        return tr("SLA");
    case AssigneeColumn:
        return tr("Assignee");
    case AgeColumn:
        return tr("Age");
    case SourceColumn:
        return tr("Source");
    }
    return {};
}

void CaseListModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    static constexpr CaseSort kByColumn[] = {
        CaseSort::Id,       CaseSort::Category, CaseSort::Place,    CaseSort::Address,
        CaseSort::State,    CaseSort::Stage,    CaseSort::Priority, CaseSort::Deadline,
        CaseSort::Assignee, CaseSort::Age,      CaseSort::Source};
    const CaseSort s = kByColumn[column];
    if (s == m_sort && order == m_order)
        return;
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    QList<CaseId> ids;
    for (const QModelIndex &i : before) {
        const QueueRow *r = row(i.row());
        ids.append(r ? r->id : 0);
    }
    m_sort = s;
    m_order = order;
    m_pages.clear();
    m_lru.clear();
    // Persistent indexes (the selection) follow their case when it is among the first pages.
    QModelIndexList after;
    for (qsizetype k = 0; k < before.size(); ++k) {
        int found = -1;
        for (int p = 0; p < 4 && found < 0; ++p) {
            const QList<QueueRow> *pg = page(p);
            for (qsizetype i = 0; i < pg->size(); ++i) {
                if (pg->at(i).id == ids.at(k))
                    found = p * kPageSize + int(i);
            }
        }
        after.append(found < 0 ? QModelIndex() : index(found, before.at(k).column()));
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

int CaseListModel::findRow(CaseId id, int maxRows) const
{
    if (const int r = rowOf(id); r >= 0)
        return r;
    for (int p = 0; p * kPageSize < std::min(rowCount(), maxRows); ++p) {
        const QList<QueueRow> *pg = page(p);
        for (qsizetype i = 0; i < pg->size(); ++i) {
            if (pg->at(i).id == id)
                return p * kPageSize + int(i);
        }
    }
    return -1;
}

int CaseListModel::rowOf(CaseId id) const
{
    for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it) {
        for (qsizetype i = 0; i < it->size(); ++i) {
            if (it->at(i).id == id)
                return it.key() * kPageSize + int(i);
        }
    }
    return -1;
}

} // namespace cityops
