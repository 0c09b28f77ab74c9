#include "tilefetcher.h"

#include "storage/mbtiles.h"
#include "storage/tilecache.h"

#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>
#include <tuple>

#ifndef CITYOPS_VERSION
#define CITYOPS_VERSION "0"
#endif

namespace cityops::geo {

namespace {

/** Parses an HTTP-date (RFC 9110: IMF-fixdate, with the obsolete RFC 850 form as fallback). */
QDateTime parseHttpDate(const QByteArray &value)
{
    const QString s = QString::fromLatin1(value).trimmed();
    if (s.isEmpty())
        return {};
    const QLocale c = QLocale::c();
    for (const char *format : {"ddd, dd MMM yyyy hh:mm:ss 'GMT'", "dddd, dd-MMM-yy hh:mm:ss 'GMT'",
                               "ddd MMM d hh:mm:ss yyyy"}) {
        QDateTime t = c.toDateTime(s.simplified(), QLatin1String(format));
        if (t.isValid()) {
            if (t.date().year() < 1970)
                t = t.addYears(100);
            t.setTimeSpec(Qt::UTC);
            return t;
        }
    }
    QDateTime t = QDateTime::fromString(s, Qt::RFC2822Date);
    return t.isValid() ? t.toUTC() : QDateTime();
}

} // namespace

TileFetcher::TileFetcher(const QString &cacheDir, QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent), m_cacheDir(cacheDir), m_nam(nam ? nam : new QNetworkAccessManager(this))
{
    // One disk worker: tasks run in order, so a tile stored after a download is seen by every
    // later lookup, and the GUI thread never waits for SQLite.
    m_pool.setMaxThreadCount(1);
}

TileFetcher::~TileFetcher()
{
    for (Entry &e : m_entries) {
        if (e.reply) {
            disconnect(e.reply, nullptr, this, nullptr);
            e.reply->abort();
            e.reply->deleteLater();
        }
    }
    // Pending stores still run (they only touch the caches they captured); queued results that
    // they post to this object are discarded with it.
    m_pool.waitForDone();
}

QByteArray TileFetcher::userAgent()
{
    return QByteArrayLiteral("CityOps/" CITYOPS_VERSION " (district operations console; Qt)");
}

void TileFetcher::setCacheCapBytes(qint64 bytes)
{
    m_cacheCap = bytes;
    for (const auto &cache : std::as_const(m_caches)) {
        if (cache)
            cache->setCap(bytes);
    }
}

void TileFetcher::setMaxConcurrentPerHost(int n)
{
    m_maxPerHost = std::max(1, n);
    pump();
}

void TileFetcher::setApiKey(const QString &keyId, const QString &key)
{
    m_keys.insert(keyId, key);
}

Result<std::shared_ptr<TileDiskCache>> TileFetcher::cacheFor(const TileSource &source)
{
    if (source.isPackage())
        return Error{tr("%1 is an offline package; it has no download cache.").arg(source.name)};
    if (auto it = m_caches.constFind(source.id); it != m_caches.cend())
        return *it;
    if (auto it = m_cacheErrors.constFind(source.id); it != m_cacheErrors.cend())
        return Error{*it};
    auto cache = TileDiskCache::open(m_cacheDir, source.id, m_cacheCap);
    if (!cache) {
        // Not retried for every tile: the source is then fetched without a disk cache.
        qWarning("%s", qPrintable(cache.error()));
        m_cacheErrors.insert(source.id, cache.error());
        return Error{cache.error()};
    }
    m_caches.insert(source.id, *cache);
    return *cache;
}

Result<std::shared_ptr<MbTiles>> TileFetcher::packageFor(const TileSource &source)
{
    if (auto it = m_packages.constFind(source.mbtilesPath); it != m_packages.cend())
        return *it;
    auto file = MbTiles::open(source.mbtilesPath, MbTiles::Mode::ReadOnly);
    if (!file)
        return Error{file.error()};
    std::shared_ptr<MbTiles> shared(std::move(*file));
    m_packages.insert(source.mbtilesPath, shared);
    return shared;
}

void TileFetcher::request(const TileSource &source, TileId tile, int priority)
{
    add(source, tile, priority, true);
}

void TileFetcher::download(const TileSource &source, TileId tile, int priority)
{
    add(source, tile, priority, false);
}

void TileFetcher::add(const TileSource &source, TileId tile, int priority, bool view)
{
    if (!tile.isValid() || tile.z < source.minZoom || tile.z > source.maxZoom) {
        const QString reason = tr("zoom %1 is outside the range %2–%3 of %4")
                                   .arg(tile.z)
                                   .arg(source.minZoom)
                                   .arg(source.maxZoom)
                                   .arg(source.name);
        const QString id = source.id;
        // Answers always come later than the call, never from inside request().
        QMetaObject::invokeMethod(
            this,
            [this, id, tile, reason, view] {
                if (view) {
                    m_missing[id].insert(tile);
                    emit tileMissing(id, tile, reason);
                } else {
                    emit downloadFailed(id, tile, reason);
                }
            },
            Qt::QueuedConnection);
        return;
    }
    const Key key{source.id, tile.key()};
    if (auto it = m_entries.find(key); it != m_entries.end()) {
        it->priority = std::max(it->priority, priority);
        if (view && !it->view) {
            it->view = true;
            if (it->cached) {
                it->served = true;
                const QByteArray data = *it->cached;
                const QString id = source.id;
                QMetaObject::invokeMethod(
                    this, [this, id, tile, data] { emit tileReady(id, tile, data, false); },
                    Qt::QueuedConnection);
            }
        }
        if (!view)
            it->download = true;
        return;
    }
    Entry e;
    e.source = source;
    e.tile = tile;
    e.priority = priority;
    e.seq = ++m_nextSeq;
    e.serial = ++m_nextSerial;
    e.view = view;
    e.download = !view;
    m_entries.insert(key, e);
    startDisk(key);
}

void TileFetcher::startDisk(const Key &key)
{
    Entry &e = m_entries[key];
    e.stage = Stage::Disk;
    const quint64 serial = e.serial;
    const TileId tile = e.tile;
    auto post = [this, key, serial](std::optional<CachedTile> hit, QString error) {
        QMetaObject::invokeMethod(
            this, [this, key, serial, hit, error] { onDiskResult(key, serial, hit, error); },
            Qt::QueuedConnection);
    };
    if (e.source.isPackage()) {
        auto pkg = packageFor(e.source);
        if (!pkg) {
            post(std::nullopt, pkg.error());
            return;
        }
        m_pool.start([post, file = *pkg, tile] {
            std::optional<CachedTile> hit;
            if (auto data = file->tile(tile))
                hit = CachedTile{*data, QDateTime(), {}, {}};
            post(hit, QString());
        });
        return;
    }
    std::shared_ptr<TileDiskCache> cache;
    if (auto c = cacheFor(e.source))
        cache = *c;
    m_pool.start([post, cache, tile] {
        std::optional<CachedTile> hit;
        if (cache)
            hit = cache->lookup(tile);
        post(hit, QString());
    });
}

void TileFetcher::onDiskResult(const Key &key, quint64 serial, const std::optional<CachedTile> &hit,
                               const QString &error)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end() || it->serial != serial)
        return; // cancelled meanwhile
    const QString id = it->source.id;
    const TileId tile = it->tile;
    const bool view = it->view, download = it->download;

    if (it->source.isPackage()) {
        const QString path = it->source.mbtilesPath;
        m_entries.erase(it);
        if (hit) {
            if (view) {
                m_missing[id].remove(tile);
                emit tileReady(id, tile, hit->data, false);
            }
            if (download)
                emit downloaded(id, tile, 0, false);
        } else {
            const QString reason =
                error.isEmpty() ? tr("the offline package %1 does not hold this tile").arg(path)
                                : error;
            if (view) {
                m_missing[id].insert(tile);
                emit tileMissing(id, tile, reason);
            }
            if (download)
                emit downloadFailed(id, tile, reason);
        }
        return;
    }

    if (hit && hit->fresh(QDateTime::currentDateTimeUtc())) {
        m_entries.erase(it);
        if (view) {
            m_missing[id].remove(tile);
            emit tileReady(id, tile, hit->data, false);
        }
        if (download)
            emit downloaded(id, tile, 0, false);
        return;
    }
    if (hit) {
        // Stale: show it now, revalidate in the background.
        it->hadCache = true;
        it->etag = hit->etag;
        it->lastModified = hit->lastModified;
        it->cached = hit->data;
        it->served = view;
    }
    enqueue(key);
    if (hit && view) {
        m_missing[id].remove(tile);
        emit tileReady(id, tile, hit->data, false);
    }
}

