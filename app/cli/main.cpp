// cityops-cli: scripting and test front end over cityops_core. Composition root only.
#include "demo/basemapgenerator.h"
#include "demo/demogenerator.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "dossier/dossier.h"
#include "service/caseservice.h"
#include "storage/audit.h"
#include "storage/cacherecovery.h"
#include "storage/casestore.h"
#include "storage/database.h"
#include "storage/dossierstore.h"
#include "storage/evidencestore.h"
#include "storage/searchindex.h"
#include "sync/cacherebuild.h"
#include "sync/syncengine.h"
#include "util/allocator.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/timefmt.h"
#include "workflow/workflow.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSysInfo>
#include <QTextStream>
#include <QTimeZone>
#include <QUrl>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>

#include <unistd.h>

using namespace cityops;

namespace {

/** Exit codes, documented in `cityops-cli --help`. */
enum Exit
{
    ExitOk = 0,
    ExitError = 1,
    ExitUsage = 2,
    ExitRejected = 3,
    ExitAuditBroken = 4,
    ExitUnreachable = 5,
    ExitSyncRejected = 6,
    ExitSessionExpired = 7,
    ExitStorage = 8
};

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Cli)
};

void out(const QString &s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
}
int error(const QString &s, int code = ExitError)
{
    std::fprintf(stderr, "cityops-cli: %s\n", qPrintable(s));
    return code;
}

/** A storage failure: described (file, cause, what to do) and exit 8 when it is a storage fault. */
int storageError(const Database &db, const QString &message)
{
    return error(db.describe(message),
                 db.diagnose(message) == StorageFault::None ? ExitError : ExitStorage);
}

struct Globals
{
    QString dataDir;
    QString lang;
    QString user;
    QUrl platform;
};

struct CliCommand
{
    QStringList words;
    QString summary;
    std::function<int(const Globals &, const QStringList &args)> run;
};

/**
 * A sub-command's own parser: `cityops-cli demo generate --help` shows only its options, under
 * the command words and the description the command set (exit codes). With `positional`,
 * positional arguments are the caller's to check.
 */
bool parse(QCommandLineParser &p, const QStringList &words, const QStringList &args, int *rc,
           bool positional = false)
{
    p.addHelpOption();
    const QString description = p.applicationDescription();
    p.setApplicationDescription(
        words.join(QLatin1Char(' ')) +
        (description.isEmpty() ? QString() : QStringLiteral("\n\n") + description));
    QStringList argv{QStringLiteral("cityops-cli ") + words.join(QLatin1Char(' '))};
    argv += args;
    if (!p.parse(argv)) {
        *rc = error(p.errorText(), ExitUsage);
        return false;
    }
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        *rc = ExitOk;
        return false;
    }
    if (!positional && !p.positionalArguments().isEmpty()) {
        *rc = error(Tr::tr("unexpected argument \"%1\"").arg(p.positionalArguments().first()),
                    ExitUsage);
        return false;
    }
    return true;
}

int demoGenerate(const Globals &, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption seed(QStringLiteral("seed"), Tr::tr("Random seed (default 1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption cases(QStringLiteral("cases"),
                                   Tr::tr("Number of cases (default 20000)."), QStringLiteral("N"),
                                   QStringLiteral("20000"));
    const QCommandLineOption outDir(QStringLiteral("out"),
                                    Tr::tr("Data directory to create the demo cache in."),
                                    QStringLiteral("DIR"));
    const QCommandLineOption anchor(
        QStringLiteral("anchor"),
        Tr::tr("\"Now\" of the demo: an ISO date or date-time, Asia/Shanghai unless it has an "
               "offset, e.g. 2026-11-27T18:00+08:00 (default: the current time rounded down to "
               "the hour). Every generated time lies before it."),
        QStringLiteral("WHEN"));
    p.addOptions({seed, cases, outDir, anchor});
    int rc = 0;
    if (!parse(p, {QStringLiteral("demo"), QStringLiteral("generate")}, args, &rc))
        return rc;
    DemoOptions o;
    bool ok = false;
    o.seed = p.value(seed).toULongLong(&ok);
    if (!ok)
        return error(Tr::tr("--seed must be a non-negative whole number"), ExitUsage);
    o.cases = p.value(cases).toLongLong(&ok);
    if (!ok || o.cases < 0 || o.cases > 10'000'000)
        return error(Tr::tr("--cases must be a whole number from 0 to 10000000"), ExitUsage);
    if (!p.isSet(outDir))
        return error(Tr::tr("--out DIR is required"), ExitUsage);
    o.anchorMs = DemoOptions::currentHourAnchor();
    if (p.isSet(anchor)) {
        const auto at = DemoOptions::parseAnchor(p.value(anchor));
        if (!at)
            return error(at.error(), ExitUsage);
        o.anchorMs = *at;
    }
    QElapsedTimer timer;
    timer.start();
    const bool tty = isatty(fileno(stderr));
    o.progress = [tty](int pct) {
        if (tty)
            std::fprintf(stderr, "\r%3d%%", pct);
        return true;
    };
    const auto r = DemoGenerator::generate(p.value(outDir), o);
    if (tty)
        std::fprintf(stderr, "\r    \r");
    if (!r)
        return error(r.error());
    out(Tr::tr("Demo district written to %1 in %2 s: %3 streets, %4 communities, %5 grids, "
               "%6 roads, %7 cameras and sensors, %8 units, %9 users, %10 cases, %11 events.")
            .arg(QDir::toNativeSeparators(Database::pathInDir(p.value(outDir))))
            .arg(timer.elapsed() / 1000.0, 0, 'f', 1)
            .arg(r->streets)
            .arg(r->communities)
            .arg(r->grids)
            .arg(r->roads)
            .arg(r->cameras)
            .arg(r->units)
            .arg(r->users)
            .arg(r->cases)
            .arg(r->events));
    return ExitOk;
}

int demoBasemap(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption outFile(
        QStringLiteral("out"),
        Tr::tr("MBTiles file to write (default: basemap.mbtiles in the data directory, which the "
               "console shows as its offline basemap)."),
        QStringLiteral("FILE"));
    const QCommandLineOption minZoom(QStringLiteral("min-zoom"), Tr::tr("First zoom (default 10)."),
                                     QStringLiteral("Z"), QStringLiteral("10"));
    const QCommandLineOption maxZoom(QStringLiteral("max-zoom"), Tr::tr("Last zoom (default 16)."),
                                     QStringLiteral("Z"), QStringLiteral("16"));
    p.addOptions({outFile, minZoom, maxZoom});
    int rc = 0;
    if (!parse(p, {QStringLiteral("demo"), QStringLiteral("basemap")}, args, &rc))
        return rc;
    auto options = BasemapGenerator::fromCache(g.dataDir);
    if (!options)
        return error(options.error());
    bool ok1 = false, ok2 = false;
    options->minZoom = p.value(minZoom).toInt(&ok1);
    options->maxZoom = p.value(maxZoom).toInt(&ok2);
    if (!ok1 || !ok2)
        return error(Tr::tr("--min-zoom and --max-zoom take whole numbers"), ExitUsage);
    const QString path = p.isSet(outFile)
                             ? p.value(outFile)
                             : QDir(g.dataDir).filePath(QStringLiteral("basemap.mbtiles"));
    QElapsedTimer timer;
    timer.start();
    const auto written = BasemapGenerator::generate(path, *options);
    if (!written)
        return error(written.error());
    out(Tr::tr("Offline basemap written to %1: %2 tiles, zoom %3–%4, in %5 s.")
            .arg(QDir::toNativeSeparators(path))
            .arg(*written)
            .arg(options->minZoom)
            .arg(options->maxZoom)
            .arg(timer.elapsed() / 1000.0, 0, 'f', 1));
    return ExitOk;
}

/** Opens the store and resolves --user; every case command needs both. */
struct Session
{
    std::shared_ptr<Database> db;
    std::unique_ptr<Workflow> workflow;
    std::unique_ptr<EvidenceStore> evidence;
    /**
     * Every change goes through it: on a cache that syncs with a platform (--platform or an
     * earlier login) into the outbox, on a standalone cache directly.
     */
    std::unique_ptr<CaseService> cases;

    /** The exit code of an outcome that is not applied (the reason or error printed). */
    int failure(const Outcome &o) const
    {
        if (o.kind == Outcome::Rejected)
            return error(Tr::tr("rejected: %1").arg(o.rejection.reason), ExitRejected);
        return storageError(*db, o.error);
    }
};

/**
 * A cache that is gone while its outbox journal still holds commands was deleted: opening would
 * create an empty one in its place, so the command is refused with a storage fault instead.
 */
bool cacheDeleted(const Globals &g, int *rc)
{
    const QString path = Database::pathInDir(g.dataDir);
    if (QFileInfo::exists(path) || QFileInfo(OutboxJournal::pathFor(path)).size() == 0)
        return false;
    *rc =
        error(Database::faultMessage(
                  StorageFault::Missing, path,
                  Tr::tr("its outbox journal %1 is still there").arg(OutboxJournal::pathFor(path))),
              ExitStorage);
    return true;
}

std::optional<Session> openSession(const Globals &g, bool needUser, int *rc)
{
    if (cacheDeleted(g, rc))
        return std::nullopt;
    auto db = Database::openDir(g.dataDir);
    if (!db) {
        // The cache exists but cannot be used (damaged, not a cache, a newer schema): a storage
        // fault, with its own exit code.
        *rc = error(db.error(),
                    QFileInfo::exists(Database::pathInDir(g.dataDir)) ? ExitStorage : ExitError);
        return std::nullopt;
    }
    Session s;
    s.db = *db;
    const auto config = WorkflowConfig::load(g.dataDir);
    if (!config) {
        *rc = error(config.error());
        return std::nullopt;
    }
    s.workflow = std::make_unique<Workflow>(Catalogue::builtin(), WorkCalendar::builtin(), *config);
    s.evidence = std::make_unique<EvidenceStore>(s.db, g.dataDir);
    // Who acts: --user, else the cache's signed-in user; the service is made for that actor.
    const CaseService probe(s.db, *s.workflow, {});
    const QString user = g.user.isEmpty() ? probe.sessionUser() : g.user;
    Actor actor;
    if (needUser) {
        if (user.isEmpty()) {
            *rc = error(Tr::tr("this command needs --user NAME (before the command)"), ExitUsage);
            return std::nullopt;
        }
        auto resolved = probe.actorFor(user, QStringLiteral("cli-") + QSysInfo::machineHostName());
        if (!resolved) {
            *rc = error(resolved.error());
            return std::nullopt;
        }
        actor = *resolved;
    }
    // A cache attached to a platform (--platform or an earlier login) queues every action in its
    // outbox; a standalone cache is its own authority.
    s.cases = std::make_unique<CaseService>(s.db, *s.workflow, actor,
                                            g.platform.isEmpty() ? CaseService::Authority::Automatic
                                                                 : CaseService::Authority::Replica);
    return s;
}

std::optional<qint64> parseWhen(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid())
        return std::nullopt;
    if (t.timeSpec() == Qt::LocalTime)
        t = QDateTime(t.date(), t.time(), QTimeZone(8 * 3600));
    return t.toMSecsSinceEpoch();
}

