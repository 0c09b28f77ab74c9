#include "protocol.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSet>
#include <QUuid>
#include <QtEndian>

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

namespace cityops::sync {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Protocol)
};

} // namespace

// ---------------------------------------------------------------------------------------------
// Encoding: a small writer instead of QJsonObject, because snapshot pages carry hundreds of
// thousands of fields and building a DOM per row costs more than the database read.

class JsonOut
{
public:
    explicit JsonOut(QByteArray &out) : m_out(out) {}

    void begin() { open('{'); }
    void beginObject(const char *key)
    {
        name(key);
        m_out += '{';
        m_first = true;
    }
    void end() { close('}'); }
    void beginArray(const char *key)
    {
        name(key);
        m_out += '[';
        m_first = true;
    }
    void endArray() { close(']'); }
    void beginObjectInArray() { open('{'); }

    void str(const char *key, const QString &v)
    {
        name(key);
        const QByteArray utf8 = v.toUtf8();
        quote(m_out, utf8.constData(), utf8.size());
    }
    void bytesAsString(const char *key, const QByteArray &utf8)
    {
        name(key);
        quote(m_out, utf8.constData(), utf8.size());
    }
    void utf8String(const char *key, const char *utf8, qsizetype n)
    {
        name(key);
        quote(m_out, utf8, n);
    }
    void hexString(const char *key, const QByteArray &bytes)
    {
        hexString(key, bytes.constData(), bytes.size());
    }
    void hexString(const char *key, const char *bytes, qsizetype n)
    {
        static const char digits[] = "0123456789abcdef";
        name(key);
        const qsizetype at = m_out.size() + 1;
        m_out.resize(at + 2 * n + 1);
        char *p = m_out.data() + at - 1;
        *p++ = '"';
        for (qsizetype i = 0; i < n; ++i) {
            const auto c = static_cast<unsigned char>(bytes[i]);
            *p++ = digits[c >> 4];
            *p++ = digits[c & 15];
        }
        *p = '"';
    }
    void optStr(const char *key, const std::optional<QString> &v)
    {
        if (v)
            str(key, *v);
        else
            null(key);
    }
    void integer(const char *key, qint64 v)
    {
        name(key);
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        m_out.append(buf, r.ptr - buf);
    }
    void optInt(const char *key, const std::optional<qint64> &v)
    {
        if (v)
            integer(key, *v);
        else
            null(key);
    }
    void number(const char *key, double v)
    {
        name(key);
        m_out += std::isfinite(v) ? QByteArray::number(v, 'g', QLocale::FloatingPointShortest)
                                  : QByteArray("null");
    }
    void boolean(const char *key, bool v)
    {
        name(key);
        m_out += v ? "true" : "false";
    }
    void null(const char *key)
    {
        name(key);
        m_out += "null";
    }
    /** Appends a JSON string: runs of plain bytes at once, escapes where needed. */
    static void quote(QByteArray &out, const char *p, qsizetype n)
    {
        static const char hex[] = "0123456789abcdef";
        out += '"';
        qsizetype run = 0;
        for (qsizetype i = 0; i < n; ++i) {
            const auto c = static_cast<unsigned char>(p[i]);
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            out.append(p + run, i - run);
            run = i + 1;
            switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default: {
                const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out.append(esc, 6);
            }
            }
        }
        out.append(p + run, n - run);
        out += '"';
    }

private:
    void comma()
    {
        if (!m_first)
            m_out += ',';
        m_first = false;
    }
    void open(char c)
    {
        comma();
        m_out += c;
        m_first = true;
    }
    void close(char c)
    {
        m_out += c;
        m_first = false;
    }
    /** `,"key":` in one append (a snapshot page has about 80 keys per case). */
    void name(const char *key)
    {
        const size_t n = std::strlen(key);
        char buf[64];
        if (n + 4 > sizeof buf) {
            comma();
            m_out += '"';
            m_out += key;
            m_out += "\":";
            return;
        }
        char *p = buf;
        if (!m_first)
            *p++ = ',';
        m_first = false;
        *p++ = '"';
        std::memcpy(p, key, n);
        p += n;
        *p++ = '"';
        *p++ = ':';
        m_out.append(buf, p - buf);
    }

    QByteArray &m_out;
    bool m_first = true;
};

namespace {

/** The row's fields into an object the caller opened. */
void writeRowFields(JsonOut &w, const CaseRow &r)
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

void writeRow(JsonOut &w, const CaseRow &r)
{
    w.begin();
    writeRowFields(w, r);
}

void writeRow(JsonOut &w, const char *key, const CaseRow &r)
{
    w.beginObject(key);
    writeRowFields(w, r);
}

void writeEvents(JsonOut &w, const QList<WireEvent> &events)
{
    w.beginArray("events");
    for (const WireEvent &e : events) {
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

void writeFacts(JsonOut &w, const CaseFacts &f)
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

// ---------------------------------------------------------------------------------------------
// Decoding: strict readers that name the field of the first problem.

QString fieldPath(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

/** Reads the fields of one JSON object; the first problem is kept and later reads are no-ops. */
class Fields
{
public:
    /** `index` >= 0: the object is element `index` of the array at `parent`. */
    Fields(const QJsonValue &v, QString parent, bool strict, qsizetype index = -1)
        : m_parent(std::move(parent)), m_index(index), m_strict(strict)
    {
        if (!v.isObject())
            fail(path(), Tr::tr("expected an object"));
        else
            m_o = v.toObject();
    }

    bool ok() const { return !m_error; }
    Error error() const { return *m_error; }

    QString str(const char *key, qsizetype maxChars, bool required = false)
    {
        const QJsonValue v = take(key);
        if (!ok())
            return {};
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(at(key), Tr::tr("is required"));
            return {};
        }
        if (!v.isString()) {
            fail(at(key), Tr::tr("expected a string"));
            return {};
        }
        const QString s = v.toString();
        if (s.size() > maxChars)
            fail(at(key), Tr::tr("longer than %1 characters").arg(maxChars));
        else if (required && s.trimmed().isEmpty())
            fail(at(key), Tr::tr("must not be empty"));
        return s;
    }
    std::optional<QString> optStr(const char *key, qsizetype maxChars)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isNull() || v.isUndefined()) {
            take(key);
            return std::nullopt;
        }
        return str(key, maxChars);
    }
    qint64 integer(const char *key, qint64 lo, qint64 hi, bool required = false)
    {
        const QJsonValue v = take(key);
        if (!ok())
            return 0;
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(at(key), Tr::tr("is required"));
            return 0;
        }
        const double d = v.toDouble();
        if (!v.isDouble() || d != std::floor(d) || std::fabs(d) > 9007199254740992.0) {
            fail(at(key), Tr::tr("expected a whole number"));
            return 0;
        }
        const auto n = static_cast<qint64>(d);
        if (n < lo || n > hi) {
            fail(at(key), Tr::tr("must be from %1 to %2").arg(lo).arg(hi));
            return 0;
        }
        return n;
    }
    std::optional<qint64> optInt(const char *key, qint64 lo, qint64 hi)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isNull() || v.isUndefined()) {
            take(key);
            return std::nullopt;
        }
        return integer(key, lo, hi);
    }
    double number(const char *key, double lo, double hi, bool required = false)
    {
        const QJsonValue v = take(key);
        if (!ok())
            return 0;
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(at(key), Tr::tr("is required"));
            return 0;
        }
        const double d = v.toDouble();
        if (!v.isDouble() || !std::isfinite(d)) {
            fail(at(key), Tr::tr("expected a number"));
            return 0;
        }
        if (d < lo || d > hi)
            fail(at(key), Tr::tr("must be from %1 to %2").arg(lo).arg(hi));
        return d;
    }
    bool boolean(const char *key)
    {
        const QJsonValue v = take(key);
        if (!ok() || v.isUndefined() || v.isNull())
            return false;
        if (!v.isBool())
            fail(at(key), Tr::tr("expected true or false"));
        return v.toBool();
    }
    QStringList strList(const char *key, int maxItems, qsizetype maxChars)
    {
        const QJsonValue v = take(key);
        QStringList out;
        if (!ok() || v.isUndefined() || v.isNull())
            return out;
        if (!v.isArray()) {
            fail(at(key), Tr::tr("expected an array of strings"));
            return out;
        }
        const QJsonArray a = v.toArray();
        if (a.size() > maxItems) {
            fail(at(key), Tr::tr("more than %1 items").arg(maxItems));
            return out;
        }
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QString item = QStringLiteral("%1[%2]").arg(at(key)).arg(i);
            if (!a.at(i).isString()) {
                fail(item, Tr::tr("expected a string"));
                return out;
            }
            if (a.at(i).toString().size() > maxChars) {
                fail(item, Tr::tr("longer than %1 characters").arg(maxChars));
                return out;
            }
            out.append(a.at(i).toString());
        }
        return out;
    }
    QByteArray hex(const char *key, bool nullable)
    {
        const QJsonValue v = take(key);
        if (!ok() || ((v.isNull() || v.isUndefined()) && nullable))
            return {};
        const QString s = v.toString();
        if (!v.isString() || s.size() > 128 || s.size() % 2 ||
            !std::all_of(s.begin(), s.end(), [](QChar c) {
                return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
            })) {
            fail(at(key), Tr::tr("expected lowercase hex digits"));
            return {};
        }
        return QByteArray::fromHex(s.toLatin1());
    }
    QJsonArray array(const char *key, bool required)
    {
        const QJsonValue v = take(key);
        if (!ok())
            return {};
        if (v.isUndefined() && !required)
            return {};
        if (!v.isArray())
            fail(at(key), Tr::tr("expected an array"));
        return v.toArray();
    }
    /** The raw value (decoded by the caller). */
    QJsonValue value(const char *key) { return take(key); }
    QString at(const char *key) const { return fieldPath(path(), QLatin1String(key)); }
    /** Built only when a message needs it: decoding a page touches many thousand objects. */
    QString path() const
    {
        return m_index < 0 ? m_parent : QStringLiteral("%1[%2]").arg(m_parent).arg(m_index);
    }
    void fail(const QString &where, const QString &what)
    {
        if (!m_error)
            m_error = Error{QStringLiteral("%1: %2").arg(where, what)};
    }
    /** In strict mode, a field that no read asked for is an error. */
    bool finish()
    {
        if (ok() && m_strict) {
            for (auto it = m_o.begin(); it != m_o.end(); ++it) {
                if (!m_seen.contains(it.key())) {
                    fail(fieldPath(path(), it.key()), Tr::tr("unknown field"));
                    break;
                }
            }
        }
        return ok();
    }

