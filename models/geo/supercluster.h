#pragma once

#include "util/result.h"

#include <QList>
#include <QMap>
#include <QRectF>
#include <QString>

#include <array>
#include <cstddef>
#include <vector>

namespace cityops::geo {

namespace detail {
/** An entry of a level's KD-tree: a node's position rounded to float32, as supercluster's kdbush
 * stores it, and the node's index (next to it, so a hit costs no further cache miss). */
struct KdEntry
{
    float x, y;
    quint32 id;
};
/** What the KD-tree sort moves around: an entry padded to 16 bytes, so a swap is one move. */
struct KdItem
{
    float c[2];
    quint32 id;
    quint32 unused;
};
} // namespace detail

/** Options of a Supercluster index: npm supercluster's names, defaults and meaning. */
struct ClusterOptions
{
    int minZoom = 0;  ///< lowest zoom that gets a level of its own
    int maxZoom = 16; ///< highest clustered zoom (≤ 30); maxZoom + 1 holds the input points
    int minPoints = 2;
    double radius = 40;  ///< cluster radius in pixels of a tile that is `extent` pixels wide
    double extent = 512; ///< tile extent the radius is relative to
    int nodeSize = 64;   ///< KD-tree leaf size (clamped to 2..65535 as kdbush does)
};

constexpr int kClusterClasses = 4;

/** One input point. klass is a small category (0..kClusterClasses-1) whose counts are summed into
 * clusters (used for colouring by stage/overdue); larger values are folded into the last class. */
struct ClusterInput
{
    double lon = 0, lat = 0;
    quint32 id = 0;
    quint8 klass = 0;
};

/** One node returned by a query: a cluster (count ≥ 2, as supercluster) or a single point. */
struct ClusterItem
{
    /// Normalised Web Mercator [0,1]² (x east, y south), as supercluster stores it: the weighted
    /// centroid for a cluster, float-rounded lngX/latY for a point.
    double x = 0, y = 0;
    /// A cluster's position is xLng/yLat of (x, y); a point keeps its input lon/lat exactly.
    double lon = 0, lat = 0;
    quint32 count = 1;     ///< number of input points it represents
    qint64 clusterId = -1; ///< supercluster's cluster id, -1 for a single point
    quint32 pointId = 0;   ///< the input id when it is a single point
    std::array<quint32, kClusterClasses> classCounts{};
};

/**
 * Hierarchical greedy point clustering with the semantics of npm supercluster 8 (as run by
 * Node 20), down to the bit: the same float32 KD-trees (kdbush 4, including its Floyd-Rivest
 * select and traversal order), the same visiting order, the same weighted centroids and cluster
 * ids, and V8's fdlibm sin/log/exp/atan instead of the C library's. So per-zoom counts, cluster
 * ids and positions equal the reference's for the same input and options.
 *
 * Storage is flat: per zoom level one array of 24-byte nodes in visiting order and a kdbush-like
 * static index of 12-byte entries (leaves of nodeSize, inner nodes also kept in heap order);
 * about 40 bytes per node plus 24 per cluster ever formed, nothing allocated per point. Input
 * coordinates should be finite; like supercluster's, cluster ids stay unique below 2^26 points.
 *
 * Threading: load() must not run concurrently with anything else on the object (it sorts large
 * levels on two threads of its own). After it returns, every const method may be called from
 * any number of threads at once (the map renderer queries from a worker thread).
 */
class Supercluster
{
public:
    explicit Supercluster(ClusterOptions o = {});

    /** Builds every level from maxZoom + 1 down to minZoom; replaces what was loaded before. */
    void load(std::vector<ClusterInput> points);