void TileFetcher::enqueue(const Key &key)
{
    Entry &e = m_entries[key];
    const QString apiKey = m_keys.value(e.source.effectiveKeyId());
    if (e.source.needsKey() && apiKey.isEmpty()) {
        fail(key, tr("no API key is set for %1").arg(e.source.name), false);
        return;
    }
    const QUrl url = e.source.tileUrl(e.tile, apiKey);
    if (!url.isValid() || url.host().isEmpty()) {
        fail(key, tr("the tile URL of %1 is invalid").arg(e.source.name), false);
        return;
    }
    e.host = url.host();
    e.stage = Stage::Queued;
    m_queue.append(key);
    pump();
}

void TileFetcher::pump()
{
    for (;;) {
        qsizetype best = -1;
        std::tuple<bool, int, qint64> bestRank{};
        for (qsizetype i = 0; i < m_queue.size(); ++i) {
            const Entry &e = m_entries[m_queue[i]];
            if (m_perHost.value(e.host) >= m_maxPerHost)
                continue;
            const std::tuple<bool, int, qint64> rank{e.view, e.priority, -qint64(e.seq)};
            if (best < 0 || rank > bestRank) {
                best = i;
                bestRank = rank;
            }
        }
        if (best < 0)
            return;
        const Key key = m_queue.takeAt(best);
        Entry &e = m_entries[key];
        QNetworkRequest req(e.source.tileUrl(e.tile, m_keys.value(e.source.effectiveKeyId())));
        req.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
        req.setRawHeader("Accept", "image/webp,image/png,image/jpeg,image/*;q=0.8,*/*;q=0.5");
        if (!e.etag.isEmpty())
            req.setRawHeader("If-None-Match", e.etag);
        if (!e.lastModified.isEmpty())
            req.setRawHeader("If-Modified-Since", e.lastModified);
        // Our disk cache is the HTTP cache; a cache installed on a shared manager stays out.
        req.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
        req.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
        req.setTransferTimeout(m_timeoutMs);
        e.reply = m_nam->get(req);
        e.stage = Stage::Network;
        ++m_perHost[e.host];
        const quint64 serial = e.serial;
        connect(e.reply, &QNetworkReply::finished, this,
                [this, key, serial] { onReply(key, serial); });
    }
}

