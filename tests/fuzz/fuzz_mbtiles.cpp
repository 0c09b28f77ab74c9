// libFuzzer target: the MBTiles reader (models/storage/mbtiles.*). The input is written to a
// file (in memory-backed /dev/shm when there is one) and opened read-only as a tile set, as the
// console does with Layer > Add MBTiles package. A file it accepts must answer every query
// without crashing, with a zoom range and bounds inside what Web Mercator allows, and tiles
// readable at the addresses its zoom range spans. It is never modified.
#include "fuzzsupport.h"

#include "storage/mbtiles.h"

#include <QFile>

using namespace cityops;

namespace {

QString g_path;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cityops::fuzz::initApplication(argc, argv);
    g_path =
        QDir(cityops::fuzz::scratchDir("fuzz-mbtiles")).filePath(QStringLiteral("input.mbtiles"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const char *suffix : {"-wal", "-shm", "-journal"})
        QFile::remove(g_path + QLatin1String(suffix));
    {
        QFile f(g_path);
        FUZZ_CHECK(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        FUZZ_CHECK(f.write(bytes) == bytes.size());
    }
    {
        auto opened = MbTiles::open(g_path, MbTiles::Mode::ReadOnly);
        if (!opened) {
            FUZZ_CHECK(opened.error().contains(g_path));
            return 0;
        }
        const MbTiles &tiles = **opened;
        FUZZ_CHECK(!tiles.isWritable());
        (void)tiles.tileCount();
        (void)tiles.metadata();
        (void)tiles.format();
        (void)tiles.attribution();
        const QRectF b = tiles.bounds();
        FUZZ_CHECK(b.left() >= -180 && b.right() <= 180 && b.top() >= -90 && b.bottom() <= 90);
        FUZZ_CHECK(b.width() > 0 && b.height() > 0);
        if (const auto zr = tiles.zoomRange()) {
            FUZZ_CHECK(zr->min >= 0 && zr->min <= zr->max && zr->max <= 30);
            for (int z : {zr->min, zr->max}) {
                const int last = (1 << z) - 1;
                for (const geo::TileId id : {geo::TileId{z, 0, 0}, geo::TileId{z, last, last},
                                             geo::TileId{z, last / 2, last / 2}})
                    (void)tiles.tile(id);
            }
        }
        (void)tiles.tile(geo::TileId{31, 0, 0});
        (void)tiles.tile(geo::TileId{-1, 0, 0});
    }
    // Read-only means read-only: the file is exactly what was given.
    QFile f(g_path);
    FUZZ_CHECK(f.open(QIODevice::ReadOnly) && f.readAll() == bytes);
    return 0;
}
