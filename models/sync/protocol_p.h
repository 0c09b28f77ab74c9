#pragma once

#include "jsonwriter.h"
#include "protocol.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

// Internal to the wire protocol's sources (protocol.cpp, snapshotbinary.cpp, jsonpull.h): what the
// JSON pull reader and the binary snapshot reader share (errors, interned texts, the field rules of
// rows, events and facts), and rows, events and facts written as JSON.
namespace cityops::sync::detail {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Protocol)
};

/** Short texts repeat (kinds, roles, users, devices, codes): one shared QString each. */
class TextInterner
{
public:
    QString get(QByteArrayView v)
    {
        if (v.size() > kInternBytes)
            return QString::fromUtf8(v);
        const auto it = m_interned.constFind(QByteArray::fromRawData(v.data(), v.size()));
        if (it != m_interned.cend())
            return *it;
        QString s = QString::fromUtf8(v);
        if (m_interned.size() < kInternMax)
            m_interned.insert(v.toByteArray(), s);
        return s;
    }

private:
    static constexpr qsizetype kInternBytes = 24;
    static constexpr qsizetype kInternMax = 4096;
    QHash<QByteArray, QString> m_interned;
};

/**
 * What PullReader and BinaryReader share: the first error, with the field and the byte where it
 * happened, and the values built on the reader's isNull(), integer(), textView() and hash().
 */
template <typename Reader> class ReaderBase
{
public:
    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    void fail(const QString &where, const QString &what)
    {
        if (m_error.isEmpty())
            m_error = (where.isEmpty() ? QString() : where + QStringLiteral(": ")) + what +
                      Tr::tr(" (at byte %1)").arg(self().offset());
    }
    template <typename T> bool optInteger(std::optional<T> *out)
    {
        if (self().isNull()) {
            out->reset();
            return true;
        }
        T v{};
        if (!self().integer(&v))
            return false;
        *out = v;
        return true;
    }
    bool optText(std::optional<QString> *out)
    {
        if (self().isNull()) {
            out->reset();
            return true;
        }
        QString v;
        if (!text(&v))
            return false;
        *out = std::move(v);
        return true;
    }
    bool text(QString *out)
    {
        QByteArrayView v;
        if (!self().textView(&v))
            return false;
        *out = m_interned.get(v);
        return true;
    }
    bool bytes(QByteArray *out)
    {
        QByteArrayView v;
        if (!self().textView(&v))
            return false;
        *out = v.toByteArray();
        return true;
    }
    /** A hash (SHA-256, or shorter in tests); `nullable`: null reads as empty. */
    bool hex(QByteArray *out, bool nullable)
    {
        if (nullable && self().isNull()) {
            out->clear();
            return true;
        }
        return self().hash(out);
    }

private:
    Reader &self() { return static_cast<Reader &>(*this); }
    QString m_error;
    TextInterner m_interned;
};

// ---------------------------------------------------------------------------------------------
// The fields of a case row, its facts and its events, read through either reader (PullReader or
// BinaryReader) with the same rules.

/**
 * One field of a row by its key, on any reader with the value interface (integer, optInteger,
 * number, text, optText, bytes, hex, skip): the JSON and binary readers here, and the CBOR and
 * simdjson prototypes of cityops-bench-formats, so every decoder applies the same rules.
 */
template <typename Reader, typename Key> void readRowField(Reader &r, const Key &k, CaseRow *row)
{
    if (k == "id")
        r.integer(&row->id);
    else if (k == "category")
        r.text(&row->category);
    else if (k == "state")
        r.text(&row->state);
    else if (k == "stage")
        r.integer(&row->stage);
    else if (k == "priority")
        r.integer(&row->priority);
    else if (k == "source")
        r.text(&row->source);
    else if (k == "street_id")
        r.optInteger(&row->streetId);
    else if (k == "community_id")
        r.optInteger(&row->communityId);
    else if (k == "grid_code")
        r.optText(&row->gridCode);
    else if (k == "address")
        r.text(&row->address);
    else if (k == "description")
        r.text(&row->description);
    else if (k == "party")
        r.optText(&row->party);
    else if (k == "lon")
        r.number(&row->lon);
    else if (k == "lat")
        r.number(&row->lat);
    else if (k == "reported_at")
        r.integer(&row->reportedAt);
    else if (k == "deadline_at")
        r.optInteger(&row->deadlineAt);
    else if (k == "closed_at")
        r.optInteger(&row->closedAt);
    else if (k == "unit_id")
        r.optInteger(&row->unitId);
    else if (k == "assignee_id")
        r.optInteger(&row->assigneeId);
    else if (k == "version")
        r.integer(&row->version);
    else if (k == "updated_at")
        r.integer(&row->updatedAt);
    else if (k == "chain_head")
        r.hex(&row->chainHead, true);
    else if (k == "pending")
        r.optText(&row->pending);
    else if (k == "pending_by")
        r.optText(&row->pendingBy);
    else if (k == "pending_at")
        r.optInteger(&row->pendingAt);
    else if (k == "pending_to_stage")
        r.optInteger(&row->pendingToStage);
    else if (k == "assignee_code")
        r.optText(&row->assigneeCode);
    else if (k == "handler")
        r.optText(&row->handler);
    else if (k == "linked_case")
        r.optInteger(&row->linkedCase);
    else
        r.skip();
}

template <typename Reader> void readRow(Reader &r, CaseRow *row)
{
    if (!r.beginObject())
        return;
    QByteArrayView k;
    while (r.nextKey(&k))
        readRowField(r, k, row);
}

