#include "tilecache.h"

#include "mbtiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QMutex>
#include <QMutexLocker>

#include "sqlitestatement.h"

#include <sqlite3.h>

#include <algorithm>

namespace cityops {

namespace {

Status exec(sqlite3 *db, const char *sql)
{
    char *msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        const QString err = QString::fromUtf8(msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return Error{err};
    }
    return Ok{};
}

/** Replaces one metadata row (DELETE + INSERT: a foreign file may lack the unique index). */
bool setMeta(sqlite3 *db, const char *name, const QByteArray &value, QString *error)
{
    SqliteStatement del(db, "DELETE FROM metadata WHERE name = ?");
    del.bindUtf8(1, name);
    SqliteStatement ins(db, "INSERT INTO metadata (name, value) VALUES (?, ?)");
    ins.bindUtf8(1, name);
    ins.bindUtf8(2, value);
    if (!del.run()) {
        *error = del.error();
        return false;
    }
    if (!ins.run()) {
        *error = ins.error();
        return false;
    }
    return true;
}

QByteArray sniffFormat(const QByteArray &data)
{
    if (data.startsWith("\x89PNG"))
        return "png";
    if (data.startsWith("\xFF\xD8"))
        return "jpg";
    if (data.startsWith("RIFF") && data.mid(8, 4) == "WEBP")
        return "webp";
    return {};
}

qint64 toMs(const QDateTime &t)
{
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

QDateTime fromMs(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC) : QDateTime();
}

QMutex g_registryMutex;
/** One object per cache file in this process, so that size accounting stays consistent. */
QHash<QString, std::weak_ptr<TileDiskCache>> g_registry;

} // namespace

QString TileDiskCache::pathFor(const QString &dir, const QString &sourceId)
{
    QString name;
    for (const QChar c : sourceId) {
        const bool safe = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                          (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
                          (c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
                          c == QLatin1Char('-') || c == QLatin1Char('_') ||
                          (c == QLatin1Char('.') && !name.isEmpty());
        name += safe ? c : QLatin1Char('_');
    }
    if (name.isEmpty())
        name = QStringLiteral("default");
    return QDir(dir).filePath(name + QStringLiteral(".mbtiles"));
}

Result<std::shared_ptr<TileDiskCache>> TileDiskCache::open(const QString &dir,
                                                           const QString &sourceId, qint64 capBytes)
{
    if (!QDir().mkpath(dir))
        return Error{tr("Cannot create the tile cache folder %1.").arg(dir)};
    const QString path = QFileInfo(pathFor(dir, sourceId)).absoluteFilePath();

    QMutexLocker reg(&g_registryMutex);
    if (auto alive = g_registry.value(path).lock()) {
        alive->setCap(capBytes);
        return alive;
    }

    auto attempt = [&]() -> Result<std::shared_ptr<TileDiskCache>> {
        auto tiles = MbTiles::open(path, MbTiles::Mode::ReadWriteCreate);
        if (!tiles)
            return Error{tiles.error()};
        std::shared_ptr<TileDiskCache> self(new TileDiskCache);
        self->m_tiles = std::move(*tiles);
        self->m_path = path;
        self->m_sourceId = sourceId;
        self->m_cap = capBytes;
        if (Status s = self->init(); !s)
            return Error{tr("Cannot use %1 as a tile cache: %2").arg(path, s.error())};
        return self;
    };
    auto r = attempt();
    if (!r && QFileInfo::exists(path)) {
        const QString aside = path + QStringLiteral(".broken");
        qWarning("Tile cache %s is unusable (%s); it is moved to %s and a new cache started.",
                 qPrintable(path), qPrintable(r.error()), qPrintable(aside));
        QFile::remove(aside);
        if (!QFile::rename(path, aside))
            return Error{tr("The tile cache %1 is unusable and cannot be moved aside: %2")
                             .arg(path, r.error())};
        for (const char *suffix : {"-wal", "-shm", "-journal"})
            QFile::remove(path + QLatin1String(suffix));
        r = attempt();
    }
    if (!r)
        return r;
    for (auto it = g_registry.begin(); it != g_registry.end();)
        it = it->expired() ? g_registry.erase(it) : std::next(it);
    g_registry.insert(path, *r);
    return r;
}

Status TileDiskCache::init()
{
    QMutexLocker lock(&m_tiles->m_mutex);
    sqlite3 *db = m_tiles->m_db;
    {
        SqliteStatement st(db, "SELECT type FROM sqlite_master WHERE name = 'tiles'");
        if (st.step() != SQLITE_ROW || st.blob(0) != "table")
            return Error{tr("its tiles are a view, not a table")};
    }
    // WAL while open: readers of the map never wait for a tile being stored. The destructor goes
    // back to a rollback journal so that the file at rest suits every MBTiles reader.
    const char *schema =
        "PRAGMA journal_mode = WAL;"
        "PRAGMA synchronous = NORMAL;"
        "BEGIN IMMEDIATE;"
        "CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, "
        "tile_row);"
        "CREATE TABLE IF NOT EXISTS cityops_tile_cache ("
        " zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL,"
        " bytes INTEGER NOT NULL, last_used INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
        " etag TEXT, last_modified TEXT,"
        " PRIMARY KEY (zoom_level, tile_column, tile_row));"
        "CREATE INDEX IF NOT EXISTS cityops_tile_cache_lru ON cityops_tile_cache (last_used);"
        "COMMIT;";
    if (Status s = exec(db, schema); !s)
        return s;

    // Tiles written by another tool (or bookkeeping left by one) are reconciled: unknown tiles
    // count as stale and least recently used.
    SqliteStatement counts(db, "SELECT (SELECT count(*) FROM tiles), (SELECT count(*) FROM "
                               "cityops_tile_cache)");
    if (counts.step() != SQLITE_ROW)
        return Error{counts.error()};
    if (counts.integer(0) != counts.integer(1)) {
        const char *reconcile =
            "BEGIN IMMEDIATE;"
            "DELETE FROM cityops_tile_cache WHERE NOT EXISTS (SELECT 1 FROM tiles t WHERE "
            " t.zoom_level = cityops_tile_cache.zoom_level AND t.tile_column = "
            " cityops_tile_cache.tile_column AND t.tile_row = cityops_tile_cache.tile_row);"
            "INSERT INTO cityops_tile_cache (zoom_level, tile_column, tile_row, bytes, "
            " last_used, expires_at) SELECT t.zoom_level, t.tile_column, t.tile_row, "
            " length(t.tile_data), 0, 0 FROM tiles t WHERE NOT EXISTS (SELECT 1 FROM "
            " cityops_tile_cache c WHERE c.zoom_level = t.zoom_level AND c.tile_column = "
            " t.tile_column AND c.tile_row = t.tile_row);"
            "COMMIT;";
        if (Status s = exec(db, reconcile); !s)
            return s;
    }

    SqliteStatement totals(db, "SELECT coalesce(sum(bytes), 0), coalesce(max(last_used), 0) FROM "
                               "cityops_tile_cache");
    if (totals.step() != SQLITE_ROW)
        return Error{totals.error()};
    m_size = totals.integer(0);
    m_clock = totals.integer(1);

    bool needName = true;
    SqliteStatement meta(db, "SELECT name, value FROM metadata WHERE name IN ('name', 'format', "
                             "'minzoom', 'maxzoom')");
    while (meta.step() == SQLITE_ROW) {
        const QByteArray name = meta.blob(0), value = meta.blob(1);
        if (name == "name")
            needName = false;
        else if (name == "format")
            m_formatKnown = !value.isEmpty();
        else if (name == "minzoom")
            m_minZoom = value.toInt();
        else if (name == "maxzoom")
            m_maxZoom = value.toInt();
    }
    QString err;
    if (needName || m_tiles->metadataLocked(QStringLiteral("description")).isEmpty()) {
        if (!setMeta(db, "name", m_sourceId.toUtf8(), &err) ||
            !setMeta(db, "description", "CityOps tile cache", &err) ||
            !setMeta(db, "type", "baselayer", &err))
            return Error{err};
    }
    return Ok{};
}

TileDiskCache::~TileDiskCache()
{
    if (!m_tiles)
        return;
    QMutexLocker lock(&m_tiles->m_mutex);
    if (Status s = flushLocked(); !s)
        qWarning("Tile cache %s: %s", qPrintable(m_path), qPrintable(s.error()));
    (void)exec(m_tiles->m_db, "PRAGMA journal_mode = DELETE");
}

qint64 TileDiskCache::nextClockLocked()
{
    m_clock = std::max(QDateTime::currentMSecsSinceEpoch(), m_clock + 1);
    return m_clock;
}

std::optional<CachedTile> TileDiskCache::lookup(geo::TileId xyz)
{
    if (!xyz.isValid())
        return std::nullopt;
    QMutexLocker lock(&m_tiles->m_mutex);
    sqlite3 *db = m_tiles->m_db;
    SqliteStatement st(
        db, "SELECT t.tile_data, c.expires_at, c.etag, c.last_modified FROM tiles t LEFT "
            "JOIN cityops_tile_cache c ON c.zoom_level = t.zoom_level AND c.tile_column = "
            "t.tile_column AND c.tile_row = t.tile_row WHERE t.zoom_level = ? AND "
            "t.tile_column = ? AND t.tile_row = ?");
    st.bindTile(xyz);
    const int rc = st.step();
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE)
            qWarning("Tile cache %s: %s", qPrintable(m_path), qPrintable(st.error()));
        return std::nullopt;
    }
    CachedTile out;
    out.data = st.blob(0);
    out.expires = fromMs(st.integer(1));
    out.etag = st.blob(2);
    out.lastModified = st.blob(3);
    m_touches.insert(xyz, nextClockLocked());
    if (m_touches.size() >= kTouchBatch) {
        if (Status s = flushLocked(); !s)
            qWarning("Tile cache %s: %s", qPrintable(m_path), qPrintable(s.error()));
    }
    return out;
}

std::optional<QDateTime> TileDiskCache::expiry(geo::TileId xyz) const
{
    QMutexLocker lock(&m_tiles->m_mutex);
    SqliteStatement st(m_tiles->m_db,
                       "SELECT expires_at FROM cityops_tile_cache WHERE zoom_level = ? AND "
                       "tile_column = ? AND tile_row = ?");
    st.bindTile(xyz);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    return fromMs(st.integer(0));
}

qint64 TileDiskCache::countFresh(int z, const QRect &xyRange, const QDateTime &now) const
{
    const qint64 last = (qint64(1) << z) - 1;
    QMutexLocker lock(&m_tiles->m_mutex);
    SqliteStatement st(
        m_tiles->m_db,
        "SELECT count(*) FROM cityops_tile_cache WHERE zoom_level = ? AND tile_column "
        "BETWEEN ? AND ? AND tile_row BETWEEN ? AND ? AND expires_at > ?");
    st.bind(1, z);
    st.bind(2, xyRange.left());
    st.bind(3, xyRange.right());
    st.bind(4, last - xyRange.bottom());
    st.bind(5, last - xyRange.top());
    st.bind(6, now.toMSecsSinceEpoch());
    return st.step() == SQLITE_ROW ? st.integer(0) : 0;
}

qint64 TileDiskCache::tileCount() const
{
    QMutexLocker lock(&m_tiles->m_mutex);
    SqliteStatement st(m_tiles->m_db, "SELECT count(*) FROM cityops_tile_cache");
    return st.step() == SQLITE_ROW ? st.integer(0) : 0;
}

Status TileDiskCache::store(geo::TileId xyz, const QByteArray &data, const QDateTime &expires,
                            const QByteArray &etag, const QByteArray &lastModified)
{
    if (!xyz.isValid())
        return Error{tr("%1/%2/%3 is not a tile address.").arg(xyz.z).arg(xyz.x).arg(xyz.y)};
    QMutexLocker lock(&m_tiles->m_mutex);
    sqlite3 *db = m_tiles->m_db;
    if (Status s = exec(db, "BEGIN IMMEDIATE"); !s)
        return Error{tr("Cannot write to the tile cache %1: %2").arg(m_path, s.error())};
    QString err;
    qint64 oldBytes = 0;
    {
        SqliteStatement old(db, "SELECT bytes FROM cityops_tile_cache WHERE zoom_level = ? AND "
                                "tile_column = ? AND tile_row = ?");
        old.bindTile(xyz);
        if (old.step() == SQLITE_ROW)
            oldBytes = old.integer(0);
        SqliteStatement tile(db, "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, "
                                 "tile_data) VALUES (?, ?, ?, ?)");
        tile.bindTile(xyz);
        tile.bindBlob(4, data);
        SqliteStatement book(
            db, "INSERT OR REPLACE INTO cityops_tile_cache (zoom_level, tile_column, "
                "tile_row, bytes, last_used, expires_at, etag, last_modified) VALUES (?, "
                "?, ?, ?, ?, ?, ?, ?)");
        book.bindTile(xyz);
        book.bind(4, data.size());
        book.bind(5, nextClockLocked());
        book.bind(6, toMs(expires));
        book.bindUtf8(7, etag.isEmpty() ? QByteArray() : etag);
        book.bindUtf8(8, lastModified.isEmpty() ? QByteArray() : lastModified);
        if (!tile.run())
            err = tile.error();
        else if (!book.run())
            err = book.error();
    }
    bool formatSet = false;
    if (err.isEmpty() && !m_formatKnown) {
        if (const QByteArray f = sniffFormat(data); !f.isEmpty())
            formatSet = setMeta(db, "format", f, &err);
    }
    const int minZoom = m_minZoom < 0 ? xyz.z : std::min(m_minZoom, xyz.z);
    const int maxZoom = std::max(m_maxZoom, xyz.z);
    if (err.isEmpty() && (minZoom != m_minZoom || maxZoom != m_maxZoom)) {
        if (setMeta(db, "minzoom", QByteArray::number(minZoom), &err))
            setMeta(db, "maxzoom", QByteArray::number(maxZoom), &err);
    }
    if (err.isEmpty()) {
        if (Status s = exec(db, "COMMIT"); !s)
            err = s.error();
    } else {
        (void)exec(db, "ROLLBACK");
    }
    if (!err.isEmpty())
        return Error{tr("Cannot write to the tile cache %1: %2").arg(m_path, err)};
    m_formatKnown = m_formatKnown || formatSet;
    m_minZoom = minZoom;
    m_maxZoom = maxZoom;
    m_size += data.size() - oldBytes;
    m_touches.remove(xyz);
    return pruneLocked();
}

Status TileDiskCache::refresh(geo::TileId xyz, const QDateTime &newExpires)
{
    QMutexLocker lock(&m_tiles->m_mutex);
    SqliteStatement st(m_tiles->m_db,
                       "UPDATE cityops_tile_cache SET expires_at = ?, last_used = ? WHERE "
                       "zoom_level = ? AND tile_column = ? AND tile_row = ?");
    st.bind(1, toMs(newExpires));
    st.bind(2, nextClockLocked());
    st.bind(3, xyz.z);
    st.bind(4, xyz.x);
    st.bind(5, xyz.tmsRow());
    if (!st.run())
        return Error{tr("Cannot write to the tile cache %1: %2").arg(m_path, st.error())};
    if (sqlite3_changes(m_tiles->m_db) == 0)
        return Error{tr("Tile %1/%2/%3 is not in the cache %4.")
                         .arg(xyz.z)
                         .arg(xyz.x)
                         .arg(xyz.y)
                         .arg(m_path)};
    m_touches.remove(xyz);
    return Ok{};
}

Status TileDiskCache::flush()
{
    QMutexLocker lock(&m_tiles->m_mutex);
    return flushLocked();
}

Status TileDiskCache::flushLocked()
{
    if (m_touches.isEmpty())
        return Ok{};
    sqlite3 *db = m_tiles->m_db;
    if (Status s = exec(db, "BEGIN IMMEDIATE"); !s)
        return s;
    SqliteStatement st(db, "UPDATE cityops_tile_cache SET last_used = ? WHERE zoom_level = ? AND "
                           "tile_column = ? AND tile_row = ?");
    for (auto it = m_touches.cbegin(); it != m_touches.cend(); ++it) {
        const geo::TileId t = it.key();
        st.reset();
        st.bind(1, it.value());
        st.bind(2, t.z);
        st.bind(3, t.x);
        st.bind(4, t.tmsRow());
        if (!st.run()) {
            const QString err = st.error();
            (void)exec(db, "ROLLBACK");
            return Error{err};
        }
    }
    if (Status s = exec(db, "COMMIT"); !s)
        return s;
    m_touches.clear();
    return Ok{};
}

Status TileDiskCache::prune()
{
    QMutexLocker lock(&m_tiles->m_mutex);
    return pruneLocked();
}

Status TileDiskCache::pruneLocked()
{
    const qint64 cap = m_cap.load();
    if (cap <= 0 || m_size.load() <= cap)
        return Ok{};
    if (Status s = flushLocked(); !s)
        return Error{tr("Cannot prune the tile cache %1: %2").arg(m_path, s.error())};
    const auto target = static_cast<qint64>(double(cap) * kPruneTarget);
    sqlite3 *db = m_tiles->m_db;
    if (Status s = exec(db, "BEGIN IMMEDIATE"); !s)
        return Error{tr("Cannot prune the tile cache %1: %2").arg(m_path, s.error())};
    struct Victim
    {
        qint64 z, x, row;
    };
    QList<Victim> victims;
    qint64 freed = 0;
    QString err;
    {
        SqliteStatement lru(
            db, "SELECT zoom_level, tile_column, tile_row, bytes FROM cityops_tile_cache "
                "ORDER BY last_used");
        int rc;
        while (m_size.load() - freed > target && (rc = lru.step()) == SQLITE_ROW) {
            victims.append({lru.integer(0), lru.integer(1), lru.integer(2)});
            freed += lru.integer(3);
        }
    }
    {
        SqliteStatement delTile(db,
                                "DELETE FROM tiles WHERE zoom_level = ? AND tile_column = ? AND "
                                "tile_row = ?");
        SqliteStatement delBook(db, "DELETE FROM cityops_tile_cache WHERE zoom_level = ? AND "
                                    "tile_column = ? AND tile_row = ?");
        for (const Victim &v : std::as_const(victims)) {
            for (SqliteStatement *st : {&delTile, &delBook}) {
                st->reset();
                st->bind(1, v.z);
                st->bind(2, v.x);
                st->bind(3, v.row);
                if (!st->run()) {
                    err = st->error();
                    break;
                }
            }
            if (!err.isEmpty())
                break;
        }
    }
    if (err.isEmpty()) {
        if (Status s = exec(db, "COMMIT"); !s)
            err = s.error();
    } else {
        (void)exec(db, "ROLLBACK");
    }
    if (!err.isEmpty())
        return Error{tr("Cannot prune the tile cache %1: %2").arg(m_path, err)};
    m_size -= freed;
    (void)exec(db, "PRAGMA incremental_vacuum");
    return Ok{};
}

Status TileDiskCache::clear()
{
    QMutexLocker lock(&m_tiles->m_mutex);
    sqlite3 *db = m_tiles->m_db;
    if (Status s = exec(db, "BEGIN IMMEDIATE; DELETE FROM tiles; DELETE FROM cityops_tile_cache; "
                            "COMMIT;");
        !s)
        return Error{tr("Cannot clear the tile cache %1: %2").arg(m_path, s.error())};
    m_size = 0;
    m_touches.clear();
    (void)exec(db, "PRAGMA incremental_vacuum");
    return Ok{};
}

} // namespace cityops
