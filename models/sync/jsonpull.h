#pragma once

#include "protocol_p.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <charconv>
#include <cstring>
#include <vector>

// Internal to the wire protocol's sources (protocol.cpp).
namespace cityops::sync::detail {

/** A lowercase hex digit's value, or 0x10 for any other byte. */
inline constexpr auto kHexValue = [] {
    std::array<unsigned char, 256> t{};
    for (unsigned c = 0; c < 256; ++c)
        t[c] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0x10;
    return t;
}();

/**
 * Bulk decoding (snapshot pages and the change feed): a pull reader over the UTF-8 text that fills
 * the structs directly. A DOM (QJsonDocument) costs several times more for pages of thousands of
 * rows, and this is the console's first sync.
 */
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

} // namespace cityops::sync::detail
