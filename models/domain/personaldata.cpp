#include "personaldata.h"

#include "sync/jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QList>
#include <QRegularExpression>

#include <algorithm>
#include <utility>

namespace cityops {

namespace {

constexpr QChar kStar = QLatin1Char('*');

/** A masked digit counts as a digit, so that masking a masked value changes nothing. */
bool isDigitLike(QChar c)
{
    return (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == kStar;
}

bool isPhoneSeparator(QChar c)
{
    return c == QLatin1Char(' ') || c == QLatin1Char('-') || c == QLatin1Char('.') ||
           c == QLatin1Char('(') || c == QLatin1Char(')');
}

/**
 * The digits of a phone-like value (separators dropped, a leading + or 00 with 86 taken off a
 * mobile number), or nothing when the value holds anything else.
 */
std::optional<QString> phoneDigits(const QString &value)
{
    QString digits;
    digits.reserve(value.size());
    for (qsizetype i = 0; i < value.size(); ++i) {
        const QChar c = value.at(i);
        if (isDigitLike(c))
            digits += c;
        else if (c == QLatin1Char('+') && digits.isEmpty())
            continue;
        else if (!isPhoneSeparator(c))
            return std::nullopt;
    }
    for (const QLatin1String prefix : {QLatin1String("0086"), QLatin1String("86")}) {
        if (digits.size() == prefix.size() + 11 && digits.startsWith(prefix) &&
            digits.at(prefix.size()) == QLatin1Char('1'))
            return digits.mid(prefix.size());
    }
    return digits;
}

bool isMobile(const QString &digits)
{
    if (digits.size() != 11 || digits.at(0) != QLatin1Char('1'))
        return false;
    const QChar second = digits.at(1);
    return second == kStar || (second >= QLatin1Char('3') && second <= QLatin1Char('9'));
}

QString stars(qsizetype n)
{
    return QString(std::max<qsizetype>(n, 0), kStar);
}

/** First 3 and last 2 digits of a digit string of 7 or more. */
QString maskDigits(const QString &digits)
{
    return digits.left(3) + stars(digits.size() - 5) + digits.right(2);
}

/** The first character, then one `*` per remaining character; one character becomes `*`. */
QString maskOther(const QString &value)
{
    const QList<uint> cps = value.toUcs4();
    if (cps.size() <= 1)
        return cps.isEmpty() ? QString() : QString(kStar);
    const char32_t first = cps.first();
    return QString::fromUcs4(&first, 1) + stars(cps.size() - 1);
}

bool hasHan(const QString &value)
{
    for (const uint cp : value.toUcs4()) {
        if (QChar::script(cp) == QChar::Script_Han)
            return true;
    }
    return false;
}

/** 17 digits, then a digit or X, with `*` standing for a masked digit. */
bool isResidentId(const QString &value)
{
    if (value.size() != 18)
        return false;
    for (qsizetype i = 0; i < 17; ++i) {
        if (!isDigitLike(value.at(i)))
            return false;
    }
    const QChar last = value.at(17);
    return isDigitLike(last) || last == QLatin1Char('X') || last == QLatin1Char('x');
}

// ---- Payloads ----

/** JSON string literal for `s`, UTF-8, the escapes RFC 8259 requires (the wire's writer). */
QByteArray quote(const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    sync::JsonOut::quote(out, utf8.constData(), utf8.size());
    return out;
}

/**
 * Rewrites a JSON object in place, member by member, so that order, spacing and the bytes of
 * every untouched object stay as they were (QJsonObject would sort the keys). The input has been
 * validated by QJsonDocument; a surprise all the same makes run() fail, and the caller fails
 * closed.
 */
class PayloadRewriter
{
public:
    PayloadRewriter(Role role, const QByteArray &json)
        : m_role(role), m_begin(json.constData()), m_p(json.constData()),
          m_end(json.constData() + json.size()),
          m_freeText(PersonalData::exposure(role, PersonalField::Phone) != Exposure::Full ||
                     PersonalData::exposure(role, PersonalField::IdNumber) != Exposure::Full)
    {}

    enum class Result
    {
        Unchanged,
        Changed,
        Failed
    };

    Result run(QByteArray &out)
    {
        if (m_end - m_p >= 3 && QByteArrayView(m_p, 3) == QByteArrayView("\xEF\xBB\xBF"))
            m_p += 3;
        ws();
        if (peek() != '{')
            return Result::Failed;
        out.append(m_begin, m_p - m_begin);
        const bool changed = object(std::nullopt, out);
        const char *tail = m_p;
        ws();
        if (!m_ok || m_p != m_end)
            return Result::Failed;
        out.append(tail, m_end - tail);
        return changed ? Result::Changed : Result::Unchanged;
    }

private:
    char peek() const { return m_p < m_end ? *m_p : '\0'; }

    void ws()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }

    void fail()
    {
        m_ok = false;
        m_p = m_end;
    }

    /** At a '"': moves past the closing quote. */
    void skipString()
    {
        ++m_p;
        while (m_p < m_end && *m_p != '"')
            m_p += (*m_p == '\\') ? 2 : 1;
        if (m_p >= m_end)
            return fail();
        ++m_p;
    }

    /** Moves past a number, true, false or null. */
    void skipScalar()
    {
        const char *start = m_p;
        while (m_p < m_end && *m_p != ',' && *m_p != '}' && *m_p != ']' && *m_p != ' ' &&
               *m_p != '\t' && *m_p != '\n' && *m_p != '\r')
            ++m_p;
        if (m_p == start)
            fail();
    }

    /** The text of the string literal [begin, end), quotes included. */
    static QString decode(const char *begin, const char *end)
    {
        const QByteArrayView inner(begin + 1, end - begin - 2);
        if (!inner.contains('\\'))
            return QString::fromUtf8(inner);
        QByteArray wrapped;
        wrapped.reserve(end - begin + 2);
        wrapped += '[';
        wrapped.append(begin, end - begin);
        wrapped += ']';
        return QJsonDocument::fromJson(wrapped).array().at(0).toString();
    }

    /**
     * Appends the value at m_p to `out`, rewritten or as it was; true when rewritten. Inside the
     * value of a masked personal field (`masked`), every string and number is masked as that
     * field.
     */
    bool value(std::optional<PersonalField> masked, QByteArray &out)
    {
        const char *start = m_p;
        switch (peek()) {
        case '{':
            return object(masked, out);
        case '[':
            return array(masked, out);
        case '"': {
            skipString();
            if (m_ok && masked)
                return replace(start, PersonalData::mask(*masked, decode(start, m_p)), out);
            break;
        }
        default: {
            skipScalar();
            const QByteArrayView text(start, m_p - start);
            const bool isNumber = !text.isEmpty() && (text.front() == '-' ||
                                                      (text.front() >= '0' && text.front() <= '9'));
            if (m_ok && masked && isNumber) {
                out += quote(PersonalData::mask(*masked, QString::fromLatin1(text)));
                return true;
            }
            break;
        }
        }
        out.append(start, m_p - start);
        return false;
    }

    /** Appends the string literal [start, m_p) or `text` in its place, if that differs. */
    bool replace(const char *start, const QString &text, QByteArray &out)
    {
        if (text == decode(start, m_p)) {
            out.append(start, m_p - start);
            return false;
        }
        out += quote(text);
        return true;
    }

    bool object(std::optional<PersonalField> masked, QByteArray &out)
    {
        const char *start = m_p;
        ++m_p;
        QByteArray rewritten("{");
        bool changed = false;
        bool first = true;
        ws();
        if (peek() == '}') {
            ++m_p;
            out.append(start, m_p - start);
            return false;
        }
        while (m_ok) {
            ws();
            const char *memberStart = m_p;
            if (peek() != '"') {
                fail();
                return false;
            }
            skipString();
            if (!m_ok)
                return false;
            const QString key = decode(memberStart, m_p);
            ws();
            if (peek() != ':') {
                fail();
                return false;
            }
            ++m_p;
            ws();
            const char *valueStart = m_p;
            QByteArray newValue;
            bool memberChanged = false;
            bool drop = false;
            if (const std::optional<PersonalField> field = PersonalData::payloadField(key)) {
                Exposure e = PersonalData::exposure(m_role, *field);
                if (e == Exposure::Full && masked) // inside a masked value nothing is in full
                    e = Exposure::Masked;
                if (e == Exposure::Masked) {
                    memberChanged = value(*field, newValue);
                } else {
                    value(std::nullopt, newValue);
                    drop = e == Exposure::Absent;
                }
            } else if (!masked && m_freeText && peek() == '"' && PersonalData::isFreeTextKey(key)) {
                skipString();
                if (m_ok) {
                    memberChanged = replace(
                        valueStart, PersonalData::maskFreeText(decode(valueStart, m_p)), newValue);
                }
            } else {
                memberChanged = value(masked, newValue);
            }
            if (!m_ok)
                return false;
            if (drop) {
                changed = true;
            } else {
                if (!first)
                    rewritten += ',';
                first = false;
                if (memberChanged) {
                    rewritten.append(memberStart, valueStart - memberStart);
                    rewritten += newValue;
                    changed = true;
                } else {
                    rewritten.append(memberStart, m_p - memberStart);
                }
            }
            ws();
            if (peek() == ',') {
                ++m_p;
                continue;
            }
            if (peek() == '}') {
                ++m_p;
                break;
            }
            fail();
            return false;
        }
        rewritten += '}';
        if (changed)
            out += rewritten;
        else
            out.append(start, m_p - start);
        return changed;
    }

    bool array(std::optional<PersonalField> masked, QByteArray &out)
    {
        const char *start = m_p;
        ++m_p;
        QByteArray rewritten("[");
        bool changed = false;
        ws();
        if (peek() == ']') {
            ++m_p;
            out.append(start, m_p - start);
            return false;
        }
        while (m_ok) {
            ws();
            if (rewritten.size() > 1)
                rewritten += ',';
            changed = value(masked, rewritten) || changed;
            ws();
            if (peek() == ',') {
                ++m_p;
                continue;
            }
            if (peek() == ']') {
                ++m_p;
                break;
            }
            fail();
            return false;
        }
        rewritten += ']';
        if (changed)
            out += rewritten;
        else
            out.append(start, m_p - start);
        return changed;
    }

    Role m_role;
    const char *m_begin;
    const char *m_p;
    const char *m_end;
    bool m_freeText; ///< free text is masked for roles that do not see every number in full
    bool m_ok = true;
};

} // namespace

QString PersonalData::key(PersonalField f)
{
    switch (f) {
    case PersonalField::PartyName:
        return QStringLiteral("party_name");
    case PersonalField::Phone:
        return QStringLiteral("phone");
    case PersonalField::IdNumber:
        return QStringLiteral("id_number");
    case PersonalField::ReporterContact:
        return QStringLiteral("reporter_contact");
    }
    return {};
}

std::optional<PersonalField> PersonalData::field(const QString &key)
{
    for (const PersonalField f : kAllPersonalFields) {
        if (PersonalData::key(f) == key)
            return f;
    }
    return std::nullopt;
}

QString PersonalData::key(Exposure e)
{
    switch (e) {
    case Exposure::Full:
        return QStringLiteral("full");
    case Exposure::Masked:
        return QStringLiteral("masked");
    case Exposure::Absent:
        return QStringLiteral("absent");
    }
    return {};
}

bool PersonalData::mayUnmask(Role role)
{
    return role == Role::Supervisor || role == Role::Enforcement;
}

bool PersonalData::mayUnmask(Role role, PersonalField f)
{
    return mayUnmask(role) && exposure(role, f) == Exposure::Masked;
}

QString PersonalData::apply(Role role, PersonalField f, const QString &value)
{
    switch (exposure(role, f)) {
    case Exposure::Full:
        return value;
    case Exposure::Masked:
        return mask(f, value);
    case Exposure::Absent:
        break;
    }
    return {};
}

QString PersonalData::mask(PersonalField f, const QString &value)
{
    switch (f) {
    case PersonalField::PartyName:
        return maskName(value);
    case PersonalField::Phone:
        return maskPhone(value);
    case PersonalField::IdNumber:
        return maskIdNumber(value);
    case PersonalField::ReporterContact:
        return maskContact(value);
    }
    return maskOther(value.trimmed());
}

QString PersonalData::maskPhone(const QString &value)
{
    const QString v = value.trimmed();
    const std::optional<QString> digits = phoneDigits(v);
    if (!digits || digits->size() < 7)
        return maskOther(v);
    if (isMobile(*digits))
        return digits->left(3) + stars(4) + digits->right(4);
    return maskDigits(*digits);
}

QString PersonalData::maskIdNumber(const QString &value)
{
    QString v = value.trimmed();
    v.remove(QLatin1Char(' '));
    if (isResidentId(v))
        return v.left(6) + stars(8) + v.right(4);
    if (v.size() >= 7 && std::all_of(v.cbegin(), v.cend(), isDigitLike))
        return maskDigits(v);
    return maskOther(v);
}

QString PersonalData::maskName(const QString &value)
{
    const QString v = value.trimmed();
    if (v.isEmpty() || hasHan(v))
        return maskOther(v);
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    const QStringList words = v.split(spaces, Qt::SkipEmptyParts);
    if (words.size() == 1)
        return maskOther(v);
    QStringList masked;
    masked.reserve(words.size());
    for (const QString &w : words) {
        // A one-letter word is an initial already; maskOther would make it a bare "*".
        masked += w.toUcs4().size() == 1 ? w : maskOther(w);
    }
    return masked.join(QLatin1Char(' '));
}

QString PersonalData::maskContact(const QString &value)
{
    const QString v = value.trimmed();
    if (const qsizetype at = v.indexOf(QLatin1Char('@')); at > 0 && at < v.size() - 1) {
        const QList<uint> local = QStringView(v).left(at).toUcs4();
        const char32_t first = local.first();
        return QString::fromUcs4(&first, 1) + stars(3) + v.mid(at);
    }
    QString compact = v;
    compact.remove(QLatin1Char(' '));
    if (isResidentId(compact))
        return maskIdNumber(v);
    if (phoneDigits(v))
        return maskPhone(v);
    return maskName(v);
}

QString PersonalData::maskFreeText(const QString &text)
{
    // One pass, ID numbers first: an ID holds 11-digit runs that would look like a mobile.
    static const QRegularExpression numbers(QStringLiteral(
        "(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])" // resident ID number
        "|(?<![0-9+])(?:(?:\\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])" // mobile
        "|(?<![0-9])0[0-9]{2,3}[ -]?[0-9]{7,8}(?![0-9])"));                        // landline
    QString out;
    qsizetype done = 0;
    QRegularExpressionMatchIterator it = numbers.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(text).mid(done, m.capturedStart() - done);
        const QString found = m.captured();
        out += found.size() == 18 && isResidentId(found) ? maskIdNumber(found) : maskPhone(found);
        done = m.capturedEnd();
    }
    if (done == 0)
        return text;
    out += QStringView(text).mid(done);
    return out;
}

