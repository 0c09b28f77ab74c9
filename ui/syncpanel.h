#pragma once

#include <QWidget>

class QPushButton;
class QTableWidget;

namespace cityops {

class ConsoleContext;

/**
 * The Sync dock: commands the platform rejected, with its reason. Retry sends one again after
 * the operator edits its reason text; Discard drops it after a confirmation and rolls back its
 * local effect. Nothing leaves this list any other way. GUI thread only.
 */
class SyncPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SyncPanel(ConsoleContext &ctx, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    void refresh();
    /** The selected command's id (empty when none). */
    QString selectedCommand() const;
    bool retry(const QString &commandId, const QString &reason);
    bool discard(const QString &commandId);

signals:
    void changed();

private:
    void retryClicked();
    void discardClicked();

    ConsoleContext &m_ctx;
    QTableWidget *m_table;
    QPushButton *m_retry;
    QPushButton *m_discard;
};

} // namespace cityops
