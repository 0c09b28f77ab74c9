#pragma once

// Shared by the fault executables: real cityops-platform and cityops-cli processes (started,
// crashed, SIGKILLed), read-only queries on their databases, and the counters every fault
// executable prints as its last line (the contract cityops-fault-suite reads).

#include "storage/database.h"
#include "storage/platformstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QThread>
#include <QUrl>

#include <cstdio>
#include <memory>

namespace cityops::fault {

/** The exit status a crash point dies with (models/util/crashpoint.h). */
constexpr int kCrashExit = 86;

/** How a child process ended. */
struct Ended
{
    int rc = -1;         ///< exit code (-1: killed by a signal or did not finish)
    bool signal = false; ///< killed by a signal (our SIGKILL)
    QString out;
    QString err;
    bool crashed() const { return !signal && rc == kCrashExit; }
};

inline QProcessEnvironment environment(const QMap<QString, QString> &extra)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // A variable of the suite's own environment must never leak into a recovery run.
    env.remove(QStringLiteral("CITYOPS_CRASH_AT"));
    env.remove(QStringLiteral("CITYOPS_CLOCK_SKEW_S"));
    for (auto it = extra.begin(); it != extra.end(); ++it)
        env.insert(it.key(), it.value());
    return env;
}

inline Ended finished(QProcess &p)
{
    Ended e;
    e.signal = p.exitStatus() != QProcess::NormalExit;
    e.rc = e.signal ? -1 : p.exitCode();
    e.out = QString::fromUtf8(p.readAllStandardOutput());
    e.err = QString::fromUtf8(p.readAllStandardError());
    return e;
}

/**
 * Runs cityops-cli with the arguments; `killAfterMs` >= 0 sends SIGKILL when it is still running
 * by then.
 */
inline Ended cli(const QStringList &args, const QMap<QString, QString> &env = {},
                 const QByteArray &input = {}, int killAfterMs = -1)
{
    QProcess p;
    p.setProcessEnvironment(environment(env));
    p.start(QStringLiteral(CITYOPS_CLI_BIN), args);
    if (!p.waitForStarted(30000))
        return {};
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (killAfterMs >= 0 && !p.waitForFinished(killAfterMs) && p.state() != QProcess::NotRunning)
        p.kill();
    p.waitForFinished(600000);
    return finished(p);
}

/** The platform binary on 127.0.0.1, port 0; started, stopped, crashed or killed. */
class Platform
{
public:
    ~Platform() { stop(); }

