// The category catalogue and the working-time calendar: shipped data loads, bad data is named.
#include "domain/catalogue.h"
#include "domain/workcalendar.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>
#include <QTimeZone>

using namespace cityops;

namespace {
qint64 shanghai(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate)
        .toTimeZone(QTimeZone(8 * 3600))
        .toMSecsSinceEpoch();
}
qint64 at(int y, int m, int d, int h, int min)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), QTimeZone(8 * 3600)).toMSecsSinceEpoch();
}
} // namespace

class TestCatalogue : public QObject
{
    Q_OBJECT

    static QJsonObject shipped()
    {
        QFile f(QStringLiteral(":/catalogue/categories.json"));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("no catalogue");
        return QJsonDocument::fromJson(f.readAll()).object();
    }

private slots:
    void shippedCatalogueIsComplete()
    {
        const Catalogue &cat = Catalogue::builtin();
        QVERIFY(cat.categories().size() >= 60);
        QVERIFY(cat.majors().size() >= 8);
        QSet<QString> majorsUsed;
        int facilities = 0, ladders = 0;
        for (const Category &c : cat.categories()) {
            majorsUsed.insert(c.majorCode);
            QVERIFY(!c.nameZh.isEmpty() && !c.nameEn.isEmpty());
            QVERIFY(!c.filingCondition.isEmpty() && !c.closureCondition.isEmpty());
            QVERIFY(c.limitValue > 0);
            QVERIFY(!c.responsibleUnit.isEmpty());
            facilities += c.kind == CategoryKind::Facility;
            ladders += c.ladder.has_value();
        }
        QVERIFY(majorsUsed.size() >= 8);
        QVERIFY(facilities > 0 && facilities < cat.categories().size());
        QVERIFY(ladders >= 4);
        // The typical street-order violations run the escalation ladder.
        for (const char *name : {"占道经营", "无照经营游商", "跨门营业", "乱设摊"}) {
            const auto it = std::find_if(
                cat.categories().begin(), cat.categories().end(),
                [&](const Category &c) { return c.nameZh == QString::fromUtf8(name); });
            QVERIFY2(it != cat.categories().end(), name);
            QVERIFY2(it->ladder.has_value(), name);
            QCOMPARE(it->majorCode, QStringLiteral("E04"));
        }
        QVERIFY(cat.find(QStringLiteral("E0401")));
        QVERIFY(!cat.find(QStringLiteral("E9999")));
    }

