// Uploads against a real platform (issue 18, finding 4): the role check, the content allowlist,
// per-user partial uploads, the quota, the sweeper of expired parts, the download headers; and
// the platform's and the console's files private under umask 022 (finding 9).
#include "platformtest.h"
#include "storage/evidencestore.h"
#include "sync/syncclient.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <sys/stat.h>

using namespace cityops;
using namespace cityops::test;

namespace {

QString shaOf(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

/** `size` random bytes behind a file type's magic number. */
QByteArray typed(const QByteArray &magic, qsizetype size)
{
    QByteArray b(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        b[i] = char(QRandomGenerator::global()->generate());
    b.replace(0, magic.size(), magic);
    return b;
}
QByteArray jpeg(qsizetype size)
{
    return typed(QByteArray("\xFF\xD8\xFF\xE0", 4), size);
}

QByteArray range(qint64 first, qint64 last, qint64 total)
{
    return "bytes " + QByteArray::number(first) + '-' + QByteArray::number(last) + '/' +
           QByteArray::number(total);
}

int modeOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

} // namespace

class TestUploads : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PlatformProcess m_platform;
    std::unique_ptr<Client> m_field, m_op, m_enf, m_aud;
    mode_t m_umask = 0;

    Answer put(Client &c, const QString &sha, const QByteArray &bytes, const QByteArray &type,
               const QByteArray &contentRange = {})
    {
        QList<QPair<QByteArray, QByteArray>> h{{"Content-Type", type}};
        if (!contentRange.isEmpty())
            h.append({"Content-Range", contentRange});
        return c.request("PUT", QStringLiteral("/api/v1/attachments/") + sha, bytes, h);
    }
    /** The folder of a user's unfinished uploads (Uploads::ownerDir). */
    QString ownerDir(const QString &user) const
    {
        return m_dir.filePath(
            QStringLiteral("uploads/") +
            QString::fromLatin1(QCryptographicHash::hash(user.toUtf8(), QCryptographicHash::Sha256)
                                    .toHex()
                                    .left(32)));
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // The usual umask: files would be 0644 and folders 0755 without the platform's care.
        m_umask = ::umask(022);
        QVERIFY(m_dir.isValid());
        // Short expiry (the sweeper runs every second then) and a 2 MiB quota.
        QVERIFY2(m_platform.start(m_dir.path(),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   QStringLiteral("2026-11-27T18:00+08:00"),
                                   QStringLiteral("--cases"), QStringLiteral("0"),
                                   QStringLiteral("--upload-expiry"), QStringLiteral("3"),
                                   QStringLiteral("--upload-quota"), QStringLiteral("2")}),
                 m_platform.output().constData());
        m_field = std::make_unique<Client>(m_platform.url());
        m_op = std::make_unique<Client>(m_platform.url());
        m_enf = std::make_unique<Client>(m_platform.url());
        m_aud = std::make_unique<Client>(m_platform.url());
        QCOMPARE(m_field->login(QStringLiteral("field1")).status, 200);
        QCOMPARE(m_op->login(QStringLiteral("operator1")).status, 200);
        QCOMPARE(m_enf->login(QStringLiteral("enforcer1")).status, 200);
        QCOMPARE(m_aud->login(QStringLiteral("auditor1")).status, 200);
    }

    void cleanupTestCase()
    {
        QCOMPARE(m_platform.stop(), 0);
        ::umask(m_umask);
    }