private:
    QJsonValue take(const char *key)
    {
        const QLatin1StringView k(key);
        if (m_strict)
            m_seen.insert(k);
        return m_o.value(k);
    }

    QJsonObject m_o;
    QString m_parent;
    qsizetype m_index;
    bool m_strict;
    QSet<QString> m_seen;
    std::optional<Error> m_error;
};

constexpr qint64 kMaxId = 9007199254740991LL;
constexpr qint64 kMaxTime = 253402300799999LL; // 9999-12-31

/** Nesting depth of a JSON text, ignoring brackets inside strings. */
int jsonDepth(const QByteArray &body)
{
    int depth = 0, worst = 0;
    bool inString = false, escaped = false;
    for (const char c : body) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            worst = std::max(worst, ++depth);
        else if (c == '}' || c == ']')
            --depth;
    }
    return worst;
}

Result<WireEvent> readWireEvent(const QJsonValue &v, const QString &parent, qsizetype index)
{
    Fields f(v, parent, false, index);
    WireEvent e;
    e.caseId = f.integer("case_id", 1, kMaxId, true);
    e.seq = int(f.integer("seq", 1, 1000000, true));
    e.kind = f.str("kind", 40, true);
    e.actor = f.str("actor", kMaxShortChars, true);
    e.role = f.str("role", 20, true);
    e.at = f.integer("at", 0, kMaxTime, true);
    e.device = f.str("device", kMaxShortChars);
    e.payload = f.str("payload", kMaxBodyBytes).toUtf8();
    e.prevHash = f.hex("prev_hash", false);
    if (!f.finish())
        return f.error();
    return e;
}

// ---------------------------------------------------------------------------------------------
// Bulk decoding (snapshot pages and the change feed): a pull reader over the UTF-8 text that fills
// the structs directly. A DOM (QJsonDocument) costs several times more for pages of thousands of
// rows, and this is the console's first sync.

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

/** A lowercase hex digit's value, or 0x10 for any other byte. */
constexpr auto kHexValue = [] {
    std::array<unsigned char, 256> t{};
    for (unsigned c = 0; c < 256; ++c)
        t[c] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0x10;
    return t;
}();

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

class PullReader : public ReaderBase<PullReader>
{
public:
    explicit PullReader(const QByteArray &text)
        : m_begin(text.constData()), m_p(text.constData()), m_end(text.constData() + text.size())
    {
        if (text.size() > kMaxBodyBytes * 16)
            fail(QString(), Tr::tr("larger than %1 bytes").arg(kMaxBodyBytes * 16));
    }

    /** How far the reader is, for errors. */
    qsizetype offset() const { return m_p - m_begin; }

    bool beginObject() { return open('{'); }
    bool beginArray() { return open('['); }
    /** The next key of the current object (false at its end). */
    bool nextKey(QByteArrayView *key)
    {
        if (!nextMember('}'))
            return false;
        if (!string(&m_key, &m_keyStore))
            return false;
        *key = m_key;
        ws();
        if (m_p == m_end || *m_p != ':')
            return bad(Tr::tr("expected ':'"));
        ++m_p;
        return true;
    }
    /** Whether the current array has another element. */
    bool nextElement() { return nextMember(']'); }