    /** Starts it (optionally seeding the demo district) and waits for "listening on URL". */
    bool start(const QString &dataDir, const QStringList &extra = {},
               const QMap<QString, QString> &env = {})
    {
        stop();
        m_dataDir = dataDir;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessEnvironment(environment(env));
        m_process->start(QStringLiteral(CITYOPS_PLATFORM_BIN),
                         QStringList{QStringLiteral("--data"), dataDir, QStringLiteral("--listen"),
                                     QStringLiteral("127.0.0.1:0")} +
                             extra);
        if (!m_process->waitForStarted(30000))
            return false;
        static const QRegularExpression re(QStringLiteral("listening on (\\S+)"));
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 120000) {
            out += m_process->readAllStandardOutput();
            const auto m = re.match(QString::fromUtf8(out));
            if (m.hasMatch()) {
                m_url = QUrl(m.captured(1));
                return true;
            }
            if (m_process->state() == QProcess::NotRunning)
                break;
            m_process->waitForReadyRead(200);
        }
        std::fprintf(stderr, "platform did not start: %s %s\n", out.constData(),
                     m_process->readAllStandardError().constData());
        return false;
    }

    bool running() const { return m_process && m_process->state() != QProcess::NotRunning; }

    /** Waits for it to end by itself (a crash point): how it ended. */
    Ended waitEnded(int ms)
    {
        if (!m_process)
            return {};
        if (!m_process->waitForFinished(ms))
            return {};
        Ended e = finished(*m_process);
        m_process.reset();
        return e;
    }

    void kill()
    {
        if (!running())
            return;
        m_process->kill();
        m_process->waitForFinished(10000);
        m_process.reset();
    }

    /** SIGTERM: a clean stop. */
    void stop()
    {
        if (!running()) {
            m_process.reset();
            return;
        }
        m_process->terminate();
        if (!m_process->waitForFinished(20000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
        m_process.reset();
    }

    QUrl url() const { return m_url; }
    QString dataDir() const { return m_dataDir; }
    QString databasePath() const { return PlatformStore::pathInDir(m_dataDir); }

private:
    std::unique_ptr<QProcess> m_process;
    QString m_dataDir;
    QUrl m_url;
};

/** Rows of a query on a database file, read through a read-only connection of its own. */
inline QList<QStringList> rows(const QString &dbPath, const QString &sql,
                               const QVariantList &binds = {})
{
    Database::Options ro;
    ro.readOnly = true;
    auto db = Database::open(dbPath, ro);
    if (!db)
        return {QStringList{QStringLiteral("error: ") + db.error()}};
    QList<QStringList> out;
    QSqlQuery q((*db)->sql());
    q.prepare(sql);
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return {QStringList{QStringLiteral("error: ") + q.lastError().text()}};
    while (q.next()) {
        QStringList row;
        for (int i = 0; i < q.record().count(); ++i)
            row << q.value(i).toString();
        out << row;
    }
    return out;
}

/** A single number from a query (-1 when it fails). */
inline qint64 number(const QString &dbPath, const QString &sql, const QVariantList &binds = {})
{
    const auto r = rows(dbPath, sql, binds);
    bool ok = false;
    const qint64 v = r.isEmpty() || r.first().isEmpty() ? -1 : r.first().first().toLongLong(&ok);
    return ok ? v : -1;
}

/** The counters of the fault-suite contract; extra keys go before them. */
struct Counters
{
    qint64 crashPoints = 0;
    qint64 crashRuns = 0;
    qint64 lost = 0;
    qint64 duplicated = 0;
    qint64 diverged = 0;
    qint64 stuck = 0;
    bool clean() const { return lost == 0 && duplicated == 0 && diverged == 0 && stuck == 0; }
};

/** Prints the last line: {"extra":..,"crash_points":..,...,"stuck":..}. */
inline void printJson(const Counters &c, const QList<QPair<QString, QString>> &extra = {})
{
    QString line = QStringLiteral("{");
    for (const auto &[k, v] : extra)
        line += QStringLiteral("\"%1\":%2,").arg(k, v);
    line += QStringLiteral("\"crash_points\":%1,\"crash_runs\":%2,\"lost\":%3,\"duplicated\":%4,"
                           "\"diverged\":%5,\"stuck\":%6}")
                .arg(c.crashPoints)
                .arg(c.crashRuns)
                .arg(c.lost)
                .arg(c.duplicated)
                .arg(c.diverged)
                .arg(c.stuck);
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

/** --extended and --seed N, which every fault executable takes. */
struct Options
{
    bool extended = false;
    quint64 seed = 1;
};

inline Options parseCommon(QCommandLineParser &p, const QCoreApplication &app,
                           const QString &description)
{
    p.setApplicationDescription(description);
    p.addHelpOption();
    p.addOption({QStringLiteral("extended"), QStringLiteral("The full run (slow).")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."),
                 QStringLiteral("N"), QStringLiteral("1")});
    p.process(app);
    Options o;
    o.extended = p.isSet(QStringLiteral("extended"));
    o.seed = p.value(QStringLiteral("seed")).toULongLong();
    return o;
}

inline void say(const QString &s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
    std::fflush(stdout);
}

/** A fresh console cache of the platform's district (same seed), signed in and synced. */
inline bool makeClient(const QString &dir, const QUrl &url, quint64 seed, const QStringList &users)
{
    const Ended gen = cli(
        {QStringLiteral("demo"), QStringLiteral("generate"), QStringLiteral("--anchor"),
         QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"), QString::number(seed),
         QStringLiteral("--cases"), QStringLiteral("0"), QStringLiteral("--out"), dir});
    if (gen.rc != 0) {
        say(QStringLiteral("demo generate failed: ") + gen.err);
        return false;
    }
    for (const QString &user : users) {
        const Ended login =
            cli({QStringLiteral("--platform"), url.toString(), QStringLiteral("--data"), dir,
                 QStringLiteral("login"), QStringLiteral("--user"), user,
                 QStringLiteral("--password-stdin")},
                {}, "demo\n");
        if (login.rc != 0) {
            say(QStringLiteral("login failed: ") + login.err);
            return false;
        }
    }
    const Ended s = cli({QStringLiteral("--platform"), url.toString(), QStringLiteral("--data"),
                         dir, QStringLiteral("sync")});
    if (s.rc != 0)
        say(QStringLiteral("first sync failed: ") + s.err);
    return s.rc == 0;
}

} // namespace cityops::fault
