#include "synccontroller.h"

#include "consolecontext.h"
#include "storage/syncstore.h"
#include "syncpanel.h"

#include <QDateTime>
#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>
#include <QStatusBar>
#include <QTimer>

namespace cityops {

SyncController::SyncController(ConsoleContext &ctx, QString dataDir, QUrl platform, QObject *parent)
    : QObject(parent), m_ctx(ctx),
      m_engine(new SyncEngine(std::move(dataDir), std::move(platform))), m_label(new QLabel),
      m_panel(new SyncPanel(ctx)), m_tick(new QTimer(this))
{
    m_label->setObjectName(QStringLiteral("syncStatus"));
    m_engine->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    connect(m_engine, &SyncEngine::statusChanged, this, &SyncController::onStatus);
    connect(m_engine, &SyncEngine::casesChanged, this, &SyncController::onCases);
    connect(&ctx, &ConsoleContext::commandQueued, m_engine, &SyncEngine::nudge);
    connect(&ctx, &ConsoleContext::commandQueued, this, [this] {
        if (m_ctx.sync())
            m_status.pending = m_ctx.sync()->outstandingCount();
        updateLabel();
    });
    connect(m_panel, &SyncPanel::changed, m_engine, &SyncEngine::nudge);
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
}

void SyncController::install(QMainWindow &window)
{
    window.statusBar()->addPermanentWidget(m_label);
    auto *dock = new QDockWidget(tr("Sync"), &window);
    dock->setObjectName(QStringLiteral("syncDock"));
    dock->setWidget(m_panel);
    window.addDockWidget(Qt::RightDockWidgetArea, dock);
}

void SyncController::setLongPollSeconds(int s)
{
    QMetaObject::invokeMethod(
        m_engine, [e = m_engine, s] { e->setLongPollSeconds(s); }, Qt::QueuedConnection);
}

void SyncController::start(bool offlineSession)
{
    m_offlineSession = offlineSession;
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
}

void SyncController::onStatus(const SyncStatus &s)
{
    m_status = s;
    if (s.online)
        m_offlineSession = false;
    updateLabel();
    m_panel->refresh();
    emit statusChanged(s);
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
    m_label->setText(parts.join(QStringLiteral(" · ")));
    m_label->setStyleSheet(m_status.online ? QStringLiteral("color: #1b8a3a")
                                           : QStringLiteral("color: #b0302a"));
    m_label->setToolTip(m_status.message);
}

} // namespace cityops
