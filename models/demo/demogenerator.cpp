#include "demogenerator_p.h"
#include "util/privatefiles.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTimeZone>

namespace cityops {

namespace demo {

Generator::Generator(Database &db, const DemoOptions &o, const DemoNames &names)
    : m_db(db), m_opt(o), m_names(names), m_rng(o.seed), m_cal(WorkCalendar::builtin()),
      m_cat(Catalogue::builtin()), m_workflow(m_cat, m_cal)
{}

Result<DemoSummary> Generator::run()
{
    if (Status s = categories(); !s)
        return Error{s.error()};
    if (Status s = photos(); !s)
        return Error{s.error()};
    if (Status s = places(); !s)
        return Error{s.error()};
    if (Status s = roadsAndCameras(); !s)
        return Error{s.error()};
    if (Status s = units(); !s)
        return Error{s.error()};
    if (Status s = cases(); !s)
        return Error{s.error()};
    return m_sum;
}

} // namespace demo

Result<qint64> DemoOptions::parseAnchor(const QString &text)
{
    const QTimeZone shanghai(int(WorkCalendar::kShanghaiOffsetMs / 1000));
    const QString t = text.trimmed();
    // A bare date means 18:00 that day, like the fixed anchor (QDateTime would take midnight).
    // QDate alone would also accept a date-time, ignoring its time.
    if (const QDate d = QDate::fromString(t, Qt::ISODate); d.isValid() && t.size() == 10)
        return QDateTime(d, QTime(18, 0), shanghai).toMSecsSinceEpoch();
    QDateTime at = QDateTime::fromString(t, Qt::ISODate);
    if (!at.isValid())
        return Error{DemoGenerator::tr("--anchor \"%1\" is not an ISO date or date-time such as "
                                       "2026-11-27 or 2026-11-27T18:00+08:00")
                         .arg(text)};
    if (at.timeSpec() == Qt::LocalTime) // no offset given: the district's time, whatever the TZ
        at = QDateTime(at.date(), at.time(), shanghai);
    return at.toMSecsSinceEpoch();
}

qint64 DemoOptions::floorToHour(qint64 utcMs)
{
    return utcMs - ((utcMs % demo::kHour) + demo::kHour) % demo::kHour;
}

qint64 DemoOptions::currentHourAnchor()
{
    return floorToHour(QDateTime::currentMSecsSinceEpoch());
}

Result<DemoSummary> DemoGenerator::generate(const QString &dataDir, const DemoOptions &options)
{
    if (options.cases < 0)
        return Error{tr("the number of cases must not be negative")};
    if (!PrivateFiles::makeDir(dataDir))
        return Error{tr("cannot create the directory %1").arg(dataDir)};
    const QString target = Database::pathInDir(dataDir);
    if (QFileInfo::exists(target))
        return Error{tr("%1 already exists; choose an empty directory or remove the old cache "
                        "first")
                         .arg(target)};
    auto names = demo::DemoNames::load();
    if (!names)
        return Error{names.error()};
    const QString part = target + QStringLiteral(".part");
    for (const QString &f : {part, part + QStringLiteral("-wal"), part + QStringLiteral("-shm"),
                             part + QStringLiteral("-journal")})
        QFile::remove(f);

    Result<DemoSummary> result = Error{QString()};
    std::vector<demo::Photo> photos;
    {
        auto db = Database::open(part);
        if (!db)
            return Error{db.error()};
        Database &d = **db;
        // Build the secondary indexes once over the full tables instead of row by row.
        const auto indexes = d.dropSecondaryIndexes();
        if (!indexes)
            return Error{indexes.error()};
        // A brand-new file that is renamed into place only when complete needs no journal.
        if (Status s = d.exec(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                "PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY; PRAGMA threads = 2;");
            !s)
            return Error{s.error()};
        Transaction tx(d);
        demo::Generator g(d, options, *names);
        QElapsedTimer phase;
        phase.start();
        const bool trace = qEnvironmentVariableIsSet("CITYOPS_TRACE");
        result = g.run();
        if (trace)
            qInfo("generate: rows %lld ms", phase.restart());
        photos = g.m_photos;
        if (result) {
            const QByteArray meta = "INSERT INTO meta VALUES ('district', '" + names->districtZh +
                                    "'), ('demo_seed', '" + QByteArray::number(options.seed) +
                                    "'), ('demo_anchor', '" + QByteArray::number(options.anchorMs) +
                                    "')";
            Status s = d.exec(meta);
            for (const QByteArray &sql : *indexes) {
                if (s)
                    s = d.exec(sql);
            }
            if (s)
                s = d.recountQueues();
            if (trace)
                qInfo("generate: indexes %lld ms", phase.restart());
            if (s)
                s = tx.commit();
            if (trace)
                qInfo("generate: commit %lld ms", phase.restart());
            if (s)
                s = d.exec("ANALYZE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            if (trace)
                qInfo("generate: analyze %lld ms", phase.restart());
            if (!s)
                result = Error{s.error()};
        }
    }

    // The photos go in place before the cache does: a cache never points at missing evidence.
    for (const auto &ph : photos) {
        const QString dir = QDir(dataDir).filePath(QStringLiteral("evidence/") +
                                                   QString::fromLatin1(ph.sha.left(2)));
        // Private like the evidence the console stores (EvidenceStore): directories 0700, files
        // 0400.
        const QString path = QDir(dir).filePath(QString::fromLatin1(ph.sha));
        QSaveFile f(path);
        if (result && (!PrivateFiles::makeDir(QDir(dataDir).filePath(QStringLiteral("evidence"))) ||
                       !PrivateFiles::makeDir(dir) || !f.open(QIODevice::WriteOnly) ||
                       f.write(ph.png) != ph.png.size() || !f.commit() ||
                       !PrivateFiles::restrictFile(path, true)))
            result = Error{tr("cannot write the demo evidence to %1").arg(dir)};
    }
    if (!result || !QFile::rename(part, target)) {
        for (const QString &f :
             {part, part + QStringLiteral("-wal"), part + QStringLiteral("-shm")})
            QFile::remove(f);
        return result
                   ? Result<DemoSummary>(Error{tr("cannot move the new cache to %1").arg(target)})
                   : result;
    }
    return result;
}

} // namespace cityops
