// The transport guard (issue 18, findings 1, 6 and 10; server/httpadapter.cpp) against a real
// platform: usage errors name the option; the TLS profile refuses ciphers without forward secrecy
// and sends HSTS; short client timeouts never cut a long-poll; connection caps and the body budget
// answer 503; and every refusal leaves a line in the security log.
#include "platformtest.h"

#include "sync/securitylog.h"

#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace cityops;
using namespace cityops::test;

namespace {

const QString kCert =
    QStringLiteral(CITYOPS_SOURCE_DIR "/tests/integration/data/platform-test.crt");
const QString kKey = QStringLiteral(CITYOPS_SOURCE_DIR "/tests/integration/data/platform-test.key");

QStringList demoArgs(const QStringList &extra = {})
{
    return QStringList{QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                       QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--cases"),
                       QStringLiteral("0")} +
           extra;
}

/** A raw connection to the platform, for requests QNetworkAccessManager will not send. */
std::unique_ptr<QTcpSocket> connectTo(const QUrl &url)
{
    auto s = std::make_unique<QTcpSocket>();
    s->connectToHost(url.host(), quint16(url.port()));
    if (!s->waitForConnected(5000))
        return nullptr;
    return s;
}

/** Reads until the peer closes or `timeoutMs` passes; what came. */
QByteArray readUntilClosed(QTcpSocket &s, int timeoutMs)
{
    QByteArray in;
    QElapsedTimer t;
    t.start();
    while (s.state() == QAbstractSocket::ConnectedState && t.elapsed() < timeoutMs) {
        if (s.waitForReadyRead(int(std::max<qint64>(1, timeoutMs - t.elapsed()))))
            in += s.readAll();
    }
    return in + s.readAll();
}

int statusOf(const QByteArray &answer)
{
    const QList<QByteArray> parts = answer.left(answer.indexOf("\r\n")).split(' ');
    return parts.size() >= 2 ? parts.at(1).toInt() : 0;
}

/** A TLS 1.2 client offering only `cipher`; whether the handshake succeeded. */
bool handshake(const QUrl &url, const QString &cipher, QSsl::SslProtocol protocol)
{
    QSslSocket s;
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setProtocol(protocol);
    if (!cipher.isEmpty())
        c.setCiphers({QSslCipher(cipher)});
    c.setCaCertificates(QSslCertificate::fromPath(kCert));
    s.setSslConfiguration(c);
    s.connectToHostEncrypted(url.host(), quint16(url.port()));
    return s.waitForEncrypted(5000);
}

} // namespace