    bool isNull()
    {
        ws();
        if (m_end - m_p >= 4 && std::memcmp(m_p, "null", 4) == 0) {
            m_p += 4;
            return true;
        }
        return false;
    }
    template <typename T> bool integer(T *out)
    {
        ws();
        const char *start = m_p;
        while (m_p < m_end && (*m_p == '-' || (*m_p >= '0' && *m_p <= '9')))
            ++m_p;
        qint64 v = 0;
        const auto r = std::from_chars(start, m_p, v);
        if (r.ec != std::errc() || r.ptr != m_p || m_p == start ||
            (m_p < m_end && (*m_p == '.' || *m_p == 'e' || *m_p == 'E')))
            return bad(Tr::tr("expected a whole number"));
        *out = T(v);
        return true;
    }
    bool number(double *out)
    {
        ws();
        const char *start = m_p;
        while (m_p < m_end && std::strchr("+-.eE0123456789", *m_p) && *m_p)
            ++m_p;
        const auto r = std::from_chars(start, m_p, *out);
        if (r.ec != std::errc() || r.ptr != m_p || m_p == start)
            return bad(Tr::tr("expected a number"));
        return true;
    }
    bool boolean(bool *out)
    {
        ws();
        if (m_end - m_p >= 4 && std::memcmp(m_p, "true", 4) == 0) {
            m_p += 4;
            *out = true;
            return true;
        }
        if (m_end - m_p >= 5 && std::memcmp(m_p, "false", 5) == 0) {
            m_p += 5;
            *out = false;
            return true;
        }
        return bad(Tr::tr("expected true or false"));
    }
    /** A string's UTF-8 bytes, escapes resolved (valid until the next string). */
    bool textView(QByteArrayView *out) { return string(out, &m_scratch); }
    /** A hash, in hex digits. */
    bool hash(QByteArray *out)
    {
        QByteArrayView v;
        if (!string(&v, &m_scratch))
            return false;
        // One pass that checks and decodes (hashes: 1.4 million of them in a 200,000-case
        // snapshot, where QByteArray::fromHex plus a separate check cost a quarter of decoding).
        const qsizetype n = v.size() / 2;
        if (v.size() % 2 || n > 64)
            return bad(Tr::tr("expected lowercase hex digits"));
        out->resize(n);
        const auto *in = reinterpret_cast<const unsigned char *>(v.data());
        auto *to = reinterpret_cast<unsigned char *>(out->data());
        unsigned invalid = 0;
        for (qsizetype i = 0; i < n; ++i) {
            const unsigned hi = kHexValue[in[2 * i]], lo = kHexValue[in[2 * i + 1]];
            invalid |= (hi | lo) & 0x10;
            to[i] = static_cast<unsigned char>((hi << 4) | (lo & 0xf));
        }
        if (invalid) {
            out->clear();
            return bad(Tr::tr("expected lowercase hex digits"));
        }
        return true;
    }
    /** Skips a value of a field this version does not know. */
    bool skip(int depth = 0)
    {
        ws();
        if (m_p == m_end)
            return bad(Tr::tr("unexpected end"));
        if (depth > kMaxJsonDepth)
            return bad(Tr::tr("nested deeper than %1 levels").arg(kMaxJsonDepth));
        if (*m_p == '"') {
            QByteArrayView v;
            return string(&v, &m_scratch);
        }
        if (*m_p == '{') {
            QByteArrayView k;
            if (!beginObject())
                return false;
            while (nextKey(&k)) {
                if (!skip(depth + 1))
                    return false;
            }
            return ok();
        }
        if (*m_p == '[') {
            if (!beginArray())
                return false;
            while (nextElement()) {
                if (!skip(depth + 1))
                    return false;
            }
            return ok();
        }
        bool b;
        double d;
        if (*m_p == 't' || *m_p == 'f')
            return boolean(&b);
        if (isNull())
            return true;
        return number(&d);
    }
    /** Only white space may follow the top-level value. */
    void finish()
    {
        ws();
        if (ok() && m_p != m_end)
            bad(Tr::tr("unexpected text after the object"));
    }
    QString lastKey() const { return QString::fromUtf8(m_key); }

private:
    bool bad(const QString &what)
    {
        fail(m_key.isEmpty() ? QString() : QString::fromUtf8(m_key), what);
        m_p = m_end;
        return false;
    }
    void ws()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool open(char c)
    {
        ws();
        if (m_p == m_end || *m_p != c)
            return bad(c == '{' ? Tr::tr("expected an object") : Tr::tr("expected an array"));
        if (++m_depth > kMaxJsonDepth)
            return bad(Tr::tr("nested deeper than %1 levels").arg(kMaxJsonDepth));
        ++m_p;
        m_first.push_back(true);
        return true;
    }
    /** Consumes ',' between members, or the closing bracket (then false). */
    bool nextMember(char close)
    {
        if (!ok() || m_first.empty())
            return false;
        ws();
        if (m_p < m_end && *m_p == close) {
            ++m_p;
            --m_depth;
            m_first.pop_back();
            return false;
        }
        if (!m_first.back()) {
            if (m_p == m_end || *m_p != ',')
                return bad(Tr::tr("expected ',' or '%1'").arg(QLatin1Char(close)));
            ++m_p;
            ws();
        }
        m_first.back() = false;
        return true;
    }
    /**
     * A JSON string as UTF-8 bytes, escapes resolved: a view into the document when it has no
     * escapes (most strings, and every key), else into `store`, which it overwrites.
     */
    bool string(QByteArrayView *out, QByteArray *store)
    {
        ws();
        if (m_p == m_end || *m_p != '"')
            return bad(Tr::tr("expected a string"));
        ++m_p;
        const char *run = m_p;
        bool escaped = false;
        while (m_p < m_end) {
            const char c = *m_p;
            if (c == '"') {
                if (escaped) {
                    store->append(run, m_p - run);
                    *out = *store;
                } else {
                    *out = QByteArrayView(run, m_p - run);
                }
                ++m_p;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return bad(Tr::tr("control character in a string"));
            if (c != '\\') {
                ++m_p;
                continue;
            }
            if (!escaped) {
                store->resize(0);
                escaped = true;
            }
            store->append(run, m_p - run);
            if (++m_p == m_end)
                break;
            const char e = *m_p++;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                store->append(e);
                break;
            case 'b':
                store->append('\b');
                break;
            case 'f':
                store->append('\f');
                break;
            case 'n':
                store->append('\n');
                break;
            case 'r':
                store->append('\r');
                break;
            case 't':
                store->append('\t');
                break;
            case 'u': {
                char32_t cp = 0;
                if (!hex4(&cp))
                    return false;
                if (cp >= 0xD800 && cp < 0xDC00) {
                    char32_t low = 0;
                    if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
                        return bad(Tr::tr("unpaired surrogate in a string"));
                    m_p += 2;
                    if (!hex4(&low) || low < 0xDC00 || low > 0xDFFF)
                        return bad(Tr::tr("unpaired surrogate in a string"));
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                store->append(QString::fromUcs4(&cp, 1).toUtf8());
                break;
            }
            default:
                return bad(Tr::tr("bad escape in a string"));
            }
            run = m_p;
        }
        return bad(Tr::tr("unterminated string"));
    }
    bool hex4(char32_t *cp)
    {
        if (m_end - m_p < 4)
            return bad(Tr::tr("bad escape in a string"));
        for (int i = 0; i < 4; ++i) {
            const char c = *m_p++;
            const int v = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
            if (v < 0)
                return bad(Tr::tr("bad escape in a string"));
            *cp = (*cp << 4) | char32_t(v);
        }
        return true;
    }

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    int m_depth = 0;
    std::vector<bool> m_first;
    QByteArrayView m_key; ///< into the document or m_keyStore
    QByteArray m_keyStore;
    QByteArray m_scratch;
};

// ---------------------------------------------------------------------------------------------
// The binary snapshot page (kSnapshotBinaryType). The platform writes the values its SQLite rows
// hold with a type tag each, and the column names once per page, so neither side formats or
// parses text, escapes, hex or numbers:
//
//   "CITYOPS-SNAPSHOT-1\n"                     kBinaryMagic
//   three column tables (case row, event, facts): u16 count, per name u8 length + bytes
//   per case: Case, one value per row column; Events, per event Event and one value per event
//             column, End; then Null or Facts and one value per facts column
//   End, i64 next, u8 more (0 or 1), i64 cursor, and nothing after.
//
// A value is Null; Integer + i64; Real + f64 (finite); Text + u32 length + UTF-8; or Blob +
// u32 length + bytes. Numbers are little-endian. BinaryReader offers PullReader's interface, so
// readRow(), readEvents() and readFacts() read both formats with the same rules.

constexpr QByteArrayView kBinaryMagic("CITYOPS-SNAPSHOT-1\n");

namespace tag {
constexpr char Null = 0, Integer = 1, Real = 2, Text = 3, Blob = 4, Case = 5, Event = 6, Facts = 7,
               Events = 8, End = 9;
} // namespace tag

class BinaryReader : public ReaderBase<BinaryReader>
{
public:
    enum Section
    {
        Row,
        Event,
        Facts
    };
    explicit BinaryReader(const QByteArray &body)
        : m_begin(body.constData()), m_p(body.constData()), m_end(body.constData() + body.size())
    {
        if (body.size() > kMaxBodyBytes * 16)
            fail(QString(), Tr::tr("larger than %1 bytes").arg(kMaxBodyBytes * 16));
    }

    /** How far the reader is, for errors. */
    qsizetype offset() const { return m_p - m_begin; }

