#include "syncclient.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrlQuery>

namespace cityops::sync {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(SyncClient)
};

template <typename T> Reply<T> decoded(Result<T> r)
{
    if (!r)
        return SyncFailure{SyncFailure::Protocol, 0, QStringLiteral("protocol"), r.error()};
    return std::move(*r);
}

constexpr qint64 kChunk = 1024 * 1024;

} // namespace

SyncClient::SyncClient(QUrl base, QObject *parent)
    : QObject(parent), m_base(std::move(base)), m_nam(new QNetworkAccessManager(this))
{}

SyncClient::~SyncClient() = default;

void SyncClient::abort()
{
    if (m_current)
        m_current->abort();
}

SyncClient::Raw SyncClient::request(const QByteArray &method, const QString &path,
                                    const QString &query, const QByteArray &body,
                                    const QList<QPair<QByteArray, QByteArray>> &headers,
                                    int timeoutMs)
{
    QUrl url = m_base;
    url.setPath(path);
    if (!query.isEmpty())
        url.setQuery(query);
    QNetworkRequest req(url);
    req.setTransferTimeout(timeoutMs);
    if (!m_token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + m_token);
    if (!body.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    for (const auto &h : headers)
        req.setRawHeader(h.first, h.second);
    QNetworkReply *reply = m_nam->sendCustomRequest(req, method, body);
    m_current = reply;
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, reply, &QNetworkReply::abort);
    guard.start(timeoutMs + 2000);
    if (!reply->isFinished())
        loop.exec();
    Raw raw;
    raw.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->isOpen())
        raw.body = reply->readAll();
    if (raw.status == 0) {
        raw.failure = SyncFailure{SyncFailure::Unreachable, 0, QStringLiteral("unreachable"),
                                  Tr::tr("The platform at %1 cannot be reached: %2")
                                      .arg(m_base.toString(), reply->errorString())};
    } else if (raw.status < 200 || raw.status >= 300) {
        const auto err = decodeError(raw.body);
        SyncFailure f;
        f.kind = raw.status == 401 ? SyncFailure::Unauthorized : SyncFailure::Refused;
        f.status = raw.status;
        f.code = err ? err->code : QString();
        f.message = err ? err->message : Tr::tr("The platform answered HTTP %1.").arg(raw.status);
        // A busy or restarting platform is like an unreachable one: try again later.
        if (raw.status == 502 || raw.status == 503 || raw.status == 504)
            f.kind = SyncFailure::Unreachable;
        raw.failure = f;
    }
    reply->deleteLater();
    m_current = nullptr;
    return raw;
}

Reply<SessionInfo> SyncClient::login(const QString &user, const QString &password)
{
    Raw r = request("POST", QStringLiteral("/api/v1/session"), {}, encodeLogin({user, password}),
                    {}, m_timeoutMs);
    if (r.failure)
        return *r.failure;
    return decoded(decodeSession(r.body));
}

Reply<QList<CommandResult>> SyncClient::push(const QList<ClientCommand> &commands)
{
    Raw r = request("POST", QStringLiteral("/api/v1/commands"), {}, encodeCommands(commands), {},
                    m_timeoutMs);
    if (r.failure)
        return *r.failure;
    return decoded(decodeResults(r.body));
}

Reply<ChangesPage> SyncClient::changes(qint64 since, int limit, int waitSeconds)
{
    Raw r =
        request("GET", QStringLiteral("/api/v1/changes"),
                QStringLiteral("since=%1&limit=%2&wait=%3").arg(since).arg(limit).arg(waitSeconds),
                {}, {}, m_timeoutMs + waitSeconds * 1000);
    if (r.failure)
        return *r.failure;
    return decoded(decodeChanges(r.body));
}

Reply<SnapshotPage> SyncClient::snapshot(qint64 after, int limit)
{
    Raw r = request("GET", QStringLiteral("/api/v1/snapshot"),
                    QStringLiteral("after=%1&limit=%2").arg(after).arg(limit), {}, {}, m_timeoutMs);
    if (r.failure)
        return *r.failure;
    return decoded(decodeSnapshot(r.body));
}

Reply<QByteArray> SyncClient::reference()
{
    Raw r = request("GET", QStringLiteral("/api/v1/reference"), {}, {}, {}, m_timeoutMs);
    if (r.failure)
        return *r.failure;
    return r.body;
}

std::optional<SyncFailure> SyncClient::upload(const QString &sha256, const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return SyncFailure{
            SyncFailure::Protocol, 0, QStringLiteral("missing"),
            Tr::tr("The attachment %1 cannot be read: %2").arg(path, f.errorString())};
    const qint64 total = f.size();
    qint64 first = 0;
    bool probed = false;
    while (first < total) {
        // Chunks with Content-Range: after an interruption the platform says how much it has.
        f.seek(first);
        // After a 409 one byte from the start asks the platform how much it already has.
        const bool probe = probed && first == 0;
        const QByteArray chunk = f.read(std::min(probe ? 1 : kChunk, total - first));
        const QByteArray range = "bytes " + QByteArray::number(first) + "-" +
                                 QByteArray::number(first + chunk.size() - 1) + "/" +
                                 QByteArray::number(total);
        Raw r = request("PUT", QStringLiteral("/api/v1/attachments/") + sha256, {}, chunk,
                        {{"Content-Type", "application/octet-stream"}, {"Content-Range", range}},
                        m_timeoutMs);
        if (r.failure) {
            if (r.failure->status == 409 && !probed) {
                probed = true;
                first = 0;
                continue;
            }
            return r.failure;
        }
        const auto obj = parseObject(r.body);
        if (!obj)
            return SyncFailure{SyncFailure::Protocol, r.status, QStringLiteral("protocol"),
                               obj.error()};
        if (obj->value(QLatin1String("complete")).toBool())
            return std::nullopt;
        const qint64 received = qint64(obj->value(QLatin1String("received")).toDouble());
        first = std::max(received, first + 1);
    }
    return std::nullopt;
}

} // namespace cityops::sync
