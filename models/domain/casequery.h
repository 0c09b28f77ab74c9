#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <array>
#include <optional>

namespace cityops {

/** The operator's work queues (tabs). */
enum class Queue
{
    All,
    Intake,
    Dispatch,
    InProgress,
    Verify,
    Approval,
    Overdue,
    Shelved,
    Closed,
    Mine
};
inline constexpr std::array kAllQueues{
    Queue::Intake,  Queue::Dispatch, Queue::InProgress, Queue::Verify, Queue::Approval,
    Queue::Overdue, Queue::Shelved,  Queue::Closed,     Queue::Mine,   Queue::All};

/** Sortable columns of the case list. */
enum class CaseSort
{
    Id,
    Category,
    Place,
    Address,
    State,
    Stage,
    Priority,
    Deadline,
    Assignee,
    Age,
    Source
};

/** A queue plus filters and a text search: what the case list shows. */
struct CaseQuery
{
    Queue queue = Queue::All;
    qint64 streetId = 0;
    QString category; ///< a subcategory code, or a major code (prefix) such as "E04"
    QString gridCode;
    QString unitCode; ///< responsible unit (team) or assignee person code
    int stage = -1;   ///< -1: any
    QString source;
    int priority = 0;  ///< 0: any
    qint64 from = 0;   ///< reported at or after (UTC ms); 0: open
    qint64 to = 0;     ///< reported before; 0: open
    QString text;      ///< full-text search in description, address and party
    QString me;        ///< the signed-in user's person code or user name, for Queue::Mine
    qint64 now = 0;    ///< for Queue::Overdue
    QList<qint64> ids; ///< only these cases (a selection made on the map); empty: any

    bool operator==(const CaseQuery &) const = default;
};

struct QueueNames
{
    Q_DECLARE_TR_FUNCTIONS(QueueNames)
public:
    static QString label(Queue q);
    static QString key(Queue q);
    static std::optional<Queue> fromKey(const QString &key);
};

} // namespace cityops