const QCommandLineOption kAtOpt(QStringLiteral("at"),
                                QStringLiteral("Time of the action as ISO date-time in "
                                               "Asia/Shanghai (back-filling and tests; default: "
                                               "now)."),
                                QStringLiteral("WHEN"));

/** The time of an action: --at when given (back-filling, tests), otherwise now. */
std::optional<qint64> actionTime(const QCommandLineParser &p, int *rc)
{
    if (!p.isSet(kAtOpt))
        return clientNow();
    const auto at = parseWhen(p.value(kAtOpt));
    if (!at)
        *rc = error(Tr::tr("--at \"%1\" is not an ISO date-time").arg(p.value(kAtOpt)), ExitUsage);
    return at;
}

int caseNew(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption category(QStringLiteral("category"),
                                      Tr::tr("Subcategory code, e.g. E0401."),
                                      QStringLiteral("CODE"));
    const QCommandLineOption lon(QStringLiteral("lon"), Tr::tr("WGS-84 longitude."),
                                 QStringLiteral("X"));
    const QCommandLineOption lat(QStringLiteral("lat"), Tr::tr("WGS-84 latitude."),
                                 QStringLiteral("Y"));
    const QCommandLineOption desc(QStringLiteral("desc"), Tr::tr("Description."),
                                  QStringLiteral("TEXT"));
    const QCommandLineOption address(QStringLiteral("address"), Tr::tr("Address."),
                                     QStringLiteral("TEXT"));
    const QCommandLineOption party(QStringLiteral("party"),
                                   Tr::tr("The party (shop or person), for recurrence."),
                                   QStringLiteral("NAME"));
    const QCommandLineOption source(
        QStringLiteral("source"),
        Tr::tr("camera, patrol, hotline, grid_worker or open311 (default patrol)."),
        QStringLiteral("SOURCE"), QStringLiteral("patrol"));
    const QCommandLineOption evidence(
        QStringLiteral("evidence"), Tr::tr("Attach a file (repeatable)."), QStringLiteral("FILE"));
    p.addOptions({category, lon, lat, desc, address, party, source, evidence, kAtOpt});
    int rc = 0;
    if (!parse(p, {QStringLiteral("case"), QStringLiteral("new")}, args, &rc))
        return rc;
    for (const auto &o : {category, lon, lat, desc}) {
        if (!p.isSet(o))
            return error(Tr::tr("--%1 is required").arg(o.names().first()), ExitUsage);
    }
    if (!Names::source(p.value(source)))
        return error(Tr::tr("unknown source \"%1\"").arg(p.value(source)), ExitUsage);
    bool okLon = false, okLat = false;
    ReportInput in;
    in.category = p.value(category);
    in.lon = p.value(lon).toDouble(&okLon);
    in.lat = p.value(lat).toDouble(&okLat);
    if (!okLon || !okLat)
        return error(Tr::tr("--lon and --lat must be numbers"), ExitUsage);
    in.description = p.value(desc);
    in.address = p.value(address);
    in.party = p.value(party);
    in.source = p.value(source);
    const auto now = actionTime(p, &rc);
    if (!now)
        return rc;
    auto s = openSession(g, true, &rc);
    if (!s)
        return rc;
    for (const QString &file : p.values(evidence)) {
        auto sha = s->evidence->import(file, false);
        if (!sha)
            return error(sha.error());
        in.evidence << *sha;
    }
    const Outcome o = s->cases->report(in, *now);
    if (!o.ok())
        return o.kind == Outcome::Rejected ? error(o.message(), ExitRejected) : s->failure(o);
    out(QString::number(o.snapshot.id));
    if (o.snapshot.linkedCase)
        std::fprintf(stderr, "%s\n",
                     qPrintable(Tr::tr("Repeats case %1; enters the ladder at stage %2.")
                                    .arg(o.snapshot.linkedCase)
                                    .arg(int(o.snapshot.stage))));
    return ExitOk;
}

