// The map: layer tree model, viewport maths, and the canvas driven as an operator would —
// selection shared with the queue, rectangle and lasso selection, measuring, hover, keys, map
// tools (switching deactivates, events reach the tool), offline tiles, GeoJSON import and a
// screenshot with every layer kind.
#include "casedetailwidget.h"
#include "demo/basemapgenerator.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "geo/prefetch.h"
#include "geo/projection.h"
#include "geo/tilefetcher.h"
#include "geo/tileimagecache.h"
#include "geo/tilesource.h"
#include "itemmodels/caselistmodel.h"
#include "itemmodels/layertreemodel.h"
#include "mainwindow.h"
#include "map/caselayer.h"
#include "map/layerspanel.h"
#include "map/mapcanvas.h"
#include "map/maptools.h"
#include "map/mapwidget.h"
#include "map/pointlayer.h"
#include "map/prefetchdialog.h"
#include "map/tilelayer.h"
#include "queuespanel.h"
#include "storage/caserepository.h"
#include "storage/casestore.h"
#include "storage/tilecache.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBuffer>
#include <QCheckBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QWheelEvent>

using namespace cityops;

namespace {

LayerInfo info(const QString &id, LayerKind kind, bool visible = true)
{
    return {id, id.toUpper(), kind, visible, 1.0, {}, {{Qt::red, QStringLiteral("legend")}}};
}

/** Waits until the canvas has drawn every visible layer for its current view. */
bool settle(MapCanvas *c, int ms = 10000)
{
    QElapsedTimer t;
    t.start();
    while ((c->renderPending() || t.elapsed() < 20) && t.elapsed() < ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QTest::qWait(5);
    }
    return !c->renderPending();
}

int opaquePixels(const QImage &img)
{
    int n = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2)
            n += qAlpha(img.pixel(x, y)) > 0;
    return n;
}

QByteArray pngOf(QColor c)
{
    QImage img(256, 256, QImage::Format_RGB32);
    img.fill(c);
    QByteArray bytes;
    QBuffer b(&bytes);
    b.open(QIODevice::WriteOnly);
    img.save(&b, "PNG");
    return bytes;
}

/** A tool that writes down the events the canvas gives it; it keeps the pointer and Right. */
class RecordingTool : public MapTool
{
public:
    explicit RecordingTool(MapCanvas *canvas) : MapTool(canvas)
    {
        setCursor(Qt::PointingHandCursor);
    }
    void activate() override
    {
        ++activated;
        MapTool::activate();
    }
    void deactivate() override
    {
        ++deactivated;
        MapTool::deactivate();
    }
    bool canvasPressEvent(QMouseEvent *e) override { return record("press", e->position()); }
    bool canvasMoveEvent(QMouseEvent *e) override { return record("move", e->position()); }
    bool canvasReleaseEvent(QMouseEvent *e) override { return record("release", e->position()); }
    bool canvasDoubleClickEvent(QMouseEvent *e) override { return record("double", e->position()); }
    bool canvasWheelEvent(QWheelEvent *e) override
    {
        record("wheel", e->position());
        return false;
    }
    bool keyPressEvent(QKeyEvent *e) override
    {
        events << QStringLiteral("key %1").arg(e->key());
        return e->key() == Qt::Key_Right;
    }

    QStringList events;
    int activated = 0;
    int deactivated = 0;

private:
    bool record(const char *what, QPointF at)
    {
        events << QStringLiteral("%1 %2,%3").arg(QLatin1String(what)).arg(at.x()).arg(at.y());
        return true;
    }
};

/** A canvas of its own (no layers: the background, the scale bar and the tool's overlay). */
struct BareCanvas
{
    LayerTreeModel model;
    MapCanvas canvas{&model};

    bool show()
    {
        canvas.resize(600, 400);
        canvas.show();
        return QTest::qWaitForWindowExposed(&canvas);
    }
};

} // namespace

