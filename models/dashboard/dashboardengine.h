#pragma once

#include "dashboard/kpis.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>

namespace cityops {

class DashboardWorker;

/**
 * Computes the dashboard off the GUI thread. Threading: the engine lives on the GUI thread; its
 * worker lives on a thread of its own with its own Database connection on the cache file, loads
 * every case's facts once, then answers each request from memory and keeps the facts current
 * case by case. Requests carry a generation; the worker skips a request that a newer one has
 * superseded and the engine drops any result older than the latest request, so a stale result
 * never reaches the view.
 */
class DashboardEngine : public QObject
{
    Q_OBJECT
public:
    /** `now` = 0 follows the wall clock; tests and the benchmark pin it. */
    explicit DashboardEngine(QString databasePath, QObject *parent = nullptr);
    ~DashboardEngine() override;

    /** Pins "now" (UTC ms) for overdue and the default period; 0 follows the wall clock. */
    void setNow(qint64 now) { m_now = now; }
    qint64 now() const;
    /** Asks for the figures of a filter; the answer arrives as ready(). Returns its generation. */
    qint64 request(const DashboardFilter &filter);
    /** Re-reads a changed case; the refresh is debounced (several changes, one computation). */
    void caseChanged(CaseId id);
    /** Many changed cases (a bulk action, a pulled page): one debounced refresh. */
    void casesChanged(const QList<CaseId> &ids);
    /** Debounce interval for caseChanged() (ms). */
    void setDebounce(int ms) { m_debounce.setInterval(ms); }
    const DashboardFilter &filter() const { return m_filter; }
    /** The dimension names (streets, categories, units) once the facts are loaded. */
    const KpiFacts &dimensions() const { return m_dims; }
    qint64 latestGeneration() const { return m_generation; }

signals:
    /** The figures of the latest request. */
    void ready(const cityops::DashboardResult &result);
    /** The dimension tables, after the first load (for the filter bar). */
    void dimensionsReady();
    void failed(const QString &message);

private:
    void onResult(const cityops::DashboardResult &result);
    void onDimensions(const cityops::KpiFacts &dims);
    void flushChanged();

    QThread m_thread;
    DashboardWorker *m_worker = nullptr;
    std::shared_ptr<std::atomic<qint64>> m_latest;
    qint64 m_generation = 0;
    qint64 m_now = 0;
    DashboardFilter m_filter;
    KpiFacts m_dims;
    QList<CaseId> m_changed;
    QTimer m_debounce;
};

/** The worker half of DashboardEngine (internal). */
class DashboardWorker : public QObject
{
    Q_OBJECT
public:
    DashboardWorker(QString path, std::shared_ptr<std::atomic<qint64>> latest);
    ~DashboardWorker() override;

    void compute(qint64 generation, const cityops::DashboardFilter &filter, qint64 now);
    void update(const QList<qint64> &ids, qint64 generation, const cityops::DashboardFilter &filter,
                qint64 now);

signals:
    void result(const cityops::DashboardResult &result);
    void dimensions(const cityops::KpiFacts &dims);
    void failed(const QString &message);

private:
    bool ensureLoaded();

    QString m_path;
    std::shared_ptr<std::atomic<qint64>> m_latest;
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace cityops

Q_DECLARE_METATYPE(cityops::KpiFacts)
