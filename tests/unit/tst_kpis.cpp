// The dashboard's figures: KPI formulas on hand-computed fixtures, the trigger-kept case facts
// (against the migration's backfill), the item models and the worker engine.
#include "dashboard/dashboardengine.h"
#include "dashboard/kpis.h"
#include "dashboard/kpitablemodel.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/caserepository.h"
#include "storage/evidencestore.h"
#include "storage/kpifactsstore.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QImage>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace cityops;

namespace {

constexpr qint64 kH = 3600LL * 1000;
constexpr qint64 kD = 24 * kH;
// 2026-11-20 00:00 Asia/Shanghai: the fixtures' day 0.
const qint64 kDay0 =
    QDateTime(QDate(2026, 11, 20), QTime(0, 0), QTimeZone(8 * 3600)).toMSecsSinceEpoch();
const qint64 kNow = kDay0 + 10 * kD; // day 10, 00:00

constexpr auto S = [](CaseState s) {
    return quint8(s);
};

/** Two streets, two categories (the second has a ladder), two units, two grids. */
KpiFacts dims()
{
    KpiFacts f;
    f.streets = {{1, QStringLiteral("S1"), QStringLiteral("东街")},
                 {2, QStringLiteral("S2"), QStringLiteral("西街")}};
    f.categories = {{0, QStringLiteral("0101"), QStringLiteral("井盖")},
                    {0, QStringLiteral("E0401"), QStringLiteral("占道经营")}};
    f.ladderCategories = {1};
    f.units = {{10, QStringLiteral("U1"), QStringLiteral("环卫所")},
               {11, QStringLiteral("U2"), QStringLiteral("城管中队")}};
    f.grids = {{0, QStringLiteral("G1"), QStringLiteral("G1")},
               {0, QStringLiteral("G2"), QStringLiteral("G2")}};
    return f;
}

/** A case: reported on day `day` at 08:00, closed `closeH` hours later (0: open). */
CaseFact fact(CaseId id, int day, CaseState state, qint64 closeH = 0, quint16 flags = 0,
              int unit = 0, int street = 0, int category = 0)
{
    CaseFact c;
    c.id = id;
    c.reportedAt = kDay0 + day * kD + 8 * kH;
    c.state = S(state);
    c.closedAt = closeH ? c.reportedAt + closeH * kH : 0;
    c.flags = flags;
    c.unit = unit;
    c.street = street;
    c.category = category;
    c.grid = int(id % 2);
    return c;
}

/** A case's facts as text, for comparisons that name the case and the field that differ. */
QString describe(const CaseFact &f)
{
    return QStringLiteral("%1: reported %2 closed %3 deadline %4 state %5 stage %6/%7 flags %8 "
                          "street %9 category %10 unit %11 grid %12")
        .arg(f.id)
        .arg(f.reportedAt)
        .arg(f.closedAt)
        .arg(f.deadlineAt)
        .arg(f.state)
        .arg(f.stage)
        .arg(f.maxStage)
        .arg(f.flags)
        .arg(f.street)
        .arg(f.category)
        .arg(f.unit)
        .arg(f.grid);
}

QStringList describe(const std::vector<CaseFact> &cases)
{
    QStringList out;
    for (const CaseFact &f : cases)
        out << describe(f);
    return out;
}

/**
 * Every case's facts read the schema-6 way, from the wide cases table joined with case_facts
 * and the text codes looked up by name: what kpi_facts must mirror.
 */
QStringList factsFromTheCaseRows(Database &db, const KpiFacts &dims)
{
    const auto indexOf = [](const QList<KpiDimension> &list, auto key) {
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (key(list[i]))
                return int(i);
        }
        return -1;
    };
    QSqlQuery q(db.sql());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral(
            "SELECT c.id, c.reported_at, coalesce(c.closed_at, 0), coalesce(c.deadline_at, 0), "
            "c.state, c.stage, c.street_id, c.category, c.unit_id, c.grid_code, "
            "c.linked_case IS NOT NULL, coalesce(f.reworks, 0), coalesce(f.extensions, 0), "
            "coalesce(f.shelves, 0), coalesce(f.reopens, 0), coalesce(f.skips, 0), "
            "coalesce(f.late, 0), coalesce(f.max_stage, 0) "
            "FROM cases c LEFT JOIN case_facts f ON f.case_id = c.id ORDER BY c.id")))
        qFatal("%s", qPrintable(q.lastError().text()));
    QStringList out;
    while (q.next()) {
        CaseFact f;
        f.id = q.value(0).toLongLong();
        f.reportedAt = q.value(1).toLongLong();
        f.closedAt = q.value(2).toLongLong();
        f.deadlineAt = q.value(3).toLongLong();
        for (CaseState s : kAllCaseStates) {
            if (Names::key(s) == q.value(4).toString())
                f.state = quint8(s);
        }
        f.stage = quint8(q.value(5).toInt());
        const qint64 street = q.value(6).toLongLong(), unit = q.value(8).toLongLong();
        f.street = indexOf(dims.streets, [&](const KpiDimension &d) { return d.id == street; });
        f.category =
            indexOf(dims.categories, [&](const KpiDimension &d) { return d.code == q.value(7); });
        f.unit = indexOf(dims.units, [&](const KpiDimension &d) { return d.id == unit; });
        f.grid = indexOf(dims.grids, [&](const KpiDimension &d) { return d.code == q.value(9); });
        const CaseFact::Flag flags[] = {
            CaseFact::Linked,   CaseFact::Reworked, CaseFact::Extended, CaseFact::EverShelved,
            CaseFact::Reopened, CaseFact::Skipped,  CaseFact::Late};
        for (int i = 0; i < 7; ++i) {
            if (q.value(10 + i).toLongLong() != 0)
                f.flags |= flags[i];
        }
        f.maxStage = quint8(std::max(q.value(17).toInt(), int(f.stage)));
        out << describe(f);
    }
    return out;
}

