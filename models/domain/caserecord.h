#pragma once

#include "types.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace cityops {

/**
 * One row of a work queue (the case list): what a queue shows, with display names resolved. Not
 * the stored case row, which is sync::CaseRow (the `cases` table as the protocol carries it, in
 * sync/messages.h).
 */
struct QueueRow
{
    CaseId id = 0;
    QString categoryCode;
    QString categoryName;
    QString streetName;
    QString gridCode;
    QString address;
    QString state;
    int stage = 0;
    int priority = 3;
    qint64 deadlineAt = 0; ///< 0 when no deadline runs (closed, shelved, not filed)
    QString unitName;
    QString assigneeName;
    qint64 reportedAt = 0;
    QString source;
    QString pending;
    double lon = 0;
    double lat = 0;
};

/** Everything the store knows about one case, for the detail panel and `case show`. */
struct CaseRecord
{
    CaseId id = 0;
    QString categoryCode;
    QString categoryName;
    QString state;
    int stage = 0;
    int priority = 3;
    QString source;
    QString streetName;
    QString communityName;
    QString gridCode;
    QString address;
    QString description;
    QString party;
    double lon = 0;
    double lat = 0;
    qint64 reportedAt = 0;
    qint64 deadlineAt = 0;
    qint64 closedAt = 0;
    QString unitName;
    QString assigneeName;
    int version = 0;
    qint64 updatedAt = 0;
};

/**
 * One event of a case's timeline: the `case_events` row as stored, as the sync protocol carries
 * it (field names are the column names on the wire; `id` is the local row id and is not sent) and
 * as the audit hash chain covers it (eventHash() in eventchain.h). The one event type of the
 * stores, the protocol, the audit and the demo generator; the workflow's proposal of an event
 * before storage numbers and chains it is Workflow's NewEvent.
 */
struct CaseEvent
{
    qint64 id = 0;
    CaseId caseId = 0;
    int seq = 0;
    QString kind;
    QString actor;
    QString role;
    qint64 at = 0;
    QString device;
    QByteArray payload;  ///< compact JSON, byte for byte as hashed (a string on the wire)
    QByteArray prevHash; ///< raw 32 bytes (hex on the wire); all zero for a case's first event

    bool operator==(const CaseEvent &) const = default;
};

/** A request that waits for a supervisor's decision (escalation or extension). */
struct PendingRequest
{
    CaseId caseId = 0;
    QString categoryName;
    QString kind; ///< "escalation" or "extension"
    int fromStage = 0;
    int toStage = 0;
    bool skip = false;
    QString requester;
    qint64 at = 0;
    QString reason;
    QString address;
};

} // namespace cityops
