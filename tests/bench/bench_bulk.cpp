// cityops-bench-bulk: a bulk action on a console synced with a platform (issue 17). N reported
// cases are registered in one batch through CaseService on a replica (provisional effect and an
// outbox row per case, in its own transaction), with the queue model following the service.
// The floor, in the same run, is the same batch on a standalone copy of the cache (the local
// authority: no outbox). Prints one JSON object last: wall time, per-case p50/p95/p99, the
// model's resets (target: exactly one) and the ratio to the floor.
#include "benchstats.h"
#include "demo/demogenerator.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "itemmodels/caselistmodel.h"
#include "service/caseservice.h"
#include "storage/caserepository.h"
#include "storage/casestore.h"
#include "storage/database.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <cstdio>

using namespace cityops;
using bench::percentile;

namespace {

struct Run
{
    double wallMs = 0;
    std::vector<double> perCaseMs;
    int resets = 0;
    qsizetype applied = 0;
    qint64 outbox = 0;
};

/** Registers every reported case of the cache in one batch, as the queue panel's bulk does. */
Run registerAll(const QString &dir, bool replica)
{
    Run run;
    auto db = Database::openDir(dir);
    if (!db)
        qFatal("%s", qPrintable(db.error()));
    const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
    const Actor actor =
        *CaseRepository(*db, wf).actorFor(QStringLiteral("dispatcher1"), QStringLiteral("bench"));
    CaseService service(*db, wf, actor,
                        replica ? CaseService::Authority::Replica
                                : CaseService::Authority::Automatic);
    if (service.isReplica() != replica)
        qFatal("the cache's authority is not what the run needs");
    auto store = std::make_shared<CaseStore>(*db);
    CaseListModel model(store);
    CaseQuery q;
    q.queue = Queue::Intake;
    model.setQuery(q);
    model.follow(service);
    QObject::connect(&model, &QAbstractItemModel::modelReset, [&] { ++run.resets; });
    QList<CaseId> ids;
    for (const QueueRow &r :
         store->listPage(q, CaseSort::Id, Qt::AscendingOrder, 0, int(store->count(q))))
        ids << r.id;
    Command reg;
    reg.action = Action::Register;
    reg.confirmFiling = true;
    QElapsedTimer wall, step;
    wall.start();
    step.start();
    const BatchResult r = service.runBatch(
        ids, [&](qsizetype) { return reg; },
        [&](qsizetype) {
            run.perCaseMs.push_back(double(step.nsecsElapsed()) / 1e6);
            step.restart();
            return true;
        });
    run.wallMs = double(wall.nsecsElapsed()) / 1e6;
    run.applied = r.applied.size();
    run.outbox = service.outstandingCount();
    return run;
}

QJsonObject json(const Run &r)
{
    return {{"wall_ms", r.wallMs},
            {"per_case_p50_ms", percentile(r.perCaseMs, 50)},
            {"per_case_p95_ms", percentile(r.perCaseMs, 95)},
            {"per_case_p99_ms", percentile(r.perCaseMs, 99)},
            {"applied", qint64(r.applied)},
            {"model_resets", r.resets},
            {"outbox", r.outbox}};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOption({QStringLiteral("cases"), QStringLiteral("Reported cases to register (1000)."),
                 QStringLiteral("N"), QStringLiteral("1000")});
    p.addHelpOption();
    p.process(app);
    const int n = p.value(QStringLiteral("cases")).toInt();
    QTemporaryDir tmp;
    const QString replicaDir = tmp.filePath(QStringLiteral("replica"));
    const QString localDir = tmp.filePath(QStringLiteral("local"));

    // The district and N reported cases (setup, not timed).
    DemoOptions o;
    o.cases = 0;
    if (auto r = DemoGenerator::generate(replicaDir, o); !r)
        qFatal("%s", qPrintable(r.error()));
    {
        auto db = *Database::openDir(replicaDir);
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        const Actor op = *repo.actorFor(QStringLiteral("operator1"), QStringLiteral("bench"));
        Transaction tx(*db);
        for (int i = 0; i < n; ++i) {
            ReportInput in;
            in.category = QStringLiteral("E0101");
            in.lon = 121.42 + (i % 100) * 0.0008;
            in.lat = 31.20 + (i / 100) * 0.001;
            in.description = QStringLiteral("bulk bench %1").arg(i);
            if (!repo.report(in, op, o.anchorMs + i).ok())
                qFatal("report %d failed", i);
        }
        if (!tx.commit())
            qFatal("setup commit failed");
    }
    // The standalone copy for the floor, made before the replica is attached to a platform.
    QDir().mkpath(localDir);
    if (!QFile::copy(Database::pathInDir(replicaDir), Database::pathInDir(localDir)))
        qFatal("cannot copy the cache");

    const Run floor = registerAll(localDir, false);
    const Run replica = registerAll(replicaDir, true);
    std::fprintf(stderr, "floor (standalone): %.0f ms, replica (outbox): %.0f ms\n", floor.wallMs,
                 replica.wallMs);
    QJsonObject out = json(replica);
    out.insert("cases", n);
    out.insert("floor", json(floor));
    out.insert("ratio_wall", floor.wallMs > 0 ? replica.wallMs / floor.wallMs : 0);
    out.insert("target_wall_ms", 3000);
    out.insert("target_met", replica.wallMs <= 3000 && replica.resets == 1 &&
                                 replica.applied == n && replica.outbox == n);
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
