#include "privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace cityops::PrivateFiles {

namespace {

bool setMode(const QString &path, unsigned mode)
{
#ifdef Q_OS_UNIX
    const QByteArray native = QFile::encodeName(path);
    struct stat st = {};
    if (::stat(native.constData(), &st) != 0)
        return errno == ENOENT;
    if ((st.st_mode & 07777) == mode)
        return true;
    return ::chmod(native.constData(), mode_t(mode)) == 0;
#else
    Q_UNUSED(path);
    Q_UNUSED(mode);
    return true;
#endif
}

} // namespace

bool makeDir(const QString &dir)
{
    if (dir.isEmpty() || !QDir().mkpath(dir))
        return false;
    return setMode(dir, kDirMode);
}

bool restrictFile(const QString &path, bool readOnly)
{
    return setMode(path, readOnly ? 0400 : kFileMode);
}

bool createFile(const QString &path)
{
#ifdef Q_OS_UNIX
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kFileMode);
    if (fd >= 0) {
        ::close(fd);
        // The umask may have taken bits away, never added any; set the mode exactly anyway.
        return setMode(path, kFileMode);
    }
    return errno == EEXIST;
#else
    QFile f(path);
    return f.exists() || f.open(QIODevice::WriteOnly);
#endif
}

bool restrictDatabase(const QString &path)
{
    bool ok = restrictFile(path);
    for (const char *suffix : {"-wal", "-shm", "-journal"})
        ok = restrictFile(path + QLatin1String(suffix)) && ok;
    return ok;
}

} // namespace cityops::PrivateFiles
