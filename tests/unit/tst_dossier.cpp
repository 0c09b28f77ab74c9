// The enforcement dossier: rendered to PDF and read back with pdftotext (poppler-utils), every
// section and the key facts; the CLI command; a broken audit chain shows in the dossier.
#include "dossier/dossier.h"
#include "storage/casestore.h"
#include "storage/dossierstore.h"
#include "testsupport.h"

#include <QDateTime>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace cityops;

class TestDossier : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<Database> m_db;

    /** The text of a PDF, through pdftotext (layout off, UTF-8). */
    static QString pdfText(const QString &pdf)
    {
        const QString tool = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
        if (tool.isEmpty())
            return {};
        QProcess p;
        p.start(tool, {QStringLiteral("-enc"), QStringLiteral("UTF-8"), pdf, QStringLiteral("-")});
        if (!p.waitForFinished(60000) || p.exitCode() != 0)
            return {};
        // Table cells may wrap: compare with whitespace removed as well.
        return QString::fromUtf8(p.readAllStandardOutput());
    }
    static QString squeeze(QString s)
    {
        return s.remove(QRegularExpression(QStringLiteral("\\s+")));
    }

    /** A closed case that went through all three ladder stages, with evidence. */
    CaseId ladderCase()
    {
        QSqlQuery q(m_db->sql());
        q.exec(
            QStringLiteral("SELECT c.id FROM cases c JOIN case_facts f ON f.case_id = c.id "
                           "WHERE f.max_stage = 3 AND c.state = 'closed' ORDER BY c.id LIMIT 1"));
        return q.next() ? q.value(0).toLongLong() : 0;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        if (QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty())
            QFAIL("pdftotext not found: install poppler-utils (scripts/deps does)");
        test::makeDemo(m_dir.path(), 600, 4);
        m_db = *Database::openDir(m_dir.path());
    }

    void everySectionAndTheKeyFacts()
    {
        const CaseId id = ladderCase();
        QVERIFY(id > 0);
        const auto data = DossierStore(m_db, m_dir.path()).load(id, DemoOptions::kDefaultAnchorMs);
        QVERIFY2(data, qPrintable(data ? QString() : data.error()));
        QVERIFY(!data->photos.isEmpty());
        QVERIFY(!data->grids.isEmpty());
        QVERIFY(data->snapshot.stages.size() >= 2); // 1 → 3 when a stage was skipped
        QCOMPARE(data->snapshot.stages.last().stage, 3);
        const QString pdf = m_dir.filePath(QStringLiteral("dossier.pdf"));
        QVERIFY(Dossier::writePdf(*data, pdf));
        QVERIFY(test::fileBytes(pdf).startsWith("%PDF"));
        const QString text = pdfText(pdf);
        const QString flat = squeeze(text);
        QVERIFY(!text.isEmpty());
        for (const char *heading : {"Enforcement dossier", "Case facts", "Map", "Escalation ladder",
                                    "Timeline", "Evidence", "Audit chain"})
            QVERIFY2(text.contains(QLatin1String(heading)), heading);
        const CaseRecord &r = data->record;
        // Key facts, Chinese text included (the font must carry it into the PDF).
        QVERIFY(text.contains(QStringLiteral("case %1").arg(id)));
        QVERIFY(text.contains(r.categoryCode));
        QVERIFY(flat.contains(squeeze(r.address)));
        QVERIFY(flat.contains(squeeze(r.description)));
        QVERIFY(text.contains(r.gridCode));
        QVERIFY(text.contains(
            QStringLiteral("Audit chain intact: %1 event(s)").arg(data->events.size())));
        // The ladder with its approver, every timeline row, every photo with its SHA-256.
        QVERIFY(text.contains(QStringLiteral("supervisor1")));
        QVERIFY(flat.contains(squeeze(Names::stageLabel(3))));
        for (const CaseEvent &e : data->events)
            QVERIFY2(flat.contains(squeeze(Names::eventLabel(e.kind))), qPrintable(e.kind));
        for (const DossierPhoto &p : data->photos) {
            QVERIFY2(text.contains(p.sha256), qPrintable(p.sha256));
            QVERIFY(!p.path.isEmpty());
        }
        QVERIFY(text.contains(QStringLiteral("Captured:")));
    }

    void aBrokenChainShowsInTheDossier()
    {
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 50, 6);
        auto db = *Database::openDir(dir.path());
        // Tamper with an event behind the triggers' back.
        QVERIFY(db->exec("DROP TRIGGER case_events_no_update"));
        QVERIFY(db->exec("UPDATE case_events SET actor = 'mallory' WHERE case_id = 3 AND seq = 2"));
        const auto data = DossierStore(db, dir.path()).load(3, DemoOptions::kDefaultAnchorMs);
        QVERIFY(data);
        QVERIFY(!data->audit.intact);
        const QString pdf = dir.filePath(QStringLiteral("broken.pdf"));
        QVERIFY(Dossier::writePdf(*data, pdf));
        QVERIFY(pdfText(pdf).contains(QStringLiteral("Audit chain BROKEN at event 2")));
        QVERIFY(!DossierStore(db, dir.path()).load(999999, 0));
    }

    void cliWritesTheDossier()
    {
        const CaseId id = ladderCase();
        const QString pdf = m_dir.filePath(QStringLiteral("cli.pdf"));
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QStringLiteral(CITYOPS_CLI_BIN),
                {QStringLiteral("--data"), m_dir.path(), QStringLiteral("case"),
                 QStringLiteral("dossier"), QString::number(id), QStringLiteral("--out"), pdf});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QString text = pdfText(pdf);
        QVERIFY(text.contains(QStringLiteral("Audit chain intact")));
        QVERIFY(text.contains(QStringLiteral("case %1").arg(id)));
        // Usage errors: exit 2; an unknown case: exit 1.
        p.start(QStringLiteral(CITYOPS_CLI_BIN),
                {QStringLiteral("--data"), m_dir.path(), QStringLiteral("case"),
                 QStringLiteral("dossier"), QString::number(id)});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        p.start(QStringLiteral(CITYOPS_CLI_BIN),
                {QStringLiteral("--data"), m_dir.path(), QStringLiteral("case"),
                 QStringLiteral("dossier"), QStringLiteral("99999999"), QStringLiteral("--out"),
                 pdf});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
    }
};

QTEST_MAIN(TestDossier)
#include "tst_dossier.moc"