DashboardFilter all()
{
    DashboardFilter f;
    f.from = kDay0;
    f.to = kNow;
    return f;
}

} // namespace

class TestKpis : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void formulas_data()
    {
        QTest::addColumn<QList<CaseFact>>("cases");
        QTest::addColumn<qint64>("n");
        QTest::addColumn<double>("closure");
        QTest::addColumn<double>("onTime");
        QTest::addColumn<double>("rework");
        QTest::addColumn<double>("extension");
        QTest::addColumn<double>("shelved");
        QTest::addColumn<double>("meanH");
        QTest::addColumn<double>("p90H");

        QTest::newRow("no cases") << QList<CaseFact>{} << 0LL << 0.0 << 0.0 << 0.0 << 0.0 << 0.0
                                  << 0.0 << 0.0;
        // Four closed (2, 4, 6 and 40 h; the 40 h one late), one open within its deadline.
        {
            QList<CaseFact> c{
                fact(1, 0, CaseState::Closed, 2), fact(2, 1, CaseState::Closed, 4),
                fact(3, 2, CaseState::Closed, 6, CaseFact::Reworked),
                fact(4, 3, CaseState::Closed, 40, CaseFact::Late | CaseFact::Extended),
                fact(5, 4, CaseState::Handling)};
            c[4].deadlineAt = kNow + kD;
            // closure 4/5; on time 3/(4+0); mean 13 h; p90 = rank ceil(3.6)=4 → 40 h.
            QTest::newRow("mixed") << c << 5LL << 0.8 << 0.75 << 0.2 << 0.2 << 0.0 << 13.0 << 40.0;
        }
        // Open and past their deadlines: late although not closed; nothing closed.
        {
            QList<CaseFact> c{fact(1, 0, CaseState::Handling), fact(2, 1, CaseState::Dispatched),
                              fact(3, 2, CaseState::Registered)};
            for (CaseFact &x : c)
                x.deadlineAt = kDay0 + 5 * kD;
            QTest::newRow("all overdue")
                << c << 3LL << 0.0 << 0.0 << 0.0 << 0.0 << 0.0 << 0.0 << 0.0;
        }
        // Two closed on time plus one overdue open case: on time 2/3.
        {
            QList<CaseFact> c{fact(1, 0, CaseState::Closed, 10), fact(2, 0, CaseState::Closed, 20),
                              fact(3, 1, CaseState::Handling)};
            c[2].deadlineAt = kNow - kH;
            QTest::newRow("open overdue counts as late")
                << c << 3LL << 2.0 / 3 << 2.0 / 3 << 0.0 << 0.0 << 0.0 << 15.0 << 20.0;
        }
        // A reopened case is open again (registered, no deadline yet); one reopened and closed
        // again counts once, with its final closure time.
        {
            QList<CaseFact> c{fact(1, 0, CaseState::Registered, 0, CaseFact::Reopened),
                              fact(2, 0, CaseState::Closed, 30, CaseFact::Reopened)};
            QTest::newRow("reopened")
                << c << 2LL << 0.5 << 1.0 << 0.0 << 0.0 << 0.0 << 30.0 << 30.0;
        }
        // Shelved (挂账): now or earlier; shelved cases are never overdue (the clock is paused).
        {
            QList<CaseFact> c{fact(1, 0, CaseState::Shelved),
                              fact(2, 0, CaseState::Closed, 5, CaseFact::EverShelved),
                              fact(3, 0, CaseState::Closed, 5), fact(4, 0, CaseState::Closed, 5)};
            c[0].deadlineAt = kDay0; // paused: not overdue
            QTest::newRow("shelved") << c << 4LL << 0.75 << 1.0 << 0.0 << 0.0 << 0.5 << 5.0 << 5.0;
        }
        // Rejected and not yet filed cases are not counted at all.
        {
            QList<CaseFact> c{fact(1, 0, CaseState::Rejected, 1), fact(2, 0, CaseState::Reported),
                              fact(3, 0, CaseState::Closed, 8)};
            QTest::newRow("not filed") << c << 1LL << 1.0 << 1.0 << 0.0 << 0.0 << 0.0 << 8.0 << 8.0;
        }
    }

    void formulas()
    {
        QFETCH(QList<CaseFact>, cases);
        QFETCH(qint64, n);
        QFETCH(double, closure);
        QFETCH(double, onTime);
        QFETCH(double, rework);
        QFETCH(double, extension);
        QFETCH(double, shelved);
        QFETCH(double, meanH);
        QFETCH(double, p90H);
        KpiFacts f = dims();
        for (const CaseFact &c : cases)
            f.upsert(c);
        const DashboardResult r = Kpis::compute(f, all(), kNow);
        const auto near = [](double a, double b) {
            return std::abs(a - b) < 1e-9;
        };
        QCOMPARE(r.total.cases, n);
        QVERIFY2(near(r.total.closureRate, closure),
                 qPrintable(QString::number(r.total.closureRate)));
        QVERIFY2(near(r.total.onTimeRate, onTime), qPrintable(QString::number(r.total.onTimeRate)));
        QVERIFY(near(r.total.reworkRate, rework));
        QVERIFY(near(r.total.extensionRate, extension));
        QVERIFY(near(r.total.shelvedRate, shelved));
        QVERIFY2(near(r.total.meanHoursToClose, meanH),
                 qPrintable(QString::number(r.total.meanHoursToClose)));
        QVERIFY2(near(r.total.p90HoursToClose, p90H),
                 qPrintable(QString::number(r.total.p90HoursToClose)));
    }

    void perUnitTimeToClose()
    {
        KpiFacts f = dims();
        // Unit 0: 1, 2, …, 10 h → mean 5.5, p90 9. Unit 1: one case of 100 h.
        for (int i = 1; i <= 10; ++i)
            f.upsert(fact(i, 0, CaseState::Closed, i, 0, 0));
        f.upsert(fact(11, 0, CaseState::Closed, 100, 0, 1));
        const DashboardResult r = Kpis::compute(f, all(), kNow);
        QCOMPARE(r.byUnit.size(), 2);
        QCOMPARE(r.byUnit[0].label, QStringLiteral("城管中队")); // sorted by name
        QCOMPARE(r.byUnit[0].p90HoursToClose, 100.0);
        QCOMPARE(r.byUnit[1].meanHoursToClose, 5.5);
        QCOMPARE(r.byUnit[1].p90HoursToClose, 9.0);
        QCOMPARE(r.total.cases, 11);
    }

    void percentile_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<double>("p");
        QTest::addColumn<double>("expected");
        QTest::newRow("empty") << QList<double>{} << 90.0 << 0.0;
        QTest::newRow("one") << QList<double>{7} << 90.0 << 7.0;
        QTest::newRow("ten, p90") << QList<double>{10, 9, 8, 7, 6, 5, 4, 3, 2, 1} << 90.0 << 9.0;
        QTest::newRow("eleven, p90")
            << QList<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11} << 90.0 << 10.0;
        QTest::newRow("p50 of four") << QList<double>{4, 1, 3, 2} << 50.0 << 2.0;
    }
    void percentile()
    {
        QFETCH(QList<double>, values);
        QFETCH(double, p);
        QFETCH(double, expected);
        QCOMPARE(Kpis::percentile({values.begin(), values.end()}, p), expected);
    }

    void dailySeries()
    {
        KpiFacts f = dims();
        f.upsert(fact(1, 0, CaseState::Closed, 30)); // found day 0, closed day 1 (14:00)
        f.upsert(fact(2, 0, CaseState::Closed, 2));  // found and closed day 0
        f.upsert(fact(3, 2, CaseState::Handling));   // open from day 2
        CaseFact late = fact(4, 1, CaseState::Handling);
        late.deadlineAt = kDay0 + 5 * kD + kH; // overdue from day 5 on
        f.upsert(late);
        CaseFact before = fact(5, -3, CaseState::Closed, 24 * 4); // before the period, closed day 1
        f.upsert(before);
        const DashboardResult r = Kpis::compute(f, all(), kNow);
        QCOMPARE(r.days.size(), 10);
        QCOMPARE(r.days.first(), kDay0);
        QCOMPARE(r.found.mid(0, 4), (QList<qint64>{2, 1, 1, 0}));
        QCOMPARE(r.closed.mid(0, 4), (QList<qint64>{1, 2, 0, 0})); // #1 and #5 on day 1
        QCOMPARE(r.gap.mid(0, 3), (QList<qint64>{1, -1, 1}));
        // End of day 0: #1 and #5 open; day 1: #4; day 2 on: #3 and #4.
        QCOMPARE(r.backlog.mid(0, 4), (QList<qint64>{2, 1, 2, 2}));
        QCOMPARE(r.overdue.mid(4, 3), (QList<qint64>{0, 1, 1}));
        QCOMPARE(r.overdueByUnit.size(), 1);
        QCOMPARE(r.overdueByUnit[0].count, 1);
    }

    void filters_data()
    {
        QTest::addColumn<int>("street");
        QTest::addColumn<QString>("category");
        QTest::addColumn<int>("unit");
        QTest::addColumn<qint64>("cases");
        QTest::newRow("all") << -1 << QString() << -1 << 8LL;
        QTest::newRow("street 1") << 1 << QString() << -1 << 4LL;
        QTest::newRow("major 01") << -1 << QStringLiteral("01") << -1 << 4LL;
        QTest::newRow("subcategory E0401") << -1 << QStringLiteral("E0401") << -1 << 4LL;
        QTest::newRow("unit 1, street 0") << 0 << QString() << 1 << 2LL;
        QTest::newRow("nothing") << 1 << QStringLiteral("99") << -1 << 0LL;
    }
    void filters()
    {
        QFETCH(int, street);
        QFETCH(QString, category);
        QFETCH(int, unit);
        QFETCH(qint64, cases);
        KpiFacts f = dims();
        for (int i = 0; i < 8; ++i) // every combination of street, category and unit
            f.upsert(fact(i + 1, 0, CaseState::Closed, 1, 0, i & 1, (i >> 1) & 1, (i >> 2) & 1));
        DashboardFilter flt = all();
        flt.street = street;
        flt.category = category;
        flt.unit = unit;
        QCOMPARE(Kpis::compute(f, flt, kNow).total.cases, cases);
        // The period narrows too: nothing was reported after day 0.
        flt.from = kDay0 + kD;
        QCOMPARE(Kpis::compute(f, flt, kNow).total.cases, 0);
    }

    void funnelAndHotspots()
    {
        KpiFacts f = dims();
        auto ladder = [](CaseId id, CaseState s, int stage, int street, quint16 flags = 0) {
            CaseFact c = fact(id, 0, s, s == CaseState::Closed ? 5 : 0, flags, 0, street, 1);
            c.stage = quint8(stage);
            c.maxStage = quint8(stage);
            return c;
        };
        f.upsert(ladder(1, CaseState::Closed, 1, 0));
        f.upsert(ladder(2, CaseState::Closed, 1, 0, CaseFact::Linked));
        f.upsert(ladder(3, CaseState::Closed, 2, 1, CaseFact::Linked));
        f.upsert(ladder(4, CaseState::Closed, 3, 1, CaseFact::Skipped | CaseFact::Linked));
        f.upsert(ladder(5, CaseState::Handling, 2, 1, CaseFact::Reopened));
        f.upsert(ladder(6, CaseState::Closed, 0, 0));                 // never entered the ladder
        f.upsert(fact(7, 0, CaseState::Closed, 1, CaseFact::Linked)); // no ladder category
        const DashboardResult r = Kpis::compute(f, all(), kNow);
        // Every filed case of the ladder category counts, #6 as closed without the ladder.
        QCOMPARE(r.funnelTotal.cases, 6);
        QCOMPARE(r.funnelTotal.entered, 5);
        QCOMPARE(r.funnelTotal.outsideLadder, 1);
        QCOMPARE(r.funnelTotal.atNotice, 2);
        QCOMPARE(r.funnelTotal.atPersuasion, 1);
        QCOMPARE(r.funnelTotal.atEnforcement, 1);
        QCOMPARE(r.funnelTotal.open, 1);
        QCOMPARE(r.funnelTotal.skipped, 1);
        QCOMPARE(r.funnelTotal.share(r.funnelTotal.atNotice), 2.0 / 6);
        QCOMPARE(r.funnelTotal.share(r.funnelTotal.outsideLadder), 1.0 / 6);
        QCOMPARE(r.funnelByCategory.size(), 1);
        QCOMPARE(r.funnelByCategory[0].label, QStringLiteral("占道经营"));
        QCOMPARE(r.funnelByStreet.size(), 2);
        QCOMPARE(r.funnelByStreet[0].cases, 3);
        QCOMPARE(r.funnelByStreet[0].entered, 2);
        QCOMPARE(r.funnelByStreet[1].entered, 3);
        QCOMPARE(r.funnelByStreet[1].skipped, 1);
        // Recurrences: odd ids are in G2 (#3, #5, #7 → 3), even in G1 (#2, #4 → 2).
        QCOMPARE(r.hotspots.size(), 2);
        QCOMPARE(r.hotspots[0].gridCode, QStringLiteral("G2"));
        QCOMPARE(r.hotspots[0].recurrences, 3);
        QCOMPARE(r.hotspots[0].cases, 4);
        QCOMPARE(r.hotspots[1].recurrences, 2);
    }

    void modelsPassTheTester()
    {
        KpiFacts f = dims();
        f.upsert(fact(1, 0, CaseState::Closed, 3, CaseFact::Linked, 0));
        f.upsert(fact(2, 0, CaseState::Closed, 5, 0, 1));
        KpiTableModel kpis;
        QAbstractItemModelTester t1(&kpis, QAbstractItemModelTester::FailureReportingMode::QtTest);
        HotspotModel hot;
        QAbstractItemModelTester t2(&hot, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const DashboardResult r = Kpis::compute(f, all(), kNow);
        kpis.setResult(r);
        hot.setHotspots(r.hotspots);
        QCOMPARE(kpis.rowCount(), 3); // all + two units
        QCOMPARE(kpis.index(0, KpiTableModel::ClosureRate).data().toString(),
                 QStringLiteral("100.0 %"));
        QCOMPARE(kpis.index(0, KpiTableModel::MeanHours).data(Qt::UserRole).toDouble(), 4.0);
        QVERIFY(kpis.headerData(KpiTableModel::OnTimeRate, Qt::Horizontal, Qt::DisplayRole)
                    .toString()
                    .contains(QStringLiteral("按期结案率")));
        QCOMPARE(hot.rowCount(), 1);
        QCOMPARE(hot.index(0, 0).data(HotspotModel::GridCodeRole).toString(), QStringLiteral("G2"));
        kpis.setResult({});
        QCOMPARE(kpis.rowCount(), 1);
        const QList<QStringList> table = Kpis::table(r);
        QCOMPARE(table.size(), 4);
        QVERIFY(table[0].join(QLatin1Char(',')).contains(QStringLiteral("结案率")));
    }

    // The facts kept by the trigger as workflow commands run equal what the migration's
    // backfill computes from the same timelines.
    void factsFromTheWorkflow()
    {
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 0, 5);
        auto db = *Database::openDir(dir.path());
        Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        EvidenceStore evidence(db, dir.path());
        const qint64 t0 =
            QDateTime(QDate(2026, 11, 23), QTime(10, 0), QTimeZone(8 * 3600)).toMSecsSinceEpoch();
        int colour = 0;
        auto photo = [&] {
            QImage img(20, 20, QImage::Format_RGB32);
            img.fill(QColor::fromHsv((colour++ * 37) % 360, 200, 200));
            const QString file = dir.filePath(QStringLiteral("p%1.png").arg(colour));
            img.save(file);
            return *evidence.import(file, true);
        };
        auto as = [&](const char *u) {
            return *repo.actorFor(QLatin1String(u), QStringLiteral("t"));
        };
        auto run = [&](CaseId id, Action a, const char *user, qint64 at) {
            Command c;
            c.action = a;
            c.confirmFiling = true;
            c.reason = QStringLiteral("测试");
            if (a != Action::Register && a != Action::Close && a != Action::EscalateApprove &&
                a != Action::Shelve && a != Action::Reopen)
                c.evidence = {photo()};
            if (a == Action::EscalateRequest) {
                c.evidence = repo.snapshot(id)->evidence; // selected from the case's own
                c.toStage = 3;
                c.skip = true;
            }
            const Outcome o = repo.apply(id, c, as(user), at);
            if (!o.ok())
                qFatal("%s on %lld: %s", qPrintable(actionKey(a)), id, qPrintable(o.message()));
        };
        auto report = [&](double dx) {
            ReportInput in;
            in.category = QStringLiteral("E0401");
            in.lon = 121.43 + dx;
            in.lat = 31.23;
            in.description = QStringLiteral("占道经营");
            in.party = QStringLiteral("摊主%1").arg(dx);
            return repo.report(in, as("operator1"), t0).snapshot.id;
        };
        // A: corrected at notice in time, reworked once, closed.
        const CaseId a = report(0);
        run(a, Action::Register, "operator1", t0 + 60000);
        run(a, Action::Notice, "dispatcher1", t0 + 120000);
        run(a, Action::RecheckCorrected, "field1", t0 + kH);
        run(a, Action::VerifyFail, "supervisor1", t0 + kH + 60000);
        run(a, Action::RecheckCorrected, "field1", t0 + kH + 120000);
        run(a, Action::VerifyPass, "supervisor1", t0 + kH + 180000);
        run(a, Action::Close, "operator1", t0 + kH + 240000);
        // B: corrected three days after the 2-hour notice (late), closed, reopened.
        const CaseId b = report(0.01);
        run(b, Action::Register, "operator1", t0 + 60000);
        run(b, Action::Notice, "dispatcher1", t0 + 120000);
        run(b, Action::RecheckCorrected, "field1", t0 + 3 * kD);
        run(b, Action::VerifyPass, "supervisor1", t0 + 3 * kD + 60000);
        run(b, Action::Close, "operator1", t0 + 3 * kD + 120000);
        run(b, Action::Reopen, "operator1", t0 + 4 * kD);
        // C: shelved. D: not corrected, escalation skipping to enforcement approved.
        const CaseId c = report(0.02);
        run(c, Action::Register, "operator1", t0 + 60000);
        run(c, Action::Shelve, "supervisor1", t0 + 120000);
        const CaseId d = report(0.03);
        run(d, Action::Register, "operator1", t0 + 60000);
        run(d, Action::Notice, "dispatcher1", t0 + 120000);
        run(d, Action::RecheckUncorrected, "field1", t0 + kH);
        run(d, Action::EscalateRequest, "dispatcher1", t0 + kH + 60000);
        run(d, Action::EscalateApprove, "supervisor1", t0 + kH + 120000);

        const auto facts = KpiFactsStore(db).load();
        QVERIFY2(facts, qPrintable(facts ? QString() : facts.error()));
        QCOMPARE(facts->cases.size(), std::size_t(4));
        const auto get = [&](CaseId id) {
            return facts->cases[std::size_t(id - a)];
        };
        QCOMPARE(get(a).flags, quint16(CaseFact::Reworked));
        QCOMPARE(get(a).state, S(CaseState::Closed));
        QCOMPARE(get(a).maxStage, 1);
        QCOMPARE(get(b).flags, quint16(CaseFact::Late | CaseFact::Reopened));
        QCOMPARE(get(b).state, S(CaseState::Registered));
        QCOMPARE(get(c).flags, quint16(CaseFact::EverShelved));
        QCOMPARE(get(d).flags, quint16(CaseFact::Skipped));
        QCOMPARE(get(d).maxStage, 3);
        QCOMPARE(get(d).stage, 3);

        // The same rows from the backfill: drop the table and run the migration again.
        QSqlQuery q(db->sql());
        const QString cols = QStringLiteral("case_id, reworks, extensions, shelves, reopens, "
                                            "max_stage, skips, req_stage, req_skip, late, due");
        const auto rows = [&] {
            QStringList out;
            QSqlQuery r(db->sql());
            r.exec(QStringLiteral("SELECT %1 FROM case_facts ORDER BY case_id").arg(cols));
            while (r.next()) {
                QStringList v;
                for (int i = 0; i < 11; ++i)
                    v << r.value(i).toString();
                out << v.join(QLatin1Char('|'));
            }
            return out;
        };
        const QStringList byTrigger = rows();
        QCOMPARE(byTrigger.size(), 4);
        QVERIFY(db->exec("DROP TRIGGER case_events_facts; DROP TABLE case_facts;"));
        QFile sql(QStringLiteral(":/migrations/0006_kpi_facts.sql"));
        QVERIFY(sql.open(QIODevice::ReadOnly));
        QVERIFY(db->exec(sql.readAll()));
        QCOMPARE(rows(), byTrigger);

        // Figures on top: 4 filed cases (A closed on time; B reopened; C shelved; D open).
        DashboardFilter flt;
        flt.from = t0 - kD;
        flt.to = t0 + 5 * kD;
        const DashboardResult r = Kpis::compute(*facts, flt, t0 + 5 * kD);
        QCOMPARE(r.total.cases, 4);
        QCOMPARE(r.total.closed, 1);
        QCOMPARE(r.total.reworked, 1);
        QCOMPARE(r.total.reopened, 1);
        QCOMPARE(r.total.shelved, 1);
        QCOMPARE(r.funnelTotal.cases, 4);   // every filed case of the ladder category
        QCOMPARE(r.funnelTotal.entered, 3); // A, B, D (C never got a notice)
        QCOMPARE(r.funnelTotal.atNotice, 1);
        QCOMPARE(r.funnelTotal.skipped, 1);
    }

    // The demo generator writes the facts itself (the migration then skips its backfill); they
    // equal what the backfill computes from the generated timelines.
    void generatorFactsEqualTheBackfill()
    {
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 1500, 12);
        auto db = *Database::openDir(dir.path());
        const QByteArray generated = test::tableHash(*db, QStringLiteral("case_facts"));
        QSqlQuery q(db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*), sum(late), sum(skips), sum(reworks), "
                                      "sum(max_stage = 3), sum(due IS NULL) FROM case_facts")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 1500);
        for (int i = 1; i < 6; ++i) // every kind of fact occurs in the demo
            QVERIFY2(q.value(i).toInt() > 0, qPrintable(QString::number(i)));
        q.finish();
        QVERIFY(db->exec("DROP TRIGGER case_events_facts; DROP TABLE case_facts;"));
        QFile sql(QStringLiteral(":/migrations/0006_kpi_facts.sql"));
        QVERIFY(sql.open(QIODevice::ReadOnly));
        QVERIFY(db->exec(sql.readAll()));
        QCOMPARE(test::tableHash(*db, QStringLiteral("case_facts")), generated);
    }

    // kpi_facts (schema 8), kept by triggers on cases and case_facts, mirrors the wide rows the
    // dashboard read before: after the demo's bulk load, after workflow commands, after direct
    // updates and upserts of case rows (as sync applies them), and after the migration's backfill.
    void narrowFactsMirrorTheCaseRows()
    {
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 1500, 12);
        auto db = *Database::openDir(dir.path());
        const auto check = [&](const char *when) {
            const auto facts = KpiFactsStore(db).load();
            QVERIFY2(facts, qPrintable(facts ? QString() : facts.error()));
            QVERIFY2(facts->cases.size() >= 1500, when);
            const QStringList expected = factsFromTheCaseRows(*db, *facts);
            const QStringList got = describe(facts->cases);
            QCOMPARE(got.size(), expected.size());
            for (qsizetype i = 0; i < got.size(); ++i)
                QVERIFY2(got[i] == expected[i],
                         qPrintable(QStringLiteral("%1: %2 instead of %3")
                                        .arg(QLatin1String(when), got[i], expected[i])));
            // Units: exactly those that cases are assigned to.
            QSqlQuery q(db->sql());
            QVERIFY(q.exec(QStringLiteral("SELECT count(DISTINCT unit_id) FROM cases c JOIN units "
                                          "u ON u.id = c.unit_id")) &&
                    q.next());
            QCOMPARE(facts->units.size(), q.value(0).toInt());
        };
        check("after the bulk load");
        if (QTest::currentTestFailed())
            return;

        Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        const Actor supervisor = *repo.actorFor(QStringLiteral("supervisor1"), QStringLiteral("t"));
        QSqlQuery q(db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM cases WHERE state = 'registered' ORDER BY "
                                      "id LIMIT 2")));
        QList<CaseId> registered;
        while (q.next())
            registered << q.value(0).toLongLong();
        QCOMPARE(registered.size(), 2);
        Command shelve;
        shelve.action = Action::Shelve;
        shelve.reason = QStringLiteral("等待拆迁");
        Outcome o = repo.apply(registered[0], shelve, supervisor, DemoOptions::kDefaultAnchorMs);
        QVERIFY2(o.ok(), qPrintable(o.message()));
        ReportInput in;
        in.category = QStringLiteral("E0401");
        in.lon = 121.43;
        in.lat = 31.23;
        in.description = QStringLiteral("占道经营");
        in.party = QStringLiteral("摊主");
        const Actor op = *repo.actorFor(QStringLiteral("operator1"), QStringLiteral("t"));
        QVERIFY(repo.report(in, op, DemoOptions::kDefaultAnchorMs).ok());
        check("after workflow commands");
        if (QTest::currentTestFailed())
            return;

        // Case rows written directly: an update (state, unit, grid cell, link) and an upsert.
        QVERIFY(q.exec(
            QStringLiteral(
                "UPDATE cases SET state = 'closed', closed_at = reported_at + 3600000, "
                "unit_id = (SELECT max(id) FROM units), grid_code = (SELECT max(code) FROM grids), "
                "linked_case = %1 WHERE id = %2")
                .arg(registered[0])
                .arg(registered[1])));
        QVERIFY(q.exec(
            QStringLiteral(
                "INSERT INTO cases (id, category, state, source, address, description, lon, lat, "
                "reported_at, updated_at) SELECT id, category, 'handling', source, address, "
                "description, lon, lat, reported_at - 1, updated_at FROM cases WHERE id = %1 "
                "ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
                "reported_at = excluded.reported_at")
                .arg(registered[0])));
        check("after direct writes");
        if (QTest::currentTestFailed())
            return;

        // The migration's backfill gives the same facts (its code numbers may differ).
        QVERIFY(
            db->exec("DROP VIEW kpi_case_rows; DROP VIEW kpi_fact_bits; "
                     "DROP TABLE kpi_facts; DROP TABLE kpi_codes; "
                     "DROP TRIGGER categories_kpi_code; DROP TRIGGER grids_kpi_code; "
                     "DROP TRIGGER cases_kpi_insert; DROP TRIGGER cases_kpi_update; "
                     "DROP TRIGGER cases_kpi_delete; DROP TRIGGER case_facts_kpi_insert; "
                     "DROP TRIGGER case_facts_kpi_update; DROP TRIGGER case_facts_kpi_delete;"));
        QFile sql(QStringLiteral(":/migrations/0008_kpi_facts_narrow.sql"));
        QVERIFY(sql.open(QIODevice::ReadOnly));
        QVERIFY(db->exec(sql.readAll()));
        check("after the backfill");
    }

    // The engine answers off the GUI thread, drops stale results and follows changed cases.
    void engineDropsStaleResultsAndFollowsChanges()
    {
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 400, 9);
        DashboardEngine engine(Database::pathInDir(dir.path()));
        engine.setNow(DemoOptions::kDefaultAnchorMs);
        engine.setDebounce(0);
        QList<qint64> generations;
        connect(&engine, &DashboardEngine::ready, this,
                [&](const DashboardResult &r) { generations << r.generation; });
        QSignalSpy ready(&engine, &DashboardEngine::ready);
        DashboardFilter f;
        f.from = 0;
        f.to = DemoOptions::kDefaultAnchorMs;
        f.street = 0;
        engine.request(f);
        f.street = -1;
        const qint64 latest = engine.request(f);
        QVERIFY(ready.wait(20000));
        // Only the answer to the latest request reaches the view.
        QCOMPARE(generations, QList<qint64>{latest});
        const auto first = ready.last().first().value<DashboardResult>();
        QCOMPARE(first.filter.street, -1);
        QVERIFY(!engine.dimensions().streets.isEmpty());

        // A case changes on another connection; the engine re-reads it after caseChanged().
        auto db = *Database::openDir(dir.path());
        Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(db, wf);
        QSqlQuery q(db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM cases WHERE state = 'registered' LIMIT 1")));
        QVERIFY(q.next());
        const CaseId id = q.value(0).toLongLong();
        Command shelve;
        shelve.action = Action::Shelve;
        shelve.reason = QStringLiteral("等待拆迁");
        const Outcome o = repo.apply(
            id, shelve, *repo.actorFor(QStringLiteral("supervisor1"), QStringLiteral("test")),
            DemoOptions::kDefaultAnchorMs);
        QVERIFY2(o.ok(), qPrintable(o.message()));
        engine.caseChanged(id);
        QVERIFY(ready.wait(20000));
        const auto after = ready.last().first().value<DashboardResult>();
        QCOMPARE(after.filter.street, -1);
        QVERIFY(after.generation > first.generation);
        const qint64 shelvedBefore = first.total.shelved;
        QCOMPARE(after.total.shelved, shelvedBefore + 1);
    }
};

QTEST_GUILESS_MAIN(TestKpis)
#include "tst_kpis.moc"
