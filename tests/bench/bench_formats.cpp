// cityops-bench-formats: the snapshot page in its encodings, decoded into the same structures.
// Seeds a demo district (the same rows as cityops-bench-sync for the same --cases), has the
// platform's store write every page as JSON and as the binary page (kSnapshotBinaryType), encodes
// the decoded pages as CBOR (RFC 8949) with a prototype written here on QCborStreamWriter, then
// decodes each page many times: JSON and binary with the platform's decoders, CBOR with a
// prototype on QCborStreamReader and, when built with simdjson, the JSON page with simdjson's
// On-Demand API. Every decoder must give equal pages. Prints one JSON object last; the figures and
// the decisions they led to are in docs/performance.md.
#include "benchstats.h"
#include "demo/demogenerator.h"
#include "storage/database.h"
#include "storage/platformstore.h"
#include "sync/protocol.h"
#include "sync/protocol_p.h"
#include "util/allocator.h"

#include <QCborStreamReader>
#include <QCborStreamWriter>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string_view>

#ifdef CITYOPS_HAVE_SIMDJSON
// simdjson compiles its On-Demand API only for the CPU the compiler targets (a generic x86-64
// build gets its scalar fallback): CMake builds this file for x86-64-v3 (AVX2) when it links
// simdjson, and the simdjson decoder runs only where the CPU has AVX2.
#include <simdjson.h>
#endif

using namespace cityops;
using bench::percentile;

