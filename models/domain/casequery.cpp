#include "casequery.h"

namespace cityops {

QString QueueNames::label(Queue q)
{
    switch (q) {
    case Queue::All:
        return tr("All");
    case Queue::Intake:
        return tr("Intake");
    case Queue::Dispatch:
        return tr("To dispatch");
    case Queue::InProgress:
        return tr("In progress");
    case Queue::Verify:
        return tr("To verify");
    case Queue::Approval:
        return tr("Awaiting approval");
    case Queue::Overdue:
        return tr("Overdue");
    case Queue::Shelved:
        return tr("Shelved");
    case Queue::Closed:
        return tr("Closed");
    case Queue::Mine:
        return tr("My cases");
    }
    return {};
}

QString QueueNames::key(Queue q)
{
    switch (q) {
    case Queue::All:
        return QStringLiteral("all");
    case Queue::Intake:
        return QStringLiteral("intake");
    case Queue::Dispatch:
        return QStringLiteral("dispatch");
    case Queue::InProgress:
        return QStringLiteral("in_progress");
    case Queue::Verify:
        return QStringLiteral("verify");
    case Queue::Approval:
        return QStringLiteral("approval");
    case Queue::Overdue:
        return QStringLiteral("overdue");
    case Queue::Shelved:
        return QStringLiteral("shelved");
    case Queue::Closed:
        return QStringLiteral("closed");
    case Queue::Mine:
        return QStringLiteral("mine");
    }
    return {};
}

std::optional<Queue> QueueNames::fromKey(const QString &key)
{
    for (Queue q : kAllQueues) {
        if (QueueNames::key(q) == key)
            return q;
    }
    return std::nullopt;
}

} // namespace cityops
