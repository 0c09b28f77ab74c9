#include "mapwidget.h"

#include "caselayer.h"
#include "consolecontext.h"
#include "domain/types.h"
#include "geo/geojson.h"
#include "geo/projection.h"
#include "geo/tilefetcher.h"
#include "geo/tileimagecache.h"
#include "geo/tilesource.h"
#include "itemmodels/layertreemodel.h"
#include "pointlayer.h"
#include "prefetchdialog.h"
#include "storage/casestore.h"
#include "storage/mapstore.h"
#include "tilelayer.h"
#include "util/timefmt.h"
#include "vectorlayer.h"

#include <QActionGroup>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QToolBar>
#include <QVBoxLayout>

namespace cityops {

namespace {
const char *kLayersKey = "map/layers";
const char *kViewKey = "map/view";
const char *kBasemapKey = "map/basemap";
const char *kTiandituKey = "map/tiandituKey";
const char *kCacheCapKey = "map/tileCacheMB";
const QString kPackageId = QStringLiteral("basemap-package");

QList<GeoFeature> featuresOf(const QList<MapArea> &areas)
{
    QList<GeoFeature> out;
    out.reserve(areas.size());
    for (const MapArea &a : areas) {
        auto f = GeoJson::parseGeometry(a.geometry);
        if (!f)
            continue; // a damaged row draws nothing rather than failing the map
        f->properties.insert(QStringLiteral("name"), a.name);
        f->properties.insert(QStringLiteral("code"), a.code);
        out << *f;
    }
    return out;
}
} // namespace

MapWidget::MapWidget(ConsoleContext &ctx, QWidget *parent)
    : QWidget(parent), m_ctx(ctx), m_store(std::make_unique<MapStore>(ctx.database())),
      m_tree(new LayerTreeModel(this)), m_canvas(new MapCanvas(m_tree, this)),
      m_network(new QNetworkAccessManager(this)), m_memory(std::make_unique<geo::TileImageCache>())
{
    setObjectName(QStringLiteral("MapWidget"));
    QSettings settings;
    const qint64 capMb = settings.value(QLatin1String(kCacheCapKey), 512).toLongLong();
    m_fetcher = new geo::TileFetcher(QDir(ctx.dataDir()).filePath(QStringLiteral("tile-cache")),
                                     m_network, this);
    m_fetcher->setCacheCapBytes(capMb * 1024 * 1024);
    m_fetcher->setApiKey(QStringLiteral("tianditu"),
                         settings.value(QLatin1String(kTiandituKey)).toString());

    m_readout = new QLabel(this);
    m_readout->setObjectName(QStringLiteral("MapReadout"));
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_missing = new QLabel(this);
    m_missing->setObjectName(QStringLiteral("MapMissingTiles"));
    m_missing->hide();

    buildActions();
    auto *bar = new QToolBar(this);
    bar->setObjectName(QStringLiteral("MapToolBar"));
    bar->setIconSize(QSize(16, 16));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (QAction *a : std::as_const(m_mapActions))
        if (!a->property("menuOnly").toBool())
            bar->addAction(a);

    auto *strip = new QHBoxLayout;
    strip->setContentsMargins(6, 2, 6, 2);
    strip->addWidget(m_readout, 1);
    strip->addWidget(m_missing);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(bar);
    layout->addWidget(m_canvas, 1);
    layout->addLayout(strip);

    m_canvas->setCaseDescriber([this](qint64 id) { return describeCase(id); });
    connect(m_canvas, &MapCanvas::cursorMoved, this, [this](QPointF ll, const QString &grid) {
        m_cursorLonLat = ll;
        m_cursorGrid = grid;
        updateReadout();
    });
    connect(m_canvas, &MapCanvas::measureChanged, this, &MapWidget::updateReadout);
    connect(m_canvas, &MapCanvas::caseClicked, this, &MapWidget::caseClicked);
    connect(m_canvas, &MapCanvas::casesSelected, this, &MapWidget::casesSelected);
    connect(m_canvas, &MapCanvas::renderFinished, this, &MapWidget::updateMissing);

    m_reloadCases = new QTimer(this);
    m_reloadCases->setSingleShot(true);
    m_reloadCases->setInterval(500);
    connect(m_reloadCases, &QTimer::timeout, this, &MapWidget::reloadCases);
    connect(&m_ctx.cases(), &CaseService::casesChanged, m_reloadCases, qOverload<>(&QTimer::start));
    auto *unitsTimer = new QTimer(this);
    unitsTimer->setInterval(30000);
    connect(unitsTimer, &QTimer::timeout, this, &MapWidget::reloadUnits);
    unitsTimer->start();

    loadLayers();
    restoreSettings();
    connect(m_canvas, &MapCanvas::viewChanged, this, [this] {
        if (!m_canvas->underMouse()) {
            // No pointer on the map: read out the centre.
            m_cursorLonLat = m_canvas->viewport().geographicAt(
                QPointF(m_canvas->width() / 2.0, m_canvas->height() / 2.0));
            m_cursorGrid =
                m_canvas->gridCodeAt(QPointF(m_canvas->width() / 2.0, m_canvas->height() / 2.0));
            updateReadout();
        }
    });
}

MapWidget::~MapWidget()
{
    // Order matters: the canvas's renderers and the tile layers' decoders use the image cache
    // and the fetcher, and the fetcher's replies belong to the network manager.
    delete m_canvas;
    m_canvas = nullptr;
    delete m_fetcher;
    m_fetcher = nullptr;
    delete m_network;
    m_network = nullptr;
}

void MapWidget::buildActions()
{
    auto action = [this](const QString &text, const QKeySequence &key, auto slot) {
        auto *a = new QAction(text, this);
        if (!key.isEmpty()) {
            a->setShortcut(key);
            a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    m_tools = new QActionGroup(this);
    const std::array<std::tuple<QString, QString, MapCanvas::Tool>, 4> tools{{
        {tr("Pan"), QStringLiteral("P"), MapCanvas::Tool::Pan},
        {tr("Select rectangle"), QStringLiteral("S"), MapCanvas::Tool::RectSelect},
        {tr("Lasso"), QStringLiteral("L"), MapCanvas::Tool::Lasso},
        {tr("Measure"), QStringLiteral("M"), MapCanvas::Tool::Measure},
    }};
    for (const auto &[text, key, tool] : tools) {
        QAction *a =
            action(text, QKeySequence(key), [this, tool = tool] { m_canvas->setTool(tool); });
        a->setCheckable(true);
        a->setChecked(tool == MapCanvas::Tool::Pan);
        a->setObjectName(QStringLiteral("MapTool") + QString::number(int(tool)));
        m_tools->addAction(a);
        m_mapActions << a;
    }
    m_mapActions << action(tr("Zoom in"), QKeySequence(Qt::CTRL | Qt::Key_Equal),
                           [this] { m_canvas->zoomBy(1); });
    m_mapActions << action(tr("Zoom out"), QKeySequence(Qt::CTRL | Qt::Key_Minus),
                           [this] { m_canvas->zoomBy(-1); });
    m_mapActions << action(tr("Whole district"), QKeySequence(Qt::Key_Home), [this] {
        const QRectF b = m_store->districtBounds();
        if (!b.isNull())
            m_canvas->zoomToWorld(
                QRectF(geo::toUnit(b.left(), b.bottom()), geo::toUnit(b.right(), b.top()))
                    .normalized());
    });
    m_mapActions << action(tr("Zoom to selection"), QKeySequence(QStringLiteral("Z")), [this] {
        if (!m_canvas->zoomToSelection())
            m_readout->setText(tr("No selected case is on the map."));
    });
    m_mapActions << action(tr("Go to grid…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G),
                           [this] { goToGrid(); });

    m_layerActions << action(tr("Import GeoJSON…"), QKeySequence(Qt::CTRL | Qt::Key_I),
                             [this] { importGeoJsonDialog(); });
    m_layerActions << action(tr("Add MBTiles package…"), {}, [this] { addPackageDialog(); });
    m_layerActions << action(tr("Prefetch for offline…"), {}, [this] { prefetchDialog(); });
    m_layerActions << action(tr("Tianditu key…"), {}, [this] {
        bool ok = false;
        const QString key = QInputDialog::getText(
            this, tr("Tianditu key"),
            tr("Key (tk) for 天地图 tiles, from the Tianditu developer console:"),
            QLineEdit::Normal, QSettings().value(QLatin1String(kTiandituKey)).toString(), &ok);
        if (!ok)
            return;
        QSettings().setValue(QLatin1String(kTiandituKey), key.trimmed());
        m_fetcher->setApiKey(QStringLiteral("tianditu"), key.trimmed());
    });

    m_basemapMenu = new QMenu(tr("Basemap"), this);
    m_basemaps = new QActionGroup(this);
    const std::array<std::pair<QString, QString>, 6> maps{{
        {QStringLiteral("none"), tr("None")},
        {QStringLiteral("package"), tr("Offline district basemap (MBTiles)")},
        {QStringLiteral("tianditu-vec"), tr("Tianditu vector + labels")},
        {QStringLiteral("tianditu-img"), tr("Tianditu imagery + labels")},
        {QStringLiteral("gaode"), tr("Gaode roads (GCJ-02)")},
        {QStringLiteral("osm"), tr("OpenStreetMap")},
    }};
    for (const auto &[key, text] : maps) {
        QAction *a = m_basemapMenu->addAction(text);
        a->setCheckable(true);
        a->setData(key);
        m_basemaps->addAction(a);
        connect(a, &QAction::triggered, this, [this, key = key] { setBasemap(key); });
    }
}

void MapWidget::loadLayers()
{
    auto addVector = [this](const QString &id, LayerKind kind, const QString &name,
                            const VectorStyle &style, QList<GeoFeature> features, bool visible) {
        auto *layer = new VectorLayer(id, kind, style);
        layer->setFeatures(std::move(features), QStringLiteral("name"), QStringLiteral("code"));
        m_tree->addLayer(LayerTreeModel::defaultGroup(kind),
                         {id, name, kind, visible, 1.0, {}, layer->legend()});
        m_canvas->addLayer(layer);
        return layer;
    };
    VectorStyle grids;
    grids.stroke = QColor(100, 116, 139);
    grids.strokeWidth = 0.6;
    grids.minZoom = 13;
    auto *gridLayer = addVector(QStringLiteral("grids"), LayerKind::Grids, tr("Grid cells"), grids,
                                featuresOf(m_store->areas(MapStore::AreaLevel::Grid)), true);
    m_canvas->setGridLayer(gridLayer);
    VectorStyle roads;
    roads.stroke = QColor(148, 120, 80);
    roads.strokeWidth = 1.5;
    roads.labelMinZoom = 99;
    QList<GeoFeature> roadFeatures;
    for (const MapRoad &r : m_store->roads()) {
        auto f = GeoJson::parseGeometry(r.geometry);
        if (f) {
            f->properties.insert(QStringLiteral("name"), r.name);
            roadFeatures << *f;
        }
    }
    addVector(QStringLiteral("roads"), LayerKind::Roads, tr("Roads"), roads, roadFeatures, false);
    VectorStyle communities;
    communities.stroke = QColor(22, 163, 74);
    communities.strokeWidth = 1.2;
    communities.dashed = true;
    communities.labelMinZoom = 15;
    addVector(QStringLiteral("communities"), LayerKind::Communities, tr("Communities"), communities,
              featuresOf(m_store->areas(MapStore::AreaLevel::Community)), true);
    VectorStyle streets;
    streets.stroke = QColor(30, 64, 175);
    streets.strokeWidth = 2.2;
    streets.labelMinZoom = 12;
    addVector(QStringLiteral("streets"), LayerKind::Streets, tr("Streets"), streets,
              featuresOf(m_store->areas(MapStore::AreaLevel::Street)), true);

    auto *devices = new PointLayer(QStringLiteral("devices"), LayerKind::Devices);
    devices->setPoints(m_store->devices(), QDateTime::currentMSecsSinceEpoch());
    m_tree->addLayer(LayerTreeModel::Group::Operations, {devices->id(),
                                                         tr("Cameras and sensors"),
                                                         LayerKind::Devices,
                                                         true,
                                                         1.0,
                                                         {},
                                                         devices->legend()});
    m_canvas->addLayer(devices);

    auto *heat = static_cast<MapLayer *>(nullptr);
    m_cases = new CaseLayer(QStringLiteral("cases"));
    heat = new HeatmapLayer(QStringLiteral("heatmap"), m_cases);
    m_tree->addLayer(
        LayerTreeModel::Group::Operations,
        {heat->id(), tr("Case density"), LayerKind::Heatmap, false, 0.8, {}, heat->legend()});
    m_canvas->addLayer(heat);

    auto *units = new PointLayer(QStringLiteral("units"), LayerKind::Units);
    m_tree->addLayer(
        LayerTreeModel::Group::Operations,
        {units->id(), tr("Field units"), LayerKind::Units, true, 1.0, {}, units->legend()});
    m_canvas->addLayer(units);
    reloadUnits();

    m_tree->addLayer(
        LayerTreeModel::Group::Operations,
        {m_cases->id(), tr("Cases"), LayerKind::Cases, true, 1.0, {}, m_cases->legend()});
    m_canvas->addLayer(m_cases);
    m_canvas->setCaseLayer(m_cases);
    m_cases->setCasesNow(m_store->casePoints(QDateTime::currentMSecsSinceEpoch(), true));
}

void MapWidget::reloadCases()
{
    m_cases->setCases(m_store->casePoints(QDateTime::currentMSecsSinceEpoch(), true));
}

void MapWidget::reloadUnits()
{
    if (auto *units = qobject_cast<PointLayer *>(m_canvas->layer(QStringLiteral("units"))))
        units->setPoints(m_store->units(), QDateTime::currentMSecsSinceEpoch());
}

void MapWidget::addTileLayer(const QString &id, const geo::TileSource &source, bool visible)
{
    auto *layer = new TileLayer(id, source, m_fetcher, m_memory.get());
    m_tree->addLayer(LayerTreeModel::Group::Basemaps, {id, source.name, LayerKind::Basemap, visible,
                                                       1.0, source.toJson(), layer->legend()});
    m_canvas->addLayer(layer);
    connect(layer, &TileLayer::missingChanged, this, &MapWidget::updateMissing);
}

void MapWidget::removeBasemaps()
{
    for (const LayerInfo &l : m_tree->layers()) {
        if (l.kind == LayerKind::Basemap && l.id.startsWith(QLatin1String("basemap-"))) {
            m_canvas->removeLayer(l.id);
            m_tree->removeLayer(l.id);
        }
    }
}

bool MapWidget::setBasemap(const QString &key)
{
    QList<geo::TileSource> sources;
    if (key == QLatin1String("package")) {
        const QString path = QDir(m_ctx.dataDir()).filePath(QStringLiteral("basemap.mbtiles"));
        if (!QFileInfo::exists(path)) {
            m_readout->setText(tr("No offline basemap in %1 (cityops-cli demo basemap makes one).")
                                   .arg(QDir::toNativeSeparators(path)));
            return false;
        }
        auto s = geo::TileSource::mbtilesPackage(path);
        if (!s) {
            QMessageBox::warning(this, tr("Basemap"), s.error());
            return false;
        }
        sources << *s;
    } else if (key == QLatin1String("tianditu-vec") || key == QLatin1String("tianditu-img")) {
        if (QSettings().value(QLatin1String(kTiandituKey)).toString().isEmpty())
            m_readout->setText(tr("Tianditu needs a key: Layer ▸ Tianditu key…"));
        sources = key == QLatin1String("tianditu-vec") ? geo::TileSource::tiandituVector()
                                                       : geo::TileSource::tiandituImagery();
    } else if (key == QLatin1String("gaode")) {
        sources << geo::TileSource::gaodeRoad();
    } else if (key == QLatin1String("osm")) {
        sources << geo::TileSource::osmStandard();
    } else if (key != QLatin1String("none")) {
        return false;
    }
    removeBasemaps();
    bool gcj = false;
    // Base first, then its labels on top.
    for (const geo::TileSource &s : std::as_const(sources)) {
        addTileLayer(QStringLiteral("basemap-") + s.id, s, true);
        gcj = gcj || s.gcj02;
    }
    m_canvas->setGcj02(gcj);
    m_basemapKey = key;
    for (QAction *a : m_basemaps->actions())
        a->setChecked(a->data().toString() == key);
    updateMissing();
    return true;
}

Status MapWidget::importGeoJson(const QString &path)
{
    auto features = GeoJson::readFile(path);
    if (!features)
        return Error{features.error()};
    const QString id =
        QStringLiteral("geojson-") + QString::number(qHash(QFileInfo(path).absoluteFilePath()), 16);
    if (m_tree->layer(id))
        return Error{tr("%1 is already on the map").arg(QFileInfo(path).fileName())};
    VectorStyle style;
    style.stroke = QColor(190, 24, 93);
    style.fill = QColor(190, 24, 93, 40);
    style.pointColour = style.stroke;
    style.strokeWidth = 1.5;
    style.labelMinZoom = 14;
    auto *layer = new VectorLayer(id, LayerKind::GeoJson, style);
    // Label with the first of the usual name properties that the features carry.
    QString labelKey;
    for (const QString &k : {QStringLiteral("name"), QStringLiteral("名称"), QStringLiteral("NAME"),
                             QStringLiteral("title")}) {
        if (!features->isEmpty() && features->first().properties.contains(k)) {
            labelKey = k;
            break;
        }
    }
    layer->setFeatures(*features, labelKey);
    QJsonObject config{{QStringLiteral("path"), QFileInfo(path).absoluteFilePath()}};
    m_tree->addLayer(LayerTreeModel::Group::Imported,
                     {id, QFileInfo(path).completeBaseName(), LayerKind::GeoJson, true, 1.0, config,
                      layer->legend()});
    m_canvas->addLayer(layer);
    if (!layer->worldBounds().isNull())
        m_canvas->zoomToWorld(layer->worldBounds());
    return Ok{};
}

Status MapWidget::addPackage(const QString &path)
{
    auto s = geo::TileSource::mbtilesPackage(path);
    if (!s)
        return Error{s.error()};
    const QString id =
        QStringLiteral("package-") + QString::number(qHash(QFileInfo(path).absoluteFilePath()), 16);
    if (m_tree->layer(id))
        return Error{tr("%1 is already on the map").arg(QFileInfo(path).fileName())};
    addTileLayer(id, *s, true);
    return Ok{};
}

void MapWidget::importGeoJsonDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Import GeoJSON"), QString(), tr("GeoJSON (*.geojson *.json);;All files (*)"));
    if (path.isEmpty())
        return;
    if (Status s = importGeoJson(path); !s)
        QMessageBox::warning(
            this, tr("Import GeoJSON"),
            tr("%1 was not imported:\n%2").arg(QFileInfo(path).fileName(), s.error()));
}

void MapWidget::addPackageDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Add MBTiles package"), QString(),
                                                      tr("MBTiles (*.mbtiles);;All files (*)"));
    if (path.isEmpty())
        return;
    if (Status s = addPackage(path); !s)
        QMessageBox::warning(this, tr("Add MBTiles package"), s.error());
}

void MapWidget::prefetchDialog()
{
    const TileLayer *base = nullptr;
    for (const LayerInfo &l : m_tree->layers())
        if (l.kind == LayerKind::Basemap && l.visible)
            if (auto *t = qobject_cast<TileLayer *>(m_canvas->layer(l.id));
                t && !t->source().isPackage())
                base = t;
    if (!base) {
        QMessageBox::information(this, tr("Prefetch for offline"),
                                 tr("Choose an online basemap first (Layer ▸ Basemap)."));
        return;
    }
    const QRectF world = m_canvas->viewport().visibleWorld();
    const QPointF nw = geo::fromUnit(world.topLeft()), se = geo::fromUnit(world.bottomRight());
    PrefetchDialog dlg(*m_fetcher, base->source(),
                       QRectF(nw.x(), se.y(), se.x() - nw.x(), nw.y() - se.y()),
                       int(m_canvas->viewport().zoom()), this);
    dlg.exec();
}

void MapWidget::goToGrid()
{
    bool ok = false;
    const QString code = QInputDialog::getText(this, tr("Go to grid"), tr("Grid code (20 digits):"),
                                               QLineEdit::Normal, m_cursorGrid, &ok);
    if (!ok || code.trimmed().isEmpty())
        return;
    if (!m_canvas->zoomToGrid(code))
        QMessageBox::information(
            this, tr("Go to grid"),
            tr("There is no grid cell %1 in this district.").arg(code.trimmed()));
}

QString MapWidget::describeCase(qint64 id) const
{
    const auto c = m_ctx.store()->findCase(id);
    if (!c)
        return tr("Case %1").arg(id);
    QString text = tr("Case %1 · %2").arg(id).arg(c->categoryName) + QLatin1Char('\n') +
                   Names::stateLabel(c->state) + QStringLiteral(" · ") + c->address;
    if (c->deadlineAt > 0 && c->closedAt == 0)
        text += QLatin1Char('\n') +
                TimeFormat::countdown(c->deadlineAt, QDateTime::currentMSecsSinceEpoch());
    return text;
}

QString MapWidget::readoutText() const
{
    QString text =
        tr("%1, %2 (WGS-84)").arg(m_cursorLonLat.x(), 0, 'f', 6).arg(m_cursorLonLat.y(), 0, 'f', 6);
    if (!m_cursorGrid.isEmpty())
        text += tr(" · grid %1").arg(m_cursorGrid);
    text += tr(" · zoom %1").arg(m_canvas->viewport().zoom(), 0, 'f', 1);
    if (m_canvas->tool() == MapCanvas::Tool::Measure) {
        const double m = m_canvas->measuredMetres();
        text += m >= 1000 ? tr(" · distance %1 km").arg(QLocale().toString(m / 1000, 'f', 2))
                          : tr(" · distance %1 m").arg(QLocale().toString(m, 'f', 0));
    }
    return text;
}

void MapWidget::updateReadout()
{
    m_readout->setText(readoutText());
}

QString MapWidget::missingTilesText() const
{
    int missing = 0;
    for (const LayerInfo &l : m_tree->layers())
        if (auto *t = qobject_cast<TileLayer *>(m_canvas->layer(l.id)); t && l.visible)
            missing += int(t->missing().size());
    if (missing == 0)
        return {};
    return m_fetcher->online() ? tr("Loading %n tile(s)…", nullptr, missing)
                               : tr("Offline: %n tile(s) not in the cache", nullptr, missing);
}

void MapWidget::updateMissing()
{
    const QString text = missingTilesText();
    m_missing->setText(text);
    m_missing->setVisible(!text.isEmpty());
}

void MapWidget::saveSettings() const
{
    QSettings s;
    s.setValue(
        QLatin1String(kLayersKey),
        QString::fromUtf8(QJsonDocument(m_tree->saveState()).toJson(QJsonDocument::Compact)));
    const auto &v = m_canvas->viewport();
    const QPointF c = geo::fromUnit(v.centre());
    s.setValue(QLatin1String(kViewKey), QStringLiteral("%1,%2,%3")
                                            .arg(c.x(), 0, 'f', 7)
                                            .arg(c.y(), 0, 'f', 7)
                                            .arg(v.zoom(), 0, 'f', 2));
    s.setValue(QLatin1String(kBasemapKey), m_basemapKey);
}

void MapWidget::restoreSettings()
{
    QSettings s;
    const QString key =
        s.value(QLatin1String(kBasemapKey),
                QFileInfo::exists(QDir(m_ctx.dataDir()).filePath(QStringLiteral("basemap.mbtiles")))
                    ? QStringLiteral("package")
                    : QStringLiteral("none"))
            .toString();
    if (!setBasemap(key))
        setBasemap(QStringLiteral("none"));
    const auto missing = m_tree->restoreState(
        QJsonDocument::fromJson(s.value(QLatin1String(kLayersKey)).toString().toUtf8()).object());
    for (const auto &[group, info] : missing) {
        // Imported files and extra packages come back from their paths; gone files are skipped.
        const QString path = info.config.value(QStringLiteral("path")).toString();
        if (info.kind == LayerKind::GeoJson && QFileInfo::exists(path))
            (void)importGeoJson(path);
        else if (info.kind == LayerKind::Basemap && info.id.startsWith(QLatin1String("package-")))
            (void)addPackage(info.config.value(QStringLiteral("mbtilesPath")).toString());
    }
    if (!missing.isEmpty())
        m_tree->restoreState(
            QJsonDocument::fromJson(s.value(QLatin1String(kLayersKey)).toString().toUtf8())
                .object());
    const QStringList view = s.value(QLatin1String(kViewKey)).toString().split(QLatin1Char(','));
    if (view.size() == 3) {
        m_canvas->centreOn(view[0].toDouble(), view[1].toDouble(), view[2].toDouble());
    } else {
        const QRectF b = m_store->districtBounds();
        if (!b.isNull())
            m_canvas->zoomToWorld(
                QRectF(geo::toUnit(b.left(), b.bottom()), geo::toUnit(b.right(), b.top()))
                    .normalized());
    }
}

} // namespace cityops
