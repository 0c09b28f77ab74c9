// The demo district generator: deterministic, complete, and consistent with itself.
#include "demo/demogenerator.h"
#include "domain/catalogue.h"
#include "domain/eventchain.h"
#include "domain/types.h"
#include "domain/workcalendar.h"
#include "storage/evidencestore.h"
#include "testsupport.h"
#include "workflow/workflow.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace cityops;

class TestDemoGenerator : public QObject
{
    Q_OBJECT

    static qint64 scalar(Database &db, const QString &sql)
    {
        QSqlQuery q(db.sql());
        if (!q.exec(sql) || !q.next())
            qFatal("query failed: %s", qPrintable(sql));
        return q.value(0).toLongLong();
    }

    QTemporaryDir m_dir;
    std::shared_ptr<Database> m_db;
    DemoSummary m_summary;

private slots:
    void initTestCase()
    {
        m_summary = test::makeDemo(m_dir.path(), 20000, 42);
        auto db = Database::openDir(m_dir.path());
        QVERIFY(db.ok());
        m_db = *db;
    }

    void sameSeedGivesIdenticalRows()
    {
        QTemporaryDir a, b, c;
        test::makeDemo(a.path(), 3000, 7);
        test::makeDemo(b.path(), 3000, 7);
        test::makeDemo(c.path(), 3000, 8);
        auto da = Database::openDir(a.path()), db = Database::openDir(b.path()),
             dc = Database::openDir(c.path());
        QVERIFY(da.ok() && db.ok() && dc.ok());
        for (const QString &t : {QStringLiteral("cases"), QStringLiteral("case_events"),
                                 QStringLiteral("grids"), QStringLiteral("units")})
            QCOMPARE(test::tableHash(**da, t), test::tableHash(**db, t));
        QVERIFY(test::tableHash(**da, QStringLiteral("cases")) !=
                test::tableHash(**dc, QStringLiteral("cases")));
    }

    void districtHasTheRequiredShape()
    {
        Database &d = *m_db;
        QCOMPARE(scalar(d, QStringLiteral("SELECT count(*) FROM streets")), 10);
        QCOMPARE(scalar(d, QStringLiteral("SELECT count(*) FROM communities")), 100);
        QVERIFY(scalar(d, QStringLiteral("SELECT count(*) FROM grids")) >= 1000);
        QVERIFY(scalar(d, QStringLiteral("SELECT count(*) FROM cameras WHERE kind = 'camera'")) >=
                300);
        QVERIFY(scalar(d, QStringLiteral("SELECT count(*) FROM units")) >= 200);
        QVERIFY(scalar(d, QStringLiteral("SELECT count(*) FROM roads")) >= 20);
        QCOMPARE(scalar(d, QStringLiteral("SELECT count(*) FROM cases")), 20000);
        QCOMPARE(scalar(d, QStringLiteral("SELECT count(*) FROM case_events")), m_summary.events);
        // Everything lies inside Shanghai's bounding box.
        QCOMPARE(scalar(d, QStringLiteral("SELECT count(*) FROM cases WHERE lon NOT BETWEEN 120.85 "
                                          "AND 122.25 OR lat NOT BETWEEN 30.65 AND 31.90")),
                 0);
        // CJ/T 349-style grid codes: 20 digits, unique, prefixed by their community's code.
        QCOMPARE(scalar(d, QStringLiteral("SELECT count(*) FROM grids WHERE length(code) != 20 OR "
                                          "code GLOB '*[^0-9]*'")),
                 0);
        QCOMPARE(scalar(d, QStringLiteral("SELECT count(*) FROM grids g JOIN communities c ON "
                                          "c.id = g.community_id WHERE substr(g.code, 13, 6) != "
                                          "c.code")),
                 0);
        // Grids tile each community: their areas add up and no cell leaves its community.
        QSqlQuery q(d.sql());
        QVERIFY(q.exec(QStringLiteral(
            "SELECT c.id, c.geometry, sum(g.area_m2), min(g.min_lon), min(g.min_lat), "
            "max(g.max_lon), max(g.max_lat) FROM communities c JOIN grids g ON "
            "g.community_id = c.id GROUP BY c.id")));
        int checked = 0;
        while (q.next()) {
            const auto ring = QJsonDocument::fromJson(q.value(1).toByteArray())
                                  .object()
                                  .value(QLatin1String("coordinates"))
                                  .toArray()
                                  .at(0)
                                  .toArray();
            const double w = ring.at(0).toArray().at(0).toDouble();
            const double s = ring.at(0).toArray().at(1).toDouble();
            const double e = ring.at(2).toArray().at(0).toDouble();
            const double n = ring.at(2).toArray().at(1).toDouble();
            QVERIFY(std::abs(q.value(3).toDouble() - w) < 1e-6);
            QVERIFY(std::abs(q.value(4).toDouble() - s) < 1e-6);
            QVERIFY(std::abs(q.value(5).toDouble() - e) < 1e-6);
            QVERIFY(std::abs(q.value(6).toDouble() - n) < 1e-6);
            const double area =
                (e - w) * 111320.0 * std::cos(31.231 * M_PI / 180) * (n - s) * 110574.0;
            QVERIFY2(std::abs(q.value(2).toDouble() / area - 1.0) < 0.01,
                     qPrintable(q.value(0).toString()));
            ++checked;
        }
        QCOMPARE(checked, 100);
    }

