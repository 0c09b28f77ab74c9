#include "securitylogdialog.h"

#include "itemmodels/securitylogmodel.h"
#include "sync/securitylog.h"
#include "sync/syncclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace cityops {

SecurityLogDialog::SecurityLogDialog(QUrl platform, std::function<QByteArray()> token,
                                     QWidget *parent)
    : QDialog(parent), m_platform(std::move(platform)), m_token(std::move(token)),
      m_model(new SecurityLogModel(this)), m_kind(new QComboBox(this)), m_user(new QLineEdit(this)),
      m_address(new QLineEdit(this)), m_fromSet(new QCheckBox(tr("&From"), this)),
      m_from(new QDateTimeEdit(this)), m_toSet(new QCheckBox(tr("&To"), this)),
      m_to(new QDateTimeEdit(this)), m_more(new QPushButton(tr("&Older lines"), this)),
      m_table(new QTableView(this)), m_status(new QLabel(this))
{
    setWindowTitle(tr("Security log"));
    setObjectName(QStringLiteral("securityLogDialog"));
    m_kind->setObjectName(QStringLiteral("kind"));
    m_user->setObjectName(QStringLiteral("user"));
    m_address->setObjectName(QStringLiteral("address"));
    m_from->setObjectName(QStringLiteral("from"));
    m_to->setObjectName(QStringLiteral("to"));
    m_fromSet->setObjectName(QStringLiteral("fromSet"));
    m_toSet->setObjectName(QStringLiteral("toSet"));
    m_status->setObjectName(QStringLiteral("status"));
    m_table->setObjectName(QStringLiteral("lines"));

    // Kinds are prefixes: "signin" shows every sign-in line.
    m_kind->setEditable(true);
    m_kind->addItem(tr("(all)"), QString());
    for (const char *k : {"signin", "signin.failed", "signin.throttled", "auth.refused",
                          "access.refused", "command.refused", "request.invalid", "upload.refused",
                          "http.refused", "open311.limited", "log.suppressed"})
        m_kind->addItem(QLatin1String(k), QLatin1String(k));
    m_user->setPlaceholderText(tr("any account"));
    m_address->setPlaceholderText(tr("any address"));
    const QDateTime now = QDateTime::currentDateTime();
    for (QDateTimeEdit *e : {m_from, m_to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        e->setEnabled(false);
    }
    m_from->setDateTime(now.addDays(-1));
    m_to->setDateTime(now);
    connect(m_fromSet, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_toSet, &QCheckBox::toggled, m_to, &QWidget::setEnabled);

    auto *filters = new QFormLayout;
    filters->addRow(tr("&Kind"), m_kind);
    filters->addRow(tr("&User"), m_user);
    filters->addRow(tr("&Address"), m_address);
    auto *range = new QHBoxLayout;
    range->addWidget(m_fromSet);
    range->addWidget(m_from, 1);
    range->addWidget(m_toSet);
    range->addWidget(m_to, 1);
    filters->addRow(tr("Time"), range);

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(SecurityLogModel::DetailColumn,
                                                      QHeaderView::Stretch);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *refreshButton = buttons->addButton(tr("&Refresh"), QDialogButtonBox::ActionRole);
    refreshButton->setObjectName(QStringLiteral("refresh"));
    m_more->setObjectName(QStringLiteral("more"));
    buttons->addButton(m_more, QDialogButtonBox::ActionRole);
    m_more->setEnabled(false);
    connect(refreshButton, &QPushButton::clicked, this, &SecurityLogDialog::refresh);
    connect(m_more, &QPushButton::clicked, this, &SecurityLogDialog::more);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *e : {m_user, m_address})
        connect(e, &QLineEdit::returnPressed, this, &SecurityLogDialog::refresh);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(900, 520);
}

sync::SecurityLogQuery SecurityLogDialog::query() const
{
    sync::SecurityLogQuery q;
    const int i = m_kind->currentIndex();
    // An entry typed by hand has no item data: the text is the prefix.
    q.kind = (i >= 0 && m_kind->itemText(i) == m_kind->currentText())
                 ? m_kind->itemData(i).toString()
                 : m_kind->currentText().trimmed();
    q.user = m_user->text().trimmed();
    q.address = m_address->text().trimmed();
    if (m_fromSet->isChecked())
        q.from = m_from->dateTime().toMSecsSinceEpoch();
    if (m_toSet->isChecked())
        q.to = m_to->dateTime().toMSecsSinceEpoch();
    q.limit = 500;
    return q;
}

void SecurityLogDialog::refresh()
{
    load(false);
}

void SecurityLogDialog::more()
{
    if (m_model->next())
        load(true);
}

void SecurityLogDialog::load(bool append)
{
    sync::SecurityLogQuery q = query();
    if (append)
        q.before = m_model->next();
    sync::SyncClient client(m_platform);
    client.setToken(m_token ? m_token() : QByteArray());
    setCursor(Qt::BusyCursor);
    const auto answer = client.securityLog(q);
    unsetCursor();
    if (const auto *f = std::get_if<sync::SyncFailure>(&answer)) {
        if (!append)
            m_model->clear();
        m_more->setEnabled(false);
        m_status->setText(f->kind == sync::SyncFailure::Unauthorized
                              ? tr("Sign in again to read the security log (%1).").arg(f->message)
                              : f->message);
        emit loaded();
        return;
    }
    const auto &page = std::get<sync::SecurityLogPage>(answer);
    if (append)
        m_model->appendPage(page);
    else
        m_model->setPage(page);
    m_more->setEnabled(page.next != 0);
    const QString shown = tr("%n line(s) shown.", nullptr, m_model->rowCount());
    m_status->setText(page.chain.ok ? tr("%1 The log's hash chain verifies (%n line(s)).", nullptr,
                                         int(page.chain.lines))
                                          .arg(shown)
                                    : tr("%1 The log's hash chain is BROKEN at line %2: %3")
                                          .arg(shown)
                                          .arg(page.chain.firstBad)
                                          .arg(page.chain.message));
    emit loaded();
}

} // namespace cityops
