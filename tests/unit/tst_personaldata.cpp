// The personal-data policy (issue 19): the role × field table as written in docs/security.md, the
// mask formats, free text, and event payloads as each role is sent them.
#include "domain/personaldata.h"
#include "domain/types.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTest>

#include <algorithm>
#include <tuple>

using namespace cityops;

namespace {

constexpr Exposure F = Exposure::Full;
constexpr Exposure M = Exposure::Masked;
constexpr Exposure A = Exposure::Absent;

QByteArray utf8(const char *s)
{
    return QByteArray(s);
}

QString str(const char *s)
{
    return QString::fromUtf8(s);
}

/** A payload with every kind of personal value, keys deliberately not in sorted order. */
constexpr char kFullPayload[] =
    R"({"stage":2,"party":"张三","phone":"13812345678","id_number":"11010119900307123X",)"
    R"("reporter":"zhang.san@example.com","description":"摊主电话13812345678，仍在占道"})";

} // namespace

class TestPersonalData : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void keys()
    {
        const QStringList expected = {QStringLiteral("party_name"), QStringLiteral("phone"),
                                      QStringLiteral("id_number"),
                                      QStringLiteral("reporter_contact")};
        QCOMPARE(qsizetype(kAllPersonalFields.size()), expected.size());
        for (std::size_t i = 0; i < kAllPersonalFields.size(); ++i) {
            QCOMPARE(PersonalData::key(kAllPersonalFields[i]), expected.at(qsizetype(i)));
            QVERIFY(PersonalData::field(expected.at(qsizetype(i))) == kAllPersonalFields[i]);
        }
        QVERIFY(!PersonalData::field(QStringLiteral("party")));
        QCOMPARE(PersonalData::key(Exposure::Full), QStringLiteral("full"));
        QCOMPARE(PersonalData::key(Exposure::Masked), QStringLiteral("masked"));
        QCOMPARE(PersonalData::key(Exposure::Absent), QStringLiteral("absent"));
    }

    void oneRowPerRole()
    {
        for (const Role role : kAllRoles) {
            const auto rows = std::count_if(
                kPersonalDataPolicy.begin(), kPersonalDataPolicy.end(),
                [role](const PersonalDataPolicyRow &row) { return row.role == role; });
            QCOMPARE(rows, 1);
        }
    }

    /** The table in docs/security.md, written out again independently of kPersonalDataPolicy. */
    void policy_data()
    {
        QTest::addColumn<Role>("role");
        QTest::addColumn<PersonalField>("field");
        QTest::addColumn<Exposure>("expected");
        QTest::addColumn<bool>("mayUnmask");

        struct Row
        {
            Role role;
            Exposure party, phone, id, reporter;
            bool unmask;
        };
        const Row rows[] = {
            {Role::Operator, M, M, M, M, false},   {Role::Dispatcher, M, M, M, M, false},
            {Role::Supervisor, F, F, M, F, true},  {Role::Field, M, A, A, A, false},
            {Role::Enforcement, F, F, F, A, true}, {Role::Auditor, M, M, M, M, false},
        };
        QCOMPARE(std::size(rows), kAllRoles.size());
        for (const Row &r : rows) {
            const std::pair<PersonalField, Exposure> cells[] = {
                {PersonalField::PartyName, r.party},
                {PersonalField::Phone, r.phone},
                {PersonalField::IdNumber, r.id},
                {PersonalField::ReporterContact, r.reporter}};
            for (const auto &[field, exposure] : cells) {
                QTest::addRow("%s/%s", qPrintable(Names::key(r.role)),
                              qPrintable(PersonalData::key(field)))
                    << r.role << field << exposure << r.unmask;
            }
        }
    }

    void policy()
    {
        QFETCH(Role, role);
        QFETCH(PersonalField, field);
        QFETCH(Exposure, expected);
        QFETCH(bool, mayUnmask);

        QCOMPARE(PersonalData::exposure(role, field), expected);
        QCOMPARE(PersonalData::mayUnmask(role), mayUnmask);
        QCOMPARE(PersonalData::mayUnmask(role, field), mayUnmask && expected == Exposure::Masked);

        // apply() follows the table for a value of each field's form.
        const QString sample = field == PersonalField::PartyName  ? str("张三")
                               : field == PersonalField::Phone    ? str("13812345678")
                               : field == PersonalField::IdNumber ? str("11010119900307123X")
                                                                  : str("a@example.com");
        const QString shown = PersonalData::apply(role, field, sample);
        switch (expected) {
        case Exposure::Full:
            QCOMPARE(shown, sample);
            break;
        case Exposure::Masked:
            QCOMPARE(shown, PersonalData::mask(field, sample));
            QVERIFY(shown != sample);
            QVERIFY(shown.contains(QLatin1Char('*')));
            break;
        case Exposure::Absent:
            QVERIFY(shown.isEmpty());
            break;
        }
        QVERIFY(PersonalData::apply(role, field, QString()).isEmpty());
    }

    void mask_data()
    {
        QTest::addColumn<PersonalField>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");

        const auto phone = PersonalField::Phone;
        QTest::newRow("mobile") << phone << str("13812345678") << str("138****5678");
        QTest::newRow("mobile +86 spaces")
            << phone << str("+86 138 1234 5678") << str("138****5678");
        QTest::newRow("mobile +86 joined") << phone << str("+8613812345678") << str("138****5678");
        QTest::newRow("mobile 86 dashes") << phone << str("86-138-1234-5678") << str("138****5678");
        QTest::newRow("mobile 0086") << phone << str("0086 13812345678") << str("138****5678");
        QTest::newRow("mobile dashes") << phone << str("199-0000-1234") << str("199****1234");
        QTest::newRow("mobile padded") << phone << str("  15912345678 ") << str("159****5678");
        QTest::newRow("landline dash") << phone << str("021-62345678") << str("021******78");
        QTest::newRow("landline parens") << phone << str("(021) 6234 5678") << str("021******78");
        QTest::newRow("foreign") << phone << str("+44 20 7946 0958") << str("442*******58");
        QTest::newRow("7 digits") << phone << str("1234567") << str("123**67");
        QTest::newRow("12 digits, not a mobile")
            << phone << str("213812345678") << str("213*******78");
        QTest::newRow("short digits") << phone << str("12345") << str("1****");
        QTest::newRow("one digit") << phone << str("5") << str("*");
        QTest::newRow("phone not digits") << phone << str("unknown") << str("u******");
        QTest::newRow("phone empty") << phone << QString() << QString();
        QTest::newRow("phone blank") << phone << str("   ") << QString();
        QTest::newRow("phone masked stays") << phone << str("138****5678") << str("138****5678");

        const auto id = PersonalField::IdNumber;
        QTest::newRow("id X") << id << str("11010119900307123X") << str("110101********123X");
        QTest::newRow("id x") << id << str("11010119900307123x") << str("110101********123x");
        QTest::newRow("id digits") << id << str("310104198512120016") << str("310104********0016");
        QTest::newRow("id spaced")
            << id << str("110101 19900307 123X") << str("110101********123X");
        QTest::newRow("id 15 digits") << id << str("110101900307123") << str("110**********23");
        QTest::newRow("id passport") << id << str("E12345678") << str("E********");
        QTest::newRow("id short") << id << str("12") << str("1*");
        QTest::newRow("id 19 digits")
            << id << str("1101011990030712345") << str("110**************45");
        QTest::newRow("id empty") << id << QString() << QString();
        QTest::newRow("id masked stays")
            << id << str("110101********123X") << str("110101********123X");

        const auto name = PersonalField::PartyName;
        QTest::newRow("cjk 1") << name << str("张") << str("*");
        QTest::newRow("cjk 2") << name << str("张三") << str("张*");
        QTest::newRow("cjk 3") << name << str("李小龙") << str("李**");
        QTest::newRow("cjk 4") << name << str("欧阳娜娜") << str("欧***");
        QTest::newRow("cjk padded") << name << str(" 张三  ") << str("张*");
        QTest::newRow("cjk outside the BMP") << name << str("𠮷野家") << str("𠮷**");
        QTest::newRow("cjk shop") << name << str("老王早餐店") << str("老****");
        QTest::newRow("latin 1 word") << name << str("Smith") << str("S****");
        QTest::newRow("latin 2 words") << name << str("John Smith") << str("J*** S****");
        QTest::newRow("latin initial") << name << str("John F  Kennedy") << str("J*** F K******");
        QTest::newRow("latin 1 letter") << name << str("J") << str("*");
        QTest::newRow("name empty") << name << QString() << QString();
        QTest::newRow("name masked stays") << name << str("欧***") << str("欧***");

        const auto contact = PersonalField::ReporterContact;
        QTest::newRow("contact email")
            << contact << str("zhang.san@example.com") << str("z***@example.com");
        QTest::newRow("contact email short") << contact << str("a@b.cn") << str("a***@b.cn");
        QTest::newRow("contact mobile")
            << contact << str("+86 139-8765-4321") << str("139****4321");
        QTest::newRow("contact id")
            << contact << str("11010119900307123X") << str("110101********123X");
        QTest::newRow("contact cjk name") << contact << str("王五") << str("王*");
        QTest::newRow("contact latin name") << contact << str("Jane Doe") << str("J*** D**");
        QTest::newRow("contact not an email") << contact << str("@home") << str("@****");
        QTest::newRow("contact empty") << contact << QString() << QString();
        QTest::newRow("contact masked stays")
            << contact << str("z***@example.com") << str("z***@example.com");
    }

    void mask()
    {
        QFETCH(PersonalField, field);
        QFETCH(QString, value);
        QFETCH(QString, expected);

        const QString masked = PersonalData::mask(field, value);
        QCOMPARE(masked, expected);
        // Masking what is masked changes nothing (the platform and the console may both apply).
        QCOMPARE(PersonalData::mask(field, masked), masked);
    }

    void freeText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");

        QTest::newRow("mobile in chinese")
            << str("摊主电话13812345678，已告知") << str("摊主电话138****5678，已告知");
        QTest::newRow("mobile +86 dashes")
            << str("call +86 138-1234-5678 today") << str("call 138****5678 today");
        QTest::newRow("mobile 86 joined") << str("电话:8613812345678") << str("电话:138****5678");
        QTest::newRow("mobile spaced")
            << str("联系 139 8765 4321 王先生") << str("联系 139****4321 王先生");
        QTest::newRow("two mobiles")
            << str("13812345678/13987654321") << str("138****5678/139****4321");
        QTest::newRow("id number")
            << str("身份证11010119900307123X核实") << str("身份证110101********123X核实");
        QTest::newRow("id number lower x")
            << str("ID 11010119900307123x.") << str("ID 110101********123x.");
        QTest::newRow("landline") << str("座机021-62345678转") << str("座机021******78转");
        QTest::newRow("id and mobile") << str("当事人310104198512120016，手机15912345678")
                                       << str("当事人310104********0016，手机159****5678");
        QTest::newRow("dates and times stay")
            << str("2026-11-23 10:00 巡查发现占道经营") << str("2026-11-23 10:00 巡查发现占道经营");
        QTest::newRow("hotline stays") << str("市民拨打12345反映") << str("市民拨打12345反映");
        QTest::newRow("long reference stays")
            << str("单号 12345678901234567890") << str("单号 12345678901234567890");
        QTest::newRow("12 digits stay") << str("编号213812345678") << str("编号213812345678");
        QTest::newRow("19 digits stay")
            << str("码1101011990030712345") << str("码1101011990030712345");
        QTest::newRow("masked stays") << str("电话138****5678") << str("电话138****5678");
        QTest::newRow("empty") << QString() << QString();
    }

    void freeText()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);

        QCOMPARE(PersonalData::maskFreeText(text), expected);
        QCOMPARE(PersonalData::maskFreeText(expected), expected);
    }

    void payload_data()
    {
        QTest::addColumn<Role>("role");
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QByteArray>("expected");

        const QByteArray full = utf8(kFullPayload);
        QTest::newRow("operator") << Role::Operator << full
                                  << utf8(R"({"stage":2,"party":"张*","phone":"138****5678",)"
                                          R"("id_number":"110101********123X",)"
                                          R"("reporter":"z***@example.com",)"
                                          R"("description":"摊主电话138****5678，仍在占道"})");
        QTest::newRow("dispatcher") << Role::Dispatcher << full
                                    << utf8(R"({"stage":2,"party":"张*","phone":"138****5678",)"
                                            R"("id_number":"110101********123X",)"
                                            R"("reporter":"z***@example.com",)"
                                            R"("description":"摊主电话138****5678，仍在占道"})");
        QTest::newRow("supervisor") << Role::Supervisor << full
                                    << utf8(R"({"stage":2,"party":"张三","phone":"13812345678",)"
                                            R"("id_number":"110101********123X",)"
                                            R"("reporter":"zhang.san@example.com",)"
                                            R"("description":"摊主电话138****5678，仍在占道"})");
        QTest::newRow("field") << Role::Field << full
                               << utf8(R"({"stage":2,"party":"张*",)"
                                       R"("description":"摊主电话138****5678，仍在占道"})");
        QTest::newRow("enforcement") << Role::Enforcement << full
                                     << utf8(R"({"stage":2,"party":"张三","phone":"13812345678",)"
                                             R"("id_number":"11010119900307123X",)"
                                             R"("description":"摊主电话13812345678，仍在占道"})");
        QTest::newRow("auditor") << Role::Auditor << full
                                 << utf8(R"({"stage":2,"party":"张*","phone":"138****5678",)"
                                         R"("id_number":"110101********123X",)"
                                         R"("reporter":"z***@example.com",)"
                                         R"("description":"摊主电话138****5678，仍在占道"})");

        // Every other key name the issue lists.
        const QByteArray aliases = utf8(
            R"({"party_name":"李四","party_phone":"13912345678","contact_phone":"021-62345678",)"
            R"("party_id_number":"310104198512120016","reporter_contact":"13700001111",)"
            R"("email":"li.si@example.com","note":"13912345678","reason":"见310104198512120016",)"
            R"("comment":"021-62345678"})");
        QTest::newRow("aliases operator")
            << Role::Operator << aliases
            << utf8(
                   R"({"party_name":"李*","party_phone":"139****5678","contact_phone":"021******78",)"
                   R"("party_id_number":"310104********0016","reporter_contact":"137****1111",)"
                   R"("email":"l***@example.com","note":"139****5678","reason":"见310104********0016",)"
                   R"("comment":"021******78"})");
        QTest::newRow("aliases field")
            << Role::Field << aliases
            << utf8(R"({"party_name":"李*","note":"139****5678","reason":"见310104********0016",)"
                    R"("comment":"021******78"})");
        QTest::newRow("aliases enforcement")
            << Role::Enforcement << aliases
            << utf8(
                   R"({"party_name":"李四","party_phone":"13912345678","contact_phone":"021-62345678",)"
                   R"("party_id_number":"310104198512120016","note":"13912345678",)"
                   R"("reason":"见310104198512120016","comment":"021-62345678"})");

        // Removal keeps the commas right wherever the member was.
        QTest::newRow("absent first") << Role::Field << utf8(R"({"phone":"13812345678","to":"u7"})")
                                      << utf8(R"({"to":"u7"})");
        QTest::newRow("absent last") << Role::Field << utf8(R"({"to":"u7","phone":"13812345678"})")
                                     << utf8(R"({"to":"u7"})");
        QTest::newRow("absent only")
            << Role::Field << utf8(R"({"phone":"13812345678"})") << utf8(R"({})");
        QTest::newRow("absent null removed")
            << Role::Field << utf8(R"({"phone":null,"x":1})") << utf8(R"({"x":1})");
        QTest::newRow("masked null stays")
            << Role::Operator << utf8(R"({"phone":null,"x":1})") << utf8(R"({"phone":null,"x":1})");
        QTest::newRow("numeric phone masked") << Role::Operator << utf8(R"({"phone":13812345678})")
                                              << utf8(R"({"phone":"138****5678"})");
        QTest::newRow("numeric phone in full")
            << Role::Supervisor << utf8(R"({"phone":13812345678})")
            << utf8(R"({"phone":13812345678})");

        // Nested objects and arrays: keys at any depth; a masked object masks all inside it.
        const QByteArray nested =
            utf8(R"({"report":{"party":"张三","phone":13812345678},"list":[{"party":"王五"},1]})");
        QTest::newRow("nested operator")
            << Role::Operator << nested
            << utf8(
                   R"({"report":{"party":"张*","phone":"138****5678"},"list":[{"party":"王*"},1]})");
        QTest::newRow("nested field")
            << Role::Field << nested
            << utf8(R"({"report":{"party":"张*"},"list":[{"party":"王*"},1]})");
        const QByteArray reporter =
            utf8(R"({"reporter":{"name":"王五","email":"wang@example.com","phone":"13912345678",)"
                 R"("ids":["11010119900307123X"]},"kind":"open311"})");
        QTest::newRow("reporter object operator")
            << Role::Operator << reporter
            << utf8(R"({"reporter":{"name":"王*","email":"w***@example.com","phone":"139****5678",)"
                    R"("ids":["110101********123X"]},"kind":"open311"})");
        QTest::newRow("reporter object supervisor") << Role::Supervisor << reporter << reporter;
        QTest::newRow("reporter object field")
            << Role::Field << reporter << utf8(R"({"kind":"open311"})");
        QTest::newRow("reporter object enforcement")
            << Role::Enforcement << reporter << utf8(R"({"kind":"open311"})");

        // Escapes in keys and values are read as JSON; the bytes around them are kept.
        QTest::newRow("escaped key") << Role::Operator << utf8(R"({"par\u0074y":"张三"})")
                                     << utf8(R"({"par\u0074y":"张*"})");
        QTest::newRow("escaped value")
            << Role::Operator << utf8("{\"note\":\"a\\n\\\"b\\\" 13812345678 \\u00e9\"}")
            << utf8("{\"note\":\"a\\n\\\"b\\\" 138****5678 é\"}");
        QTest::newRow("spacing kept where untouched")
            << Role::Field << utf8("{ \"a\" : { \"b\" : 1 } , \"phone\" : \"13812345678\" }")
            << utf8("{\"a\" : { \"b\" : 1 }}");

        // Nothing to change: the very bytes come back, whatever the role.
        for (const Role role : kAllRoles) {
            const QByteArray plain = utf8(R"({"to":"unit-7","due":1700000000000,"skip":true})");
            QTest::addRow("no personal keys %s", qPrintable(Names::key(role)))
                << role << plain << plain;
            const QByteArray spaced =
                utf8("{ \"to\" : \"unit-7\",\n \"description\" : \"占道\" }\n");
            QTest::addRow("spaced, nothing to mask %s", qPrintable(Names::key(role)))
                << role << spaced << spaced;
        }
        QTest::newRow("already masked")
            << Role::Operator << utf8(R"({"party":"张*","phone":"138****5678"})")
            << utf8(R"({"party":"张*","phone":"138****5678"})");
        QTest::newRow("empty object") << Role::Field << utf8("{}") << utf8("{}");

        // Not a JSON object: untouched.
        QTest::newRow("empty") << Role::Field << QByteArray() << QByteArray();
        QTest::newRow("not json") << Role::Field << utf8("phone 13812345678")
                                  << utf8("phone 13812345678");
        QTest::newRow("array") << Role::Field << utf8(R"([{"phone":"13812345678"}])")
                               << utf8(R"([{"phone":"13812345678"}])");
        QTest::newRow("string") << Role::Field << utf8(R"("13812345678")")
                                << utf8(R"("13812345678")");
        QTest::newRow("truncated") << Role::Field << utf8(R"({"phone":"13812345678")")
                                   << utf8(R"({"phone":"13812345678")");
    }

    void payload()
    {
        QFETCH(Role, role);
        QFETCH(QByteArray, payload);
        QFETCH(QByteArray, expected);

        const QByteArray shown = PersonalData::applyToPayload(role, payload);
        QCOMPARE(shown, expected);
        if (expected == payload)
            QVERIFY(shown.isSharedWith(payload)); // returned as it came, not rebuilt
        if (QJsonDocument::fromJson(payload).isObject())
            QVERIFY(QJsonDocument::fromJson(shown).isObject());
        QCOMPARE(PersonalData::applyToPayload(role, shown), shown);
    }

    /** Every payload key, every role: the payload shows what apply() shows for the value. */
    void payloadMatchesApply_data()
    {
        QTest::addColumn<Role>("role");
        QTest::addColumn<QString>("key");
        QTest::addColumn<PersonalField>("field");
        QTest::addColumn<QString>("value");

        const std::tuple<const char *, PersonalField, const char *> keys[] = {
            {"party", PersonalField::PartyName, "欧阳娜娜"},
            {"party_name", PersonalField::PartyName, "John Smith"},
            {"phone", PersonalField::Phone, "+86 138 1234 5678"},
            {"party_phone", PersonalField::Phone, "13812345678"},
            {"contact_phone", PersonalField::Phone, "021-62345678"},
            {"id_number", PersonalField::IdNumber, "11010119900307123X"},
            {"party_id_number", PersonalField::IdNumber, "310104198512120016"},
            {"reporter", PersonalField::ReporterContact, "王五"},
            {"reporter_contact", PersonalField::ReporterContact, "13700001111"},
            {"email", PersonalField::ReporterContact, "li.si@example.com"},
        };
        for (const Role role : kAllRoles) {
            for (const auto &[key, field, value] : keys) {
                QTest::addRow("%s/%s", qPrintable(Names::key(role)), key)
                    << role << QString::fromLatin1(key) << field << str(value);
            }
        }
    }

    void payloadMatchesApply()
    {
        QFETCH(Role, role);
        QFETCH(QString, key);
        QFETCH(PersonalField, field);
        QFETCH(QString, value);

        QVERIFY(PersonalData::payloadField(key) == field);
        QJsonObject in{{key, value}, {QStringLiteral("x"), 1}};
        const QByteArray payload = QJsonDocument(in).toJson(QJsonDocument::Compact);
        const QJsonObject out =
            QJsonDocument::fromJson(PersonalData::applyToPayload(role, payload)).object();
        if (PersonalData::exposure(role, field) == Exposure::Absent) {
            QVERIFY(!out.contains(key));
        } else {
            QCOMPARE(out.value(key).toString(), PersonalData::apply(role, field, value));
        }
        QCOMPARE(out.value(QStringLiteral("x")).toInt(), 1);
    }

    void freeTextOnlyForRolesWithoutEveryNumber_data()
    {
        QTest::addColumn<Role>("role");
        QTest::addColumn<bool>("masked");
        for (const Role role : kAllRoles) {
            QTest::addRow("%s", qPrintable(Names::key(role)))
                << role << (role != Role::Enforcement);
        }
    }

    void freeTextOnlyForRolesWithoutEveryNumber()
    {
        QFETCH(Role, role);
        QFETCH(bool, masked);
        for (const char *key : {"description", "note", "reason", "comment"}) {
            const QByteArray payload =
                QByteArray("{\"") + key + "\":\"电话13812345678\",\"other\":\"13812345678\"}";
            const QByteArray expected =
                masked
                    ? QByteArray("{\"") + key + "\":\"电话138****5678\",\"other\":\"13812345678\"}"
                    : payload;
            QCOMPARE(PersonalData::applyToPayload(role, payload), expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestPersonalData)
#include "tst_personaldata.moc"
