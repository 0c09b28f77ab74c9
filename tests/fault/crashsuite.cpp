// cityops-fault-crash: makes real cityops-cli and cityops-platform processes die at every named
// crash point (CITYOPS_CRASH_AT) and at random moments (SIGKILL), restarts them without the
// variable, syncs until the outbox is empty and compares the platform with a reference model of
// what the client saw saved. Prints a table per point and the fault-suite JSON line last.
#include "faultsupport.h"
#include "util/crashpoint.h"
#include "util/rng.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMutex>
#include <QSet>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <functional>

using namespace cityops;
using namespace cityops::fault;

namespace {

constexpr quint64 kDistrictSeed = 11;
constexpr int kSeedCases = 30;

/** Where a run makes the process die. */
enum class Stage
{
    None,
    Command, ///< cityops-cli case new or case do (chosen at random)
    Sync,    ///< cityops-cli sync
    Platform ///< cityops-platform while it serves the sync
};

struct PointPlan
{
    QString name;
    Stage stage = Stage::None;
    int maxHit = 1;        ///< hits per run: the run dies at a random one of them
    bool evidence = false; ///< the run attaches a file of two upload chunks
};

PointPlan planFor(const crashpoint::Point &p)
{
    PointPlan plan;
    plan.name = QLatin1String(p.name);
    if (plan.name.startsWith(QLatin1String("outbox.")))
        plan.stage = Stage::Command;
    else if (plan.name.startsWith(QLatin1String("sync.")))
        plan.stage = Stage::Sync;
    else
        plan.stage = Stage::Platform;
    for (const char *multi : {"sync.upload.chunk", "sync.results.mid", "sync.page.mid",
                              "platform.command.after", "platform.chunk.after"}) {
        if (plan.name == QLatin1String(multi))
            plan.maxHit = 2;
    }
    plan.evidence =
        plan.name.contains(QLatin1String("upload")) || plan.name.contains(QLatin1String("chunk"));
    return plan;
}

/** Per point: how many runs, how many of them died there, and what the checks found. */
struct Tally
{
    QString name;
    QString side;
    int runs = 0;
    int crashes = 0;
    Counters found;
    qint64 ms = 0;
};

Tally tally(const QString &name, const QString &side)
{
    Tally t;
    t.name = name;
    t.side = side;
    return t;
}

/** What the client had saved of one report and its register command. */
struct Pair
{
    QString desc;
    QString reportId;   ///< empty: the report was never saved locally
    QString registerId; ///< empty: register was never saved locally
};

/** A platform and one console cache using it; the platform's accepted commands are counted. */
struct Lane
{
    explicit Lane(quint64 seed) : rng(seed) {}
    Rng rng; ///< each lane runs on its own thread with its own random sequence
    Platform platform;
    QString platformDir;
    QString client;
    qint64 baseCommands = 0;
    qint64 saved = 0; ///< commands the client saw saved on this lane
};

class CrashSuite
{
public:
    CrashSuite(const Options &o, int runs, QStringList only)
        : m_opt(o), m_runs(runs), m_only(std::move(only)), m_clientLane(o.seed),
          m_platformLane(o.seed ^ 0x5bd1e995)
    {}

    int run();

private:
    bool setUp(Lane &lane, const QString &name);
    QStringList base(const Lane &lane) const
    {
        return {QStringLiteral("--platform"), lane.platform.url().toString(),
                QStringLiteral("--data"), lane.client};
    }
    /** cityops-cli case new with a unique description and party (no recurrence links). */
    QStringList reportArgs(const Lane &lane, const QString &desc, double lon, double lat) const
    {
        return base(lane) + QStringList{QStringLiteral("case"),       QStringLiteral("new"),
                                        QStringLiteral("--category"), QStringLiteral("E0401"),
                                        QStringLiteral("--lon"),      QString::number(lon, 'f', 6),
                                        QStringLiteral("--lat"),      QString::number(lat, 'f', 6),
                                        QStringLiteral("--desc"),     desc,
                                        QStringLiteral("--party"),    desc};
    }
    /** cityops-cli case do -- ID register (the id may be negative: a case filed offline). */
    QStringList registerArgs(const Lane &lane, const QString &id) const
    {
        return base(lane) + QStringList{QStringLiteral("case"),
                                        QStringLiteral("do"),
                                        QStringLiteral("--confirm"),
                                        QStringLiteral("--"),
                                        id,
                                        QStringLiteral("register")};
    }
    QString makeEvidence(Lane &lane);
    /** One run; returns whether the process died at the point (or was killed mid-burst). */
    bool runOnce(Lane &lane, const PointPlan &plan, int run, Tally *t);
    bool runSigkill(Lane &lane, bool killPlatform, int run, Tally *t);
    void recordSaved(Lane &lane, Pair *p);
    void recover(Lane &lane);
    void check(Lane &lane, const QList<Pair> &pairs, Tally *t);
    bool registryMatchesSources();

