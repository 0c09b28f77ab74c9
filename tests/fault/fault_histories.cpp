// cityops-fault-histories: a seeded property test of concurrent histories. The platform's service
// (PlatformService with its own store, behind the production HttpAdapter on 127.0.0.1) and a pool
// of ten console caches with production SyncEngines run in this process. Each history picks 2-10
// consoles, files and advances a few cases, then lets the consoles build commands optimistically
// on their own caches and sync in a seeded random interleaving, and finally drains every outbox.
// After each history the workflow invariants must hold on the platform, every command must be
// applied once or rejected and shown to the console that sent it, and every console that took
// part must equal the platform. Prints a summary and, last, one JSON line; exits 0 when clean.
//
//   cityops-fault-histories [--extended] [--seed N] [--histories N]

#include "demo/demogenerator.h"
#include "httpadapter.h"
#include "platformadmin.h"
#include "platformservice.h"
#include "storage/database.h"
#include "storage/evidencestore.h"
#include "storage/syncstore.h"
#include "sync/syncengine.h"
#include "testsupport.h"
#include "workflow/workflow.h"
#include "workload.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace cityops;
using namespace cityops::test;

namespace {

constexpr quint64 kDistrictSeed = 11;
constexpr int kDistrictCases = 20;

/** A console of the pool: its engine (used synchronously, as the CLI does) and its cache. */
struct Console
{
    std::unique_ptr<SyncEngine> engine;
    std::unique_ptr<ClientCache> cache;
};

/** Where the platform filed the cases of these report commands. */
QList<CaseId> filedCases(Database &platform, const QStringList &reportIds)
{
    QList<CaseId> out;
    QSqlQuery q(platform.sql());
    q.prepare(
        QStringLiteral("SELECT case_id FROM applied_commands WHERE id = ? AND status = 'applied'"));
    for (const QString &id : reportIds) {
        q.addBindValue(id);
        if (q.exec() && q.next())
            out << q.value(0).toLongLong();
    }
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOption({QStringLiteral("extended"), QStringLiteral("The full run: 10,000 histories.")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("The first history's seed."),
                 QStringLiteral("N"), QStringLiteral("1")});
    p.addOption(
        {QStringLiteral("histories"), QStringLiteral("How many histories."), QStringLiteral("N")});
    p.addHelpOption();
    p.process(app);
    const bool extended = p.isSet(QStringLiteral("extended"));
    const quint64 seed = p.value(QStringLiteral("seed")).toULongLong();
    const int histories = p.isSet(QStringLiteral("histories"))
                              ? p.value(QStringLiteral("histories")).toInt()
                              : (extended ? 10000 : 500);
    QElapsedTimer total;
    total.start();

    // Storage on tmpfs when there is one: the same code, without a disk's fsync per commit.
    const QString base = QFileInfo(QStringLiteral("/dev/shm")).isWritable()
                             ? QStringLiteral("/dev/shm/cityops-histories-XXXXXX")
                             : QDir::temp().filePath(QStringLiteral("cityops-histories-XXXXXX"));
    QTemporaryDir tmp(base);
    const QString pdir = tmp.filePath(QStringLiteral("platform"));
    DemoOptions demo;
    demo.seed = kDistrictSeed;
    demo.cases = kDistrictCases;
    if (const auto seeded = platform::PlatformAdmin::seedDemo(pdir, demo); !seeded) {
        say(seeded.error());
        return 1;
    }
    platform::PlatformService::Options options;
    options.dataDir = pdir;
    auto service = platform::PlatformService::open(options);
    if (!service) {
        say(service.error());
        return 1;
    }
    platform::PlatformService *svc = service->get();
    if (const auto made = platform::PlatformAdmin::ensureDemoAccounts(
            svc->store(), QDateTime::currentMSecsSinceEpoch());
        !made) {
        say(made.error());
        return 1;
    }
    // Sync, not jurisdictions, is under test here (see widenScopes in faultsupport.h).
    for (const char *user : {"field1", "enforcer1"}) {
        if (Status st = platform::PlatformAdmin::setScope(svc->store(), QLatin1String(user), {},
                                                          QStringLiteral("district"),
                                                          QDateTime::currentMSecsSinceEpoch());
            !st) {
            say(st.error());
            return 1;
        }
    }
    platform::HttpAdapter adapter(
        [svc](const platform::HttpRequest &r, platform::HttpReply reply) { svc->handle(r, reply); },
        sync::kMaxBodyBytes);
    const auto port = adapter.listen(QHostAddress::LocalHost, 0);
    if (!port) {
        say(port.error());
        return 1;
    }
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(*port));
    Database &platformDb = svc->store().database();

