#include "casedetailwidget.h"

#include "domain/catalogue.h"
#include "storage/casestore.h"
#include "util/timefmt.h"

#include <QDateTime>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cityops {

CaseDetailWidget::CaseDetailWidget(std::shared_ptr<CaseStore> store, QWidget *parent)
    : QWidget(parent), m_store(std::move(store))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(8, 8, 8, 8);
    m_empty = new QLabel(tr("Select a case in the queue to see its details and timeline."), this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    outer->addWidget(m_empty);

    m_body = new QWidget(this);
    auto *body = new QVBoxLayout(m_body);
    body->setContentsMargins(0, 0, 0, 0);
    auto *header = new QHBoxLayout;
    m_title = new QLabel(m_body);
    m_title->setObjectName(QStringLiteral("caseTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state = new QLabel(m_body);
    m_state->setObjectName(QStringLiteral("caseState"));
    header->addWidget(m_title, 1);
    header->addWidget(m_state);
    body->addLayout(header);

    auto *split = new QSplitter(Qt::Vertical, m_body);
    auto *fields = new QWidget;
    m_form = new QFormLayout(fields);
    m_form->setLabelAlignment(Qt::AlignRight);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_category = addField(tr("Category"));
    m_stage = addField(tr("Escalation stage"));
    m_priority = addField(tr("Priority"));
    m_source = addField(tr("Source"));
    m_place = addField(tr("Street / community"));
    m_grid = addField(tr("Grid"));
    m_address = addField(tr("Address"));
    m_description = addField(tr("Description"));
    m_party = addField(tr("Party"));
    m_position = addField(tr("Position (WGS-84)"));
    m_reported = addField(tr("Reported"));
    m_deadline = addField(tr("Deadline"));
    m_closed = addField(tr("Closed"));
    m_unit = addField(tr("Responsible unit"));
    m_assignee = addField(tr("Assignee"));
    m_version = addField(tr("Version"));
    auto *scroll = new QScrollArea;
    scroll->setWidget(fields);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    split->addWidget(scroll);

    m_timeline = new QTreeWidget;
    m_timeline->setRootIsDecorated(false);
    m_timeline->setAlternatingRowColors(true);
    m_timeline->setHeaderLabels(
        {tr("#"), tr("Time"), tr("Event"), tr("Actor"), tr("Role"), tr("Device"), tr("Details")});
    m_timeline->header()->setStretchLastSection(true);
    split->addWidget(m_timeline);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    body->addWidget(split, 1);
    outer->addWidget(m_body, 1);
    clear();
}

QLabel *CaseDetailWidget::addField(const QString &label)
{
    auto *value = new QLabel;
    value->setWordWrap(true);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->addRow(label, value);
    return value;
}

void CaseDetailWidget::clear()
{
    m_id = 0;
    m_body->hide();
    m_empty->show();
}

void CaseDetailWidget::showCase(CaseId id)
{
    const auto c = m_store->findCase(id);
    if (!c) {
        clear();
        return;
    }
    m_id = id;
    const Category *cat = Catalogue::builtin().find(c->categoryCode);
    m_title->setText(tr("Case %1 · %2").arg(c->id).arg(c->categoryName));
    m_state->setText(Names::stateLabel(c->state));
    m_category->setText(QStringLiteral("%1 %2").arg(c->categoryCode, c->categoryName));
    m_category->setToolTip(cat ? tr("Filing condition: %1\nClosure condition: %2")
                                     .arg(cat->filingCondition, cat->closureCondition)
                               : QString());
    m_stage->setText(Names::stageLabel(c->stage));
    m_priority->setText(c->priority == 1   ? tr("Urgent")
                        : c->priority == 2 ? tr("High")
                                           : tr("Normal"));
    m_source->setText(Names::sourceLabel(c->source));
    m_place->setText(QStringLiteral("%1 / %2").arg(c->streetName, c->communityName));
    m_grid->setText(c->gridCode);
    m_address->setText(c->address);
    m_description->setText(c->description);
    m_party->setText(c->party.isEmpty() ? tr("—") : c->party);
    m_position->setText(QStringLiteral("%1, %2").arg(c->lon, 0, 'f', 6).arg(c->lat, 0, 'f', 6));
    m_reported->setText(TimeFormat::dateTime(c->reportedAt));
    const bool open = c->state != QLatin1String("closed") && c->state != QLatin1String("rejected");
    m_deadline->setText(
        c->deadlineAt
            ? (open ? tr("%1 (%2)").arg(
                          TimeFormat::dateTime(c->deadlineAt),
                          TimeFormat::countdown(c->deadlineAt, QDateTime::currentMSecsSinceEpoch()))
                    : TimeFormat::dateTime(c->deadlineAt))
            : tr("—"));
    m_closed->setText(c->closedAt ? TimeFormat::dateTime(c->closedAt) : tr("—"));
    m_unit->setText(c->unitName.isEmpty() ? tr("—") : c->unitName);
    m_assignee->setText(c->assigneeName.isEmpty() ? tr("—") : c->assigneeName);
    m_version->setText(QString::number(c->version));

    m_timeline->clear();
    for (const CaseEvent &e : m_store->events(id)) {
        const QString details = Names::payloadSummary(e.payload);
        auto *item = new QTreeWidgetItem(
            {QString::number(e.seq), TimeFormat::dateTime(e.at), Names::eventLabel(e.kind), e.actor,
             Names::role(e.role) ? Names::label(*Names::role(e.role)) : e.role, e.device, details});
        item->setData(0, Qt::UserRole, e.id);
        m_timeline->addTopLevelItem(item);
    }
    for (int c2 = 0; c2 < m_timeline->columnCount() - 1; ++c2)
        m_timeline->resizeColumnToContents(c2);
    m_empty->hide();
    m_body->show();
}

} // namespace cityops