namespace {

void say(const QString &s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
    std::fflush(stdout);
}

/** Short texts repeat (kinds, roles, codes): one shared QString each, as the platform's readers. */
using Interner = sync::detail::TextInterner;

/** Lowercase hex digits to bytes (at most 64), as the JSON page carries hashes (simdjson only). */
[[maybe_unused]] bool fromHex(QByteArrayView v, QByteArray *out)
{
    if (v.size() % 2 || v.size() > 128)
        return false;
    out->resize(v.size() / 2);
    const auto digit = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    for (qsizetype i = 0; i < out->size(); ++i) {
        const int hi = digit(v[2 * i]), lo = digit(v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        (*out)[i] = char(hi << 4 | lo);
    }
    return true;
}

/** Nullable values on a reader's isNull(), integer() and text(), for both prototypes. */
template <typename Reader> class Nullables
{
public:
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
        if (!self().text(&v))
            return false;
        *out = std::move(v);
        return true;
    }

private:
    Reader &self() { return static_cast<Reader &>(*this); }
};

// The fields by key: the platform readers' rules (sync/protocol_p.h), on the prototypes too.
using sync::detail::readEventField;
using sync::detail::readFactsField;
using sync::detail::readRowField;

/** The event fields in the order a CBOR event array holds them. */
constexpr std::string_view kEventOrder[] = {"case_id", "seq",    "kind",    "actor",    "role",
                                            "at",      "device", "payload", "prev_hash"};

// --- CBOR prototype ---------------------------------------------------------------------------
//
// {"cases": [{"case": {column: value, ...}, "events": [[case_id, seq, kind, actor, role, at,
// device, payload, prev_hash], ...], "facts": {column: value, ...} | null}, ...], "next": int,
// "more": bool, "cursor": int}. Definite lengths; hashes are byte strings, the payload a text
// string (its compact JSON), NULL columns null.

void key(QCborStreamWriter &w, const char *k)
{
    w.append(QLatin1String(k));
}

void optInt(QCborStreamWriter &w, const char *k, const std::optional<qint64> &v)
{
    key(w, k);
    if (v)
        w.append(*v);
    else
        w.append(nullptr);
}

void optStr(QCborStreamWriter &w, const char *k, const std::optional<QString> &v)
{
    key(w, k);
    if (v)
        w.append(QStringView(*v));
    else
        w.append(nullptr);
}

void str(QCborStreamWriter &w, const char *k, const QString &v)
{
    key(w, k);
    w.append(QStringView(v));
}

void integer(QCborStreamWriter &w, const char *k, qint64 v)
{
    key(w, k);
    w.append(v);
}

QByteArray encodeCbor(const sync::SnapshotPage &page)
{
    QByteArray out;
    out.reserve(page.cases.size() * 1536 + 64);
    QCborStreamWriter w(&out);
    w.startMap(4);
    key(w, "cases");
    w.startArray(quint64(page.cases.size()));
    for (const sync::CaseWithEvents &c : page.cases) {
        const sync::CaseRow &r = c.row;
        w.startMap(3);
        key(w, "case");
        w.startMap(29);
        integer(w, "id", r.id);
        str(w, "category", r.category);
        str(w, "state", r.state);
        integer(w, "stage", r.stage);
        integer(w, "priority", r.priority);
        str(w, "source", r.source);
        optInt(w, "street_id", r.streetId);
        optInt(w, "community_id", r.communityId);
        optStr(w, "grid_code", r.gridCode);
        str(w, "address", r.address);
        str(w, "description", r.description);
        optStr(w, "party", r.party);
        key(w, "lon");
        w.append(r.lon);
        key(w, "lat");
        w.append(r.lat);
        integer(w, "reported_at", r.reportedAt);
        optInt(w, "deadline_at", r.deadlineAt);
        optInt(w, "closed_at", r.closedAt);
        optInt(w, "unit_id", r.unitId);
        optInt(w, "assignee_id", r.assigneeId);
        integer(w, "version", r.version);
        integer(w, "updated_at", r.updatedAt);
        key(w, "chain_head");
        if (r.chainHead.isEmpty())
            w.append(nullptr);
        else
            w.appendByteString(r.chainHead.constData(), r.chainHead.size());
        optStr(w, "pending", r.pending);
        optStr(w, "pending_by", r.pendingBy);
        optInt(w, "pending_at", r.pendingAt);
        optInt(w, "pending_to_stage", r.pendingToStage);
        optStr(w, "assignee_code", r.assigneeCode);
        optStr(w, "handler", r.handler);
        optInt(w, "linked_case", r.linkedCase);
        w.endMap();
        key(w, "events");
        w.startArray(quint64(c.events.size()));
        for (const CaseEvent &e : c.events) {
            w.startArray(std::size(kEventOrder));
            w.append(qint64(e.caseId));
            w.append(qint64(e.seq));
            w.append(QStringView(e.kind));
            w.append(QStringView(e.actor));
            w.append(QStringView(e.role));
            w.append(e.at);
            w.append(QStringView(e.device));
            w.appendTextString(e.payload.constData(), e.payload.size());
            w.appendByteString(e.prevHash.constData(), e.prevHash.size());
            w.endArray();
        }
        w.endArray();
        key(w, "facts");
        if (const auto &f = c.facts) {
            w.startMap(10);
            integer(w, "reworks", f->reworks);
            integer(w, "extensions", f->extensions);
            integer(w, "shelves", f->shelves);
            integer(w, "reopens", f->reopens);
            integer(w, "max_stage", f->maxStage);
            integer(w, "skips", f->skips);
            optInt(w, "req_stage", f->reqStage);
            optInt(w, "req_skip", f->reqSkip);
            integer(w, "late", f->late ? 1 : 0);
            optInt(w, "due", f->due);
            w.endMap();
        } else {
            w.append(nullptr);
        }
        w.endMap();
    }
    w.endArray();
    integer(w, "next", page.next);
    key(w, "more");
    w.append(page.more);
    integer(w, "cursor", page.cursor);
    w.endMap();
    return out;
}

/**
 * QCborStreamReader behind the platform readers' value interface: the first error with the field
 * it is about; every value's type is checked, and a cut or malformed body is an error.
 */
class CborIn : public Nullables<CborIn>
{
public:
    explicit CborIn(const QByteArray &body) : m_r(body), m_size(body.size())
    {
        if (body.size() > sync::kMaxBodyBytes * 16)
            bad("larger than the limit");
    }

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    bool bad(const char *what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1%2%3 (at byte %4)")
                          .arg(QString::fromUtf8(m_field.data(), qsizetype(m_field.size())),
                               m_field.empty() ? "" : ": ", QLatin1String(what))
                          .arg(m_r.currentOffset());
        return false;
    }
    /** Cuts show up as a reader error: a value's type is then Invalid. */
    bool readerOk()
    {
        return m_r.lastError() == QCborError::NoError || bad("malformed or cut CBOR");
    }

