#pragma once

#include "sync/syncengine.h"

#include <QObject>
#include <QThread>
#include <QUrl>

class QLabel;
class QMainWindow;
class QTimer;

namespace cityops {

class ConsoleContext;
class SyncPanel;

/**
 * Runs the console's SyncEngine on a worker thread and shows what it reports: the status bar
 * (● Online / ● Offline, "synced 12 s ago", pending, conflicts) and the Sync dock. Local
 * commands nudge the engine; pulled changes become ConsoleContext::caseChanged, so every panel
 * refreshes. GUI thread only; the engine talks to it through queued signals.
 */
class SyncController : public QObject
{
    Q_OBJECT
public:
    SyncController(ConsoleContext &ctx, QString dataDir, QUrl platform, QObject *parent = nullptr);
    ~SyncController() override;

    /** Adds the status bar label and the Sync dock to the window. */
    void install(QMainWindow &window);
    void start(bool offlineSession = false);
    void stop();
    void setLongPollSeconds(int s);

    const SyncStatus &status() const { return m_status; }
    QLabel *statusLabel() const { return m_label; }
    SyncPanel *panel() const { return m_panel; }

signals:
    void statusChanged(const cityops::SyncStatus &status);

private:
    void onStatus(const cityops::SyncStatus &s);
    void onCases(const QList<qint64> &ids);
    void updateLabel();

    ConsoleContext &m_ctx;
    QThread m_thread;
    SyncEngine *m_engine;
    SyncStatus m_status;
    bool m_offlineSession = false;
    QLabel *m_label;
    SyncPanel *m_panel;
    QTimer *m_tick;
};

} // namespace cityops