bool needsPhoto(Action a)
{
    return a == Action::Notice || a == Action::RecheckCorrected ||
           a == Action::RecheckUncorrected || a == Action::Feedback || a == Action::VerifyPass ||
           a == Action::VerifyFail;
}

QString actionHelp()
{
    return Tr::tr(
        "Actions (who may do them, see docs/workflow.md):\n"
        "  register --confirm          file a reported case (the filing condition was checked)\n"
        "  reject --reason T           do not file a report\n"
        "  dispatch --to PERSON        send to a person (unit code) of the responsible unit\n"
        "  accept                      the assignee accepts\n"
        "  return --reason T           a unit that is not responsible sends it back (回退)\n"
        "  feedback --evidence F [--decision N]   report it handled (stage 3: decision number)\n"
        "  verify-pass --evidence F    on-site check passes (not by the handler)\n"
        "  verify-fail --evidence F --reason T    on-site check fails: rework (返工)\n"
        "  close                       close a verified case (结案)\n"
        "  reopen --reason T           reopen a closed case\n"
        "  extend-request --hours N --reason T, extend-approve, extend-reject --reason T (延期)\n"
        "  shelve --reason T, resume   shelve with a written explanation (挂账), resume\n"
        "  notice --evidence F         stage 1: notice to the party with the camera photo\n"
        "  recheck-corrected --evidence F, recheck-uncorrected --evidence F\n"
        "  escalate-request --reason T [--stage N --skip] [--use-evidence SHA]...\n"
        "  escalate-approve, escalate-reject --reason T   supervisor, never the requester\n"
        "  deescalate --reason T       step back down a stage\n"
        "  mark-duplicate --duplicate-of ID   close as a duplicate of an earlier case\n");
}

int caseDo(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("ID"), Tr::tr("Case number."));
    p.addPositionalArgument(QStringLiteral("ACTION"), actionHelp());
    const QCommandLineOption reason(QStringLiteral("reason"), Tr::tr("Reason or explanation."),
                                    QStringLiteral("TEXT"));
    const QCommandLineOption to(QStringLiteral("to"), Tr::tr("Person (unit code) to dispatch to."),
                                QStringLiteral("UNIT_OR_PERSON"));
    const QCommandLineOption evidence(QStringLiteral("evidence"),
                                      Tr::tr("Attach a photo or file (repeatable)."),
                                      QStringLiteral("FILE"));
    const QCommandLineOption useEvidence(QStringLiteral("use-evidence"),
                                         Tr::tr("Select evidence already on the case by SHA-256 "
                                                "(repeatable; escalate-request; default: all)."),
                                         QStringLiteral("SHA"));
    const QCommandLineOption confirm(QStringLiteral("confirm"),
                                     Tr::tr("register: the filing condition was checked."));
    const QCommandLineOption stage(QStringLiteral("stage"),
                                   Tr::tr("escalate-request: target stage (default: the next)."),
                                   QStringLiteral("N"));
    const QCommandLineOption skip(QStringLiteral("skip"),
                                  Tr::tr("escalate-request: skip a stage (needs --reason)."));
    const QCommandLineOption hours(QStringLiteral("hours"),
                                   Tr::tr("extend-request: extra working hours."),
                                   QStringLiteral("N"));
    const QCommandLineOption decision(QStringLiteral("decision"),
                                      Tr::tr("feedback at stage 3: decision or penalty number."),
                                      QStringLiteral("NUMBER"));
    const QCommandLineOption duplicateOf(QStringLiteral("duplicate-of"),
                                         Tr::tr("mark-duplicate: the earlier case."),
                                         QStringLiteral("ID"));
    p.addOptions({reason, to, evidence, useEvidence, confirm, stage, skip, hours, decision,
                  duplicateOf, kAtOpt});
    p.addHelpOption();
    p.setApplicationDescription(
        QStringLiteral("case do ID ACTION\n\n") + actionHelp() +
        Tr::tr("\nExit codes: 0 applied, 3 rejected (reason on stderr), 1 error, 2 usage."));
    QStringList argv{QStringLiteral("cityops-cli case do")};
    argv += args;
    if (!p.parse(argv))
        return error(p.errorText(), ExitUsage);
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return ExitOk;
    }
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2)
        return error(Tr::tr("usage: cityops-cli --user NAME case do ID ACTION [options]"),
                     ExitUsage);
    bool ok = false;
    const CaseId id = pos.at(0).toLongLong(&ok);
    // Negative numbers are cases filed offline that the platform has not numbered yet.
    if (!ok || id == 0)
        return error(Tr::tr("\"%1\" is not a case number").arg(pos.at(0)), ExitUsage);
    const auto action = actionFromKey(pos.at(1));
    if (!action || *action == Action::Report)
        return error(Tr::tr("unknown action \"%1\"; see cityops-cli case do --help").arg(pos.at(1)),
                     ExitUsage);
    int rc = 0;
    const auto now = actionTime(p, &rc);
    if (!now)
        return rc;
    auto s = openSession(g, true, &rc);
    if (!s)
        return rc;
    Command cmd;
    cmd.action = *action;
    cmd.reason = p.value(reason);
    cmd.confirmFiling = p.isSet(confirm);
    cmd.skip = p.isSet(skip);
    cmd.decision = p.value(decision);
    cmd.duplicateOf = p.value(duplicateOf).toLongLong();
    if (p.isSet(stage)) {
        cmd.toStage = p.value(stage).toInt(&ok);
        if (!ok)
            return error(Tr::tr("--stage must be 1, 2 or 3"), ExitUsage);
    }
    if (p.isSet(hours)) {
        cmd.hours = p.value(hours).toInt(&ok);
        if (!ok)
            return error(Tr::tr("--hours must be a whole number"), ExitUsage);
    }
    if (p.isSet(to)) {
        if (!s->cases->findAssignee(p.value(to)))
            return error(Tr::tr("there is no person with the code \"%1\"").arg(p.value(to)));
        cmd.to = p.value(to);
    }
    for (const QString &file : p.values(evidence)) {
        auto sha = s->evidence->import(file, needsPhoto(*action));
        if (!sha)
            return error(sha.error());
        cmd.evidence << *sha;
    }
    if (*action == Action::EscalateRequest) {
        const auto snap = s->cases->snapshot(id);
        if (!snap)
            return error(snap.error());
        const QStringList chosen = p.values(useEvidence);
        for (const QString &prefix : chosen) {
            const auto it = std::find_if(snap->evidence.begin(), snap->evidence.end(),
                                         [&](const QString &e) { return e.startsWith(prefix); });
            if (prefix.size() < 8 || it == snap->evidence.end())
                return error(Tr::tr("case %1 has no evidence %2").arg(id).arg(prefix), ExitUsage);
            cmd.evidence << *it;
        }
        if (chosen.isEmpty())
            cmd.evidence += snap->evidence;
    }
    const Outcome o = s->cases->run(id, cmd, *now);
    if (!o.ok())
        return s->failure(o);
    out(Tr::tr("case %1: %2 → %3")
            .arg(id)
            .arg(actionKey(*action), Names::stateLabel(Names::key(o.snapshot.state))));
    return ExitOk;
}