TileFetcher::Freshness TileFetcher::freshnessOf(QNetworkReply *reply, const QDateTime &now)
{
    Freshness f;
    std::optional<qint64> maxAge;
    bool noCache = false;
    for (const QByteArray &part : reply->rawHeader("Cache-Control").toLower().split(',')) {
        const QByteArray d = part.trimmed();
        if (d == "no-store") {
            f.store = false;
        } else if (d == "no-cache") {
            noCache = true;
        } else if (d.startsWith("max-age=")) {
            bool ok = false;
            const qint64 v = d.mid(8).replace('"', "").toLongLong(&ok);
            if (ok)
                maxAge = std::max<qint64>(0, v);
        }
    }
    if (noCache) {
        f.expires = now; // stored, but revalidated before every use
    } else if (maxAge) {
        const qint64 age = std::max<qint64>(0, reply->rawHeader("Age").trimmed().toLongLong());
        f.expires = now.addSecs(std::max<qint64>(0, *maxAge - age));
    } else if (reply->hasRawHeader("Expires")) {
        const QDateTime expires = parseHttpDate(reply->rawHeader("Expires"));
        const QDateTime date = parseHttpDate(reply->rawHeader("Date"));
        if (!expires.isValid())
            f.expires = now; // "Expires: 0" and friends mean already expired
        else if (date.isValid())
            f.expires = now.addSecs(date.secsTo(expires)); // immune to our clock's skew
        else
            f.expires = expires;
    } else {
        f.expires = now.addSecs(kDefaultMaxAgeSecs);
    }
    return f;
}

void TileFetcher::onReply(const Key &key, quint64 serial)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end() || it->serial != serial)
        return;
    Entry e = std::move(*it);
    m_entries.erase(it);
    QNetworkReply *reply = e.reply;
    reply->deleteLater();
    if (--m_perHost[e.host] <= 0)
        m_perHost.remove(e.host);

    const QString id = e.source.id;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttr.isValid() ? statusAttr.toInt() : 0;
    QString failure;

    if (status == 0) {
        ++m_networkErrors;
        failure = tr("offline (%1)").arg(reply->errorString());
        setOnline(false);
    } else {
        setOnline(true);
        if (status == 304 && e.hadCache) {
            const Freshness f = freshnessOf(reply, now);
            runRefresh(e.source, e.tile, f.store ? f.expires : now, e.download);
        } else if (status >= 200 && status < 300 && reply->error() == QNetworkReply::NoError) {
            const QByteArray data = reply->readAll();
            const QByteArray type =
                reply->header(QNetworkRequest::ContentTypeHeader).toByteArray().toLower();
            if (data.isEmpty()) {
                failure = tr("the server sent an empty tile");
            } else if (type.startsWith("text/") || type.contains("xml") || type.contains("json")) {
                // Keyed services answer a bad key or an exhausted quota with an error page.
                failure = tr("the server sent %1 instead of a tile").arg(QString::fromLatin1(type));
            } else {
                const Freshness f = freshnessOf(reply, now);
                if (f.store) {
                    runStore(e.source, e.tile, data, f, reply->rawHeader("ETag"),
                             reply->rawHeader("Last-Modified"), e.download);
                } else if (e.download) {
                    emit downloadFailed(id, e.tile,
                                        tr("the server forbids storing this tile (no-store)"));
                }
                if (e.view) {
                    m_missing[id].remove(e.tile);
                    emit tileReady(id, e.tile, data, true);
                }
            }
        } else {
            failure =
                tr("the server answered HTTP %1 %2")
                    .arg(status)
                    .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
        }
    }
    if (!failure.isEmpty()) {
        // A stale tile that was already shown stays shown: only a tile never shown is missing.
        if (e.view && !e.served) {
            m_missing[id].insert(e.tile);
            emit tileMissing(id, e.tile, failure);
        }
        if (e.download)
            emit downloadFailed(id, e.tile, failure);
    }
    pump();
}

