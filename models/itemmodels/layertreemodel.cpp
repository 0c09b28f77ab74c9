#include "layertreemodel.h"

#include <QJsonArray>

#include <algorithm>
#include <optional>

namespace cityops {

struct LayerTreeModel::Node
{
    enum class Type
    {
        Root,
        Group,
        Layer,
        Legend
    };
    Type type = Type::Root;
    Group group = Group::Operations;
    LayerInfo info;
    LegendEntry legend;
    Node *parent = nullptr;
    std::vector<std::unique_ptr<Node>> children;

    int row() const
    {
        if (!parent)
            return 0;
        const auto &s = parent->children;
        for (size_t i = 0; i < s.size(); ++i)
            if (s[i].get() == this)
                return int(i);
        return 0;
    }
    Node *add(std::unique_ptr<Node> child, int at)
    {
        child->parent = this;
        Node *raw = child.get();
        children.insert(children.begin() + at, std::move(child));
        return raw;
    }
};

namespace {
constexpr std::array kGroups{LayerTreeModel::Group::Operations, LayerTreeModel::Group::Reference,
                             LayerTreeModel::Group::Imported, LayerTreeModel::Group::Basemaps};

const char *groupKey(LayerTreeModel::Group g)
{
    switch (g) {
    case LayerTreeModel::Group::Operations:
        return "operations";
    case LayerTreeModel::Group::Reference:
        return "reference";
    case LayerTreeModel::Group::Imported:
        return "imported";
    case LayerTreeModel::Group::Basemaps:
        return "basemaps";
    }
    return "";
}

std::optional<LayerTreeModel::Group> groupFromKey(const QString &key)
{
    for (auto g : kGroups)
        if (key == QLatin1String(groupKey(g)))
            return g;
    return std::nullopt;
}
} // namespace

LayerTreeModel::LayerTreeModel(QObject *parent)
    : QAbstractItemModel(parent), m_root(std::make_unique<Node>())
{
    for (auto g : kGroups) {
        auto n = std::make_unique<Node>();
        n->type = Node::Type::Group;
        n->group = g;
        m_root->add(std::move(n), int(m_root->children.size()));
    }
}

LayerTreeModel::~LayerTreeModel() = default;

QString LayerTreeModel::groupName(Group group)
{
    switch (group) {
    case Group::Operations:
        return tr("Operations");
    case Group::Reference:
        return tr("Reference");
    case Group::Imported:
        return tr("Imported");
    case Group::Basemaps:
        return tr("Basemaps");
    }
    return {};
}

LayerTreeModel::Group LayerTreeModel::defaultGroup(LayerKind kind)
{
    switch (kind) {
    case LayerKind::Basemap:
        return Group::Basemaps;
    case LayerKind::Streets:
    case LayerKind::Communities:
    case LayerKind::Grids:
    case LayerKind::Roads:
        return Group::Reference;
    case LayerKind::Devices:
    case LayerKind::Units:
    case LayerKind::Cases:
    case LayerKind::Heatmap:
        return Group::Operations;
    case LayerKind::GeoJson:
        return Group::Imported;
    }
    return Group::Imported;
}

QString LayerTreeModel::kindKey(LayerKind kind)
{
    switch (kind) {
    case LayerKind::Basemap:
        return QStringLiteral("basemap");
    case LayerKind::Streets:
        return QStringLiteral("streets");
    case LayerKind::Communities:
        return QStringLiteral("communities");
    case LayerKind::Grids:
        return QStringLiteral("grids");
    case LayerKind::Roads:
        return QStringLiteral("roads");
    case LayerKind::Devices:
        return QStringLiteral("devices");
    case LayerKind::Units:
        return QStringLiteral("units");
    case LayerKind::Cases:
        return QStringLiteral("cases");
    case LayerKind::Heatmap:
        return QStringLiteral("heatmap");
    case LayerKind::GeoJson:
        return QStringLiteral("geojson");
    }
    return {};
}

std::optional<LayerKind> LayerTreeModel::kindFromKey(const QString &key)
{
    for (int k = 0; k <= int(LayerKind::GeoJson); ++k)
        if (kindKey(LayerKind(k)) == key)
            return LayerKind(k);
    return std::nullopt;
}

LayerTreeModel::Node *LayerTreeModel::find(const QString &id) const
{
    for (const auto &g : m_root->children)
        for (const auto &l : g->children)
            if (l->info.id == id)
                return l.get();
    return nullptr;
}

QModelIndex LayerTreeModel::indexFor(Node *node) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row(), 0, node);
}

