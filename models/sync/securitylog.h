#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace cityops::sync {

/** One line of the platform's security log (GET /api/v1/security-log). */
struct SecurityLogEntry
{
    qint64 id = 0;
    qint64 at = 0; ///< UTC ms
    QString kind;  ///< dotted, e.g. "signin.failed", "command.refused"
    QString user;  ///< the account concerned (empty when unknown)
    QString address;
    QString detail;
    int count = 1; ///< identical lines coalesced into this one (1: just this one)
    QByteArray prevHash;
    QByteArray hash;
};

/** The filters of the security log; the same as the route's query parameters. */
struct SecurityLogQuery
{
    std::optional<qint64> from; ///< at >= from (UTC ms)
    std::optional<qint64> to;   ///< at <= to (UTC ms)
    QString user;               ///< exact
    QString address;            ///< exact
    QString kind;               ///< prefix ("signin" matches "signin.failed")
    int limit = 200;
    qint64 before = 0; ///< paging, newest first: ids below this one (0: from the newest)
    /** Paging by id, oldest first: ids above this one (absent: newest first). */
    std::optional<qint64> after;

    static constexpr int kMaxLimit = 5000;

    QUrlQuery toUrlQuery() const;
    /** From query parameters; from/to as UTC ms or ISO 8601 (with offset or Z). */
    static Result<SecurityLogQuery> fromUrlQuery(const QUrlQuery &q);
    /** ISO 8601 (with an offset or Z; a bare date-time is UTC) or UTC ms. */
    static std::optional<qint64> parseTime(const QString &s);
};

/** Whether the log's hash chain verifies from its anchor to its newest line. */
struct SecurityLogVerification
{
    bool ok = true;
    qint64 lines = 0;    ///< lines checked
    qint64 anchorId = 0; ///< last purged line (0: nothing purged)
    qint64 firstBad = 0; ///< the first line that does not verify (0: none)
    QString message;
};

/** A page of the log: newest first, or by id when the query gave `after`. */
struct SecurityLogPage
{
    QList<SecurityLogEntry> entries;
    /** Pass as `before` (or `after` when paging by id) for the next page; 0: this is the last. */
    qint64 next = 0;
    SecurityLogVerification chain;
};

QByteArray encodeSecurityLog(const SecurityLogPage &page);
Result<SecurityLogPage> decodeSecurityLog(const QByteArray &body);
QByteArray encodeVerification(const SecurityLogVerification &v);
Result<SecurityLogVerification> decodeVerification(const QByteArray &body);

} // namespace cityops::sync