    bool beginMap()
    {
        if (!ok() || !readerOk() || !m_r.isMap())
            return bad("expected a map");
        return m_r.enterContainer() || bad("malformed map");
    }
    bool beginArray()
    {
        if (!ok() || !readerOk() || !m_r.isArray())
            return bad("expected an array");
        return m_r.enterContainer() || bad("malformed array");
    }
    /** Whether the current container has another item; leaves it after the last one. */
    bool next()
    {
        if (!ok() || !readerOk())
            return false;
        if (m_r.hasNext())
            return true;
        return (m_r.leaveContainer() && readerOk()) ? false : bad("malformed container");
    }
    /** The next key of the current map (false at its end). */
    bool nextKey(std::string_view *k)
    {
        if (!next())
            return false;
        m_field = {};
        if (!m_r.isString() || !chunks(&m_key))
            return bad("expected a text key");
        *k = m_field = std::string_view(m_key.constData(), size_t(m_key.size()));
        return true;
    }
    /** What later errors are about. */
    void setKey(std::string_view k) { m_field = k; }
    bool isNull()
    {
        if (!ok() || !m_r.isNull())
            return false;
        return m_r.next() || bad("malformed");
    }
    bool boolean(bool *out)
    {
        if (!ok() || !m_r.isBool())
            return bad("expected true or false");
        *out = m_r.toBool();
        return m_r.next() || bad("malformed");
    }
    template <typename T> bool integer(T *out)
    {
        if (!ok() || !m_r.isInteger())
            return bad("expected a whole number");
        // Beyond qint64 either way is not a whole number this protocol can hold.
        constexpr quint64 kMax = quint64(std::numeric_limits<qint64>::max());
        if (m_r.isUnsignedInteger() ? m_r.toUnsignedInteger() > kMax
                                    : quint64(m_r.toNegativeInteger()) > kMax + 1)
            return bad("expected a whole number");
        *out = T(m_r.toInteger());
        return m_r.next() || bad("malformed");
    }
    bool number(double *out)
    {
        if (!ok())
            return false;
        if (m_r.isInteger()) {
            qint64 v = 0;
            if (!integer(&v))
                return false;
            *out = double(v);
            return true;
        }
        if (m_r.isDouble())
            *out = m_r.toDouble();
        else if (m_r.isFloat())
            *out = double(m_r.toFloat());
        else if (m_r.isFloat16())
            *out = double(m_r.toFloat16());
        else
            return bad("expected a number");
        if (!std::isfinite(*out))
            return bad("expected a number");
        return m_r.next() || bad("malformed");
    }
    bool text(QString *out)
    {
        if (!ok() || !m_r.isString() || !chunks(&m_scratch))
            return bad("expected a string");
        *out = m_interned.get(m_scratch);
        return true;
    }
    /** The payload: the text string's UTF-8 bytes. */
    bool bytes(QByteArray *out)
    {
        if (!ok() || !m_r.isString() || !chunks(out))
            return bad("expected a string");
        return true;
    }
    /** A hash: a byte string of at most 64 bytes; `nullable`: null reads as empty. */
    bool hex(QByteArray *out, bool nullable)
    {
        if (nullable && isNull()) {
            out->clear();
            return true;
        }
        if (!ok() || !m_r.isByteArray() || !chunks(out))
            return bad("expected bytes");
        return out->size() <= 64 || bad("longer than 64 bytes");
    }
    bool skip() { return (ok() && m_r.next()) || bad("malformed"); }
    /** The body ends after the top-level map. */
    bool finish()
    {
        return ok() && readerOk() && (m_r.currentOffset() == m_size || bad("bytes after the page"));
    }

private:
    /** A text or byte string's bytes, in as many chunks as it has. */
    bool chunks(QByteArray *buf)
    {
        buf->resize(0);
        for (;;) {
            const qsizetype n = m_r.currentStringChunkSize();
            // A length past the end of the body is a cut (and must not allocate gigabytes).
            if (n < 0 || n > m_size - buf->size())
                return false;
            const qsizetype old = buf->size();
            buf->resize(old + n);
            const auto r = m_r.readStringChunk(buf->data() + old, n);
            if (r.status == QCborStreamReader::Error)
                return false;
            buf->resize(old + r.data);
            if (r.status == QCborStreamReader::EndOfString)
                return true;
        }
    }

