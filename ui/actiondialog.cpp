#include "actiondialog.h"

#include "consolecontext.h"
#include "domain/catalogue.h"
#include "storage/casestore.h"
#include "storage/evidencestore.h"
#include "util/timefmt.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cityops {

namespace {
bool needsReason(Action a)
{
    switch (a) {
    case Action::Reject:
    case Action::Return:
    case Action::VerifyFail:
    case Action::Reopen:
    case Action::ExtendRequest:
    case Action::ExtendReject:
    case Action::Shelve:
    case Action::EscalateRequest:
    case Action::EscalateReject:
    case Action::Deescalate:
        return true;
    default:
        return false;
    }
}

bool needsPhotos(Action a)
{
    return a == Action::Notice || a == Action::RecheckCorrected ||
           a == Action::RecheckUncorrected || a == Action::Feedback || a == Action::VerifyPass ||
           a == Action::VerifyFail;
}
} // namespace

QString ActionDialog::title(Action a)
{
    switch (a) {
    case Action::Report:
        return tr("Report");
    case Action::Register:
        return tr("Register (file)");
    case Action::Reject:
        return tr("Do not file");
    case Action::Dispatch:
        return tr("Dispatch");
    case Action::Accept:
        return tr("Accept");
    case Action::Return:
        return tr("Return to the centre");
    case Action::Feedback:
        return tr("Report handled");
    case Action::VerifyPass:
        return tr("Verification passed");
    case Action::VerifyFail:
        return tr("Verification failed");
    case Action::Close:
        return tr("Close");
    case Action::Reopen:
        return tr("Reopen");
    case Action::ExtendRequest:
        return tr("Request extension");
    case Action::ExtendApprove:
        return tr("Approve extension");
    case Action::ExtendReject:
        return tr("Reject extension");
    case Action::Shelve:
        return tr("Shelve");
    case Action::Resume:
        return tr("Resume");
    case Action::Notice:
        return tr("Issue notice");
    case Action::RecheckCorrected:
        return tr("Re-check: corrected");
    case Action::RecheckUncorrected:
        return tr("Re-check: not corrected");
    case Action::EscalateRequest:
        return tr("Request escalation");
    case Action::EscalateApprove:
        return tr("Approve escalation");
    case Action::EscalateReject:
        return tr("Reject escalation");
    case Action::Deescalate:
        return tr("Step down a stage");
    case Action::MarkDuplicate:
        return tr("Mark duplicate");
    }
    return {};
}

bool ActionDialog::needsInput(Action a)
{
    return needsReason(a) || needsPhotos(a) || a == Action::Register || a == Action::Dispatch ||
           a == Action::MarkDuplicate;
}

