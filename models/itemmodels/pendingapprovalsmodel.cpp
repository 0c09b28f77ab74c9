#include "pendingapprovalsmodel.h"

#include "service/caseservice.h"

#include "domain/types.h"
#include "storage/casestore.h"
#include "util/timefmt.h"

#include <QDateTime>

namespace cityops {

PendingApprovalsModel::PendingApprovalsModel(std::shared_ptr<CaseStore> store, QObject *parent)
    : QAbstractTableModel(parent), m_store(std::move(store)),
      m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    reload();
}

void PendingApprovalsModel::follow(const CaseService &service)
{
    connect(&service, &CaseService::casesChanged, this, [this](const CaseChange &c) {
        if (c.fields & (CaseField::Request | CaseField::Created | CaseField::Stage))
            reload();
    });
}

void PendingApprovalsModel::reload()
{
    beginResetModel();
    m_rows = m_store->pendingRequests();
    endResetModel();
}

int PendingApprovalsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PendingApprovalsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PendingApprovalsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PendingRequest &r = m_rows.at(index.row());
    if (role == CaseIdRole)
        return r.caseId;
    if (role == KindRole)
        return r.kind;
    if (role == RequesterRole)
        return r.requester;
    if (role == Qt::ToolTipRole && index.column() == RequestColumn)
        return r.address;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case CaseColumn:
        return r.caseId;
    case CategoryColumn:
        return r.categoryName;
    case RequestColumn:
        if (r.kind == QLatin1String("extension"))
            return tr("Extension");
        return r.skip ? tr("Escalate %1 → %2 (skips a stage)").arg(r.fromStage).arg(r.toStage)
                      : tr("Escalate %1 → %2").arg(r.fromStage).arg(r.toStage);
    case RequesterColumn:
        return r.requester;
    case AgeColumn:
        return TimeFormat::span(std::max<qint64>(0, (m_now() - r.at) / 60000));
    case ReasonColumn:
        return r.reason;
    }
    return {};
}

QVariant PendingApprovalsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case CaseColumn:
        return tr("Case");
    case CategoryColumn:
        return tr("Category");
    case RequestColumn:
        return tr("Request");
    case RequesterColumn:
        return tr("Requested by");
    case AgeColumn:
        return tr("Waiting");
    case ReasonColumn:
        return tr("Reason");
    }
    return {};
}

} // namespace cityops
