// cityops-cli as a script would use it: case new/do/show and audit verify, with exit codes.
#include "testsupport.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace cityops;

class TestCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_photo;
    QString m_text;

    struct Run
    {
        int code;
        QString out;
        QString err;
    };
    Run cli(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral(CITYOPS_CLI_BIN),
                QStringList{QStringLiteral("--data"), m_dir.path()} + args);
        if (!p.waitForFinished(60000))
            return {-1, {}, {}};
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()).trimmed(),
                QString::fromUtf8(p.readAllStandardError()).trimmed()};
    }
    Run act(const char *user, const QStringList &args)
    {
        return cli(QStringList{QStringLiteral("--user"), QLatin1String(user),
                               QStringLiteral("case"), QStringLiteral("do")} +
                   args);
    }

private slots:
    void initTestCase()
    {
        test::makeDemo(m_dir.path(), 200, 9);
        QImage img(64, 48, QImage::Format_RGB32);
        img.fill(Qt::darkCyan);
        m_photo = m_dir.filePath(QStringLiteral("camera.png"));
        QVERIFY(img.save(m_photo));
        m_text = m_dir.filePath(QStringLiteral("memo.txt"));
        QFile f(m_text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("memo");
    }

    void ladderWalkThroughTheCli()
    {
        const Run created =
            cli({QStringLiteral("--user"), QStringLiteral("operator1"), QStringLiteral("case"),
                 QStringLiteral("new"), QStringLiteral("--category"), QStringLiteral("E0401"),
                 QStringLiteral("--lon"), QStringLiteral("121.47"), QStringLiteral("--lat"),
                 QStringLiteral("31.25"), QStringLiteral("--desc"), QStringLiteral("流动摊贩占道"),
                 QStringLiteral("--evidence"), m_photo});
        QCOMPARE(created.code, 0);
        const QString id = created.out;
        QVERIFY(id.toLongLong() > 200);

        Run r = act("operator1", {id, QStringLiteral("register")});
        QCOMPARE(r.code, 3);
        QVERIFY(r.err.contains(QLatin1String("filing condition")));
        QCOMPARE(
            act("operator1", {id, QStringLiteral("register"), QStringLiteral("--confirm")}).code,
            0);
        r = act("dispatcher1",
                {id, QStringLiteral("notice"), QStringLiteral("--evidence"), m_text});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QLatin1String("not a photo")));
        QCOMPARE(act("dispatcher1",
                     {id, QStringLiteral("notice"), QStringLiteral("--evidence"), m_photo})
                     .code,
                 0);
        QCOMPARE(act("field1", {id, QStringLiteral("recheck-uncorrected"),
                                QStringLiteral("--evidence"), m_photo})
                     .code,
                 0);
        QCOMPARE(act("dispatcher1", {id, QStringLiteral("escalate-request"),
                                     QStringLiteral("--reason"), QStringLiteral("逾期未整改")})
                     .code,
                 0);
        r = act("dispatcher1", {id, QStringLiteral("escalate-approve")});
        QCOMPARE(r.code, 3);
        QVERIFY(r.err.contains(QLatin1String("Dispatcher")));
        QCOMPARE(act("supervisor1", {id, QStringLiteral("escalate-approve")}).code, 0);
        QCOMPARE(act("dispatcher1", {id, QStringLiteral("dispatch"), QStringLiteral("--to"),
                                     QStringLiteral("ENF-01-01")})
                     .code,
                 3); // stage 2 is for grid workers and volunteers
        r = act("dispatcher1",
                {id, QStringLiteral("dispatch"), QStringLiteral("--to"), QStringLiteral("nobody")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QLatin1String("nobody")));

        const Run shown =
            cli({QStringLiteral("case"), QStringLiteral("show"), id, QStringLiteral("--json")});
        QCOMPARE(shown.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(shown.out.toUtf8()).object();
        QCOMPARE(o.value(QLatin1String("state")).toString(), QStringLiteral("registered"));
        QCOMPARE(o.value(QLatin1String("stage")).toInt(), 2);
        QCOMPARE(o.value(QLatin1String("timeline")).toArray().size(), 6);
        QCOMPARE(o.value(QLatin1String("stages"))
                     .toArray()
                     .last()
                     .toObject()
                     .value(QLatin1String("approver"))
                     .toString(),
                 QStringLiteral("supervisor1"));
        QVERIFY(!o.value(QLatin1String("deadline_at")).toString().isEmpty());
        const Run text = cli({QStringLiteral("case"), QStringLiteral("show"), id});
        QVERIFY(text.out.contains(QLatin1String("escalate")) ||
                text.out.contains(QLatin1String("Escalation")));
        QCOMPARE(cli({QStringLiteral("audit"), QStringLiteral("verify")}).code, 0);
    }

    void helpListsTheActions()
    {
        const Run r = cli({QStringLiteral("case"), QStringLiteral("do"), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        for (const char *a :
             {"register", "dispatch", "notice", "recheck-corrected", "recheck-uncorrected",
              "escalate-request", "escalate-approve", "escalate-reject", "feedback", "verify-pass",
              "verify-fail", "close", "extend-request", "extend-approve", "shelve", "reopen"})
            QVERIFY2(r.out.contains(QLatin1String(a)), a);
    }

    void badInputIsNamed_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mention");
        QTest::newRow("no user") << QStringList{"case", "do", "1", "close"} << 2 << "--user";
        QTest::newRow("unknown user")
            << QStringList{"--user", "ghost", "case", "do", "1", "close"} << 1 << "ghost";
        QTest::newRow("unknown action")
            << QStringList{"--user", "operator1", "case", "do", "1", "explode"} << 2 << "explode";
        QTest::newRow("no such case")
            << QStringList{"--user", "operator1", "case", "do", "99999", "close"} << 1 << "99999";
        QTest::newRow("unknown category")
            << QStringList{"--user", "operator1", "case",  "new",  "--category", "X9999",
                           "--lon",  "121.4",     "--lat", "31.2", "--desc",     "d"}
            << 1 << "X9999";
        QTest::newRow("auditor cannot report")
            << QStringList{"--user", "auditor1", "case",  "new",  "--category", "E0101",
                           "--lon",  "121.4",    "--lat", "31.2", "--desc",     "d"}
            << 3 << "Auditor";
    }
    void badInputIsNamed()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, mention);
        const Run r = cli(args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(mention), qPrintable(r.err));
    }

    void auditVerifyNamesATamperedEvent()
    {
        QTemporaryDir dir;
        test::makeDemo(dir.path(), 30, 4);
        {
            auto db = *Database::openDir(dir.path());
            QVERIFY(db->exec("DROP TRIGGER case_events_no_update"));
            QVERIFY(db->exec(
                "UPDATE case_events SET actor = 'mallory' WHERE case_id = 17 AND seq = 2"));
        }
        QProcess p;
        p.start(QStringLiteral(CITYOPS_CLI_BIN),
                {QStringLiteral("--data"), dir.path(), QStringLiteral("audit"),
                 QStringLiteral("verify")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 4);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(QLatin1String("case 17, event 2")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
