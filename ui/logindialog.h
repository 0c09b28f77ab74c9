#pragma once

#include <QDialog>
#include <QUrl>

class QLabel;
class QLineEdit;
class QPushButton;

namespace cityops {

/**
 * Signs in to the platform (user and password), or works offline with the session the cache
 * signed in with last. On success the session is kept in the cache's sync state. GUI thread
 * only; the sign-in request waits in a local event loop while the dialog stays responsive.
 */
class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    LoginDialog(QString dataDir, QUrl platform, QWidget *parent = nullptr);

    /**
     * Signing in again after the platform refused the session: only `user` may sign in (the
     * outbox holds that user's commands, which are never sent under another name), and
     * "Keep working offline" closes the dialog with sync paused.
     */
    void setRequiredUser(const QString &user);
    QString requiredUser() const { return m_requiredUser; }

    /** The signed-in (or, offline, the last signed-in) user. */
    QString user() const { return m_user; }
    bool offline() const { return m_offline; }

    QLineEdit *userEdit() const { return m_userEdit; }
    QLineEdit *passwordEdit() const { return m_password; }
    QPushButton *signInButton() const { return m_signIn; }
    QPushButton *offlineButton() const { return m_offlineButton; }
    QLabel *messageLabel() const { return m_message; }

private:
    void signIn();
    void workOffline();

    QString m_dataDir;
    QUrl m_platform;
    QString m_lastUser;
    QString m_requiredUser;
    QString m_user;
    bool m_offline = false;
    QLineEdit *m_userEdit;
    QLineEdit *m_password;
    QPushButton *m_signIn;
    QPushButton *m_offlineButton;
    QLabel *m_message;
};

} // namespace cityops
