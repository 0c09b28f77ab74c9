#include "platformservice.h"

#include "districtarea.h"
#include "domain/catalogue.h"
#include "domain/personaldata.h"
#include "domain/workcalendar.h"
#include "open311.h"
#include "passwords.h"
#include "storage/caserepository.h"
#include "storage/database.h"
#include "storage/evidencestore.h"
#include "util/crashpoint.h"
#include "util/filetypes.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QSaveFile>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace cityops::platform {

namespace {

using sync::CommandStatus;

HttpResponse jsonResponse(int status, const QJsonObject &o)
{
    return HttpResponse::json(status, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

/** A query parameter as a whole number in [lo, hi]; `fallback` when absent. */
std::optional<qint64> intParam(const QUrlQuery &q, const char *name, qint64 lo, qint64 hi,
                               qint64 fallback)
{
    const QString key = QLatin1String(name);
    if (!q.hasQueryItem(key))
        return fallback;
    bool ok = false;
    const qint64 v = q.queryItemValue(key).toLongLong(&ok);
    if (!ok || v < lo || v > hi)
        return std::nullopt;
    return v;
}

/** Dot segments, encoded separators and NULs have no business in our paths. */
bool suspiciousPath(const HttpRequest &r)
{
    if (r.rawPath.size() > 2048 || !r.rawPath.startsWith('/'))
        return true;
    const QByteArray raw = r.rawPath.toLower();
    for (const char *bad : {"%2e", "%2f", "%5c", "%00", "\\"}) {
        if (raw.contains(bad))
            return true;
    }
    const QStringList segments = r.path.split(QLatin1Char('/'));
    for (qsizetype i = 1; i < segments.size(); ++i) {
        const QString &s = segments.at(i);
        if (s == QLatin1String(".") || s == QLatin1String("..") ||
            (s.isEmpty() && i + 1 < segments.size()) || s.contains(QChar(0)))
            return true;
    }
    return false;
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

HttpResponse errorResponse(int status, const QString &code, const QString &message)
{
    return HttpResponse::json(status, sync::encodeError({code, message}));
}

PlatformService::PlatformService(const Options &options) : m_options(options)
{
    if (!m_options.clock)
        m_options.clock = [] {
            return QDateTime::currentMSecsSinceEpoch();
        };
}

PlatformService::~PlatformService()
{
    // Sign-ins still hashing on the pool continue on this object: let them finish first. (No
    // pool when destroyed after Qt's globals, at exit.)
    if (QThreadPool *pool = QThreadPool::globalInstance())
        pool->waitForDone();
    for (auto &[id, w] : m_waiters)
        w.reply(errorResponse(503, QStringLiteral("shutting-down"),
                              tr("The platform is shutting down.")));
    for (const QueuedBatch &b : std::as_const(m_queued))
        b.reply(errorResponse(503, QStringLiteral("shutting-down"),
                              tr("The platform is shutting down.")));
}

Result<std::unique_ptr<PlatformService>> PlatformService::open(const Options &options)
{
    std::unique_ptr<PlatformService> self(new PlatformService(options));
    auto store = PlatformStore::open(options.dataDir);
    if (!store)
        return Error{store.error()};
    self->m_store = std::move(store).value();
    const auto config = WorkflowConfig::load(options.dataDir);
    if (!config)
        return Error{config.error()};
    self->m_workflow =
        std::make_unique<Workflow>(Catalogue::builtin(), WorkCalendar::builtin(), *config);
    self->m_repository =
        std::make_unique<CaseRepository>(self->m_store->databasePtr(), *self->m_workflow);
    self->m_repository->setSearchIndexing(false);
    self->m_evidence =
        std::make_unique<EvidenceStore>(self->m_store->databasePtr(), options.dataDir);
    self->m_open311 = std::make_unique<Open311>(*self);
    self->m_uploads =
        new Uploads(options.dataDir, options.uploads, self->m_options.clock, self.get());
    if (Status s = self->m_store->purge(self->now(), self->now() - self->failuresKeptMs()); !s)
        return Error{s.error()};
    self->addRoutes();
    self->startSecurityLog();
    // Expired sessions and old sign-in failures are forgotten now and then.
    auto *purge = new QTimer(self.get());
    PlatformService *service = self.get();
    connect(purge, &QTimer::timeout, service, [service] {
        const qint64 t = service->now();
        (void)service->m_store->purge(t, t - service->failuresKeptMs());
    });
    purge->start(10 * 60 * 1000);
    return self;
}

qint64 PlatformService::now() const
{
    return m_options.clock();
}

void PlatformService::addRoutes()
{
    auto route = [this](const char *method, const char *pattern, bool open311, auto run) {
        m_routes.append({QByteArray(method), QRegularExpression(QLatin1String(pattern)), open311,
                         std::move(run)});
    };
    using M = QRegularExpressionMatch;
    route("GET", "^/api/v1/health$", false,
          [this](const HttpRequest &r, const M &, HttpReply reply) { health(r, reply); });
    route("POST", "^/api/v1/session$", false,
          [this](const HttpRequest &r, const M &, HttpReply reply) { login(r, reply); });
    route("DELETE", "^/api/v1/session$", false,
          [this](const HttpRequest &r, const M &, HttpReply reply) { logout(r, reply); });
    route("GET", "^/api/v1/snapshot$", false,
          [this](const HttpRequest &r, const M &, HttpReply reply) { snapshot(r, reply); });
    route("GET", "^/api/v1/reference$", false,
          [this](const HttpRequest &r, const M &, HttpReply reply) { reference(r, reply); });
    route("GET", "^/api/v1/changes$", false,
          [this](const HttpRequest &r, const M &, HttpReply reply) { changes(r, reply); });
    route("POST", "^/api/v1/commands$", false,
          [this](const HttpRequest &r, const M &, HttpReply reply) { commands(r, reply); });
    route("PUT", "^/api/v1/attachments/([^/]*)$", false,
          [this](const HttpRequest &r, const M &m, HttpReply reply) {
              putAttachment(r, m.captured(1), reply);
          });
    route("GET", "^/api/v1/attachments/([^/]*)$", false,
          [this](const HttpRequest &r, const M &m, HttpReply reply) {
              getAttachment(r, m.captured(1), reply);
          });
    route("GET", "^/api/v1/cases/([0-9]{1,18})/personal-data$", false,
          [this](const HttpRequest &r, const M &m, HttpReply reply) {
              personalData(r, m.captured(1).toLongLong(), reply);
          });
    route("GET", "^/api/v1/security-log$", false,
          [this](const HttpRequest &r, const M &, HttpReply reply) { securityLog(r, reply); });
    route(
        "GET", "^/api/v1/security-log/verify$", false,
        [this](const HttpRequest &r, const M &, HttpReply reply) { securityLogVerify(r, reply); });
    route("GET", "^/open311/v2/services\\.json$", true,
          [this](const HttpRequest &r, const M &, HttpReply reply) {
              reply(m_open311->services(r));
          });
    route("GET", "^/open311/v2/requests\\.json$", true,
          [this](const HttpRequest &r, const M &, HttpReply reply) {
              reply(m_open311->requests(r));
          });
    route("POST", "^/open311/v2/requests\\.json$", true,
          [this](const HttpRequest &r, const M &, HttpReply reply) { reply(m_open311->post(r)); });
    route("GET", "^/open311/v2/requests/([^/]+)\\.json$", true,
          [this](const HttpRequest &r, const M &m, HttpReply reply) {
              reply(m_open311->request(r, m.captured(1)));
          });
}

void PlatformService::handle(const HttpRequest &request, HttpReply reply)
{
    const bool open311 = request.path.startsWith(QLatin1String("/open311/"));
    auto fail = [&](int status, const char *code, const QString &message) {
        reply(open311 ? Open311::error(status, message)
                      : errorResponse(status, QLatin1String(code), message));
    };
    if (suspiciousPath(request)) {
        securityEvent(QStringLiteral("request.invalid"), QString(), clientAddress(request),
                      QStringLiteral("%1 %2: path not allowed")
                          .arg(QString::fromLatin1(request.method.left(20)),
                               QString::fromUtf8(request.rawPath.left(200))));
        return fail(
            400, "bad-path",
            tr("The path %1 is not allowed.").arg(QString::fromUtf8(request.rawPath.left(200))));
    }
    QByteArrayList allowed;
    for (const Route &r : std::as_const(m_routes)) {
        const auto m = r.pattern.match(request.path);
        if (!m.hasMatch())
            continue;
        if (r.method != request.method) {
            allowed << r.method;
            continue;
        }
        return r.run(request, m, reply);
    }
    if (allowed.isEmpty())
        return fail(404, "no-route", tr("There is no %1.").arg(request.path.left(200)));
    HttpResponse r =
        open311
            ? Open311::error(405, tr("Use %1 here.").arg(QString::fromLatin1(allowed.join(", "))))
            : errorResponse(405, QStringLiteral("method-not-allowed"),
                            tr("Use %1 here.").arg(QString::fromLatin1(allowed.join(", "))));
    r.addHeader("Allow", allowed.join(", "));
    reply(r);
}

std::optional<Account> PlatformService::authenticate(const HttpRequest &request,
                                                     const HttpReply &reply)
{
    const QByteArray header = request.header("Authorization");
    auto refuse = [&](const QString &message, const QString &user = QString()) {
        securityEvent(QStringLiteral("auth.refused"), user, clientAddress(request),
                      QStringLiteral("%1 %2: %3")
                          .arg(QString::fromLatin1(request.method.left(20)), request.path.left(200),
                               message));
        HttpResponse r = errorResponse(401, QStringLiteral("unauthorized"), message);
        r.addHeader("WWW-Authenticate", "Bearer");
        reply(r);
        return std::nullopt;
    };
    if (!header.startsWith("Bearer ") || header.size() > 300)
        return refuse(tr("Sign in first and send \"Authorization: Bearer TOKEN\"."));
    const QString token = QString::fromLatin1(header.mid(7).trimmed());
    const auto user = m_store->sessionUser(Passwords::tokenHash(token), now());
    if (!user)
        return refuse(tr("The session has expired or is unknown; sign in again."));
    auto account = m_store->account(*user);
    if (!account || account->disabled)
        return refuse(tr("The account %1 is disabled.").arg(*user), *user);
    return account;
}

void PlatformService::health(const HttpRequest &, HttpReply reply)
{
    reply(jsonResponse(200, {{QLatin1String("status"), QLatin1String("ok")},
                             {QLatin1String("version"), QLatin1String(CITYOPS_VERSION)},
                             {QLatin1String("protocol"), 1}}));
}

qint64 PlatformService::failuresKeptMs() const
{
    return std::max(m_options.throttleWindowMs, m_options.throttleUserWindowMs);
}

void PlatformService::login(const HttpRequest &request, HttpReply reply)
{
    auto login = sync::decodeLogin(request.body);
    if (!login)
        return reply(errorResponse(400, QStringLiteral("invalid"), login.error()));
    const qint64 t = now();
    const QHostAddress client = clientAddress(request);
    // The throttle's address: IPv6 by /64, since one host usually holds a whole /64.
    QString address = client.toString();
    if (client.protocol() == QAbstractSocket::IPv6Protocol) {
        Q_IPV6ADDR net = client.toIPv6Address();
        std::fill(net.c + 8, net.c + 16, quint8(0));
        address = QHostAddress(net).toString() + QLatin1String("/64");
    }
    const QString username = login->username.left(64); // decodeLogin allows 64; the log too
    auto throttled = [&](qint64 waitMs, const QString &why) {
        const qint64 seconds = std::max<qint64>(1, (waitMs + 999) / 1000);
        securityEvent(QStringLiteral("signin.throttled"), username, client,
                      QStringLiteral("%1; retry after %2 s").arg(why).arg(seconds));
        HttpResponse r =
            errorResponse(429, QStringLiteral("throttled"),
                          seconds < 60 ? tr("Too many sign-ins; try again in %n second(s).",
                                            nullptr, int(seconds))
                                       : tr("Too many failed sign-ins; try again in %n minute(s).",
                                            nullptr, int((seconds + 59) / 60)));
        r.addHeader("Retry-After", QByteArray::number(seconds));
        reply(r);
    };
    // Attempts being hashed count as failures until their answer is known, and only a few are
    // hashed at once: decided here, on the one thread, before any hashing starts.
    const int hashingUser = m_hashing.byUser.value(username);
    const int hashingAddress = m_hashing.byAddress.value(address);
    if (hashingUser >= m_options.hashingPerUser)
        return throttled(1000, QStringLiteral("sign-ins of this user are being checked"));
    if (hashingAddress >= m_options.hashingPerAddress)
        return throttled(1000, QStringLiteral("sign-ins from this address are being checked"));
    if (m_hashing.total >= m_options.hashingTotal)
        return throttled(1000, QStringLiteral("too many sign-ins are being checked"));
    const LoginFailures f = m_store->loginFailures(
        username, address, t - m_options.throttleUserWindowMs, t - m_options.throttleWindowMs);
    // Per address: a hard window.
    if (f.byAddress + hashingAddress >= m_options.throttleAddressFailures) {
        if (f.byAddress < m_options.throttleAddressFailures)
            return throttled(1000, QStringLiteral("sign-ins from this address are being checked"));
        return throttled(f.oldestByAddress + m_options.throttleWindowMs - t,
                         QStringLiteral("%1 failed sign-ins from this address").arg(f.byAddress));
    }
    // Per user: progressive delays, so an attacker elsewhere never locks the account out for
    // longer than the current delay.
    const int limit = m_options.throttleFailures;
    if (f.byUser + hashingUser >= limit) {
        if (hashingUser > 0)
            return throttled(1000, QStringLiteral("a sign-in of this user is being checked"));
        const int doublings = std::min(f.byUser - limit, 30);
        const qint64 delay =
            std::min(m_options.throttleMaxDelayMs, m_options.throttleDelayMs << doublings);
        if (t < f.newestByUser + delay)
            return throttled(f.newestByUser + delay - t,
                             QStringLiteral("%1 failed sign-ins of this user").arg(f.byUser));
    }
    ++m_hashing.byUser[username];
    ++m_hashing.byAddress[address];
    ++m_hashing.total;
    const std::optional<Account> account = m_store->account(username);
    // Unknown users cost the same time as known ones, so timing does not tell them apart.
    const QByteArray salt = account ? account->salt : QByteArray(16, 'x');
    const int iterations = account ? account->iterations : Passwords::kIterations;
    const QString password = login->password;
    QtConcurrent::run([password, salt, iterations] {
        return Passwords::hash(password, salt, iterations);
    }).then(this, [this, account, username, address, client, reply](const QByteArray &derived) {
        auto release = [](QHash<QString, int> &counts, const QString &key) {
            auto it = counts.find(key);
            if (it != counts.end() && --it.value() <= 0)
                counts.erase(it);
        };
        release(m_hashing.byUser, username);
        release(m_hashing.byAddress, address);
        --m_hashing.total;
        const qint64 t = now();
        if (!account || account->disabled || !Passwords::equal(derived, account->hash)) {
            (void)m_store->addLoginFailure(username, address, t);
            securityEvent(QStringLiteral("signin.failed"), username, client,
                          !account            ? QStringLiteral("unknown user")
                          : account->disabled ? QStringLiteral("account disabled")
                                              : QStringLiteral("wrong password"));
            HttpResponse r = errorResponse(401, QStringLiteral("unauthorized"),
                                           tr("Wrong user name or password."));
            return reply(r);
        }
        // The counter only: the security log keeps the failures as evidence.
        (void)m_store->clearLoginFailures(username);
        sync::SessionInfo s;
        s.token = Passwords::newToken();
        s.expiresAt = t + m_options.sessionSeconds * 1000;
        s.user = account->username;
        s.role = Names::key(account->role);
        s.person = account->person;
        s.displayName = account->displayName;
        s.org = account->org;
        s.scope = account->scope;
        if (Status st = m_store->addSession(Passwords::tokenHash(s.token), s.user, t, s.expiresAt,
                                            client.toString());
            !st)
            return reply(errorResponse(503, QStringLiteral("storage"), st.error()));
        securityEvent(QStringLiteral("signin.ok"), s.user, client, QString());
        reply(HttpResponse::json(200, sync::encodeSession(s)));
    });
}

void PlatformService::logout(const HttpRequest &request, HttpReply reply)
{
    if (!authenticate(request, reply))
        return;
    const QString token = QString::fromLatin1(request.header("Authorization").mid(7).trimmed());
    if (Status s = m_store->removeSession(Passwords::tokenHash(token)); !s)
        return reply(errorResponse(503, QStringLiteral("storage"), s.error()));
    reply(jsonResponse(200, {{QLatin1String("signedOut"), true}}));
}

Result<ResolvedScope> PlatformService::scopeOf(const Account &account)
{
    const QString key = account.scope + QLatin1Char('|') + account.person;
    const qint64 version = m_store->dataVersion();
    if (const auto it = m_scopes.constFind(account.username);
        it != m_scopes.cend() && it->key == key && it->dataVersion == version)
        return it->scope;
    auto scope = m_store->resolveScope(account);
    if (!scope)
        return scope;
    if (m_scopes.size() > 4096)
        m_scopes.clear();
    m_scopes.insert(account.username, CachedScope{key, version, *scope});
    return scope;
}

std::optional<ResolvedScope> PlatformService::scopeOrRefuse(const Account &account,
                                                            const HttpRequest &request,
                                                            const HttpReply &reply)
{
    // An account whose scope cannot be resolved gets nothing: 403, and a line in the log.
    auto scope = scopeOf(account);
    if (scope)
        return std::move(scope).value();
    securityEvent(QStringLiteral("scope.invalid"), account.username, clientAddress(request),
                  scope.error());
    reply(errorResponse(403, QStringLiteral("scope"), scope.error()));
    return std::nullopt;
}

void PlatformService::snapshot(const HttpRequest &request, HttpReply reply)
{
    const auto user = authenticate(request, reply);
    if (!user)
        return;
    const auto scope = scopeOrRefuse(*user, request, reply);
    if (!scope)
        return;
    const auto after = intParam(request.query, "after", 0, std::numeric_limits<qint64>::max(), 0);
    const auto limit =
        intParam(request.query, "limit", 1, sync::kMaxSnapshotLimit, sync::kDefaultPageLimit);
    if (!after || !limit)
        return reply(errorResponse(400, QStringLiteral("invalid"),
                                   tr("after must be a case id and limit a number from 1 to %1.")
                                       .arg(sync::kMaxSnapshotLimit)));
    // The binary page only for a client that asks for it (sync::kSnapshotBinaryType).
    const bool binary = request.header("Accept").toLower().contains(sync::kSnapshotBinaryType);
    auto page = m_store->snapshot(*after, int(*limit),
                                  binary ? sync::SnapshotWriter::Format::Binary
                                         : sync::SnapshotWriter::Format::Json,
                                  &*scope, user->role);
    if (!page)
        return reply(errorResponse(500, QStringLiteral("storage"), page.error()));
    HttpResponse ok = HttpResponse::json(200, std::move(page->body));
    if (binary)
        ok.contentType = sync::kSnapshotBinaryType;
    if (page->more)
        ok.addHeader(sync::kSnapshotNextHeader, QByteArray::number(page->next));
    reply(std::move(ok));
}

void PlatformService::reference(const HttpRequest &request, HttpReply reply)
{
    const auto user = authenticate(request, reply);
    if (!user)
        return;
    const auto scope = scopeOrRefuse(*user, request, reply);
    if (!scope)
        return;
    // This process never writes the reference tables; an administration command may (another
    // connection), which data_version notices.
    const qint64 dataVersion = m_store->dataVersion();
    if (!m_reference.district || dataVersion != m_reference.dataVersion) {
        auto data = m_store->reference();
        if (!data)
            return reply(errorResponse(500, QStringLiteral("storage"), data.error()));
        m_reference.district = std::move(data).value();
        m_reference.byScope.clear();
        m_reference.dataVersion = dataVersion;
    }
    // A scope's share depends on its person and user row too (PlatformStore::scopedReference).
    const QString key =
        scope->everything()
            ? QStringLiteral("district")
            : QStringList{user->scope, user->person, user->username}.join(QLatin1Char('|'));
    auto it = m_reference.byScope.find(key);
    if (it == m_reference.byScope.end()) {
        if (m_reference.byScope.size() >= 256)
            m_reference.byScope.clear();
        const sync::ReferenceData data =
            PlatformStore::scopedReference(*m_reference.district, *scope, user->username);
        it = m_reference.byScope.insert(
            key, {sync::encodeReference(data), '"' + data.version.toLatin1() + '"'});
    }
    const QByteArray etag = it->etag;
    if (request.header("If-None-Match") == etag) {
        HttpResponse notModified = HttpResponse::json(304, {});
        return reply(notModified.addHeader("ETag", etag));
    }
    HttpResponse ok = HttpResponse::json(200, it->body);
    reply(ok.addHeader("ETag", etag));
}

void PlatformService::changes(const HttpRequest &request, HttpReply reply)
{
    const auto user = authenticate(request, reply);
    if (!user)
        return;
    const auto scope = scopeOrRefuse(*user, request, reply);
    if (!scope)
        return;
    const auto since = intParam(request.query, "since", 0, std::numeric_limits<qint64>::max(), 0);
    const auto limit =
        intParam(request.query, "limit", 1, sync::kMaxChangesLimit, sync::kDefaultPageLimit);
    const auto wait = intParam(request.query, "wait", 0, sync::kMaxWaitSeconds, 0);
    if (!since || !limit || !wait)
        return reply(errorResponse(
            400, QStringLiteral("invalid"),
            tr("since must be a change number, limit from 1 to %1 and wait from 0 to %2 seconds.")
                .arg(sync::kMaxChangesLimit)
                .arg(sync::kMaxWaitSeconds)));
    const qint64 last = m_store->lastChangeSeq();
    if (*since > last)
        return reply(errorResponse(409, QStringLiteral("cursor-ahead"),
                                   tr("The cursor %1 is ahead of this platform's change feed (%2): "
                                      "take a new snapshot.")
                                       .arg(*since)
                                       .arg(last)));
    const quint64 id = m_nextWaiter++;
    m_waiters.emplace(id, Waiter{*since, int(*limit), reply, *scope, user->username, user->role});
    if (*since < last || *wait == 0)
        return answer(id);
    QTimer::singleShot(int(*wait * 1000), this, [this, id] { answer(id); });
}

void PlatformService::answer(quint64 id)
{
    const auto it = m_waiters.find(id);
    if (it == m_waiters.end())
        return;
    const Waiter w = it->second;
    m_waiters.erase(it);
    if (!w.reply.alive())
        return;
    auto page = m_store->changesSince(w.since, w.limit, &w.scope, w.username, w.role);
    if (!page)
        return w.reply(errorResponse(500, QStringLiteral("storage"), page.error()));
    w.reply(HttpResponse::json(200, sync::encodeChanges(*page)));
}

void PlatformService::answerWaiters()
{
    const qint64 last = m_store->lastChangeSeq();
    QList<quint64> ready;
    for (const auto &[id, w] : m_waiters) {
        if (w.since < last || !w.reply.alive())
            ready << id;
    }
    for (quint64 id : ready)
        answer(id);
}

void PlatformService::commands(const HttpRequest &request, HttpReply reply)
{
    const auto user = authenticate(request, reply);
    if (!user)
        return;
    const QByteArray type = request.header("Content-Type");
    if (!type.isEmpty() && !type.startsWith("application/json")) {
        securityEvent(QStringLiteral("request.invalid"), user->username, clientAddress(request),
                      QStringLiteral("POST /api/v1/commands: Content-Type %1")
                          .arg(QString::fromLatin1(type.left(100))));
        return reply(errorResponse(415, QStringLiteral("unsupported-media-type"),
                                   tr("Send the commands as application/json.")));
    }
    auto batch = sync::decodeCommands(request.body);
    if (!batch) {
        securityEvent(QStringLiteral("request.invalid"), user->username, clientAddress(request),
                      QStringLiteral("POST /api/v1/commands: %1").arg(batch.error()));
        return reply(errorResponse(400, QStringLiteral("invalid"), batch.error()));
    }
    // Batches that arrive while this turn of the event loop reads the sockets are decided
    // together on the next turn.
    if (m_queued.isEmpty())
        QMetaObject::invokeMethod(this, &PlatformService::decideQueued, Qt::QueuedConnection);
    CITYOPS_CRASH_POINT("platform.batch.begin");
    m_queued.append({*user, std::move(batch).value(), reply, clientAddress(request)});
}

void PlatformService::decideQueued()
{
    const QList<QueuedBatch> group = std::exchange(m_queued, {});
    if (group.isEmpty())
        return;
    // One commit (one fsync) for the group; each batch is a savepoint inside it and each command a
    // savepoint with its own record inside that, so a command is applied whole or not at all and
    // a batch whose store fails applies none of its commands. Answers go out only after the
    // commit: what is reported applied is on disk.
    Transaction tx(m_store->database());
    if (!tx.isActive()) {
        for (const QueuedBatch &b : group)
            b.reply(errorResponse(503, QStringLiteral("busy"),
                                  tr("The platform's store is busy; send the batch again.")));
        return;
    }
    struct Decided
    {
        QList<sync::CommandResult> results;
        bool failed = false;
    };
    QList<Decided> decided;
    decided.reserve(group.size());
    bool applied = false;
    for (const QueuedBatch &b : group) {
        Decided d;
        if (!m_store->inTransaction()) {
            // A store failure can end the transaction (SQLite rolls back on some errors): the
            // rest is not tried, and the commit below fails for the whole group.
            d.failed = true;
            decided.append(std::move(d));
            continue;
        }
        d.results.reserve(b.commands.size());
        Transaction batchTx(m_store->database());
        bool batchApplied = false;
        d.failed = !batchTx.isActive();
        for (const sync::ClientCommand &c : b.commands) {
            if (d.failed)
                break;
            sync::CommandResult r = execute(c, b.user, &d.failed);
            batchApplied = batchApplied || r.status == CommandStatus::Applied;
            d.results.append(std::move(r));
            CITYOPS_CRASH_POINT("platform.command.after");
        }
        if (!d.failed)
            d.failed = !batchTx.commit();
        applied = applied || (batchApplied && !d.failed);
        decided.append(std::move(d));
    }
    CITYOPS_CRASH_POINT("platform.commit.before");
    const Status committed = tx.commit();
    if (committed)
        CITYOPS_CRASH_POINT("platform.commit.after");
    for (qsizetype i = 0; i < group.size(); ++i) {
        const Status s = !committed             ? committed
                         : decided.at(i).failed ? Status(Error{tr("a command could not be stored")})
                                                : Status(Ok{});
        if (!s)
            group.at(i).reply(errorResponse(
                503, QStringLiteral("storage"),
                tr("Nothing of the batch was applied (%1); send it again.").arg(s.error())));
        else
            group.at(i).reply(HttpResponse::json(200, sync::encodeResults(decided.at(i).results)));
        if (s)
            logRefusedCommands(group.at(i), decided.at(i).results);
    }
    CITYOPS_CRASH_POINT("platform.reply.after");
    if (committed && applied) {
        emit commandsApplied(m_store->lastChangeSeq());
        answerWaiters();
    }
}

void PlatformService::logRefusedCommands(const QueuedBatch &batch,
                                         const QList<sync::CommandResult> &results)
{
    // Authorization refusals only (who may do what, to whom, where), not workflow conflicts.
    static const QStringList kAuthorization{QStringLiteral("role"),
                                            QStringLiteral("actor"),
                                            QStringLiteral("locality"),
                                            QStringLiteral("scope"),
                                            QStringLiteral("source-not-allowed"),
                                            QStringLiteral("device-not-allowed"),
                                            QStringLiteral("outside-area")};
    for (qsizetype j = 0; j < results.size() && j < batch.commands.size(); ++j) {
        const sync::CommandResult &r = results.at(j);
        if (r.status != CommandStatus::Rejected || !kAuthorization.contains(r.code))
            continue;
        const sync::ClientCommand &c = batch.commands.at(j);
        securityEvent(QStringLiteral("command.refused"), batch.user.username, batch.address,
                      QStringLiteral("%1 (command %2) on case %3 as %4 (%5): %6")
                          .arg(c.action, c.id)
                          .arg(r.caseId)
                          .arg(Names::key(batch.user.role), r.code, r.reason));
    }
}

const DistrictArea &PlatformService::district()
{
    // The reference tables change only through another connection (an administration command),
    // which data_version notices.
    const qint64 version = m_store->dataVersion();
    if (!m_district || version != m_districtVersion) {
        const auto data = m_store->reference();
        // Unreadable reference data: the last area read stays (or the city-wide fallback).
        if (data || !m_district)
            m_district = std::make_shared<const DistrictArea>(
                data ? DistrictArea::fromReference(*data, m_options.reportAreaMarginMetres)
                     : DistrictArea());
        m_districtVersion = version;
    }
    return *m_district;
}

sync::CommandResult PlatformService::execute(const sync::ClientCommand &c, const Account &user,
                                             bool *failed, Channel channel)
{
    sync::CommandResult r;
    r.id = c.id;
    if (const auto prior = m_store->appliedCommand(c.id)) {
        r.status = CommandStatus::Duplicate;
        r.original = prior->applied ? CommandStatus::Applied : CommandStatus::Rejected;
        r.reason = prior->reason;
        r.code = prior->code;
        r.caseId = prior->caseId;
        // An applied command answers the version it produced, that of its change in the feed, so
        // that the console knows when its cache holds it; a rejection the case's current version.
        r.version = prior->applied  ? prior->version
                    : prior->caseId ? std::max(0, m_store->caseVersion(prior->caseId))
                                    : 0;
        return r;
    }
    const qint64 at = now();
    AppliedCommand rec;
    rec.id = c.id;
    rec.username = user.username;
    rec.device = c.device;
    rec.action = c.action;
    rec.baseVersion = c.baseVersion;
    rec.clientAt = c.clientAt;
    rec.at = at;
    Transaction step(m_store->database()); // a savepoint inside the batch
    auto finish = [&](bool remember) {
        if (remember) {
            if (Status s = m_store->recordCommand(rec); !s) {
                *failed = true;
                return r;
            }
        }
        if (Status s = step.commit(); !s)
            *failed = true;
        r.status = rec.applied ? CommandStatus::Applied : CommandStatus::Rejected;
        r.original = r.status;
        r.reason = rec.reason;
        r.code = rec.code;
        r.caseId = rec.caseId;
        r.version = rec.version;
        return r;
    };
    auto reject = [&](const QString &code, const QString &reason, bool remember = true) {
        rec.code = code;
        rec.reason = reason;
        rec.version = rec.caseId ? std::max(0, m_store->caseVersion(rec.caseId)) : 0;
        return finish(remember);
    };

    for (const QString &sha : c.evidence) {
        // Not remembered: once the attachment is uploaded the same id can be sent again.
        if (!m_evidence->contains(sha))
            return reject(QStringLiteral("evidence-missing"),
                          tr("The attachment %1 has not been uploaded yet.").arg(sha.left(12)),
                          false);
    }
    const Actor actor{user.username, user.role, user.person, c.device};
    Outcome o;
    int before = 0;
    std::optional<CaseLocus> locus; // what a scope reads of the case before the command
    if (c.isReport()) {
        if (!Catalogue::builtin().find(c.category))
            return reject(QStringLiteral("argument"),
                          tr("Unknown category \"%1\".").arg(c.category));
        // Where a report came from is the channel's to say: Open311 and the cameras and sensors
        // have their own ways in, so a signed-in client may not claim their source or devices.
        // (Refusals are logged with the client's address by logRefusedCommands.)
        const DistrictArea &area = district();
        if (channel == Channel::Commands) {
            const auto source = Names::source(c.source);
            if (source && isChannelBound(*source))
                return reject(QStringLiteral("source-not-allowed"),
                              tr("A report from a signed-in client cannot have the source "
                                 "\"%1\": that channel files its own reports.")
                                  .arg(Names::label(*source)));
            if (area.isChannelDevice(c.device))
                return reject(QStringLiteral("device-not-allowed"),
                              tr("The device \"%1\" belongs to a camera, a sensor or the Open311 "
                                 "gateway; a signed-in client cannot report as it.")
                                  .arg(c.device.left(64)));
        }
        if (const auto outside = area.refusal(c.lon, c.lat))
            return reject(QStringLiteral("outside-area"), *outside);
        o = m_repository->report(c.toReport(), actor, at);
    } else {
        CaseId id = c.caseId;
        if (!id) {
            const auto origin = m_store->appliedCommand(c.caseRef);
            if (!origin || !origin->applied || origin->action != QLatin1String("report"))
                return reject(
                    QStringLiteral("not-found"),
                    tr("The report %1 this command refers to was not filed.").arg(c.caseRef));
            id = origin->caseId;
        }
        rec.caseId = id;
        const auto row = m_store->caseRow(id);
        if (!row)
            return reject(QStringLiteral("not-found"), tr("There is no case %1.").arg(id));
        before = row->version;
        // Only cases of the account's scope (issue 19); the refusal is logged.
        const auto scope = scopeOf(user);
        if (!scope)
            return reject(QStringLiteral("scope"), scope.error());
        if (!scope->sees(*row))
            return reject(QStringLiteral("scope"),
                          tr("Case %1 is outside your scope (%2).")
                              .arg(id)
                              .arg(Scope::parse(user.scope).value_or(Scope()).label()));
        locus = CaseLocus::of(*row);
        // The platform's unit registry, not the client, says who a person is
        // (CaseRepository::apply resolves the dispatch target).
        const Command cmd = c.toCommand();
        if (cmd.action == Action::MarkDuplicate && cmd.duplicateOf && cmd.duplicateOf != id &&
            m_store->caseVersion(cmd.duplicateOf) < 0)
            return reject(QStringLiteral("argument"),
                          tr("There is no case %1 to merge into.").arg(cmd.duplicateOf));
        o = m_repository->apply(id, cmd, actor, at);
    }
    switch (o.kind) {
    case Outcome::Applied: {
        rec.caseId = o.snapshot.id;
        rec.applied = true;
        rec.version = o.snapshot.seq;
        if (auto seq = m_store->appendChange(rec.caseId, before, at, c.id, locus); !seq) {
            *failed = true;
            return r;
        }
        return finish(true);
    }
    case Outcome::Rejected:
        return reject(o.rejection.code, o.rejection.reason);
    case Outcome::Failed:
        // The store itself failed (full disk, I/O error, damaged page): not the client's doing,
        // so nothing is remembered and the command can be sent again once the store works.
        if (!m_store->inTransaction() ||
            m_store->database().diagnose(o.error) != StorageFault::None) {
            *failed = true;
            return r;
        }
        break;
    }
    return reject(QStringLiteral("error"), o.error);
}

void PlatformService::putAttachment(const HttpRequest &request, const QString &sha, HttpReply reply)
{
    const auto user = authenticate(request, reply);
    if (!user)
        return;
    // Every refusal leaves a line in the security log (docs/security.md).
    auto refuse = [&](int status, const QString &code, const QString &message) {
        securityEvent(QStringLiteral("upload.refused"), user->username, clientAddress(request),
                      QStringLiteral("%1 %2 %3: %4").arg(status).arg(code, sha.left(64), message));
        reply(errorResponse(status, code, message));
    };
    if (!Uploads::mayUpload(user->role))
        return refuse(403, QStringLiteral("role"),
                      tr("A %1 does not attach evidence, so may not upload files.")
                          .arg(Names::label(user->role)));
    if (!sync::isSha256Hex(sha))
        return refuse(400, QStringLiteral("bad-hash"),
                      tr("An attachment is named by its SHA-256: 64 lowercase hex digits."));
    const QByteArray claimed = FileTypes::essence(request.header("Content-Type"));
    const bool unclaimed = claimed.isEmpty() || claimed == "application/octet-stream";
    const QString allowlist = QStringLiteral("JPEG, PNG, WebP, PDF");
    if (!unclaimed && !FileTypes::allowed(claimed))
        return refuse(415, QStringLiteral("type"),
                      tr("Attachments may be %1 files; %2 is not accepted.")
                          .arg(allowlist, QString::fromLatin1(claimed.left(100))));
    // The content decides the type; a claimed type must agree with it.
    auto checkType = [&](QByteArrayView head, QByteArray *mime) {
        const auto type = FileTypes::sniff(head);
        if (!type) {
            refuse(415, QStringLiteral("type"),
                   tr("The content is not a %1 file; nothing was stored.").arg(allowlist));
            return false;
        }
        if (!unclaimed && claimed != type->mime) {
            refuse(415, QStringLiteral("type"),
                   tr("The content is %1, not the %2 the request claims.")
                       .arg(QString::fromLatin1(type->mime), QString::fromLatin1(claimed)));
            return false;
        }
        *mime = type->mime;
        return true;
    };
    auto overQuota = [&](qint64 more) {
        const qint64 used = m_uploads->used(user->username);
        if (used + more <= m_options.uploads.quotaBytes)
            return false;
        refuse(413, QStringLiteral("quota"),
               tr("This upload of %1 bytes would exceed your upload quota of %2 MiB (%3 bytes "
                  "are in use); finish or abandon other uploads, or wait.")
                   .arg(more)
                   .arg(m_options.uploads.quotaBytes >> 20)
                   .arg(used));
        return true;
    };
    auto done = [&](int status, qint64 size) {
        reply(jsonResponse(status, {{QLatin1String("sha256"), sha},
                                    {QLatin1String("received"), size},
                                    {QLatin1String("size"), size},
                                    {QLatin1String("complete"), true}}));
    };
    if (const QString stored = m_evidence->pathFor(sha); !stored.isEmpty())
        return done(200, QFileInfo(stored).size());
    // Stores a complete, verified file through the evidence store, then forgets the upload.
    auto store = [&](const QString &file, qint64 size) {
        auto imported = m_evidence->import(file, false);
        m_uploads->remove(user->username, sha);
        if (!imported)
            return refuse(422, QStringLiteral("invalid"), imported.error());
        m_uploads->recordStored(user->username, sha, size);
        done(201, QFileInfo(m_evidence->pathFor(sha)).size());
    };
    const QByteArray range = request.header("Content-Range");
    const qint64 t = now();
    if (range.isEmpty()) {
        if (request.body.isEmpty())
            return refuse(400, QStringLiteral("invalid"), tr("The body is empty."));
        QByteArray mime;
        if (!checkType(request.body.left(FileTypes::kSniffBytes), &mime) ||
            overQuota(request.body.size()))
            return;
        if (sha256Hex(request.body) != sha)
            return refuse(422, QStringLiteral("hash-mismatch"),
                          tr("The body's SHA-256 is not %1; nothing was stored.").arg(sha));
        UploadSession s{user->username, sha, request.body.size(), t, t, mime, 0};
        const QString part = m_uploads->partPath(user->username, sha);
        QFile f(part);
        if (!m_uploads->save(s) || !f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            f.write(request.body) != request.body.size() || !f.flush()) {
            m_uploads->remove(user->username, sha);
            return reply(errorResponse(500, QStringLiteral("storage"), f.errorString()));
        }
        f.close();
        return store(part, request.body.size());
    }
    static const QRegularExpression re(
        QStringLiteral("^bytes (\\d{1,12})-(\\d{1,12})/(\\d{1,12})$"));
    const auto m = re.match(QString::fromLatin1(range.trimmed()));
    const qint64 first = m.captured(1).toLongLong();
    const qint64 last = m.captured(2).toLongLong();
    const qint64 total = m.captured(3).toLongLong();
    if (!m.hasMatch() || first > last || last >= total || request.body.size() != last - first + 1)
        return refuse(400, QStringLiteral("bad-range"),
                      tr("Content-Range must be \"bytes FIRST-LAST/TOTAL\" and match the body's "
                         "length."));
    if (total > EvidenceStore::kMaxBytes)
        return refuse(
            413, QStringLiteral("too-large"),
            tr("An attachment may have at most %1 MB.").arg(EvidenceStore::kMaxBytes >> 20));
    // The caller's own session: another user's upload of the same attachment is not visible
    // here and cannot be touched.
    std::optional<UploadSession> session = m_uploads->session(user->username, sha);
    if (session && session->total != total)
        return refuse(409, QStringLiteral("range"),
                      tr("Your upload of %1 has %2 bytes in all, not %3.")
                          .arg(sha)
                          .arg(session->total)
                          .arg(total));
    if (!session) {
        m_uploads->remove(user->username, sha); // an expired one not swept yet
        if (first != 0)
            return refuse(409, QStringLiteral("range"),
                          tr("You have no upload of %1 under way; start from byte 0.").arg(sha));
        if (overQuota(total))
            return;
        session = UploadSession{user->username, sha, total, t, t, {}, 0};
    }
    const qint64 have = session->received;
    auto progress = [&](qint64 received) {
        HttpResponse r = jsonResponse(202, {{QLatin1String("sha256"), sha},
                                            {QLatin1String("received"), received},
                                            {QLatin1String("size"), total},
                                            {QLatin1String("complete"), false}});
        r.addHeader("Upload-Offset", QByteArray::number(received));
        r.addHeader(
            "Upload-Expires",
            QLocale::c()
                .toString(QDateTime::fromMSecsSinceEpoch(m_uploads->expiresAt(*session), Qt::UTC),
                          QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                .toLatin1());
        reply(r);
    };
    const QString part = m_uploads->partPath(user->username, sha);
    // Every byte arrived before, but the platform stopped before verifying them: finish now
    // (otherwise the client, told it has sent everything, waits for ever; docs/reliability.md).
    const bool arrived = have == total;
    if (last < have && !arrived) // a chunk we already have (its answer was lost): harmless
        return progress(have);
    if (!arrived) {
        if (first != have)
            return refuse(
                409, QStringLiteral("range"),
                tr("The upload of %1 has %2 bytes; continue from byte %2.").arg(sha).arg(have));
        // The type is known once the first bytes are here; a later chunk's claim must agree.
        QByteArray head;
        if (session->mime.isEmpty() && have + request.body.size() >= FileTypes::kSniffBytes) {
            QFile f(part);
            if (have > 0 && f.open(QIODevice::ReadOnly))
                head = f.read(FileTypes::kSniffBytes);
            head += request.body.left(FileTypes::kSniffBytes - head.size());
        }
        if (!head.isEmpty() && !checkType(head, &session->mime)) {
            m_uploads->remove(user->username, sha);
            return;
        }
        if (!session->mime.isEmpty() && !unclaimed && claimed != session->mime)
            return refuse(
                415, QStringLiteral("type"),
                tr("The upload of %1 is %2, not %3.")
                    .arg(sha, QString::fromLatin1(session->mime), QString::fromLatin1(claimed)));
        session->updated = t;
        if (!m_uploads->save(*session))
            return reply(errorResponse(500, QStringLiteral("storage"),
                                       tr("Cannot record the upload of %1.").arg(sha)));
        {
            QFile f(part);
            if (!f.open(QIODevice::Append) || f.write(request.body) != request.body.size())
                return reply(errorResponse(500, QStringLiteral("storage"), f.errorString()));
        }
        session->received = last + 1;
        CITYOPS_CRASH_POINT("platform.chunk.after");
        if (last + 1 < total)
            return progress(last + 1);
    }
    QFile f(part);
    QCryptographicHash h(QCryptographicHash::Sha256);
    if (!f.open(QIODevice::ReadOnly))
        return reply(errorResponse(500, QStringLiteral("storage"), f.errorString()));
    const QByteArray head = f.peek(FileTypes::kSniffBytes);
    if (!h.addData(&f))
        return reply(errorResponse(500, QStringLiteral("storage"), f.errorString()));
    f.close();
    if (QString::fromLatin1(h.result().toHex()) != sha) {
        m_uploads->remove(user->username, sha);
        return refuse(422, QStringLiteral("hash-mismatch"),
                      tr("The uploaded bytes' SHA-256 is not %1; nothing was stored.").arg(sha));
    }
    // A file shorter than the sniffing window is judged now, whole.
    QByteArray mime;
    if (!checkType(head, &mime)) {
        m_uploads->remove(user->username, sha);
        return;
    }
    CITYOPS_CRASH_POINT("platform.upload.verified");
    store(part, total);
}

void PlatformService::personalData(const HttpRequest &request, CaseId id, HttpReply reply)
{
    const auto user = authenticate(request, reply);
    if (!user)
        return;
    const QHostAddress address = clientAddress(request);
    auto refuse = [&](int status, const QString &code, const QString &why) {
        securityEvent(QStringLiteral("personal.refused"), user->username, address,
                      QStringLiteral("case %1: %2").arg(id).arg(why));
        reply(errorResponse(status, code, why));
    };
    // Full personal data: only a role that may unmask, on a case of its scope, with a reason
    // that goes into the security log with the case.
    if (!PersonalData::mayUnmask(user->role))
        return refuse(
            403, QStringLiteral("role"),
            tr("A %1 may not see masked personal data in full.").arg(Names::label(user->role)));
    const QString reason =
        request.query.queryItemValue(QStringLiteral("reason"), QUrl::FullyDecoded).trimmed();
    if (reason.size() < 4 || reason.size() > 500)
        return refuse(400, QStringLiteral("reason"),
                      tr("Say why you need the personal data in full (4 to 500 characters)."));
    const auto scope = scopeOrRefuse(*user, request, reply);
    if (!scope)
        return;
    const auto row = m_store->caseRow(id);
    if (!row || !scope->sees(*row))
        return refuse(404, QStringLiteral("not-found"),
                      tr("There is no case %1 in your scope.").arg(id));
    securityEvent(QStringLiteral("personal.unmask"), user->username, address,
                  QStringLiteral("case %1: %2").arg(id).arg(reason));
    reply(jsonResponse(200, {{QLatin1String("case_id"), id},
                             {QLatin1String("party"), row->party.value_or(QString())},
                             {QLatin1String("description"), row->description}}));
}

void PlatformService::getAttachment(const HttpRequest &request, const QString &sha, HttpReply reply)
{
    const auto user = authenticate(request, reply);
    if (!user)
        return;
    if (!sync::isSha256Hex(sha))
        return reply(errorResponse(400, QStringLiteral("bad-hash"),
                                   tr("An attachment is named by its SHA-256: 64 lowercase hex "
                                      "digits.")));
    const QString stored = m_evidence->pathFor(sha);
    if (request.query.hasQueryItem(QStringLiteral("status"))) {
        // How much of the caller's own upload has arrived (never another user's).
        const auto session = m_uploads->session(user->username, sha);
        const qint64 size = !stored.isEmpty() ? QFileInfo(stored).size()
                            : session         ? session->received
                                              : 0;
        return reply(jsonResponse(200, {{QLatin1String("sha256"), sha},
                                        {QLatin1String("received"), size},
                                        {QLatin1String("complete"), !stored.isEmpty()}}));
    }
    const auto scope = scopeOrRefuse(*user, request, reply);
    if (!scope)
        return;
    // Evidence of a case the account's scope does not see is not there for it (issue 19); the
    // answer is the same as for an attachment that does not exist.
    bool visible =
        !stored.isEmpty() && (scope->everything() || m_uploads->storedBy(user->username, sha));
    if (!stored.isEmpty() && !visible) {
        for (const CaseLocus &c : m_store->evidenceCases(sha))
            visible = visible || scope->sees(c);
        if (!visible)
            securityEvent(QStringLiteral("attachment.refused"), user->username,
                          clientAddress(request),
                          QStringLiteral("GET attachment %1: no case of the scope %2 names it")
                              .arg(sha, user->scope));
    }
    if (!visible)
        return reply(errorResponse(404, QStringLiteral("not-found"),
                                   tr("There is no attachment %1.").arg(sha)));
    QFile f(stored);
    if (!f.open(QIODevice::ReadOnly))
        return reply(errorResponse(500, QStringLiteral("storage"), f.errorString()));
    HttpResponse r;
    r.body = f.readAll();
    // The type comes from the content, never from what was claimed or recorded: a file that is
    // not on the allowlist (stored by an older build) is served as bytes to save, never shown.
    const auto type = FileTypes::sniff(r.body.left(FileTypes::kSniffBytes));
    r.contentType = type ? type->mime : QByteArray("application/octet-stream");
    r.addHeader("X-Content-Type-Options", "nosniff");
    r.addHeader("Content-Disposition", "attachment; filename=\"" + sha.toLatin1() + '.' +
                                           (type ? type->extension : QByteArray("bin")) + '"');
    r.addHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    r.addHeader("Cache-Control", "private, max-age=31536000, immutable");
    reply(r);
}

} // namespace cityops::platform
