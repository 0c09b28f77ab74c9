#pragma once

// Helpers for tests that run the real cityops-platform binary on 127.0.0.1 (port 0) and talk
// HTTP to it with QNetworkAccessManager.

#include "storage/database.h"
#include "storage/platformstore.h"
#include "sync/protocol.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <map>
#include <memory>

namespace cityops::test {

/** The error of a failed Result (Qt 6.4 evaluates a QVERIFY2 message even on success). */
template <typename R> QString why(const R &r)
{
    return r ? QString() : r.error();
}

/** The platform binary, started on 127.0.0.1 with a random port; stopped with SIGTERM. */
class PlatformProcess
{
public:
    ~PlatformProcess() { stop(); }

    /** Starts it and waits for "listening on URL"; false (with the output) when it does not. */
    bool start(const QString &dataDir, const QStringList &extra = {},
               const QString &listen = QStringLiteral("127.0.0.1:0"))
    {
        m_dataDir = dataDir;
        m_process = std::make_unique<QProcess>();
        m_process->start(
            QStringLiteral(CITYOPS_PLATFORM_BIN),
            QStringList{QStringLiteral("--data"), dataDir, QStringLiteral("--listen"), listen} +
                extra);
        if (!m_process->waitForStarted(10000))
            return false;
        static const QRegularExpression re(QStringLiteral("listening on (\\S+)"));
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000) {
            m_out += m_process->readAllStandardOutput();
            const auto m = re.match(QString::fromUtf8(m_out));
            if (m.hasMatch()) {
                m_url = QUrl(m.captured(1));
                return true;
            }
            if (m_process->state() == QProcess::NotRunning)
                break;
            QSignalSpy ready(m_process.get(), &QProcess::readyReadStandardOutput);
            ready.wait(500);
        }
        m_out += m_process->readAllStandardOutput() + m_process->readAllStandardError();
        return false;
    }

    /** SIGTERM, then the exit code (-1 when it did not stop within 10 s). */
    int stop()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return m_process ? m_process->exitCode() : -1;
        m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
            return -1;
        }
        m_err += m_process->readAllStandardError();
        return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    }

    QUrl url() const { return m_url; }
    QString dataDir() const { return m_dataDir; }
    QString databasePath() const { return PlatformStore::pathInDir(m_dataDir); }
    QByteArray output() const { return m_out; }
    QByteArray errors() const { return m_err; }

private:
    std::unique_ptr<QProcess> m_process;
    QString m_dataDir;
    QUrl m_url;
    QByteArray m_out;
    QByteArray m_err;
};

/** One HTTP answer. */
struct Answer
{
    int status = 0;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    qint64 ms = 0;

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
    QString errorCode() const
    {
        return object()
            .value(QLatin1String("error"))
            .toObject()
            .value(QLatin1String("code"))
            .toString();
    }
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
};

/** A client of the platform: a QNetworkAccessManager and (after login) a bearer token. */
class Client
{
public:
    explicit Client(QUrl base) : m_base(std::move(base)) {}

    QNetworkReply *send(const QByteArray &method, const QString &pathAndQuery,
                        const QByteArray &body = {},
                        const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QUrl url = m_base;
        const qsizetype q = pathAndQuery.indexOf(QLatin1Char('?'));
        url.setPath(pathAndQuery.left(q));
        if (q >= 0)
            url.setQuery(pathAndQuery.mid(q + 1));
        QNetworkRequest r(url);
        if (!m_token.isEmpty())
            r.setRawHeader("Authorization", "Bearer " + m_token);
        bool typed = false;
        for (const auto &h : headers) {
            r.setRawHeader(h.first, h.second);
            typed = typed || h.first.compare("Content-Type", Qt::CaseInsensitive) == 0;
        }
        if (!body.isEmpty() && !typed)
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        return m_nam.sendCustomRequest(r, method, body);
    }

    /** Waits for a reply (at most `timeoutMs`). */
    static Answer wait(QNetworkReply *reply, int timeoutMs = 40000)
    {
        QElapsedTimer t;
        t.start();
        if (!reply->isFinished()) {
            QSignalSpy done(reply, &QNetworkReply::finished);
            done.wait(timeoutMs);
        }
        Answer a;
        a.ms = t.elapsed();
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
        a.headers = reply->rawHeaderPairs();
        reply->deleteLater();
        return a;
    }

    Answer request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                   const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return wait(send(method, path, body, headers));
    }
    Answer get(const QString &path) { return request("GET", path); }
    Answer post(const QString &path, const QByteArray &body) { return request("POST", path, body); }

    /** Signs in; the token is then sent with every request. */
    Answer login(const QString &user, const QString &password = QStringLiteral("demo"))
    {
        m_token.clear();
        const Answer a =
            post(QStringLiteral("/api/v1/session"), sync::encodeLogin({user, password}));
        if (a.status == 200)
            m_token = a.object().value(QLatin1String("token")).toString().toLatin1();
        return a;
    }
    void setToken(const QByteArray &token) { m_token = token; }
    QByteArray token() const { return m_token; }

    /** Sends a batch; the results, or an empty list when the answer was not 200. */
    QList<sync::CommandResult> commands(const QList<sync::ClientCommand> &batch,
                                        Answer *raw = nullptr)
    {
        const Answer a = post(QStringLiteral("/api/v1/commands"), sync::encodeCommands(batch));
        if (raw)
            *raw = a;
        if (a.status != 200)
            return {};
        auto r = sync::decodeResults(a.body);
        return r ? *r : QList<sync::CommandResult>{};
    }

    QUrl base() const { return m_base; }