/**
 * A --query of case bulk: space-separated key=value terms (queue, street, category, stage,
 * source, priority, unit, grid, text), e.g. "queue=intake street=临江街道".
 */
Result<CaseQuery> parseBulkQuery(const QString &text, const CaseStore &store)
{
    CaseQuery q;
    for (const QString &term : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const qsizetype eq = term.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return Error{Tr::tr("--query: \"%1\" is not key=value").arg(term)};
        const QString key = term.left(eq);
        const QString value = term.mid(eq + 1);
        bool ok = true;
        if (key == QLatin1String("queue")) {
            const auto queue = QueueNames::fromKey(value);
            if (!queue)
                return Error{Tr::tr("--query: unknown queue \"%1\"").arg(value)};
            q.queue = *queue;
        } else if (key == QLatin1String("street")) {
            for (const auto &[id, name] : store.streets()) {
                if (name == value || QString::number(id) == value)
                    q.streetId = id;
            }
            ok = q.streetId != 0;
        } else if (key == QLatin1String("category")) {
            q.category = value;
        } else if (key == QLatin1String("stage")) {
            q.stage = value.toInt(&ok);
            ok = ok && q.stage >= 0 && q.stage <= 3;
        } else if (key == QLatin1String("source")) {
            ok = Names::source(value).has_value();
            q.source = value;
        } else if (key == QLatin1String("priority")) {
            q.priority = value.toInt(&ok);
            ok = ok && q.priority >= 1 && q.priority <= 3;
        } else if (key == QLatin1String("unit")) {
            q.unitCode = value;
        } else if (key == QLatin1String("grid")) {
            q.gridCode = value;
        } else if (key == QLatin1String("text")) {
            q.text = value;
        } else {
            return Error{Tr::tr("--query: unknown key \"%1\" (queue, street, category, stage, "
                                "source, priority, unit, grid, text)")
                             .arg(key)};
        }
        if (!ok)
            return Error{Tr::tr("--query: \"%1\" is not a valid %2").arg(value, key)};
    }
    return q;
}

int caseBulk(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("ACTION"),
                            Tr::tr("A workflow action, as for case do (register, dispatch, "
                                   "close, reject, shelve, …)."));
    const QCommandLineOption ids(QStringLiteral("ids"), Tr::tr("Case numbers, comma-separated."),
                                 QStringLiteral("ID,ID,…"));
    const QCommandLineOption query(
        QStringLiteral("query"),
        Tr::tr("The cases a queue filter selects: key=value terms separated by spaces (queue, "
               "street, category, stage, source, priority, unit, grid, text)."),
        QStringLiteral("TERMS"));
    const QCommandLineOption to(QStringLiteral("to"), Tr::tr("dispatch: the person (unit code)."),
                                QStringLiteral("PERSON"));
    const QCommandLineOption reason(QStringLiteral("reason"), Tr::tr("Reason or explanation."),
                                    QStringLiteral("TEXT"));
    const QCommandLineOption confirm(
        QStringLiteral("confirm"), Tr::tr("register: the filing condition was checked for each."));
    p.addOptions({ids, query, to, reason, confirm});
    p.setApplicationDescription(
        Tr::tr("ACTION (--ids ID,ID,… | --query TERMS)\n\nRuns one action over many cases, each "
               "on its own (a case the workflow refuses is listed and the others go on). With a "
               "platform the commands wait in the outbox like any other.\n\nExit codes: 0 all "
               "applied, 3 some rejected (one line each on stderr), 8 storage fault, 1 error, 2 "
               "usage."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("case"), QStringLiteral("bulk")}, args, &rc, true))
        return rc;
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1 || p.isSet(ids) == p.isSet(query))
        return error(Tr::tr("usage: cityops-cli --user NAME case bulk ACTION (--ids ID,ID,… | "
                            "--query TERMS) [--to PERSON] [--reason T] [--confirm]"),
                     ExitUsage);
    const auto action = actionFromKey(pos.at(0));
    if (!action || *action == Action::Report)
        return error(Tr::tr("unknown action \"%1\"; see cityops-cli case do --help").arg(pos.at(0)),
                     ExitUsage);
    if (*action == Action::Register && !p.isSet(confirm))
        return error(Tr::tr("register needs --confirm: the filing condition was checked for "
                            "every case"),
                     ExitUsage);
    if (*action == Action::Dispatch && !p.isSet(to))
        return error(Tr::tr("dispatch needs --to PERSON"), ExitUsage);
    auto s = openSession(g, true, &rc);
    if (!s)
        return rc;
    QList<CaseId> cases;
    if (p.isSet(ids)) {
        for (const QString &part : p.value(ids).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const CaseId id = part.trimmed().toLongLong(&ok);
            if (!ok || id == 0)
                return error(Tr::tr("--ids: \"%1\" is not a case number").arg(part), ExitUsage);
            if (!cases.contains(id))
                cases << id;
        }
    } else {
        const CaseStore store(s->db);
        auto q = parseBulkQuery(p.value(query), store);
        if (!q)
            return error(q.error(), ExitUsage);
        q->me =
            s->cases->actor().person.isEmpty() ? s->cases->actor().id : s->cases->actor().person;
        q->now = clientNow();
        const qint64 n = store.count(*q);
        for (const CaseRow &r : store.listPage(*q, CaseSort::Id, Qt::AscendingOrder, 0,
                                               int(std::min<qint64>(n, 1 << 30))))
            cases << r.id;
    }
    if (cases.isEmpty()) {
        out(Tr::tr("No cases selected; nothing done."));
        return ExitOk;
    }
    if (*action == Action::Dispatch && !s->cases->findAssignee(p.value(to)))
        return error(Tr::tr("there is no person with the code \"%1\"").arg(p.value(to)));
    Command cmd;
    cmd.action = *action;
    cmd.reason = p.value(reason);
    cmd.confirmFiling = p.isSet(confirm);
    cmd.to = p.value(to);
    const BatchResult r = s->cases->runBatch(cases, [&](qsizetype) { return cmd; });
    bool storage = false;
    for (const BatchResult::Failure &f : r.failures) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(Tr::tr("case %1: %2").arg(f.id).arg(f.outcome.message())));
        storage = storage || (f.outcome.kind == Outcome::Failed &&
                              s->db->diagnose(f.outcome.error) != StorageFault::None);
    }
    out(s->cases->isReplica()
            ? Tr::tr("%1: %2 of %3 cases applied, %4 not changed; queued in the outbox (%5 "
                     "waiting for the platform).")
                  .arg(actionKey(*action))
                  .arg(r.applied.size())
                  .arg(cases.size())
                  .arg(r.failures.size())
                  .arg(s->cases->outstandingCount())
            : Tr::tr("%1: %2 of %3 cases applied, %4 not changed.")
                  .arg(actionKey(*action))
                  .arg(r.applied.size())
                  .arg(cases.size())
                  .arg(r.failures.size()));
    if (storage)
        return ExitStorage;
    return r.failures.isEmpty() ? ExitOk : ExitRejected;
}

