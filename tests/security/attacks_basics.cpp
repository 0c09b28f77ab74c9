// Basic attacks the platform already refuses (the suite's sanity checks): an encoded path
// traversal by a signed-in user, data without a session, and a forged bearer token.
#include "hostile.h"

using namespace cityops::hostile;

namespace {

QString said(const RawAnswer &a)
{
    return QStringLiteral("%1 (%2 bytes)").arg(a.status).arg(a.body.size());
}

} // namespace

CITYOPS_ATTACK("basics", "path traversal in an attachment name")
{
    const QByteArray token = signIn(target, QStringLiteral("operator1"), QStringLiteral("demo"));
    if (token.isEmpty())
        return {false, QStringLiteral("operator1 could not sign in"), -1, {}};
    const QByteArray path = "/api/v1/attachments/..%2f..%2f..%2fetc%2fpasswd";
    const RawAnswer a = request(target, "GET", path, {}, {}, token);
    const bool leaked =
        a.body.contains("root:") || a.body.contains("PRAGMA") || a.body.startsWith("SQLite format");
    return {a.status == 400 && !leaked,
            QStringLiteral("GET %1 (signed in) → %2%3")
                .arg(QString::fromLatin1(path), said(a),
                     leaked ? QStringLiteral(", the body holds a file") : QString()),
            -1,
            {}};
}

CITYOPS_ATTACK("basics", "snapshot without a session")
{
    const RawAnswer a = request(target, "GET", "/api/v1/snapshot");
    const bool data = a.body.contains("\"cases\"") || a.body.size() > 4096;
    return {a.status == 401 && !data && a.header("WWW-Authenticate").startsWith("Bearer"),
            QStringLiteral("GET /api/v1/snapshot without Authorization → %1, WWW-Authenticate: %2")
                .arg(said(a), QString::fromLatin1(a.header("WWW-Authenticate"))),
            -1,
            {}};
}

CITYOPS_ATTACK("basics", "forged bearer token")
{
    // The shape of a real token, made up: the platform only knows hashes of tokens it issued.
    const QByteArray forged = QByteArray(43, 'A');
    const RawAnswer a = request(target, "GET", "/api/v1/snapshot", {}, {}, forged);
    const RawAnswer b =
        request(target, "POST", "/api/v1/commands", "{\"commands\":[]}", {}, forged);
    return {a.status == 401 && b.status == 401,
            QStringLiteral("GET /api/v1/snapshot → %1; POST /api/v1/commands → %2 (forged token)")
                .arg(said(a), said(b)),
            -1,
            {}};
}
