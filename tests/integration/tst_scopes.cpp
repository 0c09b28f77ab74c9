// Jurisdictions enforced by the platform (issue 19): what each demo account's scope receives in
// the snapshot and the change feed, which commands and attachments it is refused (and that the
// refusals are logged), a case entering a scope arriving whole and leaving it arriving as a drop,
// and a scoped console cache holding exactly its scope before and after a drop. The expected
// sets are written here in SQL on the platform's store, independently of the platform's code.
#include "platformtest.h"

#include "domain/scope.h"

#include <QCryptographicHash>
#include <QTemporaryDir>

#include <algorithm>

using namespace cityops;
using namespace cityops::test;
using sync::CommandStatus;

namespace {

constexpr int kCases = 2000;

Run cli(const QStringList &args, const QByteArray &input = {})
{
    return runProgram(QStringLiteral(CITYOPS_CLI_BIN), args, input);
}

/** The cases of a department's teams (in a street, or all of them) and of their people. */
QString departmentCases(const QString &type, const QString &street, const QString &person)
{
    const QString streetFilter =
        street.isEmpty()
            ? QString()
            : QStringLiteral(" AND t.street_id = (SELECT id FROM streets WHERE code = '%1')")
                  .arg(street);
    const QString units =
        QStringLiteral("SELECT t.id FROM units t WHERE t.kind = 'team' AND t.unit_type = '%1'%2 "
                       "UNION SELECT p.id FROM units p JOIN units t ON t.id = p.parent_id WHERE "
                       "t.unit_type = '%1'%2")
            .arg(type, streetFilter);
    QString sql =
        QStringLiteral("SELECT id FROM cases WHERE unit_id IN (%1) OR assignee_id IN (%1)")
            .arg(units);
    if (!person.isEmpty())
        sql += QStringLiteral(" OR assignee_id = (SELECT id FROM units WHERE code = '%1')")
                   .arg(person);
    return sql + QStringLiteral(" ORDER BY id");
}

} // namespace

