#pragma once

#include "mapcanvas.h"
#include "util/result.h"

#include <QWidget>

class QAction;
class QActionGroup;
class QLabel;
class QMenu;
class QNetworkAccessManager;

namespace cityops {

class CaseLayer;
class ConsoleContext;
class LayerTreeModel;
class MapStore;
class TileLayer;
namespace geo {
class TileFetcher;
class TileImageCache;
struct TileSource;
} // namespace geo

/**
 * The map view of the console: the canvas, a tool bar (pan, rectangle and lasso selection,
 * measuring, zoom), a readout strip (WGS-84 position under the pointer, grid code, measured
 * distance, missing tiles) and the layer set built from the local cache. Its actions are also
 * offered in the main window's Map and Layer menus. The layer set and the view persist in
 * QSettings ("map/layers", "map/view"). GUI thread.
 */
class MapWidget : public QWidget
{
    Q_OBJECT
public:
    explicit MapWidget(ConsoleContext &ctx, QWidget *parent = nullptr);
    ~MapWidget() override;

    MapCanvas *canvas() const { return m_canvas; }
    LayerTreeModel *layerModel() const { return m_tree; }
    CaseLayer *caseLayer() const { return m_cases; }
    /** Tool, zoom and navigation actions (for the Map menu). */
    QList<QAction *> mapActions() const { return m_mapActions; }
    /** Import, packages, basemaps and prefetch (for the Layer menu). */
    QList<QAction *> layerActions() const { return m_layerActions; }
    QMenu *basemapMenu() const { return m_basemapMenu; }

    /** Imports an RFC 7946 GeoJSON file as a layer; on failure nothing is added. */
    Status importGeoJson(const QString &path);
    /** Adds an MBTiles package as a basemap layer. */
    Status addPackage(const QString &path);
    /** Shows a basemap: one of "none", "package", "tianditu-vec", "tianditu-img", "gaode", "osm".
     */
    bool setBasemap(const QString &key);
    QString basemap() const { return m_basemapKey; }
    /** Reloads the case markers from the cache (after sync or local actions). */
    void reloadCases();
    /** Reloads field unit positions. */
    void reloadUnits();
    void saveSettings() const;
    QString readoutText() const;
    QString missingTilesText() const;

signals:
    void caseClicked(qint64 id);
    void casesSelected(const QList<qint64> &ids);

private:
    void buildActions();
    void loadLayers();
    void restoreSettings();
    void addTileLayer(const QString &id, const geo::TileSource &source, bool visible);
    void removeBasemaps();
    void updateReadout();
    void updateMissing();
    void goToGrid();
    void importGeoJsonDialog();
    void addPackageDialog();
    void prefetchDialog();
    QString describeCase(qint64 id) const;

    ConsoleContext &m_ctx;
    std::unique_ptr<MapStore> m_store;
    LayerTreeModel *m_tree;
    MapCanvas *m_canvas;
    CaseLayer *m_cases = nullptr;
    QNetworkAccessManager *m_network;
    geo::TileFetcher *m_fetcher;
    std::unique_ptr<geo::TileImageCache> m_memory;
    QLabel *m_readout;
    QLabel *m_missing;
    QList<QAction *> m_mapActions;
    QList<QAction *> m_layerActions;
    QActionGroup *m_tools = nullptr;
    QMenu *m_basemapMenu = nullptr;
    QActionGroup *m_basemaps = nullptr;
    QString m_basemapKey = QStringLiteral("none");
    QPointF m_cursorLonLat;
    QString m_cursorGrid;
    QTimer *m_reloadCases;
    int m_importCount = 0;
};

} // namespace cityops
