#pragma once

#include "sync/syncengine.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QString>
#include <QUrl>

#include <optional>

namespace cityops {

class Database;

/** What a rebuild did. */
struct RebuildReport
{
    QString movedTo;      ///< where the old cache went (empty: there was none)
    QString savedOutbox;  ///< the recovered outbox, written before anything changed
    QString outboxSource; ///< "outbox" (its table) or "journal"
    int recovered = 0;    ///< commands recovered (all states)
    int outstanding = 0;  ///< of them, the ones replayed (not rejected before)
    SyncReport pull;      ///< the first sync of the new cache (the snapshot)
    bool replayed = false;
    SyncEngine::ReplayReport replay;
};

/**
 * Rebuilds the cache of a data directory from the platform (`cityops-cli cache rebuild`, File ▸
 * Rebuild cache from platform…): recovers the outbox (its table, or the journal) and saves it to
 * DATA/recovered-outbox-TIME.json, seeds a new cache with the district data and the session of
 * the old one, moves the old cache aside (never deleting it) and the new one into place, pulls
 * the platform's cases and replays the recovered commands with their original ids. Until the
 * swap nothing changes, and a failure then is the error; after it, problems of the pull or the
 * replay are in the report (the new cache is valid; sync and replay can be run again). Runs on
 * the calling thread; the console stops its sync engine first.
 */
class CacheRebuild
{
    Q_DECLARE_TR_FUNCTIONS(CacheRebuild)
public:
    /** Signing in afresh, for a cache whose session cannot be read any more. */
    struct Credentials
    {
        QString user;
        QString password;
    };
    static Result<RebuildReport> run(const QString &dataDir, const QUrl &platform,
                                     Database *live = nullptr,
                                     const std::optional<Credentials> &signIn = std::nullopt);
};

} // namespace cityops
