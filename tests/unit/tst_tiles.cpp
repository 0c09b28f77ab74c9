// Map tiles: MBTiles files, the disk cache, URL templates, fetching against a real local HTTP
// server (caching rules, revalidation, outages, limits), and prefetch planning and running.
#include "geo/prefetch.h"
#include "geo/tilefetcher.h"
#include "geo/tilesource.h"
#include "storage/mbtiles.h"
#include "storage/tilecache.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QPointer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <sqlite3.h>

#include <climits>

using namespace cityops;
using namespace cityops::geo;

namespace {

/** Shanghai padded to include the islets (REFERENCE.md), as x = lon, y = lat. */
const QRectF kShanghai(QPointF(120.85, 30.65), QPointF(122.25, 31.90));

QString httpDate(const QDateTime &t)
{
    return QLocale::c().toString(t.toUTC(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray randomBytes(int n, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray b(n, Qt::Uninitialized);
    for (char &c : b)
        c = char(rng.bounded(256));
    return b;
}

/** A raw sqlite3 connection for checking what is really in a file. */
struct Raw
{
    sqlite3 *db = nullptr;
    explicit Raw(const QString &path, bool write = false)
    {
        sqlite3_open_v2(QFile::encodeName(path).constData(), &db,
                        write ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY,
                        nullptr);
    }
    ~Raw() { sqlite3_close_v2(db); }
    qint64 scalar(const char *sql) const
    {
        sqlite3_stmt *st = nullptr;
        qint64 v = LLONG_MIN;
        if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
    }
    bool exec(const char *sql) const
    {
        return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    }
};

} // namespace

/**
 * A real HTTP/1.1 tile server on 127.0.0.1: serves generated PNG tiles at /z/x/y.png with
 * configurable caching headers, answers If-None-Match with 304, can fail paths with a status,
 * delay answers, and stop (an outage) and start again on the same port.
 */
class TileServer : public QObject
{
    Q_OBJECT
public:
    QByteArray cacheControl = "max-age=3600";
    /** Seconds from now for an Expires header; INT_MIN sends none. */
    int expiresIn = INT_MIN;
    bool sendEtag = true;
    QByteArray contentType = "image/png";
    int delayMs = 0;
    QHash<QByteArray, int> statusFor;
    /** Changing it changes every tile and its ETag. */
    int version = 1;

    int requests = 0;
    int notModified = 0;
    int maxConcurrent = 0;
    QList<QByteArray> paths;
    QByteArray lastUserAgent;
    QByteArray lastIfNoneMatch;

    TileServer() { connect(&m_server, &QTcpServer::newConnection, this, &TileServer::accept); }

    bool start(quint16 port = 0)
    {
        if (!m_server.listen(QHostAddress::LocalHost, port))
            return false;
        m_port = m_server.serverPort();
        return true;
    }
    void stop()
    {
        m_server.close();
        for (const QPointer<QTcpSocket> &s : std::as_const(m_sockets)) {
            if (s)
                s->abort();
        }
        m_sockets.clear();
    }
    quint16 port() const { return m_port; }
    QString urlTemplate() const
    {
        return QStringLiteral("http://127.0.0.1:%1/{z}/{x}/{y}.png").arg(m_port);
    }
    static QByteArray pathOf(TileId t)
    {
        return QStringLiteral("/%1/%2/%3.png").arg(t.z).arg(t.x).arg(t.y).toLatin1();
    }
    QByteArray etagFor(const QByteArray &path) const
    {
        return '"' +
               QCryptographicHash::hash(path + QByteArray::number(version), QCryptographicHash::Md5)
                   .toHex()
                   .left(16) +
               '"';
    }
    QByteArray png(const QByteArray &path) const
    {
        const QByteArray h =
            QCryptographicHash::hash(path + QByteArray::number(version), QCryptographicHash::Md5);
        QImage img(256, 256, QImage::Format_RGB32);
        img.fill(QColor(uchar(h[0]), uchar(h[1]), uchar(h[2])));
        for (int i = 0; i < 256; ++i)
            img.setPixel(i, uchar(h[3 + i % 8]), 0xff000000u | uint(i));
        QBuffer buf;
        buf.open(QIODevice::WriteOnly);
        img.save(&buf, "PNG");
        return buf.data();
    }
    QByteArray png(TileId t) const { return png(pathOf(t)); }

signals:
    void requestReceived(const QByteArray &path);

private:
    void accept()
    {
        while (QTcpSocket *s = m_server.nextPendingConnection()) {
            m_sockets.append(s);
            connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    }
    void read(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        qsizetype end;
        while ((end = buf.indexOf("\r\n\r\n")) >= 0) {
            const QList<QByteArray> lines = buf.left(end).split('\n');
            buf.remove(0, end + 4);
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            QHash<QByteArray, QByteArray> headers;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines[i].indexOf(':');
                if (colon > 0)
                    headers.insert(lines[i].left(colon).trimmed().toLower(),
                                   lines[i].mid(colon + 1).trimmed());
            }
            const QByteArray path = requestLine.value(1);
            ++requests;
            paths.append(path);
            lastUserAgent = headers.value("user-agent");
            lastIfNoneMatch = headers.value("if-none-match");
            maxConcurrent = std::max(maxConcurrent, ++m_current);
            emit requestReceived(path);
            const QByteArray response = respond(path, headers);
            QPointer<QTcpSocket> guard(s);
            auto send = [this, guard, response] {
                --m_current;
                if (guard && guard->state() == QAbstractSocket::ConnectedState)
                    guard->write(response);
            };
            if (delayMs > 0)
                QTimer::singleShot(delayMs, this, send);
            else
                send();
        }
    }
    QByteArray respond(const QByteArray &path, const QHash<QByteArray, QByteArray> &headers)
    {
        int status = statusFor.value(path, 200);
        const QByteArray etag = etagFor(path);
        if (status == 200 && sendEtag && headers.value("if-none-match") == etag) {
            status = 304;
            ++notModified;
        }
        QByteArray body;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' +
                          (status == 200   ? "OK"
                           : status == 304 ? "Not Modified"
                           : status == 404 ? "Not Found"
                                           : "Error") +
                          "\r\n";
        if (status == 200) {
            body = png(path);
            head += "Content-Type: " + contentType + "\r\n";
        } else if (status != 304) {
            body = "no such tile";
            head += "Content-Type: text/plain\r\n";
        }
        if (status == 200 || status == 304) {
            if (!cacheControl.isEmpty())
                head += "Cache-Control: " + cacheControl + "\r\n";
            if (sendEtag)
                head += "ETag: " + etag + "\r\n";
            if (expiresIn != INT_MIN)
                head += "Expires: " +
                        httpDate(QDateTime::currentDateTimeUtc().addSecs(expiresIn)).toLatin1() +
                        "\r\n";
        }
        head += "Date: " + httpDate(QDateTime::currentDateTimeUtc()).toLatin1() + "\r\n";
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        head += "Connection: keep-alive\r\n\r\n";
        return head + body;
    }

    QTcpServer m_server;
    QList<QPointer<QTcpSocket>> m_sockets;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_current = 0;
    quint16 m_port = 0;
};

class TestTiles : public QObject
{
    Q_OBJECT

    static TileSource localSource(const TileServer &server, const QString &id = "local")
    {
        auto s = TileSource::generic(server.urlTemplate(), QStringLiteral("Local test server"));
        if (!s)
            qFatal("%s", qPrintable(s.error()));
        TileSource out = *s;
        out.id = id;
        out.allowsPrefetch = true;
        out.maxPrefetchTiles = 100000;
        return out;
    }
    /** Waits until spy has at least n signals (QSignalSpy::wait, no sleeps). */
    static bool waitCount(QSignalSpy &spy, int n, int timeoutMs = 10000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (spy.count() < n && !deadline.hasExpired())
            spy.wait(int(std::max<qint64>(1, deadline.remainingTime())));
        return spy.count() >= n;
    }
    static TileId tileOf(const QList<QVariant> &args) { return args.at(1).value<TileId>(); }

    QNetworkAccessManager m_nam;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // Loopback only: a proxy from the environment must not see the test server.
        QNetworkProxyFactory::setUseSystemConfiguration(false);
        QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
        qRegisterMetaType<TileId>();
    }

    // ---- URL templates and sources -------------------------------------------------------

    void tileUrl_data()
    {
        QTest::addColumn<TileSource>("source");
        QTest::addColumn<TileId>("tile");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("expected");

        const TileId t{15, 27437, 13392}; // People's Square; (x + y) % 8 = 5, % 4 = 1
        QTest::addRow("tianditu-vec")
            << TileSource::tianditu(TileSource::TiandituLayer::Vec) << t << "0123abcd"
            << "https://t5.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&"
               "LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX=15&TILEROW=13392&"
               "TILECOL=27437&tk=0123abcd";
        QTest::addRow("tianditu-cia")
            << TileSource::tianditu(TileSource::TiandituLayer::Cia) << TileId{3, 6, 3} << "k"
            << "https://t1.tianditu.gov.cn/cia_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&"
               "LAYER=cia&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX=3&TILEROW=3&"
               "TILECOL=6&tk=k";
        QTest::addRow("gaode") << TileSource::gaodeRoad() << t << QString()
                               << "https://webrd02.is.autonavi.com/appmaptile?lang=zh_cn&size=1&"
                                  "scale=1&style=8&x=27437&y=13392&z=15";
        QTest::addRow("osm") << TileSource::osmStandard() << TileId{2, 3, 1} << QString()
                             << "https://tile.openstreetmap.org/2/3/1.png";
        TileSource minusY = *TileSource::generic("https://tiles.example.gov.cn/{z}/{x}/{-y}.png");
        QTest::addRow("{-y}") << minusY << TileId{3, 2, 1} << QString()
                              << "https://tiles.example.gov.cn/3/2/6.png";
        TileSource tms = *TileSource::generic("http://agency.example/tms/{z}/{x}/{y}.jpg");
        tms.scheme = TileSource::Scheme::Tms;
        QTest::addRow("tms-scheme")
            << tms << TileId{4, 5, 0} << QString() << "http://agency.example/tms/4/5/15.jpg";
        const TileSource keyed = *TileSource::generic("https://{s}.example.com/{z}/{x}/{y}?key={k}",
                                                      "Keyed", {"a", "b", "c"});
        QTest::addRow("{s}+{k}") << keyed << TileId{5, 10, 4} << "s3cr+t"
                                 << "https://c.example.com/5/10/4?key=s3cr%2Bt"; // (10 + 4) % 3 = 2
    }
    void tileUrl()
    {
        QFETCH(TileSource, source);
        QFETCH(TileId, tile);
        QFETCH(QString, key);
        QFETCH(QString, expected);
        QCOMPARE(source.tileUrl(tile, key).toString(QUrl::FullyEncoded), expected);
    }

    void presetsKnowTheirTerms()
    {
        const QList<TileSource> vec = TileSource::tiandituVector();
        QCOMPARE(vec.size(), 2);
        QCOMPARE(vec[0].id, QStringLiteral("tianditu-vec"));
        QCOMPARE(vec[1].id, QStringLiteral("tianditu-cva"));
        QCOMPARE(TileSource::tiandituImagery()[1].id, QStringLiteral("tianditu-cia"));
        for (const TileSource &s : vec) {
            QVERIFY(s.allowsPrefetch);
            QVERIFY(s.maxPrefetchTiles > 0);
            QVERIFY(s.needsKey());
            QCOMPARE(s.subdomains.size(), 8);
            QVERIFY(!s.gcj02);
        }
        QVERIFY(TileSource::gaodeRoad().gcj02);
        QVERIFY(!TileSource::gaodeRoad().allowsPrefetch);
        QVERIFY(!TileSource::osmStandard().allowsPrefetch);
        QVERIFY(!TileSource::generic("https://x.example/{z}/{x}/{y}.png")->allowsPrefetch);
    }

    void validatesTemplates_data()
    {
        QTest::addColumn<QString>("tmpl");
        QTest::addColumn<QString>("problem");
        QTest::addRow("empty") << ""
                               << "empty";
        QTest::addRow("no-z") << "https://a.example/{x}/{y}.png"
                              << "{z}";
        QTest::addRow("no-y") << "https://a.example/{z}/{x}.png"
                              << "{y}";
        QTest::addRow("ftp") << "ftp://a.example/{z}/{x}/{y}.png"
                             << "http";
        QTest::addRow("unknown") << "https://a.example/{z}/{x}/{y}{r}.png"
                                 << "{r}";
        QTest::addRow("s-without-subdomains") << "https://{s}.a.example/{z}/{x}/{y}.png"
                                              << "subdomains";
        QTest::addRow("ok-minus-y") << "https://a.example/{z}/{x}/{-y}.png"
                                    << "";
    }
    void validatesTemplates()
    {
        QFETCH(QString, tmpl);
        QFETCH(QString, problem);
        const auto r = TileSource::generic(tmpl);
        QCOMPARE(r.ok(), problem.isEmpty());
        if (!r.ok())
            QVERIFY2(r.error().contains(problem), qPrintable(r.error()));
    }

    void jsonRoundTrip()
    {
        QTemporaryDir dir;
        const QString pkg = dir.filePath("pkg.mbtiles");
        {
            auto f = MbTiles::open(pkg, MbTiles::Mode::ReadWriteCreate);
            QVERIFY(f.ok());
            QVERIFY((*f)->putTile({3, 1, 2}, "x"));
        }
        QList<TileSource> all = TileSource::tiandituVector() + TileSource::tiandituImagery();
        all << TileSource::gaodeRoad() << TileSource::osmStandard()
            << *TileSource::generic("https://a.example/{z}/{x}/{-y}.png", "Agency")
            << *TileSource::mbtilesPackage(pkg);
        for (const TileSource &s : std::as_const(all)) {
            const QJsonObject json =
                QJsonDocument::fromJson(QJsonDocument(s.toJson()).toJson()).object();
            const auto back = TileSource::fromJson(json);
            QVERIFY2(back.ok(), qPrintable(back ? QString() : back.error()));
            QVERIFY2(*back == s, qPrintable(s.id));
        }
        QJsonObject bad = TileSource::osmStandard().toJson();
        bad.insert("url", "https://tile.example/{z}/{x}.png");
        auto r = TileSource::fromJson(bad);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains("osm") && r.error().contains("{y}"), qPrintable(r.error()));
        bad = TileSource::osmStandard().toJson();
        bad.insert("maxZoom", 40);
        r = TileSource::fromJson(bad);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains("zoom"), qPrintable(r.error()));
        QVERIFY(!TileSource::fromJson(QJsonObject{{"name", "no id"}}).ok());
    }

