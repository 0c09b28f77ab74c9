#pragma once

#include "sync/messages.h"

#include <QString>

#include <QByteArray>

namespace cityops {

/**
 * One row of `case_facts` (schema 6) computed while the demo generator writes a case's timeline:
 * the bulk load runs without the `case_events_facts` trigger, whose rules these are (tst_kpis
 * checks that the trigger, this class and the migration's backfill agree); the fields are the
 * snapshot's sync::CaseFacts.
 */
class DemoFacts : public sync::CaseFacts
{
public:
    static const char *insertSql();

    /** Applies one event, as the trigger does. */
    void add(const QString &kind, qint64 at, const QByteArray &payload);
};

} // namespace cityops
