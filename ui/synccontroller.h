#pragma once

#include "sync/syncengine.h"

#include <QObject>
#include <QPointer>
#include <QThread>
#include <QUrl>

class QLabel;
class QMainWindow;
class QPushButton;
class QTimer;

namespace cityops {

class ConsoleContext;
class LoginDialog;
class MainWindow;
class SyncPanel;

/**
 * Runs the console's SyncEngine on a worker thread and shows what it reports: the window's one
 * connection indicator in the status bar (● Connecting… / ● Online / ● Offline since 14:05,
 * "synced 12 s ago", pending, conflicts) and the Sync dock. Local
 * commands nudge the engine; pulled changes become one CaseService::casesChanged, so every panel
 * refreshes. When the platform refuses the session (the token expired) the engine pauses, the
 * status bar says so and one login dialog (never a stack of them) asks the same user to sign in
 * again; sync resumes after it, without a restart. GUI thread only; the engine talks to it
 * through queued signals.
 */
class SyncController : public QObject
{
    Q_OBJECT
public:
    SyncController(ConsoleContext &ctx, QString dataDir, QUrl platform, QObject *parent = nullptr);
    ~SyncController() override;

    /**
     * Takes over the window's connection indicator (MainWindow::connectionLabel, which until
     * then says the console works on its local cache alone) and adds the Sync dock.
     */
    void install(MainWindow &window);
    void start(bool offlineSession = false);
    void stop();
    void setLongPollSeconds(int s);

    const SyncStatus &status() const { return m_status; }
    /** The connection indicator it writes to (null until install). */
    QLabel *statusLabel() const;
    SyncPanel *panel() const { return m_panel; }
    /** The "Sign in again…" button of the status bar (shown while the session is expired). */
    QPushButton *signInButton() const { return m_signIn; }
    /** The open sign-in-again dialog, if any. */
    LoginDialog *loginDialog() const { return m_login; }

    /** Opens the sign-in-again dialog for the user whose session expired (at most one). */
    void signInAgain();
    /**
     * Rebuilds the cache from the platform (CacheRebuild, with the console's live connection):
     * stops the engine, rebuilds, says what happened (a modal box, "rebuildDone"), and emits
     * restartRequested when the new cache is in place (the console reopens on it). On failure
     * (box "rebuildFailed") nothing changed and sync resumes with a new engine.
     */
    void rebuildCache();

signals:
    void statusChanged(const cityops::SyncStatus &status);
    void sessionExpired(const QString &user);
    /** The user signed in again and sync resumed. */
    void sessionRenewed();
    /** The cache was replaced (rebuildCache): the console must reopen it. */
    void restartRequested();

private:
    void onStatus(const cityops::SyncStatus &s);
    void onSessionExpired(const QString &user);
    void onCases(const QList<qint64> &ids);
    void updateLabel();

    ConsoleContext &m_ctx;
    QThread m_thread;
    QString m_dataDir;
    QUrl m_platform;
    SyncEngine *m_engine = nullptr; ///< the running engine (created by start, deleted by stop)
    int m_longPollSeconds = 0;
    SyncStatus m_status;
    bool m_offlineSession = false;
    QPointer<QLabel> m_label;  ///< the window's connection indicator (the window owns it)
    bool m_reported = false;   ///< the running engine has reported since start
    qint64 m_offlineSince = 0; ///< epoch ms when the link was found down (0: not offline)
    QPushButton *m_signIn;
    SyncPanel *m_panel;
    QTimer *m_tick;
    QMainWindow *m_window = nullptr;
    LoginDialog *m_login = nullptr;
    QString m_expiredUser;
};

} // namespace cityops
