#pragma once

#include <QAbstractItemModel>
#include <QColor>
#include <QJsonObject>
#include <QList>

#include <memory>
#include <optional>

namespace cityops {

/** What a map layer draws; the canvas makes a renderer for each kind. */
enum class LayerKind
{
    Basemap, ///< raster tiles from a URL template or an MBTiles package (config: TileSource JSON)
    Streets, ///< street (街道) boundaries
    Communities, ///< community (社区) boundaries
    Grids,       ///< grid cells (万米单元网格)
    Roads,
    Devices, ///< cameras and sensors
    Units,   ///< field units with live positions
    Cases,   ///< clustered case markers
    Heatmap, ///< case density
    GeoJson, ///< an imported RFC 7946 file (config: {"path": …})
};

/** One row of a layer's legend. */
struct LegendEntry
{
    QColor colour;
    QString label;
    friend bool operator==(const LegendEntry &, const LegendEntry &) = default;
};

/** Everything the layer panel and the canvas know about a layer. */
struct LayerInfo
{
    QString id;   ///< unique, stable across sessions
    QString name; ///< shown in the panel
    LayerKind kind = LayerKind::Grids;
    bool visible = true;
    double opacity = 1.0; ///< 0…1
    QJsonObject config;   ///< kind-specific settings (tile source, file path …)
    QList<LegendEntry> legend;
};

/**
 * The map's layer tree: groups ("Operations", "Reference", "Imported", "Basemaps") holding layers,
 * each with its legend entries as child rows. The model owns visibility (check state), opacity,
 * order and the legend; the canvas follows it. Rows nearer the top are drawn on top, as in QGIS.
 * `saveState()` / `restoreState()` persist the whole layer set as JSON. GUI thread only.
 */
class LayerTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Roles
    {
        LayerIdRole = Qt::UserRole + 1,
        KindRole,
        OpacityRole,
        IsGroupRole,
        IsLegendRole,
    };
    enum class Group
    {
        Operations,
        Reference,
        Imported,
        Basemaps
    };

    explicit LayerTreeModel(QObject *parent = nullptr);
    ~LayerTreeModel() override;

    /** Adds a layer at the top of its group (drawn above the group's others). False if the id
     * exists. */
    bool addLayer(Group group, const LayerInfo &layer);
    bool removeLayer(const QString &id);
    /** Moves a layer up (delta < 0, towards the top, drawn later) or down within its group. */
    bool moveLayer(const QString &id, int delta);
    bool setVisible(const QString &id, bool visible);
    bool setOpacity(const QString &id, double opacity);
    bool setLegend(const QString &id, const QList<LegendEntry> &legend);
    const LayerInfo *layer(const QString &id) const;
    QModelIndex indexOf(const QString &id) const;
    /** Layer ids in drawing order: the first is drawn first (at the bottom). */
    QStringList drawOrder() const;
    QList<LayerInfo> layers() const;
    static Group defaultGroup(LayerKind kind);
    static QString groupName(Group group);

    QJsonObject saveState() const;
    /**
     * Applies visibility, opacity and order saved earlier to the layers present now, and returns
     * the saved layers that are missing (imported files, extra basemaps) for the caller to re-add.
     */
    QList<std::pair<Group, LayerInfo>> restoreState(const QJsonObject &state);
    static QString kindKey(LayerKind kind);
    static std::optional<LayerKind> kindFromKey(const QString &key);

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    /** Visibility, opacity, legend or order of a layer changed. */
    void layerChanged(const QString &id);
    void orderChanged();

private:
    struct Node;
    Node *nodeFor(const QModelIndex &index) const;
    Node *find(const QString &id) const;
    QModelIndex indexFor(Node *node) const;
    void setGroupVisible(Node *group, bool visible);

    std::unique_ptr<Node> m_root;
};

} // namespace cityops