    // The pool: ten consoles on the district, signed in and synced.
    const QString photo = writePhoto(tmp.path());
    Workload work;
    work.reportShare = 0.05;
    std::vector<Console> pool(kConsoleUsers.size());
    for (int i = 0; i < kConsoleUsers.size(); ++i) {
        const QString dir = tmp.filePath(QStringLiteral("console%1").arg(i));
        auto cache =
            prepareConsole(dir, kConsoleUsers.at(i), url, kDistrictSeed, photo, &work.photoSha);
        if (!cache) {
            say(cache.error());
            return 1;
        }
        Console &c = pool.at(i);
        c.cache = std::move(cache).value();
        c.engine = std::make_unique<SyncEngine>(dir, url);
        if (const SyncReport r = c.engine->syncOnce(); !r.error.isEmpty()) {
            say(r.error);
            return 1;
        }
    }
    for (const QString &user : {QStringLiteral("field1"), QStringLiteral("enforcer1")})
        work.assignees << pool.at(kConsoleUsers.indexOf(user)).cache->actor.person;
    QList<ClientCache *> caches;
    for (const Console &c : pool)
        caches << c.cache.get();
    say(QStringLiteral("platform on %1, %2 consoles ready in %3 ms; %4 histories from seed %5")
            .arg(url.toString())
            .arg(pool.size())
            .arg(total.elapsed())
            .arg(histories)
            .arg(seed));

