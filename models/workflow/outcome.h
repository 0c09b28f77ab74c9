#pragma once

#include "workflow/workflow.h"

#include <QList>
#include <QString>

namespace cityops {

/** The result of running a command against the store. */
struct Outcome
{
    enum Kind
    {
        Applied,
        Rejected,
        Failed
    } kind = Failed;
    CaseSnapshot snapshot;
    Rejection rejection;
    QString error;
    QList<NewEvent> events;
    bool ok() const { return kind == Applied; }
    QString message() const { return kind == Rejected ? rejection.reason : error; }
};

} // namespace cityops
