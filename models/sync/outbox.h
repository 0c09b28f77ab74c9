#pragma once

#include "domain/types.h"
#include "sync/messages.h"

#include <QString>

namespace cityops {

/** One command of the outbox. */
struct OutboxEntry
{
    qint64 seq = 0; ///< local order
    QString commandId;
    CaseId caseId = 0; ///< negative: a case filed offline, not yet numbered by the platform
    QString action;
    QString username;
    sync::ClientCommand command;
    qint64 createdAt = 0;
    QString state; ///< pending, applied (change not pulled yet) or rejected
    QString reason;
    QString code;
    int attempts = 0;
    QString lastError;
    QString localReason; ///< the local engine refused to replay it on newer platform state
};

} // namespace cityops
