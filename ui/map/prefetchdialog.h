#pragma once

#include "geo/tilesource.h"

#include <QDialog>
#include <QRectF>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace cityops {

namespace geo {
class Prefetcher;
class TileFetcher;
} // namespace geo

/**
 * Prefetch for offline: for the area on screen and a zoom range, shows the tile count, the
 * estimated size, what is already cached and the cache cap, refuses what the source's terms or
 * the cap do not allow, then downloads with progress and cancel.
 */
class PrefetchDialog : public QDialog
{
    Q_OBJECT
public:
    PrefetchDialog(geo::TileFetcher &fetcher, const geo::TileSource &source,
                   const QRectF &lonLatBox, int zoom, QWidget *parent = nullptr);
    ~PrefetchDialog() override;

    QString planText() const;
    bool canStart() const;
    QSpinBox *minZoom() const { return m_min; }
    QSpinBox *maxZoom() const { return m_max; }
    QPushButton *startButton() const { return m_start; }

public slots:
    void start();
    void cancel();

private:
    void replan();

    geo::TileFetcher &m_fetcher;
    geo::TileSource m_source;
    QRectF m_box;
    QSpinBox *m_min, *m_max;
    QCheckBox *m_terms = nullptr;
    QLabel *m_plan;
    QProgressBar *m_progress;
    QPushButton *m_start;
    QPushButton *m_close;
    geo::Prefetcher *m_prefetcher;
    bool m_allowed = false;
};

} // namespace cityops
