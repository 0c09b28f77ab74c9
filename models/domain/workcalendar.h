#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QList>
#include <QSet>
#include <QtGlobal>

#include <vector>

namespace cityops {

/**
 * Working-time calendar in Asia/Shanghai (UTC+8 all year, no daylight saving): working periods
 * of a day, weekends, public holidays and make-up workdays (调休). Times are UTC epoch
 * milliseconds; the calendar is a pure value and safe to share between threads once built.
 */
class WorkCalendar
{
    Q_DECLARE_TR_FUNCTIONS(WorkCalendar)
public:
    static constexpr qint64 kShanghaiOffsetMs = 8 * 3600 * 1000LL;
    static constexpr qint64 kDayMs = 86400 * 1000LL;

    struct Period
    {
        int startMinute; ///< minutes after local midnight
        int endMinute;
    };

    static Result<WorkCalendar> fromJson(const QByteArray &json);
    /** The calendar shipped in the resources (":/calendar/cn-workdays.json"). */
    static const WorkCalendar &builtin();

    /** Local day number (days since 1970-01-01 in Shanghai) of an instant. */
    static qint64 localDay(qint64 utcMs);
    /** ISO weekday (1 = Monday .. 7 = Sunday) of a local day number. */
    static int weekday(qint64 localDay);

    bool isWorkingDay(qint64 localDay) const;
    int workingMinutesPerDay() const;
    /** The instant that lies `minutes` working minutes after `startMs`. */
    qint64 addWorkingMinutes(qint64 startMs, qint64 minutes) const;
    /** Working minutes in [fromMs, toMs); negative when toMs < fromMs. */
    qint64 workingMinutesBetween(qint64 fromMs, qint64 toMs) const;
    const QList<Period> &periods() const { return m_periods; }

private:
    void buildDayTable();

    QList<Period> m_periods;
    /** Working-day flags for the years the data covers (O(1) lookups on hot paths). */
    std::vector<bool> m_dayTable;
    qint64 m_tableFirstDay = 0;
    QSet<int> m_weekendDays;
    QSet<qint64> m_holidays;
    QSet<qint64> m_workdays;
};

} // namespace cityops