ActionDialog::ActionDialog(ConsoleContext &ctx, const CaseSnapshot &snapshot, Action action,
                           QWidget *parent)
    : QDialog(parent), m_ctx(ctx), m_snapshot(snapshot), m_action(action)
{
    setWindowTitle(tr("Case %1 · %2").arg(snapshot.id).arg(title(action)));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    const Category *cat = Catalogue::builtin().find(snapshot.category);

    if (action == Action::Register) {
        auto *cond = new QLabel(cat ? cat->filingCondition : QString());
        cond->setWordWrap(true);
        form->addRow(tr("Filing condition"), cond);
        m_confirm = new QCheckBox(tr("Checked on the report: the filing condition is met"));
        form->addRow(QString(), m_confirm);
    }
    if (action == Action::Dispatch) {
        m_to = new QComboBox;
        QStringList types;
        if (snapshot.stage == Stage::Persuasion)
            types = {QStringLiteral("grid_worker"), QStringLiteral("volunteer")};
        else if (snapshot.stage == Stage::Enforcement)
            types = {QStringLiteral("enforcement")};
        else if (cat)
            types = {cat->responsibleUnit};
        m_to->setObjectName(QStringLiteral("dispatchTo"));
        // The case's own community first, then its street, then the rest; each person with the
        // cases they hold now and how far their last position is from the case.
        for (const Assignee &a : ctx.cases().dispatchCandidates(snapshot.id, types)) {
            const QString where = a.locality == Assignee::Locality::Community ? tr("own community")
                                  : a.locality == Assignee::Locality::Street
                                      ? tr("same street, other community")
                                      : tr("other street");
            const QString distance = a.distanceM < 0 ? tr("position unknown")
                                     : a.distanceM < 1000
                                         ? tr("%1 m").arg(qRound(a.distanceM))
                                         : tr("%1 km").arg(a.distanceM / 1000, 0, 'f', 1);
            m_to->addItem(tr("%1  %2 · %3 · %n open case(s) · %4", nullptr, a.openCases)
                              .arg(a.code, a.name, where, distance),
                          a.code);
            m_to->setItemData(m_to->count() - 1, int(a.locality), Qt::UserRole + 1);
        }
        form->addRow(tr("Send to"), m_to);
        if (snapshot.stage == Stage::Persuasion) {
            // Another community of the street needs a recorded reason; another street is refused.
            m_reason = new QPlainTextEdit;
            m_reason->setObjectName(QStringLiteral("dispatchReason"));
            m_reason->setMaximumHeight(70);
            m_reason->setPlaceholderText(
                tr("Needed when the person is not from the case's own community"));
            form->addRow(tr("Reason"), m_reason);
            auto sync = [this] {
                const auto loc = Assignee::Locality(m_to->currentData(Qt::UserRole + 1).toInt());
                m_reason->setEnabled(loc != Assignee::Locality::Community);
            };
            connect(m_to, &QComboBox::currentIndexChanged, this, sync);
            sync();
        }
        if (snapshot.stage == Stage::Enforcement)
            form->addRow(QString(), new QLabel(tr("The whole evidence bundle of stages 1–2 (%1 "
                                                  "items) goes with the dispatch.")
                                                   .arg(snapshot.evidence.size())));
    }
    if (action == Action::MarkDuplicate) {
        m_duplicateOf = new QComboBox;
        m_duplicateOf->setEditable(true);
        for (const auto &d : ctx.store()->duplicateCandidates(snapshot.id))
            m_duplicateOf->addItem(tr("%1 — %2 m away, %3 apart")
                                       .arg(d.id)
                                       .arg(qRound(d.metres))
                                       .arg(TimeFormat::span(d.minutesApart)),
                                   d.id);
        m_duplicateOf->setToolTip(tr("Suggested: same subcategory within 50 m and 24 h. Type "
                                     "another case number if needed."));
        form->addRow(tr("Duplicate of case"), m_duplicateOf);
    }
    if (action == Action::EscalateRequest) {
        m_stage = new QComboBox;
        for (int s = std::max(2, int(snapshot.stage) + 1); s <= 3; ++s)
            m_stage->addItem(s > int(snapshot.stage) + 1
                                 ? tr("%1 (skips a stage)").arg(Names::stageLabel(s))
                                 : Names::stageLabel(s),
                             s);
        form->addRow(tr("Escalate to"), m_stage);
        m_caseEvidence = new QListWidget;
        m_caseEvidence->setIconSize(QSize(64, 48));
        for (const QString &sha : snapshot.evidence) {
            auto *item = new QListWidgetItem(QIcon(ctx.evidence().pathFor(sha)), sha.left(12));
            item->setData(Qt::UserRole, sha);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(Qt::Checked);
            m_caseEvidence->addItem(item);
        }
        form->addRow(tr("Supporting evidence"), m_caseEvidence);
    }
    if (needsPhotos(action)) {
        m_photos = new QListWidget;
        m_photos->setIconSize(QSize(64, 48));
        m_photos->setMaximumHeight(90);
        auto *add = new QPushButton(tr("Add photo…"));
        connect(add, &QPushButton::clicked, this, &ActionDialog::addPhotos);
        form->addRow(tr("Photos"), m_photos);
        form->addRow(QString(), add);
    }
    if (action == Action::ExtendRequest) {
        m_hours = new QSpinBox;
        m_hours->setRange(1, ctx.workflow().config().maxExtensionHours);
        m_hours->setValue(8);
        m_hours->setSuffix(tr(" working hours"));
        form->addRow(tr("Extra time"), m_hours);
    }
    if (action == Action::Feedback && snapshot.stage == Stage::Enforcement) {
        m_decision = new QLineEdit;
        m_decision->setPlaceholderText(tr("e.g. 沪城管罚字〔2026〕第00123号"));
        form->addRow(tr("Decision / penalty no."), m_decision);
    }
    if (needsReason(action) && !m_reason) {
        m_reason = new QPlainTextEdit;
        m_reason->setMaximumHeight(90);
        form->addRow(action == Action::Shelve ? tr("Written explanation") : tr("Reason"), m_reason);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(title(action));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(520, sizeHint().height());
}

void ActionDialog::addPhotos()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add photos"), QString(),
        tr("Images (*.jpg *.jpeg *.png *.bmp *.webp);;All files (*)"));
    for (const QString &f : files) {
        auto *item = new QListWidgetItem(QIcon(f), QFileInfo(f).fileName());
        item->setData(Qt::UserRole, f);
        m_photos->addItem(item);
    }
}

std::optional<Command> ActionDialog::command()
{
    Command c;
    c.action = m_action;
    if (m_reason)
        c.reason = m_reason->toPlainText();
    if (m_confirm)
        c.confirmFiling = m_confirm->isChecked();
    // The registry resolves the person's team, type and place (CaseService, the platform).
    if (m_to && m_to->currentIndex() >= 0)
        c.to = m_to->currentData().toString();
    if (m_hours)
        c.hours = m_hours->value();
    if (m_duplicateOf) {
        const int i = m_duplicateOf->findText(m_duplicateOf->currentText());
        c.duplicateOf =
            i >= 0 ? m_duplicateOf->itemData(i).toLongLong()
                   : m_duplicateOf->currentText().section(QLatin1Char(' '), 0, 0).toLongLong();
    }
    if (m_decision)
        c.decision = m_decision->text();
    if (m_stage) {
        c.toStage = m_stage->currentData().toInt();
        c.skip = c.toStage > int(m_snapshot.stage) + 1;
    }
    if (m_caseEvidence) {
        for (int i = 0; i < m_caseEvidence->count(); ++i) {
            if (m_caseEvidence->item(i)->checkState() == Qt::Checked)
                c.evidence << m_caseEvidence->item(i)->data(Qt::UserRole).toString();
        }
    }
    if (m_photos) {
        for (int i = 0; i < m_photos->count(); ++i) {
            auto sha =
                m_ctx.evidence().import(m_photos->item(i)->data(Qt::UserRole).toString(), true);
            if (!sha) {
                QMessageBox::warning(this, windowTitle(), sha.error());
                return std::nullopt;
            }
            c.evidence << *sha;
        }
    }
    return c;
}

} // namespace cityops
