#include "demofacts.h"

#include <cstring>

namespace cityops {

namespace {

/** The integer (or true/false as 1/0) of a top-level key of the generator's compact JSON. */
std::optional<qint64> number(const QByteArray &json, const char *key)
{
    const QByteArray needle = QByteArray("\"") + key + "\":";
    const qsizetype i = json.indexOf(needle);
    if (i < 0)
        return std::nullopt;
    const char *p = json.constData() + i + needle.size();
    if (std::strncmp(p, "true", 4) == 0)
        return 1;
    if (std::strncmp(p, "false", 5) == 0)
        return 0;
    bool neg = *p == '-';
    if (neg)
        ++p;
    if (*p < '0' || *p > '9')
        return std::nullopt;
    qint64 v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (*p++ - '0');
    return neg ? -v : v;
}

} // namespace

const char *DemoFacts::insertSql()
{
    return "INSERT INTO case_facts (case_id, reworks, extensions, shelves, reopens, max_stage, "
           "skips, req_stage, req_skip, late, due) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
}

void DemoFacts::add(const QString &kind, qint64 at, const QByteArray &payload)
{
    // Every rule reads the values from before this event, as the trigger's SET does.
    const std::optional<qint64> eventDue = number(payload, "due");
    if ((kind == QLatin1String("feedback") || kind == QLatin1String("recheck-corrected")) && due &&
        at > *due)
        late = true;
    if (kind == QLatin1String("verify-fail"))
        ++reworks;
    else if (kind == QLatin1String("extend-approve"))
        ++extensions;
    else if (kind == QLatin1String("shelve"))
        ++shelves;
    else if (kind == QLatin1String("reopen"))
        ++reopens;
    else if (kind == QLatin1String("notice"))
        maxStage = std::max(maxStage, 1);
    else if (kind == QLatin1String("report"))
        maxStage = std::max<int>(maxStage, int(number(payload, "entry_stage").value_or(0)));
    else if (kind == QLatin1String("escalate-approve")) {
        maxStage = std::max<int>(maxStage,
                                 int(number(payload, "to_stage").value_or(reqStage.value_or(0))));
        if (number(payload, "skip").value_or(reqSkip.value_or(0)) != 0)
            ++skips;
    } else if (kind == QLatin1String("escalate-request")) {
        reqStage = number(payload, "to_stage");
        reqSkip = number(payload, "skip").value_or(0);
    }
    if (kind == QLatin1String("shelve") || kind == QLatin1String("close") ||
        kind == QLatin1String("reject"))
        due.reset();
    else if (eventDue)
        due = eventDue;
}

} // namespace cityops
