#include "casedetailwidget.h"

#include "actiondialog.h"
#include "consolecontext.h"
#include "domain/catalogue.h"
#include "storage/casestore.h"
#include "storage/evidencestore.h"
#include "util/timefmt.h"

#include <QDateTime>
#include <QDialog>
#include <QFormLayout>
#include <QHeaderView>
#include <QIcon>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cityops {

CaseDetailWidget::CaseDetailWidget(ConsoleContext &ctx, QWidget *parent)
    : QWidget(parent), m_ctx(ctx), m_store(ctx.store())
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

    m_ladderRow = new QWidget(m_body);
    auto *ladder = new QHBoxLayout(m_ladderRow);
    ladder->setContentsMargins(0, 2, 0, 2);
    for (int stage = 1; stage <= 3; ++stage) {
        auto *chip = new QLabel(m_ladderRow);
        chip->setObjectName(QStringLiteral("stageChip"));
        chip->setAlignment(Qt::AlignCenter);
        chip->setTextFormat(Qt::PlainText);
        ladder->addWidget(chip, 1);
        m_chips << chip;
    }
    body->addWidget(m_ladderRow);

    m_actionsRow = new QWidget(m_body);
    auto *actions = new QHBoxLayout(m_actionsRow);
    actions->setContentsMargins(0, 2, 0, 2);
    for (Action a : kAllActions) {
        if (a == Action::Report || !ctx.signedIn() ||
            !Workflow::rolesFor(a).contains(ctx.actor().role))
            continue;
        auto *b = new QPushButton(ActionDialog::title(a), m_actionsRow);
        b->setObjectName(QStringLiteral("action-") + actionKey(a));
        connect(b, &QPushButton::clicked, this, [this, a] { runAction(a); });
        actions->addWidget(b);
        m_buttons.insert(int(a), b);
    }
    actions->addStretch(1);
    m_notNow = new QToolButton(m_actionsRow);
    m_notNow->setText(tr("Not now"));
    m_notNow->setToolTip(tr("Actions of your role that the case does not allow now, and why"));
    m_notNow->setPopupMode(QToolButton::InstantPopup);
    m_notNow->setMenu(new QMenu(m_notNow));
    actions->addWidget(m_notNow);
    body->addWidget(m_actionsRow);
    m_duplicates = new QLabel(m_body);
    m_duplicates->setObjectName(QStringLiteral("duplicateHint"));
    m_duplicates->setWordWrap(true);
    body->addWidget(m_duplicates);

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
    m_timeline->setIconSize(QSize(48, 36));
    m_timeline->setToolTip(tr("Double-click a row with a photo to see it full size."));
    connect(m_timeline, &QTreeWidget::itemDoubleClicked, this,
            [this](QTreeWidgetItem *item) { showEvidence(item); });
    split->addWidget(m_timeline);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
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

    if (auto snap = m_ctx.cases().snapshot(id))
        m_snapshot = *snap;
    updateLadder(m_snapshot);
    QStringList dups;
    if (m_snapshot.state == CaseState::Reported || m_snapshot.state == CaseState::Registered) {
        for (const auto &d : m_store->duplicateCandidates(id))
            dups << tr("%1 (%2 m, %3 apart)")
                        .arg(d.id)
                        .arg(qRound(d.metres))
                        .arg(TimeFormat::span(d.minutesApart));
    }
    m_duplicates->setVisible(!dups.isEmpty());
    m_duplicates->setText(tr("Possible duplicates: %1 — Mark duplicate (M) merges this report "
                             "into one of them.")
                              .arg(dups.join(QStringLiteral(", "))));
    m_timeline->clear();
    for (const CaseEvent &e : m_store->events(id)) {
        const QString details = Names::payloadSummary(e.payload);
        QStringList photos;
        for (const QJsonValue &v :
             QJsonDocument::fromJson(e.payload).object().value(QLatin1String("evidence")).toArray())
            photos << v.toString();
        auto *item = new QTreeWidgetItem(
            {QString::number(e.seq), TimeFormat::dateTime(e.at), Names::eventLabel(e.kind), e.actor,
             Names::role(e.role) ? Names::label(*Names::role(e.role)) : e.role, e.device, details});
        item->setData(0, Qt::UserRole, e.id);
        item->setData(6, Qt::UserRole, photos);
        if (!photos.isEmpty()) {
            const QString path = m_ctx.evidence().pathFor(photos.first());
            if (!path.isEmpty())
                item->setIcon(6, QIcon(QPixmap(path).scaled(96, 72, Qt::KeepAspectRatio)));
        }
        m_timeline->addTopLevelItem(item);
    }
    for (int c2 = 0; c2 < m_timeline->columnCount() - 1; ++c2)
        m_timeline->resizeColumnToContents(c2);
    m_empty->hide();
    m_body->show();
}

