#pragma once

#include "geo/supercluster.h"
#include "maplayer.h"
#include "storage/mapstore.h"

#include <QFutureWatcher>
#include <QHash>
#include <QSet>

namespace cityops {

/** What the clustered case layer and the heatmap share: the points and their cluster index. */
struct CaseIndex
{
    std::vector<MapCasePoint> points; ///< ids and WGS-84 positions
    std::vector<QPointF> world;       ///< world positions in the display datum, same order
    geo::Supercluster clusters;
    QHash<qint64, quint32> rowOfId;
    qint64 buildMs = 0;
};

/**
 * Cases as clustered markers coloured by their worst class (overdue before escalated before
 * open), with count badges; single cases as dots. The cluster index is built on a worker thread
 * whenever the points or the datum change; until it is ready the previous index is drawn.
 * GUI thread; renderers share the index immutably.
 */
class CaseLayer : public MapLayer
{
    Q_OBJECT
public:
    explicit CaseLayer(const QString &id, QObject *parent = nullptr);
    ~CaseLayer() override;

    static geo::ClusterOptions clusterOptions();
    /** Replaces the cases; the index is rebuilt in the background (`indexReady()` when done). */
    void setCases(QList<MapCasePoint> points);
    /** Builds the index now, on this thread (tests and benchmarks). */
    void setCasesNow(QList<MapCasePoint> points);
    std::shared_ptr<const CaseIndex> index() const { return m_index; }
    /** True from setCases() (or a datum change) until the new index is in use. */
    bool indexing() const { return m_building; }

    std::unique_ptr<MapLayerRenderer> createRenderer(const geo::MapViewport &view) override;
    QList<LegendEntry> legend() const override;
    QRectF worldBounds() const override;

    /** World position of a case in the display datum, if it is on the map. */
    std::optional<QPointF> worldOf(qint64 caseId) const;
    /** Cases inside a world polygon (rectangle or lasso). */
    QList<qint64> casesIn(const QPolygonF &world) const;

    static QColor classColour(CaseMarkerClass c);
    static QString classLabel(CaseMarkerClass c);

signals:
    void indexReady();

protected:
    void reproject() override;

private:
    static std::shared_ptr<CaseIndex> build(std::vector<MapCasePoint> points, bool gcj02);
    void startBuild();

    std::vector<MapCasePoint> m_points;
    std::shared_ptr<const CaseIndex> m_index;
    QFutureWatcher<std::shared_ptr<CaseIndex>> m_watcher;
    bool m_rebuildPending = false;
    bool m_building = false;
    quint64 m_serial = 0;      ///< bumped by every new set of points
    quint64 m_buildSerial = 0; ///< the serial the running build started from
};

/** Case density as a colour ramp, from the case layer's index. */
class HeatmapLayer : public MapLayer
{
    Q_OBJECT
public:
    HeatmapLayer(const QString &id, CaseLayer *cases, QObject *parent = nullptr);
    std::unique_ptr<MapLayerRenderer> createRenderer(const geo::MapViewport &view) override;
    QList<LegendEntry> legend() const override;

private:
    CaseLayer *m_cases;
};

/** Marker images shared by the renderers (and the benchmark's floor); thread-safe. */
namespace MarkerSprites {
/** A cluster disc in a class colour with its count. */
QImage cluster(CaseMarkerClass c, quint32 count);
/** A single-case dot. */
QImage point(CaseMarkerClass c);
/** "12", "999", "1.2k", "15k". */
QString countLabel(quint32 count);
/** The class a cluster is drawn in: its most urgent member class. */
CaseMarkerClass worstClass(const std::array<quint32, geo::kClusterClasses> &counts);
} // namespace MarkerSprites

} // namespace cityops
