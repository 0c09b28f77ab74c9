#pragma once

#include "geo/tileid.h"
#include "util/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QRectF>
#include <QString>

#include <memory>
#include <optional>
#include <utility>

struct sqlite3;

namespace cityops {

class TileDiskCache;

/**
 * An MBTiles 1.3 tile set (a SQLite file: tiles in TMS rows plus a metadata table), read and
 * written through the sqlite3 C API with one connection per object.
 *
 * Threading: every method may be called from any thread; a mutex serialises them on the one
 * connection, so worker threads may share an object (calls then run one at a time).
 */
class MbTiles
{
    Q_DECLARE_TR_FUNCTIONS(MbTiles)
public:
    enum class Mode
    {
        ReadOnly,
        ReadWriteCreate
    };

    struct ZoomRange
    {
        int min = 0;
        int max = 0;
    };

    /** The MBTiles 1.3 application id ("MPBX"), written into files this class creates. */
    static constexpr int kApplicationId = 0x4d504258;

    ~MbTiles();
    MbTiles(const MbTiles &) = delete;
    MbTiles &operator=(const MbTiles &) = delete;

    /**
     * Opens a tile set. A file that is not SQLite, is truncated or damaged, or lacks the `tiles`
     * (table or view) and `metadata` tables is refused with a message naming the file and the
     * problem; it is not modified. ReadWriteCreate creates a missing or empty file with the
     * standard schema (and an empty SQLite file gets the schema too).
     */
    static Result<std::unique_ptr<MbTiles>> open(const QString &path, Mode mode);

    const QString &path() const { return m_path; }
    bool isWritable() const { return m_writable; }

    /** The tile at an XYZ address (the TMS row flip is done here), or nullopt when absent. */
    std::optional<QByteArray> tile(geo::TileId xyz) const;
    /** Writes (or replaces) one tile. */
    Status putTile(geo::TileId xyz, const QByteArray &data);
    /** Writes many tiles in one transaction (much faster than putTile in a loop). */
    Status putTiles(const QList<std::pair<geo::TileId, QByteArray>> &tiles);
    /** Number of rows in `tiles`. */
    qint64 tileCount() const;

    /** All metadata rows (name → value). */
    QMap<QString, QString> metadata() const;
    /** One metadata value, empty when absent. */
    QString metadata(const QString &name) const;
    /** Sets (replaces) one metadata value. */
    Status setMetadata(const QString &name, const QString &value);

    /** Tile format from the metadata ("png", "jpg", "webp", "pbf"), lower case. */
    QString format() const;
    /**
     * minzoom/maxzoom from the metadata, else the zoom levels present clamped to 0..30; nullopt
     * when empty or when none lies in 0..30.
     */
    std::optional<ZoomRange> zoomRange() const;
    /**
     * The metadata bounds in WGS-84 degrees: x is longitude and y latitude, so left() is west,
     * right() east, top() south and bottom() north. The whole Web Mercator world when absent or
     * unreadable.
     */
    QRectF bounds() const;
    QString attribution() const { return metadata(QStringLiteral("attribution")); }

private:
    friend class TileDiskCache;

    MbTiles() = default;
    Status execLocked(const char *sql);
    QString metadataLocked(const QString &name) const;

    QString m_path;
    sqlite3 *m_db = nullptr;
    bool m_writable = false;
    mutable QMutex m_mutex;
};

} // namespace cityops