int caseShow(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("ID"), Tr::tr("Case number."));
    const QCommandLineOption json(QStringLiteral("json"), Tr::tr("Print JSON."));
    p.addOption(json);
    p.addHelpOption();
    QStringList argv{QStringLiteral("cityops-cli case show")};
    argv += args;
    if (!p.parse(argv))
        return error(p.errorText(), ExitUsage);
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return ExitOk;
    }
    bool ok = false;
    const CaseId id = p.positionalArguments().value(0).toLongLong(&ok);
    if (p.positionalArguments().size() != 1 || !ok)
        return error(Tr::tr("usage: cityops-cli case show ID [--json]"), ExitUsage);
    int rc = 0;
    auto s = openSession(g, false, &rc);
    if (!s)
        return rc;
    CaseStore store(s->db);
    const auto rec = store.findCase(id);
    const auto snap = s->cases->snapshot(id);
    if (!rec || !snap)
        return error(Tr::tr("there is no case %1").arg(id));
    const QList<CaseEvent> events = store.events(id);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (p.isSet(json)) {
        QJsonObject o{
            {QStringLiteral("id"), id},
            {QStringLiteral("category"), rec->categoryCode},
            {QStringLiteral("state"), Names::key(snap->state)},
            {QStringLiteral("stage"), int(snap->stage)},
            {QStringLiteral("address"), rec->address},
            {QStringLiteral("description"), rec->description},
            {QStringLiteral("reported_at"), TimeFormat::iso(snap->reportedAt)},
            {QStringLiteral("deadline_at"),
             snap->deadlineAt ? QJsonValue(TimeFormat::iso(snap->deadlineAt)) : QJsonValue()},
            {QStringLiteral("overdue"), snap->overdue(now)},
            {QStringLiteral("assignee"), snap->assignee},
            {QStringLiteral("linked_case"),
             snap->linkedCase ? QJsonValue(snap->linkedCase) : QJsonValue()},
            {QStringLiteral("evidence"), QJsonArray::fromStringList(snap->evidence)}};
        if (snap->escalation)
            o.insert(QStringLiteral("pending_escalation"),
                     QJsonObject{{QStringLiteral("requester"), snap->escalation->requester},
                                 {QStringLiteral("to_stage"), snap->escalation->toStage},
                                 {QStringLiteral("skip"), snap->escalation->skip},
                                 {QStringLiteral("reason"), snap->escalation->reason}});
        QJsonArray stages;
        for (const StageRecord &r : snap->stages)
            stages.append(QJsonObject{{QStringLiteral("stage"), r.stage},
                                      {QStringLiteral("entered_at"), TimeFormat::iso(r.enteredAt)},
                                      {QStringLiteral("requester"), r.requester},
                                      {QStringLiteral("approver"), r.approver},
                                      {QStringLiteral("skip"), r.skip},
                                      {QStringLiteral("outcome"), r.outcome}});
        o.insert(QStringLiteral("stages"), stages);
        QJsonArray tl;
        for (const CaseEvent &e : events)
            tl.append(QJsonObject{
                {QStringLiteral("seq"), e.seq},
                {QStringLiteral("kind"), e.kind},
                {QStringLiteral("actor"), e.actor},
                {QStringLiteral("role"), e.role},
                {QStringLiteral("at"), TimeFormat::iso(e.at)},
                {QStringLiteral("device"), e.device},
                {QStringLiteral("payload"), QJsonDocument::fromJson(e.payload).object()}});
        o.insert(QStringLiteral("timeline"), tl);
        out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)));
        return ExitOk;
    }
    out(Tr::tr("Case %1 · %2 %3").arg(id).arg(rec->categoryCode, rec->categoryName));
    out(Tr::tr("State:    %1").arg(Names::label(snap->state)));
    out(Tr::tr("Stage:    %1").arg(Names::label(snap->stage)));
    out(Tr::tr("Address:  %1").arg(rec->address));
    out(Tr::tr("Deadline: %1")
            .arg(snap->deadlineAt
                     ? TimeFormat::dateTime(snap->deadlineAt) + QStringLiteral(" (") +
                           TimeFormat::countdown(snap->deadlineAt, now) + QStringLiteral(")")
                     : Tr::tr("none")));
    if (!snap->assignee.isEmpty())
        out(Tr::tr("Assignee: %1").arg(snap->assignee));
    if (snap->escalation)
        out(Tr::tr("Pending:  escalation to stage %1 requested by %2")
                .arg(snap->escalation->toStage)
                .arg(snap->escalation->requester));
    for (const StageRecord &r : snap->stages)
        out(Tr::tr("  %1 from %2%3")
                .arg(Names::stageLabel(r.stage), TimeFormat::dateTime(r.enteredAt),
                     r.approver.isEmpty() ? QString()
                                          : Tr::tr(", approved by %1").arg(r.approver)));
    out(Tr::tr("Timeline:"));
    for (const CaseEvent &e : events)
        out(QStringLiteral("  %1  %2  %3 (%4)  %5")
                .arg(e.seq, 3)
                .arg(TimeFormat::dateTime(e.at), Names::eventLabel(e.kind), e.actor, e.role) +
            (e.payload.size() > 2 ? QStringLiteral("  ") + Names::payloadSummary(e.payload)
                                  : QString()));
    return ExitOk;
}

int caseDossier(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("ID"), Tr::tr("Case number."));
    const QCommandLineOption outOpt(QStringLiteral("out"), Tr::tr("The PDF file to write."),
                                    QStringLiteral("FILE.pdf"));
    p.addOption(outOpt);
    p.addHelpOption();
    QStringList argv{QStringLiteral("cityops-cli case dossier")};
    argv += args;
    if (!p.parse(argv))
        return error(p.errorText(), ExitUsage);
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return ExitOk;
    }
    int rc = 0;
    bool ok = false;
    const CaseId id = p.positionalArguments().value(0).toLongLong(&ok);
    if (p.positionalArguments().size() != 1 || !ok || !p.isSet(outOpt))
        return error(Tr::tr("usage: cityops-cli case dossier ID --out FILE.pdf"), ExitUsage);
    auto s = openSession(g, false, &rc);
    if (!s)
        return rc;
    const auto data = DossierStore(s->db, g.dataDir).load(id, QDateTime::currentMSecsSinceEpoch());
    if (!data)
        return error(data.error());
    if (Status w = Dossier::writePdf(*data, p.value(outOpt)); !w)
        return error(w.error());
    out(Tr::tr("Dossier of case %1 written to %2.").arg(id).arg(p.value(outOpt)));
    return ExitOk;
}