void TileFetcher::runStore(const TileSource &source, TileId tile, const QByteArray &data,
                           const Freshness &f, const QByteArray &etag,
                           const QByteArray &lastModified, bool reportDownload)
{
    auto cache = cacheFor(source);
    if (!cache) {
        if (reportDownload)
            emit downloadFailed(source.id, tile, cache.error());
        return;
    }
    const QString id = source.id;
    const QDateTime expires = f.expires;
    m_pool.start([this, c = *cache, id, tile, data, expires, etag, lastModified, reportDownload] {
        const Status s = c->store(tile, data, expires, etag, lastModified);
        if (!s)
            qWarning("%s", qPrintable(s.error()));
        if (!reportDownload)
            return;
        const QString error = s ? QString() : s.error();
        const qint64 bytes = data.size();
        QMetaObject::invokeMethod(
            this,
            [this, id, tile, bytes, error] {
                if (error.isEmpty())
                    emit downloaded(id, tile, bytes, true);
                else
                    emit downloadFailed(id, tile, error);
            },
            Qt::QueuedConnection);
    });
}

void TileFetcher::runRefresh(const TileSource &source, TileId tile, const QDateTime &expires,
                             bool reportDownload)
{
    auto cache = cacheFor(source);
    if (!cache) {
        if (reportDownload)
            emit downloadFailed(source.id, tile, cache.error());
        return;
    }
    const QString id = source.id;
    m_pool.start([this, c = *cache, id, tile, expires, reportDownload] {
        const Status s = c->refresh(tile, expires);
        if (!reportDownload)
            return;
        const QString error = s ? QString() : s.error();
        QMetaObject::invokeMethod(
            this,
            [this, id, tile, error] {
                if (error.isEmpty())
                    emit downloaded(id, tile, 0, true);
                else
                    emit downloadFailed(id, tile, error);
            },
            Qt::QueuedConnection);
    });
}

void TileFetcher::fail(const Key &key, const QString &reason, bool countAsOffline)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        return;
    const Entry e = std::move(*it);
    removeEntry(key);
    if (countAsOffline) {
        ++m_networkErrors;
        setOnline(false);
    }
    if (e.view && !e.served) {
        m_missing[e.source.id].insert(e.tile);
        emit tileMissing(e.source.id, e.tile, reason);
    }
    if (e.download)
        emit downloadFailed(e.source.id, e.tile, reason);
}

void TileFetcher::removeEntry(const Key &key)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        return;
    if (it->reply) {
        disconnect(it->reply, nullptr, this, nullptr);
        it->reply->abort();
        it->reply->deleteLater();
        if (--m_perHost[it->host] <= 0)
            m_perHost.remove(it->host);
    }
    m_queue.removeOne(key);
    m_entries.erase(it);
}

void TileFetcher::dropView(const Key &key)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end() || !it->view)
        return;
    it->view = false;
    it->served = false;
    if (!it->download)
        removeEntry(key);
}

void TileFetcher::cancelAll()
{
    const QList<Key> keys = m_entries.keys();
    for (const Key &k : keys)
        dropView(k);
    pump();
}

void TileFetcher::cancelOutside(const QSet<TileId> &wanted)
{
    QList<Key> drop;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it->view && !wanted.contains(it->tile))
            drop.append(it.key());
    }
    for (const Key &k : std::as_const(drop))
        dropView(k);
    pump();
}

void TileFetcher::cancelOutside(const QString &sourceId, const QSet<TileId> &wanted)
{
    QList<Key> drop;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it->view && it.key().first == sourceId && !wanted.contains(it->tile))
            drop.append(it.key());
    }
    for (const Key &k : std::as_const(drop))
        dropView(k);
    pump();
}

void TileFetcher::cancelDownload(const QString &sourceId, TileId tile)
{
    const Key key{sourceId, tile.key()};
    auto it = m_entries.find(key);
    if (it == m_entries.end() || !it->download)
        return;
    it->download = false;
    if (!it->view)
        removeEntry(key);
    pump();
}

void TileFetcher::setOnline(bool online)
{
    if (m_online == online)
        return;
    m_online = online;
    emit onlineChanged(online);
}

} // namespace cityops::geo
