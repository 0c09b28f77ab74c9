#pragma once

#include <QHashFunctions>
#include <QtGlobal>

namespace cityops::geo {

/** One XYZ (slippy-map) tile: y grows southwards from the top row 0. */
struct TileId
{
    int z = 0;
    int x = 0;
    int y = 0;

    /** The MBTiles / TMS row of this tile: rows are counted from the south, 2^z − 1 − y. */
    int tmsRow() const { return (1 << z) - 1 - y; }
    static TileId fromTms(int z, int x, int tmsRow) { return {z, x, (1 << z) - 1 - tmsRow}; }
    TileId parent() const { return {z - 1, x >> 1, y >> 1}; }
    bool isValid() const
    {
        return z >= 0 && z <= 30 && x >= 0 && y >= 0 && x < (1 << z) && y < (1 << z);
    }
    /** A 64-bit key unique per tile (z in the top bits). */
    quint64 key() const { return (quint64(z) << 58) | (quint64(x) << 29) | quint64(y); }

    friend bool operator==(const TileId &a, const TileId &b) = default;
};

inline size_t qHash(const TileId &t, size_t seed = 0)
{
    return ::qHash(t.key(), seed);
}

} // namespace cityops::geo
