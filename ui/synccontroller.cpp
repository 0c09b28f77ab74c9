#include "synccontroller.h"

#include "consolecontext.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "securitylogdialog.h"
#include "storage/database.h"
#include "sync/cacherebuild.h"
#include "syncpanel.h"
#include "util/timefmt.h"

#include <QApplication>
#include <QDateTime>
#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTimer>

namespace cityops {

SyncController::SyncController(ConsoleContext &ctx, QString dataDir, QUrl platform, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_dataDir(std::move(dataDir)), m_platform(std::move(platform)),
      m_signIn(new QPushButton(tr("Sign in again…"))), m_panel(new SyncPanel(ctx)),
      m_tick(new QTimer(this))
{
    m_signIn->setObjectName(QStringLiteral("syncSignIn"));
    m_signIn->setVisible(false);
    m_signIn->setFlat(true);
    connect(m_signIn, &QPushButton::clicked, this, &SyncController::signInAgain);
    connect(&ctx.cases(), &CaseService::outboxChanged, this, [this] {
        m_status.pending = m_ctx.cases().outstandingCount();
        updateLabel();
    });
    connect(m_tick, &QTimer::timeout, this, &SyncController::updateLabel);
    m_tick->start(1000);
    updateLabel();
}

SyncController::~SyncController()
{
    stop();
    if (!m_panel->parent())
        delete m_panel;
    if (!m_signIn->parent())
        delete m_signIn;
}

QLabel *SyncController::statusLabel() const
{
    return m_label;
}

void SyncController::install(MainWindow &window)
{
    m_window = &window;
    m_label = window.connectionLabel();
    m_status.pending = m_ctx.cases().outstandingCount();
    m_status.rejected = m_ctx.cases().rejectedCount();
    updateLabel();
    window.statusBar()->addPermanentWidget(m_signIn);
    auto *dock = new QDockWidget(tr("Sync"), &window);
    dock->setObjectName(QStringLiteral("syncDock"));
    dock->setWidget(m_panel);
    window.addDockWidget(Qt::RightDockWidgetArea, dock);
    // The platform's security log (issue 18): offered to auditors; the platform refuses others.
    QMenu *audit = window.menuBar()->addMenu(tr("&Audit"));
    QAction *securityLog = audit->addAction(tr("&Security log…"));
    securityLog->setObjectName(QStringLiteral("securityLogAction"));
    securityLog->setEnabled(m_ctx.actor().role == Role::Auditor);
    connect(securityLog, &QAction::triggered, this, [this, &window] {
        auto *open = window.findChild<SecurityLogDialog *>();
        if (!open) {
            open = new SecurityLogDialog(
                m_platform,
                [this] {
                    // The session signed in now (a renewed token included), from the cache.
                    return m_ctx.cases().sessionToken();
                },
                &window);
            open->setAttribute(Qt::WA_DeleteOnClose);
        }
        open->show();
        open->raise();
        open->refresh();
    });
}

void SyncController::setLongPollSeconds(int s)
{
    m_longPollSeconds = s;
    if (m_engine)
        QMetaObject::invokeMethod(
            m_engine, [e = m_engine, s] { e->setLongPollSeconds(s); }, Qt::QueuedConnection);
}

void SyncController::start(bool offlineSession)
{
    m_offlineSession = offlineSession;
    if (m_thread.isRunning())
        return;
    // A new engine per start: stopping the thread deletes the previous one (deleteLater below).
    m_engine = new SyncEngine(m_dataDir, m_platform);
    m_reported = false;
    updateLabel();
    if (m_longPollSeconds > 0)
        m_engine->setLongPollSeconds(m_longPollSeconds);
    m_engine->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    connect(m_engine, &SyncEngine::sessionExpired, this, &SyncController::onSessionExpired);
    connect(m_engine, &SyncEngine::statusChanged, this, &SyncController::onStatus);
    connect(m_engine, &SyncEngine::casesChanged, this, &SyncController::onCases);
    connect(&m_ctx.cases(), &CaseService::outboxChanged, m_engine, &SyncEngine::nudge);
    connect(m_panel, &SyncPanel::changed, m_engine, &SyncEngine::nudge);
    m_thread.start();
    QMetaObject::invokeMethod(m_engine, &SyncEngine::start, Qt::QueuedConnection);
}

void SyncController::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(m_engine, &SyncEngine::stop, Qt::QueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_engine = nullptr; // deleted as its thread finished
    updateLabel();
}

void SyncController::onStatus(const SyncStatus &s)
{
    m_status = s;
    m_reported = true;
    if (s.online)
        m_offlineSince = 0;
    else if (m_offlineSince == 0)
        m_offlineSince = QDateTime::currentMSecsSinceEpoch();
    if (s.storageFault)
        m_ctx.cases().reportStorageFault(s.message);
    if (s.online)
        m_offlineSession = false;
    updateLabel();
    m_panel->refresh();
    emit statusChanged(s);
}

void SyncController::onSessionExpired(const QString &user)
{
    m_expiredUser = user;
    m_signIn->setVisible(true);
    updateLabel();
    emit sessionExpired(user);
    signInAgain();
}

void SyncController::signInAgain()
{
    if (m_expiredUser.isEmpty())
        return;
    if (m_login) {
        m_login->raise();
        m_login->activateWindow();
        return;
    }
    // Non-modal for the rest of the console (window-modal): the operator can finish what they
    // were doing first; their commands wait in the outbox.
    m_login = new LoginDialog(m_dataDir, m_platform, m_window);
    m_login->setObjectName(QStringLiteral("signInAgain"));
    m_login->setAttribute(Qt::WA_DeleteOnClose);
    m_login->setRequiredUser(m_expiredUser);
    connect(m_login, &QDialog::finished, this, [this](int result) {
        const bool renewed = result == QDialog::Accepted && !m_login->offline();
        m_login = nullptr;
        if (!renewed)
            return;
        m_expiredUser.clear();
        m_signIn->setVisible(false);
        m_status.expiredUser.clear();
        m_status.message.clear();
        updateLabel();
        if (m_engine)
            QMetaObject::invokeMethod(m_engine, &SyncEngine::resume, Qt::QueuedConnection);
        emit sessionRenewed();
    });
    m_login->open();
}

void SyncController::rebuildCache()
{
    stop();
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const auto r = CacheRebuild::run(m_dataDir, m_platform, &m_ctx.db());
    QApplication::restoreOverrideCursor();
    if (!r) {
        QMessageBox failed(QMessageBox::Critical, tr("Rebuild cache from platform"), r.error(),
                           QMessageBox::Ok, m_window);
        failed.setObjectName(QStringLiteral("rebuildFailed"));
        failed.exec();
        start(m_offlineSession);
        return;
    }
    QStringList lines{tr("The old cache was moved to %1.").arg(r->movedTo),
                      tr("The outbox (%n command(s)) is saved in %1.", nullptr, r->recovered)
                          .arg(r->savedOutbox)};
    if (!r->pull.error.isEmpty())
        lines << tr("The platform's cases could not be pulled yet (%1); sync retries after the "
                    "restart, and the saved outbox can be replayed with cityops-cli outbox "
                    "replay.")
                     .arg(r->pull.error);
    else if (r->replayed)
        lines << tr("%1 command(s) sent again: %2 applied now, %3 applied before, %4 rejected.")
                     .arg(r->outstanding)
                     .arg(r->replay.applied)
                     .arg(r->replay.duplicate)
                     .arg(r->replay.rejected.size());
    if (r->replayed && !r->replay.error.isEmpty())
        lines << r->replay.error;
    lines << tr("CityOps restarts on the new cache.");
    QMessageBox done(QMessageBox::Information, tr("Rebuild cache from platform"),
                     lines.join(QLatin1Char('\n')), QMessageBox::Ok, m_window);
    done.setObjectName(QStringLiteral("rebuildDone"));
    done.exec();
    emit restartRequested();
}

void SyncController::onCases(const QList<qint64> &ids)
{
    // One notification per pulled page (or the first snapshot), not one per case.
    m_ctx.cases().notifyPulled(ids);
}

void SyncController::updateLabel()
{
    if (!m_label)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // What the console knows of the link, never more: nothing until the engine has reported.
    enum class Link
    {
        Stopped,
        Connecting,
        Online,
        Offline
    };
    const Link link = !m_engine         ? Link::Stopped
                      : !m_reported     ? Link::Connecting
                      : m_status.online ? Link::Online
                                        : Link::Offline;
    const QString platform = m_platform.toDisplayString();
    QStringList parts;
    QStringList tips;
    switch (link) {
    case Link::Stopped:
        parts << tr("● Not syncing");
        tips << tr("Sync with the district platform at %1 is stopped.").arg(platform);
        break;
    case Link::Connecting:
        parts << tr("● Connecting…");
        tips << tr("Connecting to the district platform at %1…").arg(platform);
        break;
    case Link::Online:
        parts << tr("● Online");
        tips << tr("Connected to the district platform at %1.").arg(platform);
        break;
    case Link::Offline: {
        // The time alone today; with the date when the link has been down since an earlier day.
        const QString since = TimeFormat::dateTime(m_offlineSince);
        const bool today = since.left(10) == TimeFormat::dateTime(now).left(10);
        parts << tr("● Offline since %1").arg(today ? since.mid(11) : since);
        tips << tr("The district platform at %1 cannot be reached; changes wait in the outbox "
                   "and are sent when it can.")
                    .arg(platform);
        break;
    }
    }
    if (!m_status.message.isEmpty())
        tips << m_status.message;
    if (m_status.lastSyncAt > 0) {
        const qint64 s = std::max<qint64>(0, (now - m_status.lastSyncAt) / 1000);
        parts << (s < 60     ? tr("synced %1 s ago").arg(s)
                  : s < 3600 ? tr("synced %1 min ago").arg(s / 60)
                             : tr("synced %1 h ago").arg(s / 3600));
    } else {
        parts << tr("never synced");
    }
    parts << tr("pending %1").arg(m_status.pending) << tr("conflicts %1").arg(m_status.rejected);
    if (m_offlineSession)
        parts << tr("working offline as %1 (last session)").arg(m_ctx.actor().id);
    if (!m_expiredUser.isEmpty())
        parts << tr("session of %1 expired: sign in again").arg(m_expiredUser);
    m_label->setText(parts.join(QStringLiteral(" · ")));
    m_label->setStyleSheet(
        link == Link::Online && m_expiredUser.isEmpty()     ? QStringLiteral("color: #1b8a3a")
        : link == Link::Offline || !m_expiredUser.isEmpty() ? QStringLiteral("color: #b0302a")
                                                            : QString());
    m_label->setToolTip(tips.join(QLatin1Char('\n')));
}

} // namespace cityops
