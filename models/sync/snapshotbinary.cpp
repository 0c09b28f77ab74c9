#include "protocol.h"

#include "jsonwriter.h"
#include "protocol_p.h"

#include <QtEndian>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

// The binary snapshot page (kSnapshotBinaryType): its reader, SnapshotWriter (which writes it, or
// the JSON page through JsonOut) and decodeSnapshot() by content type. The JSON page's encoder and
// decoder are in protocol.cpp with the other messages.
namespace cityops::sync {

using namespace detail;

namespace {

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

} // namespace

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

} // namespace cityops::sync