    void badOptionsRefused()
    {
        QProcess p;
        p.start(QStringLiteral(CITYOPS_PLATFORM_BIN),
                {QStringLiteral("--data"), m_dir.path(), QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0"), QStringLiteral("--upload-quota"),
                 QStringLiteral("lots")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("upload-quota"));
    }

    void auditorMayNotUpload()
    {
        const QByteArray bytes = jpeg(500);
        Answer a = put(*m_aud, shaOf(bytes), bytes, "image/jpeg");
        QCOMPARE(a.status, 403);
        QCOMPARE(a.errorCode(), QStringLiteral("role"));
        a = put(*m_aud, shaOf(bytes), bytes.left(100), "image/jpeg", range(0, 99, 500));
        QCOMPARE(a.status, 403);
        // The auditor still reads evidence.
        QCOMPARE(put(*m_field, shaOf(bytes), bytes, "image/jpeg").status, 201);
        QCOMPARE(m_aud->get(QStringLiteral("/api/v1/attachments/") + shaOf(bytes)).body, bytes);
    }

    void typesByContent_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("claimed");
        QTest::addColumn<int>("status");
        const QByteArray html = "<!DOCTYPE html><html><script>alert(document.cookie)</script>";
        QTest::newRow("html as jpeg") << html + "1" << QByteArray("image/jpeg") << 415;
        QTest::newRow("html as html") << html + "2" << QByteArray("text/html") << 415;
        QTest::newRow("html as bytes")
            << html + "3" << QByteArray("application/octet-stream") << 415;
        QTest::newRow("svg as png") << QByteArray("<svg xmlns='http://www.w3.org/2000/svg'/>")
                                    << QByteArray("image/png") << 415;
        QTest::newRow("png as jpeg")
            << typed("\x89PNG\r\n\x1A\n", 300) << QByteArray("image/jpeg") << 415;
        QTest::newRow("jpeg") << jpeg(300) << QByteArray("image/jpeg") << 201;
        QTest::newRow("png") << typed("\x89PNG\r\n\x1A\n", 300) << QByteArray("image/png") << 201;
        QTest::newRow("webp") << typed(QByteArray("RIFF\x10\0\0\0WEBPVP8 ", 16), 300)
                              << QByteArray("image/webp") << 201;
        QTest::newRow("pdf") << typed("%PDF-1.7\n", 300) << QByteArray("application/pdf") << 201;
        QTest::newRow("pdf as bytes")
            << typed("%PDF-1.4\n", 300) << QByteArray("application/octet-stream") << 201;
    }
    void typesByContent()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, claimed);
        QFETCH(int, status);
        const QString sha = shaOf(bytes);
        // Whole, and in chunks (judged when the first bytes are in).
        QCOMPARE(put(*m_field, sha, bytes, claimed).status, status);
        const QString sha2 = shaOf(bytes + "x");
        const QByteArray more = bytes + "x";
        const Answer first = put(*m_field, sha2, more.left(20), claimed, range(0, 19, more.size()));
        QCOMPARE(first.status, status == 201 ? 202 : 415);
        if (status == 415) {
            QCOMPARE(first.errorCode(), QStringLiteral("type"));
            QCOMPARE(m_field->get(QStringLiteral("/api/v1/attachments/") + sha).status, 404);
            QVERIFY(!QFile::exists(
                QDir(ownerDir(QStringLiteral("field1"))).filePath(sha2 + QStringLiteral(".part"))));
        } else {
            QCOMPARE(
                put(*m_field, sha2, more.mid(20), claimed, range(20, more.size() - 1, more.size()))
                    .status,
                201);
        }
    }

    void partialsBelongToTheirUser()
    {
        const QByteArray bytes = jpeg(3000);
        const QString sha = shaOf(bytes);
        const QString status = QStringLiteral("/api/v1/attachments/%1?status").arg(sha);
        QCOMPARE(put(*m_field, sha, bytes.left(1000), "image/jpeg", range(0, 999, 3000)).status,
                 202);
        QCOMPARE(m_field->get(status).object().value(QLatin1String("received")).toInteger(), 1000);
        // Another user sees nothing of it and cannot append to it.
        QCOMPARE(m_op->get(status).object().value(QLatin1String("received")).toInteger(), 0);
        Answer a = put(*m_op, sha, QByteArray(1000, 'j'), "application/octet-stream",
                       range(1000, 1999, 3000));
        QCOMPARE(a.status, 409);
        QCOMPARE(a.errorCode(), QStringLiteral("range"));
        // Their own upload of the same attachment starts apart from mine (and is junk).
        QCOMPARE(
            put(*m_op, sha, QByteArray(1000, 'j'), "application/octet-stream", range(0, 999, 3000))
                .status,
            415);
        QCOMPARE(
            put(*m_field, sha, bytes.mid(1000, 1000), "image/jpeg", range(1000, 1999, 3000)).status,
            202);
        a = put(*m_field, sha, bytes.mid(2000), "image/jpeg", range(2000, 2999, 3000));
        QCOMPARE(a.status, 201);
        QCOMPARE(m_op->get(QStringLiteral("/api/v1/attachments/") + sha).body, bytes);
    }

    void quotaAndExpiry()
    {
        // 2 MiB: one announced upload of 1.2 MiB fits, a second does not.
        const qint64 total = 1200 * 1024;
        const QByteArray a1 = jpeg(100), a2 = jpeg(100);
        const QString s1 = shaOf(a1 + "1"), s2 = shaOf(a2 + "2");
        Answer a = put(*m_enf, s1, a1, "image/jpeg", range(0, 99, total));
        QCOMPARE(a.status, 202);
        QVERIFY(!a.header("Upload-Expires").isEmpty());
        a = put(*m_enf, s2, a2, "image/jpeg", range(0, 99, total));
        QCOMPARE(a.status, 413);
        QCOMPARE(a.errorCode(), QStringLiteral("quota"));
        // Whole uploads count too.
        const QByteArray big = jpeg(total);
        QCOMPARE(put(*m_enf, shaOf(big), big, "image/jpeg").errorCode(), QStringLiteral("quota"));
        // Another user's quota is their own.
        QCOMPARE(put(*m_op, s2, a2, "image/jpeg", range(0, 99, total)).status, 202);

        // The unfinished upload expires 3 s after its last chunk and the sweeper deletes it.
        const QString part =
            QDir(ownerDir(QStringLiteral("enforcer1"))).filePath(s1 + QStringLiteral(".part"));
        QVERIFY(QFile::exists(part));
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(part), 15000);
        QVERIFY(!QFile::exists(
            QDir(ownerDir(QStringLiteral("enforcer1"))).filePath(s1 + QStringLiteral(".json"))));
        // Gone: continuing is refused, the quota is free again.
        a = put(*m_enf, s1, a1, "image/jpeg", range(100, 199, total));
        QCOMPARE(a.status, 409);
        QCOMPARE(put(*m_enf, s2, a2, "image/jpeg", range(0, 99, total)).status, 202);
    }

    void downloadHeaders()
    {
        // A PNG whose body reads as HTML too: the browser must save it, never sniff it.
        const QByteArray png =
            QByteArray("\x89PNG\r\n\x1A\n", 8) + "<html><script>alert(1)</script></html>";
        const QString sha = shaOf(png);
        QCOMPARE(put(*m_field, sha, png, "image/png").status, 201);
        const Answer got = m_aud->get(QStringLiteral("/api/v1/attachments/") + sha);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.header("Content-Type"), QByteArray("image/png"));
        QCOMPARE(got.header("X-Content-Type-Options"), QByteArray("nosniff"));
        QCOMPARE(got.header("Content-Disposition"),
                 "attachment; filename=\"" + sha.toLatin1() + ".png\"");
        const QByteArray pdf = typed("%PDF-1.5\n", 400);
        QCOMPARE(put(*m_field, shaOf(pdf), pdf, "application/pdf").status, 201);
        const Answer gotPdf = m_aud->get(QStringLiteral("/api/v1/attachments/") + shaOf(pdf));
        QCOMPARE(gotPdf.header("Content-Type"), QByteArray("application/pdf"));
        QVERIFY(gotPdf.header("Content-Disposition").endsWith(".pdf\""));
    }

    /** The console's upload (SyncClient) names the type and resumes in chunks. */
    void syncClientUploads()
    {
        QTemporaryDir tmp;
        const QByteArray photo = jpeg((1 << 20) + 5000); // two chunks
        const QString path = tmp.filePath(QStringLiteral("photo.jpg"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(photo);
        }
        sync::SyncClient client(m_platform.url());
        const auto session = client.login(QStringLiteral("supervisor1"), QStringLiteral("demo"));
        QVERIFY(std::holds_alternative<sync::SessionInfo>(session));
        client.setToken(std::get<sync::SessionInfo>(session).token.toLatin1());
        const auto failed = client.upload(shaOf(photo), path);
        QVERIFY2(!failed, failed ? qPrintable(failed->message) : "");
        QCOMPARE(m_aud->get(QStringLiteral("/api/v1/attachments/") + shaOf(photo)).body, photo);
        // A file of another type is refused by the platform, with its message.
        const QString text = tmp.filePath(QStringLiteral("notes.html"));
        {
            QFile f(text);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("<html>not evidence</html>");
        }
        const auto refused = client.upload(shaOf("<html>not evidence</html>"), text);
        QVERIFY(refused);
        QCOMPARE(refused->status, 415);
    }

    /** A platform that dies mid-upload resumes the user's session after its restart. */
    void resumesAfterCrash_data()
    {
        QTest::addColumn<QByteArray>("point");
        QTest::newRow("chunk appended") << QByteArray("platform.chunk.after:2");
        QTest::newRow("upload verified") << QByteArray("platform.upload.verified");
    }
    void resumesAfterCrash()
    {
        QFETCH(QByteArray, point);
        QTemporaryDir dir;
        const QByteArray photo = jpeg((1 << 20) + 3000); // two chunks
        const QString path = dir.filePath(QStringLiteral("photo.jpg"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(photo);
        }
        QByteArray token;
        {
            PlatformProcess dying;
            qputenv("CITYOPS_CRASH_AT", point);
            const bool started =
                dying.start(dir.filePath(QStringLiteral("data")),
                            {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                             QStringLiteral("2026-11-27T18:00+08:00"), QStringLiteral("--cases"),
                             QStringLiteral("0")});
            qunsetenv("CITYOPS_CRASH_AT");
            QVERIFY2(started, dying.output().constData());
            sync::SyncClient client(dying.url());
            const auto session = client.login(QStringLiteral("field1"), QStringLiteral("demo"));
            QVERIFY(std::holds_alternative<sync::SessionInfo>(session));
            token = std::get<sync::SessionInfo>(session).token.toLatin1();
            client.setToken(token);
            const auto failed = client.upload(shaOf(photo), path);
            QVERIFY(failed);
            QCOMPARE(failed->kind, sync::SyncFailure::Unreachable);
        }
        PlatformProcess again;
        QVERIFY2(again.start(dir.filePath(QStringLiteral("data"))), again.output().constData());
        sync::SyncClient client(again.url());
        client.setToken(token);
        const auto failed = client.upload(shaOf(photo), path);
        QVERIFY2(!failed, failed ? qPrintable(failed->message) : "");
        Client reader(again.url());
        QCOMPARE(reader.login(QStringLiteral("auditor1")).status, 200);
        QCOMPARE(reader.get(QStringLiteral("/api/v1/attachments/") + shaOf(photo)).body, photo);
        // The finished session left nothing behind.
        QDirIterator left(dir.filePath(QStringLiteral("data/uploads")), {QStringLiteral("*.part")},
                          QDir::Files, QDirIterator::Subdirectories);
        QVERIFY2(!left.hasNext(), qPrintable(left.hasNext() ? left.next() : QString()));
        QCOMPARE(again.stop(), 0);
    }

    /** Every refusal above left a line in the security log, which the auditor reads. */
    void refusalsLogged()
    {
        for (const char *user : {"auditor1", "field1", "operator1", "enforcer1"}) {
            const Answer log =
                m_aud->get(QStringLiteral("/api/v1/security-log?kind=upload.refused&user=%1")
                               .arg(QLatin1String(user)));
            QCOMPARE(log.status, 200);
            const QJsonArray lines = log.object().value(QLatin1String("lines")).toArray();
            QVERIFY2(!lines.isEmpty(), user);
        }
        const Answer log =
            m_aud->get(QStringLiteral("/api/v1/security-log?kind=upload.refused&user=enforcer1"));
        QVERIFY2(log.body.contains("quota"), log.body.constData());
    }

    void platformFilesPrivate()
    {
        const QDir dir(m_dir.path());
        QCOMPARE(modeOf(dir.path()), 0700);
        for (const char *name : {"platform.db", "platform.db-wal", "platform.db-shm"}) {
            QVERIFY2(QFile::exists(dir.filePath(QLatin1String(name))), name);
            QCOMPARE(modeOf(dir.filePath(QLatin1String(name))), 0600);
        }
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("uploads"))), 0700);
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("evidence"))), 0700);
        // An unfinished upload's folder and files.
        const QByteArray bytes = jpeg(200);
        QCOMPARE(put(*m_op, shaOf(bytes), bytes.left(100), "image/jpeg", range(0, 99, 200)).status,
                 202);
        QCOMPARE(modeOf(ownerDir(QStringLiteral("operator1"))), 0700);
        QVERIFY(!QDir(ownerDir(QStringLiteral("operator1"))).entryList(QDir::Files).isEmpty());
        for (const QString &f : QDir(ownerDir(QStringLiteral("operator1"))).entryList(QDir::Files))
            QCOMPARE(modeOf(QDir(ownerDir(QStringLiteral("operator1"))).filePath(f)), 0600);
    }

    /** The console's cache (Database::openDir) and evidence, under umask 022. */
    void consoleCachePrivate()
    {
        QTemporaryDir tmp;
        const QString dataDir = tmp.filePath(QStringLiteral("console"));
        const QString db = Database::pathInDir(dataDir);
        {
            auto cache = Database::openDir(dataDir);
            QVERIFY2(cache, qPrintable(why(cache)));
            QCOMPARE(modeOf(dataDir), 0700);
            QCOMPARE(modeOf(db), 0600);
            // SQLite made the -wal and -shm with the main file's mode.
            QVERIFY(QFile::exists(db + QStringLiteral("-wal")));
            QCOMPARE(modeOf(db + QStringLiteral("-wal")), 0600);
            QCOMPARE(modeOf(db + QStringLiteral("-shm")), 0600);
            const QString photo = tmp.filePath(QStringLiteral("p.jpg"));
            QFile f(photo);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(jpeg(400));
            f.close();
            EvidenceStore evidence(*cache, dataDir);
            const auto sha = evidence.import(photo, false);
            QVERIFY2(sha, qPrintable(why(sha)));
            QCOMPARE(modeOf(QDir(dataDir).filePath(QStringLiteral("evidence"))), 0700);
            QCOMPARE(modeOf(evidence.pathFor(*sha)), 0400);
        }
        // An older build's world-readable files are corrected when opened.
        QVERIFY(::chmod(QFile::encodeName(dataDir).constData(), 0755) == 0);
        QVERIFY(::chmod(QFile::encodeName(db).constData(), 0644) == 0);
        QVERIFY(
            ::chmod(
                QFile::encodeName(QDir(dataDir).filePath(QStringLiteral("evidence"))).constData(),
                0755) == 0);
        auto again = Database::openDir(dataDir);
        QVERIFY2(again, qPrintable(why(again)));
        EvidenceStore evidence(*again, dataDir);
        QCOMPARE(modeOf(dataDir), 0700);
        QCOMPARE(modeOf(db), 0600);
        QCOMPARE(modeOf(db + QStringLiteral("-wal")), 0600);
        QCOMPARE(modeOf(QDir(dataDir).filePath(QStringLiteral("evidence"))), 0700);
    }
};

QTEST_GUILESS_MAIN(TestUploads)
#include "tst_uploads.moc"
