#pragma once

#include <QList>
#include <QString>

namespace cityops::crashpoint {

/** A named place where a test may make the process die (see docs/reliability.md). */
struct Point
{
    const char *name;
    const char *side; ///< "client" (cityops-cli, console) or "platform"
    const char *what; ///< what is lost or half-done when the process dies there
};

/** Every point the code has, in the order of the sync path. */
const QList<Point> &all();

namespace detail {
bool armed();
void reached(const char *name);
} // namespace detail

/**
 * Dies with _exit(86) when CITYOPS_CRASH_AT=name[:n] names this point and this is its n-th hit
 * (n defaults to 1). The variable is read once; when it is unset the cost is one test of a
 * static flag. _exit rather than abort(): no destructor, atexit handler, stdio or Qt buffer and
 * no SQLite rollback runs, exactly as when the process is killed, and the distinct exit status
 * tells the fault suite that the point fired rather than that something really crashed.
 */
inline void reach(const char *name)
{
    if (Q_UNLIKELY(detail::armed()))
        detail::reached(name);
}

} // namespace cityops::crashpoint

#define CITYOPS_CRASH_POINT(name) ::cityops::crashpoint::reach(name)
