#include "logindialog.h"

#include "sync/syncengine.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace cityops {

LoginDialog::LoginDialog(QString dataDir, QUrl platform, QWidget *parent)
    : QDialog(parent), m_dataDir(std::move(dataDir)), m_platform(std::move(platform)),
      m_userEdit(new QLineEdit(this)), m_password(new QLineEdit(this)),
      m_signIn(new QPushButton(tr("Sign in"), this)),
      m_offlineButton(new QPushButton(tr("Work offline"), this)), m_message(new QLabel(this))
{
    setWindowTitle(tr("CityOps — sign in"));
    {
        SyncEngine probe(m_dataDir, m_platform);
        if (probe.open())
            m_lastUser = probe.sessionUser();
    }
    m_userEdit->setObjectName(QStringLiteral("user"));
    m_userEdit->setText(m_lastUser);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_message->setWordWrap(true);
    m_signIn->setDefault(true);
    m_offlineButton->setEnabled(!m_lastUser.isEmpty());
    m_offlineButton->setToolTip(m_lastUser.isEmpty()
                                    ? tr("Nobody has signed in on this computer yet.")
                                    : tr("Keep working as %1; changes wait in the outbox until "
                                         "the platform can be reached.")
                                          .arg(m_lastUser));
    auto *form = new QFormLayout;
    form->addRow(tr("District platform:"), new QLabel(m_platform.toString(), this));
    form->addRow(tr("User:"), m_userEdit);
    form->addRow(tr("Password:"), m_password);
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_signIn, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_offlineButton, QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_signIn, &QPushButton::clicked, this, &LoginDialog::signIn);
    connect(m_offlineButton, &QPushButton::clicked, this, &LoginDialog::workOffline);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    if (!m_lastUser.isEmpty())
        m_password->setFocus();
}

void LoginDialog::setRequiredUser(const QString &user)
{
    m_requiredUser = user;
    m_userEdit->setText(user);
    m_userEdit->setReadOnly(true);
    m_password->clear();
    m_password->setFocus();
    m_offlineButton->setEnabled(true);
    m_offlineButton->setText(tr("Keep working offline"));
    m_offlineButton->setToolTip(
        tr("Changes wait in the outbox until %1 signs in again.").arg(user));
    m_message->setText(tr("The platform session of %1 has expired. Sign in again to resume sync; "
                          "your changes are kept in the outbox meanwhile.")
                           .arg(user));
}

void LoginDialog::signIn()
{
    const QString user = m_userEdit->text().trimmed();
    if (user.isEmpty()) {
        m_message->setText(tr("Enter your user name."));
        return;
    }
    if (!m_requiredUser.isEmpty() && user != m_requiredUser) {
        m_message->setText(tr("Only %1 can sign in again here.").arg(m_requiredUser));
        return;
    }
    m_signIn->setEnabled(false);
    m_message->setText(tr("Signing in…"));
    SyncEngine engine(m_dataDir, m_platform);
    const auto session = engine.login(user, m_password->text());
    m_signIn->setEnabled(true);
    if (!session) {
        m_message->setText(session.error());
        m_password->selectAll();
        return;
    }
    m_user = session->user;
    m_offline = false;
    accept();
}

void LoginDialog::workOffline()
{
    m_user = m_requiredUser.isEmpty() ? m_lastUser : m_requiredUser;
    m_offline = true;
    accept();
}

} // namespace cityops
