#include "dashboardengine.h"

#include "storage/database.h"
#include "storage/kpifactsstore.h"

#include <QDateTime>

#include <algorithm>

namespace cityops {

struct DashboardWorker::State
{
    std::shared_ptr<Database> db;
    std::unique_ptr<KpiFactsStore> store;
    KpiFacts facts;
    bool loaded = false;
};

DashboardWorker::DashboardWorker(QString path, std::shared_ptr<std::atomic<qint64>> latest)
    : m_path(std::move(path)), m_latest(std::move(latest)), m_state(std::make_unique<State>())
{}

// The connection must be closed on the worker thread that opened it.
DashboardWorker::~DashboardWorker() = default;

bool DashboardWorker::ensureLoaded()
{
    if (m_state->loaded)
        return true;
    auto db = Database::open(m_path);
    if (!db) {
        emit failed(db.error());
        return false;
    }
    m_state->db = *db;
    m_state->store = std::make_unique<KpiFactsStore>(m_state->db);
    auto facts = m_state->store->load();
    if (!facts) {
        emit failed(facts.error());
        return false;
    }
    m_state->facts = std::move(*facts);
    m_state->loaded = true;
    KpiFacts dims;
    dims.streets = m_state->facts.streets;
    dims.categories = m_state->facts.categories;
    dims.units = m_state->facts.units;
    dims.ladderCategories = m_state->facts.ladderCategories;
    emit dimensions(dims);
    return true;
}

void DashboardWorker::compute(qint64 generation, const DashboardFilter &filter, qint64 now)
{
    if (generation != m_latest->load())
        return; // a newer request is queued behind this one
    if (!ensureLoaded())
        return;
    DashboardResult r = Kpis::compute(m_state->facts, filter, now);
    r.generation = generation;
    emit result(r);
}

void DashboardWorker::update(const QList<qint64> &ids, qint64 generation,
                             const DashboardFilter &filter, qint64 now)
{
    if (!m_state->loaded) {
        compute(generation, filter, now); // the first load reads everything anyway
        return;
    }
    const qsizetype units = m_state->facts.units.size();
    if (Status s = m_state->store->update(m_state->facts, ids); !s) {
        emit failed(s.error());
        return;
    }
    if (m_state->facts.units.size() != units) {
        KpiFacts dims;
        dims.streets = m_state->facts.streets;
        dims.categories = m_state->facts.categories;
        dims.units = m_state->facts.units;
        dims.ladderCategories = m_state->facts.ladderCategories;
        emit dimensions(dims);
    }
    compute(generation, filter, now);
}

DashboardEngine::DashboardEngine(QString databasePath, QObject *parent)
    : QObject(parent), m_latest(std::make_shared<std::atomic<qint64>>(0))
{
    qRegisterMetaType<DashboardFilter>();
    qRegisterMetaType<DashboardResult>();
    qRegisterMetaType<KpiFacts>();
    m_worker = new DashboardWorker(std::move(databasePath), m_latest);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &DashboardWorker::result, this, &DashboardEngine::onResult,
            Qt::QueuedConnection);
    connect(m_worker, &DashboardWorker::dimensions, this, &DashboardEngine::onDimensions,
            Qt::QueuedConnection);
    connect(m_worker, &DashboardWorker::failed, this, &DashboardEngine::failed,
            Qt::QueuedConnection);
    m_thread.setObjectName(QStringLiteral("dashboard"));
    m_thread.start(QThread::LowPriority);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(500);
    connect(&m_debounce, &QTimer::timeout, this, &DashboardEngine::flushChanged);
}

DashboardEngine::~DashboardEngine()
{
    m_latest->store(-1); // queued requests return at once
    m_thread.quit();
    m_thread.wait();
}

qint64 DashboardEngine::now() const
{
    return m_now ? m_now : QDateTime::currentMSecsSinceEpoch();
}

qint64 DashboardEngine::request(const DashboardFilter &filter)
{
    m_filter = filter;
    const qint64 gen = ++m_generation;
    m_latest->store(gen);
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, gen, filter, now = now()] { w->compute(gen, filter, now); },
        Qt::QueuedConnection);
    return gen;
}

void DashboardEngine::caseChanged(CaseId id)
{
    casesChanged({id});
}

void DashboardEngine::casesChanged(const QList<CaseId> &ids)
{
    m_changed += ids;
    if (!m_debounce.isActive())
        m_debounce.start();
}

void DashboardEngine::flushChanged()
{
    QList<CaseId> ids = std::exchange(m_changed, {});
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const qint64 gen = ++m_generation;
    m_latest->store(gen);
    QMetaObject::invokeMethod(
        m_worker,
        [w = m_worker, ids, gen, filter = m_filter, now = now()] {
            w->update(ids, gen, filter, now);
        },
        Qt::QueuedConnection);
}

void DashboardEngine::onResult(const DashboardResult &result)
{
    if (result.generation != m_generation)
        return; // stale: a newer request is on its way
    emit ready(result);
}

void DashboardEngine::onDimensions(const KpiFacts &dims)
{
    m_dims = dims;
    emit dimensionsReady();
}

} // namespace cityops
