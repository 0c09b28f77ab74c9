#include "platformservice.h"

#include <QDebug>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QTimer>

namespace cityops::platform {

namespace {

/** Lines one client address may write a minute; more are counted in one "log.suppressed" line. */
constexpr int kLinesPerAddressPerMinute = 60;
/** Lines all addresses together may write a minute (many addresses: a distributed flood). */
constexpr int kLinesPerMinute = 1200;
/** Identical lines (kind, user, address, detail) within this window become one line's count. */
constexpr qint64 kCoalesceMs = 1000;
constexpr qint64 kBudgetMs = 60 * 1000;
constexpr qint64 kDayMs = 24 * 3600 * 1000LL;

} // namespace

/**
 * Keeps a flood of refusals from making the log the denial of service: identical lines within a
 * second become one line with a count, and past a per-address and a global budget a minute lines
 * are only counted, in one "log.suppressed" line per address when the minute ends. Lines that
 * arrive while the store is inside a transaction (a command batch) wait for it to end, so a
 * rolled-back batch never takes its refusals with it.
 *
 * Threading: the service's thread only, like the store.
 */
struct PlatformService::SecurityLogState
{
    explicit SecurityLogState(PlatformService *service) : service(service)
    {
        clock.start();
        flushTimer = new QTimer(service);
        flushTimer->setInterval(int(kCoalesceMs));
        QObject::connect(flushTimer, &QTimer::timeout, service, [this] { flush(false); });
    }
    ~SecurityLogState()
    {
        flush(true);
        delete flushTimer;
    }

    struct Recent
    {
        qint64 since = 0; ///< monotonic ms of the line written for this key
        int more = 0;     ///< identical lines since
        sync::SecurityLogEntry line;
    };
    struct Budget
    {
        qint64 since = 0;
        int written = 0;
        int suppressed = 0;
        QString user; ///< the last user named by a suppressed line
    };

    void add(sync::SecurityLogEntry line)
    {
        const qint64 t = clock.elapsed();
        const QString key = line.kind + QChar(0x1f) + line.user + QChar(0x1f) + line.address +
                            QChar(0x1f) + line.detail;
        if (auto it = recent.find(key); it != recent.end()) {
            if (t - it->since < kCoalesceMs) {
                ++it->more;
                if (!flushTimer->isActive())
                    flushTimer->start();
                return;
            }
            // Its second is over: the lines it coalesced are counted before a new one starts
            // (the new entry would replace it and lose them).
            writeCount(*it, t);
            recent.erase(it);
        }
        Budget &mine = budget(perAddress[line.address], t);
        Budget &all = budget(global, t);
        if (mine.written >= kLinesPerAddressPerMinute || all.written >= kLinesPerMinute) {
            Budget &b = mine.written >= kLinesPerAddressPerMinute ? mine : all;
            ++b.suppressed;
            if (!line.user.isEmpty())
                b.user = line.user;
            if (!flushTimer->isActive())
                flushTimer->start();
            return;
        }
        ++mine.written;
        ++all.written;
        recent.insert(key, Recent{t, 0, line});
        write(std::move(line));
        if (!flushTimer->isActive())
            flushTimer->start();
    }

    Budget &budget(Budget &b, qint64 t)
    {
        if (t - b.since >= kBudgetMs && b.suppressed == 0)
            b = Budget{t, 0, 0, {}};
        return b;
    }

    /** The line that counts what an entry coalesced, if anything. */
    void writeCount(const Recent &r, qint64 t)
    {
        if (r.more <= 0)
            return;
        // The count line is a line too: it spends the budget like any other.
        Budget &mine = budget(perAddress[r.line.address], t);
        Budget &every = budget(global, t);
        if (mine.written >= kLinesPerAddressPerMinute || every.written >= kLinesPerMinute) {
            (mine.written >= kLinesPerAddressPerMinute ? mine : every).suppressed += r.more;
            return;
        }
        ++mine.written;
        ++every.written;
        sync::SecurityLogEntry line = r.line;
        line.at = service->now();
        line.count = r.more;
        write(std::move(line));
    }

    /** Writes what is due: counts of coalesced lines and suppressed lines, deferred lines. */
    void flush(bool all)
    {
        const qint64 t = clock.elapsed();
        for (auto it = recent.begin(); it != recent.end();) {
            if (!all && t - it->since < kCoalesceMs) {
                ++it;
                continue;
            }
            writeCount(*it, t);
            it = recent.erase(it);
        }
        auto suppressed = [&](Budget &b, const QString &address) {
            if (b.suppressed == 0 || (!all && t - b.since < kBudgetMs))
                return;
            sync::SecurityLogEntry line;
            line.at = service->now();
            line.kind = QStringLiteral("log.suppressed");
            line.user = b.user;
            line.address = address;
            line.count = b.suppressed;
            line.detail = PlatformService::tr("%n more line(s) not written: over %1 a minute",
                                              nullptr, b.suppressed)
                              .arg(address.isEmpty() ? kLinesPerMinute : kLinesPerAddressPerMinute);
            write(std::move(line));
            b = Budget{t, 0, 0, {}};
        };
        for (auto it = perAddress.begin(); it != perAddress.end();) {
            suppressed(*it, it.key());
            if (all || (it->suppressed == 0 && t - it->since >= kBudgetMs))
                it = perAddress.erase(it);
            else
                ++it;
        }
        suppressed(global, QString());
        writeDeferred();
        if (recent.isEmpty() && perAddress.isEmpty() && deferred.isEmpty() &&
            global.suppressed == 0)
            flushTimer->stop();
    }