    /**
     * The clusters and points in a lon/lat box at a zoom, as getClusters([w, s, e, n], zoom):
     * x = west, y = south, east = x + width, north = y + height. Longitudes are wrapped, so a
     * box across the antimeridian may be given with east > 180 or a negative width; a width
     * ≥ 360 is the whole world; the zoom is clamped to minZoom..maxZoom + 1. Nodes come in the
     * reference's order.
     */
    QList<ClusterItem> clusters(const QRectF &lonLatBox, int zoom) const;
    /** The nodes whose position lies in a [0,1]² rectangle (edges included), for the canvas:
     * no wrapping, the zoom clamped as above. */
    QList<ClusterItem> clustersInUnitRect(const QRectF &unitRect, int zoom) const;
    /**
     * Input ids under a cluster in supercluster's getLeaves order; limit < 0 means all.
     * Empty for an id that is not a cluster of this index.
     */
    QList<quint32> leaves(qint64 clusterId, int limit = -1) const;
    /** The zoom at which the cluster splits (getClusterExpansionZoom); -1 for an unknown id. */
    int expansionZoom(qint64 clusterId) const;
    /**
     * For each zoom minZoom..maxZoom, the number of nodes (clusters plus unclustered points) on
     * that level: what a query covering the whole world returns. Note that
     * getClusters([-180, -85, 180, 85]) can return fewer, as it leaves out nodes beyond ±85°.
     */
    QMap<int, int> countsPerZoom() const;
    /**
     * Per zoom minZoom..maxZoom, FNV-1a (32 bit) over the level's nodes in visiting order: x, y
     * as little-endian float64, count and id (cluster id, or the point's index in load()'s input)
     * as uint32. tests/reference/cluster_counts.mjs --digest computes the same over supercluster's
     * internal data, so equal values mean bit-identical clustering.
     */
    QMap<int, quint32> fingerprints() const;
    std::size_t memoryBytes() const;
    const ClusterOptions &options() const { return m_options; }
    int pointCount() const { return static_cast<int>(m_points.size()); }

    /** {"0":n,"1":n,...}: compact, keys in zoom order (the reference script's output format). */
    static QString countsJson(const QMap<int, int> &counts);

private:
    /** A node of a level: a cluster or a single point. */
    struct Node
    {
        double x, y;
        quint32 num; ///< input points represented
        quint32 ref; ///< point: index into m_points; cluster: into m_clusters
    };
    /** One zoom level: nodes in visiting order, and a kdbush-like index over them. */
    struct Level
    {
        std::vector<Node> nodes;
        std::vector<quint32> parent; ///< 1 + m_clusters index of its cluster one zoom down, or 0
        std::vector<detail::KdEntry> entries; ///< kd-sorted
        /// The middle entry of each inner node again, at its heap index (root 1): the descent
        /// then reads a few packed cache lines instead of one line per level.
        std::vector<detail::KdEntry> mids;
    };
    /** A cluster ever formed; nodes refer to it by index. */
    struct Cluster
    {
        qint64 id = 0;
        std::array<quint32, kClusterClasses> classCounts{};
    };

    /// Levels at least this large sort the two halves below the KD-tree root on two threads.
    static constexpr std::size_t kParallelMin = 16384;
    /** Buffers sized once for the largest level and reused by every level of a load(). */
    struct BuildScratch
    {
        std::vector<Node> nodes;
        std::vector<detail::KdItem> items;
        std::vector<quint32> neighbours;
    };

    int limitZoom(int zoom) const;
    const Level *level(int zoom) const;
    void buildIndex(Level &l, BuildScratch &scratch) const;
    /** Clusters level `from` (zoom + 1) into `to` (zoom), as supercluster's _cluster. */
    void clusterLevel(Level &from, int zoom, Level &to, BuildScratch &scratch);
    /** getClusters([west, south, east, north], zoom), appending to out. */
    void appendClusters(double west, double south, double east, double north, int zoom,
                        QList<ClusterItem> &out) const;
    void appendRange(const Level &l, double minX, double minY, double maxX, double maxY,
                     QList<ClusterItem> &out) const;
    ClusterItem item(const Level &l, quint32 node) const;
    /** The level and node a cluster id originated from, and the cluster's m_clusters index. */
    bool locate(qint64 clusterId, int &originZoom, quint32 &originNode, quint32 &cluster) const;
    void children(qint64 clusterId, std::vector<quint32> &nodes, int &originZoom) const;
    void appendLeaves(qint64 clusterId, int limit, QList<quint32> &out) const;

    ClusterOptions m_options;
    int m_nodeSize = 64;
    std::vector<ClusterInput> m_points;
    std::vector<Level> m_levels; ///< index zoom - minZoom, for minZoom..maxZoom + 1
    std::vector<Cluster> m_clusters;
};

/**
 * Reads "lon,lat" lines (for the benchmark's --dump-clusters mode and the tests): one header
 * line is allowed, blank lines are skipped, anything else that is not two finite numbers within
 * ±180/±90 is an error naming its line number. Ids are the 0-based point order, classes 0.
 */
Result<std::vector<ClusterInput>> readPointsCsv(const QString &path);

} // namespace cityops::geo
