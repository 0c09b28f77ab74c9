// cityops-fault-outage: a console cache offline for a simulated 72 hours queues 10,000 commands
// (--extended; the bounded CI run queues 2,000)
// (reports and their register commands, the device clock running ahead up to +72 h) while the
// platform is stopped; once it is back, one `cityops-cli sync` drains the outbox completely and
// the platform applies the commands exactly once, in the order they were made.
#include "faultsupport.h"

#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/syncstore.h"
#include "util/clock.h"
#include "workflow/workflow.h"

#include <QSet>
#include <QTemporaryDir>

using namespace cityops;
using namespace cityops::fault;

namespace {

constexpr quint64 kDistrictSeed = 11;
constexpr qint64 kOutageMs = 72LL * 3600 * 1000;

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOption({QStringLiteral("commands"),
                 QStringLiteral("Commands queued while offline (default 2000; --extended 10000)."),
                 QStringLiteral("N")});
    const Options opt = parseCommon(
        p, app,
        QStringLiteral("Queues commands during a simulated 72-hour outage and drains them."));
    const int total = p.isSet(QStringLiteral("commands"))
                          ? p.value(QStringLiteral("commands")).toInt()
                          : (opt.extended ? 10000 : 2000);
    QElapsedTimer clock;
    clock.start();
    Counters c;
    auto fail = [&](const QString &why) {
        say(QStringLiteral("failed: ") + why);
        ++c.stuck;
        printJson(c);
        return 1;
    };
    QTemporaryDir tmp;
    Platform platform;
    const QString platformDir = tmp.filePath(QStringLiteral("platform"));
    if (!platform.start(platformDir, {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                      QStringLiteral("2026-11-27T18:00+08:00"),
                                      QStringLiteral("--seed"), QString::number(kDistrictSeed),
                                      QStringLiteral("--cases"), QStringLiteral("50")}))
        return fail(QStringLiteral("the platform did not start"));
    const QString client = tmp.filePath(QStringLiteral("client"));
    if (!makeClient(client, platform.url(), kDistrictSeed, {QStringLiteral("operator1")}))
        return fail(QStringLiteral("the client could not be set up"));
    const QString pdb = platform.databasePath();
    const qint64 before = number(pdb, QStringLiteral("SELECT count(*) FROM applied_commands"));
    platform.stop();

    // Offline: the same SyncStore the CLI and the console write through. The outer transaction
    // turns each command's own into a savepoint, so 10,000 commands cost 20 fsyncs, not 10,000.
    QStringList order;
    const qint64 start = clientNow();
    {
        auto db = Database::openDir(client);
        if (!db)
            return fail(db.error());
        const auto config = WorkflowConfig::load(client);
        Workflow workflow(Catalogue::builtin(), WorkCalendar::builtin(), *config);
        SyncStore store(*db, workflow);
        const auto actor = store.repository().actorFor(QStringLiteral("operator1"),
                                                       QStringLiteral("outage-console"));
        if (!actor)
            return fail(actor.error());
        std::unique_ptr<Transaction> tx;
        for (int i = 0; i < total; i += 2) {
            if (i % 500 == 0) {
                if (tx && !tx->commit())
                    return fail(QStringLiteral("commit failed"));
                tx = std::make_unique<Transaction>(**db);
            }
            // The device clock runs on through the outage: the last command is made at +72 h.
            const qint64 at = start + kOutageMs * i / total;
            ReportInput in;
            in.category = QStringLiteral("E0401");
            in.lon = 121.43 + 1e-5 * (i % 5000);
            in.lat = 31.21 + 1e-5 * (i / 5000);
            in.description = QStringLiteral("断网期间上报 %1").arg(i);
            in.party = QStringLiteral("outage party %1").arg(i); // no recurrence links
            const Outcome o = store.report(in, *actor, at);
            if (!o.ok())
                return fail(o.message());
            if (i + 1 < total) {
                Command reg;
                reg.action = Action::Register;
                reg.confirmFiling = true;
                const Outcome r = store.apply(o.snapshot.id, reg, *actor, at + 1);
                if (!r.ok())
                    return fail(r.message());
            }
        }
        if (tx && !tx->commit())
            return fail(QStringLiteral("commit failed"));
        for (const OutboxEntry &e : store.entries())
            order << e.commandId;
    }
    if (order.size() != total)
        return fail(QStringLiteral("%1 commands queued, expected %2").arg(order.size()).arg(total));
    const qint64 queuedMs = clock.elapsed();

    // Still offline: the sync says so and keeps every command.
    const QMap<QString, QString> ahead{
        {QStringLiteral("CITYOPS_CLOCK_SKEW_S"), QString::number(kOutageMs / 1000)}};
    const QStringList sync{QStringLiteral("--data"), client, QStringLiteral("sync")};
    const Ended offline = cli(sync, ahead);
    if (offline.rc != 5)
        return fail(QStringLiteral("offline sync exited %1, expected 5: %2")
                        .arg(offline.rc)
                        .arg(offline.err));
    if (number(Database::pathInDir(client), QStringLiteral("SELECT count(*) FROM outbox")) != total)
        return fail(QStringLiteral("the offline sync lost commands"));

    // Back online (a new port, as after a real outage): one sync drains everything.
    if (!platform.start(platformDir))
        return fail(QStringLiteral("the platform did not restart"));
    QElapsedTimer drain;
    drain.start();
    const Ended online =
        cli(QStringList{QStringLiteral("--platform"), platform.url().toString()} + sync, ahead);
    const qint64 drainMs = drain.elapsed();
    if (online.rc != 0)
        return fail(QStringLiteral("sync exited %1: %2").arg(online.rc).arg(online.err));

    const qint64 outbox =
        number(Database::pathInDir(client), QStringLiteral("SELECT count(*) FROM outbox"));
    c.stuck = outbox;
    const qint64 accepted = number(
        pdb, QStringLiteral("SELECT count(*) FROM applied_commands WHERE status = 'applied'"));
    // The platform's change feed holds each command once, in the order the client made them.
    QStringList applied;
    for (const QStringList &r :
         rows(pdb, QStringLiteral("SELECT command_id FROM changes WHERE command_id IS NOT NULL "
                                  "ORDER BY seq")))
        applied << r.first();
    const QSet<QString> distinct(applied.begin(), applied.end());
    c.duplicated = applied.size() - distinct.size();
    c.lost = std::max<qint64>(0, total - (accepted - before));
    const bool inOrder = applied.mid(applied.size() - order.size()) == order;
    if (!inOrder)
        ++c.diverged;
    const QString cases =
        QStringLiteral("SELECT id, state, stage, version, hex(chain_head) FROM cases ORDER BY id");
    if (rows(Database::pathInDir(client), cases) != rows(pdb, cases))
        ++c.diverged;
    say(QStringLiteral("queued %1 commands offline in %2 s; drained after reconnecting in %3 s "
                       "(%4 commands/s); in order: %5; outbox left: %6")
            .arg(total)
            .arg(queuedMs / 1000.0, 0, 'f', 1)
            .arg(drainMs / 1000.0, 0, 'f', 1)
            .arg(drainMs ? total * 1000 / drainMs : 0)
            .arg(inOrder ? QStringLiteral("yes") : QStringLiteral("NO"))
            .arg(outbox));
    printJson(c, {{QStringLiteral("outage_commands"), QString::number(total)},
                  {QStringLiteral("drain_ms"), QString::number(drainMs)}});
    return c.clean() ? 0 : 1;
}