    void write(sync::SecurityLogEntry line)
    {
        deferred.append(std::move(line));
        writeDeferred();
    }

    void writeDeferred()
    {
        PlatformStore &store = *service->m_store;
        if (store.inTransaction()) {
            // After the batch's commit (or rollback): the next turn of the event loop.
            if (!deferredQueued) {
                deferredQueued = true;
                QTimer::singleShot(0, service, [this] {
                    deferredQueued = false;
                    writeDeferred();
                });
            }
            return;
        }
        const QList<sync::SecurityLogEntry> lines = std::exchange(deferred, {});
        for (const sync::SecurityLogEntry &line : lines) {
            if (auto id = store.appendSecurityLog(line); !id)
                qWarning().noquote() << "security log: cannot write" << line.kind << line.user
                                     << line.address << line.detail << ":" << id.error();
        }
    }

    PlatformService *service;
    QElapsedTimer clock;
    QTimer *flushTimer;
    QHash<QString, Recent> recent;
    QHash<QString, Budget> perAddress;
    Budget global;
    QList<sync::SecurityLogEntry> deferred;
    bool deferredQueued = false;
};

// The security log's seam (issue 18): every refusal and sign-in comes through here.
void PlatformService::securityEvent(const QString &kind, const QString &user,
                                    const QHostAddress &address, const QString &detail)
{
    if (!m_store)
        return;
    if (!m_securityLog)
        m_securityLog = std::make_shared<SecurityLogState>(this);
    sync::SecurityLogEntry line;
    line.at = now();
    line.kind = kind.left(100);
    line.user = user.left(200);
    line.address = address.isNull() ? QString() : address.toString();
    line.detail = detail.left(1000);
    m_securityLog->add(std::move(line));
}

QHostAddress PlatformService::clientAddress(const HttpRequest &request) const
{
    if (m_options.trustedProxies.isEmpty())
        return TrustedProxies::normalized(request.remote);
    // Several X-Forwarded-For fields are one list, in order (RFC 9110 §5.3).
    QByteArray forwardedFor;
    for (const auto &h : request.headers) {
        if (h.first.compare("X-Forwarded-For", Qt::CaseInsensitive) == 0)
            forwardedFor += (forwardedFor.isEmpty() ? QByteArray() : QByteArray(",")) + h.second;
    }
    return m_options.trustedProxies.clientAddress(request.remote, forwardedFor);
}

void PlatformService::startSecurityLog()
{
    if (!m_securityLog)
        m_securityLog = std::make_shared<SecurityLogState>(this);
    auto purge = [this] {
        const qint64 before = now() - qint64(m_options.securityLogDays) * kDayMs;
        if (auto gone = m_store->purgeSecurityLog(before); !gone)
            qWarning().noquote() << "security log: the retention purge failed:" << gone.error();
    };
    purge();
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, purge);
    timer->start(3600 * 1000);
}

std::optional<Account> PlatformService::authenticateAuditor(const HttpRequest &request,
                                                            const HttpReply &reply)
{
    auto account = authenticate(request, reply);
    if (!account)
        return std::nullopt;
    if (account->role != Role::Auditor) {
        securityEvent(
            QStringLiteral("access.refused"), account->username, clientAddress(request),
            QStringLiteral("%1 %2: role %3, auditor only")
                .arg(QString::fromLatin1(request.method), request.path, Names::key(account->role)));
        reply(errorResponse(403, QStringLiteral("forbidden"),
                            tr("Only an auditor may read the security log.")));
        return std::nullopt;
    }
    return account;
}

void PlatformService::securityLog(const HttpRequest &request, HttpReply reply)
{
    if (!authenticateAuditor(request, reply))
        return;
    const auto query = sync::SecurityLogQuery::fromUrlQuery(request.query);
    if (!query) {
        securityEvent(QStringLiteral("request.invalid"), QString(), clientAddress(request),
                      QStringLiteral("GET %1: %2").arg(request.path, query.error()));
        return reply(errorResponse(400, QStringLiteral("invalid"), query.error()));
    }
    // Lines waiting for their second or for a transaction belong in the answer.
    if (m_securityLog)
        m_securityLog->writeDeferred();
    const auto page = m_store->securityLog(*query);
    if (!page)
        return reply(errorResponse(500, QStringLiteral("storage"), page.error()));
    reply(HttpResponse::json(200, sync::encodeSecurityLog(*page)));
}

void PlatformService::securityLogVerify(const HttpRequest &request, HttpReply reply)
{
    if (!authenticateAuditor(request, reply))
        return;
    reply(HttpResponse::json(200, sync::encodeVerification(m_store->verifySecurityLog())));
}

} // namespace cityops::platform
