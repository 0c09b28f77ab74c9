#pragma once

#include <QDialog>
#include <QUrl>

#include <functional>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace cityops {

class SecurityLogModel;
namespace sync {
struct SecurityLogQuery;
}

/**
 * The platform's security log for auditors: filters (kind, user, address, time range), the lines
 * newest first (SecurityLogModel), older pages on demand, and whether the log's hash chain
 * verifies. Each refresh asks the platform with the console's current session token; the
 * platform alone decides who may read (an auditor), the console only hides the menu entry.
 * GUI thread; a request waits in a local event loop (SyncClient).
 */
class SecurityLogDialog : public QDialog
{
    Q_OBJECT
public:
    SecurityLogDialog(QUrl platform, std::function<QByteArray()> token, QWidget *parent = nullptr);

    SecurityLogModel *model() const { return m_model; }

public slots:
    /** Asks for the first page with the current filters. */
    void refresh();
    /** Appends the next older page. */
    void more();

signals:
    /** An answer (or a failure) was shown. */
    void loaded();

private:
    sync::SecurityLogQuery query() const;
    void load(bool append);

    QUrl m_platform;
    std::function<QByteArray()> m_token;
    SecurityLogModel *m_model;
    QComboBox *m_kind;
    QLineEdit *m_user;
    QLineEdit *m_address;
    QCheckBox *m_fromSet;
    QDateTimeEdit *m_from;
    QCheckBox *m_toSet;
    QDateTimeEdit *m_to;
    QPushButton *m_more;
    QTableView *m_table;
    QLabel *m_status;
};

} // namespace cityops