    QCborStreamReader m_r;
    qsizetype m_size;
    QString m_error;
    QByteArray m_key, m_scratch;
    std::string_view m_field; ///< m_key's text or a constant
    Interner m_interned;
};

Result<sync::SnapshotPage> decodeCbor(const QByteArray &body)
{
    CborIn r(body);
    sync::SnapshotPage page;
    bool sawCursor = false;
    std::string_view k;
    if (r.beginMap()) {
        while (r.nextKey(&k)) {
            if (k == "cases") {
                if (!r.beginArray())
                    break;
                while (r.next()) {
                    sync::CaseWithEvents c;
                    if (!r.beginMap())
                        break;
                    while (r.nextKey(&k)) {
                        if (k == "case") {
                            if (!r.beginMap())
                                break;
                            while (r.nextKey(&k))
                                readRowField(r, k, &c.row);
                        } else if (k == "events") {
                            if (!r.beginArray())
                                break;
                            while (r.next()) {
                                CaseEvent e;
                                if (!r.beginArray())
                                    break;
                                // Positional; values past the known ones are a newer
                                // platform's.
                                size_t i = 0;
                                while (r.next()) {
                                    if (i < std::size(kEventOrder)) {
                                        r.setKey(kEventOrder[i]);
                                        readEventField(r, kEventOrder[i], &e);
                                    } else {
                                        r.skip();
                                    }
                                    ++i;
                                }
                                r.setKey("events");
                                if (r.ok() && (i < std::size(kEventOrder) || e.caseId <= 0 ||
                                               e.seq <= 0 || e.kind.isEmpty()))
                                    r.bad("incomplete event");
                                c.events.append(std::move(e));
                            }
                        } else if (k == "facts") {
                            if (r.isNull())
                                continue;
                            sync::CaseFacts f;
                            if (!r.beginMap())
                                break;
                            while (r.nextKey(&k))
                                readFactsField(r, k, &f);
                            c.facts = f;
                        } else {
                            r.skip();
                        }
                    }
                    if (r.ok() && c.row.id <= 0) {
                        r.setKey("case.id");
                        r.bad("is required");
                    }
                    page.cases.append(std::move(c));
                }
            } else if (k == "next") {
                r.integer(&page.next);
            } else if (k == "more") {
                r.boolean(&page.more);
            } else if (k == "cursor") {
                sawCursor = r.integer(&page.cursor);
            } else {
                r.skip();
            }
        }
    }
    if (r.finish() && !sawCursor) {
        r.setKey("cursor");
        r.bad("is required");
    }
    if (!r.ok())
        return Error{QStringLiteral("snapshot (CBOR): ") + r.error()};
    return page;
}

// --- simdjson (On-Demand) on the JSON page ---------------------------------------------------

#ifdef CITYOPS_HAVE_SIMDJSON
namespace od = simdjson::ondemand;

/** The value interface over the current On-Demand value (set() before each field). */
class SimdIn : public Nullables<SimdIn>
{
public:
    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    bool bad(std::string_view where, simdjson::error_code e)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1: %2").arg(
                QString::fromUtf8(where.data(), qsizetype(where.size())),
                QString::fromUtf8(simdjson::error_message(e)));
        return false;
    }
    void set(std::string_view k, od::value *v)
    {
        m_k = k;
        m_v = v;
    }
    bool isNull()
    {
        bool null = false;
        return ok() && !m_v->is_null().get(null) && null;
    }
    template <typename T> bool integer(T *out)
    {
        int64_t v = 0;
        if (const auto e = m_v->get_int64().get(v))
            return bad(m_k, e);
        *out = T(v);
        return true;
    }
    bool number(double *out)
    {
        if (const auto e = m_v->get_double().get(*out))
            return bad(m_k, e);
        return true;
    }
    bool text(QString *out)
    {
        std::string_view s;
        if (const auto e = m_v->get_string().get(s))
            return bad(m_k, e);
        *out = m_interned.get(QByteArrayView(s.data(), qsizetype(s.size())));
        return true;
    }
    bool bytes(QByteArray *out)
    {
        std::string_view s;
        if (const auto e = m_v->get_string().get(s))
            return bad(m_k, e);
        *out = QByteArray(s.data(), qsizetype(s.size()));
        return true;
    }
    bool hex(QByteArray *out, bool nullable)
    {
        if (nullable && isNull()) {
            out->clear();
            return true;
        }
        std::string_view s;
        if (const auto e = m_v->get_string().get(s))
            return bad(m_k, e);
        return fromHex(QByteArrayView(s.data(), qsizetype(s.size())), out) ||
               bad(m_k, simdjson::INCORRECT_TYPE);
    }
    /** On-Demand skips what was not read when it moves on. */
    void skip() {}

