#include "layerspanel.h"

#include "itemmodels/layertreemodel.h"
#include "mapcanvas.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QTreeView>
#include <QVBoxLayout>

namespace cityops {

LayersPanel::LayersPanel(LayerTreeModel *model, MapCanvas *canvas, QWidget *parent)
    : QWidget(parent), m_model(model), m_canvas(canvas), m_view(new QTreeView(this)),
      m_opacity(new QSlider(Qt::Horizontal, this)), m_up(new QPushButton(tr("Up"), this)),
      m_down(new QPushButton(tr("Down"), this)), m_zoom(new QPushButton(tr("Zoom to"), this)),
      m_remove(new QPushButton(tr("Remove"), this))
{
    setObjectName(QStringLiteral("LayersPanel"));
    m_view->setModel(model);
    m_view->setHeaderHidden(true);
    m_view->setEditTriggers(QAbstractItemView::EditKeyPressed);
    m_view->expandAll();
    connect(model, &QAbstractItemModel::rowsInserted, m_view,
            [this](const QModelIndex &parent) { m_view->expand(parent); });
    m_opacity->setRange(0, 100);
    m_opacity->setToolTip(tr("Opacity of the selected layer"));
    auto *opacityRow = new QHBoxLayout;
    opacityRow->addWidget(new QLabel(tr("Opacity"), this));
    opacityRow->addWidget(m_opacity, 1);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_up, m_down, m_zoom, m_remove})
        buttons->addWidget(b);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_view, 1);
    layout->addLayout(opacityRow);
    layout->addLayout(buttons);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &LayersPanel::updateButtons);
    connect(model, &LayerTreeModel::layerChanged, this, &LayersPanel::updateButtons);
    connect(model, &LayerTreeModel::orderChanged, this, &LayersPanel::updateButtons);
    connect(m_opacity, &QSlider::valueChanged, this, [this](int v) {
        const QString id = currentLayer();
        if (!id.isEmpty())
            m_model->setOpacity(id, v / 100.0);
    });
    connect(m_up, &QPushButton::clicked, this, [this] { m_model->moveLayer(currentLayer(), -1); });
    connect(m_down, &QPushButton::clicked, this, [this] { m_model->moveLayer(currentLayer(), 1); });
    connect(m_zoom, &QPushButton::clicked, this, [this] {
        if (MapLayer *l = m_canvas->layer(currentLayer()); l && !l->worldBounds().isNull())
            m_canvas->zoomToWorld(l->worldBounds());
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const QString id = currentLayer();
        m_canvas->removeLayer(id);
        m_model->removeLayer(id);
    });
    updateButtons();
}

QString LayersPanel::currentLayer() const
{
    return m_view->currentIndex().data(LayerTreeModel::LayerIdRole).toString();
}

void LayersPanel::updateButtons()
{
    const QString id = currentLayer();
    const LayerInfo *info = id.isEmpty() ? nullptr : m_model->layer(id);
    for (QPushButton *b : {m_up, m_down, m_zoom})
        b->setEnabled(info);
    // Only layers the operator added can be removed; the district's own layers stay.
    m_remove->setEnabled(info && (info->kind == LayerKind::GeoJson ||
                                  info->id.startsWith(QLatin1String("package-"))));
    m_opacity->setEnabled(info);
    const QSignalBlocker block(m_opacity);
    m_opacity->setValue(info ? qRound(info->opacity * 100) : 100);
    if (info) {
        // Keep the moved row current so repeated Up/Down presses keep moving it.
        const QModelIndex i = m_model->indexOf(id);
        if (i != m_view->currentIndex() &&
            !m_view->currentIndex().data(LayerTreeModel::IsLegendRole).toBool())
            m_view->setCurrentIndex(i);
    }
}

} // namespace cityops
