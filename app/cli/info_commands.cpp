// cityops-cli info, index, audit verify: what the local cache holds, its full-text search index
// and its audit hash chain.
#include "cli.h"

#include "storage/audit.h"
#include "storage/casestore.h"
#include "storage/searchindex.h"

#include <QDir>
#include <QElapsedTimer>

#include <cstdio>

#include <unistd.h>

namespace cityops::cli {

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

} // namespace cityops::cli
