#pragma once

#include "workflow/workflow.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;

namespace cityops {

class ConsoleContext;

/**
 * Collects what a workflow action needs (reason, person, photos, hours, decision, target stage
 * and the evidence that supports an escalation) and builds the Command. The engine still has the
 * last word: the dialog only asks for what the action takes.
 */
class ActionDialog : public QDialog
{
    Q_OBJECT
public:
    ActionDialog(ConsoleContext &ctx, const CaseSnapshot &snapshot, Action action,
                 QWidget *parent = nullptr);

    /** The command, with new photos imported into the evidence store; empty on failure. */
    std::optional<Command> command();
    static QString title(Action a);
    /** Whether an action needs more input than a confirmation. */
    static bool needsInput(Action a);

private:
    void addPhotos();

    ConsoleContext &m_ctx;
    CaseSnapshot m_snapshot;
    Action m_action;
    QPlainTextEdit *m_reason = nullptr;
    QCheckBox *m_confirm = nullptr;
    QComboBox *m_to = nullptr;
    QListWidget *m_photos = nullptr;
    QListWidget *m_caseEvidence = nullptr;
    QSpinBox *m_hours = nullptr;
    QLineEdit *m_decision = nullptr;
    QComboBox *m_stage = nullptr;
    QComboBox *m_duplicateOf = nullptr;
};

} // namespace cityops
