#pragma once

#include "caselayer.h"
#include "geo/mapviewport.h"
#include "maplayer.h"
#include "maptool.h"
#include "vectorlayer.h"

#include <QHash>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <array>
#include <functional>
#include <optional>

namespace cityops {

class LayerTreeModel;
class MeasureTool;

/**
 * The map: holds only view state and per-layer image caches, the QGIS way. When the view or a
 * layer changes, each affected visible layer makes a renderer (a snapshot) on the GUI thread, the
 * renderer draws on a worker thread into an image, and `paintEvent` composites the cached images
 * in the layer tree's order, shifting and scaling images rendered for an earlier view until their
 * replacement arrives. Results from a layer that changed while it was rendering are dropped; layers
 * that did not change are not drawn again. Overlays (selection, the current tool's rubber band or
 * measuring line, scale bar) are drawn directly. Layer order, visibility and opacity come from the
 * LayerTreeModel. Pointer and key events go to the current MapTool first (pan, rectangle, lasso,
 * measure: the canvas owns one of each); the canvas itself only zooms with the wheel, pans and
 * zooms with the keys, reports the cursor position and shows tooltips.
 */
class MapCanvas : public QWidget
{
    Q_OBJECT
public:
    enum class Tool
    {
        Pan,
        RectSelect,
        Lasso,
        Measure,
        Custom ///< a tool given to setMapTool() that is not one of the canvas's own
    };

    explicit MapCanvas(LayerTreeModel *tree, QWidget *parent = nullptr);
    ~MapCanvas() override;

    /** Adds a layer (the canvas takes ownership); its id must be in the layer tree. */
    void addLayer(MapLayer *layer);
    void removeLayer(const QString &id);
    MapLayer *layer(const QString &id) const;
    QList<MapLayer *> layers() const;
    /** Tells the canvas which layers give cases (selection) and grid cells (readout, go to grid).
     */
    void setCaseLayer(CaseLayer *layer) { m_caseLayer = layer; }
    void setGridLayer(VectorLayer *layer) { m_gridLayer = layer; }
    /** Describes a case for its tooltip (set by the owner, which has the store). */
    void setCaseDescriber(std::function<QString(qint64)> f) { m_describeCase = std::move(f); }

    const geo::MapViewport &viewport() const { return m_view; }
    /** Moves the view (the size follows the widget). */
    void setViewport(geo::MapViewport view);
    void centreOn(double lon, double lat, double zoom);
    void zoomToWorld(const QRectF &world, double maxZoom = 18);
    void zoomBy(double steps, std::optional<QPointF> around = std::nullopt);
    void panBy(QPointF pixels);
    /** Draws WGS-84 data on a GCJ-02 basemap (and reads the cursor back to WGS-84). */
    void setGcj02(bool on);
    bool gcj02() const { return m_view.gcj02(); }

    /** Makes one of the canvas's own tools current (setTool(Tool::Custom) does nothing). */
    void setTool(Tool tool);
    Tool tool() const;
    /** Deactivates the current tool and activates this one (the canvas does not take ownership
     * of a tool that is not its own; it must live as long as it is current). */
    void setMapTool(MapTool *tool);
    MapTool *mapTool() const { return m_mapTool; }

    /** The shared case selection as the map shows it (highlight rings). */
    void setSelectedCases(const QList<qint64> &ids);
    QList<qint64> selectedCases() const { return m_selected; }
    bool zoomToSelection();
    /** Zooms to a grid cell by its 20-digit code; false if there is no such cell. */
    bool zoomToGrid(const QString &code);
    /** Grid code under a screen position, or empty. */
    QString gridCodeAt(QPointF screen) const;

    /** Renders every visible layer for the current view now and returns the composed frame. */
    QImage renderNow();
    /** The last image rendered for a layer (null if none yet). */
    QImage layerImage(const QString &id) const { return m_cache.value(id).image; }
    /** True while some visible layer's image is missing or out of date. */
    bool renderPending() const;
    /** The topmost thing under a screen position, from the last renders. */
    std::optional<MapHit> hitAt(QPointF screen, QString *layerId = nullptr) const;
    QString hoverText(QPointF screen) const;
    /** Metres along the measuring line (0 when not measuring). */
    double measuredMetres() const;
    QList<QPointF> measurePoints() const;
    /** A scale bar length in metres and pixels for the current view (e.g. 500 m = 96 px). */
    std::pair<double, double> scaleBar() const;

    // For the map tools.
    /** A click: selects the case there (caseClicked) or zooms into the cluster there. */
    void clickAt(QPointF screen);
    /** Selects the cases inside a screen polygon (casesSelected). */
    void selectInPolygon(const QPolygonF &screen);
    /** A distance as the measuring line labels it ("1.25 km", "420 m"). */
    static QString distanceText(double metres);

signals:
    void viewChanged();
    void caseClicked(qint64 id);
    void casesSelected(const QList<qint64> &ids);
    /** WGS-84 longitude/latitude under the pointer and the grid cell there. */
    void cursorMoved(QPointF lonLat, const QString &gridCode);
    void measureChanged(double metres);
    void renderFinished();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Cache
    {
        QImage image;
        /** The image before last, reused for the next render (no new pages every frame). */
        QImage spare;
        geo::MapViewport view;
        quint64 generation = 0;
        quint64 ticket = 0;
        HitIndex hits;
        bool busy = false;
    };
    struct Job;

    void scheduleRender();
    void startRenders();
    bool upToDate(const QString &id) const;
    std::shared_ptr<Job> makeJob(MapLayer *layer);
    static void runJob(Job &job);
    void finishJob(const std::shared_ptr<Job> &job);
    void compose(QPainter &p) const;
    void drawOverlays(QPainter &p) const;
    void viewMoved();

    LayerTreeModel *m_tree;
    QHash<QString, MapLayer *> m_layers;
    QHash<QString, Cache> m_cache;
    geo::MapViewport m_view;
    QThreadPool m_pool;
    QTimer m_renderTimer;
    quint64 m_nextTicket = 1;
    QPointer<CaseLayer> m_caseLayer;
    QPointer<VectorLayer> m_gridLayer;
    std::function<QString(qint64)> m_describeCase;

    QList<qint64> m_selected;
    std::array<MapTool *, 4> m_tools{}; ///< the canvas's own, by Tool
    MeasureTool *m_measureTool = nullptr;
    QPointer<MapTool> m_mapTool;
    QPointF m_cursor{-1, -1};
    QImage m_frame; ///< renderNow()'s composed frame, reused
    std::optional<std::pair<QRectF, double>>
        m_pendingFit; ///< a fit asked for before the first show
};

} // namespace cityops
