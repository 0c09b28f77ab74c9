#include "prefetchdialog.h"

#include "geo/prefetch.h"
#include "geo/tilefetcher.h"
#include "storage/tilecache.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cityops {

PrefetchDialog::PrefetchDialog(geo::TileFetcher &fetcher, const geo::TileSource &source,
                               const QRectF &lonLatBox, int zoom, QWidget *parent)
    : QDialog(parent), m_fetcher(fetcher), m_source(source), m_box(lonLatBox),
      m_min(new QSpinBox(this)), m_max(new QSpinBox(this)), m_plan(new QLabel(this)),
      m_progress(new QProgressBar(this)), m_start(new QPushButton(tr("Download"), this)),
      m_close(new QPushButton(tr("Close"), this)), m_prefetcher(new geo::Prefetcher(&fetcher, this))
{
    setWindowTitle(tr("Prefetch for offline — %1").arg(source.name));
    for (QSpinBox *s : {m_min, m_max})
        s->setRange(source.minZoom, source.maxZoom);
    m_min->setValue(std::clamp(zoom, source.minZoom, source.maxZoom));
    m_max->setValue(std::clamp(zoom + 3, source.minZoom, source.maxZoom));
    auto *form = new QFormLayout;
    form->addRow(tr("Area"), new QLabel(tr("%1–%2 E, %3–%4 N (the map view)")
                                            .arg(lonLatBox.left(), 0, 'f', 4)
                                            .arg(lonLatBox.right(), 0, 'f', 4)
                                            .arg(lonLatBox.top(), 0, 'f', 4)
                                            .arg(lonLatBox.bottom(), 0, 'f', 4),
                                        this));
    form->addRow(tr("From zoom"), m_min);
    form->addRow(tr("To zoom"), m_max);
    if (!source.allowsPrefetch && source.urlTemplate.contains(QLatin1String("{")) &&
        source.id.startsWith(QLatin1String("custom"))) {
        // Only the operator can know the terms of the agency's own server.
        m_terms = new QCheckBox(tr("This server's terms allow offline download"), this);
        form->addRow(QString(), m_terms);
        connect(m_terms, &QCheckBox::toggled, this, [this](bool on) {
            m_source.allowsPrefetch = on;
            replan();
        });
    }
    m_plan->setWordWrap(true);
    m_plan->setObjectName(QStringLiteral("prefetchPlan"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_start);
    buttons->addWidget(m_close);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_plan);
    layout->addWidget(m_progress);
    layout->addLayout(buttons);

    connect(m_min, &QSpinBox::valueChanged, this, &PrefetchDialog::replan);
    connect(m_max, &QSpinBox::valueChanged, this, &PrefetchDialog::replan);
    connect(m_start, &QPushButton::clicked, this, &PrefetchDialog::start);
    connect(m_close, &QPushButton::clicked, this, &PrefetchDialog::cancel);
    connect(m_prefetcher, &geo::Prefetcher::progress, this,
            [this](qint64 done, qint64 total, qint64 bytes) {
                m_progress->setRange(0, int(std::min<qint64>(total, INT_MAX)));
                m_progress->setValue(int(std::min<qint64>(done, INT_MAX)));
                m_progress->setFormat(tr("%1 of %2 tiles, %3")
                                          .arg(QLocale().toString(done), QLocale().toString(total),
                                               QLocale().formattedDataSize(bytes)));
            });
    connect(m_prefetcher, &geo::Prefetcher::finished, this,
            [this](qint64 ok, qint64 failed, qint64 cancelled) {
                m_start->setEnabled(canStart());
                m_close->setText(tr("Close"));
                QString text = tr("Done: %1 tiles downloaded or already fresh, %2 failed, %3 not "
                                  "attempted.")
                                   .arg(QLocale().toString(ok), QLocale().toString(failed),
                                        QLocale().toString(cancelled));
                if (!m_prefetcher->stopReason().isEmpty())
                    text += QLatin1Char(' ') + m_prefetcher->stopReason();
                m_plan->setText(text);
            });
    replan();
}

PrefetchDialog::~PrefetchDialog()
{
    if (m_prefetcher->isRunning())
        m_prefetcher->cancel();
}

void PrefetchDialog::replan()
{
    if (m_max->value() < m_min->value()) {
        m_plan->setText(tr("The last zoom must not be below the first."));
        m_allowed = false;
        m_start->setEnabled(false);
        return;
    }
    geo::PrefetchPlan plan;
    auto cache = m_fetcher.cacheFor(m_source);
    if (cache)
        plan = geo::Prefetch::plan(m_source, m_box, m_min->value(), m_max->value(), 0, **cache);
    else
        plan = geo::Prefetch::plan(m_source, m_box, m_min->value(), m_max->value(), 0,
                                   m_fetcher.cacheCapBytes(), 0);
    const QLocale loc;
    QString text = tr("%1 tiles, about %2 to download (%3 already cached). Cache %4 of %5.")
                       .arg(loc.toString(plan.tiles), loc.formattedDataSize(plan.estimatedBytes),
                            loc.toString(plan.alreadyCached),
                            loc.formattedDataSize(cache ? (*cache)->sizeBytes() : 0),
                            loc.formattedDataSize(m_fetcher.cacheCapBytes()));
    if (!plan.allowed)
        text += QStringLiteral("<br><span style='color:#dc2626'>%1</span>")
                    .arg(plan.refusal.toHtmlEscaped());
    m_plan->setText(text);
    m_allowed = plan.allowed;
    m_start->setEnabled(canStart());
}

QString PrefetchDialog::planText() const
{
    return m_plan->text();
}

bool PrefetchDialog::canStart() const
{
    return m_allowed && !m_prefetcher->isRunning();
}

void PrefetchDialog::start()
{
    if (!canStart())
        return;
    if (Status s = m_prefetcher->start(m_source, m_box, m_min->value(), m_max->value()); !s) {
        m_plan->setText(s.error());
        return;
    }
    m_start->setEnabled(false);
    m_close->setText(tr("Cancel"));
}

void PrefetchDialog::cancel()
{
    if (m_prefetcher->isRunning()) {
        m_prefetcher->cancel();
        return;
    }
    reject();
}

} // namespace cityops