QModelIndex LayerTreeModel::indexOf(const QString &id) const
{
    return indexFor(find(id));
}

const LayerInfo *LayerTreeModel::layer(const QString &id) const
{
    const Node *n = find(id);
    return n ? &n->info : nullptr;
}

bool LayerTreeModel::addLayer(Group group, const LayerInfo &layer)
{
    if (layer.id.isEmpty() || find(layer.id))
        return false;
    Node *g = m_root->children[size_t(group)].get();
    beginInsertRows(indexFor(g), 0, 0);
    auto n = std::make_unique<Node>();
    n->type = Node::Type::Layer;
    n->group = group;
    n->info = layer;
    n->info.opacity = std::clamp(layer.opacity, 0.0, 1.0);
    Node *raw = g->add(std::move(n), 0);
    for (const auto &e : layer.legend) {
        auto l = std::make_unique<Node>();
        l->type = Node::Type::Legend;
        l->legend = e;
        raw->add(std::move(l), int(raw->children.size()));
    }
    endInsertRows();
    const QModelIndex gi = indexFor(g);
    emit dataChanged(gi, gi, {Qt::CheckStateRole});
    emit orderChanged();
    return true;
}

bool LayerTreeModel::removeLayer(const QString &id)
{
    Node *n = find(id);
    if (!n)
        return false;
    Node *g = n->parent;
    const int row = n->row();
    beginRemoveRows(indexFor(g), row, row);
    g->children.erase(g->children.begin() + row);
    endRemoveRows();
    emit orderChanged();
    return true;
}

bool LayerTreeModel::moveLayer(const QString &id, int delta)
{
    Node *n = find(id);
    if (!n || delta == 0)
        return false;
    Node *g = n->parent;
    const int from = n->row();
    const int to = std::clamp(from + delta, 0, int(g->children.size()) - 1);
    if (to == from)
        return false;
    const QModelIndex gi = indexFor(g);
    // beginMoveRows wants the destination as "insert before" in the pre-move numbering.
    if (!beginMoveRows(gi, from, from, gi, to > from ? to + 1 : to))
        return false;
    auto owned = std::move(g->children[size_t(from)]);
    g->children.erase(g->children.begin() + from);
    g->children.insert(g->children.begin() + to, std::move(owned));
    endMoveRows();
    emit orderChanged();
    return true;
}

bool LayerTreeModel::setVisible(const QString &id, bool visible)
{
    Node *n = find(id);
    if (!n)
        return false;
    if (n->info.visible != visible) {
        n->info.visible = visible;
        const QModelIndex i = indexFor(n);
        emit dataChanged(i, i, {Qt::CheckStateRole});
        const QModelIndex gi = indexFor(n->parent);
        emit dataChanged(gi, gi, {Qt::CheckStateRole});
        emit layerChanged(id);
    }
    return true;
}

bool LayerTreeModel::setOpacity(const QString &id, double opacity)
{
    Node *n = find(id);
    if (!n)
        return false;
    opacity = std::clamp(opacity, 0.0, 1.0);
    if (!qFuzzyCompare(n->info.opacity, opacity)) {
        n->info.opacity = opacity;
        const QModelIndex i = indexFor(n);
        emit dataChanged(i, i, {OpacityRole});
        emit layerChanged(id);
    }
    return true;
}