int auditVerify(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption only(QStringLiteral("case"), Tr::tr("Check only this case."),
                                  QStringLiteral("ID"));
    p.addOption(only);
    int rc = 0;
    if (!parse(p, {QStringLiteral("audit"), QStringLiteral("verify")}, args, &rc))
        return rc;
    auto s = openSession(g, false, &rc);
    if (!s)
        return rc;
    const AuditReport r = Audit::verify(*s->db, p.value(only).toLongLong());
    if (!r.intact)
        return error(Tr::tr("audit chain broken at case %1, event %2: %3")
                         .arg(r.brokenCase)
                         .arg(r.brokenSeq)
                         .arg(r.problem),
                     ExitAuditBroken);
    out(Tr::tr("audit chain intact: %1 cases, %2 events").arg(r.cases).arg(r.events));
    return ExitOk;
}

int buildIndex(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    int rc = 0;
    if (!parse(p, {QStringLiteral("index")}, args, &rc))
        return rc;
    auto session = openSession(g, false, &rc);
    if (!session)
        return rc;
    QElapsedTimer t;
    t.start();
    const bool tty = isatty(fileno(stderr));
    const auto done = SearchIndex::catchUp(*session->db, 1LL << 40, [tty](qint64 n, qint64 total) {
        if (tty)
            std::fprintf(stderr, "\r%lld / %lld", n, total);
        return true;
    });
    if (tty)
        std::fprintf(stderr, "\n");
    if (!done)
        return error(done.error());
    out(Tr::tr("Search index up to date: %1 cases indexed in %2 s.")
            .arg(*done)
            .arg(t.elapsed() / 1000.0, 0, 'f', 1));
    return ExitOk;
}

int info(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    int rc = 0;
    if (!parse(p, {QStringLiteral("info")}, args, &rc))
        return rc;
    auto session = openSession(g, false, &rc);
    if (!session)
        return rc;
    const auto &db = session->db;
    CaseStore store(db);
    out(Tr::tr("Cache:          %1").arg(QDir::toNativeSeparators(db->path())));
    out(Tr::tr("Schema version: %1").arg(db->schemaVersion()));
    out(Tr::tr("Size:           %1 bytes").arg(db->sizeOnDisk()));
    out(Tr::tr("District:       %1").arg(store.meta(QStringLiteral("district"))));
    out(Tr::tr("Cases:          %1").arg(store.caseCount()));
    return ExitOk;
}

/** The platform of a command: --platform, or the one the cache signed in to last. */
std::optional<SyncEngine *> openEngine(const Globals &g, std::unique_ptr<SyncEngine> &engine,
                                       int *rc)
{
    engine = std::make_unique<SyncEngine>(g.dataDir, g.platform);
    if (Status s = engine->open(); !s) {
        *rc = error(s.error(),
                    QFileInfo::exists(Database::pathInDir(g.dataDir)) ? ExitStorage : ExitError);
        return std::nullopt;
    }
    return engine.get();
}

int login(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption user(QStringLiteral("user"), Tr::tr("Account name."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                           Tr::tr("Read the password from the first line of "
                                                  "standard input."));
    p.addOptions({user, passwordStdin});
    int rc = 0;
    if (!parse(p, {QStringLiteral("login")}, args, &rc))
        return rc;
    const QString name = p.isSet(user) ? p.value(user) : g.user;
    if (name.isEmpty())
        return error(Tr::tr("login needs --user NAME"), ExitUsage);
    if (!p.isSet(passwordStdin))
        return error(Tr::tr("login needs --password-stdin (the password is never an argument)"),
                     ExitUsage);
    QTextStream in(stdin);
    const QString password = in.readLine();
    std::unique_ptr<SyncEngine> engine;
    if (!openEngine(g, engine, &rc))
        return rc;
    const auto session = engine->login(name, password);
    if (!session)
        return error(session.error());
    out(Tr::tr("Signed in to %1 as %2 (%3).")
            .arg(engine->platformUrl(), session->user, session->role));
    return ExitOk;
}

void printRejected(const SyncEngine &engine)
{
    for (const OutboxEntry &e : engine.rejectedCommands())
        out(Tr::tr("rejected: %1 %2 on case %3 by %4: %5 [%6]")
                .arg(e.commandId, e.action)
                .arg(e.caseId)
                .arg(e.username, e.reason, e.code));
}

int syncCommand(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption statusOpt(
        QStringLiteral("status"),
        Tr::tr("Only show the outbox (commands waiting for the platform) and the rejected ones."));
    p.addOption(statusOpt);
    p.setApplicationDescription(Tr::tr("Exit codes: 0 the outbox is empty, 5 the platform cannot "
                                       "be reached (the outbox is kept), 6 the platform rejected "
                                       "commands (listed with their reasons), 7 the session has "
                                       "expired or is missing (sign in again with login; the "
                                       "outbox is kept), 8 the cache file is damaged, missing or "
                                       "the disk is full, 1 other errors."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("sync")}, args, &rc))
        return rc;
    if (cacheDeleted(g, &rc))
        return rc;
    std::unique_ptr<SyncEngine> engine;
    if (!openEngine(g, engine, &rc))
        return rc;
    if (p.isSet(statusOpt)) {
        const SyncStatus st = engine->status();
        out(Tr::tr("Platform:  %1").arg(engine->platformUrl()));
        out(Tr::tr("Signed in: %1").arg(st.user.isEmpty() ? Tr::tr("no") : st.user));
        out(Tr::tr("Last sync: %1")
                .arg(st.lastSyncAt ? TimeFormat::iso(st.lastSyncAt) : Tr::tr("never")));
        out(Tr::tr("Pending:   %1").arg(st.pending));
        for (const OutboxEntry &e : engine->outboxEntries()) {
            if (e.state == QLatin1String("rejected"))
                continue;
            out(QStringLiteral("  %1 %2 %3 case %4%5")
                    .arg(e.seq)
                    .arg(e.commandId, e.action)
                    .arg(e.caseId)
                    .arg(e.localReason.isEmpty()
                             ? QString()
                             : Tr::tr(" (conflicts locally: %1)").arg(e.localReason)));
        }
        out(Tr::tr("Rejected:  %1").arg(st.rejected));
        printRejected(*engine);
        return ExitOk;
    }
    const SyncReport r = engine->syncOnce();
    // A storage fault (e.g. the disk filled before anything was sent) is not an unreachable
    // platform, whatever happened on the network.
    if (!r.error.isEmpty() && engine->database().diagnose(r.error) != StorageFault::None)
        return storageError(engine->database(), r.error);
    if (!r.reachable)
        return error(r.error, ExitUnreachable);
    if (r.unauthorized)
        return error(
            Tr::tr("%1 Sign in with: cityops-cli login --user %2 --password-stdin")
                .arg(r.error, r.expiredUser.isEmpty() ? QStringLiteral("NAME") : r.expiredUser),
            ExitSessionExpired);
    if (!r.error.isEmpty())
        return storageError(engine->database(), r.error);
    const SyncStatus st = engine->status();
    out(Tr::tr("Synced with %1: sent %2, pending %3, rejected %4.")
            .arg(engine->platformUrl())
            .arg(r.sent)
            .arg(st.pending)
            .arg(st.rejected));
    if (st.rejected > 0) {
        printRejected(*engine);
        return ExitSyncRejected;
    }
    return st.pending == 0 ? ExitOk : ExitError;
}