QPushButton *CaseDetailWidget::actionButton(Action a) const
{
    return m_buttons.value(int(a));
}

void CaseDetailWidget::updateLadder(const CaseSnapshot &s)
{
    m_ladderRow->setVisible(s.ladder);
    for (int stage = 1; stage <= 3; ++stage) {
        QLabel *chip = m_chips.at(stage - 1);
        const StageRecord *rec = nullptr;
        for (const StageRecord &r : s.stages) {
            if (r.stage == stage)
                rec = &r;
        }
        QString state = QStringLiteral("future");
        QString text = Names::stageLabel(stage);
        if (stage == int(s.stage) && s.isOpen()) {
            state = QStringLiteral("current");
            if (s.deadlineAt)
                text += QLatin1Char('\n') + tr("due %1").arg(TimeFormat::dateTime(s.deadlineAt));
        } else if (rec) {
            state = QStringLiteral("done");
            text += QLatin1Char('\n') + TimeFormat::dateTime(rec->enteredAt);
        } else if (stage < int(s.stage)) {
            state = QStringLiteral("skipped");
            text += QLatin1Char('\n') + tr("skipped");
        }
        QString tip;
        if (rec) {
            tip = tr("Entered %1").arg(TimeFormat::dateTime(rec->enteredAt));
            if (!rec->approver.isEmpty())
                tip += QLatin1Char('\n') +
                       tr("Requested by %1, approved by %2").arg(rec->requester, rec->approver);
            if (rec->skip)
                tip += QLatin1Char('\n') + tr("Approved as a stage skip");
            if (!rec->outcome.isEmpty())
                tip += QLatin1Char('\n') + tr("Outcome: %1").arg(rec->outcome);
        }
        if (s.escalation && stage == s.escalation->toStage) {
            state = QStringLiteral("pending");
            text += QLatin1Char('\n') + tr("awaiting approval");
        }
        chip->setText(text);
        chip->setToolTip(tip);
        chip->setProperty("chipState", state);
        chip->style()->unpolish(chip);
        chip->style()->polish(chip);
    }
    // What the user can do now is a button; what they cannot is listed, with the reason, under
    // "Not now", so the row stays short on a 12-hour shift.
    m_notNow->menu()->clear();
    for (Action a : kAllActions) {
        QPushButton *b = m_buttons.value(int(a));
        if (!b)
            continue;
        const auto why = m_ctx.workflow().precheck(s, a, m_ctx.actor());
        b->setEnabled(!why);
        b->setToolTip(why ? why->reason : QString());
        b->setVisible(!why);
        if (why && why->code != QLatin1String("ladder")) {
            QAction *item =
                m_notNow->menu()->addAction(tr("%1 — %2").arg(ActionDialog::title(a), why->reason));
            item->setEnabled(false);
        }
    }
    m_notNow->setVisible(!m_notNow->menu()->isEmpty());
}

void CaseDetailWidget::runAction(Action a)
{
    if (!m_id)
        return;
    Command cmd;
    cmd.action = a;
    if (ActionDialog::needsInput(a)) {
        ActionDialog dlg(m_ctx, m_snapshot, a, this);
        if (dlg.exec() != QDialog::Accepted)
            return;
        const auto c = dlg.command();
        if (!c)
            return;
        cmd = *c;
    }
    const Outcome o = m_ctx.cases().run(m_id, cmd);
    if (!o.ok())
        QMessageBox::warning(this, ActionDialog::title(a), o.message());
    else
        showCase(m_id);
}

void CaseDetailWidget::showEvidence(QTreeWidgetItem *item)
{
    const QStringList photos = item->data(6, Qt::UserRole).toStringList();
    if (photos.isEmpty())
        return;
    QDialog viewer(this);
    viewer.setWindowTitle(tr("Evidence"));
    auto *layout = new QVBoxLayout(&viewer);
    auto *scroll = new QScrollArea;
    auto *pics = new QWidget;
    auto *col = new QVBoxLayout(pics);
    for (const QString &sha : photos) {
        auto *label = new QLabel;
        const QString path = m_ctx.evidence().pathFor(sha);
        label->setPixmap(QPixmap(path));
        col->addWidget(label);
        auto *cap = new QLabel(tr("SHA-256 %1").arg(sha));
        cap->setTextInteractionFlags(Qt::TextSelectableByMouse);
        col->addWidget(cap);
    }
    scroll->setWidget(pics);
    layout->addWidget(scroll);
    viewer.resize(900, 700);
    viewer.exec();
}

} // namespace cityops