private:
    QString m_error;
    std::string_view m_k;
    od::value *m_v = nullptr;
    Interner m_interned;
};

/** Every field of an object into `field(key, value)`; false on an error. */
template <typename F> bool fields(SimdIn &r, od::value &v, std::string_view where, F &&field)
{
    od::object o;
    if (const auto e = v.get_object().get(o))
        return r.bad(where, e);
    for (auto f : o) {
        od::field fl;
        std::string_view k;
        if (auto e = std::move(f).get(fl); e || (e = fl.unescaped_key().get(k)))
            return r.bad(where, e);
        r.set(k, &fl.value());
        field(k, fl.value());
        if (!r.ok())
            return false;
    }
    return true;
}

template <typename F> bool elements(SimdIn &r, od::value &v, std::string_view where, F &&element)
{
    od::array a;
    if (const auto e = v.get_array().get(a))
        return r.bad(where, e);
    for (auto x : a) {
        od::value el;
        if (const auto e = std::move(x).get(el))
            return r.bad(where, e);
        element(el);
        if (!r.ok())
            return false;
    }
    return true;
}

Result<sync::SnapshotPage> decodeSimdjson(od::parser &parser, const QByteArray &body)
{
    // A body as the network gives it has no padding: simdjson reads a padded copy.
    const simdjson::padded_string padded(body.constData(), size_t(body.size()));
    SimdIn r;
    sync::SnapshotPage page;
    bool sawCursor = false;
    od::document doc;
    od::object top;
    if (auto e = parser.iterate(padded).get(doc); e || (e = doc.get_object().get(top)))
        return Error{QStringLiteral("snapshot (simdjson): %1").arg(simdjson::error_message(e))};
    for (auto f : top) {
        od::field fl;
        std::string_view k;
        if (auto e = std::move(f).get(fl); e || (e = fl.unescaped_key().get(k))) {
            r.bad("snapshot", e);
            break;
        }
        r.set(k, &fl.value());
        if (k == "cases") {
            elements(r, fl.value(), "cases", [&](od::value &cv) {
                sync::CaseWithEvents c;
                fields(r, cv, "cases[]", [&](std::string_view ck, od::value &v) {
                    if (ck == "case") {
                        fields(r, v, "case", [&](std::string_view rk, od::value &) {
                            readRowField(r, rk, &c.row);
                        });
                    } else if (ck == "events") {
                        elements(r, v, "events", [&](od::value &ev) {
                            CaseEvent e;
                            fields(r, ev, "events[]", [&](std::string_view ek, od::value &) {
                                readEventField(r, ek, &e);
                            });
                            if (r.ok() && (e.caseId <= 0 || e.seq <= 0 || e.kind.isEmpty()))
                                r.bad("events", simdjson::INCORRECT_TYPE);
                            c.events.append(std::move(e));
                        });
                    } else if (ck == "facts") {
                        if (r.isNull())
                            return;
                        sync::CaseFacts facts;
                        fields(r, v, "facts", [&](std::string_view fk, od::value &) {
                            readFactsField(r, fk, &facts);
                        });
                        c.facts = facts;
                    }
                });
                if (r.ok() && c.row.id <= 0)
                    r.bad("case.id", simdjson::NO_SUCH_FIELD);
                page.cases.append(std::move(c));
            });
        } else if (k == "next") {
            r.integer(&page.next);
        } else if (k == "more") {
            if (const auto e = fl.value().get_bool().get(page.more))
                r.bad("more", e);
        } else if (k == "cursor") {
            sawCursor = r.integer(&page.cursor);
        }
        if (!r.ok())
            break;
    }
    // At the end of the document there is no current location.
    if (const char *at = nullptr; r.ok() && !doc.current_location().get(at))
        r.bad("snapshot", simdjson::TRAILING_CONTENT);
    if (r.ok() && !sawCursor)
        r.bad("cursor", simdjson::NO_SUCH_FIELD);
    if (!r.ok())
        return Error{QStringLiteral("snapshot (simdjson): ") + r.error()};
    return page;
}

