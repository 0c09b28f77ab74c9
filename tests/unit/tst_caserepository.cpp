// Workflow commands against a real store: evidence, recurrence, the audit chain and tampering.
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/audit.h"
#include "storage/caserepository.h"
#include "storage/casestore.h"
#include "storage/evidencestore.h"
#include "testsupport.h"

#include <QDateTime>
#include <QImage>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace cityops;

class TestCaseRepository : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<Database> m_db;
    Workflow m_wf{Catalogue::builtin(), WorkCalendar::builtin()};
    std::unique_ptr<CaseRepository> m_repo;
    std::unique_ptr<EvidenceStore> m_evidence;
    QString m_photo;
    const qint64 m_now =
        QDateTime(QDate(2026, 11, 23), QTime(10, 0), QTimeZone(8 * 3600)).toMSecsSinceEpoch();

    Actor as(const char *user)
    {
        return *m_repo->actorFor(QLatin1String(user), QStringLiteral("test"));
    }
    QString photo(const QColor &c)
    {
        QImage img(40, 30, QImage::Format_RGB32);
        img.fill(c);
        const QString f = m_dir.filePath(QStringLiteral("p-%1.png").arg(c.name().mid(1)));
        img.save(f);
        return *m_evidence->import(f, true);
    }
    qint64 report(double lon, double lat, const QString &party = {}, qint64 at = 0)
    {
        ReportInput in;
        in.category = QStringLiteral("E0401");
        in.lon = lon;
        in.lat = lat;
        in.party = party;
        in.description = QStringLiteral("占道经营");
        const Outcome o = m_repo->report(in, as("operator1"), at ? at : m_now);
        if (!o.ok())
            qFatal("%s", qPrintable(o.message()));
        return o.snapshot.id;
    }
    /** A report in a category without recurrence, so it links to nothing. */
    qint64 reportAt(double lon, double lat)
    {
        ReportInput in;
        in.category = QStringLiteral("E0304");
        in.lon = lon;
        in.lat = lat;
        in.description = QStringLiteral("道路遗撒");
        const Outcome o = m_repo->report(in, as("operator1"), m_now);
        if (!o.ok())
            qFatal("%s", qPrintable(o.message()));
        return o.snapshot.id;
    }
    Outcome run(qint64 id, Command c, const char *user, qint64 at = 0)
    {
        return m_repo->apply(id, c, as(user), at ? at : m_now);
    }

