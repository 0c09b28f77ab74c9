#include "synccontroller.h"

#include "consolecontext.h"
#include "logindialog.h"
#include "storage/database.h"
#include "storage/syncstore.h"
#include "sync/cacherebuild.h"
#include "syncpanel.h"

#include <QApplication>
#include <QDateTime>
#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTimer>

namespace cityops {

SyncController::SyncController(ConsoleContext &ctx, QString dataDir, QUrl platform, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_dataDir(std::move(dataDir)), m_platform(std::move(platform)),
      m_label(new QLabel), m_signIn(new QPushButton(tr("Sign in again…"))),
      m_panel(new SyncPanel(ctx)), m_tick(new QTimer(this))
{
    m_label->setObjectName(QStringLiteral("syncStatus"));
    m_signIn->setObjectName(QStringLiteral("syncSignIn"));
    m_signIn->setVisible(false);
    m_signIn->setFlat(true);
    connect(m_signIn, &QPushButton::clicked, this, &SyncController::signInAgain);
    connect(&ctx, &ConsoleContext::commandQueued, this, [this] {
        if (m_ctx.sync())
            m_status.pending = m_ctx.sync()->outstandingCount();
        updateLabel();
    });
    connect(m_tick, &QTimer::timeout, this, &SyncController::updateLabel);
    m_tick->start(1000);
    updateLabel();
}

SyncController::~SyncController()
{
    stop();
    if (!m_label->parent())
        delete m_label;
    if (!m_panel->parent())
        delete m_panel;
    if (!m_signIn->parent())
        delete m_signIn;
}

void SyncController::install(QMainWindow &window)
{
    m_window = &window;
    window.statusBar()->addPermanentWidget(m_label);
    window.statusBar()->addPermanentWidget(m_signIn);
    auto *dock = new QDockWidget(tr("Sync"), &window);
    dock->setObjectName(QStringLiteral("syncDock"));
    dock->setWidget(m_panel);
    window.addDockWidget(Qt::RightDockWidgetArea, dock);
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
    if (m_longPollSeconds > 0)
        m_engine->setLongPollSeconds(m_longPollSeconds);
    m_engine->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    connect(m_engine, &SyncEngine::sessionExpired, this, &SyncController::onSessionExpired);
    connect(m_engine, &SyncEngine::statusChanged, this, &SyncController::onStatus);
    connect(m_engine, &SyncEngine::casesChanged, this, &SyncController::onCases);
    connect(&m_ctx, &ConsoleContext::commandQueued, m_engine, &SyncEngine::nudge);
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
}

void SyncController::onStatus(const SyncStatus &s)
{
    m_status = s;
    if (s.storageFault)
        m_ctx.reportStorageFault(s.message);
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
    // Panels reload the whole queue per caseChanged: a page of the feed (or the first snapshot)
    // must not mean thousands of reloads.
    constexpr qsizetype kOneByOne = 32;
    if (ids.size() <= kOneByOne) {
        for (qint64 id : ids)
            emit m_ctx.caseChanged(id);
    } else if (!ids.isEmpty()) {
        emit m_ctx.casesChanged(ids);
        emit m_ctx.caseChanged(ids.last());
    }
}

void SyncController::updateLabel()
{
    QStringList parts;
    parts << (m_status.online ? tr("● Online") : tr("● Offline"));
    if (m_status.lastSyncAt > 0) {
        const qint64 s =
            std::max<qint64>(0, (QDateTime::currentMSecsSinceEpoch() - m_status.lastSyncAt) / 1000);
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
    m_label->setStyleSheet(m_status.online && m_expiredUser.isEmpty()
                               ? QStringLiteral("color: #1b8a3a")
                               : QStringLiteral("color: #b0302a"));
    m_label->setToolTip(m_status.message);
}

} // namespace cityops
