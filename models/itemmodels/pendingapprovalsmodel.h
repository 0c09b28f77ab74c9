#pragma once

#include "domain/caserecord.h"

#include <QAbstractTableModel>

#include <functional>
#include <memory>

namespace cityops {

class CaseService;
class CaseStore;

/**
 * Requests waiting for a supervisor (escalations and extensions), oldest first, with their age.
 * GUI thread, like the store it reads.
 */
class PendingApprovalsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        CaseColumn,
        CategoryColumn,
        RequestColumn,
        RequesterColumn,
        AgeColumn,
        ReasonColumn,
        ColumnCount
    };
    enum Roles
    {
        CaseIdRole = Qt::UserRole + 1,
        KindRole,
        RequesterRole
    };

    explicit PendingApprovalsModel(std::shared_ptr<CaseStore> store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    const PendingRequest &request(int row) const { return m_rows.at(row); }
    void setClock(std::function<qint64()> now) { m_now = std::move(now); }
    /** Reloads when requests may have changed (a request, a decision, pulled changes). */
    void follow(const CaseService &service);

public slots:
    void reload();

private:
    std::shared_ptr<CaseStore> m_store;
    QList<PendingRequest> m_rows;
    std::function<qint64()> m_now;
};

} // namespace cityops