bool LayerTreeModel::setLegend(const QString &id, const QList<LegendEntry> &legend)
{
    Node *n = find(id);
    if (!n)
        return false;
    if (n->info.legend == legend)
        return true;
    const QModelIndex li = indexFor(n);
    if (!n->children.empty()) {
        beginRemoveRows(li, 0, int(n->children.size()) - 1);
        n->children.clear();
        endRemoveRows();
    }
    n->info.legend = legend;
    if (!legend.isEmpty()) {
        beginInsertRows(li, 0, int(legend.size()) - 1);
        for (const auto &e : legend) {
            auto l = std::make_unique<Node>();
            l->type = Node::Type::Legend;
            l->legend = e;
            n->add(std::move(l), int(n->children.size()));
        }
        endInsertRows();
    }
    emit layerChanged(id);
    return true;
}

QStringList LayerTreeModel::drawOrder() const
{
    QStringList out;
    for (auto g = m_root->children.rbegin(); g != m_root->children.rend(); ++g)
        for (auto l = (*g)->children.rbegin(); l != (*g)->children.rend(); ++l)
            out << (*l)->info.id;
    return out;
}

QList<LayerInfo> LayerTreeModel::layers() const
{
    QList<LayerInfo> out;
    for (const auto &g : m_root->children)
        for (const auto &l : g->children)
            out << l->info;
    return out;
}

QJsonObject LayerTreeModel::saveState() const
{
    QJsonArray arr;
    for (const auto &g : m_root->children) {
        for (const auto &l : g->children) {
            const LayerInfo &i = l->info;
            arr.append(QJsonObject{{QStringLiteral("id"), i.id},
                                   {QStringLiteral("name"), i.name},
                                   {QStringLiteral("kind"), kindKey(i.kind)},
                                   {QStringLiteral("group"), QLatin1String(groupKey(g->group))},
                                   {QStringLiteral("visible"), i.visible},
                                   {QStringLiteral("opacity"), i.opacity},
                                   {QStringLiteral("config"), i.config}});
        }
    }
    return QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("layers"), arr}};
}

QList<std::pair<LayerTreeModel::Group, LayerInfo>>
LayerTreeModel::restoreState(const QJsonObject &state)
{
    QList<std::pair<Group, LayerInfo>> missing;
    if (state.value(QStringLiteral("version")).toInt() != 1)
        return missing;
    const QJsonArray arr = state.value(QStringLiteral("layers")).toArray();
    // Saved order within each group, top first.
    QHash<int, QStringList> order;
    for (const auto &v : arr) {
        const QJsonObject o = v.toObject();
        const auto kind = kindFromKey(o.value(QStringLiteral("kind")).toString());
        const auto group = groupFromKey(o.value(QStringLiteral("group")).toString());
        const QString id = o.value(QStringLiteral("id")).toString();
        if (!kind || !group || id.isEmpty())
            continue; // from a newer or damaged settings file: ignore that entry
        const bool visible = o.value(QStringLiteral("visible")).toBool(true);
        const double opacity = o.value(QStringLiteral("opacity")).toDouble(1.0);
        if (find(id)) {
            setVisible(id, visible);
            setOpacity(id, opacity);
        } else {
            LayerInfo info;
            info.id = id;
            info.name = o.value(QStringLiteral("name")).toString(id);
            info.kind = *kind;
            info.visible = visible;
            info.opacity = std::clamp(opacity, 0.0, 1.0);
            info.config = o.value(QStringLiteral("config")).toObject();
            missing.append({*group, info});
        }
        order[int(*group)] << id;
    }
    // Reapply the saved order for layers that exist now (missing ones are added by the caller).
    for (auto it = order.cbegin(); it != order.cend(); ++it) {
        const QStringList &ids = it.value();
        for (int want = 0; want < ids.size(); ++want) {
            Node *n = find(ids[want]);
            if (!n)
                continue;
            int target = 0;
            for (int k = 0; k < want; ++k)
                if (find(ids[k]))
                    ++target;
            moveLayer(ids[want], target - n->row());
        }
    }
    return missing;
}