private slots:
    void initTestCase()
    {
        test::makeDemo(m_dir.path(), 300, 11);
        m_db = *Database::openDir(m_dir.path());
        m_repo = std::make_unique<CaseRepository>(m_db, m_wf);
        m_evidence = std::make_unique<EvidenceStore>(m_db, m_dir.path());
    }

    void evidenceIsContentAddressedAndChecked()
    {
        const QString sha = photo(Qt::red);
        QCOMPARE(sha.size(), 64);
        QVERIFY(QFileInfo(m_evidence->pathFor(sha)).isFile());
        QCOMPARE(photo(Qt::red), sha); // the same bytes are stored once
        QFile text(m_dir.filePath(QStringLiteral("notes.txt")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("这不是照片");
        text.close();
        const auto notImage = m_evidence->import(text.fileName(), true);
        QVERIFY(!notImage.ok());
        QVERIFY(notImage.error().contains(QLatin1String("not a photo")));
        QVERIFY(notImage.error().contains(text.fileName()));
        QVERIFY(m_evidence->import(text.fileName(), false)
                    .ok()); // a file is fine where no photo is needed
        const auto missing = m_evidence->import(m_dir.filePath(QStringLiteral("nope.jpg")), true);
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().contains(QLatin1String("nope.jpg")));
    }

    void commandsAppendToTheChainAndUpdateTheRow()
    {
        const qint64 id = report(121.4301, 31.2301);
        Command reg;
        reg.action = Action::Register;
        QCOMPARE(run(id, reg, "operator1").kind, Outcome::Rejected); // filing not confirmed
        reg.confirmFiling = true;
        QVERIFY(run(id, reg, "operator1").ok());
        Command notice;
        notice.action = Action::Notice;
        notice.evidence = {photo(Qt::blue)};
        QVERIFY(run(id, notice, "dispatcher1").ok());
        QSqlQuery q(m_db->sql());
        QVERIFY(q.exec(
            QStringLiteral("SELECT state, stage, version, deadline_at FROM cases WHERE id = %1")
                .arg(id)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("handling"));
        QCOMPARE(q.value(1).toInt(), 1);
        QCOMPARE(q.value(2).toInt(), 3);
        // 2 working hours of notice from 10:00 on a Monday.
        QCOMPARE(q.value(3).toLongLong(), m_now + 2 * 3600000);
        // A rejected command writes nothing.
        Command bad;
        bad.action = Action::Close;
        QCOMPARE(run(id, bad, "operator1").kind, Outcome::Rejected);
        QCOMPARE(CaseStore(m_db).events(id).size(), 3);
        QVERIFY(Audit::verify(*m_db, id).intact);
    }

    void recurrenceLinksAndEntersAtTheEarlierStage()
    {
        const qint64 first = report(121.4402, 31.2402, QStringLiteral("老王水果摊"));
        Command c;
        c.action = Action::Register;
        c.confirmFiling = true;
        QVERIFY(run(first, c, "operator1").ok());
        c = Command{};
        c.action = Action::Notice;
        c.evidence = {photo(Qt::green)};
        QVERIFY(run(first, c, "dispatcher1").ok());
        c.action = Action::RecheckUncorrected;
        QVERIFY(run(first, c, "field1").ok());
        c = Command{};
        c.action = Action::EscalateRequest;
        c.reason = QStringLiteral("未整改");
        c.evidence = m_repo->snapshot(first)->evidence;
        QVERIFY(run(first, c, "dispatcher1").ok());
        c = Command{};
        c.action = Action::EscalateApprove;
        QVERIFY(run(first, c, "supervisor1").ok());

        // 20 m away, a week later: linked, enters at stage 2.
        const qint64 near = report(121.4402 + 20.0 / 95300, 31.2402, {}, m_now + 7 * 86400000LL);
        auto s = *m_repo->snapshot(near);
        QCOMPARE(s.linkedCase, first);
        QCOMPARE(s.stage, Stage::Persuasion);
        // The same party elsewhere: linked to the party's case.
        const qint64 party =
            report(121.46, 31.25, QStringLiteral("老王水果摊"), m_now + 86400000LL);
        QCOMPARE(m_repo->snapshot(party)->linkedCase, first);
        QCOMPARE(m_repo->snapshot(party)->stage, Stage::Persuasion);
        // 60 m away: a new case of its own.
        const qint64 far = report(121.4402 + 60.0 / 95300, 31.2402, {}, m_now + 2 * 86400000LL);
        QCOMPARE(m_repo->snapshot(far)->linkedCase, 0);
        QCOMPARE(m_repo->snapshot(far)->stage, Stage::None);
        // Outside the 30-day window: no link.
        const qint64 late = report(121.4402, 31.2402, {}, m_now + 40 * 86400000LL);
        QVERIFY(m_repo->snapshot(late)->linkedCase != first);
    }

    void reportsArePlacedOnTheFirstGridContainingThem_data()
    {
        QTest::addColumn<QString>("point"); // SQL giving lon, lat
        QTest::addColumn<bool>("onGrid");
        QTest::addRow("centre of a grid")
            << QStringLiteral("SELECT (min_lon + max_lon) / 2, (min_lat + max_lat) / 2 FROM grids "
                              "WHERE id = (SELECT max(id) / 2 FROM grids)")
            << true;
        QTest::addRow("corner shared with neighbours")
            << QStringLiteral(
                   "SELECT max_lon, max_lat FROM grids WHERE id = (SELECT max(id) / 3 FROM grids)")
            << true;
        QTest::addRow("first grid's corner")
            << QStringLiteral("SELECT min_lon, min_lat FROM grids ORDER BY id LIMIT 1") << true;
        QTest::addRow("outside the district") << QStringLiteral("SELECT 121.60, 31.10") << false;
    }
    void reportsArePlacedOnTheFirstGridContainingThem()
    {
        QFETCH(QString, point);
        QFETCH(bool, onGrid);
        QSqlQuery p(m_db->sql());
        QVERIFY(p.exec(point) && p.next());
        const double lon = p.value(0).toDouble(), lat = p.value(1).toDouble();
        // The definition, by a scan of every grid; the store finds it through the R*Tree.
        QSqlQuery scan(m_db->sql());
        scan.prepare(QStringLiteral(
            "SELECT g.code, g.community_id, cm.street_id FROM grids g JOIN communities cm ON "
            "cm.id = g.community_id WHERE ? BETWEEN g.min_lon AND g.max_lon AND ? BETWEEN "
            "g.min_lat AND g.max_lat ORDER BY g.id LIMIT 1"));
        scan.addBindValue(lon);
        scan.addBindValue(lat);
        QVERIFY(scan.exec());
        QCOMPARE(scan.next(), onGrid);
        const qint64 id = reportAt(lon, lat);
        QSqlQuery c(m_db->sql());
        QVERIFY(c.exec(QStringLiteral("SELECT grid_code, community_id, street_id, address FROM "
                                      "cases WHERE id = %1")
                           .arg(id)));
        QVERIFY(c.next());
        if (onGrid) {
            QCOMPARE(c.value(0).toString(), scan.value(0).toString());
            QCOMPARE(c.value(1).toLongLong(), scan.value(1).toLongLong());
            QCOMPARE(c.value(2).toLongLong(), scan.value(2).toLongLong());
            QVERIFY(c.value(3).toString().endsWith(QStringLiteral("网格") +
                                                   scan.value(0).toString().mid(18)));
        } else {
            QVERIFY(c.value(0).isNull());
            QVERIFY(c.value(1).isNull());
            QCOMPARE(c.value(3).toString(),
                     QStringLiteral("%1, %2").arg(lon, 0, 'f', 6).arg(lat, 0, 'f', 6));
        }
    }

    void gridsChangedLaterAreFound()
    {
        const auto gridOf = [&](qint64 id) {
            QSqlQuery q(m_db->sql());
            return q.exec(QStringLiteral("SELECT grid_code FROM cases WHERE id = %1").arg(id)) &&
                           q.next()
                       ? q.value(0).toString()
                       : QStringLiteral("no case");
        };
        const QString code(20, QLatin1Char('9'));
        QVERIFY(m_db->exec("INSERT INTO grids (id, community_id, code, geometry, min_lon, min_lat, "
                           "max_lon, max_lat, area_m2) VALUES (90001, (SELECT min(id) FROM "
                           "communities), '" +
                           code.toLatin1() + "', '{}', 122.0, 30.0, 122.001, 30.001, 9000)"));
        QCOMPARE(gridOf(reportAt(122.0005, 30.0005)), code);
        QVERIFY(
            m_db->exec("UPDATE grids SET min_lon = 122.01, max_lon = 122.011 WHERE id = 90001"));
        QVERIFY(gridOf(reportAt(122.0005, 30.0005)).isNull());
        QCOMPARE(gridOf(reportAt(122.0105, 30.0005)), code);
        QVERIFY(m_db->exec("DELETE FROM grids WHERE id = 90001"));
        QVERIFY(gridOf(reportAt(122.0105, 30.0005)).isNull());
    }

    void recurrenceRulesComeFromTheDataDirectory()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("workflow.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"recurrence_radius_m": 100, "recurrence_window_days": 7})");
        f.close();
        auto c = WorkflowConfig::load(dir.path());
        QVERIFY(c.ok());
        QCOMPARE(c->recurrenceRadiusMetres, 100.0);
        QCOMPARE(c->recurrenceWindowDays, 7);
        QCOMPARE(c->dispatchMinutes, WorkflowConfig{}.dispatchMinutes);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"recurrence_radius_m": -5})");
        f.close();
        c = WorkflowConfig::load(dir.path());
        QVERIFY(!c.ok());
        QVERIFY(c.error().contains(QLatin1String("recurrence_radius_m")));
        QVERIFY(c.error().contains(f.fileName()));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"radius": 5})");
        f.close();
        QVERIFY(WorkflowConfig::load(dir.path()).error().contains(QLatin1String("radius")));
        // With a 100 m radius, a report 60 m away repeats the earlier case.
        const Workflow wide(Catalogue::builtin(), WorkCalendar::builtin(), [] {
            WorkflowConfig w;
            w.recurrenceRadiusMetres = 100;
            return w;
        }());
        CaseRepository repo(m_db, wide);
        ReportInput in;
        in.category = QStringLiteral("E0401");
        in.lon = 121.4205;
        in.lat = 31.2555;
        in.description = QStringLiteral("占道经营");
        const Outcome a = repo.report(in, as("operator1"), m_now);
        QVERIFY(a.ok());
        in.lon += 60.0 / 95300;
        const Outcome b = repo.report(in, as("operator1"), m_now + 3600000);
        QVERIFY(b.ok());
        QCOMPARE(b.snapshot.linkedCase, a.snapshot.id);
    }

    void auditVerifyFindsTampering_data()
    {
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<int>("seq");
        QTest::newRow("edited actor")
            << "UPDATE case_events SET actor = 'mallory' WHERE case_id = %1 AND seq = 2" << 2;
        QTest::newRow("edited payload")
            << "UPDATE case_events SET payload = '{}' WHERE case_id = %1 AND seq = 3" << 3;
        QTest::newRow("edited last event")
            << "UPDATE case_events SET at = at + 1 WHERE case_id = %1 AND seq = 4" << 4;
        QTest::newRow("deleted event")
            << "DELETE FROM case_events WHERE case_id = %1 AND seq = 2" << 2;
        QTest::newRow("deleted last event")
            << "DELETE FROM case_events WHERE case_id = %1 AND seq = 4" << 3;
    }
    void auditVerifyFindsTampering()
    {
        QFETCH(QString, tamper);
        QFETCH(int, seq);
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 50, 3);
        auto db = *Database::openDir(dir.path());
        QVERIFY(Audit::verify(*db).intact);
        QSqlQuery q(db->sql());
        // A case in the middle of the table with exactly four events.
        QVERIFY(q.exec(QStringLiteral("SELECT case_id FROM case_events WHERE case_id > 10 GROUP BY "
                                      "case_id HAVING max(seq) = 4 LIMIT 1")));
        QVERIFY(q.next());
        const qint64 victim = q.value(0).toLongLong();
        QVERIFY(db->exec("DROP TRIGGER case_events_no_update; DROP TRIGGER case_events_no_delete"));
        QVERIFY(db->exec(tamper.arg(victim).toUtf8()));
        const AuditReport r = Audit::verify(*db);
        QVERIFY(!r.intact);
        QCOMPARE(r.brokenCase, victim);
        QCOMPARE(r.brokenSeq, seq);
        QVERIFY(!r.problem.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCaseRepository)
#include "tst_caserepository.moc"