    Options m_opt;
    int m_runs;
    QStringList m_only;
    QTemporaryDir m_tmp;
    Lane m_clientLane;
    Lane m_platformLane;
    std::atomic<int> m_evidenceTag{0};
};

bool CrashSuite::setUp(Lane &lane, const QString &name)
{
    lane.platformDir = m_tmp.filePath(name + QStringLiteral("-platform"));
    lane.client = m_tmp.filePath(name + QStringLiteral("-client"));
    if (!lane.platform.start(lane.platformDir,
                             {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                              QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                              QString::number(kDistrictSeed), QStringLiteral("--cases"),
                              QString::number(kSeedCases)}))
        return false;
    if (!makeClient(lane.client, lane.platform.url(), kDistrictSeed, {QStringLiteral("operator1")}))
        return false;
    lane.baseCommands = number(lane.platform.databasePath(),
                               QStringLiteral("SELECT count(*) FROM applied_commands"));
    return lane.baseCommands >= 0;
}

QString CrashSuite::makeEvidence(Lane &lane)
{
    const int tag = ++m_evidenceTag;
    // Two upload chunks (the client sends 1 MiB at a time), unique so that it is never on the
    // platform already.
    const QString path = m_tmp.filePath(QStringLiteral("evidence-%1.bin").arg(tag));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    QByteArray bytes((1 << 20) + 4096, 'x');
    // A PDF by its first bytes: the platform takes JPEG, PNG, WebP and PDF (issue 18).
    const QByteArray stamp =
        "%PDF-1.4\n" + QByteArray::number(tag) + ':' + QByteArray::number(lane.rng.next());
    bytes.replace(0, stamp.size(), stamp);
    f.write(bytes);
    return path;
}

void CrashSuite::recordSaved(Lane &lane, Pair *p)
{
    const QString db = Database::pathInDir(lane.client);
    if (p->reportId.isEmpty()) {
        const auto r = rows(db,
                            QStringLiteral("SELECT command_id FROM outbox WHERE action = 'report' "
                                           "AND instr(body, ?) > 0"),
                            {p->desc});
        if (!r.isEmpty() && !r.first().first().startsWith(QLatin1String("error"))) {
            p->reportId = r.first().first();
            ++lane.saved;
        }
    }
    if (!p->reportId.isEmpty() && p->registerId.isEmpty()) {
        const auto r = rows(db,
                            QStringLiteral("SELECT command_id FROM outbox WHERE action = "
                                           "'register' AND case_ref = ?"),
                            {p->reportId});
        if (!r.isEmpty() && !r.first().first().startsWith(QLatin1String("error"))) {
            p->registerId = r.first().first();
            ++lane.saved;
        }
    }
}

void CrashSuite::recover(Lane &lane)
{
    if (!lane.platform.running())
        lane.platform.start(lane.platformDir);
    // No manual step: the same sync a user (or the console's engine) runs, a few times at most.
    for (int attempt = 0; attempt < 4; ++attempt) {
        const Ended s = cli(base(lane) + QStringList{QStringLiteral("sync")});
        if (s.rc == 0)
            return;
        if (!lane.platform.running())
            lane.platform.start(lane.platformDir);
    }
}

void CrashSuite::check(Lane &lane, const QList<Pair> &pairs, Tally *t)
{
    const QString pdb = lane.platform.databasePath();
    const QString cdb = Database::pathInDir(lane.client);
    Counters c;
    QStringList why;
    auto applied = [&](const QString &id) {
        return number(pdb,
                      QStringLiteral("SELECT count(*) FROM applied_commands WHERE id = ? AND "
                                     "status = 'applied'"),
                      {id}) == 1;
    };
    auto changesOf = [&](const QString &id) {
        return number(pdb, QStringLiteral("SELECT count(*) FROM changes WHERE command_id = ?"),
                      {id});
    };
    for (const Pair &p : pairs) {
        const auto cases =
            rows(pdb, QStringLiteral("SELECT id FROM cases WHERE description = ?"), {p.desc});
        const bool reportSaved = !p.reportId.isEmpty();
        if (reportSaved && (!applied(p.reportId) || cases.isEmpty())) {
            ++c.lost;
            why << QStringLiteral("report %1 lost").arg(p.reportId);
        }
        if (!reportSaved && !cases.isEmpty()) {
            ++c.diverged;
            why << QStringLiteral("a report never saved is on the platform: %1").arg(p.desc);
        }
        if (cases.size() > 1 || (reportSaved && changesOf(p.reportId) > 1)) {
            ++c.duplicated;
            why << QStringLiteral("report %1 applied %2 times").arg(p.reportId).arg(cases.size());
        }
        if (cases.isEmpty())
            continue;
        const qint64 registers =
            number(pdb,
                   QStringLiteral("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = "
                                  "'register'"),
                   {cases.first().first()});
        if (!p.registerId.isEmpty()) {
            if (!applied(p.registerId) || registers < 1) {
                ++c.lost;
                why << QStringLiteral("register %1 lost").arg(p.registerId);
            }
            if (registers > 1 || changesOf(p.registerId) > 1) {
                ++c.duplicated;
                why << QStringLiteral("register %1 applied %2 times")
                           .arg(p.registerId)
                           .arg(registers);
            }
        } else if (registers != 0) {
            ++c.diverged;
            why << QStringLiteral("a register never saved is on the platform (case %1)")
                       .arg(cases.first().first());
        }
    }
    // The platform accepted exactly what the client saved, nothing else.
    const qint64 accepted = number(pdb, QStringLiteral("SELECT count(*) FROM applied_commands"));
    if (c.clean() && accepted != lane.baseCommands + lane.saved) {
        ++c.diverged;
        why << QStringLiteral("the platform holds %1 commands, the client saved %2")
                   .arg(accepted - lane.baseCommands)
                   .arg(lane.saved);
    }
    const qint64 outbox = number(cdb, QStringLiteral("SELECT count(*) FROM outbox"));
    if (outbox != 0) {
        ++c.stuck;
        why << QStringLiteral("%1 commands stuck in the outbox").arg(outbox);
    }
    const QString cases =
        QStringLiteral("SELECT id, state, stage, version, hex(chain_head) FROM cases ORDER BY id");
    const QString events = QStringLiteral(
        "SELECT case_id, seq, kind, hex(prev_hash), provisional FROM case_events ORDER BY "
        "case_id, seq");
    if (rows(cdb, cases) != rows(pdb, cases) || rows(cdb, events) != rows(pdb, events)) {
        ++c.diverged;
        why << QStringLiteral("the client's cache differs from the platform");
    }
    if (!why.isEmpty())
        say(QStringLiteral("  %1: %2").arg(t->name, why.join(QStringLiteral("; "))));
    t->found.lost += c.lost;
    t->found.duplicated += c.duplicated;
    t->found.diverged += c.diverged;
    t->found.stuck += c.stuck;
    // Start the next run from a clean lane even after a failure, so one bug is counted once.
    lane.saved =
        number(pdb, QStringLiteral("SELECT count(*) FROM applied_commands")) - lane.baseCommands;
}

bool CrashSuite::runOnce(Lane &lane, const PointPlan &plan, int run, Tally *t)
{
    const int hit = 1 + int(lane.rng.below(plan.maxHit));
    const QMap<QString, QString> armed{
        {QStringLiteral("CITYOPS_CRASH_AT"), QStringLiteral("%1:%2").arg(plan.name).arg(hit)}};
    bool died = false;
    Pair p;
    p.desc = QStringLiteral("fault %1 run %2 seed %3").arg(plan.name).arg(run).arg(m_opt.seed);
    const bool crashNew = plan.stage == Stage::Command && lane.rng.chance(0.5);
    QStringList report = reportArgs(lane, p.desc, 121.44 + 1e-5 * run, 31.22);
    if (plan.evidence)
        report << QStringLiteral("--evidence") << makeEvidence(lane);
    const Ended made = cli(report, crashNew ? armed : QMap<QString, QString>{});
    died = died || made.crashed();
    recordSaved(lane, &p);
    if (made.rc == 0) {
        const bool crashDo = plan.stage == Stage::Command && !crashNew;
        const Ended reg =
            cli(registerArgs(lane, made.out.trimmed()), crashDo ? armed : QMap<QString, QString>{});
        died = died || reg.crashed();
        recordSaved(lane, &p);
        if (reg.rc != 0 && !reg.crashed()) {
            // The script's own commands are valid: a refusal here is a finding, not noise.
            say(QStringLiteral("  %1: case do failed: %2").arg(plan.name, reg.err));
            ++t->found.diverged;
        }
    }
    if (plan.stage == Stage::Platform) {
        lane.platform.stop();
        lane.platform.start(lane.platformDir, {}, armed);
    }
    const Ended s = cli(base(lane) + QStringList{QStringLiteral("sync")},
                        plan.stage == Stage::Sync ? armed : QMap<QString, QString>{});
    died = died || s.crashed();
    if (plan.stage == Stage::Platform) {
        const Ended e = lane.platform.running() ? lane.platform.waitEnded(2000) : Ended{};
        died = died || e.crashed();
        lane.platform.stop();
        lane.platform.start(lane.platformDir);
    }
    recover(lane);
    check(lane, {p}, t);
    return died;
}

bool CrashSuite::runSigkill(Lane &lane, bool killPlatform, int run, Tally *t)
{
    // A burst of two reports with their register commands and a sync; SIGKILL at a random moment.
    const int killAt = int(lane.rng.below(killPlatform ? 200 : 900));
    QElapsedTimer clock;
    clock.start();
    bool killed = false;
    QList<Pair> pairs;
    auto budget = [&] {
        return killPlatform ? -1 : std::max<int>(0, killAt - int(clock.elapsed()));
    };
    for (int i = 0; i < 2 && !killed; ++i) {
        Pair p;
        p.desc = QStringLiteral("fault sigkill.%1 run %2.%3 seed %4")
                     .arg(killPlatform ? QStringLiteral("platform") : QStringLiteral("cli"))
                     .arg(run)
                     .arg(i)
                     .arg(m_opt.seed);
        const Ended made =
            cli(reportArgs(lane, p.desc, 121.46 + 1e-5 * run, 31.23 + 1e-3 * i), {}, {}, budget());
        killed = made.signal;
        recordSaved(lane, &p);
        if (made.rc == 0) {
            const Ended reg = cli(registerArgs(lane, made.out.trimmed()), {}, {}, budget());
            killed = killed || reg.signal;
            recordSaved(lane, &p);
        }
        pairs << p;
    }
    if (!killed && !killPlatform) {
        killed = cli(base(lane) + QStringList{QStringLiteral("sync")}, {}, {}, budget()).signal;
    } else if (killPlatform) {
        QProcess sync;
        sync.setProcessEnvironment(environment({}));
        sync.start(QStringLiteral(CITYOPS_CLI_BIN),
                   base(lane) + QStringList{QStringLiteral("sync")});
        sync.waitForStarted(30000);
        if (!sync.waitForFinished(killAt)) {
            lane.platform.kill();
            killed = true;
        }
        sync.waitForFinished(120000);
    }
    recover(lane);
    check(lane, pairs, t);
    return killed;
}

bool CrashSuite::registryMatchesSources()
{
    QSet<QString> registered, used;
    for (const crashpoint::Point &p : crashpoint::all())
        registered << QLatin1String(p.name);
    static const QRegularExpression re(QStringLiteral("CITYOPS_CRASH_POINT\\(\"([^\"]+)\"\\)"));
    for (const char *dir : {"models", "server", "app", "ui"}) {
        QDirIterator it(QStringLiteral(CITYOPS_SOURCE_DIR "/") + QLatin1String(dir),
                        {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (!f.open(QIODevice::ReadOnly))
                continue;
            for (const auto &m : re.globalMatch(QString::fromUtf8(f.readAll())))
                used << m.captured(1);
        }
    }
    const QSet<QString> unplaced = registered - used, unknown = used - registered;
    if (!unplaced.isEmpty())
        say(QStringLiteral("registered but never placed: ") + unplaced.values().join(u' '));
    if (!unknown.isEmpty())
        say(QStringLiteral("placed but not registered: ") + unknown.values().join(u' '));
    return unplaced.isEmpty() && unknown.isEmpty() && registered.size() >= 12;
}

int CrashSuite::run()
{
    QElapsedTimer total;
    total.start();
    Counters sum;
    if (!registryMatchesSources()) {
        sum.diverged = 1;
        printJson(sum);
        return 1;
    }
    QList<Tally> tallies;
    QStringList neverFired;
    auto wanted = [&](const QString &name) {
        return m_only.isEmpty() || m_only.contains(name);
    };
    auto row = [](const QString &name, const QString &side, const QString &runs,
                  const QString &crashed, const QString &lost, const QString &dup,
                  const QString &diverged, const QString &stuck, const QString &ms) {
        say(QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9")
                .arg(name, -26)
                .arg(side, -8)
                .arg(runs, 5)
                .arg(crashed, 7)
                .arg(lost, 4)
                .arg(dup, 4)
                .arg(diverged, 8)
                .arg(stuck, 5)
                .arg(ms, 6));
    };
    using Once = std::function<bool(int, Tally *)>;
    QMutex mutex;
    auto loop = [&](Tally t, const Once &once) {
        QElapsedTimer timer;
        timer.start();
        // Runs until the point fired `m_runs` times (at most three times as many attempts: a
        // point hit twice per run may be asked to die at a hit that does not come).
        for (int run = 0; t.crashes < m_runs && run < 3 * m_runs; ++run) {
            ++t.runs;
            if (once(run, &t))
                ++t.crashes;
        }
        t.ms = timer.elapsed();
        QMutexLocker lock(&mutex);
        if (t.crashes < m_runs)
            neverFired << QStringLiteral("%1 (%2 of %3)").arg(t.name).arg(t.crashes).arg(m_runs);
        tallies << t;
        say(QStringLiteral("done: %1 (%2 runs, %3 s)").arg(t.name).arg(t.runs).arg(t.ms / 1000));
    };
    // The two lanes share nothing (own platform, cache and random sequence): one thread each.
    QList<std::pair<Tally, Once>> clientJobs, platformJobs;
    for (const crashpoint::Point &p : crashpoint::all()) {
        const PointPlan plan = planFor(p);
        if (!wanted(plan.name))
            continue;
        const bool onPlatform = plan.stage == Stage::Platform;
        Lane &lane = onPlatform ? m_platformLane : m_clientLane;
        (onPlatform ? platformJobs : clientJobs)
            .emplaceBack(tally(plan.name, QLatin1String(p.side)),
                         Once([this, &lane, plan](int run, Tally *t) {
                             return runOnce(lane, plan, run, t);
                         }));
    }
    for (const bool platform : {false, true}) {
        const QString name =
            platform ? QStringLiteral("sigkill.platform") : QStringLiteral("sigkill.cli");
        if (!wanted(name))
            continue;
        Lane &lane = platform ? m_platformLane : m_clientLane;
        (platform ? platformJobs : clientJobs)
            .emplaceBack(
                tally(name, platform ? QStringLiteral("platform") : QStringLiteral("client")),
                Once([this, &lane, platform](int run, Tally *t) {
                    return runSigkill(lane, platform, run, t);
                }));
    }
    // A lane is set up on the thread that runs it: its QProcess objects belong to that thread.
    bool setUpFailed = false;
    auto runLane = [&](Lane &lane, const QString &name, const QList<std::pair<Tally, Once>> &jobs) {
        if (jobs.isEmpty())
            return;
        if (!setUp(lane, name)) {
            QMutexLocker lock(&mutex);
            setUpFailed = true;
            return;
        }
        for (const auto &[t, once] : jobs)
            loop(t, once);
        lane.platform.stop();
    };
    std::unique_ptr<QThread> other(QThread::create(
        [&] { runLane(m_platformLane, QStringLiteral("platform"), platformJobs); }));
    other->start();
    runLane(m_clientLane, QStringLiteral("clients"), clientJobs);
    other->wait();
    if (setUpFailed) {
        say(QStringLiteral("cannot set up a platform and its client"));
        sum.stuck = 1;
        printJson(sum);
        return 1;
    }
    // The table in the registry's order.
    QStringList order;
    for (const crashpoint::Point &p : crashpoint::all())
        order << QLatin1String(p.name);
    order << QStringLiteral("sigkill.cli") << QStringLiteral("sigkill.platform");
    std::sort(tallies.begin(), tallies.end(), [&](const Tally &a, const Tally &b) {
        return order.indexOf(a.name) < order.indexOf(b.name);
    });
    row(QStringLiteral("point"), QStringLiteral("side"), QStringLiteral("runs"),
        QStringLiteral("crashed"), QStringLiteral("lost"), QStringLiteral("dup"),
        QStringLiteral("diverged"), QStringLiteral("stuck"), QStringLiteral("ms/run"));
    for (const Tally &t : std::as_const(tallies)) {
        const auto n = [](qint64 v) {
            return QString::number(v);
        };
        row(t.name, t.side, n(t.runs), n(t.crashes), n(t.found.lost), n(t.found.duplicated),
            n(t.found.diverged), n(t.found.stuck), n(t.runs ? t.ms / t.runs : 0));
    }
    int points = 0;
    for (const Tally &t : std::as_const(tallies)) {
        points += t.name.startsWith(QLatin1String("sigkill.")) ? 0 : 1;
        sum.crashRuns += t.crashes;
        sum.lost += t.found.lost;
        sum.duplicated += t.found.duplicated;
        sum.diverged += t.found.diverged;
        sum.stuck += t.found.stuck;
    }
    sum.crashPoints = points;
    const bool enough = neverFired.isEmpty();
    if (!enough)
        say(QStringLiteral("too few crashes at: ") + neverFired.join(QStringLiteral(", ")));
    say(QStringLiteral("%1 runs in %2 s")
            .arg(sum.crashRuns)
            .arg(total.elapsed() / 1000.0, 0, 'f', 1));
    printJson(sum, {{QStringLiteral("runs_per_point"), QString::number(m_runs)},
                    {QStringLiteral("seconds"), QString::number(total.elapsed() / 1000)}});
    return sum.clean() && enough ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOption({QStringLiteral("runs"),
                 QStringLiteral("Crashes per point (default 30; --extended 1000)."),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("points"),
                 QStringLiteral("Only these points (comma-separated names, sigkill.cli and "
                                "sigkill.platform included)."),
                 QStringLiteral("NAMES")});
    const Options o = parseCommon(
        p, app,
        QStringLiteral("Kills cityops-cli and cityops-platform at every crash point and at random "
                       "moments, recovers and checks that no command is lost or duplicated."));
    const int runs = p.isSet(QStringLiteral("runs")) ? p.value(QStringLiteral("runs")).toInt()
                                                     : (o.extended ? 1000 : 30);
    QStringList only;
    if (p.isSet(QStringLiteral("points")))
        only = p.value(QStringLiteral("points")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    CrashSuite suite(o, std::max(1, runs), only);
    return suite.run();
}
