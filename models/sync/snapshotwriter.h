#pragma once

#include "domain/types.h"

#include <QByteArray>

#include <memory>
#include <vector>

namespace cityops::sync {

class JsonOut;

/**
 * Writes a snapshot page field by field, straight from the platform's rows: what
 * encodeSnapshot() makes of the same CaseWithEvents, without building them (no per-field
 * strings), which is most of the platform's cost of a page. Per case: beginCase(), the row's
 * fields, beginEvents(), for each event beginEvent(), its fields, endEvent(); then optionally
 * beginFacts() and the facts' fields; endCase(). Keys are the column names.
 */
class SnapshotWriter
{
public:
    enum class Format
    {
        Json,
        Binary ///< kSnapshotBinaryType
    };
    explicit SnapshotWriter(qsizetype reserve = 0, Format format = Format::Json);
    ~SnapshotWriter();
    SnapshotWriter(const SnapshotWriter &) = delete;
    SnapshotWriter &operator=(const SnapshotWriter &) = delete;

    void beginCase();
    void beginEvents();
    void beginEvent();
    void endEvent();
    void beginFacts();
    void endCase();
    /**
     * The column names of the row, each event and the facts, in the order their values are
     * written, once before the first case. The binary page carries them once instead of keys.
     */
    void columns(const std::vector<const char *> &row, const std::vector<const char *> &events,
                 const std::vector<const char *> &facts);
    void integer(const char *key, qint64 v);
    void number(const char *key, double v);
    void null(const char *key);
    void text(const char *key, const char *utf8, qsizetype n);
    void hex(const char *key, const char *bytes, qsizetype n);
    QByteArray finish(CaseId next, bool more, qint64 cursor);

private:
    template <typename T> void put(char tag, T v);
    void put(char tag, const char *bytes, qsizetype n);

    QByteArray m_out;
    std::unique_ptr<JsonOut> m_w; ///< null for the binary page
    bool m_inFacts = false;
};

} // namespace cityops::sync
