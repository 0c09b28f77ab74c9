// The console shell driven as a user would: real widgets, offscreen.
#include "casedetailwidget.h"
#include "itemmodels/caselistmodel.h"
#include "mainwindow.h"
#include "storage/casestore.h"
#include "testsupport.h"
#include "util/i18n.h"

#include <QApplication>
#include <QDockWidget>
#include <QHeaderView>
#include <QImage>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace cityops;

class TestConsole : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    std::shared_ptr<Database> open()
    {
        auto db = Database::openDir(m_dir.path());
        if (!db)
            qFatal("%s", qPrintable(db.error()));
        return *db;
    }

    static int distinctColours(const QImage &img)
    {
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 4) {
            for (int x = 0; x < img.width(); x += 4)
                colours.insert(img.pixel(x, y));
        }
        return int(colours.size());
    }

    QImage screenshot(const QStringList &extra)
    {
        QTemporaryDir out;
        const QString file = out.filePath(QStringLiteral("shot.png"));
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QStringLiteral(CITYOPS_CONSOLE_BIN),
                QStringList{QStringLiteral("--data"), m_dir.path(), QStringLiteral("--screenshot"),
                            file} +
                    extra);
        if (!p.waitForFinished(60000) || p.exitCode() != 0)
            return {};
        return QImage(file);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        test::makeDemo(m_dir.path(), 1500, 5);
    }

    void clickingACaseShowsItsDetailAndTimeline()
    {
        MainWindow w(open());
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTableView *table = w.caseTable();
        QCOMPARE(table->model()->rowCount(), CaseListModel::kPageSize);
        const QModelIndex third = table->model()->index(2, CaseListModel::AddressColumn);
        const QRect rect = table->visualRect(third);
        QVERIFY(rect.isValid());
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
        const qint64 id = third.data(CaseListModel::CaseIdRole).toLongLong();
        QCOMPARE(w.caseDetail()->caseId(), id);
        CaseStore store(open());
        QCOMPARE(w.caseDetail()->timeline()->topLevelItemCount(), int(store.events(id).size()));
        QVERIFY(w.caseDetail()->timeline()->topLevelItemCount() >= 1);

        // Keyboard: Down moves to the next case.
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Down);
        QCOMPARE(w.caseDetail()->caseId(),
                 table->model()->index(3, 0).data(CaseListModel::CaseIdRole).toLongLong());
    }

    void sortingByHeaderClickUsesTheStore()
    {
        MainWindow w(open());
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QHeaderView *header = w.caseTable()->horizontalHeader();
        const int x = header->sectionViewportPosition(CaseListModel::IdColumn) + 10;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
        // Default is newest first; one click flips to oldest first.
        QCOMPARE(w.caseTable()->model()->index(0, 0).data(CaseListModel::CaseIdRole).toLongLong(),
                 1);
    }

    void layoutAndThemePersist()
    {
        {
            MainWindow w(open());
            w.restoreLayout();
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.setTheme(Theme::Dark);
            w.detailDock()->hide();
            w.close();
        }
        MainWindow w(open());
        w.restoreLayout();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.theme(), Theme::Dark);
        QVERIFY(w.detailDock()->isHidden());
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() < 80);
        w.setTheme(Theme::Light);
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() > 180);
        w.close();
        QSettings().clear();
    }

    void gotoCaseLoadsDeepRows()
    {
        MainWindow w(open());
        QVERIFY(w.selectCase(3)); // near the end of the newest-first list
        QCOMPARE(w.caseDetail()->caseId(), 3);
        QCOMPARE(w.caseTable()->currentIndex().data(CaseListModel::CaseIdRole).toLongLong(), 3);
        QVERIFY(!w.selectCase(999999));
    }

    void screenshotIsANonBlankFullWindow()
    {
        const QImage img = screenshot({QStringLiteral("--lang"), QStringLiteral("en")});
        QCOMPARE(img.size(), QSize(1600, 1000));
        QVERIFY(distinctColours(img) > 50);
        const QImage dark = screenshot({QStringLiteral("--theme"), QStringLiteral("dark"),
                                        QStringLiteral("--view"), QStringLiteral("queues")});
        QCOMPARE(dark.size(), QSize(1600, 1000));
        QVERIFY(qGray(dark.pixel(800, 500)) < 100);
    }

    void screenshotRefusesBadArguments()
    {
        QProcess p;
        p.start(QStringLiteral(CITYOPS_CONSOLE_BIN),
                {QStringLiteral("--data"), m_dir.path(), QStringLiteral("--screenshot"),
                 QStringLiteral("/tmp/x.png"), QStringLiteral("--view"), QStringLiteral("nope")});
        QVERIFY(p.waitForFinished(30000));
        QVERIFY(p.exitCode() != 0);
        QVERIFY(p.readAllStandardError().contains("nope"));
    }

    void chineseUiIsTranslated()
    {
        installTranslations(QStringLiteral("zh_CN"));
        MainWindow w(open());
        QCOMPARE(w.queuesDock()->windowTitle(), QStringLiteral("案件队列"));
        QCOMPARE(w.caseTable()
                     ->model()
                     ->headerData(CaseListModel::StateColumn, Qt::Horizontal)
                     .toString(),
                 QStringLiteral("状态"));
        const QModelIndex idx = w.caseTable()->model()->index(0, CaseListModel::CategoryColumn);
        QVERIFY(idx.data().toString().contains(
            QRegularExpression(QStringLiteral("[\\x{4e00}-\\x{9fff}]"))));
        installTranslations(QStringLiteral("en"));
    }
};

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