/** One parser for all pages, as a console would keep (its buffers grow to the largest page). */
Result<sync::SnapshotPage> decodeSimdjson(const QByteArray &body)
{
    static od::parser parser;
    return decodeSimdjson(parser, body);
}
#endif

// --- measuring -------------------------------------------------------------------------------

bool samePage(const sync::SnapshotPage &a, const sync::SnapshotPage &b)
{
    if (a.next != b.next || a.more != b.more || a.cursor != b.cursor ||
        a.cases.size() != b.cases.size())
        return false;
    for (qsizetype i = 0; i < a.cases.size(); ++i) {
        const auto &x = a.cases.at(i);
        const auto &y = b.cases.at(i);
        if (!(x.row == y.row) || x.events != y.events || x.facts != y.facts)
            return false;
    }
    return true;
}

/** One decoder's timings: per page, and per run over all pages. */
struct Timing
{
    using Decoder = std::function<Result<sync::SnapshotPage>(const QByteArray &)>;
    Timing(const QString &n, Decoder d, const QList<QByteArray> *p)
        : name(n), decode(std::move(d)), pages(p)
    {}
    QString name;
    Decoder decode;
    const QList<QByteArray> *pages;
    std::vector<double> perPage, perRun;
    qint64 bytes = 0;
    double encodeMs = 0; ///< all pages, the better of the runs
    QString encodeNote;
};

} // namespace

