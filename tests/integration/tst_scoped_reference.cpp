// The reference data scoped like the cases (issue 19): what each demo account's scope receives of
// GET /api/v1/reference (the people whose positions it gets, the accounts in `users`, the map and
// catalogue whole), one ETag per scope with 304 for the same scope, and a real console cache
// signed in as a volunteer's community holding no position outside it after a sync. The expected
// sets are written here in SQL on the platform's store, independently of the platform's code.
#include "platformtest.h"

#include <QDir>
#include <QSet>
#include <QTemporaryDir>

#include <algorithm>

using namespace cityops;
using namespace cityops::test;

namespace {

constexpr int kPeople = 356;

Run cli(const QStringList &args, const QByteArray &input = {})
{
    return runProgram(QStringLiteral(CITYOPS_CLI_BIN), args, input);
}

const QString kStreet001 = QStringLiteral("(SELECT id FROM streets WHERE code = '001')");

/** The units of a department's teams (in street 001, or all of them) and of their people. */
QString departmentUnits(const QString &type, bool streetOne)
{
    const QString where =
        QStringLiteral("t.kind = 'team' AND t.unit_type = '%1'%2")
            .arg(type, streetOne ? QStringLiteral(" AND t.street_id = ") + kStreet001 : QString());
    return QStringLiteral("SELECT t.id FROM units t WHERE %1 UNION SELECT p.id FROM units p JOIN "
                          "units t ON t.id = p.parent_id WHERE %1")
        .arg(where);
}

/** A table of reference data by name (an empty one when it is missing). */
sync::ReferenceTable table(const sync::ReferenceData &data, const QString &name)
{
    for (const sync::ReferenceTable &t : data.tables) {
        if (t.name == name)
            return t;
    }
    return {};
}

QStringList sorted(QStringList l)
{
    l.sort();
    return l;
}

} // namespace