/** One field of the facts by its key (see readRowField). */
template <typename Reader, typename Key> void readFactsField(Reader &r, const Key &k, CaseFacts *f)
{
    if (k == "reworks")
        r.integer(&f->reworks);
    else if (k == "extensions")
        r.integer(&f->extensions);
    else if (k == "shelves")
        r.integer(&f->shelves);
    else if (k == "reopens")
        r.integer(&f->reopens);
    else if (k == "max_stage")
        r.integer(&f->maxStage);
    else if (k == "skips")
        r.integer(&f->skips);
    else if (k == "req_stage")
        r.optInteger(&f->reqStage);
    else if (k == "req_skip")
        r.optInteger(&f->reqSkip);
    else if (k == "late") {
        int late = 0;
        r.integer(&late);
        f->late = late != 0;
    } else if (k == "due")
        r.optInteger(&f->due);
    else
        r.skip();
}

template <typename Reader> void readFacts(Reader &r, std::optional<CaseFacts> *out)
{
    if (r.isNull())
        return;
    CaseFacts f;
    if (!r.beginObject())
        return;
    QByteArrayView k;
    while (r.nextKey(&k))
        readFactsField(r, k, &f);
    *out = f;
}

/** One field of an event by its key (see readRowField). */
template <typename Reader, typename Key> void readEventField(Reader &r, const Key &k, CaseEvent *e)
{
    if (k == "case_id")
        r.integer(&e->caseId);
    else if (k == "seq")
        r.integer(&e->seq);
    else if (k == "kind")
        r.text(&e->kind);
    else if (k == "actor")
        r.text(&e->actor);
    else if (k == "role")
        r.text(&e->role);
    else if (k == "at")
        r.integer(&e->at);
    else if (k == "device")
        r.text(&e->device);
    else if (k == "payload")
        r.bytes(&e->payload);
    else if (k == "prev_hash")
        r.hex(&e->prevHash, false);
    else
        r.skip();
}

template <typename Reader> void readEvents(Reader &r, QList<CaseEvent> *events)
{
    if (!r.beginArray())
        return;
    while (r.nextElement()) {
        CaseEvent e;
        if (!r.beginObject())
            return;
        QByteArrayView k;
        while (r.nextKey(&k))
            readEventField(r, k, &e);
        if (r.ok() && (e.caseId <= 0 || e.seq <= 0 || e.kind.isEmpty()))
            r.fail(QStringLiteral("events"), Tr::tr("incomplete event"));
        events->append(std::move(e));
    }
}

// ---------------------------------------------------------------------------------------------
// Rows, events and facts written as JSON (the change feed, the snapshot page and
// CaseRow::toJsonBytes()).

/** The row's fields into an object the caller opened. */
inline void writeRowFields(JsonOut &w, const CaseRow &r)
{
    w.integer("id", r.id);
    w.str("category", r.category);
    w.str("state", r.state);
    w.integer("stage", r.stage);
    w.integer("priority", r.priority);
    w.str("source", r.source);
    w.optInt("street_id", r.streetId);
    w.optInt("community_id", r.communityId);
    w.optStr("grid_code", r.gridCode);
    w.str("address", r.address);
    w.str("description", r.description);
    w.optStr("party", r.party);
    w.number("lon", r.lon);
    w.number("lat", r.lat);
    w.integer("reported_at", r.reportedAt);
    w.optInt("deadline_at", r.deadlineAt);
    w.optInt("closed_at", r.closedAt);
    w.optInt("unit_id", r.unitId);
    w.optInt("assignee_id", r.assigneeId);
    w.integer("version", r.version);
    w.integer("updated_at", r.updatedAt);
    if (r.chainHead.isEmpty())
        w.null("chain_head");
    else
        w.hexString("chain_head", r.chainHead);
    w.optStr("pending", r.pending);
    w.optStr("pending_by", r.pendingBy);
    w.optInt("pending_at", r.pendingAt);
    w.optInt("pending_to_stage", r.pendingToStage);
    w.optStr("assignee_code", r.assigneeCode);
    w.optStr("handler", r.handler);
    w.optInt("linked_case", r.linkedCase);
    w.end();
}

inline void writeRow(JsonOut &w, const CaseRow &r)
{
    w.begin();
    writeRowFields(w, r);
}

inline void writeRow(JsonOut &w, const char *key, const CaseRow &r)
{
    w.beginObject(key);
    writeRowFields(w, r);
}

inline void writeEvents(JsonOut &w, const QList<CaseEvent> &events)
{
    w.beginArray("events");
    for (const CaseEvent &e : events) {
        w.beginObjectInArray();
        w.integer("case_id", e.caseId);
        w.integer("seq", e.seq);
        w.str("kind", e.kind);
        w.str("actor", e.actor);
        w.str("role", e.role);
        w.integer("at", e.at);
        w.str("device", e.device);
        w.bytesAsString("payload", e.payload);
        w.hexString("prev_hash", e.prevHash);
        w.end();
    }
    w.endArray();
}

inline void writeFacts(JsonOut &w, const CaseFacts &f)
{
    w.beginObject("facts");
    w.integer("reworks", f.reworks);
    w.integer("extensions", f.extensions);
    w.integer("shelves", f.shelves);
    w.integer("reopens", f.reopens);
    w.integer("max_stage", f.maxStage);
    w.integer("skips", f.skips);
    w.optInt("req_stage", f.reqStage);
    w.optInt("req_skip", f.reqSkip);
    w.integer("late", f.late ? 1 : 0);
    w.optInt("due", f.due);
    w.end();
}

} // namespace cityops::sync::detail
