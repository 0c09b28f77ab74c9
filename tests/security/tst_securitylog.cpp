// The security log (issue 18) against a real platform: sign-ins and refusals leave lines with kind,
// user and address; a successful sign-in deletes nothing; only auditors read it (others get a
// 403 that is itself logged); the chain verifies; the database refuses UPDATE and DELETE; the
// retention purge keeps the chain verifiable; a flood leaves a bounded number of lines; and
// cityops-cli security-log prints it.
#include "platformtest.h"

#include "sync/securitylog.h"

#include <QSqlDatabase>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace cityops;
using namespace cityops::test;

class TestSecurityLog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<PlatformProcess> m_platform;
    std::unique_ptr<Client> m_auditor;

    static QStringList demoArgs()
    {
        return {QStringLiteral("--seed-demo"),
                QStringLiteral("--anchor"),
                QStringLiteral("2026-11-27T18:00+08:00"),
                QStringLiteral("--cases"),
                QStringLiteral("0"),
                QStringLiteral("--trusted-proxy"),
                QStringLiteral("127.0.0.1/32")};
    }

    /** A request as a client at `address` (through the trusted proxy 127.0.0.1). */
    static Answer from(Client &c, const QByteArray &address, const QByteArray &method,
                       const QString &path, const QByteArray &body = {})
    {
        return c.request(method, path, body, {{"X-Forwarded-For", address}});
    }

    /** The log as the auditor reads it (query without the leading '?'). */
    sync::SecurityLogPage log(const QString &query = {})
    {
        const Answer a = m_auditor->get(QStringLiteral("/api/v1/security-log?") + query);
        [&] {
            QCOMPARE(a.status, 200);
        }();
        auto page = sync::decodeSecurityLog(a.body);
        [&] {
            QVERIFY2(page, qPrintable(why(page)));
        }();
        return page ? *page : sync::SecurityLogPage{};
    }

    static const sync::SecurityLogEntry *find(const sync::SecurityLogPage &p, const QString &kind,
                                              const QString &user, const QString &address = {})
    {
        for (const auto &e : p.entries) {
            if (e.kind == kind && e.user == user && (address.isEmpty() || e.address == address))
                return &e;
        }
        return nullptr;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_platform = std::make_unique<PlatformProcess>();
        QVERIFY2(m_platform->start(m_dir.filePath(QStringLiteral("platform")), demoArgs()),
                 m_platform->output().constData());
        m_auditor = std::make_unique<Client>(m_platform->url());
        QCOMPARE(m_auditor->login(QStringLiteral("auditor1")).status, 200);
    }

    void cleanupTestCase() { QCOMPARE(m_platform->stop(), 0); }

    /** A wrong password, then the right one: both logged, the failure kept. */
    void signInsAreLoggedAndKept()
    {
        Client c(m_platform->url());
        const QByteArray address = "198.51.100.7";
        QCOMPARE(from(c, address, "POST", QStringLiteral("/api/v1/session"),
                      sync::encodeLogin({QStringLiteral("operator1"), QStringLiteral("wrong")}))
                     .status,
                 401);
        QCOMPARE(from(c, address, "POST", QStringLiteral("/api/v1/session"),
                      sync::encodeLogin({QStringLiteral("operator1"), QStringLiteral("demo")}))
                     .status,
                 200);
        const auto page = log(QStringLiteral("user=operator1"));
        const auto *failed = find(page, QStringLiteral("signin.failed"),
                                  QStringLiteral("operator1"), QString::fromLatin1(address));
        QVERIFY2(failed, page.entries.isEmpty() ? "empty" : qPrintable(page.entries[0].kind));
        QVERIFY(failed->at > 0);
        QVERIFY(find(page, QStringLiteral("signin.ok"), QStringLiteral("operator1"),
                     QString::fromLatin1(address)));
        // Newest first: the success came after the failure.
        QVERIFY(page.entries.first().id > failed->id);
    }

    /** A command the actor's role may not run: command.refused with user, address and reason. */
    void refusedCommandIsLogged()
    {
        Client field(m_platform->url());
        QCOMPARE(field.login(QStringLiteral("auditor1")).status, 200);
        const sync::ClientCommand rep = report(QStringLiteral("F0101"), QStringLiteral("test"));
        const QByteArray body = sync::encodeCommands({rep});
        const Answer a = field.request("POST", QStringLiteral("/api/v1/commands"), body,
                                       {{"X-Forwarded-For", "203.0.113.5"}});
        QCOMPARE(a.status, 200);
        const auto results = sync::decodeResults(a.body);
        QVERIFY(results && results->size() == 1);
        QCOMPARE(results->first().status, sync::CommandStatus::Rejected);
        QCOMPARE(results->first().code, QStringLiteral("role"));
        const auto page = log(QStringLiteral("kind=command.refused&address=203.0.113.5"));
        QCOMPARE(page.entries.size(), 1);
        QCOMPARE(page.entries[0].user, QStringLiteral("auditor1"));
        QVERIFY2(page.entries[0].detail.contains(QLatin1String("report")),
                 qPrintable(page.entries[0].detail));
        QVERIFY(page.entries[0].detail.contains(QLatin1String("(role)")));
    }

    /** Non-auditors get 403 (logged as access.refused), strangers 401 (auth.refused). */
    void onlyAuditorsReadTheLog()
    {
        Client op(m_platform->url());
        QCOMPARE(op.login(QStringLiteral("supervisor1")).status, 200);
        for (const QString &path : {QStringLiteral("/api/v1/security-log"),
                                    QStringLiteral("/api/v1/security-log/verify")}) {
            const Answer a = from(op, "192.0.2.44", "GET", path);
            QCOMPARE(a.status, 403);
            QCOMPARE(a.errorCode(), QStringLiteral("forbidden"));
            QVERIFY(!a.body.contains("signin"));
        }
        Client stranger(m_platform->url());
        QCOMPARE(from(stranger, "192.0.2.45", "GET", QStringLiteral("/api/v1/security-log")).status,
                 401);
        auto page = log(QStringLiteral("kind=access.refused&user=supervisor1"));
        QCOMPARE(page.entries.size(), 2);
        QCOMPARE(page.entries[0].address, QStringLiteral("192.0.2.44"));
        QVERIFY(page.entries[0].detail.contains(QLatin1String("/api/v1/security-log")));
        page = log(QStringLiteral("kind=auth&address=192.0.2.45"));
        QCOMPARE(page.entries.size(), 1);
        QCOMPARE(page.entries[0].kind, QStringLiteral("auth.refused"));
    }

    /** A body that is not a command batch: request.invalid. */
    void decodingErrorsAreLogged()
    {
        Client op(m_platform->url());
        QCOMPARE(op.login(QStringLiteral("operator1")).status, 200);
        const Answer a =
            from(op, "192.0.2.60", "POST", QStringLiteral("/api/v1/commands"), "{\"commands\": [");
        QCOMPARE(a.status, 400);
        const auto page = log(QStringLiteral("kind=request.invalid&address=192.0.2.60"));
        QCOMPARE(page.entries.size(), 1);
        QCOMPARE(page.entries[0].user, QStringLiteral("operator1"));
    }

    void filtersAndPaging()
    {
        QCOMPARE(m_auditor->get(QStringLiteral("/api/v1/security-log?from=yesterday")).status, 400);
        QCOMPARE(m_auditor->get(QStringLiteral("/api/v1/security-log?limit=0")).status, 400);
        const auto all = log(QStringLiteral("limit=5000"));
        QVERIFY(all.entries.size() >= 6);
        QCOMPARE(all.next, 0);
        for (const auto &e : log(QStringLiteral("kind=signin")).entries)
            QVERIFY2(e.kind.startsWith(QLatin1String("signin.")), qPrintable(e.kind));
        QVERIFY(log(QStringLiteral("address=10.9.9.9")).entries.isEmpty());
        // Time range: ISO 8601 and milliseconds.
        const qint64 newest = all.entries.first().at;
        QVERIFY(log(QStringLiteral("from=%1").arg(newest + 60000)).entries.isEmpty());
        const QString iso =
            QDateTime::fromMSecsSinceEpoch(newest + 60000, Qt::UTC).toString(Qt::ISODate); // "…Z"
        QCOMPARE(log(QStringLiteral("to=") + iso).entries.size(), all.entries.size());
        QVERIFY(log(QStringLiteral("from=") + iso).entries.isEmpty());
        // Newest first in pages of two, and by id (oldest first) after a line.
        QList<qint64> ids;
        qint64 before = 0;
        for (int guard = 0; guard < 1000; ++guard) {
            const auto page = log(QStringLiteral("limit=2&before=%1").arg(before));
            for (const auto &e : page.entries)
                ids << e.id;
            if (!page.next)
                break;
            before = page.next;
        }
        QCOMPARE(ids.size(), all.entries.size());
        for (qsizetype i = 1; i < ids.size(); ++i)
            QVERIFY(ids[i] < ids[i - 1]);
        const auto after = log(QStringLiteral("after=%1&limit=3").arg(ids.last()));
        QCOMPARE(after.entries.size(), 3);
        QVERIFY(after.entries[0].id > ids.last() && after.entries[1].id > after.entries[0].id);
    }

    void chainVerifies()
    {
        const Answer a = m_auditor->get(QStringLiteral("/api/v1/security-log/verify"));
        QCOMPARE(a.status, 200);
        const auto v = sync::decodeVerification(a.body);
        QVERIFY(v);
        QVERIFY2(v->ok, qPrintable(v->message));
        QVERIFY(v->lines >= 6);
        QVERIFY(log().chain.ok);
        // Every line continues the one before it.
        const auto all = log(QStringLiteral("after=0&limit=5000"));
        for (qsizetype i = 1; i < all.entries.size(); ++i)
            QCOMPARE(all.entries[i].prevHash, all.entries[i - 1].hash);
    }

    void cliPrintsTheLog()
    {
        QTemporaryDir cache;
        const QString url = m_platform->url().toString();
        const QStringList base{QStringLiteral("--data"),     cache.path(),
                               QStringLiteral("--platform"), url,
                               QStringLiteral("--lang"),     QStringLiteral("en")};
        Run r = runProgram(QStringLiteral(CITYOPS_CLI_BIN),
                           base + QStringList{QStringLiteral("login"), QStringLiteral("--user"),
                                              QStringLiteral("auditor1"),
                                              QStringLiteral("--password-stdin")},
                           "demo\n");
        QVERIFY2(r.rc == 0, qPrintable(r.err));
        r = runProgram(QStringLiteral(CITYOPS_CLI_BIN),
                       base + QStringList{QStringLiteral("security-log"), QStringLiteral("--kind"),
                                          QStringLiteral("signin.failed"), QStringLiteral("--user"),
                                          QStringLiteral("operator1")});
        QVERIFY2(r.rc == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("signin.failed")) &&
                     r.out.contains(QLatin1String("198.51.100.7")),
                 qPrintable(r.out));
        QVERIFY(!r.out.contains(QLatin1String("signin.ok")));
        r = runProgram(QStringLiteral(CITYOPS_CLI_BIN),
                       base + QStringList{QStringLiteral("security-log"), QStringLiteral("--json"),
                                          QStringLiteral("--address"),
                                          QStringLiteral("198.51.100.7"), QStringLiteral("--limit"),
                                          QStringLiteral("1")});
        QVERIFY2(r.rc == 0, qPrintable(r.err));
        const auto page = sync::decodeSecurityLog(r.out.toUtf8());
        QVERIFY2(page, qPrintable(r.out));
        QCOMPARE(page->entries.size(), 1);
        QCOMPARE(page->entries[0].address, QStringLiteral("198.51.100.7"));
        r = runProgram(QStringLiteral(CITYOPS_CLI_BIN),
                       base + QStringList{QStringLiteral("security-log"), QStringLiteral("--from"),
                                          QStringLiteral("not-a-time")});
        QCOMPARE(r.rc, 2);
        // A non-auditor is refused (and the refusal is itself logged).
        r = runProgram(QStringLiteral(CITYOPS_CLI_BIN),
                       base + QStringList{QStringLiteral("login"), QStringLiteral("--user"),
                                          QStringLiteral("operator1"),
                                          QStringLiteral("--password-stdin")},
                       "demo\n");
        QVERIFY2(r.rc == 0, qPrintable(r.err));
        r = runProgram(QStringLiteral(CITYOPS_CLI_BIN),
                       base + QStringList{QStringLiteral("security-log")});
        QCOMPARE(r.rc, 1);
        QVERIFY2(r.err.contains(QLatin1String("auditor")), qPrintable(r.err));
    }

    /** Identical refusals coalesce; distinct ones are rate-limited per address. */
    void aFloodLeavesBoundedLines()
    {
        Client op(m_platform->url());
        QCOMPARE(op.login(QStringLiteral("dispatcher1")).status, 200);
        const int before = int(log(QStringLiteral("limit=5000")).entries.size());
        // Half identical (coalesced into counts), half each different (rate-limited).
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 400; ++i) {
            QList<QPair<QByteArray, QByteArray>> headers{{"X-Forwarded-For", "192.0.2.99"}};
            if (i % 2)
                headers.append({"Content-Type", "text/x-flood-" + QByteArray::number(i)});
            replies << op.send("POST", QStringLiteral("/api/v1/commands"), "{", headers);
        }
        int refused = 0;
        for (QNetworkReply *r : std::as_const(replies)) {
            const int status = Client::wait(r).status;
            refused += status == 400 || status == 415;
        }
        QCOMPARE(refused, 400);
        const auto page = log(QStringLiteral("address=192.0.2.99&limit=5000"));
        // At most 60 lines an address a minute (coalesced counts included); the rest is counted
        // in one log.suppressed line when the minute ends.
        QVERIFY2(page.entries.size() <= 61, qPrintable(QString::number(page.entries.size())));
        const int after = int(log(QStringLiteral("limit=5000")).entries.size());
        QVERIFY(after - before <= 61);
        int counted = 0;
        for (const auto &e : page.entries)
            counted += e.count;
        QVERIFY2(counted >= 60,
                 qPrintable(QStringLiteral("%1 lines, %2 counted, first: %3 %4")
                                .arg(page.entries.size())
                                .arg(counted)
                                .arg(page.entries.value(0).kind, page.entries.value(0).detail)));
        QVERIFY(log().chain.ok);
    }

    /** The database itself refuses to change or delete a line; a forced edit breaks the chain. */
    void tamperingIsRefused()
    {
        // Straight at the file, as a local user with write access would.
        const QString connection = QStringLiteral("tamper");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(m_platform->databasePath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(
                !q.exec(QStringLiteral("UPDATE security_log SET user = 'nobody' WHERE id = 1")));
            QVERIFY2(q.lastError().text().contains(QLatin1String("append-only")),
                     qPrintable(q.lastError().text()));
            QVERIFY(!q.exec(QStringLiteral("DELETE FROM security_log WHERE id = 1")));
            QVERIFY(!q.exec(QStringLiteral("DELETE FROM security_log")));
            QVERIFY(!q.exec(
                QStringLiteral("UPDATE security_log_anchor SET last_id = 1, hash = zeroblob(32)")));
            QVERIFY(!q.exec(QStringLiteral("DELETE FROM security_log_anchor")));
            // Inserting a line that does not continue the chain is refused too.
            QVERIFY(!q.exec(
                QStringLiteral("INSERT INTO security_log (id, at, kind, prev_hash, hash) VALUES "
                               "((SELECT max(id) + 1 FROM security_log), 0, 'forged', "
                               "zeroblob(32), zeroblob(32))")));
            QCOMPARE(column(m_platform->databasePath(),
                            QStringLiteral("SELECT count(*) FROM security_log WHERE id = 1")),
                     QStringList{QStringLiteral("1")});
            // Someone who drops the trigger can edit, but the chain tells.
            QVERIFY(q.exec(QStringLiteral("DROP TRIGGER security_log_no_update")));
            QVERIFY(q.exec(QStringLiteral("UPDATE security_log SET user = 'nobody' WHERE id = 2")));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        const auto v = sync::decodeVerification(
            m_auditor->get(QStringLiteral("/api/v1/security-log/verify")).body);
        QVERIFY(v);
        QVERIFY(!v->ok);
        QCOMPARE(v->firstBad, 2);
        QVERIFY(!log().chain.ok);
    }

    /** Lines older than the retention go at start-up and hourly; what is left still verifies. */
    void retentionKeepsTheChainVerifiable()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("platform"));
        // Lines written "400 days ago" (a frozen platform clock), then a restart with today's.
        const qint64 old = QDateTime::currentMSecsSinceEpoch() - 400 * 24 * 3600 * 1000LL;
        qputenv("CITYOPS_PLATFORM_CLOCK_MS", QByteArray::number(old));
        auto p = std::make_unique<PlatformProcess>();
        const bool started = p->start(data, demoArgs());
        qunsetenv("CITYOPS_PLATFORM_CLOCK_MS");
        QVERIFY2(started, p->output().constData());
        {
            Client c(p->url());
            for (int i = 0; i < 3; ++i)
                QCOMPARE(from(c, QByteArray("198.51.100.") + QByteArray::number(20 + i), "POST",
                              QStringLiteral("/api/v1/session"),
                              sync::encodeLogin({QStringLiteral("field1"), QStringLiteral("x")}))
                             .status,
                         401);
        }
        QCOMPARE(p->stop(), 0);
        QCOMPARE(column(PlatformStore::pathInDir(data),
                        QStringLiteral("SELECT count(*) FROM security_log WHERE kind = "
                                       "'signin.failed'")),
                 QStringList{QStringLiteral("3")});

        p = std::make_unique<PlatformProcess>();
        QVERIFY(p->start(data, {QStringLiteral("--trusted-proxy"), QStringLiteral("127.0.0.1/32"),
                                QStringLiteral("--security-log-days"), QStringLiteral("30")}));
        Client auditor(p->url());
        QCOMPARE(auditor.login(QStringLiteral("auditor1")).status, 200);
        Answer a = auditor.get(QStringLiteral("/api/v1/security-log?kind=signin.failed"));
        QCOMPARE(a.status, 200);
        auto page = sync::decodeSecurityLog(a.body);
        QVERIFY(page);
        QVERIFY(page->entries.isEmpty()); // purged
        QVERIFY2(page->chain.ok, qPrintable(page->chain.message));
        QVERIFY(page->chain.anchorId >= 3);
        // New lines continue from the anchor and verify.
        Client c(p->url());
        QCOMPARE(c.login(QStringLiteral("field1"), QStringLiteral("wrong")).status, 401);
        a = auditor.get(QStringLiteral("/api/v1/security-log/verify"));
        const auto v = sync::decodeVerification(a.body);
        QVERIFY(v && v->ok && v->lines >= 2);
        QCOMPARE(p->stop(), 0);
        QCOMPARE(
            column(
                PlatformStore::pathInDir(data),
                QStringLiteral("SELECT count(*) FROM security_log WHERE at < %1").arg(old + 1000)),
            QStringList{QStringLiteral("0")});
    }
};

QTEST_GUILESS_MAIN(TestSecurityLog)
#include "tst_securitylog.moc"