class TestScopedReference : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PlatformProcess m_platform;
    DemoAccounts m_accounts{m_platform};

    Client &as(const QString &user) { return m_accounts.as(user); }

    QStringList platformColumn(const QString &sql)
    {
        return column(m_platform.databasePath(), sql);
    }

    /** The account's reference data, with the answer's ETag. */
    sync::ReferenceData referenceOf(const QString &user, QByteArray *etag = nullptr)
    {
        const Answer a = as(user).get(QStringLiteral("/api/v1/reference"));
        if (a.status != 200)
            qFatal("reference for %s: %d", qPrintable(user), a.status);
        auto data = sync::decodeReference(a.body);
        if (!data)
            qFatal("reference for %s: %s", qPrintable(user), qPrintable(data.error()));
        if (etag)
            *etag = a.header("ETag");
        return *data;
    }

    /** The codes of the people whose position (lon, lat, seen_at) the data holds. */
    static QStringList positionedPeople(const sync::ReferenceData &data)
    {
        const sync::ReferenceTable units = table(data, QStringLiteral("units"));
        const auto code = units.columns.indexOf(QLatin1String("code"));
        const auto kind = units.columns.indexOf(QLatin1String("kind"));
        const auto lon = units.columns.indexOf(QLatin1String("lon"));
        const auto lat = units.columns.indexOf(QLatin1String("lat"));
        const auto seen = units.columns.indexOf(QLatin1String("seen_at"));
        QStringList out;
        for (const QJsonArray &row : units.rows) {
            if (row.at(kind).toString() != QLatin1String("person"))
                continue;
            const bool any =
                !row.at(lon).isNull() || !row.at(lat).isNull() || !row.at(seen).isNull();
            if (any)
                out << row.at(code).toString();
        }
        return sorted(out);
    }

    /** The rows of a table as the platform's SQL would print them, keyed column by column. */
    static QStringList codesOf(const sync::ReferenceData &data, const QString &name,
                               const QString &column)
    {
        const sync::ReferenceTable t = table(data, name);
        const auto i = t.columns.indexOf(column);
        QStringList out;
        for (const QJsonArray &row : t.rows)
            out << row.at(i).toVariant().toString();
        return sorted(out);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_platform.start(m_dir.filePath(QStringLiteral("platform")),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   QStringLiteral("2026-11-27T18:00+08:00"),
                                   QStringLiteral("--cases"), QStringLiteral("300")}),
                 m_platform.errors().constData());
        // The demo district places every one of its people.
        QCOMPARE(platformColumn(QStringLiteral("SELECT count(*) FROM units WHERE kind = 'person' "
                                               "AND lon IS NOT NULL AND lat IS NOT NULL")),
                 QStringList{QString::number(kPeople)});
    }
    void cleanupTestCase() { QCOMPARE(m_platform.stop(), 0); }

    void scopeGetsItsPeoplesPositionsAndAccounts_data()
    {
        // `units`: the ids of the scope's teams and people (and the account's own person).
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("units");
        QTest::newRow("district") << "operator1"
                                  << "SELECT id FROM units";
        QTest::newRow("street sub-centre")
            << "street01-operator"
            << QStringLiteral(
                   "SELECT p.id FROM units p LEFT JOIN units t ON t.id = p.parent_id WHERE "
                   "p.street_id = %1 OR p.community_id IN (SELECT id FROM communities WHERE "
                   "street_id = %1) OR (p.kind = 'person' AND (t.street_id = %1 OR "
                   "t.community_id IN (SELECT id FROM communities WHERE street_id = %1)))")
                   .arg(kStreet001);
        QTest::newRow("community (grid worker)")
            << "field1"
            << QStringLiteral(
                   "SELECT p.id FROM units p LEFT JOIN units t ON t.id = p.parent_id WHERE "
                   "p.community_id = (SELECT id FROM communities WHERE code = '001001') OR "
                   "(p.kind = 'person' AND t.community_id = (SELECT id FROM communities WHERE "
                   "code = '001001')) OR p.code = 'GW-01-001'");
        QTest::newRow("street squad") << "cg-squad01"
                                      << departmentUnits(QStringLiteral("enforcement"), true) +
                                             QStringLiteral(" UNION SELECT id FROM units WHERE "
                                                            "code = 'ENF-01-01'");
        QTest::newRow("district bureau")
            << "water-bureau" << departmentUnits(QStringLiteral("water"), false);
    }
    void scopeGetsItsPeoplesPositionsAndAccounts()
    {
        QFETCH(QString, user);
        QFETCH(QString, units);
        const sync::ReferenceData data = referenceOf(user);
        const bool district = user == QLatin1String("operator1");

        // Positions: exactly the scope's people.
        const QStringList expected = platformColumn(
            QStringLiteral("SELECT code FROM units WHERE kind = 'person' AND lon IS NOT NULL "
                           "AND id IN (%1) ORDER BY code")
                .arg(units));
        QVERIFY(!expected.isEmpty());
        QCOMPARE(positionedPeople(data), sorted(expected));
        if (district)
            QCOMPARE(expected.size(), kPeople);
        else
            QVERIFY(expected.size() < kPeople);

        // Every unit's row stays (cases in scope may be dispatched to anyone), and the teams
        // whole, positions included.
        QCOMPARE(codesOf(data, QStringLiteral("units"), QStringLiteral("code")),
                 sorted(platformColumn(QStringLiteral("SELECT code FROM units"))));
        const sync::ReferenceData all = referenceOf(QStringLiteral("operator1"));
        const sync::ReferenceTable units0 = table(all, QStringLiteral("units"));
        const sync::ReferenceTable units1 = table(data, QStringLiteral("units"));
        QCOMPARE(units1.columns, units0.columns);
        const auto kind = units0.columns.indexOf(QLatin1String("kind"));
        for (qsizetype i = 0; i < units0.rows.size(); ++i) {
            if (units0.rows.at(i).at(kind).toString() == QLatin1String("team"))
                QCOMPARE(units1.rows.at(i), units0.rows.at(i));
        }

        // The map and the catalogue whole.
        for (const QString &name : {QStringLiteral("meta"), QStringLiteral("category_majors"),
                                    QStringLiteral("categories"), QStringLiteral("streets"),
                                    QStringLiteral("communities"), QStringLiteral("grids"),
                                    QStringLiteral("roads"), QStringLiteral("cameras")}) {
            const sync::ReferenceTable t = table(data, name);
            QVERIFY2(!t.rows.isEmpty(), qPrintable(name));
            QVERIFY2(t.rows == table(all, name).rows, qPrintable(name));
        }

        // The accounts of its teams and people, and its own (the district: all of them).
        const QStringList accounts = platformColumn(
            district ? QStringLiteral("SELECT username FROM users")
                     : QStringLiteral(
                           "SELECT username FROM users WHERE username = '%1' OR unit_id IN (%2)")
                           .arg(user, units));
        QVERIFY(accounts.contains(user));
        QCOMPARE(codesOf(data, QStringLiteral("users"), QStringLiteral("username")),
                 sorted(accounts));
    }

    void aCommunityGetsOnlyItsOwnPeoplesPositions()
    {
        // A grid worker's console: the community's grid worker and volunteer, no one else.
        QCOMPARE(positionedPeople(referenceOf(QStringLiteral("field1"))),
                 (QStringList{QStringLiteral("GW-01-001"), QStringLiteral("VOL-01-001")}));
        QCOMPARE(platformColumn(QStringLiteral(
                     "SELECT code FROM units WHERE kind = 'person' AND community_id = (SELECT id "
                     "FROM communities WHERE code = '001001') ORDER BY code")),
                 (QStringList{QStringLiteral("GW-01-001"), QStringLiteral("VOL-01-001")}));
    }

    void eachScopeHasItsOwnETag()
    {
        const QStringList users{QStringLiteral("operator1"), QStringLiteral("street01-operator"),
                                QStringLiteral("field1"), QStringLiteral("cg-squad01"),
                                QStringLiteral("water-bureau")};
        QMap<QString, QByteArray> etags;
        for (const QString &u : users) {
            QByteArray etag;
            const sync::ReferenceData data = referenceOf(u, &etag);
            QVERIFY2(!etag.isEmpty(), qPrintable(u));
            QCOMPARE(etag, '"' + data.version.toLatin1() + '"');
            // The version is the digest of what this scope received.
            QCOMPARE(data.version, sync::referenceVersion(data));
            etags.insert(u, etag);
        }
        QCOMPARE(QSet<QByteArray>(etags.cbegin(), etags.cend()).size(), users.size());
        for (const QString &u : users) {
            const Answer same = as(u).request("GET", QStringLiteral("/api/v1/reference"), {},
                                              {{"If-None-Match", etags.value(u)}});
            QCOMPARE(same.status, 304);
            QCOMPARE(same.header("ETag"), etags.value(u));
            // Another scope's version is not this one's: the whole data again.
            const QString other = users.at((users.indexOf(u) + 1) % users.size());
            const Answer changed = as(u).request("GET", QStringLiteral("/api/v1/reference"), {},
                                                 {{"If-None-Match", etags.value(other)}});
            QCOMPARE(changed.status, 200);
            QCOMPARE(changed.header("ETag"), etags.value(u));
        }
    }

    void aScopedConsoleCacheHoldsNoPositionOutsideItsScope()
    {
        // A case of field1's community dispatched to someone outside it (an officer of street
        // 005's squad): field1's cache holds the case, and the officer's row without position.
        const QStringList at = platformColumn(QStringLiteral(
            "SELECT lon || ',' || lat FROM cases WHERE community_id = (SELECT id FROM communities "
            "WHERE code = '001001') ORDER BY id LIMIT 1"));
        QVERIFY(!at.isEmpty());
        const QStringList lonLat = at.front().split(QLatin1Char(','));
        const auto filed =
            as(QStringLiteral("operator1"))
                .commands({report(QStringLiteral("F0101"), QStringLiteral("社区内的案件"),
                                  lonLat.value(0).toDouble(), lonLat.value(1).toDouble())});
        QCOMPARE(filed.size(), 1);
        QVERIFY2(filed.front().status == sync::CommandStatus::Applied,
                 qPrintable(filed.front().reason));
        const CaseId id = filed.front().caseId;
        sync::ClientCommand reg = command(Action::Register, id);
        reg.confirmFiling = true;
        QCOMPARE(as(QStringLiteral("operator1")).commands({reg}).value(0).status,
                 sync::CommandStatus::Applied);
        sync::ClientCommand dispatch = command(Action::Dispatch, id);
        dispatch.to = QStringLiteral("ENF-05-01");
        const auto sent = as(QStringLiteral("dispatcher1")).commands({dispatch});
        QVERIFY2(sent.value(0).status == sync::CommandStatus::Applied,
                 qPrintable(sent.value(0).reason));

        // A generated cache holds every position; a grid worker's console signs in and syncs
        // through the real CLI, and the reference pull overwrites them.
        const QString cache = m_dir.filePath(QStringLiteral("field-cache"));
        const QString url = m_platform.url().toString();
        const Run gen =
            cli({QStringLiteral("demo"), QStringLiteral("generate"), QStringLiteral("--anchor"),
                 QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--cases"),
                 QStringLiteral("0"), QStringLiteral("--out"), cache});
        QVERIFY2(gen.rc == 0, qPrintable(gen.err));
        const QString db = QDir(cache).filePath(QStringLiteral("cityops.db"));
        const QString positioned = QStringLiteral(
            "SELECT code FROM units WHERE kind = 'person' AND (lon IS NOT NULL OR lat IS NOT "
            "NULL OR seen_at IS NOT NULL) ORDER BY code");
        QCOMPARE(column(db, positioned).size(), kPeople);

        const Run login = cli({QStringLiteral("--platform"), url, QStringLiteral("--data"), cache,
                               QStringLiteral("login"), QStringLiteral("--user"),
                               QStringLiteral("field1"), QStringLiteral("--password-stdin")},
                              "demo\n");
        QVERIFY2(login.rc == 0, qPrintable(login.err));
        const Run sync = cli({QStringLiteral("--platform"), url, QStringLiteral("--data"), cache,
                              QStringLiteral("sync")});
        QVERIFY2(sync.rc == 0, qPrintable(sync.err));

        QCOMPARE(column(db, positioned),
                 (QStringList{QStringLiteral("GW-01-001"), QStringLiteral("VOL-01-001")}));
        // Every unit is still there (the cases' assignees), and the accounts are the scope's.
        const QString units =
            QStringLiteral("SELECT id, code, kind, parent_id FROM units ORDER BY id");
        QCOMPARE(column(db, units), platformColumn(units));
        QCOMPARE(column(db, QStringLiteral("SELECT username FROM users ORDER BY username")),
                 sorted(codesOf(referenceOf(QStringLiteral("field1")), QStringLiteral("users"),
                                QStringLiteral("username"))));
        QVERIFY(column(db, QStringLiteral("SELECT username FROM users"))
                    .contains(QStringLiteral("field1")));
        QVERIFY(!column(db, QStringLiteral("SELECT username FROM users"))
                     .contains(QStringLiteral("operator1")));
        // The case dispatched outside the scope: the officer's row is there (the foreign keys
        // hold), the position is not.
        QCOMPARE(column(db, QStringLiteral("SELECT p.code || '|' || coalesce(p.lon, 'none') FROM "
                                           "cases c JOIN units p ON p.id = c.assignee_id WHERE "
                                           "c.id = %1")
                                .arg(id)),
                 QStringList{QStringLiteral("ENF-05-01|none")});
        QCOMPARE(column(db, QStringLiteral("SELECT count(*) FROM pragma_foreign_key_check")),
                 QStringList{QStringLiteral("0")});
        // The cache still holds its community's open cases.
        QCOMPARE(column(db, QStringLiteral("SELECT count(*) FROM cases")),
                 platformColumn(QStringLiteral(
                     "SELECT count(*) FROM cases WHERE closed_at IS NULL AND community_id = "
                     "(SELECT id FROM communities WHERE code = '001001') OR assignee_id = "
                     "(SELECT id FROM units WHERE code = 'GW-01-001')")));
    }
};

QTEST_GUILESS_MAIN(TestScopedReference)
#include "tst_scoped_reference.moc"
