// The case queues over the store: model contract, laziness, sorting and filtering in SQL,
// incremental counts and Chinese full-text search.
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "itemmodels/caselistmodel.h"
#include "storage/caserepository.h"
#include "storage/casestore.h"
#include "storage/searchindex.h"
#include "testsupport.h"
#include "util/csv.h"
#include "util/rng.h"

#include <QAbstractItemModelTester>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace cityops;

class TestCaseListModel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<Database> m_db;
    std::shared_ptr<CaseStore> m_store;

    QList<qint64> sqlIds(const QString &where, const QString &orderBy, int limit = 600)
    {
        QList<qint64> ids;
        QSqlQuery q(m_db->sql());
        if (!q.exec(QStringLiteral("SELECT c.id FROM cases c %1 ORDER BY %2 LIMIT %3")
                        .arg(where, orderBy)
                        .arg(limit)))
            qFatal("bad query: %s", qPrintable(where));
        while (q.next())
            ids.append(q.value(0).toLongLong());
        return ids;
    }
    static QList<qint64> modelIds(const CaseListModel &m, int limit = 600)
    {
        QList<qint64> ids;
        for (int r = 0; r < std::min(limit, m.rowCount()); ++r)
            ids.append(m.index(r, 0).data(CaseListModel::CaseIdRole).toLongLong());
        return ids;
    }
    qint64 sqlCount(const QString &where)
    {
        QSqlQuery q(m_db->sql());
        if (!q.exec(QStringLiteral("SELECT count(*) FROM cases c ") + where) || !q.next())
            qFatal("bad count: %s", qPrintable(where));
        return q.value(0).toLongLong();
    }

