// The case list model over the store: model contract, lazy paging, sorting by the store.
#include "itemmodels/caselistmodel.h"
#include "storage/casestore.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace cityops;

class TestCaseListModel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<CaseStore> m_store;

    QList<qint64> idsInSqlOrder(const QString &orderBy)
    {
        QList<qint64> ids;
        QSqlQuery q(m_store->database().sql());
        if (!q.exec(QStringLiteral("SELECT c.id FROM cases c ORDER BY %1 LIMIT 600").arg(orderBy)))
            qFatal("bad query");
        while (q.next())
            ids.append(q.value(0).toLongLong());
        return ids;
    }

private slots:
    void initTestCase()
    {
        test::makeDemo(m_dir.path(), 700, 3);
        auto db = Database::openDir(m_dir.path());
        QVERIFY(db.ok());
        m_store = std::make_shared<CaseStore>(*db);
    }

    void passesTheModelTester()
    {
        CaseListModel model(m_store);
        QCOMPARE(model.rowCount(), CaseListModel::kPageSize); // one page, not the whole table
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.totalCount(), 700);
        QCOMPARE(model.columnCount(), int(CaseListModel::ColumnCount));
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 700);
        for (int c = 0; c < model.columnCount(); ++c) {
            model.sort(c, Qt::AscendingOrder);
            model.sort(c, Qt::DescendingOrder);
        }
        model.reload();
        QVERIFY(model.rowCount() < 700); // the tester may have fetched one more page
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
        QTest::newRow("deadline asc")
            << int(CaseListModel::DeadlineColumn) << int(Qt::AscendingOrder)
            << "coalesce(c.deadline_at, 9e18) ASC, c.id ASC";
        QTest::newRow("state desc") << int(CaseListModel::StateColumn) << int(Qt::DescendingOrder)
                                    << "c.state DESC, c.id DESC";
        QTest::newRow("street asc") << int(CaseListModel::StreetColumn) << int(Qt::AscendingOrder)
                                    << "c.street_id ASC, c.id ASC";
        QTest::newRow("category asc") << int(CaseListModel::CategoryColumn)
                                      << int(Qt::AscendingOrder) << "c.category ASC, c.id ASC";
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
        model.fetchMore({});
        model.fetchMore({});
        QList<qint64> shown;
        for (int r = 0; r < 600; ++r)
            shown.append(model.index(r, 0).data(CaseListModel::CaseIdRole).toLongLong());
        QCOMPARE(shown, idsInSqlOrder(sql));
    }

    void selectionFollowsItsCaseAcrossASort()
    {
        CaseListModel model(m_store);
        const QPersistentModelIndex p = model.index(5, CaseListModel::AddressColumn);
        const qint64 id = p.data(CaseListModel::CaseIdRole).toLongLong();
        model.sort(CaseListModel::IdColumn, Qt::AscendingOrder);
        QVERIFY(p.isValid() || model.rowOf(id) < 0);
        if (p.isValid()) {
            QCOMPARE(p.data(CaseListModel::CaseIdRole).toLongLong(), id);
            QCOMPARE(p.column(), int(CaseListModel::AddressColumn));
        }
    }

    void overdueFollowsTheClockAndTheState()
    {
        CaseListModel model(m_store);
        QSqlQuery q(m_store->database().sql());
        QVERIFY(q.exec(QStringLiteral("SELECT id, deadline_at FROM cases WHERE state = 'handling' "
                                      "AND deadline_at IS NOT NULL ORDER BY id DESC LIMIT 1")));
        QVERIFY(q.next());
        const qint64 id = q.value(0).toLongLong();
        const qint64 deadline = q.value(1).toLongLong();
        while (model.rowOf(id) < 0 && model.canFetchMore({}))
            model.fetchMore({});
        const QModelIndex idx = model.index(model.rowOf(id), CaseListModel::DeadlineColumn);
        model.setClock([&] { return deadline - 60000; });
        QCOMPARE(idx.data(CaseListModel::OverdueRole).toBool(), false);
        QVERIFY(idx.data(Qt::ToolTipRole).toString().contains(QLatin1String("left")));
        model.setClock([&] { return deadline + 60000; });
        QCOMPARE(idx.data(CaseListModel::OverdueRole).toBool(), true);
        QVERIFY(idx.data(Qt::ForegroundRole).isValid());
        QVERIFY(idx.data(Qt::ToolTipRole).toString().contains(QLatin1String("overdue")));
        QCOMPARE(model.headerData(CaseListModel::DeadlineColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Deadline"));
    }
};

QTEST_GUILESS_MAIN(TestCaseListModel)
#include "tst_caselistmodel.moc"