private:
    QNetworkAccessManager m_nam;
    QUrl m_base;
    QByteArray m_token;
};

/** The outcome of running a program: exit code (-1 when it crashed or hung), stdout, stderr. */
struct Run
{
    int rc = -1;
    QString out;
    QString err;
};

/** Runs a program (e.g. cityops-cli) with `input` on its standard input. */
inline Run runProgram(const QString &program, const QStringList &args, const QByteArray &input = {})
{
    QProcess p;
    p.start(program, args);
    p.waitForStarted();
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

/** The rows of a query on a database (read-only, its own connection), columns joined by '|'. */
inline QStringList column(const QString &dbPath, const QString &sql)
{
    Database::Options ro;
    ro.readOnly = true;
    auto db = Database::open(dbPath, ro);
    if (!db)
        return {QStringLiteral("error: ") + db.error()};
    QStringList out;
    QSqlQuery q((*db)->sql());
    if (!q.exec(sql))
        return {QStringLiteral("error: ") + q.lastError().text()};
    while (q.next()) {
        QStringList row;
        for (int i = 0; i < q.record().count(); ++i)
            row << q.value(i).toString();
        out << row.join(QLatin1Char('|'));
    }
    return out;
}

/** Integers of a column (ids), sorted. */
inline QList<qint64> sortedIds(const QStringList &values)
{
    QList<qint64> out;
    for (const QString &v : values)
        out << v.toLongLong();
    std::sort(out.begin(), out.end());
    return out;
}

/** Clients signed in to a platform as its demo accounts (password "demo"), made on first use. */
class DemoAccounts
{
public:
    explicit DemoAccounts(const PlatformProcess &platform) : m_platform(platform) {}

    Client &as(const QString &user)
    {
        auto &c = m_clients[user];
        if (!c) {
            c = std::make_unique<Client>(m_platform.url());
            const Answer a = c->login(user);
            if (a.status != 200)
                qFatal("cannot sign in as %s: %d %s", qPrintable(user), a.status,
                       a.body.constData());
        }
        return *c;
    }

private:
    const PlatformProcess &m_platform;
    std::map<QString, std::unique_ptr<Client>> m_clients;
};

inline QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/** A report of a new case. */
inline sync::ClientCommand report(const QString &category, const QString &description,
                                  double lon = 121.47, double lat = 31.25)
{
    ReportInput in;
    in.category = category;
    in.description = description;
    in.lon = lon;
    in.lat = lat;
    return sync::ClientCommand::fromReport(newId(), in, QStringLiteral("test-console"), 1);
}

/** A command on a case (by id, or by the id of the report command that filed it). */
inline sync::ClientCommand command(Action a, CaseId id, const QString &caseRef = {})
{
    Command c;
    c.action = a;
    sync::ClientCommand cc =
        sync::ClientCommand::fromCommand(newId(), id, c, QStringLiteral("test-console"), 1, 0);
    cc.caseRef = caseRef;
    return cc;
}

/** SHA-256 of every table of a database but the security log, by name (its own connection). */
inline QMap<QString, QByteArray> tableHashes(const QString &path)
{
    Database::Options ro;
    ro.readOnly = true;
    auto db = Database::open(path, ro);
    if (!db)
        qFatal("cannot open %s: %s", qPrintable(path), qPrintable(db.error()));
    QStringList tables;
    {
        QSqlQuery q((*db)->sql());
        // The security log grows with every refusal by design (issue 18): not "a change".
        q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT "
                              "LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'security_log%' ORDER BY "
                              "name"));
        while (q.next())
            tables << q.value(0).toString();
    }
    QMap<QString, QByteArray> out;
    for (const QString &t : tables)
        out.insert(t, tableHash(**db, t));
    return out;
}

/** A raw request on a socket, so the path reaches the platform exactly as written. */
inline QByteArray rawRequest(const QUrl &base, const QByteArray &request)
{
    QTcpSocket s;
    s.connectToHost(base.host(), quint16(base.port()));
    if (!s.waitForConnected(5000))
        return {};
    s.write(request);
    QByteArray out;
    while (s.waitForReadyRead(5000)) {
        out += s.readAll();
        const qsizetype end = out.indexOf("\r\n\r\n");
        if (end < 0)
            continue;
        static const QRegularExpression len(QStringLiteral("(?i)content-length:\\s*(\\d+)"));
        const auto m = len.match(QString::fromLatin1(out.left(end)));
        if (out.size() >= end + 4 + (m.hasMatch() ? m.captured(1).toLongLong() : 0))
            break;
    }
    return out;
}

} // namespace cityops::test
