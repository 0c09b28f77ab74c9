// cityops-cli security-log: the platform's security log (sign-ins and refusals), for auditors.
#include "cli.h"

#include "sync/securitylog.h"
#include "sync/syncclient.h"
#include "sync/syncengine.h"
#include "util/timefmt.h"

#include <QFileInfo>

#include <cstdio>

namespace cityops::cli {

int securityLog(const Globals &g, const QStringList &args)
{
    QCommandLineParser p;
    const QCommandLineOption from(QStringLiteral("from"),
                                  Tr::tr("Lines at or after this time (ISO 8601, e.g. "
                                         "2026-12-08T09:00:00+08:00, or UTC milliseconds)."),
                                  QStringLiteral("TIME"));
    const QCommandLineOption to(QStringLiteral("to"), Tr::tr("Lines at or before this time."),
                                QStringLiteral("TIME"));
    const QCommandLineOption user(QStringLiteral("user"), Tr::tr("Only lines about this account."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption address(QStringLiteral("address"),
                                     Tr::tr("Only lines from this client address."),
                                     QStringLiteral("ADDRESS"));
    const QCommandLineOption kind(QStringLiteral("kind"),
                                  Tr::tr("Only lines whose kind starts with this, e.g. signin or "
                                         "command.refused."),
                                  QStringLiteral("KIND"));
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   Tr::tr("At most this many lines, newest first (default 200)."),
                                   QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  Tr::tr("Print the platform's JSON answer (lines and the chain's "
                                         "verification)."));
    const QCommandLineOption before(QStringLiteral("before"),
                                    Tr::tr("Only lines older than this line id (the next page)."),
                                    QStringLiteral("ID"));
    p.addOptions({from, to, user, address, kind, limit, before, json});
    p.setApplicationDescription(
        Tr::tr("Reads the platform's security log as the signed-in user (auditors only; sign in "
               "with login first). Exit codes: 0 the lines were printed and the log's hash chain "
               "verifies, 4 the chain does not verify, 5 the platform cannot be reached, 7 the "
               "session has expired or is missing, 2 usage errors, 1 other errors (e.g. the "
               "user is not an auditor)."));
    int rc = 0;
    if (!parse(p, {QStringLiteral("security-log")}, args, &rc))
        return rc;
    // --user filters the log here; it does not choose the account that reads it.
    sync::SecurityLogQuery q;
    for (const auto *o : {&from, &to}) {
        if (!p.isSet(*o))
            continue;
        const auto t = sync::SecurityLogQuery::parseTime(p.value(*o));
        if (!t)
            return error(Tr::tr("--%1 takes an ISO 8601 time or UTC milliseconds, not \"%2\"")
                             .arg(o->names().constFirst(), p.value(*o)),
                         ExitUsage);
        (o == &from ? q.from : q.to) = *t;
    }
    q.user = p.value(user);
    q.address = p.value(address);
    q.kind = p.value(kind);
    bool ok = false;
    q.limit = p.value(limit).toInt(&ok);
    if (!ok || q.limit < 1 || q.limit > sync::SecurityLogQuery::kMaxLimit)
        return error(
            Tr::tr("--limit takes a number from 1 to %1").arg(sync::SecurityLogQuery::kMaxLimit),
            ExitUsage);
    if (p.isSet(before)) {
        q.before = p.value(before).toLongLong(&ok);
        if (!ok || q.before < 1)
            return error(Tr::tr("--before takes a line id"), ExitUsage);
    }

    SyncEngine engine(g.dataDir, g.platform);
    if (Status s = engine.open(); !s)
        return error(s.error(),
                     QFileInfo::exists(Database::pathInDir(g.dataDir)) ? ExitStorage : ExitError);
    const QString url = g.platform.isEmpty() ? engine.platformUrl() : g.platform.toString();
    const QString token = engine.sessionToken();
    if (url.isEmpty())
        return error(Tr::tr("No platform is configured: pass --platform URL."), ExitUsage);
    if (token.isEmpty())
        return error(SyncEngine::noSessionMessage(engine.sessionUser()), ExitSessionExpired);
    sync::SyncClient client{QUrl(url)};
    client.setToken(token.toUtf8());
    const auto answer = client.securityLog(q);
    if (const auto *f = std::get_if<sync::SyncFailure>(&answer)) {
        switch (f->kind) {
        case sync::SyncFailure::Unreachable:
            return error(f->message, ExitUnreachable);
        case sync::SyncFailure::Unauthorized:
            return error(SyncEngine::expiredMessage(engine.sessionUser()), ExitSessionExpired);
        default:
            return error(f->message);
        }
    }
    const auto &page = std::get<sync::SecurityLogPage>(answer);
    if (p.isSet(json)) {
        std::fprintf(stdout, "%s\n", sync::encodeSecurityLog(page).constData());
    } else {
        for (const sync::SecurityLogEntry &e : page.entries)
            out(QStringLiteral("%1  %2  %3  %4  %5  %6%7")
                    .arg(e.id, 6)
                    .arg(TimeFormat::iso(e.at), e.kind.leftJustified(16),
                         (e.user.isEmpty() ? QStringLiteral("-") : e.user).leftJustified(12),
                         (e.address.isEmpty() ? QStringLiteral("-") : e.address).leftJustified(15),
                         e.detail, e.count > 1 ? Tr::tr(" (×%1)").arg(e.count) : QString()));
        if (page.next)
            out(Tr::tr("More lines: add --before %1.").arg(page.next));
        out(page.chain.ok
                ? Tr::tr("Chain verifies: %n line(s) from line %1.", nullptr, int(page.chain.lines))
                      .arg(page.chain.anchorId + 1)
                : Tr::tr("CHAIN BROKEN at line %1: %2")
                      .arg(page.chain.firstBad)
                      .arg(page.chain.message));
    }
    return page.chain.ok ? ExitOk : ExitAuditBroken;
}

} // namespace cityops::cli