class TestMap : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    std::shared_ptr<Database> open()
    {
        auto db = Database::openDir(m_dir.path());
        if (!db)
            qFatal("%s", qPrintable(db.error()));
        return *db;
    }

    Actor operatorActor()
    {
        auto db = open();
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        auto a = repo.actorFor(QStringLiteral("operator1"), QStringLiteral("test"));
        if (!a)
            qFatal("%s", qPrintable(a.error()));
        return *a;
    }

    /** Shows the console at a size, on the map view; false if the window never appeared. */
    static bool showMap(MainWindow &w, QSize size)
    {
        w.resize(size);
        w.show();
        if (!QTest::qWaitForWindowExposed(&w))
            return false;
        return w.showView(QStringLiteral("map"));
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        test::makeDemo(m_dir.path(), 3000, 7);
        auto basemap = BasemapGenerator::fromCache(m_dir.path());
        QVERIFY2(basemap, basemap ? "" : qPrintable(basemap.error()));
        basemap->maxZoom = 14;
        const auto written =
            BasemapGenerator::generate(m_dir.filePath(QStringLiteral("basemap.mbtiles")), *basemap);
        QVERIFY2(written, written ? "" : qPrintable(written.error()));
        QVERIFY(*written > 10);
    }

    void init() { QSettings().clear(); }

    // ---- layer tree model ---------------------------------------------------------------

    void layerTreeModel()
    {
        LayerTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(m.rowCount(), 4); // the four groups
        QVERIFY(m.addLayer(LayerTreeModel::Group::Reference, info("grids", LayerKind::Grids)));
        QVERIFY(m.addLayer(LayerTreeModel::Group::Reference, info("streets", LayerKind::Streets)));
        QVERIFY(m.addLayer(LayerTreeModel::Group::Operations, info("cases", LayerKind::Cases)));
        QVERIFY(m.addLayer(LayerTreeModel::Group::Basemaps, info("base", LayerKind::Basemap)));
        QVERIFY(!m.addLayer(LayerTreeModel::Group::Basemaps, info("base", LayerKind::Basemap)));
        // Top of the tree is drawn last.
        QCOMPARE(m.drawOrder(), (QStringList{"base", "grids", "streets", "cases"}));
        QVERIFY(m.moveLayer("grids", -1));
        QCOMPARE(m.drawOrder(), (QStringList{"base", "streets", "grids", "cases"}));
        QVERIFY(!m.moveLayer("grids", -1)); // already at the top of its group

        // Visibility through the check box, as the tree view sets it.
        QSignalSpy changed(&m, &LayerTreeModel::layerChanged);
        const QModelIndex grids = m.indexOf("grids");
        QVERIFY(m.setData(grids, Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(!m.layer("grids")->visible);
        QCOMPARE(changed.count(), 1);
        const QModelIndex reference = grids.parent();
        QCOMPARE(reference.data(Qt::CheckStateRole).toInt(), int(Qt::PartiallyChecked));
        QVERIFY(m.setData(reference, Qt::Checked, Qt::CheckStateRole));
        QVERIFY(m.layer("grids")->visible);
        QCOMPARE(reference.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));

        // Opacity is clamped; legend entries are child rows.
        QVERIFY(m.setData(grids, 1.7, LayerTreeModel::OpacityRole));
        QCOMPARE(m.layer("grids")->opacity, 1.0);
        QVERIFY(m.setOpacity("grids", 0.25));
        QCOMPARE(m.rowCount(m.indexOf("cases")), 1);
        QVERIFY(m.setLegend("cases", {{Qt::red, "a"}, {Qt::blue, "b"}}));
        QCOMPARE(m.rowCount(m.indexOf("cases")), 2);
        QCOMPARE(m.index(1, 0, m.indexOf("cases")).data().toString(), QStringLiteral("b"));
        QVERIFY(m.index(1, 0, m.indexOf("cases")).data(LayerTreeModel::IsLegendRole).toBool());

        // The layer set persists: a new model with the district layers gets visibility,
        // opacity and order back, and learns which saved layers it must re-add.
        LayerInfo imported = info("geojson-1", LayerKind::GeoJson);
        imported.config = QJsonObject{{"path", "/tmp/x.geojson"}};
        QVERIFY(m.addLayer(LayerTreeModel::Group::Imported, imported));
        m.setVisible("streets", false);
        const QJsonObject state = m.saveState();

        LayerTreeModel fresh;
        QAbstractItemModelTester tester2(&fresh,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (const char *id : {"streets", "grids"})
            fresh.addLayer(
                LayerTreeModel::Group::Reference,
                info(id, id == QLatin1String("grids") ? LayerKind::Grids : LayerKind::Streets));
        fresh.addLayer(LayerTreeModel::Group::Operations, info("cases", LayerKind::Cases));
        fresh.addLayer(LayerTreeModel::Group::Basemaps, info("base", LayerKind::Basemap));
        const auto missing = fresh.restoreState(state);
        QCOMPARE(missing.size(), 1);
        QCOMPARE(missing.first().second.id, QStringLiteral("geojson-1"));
        QCOMPARE(missing.first().second.config.value("path").toString(),
                 QStringLiteral("/tmp/x.geojson"));
        QVERIFY(!fresh.layer("streets")->visible);
        QCOMPARE(fresh.layer("grids")->opacity, 0.25);
        QCOMPARE(fresh.drawOrder(), (QStringList{"base", "streets", "grids", "cases"}));
        // A damaged or foreign state changes nothing.
        QVERIFY(fresh.restoreState(QJsonObject{{"version", 99}}).isEmpty());
        QVERIFY(m.removeLayer("geojson-1"));
        QVERIFY(!m.layer("geojson-1"));
    }

    // ---- viewport ----------------------------------------------------------------------

    void viewport_data()
    {
        QTest::addColumn<double>("zoom");
        QTest::addColumn<bool>("gcj");
        QTest::newRow("z10 wgs") << 10.0 << false;
        QTest::newRow("z15.5 wgs") << 15.5 << false;
        QTest::newRow("z17 gcj") << 17.0 << true;
    }

    void viewport()
    {
        QFETCH(double, zoom);
        QFETCH(bool, gcj);
        geo::MapViewport v(geo::toUnit(121.47, 31.23), zoom, QSize(1000, 700), gcj);
        // Screen and world are inverse; the zoom anchor stays put.
        const QPointF s(123.5, 456.25);
        const QPointF back = v.worldToScreen(v.screenToWorld(s));
        QVERIFY(qAbs(back.x() - s.x()) < 1e-6 && qAbs(back.y() - s.y()) < 1e-6);
        const QPointF anchor = v.screenToWorld(s);
        v.zoomAround(s, zoom + 1.5);
        const QPointF after = v.worldToScreen(anchor);
        QVERIFY(qAbs(after.x() - s.x()) < 1e-6 && qAbs(after.y() - s.y()) < 1e-6);
        // A geographic point drawn on screen reads back as itself (WGS-84) within 0.5 m,
        // even when the basemap is GCJ-02.
        const QPointF ll(121.4737, 31.2304);
        const QPointF read = v.geographicAt(v.worldToScreen(v.project(ll.x(), ll.y())));
        QVERIFY2(geo::distanceMetres(ll, read) < 0.5,
                 qPrintable(QString::number(geo::distanceMetres(ll, read))));
        // On a GCJ-02 basemap data is drawn about 480 m away from where WGS-84 would put it.
        const double shiftPx = QLineF(v.worldToScreen(v.project(ll.x(), ll.y())),
                                      v.worldToScreen(geo::toUnit(ll.x(), ll.y())))
                                   .length();
        const double shiftM = shiftPx * v.metresPerPixel();
        if (gcj)
            QVERIFY2(shiftM > 400 && shiftM < 600, qPrintable(QString::number(shiftM)));
        else
            QCOMPARE(shiftPx, 0.0);
        // Fitting a rectangle shows all of it.
        const QRectF box(geo::toUnit(121.40, 31.30), geo::toUnit(121.55, 31.18));
        v.fitWorld(box.normalized(), 24, 18);
        QVERIFY(v.visibleWorld().contains(box.normalized()));
    }

    // ---- canvas in the console ---------------------------------------------------------

    void selectionIsShared()
    {
        MainWindow w(open(), m_dir.path(), operatorActor());
        QVERIFY(showMap(w, QSize(1500, 950)));
        MapCanvas *canvas = w.map()->canvas();
        QVERIFY(settle(canvas));

        // Queue → map: the current case gets a ring on the map.
        const qint64 first =
            w.caseModel()->index(0, 0).data(CaseListModel::CaseIdRole).toLongLong();
        QVERIFY(w.selectCase(first));
        QCOMPARE(canvas->selectedCases(), QList<qint64>{first});

        // Map → queue: clicking a single case marker selects it in the queue and the detail.
        // Find an open case, zoom right onto it, and click where it is drawn.
        const auto index = w.map()->caseLayer()->index();
        QVERIFY(!index->points.empty());
        const MapCasePoint target = index->points[index->points.size() / 2];
        canvas->centreOn(target.lon, target.lat, 19);
        canvas->renderNow();
        const auto where =
            canvas->viewport().worldToScreen(*w.map()->caseLayer()->worldOf(target.id));
        const auto hit = canvas->hitAt(where);
        QVERIFY(hit);
        QCOMPARE(hit->cluster, qint64(-1));
        QTest::mouseClick(canvas, Qt::LeftButton, {}, hit->screen.toPoint());
        QCOMPARE(w.caseDetail()->caseId(), hit->id);
        // The queue shows it as current when it is in the tab on screen; otherwise no other
        // row may look selected.
        const QModelIndex current = w.caseTable()->currentIndex();
        if (w.caseModel()->findRow(hit->id) >= 0)
            QCOMPARE(current.data(CaseListModel::CaseIdRole).toLongLong(), hit->id);
        else
            QVERIFY(w.caseTable()->selectionModel()->selectedRows().isEmpty());
        QCOMPARE(canvas->selectedCases(), QList<qint64>{hit->id});
        // The same case clicked in the All tab is the queue's current row.
        w.queues()->setQueue(Queue::All);
        QTest::qWait(QApplication::doubleClickInterval() + 50); // two clicks, not a double click
        // (The queue's columns may have resized the map: find the marker again.)
        canvas->renderNow();
        const QPointF again =
            canvas->viewport().worldToScreen(*w.map()->caseLayer()->worldOf(hit->id));
        QTest::mouseClick(canvas, Qt::LeftButton, {}, again.toPoint());
        QCOMPARE(w.caseTable()->currentIndex().data(CaseListModel::CaseIdRole).toLongLong(),
                 hit->id);
        QVERIFY(canvas->hoverText(again).contains(QString::number(hit->id)));

        // Rectangle selection (Shift+drag) narrows the queue to exactly those cases.
        w.map()->canvas()->zoomToWorld(w.map()->caseLayer()->worldBounds());
        canvas->renderNow();
        w.queues()->setQueue(Queue::All);
        QSignalSpy selected(canvas, &MapCanvas::casesSelected);
        const QPoint a(canvas->width() / 2 - 120, canvas->height() / 2 - 90);
        const QPoint b(canvas->width() / 2 + 120, canvas->height() / 2 + 90);
        QTest::mousePress(canvas, Qt::LeftButton, Qt::ShiftModifier, a);
        QTest::mouseMove(canvas, a + QPoint(30, 30));
        QTest::mouseMove(canvas, b);
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::ShiftModifier, b);
        QCOMPARE(selected.count(), 1);
        const auto ids = selected.first().first().value<QList<qint64>>();
        QVERIFY(ids.size() > 5);
        QPolygonF rect;
        for (QPointF p : {QPointF(a), QPointF(b.x(), a.y()), QPointF(b), QPointF(a.x(), b.y())})
            rect << canvas->viewport().screenToWorld(p);
        QCOMPARE(ids.size(), w.map()->caseLayer()->casesIn(rect).size());
        QCOMPARE(canvas->selectedCases(), ids);
        QCOMPARE(w.queues()->onlyIds(), ids);
        // Zoom to selection frames exactly those cases.
        canvas->centreOn(121.0, 31.0, 10);
        QVERIFY(canvas->zoomToSelection());
        for (qint64 id : ids)
            QVERIFY(canvas->viewport().visibleWorld().contains(*w.map()->caseLayer()->worldOf(id)));
        QCOMPARE(w.caseModel()->rowCount(), int(ids.size()));
        for (int r = 0; r < w.caseModel()->rowCount(); ++r)
            QVERIFY(ids.contains(
                w.caseModel()->index(r, 0).data(CaseListModel::CaseIdRole).toLongLong()));
        w.queues()->showOnly({});
        QVERIFY(w.caseModel()->rowCount() > int(ids.size()));

        // Lasso: a triangle selects what is inside it.
        canvas->setTool(MapCanvas::Tool::Lasso);
        const QList<QPoint> lasso{a, QPoint(b.x(), a.y()), QPoint(a.x() + 40, b.y())};
        QTest::mousePress(canvas, Qt::LeftButton, {}, lasso[0] + QPoint(1, 1));
        for (const QPoint &p : lasso)
            QTest::mouseMove(canvas, p + QPoint(1, 1));
        QTest::mouseRelease(canvas, Qt::LeftButton, {}, lasso.last() + QPoint(1, 1));
        QCOMPARE(selected.count(), 2);
        QPolygonF tri;
        for (const QPoint &p : lasso)
            tri << canvas->viewport().screenToWorld(QPointF(p + QPoint(1, 1)));
        QCOMPARE(selected.last().first().value<QList<qint64>>().size(),
                 w.map()->caseLayer()->casesIn(tri).size());
        canvas->setTool(MapCanvas::Tool::Pan);
    }

    void measureHoverKeysAndReadout()
    {
        MainWindow w(open(), m_dir.path(), operatorActor());
        QVERIFY(showMap(w, QSize(1400, 900)));
        MapCanvas *canvas = w.map()->canvas();
        canvas->centreOn(121.47, 31.23, 15);
        canvas->renderNow();

        // Measuring: two clicks give the geodesic distance between the clicked points.
        canvas->setTool(MapCanvas::Tool::Measure);
        const QPoint p1(100, 100), p2(500, 400);
        QTest::mouseClick(canvas, Qt::LeftButton, {}, p1);
        QTest::mouseClick(canvas, Qt::LeftButton, {}, p2);
        const double expected = geo::distanceMetres(canvas->viewport().geographicAt(p1),
                                                    canvas->viewport().geographicAt(p2));
        QVERIFY(expected > 100);
        QCOMPARE(qRound(canvas->measuredMetres()), qRound(expected));
        QVERIFY(w.map()->readoutText().contains(QStringLiteral("distance")));
        // 500 px at z15 is ~2 km: the scale bar says the same scale.
        const auto [metres, px] = canvas->scaleBar();
        QVERIFY(px > 40 && px <= 120);
        QVERIFY(qAbs(metres / px - canvas->viewport().metresPerPixel()) < 1e-6);
        QTest::keyClick(canvas, Qt::Key_Escape);
        QCOMPARE(canvas->measuredMetres(), 0.0);
        canvas->setTool(MapCanvas::Tool::Pan);

        // Cursor readout: WGS-84 and the grid cell under the pointer.
        QSignalSpy moved(canvas, &MapCanvas::cursorMoved);
        const QPoint mid(canvas->width() / 2, canvas->height() / 2);
        QTest::mouseMove(canvas, mid);
        QVERIFY(moved.count() >= 1);
        const QString grid = moved.last().at(1).toString();
        QCOMPARE(grid.size(), 20);
        QVERIFY(w.map()->readoutText().contains(grid));
        // Go to that grid by code: the view centres on it at a close zoom.
        canvas->centreOn(121.3, 31.0, 12);
        QVERIFY(canvas->zoomToGrid(grid));
        QVERIFY(canvas->viewport().zoom() >= 16);
        QCOMPARE(canvas->gridCodeAt(QPointF(canvas->width() / 2.0, canvas->height() / 2.0)), grid);
        QVERIFY(!canvas->zoomToGrid(QStringLiteral("00000000000000000000")));

        // Keys pan by a quarter of the view and zoom by whole levels.
        canvas->setFocus();
        const QPointF c0 = canvas->viewport().centre();
        QTest::keyClick(canvas, Qt::Key_Right);
        const double dx = (canvas->viewport().centre().x() - c0.x()) * canvas->viewport().scale();
        QVERIFY2(qAbs(dx - canvas->width() * 0.25) < 1e-6, qPrintable(QString::number(dx)));
        const double z0 = canvas->viewport().zoom();
        QTest::keyClick(canvas, Qt::Key_Plus);
        QCOMPARE(canvas->viewport().zoom(), z0 + 1);
        QTest::keyClick(canvas, Qt::Key_Minus);
        QCOMPARE(canvas->viewport().zoom(), z0);

        // Hover over a cluster: the tooltip counts its cases by class.
        canvas->zoomToWorld(w.map()->caseLayer()->worldBounds());
        canvas->renderNow();
        bool sawCluster = false;
        for (int y = 0; y < canvas->height() && !sawCluster; y += 6)
            for (int x = 0; x < canvas->width() && !sawCluster; x += 6)
                if (auto h = canvas->hitAt(QPointF(x, y)); h && h->cluster >= 0) {
                    sawCluster = true;
                    QVERIFY(canvas->hoverText(QPointF(x, y)).contains(QString::number(h->count)));
                    // Clicking a cluster zooms in on it.
                    const double before = canvas->viewport().zoom();
                    QTest::mouseClick(canvas, Qt::LeftButton, {}, QPoint(x, y));
                    QVERIFY(canvas->viewport().zoom() > before);
                }
        QVERIFY(sawCluster);
    }

    void switchingToolsDeactivatesThePreviousOne()
    {
        BareCanvas bare;
        QVERIFY(bare.show());
        MapCanvas &canvas = bare.canvas;
        QCOMPARE(canvas.tool(), MapCanvas::Tool::Pan);
        MapTool *pan = canvas.mapTool();
        QVERIFY(pan && pan->isActive());
        QCOMPARE(canvas.cursor().shape(), Qt::OpenHandCursor);

        // Measure → Pan: the measuring line is gone, and the readout hears so.
        QSignalSpy measured(&canvas, &MapCanvas::measureChanged);
        canvas.setTool(MapCanvas::Tool::Measure);
        MapTool *measure = canvas.mapTool();
        QVERIFY(qobject_cast<MeasureTool *>(measure));
        QVERIFY(measure->isActive() && !pan->isActive());
        QCOMPARE(canvas.cursor().shape(), Qt::CrossCursor);
        QTest::mouseClick(&canvas, Qt::LeftButton, {}, QPoint(100, 100));
        QTest::mouseClick(&canvas, Qt::LeftButton, {}, QPoint(400, 300));
        QCOMPARE(canvas.measurePoints().size(), 2);
        QVERIFY(canvas.measuredMetres() > 0);
        QCOMPARE(measured.count(), 2);
        canvas.setTool(MapCanvas::Tool::Pan);
        QVERIFY(!measure->isActive() && pan->isActive());
        QVERIFY(canvas.measurePoints().isEmpty());
        QCOMPARE(canvas.measuredMetres(), 0.0);
        QCOMPARE(measured.count(), 3);
        QCOMPARE(measured.last().first().toDouble(), 0.0);
        QCOMPARE(canvas.cursor().shape(), Qt::OpenHandCursor);

        // Lasso → Pan in the middle of drawing: the half-drawn lasso is dropped (no longer
        // drawn), and the rest of the gesture neither pans nor draws.
        const QImage plain = canvas.renderNow().copy();
        canvas.setTool(MapCanvas::Tool::Lasso);
        auto *lasso = qobject_cast<LassoTool *>(canvas.mapTool());
        QVERIFY(lasso);
        QTest::mousePress(&canvas, Qt::LeftButton, {}, QPoint(100, 100));
        QTest::mouseMove(&canvas, QPoint(300, 100));
        QTest::mouseMove(&canvas, QPoint(200, 300));
        QCOMPARE(lasso->band().size(), 3);
        QVERIFY(canvas.renderNow() != plain);
        canvas.setTool(MapCanvas::Tool::Pan);
        QVERIFY(!lasso->isActive());
        QVERIFY(lasso->band().isEmpty());
        QCOMPARE(canvas.renderNow(), plain);
        const geo::MapViewport view = canvas.viewport();
        QTest::mouseMove(&canvas, QPoint(150, 250));
        QTest::mouseRelease(&canvas, Qt::LeftButton, {}, QPoint(150, 250));
        QVERIFY(canvas.viewport() == view);
        // Back to the lasso: its press was dropped with the rest, so moving draws nothing.
        canvas.setTool(MapCanvas::Tool::Lasso);
        QTest::mouseMove(&canvas, QPoint(250, 150));
        QVERIFY(lasso->band().isEmpty());
        // Esc drops a lasso just the same.
        QTest::mousePress(&canvas, Qt::LeftButton, {}, QPoint(100, 100));
        QTest::mouseMove(&canvas, QPoint(300, 100));
        QCOMPARE(lasso->band().size(), 2);
        QTest::keyClick(&canvas, Qt::Key_Escape);
        QVERIFY(lasso->band().isEmpty());
        QCOMPARE(canvas.tool(), MapCanvas::Tool::Lasso);
    }

    void toolsGetTheCanvasEvents()
    {
        BareCanvas bare;
        QVERIFY(bare.show());
        MapCanvas &canvas = bare.canvas;
        MapTool *pan = canvas.mapTool();
        auto *tool = new RecordingTool(&canvas);
        canvas.setMapTool(tool);
        QCOMPARE(tool->activated, 1);
        QVERIFY(tool->isActive() && !pan->isActive());
        QCOMPARE(canvas.mapTool(), tool);
        QCOMPARE(canvas.tool(), MapCanvas::Tool::Custom);
        QCOMPARE(canvas.cursor().shape(), Qt::PointingHandCursor);
        canvas.setMapTool(tool); // already current: not activated again
        QCOMPARE(tool->activated, 1);

        // A drag goes to the tool, which keeps it: the map does not pan.
        const geo::MapViewport view = canvas.viewport();
        QTest::mousePress(&canvas, Qt::LeftButton, {}, QPoint(50, 60));
        QTest::mouseMove(&canvas, QPoint(150, 160));
        QTest::mouseRelease(&canvas, Qt::LeftButton, {}, QPoint(150, 160));
        QCOMPARE(tool->events.first(), QStringLiteral("press 50,60"));
        QVERIFY(tool->events.contains(QStringLiteral("move 150,160")));
        QCOMPARE(tool->events.last(), QStringLiteral("release 150,160"));
        QVERIFY(canvas.viewport() == view);
        QTest::mouseDClick(&canvas, Qt::LeftButton, {}, QPoint(70, 80));
        QVERIFY(tool->events.contains(QStringLiteral("double 70,80")));
        QCOMPARE(canvas.viewport().zoom(), view.zoom()); // the pan tool would have zoomed in

        // Keys and the wheel: the tool sees them first; what it leaves, the canvas does.
        QTest::keyClick(&canvas, Qt::Key_Right);
        QCOMPARE(tool->events.last(), QStringLiteral("key %1").arg(Qt::Key_Right));
        QVERIFY(canvas.viewport() == view);
        QTest::keyClick(&canvas, Qt::Key_Left);
        QCOMPARE(tool->events.last(), QStringLiteral("key %1").arg(Qt::Key_Left));
        QVERIFY(canvas.viewport().centre() != view.centre());
        const double z = canvas.viewport().zoom();
        const QPointF at(100, 100);
        QWheelEvent wheel(at, canvas.mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(&canvas, &wheel);
        QCOMPARE(tool->events.last(), QStringLiteral("wheel 100,100"));
        QCOMPARE(canvas.viewport().zoom(), z + 0.5);

        // Back to the pan tool: the recording tool is deactivated and hears nothing more.
        canvas.setTool(MapCanvas::Tool::Pan);
        QCOMPARE(tool->deactivated, 1);
        QVERIFY(!tool->isActive() && pan->isActive());
        QCOMPARE(canvas.cursor().shape(), Qt::OpenHandCursor);
        const int heard = int(tool->events.size());
        const QPointF centre = canvas.viewport().centre();
        QTest::mousePress(&canvas, Qt::LeftButton, {}, QPoint(200, 200));
        QTest::mouseMove(&canvas, QPoint(260, 230));
        QTest::mouseRelease(&canvas, Qt::LeftButton, {}, QPoint(260, 230));
        QCOMPARE(int(tool->events.size()), heard);
        QVERIFY(canvas.viewport().centre() != centre); // the pan tool panned
    }

    void gcjBasemapShiftsDataAndReadsBackWgs84()
    {
        MainWindow w(open(), m_dir.path(), operatorActor());
        QVERIFY(showMap(w, QSize(1200, 800)));
        MapCanvas *canvas = w.map()->canvas();
        CaseLayer *cases = w.map()->caseLayer();
        const MapCasePoint p = cases->index()->points.front();
        const QPointF wgsWorld = *cases->worldOf(p.id);
        // Gaode tiles are GCJ-02: the data moves onto them (about 480 m in Shanghai) …
        QVERIFY(w.map()->setBasemap(QStringLiteral("gaode")));
        QVERIFY(canvas->gcj02());
        QTRY_VERIFY_WITH_TIMEOUT(!cases->indexing(), 10000);
        const QPointF gcjWorld = *cases->worldOf(p.id);
        canvas->centreOn(p.lon, p.lat, 16);
        const double metres = QLineF(canvas->viewport().worldToScreen(wgsWorld),
                                     canvas->viewport().worldToScreen(gcjWorld))
                                  .length() *
                              canvas->viewport().metresPerPixel();
        QVERIFY2(metres > 400 && metres < 650, qPrintable(QString::number(metres)));
        // … and the cursor readout over the drawn case still gives its WGS-84 position.
        const QPointF ll =
            canvas->viewport().geographicAt(canvas->viewport().worldToScreen(gcjWorld));
        QVERIFY(geo::distanceMetres(ll, QPointF(p.lon, p.lat)) < 0.5);
        // Back to a WGS-84 basemap: back to the original position.
        QVERIFY(w.map()->setBasemap(QStringLiteral("package")));
        QVERIFY(!canvas->gcj02());
        QTRY_VERIFY_WITH_TIMEOUT(!cases->indexing(), 10000);
        QCOMPARE(*cases->worldOf(p.id), wgsWorld);
        QVERIFY(!w.map()->setBasemap(QStringLiteral("no-such-basemap")));
    }

    void unitsFadeWithTheAgeOfTheirReport_data()
    {
        QTest::addColumn<int>("ageMin");
        QTest::addColumn<int>("alpha");
        QTest::addColumn<bool>("grey");
        QTest::newRow("fresh") << 2 << 255 << false;
        QTest::newRow("stale") << PointLayer::kStaleAfterMin << 150 << false;
        QTest::newRow("old") << PointLayer::kGreyAfterMin << 255 << true;
        QTest::newRow("very old") << 600 << 255 << true;
    }

    void unitsFadeWithTheAgeOfTheirReport()
    {
        QFETCH(int, ageMin);
        QFETCH(int, alpha);
        QFETCH(bool, grey);
        const QColor base = PointLayer::colourFor(QStringLiteral("team"));
        const QColor c = PointLayer::ageColour(base, ageMin);
        QCOMPARE(c.alpha(), alpha);
        QCOMPARE(c.red() == c.green() && c.green() == c.blue(), grey);
        if (!grey)
            QCOMPARE(c.rgb(), base.rgb());
    }

    void prefetchDialogShowsThePlanAndRefuses()
    {
        QTemporaryDir cacheDir;
        geo::TileFetcher fetcher(cacheDir.path());
        fetcher.setCacheCapBytes(64 << 20);
        const QRectF box(121.40, 31.18, 0.12, 0.10);
        // OpenStreetMap's public servers forbid bulk download: the plan says so, no button.
        {
            PrefetchDialog dlg(fetcher, geo::TileSource::osmStandard(), box, 14);
            QVERIFY(!dlg.canStart());
            QVERIFY(!dlg.startButton()->isEnabled());
            QVERIFY(dlg.planText().contains(QStringLiteral("tiles")));
        }
        // The agency's own server: allowed once the operator confirms its terms; the estimate
        // follows the zoom range; downloading with the server down ends with every tile failed.
        auto own = geo::TileSource::generic(QStringLiteral("http://127.0.0.1:9/{z}/{x}/{y}.png"),
                                            QStringLiteral("Agency"));
        QVERIFY(own);
        PrefetchDialog dlg(fetcher, *own, box, 14);
        QVERIFY(!dlg.canStart());
        auto *terms = dlg.findChild<QCheckBox *>();
        QVERIFY(terms);
        terms->setChecked(true);
        dlg.minZoom()->setValue(14);
        dlg.maxZoom()->setValue(14);
        const qint64 z14 = geo::Prefetch::tileCount(box, 14, 14);
        QVERIFY(dlg.planText().contains(QLocale().toString(z14)));
        QVERIFY(dlg.canStart());
        dlg.maxZoom()->setValue(13);
        QVERIFY(!dlg.canStart()); // last zoom below the first
        dlg.maxZoom()->setValue(14);
        QVERIFY(dlg.canStart());
        QTest::mouseClick(dlg.startButton(), Qt::LeftButton);
        QVERIFY(!dlg.startButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(dlg.canStart(), 30000); // finished
        QVERIFY2(dlg.planText().contains(QStringLiteral("failed")), qPrintable(dlg.planText()));
    }

    void layersPanelDrivesTheCanvas()
    {
        MainWindow w(open(), m_dir.path(), operatorActor());
        QVERIFY(showMap(w, QSize(1400, 900)));
        MapCanvas *canvas = w.map()->canvas();
        LayerTreeModel *model = w.map()->layerModel();
        auto *panel = w.layersDock()->findChild<LayersPanel *>();
        QVERIFY(panel);
        canvas->zoomToWorld(w.map()->caseLayer()->worldBounds());
        const QImage withCases = canvas->renderNow();
        // Unchecking the case layer in the panel removes the markers from the frame.
        const QModelIndex cases = model->indexOf(QStringLiteral("cases"));
        QVERIFY(model->setData(cases, Qt::Unchecked, Qt::CheckStateRole));
        const QImage without = canvas->renderNow();
        QVERIFY(withCases != without);
        QVERIFY(!canvas->hitAt(QPointF(canvas->width() / 2.0, canvas->height() / 2.0)) ||
                canvas->hitAt(QPointF(canvas->width() / 2.0, canvas->height() / 2.0))->cluster < 0);
        QVERIFY(model->setData(cases, Qt::Checked, Qt::CheckStateRole));
        // Opacity slider of the current layer.
        panel->view()->setCurrentIndex(cases);
        panel->opacitySlider()->setValue(30);
        QCOMPARE(model->layer(QStringLiteral("cases"))->opacity, 0.3);
    }

    void offlineTilesAndPackages()
    {
        // A basemap whose server is unreachable: cached tiles are drawn, the rest are reported
        // missing, and the fetcher says it is offline.
        QTemporaryDir cacheDir;
        auto source = geo::TileSource::generic(QStringLiteral("http://127.0.0.1:9/{z}/{x}/{y}.png"),
                                               QStringLiteral("Unreachable"));
        QVERIFY2(source, source ? "" : qPrintable(source.error()));
        const geo::TileId cached = geo::tileAt(121.47, 31.23, 14);
        {
            auto cache = TileDiskCache::open(cacheDir.path(), source->id, 64 << 20);
            QVERIFY2(cache, cache ? "" : qPrintable(cache.error()));
            QVERIFY((*cache)->store(cached, pngOf(QColor(255, 0, 0)),
                                    QDateTime::currentDateTimeUtc().addDays(1), {}, {}));
            QVERIFY((*cache)->flush());
        }
        geo::TileFetcher fetcher(cacheDir.path());
        geo::TileImageCache memory;
        LayerTreeModel model;
        MapCanvas canvas(&model);
        canvas.resize(800, 600);
        model.addLayer(LayerTreeModel::Group::Basemaps, info("remote", LayerKind::Basemap));
        auto *layer = new TileLayer(QStringLiteral("remote"), *source, &fetcher, &memory);
        canvas.addLayer(layer);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        const QRectF tile = geo::tileUnitRect(cached);
        canvas.centreOn(geo::fromUnit(tile.center()).x(), geo::fromUnit(tile.center()).y(), 14);
        canvas.renderNow(); // asks the fetcher for every tile in view
        QTRY_VERIFY_WITH_TIMEOUT(!fetcher.online(), 15000);
        // The cached tile is decoded off the GUI thread and the layer redraws when it is in.
        QTRY_VERIFY_WITH_TIMEOUT(memory.contains(source->id, cached), 15000);
        QTRY_VERIFY_WITH_TIMEOUT((canvas.renderNow(), !layer->missing().contains(cached)), 15000);
        const QImage frame = canvas.renderNow();
        const QPoint centre(canvas.width() / 2, canvas.height() / 2);
        QCOMPARE(QColor(frame.pixel(centre)), QColor(255, 0, 0)); // the cached tile
        QVERIFY(!layer->missing().contains(cached));
        QVERIFY(layer->missing().size() >= 1); // its neighbours are not cached anywhere
        QTRY_VERIFY_WITH_TIMEOUT(!fetcher.missing(source->id).isEmpty(), 15000);

        // An MBTiles package draws with no network at all.
        auto pkg =
            geo::TileSource::mbtilesPackage(m_dir.filePath(QStringLiteral("basemap.mbtiles")));
        QVERIFY2(pkg, pkg ? "" : qPrintable(pkg.error()));
        model.addLayer(LayerTreeModel::Group::Basemaps, info("pkg", LayerKind::Basemap));
        auto *package = new TileLayer(QStringLiteral("pkg"), *pkg, nullptr, &memory);
        QVERIFY(package->isUsable());
        canvas.addLayer(package);
        canvas.centreOn(121.47, 31.23, 13);
        canvas.renderNow();
        QVERIFY(package->missing().isEmpty());
        QVERIFY(opaquePixels(canvas.layerImage(QStringLiteral("pkg"))) > 1000);

        // A damaged package is refused by name, not drawn.
        QTemporaryDir bad;
        QFile f(bad.filePath(QStringLiteral("broken.mbtiles")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a database");
        f.close();
        QVERIFY(!geo::TileSource::mbtilesPackage(f.fileName()));
    }

    void geoJsonImport()
    {
        MainWindow w(open(), m_dir.path(), operatorActor());
        w.show();
        LayerTreeModel *model = w.map()->layerModel();
        const int before = int(model->layers().size());
        // A malformed file is refused with the problem and the feature named; nothing is added.
        const auto bad = w.map()->importGeoJson(QStringLiteral(CITYOPS_TEST_DATA) +
                                                "/geojson/malformed/ring_not_closed.geojson");
        QVERIFY(!bad);
        QVERIFY2(bad.error().contains(QStringLiteral("not closed")), qPrintable(bad.error()));
        QCOMPARE(int(model->layers().size()), before);
        // A valid one becomes a layer in the Imported group, with its features drawn.
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("parks.geojson")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"名称":"人民公园"},"geometry":{"type":"Polygon",
             "coordinates":[[[121.468,31.230],[121.474,31.230],[121.474,31.235],[121.468,31.235],[121.468,31.230]],
                            [[121.470,31.231],[121.472,31.231],[121.472,31.233],[121.470,31.231]]]}},
            {"type":"Feature","properties":{"名称":"步行街"},"geometry":{"type":"LineString",
             "coordinates":[[121.475,31.236],[121.485,31.238]]}}]})");
        f.close();
        const auto ok = w.map()->importGeoJson(f.fileName());
        QVERIFY2(ok, ok ? "" : qPrintable(ok.error()));
        QCOMPARE(int(model->layers().size()), before + 1);
        const LayerInfo imported = model->layers().at(model->layers().size() - 1 - 0);
        bool found = false;
        for (const LayerInfo &l : model->layers())
            found = found || (l.kind == LayerKind::GeoJson && l.name == QLatin1String("parks"));
        QVERIFY(found);
        Q_UNUSED(imported);
        // Importing the same file twice is refused.
        QVERIFY(!w.map()->importGeoJson(f.fileName()));
        // The imported layer comes back in the next session.
        w.map()->saveSettings();
        MainWindow again(open(), m_dir.path(), operatorActor());
        bool back = false;
        for (const LayerInfo &l : again.map()->layerModel()->layers())
            back = back || (l.kind == LayerKind::GeoJson && l.name == QLatin1String("parks"));
        QVERIFY(back);
    }

    void screenshotWithEveryLayerKind()
    {
        MainWindow w(open(), m_dir.path(), operatorActor());
        QVERIFY(showMap(w, QSize(1600, 1000)));
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("zone.geojson")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"type":"Feature","properties":{"name":"Zone"},"geometry":{"type":"Polygon",
            "coordinates":[[[121.44,31.21],[121.50,31.21],[121.50,31.25],[121.44,31.25],[121.44,31.21]]]}})");
        f.close();
        QVERIFY(w.map()->importGeoJson(f.fileName()));
        QVERIFY(w.map()->setBasemap(QStringLiteral("package")));
        w.showView(QStringLiteral("map"));
        MapCanvas *canvas = w.map()->canvas();
        canvas->centreOn(121.47, 31.23, 14);
        const QImage frame = canvas->renderNow();
        QSet<LayerKind> kinds;
        for (const LayerInfo &l : w.map()->layerModel()->layers()) {
            QVERIFY2(l.visible, qPrintable(l.id));
            const int drawn = opaquePixels(canvas->layerImage(l.id));
            QVERIFY2(drawn > 20,
                     qPrintable(QStringLiteral("%1 drew %2 pixels").arg(l.id).arg(drawn)));
            kinds.insert(l.kind);
        }
        // Every kind of layer is on the map and drew something.
        for (LayerKind k :
             {LayerKind::Basemap, LayerKind::Streets, LayerKind::Communities, LayerKind::Grids,
              LayerKind::Roads, LayerKind::Devices, LayerKind::Units, LayerKind::Cases,
              LayerKind::Heatmap, LayerKind::GeoJson})
            QVERIFY2(kinds.contains(k), qPrintable(LayerTreeModel::kindKey(k)));
        const QString out = QDir(QCoreApplication::applicationDirPath())
                                .filePath(QStringLiteral("tst_map-screenshot.png"));
        QVERIFY(frame.save(out));
        qInfo("map screenshot: %s", qPrintable(out));
    }
};

QTEST_MAIN(TestMap)
#include "tst_map.moc"
