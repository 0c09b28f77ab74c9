// Open311 GeoReport v2 on the real platform: the service list, a citizen report with Chinese text
// becoming an intake case, the standard filters and the standard error format; and against
// hostile clients (issue 18): only Open311's own requests are public, query values are decoded
// whole, POSTs are rate-limited (429 with Retry-After) and need a valid api_key when the
// platform has --open311-keys, loopback included.
#include "platformtest.h"

#include "domain/catalogue.h"

#include <QDateTime>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimeZone>

using namespace cityops;
using namespace cityops::test;

class TestOpen311 : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PlatformProcess m_platform;
    std::unique_ptr<Client> m_citizen, m_operator;
    QString m_id;
    QTemporaryDir m_keyedDir;
    std::unique_ptr<PlatformProcess> m_keyed; ///< started with --open311-keys

    const QString kDescription = QStringLiteral("垃圾桶满溢，异味严重 & 有人乱扔+垃圾 \"急\"");
    const QString kAddress = QStringLiteral("南京西路100号（静安寺对面）");

    static QByteArray form(const QList<std::pair<QString, QString>> &fields)
    {
        QByteArrayList parts;
        for (const auto &[k, v] : fields)
            parts << k.toUtf8() + '=' + QUrl::toPercentEncoding(v);
        return parts.join('&');
    }
    Answer post(const QByteArray &body,
                const QByteArray &type = "application/x-www-form-urlencoded")
    {
        return m_citizen->request("POST", QStringLiteral("/open311/v2/requests.json"), body,
                                  {{"Content-Type", type}});
    }
    static bool isOpen311Error(const Answer &a, int code)
    {
        const QJsonArray arr = a.array();
        return a.status == code && arr.size() == 1 &&
               arr.first().toObject().value(QLatin1String("code")).toInt() == code &&
               !arr.first().toObject().value(QLatin1String("description")).toString().isEmpty();
    }
    static QString iso(qint64 ms, int offsetSeconds)
    {
        return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone(offsetSeconds)).toString(Qt::ISODate);
    }
    QSet<QString> ids(const QString &query)
    {
        QSet<QString> out;
        for (const QJsonValue &v :
             m_citizen->get(QStringLiteral("/open311/v2/requests.json") + query).array())
            out.insert(v.toObject().value(QLatin1String("service_request_id")).toString());
        return out;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_platform.start(m_dir.path(),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   QStringLiteral("2026-11-27T18:00+08:00"),
                                   QStringLiteral("--cases"), QStringLiteral("300")}),
                 m_platform.output().constData());
        m_citizen = std::make_unique<Client>(m_platform.url());
        m_operator = std::make_unique<Client>(m_platform.url());
        QCOMPARE(m_operator->login(QStringLiteral("operator1")).status, 200);
    }

    void services()
    {
        const Answer a = m_citizen->get(QStringLiteral("/open311/v2/services.json"));
        QCOMPARE(a.status, 200);
        const QJsonArray list = a.array();
        const Catalogue &catalogue = Catalogue::builtin();
        QCOMPARE(list.size(), catalogue.categories().size());
        bool seen = false;
        for (const QJsonValue &v : list) {
            const QJsonObject s = v.toObject();
            for (const char *key :
                 {"service_code", "service_name", "description", "type", "keywords", "group"})
                QVERIFY2(s.value(QLatin1String(key)).isString(), key);
            QCOMPARE(s.value(QLatin1String("metadata")), QJsonValue(false));
            QCOMPARE(s.value(QLatin1String("type")).toString(), QStringLiteral("realtime"));
            const Category *c = catalogue.find(s.value(QLatin1String("service_code")).toString());
            QVERIFY(c);
            QCOMPARE(s.value(QLatin1String("service_name")).toString(), c->nameZh);
            QCOMPARE(s.value(QLatin1String("group")).toString(),
                     catalogue.findMajor(c->majorCode)->nameZh);
            seen = seen || c->code == QLatin1String("E0401");
        }
        QVERIFY(seen);
    }

    void postWithChineseText()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const Answer a =
            post(form({{QStringLiteral("service_code"), QStringLiteral("E0107")},
                       {QStringLiteral("lat"), QStringLiteral("31.2301")},
                       {QStringLiteral("long"), QStringLiteral("121.4502")},
                       {QStringLiteral("address_string"), kAddress},
                       {QStringLiteral("description"), kDescription},
                       {QStringLiteral("first_name"), QStringLiteral("张")},
                       {QStringLiteral("email"), QStringLiteral("zhang@example.cn")}}));
        QVERIFY2(a.status == 201, a.body.constData());
        const QJsonArray created = a.array();
        QCOMPARE(created.size(), 1);
        m_id = created.first().toObject().value(QLatin1String("service_request_id")).toString();
        QVERIFY(m_id.toLongLong() > 300);

        const Answer got = m_citizen->get(QStringLiteral("/open311/v2/requests/%1.json").arg(m_id));
        QCOMPARE(got.status, 200);
        QCOMPARE(got.array().size(), 1);
        const QJsonObject r = got.array().first().toObject();
        QCOMPARE(r.value(QLatin1String("service_request_id")).toString(), m_id);
        QCOMPARE(r.value(QLatin1String("status")).toString(), QStringLiteral("open"));
        QCOMPARE(r.value(QLatin1String("service_code")).toString(), QStringLiteral("E0107"));
        QCOMPARE(r.value(QLatin1String("service_name")).toString(),
                 Catalogue::builtin().find(QStringLiteral("E0107"))->nameZh);
        QCOMPARE(r.value(QLatin1String("description")).toString(), kDescription);
        QCOMPARE(r.value(QLatin1String("address")).toString(), kAddress);
        QCOMPARE(r.value(QLatin1String("lat")).toDouble(), 31.2301);
        QCOMPARE(r.value(QLatin1String("long")).toDouble(), 121.4502);
        QVERIFY(!r.value(QLatin1String("agency_responsible")).toString().isEmpty());
        QVERIFY(!r.value(QLatin1String("status_notes")).toString().isEmpty());
        for (const char *key : {"requested_datetime", "updated_datetime", "expected_datetime"}) {
            const QString t = r.value(QLatin1String(key)).toString();
            QVERIFY2(t.endsWith(QLatin1String("+08:00")), qPrintable(t));
            QVERIFY(QDateTime::fromString(t, Qt::ISODate).isValid());
        }
        const qint64 requested =
            QDateTime::fromString(r.value(QLatin1String("requested_datetime")).toString(),
                                  Qt::ISODate)
                .toMSecsSinceEpoch();
        QVERIFY(requested >= before - 1000 &&
                requested <= QDateTime::currentMSecsSinceEpoch() + 1000);
        for (const char *key : {"address_id", "zipcode", "media_url"})
            QVERIFY(r.contains(QLatin1String(key)));

        // It is a case in the intake queue, filed by the Open311 gateway, seen by the consoles.
        const auto page =
            sync::decodeChanges(m_operator->get(QStringLiteral("/api/v1/changes")).body);
        QVERIFY2(page, qPrintable(why(page)));
        QVERIFY(!page->changes.isEmpty());
        const sync::Change &c = page->changes.last();
        QCOMPARE(QString::number(c.caseId), m_id);
        QCOMPARE(c.row.state, QStringLiteral("reported"));
        QCOMPARE(c.row.source, QStringLiteral("open311"));
        QCOMPARE(c.row.description, kDescription);
        QVERIFY(c.row.gridCode); // inside the demo district: placed on its grid
        QCOMPARE(c.events.size(), 1);
        QCOMPARE(c.events.first().kind, QStringLiteral("report"));
        QCOMPARE(c.events.first().actor, QStringLiteral("open311"));
        QCOMPARE(c.events.first().device, QStringLiteral("open311-gateway"));
        QVERIFY(!c.events.first().payload.contains("zhang@example.cn")); // contacts are not stored

        // '+' in a form is a space.
        const Answer plus = post("service_code=F0101&lat=31.24&long=121.46&description=%E4%BA%95%"
                                 "E7%9B%96+%E7%A0%B4%E6%8D%9F");
        QCOMPARE(plus.status, 201);
        const QString plusId =
            plus.array().first().toObject().value(QLatin1String("service_request_id")).toString();
        QCOMPARE(m_citizen->get(QStringLiteral("/open311/v2/requests/%1.json").arg(plusId))
                     .array()
                     .first()
                     .toObject()
                     .value(QLatin1String("description"))
                     .toString(),
                 QStringLiteral("井盖 破损"));
    }

    void standardFilters()
    {
        QVERIFY(!m_id.isEmpty());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QJsonArray all = m_citizen->get(QStringLiteral("/open311/v2/requests.json")).array();
        QVERIFY(!all.isEmpty() && all.size() <= 1000);
        QString previous;
        for (const QJsonValue &v : all) {
            const QString t = v.toObject().value(QLatin1String("requested_datetime")).toString();
            if (!previous.isEmpty())
                QVERIFY(QDateTime::fromString(t, Qt::ISODate) <=
                        QDateTime::fromString(previous, Qt::ISODate));
            previous = t;
            QVERIFY(QDateTime::fromString(t, Qt::ISODate).toMSecsSinceEpoch() >=
                    now - 91LL * 86400000);
        }
        QVERIFY(ids(QString()).contains(m_id));
        // Only public (Open311) cases are listed: the demo's first one, not case 1 as before
        // issue 18 (a camera or patrol case is internal).
        const QString demoId = column(m_platform.databasePath(),
                                      QStringLiteral("SELECT min(id) FROM cases WHERE source = "
                                                     "'open311'"))
                                   .value(0);
        QVERIFY(demoId.toLongLong() > 0);
        QCOMPARE(ids(QStringLiteral("?service_request_id=%1,%2").arg(m_id, demoId)),
                 (QSet<QString>{m_id, demoId}));

        const QJsonArray openOfCode =
            m_citizen
                ->get(QStringLiteral("/open311/v2/requests.json?service_code=E0107&status=open"))
                .array();
        bool found = false;
        for (const QJsonValue &v : openOfCode) {
            QCOMPARE(v.toObject().value(QLatin1String("service_code")).toString(),
                     QStringLiteral("E0107"));
            QCOMPARE(v.toObject().value(QLatin1String("status")).toString(),
                     QStringLiteral("open"));
            found =
                found || v.toObject().value(QLatin1String("service_request_id")).toString() == m_id;
        }
        QVERIFY(found);
        // The demo's cases lie before its fixed anchor date, so ask for an explicit range.
        const QJsonArray closed =
            m_citizen
                ->get(QStringLiteral(
                    "/open311/v2/"
                    "requests.json?status=closed&start_date=2000-01-01T00:00:00%2B08:00"))
                .array();
        QVERIFY(!closed.isEmpty());
        for (const QJsonValue &v : closed)
            QCOMPARE(v.toObject().value(QLatin1String("status")).toString(),
                     QStringLiteral("closed"));

        auto enc = [](const QString &s) {
            return QString::fromLatin1(QUrl::toPercentEncoding(s));
        };
        QVERIFY(!ids(QStringLiteral("?start_date=%1").arg(enc(iso(now + 3600000, 8 * 3600))))
                     .contains(m_id));
        QVERIFY(!ids(QStringLiteral("?end_date=%1").arg(enc(iso(now - 3600000, 8 * 3600))))
                     .contains(m_id));
        QVERIFY(ids(QStringLiteral("?start_date=%1&end_date=%2")
                        .arg(enc(iso(now - 3600000, 8 * 3600)), enc(iso(now + 3600000, 0))))
                    .contains(m_id));

        QVERIFY(isOpen311Error(
            m_citizen->get(QStringLiteral("/open311/v2/requests.json?start_date=yesterday")), 400));
        QVERIFY(isOpen311Error(
            m_citizen->get(QStringLiteral("/open311/v2/requests.json?status=pending")), 400));
        QVERIFY(isOpen311Error(
            m_citizen->get(QStringLiteral("/open311/v2/requests.json?service_request_id=abc")),
            400));
        QVERIFY(isOpen311Error(
            m_citizen->get(QStringLiteral("/open311/v2/requests.json?service_code=Z9999")), 400));
    }

    /**
     * Issue 18: GETs publish only what came in through Open311, as FixMyStreet does: the centre's
     * own cases (camera, patrol, hotline, grid worker) are neither listed nor found by id, and
     * a published request carries only the standard fields (no party, notes or evidence).
     */
    void publishesOnlyOpen311Cases()
    {
        const QString db = m_platform.databasePath();
        const QSet<QString> open311 = [&] {
            const QStringList l = column(db, QStringLiteral("SELECT id FROM cases WHERE source = "
                                                            "'open311'"));
            return QSet<QString>(l.begin(), l.end());
        }();
        QVERIFY(open311.size() > 3 && open311.size() < 1000);
        const QJsonArray all =
            m_citizen
                ->get(QStringLiteral(
                    "/open311/v2/requests.json?start_date=2000-01-01T00:00:00%2B08:00"))
                .array();
        QSet<QString> listed;
        const QSet<QString> standard{QStringLiteral("service_request_id"),
                                     QStringLiteral("status"),
                                     QStringLiteral("status_notes"),
                                     QStringLiteral("service_name"),
                                     QStringLiteral("service_code"),
                                     QStringLiteral("description"),
                                     QStringLiteral("agency_responsible"),
                                     QStringLiteral("service_notice"),
                                     QStringLiteral("requested_datetime"),
                                     QStringLiteral("updated_datetime"),
                                     QStringLiteral("expected_datetime"),
                                     QStringLiteral("address"),
                                     QStringLiteral("address_id"),
                                     QStringLiteral("zipcode"),
                                     QStringLiteral("lat"),
                                     QStringLiteral("long"),
                                     QStringLiteral("media_url")};
        for (const QJsonValue &v : all) {
            const QJsonObject o = v.toObject();
            listed.insert(o.value(QLatin1String("service_request_id")).toString());
            const QStringList keys = o.keys();
            QCOMPARE(QSet<QString>(keys.begin(), keys.end()), standard);
            QVERIFY(o.value(QLatin1String("media_url")).isNull());
        }
        QCOMPARE(listed, open311);

        // Internal cases, with a party name among them, are not found by id either.
        const QStringList internal = column(
            db, QStringLiteral("SELECT id || '|' || coalesce(party, '') FROM cases WHERE source "
                               "!= 'open311' ORDER BY party IS NULL, id LIMIT 5"));
        QCOMPARE(internal.size(), 5);
        QVERIFY(!internal.first().endsWith(QLatin1Char('|'))); // the first has a party
        const QString party = internal.first().section(QLatin1Char('|'), 1);
        QStringList internalIds;
        for (const QString &row : internal) {
            const QString id = row.section(QLatin1Char('|'), 0, 0);
            internalIds << id;
            QVERIFY(isOpen311Error(
                m_citizen->get(QStringLiteral("/open311/v2/requests/%1.json").arg(id)), 404));
        }
        QVERIFY(ids(QStringLiteral("?service_request_id=") + internalIds.join(QLatin1Char(',')))
                    .isEmpty());
        const QByteArray body =
            m_citizen
                ->get(QStringLiteral(
                    "/open311/v2/requests.json?start_date=2000-01-01T00:00:00%2B08:00"))
                .body;
        QVERIFY(!body.contains(party.toUtf8()));
    }

    /** Query values are percent-decoded whole: "1%2C2" is the list "1,2". */
    void decodesQueryValues_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("status");
        QTest::newRow("ids, comma encoded") << "service_request_id={a}%2C{b}" << 200;
        QTest::newRow("ids, comma plain") << "service_request_id={a},{b}" << 200;
        QTest::newRow("ids, lower-case escape") << "service_request_id={a}%2c{b}" << 200;
        QTest::newRow("ids, spaces encoded") << "service_request_id={a}%2C%20{b}" << 200;
        QTest::newRow("status list encoded")
            << "status=open%2Cclosed&start_date=2000-01-01T00%3A00%3A00%2B08%3A00" << 200;
        QTest::newRow("service code encoded") << "service_code=%45%30107" << 200;
        QTest::newRow("ids, an encoded non-number") << "service_request_id={a}%2Cx" << 400;
        QTest::newRow("status, encoded unknown") << "status=open%2Cpending" << 400;
    }
    void decodesQueryValues()
    {
        QFETCH(QString, query);
        QFETCH(int, status);
        const QStringList two =
            column(m_platform.databasePath(),
                   QStringLiteral("SELECT id FROM cases WHERE source = 'open311' ORDER BY id "
                                  "LIMIT 2"));
        QCOMPARE(two.size(), 2);
        query.replace(QLatin1String("{a}"), two.at(0)).replace(QLatin1String("{b}"), two.at(1));
        const Answer a = m_citizen->get(QStringLiteral("/open311/v2/requests.json?") + query);
        QVERIFY2(a.status == status, a.body.constData());
        if (status != 200) {
            QVERIFY(isOpen311Error(a, status));
            return;
        }
        if (query.startsWith(QLatin1String("service_request_id"))) {
            QCOMPARE(ids(QStringLiteral("?") + query), (QSet<QString>{two.at(0), two.at(1)}));
        } else {
            for (const QJsonValue &v : a.array()) {
                if (query.startsWith(QLatin1String("service_code")))
                    QCOMPARE(v.toObject().value(QLatin1String("service_code")).toString(),
                             QStringLiteral("E0107"));
            }
        }
    }

    void errorsChangeNothing()
    {
        const auto before = tableHashes(m_platform.databasePath());
        QVERIFY(isOpen311Error(post(form({{QStringLiteral("lat"), QStringLiteral("31.23")},
                                          {QStringLiteral("long"), QStringLiteral("121.45")}})),
                               400));
        QVERIFY(isOpen311Error(post(form({{QStringLiteral("service_code"), QStringLiteral("Z9999")},
                                          {QStringLiteral("lat"), QStringLiteral("31.23")},
                                          {QStringLiteral("long"), QStringLiteral("121.45")}})),
                               400));
        QVERIFY(isOpen311Error(post(form({{QStringLiteral("service_code"), QStringLiteral("F0101")},
                                          {QStringLiteral("address_string"), kAddress}})),
                               400));
        QVERIFY(isOpen311Error(post(form({{QStringLiteral("service_code"), QStringLiteral("F0101")},
                                          {QStringLiteral("lat"), QStringLiteral("39.9")},
                                          {QStringLiteral("long"), QStringLiteral("116.4")}})),
                               400));
        QVERIFY(isOpen311Error(
            post(form({{QStringLiteral("service_code"), QStringLiteral("F0101")},
                       {QStringLiteral("lat"), QStringLiteral("31.23")},
                       {QStringLiteral("long"), QStringLiteral("121.45")},
                       {QStringLiteral("description"), QString(4001, QChar(u'长'))}})),
            400));
        QVERIFY(isOpen311Error(post("{\"service_code\":\"F0101\"}", "application/json"), 400));
        QVERIFY(
            isOpen311Error(m_citizen->get(QStringLiteral("/open311/v2/requests/abc.json")), 400));
        QVERIFY(isOpen311Error(m_citizen->get(QStringLiteral("/open311/v2/requests/99999999.json")),
                               404));
        QVERIFY(isOpen311Error(m_citizen->get(QStringLiteral("/open311/v2/discovery.json")), 404));
        QVERIFY(isOpen311Error(
            m_citizen->request("DELETE", QStringLiteral("/open311/v2/requests.json")), 405));
        QCOMPARE(tableHashes(m_platform.databasePath()), before);
    }

    /**
     * Issue 18: POSTs are rate-limited per client address (here 3 a minute, bursts of 3): a burst
     * files exactly that many cases; the rest are 429 in Open311's error format with a
     * Retry-After, and file nothing.
     */
    void postsAreRateLimitedPerAddress()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        PlatformProcess platform;
        QVERIFY2(platform.start(dir.path(),
                                {QStringLiteral("--seed-demo"), QStringLiteral("--cases"),
                                 QStringLiteral("0"), QStringLiteral("--open311-address-rate"),
                                 QStringLiteral("3")}),
                 platform.output().constData());
        Client citizen(platform.url());
        int created = 0, limited = 0;
        for (int i = 0; i < 12; ++i) {
            const Answer a = citizen.request(
                "POST", QStringLiteral("/open311/v2/requests.json"),
                form({{QStringLiteral("service_code"), QStringLiteral("F0101")},
                      {QStringLiteral("lat"), QStringLiteral("31.23")},
                      {QStringLiteral("long"), QStringLiteral("121.45")},
                      {QStringLiteral("description"), QStringLiteral("突发 %1").arg(i)}}),
                {{"Content-Type", "application/x-www-form-urlencoded"}});
            if (a.status == 201) {
                ++created;
                continue;
            }
            QVERIFY2(isOpen311Error(a, 429), a.body.constData());
            const int retry = a.header("Retry-After").toInt();
            QVERIFY2(retry >= 1 && retry <= 20, a.header("Retry-After").constData());
            ++limited;
        }
        QCOMPARE(created, 3);
        QCOMPARE(limited, 9);
        QCOMPARE(column(platform.databasePath(),
                        QStringLiteral("SELECT count(*) FROM cases WHERE source = 'open311'")),
                 QStringList{QStringLiteral("3")});
        // Reading is not limited.
        QCOMPARE(citizen.get(QStringLiteral("/open311/v2/services.json")).status, 200);
        // The security log has the limit once (when it began), not each of the 9 refusals.
        const QString limitedLines =
            QStringLiteral("SELECT count(*) FROM security_log WHERE kind = 'open311.limited'");
        QTRY_COMPARE_WITH_TIMEOUT(column(platform.databasePath(), limitedLines),
                                  QStringList{QStringLiteral("1")}, 5000);
        QCOMPARE(platform.stop(), 0);
    }

    /**
     * Issue 18: with --open311-keys every POST needs a valid api_key, loopback included (before,
     * loopback was never asked); a valid key is limited on its own (here 2 a minute).
     */
    void apiKeysAreRequired_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<int>("status");
        QTest::newRow("no api_key") << QString() << 403;
        QTest::newRow("empty api_key") << "" << 403;
        QTest::newRow("unknown api_key") << "guessed-key" << 403;
        QTest::newRow("a valid key's prefix") << "partner-key-" << 403;
        QTest::newRow("valid api_key") << "partner-key-1" << 201;
        QTest::newRow("valid api_key again") << "partner-key-1" << 201;
        QTest::newRow("valid api_key over its limit") << "partner-key-1" << 429;
        QTest::newRow("another valid api_key") << "partner-key-2" << 201;
    }
    void apiKeysAreRequired()
    {
        QFETCH(QString, key);
        QFETCH(int, status);
        if (!m_keyed) {
            QVERIFY(m_keyedDir.isValid());
            QFile keys(m_keyedDir.filePath(QStringLiteral("open311-keys")));
            QVERIFY(keys.open(QIODevice::WriteOnly));
            keys.write("# partners\npartner-key-1\npartner-key-2\n");
            keys.close();
            m_keyed = std::make_unique<PlatformProcess>();
            QVERIFY2(m_keyed->start(m_keyedDir.path(),
                                    {QStringLiteral("--seed-demo"), QStringLiteral("--cases"),
                                     QStringLiteral("0"), QStringLiteral("--open311-keys"),
                                     keys.fileName(), QStringLiteral("--open311-key-rate"),
                                     QStringLiteral("2")}),
                     m_keyed->output().constData());
        }
        QList<std::pair<QString, QString>> fields{
            {QStringLiteral("service_code"), QStringLiteral("F0101")},
            {QStringLiteral("lat"), QStringLiteral("31.23")},
            {QStringLiteral("long"), QStringLiteral("121.45")}};
        if (!key.isNull())
            fields.append({QStringLiteral("api_key"), key});
        const QString before =
            column(m_keyed->databasePath(), QStringLiteral("SELECT count(*) FROM cases")).value(0);
        Client citizen(m_keyed->url());
        const Answer a =
            citizen.request("POST", QStringLiteral("/open311/v2/requests.json"), form(fields),
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
        QVERIFY2(a.status == status, a.body.constData());
        const QString after =
            column(m_keyed->databasePath(), QStringLiteral("SELECT count(*) FROM cases")).value(0);
        if (status == 201) {
            QCOMPARE(after.toInt(), before.toInt() + 1);
            return;
        }
        QVERIFY(isOpen311Error(a, status));
        QCOMPARE(after, before);
        if (status == 429)
            QVERIFY(a.header("Retry-After").toInt() >= 1);
        // Each refusal leaves a line in the security log; a key is never written there.
        const QString kind =
            status == 429 ? QStringLiteral("open311.limited") : QStringLiteral("open311.refused");
        QTRY_VERIFY_WITH_TIMEOUT(
            column(m_keyed->databasePath(),
                   QStringLiteral("SELECT count(*) FROM security_log WHERE kind = '%1'").arg(kind))
                    .value(0)
                    .toInt() >= 1,
            5000);
        if (!key.isEmpty())
            QCOMPARE(column(m_keyed->databasePath(),
                            QStringLiteral("SELECT count(*) FROM security_log WHERE detail LIKE "
                                           "'%' || ? || '%'")
                                .replace(QLatin1String("?"),
                                         QLatin1Char('\'') + key + QLatin1Char('\''))),
                     QStringList{QStringLiteral("0")});
    }

    /**
     * A report the platform's store cannot take is the server's failure, not the citizen's: 503
     * with the standard error array, nothing of it kept, and the same report is taken once the
     * store has room again. The store is really full: compacted (no free page), then limited to
     * its size (CITYOPS_PLATFORM_SPARE_PAGES=0, SQLite's max_page_count on the platform's own
     * connection), so filing the case fails with SQLITE_FULL inside the case repository.
     */
    void storeFailureIsTheServers()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        {
            PlatformProcess seeding;
            QVERIFY2(seeding.start(dir.path(),
                                   {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                    QStringLiteral("2026-11-27T18:00+08:00"),
                                    QStringLiteral("--cases"), QStringLiteral("50")}),
                     seeding.output().constData());
            QCOMPARE(seeding.stop(), 0);
        }
        const QString path = PlatformStore::pathInDir(dir.path());
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("compact"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery vacuum(db);
            QVERIFY2(vacuum.exec(QStringLiteral("VACUUM")), qPrintable(vacuum.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("compact"));

        const auto report = form({{QStringLiteral("service_code"), QStringLiteral("F0101")},
                                  {QStringLiteral("lat"), QStringLiteral("31.23")},
                                  {QStringLiteral("long"), QStringLiteral("121.45")},
                                  {QStringLiteral("description"), QString(4000, QChar(u'满'))}});
        const auto before = tableHashes(path);
        {
            PlatformProcess full;
            qputenv("CITYOPS_PLATFORM_SPARE_PAGES", "0");
            const bool started = full.start(dir.path());
            qunsetenv("CITYOPS_PLATFORM_SPARE_PAGES");
            QVERIFY2(started, full.output().constData());
            Client citizen(full.url());
            const Answer a =
                citizen.request("POST", QStringLiteral("/open311/v2/requests.json"), report,
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
            QVERIFY2(isOpen311Error(a, 503), a.body.constData());
            QVERIFY2(a.array()
                         .first()
                         .toObject()
                         .value(QLatin1String("description"))
                         .toString()
                         .contains(QStringLiteral("could not be stored")),
                     a.body.constData());
            // Reading still works.
            QCOMPARE(citizen.get(QStringLiteral("/open311/v2/services.json")).status, 200);
            QCOMPARE(full.stop(), 0);
        }
        // Nothing half-applied: no case, no event, no remembered command, no change.
        QCOMPARE(tableHashes(path), before);

        // Room again: the same report is filed, once.
        PlatformProcess roomy;
        QVERIFY2(roomy.start(dir.path()), roomy.output().constData());
        Client citizen(roomy.url());
        const Answer a =
            citizen.request("POST", QStringLiteral("/open311/v2/requests.json"), report,
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
        QVERIFY2(a.status == 201, a.body.constData());
        const QString id =
            a.array().first().toObject().value(QLatin1String("service_request_id")).toString();
        QCOMPARE(column(path, QStringLiteral("SELECT count(*) FROM cases WHERE "
                                             "length(description) = 4000")),
                 QStringList{QStringLiteral("1")});
        QCOMPARE(column(path, QStringLiteral("SELECT count(*) FROM applied_commands WHERE case_id "
                                             "= %1")
                                  .arg(id)),
                 QStringList{QStringLiteral("1")});
        QCOMPARE(roomy.stop(), 0);
    }

    void cleanupTestCase()
    {
        QCOMPARE(m_platform.stop(), 0);
        if (m_keyed)
            QCOMPARE(m_keyed->stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestOpen311)
#include "tst_open311.moc"