    void demoUsersHaveOneRoleEach()
    {
        QSqlQuery q(m_db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT username, role FROM users ORDER BY id")));
        QMap<QString, QString> users;
        while (q.next())
            users.insert(q.value(0).toString(), q.value(1).toString());
        QMap<QString, QString> expected{
            {"operator1", "operator"}, {"dispatcher1", "dispatcher"}, {"supervisor1", "supervisor"},
            {"field1", "field"},       {"enforcer1", "enforcement"},  {"auditor1", "auditor"}};
        // The organisation's accounts (issue 19): each street's sub-centre, each street's
        // enforcement squad, four district bureaus.
        for (int s = 1; s <= 10; ++s) {
            const QString tag = QStringLiteral("%1").arg(s, 2, 10, QLatin1Char('0'));
            expected.insert(QStringLiteral("street%1-operator").arg(tag),
                            QStringLiteral("operator"));
            expected.insert(QStringLiteral("street%1-supervisor").arg(tag),
                            QStringLiteral("supervisor"));
            expected.insert(QStringLiteral("cg-squad%1").arg(tag), QStringLiteral("enforcement"));
        }
        for (const char *b : {"market", "water", "traffic", "construction"})
            expected.insert(QLatin1String(b) + QLatin1String("-bureau"),
                            QStringLiteral("dispatcher"));
        QCOMPARE(users, expected);
        // Each organisation account belongs to a team of its street or of the district.
        QVERIFY(q.exec(QStringLiteral(
            "SELECT u.username, t.kind, t.unit_type, coalesce(t.street_id, 0) FROM users u JOIN "
            "units t ON t.id = u.unit_id WHERE u.username LIKE 'street%'")));
        int offices = 0;
        while (q.next()) {
            QCOMPARE(q.value(1).toString(), QStringLiteral("team"));
            QCOMPARE(q.value(2).toString(), QStringLiteral("street_office"));
            QCOMPARE(q.value(3).toInt(), q.value(0).toString().mid(6, 2).toInt());
            ++offices;
        }
        QCOMPARE(offices, 20);
    }

    void casesCoverEveryStateAndAShareIsOverdue()
    {
        QSet<QString> states;
        QSqlQuery q(m_db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT DISTINCT state FROM cases")));
        while (q.next())
            states.insert(q.value(0).toString());
        for (CaseState s : kAllCaseStates)
            QVERIFY2(states.contains(Names::key(s)),
                     qPrintable(Names::key(s) + QStringLiteral(" missing from ") +
                                QStringList(states.values()).join(QLatin1Char(','))));
        for (int stage = 1; stage <= 3; ++stage)
            QVERIFY(
                scalar(*m_db,
                       QStringLiteral("SELECT count(*) FROM cases WHERE stage = %1").arg(stage)) >
                0);
        const qint64 overdue =
            scalar(*m_db, QStringLiteral("SELECT count(*) FROM cases WHERE state NOT IN ('closed', "
                                         "'rejected', 'shelved') AND deadline_at < %1")
                              .arg(DemoOptions::kDefaultAnchorMs));
        QVERIFY(overdue > 200 && overdue < 6000);
        // Every source and a mix of categories appear; cases are numbered in reporting order.
        QCOMPARE(scalar(*m_db, QStringLiteral("SELECT count(DISTINCT source) FROM cases")), 5);
        QVERIFY(scalar(*m_db, QStringLiteral("SELECT count(DISTINCT category) FROM cases")) >= 60);
        QCOMPARE(scalar(*m_db, QStringLiteral("SELECT count(*) FROM cases a JOIN cases b ON b.id = "
                                              "a.id + 1 WHERE b.reported_at < a.reported_at")),
                 0);
        QCOMPARE(scalar(*m_db, QStringLiteral("SELECT count(*) FROM case_events WHERE at >= %1")
                                   .arg(DemoOptions::kDefaultAnchorMs)),
                 0);
    }

    void timelinesAreHashChained()
    {
        QSqlQuery cases(m_db->sql());
        QVERIFY(cases.exec(QStringLiteral("SELECT id, chain_head FROM cases WHERE id % 97 = 0")));
        int checked = 0;
        while (cases.next()) {
            const qint64 id = cases.value(0).toLongLong();
            QSqlQuery ev(m_db->sql());
            ev.prepare(QStringLiteral("SELECT seq, kind, actor, role, at, device, payload, "
                                      "prev_hash FROM case_events WHERE case_id = ? ORDER BY seq"));
            ev.addBindValue(id);
            QVERIFY(ev.exec());
            QByteArray prev = genesisHash();
            int seq = 0;
            while (ev.next()) {
                QCOMPARE(ev.value(0).toInt(), ++seq);
                QCOMPARE(ev.value(7).toByteArray(), prev);
                prev = eventHash({0, id, seq, ev.value(1).toString(), ev.value(2).toString(),
                                  ev.value(3).toString(), ev.value(4).toLongLong(),
                                  ev.value(5).toString(), ev.value(6).toByteArray(), prev});
            }
            QVERIFY(seq >= 1);
            QCOMPARE(cases.value(1).toByteArray(), prev);
            ++checked;
        }
        QVERIFY(checked > 100);
    }

    /** Every generated timeline is one the workflow engine itself would have written. */
    void timelinesObeyTheWorkflowEngine()
    {
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        QHash<QString, QString> unitTypes;
        QSqlQuery units(m_db->sql());
        QVERIFY(units.exec(QStringLiteral("SELECT code, unit_type FROM units")));
        while (units.next())
            unitTypes.insert(units.value(0).toString(), units.value(1).toString());
        QSqlQuery cases(m_db->sql());
        QVERIFY(
            cases.exec(QStringLiteral("SELECT id, category, state, stage FROM cases ORDER BY id")));
        int checked = 0;
        QSet<QString> kinds;
        while (cases.next()) {
            const qint64 id = cases.value(0).toLongLong();
            CaseSnapshot snap = wf.initial(id, cases.value(1).toString());
            QSqlQuery ev(m_db->sql());
            ev.prepare(
                QStringLiteral("SELECT kind, actor, role, at, device, payload FROM case_events "
                               "WHERE case_id = ? ORDER BY seq"));
            ev.addBindValue(id);
            QVERIFY(ev.exec());
            while (ev.next()) {
                const QString kind = ev.value(0).toString();
                const QByteArray payload = ev.value(5).toByteArray();
                const QJsonObject o = QJsonDocument::fromJson(payload).object();
                const auto action = actionFromKey(kind);
                QVERIFY2(action, qPrintable(kind));
                Command cmd;
                cmd.action = *action;
                cmd.reason = o.value(QLatin1String("reason")).toString();
                cmd.to = o.value(QLatin1String("to")).toString();
                cmd.toType = unitTypes.value(cmd.to);
                for (const QJsonValue &e : o.value(QLatin1String("evidence")).toArray())
                    cmd.evidence << e.toString();
                cmd.toStage = o.value(QLatin1String("to_stage")).toInt();
                cmd.skip = o.value(QLatin1String("skip")).toBool();
                cmd.confirmFiling = true;
                cmd.hours = o.value(QLatin1String("hours")).toInt();
                cmd.decision = o.value(QLatin1String("decision")).toString();
                const Actor actor{ev.value(1).toString(), *Names::role(ev.value(2).toString()),
                                  QString(), ev.value(4).toString()};
                const auto d = wf.decide(snap, cmd, actor, ev.value(3).toLongLong());
                if (const auto *r = std::get_if<Rejection>(&d))
                    QFAIL(qPrintable(QStringLiteral("case %1, %2 by %3: %4")
                                         .arg(id)
                                         .arg(kind, actor.id, r->reason)));
                kinds.insert(kind);
                Workflow::fold(snap, kind, payload, actor.id, ev.value(3).toLongLong());
            }
            QCOMPARE(Names::key(snap.state), cases.value(2).toString());
            QCOMPARE(int(snap.stage), cases.value(3).toInt());
            ++checked;
        }
        QCOMPARE(checked, 20000);
        // The generator exercises the whole vocabulary, exception paths included.
        for (const char *k :
             {"reject", "return", "verify-fail", "extend-request", "extend-approve", "shelve",
              "reopen", "notice", "recheck-corrected", "recheck-uncorrected", "escalate-request",
              "escalate-approve", "escalate-reject"})
            QVERIFY2(kinds.contains(QLatin1String(k)), k);
        // Pending requests reach the Approvals panel, and evidence files exist.
        QVERIFY(scalar(*m_db, QStringLiteral(
                                  "SELECT count(*) FROM cases WHERE pending = 'escalation'")) > 0);
        EvidenceStore store(m_db, m_dir.path());
        QSqlQuery att(m_db->sql());
        QVERIFY(att.exec(QStringLiteral("SELECT sha256 FROM attachments")));
        int photos = 0;
        while (att.next()) {
            QVERIFY(store.contains(att.value(0).toString()));
            ++photos;
        }
        QVERIFY(photos >= 10);
    }

    void parseAnchor_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected"); // -1: refused
        const qint64 fixed = DemoOptions::kDefaultAnchorMs;
        QTest::newRow("the tests' anchor") << "2026-11-27T18:00+08:00" << fixed;
        QTest::newRow("no offset is Shanghai") << "2026-11-27T18:00" << fixed;
        QTest::newRow("seconds") << "2026-11-27T18:00:00+08:00" << fixed;
        QTest::newRow("UTC") << "2026-11-27T10:00Z" << fixed;
        QTest::newRow("other offset") << "2026-11-27T11:00+01:00" << fixed;
        QTest::newRow("a date is 18:00") << "2026-11-27" << fixed;
        QTest::newRow("spaces around") << " 2026-11-27T18:00+08:00 " << fixed;
        QTest::newRow("an hour later") << "2026-11-27T19:00" << fixed + 3600 * 1000;
        QTest::newRow("empty") << "" << qint64(-1);
        QTest::newRow("words") << "tomorrow" << qint64(-1);
        QTest::newRow("no such day") << "2026-02-30" << qint64(-1);
        QTest::newRow("no such hour") << "2026-11-27T25:00" << qint64(-1);
    }
    void parseAnchor()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        const auto r = DemoOptions::parseAnchor(text);
        if (expected < 0) {
            QVERIFY(!r);
            QVERIFY2(r.error().contains(QStringLiteral("\"%1\"").arg(text)), qPrintable(r.error()));
            return;
        }
        QVERIFY2(r, qPrintable(r ? QString() : r.error()));
        QCOMPARE(*r, expected);
    }

