#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QString>

#include <functional>

namespace cityops {

class Database;

/**
 * Full-text search over description, address and party, for Chinese text: an FTS5 trigram index
 * for queries of three or more characters and a one-token-per-character FTS5 index (phrase
 * queries) for one or two. The indexer works in id order and records how far it got, so a large
 * cache is indexed in the background while searches stay complete: rows beyond that point are
 * matched by a plain scan until they are indexed.
 */
class SearchIndex
{
    Q_DECLARE_TR_FUNCTIONS(SearchIndex)
public:
    /** "占道 经营" → "占 道 经 营": the text the per-character index stores. */
    static QString spaced(const QString &text);
    /** Indexes up to `maxRows` unindexed cases, in chunks of their own transactions. */
    static Result<qint64>
    catchUp(Database &db, qint64 maxRows,
            const std::function<bool(qint64 done, qint64 total)> &progress = {});
    /** The highest case id indexed so far. */
    static qint64 indexedTo(Database &db);
    /** How many cases still wait for the indexer. */
    static qint64 backlog(Database &db);
    /**
     * A WHERE fragment (on table alias c) matching the search text, with its bind values
     * appended; empty text gives an empty fragment.
     */
    static QString clause(Database &db, const QString &text, QVariantList &binds);
    /** The FTS table and MATCH expression for a search text (empty table for empty text). */
    static std::pair<QString, QString> match(const QString &text);
    /** Searches count at most this many matches ("10,000+"): counting all is never needed. */
    static constexpr qint64 kCountCap = 10000;
};

} // namespace cityops
