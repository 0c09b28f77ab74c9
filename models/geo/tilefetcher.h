#pragma once

#include "geo/tileid.h"
#include "geo/tilesource.h"
#include "util/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <optional>
#include <utility>

class QNetworkAccessManager;
class QNetworkReply;

namespace cityops {
class MbTiles;
class TileDiskCache;
struct CachedTile;
} // namespace cityops

namespace cityops::geo {

/**
 * Obtains map tiles without blocking: in-flight dedupe, then the per-source disk cache (stale
 * tiles are served at once and revalidated), then the network with per-host limits, a priority
 * queue and HTTP caching rules; MBTiles package sources are read from their file only.
 *
 * Threading: lives on the GUI thread and is used only there; disk work runs on a private thread
 * pool whose results come back as queued calls, and the destructor waits for that work.
 */
class TileFetcher : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultMaxPerHost = 6;
    static constexpr qint64 kDefaultCacheCapBytes = 512LL * 1024 * 1024;
    /** Freshness when the server sends no Cache-Control max-age or Expires. */
    static constexpr qint64 kDefaultMaxAgeSecs = 7 * 24 * 3600;
    static constexpr int kDefaultTimeoutMs = 20000;

    /** nam may be null: the fetcher then owns one. The caller keeps ownership of a given nam. */
    explicit TileFetcher(const QString &cacheDir, QNetworkAccessManager *nam = nullptr,
                         QObject *parent = nullptr);
    ~TileFetcher() override;

    /** The User-Agent sent with every request. */
    static QByteArray userAgent();

    const QString &cacheDir() const { return m_cacheDir; }
    /** Cap of each source's disk cache (applies to caches opened later and those open now). */
    void setCacheCapBytes(qint64 bytes);
    qint64 cacheCapBytes() const { return m_cacheCap; }
    void setMaxConcurrentPerHost(int n);
    int maxConcurrentPerHost() const { return m_maxPerHost; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    /** The key that fills {k}/{key} for sources whose effectiveKeyId() is keyId. */
    void setApiKey(const QString &keyId, const QString &key);

    /** The disk cache of a source (opened on first use); an error for a package source. */
    Result<std::shared_ptr<TileDiskCache>> cacheFor(const TileSource &source);

    /**
     * Asks for a tile for display: tileReady or tileMissing follows (tileReady may come twice
     * when a stale tile is served and then replaced by a newer one). A request for a tile that
     * is already pending only raises its priority. Higher priority goes first.
     */
    void request(const TileSource &source, TileId tile, int priority = 0);
    /**
     * Makes sure a tile is fresh in the disk cache without delivering its data (prefetch):
     * downloaded or downloadFailed follows. Downloads queue behind every display request and are
     * untouched by cancelAll()/cancelOutside().
     */
    void download(const TileSource &source, TileId tile, int priority = 0);

    /** Drops every pending display request (no signal follows for them). */
    void cancelAll();
    /** Drops the pending display requests for tiles not in wanted (any source). */
    void cancelOutside(const QSet<TileId> &wanted);
    /** Drops the pending display requests of one source for tiles not in wanted. */
    void cancelOutside(const QString &sourceId, const QSet<TileId> &wanted);
    /** Drops one pending download (no signal follows for it). */
    void cancelDownload(const QString &sourceId, TileId tile);

    /** False after a network failure, true again after any HTTP answer. */
    bool online() const { return m_online; }
    /** Network failures (no HTTP answer) since construction. */
    int networkErrorCount() const { return m_networkErrors; }
    /** Display requests of a source that ended in tileMissing and have not arrived since. */
    QSet<TileId> missing(const QString &sourceId) const { return m_missing.value(sourceId); }
    void clearMissing(const QString &sourceId) { m_missing.remove(sourceId); }
    /** Display requests and downloads not yet answered. */
    int pendingCount() const { return int(m_entries.size()); }

signals:
    void tileReady(const QString &sourceId, cityops::geo::TileId tile, const QByteArray &data,
                   bool fromNetwork);
    void tileMissing(const QString &sourceId, cityops::geo::TileId tile, const QString &reason);
    /** A download() finished: bytes is what was written to the cache (0 when already fresh). */
    void downloaded(const QString &sourceId, cityops::geo::TileId tile, qint64 bytes,
                    bool fromNetwork);
    void downloadFailed(const QString &sourceId, cityops::geo::TileId tile, const QString &reason);
    void onlineChanged(bool online);

private:
    using Key = std::pair<QString, quint64>;
    enum class Stage
    {
        Disk,
        Queued,
        Network
    };
    struct Entry
    {
        TileSource source;
        TileId tile;
        int priority = 0;
        quint64 seq = 0;
        quint64 serial = 0;
        bool view = false;
        bool download = false;
        Stage stage = Stage::Disk;
        /** The stale copy from the disk cache, kept while it is revalidated. */
        std::optional<QByteArray> cached;
        /** The stale copy was handed to the view (so a failure does not make it missing). */
        bool served = false;
        bool hadCache = false;
        QByteArray etag, lastModified;
        QString host;
        QNetworkReply *reply = nullptr;
    };
    /** What the server said about caching a response. */
    struct Freshness
    {
        bool store = true;
        QDateTime expires;
    };

    void add(const TileSource &source, TileId tile, int priority, bool view);
    void startDisk(const Key &key);
    void onDiskResult(const Key &key, quint64 serial, const std::optional<CachedTile> &hit,
                      const QString &error);
    void enqueue(const Key &key);
    void pump();
    void onReply(const Key &key, quint64 serial);
    void fail(const Key &key, const QString &reason, bool countAsOffline);
    void removeEntry(const Key &key);
    void dropView(const Key &key);
    void setOnline(bool online);
    void runStore(const TileSource &source, TileId tile, const QByteArray &data, const Freshness &f,
                  const QByteArray &etag, const QByteArray &lastModified, bool reportDownload);
    void runRefresh(const TileSource &source, TileId tile, const QDateTime &expires,
                    bool reportDownload);
    Result<std::shared_ptr<MbTiles>> packageFor(const TileSource &source);
    static Freshness freshnessOf(QNetworkReply *reply, const QDateTime &now);

    QString m_cacheDir;
    QNetworkAccessManager *m_nam = nullptr;
    qint64 m_cacheCap = kDefaultCacheCapBytes;
    int m_maxPerHost = kDefaultMaxPerHost;
    int m_timeoutMs = kDefaultTimeoutMs;
    QHash<QString, QString> m_keys;
    QHash<QString, std::shared_ptr<TileDiskCache>> m_caches;
    /** Sources whose cache cannot be opened: they are fetched without one. */
    QHash<QString, QString> m_cacheErrors;
    QHash<QString, std::shared_ptr<MbTiles>> m_packages;
    QHash<Key, Entry> m_entries;
    QList<Key> m_queue;
    QHash<QString, int> m_perHost;
    QHash<QString, QSet<TileId>> m_missing;
    quint64 m_nextSeq = 0;
    quint64 m_nextSerial = 0;
    bool m_online = true;
    int m_networkErrors = 0;
    /** Last: destroyed first, so no disk task outlives the members it uses. */
    QThreadPool m_pool;
};

} // namespace cityops::geo