    qint64 now = QDateTime::currentMSecsSinceEpoch();
    int commands = 0, applied = 0, rejected = 0, lost = 0, duplicated = 0, stuck = 0;
    int diverged = 0, violations = 0, failedHistories = 0, syncErrors = 0;
    QStringList firstProblems;
    QMap<QString, int> actions;
    for (int h = 0; h < histories; ++h) {
        Rng rng(seed * 1000003ULL + quint64(h));
        QList<int> order;
        for (int i = 0; i < int(pool.size()); ++i)
            order << i;
        for (int i = int(order.size()) - 1; i > 0; --i)
            order.swapItemsAt(i, int(rng.below(i + 1)));
        const QList<int> part = order.mid(0, int(rng.between(2, qint64(pool.size()))));
        QList<Tracked> tracked;
        QStringList reports;
        auto syncConsole = [&](int i) {
            const SyncReport r = pool.at(i).engine->syncOnce();
            if (!r.error.isEmpty() && firstProblems.size() < 20) {
                ++syncErrors;
                firstProblems
                    << QStringLiteral("history %1 console %2: %3").arg(h).arg(i).arg(r.error);
            }
        };
        auto act = [&](int i, const QList<CaseId> &cases, double reportShare) {
            Workload w = work;
            w.reportShare = reportShare;
            const Made m = randomCommand(*pool.at(i).cache, w, rng, cases, ++now);
            if (m.commandId.isEmpty())
                return;
            tracked.append({i, m.commandId, m.action});
            ++actions[m.action];
            if (m.action == QLatin1String("report"))
                reports << m.commandId;
        };

        // Setup: one console files 1-3 cases; a few sequential steps move them along.
        const int reporter = part.first();
        const int filed = int(rng.between(1, 3));
        for (int k = 0; k < filed; ++k)
            act(reporter, {}, 1.0);
        syncConsole(reporter);
        QList<CaseId> cases = filedCases(platformDb, reports);
        const int warmUp = int(rng.between(0, 14));
        for (int k = 0; k < warmUp && !cases.isEmpty(); ++k) {
            const int i = part.at(int(rng.below(part.size())));
            syncConsole(i);
            act(i, cases, 0.0);
            syncConsole(i);
        }
        for (int i : part)
            syncConsole(i);

        // Concurrency: optimistic commands on stale caches, syncs in a seeded interleaving.
        const int steps = int(rng.between(part.size(), 4 * part.size()));
        for (int k = 0; k < steps; ++k) {
            const int i = part.at(int(rng.below(part.size())));
            if (rng.chance(0.65))
                act(i, cases, 0.05);
            else
                syncConsole(i);
        }
        // Drain: push everything, then let everyone pull the final state.
        for (int round = 0; round < 3; ++round) {
            QList<int> shuffled = part;
            for (int i = int(shuffled.size()) - 1; i > 0; --i)
                shuffled.swapItemsAt(i, int(rng.below(i + 1)));
            for (int i : shuffled)
                syncConsole(i);
        }

        // Checks.
        cases = filedCases(platformDb, reports) + cases;
        std::sort(cases.begin(), cases.end());
        cases.erase(std::unique(cases.begin(), cases.end()), cases.end());
        const Accounting acc = account(platformDb, tracked, caches);
        const QStringList broken =
            checkInvariants(platformDb, *pool.front().cache->workflow, cases);
        const QStringList truth = caseLines(platformDb, cases);
        int differing = 0;
        for (int i : part) {
            if (caseLines(*pool.at(i).cache->db, cases) != truth)
                ++differing;
        }
        commands += int(tracked.size());
        applied += acc.applied;
        rejected += acc.rejected;
        lost += acc.lost;
        duplicated += acc.duplicated;
        stuck += acc.stuck;
        diverged += differing;
        violations += int(broken.size());
        if (acc.lost || acc.duplicated || acc.stuck || differing || !broken.isEmpty()) {
            ++failedHistories;
            for (const QString &line : acc.problems + broken) {
                if (firstProblems.size() < 20)
                    firstProblems << QStringLiteral("history %1: %2").arg(h).arg(line);
            }
            if (differing && firstProblems.size() < 20)
                firstProblems << QStringLiteral("history %1: %2 consoles differ from the platform")
                                     .arg(h)
                                     .arg(differing);
        }
        // The operator acknowledges the rejections (the Sync panel's Discard).
        for (int i : part) {
            for (const OutboxEntry &e : pool.at(i).cache->store->rejected())
                (void)pool.at(i).cache->store->discard(e.commandId);
        }
        if ((h + 1) % 100 == 0)
            say(QStringLiteral("%1 histories, %2 commands, %3 s")
                    .arg(h + 1)
                    .arg(commands)
                    .arg(total.elapsed() / 1000.0, 0, 'f', 1));
    }

    for (const QString &line : firstProblems)
        say(QStringLiteral("  ") + line);
    QStringList mix;
    for (auto it = actions.cbegin(); it != actions.cend(); ++it)
        mix << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
    say(QStringLiteral("commands by action: ") + mix.join(QStringLiteral(", ")));
    say(QStringLiteral("%1 histories (%2 failed), %3 commands: %4 applied, %5 rejected and shown "
                       "to their console; lost %6, duplicated %7, stuck %8, diverged %9, "
                       "invariant violations %10, sync errors %11; %12 s")
            .arg(histories)
            .arg(failedHistories)
            .arg(commands)
            .arg(applied)
            .arg(rejected)
            .arg(lost)
            .arg(duplicated)
            .arg(stuck)
            .arg(diverged)
            .arg(violations)
            .arg(syncErrors)
            .arg(total.elapsed() / 1000.0, 0, 'f', 1));
    const QJsonObject json{
        {QStringLiteral("test"), QStringLiteral("fault-histories")},
        {QStringLiteral("seed"), qint64(seed)},
        {QStringLiteral("extended"), extended},
        {QStringLiteral("histories"), histories},
        {QStringLiteral("failed_histories"), failedHistories},
        {QStringLiteral("commands"), commands},
        {QStringLiteral("applied"), applied},
        {QStringLiteral("rejected"), rejected},
        {QStringLiteral("violations"), violations},
        {QStringLiteral("sync_errors"), syncErrors},
        {QStringLiteral("lost"), lost},
        {QStringLiteral("duplicated"), duplicated},
        {QStringLiteral("diverged"), diverged},
        {QStringLiteral("stuck"), stuck},
    };
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    const bool clean = failedHistories == 0 && syncErrors == 0 && applied > 0 && rejected > 0;
    return clean ? 0 : 1;
}