private slots:
    void initTestCase()
    {
        test::makeDemo(m_dir.path(), 3000, 3);
        m_db = *Database::openDir(m_dir.path());
        m_store = std::make_shared<CaseStore>(m_db);
    }

    void passesTheModelTesterAndStaysLazy()
    {
        CaseListModel model(m_store);
        QCOMPARE(model.rowCount(), 3000);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.columnCount(), int(CaseListModel::ColumnCount));
        QVERIFY(model.pagesRead() <= 2); // only what was looked at
        QCOMPARE(model.index(2999, 0).data(CaseListModel::CaseIdRole).toLongLong(), 1);
        for (int c = 0; c < model.columnCount(); ++c) {
            model.sort(c, Qt::AscendingOrder);
            model.sort(c, Qt::DescendingOrder);
        }
        CaseQuery q;
        q.queue = Queue::InProgress;
        q.stage = 0;
        model.setQuery(q);
        QVERIFY(model.rowCount() > 0 && model.rowCount() < 3000);
        // The cache is bounded: reading every row never keeps more than kMaxPages pages.
        model.setQuery(CaseQuery{});
        for (int r = 0; r < model.rowCount(); r += 7)
            QVERIFY(model.index(r, 1).data().isValid());
        QVERIFY(model.pagesRead() >= 3000 / CaseListModel::kPageSize);
    }

    // "Every row" is asked for with a huge limit (case bulk --query, benchmarks): the page is
    // read row by row, not reserved for the limit (ASan refused a 300 GB reservation).
    void aHugeLimitReadsEveryRow()
    {
        const CaseQuery all;
        const qint64 n = m_store->count(all);
        QVERIFY(n > 0);
        const QList<QueueRow> rows = m_store->listPage(all, CaseSort::Id, Qt::AscendingOrder, 0,
                                                       std::numeric_limits<int>::max());
        QCOMPARE(qint64(rows.size()), n);
    }

    void sortsThroughTheStore_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("order");
        QTest::addColumn<QString>("sql");
        QTest::newRow("id desc") << int(CaseListModel::IdColumn) << int(Qt::DescendingOrder)
                                 << "c.id DESC";
        QTest::newRow("id asc") << int(CaseListModel::IdColumn) << int(Qt::AscendingOrder)
                                << "c.id ASC";
        QTest::newRow("SLA asc") << int(CaseListModel::SlaColumn) << int(Qt::AscendingOrder)
                                 << "coalesce(c.deadline_at, 9e18) ASC, c.id ASC";
        QTest::newRow("state desc") << int(CaseListModel::StateColumn) << int(Qt::DescendingOrder)
                                    << "c.state DESC, c.id DESC";
        QTest::newRow("place asc") << int(CaseListModel::PlaceColumn) << int(Qt::AscendingOrder)
                                   << "c.street_id ASC, c.grid_code ASC, c.id ASC";
        QTest::newRow("category asc") << int(CaseListModel::CategoryColumn)
                                      << int(Qt::AscendingOrder) << "c.category ASC, c.id ASC";
        QTest::newRow("priority asc") << int(CaseListModel::PriorityColumn)
                                      << int(Qt::AscendingOrder) << "c.priority ASC, c.id ASC";
        QTest::newRow("age desc") << int(CaseListModel::AgeColumn) << int(Qt::DescendingOrder)
                                  << "c.reported_at DESC, c.id DESC";
        QTest::newRow("source asc") << int(CaseListModel::SourceColumn) << int(Qt::AscendingOrder)
                                    << "c.source ASC, c.id ASC";
        QTest::newRow("stage desc") << int(CaseListModel::StageColumn) << int(Qt::DescendingOrder)
                                    << "c.stage DESC, c.id DESC";
    }
    void sortsThroughTheStore()
    {
        QFETCH(int, column);
        QFETCH(int, order);
        QFETCH(QString, sql);
        CaseListModel model(m_store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.sort(column, Qt::SortOrder(order));
        QCOMPARE(modelIds(model), sqlIds(QString(), sql));
    }

    void filtersMatchSql_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QVariant>("value");
        QTest::addColumn<QString>("where");
        QTest::newRow("street") << "street" << QVariant(3) << "WHERE c.street_id = 3";
        QTest::newRow("major category")
            << "category" << QVariant("E04") << "WHERE c.category LIKE 'E04%'";
        QTest::newRow("subcategory")
            << "category" << QVariant("E0401") << "WHERE c.category = 'E0401'";
        QTest::newRow("stage") << "stage" << QVariant(2) << "WHERE c.stage = 2";
        QTest::newRow("source") << "source" << QVariant("hotline") << "WHERE c.source = 'hotline'";
        QTest::newRow("priority") << "priority" << QVariant(1) << "WHERE c.priority = 1";
        QTest::newRow("unit") << "unit" << QVariant("ENF-01-01")
                              << "WHERE c.assignee_code = 'ENF-01-01' OR c.unit_id = (SELECT id "
                                 "FROM units WHERE code = 'ENF-01-01')";
        QTest::newRow("intake") << "queue" << QVariant(int(Queue::Intake))
                                << "WHERE c.state = 'reported'";
        QTest::newRow("dispatch") << "queue" << QVariant(int(Queue::Dispatch))
                                  << "WHERE c.state IN ('registered', 'returned')";
        QTest::newRow("approval") << "queue" << QVariant(int(Queue::Approval))
                                  << "WHERE c.pending IS NOT NULL";
        QTest::newRow("closed") << "queue" << QVariant(int(Queue::Closed))
                                << "WHERE c.state IN ('closed', 'rejected')";
        QTest::newRow("overdue")
            << "queue" << QVariant(int(Queue::Overdue))
            << QStringLiteral(
                   "WHERE c.state NOT IN ('closed', 'rejected', 'shelved') AND c.deadline_at < %1")
                   .arg(DemoOptions::kDefaultAnchorMs);
    }
    void filtersMatchSql()
    {
        QFETCH(QString, field);
        QFETCH(QVariant, value);
        QFETCH(QString, where);
        CaseQuery q;
        if (field == QLatin1String("street"))
            q.streetId = value.toLongLong();
        else if (field == QLatin1String("category"))
            q.category = value.toString();
        else if (field == QLatin1String("stage"))
            q.stage = value.toInt();
        else if (field == QLatin1String("source"))
            q.source = value.toString();
        else if (field == QLatin1String("priority"))
            q.priority = value.toInt();
        else if (field == QLatin1String("unit"))
            q.unitCode = value.toString();
        else
            q.queue = Queue(value.toInt());
        CaseListModel model(m_store);
        model.setClock([] { return DemoOptions::kDefaultAnchorMs; });
        model.setQuery(q);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const qint64 expected = sqlCount(where);
        QVERIFY2(expected > 0, qPrintable(where));
        QCOMPARE(model.totalCount(), expected);
        QCOMPARE(modelIds(model), sqlIds(where, QStringLiteral("c.id DESC")));
    }

    void countsStayEqualToARecount()
    {
        const Workflow wf(Catalogue::builtin(), WorkCalendar::builtin());
        CaseRepository repo(m_db, wf);
        Rng rng(99);
        const QStringList users{"operator1", "dispatcher1", "supervisor1", "field1", "enforcer1"};
        QSqlQuery q(m_db->sql());
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM cases WHERE state NOT IN ('closed', "
                                      "'rejected') ORDER BY id DESC LIMIT 400")));
        QList<qint64> ids;
        while (q.next())
            ids << q.value(0).toLongLong();
        int applied = 0;
        const qint64 now = DemoOptions::kDefaultAnchorMs;
        for (int i = 0; i < 1500; ++i) {
            const qint64 id = rng.pick(ids);
            const auto actor = *repo.actorFor(rng.pick(users), QStringLiteral("test"));
            // Try actions in a random order until the engine's preconditions allow one.
            const CaseSnapshot snap = *repo.snapshot(id);
            Command c;
            c.action = Action::Report;
            for (int tries = 0; tries < 30; ++tries) {
                const Action a = rng.pick(kAllActions);
                if (a != Action::Report && !wf.precheck(snap, a, actor)) {
                    c.action = a;
                    break;
                }
            }
            if (c.action == Action::Report)
                continue;
            c.reason = QStringLiteral("r");
            c.confirmFiling = true;
            c.to = QStringLiteral("GW-01-001");
            c.toType = QStringLiteral("grid_worker");
            c.hours = 4;
            c.duplicateOf = ids.first() == id ? ids.last() : ids.first();
            c.evidence =
                snap.evidence.isEmpty() ? QStringList() : QStringList{snap.evidence.first()};
            c.toStage = 0;
            if (repo.apply(id, c, actor, now + i * 60000).ok())
                ++applied;
            if (i % 250 == 0) {
                ReportInput in;
                in.category = QStringLiteral("E0101");
                in.lon = 121.44 + rng.uniform() * 0.04;
                in.lat = 31.21 + rng.uniform() * 0.04;
                in.description = QStringLiteral("暴露垃圾 %1").arg(i);
                QVERIFY(repo.report(in, actor, now).kind != Outcome::Failed);
            }
        }
        QVERIFY(applied > 100);
        const auto counts = m_store->queueCounts(QStringLiteral("GW-01-001"), now);
        QCOMPARE(counts.value(Queue::All), sqlCount(QString()));
        QCOMPARE(counts.value(Queue::Intake), sqlCount(QStringLiteral("WHERE state = 'reported'")));
        QCOMPARE(counts.value(Queue::Dispatch),
                 sqlCount(QStringLiteral("WHERE state IN ('registered', 'returned')")));
        QCOMPARE(counts.value(Queue::InProgress),
                 sqlCount(QStringLiteral("WHERE state IN ('dispatched', 'handling')")));
        QCOMPARE(counts.value(Queue::Verify),
                 sqlCount(QStringLiteral("WHERE state IN ('feedback', 'verified')")));
        QCOMPARE(counts.value(Queue::Approval),
                 sqlCount(QStringLiteral("WHERE pending IS NOT NULL")));
        QCOMPARE(counts.value(Queue::Shelved), sqlCount(QStringLiteral("WHERE state = 'shelved'")));
        QCOMPARE(counts.value(Queue::Closed),
                 sqlCount(QStringLiteral("WHERE state IN ('closed', 'rejected')")));
        QCOMPARE(counts.value(Queue::Mine),
                 sqlCount(QStringLiteral(
                     "WHERE assignee_code = 'GW-01-001' OR pending_by = 'GW-01-001'")));
        QCOMPARE(
            counts.value(Queue::Overdue),
            sqlCount(
                QStringLiteral(
                    "WHERE state NOT IN ('closed', 'rejected', 'shelved') AND deadline_at < %1")
                    .arg(now)));
    }

    void searchFindsChinesePhrases_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("indexFirst");
        for (bool indexed : {false, true}) {
            const char *tag = indexed ? "indexed" : "not yet indexed";
            QTest::addRow("2 chars, %s", tag) << QStringLiteral("摊贩") << indexed;
            QTest::addRow("4 chars, %s", tag) << QStringLiteral("流动摊贩") << indexed;
            QTest::addRow("1 char, %s", tag) << QStringLiteral("伞") << indexed;
            QTest::addRow("3 chars, %s", tag) << QStringLiteral("人行道") << indexed;
            QTest::addRow("address, %s", tag) << QStringLiteral("街道") << indexed;
            QTest::addRow("party, 3 chars, %s", tag) << QStringLiteral("水果摊") << indexed;
        }
    }
    void searchFindsChinesePhrases()
    {
        QFETCH(QString, text);
        QFETCH(bool, indexFirst);
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 1500, 8);
        auto db = *Database::openDir(dir.path());
        auto store = std::make_shared<CaseStore>(db);
        // A case whose text holds a single rare character, for the one-character path.
        QVERIFY(db->exec("UPDATE cases SET description = description || '，摊位撑起大伞' WHERE id "
                         "IN (17, 1200)"));
        if (indexFirst) {
            QVERIFY(SearchIndex::catchUp(*db, 1000).ok()); // part indexed, part scanned
            QCOMPARE(SearchIndex::indexedTo(*db), 1000);
        }
        CaseQuery q;
        q.text = text;
        CaseListModel model(store);
        model.setQuery(q);
        QSqlQuery expect(db->sql());
        const QString like = QLatin1Char('%') + text + QLatin1Char('%');
        expect.prepare(QStringLiteral("SELECT count(*) FROM cases WHERE description LIKE ? OR "
                                      "address LIKE ? OR party LIKE ?"));
        expect.addBindValue(like);
        expect.addBindValue(like);
        expect.addBindValue(like);
        QVERIFY(expect.exec() && expect.next());
        QVERIFY2(expect.value(0).toLongLong() > 0, qPrintable(text));
        QCOMPARE(model.totalCount(), expect.value(0).toLongLong());
        for (int r = 0; r < std::min(20, model.rowCount()); ++r) {
            const qint64 id = model.index(r, 0).data(CaseListModel::CaseIdRole).toLongLong();
            const auto rec = store->findCase(id);
            QVERIFY((rec->description + rec->address + rec->party).contains(text));
        }
    }

    void slaColoursFollowTheClock()
    {
        CaseListModel model(m_store);
        CaseQuery q;
        q.queue = Queue::InProgress;
        model.setQuery(q);
        QVERIFY(model.rowCount() > 0);
        const QModelIndex idx = model.index(0, CaseListModel::SlaColumn);
        const qint64 deadline = idx.data(CaseListModel::DeadlineRole).toLongLong();
        QVERIFY(deadline > 0);
        model.setClock([&] { return deadline - 3 * 3600000; });
        QCOMPARE(idx.data(CaseListModel::SlaLevelRole).toInt(), int(CaseListModel::SlaOnTime));
        model.setClock([&] { return deadline - 30 * 60000; });
        QCOMPARE(idx.data(CaseListModel::SlaLevelRole).toInt(), int(CaseListModel::SlaDueSoon));
        model.setClock([&] { return deadline + 60000; });
        QCOMPARE(idx.data(CaseListModel::SlaLevelRole).toInt(), int(CaseListModel::SlaOverdue));
        QVERIFY(idx.data(Qt::ForegroundRole).isValid());
        QVERIFY(idx.data().toString().contains(QLatin1String("overdue")));
    }

    void csvRoundTrips()
    {
        const QList<QStringList> rows{
            {QStringLiteral("案件"), QStringLiteral("描述")},
            {QStringLiteral("1"), QStringLiteral("占道经营, 有\"引号\"\n第二行")},
            {QStringLiteral("2"), QString()},
            {QStringLiteral("3"), QStringLiteral("  前后空格  ")}};
        QByteArray doc = Csv::bom();
        for (const QStringList &r : rows)
            doc += Csv::row(r);
        QVERIFY(doc.startsWith("\xEF\xBB\xBF"));
        QCOMPARE(Csv::parse(doc), rows);
    }
};

QTEST_GUILESS_MAIN(TestCaseListModel)
#include "tst_caselistmodel.moc"
