#pragma once

#include <QCoreApplication>
#include <QString>

namespace cityops {

/** Formatting of UTC epoch milliseconds for operators: always Asia/Shanghai, whatever the TZ. */
struct TimeFormat
{
    Q_DECLARE_TR_FUNCTIONS(TimeFormat)
public:
    /** "2026-11-27 18:05"; empty for 0. */
    static QString dateTime(qint64 utcMs);
    /** "2026-11-27T18:05:00+08:00" (ISO 8601 with offset). */
    static QString iso(qint64 utcMs);
    /** A span of minutes, e.g. "2h 05m" or "1d 3h". */
    static QString span(qint64 minutes);
    /** Signed remaining time, e.g. "2h 05m left" or "overdue 1d 3h". */
    static QString countdown(qint64 deadlineMs, qint64 nowMs);
};

} // namespace cityops
