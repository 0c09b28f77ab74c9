#include "walcheckpointer.h"

#include <sqlite3.h>

namespace cityops {

WalCheckpointer::WalCheckpointer(const QString &databasePath)
{
    // A connection learns that the database is in WAL mode when it first reads it; until then a
    // checkpoint does nothing (and says so only through its frame counts).
    if (sqlite3_open_v2(databasePath.toUtf8().constData(), &m_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK ||
        sqlite3_exec(m_db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) !=
            SQLITE_OK) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return;
    }
    m_thread = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer()
{
    if (!m_db)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
    sqlite3_close_v2(m_db);
}

void WalCheckpointer::request()
{
    if (!m_db)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_asked = true;
    }
    m_wake.notify_one();
}

int WalCheckpointer::completed() const
{
    std::lock_guard lock(m_mutex);
    return m_completed;
}

bool WalCheckpointer::idle() const
{
    std::lock_guard lock(m_mutex);
    return !m_asked && !m_running;
}

void WalCheckpointer::waitUntilIdle()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return !m_asked && !m_running; });
}

void WalCheckpointer::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_asked || m_stopping; });
        if (!m_asked)
            return;
        m_asked = false;
        m_running = true;
        lock.unlock();
        // Passive: copies what the writer has committed, never waits for it. A failure (the
        // writer's own checkpoint running, a full disk) leaves the log to the next one.
        const int rc =
            sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        lock.lock();
        m_running = false;
        if (rc == SQLITE_OK)
            ++m_completed;
        if (!m_asked)
            m_idle.notify_all();
    }
}

} // namespace cityops
