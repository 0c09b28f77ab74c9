#pragma once

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include <cstdio>
#include <cstdlib>

/**
 * Shared by the libFuzzer targets: one QCoreApplication for the process (translations, timers
 * and the resource system expect one) and FUZZ_CHECK, which turns a broken invariant into a
 * crash that libFuzzer records with its input, exactly like a sanitizer report.
 */
namespace cityops::fuzz {

inline void initApplication(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    Q_UNUSED(app);
}

/**
 * A temporary folder for the whole run, in memory-backed /dev/shm when there is one: targets that
 * write files (an input as a database, a platform's store) then cost no disk I/O.
 */
inline QString scratchDir(const char *name)
{
    const QString base =
        QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm") : QDir::tempPath();
    static QTemporaryDir dir(base + QStringLiteral("/cityops-%1-XXXXXX").arg(QLatin1String(name)));
    if (!dir.isValid()) {
        std::fprintf(stderr, "cannot create a temporary folder in %s\n", qPrintable(base));
        std::abort();
    }
    return dir.path();
}

[[noreturn]] inline void invariantFailed(const char *file, int line, const char *what)
{
    std::fprintf(stderr, "==FUZZ== invariant failed at %s:%d: %s\n", file, line, what);
    std::abort();
}

} // namespace cityops::fuzz

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::cityops::fuzz::invariantFailed(__FILE__, __LINE__, #cond);                           \
    } while (0)