class TestScopes : public QObject
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

    /** Every case id of the account's snapshot (JSON pages), with each case's event count. */
    QMap<qint64, int> snapshotOf(const QString &user)
    {
        QMap<qint64, int> out;
        qint64 after = 0;
        for (;;) {
            const Answer a =
                as(user).get(QStringLiteral("/api/v1/snapshot?after=%1&limit=150").arg(after));
            if (a.status != 200)
                qFatal("snapshot for %s: %d", qPrintable(user), a.status);
            auto page = sync::decodeSnapshot(a.body);
            if (!page)
                qFatal("snapshot for %s: %s", qPrintable(user), qPrintable(page.error()));
            for (const auto &c : page->cases)
                out.insert(c.row.id, int(c.events.size()));
            if (!page->more)
                return out;
            after = page->next;
        }
    }

    /** The account's feed after `since`, all pages. */
    QList<sync::Change> feed(const QString &user, qint64 since, qint64 *cursor = nullptr)
    {
        QList<sync::Change> out;
        for (;;) {
            const Answer a =
                as(user).get(QStringLiteral("/api/v1/changes?since=%1&limit=50").arg(since));
            if (a.status != 200)
                qFatal("changes for %s: %d", qPrintable(user), a.status);
            auto page = sync::decodeChanges(a.body);
            if (!page)
                qFatal("changes for %s: %s", qPrintable(user), qPrintable(page.error()));
            out += page->changes;
            since = page->cursor;
            if (!page->more)
                break;
        }
        if (cursor)
            *cursor = since;
        return out;
    }

    qint64 lastChange()
    {
        return platformColumn(QStringLiteral("SELECT coalesce(max(seq), 0) FROM changes"))
            .value(0)
            .toLongLong();
    }

    sync::CommandResult send(const QString &user, const sync::ClientCommand &c)
    {
        const auto results = as(user).commands({c});
        if (results.size() != 1)
            qFatal("no answer to %s's command", qPrintable(user));
        return results.front();
    }

    static sync::ClientCommand returnCase(CaseId id)
    {
        sync::ClientCommand c = command(Action::Return, id);
        c.reason = QStringLiteral("不属于本中队职责");
        return c;
    }

    /** A new registered case in street 001 (filed by operator1 where a street-001 case is). */
    CaseId newStreetOneCase()
    {
        const QStringList at = platformColumn(QStringLiteral(
            "SELECT lon || ',' || lat FROM cases WHERE street_id = (SELECT id FROM streets WHERE "
            "code = '001') ORDER BY id LIMIT 1"));
        const QStringList lonLat = at.value(0).split(QLatin1Char(','));
        const sync::ClientCommand rep =
            report(QStringLiteral("F0101"), QStringLiteral("辖区测试"), lonLat.value(0).toDouble(),
                   lonLat.value(1).toDouble());
        const auto filed = send(QStringLiteral("operator1"), rep);
        if (filed.status != CommandStatus::Applied)
            qFatal("report: %s", qPrintable(filed.reason));
        sync::ClientCommand reg = command(Action::Register, filed.caseId);
        reg.confirmFiling = true;
        const auto registered = send(QStringLiteral("operator1"), reg);
        if (registered.status != CommandStatus::Applied)
            qFatal("register: %s", qPrintable(registered.reason));
        return filed.caseId;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_platform.start(m_dir.filePath(QStringLiteral("platform")),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   QStringLiteral("2026-11-27T18:00+08:00"),
                                   QStringLiteral("--cases"), QString::number(kCases)}),
                 m_platform.errors().constData());
    }
    void cleanupTestCase() { QCOMPARE(m_platform.stop(), 0); }

    void accountsHaveTheirOrganisationsScope_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("org");
        QTest::addColumn<QString>("scope");
        QTest::newRow("district operator") << "operator1"
                                           << ""
                                           << "district";
        QTest::newRow("auditor") << "auditor1"
                                 << ""
                                 << "district";
        QTest::newRow("street sub-centre") << "street01-operator"
                                           << "STR-01"
                                           << "street:001";
        QTest::newRow("street supervisor") << "street03-supervisor"
                                           << "STR-03"
                                           << "street:003";
        QTest::newRow("grid worker") << "field1"
                                     << ""
                                     << "community:001001";
        QTest::newRow("enforcement squad") << "cg-squad01"
                                           << "ENF-01"
                                           << "department:enforcement:001";
        QTest::newRow("district bureau") << "water-bureau"
                                         << "WAT-00"
                                         << "department:water";
    }
    void accountsHaveTheirOrganisationsScope()
    {
        QFETCH(QString, user);
        QFETCH(QString, org);
        QFETCH(QString, scope);
        const QStringList row = platformColumn(
            QStringLiteral("SELECT coalesce(org, '') || '|' || scope FROM accounts WHERE "
                           "username = '%1'")
                .arg(user));
        QCOMPARE(row, QStringList{org + QLatin1Char('|') + scope});
        QVERIFY(Scope::parse(scope));
    }

    void snapshotHoldsExactlyTheScope_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("expectedSql");
        QTest::addColumn<bool>("whole");
        const QString all = QStringLiteral("SELECT id FROM cases ORDER BY id");
        QTest::newRow("district operator") << "operator1" << all << true;
        QTest::newRow("auditor") << "auditor1" << all << true;
        QTest::newRow("street 001")
            << "street01-operator"
            << "SELECT id FROM cases WHERE street_id = (SELECT id FROM streets WHERE code = "
               "'001') ORDER BY id"
            << false;
        QTest::newRow("street 003")
            << "street03-supervisor"
            << "SELECT id FROM cases WHERE street_id = (SELECT id FROM streets WHERE code = "
               "'003') ORDER BY id"
            << false;
        QTest::newRow("grid worker")
            << "field1"
            << "SELECT id FROM cases WHERE (community_id = (SELECT community_id FROM units WHERE "
               "code = 'GW-01-001') AND closed_at IS NULL) OR assignee_id = (SELECT id FROM "
               "units WHERE code = 'GW-01-001') ORDER BY id"
            << false;
        QTest::newRow("enforcement squad 001")
            << "cg-squad01" << departmentCases("enforcement", "001", "ENF-01-01") << false;
        QTest::newRow("water bureau")
            << "water-bureau" << departmentCases("water", "", "") << false;
    }
    void snapshotHoldsExactlyTheScope()
    {
        QFETCH(QString, user);
        QFETCH(QString, expectedSql);
        QFETCH(bool, whole);
        const QList<qint64> expected = sortedIds(platformColumn(expectedSql));
        const QMap<qint64, int> got = snapshotOf(user);
        QCOMPARE(got.keys(), expected);
        // A scope is a part of the district (and not nothing), the district all of it.
        const int total =
            platformColumn(QStringLiteral("SELECT count(*) FROM cases")).value(0).toInt();
        QCOMPARE(total, kCases);
        if (whole) {
            QCOMPARE(got.size(), total);
        } else {
            QVERIFY2(!got.isEmpty() && got.size() < total / 2,
                     qPrintable(QStringLiteral("%1 of %2 cases").arg(got.size()).arg(total)));
        }
        // Each case comes with its whole timeline.
        for (auto it = got.cbegin(); it != got.cend(); ++it) {
            const int events =
                platformColumn(QStringLiteral("SELECT count(*) FROM case_events WHERE case_id = %1")
                                   .arg(it.key()))
                    .value(0)
                    .toInt();
            QCOMPARE(it.value(), events);
        }
    }

    void commandOutsideTheScopeIsRefusedAndLogged()
    {
        const qint64 other =
            platformColumn(QStringLiteral("SELECT id FROM cases WHERE street_id = (SELECT id "
                                          "FROM streets WHERE code = '002') AND state = "
                                          "'handling' ORDER BY id LIMIT 1"))
                .value(0)
                .toLongLong();
        QVERIFY(other > 0);
        sync::ClientCommand reg = command(Action::Register, other);
        reg.confirmFiling = true;
        const auto refused = send(QStringLiteral("street01-operator"), reg);
        QCOMPARE(refused.status, CommandStatus::Rejected);
        QCOMPARE(refused.code, QStringLiteral("scope"));
        QVERIFY2(refused.reason.contains(QStringLiteral("street 001")), qPrintable(refused.reason));
        // Nothing happened to the case, and the auditor sees the refusal.
        QCOMPARE(platformColumn(QStringLiteral("SELECT state FROM cases WHERE id = %1").arg(other)),
                 QStringList{QStringLiteral("handling")});
        QTRY_VERIFY_WITH_TIMEOUT(
            as(QStringLiteral("auditor1"))
                .get(QStringLiteral("/api/v1/security-log?kind=command.refused&user=street01-"
                                    "operator"))
                .body.contains(QByteArray("on case ") + QByteArray::number(other)),
            5000);
        // The street that owns the case gets the workflow's answer (a handled case cannot be
        // registered), not the scope's.
        reg.id = newId();
        const auto owner = send(QStringLiteral("street02-operator"), reg);
        QCOMPARE(owner.status, CommandStatus::Rejected);
        QVERIFY2(owner.code != QStringLiteral("scope"), qPrintable(owner.reason));
    }

    void evidenceOutsideTheScopeIsNotThere()
    {
        // street02-operator files a report in street 002 with a photo of its own.
        QByteArray photo(4000, Qt::Uninitialized);
        for (qsizetype i = 0; i < photo.size(); ++i)
            photo[i] = char((i * 131) >> 2);
        photo.replace(0, 4, QByteArray("\xFF\xD8\xFF\xE0", 4)); // a JPEG by content
        const QString sha = QString::fromLatin1(
            QCryptographicHash::hash(photo, QCryptographicHash::Sha256).toHex());
        const QString path = QStringLiteral("/api/v1/attachments/") + sha;
        QCOMPARE(as(QStringLiteral("street02-operator"))
                     .request("PUT", path, photo, {{"Content-Type", "application/octet-stream"}})
                     .status,
                 201);
        const QStringList at = platformColumn(QStringLiteral(
            "SELECT lon || ',' || lat FROM cases WHERE street_id = (SELECT id FROM streets WHERE "
            "code = '002') ORDER BY id LIMIT 1"));
        const QStringList lonLat = at.value(0).split(QLatin1Char(','));
        sync::ClientCommand rep = report(QStringLiteral("F0101"), QStringLiteral("带照片的上报"),
                                         lonLat.value(0).toDouble(), lonLat.value(1).toDouble());
        rep.evidence = {sha};
        const auto filed = send(QStringLiteral("street02-operator"), rep);
        QVERIFY2(filed.status == CommandStatus::Applied, qPrintable(filed.reason));
        QCOMPARE(
            platformColumn(
                QStringLiteral("SELECT case_id FROM case_evidence WHERE sha256 = '%1'").arg(sha)),
            QStringList{QString::number(filed.caseId)});

        QCOMPARE(as(QStringLiteral("operator1")).get(path).status, 200);
        QCOMPARE(as(QStringLiteral("street02-supervisor")).get(path).body, photo);
        const Answer refused = as(QStringLiteral("street01-operator")).get(path);
        QCOMPARE(refused.status, 404);
        QCOMPARE(refused.errorCode(), QStringLiteral("not-found"));
        QTRY_VERIFY_WITH_TIMEOUT(
            as(QStringLiteral("auditor1"))
                .get(QStringLiteral("/api/v1/security-log?kind=attachment.refused&user=street01-"
                                    "operator"))
                .body.contains(sha.toLatin1()),
            5000);
    }

    void personalDataAsTheRoleMaySeeIt_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<bool>("full");
        QTest::newRow("operator: masked") << "operator1" << false;
        QTest::newRow("auditor: masked") << "auditor1" << false;
        QTest::newRow("street supervisor: full") << "street01-supervisor" << true;
        QTest::newRow("district supervisor: full") << "supervisor1" << true;
    }
    void personalDataAsTheRoleMaySeeIt()
    {
        QFETCH(QString, user);
        QFETCH(bool, full);
        // The parties on the platform, and what the account's snapshot says of them.
        QHash<qint64, QString> stored;
        for (const QString &line : platformColumn(
                 QStringLiteral("SELECT id || '|' || party FROM cases WHERE party IS NOT NULL")))
            stored.insert(line.section(QLatin1Char('|'), 0, 0).toLongLong(),
                          line.section(QLatin1Char('|'), 1));
        QVERIFY(stored.size() > 20);
        int compared = 0;
        qint64 after = 0;
        for (;;) {
            const Answer a =
                as(user).get(QStringLiteral("/api/v1/snapshot?after=%1&limit=500").arg(after));
            auto page = sync::decodeSnapshot(a.body);
            QVERIFY(page);
            for (const auto &c : page->cases) {
                const QString party = stored.value(c.row.id);
                if (party.size() < 2)
                    continue;
                ++compared;
                if (full) {
                    QCOMPARE(c.row.party.value_or(QString()), party);
                } else {
                    const QString got = c.row.party.value_or(QString());
                    QVERIFY2(got != party && got.startsWith(party.front()) &&
                                 got.contains(QLatin1Char('*')),
                             qPrintable(got + QLatin1String(" for ") + party));
                }
            }
            if (!page->more)
                break;
            after = page->next;
        }
        QVERIFY(compared > 0);
    }

    void unmaskingNeedsARoleAScopeAndAReason()
    {
        const QStringList rows = platformColumn(QStringLiteral(
            "SELECT id || '|' || party FROM cases WHERE party IS NOT NULL AND street_id = "
            "(SELECT id FROM streets WHERE code = '001') ORDER BY id LIMIT 1"));
        QVERIFY(!rows.isEmpty());
        const qint64 id = rows.front().section(QLatin1Char('|'), 0, 0).toLongLong();
        const QString party = rows.front().section(QLatin1Char('|'), 1);
        const QString path = QStringLiteral("/api/v1/cases/%1/personal-data").arg(id);
        const QString why = QStringLiteral("?reason=%1")
                                .arg(QString::fromLatin1(QUrl::toPercentEncoding(
                                    QStringLiteral("送达执法文书需核对当事人"))));
        // An operator may not; a supervisor of another street does not see the case; a reason
        // is required.
        QCOMPARE(as(QStringLiteral("operator1")).get(path + why).status, 403);
        QCOMPARE(as(QStringLiteral("street02-supervisor")).get(path + why).status, 404);
        QCOMPARE(as(QStringLiteral("street01-supervisor")).get(path).status, 400);
        const Answer ok = as(QStringLiteral("street01-supervisor")).get(path + why);
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.object().value(QLatin1String("party")).toString(), party);
        // Each look and each refusal is in the security log, with the reason.
        QTRY_VERIFY_WITH_TIMEOUT(
            as(QStringLiteral("auditor1"))
                .get(QStringLiteral("/api/v1/security-log?kind=personal.unmask&user=street01-"
                                    "supervisor"))
                .body.contains("送达执法文书需核对当事人"),
            5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            as(QStringLiteral("auditor1"))
                .get(QStringLiteral("/api/v1/security-log?kind=personal.refused&user=operator1"))
                .body.contains(QByteArray("case ") + QByteArray::number(id)),
            5000);
    }

    void aCaseEntersWholeAndLeavesAsADrop()
    {
        const QString squad = QStringLiteral("cg-squad01");
        qint64 squadCursor = 0, streetTwoCursor = 0;
        (void)feed(squad, 0, &squadCursor);
        (void)feed(QStringLiteral("street02-operator"), 0, &streetTwoCursor);
        QCOMPARE(squadCursor, lastChange());

        // Filed and registered in street 001: not the squad's yet.
        const CaseId id = newStreetOneCase();
        for (const sync::Change &c : feed(squad, squadCursor))
            QVERIFY(c.caseId != id);
        squadCursor = lastChange();

        // Dispatched to the squad's officer: the whole case arrives.
        sync::ClientCommand dispatch = command(Action::Dispatch, id);
        dispatch.to = QStringLiteral("ENF-01-01");
        QCOMPARE(send(QStringLiteral("dispatcher1"), dispatch).status, CommandStatus::Applied);
        QList<sync::Change> entered = feed(squad, squadCursor, &squadCursor);
        QCOMPARE(entered.size(), 1);
        QCOMPARE(entered.front().caseId, id);
        QVERIFY(!entered.front().dropped);
        QCOMPARE(entered.front().events.size(), entered.front().version);
        QCOMPARE(entered.front().events.front().seq, 1);

        // Returned by the officer: it leaves the squad's scope.
        const auto returned = send(squad, returnCase(id));
        QVERIFY2(returned.status == CommandStatus::Applied, qPrintable(returned.reason));
        const QList<sync::Change> left = feed(squad, squadCursor, &squadCursor);
        QCOMPARE(left.size(), 1);
        QCOMPARE(left.front().caseId, id);
        QVERIFY(left.front().dropped);
        QVERIFY(left.front().events.isEmpty());
        // Once gone, the squad may not act on it.
        QCOMPARE(send(squad, command(Action::Accept, id)).code, QStringLiteral("scope"));

        // Another street never heard of any of it; the district saw every step.
        for (const sync::Change &c : feed(QStringLiteral("street02-operator"), streetTwoCursor))
            QVERIFY(c.caseId != id);
        int districtSteps = 0;
        for (const sync::Change &c : feed(QStringLiteral("operator1"), streetTwoCursor))
            districtSteps += c.caseId == id && !c.dropped;
        QCOMPARE(districtSteps, 4); // report, register, dispatch, return
    }

    void aScopedCacheHoldsOnlyItsScope()
    {
        // A console signed in as the squad's officer, through the real CLI.
        const QString cache = m_dir.filePath(QStringLiteral("squad-cache"));
        const QString url = m_platform.url().toString();
        const Run gen =
            cli({QStringLiteral("demo"), QStringLiteral("generate"), QStringLiteral("--anchor"),
                 QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--cases"),
                 QStringLiteral("0"), QStringLiteral("--out"), cache});
        QVERIFY2(gen.rc == 0, qPrintable(gen.err));
        const Run login = cli({QStringLiteral("--platform"), url, QStringLiteral("--data"), cache,
                               QStringLiteral("login"), QStringLiteral("--user"),
                               QStringLiteral("cg-squad01"), QStringLiteral("--password-stdin")},
                              "demo\n");
        QVERIFY2(login.rc == 0, qPrintable(login.err));
        auto sync = [&] {
            const Run r = cli({QStringLiteral("--platform"), url, QStringLiteral("--data"), cache,
                               QStringLiteral("sync")});
            QVERIFY2(r.rc == 0, qPrintable(r.err));
        };
        sync();
        const QString db = QDir(cache).filePath(QStringLiteral("cityops.db"));
        const QString expectedSql = departmentCases("enforcement", "001", "ENF-01-01");
        QCOMPARE(sortedIds(column(db, QStringLiteral("SELECT id FROM cases ORDER BY id"))),
                 sortedIds(platformColumn(expectedSql)));
        QCOMPARE(column(db, QStringLiteral("SELECT count(*) FROM case_events WHERE case_id NOT "
                                           "IN (SELECT id FROM cases)")),
                 QStringList{QStringLiteral("0")});

        // A case enters (dispatched to the squad's officer) and the cache has all of it; it
        // leaves (returned) and the cache has nothing of it, with the drop on record.
        const CaseId id = newStreetOneCase();
        sync::ClientCommand dispatch = command(Action::Dispatch, id);
        dispatch.to = QStringLiteral("ENF-01-01");
        QCOMPARE(send(QStringLiteral("dispatcher1"), dispatch).status, CommandStatus::Applied);
        sync();
        const QString events =
            QStringLiteral("SELECT count(*) FROM case_events WHERE case_id = %1").arg(id);
        QCOMPARE(column(db, events), QStringList{QStringLiteral("3")});
        QCOMPARE(column(db, events), platformColumn(events));

        QCOMPARE(send(QStringLiteral("cg-squad01"), returnCase(id)).status, CommandStatus::Applied);
        sync();
        QCOMPARE(column(db, QStringLiteral("SELECT count(*) FROM cases WHERE id = %1").arg(id)),
                 QStringList{QStringLiteral("0")});
        QCOMPARE(column(db, events), QStringList{QStringLiteral("0")});
        QCOMPARE(
            column(db,
                   QStringLiteral("SELECT count(*) FROM scope_drops WHERE case_id = %1").arg(id)),
            QStringList{QStringLiteral("1")});
        QCOMPARE(sortedIds(column(db, QStringLiteral("SELECT id FROM cases ORDER BY id"))),
                 sortedIds(platformColumn(expectedSql)));
        // Dispatched to the squad again, it comes back whole; its timeline is append-only again,
        // like that of every case the cache holds.
        QCOMPARE(send(QStringLiteral("dispatcher1"), dispatch).status, CommandStatus::Duplicate);
        dispatch.id = newId();
        const auto again = send(QStringLiteral("dispatcher1"), dispatch);
        QVERIFY2(again.status == CommandStatus::Applied, qPrintable(again.reason));
        sync();
        QCOMPARE(column(db, events), platformColumn(events));
        QCOMPARE(column(db, events), QStringList{QStringLiteral("5")});
        auto rw = Database::open(db);
        QVERIFY(rw);
        QSqlQuery del((*rw)->sql());
        QVERIFY(!del.exec(QStringLiteral("DELETE FROM case_events WHERE case_id = %1").arg(id)));
        const QStringList held = column(db, QStringLiteral("SELECT min(id) FROM cases"));
        QVERIFY(!del.exec(
            QStringLiteral("DELETE FROM case_events WHERE case_id = %1").arg(held.front())));
    }
};

QTEST_GUILESS_MAIN(TestScopes)
#include "tst_scopes.moc"
