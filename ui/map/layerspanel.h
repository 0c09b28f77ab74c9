#pragma once

#include <QWidget>

class QSlider;
class QTreeView;
class QPushButton;

namespace cityops {

class LayerTreeModel;
class MapCanvas;

/**
 * The layer panel: the layer tree with check boxes for visibility and legends under each layer,
 * an opacity slider for the current layer, and buttons to move a layer up or down, zoom to it or
 * remove an imported one. Edits go to the LayerTreeModel; the canvas follows the model.
 */
class LayersPanel : public QWidget
{
    Q_OBJECT
public:
    LayersPanel(LayerTreeModel *model, MapCanvas *canvas, QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    QSlider *opacitySlider() const { return m_opacity; }
    /** The layer id of the current row (a legend row gives its layer), or empty. */
    QString currentLayer() const;

private:
    void updateButtons();

    LayerTreeModel *m_model;
    MapCanvas *m_canvas;
    QTreeView *m_view;
    QSlider *m_opacity;
    QPushButton *m_up, *m_down, *m_zoom, *m_remove;
};

} // namespace cityops