    /** The magic and the three column tables. */
    bool header()
    {
        if (!ok())
            return false;
        if (m_end - m_p < kBinaryMagic.size() ||
            QByteArrayView(m_p, kBinaryMagic.size()) != kBinaryMagic)
            return bad(Tr::tr("not a binary snapshot page"));
        m_p += kBinaryMagic.size();
        for (auto &table : m_columns) {
            quint16 n = 0;
            if (!fixed(&n))
                return false;
            table.reserve(n);
            for (quint16 i = 0; i < n; ++i) {
                quint8 length = 0;
                if (!fixed(&length) || !need(length))
                    return false;
                table.push_back(QByteArrayView(m_p, length));
                m_p += length;
            }
        }
        return true;
    }
    /** Whether another case follows (false after the last one, or on an error). */
    bool nextCase()
    {
        if (!ok())
            return false;
        if (m_p < m_end && *m_p == tag::Case)
            return true;
        if (m_p < m_end && *m_p == tag::End) {
            ++m_p;
            m_ended = true;
            return false;
        }
        return bad(Tr::tr("expected a case or the end of the cases"));
    }
    /** What follows the cases. */
    void trailer(SnapshotPage *page)
    {
        quint8 more = 0;
        if (!ok() || !m_ended || !fixed(&page->next) || !fixed(&more) || !fixed(&page->cursor))
            return;
        if (more > 1)
            bad(Tr::tr("expected true or false"));
        else if (m_p != m_end)
            bad(Tr::tr("unexpected bytes after the page"));
        page->more = more == 1;
    }
    /** The kind of record beginObject() reads next. */
    void expect(Section section) { m_expect = section; }

    bool beginObject()
    {
        static constexpr char kTags[] = {tag::Case, tag::Event, tag::Facts};
        m_key = {};
        if (!take(kTags[m_expect]))
            return bad(Tr::tr("expected an object"));
        m_record = &m_columns[m_expect];
        m_column = 0;
        return true;
    }
    bool nextKey(QByteArrayView *key)
    {
        if (!ok() || !m_record || m_column == m_record->size()) {
            m_record = nullptr;
            m_key = {}; // later errors are not about the record's last column
            return false;
        }
        *key = m_key = (*m_record)[m_column++];
        return true;
    }
    bool beginArray()
    {
        if (!take(tag::Events))
            return bad(Tr::tr("expected an array"));
        m_expect = Event;
        return true;
    }
    bool nextElement()
    {
        if (!ok())
            return false;
        if (m_p == m_end)
            return bad(Tr::tr("unexpected end"));
        return !take(tag::End);
    }

