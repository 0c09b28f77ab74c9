// cityops-cli as a script would use it: case new/do/show and audit verify, with exit codes.
#include "testsupport.h"

#include <QDateTime>
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

    /**
     * demo generate anchors the district at the current hour unless --anchor says otherwise, so a
     * new user's open cases are not all overdue; a bad --anchor is a usage error naming it.
     */
    void demoGenerateAnchorsAtTheCurrentHour()
    {
        QTemporaryDir dir;
        const auto generate = [&](const QString &name, const QStringList &extra) {
            return cli(QStringList{QStringLiteral("demo"), QStringLiteral("generate"),
                                   QStringLiteral("--cases"), QStringLiteral("5"),
                                   QStringLiteral("--out"), dir.filePath(name)} +
                       extra);
        };
        const auto anchorOf = [&](const QString &name) {
            auto db = Database::openDir(dir.filePath(name));
            if (!db)
                return qint64(-1);
            QSqlQuery q((*db)->sql());
            if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'demo_anchor'")) ||
                !q.next())
                return qint64(-1);
            return q.value(0).toLongLong();
        };
        constexpr qint64 kHourMs = 3600 * 1000;
        const qint64 before = DemoOptions::floorToHour(QDateTime::currentMSecsSinceEpoch());
        const Run now = generate(QStringLiteral("now"), {});
        const qint64 after = DemoOptions::floorToHour(QDateTime::currentMSecsSinceEpoch());
        QVERIFY2(now.code == 0, qPrintable(now.err));
        const qint64 anchor = anchorOf(QStringLiteral("now"));
        QVERIFY2(
            anchor == before || anchor == after, // an hour may turn during the run
            qPrintable(QStringLiteral("%1 not in [%2, %3]").arg(anchor).arg(before).arg(after)));
        QCOMPARE(anchor % kHourMs, 0);

        const Run fixed =
            generate(QStringLiteral("fixed"),
                     {QStringLiteral("--anchor"), QStringLiteral("2026-11-27T18:00+08:00")});
        QVERIFY2(fixed.code == 0, qPrintable(fixed.err));
        QCOMPARE(anchorOf(QStringLiteral("fixed")), DemoOptions::kDefaultAnchorMs);

        const Run bad = generate(QStringLiteral("bad"),
                                 {QStringLiteral("--anchor"), QStringLiteral("next tuesday")});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains(QLatin1String("\"next tuesday\"")), qPrintable(bad.err));
        QVERIFY(!QFile::exists(Database::pathInDir(dir.filePath(QStringLiteral("bad")))));
    }

    // Soft before hard: the CLI cannot send 城管 to a ladder case before stage 3 (issue 17).
    void ladderCaseIsNotDispatchedToEnforcementEarly()
    {
        const Run created =
            cli({QStringLiteral("--user"), QStringLiteral("operator1"), QStringLiteral("case"),
                 QStringLiteral("new"), QStringLiteral("--category"), QStringLiteral("E0401"),
                 QStringLiteral("--lon"), QStringLiteral("121.43"), QStringLiteral("--lat"),
                 QStringLiteral("31.21"), QStringLiteral("--desc"), QStringLiteral("占道经营")});
        QCOMPARE(created.code, 0);
        QCOMPARE(
            act("operator1", {created.out, QStringLiteral("register"), QStringLiteral("--confirm")})
                .code,
            0);
        const Run r = act("dispatcher1", {created.out, QStringLiteral("dispatch"),
                                          QStringLiteral("--to"), QStringLiteral("ENF-01-01")});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains(QLatin1String("stage 3")), qPrintable(r.err));
    }

    void bulkActionOverIdsAndQueries()
    {
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            const Run created =
                cli({QStringLiteral("--user"), QStringLiteral("operator1"), QStringLiteral("case"),
                     QStringLiteral("new"), QStringLiteral("--category"), QStringLiteral("E0101"),
                     QStringLiteral("--lon"), QString::number(121.44 + i * 0.01),
                     QStringLiteral("--lat"), QStringLiteral("31.22"), QStringLiteral("--desc"),
                     QStringLiteral("批量 %1").arg(i)});
            QCOMPARE(created.code, 0);
            ids << created.out;
        }
        QCOMPARE(
            act("operator1", {ids.at(1), QStringLiteral("register"), QStringLiteral("--confirm")})
                .code,
            0);
        auto bulk = [this](const QStringList &args) {
            return cli(QStringList{QStringLiteral("--user"), QStringLiteral("dispatcher1"),
                                   QStringLiteral("case"), QStringLiteral("bulk")} +
                       args);
        };
        // Without --confirm, register is a usage error; nothing changes.
        QCOMPARE(bulk({QStringLiteral("register"), QStringLiteral("--ids"), ids.join(u',')}).code,
                 2);
        // One line per case not changed, a summary, exit 3.
        Run r = bulk({QStringLiteral("register"), QStringLiteral("--confirm"),
                      QStringLiteral("--ids"), ids.join(u',')});
        QCOMPARE(r.code, 3);
        QCOMPARE(r.err.split(u'\n').size(), 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("case %1:").arg(ids.at(1))), qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("2 of 3")), qPrintable(r.out));
        // The whole intake queue by query: every case applies, exit 0, and then it is empty.
        QVERIFY(cli({QStringLiteral("info")}).code == 0);
        r = bulk({QStringLiteral("register"), QStringLiteral("--confirm"),
                  QStringLiteral("--query"), QStringLiteral("queue=intake")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        r = bulk({QStringLiteral("register"), QStringLiteral("--confirm"),
                  QStringLiteral("--query"), QStringLiteral("queue=intake")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QLatin1String("No cases")), qPrintable(r.out));
        // Bad input is named.
        r = bulk(
            {QStringLiteral("close"), QStringLiteral("--query"), QStringLiteral("queue=nope")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QLatin1String("nope")));
        r = bulk({QStringLiteral("close"), QStringLiteral("--ids"), QStringLiteral("1,x")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QLatin1String("\"x\"")));
        QCOMPARE(bulk({QStringLiteral("dispatch"), QStringLiteral("--ids"), ids.at(0)}).code, 2);
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