class TestHttpGuard : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void usageErrorsNameTheOption_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("option");
        QTest::newRow("header-timeout 0")
            << QStringList{QStringLiteral("--header-timeout"), QStringLiteral("0")}
            << QStringLiteral("--header-timeout");
        QTest::newRow("body-timeout text")
            << QStringList{QStringLiteral("--body-timeout"), QStringLiteral("soon")}
            << QStringLiteral("--body-timeout");
        QTest::newRow("idle-timeout huge")
            << QStringList{QStringLiteral("--idle-timeout"), QStringLiteral("99999")}
            << QStringLiteral("--idle-timeout");
        QTest::newRow("max-connections 0")
            << QStringList{QStringLiteral("--max-connections"), QStringLiteral("0")}
            << QStringLiteral("--max-connections");
        QTest::newRow("max-connections-per-address -1")
            << QStringList{QStringLiteral("--max-connections-per-address"), QStringLiteral("-1")}
            << QStringLiteral("--max-connections-per-address");
        QTest::newRow("body-budget below one body")
            << QStringList{QStringLiteral("--body-budget"), QStringLiteral("4")}
            << QStringLiteral("--body-budget");
    }

    void usageErrorsNameTheOption()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, option);
        QTemporaryDir dir;
        PlatformProcess p;
        QVERIFY(!p.start(dir.path(), demoArgs(args)));
        QCOMPARE(p.stop(), 2);
        QVERIFY2(p.output().contains(option.toUtf8()), p.output().constData());
    }

    /** Mozilla "intermediate": TLS 1.2+, ECDHE with AEAD only; HSTS on every answer. */
    void tlsProfile()
    {
        QVERIFY(QSslSocket::supportsSsl());
        QTemporaryDir dir;
        PlatformProcess p;
        QVERIFY2(p.start(dir.path(), demoArgs({QStringLiteral("--tls-cert"), kCert,
                                               QStringLiteral("--tls-key"), kKey})),
                 p.output().constData());
        const QUrl url = p.url();
        // No forward secrecy, or no AEAD: refused.
        QVERIFY(!handshake(url, QStringLiteral("AES128-SHA"), QSsl::TlsV1_2));
        QVERIFY(!handshake(url, QStringLiteral("AES128-GCM-SHA256"), QSsl::TlsV1_2));
        QVERIFY(!handshake(url, QStringLiteral("ECDHE-RSA-AES128-SHA"), QSsl::TlsV1_2));
        // The profile's suites: accepted.
        QVERIFY(handshake(url, QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256"), QSsl::TlsV1_2));
        QVERIFY(handshake(url, QStringLiteral("ECDHE-RSA-CHACHA20-POLY1305"), QSsl::TlsV1_2));
        QVERIFY(handshake(url, QString(), QSsl::TlsV1_3));

        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setCaCertificates(QSslCertificate::fromPath(kCert));
        QSslConfiguration::setDefaultConfiguration(config);
        Client c(url);
        const Answer ok = c.get(QStringLiteral("/api/v1/health"));
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.header("Strict-Transport-Security"), QByteArray("max-age=31536000"));
        const Answer missing = c.get(QStringLiteral("/api/v1/no-such-thing"));
        QCOMPARE(missing.header("Strict-Transport-Security"), QByteArray("max-age=31536000"));
        // The guard's own refusals too.
        QSslSocket raw;
        raw.setSslConfiguration(config);
        raw.connectToHostEncrypted(url.host(), quint16(url.port()));
        QVERIFY(raw.waitForEncrypted(5000));
        raw.write("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                  "Content-Length: 1\r\n\r\nx");
        const QByteArray refused = readUntilClosed(raw, 5000);
        QCOMPARE(statusOf(refused), 400);
        QVERIFY(refused.contains("\r\nStrict-Transport-Security: max-age=31536000\r\n"));
        QCOMPARE(p.stop(), 0);
    }

    /** The timeouts are about the client sending: a long-poll outlives them; idle does not. */
    void timeoutsSpareLongPolls()
    {
        QTemporaryDir dir;
        PlatformProcess p;
        QVERIFY2(
            p.start(dir.path(), demoArgs({QStringLiteral("--header-timeout"), QStringLiteral("1"),
                                          QStringLiteral("--body-timeout"), QStringLiteral("1"),
                                          QStringLiteral("--idle-timeout"), QStringLiteral("1")})),
            p.output().constData());
        Client c(p.url());
        QCOMPARE(c.login(QStringLiteral("supervisor1")).status, 200);
        // Follow the feed to its end; a poll from there is held until `wait` runs out.
        qint64 since = 0;
        for (int i = 0; i < 100; ++i) {
            const Answer page =
                c.get(QStringLiteral("/api/v1/changes?since=%1&limit=1000").arg(since));
            QCOMPARE(page.status, 200);
            const qint64 next = page.object().value(QLatin1String("next")).toInteger(since);
            if (next == since)
                break;
            since = next;
        }
        const Answer polled = c.get(QStringLiteral("/api/v1/changes?since=%1&wait=3").arg(since));
        QCOMPARE(polled.status, 200);
        QVERIFY2(polled.ms >= 2500, qPrintable(QString::number(polled.ms)));
        // Kept alive and idle: closed after the idle timeout, silently (no 408 for a request the
        // client never started).
        auto s = connectTo(p.url());
        QVERIFY(s);
        s->write("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
        QElapsedTimer t;
        t.start();
        const QByteArray answers = readUntilClosed(*s, 10000);
        QCOMPARE(statusOf(answers), 200);
        QCOMPARE(answers.count("HTTP/1.1"), 1);
        QVERIFY2(t.elapsed() >= 800 && t.elapsed() < 5000,
                 qPrintable(QString::number(t.elapsed())));
        QCOMPARE(p.stop(), 0);
    }

    /** Caps on connections answer 503 at once; a freed slot is taken again. */
    void connectionCaps()
    {
        QTemporaryDir dir;
        PlatformProcess p;
        QVERIFY2(p.start(dir.path(), demoArgs({QStringLiteral("--max-connections-per-address"),
                                               QStringLiteral("3")})),
                 p.output().constData());
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 3; ++i) {
            held.push_back(connectTo(p.url()));
            QVERIFY(held.back());
        }
        auto extra = connectTo(p.url());
        QVERIFY(extra);
        const QByteArray busy = readUntilClosed(*extra, 5000);
        QCOMPARE(statusOf(busy), 503);
        QVERIFY(busy.contains("\r\nRetry-After: "));
        QCOMPARE(extra->state(), QAbstractSocket::UnconnectedState);
        held.front()->abort();
        held.erase(held.begin());
        // The platform notices the close on its next turn; ask until the slot is free.
        int status = 0;
        for (int i = 0; i < 50 && status != 200; ++i) {
            auto again = connectTo(p.url());
            QVERIFY(again);
            again->write("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            status = statusOf(readUntilClosed(*again, 5000));
        }
        QCOMPARE(status, 200);
        QCOMPARE(p.stop(), 0);
    }

    /** Large bodies over the budget get 503 + Retry-After; small ones still pass. */
    void bodyBudget()
    {
        QTemporaryDir dir;
        PlatformProcess p;
        QVERIFY2(
            p.start(dir.path(), demoArgs({QStringLiteral("--body-budget"), QStringLiteral("8")})),
            p.output().constData());
        auto holder = connectTo(p.url());
        QVERIFY(holder);
        const qint64 length = 8 * 1024 * 1024 - 1;
        holder->write("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                      QByteArray::number(length) + "\r\n\r\n" + QByteArray(1024, ' '));
        QVERIFY(holder->waitForBytesWritten(5000));
        // The holder's head reaches the platform before the next connection's does.
        Client probe(p.url());
        QCOMPARE(probe.get(QStringLiteral("/api/v1/health")).status, 200);
        auto large = connectTo(p.url());
        QVERIFY(large);
        large->write("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" +
                     QByteArray(1048576, ' '));
        const QByteArray busy = readUntilClosed(*large, 10000);
        QCOMPARE(statusOf(busy), 503);
        QVERIFY(busy.contains("\r\nRetry-After: "));
        Client small(p.url());
        QCOMPARE(small.login(QStringLiteral("supervisor1")).status, 200);
        holder->abort();
        QCOMPARE(p.stop(), 0);
    }

    /** Each refusal leaves one line in the security log, with the client's address. */
    void refusalsAreLogged()
    {
        QTemporaryDir dir;
        PlatformProcess p;
        QVERIFY2(p.start(dir.path(),
                         demoArgs({QStringLiteral("--header-timeout"), QStringLiteral("1")})),
                 p.output().constData());
        auto folded = connectTo(p.url());
        QVERIFY(folded);
        folded->write("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 120000495\r\n"
                      "X-Pad: a\r\n Content-Length: 0\r\n\r\n");
        QCOMPARE(statusOf(readUntilClosed(*folded, 5000)), 400);
        auto slow = connectTo(p.url());
        QVERIFY(slow);
        slow->write("GET /api/v1/health HTTP/1.1\r\n");
        QCOMPARE(statusOf(readUntilClosed(*slow, 10000)), 408);

        Client auditor(p.url());
        QCOMPARE(auditor.login(QStringLiteral("auditor1")).status, 200);
        const auto lines = [&](const QString &kind) {
            const Answer a = auditor.get(QStringLiteral("/api/v1/security-log?kind=") + kind);
            const auto page = sync::decodeSecurityLog(a.body);
            return page ? page->entries : QList<sync::SecurityLogEntry>{};
        };
        const auto refused = lines(QStringLiteral("http.refused"));
        QCOMPARE(refused.size(), 1);
        QCOMPARE(refused.first().address, QStringLiteral("127.0.0.1"));
        QVERIFY2(refused.first().detail.contains(QLatin1String("fold")),
                 qPrintable(refused.first().detail));
        const auto timedOut = lines(QStringLiteral("http.timeout"));
        QCOMPARE(timedOut.size(), 1);
        QVERIFY2(timedOut.first().detail.startsWith(QLatin1String("408 GET /api/v1/health")),
                 qPrintable(timedOut.first().detail));
        QCOMPARE(p.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHttpGuard)
#include "tst_httpguard.moc"