    bool isNull() { return ok() && take(tag::Null); }
    template <typename T> bool integer(T *out)
    {
        qint64 v = 0;
        if (!take(tag::Integer))
            return bad(Tr::tr("expected a whole number"));
        if (!fixed(&v))
            return false;
        *out = T(v);
        return true;
    }
    bool number(double *out)
    {
        if (ok() && m_p < m_end && *m_p == tag::Integer) {
            qint64 v = 0;
            if (!integer(&v))
                return false;
            *out = double(v);
            return true;
        }
        quint64 bits = 0;
        if (!take(tag::Real))
            return bad(Tr::tr("expected a number"));
        if (!fixed(&bits))
            return false;
        std::memcpy(out, &bits, sizeof bits);
        return std::isfinite(*out) || bad(Tr::tr("expected a number"));
    }
    bool textView(QByteArrayView *out) { return lengthPrefixed(tag::Text, out); }
    /** A hash: raw bytes here where the JSON page has hex digits. */
    bool hash(QByteArray *out)
    {
        QByteArrayView v;
        if (!lengthPrefixed(tag::Blob, &v))
            return false;
        if (v.size() > 64)
            return bad(Tr::tr("longer than %1 bytes").arg(64));
        *out = v.toByteArray();
        return true;
    }
    /** Skips a value of a column this version does not know. */
    bool skip()
    {
        if (!ok() || m_p == m_end)
            return bad(Tr::tr("unexpected end"));
        QByteArrayView v;
        switch (*m_p) {
        case tag::Null:
            ++m_p;
            return true;
        case tag::Integer:
        case tag::Real:
            ++m_p;
            if (!need(8))
                return false;
            m_p += 8;
            return true;
        case tag::Text:
        case tag::Blob:
            return lengthPrefixed(*m_p, &v);
        default:
            return bad(Tr::tr("expected a value"));
        }
    }

private:
    bool bad(const QString &what)
    {
        fail(m_key.isEmpty() ? QString() : QString::fromUtf8(m_key), what);
        m_p = m_end;
        return false;
    }
    bool need(qsizetype n) { return m_end - m_p >= n || bad(Tr::tr("unexpected end")); }
    /** Consumes the tag when it is next. */
    bool take(char t)
    {
        if (m_p == m_end || *m_p != t)
            return false;
        ++m_p;
        return true;
    }
    template <typename T> bool fixed(T *out)
    {
        if (!need(sizeof(T)))
            return false;
        *out = qFromLittleEndian<T>(m_p);
        m_p += sizeof(T);
        return true;
    }
    bool lengthPrefixed(char t, QByteArrayView *out)
    {
        quint32 n = 0;
        if (!ok())
            return false;
        if (!take(t))
            return bad(t == tag::Text ? Tr::tr("expected a string") : Tr::tr("expected bytes"));
        if (!fixed(&n) || !need(n))
            return false;
        *out = QByteArrayView(m_p, n);
        m_p += n;
        return true;
    }

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    std::array<std::vector<QByteArrayView>, 3> m_columns;
    const std::vector<QByteArrayView> *m_record = nullptr;
    size_t m_column = 0;
    Section m_expect = Row;
    bool m_ended = false;
    QByteArrayView m_key;
};

template <typename Reader> void readRow(Reader &r, CaseRow *row)
{
    if (!r.beginObject())
        return;
    QByteArrayView k;
    while (r.nextKey(&k)) {
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
}

template <typename Reader> void readFacts(Reader &r, std::optional<CaseFacts> *out)
{
    if (r.isNull())
        return;
    CaseFacts f;
    if (!r.beginObject())
        return;
    QByteArrayView k;
    while (r.nextKey(&k)) {
        if (k == "reworks")
            r.integer(&f.reworks);
        else if (k == "extensions")
            r.integer(&f.extensions);
        else if (k == "shelves")
            r.integer(&f.shelves);
        else if (k == "reopens")
            r.integer(&f.reopens);
        else if (k == "max_stage")
            r.integer(&f.maxStage);
        else if (k == "skips")
            r.integer(&f.skips);
        else if (k == "req_stage")
            r.optInteger(&f.reqStage);
        else if (k == "req_skip")
            r.optInteger(&f.reqSkip);
        else if (k == "late") {
            int late = 0;
            r.integer(&late);
            f.late = late != 0;
        } else if (k == "due")
            r.optInteger(&f.due);
        else
            r.skip();
    }
    *out = f;
}

template <typename Reader> void readEvents(Reader &r, QList<WireEvent> *events)
{
    if (!r.beginArray())
        return;
    while (r.nextElement()) {
        WireEvent e;
        if (!r.beginObject())
            return;
        QByteArrayView k;
        while (r.nextKey(&k)) {
            if (k == "case_id")
                r.integer(&e.caseId);
            else if (k == "seq")
                r.integer(&e.seq);
            else if (k == "kind")
                r.text(&e.kind);
            else if (k == "actor")
                r.text(&e.actor);
            else if (k == "role")
                r.text(&e.role);
            else if (k == "at")
                r.integer(&e.at);
            else if (k == "device")
                r.text(&e.device);
            else if (k == "payload")
                r.bytes(&e.payload);
            else if (k == "prev_hash")
                r.hex(&e.prevHash, false);
            else
                r.skip();
        }
        if (r.ok() && (e.caseId <= 0 || e.seq <= 0 || e.kind.isEmpty()))
            r.fail(QStringLiteral("events"), Tr::tr("incomplete event"));
        events->append(std::move(e));
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------

bool isSha256Hex(QStringView s)
{
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](QChar c) {
               return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
           });
}

Result<QJsonObject> parseObject(const QByteArray &body)
{
    if (body.size() > kMaxBodyBytes)
        return Error{Tr::tr("body: larger than %1 bytes").arg(kMaxBodyBytes)};
    if (body.trimmed().isEmpty())
        return Error{Tr::tr("body: empty; a JSON object is expected")};
    if (jsonDepth(body) > kMaxJsonDepth)
        return Error{Tr::tr("body: nested deeper than %1 levels").arg(kMaxJsonDepth)};
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error{
            Tr::tr("body: not valid JSON (%1 at byte %2)").arg(pe.errorString()).arg(pe.offset)};
    if (!doc.isObject())
        return Error{Tr::tr("body: expected a JSON object")};
    return doc.object();
}

// --- ClientCommand ---------------------------------------------------------------------------

Command ClientCommand::toCommand() const
{
    Command c;
    c.action = actionFromKey(action).value_or(Action::Report);
    c.reason = reason;
    c.to = to;
    c.toUnit = toUnit;
    c.toType = toType;
    c.evidence = evidence;
    c.toStage = toStage;
    c.skip = skip;
    c.confirmFiling = confirmFiling;
    c.hours = hours;
    c.decision = decision;
    c.source = source;
    c.duplicateOf = duplicateOf;
    return c;
}

ReportInput ClientCommand::toReport() const
{
    ReportInput in;
    in.category = category;
    in.lon = lon;
    in.lat = lat;
    in.address = address;
    in.description = description;
    in.party = party;
    if (!source.isEmpty())
        in.source = source;
    in.evidence = evidence;
    return in;
}

ClientCommand ClientCommand::fromCommand(const QString &id, CaseId caseId, const Command &cmd,
                                         const QString &device, qint64 clientAt, int baseVersion)
{
    ClientCommand c;
    c.id = id;
    c.caseId = caseId;
    c.action = actionKey(cmd.action);
    c.device = device;
    c.clientAt = clientAt;
    c.baseVersion = baseVersion;
    c.reason = cmd.reason;
    c.to = cmd.to;
    c.toUnit = cmd.toUnit;
    c.toType = cmd.toType;
    c.evidence = cmd.evidence;
    c.toStage = cmd.toStage;
    c.skip = cmd.skip;
    c.confirmFiling = cmd.confirmFiling;
    c.hours = cmd.hours;
    c.decision = cmd.decision;
    c.duplicateOf = cmd.duplicateOf;
    return c;
}

ClientCommand ClientCommand::fromReport(const QString &id, const ReportInput &in,
                                        const QString &device, qint64 clientAt)
{
    ClientCommand c;
    c.id = id;
    c.action = QStringLiteral("report");
    c.device = device;
    c.clientAt = clientAt;
    c.category = in.category;
    c.lon = in.lon;
    c.lat = in.lat;
    c.address = in.address;
    c.description = in.description;
    c.party = in.party;
    c.source = in.source;
    c.evidence = in.evidence;
    return c;
}

QJsonObject ClientCommand::toJson() const
{
    QJsonObject o{{QLatin1String("id"), id},
                  {QLatin1String("action"), action},
                  {QLatin1String("device"), device},
                  {QLatin1String("clientAt"), clientAt},
                  {QLatin1String("baseVersion"), baseVersion}};
    auto put = [&](const char *key, const QString &v) {
        if (!v.isEmpty())
            o.insert(QLatin1String(key), v);
    };
    if (caseId)
        o.insert(QLatin1String("caseId"), caseId);
    put("caseRef", caseRef);
    put("reason", reason);
    put("to", to);
    put("toUnit", toUnit);
    put("toType", toType);
    if (!evidence.isEmpty())
        o.insert(QLatin1String("evidence"), QJsonArray::fromStringList(evidence));
    if (toStage)
        o.insert(QLatin1String("toStage"), toStage);
    if (skip)
        o.insert(QLatin1String("skip"), true);
    if (confirmFiling)
        o.insert(QLatin1String("confirmFiling"), true);
    if (hours)
        o.insert(QLatin1String("hours"), hours);
    put("decision", decision);
    if (duplicateOf)
        o.insert(QLatin1String("duplicateOf"), duplicateOf);
    if (isReport()) {
        o.insert(QLatin1String("category"), category);
        o.insert(QLatin1String("lon"), lon);
        o.insert(QLatin1String("lat"), lat);
        put("address", address);
        o.insert(QLatin1String("description"), description);
        put("party", party);
        put("source", source);
    }
    return o;
}

Result<ClientCommand> ClientCommand::fromJson(const QJsonValue &v, const QString &path)
{
    Fields f(v, path, true);
    ClientCommand c;
    c.id = f.str("id", 64, true);
    if (f.ok() && QUuid::fromString(c.id).isNull())
        f.fail(f.at("id"), Tr::tr("expected a UUID"));
    c.action = f.str("action", 40, true);
    if (f.ok() && !actionFromKey(c.action))
        f.fail(f.at("action"), Tr::tr("unknown action \"%1\"").arg(c.action));
    c.caseId = f.integer("caseId", 0, kMaxId);
    c.caseRef = f.str("caseRef", 64);
    if (f.ok() && !c.caseRef.isEmpty() && QUuid::fromString(c.caseRef).isNull())
        f.fail(f.at("caseRef"), Tr::tr("expected a UUID"));
    c.device = f.str("device", kMaxShortChars, true);
    c.clientAt = f.integer("clientAt", 0, kMaxTime);
    c.baseVersion = int(f.integer("baseVersion", 0, 1000000));
    c.reason = f.str("reason", kMaxTextChars);
    c.to = f.str("to", kMaxShortChars);
    c.toUnit = f.str("toUnit", kMaxShortChars);
    c.toType = f.str("toType", kMaxShortChars);
    c.evidence = f.strList("evidence", kMaxEvidence, 64);
    for (qsizetype i = 0; f.ok() && i < c.evidence.size(); ++i) {
        if (!isSha256Hex(c.evidence.at(i)))
            f.fail(QStringLiteral("%1[%2]").arg(f.at("evidence")).arg(i),
                   Tr::tr("expected a SHA-256 in lowercase hex"));
    }
    c.toStage = int(f.integer("toStage", 0, 3));
    c.skip = f.boolean("skip");
    c.confirmFiling = f.boolean("confirmFiling");
    c.hours = int(f.integer("hours", 0, 100000));
    c.decision = f.str("decision", kMaxShortChars);
    c.duplicateOf = f.integer("duplicateOf", 0, kMaxId);
    const bool report = f.ok() && c.isReport();
    c.category = f.str("category", 16, report);
    c.lon = f.number("lon", -180, 180, report);
    c.lat = f.number("lat", -90, 90, report);
    c.address = f.str("address", kMaxShortChars);
    c.description = f.str("description", kMaxTextChars, report);
    c.party = f.str("party", kMaxShortChars);
    c.source = f.str("source", 20);
    if (f.ok() && !c.source.isEmpty() && !Names::source(c.source))
        f.fail(f.at("source"), Tr::tr("unknown source \"%1\"").arg(c.source));
    if (f.ok() && !report && c.caseId == 0 && c.caseRef.isEmpty())
        f.fail(f.at("caseId"), Tr::tr("is required (or caseRef) for %1").arg(c.action));
    if (f.ok() && c.caseId != 0 && !c.caseRef.isEmpty())
        f.fail(f.at("caseRef"), Tr::tr("give either caseId or caseRef, not both"));
    if (f.ok() && report && (c.caseId != 0 || !c.caseRef.isEmpty()))
        f.fail(f.at("caseId"), Tr::tr("a report creates a new case; leave it out"));
    if (!f.finish())
        return f.error();
    return c;
}

// --- CommandResult ---------------------------------------------------------------------------

QString statusKey(CommandStatus s)
{
    switch (s) {
    case CommandStatus::Applied:
        return QStringLiteral("applied");
    case CommandStatus::Duplicate:
        return QStringLiteral("duplicate");
    case CommandStatus::Rejected:
        return QStringLiteral("rejected");
    }
    return {};
}

std::optional<CommandStatus> statusFromKey(const QString &key)
{
    for (auto s : {CommandStatus::Applied, CommandStatus::Duplicate, CommandStatus::Rejected}) {
        if (statusKey(s) == key)
            return s;
    }
    return std::nullopt;
}

QJsonObject CommandResult::toJson() const
{
    QJsonObject o{{QLatin1String("id"), id},
                  {QLatin1String("status"), statusKey(status)},
                  {QLatin1String("caseId"), caseId},
                  {QLatin1String("version"), version}};
    if (status == CommandStatus::Duplicate)
        o.insert(QLatin1String("original"), statusKey(original));
    if (!reason.isEmpty())
        o.insert(QLatin1String("reason"), reason);
    if (!code.isEmpty())
        o.insert(QLatin1String("code"), code);
    return o;
}

Result<CommandResult> CommandResult::fromJson(const QJsonValue &v, const QString &path)
{
    Fields f(v, path, false);
    CommandResult r;
    r.id = f.str("id", 64, true);
    const QString status = f.str("status", 20, true);
    const QString original = f.str("original", 20);
    r.reason = f.str("reason", kMaxTextChars);
    r.code = f.str("code", kMaxShortChars);
    r.caseId = f.integer("caseId", 0, kMaxId);
    r.version = int(f.integer("version", 0, 1000000));
    if (f.ok()) {
        const auto s = statusFromKey(status);
        const auto o = original.isEmpty() ? s : statusFromKey(original);
        if (!s)
            f.fail(f.at("status"), Tr::tr("unknown status \"%1\"").arg(status));
        else if (!o || *o == CommandStatus::Duplicate)
            f.fail(f.at("original"), Tr::tr("unknown status \"%1\"").arg(original));
        else {
            r.status = *s;
            r.original =
                *s == CommandStatus::Duplicate && original.isEmpty() ? CommandStatus::Applied : *o;
        }
    }
    if (!f.finish())
        return f.error();
    return r;
}

// --- rows and events -------------------------------------------------------------------------

QByteArray CaseRow::toJsonBytes() const
{
    QByteArray out;
    out.reserve(768);
    JsonOut w(out);
    writeRow(w, *this);
    return out;
}

Result<CaseRow> CaseRow::fromJsonBytes(const QByteArray &json)
{
    PullReader r(json);
    CaseRow row;
    readRow(r, &row);
    r.finish();
    if (r.ok() && row.id <= 0)
        r.fail(QStringLiteral("id"), Tr::tr("is required"));
    if (!r.ok())
        return Error{Tr::tr("case: %1").arg(r.error())};
    return row;
}

Result<CaseRow> CaseRow::fromJson(const QJsonValue &v, const QString &path)
{
    Fields f(v, path, false);
    CaseRow r;
    r.id = f.integer("id", 1, kMaxId, true);
    r.category = f.str("category", 16, true);
    r.state = f.str("state", 20, true);
    r.stage = int(f.integer("stage", 0, 3));
    r.priority = int(f.integer("priority", 1, 3, true));
    r.source = f.str("source", 20, true);
    r.streetId = f.optInt("street_id", 0, kMaxId);
    r.communityId = f.optInt("community_id", 0, kMaxId);
    r.gridCode = f.optStr("grid_code", 40);
    r.address = f.str("address", kMaxTextChars);
    r.description = f.str("description", kMaxTextChars);
    r.party = f.optStr("party", kMaxTextChars);
    r.lon = f.number("lon", -180, 180, true);
    r.lat = f.number("lat", -90, 90, true);
    r.reportedAt = f.integer("reported_at", 0, kMaxTime, true);
    r.deadlineAt = f.optInt("deadline_at", 0, kMaxTime);
    r.closedAt = f.optInt("closed_at", 0, kMaxTime);
    r.unitId = f.optInt("unit_id", 0, kMaxId);
    r.assigneeId = f.optInt("assignee_id", 0, kMaxId);
    r.version = int(f.integer("version", 0, 1000000, true));
    r.updatedAt = f.integer("updated_at", 0, kMaxTime, true);
    r.chainHead = f.hex("chain_head", true);
    r.pending = f.optStr("pending", 20);
    r.pendingBy = f.optStr("pending_by", kMaxShortChars);
    r.pendingAt = f.optInt("pending_at", 0, kMaxTime);
    r.pendingToStage = f.optInt("pending_to_stage", 0, 3);
    r.assigneeCode = f.optStr("assignee_code", kMaxShortChars);
    r.handler = f.optStr("handler", kMaxShortChars);
    r.linkedCase = f.optInt("linked_case", 0, kMaxId);
    if (!f.finish())
        return f.error();
    return r;
}

Result<WireEvent> WireEvent::fromJson(const QJsonValue &v, const QString &path)
{
    return readWireEvent(v, path, -1);
}

// --- batches ---------------------------------------------------------------------------------

QByteArray encodeCommands(const QList<ClientCommand> &commands)
{
    QJsonArray a;
    for (const ClientCommand &c : commands)
        a.append(c.toJson());
    return QJsonDocument(QJsonObject{{QLatin1String("commands"), a}})
        .toJson(QJsonDocument::Compact);
}

Result<QList<ClientCommand>> decodeCommands(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    Fields f(*o, QString(), true);
    const QJsonArray a = f.array("commands", true);
    if (!f.finish())
        return f.error();
    if (a.isEmpty())
        return Error{Tr::tr("commands: expected at least one command")};
    if (a.size() > kMaxCommandsPerBatch)
        return Error{
            Tr::tr("commands: more than %1 commands in one batch").arg(kMaxCommandsPerBatch)};
    QList<ClientCommand> out;
    out.reserve(a.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        auto c = ClientCommand::fromJson(a.at(i), QStringLiteral("commands[%1]").arg(i));
        if (!c)
            return Error{c.error()};
        out.append(std::move(c).value());
    }
    return out;
}

QByteArray encodeResults(const QList<CommandResult> &results)
{
    QJsonArray a;
    for (const CommandResult &r : results)
        a.append(r.toJson());
    return QJsonDocument(QJsonObject{{QLatin1String("results"), a}}).toJson(QJsonDocument::Compact);
}

Result<QList<CommandResult>> decodeResults(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    Fields f(*o, QString(), false);
    const QJsonArray a = f.array("results", true);
    if (!f.finish())
        return f.error();
    QList<CommandResult> out;
    for (qsizetype i = 0; i < a.size(); ++i) {
        auto r = CommandResult::fromJson(a.at(i), QStringLiteral("results[%1]").arg(i));
        if (!r)
            return Error{r.error()};
        out.append(std::move(r).value());
    }
    return out;
}

// --- change feed and snapshot ----------------------------------------------------------------

QByteArray encodeChanges(const ChangesPage &page)
{
    QByteArray out;
    out.reserve(1024 + page.changes.size() * 2048);
    JsonOut w(out);
    w.begin();
    w.beginArray("changes");
    for (const Change &c : page.changes) {
        w.beginObjectInArray();
        w.integer("seq", c.seq);
        w.integer("case_id", c.caseId);
        w.integer("prev_version", c.prevVersion);
        w.integer("version", c.version);
        w.integer("at", c.at);
        w.optStr("command_id", c.commandId);
        writeRow(w, "case", c.row);
        writeEvents(w, c.events);
        w.end();
    }
    w.endArray();
    w.integer("cursor", page.cursor);
    w.boolean("more", page.more);
    w.end();
    return out;
}

Result<ChangesPage> decodeChanges(const QByteArray &body)
{
    PullReader r(body);
    ChangesPage page;
    bool sawCursor = false;
    if (r.beginObject()) {
        QByteArrayView key;
        while (r.nextKey(&key)) {
            if (key == "changes") {
                if (!r.beginArray())
                    break;
                while (r.nextElement()) {
                    Change c;
                    if (!r.beginObject())
                        break;
                    while (r.nextKey(&key)) {
                        if (key == "seq")
                            r.integer(&c.seq);
                        else if (key == "case_id")
                            r.integer(&c.caseId);
                        else if (key == "prev_version")
                            r.integer(&c.prevVersion);
                        else if (key == "version")
                            r.integer(&c.version);
                        else if (key == "at")
                            r.integer(&c.at);
                        else if (key == "command_id")
                            r.optText(&c.commandId);
                        else if (key == "case")
                            readRow(r, &c.row);
                        else if (key == "events")
                            readEvents(r, &c.events);
                        else
                            r.skip();
                    }
                    if (r.ok() && (c.seq <= 0 || c.row.id != c.caseId))
                        r.fail(QStringLiteral("changes[%1]").arg(page.changes.size()),
                               Tr::tr("incomplete change"));
                    page.changes.append(std::move(c));
                }
            } else if (key == "cursor") {
                sawCursor = r.integer(&page.cursor);
            } else if (key == "more") {
                r.boolean(&page.more);
            } else {
                r.skip();
            }
        }
    }
    r.finish();
    if (r.ok() && !sawCursor)
        r.fail(QStringLiteral("cursor"), Tr::tr("is required"));
    if (!r.ok())
        return Error{Tr::tr("changes: %1").arg(r.error())};
    return page;
}

QByteArray encodeSnapshot(const SnapshotPage &page)
{
    QByteArray out;
    out.reserve(1024 + page.cases.size() * 4096);
    JsonOut w(out);
    w.begin();
    w.beginArray("cases");
    for (const CaseWithEvents &c : page.cases) {
        w.beginObjectInArray();
        writeRow(w, "case", c.row);
        writeEvents(w, c.events);
        if (c.facts)
            writeFacts(w, *c.facts);
        w.end();
    }
    w.endArray();
    w.integer("next", page.next);
    w.boolean("more", page.more);
    w.integer("cursor", page.cursor);
    w.end();
    return out;
}

SnapshotWriter::SnapshotWriter(qsizetype reserve, Format format)
{
    m_out.reserve(reserve);
    if (format == Format::Binary)
        return;
    m_w = std::make_unique<JsonOut>(m_out);
    m_w->begin();
    m_w->beginArray("cases");
}

SnapshotWriter::~SnapshotWriter() = default;

void SnapshotWriter::columns(const std::vector<const char *> &row,
                             const std::vector<const char *> &events,
                             const std::vector<const char *> &facts)
{
    if (m_w)
        return;
    m_out.append(kBinaryMagic.data(), kBinaryMagic.size());
    for (const auto *table : {&row, &events, &facts}) {
        char n[2];
        qToLittleEndian(quint16(table->size()), n);
        m_out.append(n, 2);
        for (const char *name : *table) {
            const auto length = quint8(std::min<size_t>(std::strlen(name), 255));
            m_out.append(char(length));
            m_out.append(name, length);
        }
    }
}

template <typename T> void SnapshotWriter::put(char tag, T v)
{
    char bytes[1 + sizeof(T)];
    bytes[0] = tag;
    qToLittleEndian(v, bytes + 1);
    m_out.append(bytes, sizeof bytes);
}

void SnapshotWriter::put(char tag, const char *bytes, qsizetype n)
{
    put(tag, quint32(n));
    m_out.append(bytes, n);
}

void SnapshotWriter::beginCase()
{
    if (!m_w)
        return m_out.push_back(tag::Case);
    m_w->beginObjectInArray();
    m_w->beginObject("case");
}

void SnapshotWriter::beginEvents()
{
    if (!m_w)
        return m_out.push_back(tag::Events);
    m_w->end();
    m_w->beginArray("events");
}

void SnapshotWriter::beginEvent()
{
    if (!m_w)
        return m_out.push_back(tag::Event);
    m_w->beginObjectInArray();
}

void SnapshotWriter::endEvent()
{
    if (m_w)
        m_w->end();
}

void SnapshotWriter::beginFacts()
{
    m_inFacts = true;
    if (!m_w) {
        m_out.push_back(tag::End);
        return m_out.push_back(tag::Facts);
    }
    m_w->endArray();
    m_w->beginObject("facts");
}

void SnapshotWriter::endCase()
{
    const bool facts = std::exchange(m_inFacts, false);
    if (!m_w) {
        if (!facts) {
            m_out.push_back(tag::End);
            m_out.push_back(tag::Null);
        }
        return;
    }
    if (facts)
        m_w->end();
    else
        m_w->endArray();
    m_w->end();
}

void SnapshotWriter::integer(const char *key, qint64 v)
{
    if (!m_w)
        return put(tag::Integer, v);
    m_w->integer(key, v);
}

void SnapshotWriter::number(const char *key, double v)
{
    if (!m_w)
        return put(tag::Real, std::bit_cast<quint64>(v));
    m_w->number(key, v);
}

void SnapshotWriter::null(const char *key)
{
    if (!m_w)
        return m_out.push_back(tag::Null);
    m_w->null(key);
}

void SnapshotWriter::text(const char *key, const char *utf8, qsizetype n)
{
    if (!m_w)
        return put(tag::Text, utf8, n);
    m_w->utf8String(key, utf8, n);
}

void SnapshotWriter::hex(const char *key, const char *bytes, qsizetype n)
{
    if (!m_w)
        return put(tag::Blob, bytes, n);
    m_w->hexString(key, bytes, n);
}

QByteArray SnapshotWriter::finish(CaseId next, bool more, qint64 cursor)
{
    if (!m_w) {
        m_out.push_back(tag::End);
        char trailer[17];
        qToLittleEndian(qint64(next), trailer);
        trailer[8] = more ? 1 : 0;
        qToLittleEndian(cursor, trailer + 9);
        m_out.append(trailer, sizeof trailer);
        return std::move(m_out);
    }
    m_w->endArray();
    m_w->integer("next", next);
    m_w->boolean("more", more);
    m_w->integer("cursor", cursor);
    m_w->end();
    return std::move(m_out);
}

Result<SnapshotPage> decodeSnapshot(const QByteArray &body)
{
    PullReader r(body);
    SnapshotPage page;
    bool sawCursor = false;
    if (r.beginObject()) {
        QByteArrayView key;
        while (r.nextKey(&key)) {
            if (key == "cases") {
                if (!r.beginArray())
                    break;
                // About 2.7 KB a case: growing the list would move every case several times.
                page.cases.reserve(std::min<qsizetype>(kMaxSnapshotLimit, body.size() / 1024 + 1));
                while (r.nextElement()) {
                    CaseWithEvents c;
                    if (!r.beginObject())
                        break;
                    while (r.nextKey(&key)) {
                        if (key == "case")
                            readRow(r, &c.row);
                        else if (key == "events")
                            readEvents(r, &c.events);
                        else if (key == "facts")
                            readFacts(r, &c.facts);
                        else
                            r.skip();
                    }
                    if (r.ok() && c.row.id <= 0)
                        r.fail(QStringLiteral("cases[%1].case").arg(page.cases.size()),
                               Tr::tr("is required"));
                    page.cases.append(std::move(c));
                }
            } else if (key == "next") {
                r.integer(&page.next);
            } else if (key == "more") {
                r.boolean(&page.more);
            } else if (key == "cursor") {
                sawCursor = r.integer(&page.cursor);
            } else {
                r.skip();
            }
        }
    }
    r.finish();
    if (r.ok() && !sawCursor)
        r.fail(QStringLiteral("cursor"), Tr::tr("is required"));
    if (!r.ok())
        return Error{Tr::tr("snapshot: %1").arg(r.error())};
    return page;
}

Result<SnapshotPage> decodeSnapshotBinary(const QByteArray &body)
{
    BinaryReader r(body);
    SnapshotPage page;
    if (r.header()) {
        // About 1.2 KB a case: growing the list would move every case several times.
        page.cases.reserve(std::min<qsizetype>(kMaxSnapshotLimit, body.size() / 512 + 1));
        while (r.nextCase()) {
            CaseWithEvents c;
            r.expect(BinaryReader::Row);
            readRow(r, &c.row);
            readEvents(r, &c.events);
            r.expect(BinaryReader::Facts);
            readFacts(r, &c.facts);
            if (r.ok() && c.row.id <= 0)
                r.fail(QStringLiteral("cases[%1].case").arg(page.cases.size()),
                       Tr::tr("is required"));
            if (!r.ok())
                break;
            page.cases.append(std::move(c));
        }
        r.trailer(&page);
    }
    if (!r.ok())
        return Error{Tr::tr("snapshot: %1").arg(r.error())};
    return page;
}

Result<SnapshotPage> decodeSnapshot(const QByteArray &body, QByteArrayView contentType)
{
    QByteArrayView type = contentType;
    if (const auto semicolon = std::find(type.begin(), type.end(), ';'); semicolon != type.end())
        type = type.first(semicolon - type.begin());
    type = type.trimmed();
    if (type.compare(kSnapshotBinaryType, Qt::CaseInsensitive) == 0)
        return decodeSnapshotBinary(body);
    return decodeSnapshot(body);
}

// --- reference data --------------------------------------------------------------------------

const QStringList &referenceTableNames()
{
    // Parents before children; `meta` carries only the district's name.
    static const QStringList names{QStringLiteral("meta"),        QStringLiteral("category_majors"),
                                   QStringLiteral("categories"),  QStringLiteral("streets"),
                                   QStringLiteral("communities"), QStringLiteral("grids"),
                                   QStringLiteral("roads"),       QStringLiteral("units"),
                                   QStringLiteral("users"),       QStringLiteral("cameras")};
    return names;
}

namespace {

QJsonArray tablesJson(const ReferenceData &data)
{
    QJsonArray tables;
    for (const ReferenceTable &t : data.tables) {
        QJsonArray rows;
        for (const QJsonArray &r : t.rows)
            rows.append(r);
        tables.append(QJsonObject{{QLatin1String("name"), t.name},
                                  {QLatin1String("key"), t.key},
                                  {QLatin1String("columns"), QJsonArray::fromStringList(t.columns)},
                                  {QLatin1String("rows"), rows}});
    }
    return tables;
}

} // namespace

QString referenceVersion(const ReferenceData &data)
{
    const QByteArray json = QJsonDocument(tablesJson(data)).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(
        QCryptographicHash::hash(json, QCryptographicHash::Sha256).toHex().left(32));
}

QByteArray encodeReference(const ReferenceData &data)
{
    return QJsonDocument(QJsonObject{{QLatin1String("version"), data.version},
                                     {QLatin1String("tables"), tablesJson(data)}})
        .toJson(QJsonDocument::Compact);
}

Result<ReferenceData> decodeReference(const QByteArray &body)
{
    // Larger than a command batch may be (the grids' outlines); still bounded and depth-checked.
    if (body.size() > kMaxBodyBytes * 16)
        return Error{Tr::tr("reference: larger than %1 bytes").arg(kMaxBodyBytes * 16)};
    if (jsonDepth(body) > kMaxJsonDepth)
        return Error{Tr::tr("reference: nested deeper than %1 levels").arg(kMaxJsonDepth)};
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error{Tr::tr("reference: not a JSON object (%1 at byte %2)")
                         .arg(pe.errorString())
                         .arg(pe.offset)};
    const QJsonObject o = doc.object();
    ReferenceData data;
    data.version = o.value(QLatin1String("version")).toString();
    if (data.version.isEmpty())
        return Error{Tr::tr("reference.version: is required")};
    const QJsonArray tables = o.value(QLatin1String("tables")).toArray();
    for (qsizetype i = 0; i < tables.size(); ++i) {
        const QString at = QStringLiteral("reference.tables[%1]").arg(i);
        const QJsonObject t = tables.at(i).toObject();
        ReferenceTable table;
        table.name = t.value(QLatin1String("name")).toString();
        table.key = t.value(QLatin1String("key")).toString();
        for (const QJsonValue &c : t.value(QLatin1String("columns")).toArray())
            table.columns << c.toString();
        if (table.name.isEmpty() || table.columns.isEmpty() || table.columns.contains(QString()) ||
            !table.columns.contains(table.key))
            return Error{Tr::tr("%1: needs a name, column names and a key among them").arg(at)};
        const QJsonArray rows = t.value(QLatin1String("rows")).toArray();
        table.rows.reserve(rows.size());
        for (qsizetype j = 0; j < rows.size(); ++j) {
            const QJsonArray row = rows.at(j).toArray();
            if (row.size() != table.columns.size())
                return Error{Tr::tr("%1.rows[%2]: expected %3 values")
                                 .arg(at)
                                 .arg(j)
                                 .arg(table.columns.size())};
            for (const QJsonValue &v : row) {
                if (v.isArray() || v.isObject() || v.isUndefined())
                    return Error{
                        Tr::tr("%1.rows[%2]: expected null, numbers and strings").arg(at).arg(j)};
            }
            table.rows.append(row);
        }
        data.tables.append(std::move(table));
    }
    return data;
}

// --- session and errors ----------------------------------------------------------------------

QByteArray encodeLogin(const Login &login)
{
    return QJsonDocument(QJsonObject{{QLatin1String("username"), login.username},
                                     {QLatin1String("password"), login.password}})
        .toJson(QJsonDocument::Compact);
}

Result<Login> decodeLogin(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    Fields f(*o, QString(), true);
    Login l;
    l.username = f.str("username", 64, true);
    l.password = f.str("password", 1024, true);
    if (!f.finish())
        return f.error();
    return l;
}

QByteArray encodeSession(const SessionInfo &s)
{
    return QJsonDocument(QJsonObject{{QLatin1String("token"), s.token},
                                     {QLatin1String("expiresAt"), s.expiresAt},
                                     {QLatin1String("user"), s.user},
                                     {QLatin1String("role"), s.role},
                                     {QLatin1String("person"), s.person},
                                     {QLatin1String("displayName"), s.displayName}})
        .toJson(QJsonDocument::Compact);
}

Result<SessionInfo> decodeSession(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return Error{o.error()};
    Fields f(*o, QString(), false);
    SessionInfo s;
    s.token = f.str("token", 256, true);
    s.expiresAt = f.integer("expiresAt", 0, kMaxTime, true);
    s.user = f.str("user", 64, true);
    s.role = f.str("role", 20, true);
    s.person = f.str("person", kMaxShortChars);
    s.displayName = f.str("displayName", kMaxShortChars);
    if (f.ok() && !Names::role(s.role))
        f.fail(f.at("role"), Tr::tr("unknown role \"%1\"").arg(s.role));
    if (!f.finish())
        return f.error();
    return s;
}

QByteArray encodeError(const ApiError &error)
{
    return QJsonDocument(QJsonObject{{QLatin1String("error"),
                                      QJsonObject{{QLatin1String("code"), error.code},
                                                  {QLatin1String("message"), error.message}}}})
        .toJson(QJsonDocument::Compact);
}

std::optional<ApiError> decodeError(const QByteArray &body)
{
    if (body.size() > kMaxBodyBytes)
        return std::nullopt;
    const QJsonObject e =
        QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    if (!e.value(QLatin1String("code")).isString())
        return std::nullopt;
    return ApiError{e.value(QLatin1String("code")).toString(),
                    e.value(QLatin1String("message")).toString()};
}

} // namespace cityops::sync
