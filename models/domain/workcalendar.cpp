#include "workcalendar.h"

#include <QDate>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTime>

#include <algorithm>

namespace cityops {

namespace {
qint64 floorDiv(qint64 a, qint64 b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

std::optional<qint64> parseDay(const QJsonValue &v)
{
    const QDate d = QDate::fromString(v.toString(), Qt::ISODate);
    if (!d.isValid())
        return std::nullopt;
    return d.toJulianDay() - QDate(1970, 1, 1).toJulianDay();
}
} // namespace

qint64 WorkCalendar::localDay(qint64 utcMs)
{
    return floorDiv(utcMs + kShanghaiOffsetMs, kDayMs);
}

int WorkCalendar::weekday(qint64 localDay)
{
    // 1970-01-01 was a Thursday (ISO weekday 4).
    return static_cast<int>(((localDay % 7) + 7 + 3) % 7) + 1;
}

Result<WorkCalendar> WorkCalendar::fromJson(const QByteArray &json)
{
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error{tr("calendar is not a valid JSON object: %1").arg(pe.errorString())};
    const QJsonObject root = doc.object();
    WorkCalendar cal;
    for (const QJsonValue &p : root.value(QLatin1String("work_periods")).toArray()) {
        const QJsonArray a = p.toArray();
        const QTime s = QTime::fromString(a.at(0).toString(), QStringLiteral("HH:mm"));
        const QTime e = QTime::fromString(a.at(1).toString(), QStringLiteral("HH:mm"));
        if (!s.isValid() || !e.isValid() || e <= s)
            return Error{
                tr("calendar: bad working period %1")
                    .arg(QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact)))};
        cal.m_periods.append({s.msecsSinceStartOfDay() / 60000, e.msecsSinceStartOfDay() / 60000});
    }
    if (cal.m_periods.isEmpty())
        return Error{tr("calendar: no working periods")};
    std::sort(cal.m_periods.begin(), cal.m_periods.end(),
              [](const Period &a, const Period &b) { return a.startMinute < b.startMinute; });
    for (qsizetype i = 1; i < cal.m_periods.size(); ++i) {
        if (cal.m_periods[i].startMinute < cal.m_periods[i - 1].endMinute)
            return Error{tr("calendar: working periods overlap")};
    }
    for (const QJsonValue &w : root.value(QLatin1String("weekend")).toArray()) {
        const int d = w.toInt(0);
        if (d < 1 || d > 7)
            return Error{tr("calendar: weekend days are ISO weekdays 1..7")};
        cal.m_weekendDays.insert(d);
    }
    for (const QJsonValue &h : root.value(QLatin1String("holidays")).toArray()) {
        const auto day = parseDay(h);
        if (!day)
            return Error{tr("calendar: bad holiday date \"%1\"").arg(h.toString())};
        cal.m_holidays.insert(*day);
    }
    for (const QJsonValue &h : root.value(QLatin1String("workdays")).toArray()) {
        const auto day = parseDay(h);
        if (!day)
            return Error{tr("calendar: bad make-up workday \"%1\"").arg(h.toString())};
        if (cal.m_holidays.contains(*day))
            return Error{tr("calendar: %1 is both a holiday and a workday").arg(h.toString())};
        cal.m_workdays.insert(*day);
    }
    cal.buildDayTable();
    return cal;
}

const WorkCalendar &WorkCalendar::builtin()
{
    static const WorkCalendar cal = [] {
        QFile f(QStringLiteral(":/calendar/cn-workdays.json"));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("built-in calendar missing");
        auto r = fromJson(f.readAll());
        if (!r)
            qFatal("built-in calendar is invalid: %s", qPrintable(r.error()));
        return std::move(r).value();
    }();
    return cal;
}

void WorkCalendar::buildDayTable()
{
    // From 2000 to 2100: far beyond the holiday data either way, where only weekends apply.
    m_tableFirstDay = QDate(2000, 1, 1).toJulianDay() - QDate(1970, 1, 1).toJulianDay();
    const qint64 last = QDate(2100, 1, 1).toJulianDay() - QDate(1970, 1, 1).toJulianDay();
    m_dayTable.assign(std::size_t(last - m_tableFirstDay), false);
    for (qint64 d = m_tableFirstDay; d < last; ++d) {
        const bool working = m_workdays.contains(d) ||
                             (!m_holidays.contains(d) && !m_weekendDays.contains(weekday(d)));
        m_dayTable[std::size_t(d - m_tableFirstDay)] = working;
    }
}

bool WorkCalendar::isWorkingDay(qint64 day) const
{
    const qint64 i = day - m_tableFirstDay;
    if (i >= 0 && i < qint64(m_dayTable.size()))
        return m_dayTable[std::size_t(i)];
    if (m_workdays.contains(day))
        return true;
    if (m_holidays.contains(day))
        return false;
    return !m_weekendDays.contains(weekday(day));
}

int WorkCalendar::workingMinutesPerDay() const
{
    int sum = 0;
    for (const Period &p : m_periods)
        sum += p.endMinute - p.startMinute;
    return sum;
}

qint64 WorkCalendar::addWorkingMinutes(qint64 startMs, qint64 minutes) const
{
    qint64 day = localDay(startMs);
    qint64 msInDay = startMs + kShanghaiOffsetMs - day * kDayMs;
    qint64 remainingMs = minutes * 60000;
    // A calendar with no working day at all would loop forever; ten years is a hard stop.
    for (int guard = 0; guard < 3660; ++guard, ++day, msInDay = 0) {
        if (!isWorkingDay(day))
            continue;
        for (const Period &p : m_periods) {
            const qint64 ps = p.startMinute * 60000LL;
            const qint64 pe = p.endMinute * 60000LL;
            const qint64 from = std::max(ps, msInDay);
            if (from >= pe)
                continue;
            if (remainingMs <= pe - from)
                return day * kDayMs + from + remainingMs - kShanghaiOffsetMs;
            remainingMs -= pe - from;
        }
    }
    return startMs + minutes * 60000;
}

qint64 WorkCalendar::workingMinutesBetween(qint64 fromMs, qint64 toMs) const
{
    if (toMs < fromMs)
        return -workingMinutesBetween(toMs, fromMs);
    qint64 total = 0;
    const qint64 lastDay = localDay(toMs);
    for (qint64 day = localDay(fromMs); day <= lastDay; ++day) {
        if (!isWorkingDay(day))
            continue;
        const qint64 base = day * kDayMs - kShanghaiOffsetMs;
        for (const Period &p : m_periods) {
            const qint64 s = std::max(base + p.startMinute * 60000LL, fromMs);
            const qint64 e = std::min(base + p.endMinute * 60000LL, toMs);
            if (e > s)
                total += e - s;
        }
    }
    return total / 60000;
}

} // namespace cityops
