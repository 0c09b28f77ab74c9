#include "syncclient.h"

#include "util/crashpoint.h"
#include "util/filetypes.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QScopeGuard>
#include <QTimer>
#include <QUrlQuery>

#include <utility>

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
    if (m_ahead)
        m_ahead->abort();
    if (m_current)
        m_current->abort();
}

SyncClient::Raw SyncClient::request(const QByteArray &method, const QString &path,
                                    const QString &query, const QByteArray &body,
                                    const QList<QPair<QByteArray, QByteArray>> &headers,
                                    int timeoutMs)
{
    return await(send(method, path, query, body, headers, timeoutMs), timeoutMs);
}

QNetworkReply *SyncClient::send(const QByteArray &method, const QString &path, const QString &query,
                                const QByteArray &body,
                                const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs)
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
    return m_nam->sendCustomRequest(req, method, body);
}

SyncClient::Raw SyncClient::await(QNetworkReply *reply, int timeoutMs)
{
    if (m_ahead == reply)
        m_ahead = nullptr;
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
    raw.headers = reply->rawHeaderPairs();
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

Reply<SecurityLogPage> SyncClient::securityLog(const SecurityLogQuery &query)
{
    Raw r = request("GET", QStringLiteral("/api/v1/security-log"),
                    query.toUrlQuery().query(QUrl::FullyEncoded), {}, {}, m_timeoutMs);
    if (r.failure)
        return *r.failure;
    return decoded(decodeSecurityLog(r.body));
}

Reply<SnapshotPage> SyncClient::snapshot(qint64 after, int limit)
{
    Raw r = await(sendSnapshot(after, limit), m_timeoutMs);
    if (r.failure)
        return *r.failure;
    return decoded(decodeSnapshot(r.body, r.header(QByteArrayLiteral("Content-Type"))));
}

QNetworkReply *SyncClient::sendSnapshot(qint64 after, int limit)
{
    // The binary page when the platform has it (40% less to send, no text to parse).
    return send("GET", QStringLiteral("/api/v1/snapshot"),
                QStringLiteral("after=%1&limit=%2").arg(after).arg(limit), {},
                {{"Accept", QByteArray(kSnapshotBinaryType) + ", application/json;q=0.5"}},
                m_timeoutMs);
}

void SyncClient::snapshotPages(qint64 after, int limit,
                               const std::function<bool(Reply<SnapshotPage> &&)> &deliver)
{
    QNetworkReply *next = sendSnapshot(after, limit);
    const auto dropAhead = qScopeGuard([this] {
        if (m_ahead) {
            m_ahead->abort();
            m_ahead->deleteLater();
        }
    });
    while (next) {
        Raw r = await(std::exchange(next, nullptr), m_timeoutMs);
        if (r.failure) {
            deliver(*r.failure);
            return;
        }
        std::optional<qint64> announced;
        bool ok = false;
        if (const qint64 n = r.header(kSnapshotNextHeader).toLongLong(&ok); ok && n > after)
            announced = n;
        if (announced)
            m_ahead = next = sendSnapshot(*announced, limit);
        Reply<SnapshotPage> page =
            decoded(decodeSnapshot(r.body, r.header(QByteArrayLiteral("Content-Type"))));
        r.body.clear();
        if (auto *p = std::get_if<SnapshotPage>(&page)) {
            if (announced && (!p->more || p->next != *announced)) {
                page = SyncFailure{SyncFailure::Protocol, 0, QStringLiteral("protocol"),
                                   Tr::tr("The platform's snapshot page says its next page "
                                          "follows case %1, its %2 header case %3.")
                                       .arg(p->next)
                                       .arg(QLatin1String(kSnapshotNextHeader))
                                       .arg(*announced)};
            } else if (p->more && !announced) {
                m_ahead = next = sendSnapshot(p->next, limit);
            }
        }
        const bool end =
            std::holds_alternative<SyncFailure>(page) || !std::get<SnapshotPage>(page).more;
        if (const auto *p = std::get_if<SnapshotPage>(&page))
            after = p->next;
        if (!deliver(std::move(page)) || end)
            return;
    }
}

Reply<std::optional<ReferenceData>> SyncClient::reference(const QString &knownVersion)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!knownVersion.isEmpty())
        headers.append({"If-None-Match", '"' + knownVersion.toLatin1() + '"'});
    Raw r = request("GET", QStringLiteral("/api/v1/reference"), {}, {}, headers, m_timeoutMs);
    if (r.failure && r.failure->status == 304)
        return std::optional<ReferenceData>();
    if (r.failure)
        return *r.failure;
    auto data = decodeReference(r.body);
    if (!data)
        return SyncFailure{SyncFailure::Protocol, 0, QStringLiteral("protocol"), data.error()};
    return std::optional<ReferenceData>(std::move(*data));
}

std::optional<SyncFailure> SyncClient::upload(const QString &sha256, const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return SyncFailure{
            SyncFailure::Protocol, 0, QStringLiteral("missing"),
            Tr::tr("The attachment %1 cannot be read: %2").arg(path, f.errorString())};
    const qint64 total = f.size();
    // The platform accepts evidence of a few types, judged by content; say which one this is
    // (it must agree with the content). Anything else is sent as bytes and refused there.
    const auto type = FileTypes::sniff(f.peek(FileTypes::kSniffBytes));
    const QByteArray contentType = type ? type->mime : QByteArray("application/octet-stream");
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
                        {{"Content-Type", contentType}, {"Content-Range", range}}, m_timeoutMs);
        if (r.failure) {
            if (r.failure->status == 409 && !probed) {
                probed = true;
                first = 0;
                continue;
            }
            return r.failure;
        }
        CITYOPS_CRASH_POINT("sync.upload.chunk");
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
