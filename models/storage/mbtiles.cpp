#include "mbtiles.h"

#include <QFile>
#include <QFileInfo>
#include <QMutexLocker>
#include <QSet>
#include <QtEndian>

#include "sqlitestatement.h"

#include <sqlite3.h>

#include <algorithm>

namespace cityops {

namespace {

constexpr double kMaxLat = 85.0511287798066;

/** Closes a handle unless released. */
struct Handle
{
    sqlite3 *h = nullptr;
    ~Handle() { sqlite3_close_v2(h); }
    sqlite3 *release() { return std::exchange(h, nullptr); }
};

QString sniffFormat(const QByteArray &data)
{
    if (data.startsWith("\x89PNG"))
        return QStringLiteral("png");
    if (data.startsWith("\xFF\xD8"))
        return QStringLiteral("jpg");
    if (data.startsWith("RIFF") && data.mid(8, 4) == "WEBP")
        return QStringLiteral("webp");
    if (data.startsWith("\x1F\x8B"))
        return QStringLiteral("pbf");
    return {};
}

/** Columns of a table or view, lower case; empty when it does not exist. */
QSet<QString> columnsOf(sqlite3 *h, const char *table, QString *error)
{
    QSet<QString> out;
    SqliteStatement st(h, QByteArray("PRAGMA table_info(").append(table).append(')').constData());
    if (!st.ok()) {
        *error = st.error();
        return out;
    }
    int rc;
    while ((rc = st.step()) == SQLITE_ROW)
        out.insert(st.text(1).toLower());
    if (rc != SQLITE_DONE)
        *error = st.error();
    return out;
}

/** Why a file is not a usable MBTiles file, or an empty string when it is. */
QString validateSchema(sqlite3 *h)
{
    QString err;
    const QSet<QString> tiles = columnsOf(h, "tiles", &err);
    if (!err.isEmpty())
        return MbTiles::tr("it is damaged (%1)").arg(err);
    if (tiles.isEmpty())
        return MbTiles::tr("it has no tiles table");
    for (const char *c : {"zoom_level", "tile_column", "tile_row", "tile_data"}) {
        if (!tiles.contains(QLatin1String(c)))
            return MbTiles::tr("its tiles table has no %1 column").arg(QLatin1String(c));
    }
    const QSet<QString> meta = columnsOf(h, "metadata", &err);
    if (!err.isEmpty())
        return MbTiles::tr("it is damaged (%1)").arg(err);
    if (meta.isEmpty())
        return MbTiles::tr("it has no metadata table");
    if (!meta.contains(QStringLiteral("name")) || !meta.contains(QStringLiteral("value")))
        return MbTiles::tr("its metadata table lacks the name and value columns");
    // Touch the first rows: a damaged page or a broken view shows up here rather than later.
    for (const char *probe : {"SELECT zoom_level, tile_column, tile_row, length(tile_data) FROM "
                              "tiles LIMIT 1",
                              "SELECT name, value FROM metadata LIMIT 1"}) {
        SqliteStatement st(h, probe);
        const int rc = st.step();
        if (!st.ok() || (rc != SQLITE_ROW && rc != SQLITE_DONE))
            return MbTiles::tr("it is damaged (%1)").arg(st.error());
    }
    return {};
}

/** Checks the 100-byte SQLite header against the file size; an empty string when plausible. */
QString validateHeader(const QString &path, qint64 fileSize)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return MbTiles::tr("it cannot be read (%1)").arg(f.errorString());
    const QByteArray header = f.read(100);
    if (header.size() < 100 || !header.startsWith(QByteArray("SQLite format 3\0", 16)))
        return MbTiles::tr("it is not an SQLite database");
    const auto *h = reinterpret_cast<const uchar *>(header.constData());
    qint64 pageSize = qFromBigEndian<quint16>(h + 16);
    if (pageSize == 1)
        pageSize = 65536;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        return MbTiles::tr("its SQLite header is damaged");
    // The in-header page count is valid when the change counter matches "version valid for".
    const quint32 pages = qFromBigEndian<quint32>(h + 28);
    const bool countValid = qFromBigEndian<quint32>(h + 24) == qFromBigEndian<quint32>(h + 92);
    // A write-ahead log may hold the pages of an interrupted checkpoint: SQLite recovers those.
    if (QFileInfo(path + QStringLiteral("-wal")).size() > 0)
        return {};
    if (countValid && pages > 0 && fileSize < pages * pageSize)
        return MbTiles::tr("it is truncated (%1 bytes; its header promises %2)")
            .arg(fileSize)
            .arg(pages * pageSize);
    if (fileSize % pageSize != 0)
        return MbTiles::tr("it is truncated or damaged (its size is not a whole number of pages)");
    return {};
}

} // namespace

