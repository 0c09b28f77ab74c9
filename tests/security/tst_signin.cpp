// Sign-in throttling against a real platform behind a trusted proxy (issue 18, findings 2 and 3):
// X-Forwarded-For believed only from --trusted-proxy peers, per-address hard windows, per-user
// progressive delays, attempts reserved before hashing; and the CIDR / X-Forwarded-For parsing.
#include "platformtest.h"
#include "trustedproxies.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

using namespace cityops;
using namespace cityops::platform;
using namespace cityops::test;

class TestSignIn : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<PlatformProcess> m_platform;

    /** Signs in as `user` for a client at `address` (through the trusted proxy 127.0.0.1). */
    Answer signIn(const QString &user, const QString &password, const QByteArray &address)
    {
        Client c(m_platform->url());
        return c.request("POST", QStringLiteral("/api/v1/session"),
                         sync::encodeLogin({user, password}), {{"X-Forwarded-For", address}});
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_platform = std::make_unique<PlatformProcess>();
        QVERIFY2(
            m_platform->start(m_dir.path(),
                              {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                               QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--cases"),
                               QStringLiteral("0"), QStringLiteral("--trusted-proxy"),
                               QStringLiteral("127.0.0.1/32")}),
            m_platform->output().constData());
    }

    void cleanupTestCase() { QCOMPARE(m_platform->stop(), 0); }

    void refusesBadTrustedProxy()
    {
        QProcess p;
        p.start(QStringLiteral(CITYOPS_PLATFORM_BIN),
                {QStringLiteral("--data"), m_dir.path(), QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0"), QStringLiteral("--trusted-proxy"),
                 QStringLiteral("10.0.0.0/33")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("10.0.0.0/33"));
    }

    /** Twenty failures from one forwarded address close that address; another is unaffected. */
    void forwardedAddressThrottledAlone()
    {
        const QByteArray attacker = "198.51.100.1";
        const QStringList users{QStringLiteral("operator1"), QStringLiteral("dispatcher1"),
                                QStringLiteral("supervisor1"), QStringLiteral("field1")};
        for (const QString &user : users) {
            for (int i = 0; i < 5; ++i) {
                const Answer a = signIn(user, QStringLiteral("guess-%1").arg(i), attacker);
                QCOMPARE(a.status, 401);
            }
        }
        const Answer locked = signIn(QStringLiteral("enforcer1"), QStringLiteral("demo"), attacker);
        QCOMPARE(locked.status, 429);
        QCOMPARE(locked.errorCode(), QStringLiteral("throttled"));
        const int retry = locked.header("Retry-After").toInt();
        QVERIFY2(retry > 800 && retry <= 900, locked.header("Retry-After").constData());
        // Another client behind the same proxy signs in at once.
        const Answer other =
            signIn(QStringLiteral("enforcer1"), QStringLiteral("demo"), "198.51.100.2");
        QCOMPARE(other.status, 200);
        // So does the proxy itself, and a client whose forwarded chain it cannot read.
        Client direct(m_platform->url());
        QCOMPARE(direct.login(QStringLiteral("enforcer1")).status, 200);
        QCOMPARE(signIn(QStringLiteral("enforcer1"), QStringLiteral("demo"), "unknown").status,
                 200);
        // The attacker cannot step around the window by prepending a spoofed hop: the right-most
        // untrusted address is the one the proxy saw.
        QCOMPARE(
            signIn(QStringLiteral("enforcer1"), QStringLiteral("demo"), "203.0.113.9, " + attacker)
                .status,
            429);
    }

    /** IPv6 clients are counted by /64: rotating addresses inside one does not help. */
    void ipv6CountedBySlash64()
    {
        for (int i = 0; i < 20; ++i) {
            const QByteArray address = "2001:db8:7:7::" + QByteArray::number(i + 1, 16);
            QCOMPARE(signIn(QStringLiteral("ghost-%1").arg(i / 5), QStringLiteral("guess"), address)
                         .status,
                     401);
        }
        const Answer same =
            signIn(QStringLiteral("enforcer1"), QStringLiteral("demo"), "2001:db8:7:7:ffff::99");
        QCOMPARE(same.status, 429);
        QVERIFY(same.header("Retry-After").toInt() > 800);
        QCOMPARE(
            signIn(QStringLiteral("enforcer1"), QStringLiteral("demo"), "[2001:db8:7:8::1]:50000")
                .status,
            200);
    }

    /** The per-user limit delays, doubling, instead of locking; a right password then works. */
    void progressiveDelay()
    {
        const QString user = QStringLiteral("auditor1");
        const QByteArray attacker = "198.51.100.20";
        for (int i = 0; i < 5; ++i)
            QCOMPARE(signIn(user, QStringLiteral("guess-%1").arg(i), attacker).status, 401);
        Answer a = signIn(user, QStringLiteral("guess"), attacker);
        QCOMPARE(a.status, 429);
        QCOMPARE(a.header("Retry-After").toInt(), 1);
        QThread::msleep(1100);
        QCOMPARE(signIn(user, QStringLiteral("guess-6"), attacker).status, 401);
        a = signIn(user, QStringLiteral("guess"), attacker);
        QCOMPARE(a.status, 429);
        QCOMPARE(a.header("Retry-After").toInt(), 2); // grown
        // The right password from an address without failures waits no longer than the delay.
        const QByteArray owner = "192.0.2.44";
        a = signIn(user, QStringLiteral("demo"), owner);
        QCOMPARE(a.status, 429);
        QVERIFY2(a.header("Retry-After").toInt() <= 2, a.header("Retry-After").constData());
        QThread::msleep(2100);
        a = signIn(user, QStringLiteral("demo"), owner);
        QCOMPARE(a.status, 200);
        // Success resets the user's counter: the next mistake is an ordinary 401.
        QCOMPARE(signIn(user, QStringLiteral("typo"), owner).status, 401);
        a = signIn(user, QStringLiteral("demo"), owner);
        QCOMPARE(a.status, 200);

        // The security log names the forwarded client address of each throttled attempt.
        Client auditor(m_platform->url());
        auditor.setToken(a.object().value(QLatin1String("token")).toString().toLatin1());
        const Answer log =
            auditor.get(QStringLiteral("/api/v1/security-log?user=auditor1&kind=signin.throttled"));
        QCOMPARE(log.status, 200);
        QVERIFY2(log.body.contains("\"198.51.100.20\"") && log.body.contains("\"192.0.2.44\""),
                 log.body.left(2000).constData());
    }

    /** Parallel attempts are reserved before hashing: at most two are hashed at once. */
    void parallelAttemptsReserved()
    {
        Client c(m_platform->url());
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 12; ++i)
            replies << c.send("POST", QStringLiteral("/api/v1/session"),
                              sync::encodeLogin({QStringLiteral("ghost-user"),
                                                 QStringLiteral("guess-%1").arg(i)}),
                              {{"X-Forwarded-For", "198.51.100.30"}});
        int hashed = 0, throttled = 0;
        for (QNetworkReply *r : std::as_const(replies)) {
            const Answer a = Client::wait(r);
            if (a.status == 401)
                ++hashed;
            else if (a.status == 429)
                ++throttled;
        }
        QVERIFY2(hashed >= 1 && hashed <= 5, qPrintable(QString::number(hashed)));
        QCOMPARE(hashed + throttled, 12);
    }

    void parseRanges_data()
    {
        QTest::addColumn<QString>("ranges");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("inside");
        QTest::addColumn<QString>("outside");
        QTest::newRow("v4 range") << "10.0.0.0/8" << true << "10.200.1.2"
                                  << "11.0.0.1";
        QTest::newRow("v4 host") << "127.0.0.1" << true << "127.0.0.1"
                                 << "127.0.0.2";
        QTest::newRow("v4 host, mapped peer") << "127.0.0.1/32" << true << "::ffff:127.0.0.1"
                                              << "::ffff:127.0.0.2";
        QTest::newRow("v6 host") << "::1/128" << true << "::1"
                                 << "127.0.0.1";
        QTest::newRow("v6 range") << "2001:db8::/32" << true << "2001:db8:5::1"
                                  << "2001:db9::1";
        QTest::newRow("mapped range") << "::ffff:192.0.2.0/120" << true << "192.0.2.77"
                                      << "192.0.3.1";
        QTest::newRow("comma list") << "10.0.0.0/8, 192.168.0.0/16" << true << "192.168.4.4"
                                    << "172.16.0.1";
        QTest::newRow("prefix too long") << "10.0.0.0/33" << false << ""
                                         << "";
        QTest::newRow("negative prefix") << "10.0.0.0/-1" << false << ""
                                         << "";
        QTest::newRow("name") << "proxy.example.org" << false << ""
                              << "";
        QTest::newRow("scope id") << "fe80::1%eth0" << false << ""
                                  << "";
        QTest::newRow("garbage prefix") << "10.0.0.0/x" << false << ""
                                        << "";
    }
    void parseRanges()
    {
        QFETCH(QString, ranges);
        QFETCH(bool, ok);
        QFETCH(QString, inside);
        QFETCH(QString, outside);
        const auto t = TrustedProxies::parse({ranges});
        QCOMPARE(bool(t), ok);
        if (!ok)
            return;
        QVERIFY(t->contains(QHostAddress(inside)));
        QVERIFY(!t->contains(QHostAddress(outside)));
    }

    void clientAddress_data()
    {
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QByteArray>("forwardedFor");
        QTest::addColumn<QString>("client");
        // Trusted: 127.0.0.1/32, 10.0.0.0/8 and 2001:db8:ffff::/48.
        QTest::newRow("untrusted peer") << "192.0.2.9" << QByteArray("198.51.100.1") << "192.0.2.9";
        QTest::newRow("trusted peer")
            << "127.0.0.1" << QByteArray("198.51.100.1") << "198.51.100.1";
        QTest::newRow("no header") << "127.0.0.1" << QByteArray() << "127.0.0.1";
        QTest::newRow("chain of proxies")
            << "127.0.0.1" << QByteArray("203.0.113.5, 198.51.100.1, 10.0.0.2, 10.1.1.1")
            << "198.51.100.1";
        QTest::newRow("all trusted")
            << "127.0.0.1" << QByteArray("10.0.0.3, 10.0.0.2") << "10.0.0.3";
        QTest::newRow("v6 client") << "127.0.0.1" << QByteArray("2001:db8::7") << "2001:db8::7";
        QTest::newRow("v6 bracket port")
            << "127.0.0.1" << QByteArray("[2001:db8::7]:443") << "2001:db8::7";
        QTest::newRow("v4 port") << "127.0.0.1" << QByteArray("198.51.100.1:8080")
                                 << "198.51.100.1";
        QTest::newRow("v6 proxy") << "2001:db8:ffff::1" << QByteArray("198.51.100.1")
                                  << "198.51.100.1";
        QTest::newRow("mapped peer")
            << "::ffff:127.0.0.1" << QByteArray("198.51.100.1") << "198.51.100.1";
        QTest::newRow("mapped hop")
            << "127.0.0.1" << QByteArray("::ffff:198.51.100.1") << "198.51.100.1";
        QTest::newRow("mapped trusted hop")
            << "127.0.0.1" << QByteArray("198.51.100.1, ::ffff:10.0.0.2") << "198.51.100.1";
        QTest::newRow("unknown") << "127.0.0.1" << QByteArray("unknown") << "127.0.0.1";
        QTest::newRow("obfuscated") << "127.0.0.1" << QByteArray("_hidden") << "127.0.0.1";
        QTest::newRow("malformed right of client")
            << "127.0.0.1" << QByteArray("198.51.100.1, 10.0.0.2 garbage") << "127.0.0.1";
        QTest::newRow("malformed left of client")
            << "127.0.0.1" << QByteArray("garbage, 198.51.100.1") << "198.51.100.1";
        QTest::newRow("empty hop")
            << "127.0.0.1" << QByteArray("198.51.100.1,,10.0.0.2") << "127.0.0.1";
        QTest::newRow("scope id") << "127.0.0.1" << QByteArray("fe80::1%eth0") << "127.0.0.1";
        QTest::newRow("bad bracket") << "127.0.0.1" << QByteArray("[2001:db8::7") << "127.0.0.1";
        QTest::newRow("too many hops")
            << "127.0.0.1" << QByteArray("198.51.100.1" + QByteArray(", 10.0.0.1").repeated(40))
            << "127.0.0.1";
    }
    void clientAddress()
    {
        QFETCH(QString, peer);
        QFETCH(QByteArray, forwardedFor);
        QFETCH(QString, client);
        const auto t = TrustedProxies::parse(
            {QStringLiteral("127.0.0.1/32,10.0.0.0/8"), QStringLiteral("2001:db8:ffff::/48")});
        QVERIFY(t);
        const QHostAddress got = t->clientAddress(QHostAddress(peer), forwardedFor);
        QCOMPARE(got.toString(), QHostAddress(client).toString());
        QCOMPARE(got.protocol(), QHostAddress(client).protocol());
    }

    void withoutTrustedProxiesHeaderIgnored()
    {
        const TrustedProxies none;
        QCOMPARE(none.clientAddress(QHostAddress(QStringLiteral("127.0.0.1")), "198.51.100.1")
                     .toString(),
                 QStringLiteral("127.0.0.1"));
    }
};

QTEST_GUILESS_MAIN(TestSignIn)
#include "tst_signin.moc"