int main(int argc, char *argv[])
{
    // As the console does: the snapshot pages reuse freed memory (util/allocator.h).
    keepFreedMemoryForReuse();
    Database::configureLibrary();
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Snapshot page formats: binary, CBOR, JSON (and simdjson) decoding."));
    p.addHelpOption();
    const QCommandLineOption casesOpt(QStringLiteral("cases"),
                                      QStringLiteral("Cases in the demo district (default 50000)."),
                                      QStringLiteral("N"), QStringLiteral("50000"));
    const QCommandLineOption runsOpt(QStringLiteral("runs"),
                                     QStringLiteral("Decodes of every page per format (default "
                                                    "20)."),
                                     QStringLiteral("N"), QStringLiteral("20"));
    p.addOptions({casesOpt, runsOpt});
    p.process(app);
    const qint64 cases = p.value(casesOpt).toLongLong();
    const int runs = std::max(1, p.value(runsOpt).toInt());

    // The rows of cityops-bench-sync: seed 1 at its anchor (the generator's default).
    QTemporaryDir dir;
    QElapsedTimer setup;
    setup.start();
    DemoOptions options;
    options.seed = 1;
    options.cases = cases;
    if (auto s = DemoGenerator::generate(dir.path(), options); !s)
        qFatal("demo: %s", qPrintable(s.error()));
    if (!QFile::rename(dir.filePath(QStringLiteral("cityops.db")),
                       PlatformStore::pathInDir(dir.path())))
        qFatal("cannot move the demo store into place");
    auto store = PlatformStore::open(dir.path(), true);
    if (!store)
        qFatal("store: %s", qPrintable(store.error()));

    // The platform's pages (kMaxSnapshotLimit cases each), written by its store in both formats.
    using Format = sync::SnapshotWriter::Format;
    QList<QByteArray> json, binary, cbor;
    double jsonEncodeMs = 0, binaryEncodeMs = 0;
    for (CaseId after = 0;;) {
        QElapsedTimer t;
        t.start();
        auto j = (*store)->snapshot(after, sync::kMaxSnapshotLimit, Format::Json);
        jsonEncodeMs += double(t.nsecsElapsed()) / 1e6;
        t.start();
        auto b = (*store)->snapshot(after, sync::kMaxSnapshotLimit, Format::Binary);
        binaryEncodeMs += double(t.nsecsElapsed()) / 1e6;
        if (!j || !b)
            qFatal("snapshot: %s", qPrintable(j ? b.error() : j.error()));
        json << j->body;
        binary << b->body;
        after = j->next;
        if (!j->more)
            break;
    }
    // The reference pages: what the console decodes today.
    QList<sync::SnapshotPage> reference;
    qint64 events = 0, rows = 0;
    for (const QByteArray &b : binary) {
        auto page = sync::decodeSnapshotBinary(b);
        if (!page)
            qFatal("binary: %s", qPrintable(page.error()));
        rows += page->cases.size();
        for (const auto &c : page->cases)
            events += c.events.size();
        reference << std::move(page).value();
    }
    double cborEncodeMs = std::numeric_limits<double>::max();
    for (int run = 0; run < std::min(runs, 3); ++run) {
        QElapsedTimer t;
        t.start();
        QList<QByteArray> out;
        for (const auto &page : reference)
            out << encodeCbor(page);
        cborEncodeMs = std::min(cborEncodeMs, double(t.nsecsElapsed()) / 1e6);
        cbor = out;
    }
    say(QStringLiteral("%1 cases (%2 events) in %3 pages, set up in %4 s")
            .arg(rows)
            .arg(events)
            .arg(binary.size())
            .arg(setup.elapsed() / 1000.0, 0, 'f', 1));

    // The CBOR decoder refuses every cut of a page (a small one: every prefix is tried).
    {
        sync::SnapshotPage small = reference.first();
        small.cases.resize(std::min<qsizetype>(2, small.cases.size()));
        const QByteArray body = encodeCbor(small);
        const auto back = decodeCbor(body);
        if (!back || !samePage(*back, small))
            qFatal("CBOR: a small page does not round-trip: %s",
                   back ? "different" : qPrintable(back.error()));
        for (qsizetype n = 0; n < body.size(); ++n)
            if (decodeCbor(body.left(n)))
                qFatal("CBOR: the page cut at byte %lld of %lld decoded", qint64(n),
                       qint64(body.size()));
        if (decodeCbor(body + '\0'))
            qFatal("CBOR: a page with a trailing byte decoded");
    }

    std::vector<Timing> timings;
    timings.push_back({QStringLiteral("binary"), sync::decodeSnapshotBinary, &binary});
    timings.push_back({QStringLiteral("cbor"), decodeCbor, &cbor});
    timings.push_back({QStringLiteral("json"),
                       [](const QByteArray &b) { return sync::decodeSnapshot(b); }, &json});
#ifdef CITYOPS_HAVE_SIMDJSON
    const bool simdjson = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
                          __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt");
    if (simdjson) {
        timings.push_back({QStringLiteral("simdjson"),
                           [](const QByteArray &b) { return decodeSimdjson(b); }, &json});
        const QByteArray &body = json.first();
        for (const qsizetype n : {qsizetype(0), qsizetype(1), body.size() / 2, body.size() - 1})
            if (decodeSimdjson(body.left(n)))
                qFatal("simdjson: the JSON page cut at byte %lld decoded", qint64(n));
        if (decodeSimdjson(body + "x"))
            qFatal("simdjson: a JSON page with a trailing byte decoded");
    } else {
        say(QStringLiteral("simdjson: this CPU lacks AVX2, not measured"));
    }
#else
    const bool simdjson = false;
#endif
    timings[0].encodeMs = binaryEncodeMs;
    timings[0].encodeNote = QStringLiteral("platform store (SQLite read + write)");
    timings[1].encodeMs = cborEncodeMs;
    timings[1].encodeNote = QStringLiteral("from the structures (QCborStreamWriter)");
    timings[2].encodeMs = jsonEncodeMs;
    timings[2].encodeNote = QStringLiteral("platform store (SQLite read + write)");

    // Every decoder gives the reference pages.
    for (Timing &t : timings) {
        for (qsizetype i = 0; i < t.pages->size(); ++i) {
            auto page = t.decode(t.pages->at(i));
            if (!page)
                qFatal("%s page %lld: %s", qPrintable(t.name), qint64(i), qPrintable(page.error()));
            if (!samePage(*page, reference.at(i)))
                qFatal("%s page %lld differs from the binary decoder's", qPrintable(t.name),
                       qint64(i));
            t.bytes += t.pages->at(i).size();
        }
    }
    say(QStringLiteral("all %1 decoders give equal pages").arg(timings.size()));

    // Formats take turns page by page, so a disturbance hits all of them alike.
    for (int run = 0; run < runs; ++run) {
        std::vector<double> runMs(timings.size(), 0);
        for (qsizetype i = 0; i < binary.size(); ++i) {
            for (size_t f = 0; f < timings.size(); ++f) {
                Timing &t = timings[f];
                QElapsedTimer clock;
                clock.start();
                const auto page = t.decode(t.pages->at(i));
                const double ms = double(clock.nsecsElapsed()) / 1e6;
                if (!page)
                    qFatal("%s: %s", qPrintable(t.name), qPrintable(page.error()));
                t.perPage.push_back(ms);
                runMs[f] += ms;
            }
        }
        for (size_t f = 0; f < timings.size(); ++f)
            timings[f].perRun.push_back(runMs[f]);
    }

    const double base = percentile(timings[0].perPage, 50);
    const double baseRun = percentile(timings[0].perRun, 50);
    QJsonObject formats;
    for (const Timing &t : timings) {
        const double p50 = percentile(t.perPage, 50), run = percentile(t.perRun, 50);
        const double mbps = double(t.bytes) / 1e6 / (run / 1000.0);
        say(QStringLiteral("%1: %2 bytes (%3× binary); decode per page p50/p95/p99 %4 / %5 / %6 "
                           "ms, all pages %7 ms (%8× binary), %9 MB/s")
                .arg(t.name, -8)
                .arg(t.bytes)
                .arg(double(t.bytes) / double(timings[0].bytes), 0, 'f', 2)
                .arg(p50, 0, 'f', 2)
                .arg(percentile(t.perPage, 95), 0, 'f', 2)
                .arg(percentile(t.perPage, 99), 0, 'f', 2)
                .arg(run, 0, 'f', 1)
                .arg(run / baseRun, 0, 'f', 2)
                .arg(mbps, 0, 'f', 0));
        QJsonObject o{{"bytes", t.bytes},
                      {"bytes_vs_binary", double(t.bytes) / double(timings[0].bytes)},
                      {"decode_page_p50_ms", p50},
                      {"decode_page_p95_ms", percentile(t.perPage, 95)},
                      {"decode_page_p99_ms", percentile(t.perPage, 99)},
                      {"decode_all_pages_ms", run},
                      {"decode_mb_per_s", mbps},
                      {"decode_p50_vs_binary", p50 / base},
                      {"decode_all_vs_binary", run / baseRun}};
        if (!t.encodeNote.isEmpty()) {
            o.insert("encode_all_pages_ms", t.encodeMs);
            o.insert("encode_how", t.encodeNote);
        }
        formats.insert(t.name, o);
    }
    const QJsonObject out{{"cases", rows},     {"events", events},     {"pages", binary.size()},
                          {"runs", runs},      {"simdjson", simdjson}, {"decoders_agree", true},
                          {"formats", formats}};
    std::fprintf(stdout, "%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
