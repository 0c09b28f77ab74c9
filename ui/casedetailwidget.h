#pragma once

#include "domain/caserecord.h"
#include "workflow/workflow.h"

#include <QHash>

#include <QWidget>

#include <memory>

class QFormLayout;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace cityops {

class CaseStore;
class ConsoleContext;

/**
 * Case detail panel: every field of one case, the escalation ladder as stage chips with their
 * deadlines, the timeline (case_events) with evidence thumbnails, and a button for each command
 * of the signed-in user's role: enabled when the workflow allows it now, otherwise disabled with
 * the reason as its tooltip.
 */
class CaseDetailWidget : public QWidget
{
    Q_OBJECT
public:
    explicit CaseDetailWidget(ConsoleContext &ctx, QWidget *parent = nullptr);

    CaseId caseId() const { return m_id; }
    QTreeWidget *timeline() const { return m_timeline; }
    /** The button of an action, or nullptr when the user's role never performs it. */
    QPushButton *actionButton(Action a) const;
    /** The stage chips (1–3), for tests and screenshots. */
    QList<QLabel *> stageChips() const { return m_chips; }

public slots:
    void showCase(cityops::CaseId id);
    void clear();
    /** Runs an action on the shown case, asking for what it needs first. */
    void runAction(cityops::Action a);

private:
    QLabel *addField(const QString &label);
    void showEvidence(QTreeWidgetItem *item);
    void updateLadder(const CaseSnapshot &s);

    ConsoleContext &m_ctx;
    std::shared_ptr<CaseStore> m_store;
    CaseSnapshot m_snapshot;
    QWidget *m_ladderRow = nullptr;
    QList<QLabel *> m_chips;
    QWidget *m_actionsRow = nullptr;
    QHash<int, QPushButton *> m_buttons;
    QToolButton *m_notNow = nullptr;
    QLabel *m_duplicates = nullptr;
    CaseId m_id = 0;
    QLabel *m_title = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_empty = nullptr;
    QWidget *m_body = nullptr;
    QFormLayout *m_form = nullptr;
    QLabel *m_category = nullptr, *m_stage = nullptr, *m_priority = nullptr, *m_source = nullptr,
           *m_place = nullptr, *m_grid = nullptr, *m_address = nullptr, *m_description = nullptr,
           *m_party = nullptr, *m_position = nullptr, *m_reported = nullptr, *m_deadline = nullptr,
           *m_closed = nullptr, *m_unit = nullptr, *m_assignee = nullptr, *m_version = nullptr;
    QTreeWidget *m_timeline = nullptr;
};

} // namespace cityops
