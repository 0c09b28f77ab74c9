// Open311 GeoReport v2 on the real platform: the service list, a citizen report with Chinese text
// becoming an intake case, the standard filters and the standard error format.
#include "platformtest.h"

#include "domain/catalogue.h"

#include <QDateTime>
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
        QCOMPARE(ids(QStringLiteral("?service_request_id=%1,1").arg(m_id)),
                 (QSet<QString>{m_id, QStringLiteral("1")}));

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

    void cleanupTestCase() { QCOMPARE(m_platform.stop(), 0); }
};

QTEST_GUILESS_MAIN(TestOpen311)
#include "tst_open311.moc"
