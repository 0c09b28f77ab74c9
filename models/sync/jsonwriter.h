#pragma once

#include <QByteArray>
#include <QLocale>
#include <QString>

#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>

// Internal to the wire protocol's sources (protocol.cpp, snapshotbinary.cpp); protocol.h names
// JsonOut only as the JSON back end of SnapshotWriter.
namespace cityops::sync {

/**
 * Compact JSON into a QByteArray: a small writer instead of QJsonObject, because snapshot pages
 * carry hundreds of thousands of fields and building a DOM per row costs more than the database
 * read.
 */
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

} // namespace cityops::sync
