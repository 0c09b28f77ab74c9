#include "catalogue.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace cityops {

bool preferChineseNames()
{
    return QLocale().language() == QLocale::Chinese;
}

QString MajorCategory::displayName() const
{
    return preferChineseNames() ? nameZh : nameEn;
}
QString Category::displayName() const
{
    return preferChineseNames() ? nameZh : nameEn;
}

int Category::limitMinutes(int workingMinutesPerDay) const
{
    return limitUnit == LimitUnit::WorkingHours ? limitValue * 60
                                                : limitValue * workingMinutesPerDay;
}

namespace {

const QStringList kUnitTypes{
    QStringLiteral("sanitation"),    QStringLiteral("municipal"),   QStringLiteral("greening"),
    QStringLiteral("traffic"),       QStringLiteral("enforcement"), QStringLiteral("housing"),
    QStringLiteral("water"),         QStringLiteral("power"),       QStringLiteral("telecom"),
    QStringLiteral("gas"),           QStringLiteral("market"),      QStringLiteral("construction"),
    QStringLiteral("street_office"), QStringLiteral("emergency")};

/** Reads one row; every problem is reported with the row's code (or index if it has none). */
class RowReader
{
public:
    RowReader(const QJsonObject &o, QString label) : m_o(o), m_label(std::move(label)) {}

    QString text(const char *field)
    {
        const QJsonValue v = m_o.value(QLatin1String(field));
        if (!v.isString() || v.toString().trimmed().isEmpty())
            fail(Catalogue::tr("field \"%1\" is missing or empty").arg(QLatin1String(field)));
        return v.toString().trimmed();
    }
    int integer(const char *field, int lo, int hi)
    {
        const QJsonValue v = m_o.value(QLatin1String(field));
        const double d = v.toDouble(-1e9);
        // The range first: converting a double outside int's range is undefined behaviour.
        if (!v.isDouble() || d < lo || d > hi || d != std::trunc(d)) {
            fail(Catalogue::tr("field \"%1\" must be a whole number from %2 to %3")
                     .arg(QLatin1String(field))
                     .arg(lo)
                     .arg(hi));
            return lo;
        }
        return static_cast<int>(d);
    }
    void fail(const QString &msg)
    {
        if (m_error.isEmpty())
            m_error = Catalogue::tr("%1: %2").arg(m_label, msg);
    }
    const QString &error() const { return m_error; }
    const QJsonObject &object() const { return m_o; }

private:
    QJsonObject m_o;
    QString m_label;
    QString m_error;
};

} // namespace

