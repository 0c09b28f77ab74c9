#include "cacherebuild.h"

#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/cacherecovery.h"
#include "storage/database.h"
#include "storage/syncstore.h"
#include "sync/syncclient.h"
#include "workflow/workflow.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace cityops {

namespace {

void removeCache(const QString &path)
{
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(path + QLatin1String(suffix));
}

/**
 * Creates a new cache at `path` (which must not exist) holding the platform's reference data and
 * the session, but no cases: the sync engine pulls those.
 */
Status seedFreshCache(const QString &path, const sync::ReferenceData &reference,
                      const CacheRecovery::Session &session)
{
    if (QFileInfo::exists(path))
        return Error{CacheRebuild::tr("%1 already exists.").arg(path)};
    auto opened = Database::open(path);
    if (!opened)
        return Error{opened.error()};
    const auto config = WorkflowConfig::load(QFileInfo(path).absolutePath());
    if (!config)
        return Error{config.error()};
    const Workflow workflow(Catalogue::builtin(), WorkCalendar::builtin(), *config);
    SyncStore store(*opened, workflow);
    if (Status s = store.applyReference(reference); !s)
        return s;
    return CacheRecovery::seedSession(**opened, session);
}

} // namespace

Result<RebuildReport> CacheRebuild::run(const QString &dataDir, const QUrl &platform,
                                        Database *live, const std::optional<Credentials> &signIn)
{
    RebuildReport report;
    const QString cache = Database::pathInDir(dataDir);
    const auto recovered = CacheRecovery::exportOutbox(dataDir, live);
    if (!recovered)
        return Error{tr("Refusing to rebuild: %1 Nothing was changed.").arg(recovered.error())};
    report.outboxSource = recovered->source;
    report.recovered = int(recovered->commands.size());
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmsszzz"));
    report.savedOutbox =
        QDir(dataDir).filePath(QStringLiteral("recovered-outbox-%1.json").arg(stamp));
    QSaveFile saved(report.savedOutbox);
    if (!saved.open(QIODevice::WriteOnly) || saved.write(recovered->toJson()) < 0 ||
        !saved.commit())
        return Error{tr("Refusing to rebuild: the outbox cannot be saved to %1 (%2). Nothing was "
                        "changed.")
                         .arg(report.savedOutbox, saved.errorString())};

    // The platform and the sessions of the old cache (or a new sign-in), to ask the platform for
    // the district and to replay each user's commands.
    CacheRecovery::Session session;
    if (auto old = CacheRecovery::readSession(cache, live)) {
        session = *old;
    } else if (!signIn) {
        return Error{tr("Refusing to rebuild: the platform session cannot be read from %1 (%2). "
                        "Sign in while rebuilding (cityops-cli cache rebuild --user NAME "
                        "--password-stdin). Nothing was changed.")
                         .arg(cache, old.error())};
    }
    QUrl url = platform;
    for (const auto &[key, value] : std::as_const(session)) {
        if (key == QLatin1String("platform_url") && url.isEmpty())
            url = QUrl(value);
    }
    if (url.isEmpty())
        return Error{tr("Refusing to rebuild: no platform is configured (pass --platform URL). "
                        "Nothing was changed.")};
    sync::SyncClient client(url);
    if (signIn) {
        const auto s = client.login(signIn->user, signIn->password);
        if (const auto *f = std::get_if<sync::SyncFailure>(&s))
            return Error{tr("Refusing to rebuild: %1 Nothing was changed.").arg(f->message)};
        const auto &info = std::get<sync::SessionInfo>(s);
        for (const auto &[k, v] :
             {std::pair{QStringLiteral("session_user"), info.user},
              std::pair{QStringLiteral("session_token"), info.token},
              std::pair{QStringLiteral("token:") + info.user, info.token},
              std::pair{QStringLiteral("session_role"), info.role},
              std::pair{QStringLiteral("session_expires"), QString::number(info.expiresAt)}})
            session.append({k, v});
    }
    QString token;
    for (const auto &[key, value] : std::as_const(session)) {
        if (key == QLatin1String("session_token"))
            token = value;
    }
    client.setToken(token.toUtf8());
    const auto reference = client.reference(QString()); // never "not modified"
    if (const auto *f = std::get_if<sync::SyncFailure>(&reference))
        return Error{
            tr("Refusing to rebuild: the district data cannot be fetched from %1 (%2). Nothing "
               "was changed.")
                .arg(url.toString(),
                     f->kind == sync::SyncFailure::Unauthorized
                         ? tr("the session has expired or is missing: sign in again first")
                         : f->message)};

    const QString staging = cache + QStringLiteral(".rebuilding");
    removeCache(staging); // a failed earlier run's partial cache, never the real one
    session.append({QStringLiteral("platform_url"), url.toString()});
    if (Status seeded = seedFreshCache(
            staging, *std::get<std::optional<sync::ReferenceData>>(reference), session);
        !seeded) {
        removeCache(staging);
        return Error{tr("Refusing to rebuild: %1 Nothing was changed.").arg(seeded.error())};
    }
    const auto aside = CacheRecovery::moveAside(cache);
    if (!aside) {
        removeCache(staging);
        return Error{aside.error()};
    }
    report.movedTo = *aside;
    if (!QFile::rename(staging, cache))
        return Error{tr("Cannot move the new cache %1 into place; the old one is %2.")
                         .arg(staging, report.movedTo)};

    SyncEngine engine(dataDir, url);
    report.pull = engine.syncOnce();
    if (!report.pull.reachable || report.pull.unauthorized || !report.pull.error.isEmpty())
        return report;
    const QList<RecoveredCommand> commands = recovered->outstanding();
    report.outstanding = int(commands.size());
    report.replay = engine.replay(commands);
    report.replayed = true;
    return report;
}

} // namespace cityops
