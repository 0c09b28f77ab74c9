// cityops-fault-clock: the same seeded command script from clients whose clocks are off by -1 day,
// -1 h, +1 h and +1 day (CITYOPS_CLOCK_SKEW_S) must leave exactly the platform state that a
// client with a correct clock leaves. The platform's clock is pinned (CITYOPS_PLATFORM_CLOCK_MS),
// so two runs are comparable byte for byte; that every authoritative time equals the pinned
// "now" shows those times come from the platform, and the device clock recorded for audit
// (applied_commands.client_at) shows that the skew really reached it.
#include "faultsupport.h"
#include "util/rng.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTimeZone>

using namespace cityops;
using namespace cityops::fault;

namespace {

constexpr quint64 kDistrictSeed = 11;

/** The platform's state that must not depend on any client clock, as one digest per table. */
QMap<QString, QByteArray> authoritative(const QString &pdb)
{
    // Everything the platform decided: case rows, timelines (with their hash chains) and the
    // change feed. Command ids are random UUIDs and client_at is the device clock kept for
    // audit: both are left out, and checked separately.
    const QMap<QString, QString> tables{
        {QStringLiteral("cases"), QStringLiteral("SELECT * FROM cases ORDER BY id")},
        {QStringLiteral("case_events"),
         QStringLiteral("SELECT * FROM case_events ORDER BY case_id, seq")},
        {QStringLiteral("changes"),
         QStringLiteral("SELECT seq, case_id, prev_version, version, at, row FROM changes ORDER "
                        "BY seq")},
        {QStringLiteral("applied_commands"),
         QStringLiteral("SELECT username, device, action, case_id, status, reason, code, "
                        "version, base_version, at FROM applied_commands ORDER BY at, case_id, "
                        "action, version")},
    };
    QMap<QString, QByteArray> out;
    for (auto it = tables.begin(); it != tables.end(); ++it) {
        QCryptographicHash h(QCryptographicHash::Sha256);
        for (const QStringList &r : rows(pdb, it.value()))
            h.addData(r.join(QChar(0x1f)).toUtf8() + '\x1e');
        out.insert(it.key(), h.result().toHex());
    }
    return out;
}

struct ScriptResult
{
    bool ok = false;
    QMap<QString, QByteArray> state;
    QString problem;
};

/** The script: reports filed and registered, and existing cases registered and dispatched. */
ScriptResult runScript(const QString &dir, qint64 skewSeconds, qint64 platformNow, quint64 seed)
{
    ScriptResult o;
    const QMap<QString, QString> platformEnv{
        {QStringLiteral("CITYOPS_PLATFORM_CLOCK_MS"), QString::number(platformNow)}};
    Platform platform;
    if (!platform.start(dir + QStringLiteral("/platform"),
                        {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                         QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--seed"),
                         QString::number(kDistrictSeed), QStringLiteral("--cases"),
                         QStringLiteral("40")},
                        platformEnv)) {
        o.problem = QStringLiteral("the platform did not start");
        return o;
    }
    const QString client = dir + QStringLiteral("/client");
    if (!makeClient(client, platform.url(), kDistrictSeed,
                    {QStringLiteral("dispatcher1"), QStringLiteral("operator1")})) {
        o.problem = QStringLiteral("the client could not be set up");
        return o;
    }
    const QMap<QString, QString> skew{
        {QStringLiteral("CITYOPS_CLOCK_SKEW_S"), QString::number(skewSeconds)}};
    const QStringList base{QStringLiteral("--platform"), platform.url().toString(),
                           QStringLiteral("--data"), client};
    auto run = [&](const QStringList &args) {
        const Ended e = cli(base + args, skew);
        if (e.rc != 0 && o.problem.isEmpty())
            o.problem = QStringLiteral("%1: exit %2 %3").arg(args.join(u' ')).arg(e.rc).arg(e.err);
        return e;
    };
    Rng rng(seed);
    const QString cdb = Database::pathInDir(client);
    // Existing reported cases: register some (operator), dispatch them (dispatcher).
    const auto reported = rows(
        cdb, QStringLiteral("SELECT id FROM cases WHERE state = 'reported' ORDER BY id LIMIT 3"));
    const auto people = rows(cdb, QStringLiteral("SELECT code FROM units WHERE kind = 'person' AND "
                                                 "unit_type = 'grid_worker' ORDER BY code"));
    const qint64 seeded = number(platform.databasePath(),
                                 QStringLiteral("SELECT coalesce(max(id), 0) FROM case_events"));
    for (const QStringList &r : reported) {
        run({QStringLiteral("--user"), QStringLiteral("operator1"), QStringLiteral("case"),
             QStringLiteral("do"), QStringLiteral("--confirm"), QStringLiteral("--"), r.first(),
             QStringLiteral("register")});
    }
    run({QStringLiteral("sync")});
    for (int i = 0; i < 3; ++i) {
        const Ended made =
            run({QStringLiteral("--user"), QStringLiteral("operator1"), QStringLiteral("case"),
                 QStringLiteral("new"), QStringLiteral("--category"), QStringLiteral("E0401"),
                 QStringLiteral("--lon"),
                 QString::number(121.43 + 0.0006 * double(rng.below(100)), 'f', 4),
                 QStringLiteral("--lat"), QStringLiteral("31.23"), QStringLiteral("--desc"),
                 QStringLiteral("时钟偏差 %1").arg(i), QStringLiteral("--party"),
                 QStringLiteral("skew party %1").arg(i)});
        if (made.rc != 0)
            break;
        run({QStringLiteral("--user"), QStringLiteral("operator1"), QStringLiteral("case"),
             QStringLiteral("do"), QStringLiteral("--confirm"), QStringLiteral("--"),
             made.out.trimmed(), QStringLiteral("register")});
    }
    run({QStringLiteral("sync")});
    // Dispatch the registered ones to a grid worker (any stage accepts one).
    const auto registered = rows(
        cdb, QStringLiteral("SELECT id FROM cases WHERE state = 'registered' ORDER BY id LIMIT 4"));
    for (const QStringList &r : registered) {
        run({QStringLiteral("--user"), QStringLiteral("dispatcher1"), QStringLiteral("case"),
             QStringLiteral("do"), QStringLiteral("--to"),
             people.value(int(rng.below(people.size()))).value(0), QStringLiteral("--"), r.first(),
             QStringLiteral("dispatch")});
    }
    run({QStringLiteral("sync")});
    if (!o.problem.isEmpty())
        return o;
    const QString pdb = platform.databasePath();
    // Authoritative times are the platform's: every event the script caused is stamped with
    // the pinned "now", whatever the device said.
    const qint64 foreign =
        number(pdb, QStringLiteral("SELECT count(*) FROM case_events WHERE id > ? AND at != ?"),
               {seeded, platformNow});
    const qint64 made =
        number(pdb, QStringLiteral("SELECT count(*) FROM case_events WHERE id > ?"), {seeded});
    if (foreign != 0 || made == 0) {
        o.problem = QStringLiteral("%1 of %2 new events carry a time that is not the platform's")
                        .arg(foreign)
                        .arg(made);
        return o;
    }
    // The device clock did reach the platform (kept for audit only), skewed as asked.
    const qint64 wrongAudit = number(
        pdb,
        QStringLiteral("SELECT count(*) FROM applied_commands WHERE abs(client_at - ? - ?) > ?"),
        {QDateTime::currentMSecsSinceEpoch(), skewSeconds * 1000, 600 * 1000});
    const qint64 commands = number(pdb, QStringLiteral("SELECT count(*) FROM applied_commands"));
    if (wrongAudit != 0 || commands == 0) {
        o.problem = QStringLiteral("%1 of %2 commands do not carry the skewed device clock")
                        .arg(wrongAudit)
                        .arg(commands);
        return o;
    }
    const QString cases =
        QStringLiteral("SELECT id, state, stage, version, hex(chain_head) FROM cases ORDER BY id");
    if (rows(cdb, cases) != rows(pdb, cases)) {
        o.problem = QStringLiteral("the client's cache differs from the platform");
        return o;
    }
    o.state = authoritative(pdb);
    o.ok = true;
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    const Options opt = parseCommon(
        p, app,
        QStringLiteral("Runs one seeded command script from clients with correct and skewed "
                       "clocks and compares the platform states."));
    QElapsedTimer total;
    total.start();
    // The platform's pinned "now": the day after the demo district's anchor (--anchor above).
    const qint64 platformNow =
        QDateTime(QDate(2026, 11, 28), QTime(10, 0), QTimeZone(8 * 3600)).toMSecsSinceEpoch();
    QList<qint64> skews{0, -86400, -3600, 3600, 86400};
    if (opt.extended)
        skews << -7 * 86400 << -60 << 60 << 7 * 86400;
    QTemporaryDir tmp;
    Counters c;
    QMap<QString, QByteArray> reference;
    bool failed = false;
    say(QStringLiteral("%1 %2 %3")
            .arg(QStringLiteral("skew (s)"), -10)
            .arg(QStringLiteral("result"), -10)
            .arg(QStringLiteral("detail")));
    for (const qint64 skew : std::as_const(skews)) {
        const ScriptResult o = runScript(tmp.filePath(QStringLiteral("skew%1").arg(skew)), skew,
                                         platformNow, opt.seed);
        QString result = QStringLiteral("same");
        QString detail;
        if (!o.ok) {
            failed = true;
            result = QStringLiteral("failed");
            detail = o.problem;
        } else if (skew == 0) {
            reference = o.state;
            result = QStringLiteral("reference");
        } else {
            for (auto it = o.state.begin(); it != o.state.end(); ++it) {
                if (reference.value(it.key()) != it.value())
                    detail += it.key() + QLatin1Char(' ');
            }
            if (!detail.isEmpty()) {
                ++c.diverged;
                result = QStringLiteral("DIFFERS");
                detail = QStringLiteral("tables: ") + detail;
            }
        }
        say(QStringLiteral("%1 %2 %3").arg(skew, -10).arg(result, -10).arg(detail));
    }
    printJson(c, {{QStringLiteral("clock_skews"), QString::number(skews.size() - 1)},
                  {QStringLiteral("seconds"), QString::number(total.elapsed() / 1000)}});
    return failed || !c.clean() ? 1 : 0;
}
