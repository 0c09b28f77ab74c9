#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <optional>

namespace cityops {

/**
 * One row of `case_facts` (schema 6) computed while the demo generator writes a case's timeline:
 * the bulk load runs without the `case_events_facts` trigger, whose rules these are (tst_kpis
 * checks that the trigger, this class and the migration's backfill agree).
 */
class DemoFacts
{
public:
    static const char *insertSql();

    /** Applies one event, as the trigger does. */
    void add(const QByteArray &kind, qint64 at, const QByteArray &payload);

    int reworks = 0;
    int extensions = 0;
    int shelves = 0;
    int reopens = 0;
    int maxStage = 0;
    int skips = 0;
    std::optional<qint64> reqStage;
    std::optional<qint64> reqSkip;
    bool late = false;
    std::optional<qint64> due;
};

} // namespace cityops
