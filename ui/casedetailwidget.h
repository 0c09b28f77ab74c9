#pragma once

#include "domain/caserecord.h"

#include <QWidget>

#include <memory>

class QFormLayout;
class QLabel;
class QTreeWidget;

namespace cityops {

class CaseStore;

/** Case detail panel: every field of one case plus its timeline (case_events). */
class CaseDetailWidget : public QWidget
{
    Q_OBJECT
public:
    explicit CaseDetailWidget(std::shared_ptr<CaseStore> store, QWidget *parent = nullptr);

    CaseId caseId() const { return m_id; }
    QTreeWidget *timeline() const { return m_timeline; }

public slots:
    void showCase(cityops::CaseId id);
    void clear();

private:
    QLabel *addField(const QString &label);

    std::shared_ptr<CaseStore> m_store;
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