/** Prints what a replay did and returns its exit code. */
int replayResult(const SyncEngine::ReplayReport &r, qsizetype total)
{
    out(Tr::tr("Replayed %1 commands: %2 applied now, %3 applied before, %4 rejected.")
            .arg(total)
            .arg(r.applied)
            .arg(r.duplicate)
            .arg(r.rejected.size()));
    for (const sync::CommandResult &c : r.rejected)
        out(Tr::tr("rejected: %1: %2 [%3]").arg(c.id, c.reason, c.code));
    if (!r.expiredUser.isEmpty())
        return error(Tr::tr("%1 Sign in with: cityops-cli login --user %2 --password-stdin, then "
                            "replay again (replaying twice applies once).")
                         .arg(r.error, r.expiredUser),
                     ExitSessionExpired);
    if (!r.reachable)
        return error(r.error, ExitUnreachable);
    if (!r.error.isEmpty())
        return error(r.error);
    return r.rejected.isEmpty() ? ExitOk : ExitSyncRejected;
}

Status writeExport(const OutboxExport &e, const QString &path)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Error{Tr::tr("cannot write %1: %2").arg(path, f.errorString())};
    f.write(e.toJson());
    if (!f.commit())
        return Error{Tr::tr("cannot write %1: %2").arg(path, f.errorString())};
    return Ok{};
}

int outboxExport(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption outOpt(
        QStringLiteral("out"), Tr::tr("JSON file to write the outbox to."), QStringLiteral("FILE"));
    p.addOption(outOpt);
    p.setApplicationDescription(
        Tr::tr("Writes every command of the outbox (pending, applied but not yet confirmed, and "
               "rejected) with its original command id to FILE. Reads the cache through a "
               "read-only handle, so it works while other tables are damaged; when the outbox "
               "table itself cannot be read, the commands come from the outbox journal next to "
               "the cache. Exit codes: 0 written, 8 neither can be read, 1 other errors."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("outbox"), QStringLiteral("export")}, args, &rc))
        return rc;
    if (!p.isSet(outOpt))
        return error(Tr::tr("--out FILE is required"), ExitUsage);
    const auto e = CacheRecovery::exportOutbox(g.dataDir);
    if (!e)
        return error(e.error(), ExitStorage);
    if (Status w = writeExport(*e, p.value(outOpt)); !w)
        return error(w.error());
    if (!e->note.isEmpty())
        std::fprintf(stderr, "%s\n", qPrintable(e->note));
    out(Tr::tr("Exported %1 commands (%2 still for the platform) from the %3 to %4.")
            .arg(e->commands.size())
            .arg(e->outstanding().size())
            .arg(e->source == QLatin1String("journal") ? Tr::tr("outbox journal")
                                                       : Tr::tr("outbox table"),
                 p.value(outOpt)));
    return ExitOk;
}

int outboxReplay(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("FILE"), Tr::tr("An outbox export."));
    p.setApplicationDescription(
        Tr::tr("Pushes the exported commands that are not rejected to the "
               "platform with their original command ids, each signed by its user's session in "
               "this cache, then pulls the platform's changes. The platform applies an id at most "
               "once: replaying twice applies once.\nExit codes: 0 all applied (now or before), "
               "5 unreachable, 6 some rejected (listed), 7 a session to renew, 8 the cache cannot "
               "be used (rebuild it first), 1 other errors."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("outbox"), QStringLiteral("replay")}, args, &rc, true))
        return rc;
    if (p.positionalArguments().size() != 1)
        return error(Tr::tr("usage: cityops-cli outbox replay FILE.json"), ExitUsage);
    const QString path = p.positionalArguments().first();
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return error(Tr::tr("cannot read %1: %2").arg(path, f.errorString()));
    const auto e = OutboxExport::fromJson(f.readAll(), path);
    if (!e)
        return error(e.error());
    if (cacheDeleted(g, &rc))
        return rc;
    std::unique_ptr<SyncEngine> engine;
    if (!openEngine(g, engine, &rc))
        return rc;
    const QList<RecoveredCommand> commands = e->outstanding();
    return replayResult(engine->replay(commands), commands.size());
}

int cacheRebuild(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        Tr::tr("Moves the cache aside (never deleting it: cityops.db.broken-TIME), creates a new "
               "one with the district data and the platform session of the old one, pulls the "
               "platform's cases and replays the old outbox (saved first to "
               "recovered-outbox-TIME.json in the data directory). Nothing changes when the "
               "outbox or the district data cannot be read. Exit codes: 0 rebuilt, 5 rebuilt "
               "but the platform cannot be reached (run sync, then outbox replay), 6 some "
               "commands rejected (listed), 7 a session to renew, 8 the outbox or the district "
               "data cannot be read, 1 other errors."));
    const QCommandLineOption user(QStringLiteral("user"),
                                  Tr::tr("Sign in as this user while rebuilding (when the old "
                                         "cache's session cannot be read)."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                           Tr::tr("Read that user's password from the first "
                                                  "line of standard input."));
    p.addOptions({user, passwordStdin});
    int rc = 0;
    if (!parse(p, {QStringLiteral("cache"), QStringLiteral("rebuild")}, args, &rc))
        return rc;
    std::optional<CacheRebuild::Credentials> signIn;
    if (p.isSet(passwordStdin)) {
        const QString name = p.isSet(user) ? p.value(user) : g.user;
        if (name.isEmpty())
            return error(Tr::tr("--password-stdin needs --user NAME"), ExitUsage);
        signIn = CacheRebuild::Credentials{name, QTextStream(stdin).readLine()};
    }
    const auto r = CacheRebuild::run(g.dataDir, g.platform, nullptr, signIn);
    if (!r)
        return error(r.error(), ExitStorage);
    out(Tr::tr("The old cache was moved to %1; the outbox (%2 commands, from the %3) is saved in "
               "%4.")
            .arg(r->movedTo.isEmpty() ? Tr::tr("(there was none)") : r->movedTo)
            .arg(r->recovered)
            .arg(r->outboxSource == QLatin1String("journal") ? Tr::tr("outbox journal")
                                                             : Tr::tr("outbox table"),
                 r->savedOutbox));
    const SyncReport &pulled = r->pull;
    if (!pulled.reachable)
        return error(Tr::tr("%1 The cache is rebuilt but empty: run cityops-cli sync, then "
                            "cityops-cli outbox replay %2.")
                         .arg(pulled.error, r->savedOutbox),
                     ExitUnreachable);
    if (pulled.unauthorized)
        return error(Tr::tr("%1 Sign in with cityops-cli login, then run cityops-cli sync and "
                            "cityops-cli outbox replay %2.")
                         .arg(pulled.error, r->savedOutbox),
                     ExitSessionExpired);
    if (!pulled.error.isEmpty())
        return error(pulled.error);
    out(Tr::tr("Pulled %1 cases from the platform.").arg(pulled.changed.size()));
    return replayResult(r->replay, r->outstanding);
}

