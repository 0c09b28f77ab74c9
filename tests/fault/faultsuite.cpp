// cityops-fault-suite: runs every fault executable it finds next to itself, reads the last JSON
// line of each, adds in the fuzzing summary, prints a table and one final JSON line:
// {"crash_points":..,"crash_runs":..,"lost":0,"duplicated":0,"diverged":0,"stuck":0,
//  "fuzz_execs":..,"fuzz_crashes":0}
// Contract for a child: it takes --extended and --seed N; its last stdout line is a JSON object
// with any of crash_points, crash_runs, lost, duplicated, diverged, stuck (missing = 0); it exits
// 0 when clean.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>

namespace {

struct Child
{
    QString name;          ///< short name for --only and the table
    QStringList files;     ///< executable names, the first that exists is run
    bool takesSeed = true; ///< false: a Qt Test executable, which takes no --seed / --extended
    QStringList quick;     ///< the child's arguments for --quick: every path, fewer repetitions
};

const QList<Child> &children()
{
    static const QList<Child> list{
        {QStringLiteral("crash"),
         {QStringLiteral("cityops-fault-crash")},
         true,
         {QStringLiteral("--runs"), QStringLiteral("2")}},
        {QStringLiteral("clock"), {QStringLiteral("cityops-fault-clock")}, true, {}},
        {QStringLiteral("outage"),
         {QStringLiteral("cityops-fault-outage")},
         true,
         {QStringLiteral("--commands"), QStringLiteral("200")}},
        {QStringLiteral("network"),
         {QStringLiteral("cityops-fault-network"), QStringLiteral("tst_network_faults")},
         true,
         {QStringLiteral("--seconds"), QStringLiteral("10")}},
        {QStringLiteral("histories"),
         {QStringLiteral("cityops-fault-histories")},
         true,
         {QStringLiteral("--histories"), QStringLiteral("20")}},
        {QStringLiteral("storage"), {QStringLiteral("tst_storage_faults")}, false, {}},
    };
    return list;
}

const char *const kKeys[] = {"crash_points", "crash_runs", "lost",
                             "duplicated",   "diverged",   "stuck"};

void print(const QString &s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
    std::fflush(stdout);
}

QString row(const QStringList &cells)
{
    static const int widths[] = {-10, -9, 7, 7, 8, 5, 10, 9, 6, 0};
    QString out;
    for (qsizetype i = 0; i < cells.size(); ++i)
        out += QStringLiteral("%1 ").arg(cells.at(i), widths[std::min<qsizetype>(i, 9)]);
    return out.trimmed();
}

/** The last line of the output that is a JSON object. */
std::optional<QJsonObject> lastJson(const QByteArray &out)
{
    const QList<QByteArray> lines = out.trimmed().split('\n');
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const QByteArray line = it->trimmed();
        if (line.isEmpty())
            continue;
        QJsonParseError e;
        const QJsonDocument d = QJsonDocument::fromJson(line, &e);
        if (e.error == QJsonParseError::NoError && d.isObject())
            return d.object();
        return std::nullopt; // the last line must be it
    }
    return std::nullopt;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Runs the CityOps fault executables (crash points, clock skew, long outage, network, "
        "concurrent histories, storage) and prints their summary and one JSON line."));
    p.addHelpOption();
    p.addOption({QStringLiteral("extended"), QStringLiteral("The full (slow) runs.")});
    p.addOption({QStringLiteral("jobs"),
                 QStringLiteral("Children run at the same time (default 2)."), QStringLiteral("N"),
                 QStringLiteral("2")});
    p.addOption(
        {QStringLiteral("quick"),
         QStringLiteral("Every fault path with fewer repetitions (2 crashes per point, "
                        "200 queued commands, 10 s of network faults, 20 histories): the "
                        "run of the sanitizer build, whose code is several times slower.")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."),
                 QStringLiteral("N"), QStringLiteral("1")});
    p.addOption({QStringLiteral("only"),
                 QStringLiteral("Run only this child (crash, clock, outage, network, histories, "
                                "storage or an executable name); repeatable."),
                 QStringLiteral("NAME")});
    p.addOption({QStringLiteral("fuzz-summary"),
                 QStringLiteral("The fuzzing summary JSON (default: the newer of build-asan/ and "
                                "build-fuzz/fuzz-summary.json in the source tree)."),
                 QStringLiteral("FILE")});
    p.process(app);
    const QStringList only = p.values(QStringLiteral("only"));
    const QDir here(QCoreApplication::applicationDirPath());
    QStringList childArgs{QStringLiteral("--seed"), p.value(QStringLiteral("seed"))};
    if (p.isSet(QStringLiteral("extended")))
        childArgs << QStringLiteral("--extended");
    const bool quick = p.isSet(QStringLiteral("quick")) && !p.isSet(QStringLiteral("extended"));

    QElapsedTimer total;
    total.start();
    qint64 sums[std::size(kKeys)] = {};
    bool failed = false;
    print(row({QStringLiteral("child"), QStringLiteral("result"), QStringLiteral("points"),
               QStringLiteral("runs"), QStringLiteral("lost"), QStringLiteral("dup"),
               QStringLiteral("diverged"), QStringLiteral("stuck"), QStringLiteral("s"),
               QStringLiteral("executable")}));
    // The children to run, the longest (crash) first; --jobs of them at a time.
    struct Job
    {
        const Child *child;
        QString file;
    };
    QList<Job> queue;
    for (const Child &child : children()) {
        const bool wanted = only.isEmpty() || only.contains(child.name) ||
                            std::any_of(child.files.begin(), child.files.end(),
                                        [&](const QString &f) { return only.contains(f); });
        if (!wanted)
            continue;
        QString file;
        for (const QString &f : child.files) {
            if (file.isEmpty() && QFileInfo(here.filePath(f)).isExecutable())
                file = f;
        }
        if (file.isEmpty()) {
            QStringList cells{child.name, QStringLiteral("not built")};
            while (cells.size() < 9)
                cells << QString();
            print(row(cells << child.files.join(QStringLiteral(" / "))));
            continue;
        }
        queue << Job{&child, file};
    }
    const int jobs = std::max(1, p.value(QStringLiteral("jobs")).toInt());
    int running = 0;
    QEventLoop loop;
    // One child's line of the table, its figures added to the sums.
    const auto report = [&](const Job &job, QProcess *proc, qint64 ms) {
        const QByteArray out = proc->readAllStandardOutput();
        const QByteArray err = proc->readAllStandardError();
        const bool exited =
            proc->error() != QProcess::FailedToStart && proc->exitStatus() == QProcess::NormalExit;
        const auto json = lastJson(out);
        qint64 values[std::size(kKeys)] = {};
        if (json) {
            for (size_t i = 0; i < std::size(kKeys); ++i) {
                values[i] = qint64(json->value(QLatin1String(kKeys[i])).toDouble());
                sums[i] += values[i];
            }
        }
        const bool ok = exited && proc->exitCode() == 0 && json;
        if (!ok) {
            failed = true;
            // The child's own words explain the failure; keep them in the log.
            std::fprintf(stderr, "--- %s (exit %d) output:\n%s\n%s\n", qPrintable(job.file),
                         exited ? proc->exitCode() : -1, out.constData(), err.constData());
        }
        QStringList cells{job.child->name, ok     ? QStringLiteral("ok")
                                           : json ? QStringLiteral("FAILED")
                                                  : QStringLiteral("NO JSON")};
        for (const qint64 v : values)
            cells << QString::number(v);
        cells << QString::number(ms / 1000.0, 'f', 1) << job.file;
        print(row(cells));
    };
    std::function<void()> startMore = [&] {
        while (running < jobs && !queue.isEmpty()) {
            const Job job = queue.takeFirst();
            auto *proc = new QProcess(&loop);
            auto t = std::make_shared<QElapsedTimer>();
            proc->setProcessChannelMode(QProcess::SeparateChannels);
            proc->setProcessEnvironment(QProcessEnvironment::systemEnvironment());
            // finished(), or errorOccurred(FailedToStart) without a finished(): once.
            const auto done = [&, job, proc, t] {
                if (proc->property("reported").toBool())
                    return;
                proc->setProperty("reported", true);
                report(job, proc, t->elapsed());
                proc->deleteLater();
                --running;
                startMore();
            };
            QObject::connect(proc, &QProcess::finished, &loop, done);
            QObject::connect(proc, &QProcess::errorOccurred, &loop,
                             [done](QProcess::ProcessError e) {
                                 if (e == QProcess::FailedToStart)
                                     done();
                             });
            ++running;
            t->start();
            proc->start(here.filePath(job.file),
                        job.child->takesSeed
                            ? childArgs + (quick ? job.child->quick : QStringList())
                            : QStringList());
        }
        if (running == 0)
            loop.quit();
    };
    QMetaObject::invokeMethod(&loop, startMore, Qt::QueuedConnection);
    loop.exec();

    // Fuzzing runs elsewhere (scripts/fuzz); its summary is read when it exists.
    qint64 fuzzExecs = 0, fuzzCrashes = 0;
    QString fuzzFile = p.value(QStringLiteral("fuzz-summary"));
    if (!p.isSet(QStringLiteral("fuzz-summary"))) {
        // The newer of the sanitizer build's (CI fuzzes there) and scripts/fuzz's default.
        QFileInfo newest(QStringLiteral(CITYOPS_SOURCE_DIR "/build-asan/fuzz-summary.json"));
        const QFileInfo other(QStringLiteral(CITYOPS_SOURCE_DIR "/build-fuzz/fuzz-summary.json"));
        if (other.exists() && (!newest.exists() || other.lastModified() > newest.lastModified()))
            newest = other;
        fuzzFile = newest.filePath();
    }
    QFile fuzz(fuzzFile);
    if (fuzz.open(QIODevice::ReadOnly)) {
        const QJsonObject o = QJsonDocument::fromJson(fuzz.readAll()).object();
        fuzzExecs = qint64(o.value(QLatin1String("fuzz_execs")).toDouble());
        fuzzCrashes = qint64(o.value(QLatin1String("fuzz_crashes")).toDouble());
        print(QStringLiteral("fuzzing: %1 execs, %2 crashes (%3)")
                  .arg(fuzzExecs)
                  .arg(fuzzCrashes)
                  .arg(fuzzFile));
    } else {
        print(QStringLiteral("fuzzing: no summary at %1 (run scripts/fuzz)").arg(fuzzFile));
        if (p.isSet(QStringLiteral("fuzz-summary")))
            failed = true;
    }
    for (size_t i = 2; i < std::size(kKeys); ++i)
        failed = failed || sums[i] != 0;
    failed = failed || fuzzCrashes != 0;
    print(QStringLiteral("total %1 s").arg(total.elapsed() / 1000.0, 0, 'f', 1));
    // Exactly these keys in this order (QJsonObject would sort them).
    print(QStringLiteral("{\"crash_points\":%1,\"crash_runs\":%2,\"lost\":%3,\"duplicated\":%4,"
                         "\"diverged\":%5,\"stuck\":%6,\"fuzz_execs\":%7,\"fuzz_crashes\":%8}")
              .arg(sums[0])
              .arg(sums[1])
              .arg(sums[2])
              .arg(sums[3])
              .arg(sums[4])
              .arg(sums[5])
              .arg(fuzzExecs)
              .arg(fuzzCrashes));
    return failed ? 1 : 0;
}