    void brokenCatalogueNamesTheRow_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expect");
        QTest::newRow("duplicate code") << "code" << QJsonValue("E0401") << "E0401: duplicate code";
        QTest::newRow("missing Chinese name") << "name_zh" << QJsonValue("") << "name_zh";
        QTest::newRow("missing closure condition")
            << "closure_condition" << QJsonValue() << "closure_condition";
        QTest::newRow("bad limit unit") << "limit_unit" << QJsonValue("fortnights") << "limit_unit";
        QTest::newRow("limit out of range") << "limit_value" << QJsonValue(0) << "limit_value";
        QTest::newRow("unknown unit type")
            << "responsible_unit" << QJsonValue("aliens") << "aliens";
        QTest::newRow("unknown major") << "major" << QJsonValue("E77") << "E77";
        QTest::newRow("bad code format") << "code" << QJsonValue("E41") << "four digits";
        QTest::newRow("ladder not an object") << "ladder" << QJsonValue("yes") << "ladder";
        // Found by fuzz_catalogue: a number beyond int's range was converted before the range
        // check (undefined behaviour, an abort under UBSan).
        QTest::newRow("limit beyond int") << "limit_value" << QJsonValue(1e20) << "limit_value";
        QTest::newRow("priority below int") << "priority" << QJsonValue(-3e9) << "priority";
    }
    void brokenCatalogueNamesTheRow()
    {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expect);
        QJsonObject root = shipped();
        QJsonArray subs = root.value(QLatin1String("subcategories")).toArray();
        // E0402 sits in the same major as E0401, so only the field under test is wrong.
        int victim = 0;
        while (subs.at(victim).toObject().value(QLatin1String("code")).toString() !=
               QLatin1String("E0402"))
            ++victim;
        QJsonObject row = subs.at(victim).toObject();
        const QString code = row.value(QLatin1String("code")).toString();
        if (value.isUndefined() || value.isNull())
            row.remove(field);
        else
            row.insert(field, value);
        subs.replace(victim, row);
        root.insert(QLatin1String("subcategories"), subs);
        const auto r = Catalogue::fromJson(QJsonDocument(root).toJson());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains(expect), qPrintable(r.error()));
        // The bad row is named by its code (or the code it claims).
        const QString named = field == QLatin1String("code") ? value.toString() : code;
        QVERIFY2(r.error().contains(named), qPrintable(r.error()));
    }

    void notJsonIsRejected()
    {
        QVERIFY(!Catalogue::fromJson("{\"majors\": [").ok());
        QVERIFY(!Catalogue::fromJson("[]").ok());
        QVERIFY(!Catalogue::fromJson("{\"majors\": [], \"subcategories\": []}").ok());
    }

    void calendarKnowsHolidaysAndMakeUpDays_data()
    {
        QTest::addColumn<QDate>("day");
        QTest::addColumn<bool>("working");
        QTest::newRow("ordinary Monday") << QDate(2026, 11, 23) << true;
        QTest::newRow("Saturday") << QDate(2026, 11, 28) << false;
        QTest::newRow("National Day") << QDate(2026, 10, 1) << false;
        QTest::newRow("National Day week Wednesday") << QDate(2026, 10, 7) << false;
        QTest::newRow("make-up Saturday after National Day") << QDate(2026, 10, 10) << true;
        QTest::newRow("make-up Sunday before National Day") << QDate(2026, 9, 20) << true;
        QTest::newRow("Spring Festival weekday") << QDate(2026, 2, 18) << false;
    }
    void calendarKnowsHolidaysAndMakeUpDays()
    {
        QFETCH(QDate, day);
        QFETCH(bool, working);
        const qint64 local = day.toJulianDay() - QDate(1970, 1, 1).toJulianDay();
        QCOMPARE(WorkCalendar::builtin().isWorkingDay(local), working);
    }

    void workingMinutesSkipNightsWeekendsAndHolidays_data()
    {
        QTest::addColumn<qint64>("start");
        QTest::addColumn<qint64>("minutes");
        QTest::addColumn<qint64>("expected");
        // Working periods 09:00-12:00 and 13:00-18:00.
        QTest::newRow("inside the morning")
            << at(2026, 11, 23, 9, 30) << qint64(60) << at(2026, 11, 23, 10, 30);
        QTest::newRow("over lunch")
            << at(2026, 11, 23, 11, 30) << qint64(60) << at(2026, 11, 23, 13, 30);
        QTest::newRow("overnight")
            << at(2026, 11, 23, 17, 0) << qint64(120) << at(2026, 11, 24, 10, 0);
        QTest::newRow("reported at night")
            << at(2026, 11, 23, 22, 0) << qint64(30) << at(2026, 11, 24, 9, 30);
        QTest::newRow("over a weekend")
            << at(2026, 11, 27, 17, 0) << qint64(120) << at(2026, 11, 30, 10, 0);
        QTest::newRow("over National Day to the make-up Saturday")
            << at(2026, 9, 30, 17, 0) << qint64(120) << at(2026, 10, 8, 10, 0);
        QTest::newRow("into the make-up Saturday")
            << at(2026, 10, 9, 17, 0) << qint64(120) << at(2026, 10, 10, 10, 0);
        QTest::newRow("one working day")
            << at(2026, 11, 23, 9, 0) << qint64(480) << at(2026, 11, 23, 18, 0);
    }
    void workingMinutesSkipNightsWeekendsAndHolidays()
    {
        QFETCH(qint64, start);
        QFETCH(qint64, minutes);
        QFETCH(qint64, expected);
        const WorkCalendar &cal = WorkCalendar::builtin();
        QCOMPARE(cal.addWorkingMinutes(start, minutes), expected);
        QCOMPARE(cal.workingMinutesBetween(start, expected), minutes);
        QCOMPARE(cal.workingMinutesBetween(expected, start), -minutes);
    }

    void badCalendarIsRejected()
    {
        QVERIFY(!WorkCalendar::fromJson("{\"work_periods\": []}").ok());
        QVERIFY(!WorkCalendar::fromJson("{\"work_periods\": [[\"18:00\", \"09:00\"]]}").ok());
        const auto r = WorkCalendar::fromJson(
            "{\"work_periods\": [[\"09:00\", \"17:00\"]], \"holidays\": [\"2026-02-30\"]}");
        QVERIFY(!r.ok());
        QVERIFY(r.error().contains(QLatin1String("2026-02-30")));
        Q_UNUSED(shanghai);
    }
};

QTEST_GUILESS_MAIN(TestCatalogue)
#include "tst_catalogue.moc"
