// Uploads (issue 18, finding 4) and file modes (finding 9): the auditor stores nothing, content
// decides the type, partial uploads belong to the user who started them, a per-user quota holds,
// downloads are never rendered by a browser, and the platform's files are private.
#include "hostile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>

#include <sys/stat.h>

using namespace cityops::hostile;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

QByteArray shaOf(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

/** `size` bytes that start like a JPEG, unique per call. */
QByteArray jpegLike(qsizetype size)
{
    QByteArray b(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        b[i] = char(QRandomGenerator::global()->generate());
    b.replace(0, 4, QByteArray("\xFF\xD8\xFF\xE0", 4));
    return b;
}

RawAnswer put(const Target &target, const QByteArray &token, const QByteArray &sha,
              const QByteArray &body, const QByteArray &type, const QByteArray &range = {})
{
    Headers h{{"Content-Type", type}};
    if (!range.isEmpty())
        h.append({"Content-Range", range});
    return request(target, "PUT", "/api/v1/attachments/" + sha, body, h, token);
}

QByteArray range(qint64 first, qint64 last, qint64 total)
{
    return "bytes " + QByteArray::number(first) + '-' + QByteArray::number(last) + '/' +
           QByteArray::number(total);
}

Outcome noSignIn(const QString &user)
{
    return {false, QStringLiteral("%1 could not sign in").arg(user), -1, {}};
}

/** The permission bits of a path, or -1 when it does not exist. */
int modeOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

} // namespace

CITYOPS_ATTACK("uploads", "auditor stores a file")
{
    const QByteArray token = signIn(target, QStringLiteral("auditor1"), QStringLiteral("demo"));
    if (token.isEmpty())
        return noSignIn(QStringLiteral("auditor1"));
    const QByteArray bytes = jpegLike(2000);
    const RawAnswer whole = put(target, token, shaOf(bytes), bytes, "image/jpeg");
    const RawAnswer chunk =
        put(target, token, shaOf(bytes), bytes.left(500), "image/jpeg", range(0, 499, 2000));
    return {whole.status == 403 && chunk.status == 403,
            QStringLiteral("auditor1 PUT whole → %1, PUT chunk → %2")
                .arg(whole.status)
                .arg(chunk.status),
            -1,
            {}};
}

CITYOPS_ATTACK("uploads", "HTML claimed as a JPEG")
{
    const QByteArray token = signIn(target, QStringLiteral("field1"), QStringLiteral("demo"));
    if (token.isEmpty())
        return noSignIn(QStringLiteral("field1"));
    const QByteArray html =
        "<!DOCTYPE html><html><body><script>fetch('/api/v1/snapshot')</script></body></html>" +
        QByteArray::number(QRandomGenerator::global()->generate64());
    const QByteArray sha = shaOf(html);
    const RawAnswer whole = put(target, token, sha, html, "image/jpeg");
    const RawAnswer chunked =
        put(target, token, sha, html.left(40), "image/jpeg", range(0, 39, html.size()));
    const RawAnswer asHtml = put(target, token, sha, html, "text/html");
    const RawAnswer got = request(target, "GET", "/api/v1/attachments/" + sha, {}, {}, token);
    return {whole.status == 415 && chunked.status == 415 && asHtml.status == 415 &&
                got.status == 404,
            QStringLiteral("HTML as image/jpeg → %1, first chunk → %2, as text/html → %3; GET → %4")
                .arg(whole.status)
                .arg(chunked.status)
                .arg(asHtml.status)
                .arg(got.status),
            -1,
            {}};
}

CITYOPS_ATTACK("uploads", "another user appends to my partial upload")
{
    const QByteArray mine = signIn(target, QStringLiteral("field1"), QStringLiteral("demo"));
    const QByteArray theirs = signIn(target, QStringLiteral("operator1"), QStringLiteral("demo"));
    if (mine.isEmpty() || theirs.isEmpty())
        return noSignIn(QStringLiteral("field1 or operator1"));
    const QByteArray bytes = jpegLike(3000);
    const QByteArray sha = shaOf(bytes);
    const RawAnswer first =
        put(target, mine, sha, bytes.left(1000), "image/jpeg", range(0, 999, 3000));
    // The attacker knows the hash (it is in the case) and appends junk where my upload stands.
    const RawAnswer status =
        request(target, "GET", "/api/v1/attachments/" + sha + "?status", {}, {}, theirs);
    const RawAnswer junk = put(target, theirs, sha, QByteArray(1000, 'j'),
                               "application/octet-stream", range(1000, 1999, 3000));
    const RawAnswer second =
        put(target, mine, sha, bytes.mid(1000, 1000), "image/jpeg", range(1000, 1999, 3000));
    const RawAnswer last =
        put(target, mine, sha, bytes.mid(2000), "image/jpeg", range(2000, 2999, 3000));
    const RawAnswer got = request(target, "GET", "/api/v1/attachments/" + sha, {}, {}, mine);
    const bool leaked = status.body.contains("\"received\":1000");
    return {first.status == 202 && junk.status == 409 && second.status == 202 &&
                last.status == 201 && got.body == bytes && !leaked,
            QStringLiteral("mine 0-999 → %1; their status sees %2; their 1000-1999 → %3; mine "
                           "1000-1999 → %4, 2000-2999 → %5; GET %6")
                .arg(first.status)
                .arg(QString::fromLatin1(status.body.left(120)))
                .arg(junk.status)
                .arg(second.status)
                .arg(last.status)
                .arg(got.body == bytes ? QStringLiteral("intact") : QStringLiteral("damaged")),
            -1,
            {}};
}

CITYOPS_ATTACK("uploads", "unfinished uploads beyond the quota")
{
    const QByteArray token = signIn(target, QStringLiteral("enforcer1"), QStringLiteral("demo"));
    if (token.isEmpty())
        return noSignIn(QStringLiteral("enforcer1"));
    // Each upload announces 64 MiB and sends 100 bytes: cheap for the attacker, a reservation
    // on the platform. The quota (512 MiB by default) ends it.
    const qint64 total = 64LL << 20;
    QList<int> statuses;
    int accepted = 0;
    RawAnswer refusal;
    for (int i = 0; i < 40; ++i) {
        const QByteArray sha = shaOf(jpegLike(64));
        const RawAnswer a =
            put(target, token, sha, jpegLike(100), "image/jpeg", range(0, 99, total));
        statuses << a.status;
        if (a.status != 202) {
            refusal = a;
            break;
        }
        ++accepted;
    }
    QStringList said;
    for (int s : statuses)
        said << QString::number(s);
    return {refusal.status == 413 && refusal.body.contains("quota") && accepted <= 16,
            QStringLiteral("%1 uploads of 64 MiB announced: %2")
                .arg(statuses.size())
                .arg(said.join(QLatin1Char(' '))),
            -1,
            {{QStringLiteral("uploadsBeforeQuota"), accepted}}};
}

CITYOPS_ATTACK("uploads", "a download rendered by the browser")
{
    const QByteArray token = signIn(target, QStringLiteral("field1"), QStringLiteral("demo"));
    if (token.isEmpty())
        return noSignIn(QStringLiteral("field1"));
    // A PNG whose body also reads as HTML: a sniffing browser would render it.
    QByteArray png = QByteArray("\x89PNG\r\n\x1A\n", 8) + "<html><script>alert(1)</script>" +
                     QByteArray::number(QRandomGenerator::global()->generate64());
    const QByteArray sha = shaOf(png);
    const RawAnswer stored = put(target, token, sha, png, "image/png");
    const RawAnswer got = request(target, "GET", "/api/v1/attachments/" + sha, {}, {}, token);
    const QByteArray disposition = got.header("Content-Disposition");
    const bool ok = stored.status == 201 && got.status == 200 &&
                    got.header("X-Content-Type-Options").toLower() == "nosniff" &&
                    disposition.startsWith("attachment;") &&
                    disposition.contains("filename=\"" + sha + ".png\"") &&
                    got.header("Content-Type").startsWith("image/png");
    return {ok,
            QStringLiteral("PUT → %1; GET → %2, Content-Type: %3, X-Content-Type-Options: %4, "
                           "Content-Disposition: %5")
                .arg(stored.status)
                .arg(got.status)
                .arg(QString::fromLatin1(got.header("Content-Type")),
                     QString::fromLatin1(got.header("X-Content-Type-Options")),
                     QString::fromLatin1(disposition)),
            -1,
            {}};
}

CITYOPS_ATTACK("uploads", "another local user reads the platform's files")
{
    // An attachment stored and one unfinished, so that evidence/ and uploads/ hold files.
    const QByteArray token = signIn(target, QStringLiteral("field1"), QStringLiteral("demo"));
    if (token.isEmpty())
        return noSignIn(QStringLiteral("field1"));
    const QByteArray stored = jpegLike(500), partial = jpegLike(500);
    const int s1 = put(target, token, shaOf(stored), stored, "image/jpeg").status;
    const int s2 =
        put(target, token, shaOf(partial), partial.left(100), "image/jpeg", range(0, 99, 500))
            .status;
    if (s1 != 201 || s2 != 202)
        return {
            false, QStringLiteral("uploads for the check failed: %1, %2").arg(s1).arg(s2), -1, {}};
    const QDir dir(target.dataDir);
    QStringList wrong;
    auto expect = [&](const QString &name, int mode, bool required) {
        const int m = modeOf(dir.filePath(name));
        if ((m < 0 && required) || (m >= 0 && m != mode))
            wrong << QStringLiteral("%1 %2").arg(name, m < 0 ? QStringLiteral("missing")
                                                             : QString::number(m, 8));
    };
    expect(QStringLiteral("."), 0700, true);
    expect(QStringLiteral("platform.db"), 0600, true);
    expect(QStringLiteral("platform.db-wal"), 0600, false);
    expect(QStringLiteral("platform.db-shm"), 0600, false);
    expect(QStringLiteral("uploads"), 0700, true);
    expect(QStringLiteral("evidence"), 0700, true);
    // Every file below uploads/ (unfinished uploads) is private too.
    const QDir uploads(dir.filePath(QStringLiteral("uploads")));
    for (const QString &owner : uploads.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        expect(QStringLiteral("uploads/") + owner, 0700, true);
        for (const QString &f : QDir(uploads.filePath(owner)).entryList(QDir::Files))
            expect(QStringLiteral("uploads/%1/%2").arg(owner, f), 0600, true);
    }
    return {wrong.isEmpty(),
            wrong.isEmpty() ? QStringLiteral("data directory 0700, files 0600")
                            : QStringLiteral("not private: ") + wrong.join(QStringLiteral(", ")),
            -1,
            {}};
}