const QList<CliCommand> &commands()
{
    static const QList<CliCommand> list{
        {{QStringLiteral("demo"), QStringLiteral("generate")},
         Tr::tr("Build a deterministic synthetic demo district and cases."),
         demoGenerate},
        {{QStringLiteral("demo"), QStringLiteral("basemap")},
         Tr::tr("Draw an offline MBTiles basemap of the district in the cache."),
         demoBasemap},
        {{QStringLiteral("info")}, Tr::tr("Show what the local cache holds."), info},
        {{QStringLiteral("index")},
         Tr::tr("Bring the full-text search index up to date."),
         buildIndex},
        {{QStringLiteral("case"), QStringLiteral("new")},
         Tr::tr("Report a new case; prints its number."),
         caseNew},
        {{QStringLiteral("case"), QStringLiteral("do")},
         Tr::tr("Run a workflow action on a case (see case do --help)."),
         caseDo},
        {{QStringLiteral("case"), QStringLiteral("bulk")},
         Tr::tr("Run one action over many cases (--ids or --query; see case bulk --help)."),
         caseBulk},
        {{QStringLiteral("case"), QStringLiteral("show")},
         Tr::tr("Show a case's state, stage, deadlines and timeline."),
         caseShow},
        {{QStringLiteral("case"), QStringLiteral("dossier")},
         Tr::tr("Write a case's enforcement dossier as PDF (case dossier ID --out FILE.pdf)."),
         caseDossier},
        {{QStringLiteral("audit"), QStringLiteral("verify")},
         Tr::tr("Verify every case's audit hash chain."),
         auditVerify},
        {{QStringLiteral("login")},
         Tr::tr("Sign in to the platform (--user NAME --password-stdin)."),
         login},
        {{QStringLiteral("sync")},
         Tr::tr("Push the outbox and pull the platform's changes once (--status: show them)."),
         syncCommand},
        {{QStringLiteral("outbox"), QStringLiteral("export")},
         Tr::tr("Write the outbox to a JSON file (--out FILE), even from a damaged cache."),
         outboxExport},
        {{QStringLiteral("outbox"), QStringLiteral("replay")},
         Tr::tr("Push an exported outbox to the platform with its original command ids."),
         outboxReplay},
        {{QStringLiteral("cache"), QStringLiteral("rebuild")},
         Tr::tr("Move a damaged cache aside and rebuild it from the platform."),
         cacheRebuild},
    };
    return list;
}

QString usage()
{
    QString s =
        Tr::tr("Usage: cityops-cli [--platform URL] [--data DIR] [--user NAME] [--lang zh_CN|en] "
               "COMMAND [options]\n\n"
               "Global options:\n"
               "  --platform URL  The district platform, e.g. http://127.0.0.1:8080 (remembered "
               "after login; case commands then queue in the outbox until sync)\n"
               "  --data DIR   Data directory (default: %1)\n"
               "  --user NAME  Act as this user (operator1, supervisor1, …; default: the signed-in "
               "user)\n"
               "  --lang LANG  Message language: zh_CN or en (default: system locale)\n"
               "  -h, --help   Show this help; COMMAND --help shows a command's options\n"
               "  -v, --version\n\nCommands:\n")
            .arg(QDir::toNativeSeparators(Database::defaultDataDir()));
    for (const CliCommand &c : commands())
        s += QStringLiteral("  %1%2\n").arg(c.words.join(QLatin1Char(' ')), -20).arg(c.summary);
    s += Tr::tr(
        "\nExit codes: 0 success, 1 error, 2 usage error, 3 action rejected by the workflow, "
        "4 audit chain broken, 5 platform unreachable (sync; the outbox is kept), 6 commands "
        "rejected by the platform (sync; listed with their reasons), 7 the platform session has "
        "expired or is missing (sync, replay; sign in again with login, the outbox is kept), 8 "
        "the cache file is damaged, deleted, not a cache or its disk is full (the message names "
        "the file; see outbox export and cache rebuild).");
    return s;
}

} // namespace

int main(int argc, char *argv[])
{
    keepFreedMemoryForReuse(); // sync moves large pages (util/allocator.h)
    Database::configureLibrary();
    // The dossier lays out text and images, which needs fonts and so a QGuiApplication (offscreen:
    // it never shows a window). Every other command runs on a QCoreApplication.
    const bool gui = std::any_of(argv, argv + argc,
                                 [](const char *a) { return std::strcmp(a, "dossier") == 0; });
    if (gui && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app =
        gui ? std::unique_ptr<QCoreApplication>(new QGuiApplication(argc, argv))
            : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("CityOps"));
    QCoreApplication::setApplicationName(QStringLiteral("cityops-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CITYOPS_VERSION));

    // Global options come before the command words; everything after them is the command's.
    QStringList args = QCoreApplication::arguments().mid(1);
    Globals g;
    QString lang;
    bool dataSet = false;
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString opt = args.takeFirst();
        auto value = [&](const QString &name) -> std::optional<QString> {
            if (opt.startsWith(name + QLatin1Char('=')))
                return opt.mid(name.size() + 1);
            if (opt == name && !args.isEmpty())
                return args.takeFirst();
            return std::nullopt;
        };
        if (opt == QLatin1String("-h") || opt == QLatin1String("--help")) {
            installTranslations(lang);
            out(usage());
            return ExitOk;
        }
        if (opt == QLatin1String("-v") || opt == QLatin1String("--version")) {
            out(QStringLiteral("cityops-cli %1").arg(QCoreApplication::applicationVersion()));
            return ExitOk;
        }
        if (opt.startsWith(QLatin1String("--data"))) {
            const auto v = value(QStringLiteral("--data"));
            if (!v || v->isEmpty())
                return error(Tr::tr("--data needs a directory"), ExitUsage);
            g.dataDir = *v;
            dataSet = true;
        } else if (opt.startsWith(QLatin1String("--user"))) {
            const auto v = value(QStringLiteral("--user"));
            if (!v || v->isEmpty())
                return error(Tr::tr("--user needs a user name"), ExitUsage);
            g.user = *v;
        } else if (opt.startsWith(QLatin1String("--platform"))) {
            const auto v = value(QStringLiteral("--platform"));
            const QUrl url(v.value_or(QString()));
            if (!v || !url.isValid() ||
                (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
                return error(Tr::tr("--platform needs an http:// or https:// URL"), ExitUsage);
            g.platform = url;
        } else if (opt.startsWith(QLatin1String("--lang"))) {
            const auto v = value(QStringLiteral("--lang"));
            if (!v || (*v != QLatin1String("zh_CN") && *v != QLatin1String("en")))
                return error(Tr::tr("--lang takes zh_CN or en"), ExitUsage);
            lang = *v;
        } else {
            return error(Tr::tr("unknown option \"%1\"; see cityops-cli --help").arg(opt),
                         ExitUsage);
        }
    }
    g.lang = installTranslations(lang);
    if (!dataSet)
        g.dataDir = Database::defaultDataDir();
    for (const CliCommand &c : commands()) {
        if (args.mid(0, c.words.size()) == c.words)
            return c.run(g, args.mid(c.words.size()));
    }
    if (args.isEmpty()) {
        out(usage());
        return ExitUsage;
    }
    return error(
        Tr::tr("unknown command \"%1\"; see cityops-cli --help").arg(args.join(QLatin1Char(' '))),
        ExitUsage);
}
