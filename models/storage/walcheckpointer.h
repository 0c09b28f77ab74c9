#pragma once

#include <QString>

#include <condition_variable>
#include <mutex>
#include <thread>

struct sqlite3;

namespace cityops {

/**
 * Copies a bulk load's write-ahead log into the database file on a thread and connection of its
 * own, so that the loading thread never waits for the disk.
 *
 * A WAL connection with automatic checkpoints copies the log into the database and syncs both
 * after each commit that grew the log past 1,000 pages: for a snapshot page that is tens of
 * milliseconds of waiting for the disk, page after page. While a checkpointer is active() the
 * loading connection turns its automatic checkpoints off and calls request() after each commit;
 * the copy (a passive checkpoint, which never blocks the writer) runs here meanwhile.
 *
 * Threading: constructed, asked and destroyed on one thread; the destructor waits for the
 * checkpoint in progress and runs the one still asked for.
 */
class WalCheckpointer
{
public:
    explicit WalCheckpointer(const QString &databasePath);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    /** False when the second connection could not be opened (the writer keeps its own). */
    bool active() const { return m_db != nullptr; }
    /** Asks for a checkpoint of everything committed so far; returns at once. */
    void request();
    /** Checkpoints run so far (for tests). */
    int completed() const;
    /** Nothing asked for and nothing running: destroying it now would not wait. */
    bool idle() const;
    /**
     * Waits until idle(). The log starts over only when a write begins with all of it copied, so
     * the writer calls this every few commits to keep the log (and its file) from growing with
     * the whole load.
     */
    void waitUntilIdle();

private:
    void run();

    sqlite3 *m_db = nullptr;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    bool m_asked = false;
    bool m_running = false;
    bool m_stopping = false;
    int m_completed = 0;
    std::thread m_thread;
};

} // namespace cityops
