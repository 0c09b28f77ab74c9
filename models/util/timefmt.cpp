#include "timefmt.h"

#include <QDateTime>
#include <QTimeZone>

namespace cityops {

namespace {
QDateTime shanghai(qint64 utcMs)
{
    // Asia/Shanghai has had a fixed +08:00 offset since 1991; a fixed offset needs no tzdata.
    return QDateTime::fromMSecsSinceEpoch(utcMs, QTimeZone(8 * 3600));
}
} // namespace

QString TimeFormat::dateTime(qint64 utcMs)
{
    return utcMs ? shanghai(utcMs).toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}

QString TimeFormat::iso(qint64 utcMs)
{
    return shanghai(utcMs).toString(Qt::ISODate);
}

QString TimeFormat::span(qint64 m)
{
    return m >= 1440 ? tr("%1d %2h").arg(m / 1440).arg((m % 1440) / 60)
                     : tr("%1h %2m").arg(m / 60).arg(m % 60, 2, 10, QLatin1Char('0'));
}

QString TimeFormat::countdown(qint64 deadlineMs, qint64 nowMs)
{
    const qint64 diffMin = (deadlineMs - nowMs) / 60000;
    return diffMin >= 0 ? tr("%1 left").arg(span(diffMin)) : tr("overdue %1").arg(span(-diffMin));
}

} // namespace cityops