Result<std::unique_ptr<MbTiles>> MbTiles::open(const QString &path, Mode mode)
{
    const QFileInfo fi(path);
    if (fi.exists() && !fi.isFile())
        return Error{tr("%1 is not a file.").arg(path)};
    const bool existed = fi.exists() && fi.size() > 0;
    if (!existed && mode == Mode::ReadOnly)
        return Error{tr("The MBTiles file %1 does not exist or is empty.").arg(path)};

    const QByteArray native = QFile::encodeName(path);
    bool needsSchema = !existed;
    if (existed) {
        if (const QString problem = validateHeader(path, fi.size()); !problem.isEmpty())
            return Error{tr("%1 is not a usable MBTiles file: %2.").arg(path, problem)};
        // Inspect through a read-only handle first so that a file that is not ours is never
        // written to (not even by a hot-journal rollback triggered by a write handle).
        Handle ro;
        if (sqlite3_open_v2(native.constData(), &ro.h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
            return Error{
                tr("Cannot open %1: %2").arg(path, QString::fromUtf8(sqlite3_errmsg(ro.h)))};
        sqlite3_busy_timeout(ro.h, 5000);
        SqliteStatement count(ro.h, "SELECT count(*) FROM sqlite_master");
        if (!count.ok() || count.step() != SQLITE_ROW)
            return Error{tr("%1 is not a usable MBTiles file: %2.")
                             .arg(path, tr("it is damaged (%1)").arg(count.error()))};
        const bool emptyDb = sqlite3_column_int64(count.get(), 0) == 0;
        if (emptyDb && mode == Mode::ReadWriteCreate) {
            needsSchema = true;
        } else if (const QString problem = validateSchema(ro.h); !problem.isEmpty()) {
            return Error{tr("%1 is not a usable MBTiles file: %2.").arg(path, problem)};
        }
    }

    Handle h;
    const int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                             : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(native.constData(), &h.h, flags | SQLITE_OPEN_FULLMUTEX, nullptr) !=
        SQLITE_OK)
        return Error{tr("Cannot open %1: %2").arg(path, QString::fromUtf8(sqlite3_errmsg(h.h)))};
    sqlite3_busy_timeout(h.h, 5000);

    std::unique_ptr<MbTiles> self(new MbTiles);
    self->m_path = path;
    self->m_db = h.release();
    self->m_writable = mode == Mode::ReadWriteCreate;
    if (needsSchema) {
        // auto_vacuum must precede the first table; incremental lets a cache give space back.
        const QByteArray schema =
            "PRAGMA auto_vacuum = INCREMENTAL;"
            "PRAGMA application_id = " +
            QByteArray::number(kApplicationId) +
            ";"
            "BEGIN;"
            "CREATE TABLE metadata (name TEXT, value TEXT);"
            "CREATE UNIQUE INDEX name ON metadata (name);"
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
            "tile_data BLOB);"
            "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
            "COMMIT;";
        QMutexLocker lock(&self->m_mutex);
        if (Status s = self->execLocked(schema.constData()); !s)
            return Error{tr("Cannot create the MBTiles file %1: %2").arg(path, s.error())};
        lock.unlock();
        if (Status s = self->setMetadata(QStringLiteral("name"), fi.completeBaseName()); !s)
            return Error{tr("Cannot create the MBTiles file %1: %2").arg(path, s.error())};
    }
    return self;
}

MbTiles::~MbTiles()
{
    sqlite3_close_v2(m_db);
}

Status MbTiles::execLocked(const char *sql)
{
    char *msg = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        const QString err = QString::fromUtf8(msg ? msg : sqlite3_errmsg(m_db));
        sqlite3_free(msg);
        if (!sqlite3_get_autocommit(m_db))
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        return Error{err};
    }
    return Ok{};
}