    // ---- MBTiles --------------------------------------------------------------------------

    void mbtilesFlipsRows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("flip.mbtiles");
        {
            auto f = MbTiles::open(path, MbTiles::Mode::ReadWriteCreate);
            QVERIFY2(f.ok(), qPrintable(f ? QString() : f.error()));
            QVERIFY((*f)->putTile({5, 27, 3}, QByteArray("\x89PNG tile", 9)));
            QVERIFY((*f)->setMetadata("bounds", "120.85,30.65,122.25,31.9"));
            QVERIFY((*f)->setMetadata("minzoom", "5"));
            QVERIFY((*f)->setMetadata("maxzoom", "5"));
        }
        Raw raw(path);
        QCOMPARE(raw.scalar("SELECT tile_row FROM tiles WHERE zoom_level = 5 AND tile_column = 27"),
                 qint64((1 << 5) - 1 - 3));
        QCOMPARE(raw.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = "
                            "'tile_index' AND sql LIKE '%UNIQUE%'"),
                 1);
        QCOMPARE(raw.scalar("PRAGMA application_id"), qint64(MbTiles::kApplicationId));
        auto f = MbTiles::open(path, MbTiles::Mode::ReadOnly);
        QVERIFY(f.ok());
        QCOMPARE((*f)->tile({5, 27, 3}).value_or(QByteArray()), QByteArray("\x89PNG tile", 9));
        QVERIFY(!(*f)->tile({5, 27, 28}));
        QCOMPARE((*f)->format(), QStringLiteral("png")); // sniffed from the first tile
        QCOMPARE((*f)->metadata("name"), QStringLiteral("flip"));
        QCOMPARE((*f)->bounds(), QRectF(QPointF(120.85, 30.65), QPointF(122.25, 31.9)));
        QCOMPARE((*f)->zoomRange()->min, 5);
        QVERIFY(!(*f)->putTile({1, 0, 0}, "x").ok()); // read-only
    }

    void mbtilesReadsAHandWrittenTmsFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("hand.mbtiles");
        {
            Raw raw(path, true);
            QVERIFY(raw.exec(
                "CREATE TABLE metadata (name text, value text);"
                "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, "
                "tile_data blob);"
                "INSERT INTO metadata VALUES ('name', 'Hand'), ('format', 'JPEG'), "
                "('attribution', 'Agency');"
                // TMS row 0 is the southernmost row: XYZ y = 2^z - 1.
                "INSERT INTO tiles VALUES (2, 1, 0, x'FFD8AA'), (2, 1, 3, x'FFD8BB'),"
                " (3, 4, 4, x'FFD8CC');"));
        }
        auto f = MbTiles::open(path, MbTiles::Mode::ReadOnly);
        QVERIFY2(f.ok(), qPrintable(f ? QString() : f.error()));
        QCOMPARE((*f)->tile({2, 1, 3}).value_or(QByteArray()), QByteArray("\xFF\xD8\xAA"));
        QCOMPARE((*f)->tile({2, 1, 0}).value_or(QByteArray()), QByteArray("\xFF\xD8\xBB"));
        QCOMPARE((*f)->tile(TileId::fromTms(3, 4, 4)).value_or(QByteArray()),
                 QByteArray("\xFF\xD8\xCC"));
        QCOMPARE((*f)->format(), QStringLiteral("jpg"));
        QCOMPARE((*f)->attribution(), QStringLiteral("Agency"));
        QCOMPARE((*f)->zoomRange()->min, 2); // from the tiles: no minzoom/maxzoom metadata
        QCOMPARE((*f)->zoomRange()->max, 3);
        QCOMPARE((*f)->bounds().left(), -180.0); // no bounds: the whole world
        QCOMPARE((*f)->tileCount(), 3);
    }

    void mbtilesReadsATilesView()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("dedup.mbtiles");
        {
            Raw raw(path, true);
            QVERIFY(raw.exec(
                "CREATE TABLE metadata (name text, value text);"
                "CREATE TABLE map (zoom_level integer, tile_column integer, tile_row integer, "
                "tile_id text);"
                "CREATE TABLE images (tile_id text, tile_data blob);"
                "CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS "
                "tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data FROM map "
                "JOIN images ON images.tile_id = map.tile_id;"
                "INSERT INTO images VALUES ('sea', x'89504E47');"
                "INSERT INTO map VALUES (1, 0, 0, 'sea'), (1, 1, 0, 'sea');"));
        }
        auto f = MbTiles::open(path, MbTiles::Mode::ReadOnly);
        QVERIFY2(f.ok(), qPrintable(f ? QString() : f.error()));
        QCOMPARE((*f)->tile({1, 1, 1}).value_or(QByteArray()), QByteArray("\x89PNG"));
    }

    void mbtilesZoomRangeStaysInTileRange_data()
    {
        QTest::addColumn<QString>("rows");
        QTest::addColumn<int>("min"); // -1: no zoom range
        QTest::addColumn<int>("max");
        QTest::newRow("in range") << "(3, 0, 0, x'00'), (5, 0, 0, x'00')" << 3 << 5;
        QTest::newRow("beyond 30") << "(3, 0, 0, x'00'), (67, 0, 0, x'00')" << 3 << 30;
        QTest::newRow("negative") << "(-2, 0, 0, x'00'), (4, 0, 0, x'00')" << 0 << 4;
        QTest::newRow("huge") << "(4294967301, 0, 0, x'00')" << -1 << -1;
        QTest::newRow("text") << "(3, 0, 0, x'00'), ('abc', 0, 0, x'00')" << -1 << -1;
    }
    void mbtilesZoomRangeStaysInTileRange()
    {
        // Found by fuzz_mbtiles: without minzoom/maxzoom metadata the zoom levels of the tiles
        // table were passed on unchecked, and callers compute 1 << zoom.
        QFETCH(QString, rows);
        QFETCH(int, min);
        QFETCH(int, max);
        QTemporaryDir dir;
        const QString path = dir.filePath("odd.mbtiles");
        {
            Raw raw(path, true);
            QVERIFY(raw.exec(("CREATE TABLE metadata (name text, value text);"
                              "CREATE TABLE tiles (zoom_level integer, tile_column integer, "
                              "tile_row integer, tile_data blob);"
                              "INSERT INTO tiles VALUES " +
                              rows + ";")
                                 .toUtf8()
                                 .constData()));
        }
        auto f = MbTiles::open(path, MbTiles::Mode::ReadOnly);
        QVERIFY2(f.ok(), qPrintable(f ? QString() : f.error()));
        const auto range = (*f)->zoomRange();
        QCOMPARE(range.has_value(), min >= 0);
        if (range) {
            QCOMPARE(range->min, min);
            QCOMPARE(range->max, max);
        }
    }

    void mbtilesRefusesOtherFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("problem");
        for (int mode : {int(MbTiles::Mode::ReadOnly), int(MbTiles::Mode::ReadWriteCreate)}) {
            const char *m = mode == 0 ? "ro" : "rw";
            QTest::addRow("text-%s", m) << "text" << mode << "not an SQLite database";
            QTest::addRow("short-%s", m) << "short" << mode << "not an SQLite database";
            QTest::addRow("other-sqlite-%s", m) << "other" << mode << "no tiles table";
            QTest::addRow("no-metadata-%s", m) << "nometa" << mode << "no metadata table";
            QTest::addRow("truncated-pages-%s", m) << "truncated" << mode << "truncated";
            QTest::addRow("truncated-mid-page-%s", m) << "cut" << mode << "truncated";
            QTest::addRow("damaged-schema-%s", m) << "damaged" << mode << "damaged";
        }
    }
    void mbtilesRefusesOtherFiles()
    {
        QFETCH(QString, kind);
        QFETCH(int, mode);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        const QString path = dir.filePath("file.mbtiles");
        if (kind == "text" || kind == "short") {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kind == "text" ? QByteArray(5000, 'x') : QByteArray("SQLite format 3\0", 16));
        } else if (kind == "other" || kind == "nometa") {
            Raw raw(path, true);
            QVERIFY(raw.exec(kind == "other"
                                 ? "CREATE TABLE cases (id integer);"
                                 : "CREATE TABLE tiles (zoom_level integer, tile_column "
                                   "integer, tile_row integer, tile_data blob);"));
        } else {
            {
                auto f = MbTiles::open(path, MbTiles::Mode::ReadWriteCreate);
                QVERIFY(f.ok());
                QList<std::pair<TileId, QByteArray>> tiles;
                for (int x = 0; x < 64; ++x)
                    tiles.append({TileId{6, x, 7}, randomBytes(3000, quint32(x))});
                QVERIFY((*f)->putTiles(tiles));
            }
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            if (kind == "truncated") {
                QVERIFY(f.resize(f.size() / 2 / 4096 * 4096));
            } else if (kind == "cut") {
                QVERIFY(f.resize(f.size() - 1000));
            } else {
                f.seek(100);
                f.write(QByteArray(3000, '\xFF')); // the schema page
            }
        }
        const QByteArray before = fileBytes(path);
        auto r = MbTiles::open(path, MbTiles::Mode(mode));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains(path), qPrintable(r.error()));
        QVERIFY2(r.error().contains(problem), qPrintable(r.error()));
        QCOMPARE(fileBytes(path), before); // never modified
    }

    void mbtilesMissingFile()
    {
        QTemporaryDir dir;
        auto r = MbTiles::open(dir.filePath("none.mbtiles"), MbTiles::Mode::ReadOnly);
        QVERIFY(!r.ok());
        QVERIFY(r.error().contains("none.mbtiles"));
        QVERIFY(!QFile::exists(dir.filePath("none.mbtiles")));
    }

    // ---- Disk cache -----------------------------------------------------------------------

    void cachePruneKeepsTheCap()
    {
        QTemporaryDir dir;
        constexpr int kTile = 10 * 1024;
        auto c = TileDiskCache::open(dir.path(), "prune", 100 * 1024);
        QVERIFY2(c.ok(), qPrintable(c ? QString() : c.error()));
        auto cache = *c;
        const QDateTime later = QDateTime::currentDateTimeUtc().addDays(1);
        auto tile = [](int i) {
            return TileId{12, 3423 + i, 1664};
        };
        for (int i = 0; i < 8; ++i)
            QVERIFY(cache->store(tile(i), randomBytes(kTile, quint32(i)), later));
        QCOMPARE(cache->sizeBytes(), 8 * kTile);
        // Use the two oldest: they become the most recently used.
        QVERIFY(cache->lookup(tile(0)));
        QVERIFY(cache->lookup(tile(1)));
        QVERIFY(cache->store(tile(8), randomBytes(kTile, 8), later));
        QVERIFY(cache->store(tile(9), randomBytes(kTile, 9), later));
        QCOMPARE(cache->sizeBytes(), 10 * kTile); // at the cap, not above: nothing pruned
        QVERIFY(cache->store(tile(10), randomBytes(kTile, 10), later));

        QVERIFY(cache->sizeBytes() <= cache->cap());
        QVERIFY(cache->sizeBytes() <= qint64(cache->cap() * TileDiskCache::kPruneTarget));
        for (int i : {0, 1, 8, 9, 10})
            QVERIFY2(cache->expiry(tile(i)), qPrintable(QString::number(i)));
        for (int i : {2, 3})
            QVERIFY2(!cache->lookup(tile(i)), qPrintable(QString::number(i)));

        // The same bytes on disk: tiles and bookkeeping agree, and it is still MBTiles.
        QVERIFY(cache->flush());
        Raw raw(cache->path());
        QCOMPARE(raw.scalar("SELECT sum(length(tile_data)) FROM tiles"), cache->sizeBytes());
        QCOMPARE(raw.scalar("SELECT count(*) FROM tiles"),
                 raw.scalar("SELECT count(*) FROM cityops_tile_cache"));
        auto mb = MbTiles::open(cache->path(), MbTiles::Mode::ReadOnly);
        QVERIFY2(mb.ok(), qPrintable(mb ? QString() : mb.error()));
        QCOMPARE((*mb)->tileCount(), cache->tileCount());

        cache->setCap(25 * 1024);
        QVERIFY(cache->prune());
        QVERIFY(cache->sizeBytes() <= 25 * 1024);
        QVERIFY(cache->expiry(tile(10))); // the newest survives
        QVERIFY(cache->clear());
        QCOMPARE(cache->sizeBytes(), 0);
        QCOMPARE(cache->tileCount(), 0);
    }

    void cacheBatchesTouches()
    {
        QTemporaryDir dir;
        auto cache = *TileDiskCache::open(dir.path(), "touch", 0);
        const TileId t{10, 855, 416};
        QVERIFY(cache->store(t, "\x89PNG", QDateTime::currentDateTimeUtc().addDays(1), "\"e\"",
                             "Mon, 01 Jan 2024 00:00:00 GMT"));
        const char *sql = "SELECT last_used FROM cityops_tile_cache";
        const qint64 stored = Raw(cache->path()).scalar(sql);
        const auto hit = cache->lookup(t);
        QVERIFY(hit);
        QCOMPARE(hit->etag, QByteArray("\"e\""));
        QCOMPARE(hit->lastModified, QByteArray("Mon, 01 Jan 2024 00:00:00 GMT"));
        QVERIFY(hit->fresh(QDateTime::currentDateTimeUtc()));
        QCOMPARE(Raw(cache->path()).scalar(sql), stored); // a read writes nothing yet
        QVERIFY(cache->flush());
        QVERIFY(Raw(cache->path()).scalar(sql) > stored);
    }

    void cacheReopensAndStaysMbtiles()
    {
        QTemporaryDir dir;
        const TileId t{11, 1711, 832};
        QString path;
        {
            auto cache = *TileDiskCache::open(dir.path(), "tianditu-vec", 0);
            path = cache->path();
            QCOMPARE(path, TileDiskCache::pathFor(dir.path(), "tianditu-vec"));
            QVERIFY(path.endsWith("/tianditu-vec.mbtiles"));
            // One object per file within the process.
            QCOMPARE(TileDiskCache::open(dir.path(), "tianditu-vec", 0)->get(), cache.get());
            QVERIFY(cache->store(t, "\x89PNG one", QDateTime::currentDateTimeUtc().addDays(1)));
        }
        // Closed: back to a rollback journal (header bytes 18/19 = 1), readable by anyone.
        const QByteArray header = fileBytes(path).left(20);
        QCOMPARE(int(header[18]), 1);
        QVERIFY(!QFile::exists(path + "-wal"));
        auto mb = MbTiles::open(path, MbTiles::Mode::ReadOnly);
        QVERIFY(mb.ok());
        QCOMPARE((*mb)->tile(t).value_or(QByteArray()), QByteArray("\x89PNG one"));
        QCOMPARE((*mb)->format(), QStringLiteral("png"));
        QCOMPARE((*mb)->metadata("name"), QStringLiteral("tianditu-vec"));
        mb = Error{};

        auto cache = *TileDiskCache::open(dir.path(), "tianditu-vec", 0);
        QCOMPARE(cache->sizeBytes(), qint64(8));
        QVERIFY(cache->lookup(t));
    }

    void cacheMovesABrokenFileAside()
    {
        QTemporaryDir dir;
        const QString path = TileDiskCache::pathFor(dir.path(), "src");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(8192, 'z'));
        }
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("unusable"));
        auto c = TileDiskCache::open(dir.path(), "src", 0);
        QVERIFY2(c.ok(), qPrintable(c ? QString() : c.error()));
        QVERIFY(QFile::exists(path + ".broken"));
        QVERIFY((*c)->store({1, 0, 0}, "\x89PNG", {}));
    }

    // ---- Fetching -------------------------------------------------------------------------

    void fetchesThenServesFromCache()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        TileFetcher fetcher(dir.path(), &m_nam);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        const TileSource src = localSource(server);
        const TileId t{12, 3430, 1670};

        fetcher.request(src, t);
        QVERIFY(ready.isEmpty()); // never from inside request()
        QVERIFY(waitCount(ready, 1));
        QCOMPARE(ready[0][0].toString(), src.id);
        QCOMPARE(tileOf(ready[0]), t);
        QCOMPARE(ready[0][2].toByteArray(), server.png(t));
        QCOMPARE(ready[0][3].toBool(), true);
        QCOMPARE(server.requests, 1);
        QCOMPARE(server.lastUserAgent, TileFetcher::userAgent());
        QVERIFY(server.lastUserAgent.startsWith("CityOps/" CITYOPS_VERSION " ("));

        fetcher.request(src, t);
        QVERIFY(waitCount(ready, 2));
        QCOMPARE(ready[1][2].toByteArray(), server.png(t));
        QCOMPARE(ready[1][3].toBool(), false);
        QCOMPARE(server.requests, 1); // fresh in the disk cache: no HTTP request

        // A new fetcher (a restart) finds it on disk too.
        TileFetcher again(dir.path(), &m_nam);
        QSignalSpy ready2(&again, &TileFetcher::tileReady);
        again.request(src, t);
        QVERIFY(waitCount(ready2, 1));
        QCOMPARE(ready2[0][3].toBool(), false);
        QCOMPARE(server.requests, 1);
        QVERIFY(fetcher.online());
        QVERIFY(fetcher.missing(src.id).isEmpty());
    }

    void dedupesPendingRequests()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        server.delayMs = 100;
        TileFetcher fetcher(dir.path(), &m_nam);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        const TileSource src = localSource(server);
        for (int i = 0; i < 5; ++i)
            fetcher.request(src, {12, 3431, 1671}, i);
        QCOMPARE(fetcher.pendingCount(), 1);
        QVERIFY(waitCount(ready, 1));
        QCOMPARE(server.requests, 1);
    }

    void revalidatesStaleTiles()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        TileFetcher fetcher(dir.path(), &m_nam);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        const TileSource src = localSource(server);
        const TileId t{13, 6860, 3345};
        auto cache = *fetcher.cacheFor(src);
        const QByteArray old = server.png(t);
        const QDateTime past = QDateTime::currentDateTimeUtc().addSecs(-60);
        QVERIFY(cache->store(t, old, past, server.etagFor(TileServer::pathOf(t))));

        fetcher.request(src, t);
        QVERIFY(waitCount(ready, 1));
        QCOMPARE(ready[0][2].toByteArray(), old); // the stale copy is shown at once
        QCOMPARE(ready[0][3].toBool(), false);
        QTRY_COMPARE(server.notModified, 1);
        QCOMPARE(server.lastIfNoneMatch, server.etagFor(TileServer::pathOf(t)));
        QTRY_VERIFY(cache->expiry(t).value_or(QDateTime()) >
                    QDateTime::currentDateTimeUtc().addSecs(3000));
        QCOMPARE(fetcher.pendingCount(), 0);
        QCOMPARE(ready.size(), 1); // 304: the same data is not delivered again

        fetcher.request(src, t);
        QVERIFY(waitCount(ready, 2));
        QCOMPARE(ready[1][3].toBool(), false);
        QCOMPARE(server.requests, 1); // refreshed: served from the cache

        // The tile changed on the server: the stale copy, then the new one.
        const TileId u{13, 6861, 3345};
        QVERIFY(cache->store(u, server.png(u), past, server.etagFor(TileServer::pathOf(u))));
        server.version = 2;
        fetcher.request(src, u);
        QVERIFY(waitCount(ready, 4));
        QCOMPARE(ready[2][3].toBool(), false);
        QCOMPARE(ready[3][3].toBool(), true);
        QCOMPARE(ready[3][2].toByteArray(), server.png(u));
        QTRY_COMPARE(cache->lookup(u).value_or(CachedTile{}).data, server.png(u));
    }

    void viewJoinsARevalidatingDownload()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        server.delayMs = 150;
        TileFetcher fetcher(dir.path(), &m_nam);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        QSignalSpy downloaded(&fetcher, &TileFetcher::downloaded);
        QSignalSpy received(&server, &TileServer::requestReceived);
        const TileSource src = localSource(server);
        const TileId t{13, 6862, 3345};
        QVERIFY((*fetcher.cacheFor(src))
                    ->store(t, server.png(t), QDateTime::currentDateTimeUtc().addSecs(-5),
                            server.etagFor(TileServer::pathOf(t))));
        fetcher.download(src, t);
        QVERIFY(received.wait());
        fetcher.request(src, t); // joins the revalidation in flight
        QVERIFY(waitCount(ready, 1));
        QCOMPARE(ready[0][2].toByteArray(), server.png(t));
        QCOMPARE(ready[0][3].toBool(), false);
        QVERIFY(downloaded.isEmpty());
        QVERIFY(waitCount(downloaded, 1));
        QCOMPARE(downloaded[0][2].toLongLong(), 0); // 304: nothing new written
        QCOMPARE(downloaded[0][3].toBool(), true);
        QCOMPARE(server.requests, 1);
        QCOMPARE(server.notModified, 1);
        QCOMPARE(ready.size(), 1);
    }

    void honoursCachingHeaders_data()
    {
        QTest::addColumn<QByteArray>("cacheControl");
        QTest::addColumn<int>("expiresIn");
        QTest::addColumn<qint64>("expectSecs"); // -1: not stored; 0: stored stale
        QTest::addRow("max-age") << QByteArray("public, max-age=600") << INT_MIN << qint64(600);
        QTest::addRow("max-age-over-expires") << QByteArray("max-age=60") << 9999 << qint64(60);
        QTest::addRow("expires") << QByteArray() << 1200 << qint64(1200);
        QTest::addRow("nothing-7-days") << QByteArray() << INT_MIN << qint64(7 * 24 * 3600);
        QTest::addRow("no-cache") << QByteArray("no-cache") << INT_MIN << qint64(0);
        QTest::addRow("no-store") << QByteArray("no-store") << INT_MIN << qint64(-1);
    }
    void honoursCachingHeaders()
    {
        QFETCH(QByteArray, cacheControl);
        QFETCH(int, expiresIn);
        QFETCH(qint64, expectSecs);
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        server.cacheControl = cacheControl;
        server.expiresIn = expiresIn;
        TileFetcher fetcher(dir.path(), &m_nam);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        const TileSource src = localSource(server);
        const TileId t{14, 13720, 6690};
        const QDateTime before = QDateTime::currentDateTimeUtc();
        fetcher.request(src, t);
        QVERIFY(waitCount(ready, 1));
        QCOMPARE(ready[0][3].toBool(), true);

        // A second request tells whether it was cached and fresh.
        fetcher.request(src, t);
        QVERIFY(waitCount(ready, 2));
        QTRY_COMPARE(fetcher.pendingCount(), 0);
        auto cache = *fetcher.cacheFor(src);
        const auto expiry = cache->expiry(t);
        if (expectSecs < 0) {
            QVERIFY(!expiry);
            QCOMPARE(server.requests, 2);
            QCOMPARE(ready[1][3].toBool(), true);
        } else if (expectSecs == 0) {
            QVERIFY(expiry);
            QCOMPARE(server.requests, 2); // revalidated
            QCOMPARE(server.notModified, 1);
        } else {
            QVERIFY(expiry);
            QCOMPARE(server.requests, 1);
            const qint64 secs = before.secsTo(*expiry);
            QVERIFY2(secs >= expectSecs - 5 && secs <= expectSecs + 5,
                     qPrintable(QString::number(secs)));
        }
    }

    void reportsHttpErrorsAsMissing_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QString>("reason");
        QTest::addRow("404") << 404 << QByteArray("image/png") << "404";
        QTest::addRow("500") << 500 << QByteArray("image/png") << "500";
        QTest::addRow("error-page") << 200 << QByteArray("text/html") << "text/html";
    }
    void reportsHttpErrorsAsMissing()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, contentType);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        const TileId t{12, 3424, 1665};
        server.statusFor.insert(TileServer::pathOf(t), status);
        server.contentType = contentType;
        TileFetcher fetcher(dir.path(), &m_nam);
        QSignalSpy missing(&fetcher, &TileFetcher::tileMissing);
        QSignalSpy online(&fetcher, &TileFetcher::onlineChanged);
        const TileSource src = localSource(server);
        fetcher.request(src, t);
        QVERIFY(waitCount(missing, 1));
        QCOMPARE(tileOf(missing[0]), t);
        QVERIFY2(missing[0][2].toString().contains(reason), qPrintable(missing[0][2].toString()));
        QCOMPARE(fetcher.missing(src.id), QSet<TileId>{t});
        QVERIFY(fetcher.online()); // the server answered: not an outage
        QVERIFY(online.isEmpty());
        QCOMPARE(fetcher.networkErrorCount(), 0);
        QVERIFY(!(*fetcher.cacheFor(src))->expiry(t));
    }

    void worksOfflineFromTheCache()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        const quint16 port = server.port();
        TileFetcher fetcher(dir.path(), &m_nam);
        fetcher.setTimeoutMs(5000);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        QSignalSpy missing(&fetcher, &TileFetcher::tileMissing);
        QSignalSpy online(&fetcher, &TileFetcher::onlineChanged);
        const TileSource src = localSource(server);
        const TileId fresh{12, 3425, 1666}, stale{12, 3426, 1666}, never{12, 3427, 1666};

        fetcher.request(src, fresh);
        QVERIFY(waitCount(ready, 1));
        QVERIFY((*fetcher.cacheFor(src))
                    ->store(stale, "\x89PNG stale", QDateTime::currentDateTimeUtc().addDays(-1),
                            "\"old\""));
        server.stop();

        fetcher.request(src, never);
        QVERIFY(waitCount(missing, 1));
        QCOMPARE(tileOf(missing[0]), never);
        QVERIFY2(missing[0][2].toString().contains("offline"),
                 qPrintable(missing[0][2].toString()));
        QVERIFY(!fetcher.online());
        QCOMPARE(online.size(), 1);
        QCOMPARE(online[0][0].toBool(), false);
        QVERIFY(fetcher.networkErrorCount() >= 1);
        QCOMPARE(fetcher.missing(src.id), QSet<TileId>{never});

        fetcher.request(src, fresh);
        fetcher.request(src, stale);
        QVERIFY(waitCount(ready, 3));
        QSet<TileId> delivered{tileOf(ready[1]), tileOf(ready[2])};
        QCOMPARE(delivered, (QSet<TileId>{fresh, stale}));
        QTRY_COMPARE(fetcher.pendingCount(), 0);
        // The stale tile was shown; its failed revalidation does not make it missing.
        QCOMPARE(missing.size(), 1);
        QCOMPARE(fetcher.missing(src.id), QSet<TileId>{never});

        // The server comes back.
        QVERIFY(server.start(port));
        fetcher.request(src, never);
        QVERIFY(waitCount(ready, 4));
        QCOMPARE(tileOf(ready[3]), never);
        QVERIFY(fetcher.online());
        QCOMPARE(online.size(), 2);
        QVERIFY(fetcher.missing(src.id).isEmpty());
    }

    void limitsRequestsPerHost_data()
    {
        QTest::addColumn<int>("limit");
        QTest::addRow("default") << TileFetcher::kDefaultMaxPerHost;
        QTest::addRow("two") << 2;
    }
    void limitsRequestsPerHost()
    {
        QFETCH(int, limit);
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        server.delayMs = 60;
        TileFetcher fetcher(dir.path(), &m_nam);
        fetcher.setMaxConcurrentPerHost(limit);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        const TileSource src = localSource(server);
        for (int i = 0; i < 20; ++i)
            fetcher.request(src, {12, 3423 + i % 10, 1664 + i / 10});
        QVERIFY(waitCount(ready, 20));
        QCOMPARE(server.requests, 20);
        QVERIFY2(server.maxConcurrent <= limit, qPrintable(QString::number(server.maxConcurrent)));
        QVERIFY(server.maxConcurrent >= 2);
    }

    void servesHigherPriorityFirst()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        server.delayMs = 150;
        TileFetcher fetcher(dir.path(), &m_nam);
        fetcher.setMaxConcurrentPerHost(1);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        const TileSource src = localSource(server);
        const TileId a{12, 3430, 1670}, b{12, 3431, 1670}, c{12, 3432, 1670};
        fetcher.request(src, a, 0);
        fetcher.request(src, b, 0);
        fetcher.request(src, c, 5);
        QVERIFY(waitCount(ready, 3));
        QCOMPARE(server.paths, (QList<QByteArray>{TileServer::pathOf(a), TileServer::pathOf(c),
                                                  TileServer::pathOf(b)}));
    }

    void cancelsRequestsOutsideTheView()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        server.delayMs = 100;
        TileFetcher fetcher(dir.path(), &m_nam);
        fetcher.setMaxConcurrentPerHost(1);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        QSignalSpy missing(&fetcher, &TileFetcher::tileMissing);
        const TileSource src = localSource(server);
        QList<TileId> tiles;
        for (int i = 0; i < 5; ++i)
            tiles << TileId{12, 3430 + i, 1675};
        for (const TileId &t : tiles)
            fetcher.request(src, t);
        fetcher.cancelOutside({tiles[0], tiles[1]});
        QCOMPARE(fetcher.pendingCount(), 2);
        QVERIFY(waitCount(ready, 2));
        // A last request after the cancelled ones: once it is answered nothing else can come.
        const TileId sentinel{12, 3440, 1675};
        fetcher.request(src, sentinel);
        QVERIFY(waitCount(ready, 3));
        QCOMPARE(tileOf(ready[2]), sentinel);
        QCOMPARE(server.requests, 3);
        QVERIFY(missing.isEmpty());

        fetcher.request(src, {12, 3441, 1675});
        fetcher.request(src, {12, 3442, 1675});
        fetcher.cancelAll();
        QCOMPARE(fetcher.pendingCount(), 0);
        fetcher.request(src, {12, 3443, 1675});
        QVERIFY(waitCount(ready, 4));
        QCOMPARE(tileOf(ready[3]), (TileId{12, 3443, 1675}));
        QCOMPARE(server.requests, 4);
    }

    void readsPackagesWithoutNetwork()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("shanghai.mbtiles");
        const TileId t{10, 856, 418};
        {
            auto f = MbTiles::open(path, MbTiles::Mode::ReadWriteCreate);
            QVERIFY(f.ok());
            QVERIFY((*f)->putTile(t, "\x89PNG packaged"));
            QVERIFY((*f)->setMetadata("minzoom", "8"));
            QVERIFY((*f)->setMetadata("maxzoom", "12"));
            QVERIFY((*f)->setMetadata("attribution", "Agency survey"));
        }
        auto src = TileSource::mbtilesPackage(path);
        QVERIFY2(src.ok(), qPrintable(src ? QString() : src.error()));
        QVERIFY(src->isPackage());
        QCOMPARE(src->minZoom, 8);
        QCOMPARE(src->maxZoom, 12);
        QCOMPARE(src->attribution, QStringLiteral("Agency survey"));

        // A manager whose every request would fail: the package must not need it.
        QNetworkAccessManager nam;
        nam.setProxy(QNetworkProxy(QNetworkProxy::Socks5Proxy, "127.0.0.1", 1));
        TileFetcher fetcher(dir.filePath("cache"), &nam);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        QSignalSpy missing(&fetcher, &TileFetcher::tileMissing);
        fetcher.request(*src, t);
        fetcher.request(*src, {10, 857, 418});
        fetcher.request(*src, {13, 0, 0}); // outside the package's zooms
        QVERIFY(waitCount(ready, 1));
        QVERIFY(waitCount(missing, 2));
        QCOMPARE(ready[0][2].toByteArray(), QByteArray("\x89PNG packaged"));
        QCOMPARE(ready[0][3].toBool(), false);
        QCOMPARE(fetcher.missing(src->id).size(), 2);
        QVERIFY(fetcher.online());
        QCOMPARE(fetcher.networkErrorCount(), 0);
        QVERIFY(!fetcher.cacheFor(*src).ok());

        QVERIFY(!TileSource::mbtilesPackage(dir.filePath("cache")).ok());
    }

    void needsAKeyForKeyedSources()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        TileSource src = localSource(server, "keyed");
        src.urlTemplate += "?tk={key}";
        src.keyId = "agency";
        TileFetcher fetcher(dir.path(), &m_nam);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        QSignalSpy missing(&fetcher, &TileFetcher::tileMissing);
        fetcher.request(src, {12, 3430, 1670});
        QVERIFY(waitCount(missing, 1));
        QVERIFY(missing[0][2].toString().contains("key"));
        QCOMPARE(server.requests, 0);
        fetcher.setApiKey("agency", "abc");
        fetcher.request(src, {12, 3430, 1670});
        QVERIFY(waitCount(ready, 1));
        QCOMPARE(server.paths.value(0), QByteArray("/12/3430/1670.png?tk=abc"));
    }

    // ---- Prefetch -------------------------------------------------------------------------

    void countsTiles_data()
    {
        QTest::addColumn<int>("zMin");
        QTest::addColumn<int>("zMax");
        QTest::addColumn<qint64>("tiles");
        QTest::addRow("z16") << 16 << 16 << qint64(68085);
        QTest::addRow("z17") << 17 << 17 << qint64(271830);
        QTest::addRow("z10") << 10 << 10 << qint64(25);
        QTest::addRow("z10-12") << 10 << 12 << qint64(25 + 81 + 288);
    }
    void countsTiles()
    {
        QFETCH(int, zMin);
        QFETCH(int, zMax);
        QFETCH(qint64, tiles);
        QCOMPARE(Prefetch::tileCount(kShanghai, zMin, zMax), tiles);
        // Either orientation of the box.
        const QRectF flipped(QPointF(122.25, 31.90), QPointF(120.85, 30.65));
        QCOMPARE(Prefetch::tileCount(flipped, zMin, zMax), tiles);
        QCOMPARE(Prefetch::tileRange(kShanghai, 16),
                 QRect(QPoint(54768, 26635), QPoint(55022, 26901)));
    }

    void plansAndRefuses_data()
    {
        QTest::addColumn<TileSource>("source");
        QTest::addColumn<int>("zMin");
        QTest::addColumn<int>("zMax");
        QTest::addColumn<qint64>("cap");
        QTest::addColumn<qint64>("used");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<bool>("exceedsCap");
        QTest::addColumn<QString>("refusal");
        TileSource agency = *TileSource::generic("https://tiles.agency.example/{z}/{x}/{y}.png");
        agency.allowsPrefetch = true;
        const qint64 gb = 1LL << 30;
        QTest::addRow("agency-z16")
            << agency << 16 << 16 << 4 * gb << qint64(0) << true << false << "";
        QTest::addRow("agency-z16-no-cap")
            << agency << 16 << 16 << qint64(0) << qint64(0) << true << false << "";
        QTest::addRow("osm") << TileSource::osmStandard() << 10 << 12 << 4 * gb << qint64(0)
                             << false << false << "terms";
        QTest::addRow("gaode") << TileSource::gaodeRoad() << 10 << 12 << 4 * gb << qint64(0)
                               << false << false << "terms";
        QTest::addRow("generic-not-asserted")
            << *TileSource::generic("https://x.example/{z}/{x}/{y}.png") << 10 << 10 << 4 * gb
            << qint64(0) << false << false << "terms";
        QTest::addRow("tianditu-city-z10-14")
            << TileSource::tianditu(TileSource::TiandituLayer::Vec) << 10 << 14 << 4 * gb
            << qint64(0) << true << false << "";
        QTest::addRow("tianditu-over-quota")
            << TileSource::tianditu(TileSource::TiandituLayer::Vec) << 16 << 16 << 4 * gb
            << qint64(0) << false << false << "68085";
        QTest::addRow("above-free-cache")
            << agency << 16 << 16 << gb << 900 * (1LL << 20) << false << true << "MB";
        QTest::addRow("zmin-above-zmax")
            << agency << 14 << 12 << 4 * gb << qint64(0) << false << false << "14";
        QTest::addRow("outside-zoom-range")
            << agency << 17 << 19 << 4 * gb << qint64(0) << false << false << "outside";
    }
    void plansAndRefuses()
    {
        QFETCH(TileSource, source);
        QFETCH(int, zMin);
        QFETCH(int, zMax);
        QFETCH(qint64, cap);
        QFETCH(qint64, used);
        QFETCH(bool, allowed);
        QFETCH(bool, exceedsCap);
        QFETCH(QString, refusal);
        const PrefetchPlan p = Prefetch::plan(source, kShanghai, zMin, zMax, 15000, cap, used);
        QCOMPARE(p.allowed, allowed);
        QCOMPARE(p.exceedsCap, exceedsCap);
        QCOMPARE(p.refusal.isEmpty(), allowed);
        QVERIFY2(p.refusal.contains(refusal), qPrintable(p.refusal));
        if (zMin <= zMax && zMin >= source.minZoom && zMax <= source.maxZoom) {
            QCOMPARE(p.tiles, Prefetch::tileCount(kShanghai, zMin, zMax));
            QCOMPARE(p.estimatedBytes, p.tiles * 15000);
        }
    }

    void plansAgainstTheCache()
    {
        QTemporaryDir dir;
        auto cache = *TileDiskCache::open(dir.path(), "agency", 1LL << 30);
        TileSource agency = *TileSource::generic("https://tiles.agency.example/{z}/{x}/{y}.png");
        agency.id = "agency";
        agency.allowsPrefetch = true;
        const QDateTime later = QDateTime::currentDateTimeUtc().addDays(1);
        QVERIFY(cache->store({10, 855, 416}, "a", later));
        QVERIFY(cache->store({10, 859, 420}, "b", later));
        QVERIFY(cache->store({10, 860, 420}, "c", later));             // outside the box
        QVERIFY(cache->store({10, 856, 416}, "d", later.addDays(-2))); // stale
        const PrefetchPlan p = Prefetch::plan(agency, kShanghai, 10, 10, 1000, *cache);
        QVERIFY(p.allowed);
        QCOMPARE(p.tiles, 25);
        QCOMPARE(p.alreadyCached, 2);
        QCOMPARE(p.estimatedBytes, 23 * 1000);
    }

    void prefetchesASmallArea()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        TileFetcher fetcher(dir.path(), &m_nam);
        Prefetcher prefetcher(&fetcher);
        prefetcher.setMaxConcurrent(3);
        QSignalSpy progress(&prefetcher, &Prefetcher::progress);
        QSignalSpy finished(&prefetcher, &Prefetcher::finished);
        QSignalSpy ready(&fetcher, &TileFetcher::tileReady);
        const TileSource src = localSource(server);
        const qint64 total = Prefetch::tileCount(kShanghai, 8, 10);

        QVERIFY(prefetcher.start(src, kShanghai, 8, 10));
        QVERIFY(prefetcher.isRunning());
        QVERIFY(!prefetcher.start(src, kShanghai, 8, 10).ok()); // one at a time
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished[0][0].toLongLong(), total);
        QCOMPARE(finished[0][1].toLongLong(), 0);
        QCOMPARE(finished[0][2].toLongLong(), 0);
        QCOMPARE(progress.size(), int(total));
        QCOMPARE(progress.last()[0].toLongLong(), total);
        QCOMPARE(progress.last()[1].toLongLong(), total);
        QVERIFY(progress.last()[2].toLongLong() > 0);
        QCOMPARE(server.requests, int(total));
        QVERIFY(server.maxConcurrent <= 3);
        QVERIFY(ready.isEmpty()); // prefetch does not hand tiles to the view
        QVERIFY(prefetcher.stopReason().isEmpty());
        auto cache = *fetcher.cacheFor(src);
        QCOMPARE(cache->tileCount(), total);
        const PrefetchPlan p = Prefetch::plan(src, kShanghai, 8, 10, 0, *cache);
        QCOMPARE(p.alreadyCached, total);

        // Again: everything is fresh, nothing is downloaded.
        progress.clear();
        QVERIFY(prefetcher.start(src, kShanghai, 8, 10));
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished[1][0].toLongLong(), total);
        QCOMPARE(progress.last()[2].toLongLong(), 0);
        QCOMPARE(server.requests, int(total));
    }

    void prefetchCanBeCancelled()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        server.delayMs = 30;
        TileFetcher fetcher(dir.path(), &m_nam);
        Prefetcher prefetcher(&fetcher);
        prefetcher.setMaxConcurrent(2);
        QSignalSpy finished(&prefetcher, &Prefetcher::finished);
        connect(&prefetcher, &Prefetcher::progress, &prefetcher, [&](qint64 done) {
            if (done == 3)
                prefetcher.cancel();
        });
        const TileSource src = localSource(server);
        const qint64 total = Prefetch::tileCount(kShanghai, 10, 12);
        QVERIFY(prefetcher.start(src, kShanghai, 10, 12));
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.size(), 1);
        const qint64 ok = finished[0][0].toLongLong(), cancelled = finished[0][2].toLongLong();
        QCOMPARE(ok, 3);
        QCOMPARE(ok + finished[0][1].toLongLong() + cancelled, total);
        QVERIFY(!prefetcher.isRunning());
        QVERIFY(!prefetcher.stopReason().isEmpty());
        QCOMPARE(fetcher.pendingCount(), 0);
        QVERIFY(server.requests <= 5);
    }

    void prefetchStopsAtTheCacheCap()
    {
        QTemporaryDir dir;
        TileServer server;
        QVERIFY(server.start());
        TileFetcher fetcher(dir.path(), &m_nam);
        const TileSource src = localSource(server);
        const qint64 tileBytes = server.png(TileId{10, 855, 416}).size();
        fetcher.setCacheCapBytes(tileBytes * 30);
        Prefetcher prefetcher(&fetcher);
        prefetcher.setMaxConcurrent(2);
        QSignalSpy finished(&prefetcher, &Prefetcher::finished);
        // The plan allows it (a small average is assumed); the real tiles are larger.
        QVERIFY(prefetcher.start(src, kShanghai, 10, 12, 100));
        QVERIFY(finished.wait(20000));
        const qint64 ok = finished[0][0].toLongLong(), cancelled = finished[0][2].toLongLong();
        QVERIFY(ok > 0);
        QVERIFY(cancelled > 0);
        QVERIFY2(prefetcher.stopReason().contains("full"), qPrintable(prefetcher.stopReason()));
        auto cache = *fetcher.cacheFor(src);
        QVERIFY(cache->sizeBytes() <= cache->cap());
        QCOMPARE(cache->tileCount(), ok); // nothing evicted to make room
    }

    void prefetchRefusesForbiddenSources()
    {
        QTemporaryDir dir;
        TileFetcher fetcher(dir.path(), &m_nam);
        Prefetcher prefetcher(&fetcher);
        QSignalSpy finished(&prefetcher, &Prefetcher::finished);
        const Status s = prefetcher.start(TileSource::osmStandard(), kShanghai, 10, 12);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().contains("terms"), qPrintable(s.error()));
        QVERIFY(!prefetcher.isRunning());
        QVERIFY(finished.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestTiles)
#include "tst_tiles.moc"