    void floorToHour()
    {
        const qint64 hour = DemoOptions::kDefaultAnchorMs;
        QCOMPARE(DemoOptions::floorToHour(hour), hour);
        QCOMPARE(DemoOptions::floorToHour(hour + 1), hour);
        QCOMPARE(DemoOptions::floorToHour(hour + 3600 * 1000 - 1), hour);
        QCOMPARE(DemoOptions::floorToHour(hour + 3600 * 1000), hour + 3600 * 1000);
        // The library default stays fixed, so generated rows never depend on the day of the run.
        QCOMPARE(DemoOptions().anchorMs, DemoOptions::kDefaultAnchorMs);
        const qint64 before = DemoOptions::floorToHour(QDateTime::currentMSecsSinceEpoch());
        const qint64 now = DemoOptions::currentHourAnchor();
        QVERIFY(now == before || now == before + 3600 * 1000);
    }

    void filesArePrivate()
    {
        // The cache, the evidence directories and the photos, whatever the umask (issue 18).
        const QDir data(m_dir.path());
        const auto mode = [](const QString &path) {
            return int(QFile::permissions(path) & 0x7777);
        };
        const int dirMode =
            int(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
        QCOMPARE(mode(data.filePath(QStringLiteral("cityops.db"))),
                 int(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser |
                     QFileDevice::WriteUser));
        QCOMPARE(mode(data.path()), dirMode);
        const QDir evidence(data.filePath(QStringLiteral("evidence")));
        QCOMPARE(mode(evidence.path()), dirMode);
        const QStringList shards = evidence.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY(!shards.isEmpty());
        int photos = 0;
        for (const QString &shard : shards) {
            QCOMPARE(mode(evidence.filePath(shard)), dirMode);
            const QDir d(evidence.filePath(shard));
            for (const QString &f : d.entryList(QDir::Files)) {
                // 0400 as written (EvidenceStore may reopen a photo 0600): never group or other.
                QCOMPARE(mode(d.filePath(f)) & 0x0077, 0);
                QVERIFY(QFile::permissions(d.filePath(f)) & QFileDevice::ReadOwner);
                ++photos;
            }
        }
        QVERIFY(photos > 0);
    }

    void refusesToOverwriteAnExistingCache()
    {
        DemoOptions o;
        o.cases = 10;
        const auto r = DemoGenerator::generate(m_dir.path(), o);
        QVERIFY(!r.ok());
        QVERIFY(r.error().contains(QLatin1String("already exists")));
        QCOMPARE(scalar(*m_db, QStringLiteral("SELECT count(*) FROM cases")), 20000);
    }

    void cancelledRunLeavesNothing()
    {
        QTemporaryDir dir;
        DemoOptions o;
        o.cases = 5000;
        o.progress = [](int pct) {
            return pct < 50;
        };
        QVERIFY(!DemoGenerator::generate(dir.path(), o).ok());
        QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDemoGenerator)
#include "tst_demogenerator.moc"