std::optional<QByteArray> MbTiles::tile(geo::TileId xyz) const
{
    if (!xyz.isValid())
        return std::nullopt;
    QMutexLocker lock(&m_mutex);
    SqliteStatement st(m_db,
                       "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND "
                       "tile_row = ?");
    st.bind(1, xyz.z);
    st.bind(2, xyz.x);
    st.bind(3, xyz.tmsRow());
    const int rc = st.step();
    if (rc == SQLITE_ROW)
        return st.blob(0);
    if (rc != SQLITE_DONE)
        qWarning("MBTiles %s: reading tile %d/%d/%d failed: %s", qPrintable(m_path), xyz.z, xyz.x,
                 xyz.y, qPrintable(st.error()));
    return std::nullopt;
}

Status MbTiles::putTile(geo::TileId xyz, const QByteArray &data)
{
    return putTiles({{xyz, data}});
}

Status MbTiles::putTiles(const QList<std::pair<geo::TileId, QByteArray>> &tiles)
{
    if (!m_writable)
        return Error{tr("%1 was opened read-only.").arg(m_path)};
    for (const auto &[id, data] : tiles) {
        if (!id.isValid())
            return Error{tr("%1/%2/%3 is not a tile address.").arg(id.z).arg(id.x).arg(id.y)};
    }
    if (tiles.isEmpty())
        return Ok{};
    const bool setFormat = format().isEmpty();
    QMutexLocker lock(&m_mutex);
    if (Status s = execLocked("SAVEPOINT mbtiles_put"); !s)
        return Error{tr("Cannot write to %1: %2").arg(m_path, s.error())};
    QString err;
    {
        // DELETE + INSERT rather than INSERT OR REPLACE: a foreign file may lack the unique index.
        SqliteStatement del(m_db, "DELETE FROM tiles WHERE zoom_level = ? AND tile_column = ? AND "
                                  "tile_row = ?");
        SqliteStatement ins(m_db,
                            "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) "
                            "VALUES (?, ?, ?, ?)");
        if (!del.ok() || !ins.ok())
            err = del.ok() ? ins.error() : del.error();
        for (const auto &[id, data] : tiles) {
            if (!err.isEmpty())
                break;
            for (SqliteStatement *st : {&del, &ins}) {
                sqlite3_reset(st->get());
                st->bind(1, id.z);
                st->bind(2, id.x);
                st->bind(3, id.tmsRow());
            }
            ins.bindBlob(4, data);
            if (del.step() != SQLITE_DONE)
                err = del.error();
            else if (ins.step() != SQLITE_DONE)
                err = ins.error();
        }
    }
    if (err.isEmpty() && setFormat) {
        if (const QString f = sniffFormat(tiles.first().second); !f.isEmpty()) {
            SqliteStatement st(m_db, "INSERT INTO metadata (name, value) VALUES ('format', ?)");
            st.bindText(1, f);
            if (st.step() != SQLITE_DONE)
                err = st.error();
        }
    }
    if (!err.isEmpty()) {
        (void)execLocked("ROLLBACK TO mbtiles_put; RELEASE mbtiles_put");
        return Error{tr("Cannot write tiles to %1: %2").arg(m_path, err)};
    }
    if (Status s = execLocked("RELEASE mbtiles_put"); !s)
        return Error{tr("Cannot write tiles to %1: %2").arg(m_path, s.error())};
    return Ok{};
}

qint64 MbTiles::tileCount() const
{
    QMutexLocker lock(&m_mutex);
    SqliteStatement st(m_db, "SELECT count(*) FROM tiles");
    return st.step() == SQLITE_ROW ? sqlite3_column_int64(st.get(), 0) : 0;
}

