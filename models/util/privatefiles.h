#pragma once

#include <QString>

namespace cityops {

/**
 * Data files are private to the account that runs CityOps, whatever the umask: files 0600,
 * directories 0700 (docs/security.md). Used by Database::open (the SQLite file, whose -wal and
 * -shm SQLite creates with the main file's mode), the platform's and the console's data and
 * evidence directories and the platform's uploads. Existing files and directories are corrected
 * when they are opened, so a store written by an older build does not stay readable.
 *
 * Threading: any thread; only chmod/open on the given paths, never the process umask.
 */
namespace PrivateFiles {

constexpr unsigned kFileMode = 0600;
constexpr unsigned kDirMode = 0700;

/** Creates `dir` (and missing parents) and makes `dir` itself 0700; false when it cannot. */
bool makeDir(const QString &dir);
/**
 * Makes an existing file 0600 (a no-op when absent); true unless the mode could not be set.
 * `readOnly` gives 0400 instead (immutable evidence).
 */
bool restrictFile(const QString &path, bool readOnly = false);
/** Creates an empty file with mode 0600 unless it exists; true when it exists afterwards. */
bool createFile(const QString &path);
/** A SQLite database and its companions (-wal, -shm, -journal): each existing one 0600. */
bool restrictDatabase(const QString &path);

} // namespace PrivateFiles
} // namespace cityops