Result<Catalogue> Catalogue::fromJson(const QByteArray &json)
{
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error{tr("catalogue is not valid JSON at offset %1: %2")
                         .arg(pe.offset)
                         .arg(pe.errorString())};
    if (!doc.isObject())
        return Error{tr("catalogue must be a JSON object")};
    const QJsonObject root = doc.object();
    if (!root.value(QLatin1String("majors")).isArray() ||
        !root.value(QLatin1String("subcategories")).isArray())
        return Error{tr("catalogue needs the arrays \"majors\" and \"subcategories\"")};

    Catalogue cat;
    cat.m_version = root.value(QLatin1String("version")).toInt(0);
    static const QRegularExpression majorRe(QStringLiteral("^[FE][0-9]{2}$"));
    static const QRegularExpression subRe(QStringLiteral("^[FE][0-9]{4}$"));

    QSet<QString> majorCodes;
    const QJsonArray majors = root.value(QLatin1String("majors")).toArray();
    for (qsizetype i = 0; i < majors.size(); ++i) {
        const QJsonObject o = majors.at(i).toObject();
        const QString code = o.value(QLatin1String("code")).toString();
        RowReader r(o, code.isEmpty() ? tr("major #%1").arg(i + 1) : tr("major %1").arg(code));
        MajorCategory m;
        m.code = r.text("code");
        if (!majorRe.match(m.code).hasMatch())
            r.fail(tr("code must be F or E followed by two digits"));
        const QString kind = r.text("kind");
        if (kind != QLatin1String("facility") && kind != QLatin1String("event"))
            r.fail(tr("kind must be \"facility\" or \"event\""));
        m.kind = kind == QLatin1String("facility") ? CategoryKind::Facility : CategoryKind::Event;
        if ((m.kind == CategoryKind::Facility) != m.code.startsWith(QLatin1Char('F')))
            r.fail(tr("code prefix does not match kind"));
        m.nameZh = r.text("name_zh");
        m.nameEn = r.text("name_en");
        if (majorCodes.contains(m.code))
            r.fail(tr("duplicate code"));
        if (!r.error().isEmpty())
            return Error{r.error()};
        majorCodes.insert(m.code);
        cat.m_majors.append(m);
    }

    const QJsonArray subs = root.value(QLatin1String("subcategories")).toArray();
    for (qsizetype i = 0; i < subs.size(); ++i) {
        const QJsonObject o = subs.at(i).toObject();
        const QString code = o.value(QLatin1String("code")).toString();
        RowReader r(o, code.isEmpty() ? tr("subcategory #%1").arg(i + 1)
                                      : tr("subcategory %1").arg(code));
        Category c;
        c.code = r.text("code");
        if (!c.code.isEmpty() && !subRe.match(c.code).hasMatch())
            r.fail(tr("code must be F or E followed by four digits"));
        c.majorCode = r.text("major");
        if (!c.majorCode.isEmpty() && !majorCodes.contains(c.majorCode))
            r.fail(tr("major category %1 does not exist").arg(c.majorCode));
        else if (!c.code.startsWith(c.majorCode))
            r.fail(tr("code does not start with its major code %1").arg(c.majorCode));
        c.kind = c.code.startsWith(QLatin1Char('F')) ? CategoryKind::Facility : CategoryKind::Event;
        c.nameZh = r.text("name_zh");
        c.nameEn = r.text("name_en");
        c.filingCondition = r.text("filing_condition");
        c.closureCondition = r.text("closure_condition");
        const QString unit = r.text("limit_unit");
        if (unit == QLatin1String("working_hours")) {
            c.limitUnit = LimitUnit::WorkingHours;
            c.limitValue = r.integer("limit_value", 1, 48);
        } else if (unit == QLatin1String("working_days")) {
            c.limitUnit = LimitUnit::WorkingDays;
            c.limitValue = r.integer("limit_value", 1, 60);
        } else if (!unit.isEmpty()) {
            r.fail(tr("limit_unit must be \"working_hours\" or \"working_days\""));
        }
        c.responsibleUnit = r.text("responsible_unit");
        if (!c.responsibleUnit.isEmpty() && !kUnitTypes.contains(c.responsibleUnit))
            r.fail(tr("unknown responsible_unit \"%1\"").arg(c.responsibleUnit));
        c.frequency = r.text("frequency");
        if (!QStringList{QStringLiteral("high"), QStringLiteral("medium"), QStringLiteral("low")}
                 .contains(c.frequency))
            r.fail(tr("frequency must be high, medium or low"));
        c.priority = r.integer("priority", 1, 3);
        const QJsonValue ladder = o.value(QLatin1String("ladder"));
        if (ladder.isObject()) {
            RowReader lr(ladder.toObject(), tr("subcategory %1 ladder").arg(c.code));
            LadderLimits l;
            l.noticeHours = lr.integer("notice_hours", 1, 24);
            l.persuasionDays = lr.integer("persuasion_days", 1, 10);
            l.enforcementDays = lr.integer("enforcement_days", 1, 30);
            if (!lr.error().isEmpty())
                return Error{lr.error()};
            c.ladder = l;
        } else if (!ladder.isNull()) {
            r.fail(tr("field \"ladder\" must be an object or null"));
        }
        if (cat.m_index.contains(c.code))
            r.fail(tr("duplicate code"));
        if (!r.error().isEmpty())
            return Error{r.error()};
        cat.m_index.insert(c.code, cat.m_categories.size());
        cat.m_categories.append(c);
    }
    if (cat.m_categories.isEmpty())
        return Error{tr("catalogue has no subcategories")};
    return cat;
}

Result<Catalogue> Catalogue::fromFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{tr("cannot read catalogue %1: %2").arg(path, f.errorString())};
    auto r = fromJson(f.readAll());
    if (!r)
        return Error{tr("%1: %2").arg(path, r.error())};
    return r;
}

const Catalogue &Catalogue::builtin()
{
    static const Catalogue cat = [] {
        auto r = fromFile(QStringLiteral(":/catalogue/categories.json"));
        if (!r)
            qFatal("built-in catalogue is invalid: %s", qPrintable(r.error()));
        return std::move(r).value();
    }();
    return cat;
}

const Category *Catalogue::find(const QString &code) const
{
    const auto it = m_index.constFind(code);
    return it == m_index.constEnd() ? nullptr : &m_categories.at(*it);
}

const MajorCategory *Catalogue::findMajor(const QString &code) const
{
    for (const auto &m : m_majors) {
        if (m.code == code)
            return &m;
    }
    return nullptr;
}

} // namespace cityops