std::optional<PersonalField> PersonalData::payloadField(QStringView key)
{
    static constexpr std::pair<const char *, PersonalField> kKeys[] = {
        {"party", PersonalField::PartyName},
        {"party_name", PersonalField::PartyName},
        {"phone", PersonalField::Phone},
        {"party_phone", PersonalField::Phone},
        {"contact_phone", PersonalField::Phone},
        {"id_number", PersonalField::IdNumber},
        {"party_id_number", PersonalField::IdNumber},
        {"reporter", PersonalField::ReporterContact},
        {"reporter_contact", PersonalField::ReporterContact},
        {"email", PersonalField::ReporterContact},
    };
    for (const auto &[name, f] : kKeys) {
        if (key == QLatin1String(name))
            return f;
    }
    return std::nullopt;
}

bool PersonalData::isFreeTextKey(QStringView key)
{
    return key == QLatin1String("description") || key == QLatin1String("note") ||
           key == QLatin1String("reason") || key == QLatin1String("comment");
}

QByteArray PersonalData::applyToPayload(Role role, const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return json;
    QByteArray out;
    out.reserve(json.size());
    switch (PayloadRewriter(role, json).run(out)) {
    case PayloadRewriter::Result::Unchanged:
        return json;
    case PayloadRewriter::Result::Changed:
        return out;
    case PayloadRewriter::Result::Failed:
        break;
    }
    // A JSON object the scanner could not follow: send nothing rather than what may be personal.
    return QByteArrayLiteral("{}");
}

} // namespace cityops