QMap<QString, QString> MbTiles::metadata() const
{
    QMap<QString, QString> out;
    QMutexLocker lock(&m_mutex);
    SqliteStatement st(m_db, "SELECT name, value FROM metadata");
    while (st.step() == SQLITE_ROW)
        out.insert(st.text(0), st.text(1));
    return out;
}

QString MbTiles::metadataLocked(const QString &name) const
{
    SqliteStatement st(m_db, "SELECT value FROM metadata WHERE name = ?");
    st.bindText(1, name);
    return st.step() == SQLITE_ROW ? st.text(0) : QString();
}

QString MbTiles::metadata(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return metadataLocked(name);
}

Status MbTiles::setMetadata(const QString &name, const QString &value)
{
    if (!m_writable)
        return Error{tr("%1 was opened read-only.").arg(m_path)};
    QMutexLocker lock(&m_mutex);
    if (Status s = execLocked("SAVEPOINT mbtiles_meta"); !s)
        return Error{tr("Cannot write to %1: %2").arg(m_path, s.error())};
    QString err;
    {
        SqliteStatement del(m_db, "DELETE FROM metadata WHERE name = ?");
        del.bindText(1, name);
        SqliteStatement ins(m_db, "INSERT INTO metadata (name, value) VALUES (?, ?)");
        ins.bindText(1, name);
        ins.bindText(2, value);
        if (del.step() != SQLITE_DONE)
            err = del.error();
        else if (ins.step() != SQLITE_DONE)
            err = ins.error();
    }
    if (!err.isEmpty()) {
        (void)execLocked("ROLLBACK TO mbtiles_meta; RELEASE mbtiles_meta");
        return Error{tr("Cannot write the metadata of %1: %2").arg(m_path, err)};
    }
    if (Status s = execLocked("RELEASE mbtiles_meta"); !s)
        return Error{tr("Cannot write the metadata of %1: %2").arg(m_path, s.error())};
    return Ok{};
}

QString MbTiles::format() const
{
    const QString f = metadata(QStringLiteral("format")).trimmed().toLower();
    return f == QLatin1String("jpeg") ? QStringLiteral("jpg") : f;
}

std::optional<MbTiles::ZoomRange> MbTiles::zoomRange() const
{
    bool okMin = false, okMax = false;
    const int mn = metadata(QStringLiteral("minzoom")).toInt(&okMin);
    const int mx = metadata(QStringLiteral("maxzoom")).toInt(&okMax);
    if (okMin && okMax && mn >= 0 && mn <= mx && mx <= 30)
        return ZoomRange{mn, mx};
    QMutexLocker lock(&m_mutex);
    SqliteStatement st(m_db, "SELECT min(zoom_level), max(zoom_level) FROM tiles");
    if (st.step() != SQLITE_ROW || sqlite3_column_type(st.get(), 0) == SQLITE_NULL)
        return std::nullopt;
    // A foreign file may hold rows outside 0..30 (or text): callers compute 1 << zoom.
    const qint64 lo = std::max<qint64>(sqlite3_column_int64(st.get(), 0), 0);
    const qint64 hi = std::min<qint64>(sqlite3_column_int64(st.get(), 1), 30);
    if (lo > hi)
        return std::nullopt;
    return ZoomRange{int(lo), int(hi)};
}

QRectF MbTiles::bounds() const
{
    const QRectF world(QPointF(-180.0, -kMaxLat), QPointF(180.0, kMaxLat));
    const QStringList parts = metadata(QStringLiteral("bounds")).split(QLatin1Char(','));
    if (parts.size() != 4)
        return world;
    double v[4];
    for (int i = 0; i < 4; ++i) {
        bool ok = false;
        v[i] = parts[i].trimmed().toDouble(&ok);
        if (!ok)
            return world;
    }
    if (v[0] >= v[2] || v[1] >= v[3] || v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90)
        return world;
    return QRectF(QPointF(v[0], v[1]), QPointF(v[2], v[3]));
}

} // namespace cityops
