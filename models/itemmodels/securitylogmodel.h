#pragma once

#include "sync/securitylog.h"

#include <QAbstractTableModel>

namespace cityops {

/**
 * The platform's security log as a table (one row per line, newest first), fed by the answers of
 * GET /api/v1/security-log (sync::SecurityLogPage). It holds no connection: the view asks the
 * platform and hands each answer over. GUI thread.
 */
class SecurityLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        TimeColumn,
        KindColumn,
        UserColumn,
        AddressColumn,
        DetailColumn,
        CountColumn,
        ColumnCount
    };
    enum Roles
    {
        IdRole = Qt::UserRole + 1,
        AtRole, ///< UTC ms
        KindRole
    };

    explicit SecurityLogModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /** Replaces the rows with a first page. */
    void setPage(const sync::SecurityLogPage &page);
    /** Appends the next (older) page. */
    void appendPage(const sync::SecurityLogPage &page);
    void clear();
    const sync::SecurityLogEntry &line(int row) const { return m_lines.at(row); }
    /** The `before` of the next page (0: none). */
    qint64 next() const { return m_next; }
    /** The chain's verification in the last answer. */
    const sync::SecurityLogVerification &chain() const { return m_chain; }

private:
    QList<sync::SecurityLogEntry> m_lines;
    qint64 m_next = 0;
    sync::SecurityLogVerification m_chain;
};

} // namespace cityops