LayerTreeModel::Node *LayerTreeModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex LayerTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    Node *p = nodeFor(parent);
    if (row >= int(p->children.size()))
        return {};
    return createIndex(row, 0, p->children[size_t(row)].get());
}

QModelIndex LayerTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexFor(nodeFor(child)->parent);
}

int LayerTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeFor(parent)->children.size());
}

int LayerTreeModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant LayerTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node *n = nodeFor(index);
    switch (n->type) {
    case Node::Type::Root:
        return {};
    case Node::Type::Group: {
        if (role == Qt::DisplayRole)
            return groupName(n->group);
        if (role == IsGroupRole)
            return true;
        if (role == Qt::CheckStateRole) {
            if (n->children.empty())
                return Qt::Unchecked;
            const auto on = std::count_if(n->children.begin(), n->children.end(),
                                          [](const auto &c) { return c->info.visible; });
            return on == 0
                       ? Qt::Unchecked
                       : (size_t(on) == n->children.size() ? Qt::Checked : Qt::PartiallyChecked);
        }
        return {};
    }
    case Node::Type::Layer:
        switch (role) {
        case Qt::DisplayRole:
        case Qt::EditRole:
            return n->info.name;
        case Qt::ToolTipRole:
            return n->info.opacity < 1.0
                       ? tr("%1 (opacity %2%)").arg(n->info.name).arg(qRound(n->info.opacity * 100))
                       : n->info.name;
        case Qt::CheckStateRole:
            return n->info.visible ? Qt::Checked : Qt::Unchecked;
        case LayerIdRole:
            return n->info.id;
        case KindRole:
            return int(n->info.kind);
        case OpacityRole:
            return n->info.opacity;
        case IsGroupRole:
        case IsLegendRole:
            return false;
        }
        return {};
    case Node::Type::Legend:
        switch (role) {
        case Qt::DisplayRole:
            return n->legend.label;
        case Qt::DecorationRole:
            return n->legend.colour;
        case IsLegendRole:
            return true;
        case LayerIdRole:
            return n->parent->info.id;
        }
        return {};
    }
    return {};
}

void LayerTreeModel::setGroupVisible(Node *group, bool visible)
{
    for (const auto &c : group->children)
        setVisible(c->info.id, visible);
}

bool LayerTreeModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return false;
    Node *n = nodeFor(index);
    if (role == Qt::CheckStateRole) {
        const bool on = Qt::CheckState(value.toInt()) != Qt::Unchecked;
        if (n->type == Node::Type::Group) {
            setGroupVisible(n, on);
            return true;
        }
        return n->type == Node::Type::Layer && setVisible(n->info.id, on);
    }
    if (n->type != Node::Type::Layer)
        return false;
    if (role == OpacityRole)
        return setOpacity(n->info.id, value.toDouble());
    if (role == Qt::EditRole) {
        const QString name = value.toString().trimmed();
        if (name.isEmpty())
            return false;
        n->info.name = name;
        emit dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole});
        emit layerChanged(n->info.id);
        return true;
    }
    return false;
}

Qt::ItemFlags LayerTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    const Node *n = nodeFor(index);
    switch (n->type) {
    case Node::Type::Group:
        return Qt::ItemIsEnabled | Qt::ItemIsUserCheckable;
    case Node::Type::Layer:
        return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable |
               Qt::ItemIsEditable;
    case Node::Type::Legend:
        return Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    case Node::Type::Root:
        break;
    }
    return Qt::NoItemFlags;
}

QHash<int, QByteArray> LayerTreeModel::roleNames() const
{
    auto r = QAbstractItemModel::roleNames();
    r.insert(LayerIdRole, "layerId");
    r.insert(KindRole, "kind");
    r.insert(OpacityRole, "opacity");
    r.insert(IsGroupRole, "isGroup");
    r.insert(IsLegendRole, "isLegend");
    return r;
}

} // namespace cityops
