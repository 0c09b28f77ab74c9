#include "tilesource.h"

#include "storage/mbtiles.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

namespace cityops::geo {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(TileSource)
};

constexpr int kMaxZoomLimit = 24;

QString shortHash(const QString &s)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(s.toUtf8(), QCryptographicHash::Sha1).toHex().left(10));
}

const char *schemeName(TileSource::Scheme s)
{
    switch (s) {
    case TileSource::Scheme::Xyz:
        return "xyz";
    case TileSource::Scheme::Tms:
        return "tms";
    case TileSource::Scheme::Wmts:
        return "wmts";
    }
    return "xyz";
}

} // namespace

bool TileSource::needsKey() const
{
    return urlTemplate.contains(QLatin1String("{k}")) ||
           urlTemplate.contains(QLatin1String("{key}"));
}

QUrl TileSource::tileUrl(TileId t, const QString &key) const
{
    if (isPackage() || !t.isValid() || urlTemplate.isEmpty())
        return {};
    const QString row = QString::number(t.tmsRow());
    QString url = urlTemplate;
    url.replace(QLatin1String("{z}"), QString::number(t.z));
    url.replace(QLatin1String("{x}"), QString::number(t.x));
    url.replace(QLatin1String("{-y}"), row);
    url.replace(QLatin1String("{y}"), scheme == Scheme::Tms ? row : QString::number(t.y));
    if (!subdomains.isEmpty()) {
        // Deterministic per tile, so a tile always comes from the same host (and its HTTP cache).
        const auto i = static_cast<qsizetype>((qint64(t.x) + t.y) % subdomains.size());
        url.replace(QLatin1String("{s}"), subdomains.at(i));
    }
    const QString k = QString::fromLatin1(QUrl::toPercentEncoding(key));
    url.replace(QLatin1String("{key}"), k);
    url.replace(QLatin1String("{k}"), k);
    return QUrl(url);
}

Status TileSource::validateTemplate(const QString &tmpl, const QStringList &subdomains)
{
    const QString t = tmpl.trimmed();
    if (t.isEmpty())
        return Error{Tr::tr("The tile URL template is empty.")};
    static const QRegularExpression placeholder(QStringLiteral("\\{([^{}]*)\\}"));
    static const QStringList known = {
        QStringLiteral("z"), QStringLiteral("x"), QStringLiteral("y"),  QStringLiteral("-y"),
        QStringLiteral("s"), QStringLiteral("k"), QStringLiteral("key")};
    for (auto it = placeholder.globalMatch(t); it.hasNext();) {
        const QString name = it.next().captured(1);
        if (!known.contains(name))
            return Error{Tr::tr("The tile URL template %1 has an unknown placeholder {%2} (known: "
                                "{z} {x} {y} {-y} {s} {k}).")
                             .arg(t, name)};
    }
    if (!t.contains(QLatin1String("{z}")) || !t.contains(QLatin1String("{x}")) ||
        (!t.contains(QLatin1String("{y}")) && !t.contains(QLatin1String("{-y}"))))
        return Error{
            Tr::tr("The tile URL template %1 needs the placeholders {z}, {x} and {y} (or {-y}).")
                .arg(t)};
    if (t.contains(QLatin1String("{s}")) && subdomains.isEmpty())
        return Error{
            Tr::tr("The tile URL template %1 uses {s} but no subdomains are given.").arg(t)};
    TileSource probe;
    probe.urlTemplate = t;
    probe.subdomains = subdomains.isEmpty() ? QStringList{QStringLiteral("a")} : subdomains;
    const QUrl url = probe.tileUrl({1, 1, 1}, QStringLiteral("key"));
    if (!url.isValid() || url.host().isEmpty())
        return Error{Tr::tr("The tile URL template %1 is not a valid URL.").arg(t)};
    if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
        return Error{
            Tr::tr("The tile URL template %1 must start with http:// or https://.").arg(t)};
    return Ok{};
}

TileSource TileSource::tianditu(TiandituLayer layer)
{
    struct Info
    {
        const char *code;
        const char *name;
    };
    static const Info infos[] = {
        {"vec", QT_TRANSLATE_NOOP("TileSource", "Tianditu vector map")},
        {"cva", QT_TRANSLATE_NOOP("TileSource", "Tianditu vector labels")},
        {"img", QT_TRANSLATE_NOOP("TileSource", "Tianditu imagery")},
        {"cia", QT_TRANSLATE_NOOP("TileSource", "Tianditu imagery labels")},
        {"ter", QT_TRANSLATE_NOOP("TileSource", "Tianditu terrain")},
        {"cta", QT_TRANSLATE_NOOP("TileSource", "Tianditu terrain labels")},
    };
    const Info &info = infos[static_cast<int>(layer)];
    const QString code = QLatin1String(info.code);
    TileSource s;
    s.id = QStringLiteral("tianditu-") + code;
    s.name = Tr::tr(info.name);
    s.urlTemplate = QStringLiteral("https://t{s}.tianditu.gov.cn/%1_w/wmts?SERVICE=WMTS&REQUEST="
                                   "GetTile&VERSION=1.0.0&LAYER=%1&STYLE=default&TILEMATRIXSET=w&"
                                   "FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}")
                        .arg(code);
    for (int i = 0; i <= 7; ++i)
        s.subdomains << QString::number(i);
    s.scheme = Scheme::Wmts;
    s.minZoom = 1;
    s.maxZoom = 18;
    // CGCS2000 is within centimetres of WGS-84 at map scales: no shift.
    s.gcj02 = false;
    // Tianditu serves registered keys for offline use within the key's quota; one prefetch is
    // capped so that it cannot exhaust a developer key on its own.
    s.allowsPrefetch = true;
    s.maxPrefetchTiles = 10000;
    s.attribution = QStringLiteral("© 天地图 Tianditu");
    s.keyId = QStringLiteral("tianditu");
    return s;
}

QList<TileSource> TileSource::tiandituVector()
{
    return {tianditu(TiandituLayer::Vec), tianditu(TiandituLayer::Cva)};
}

QList<TileSource> TileSource::tiandituImagery()
{
    return {tianditu(TiandituLayer::Img), tianditu(TiandituLayer::Cia)};
}

TileSource TileSource::gaodeRoad()
{
    TileSource s;
    s.id = QStringLiteral("gaode-road");
    s.name = Tr::tr("Gaode road map");
    s.urlTemplate = QStringLiteral("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&"
                                   "scale=1&style=8&x={x}&y={y}&z={z}");
    s.subdomains = {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"),
                    QStringLiteral("4")};
    s.minZoom = 1;
    s.maxZoom = 18;
    s.gcj02 = true;
    s.allowsPrefetch = false;
    s.attribution = QStringLiteral("© 高德地图 AutoNavi");
    return s;
}

TileSource TileSource::osmStandard()
{
    TileSource s;
    s.id = QStringLiteral("osm");
    s.name = Tr::tr("OpenStreetMap");
    s.urlTemplate = QStringLiteral("https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    s.minZoom = 0;
    s.maxZoom = 19;
    // The tile usage policy of the public servers forbids bulk and offline downloading.
    s.allowsPrefetch = false;
    s.attribution = QStringLiteral("© OpenStreetMap contributors");
    return s;
}

Result<TileSource> TileSource::generic(const QString &urlTemplate, const QString &name,
                                       const QStringList &subdomains)
{
    const QString t = urlTemplate.trimmed();
    if (Status s = validateTemplate(t, subdomains); !s)
        return Error{s.error()};
    TileSource s;
    s.subdomains = subdomains;
    s.id = QStringLiteral("custom-") + shortHash(t);
    s.name = name.isEmpty() ? QUrl(t).host() : name;
    s.urlTemplate = t;
    s.scheme = t.contains(QLatin1String("TILEMATRIX")) ? Scheme::Wmts : Scheme::Xyz;
    s.allowsPrefetch = false;
    s.maxPrefetchTiles = 100000;
    return s;
}

Result<TileSource> TileSource::mbtilesPackage(const QString &path)
{
    auto file = MbTiles::open(path, MbTiles::Mode::ReadOnly);
    if (!file)
        return Error{file.error()};
    const QString abs = QFileInfo(path).absoluteFilePath();
    TileSource s;
    s.id = QStringLiteral("mbtiles-") + shortHash(abs);
    s.name = (*file)->metadata(QStringLiteral("name"));
    if (s.name.isEmpty())
        s.name = QFileInfo(path).completeBaseName();
    s.mbtilesPath = abs;
    if (const auto zr = (*file)->zoomRange()) {
        s.minZoom = zr->min;
        s.maxZoom = zr->max;
    }
    s.attribution = (*file)->attribution();
    // Already offline: there is nothing to download.
    s.allowsPrefetch = false;
    return s;
}

QJsonObject TileSource::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("name"), name},
                  {QStringLiteral("scheme"), QLatin1String(schemeName(scheme))},
                  {QStringLiteral("minZoom"), minZoom},
                  {QStringLiteral("maxZoom"), maxZoom},
                  {QStringLiteral("tileSize"), tileSize},
                  {QStringLiteral("gcj02"), gcj02},
                  {QStringLiteral("allowsPrefetch"), allowsPrefetch},
                  {QStringLiteral("maxPrefetchTiles"), maxPrefetchTiles},
                  {QStringLiteral("attribution"), attribution}};
    if (!urlTemplate.isEmpty())
        o.insert(QStringLiteral("url"), urlTemplate);
    if (!subdomains.isEmpty())
        o.insert(QStringLiteral("subdomains"), QJsonArray::fromStringList(subdomains));
    if (!mbtilesPath.isEmpty())
        o.insert(QStringLiteral("mbtiles"), mbtilesPath);
    if (!keyId.isEmpty())
        o.insert(QStringLiteral("keyId"), keyId);
    return o;
}

Result<TileSource> TileSource::fromJson(const QJsonObject &o)
{
    TileSource s;
    s.id = o.value(QStringLiteral("id")).toString().trimmed();
    if (s.id.isEmpty())
        return Error{Tr::tr("A stored tile source has no id.")};
    auto fail = [&](const QString &problem) {
        return Error{Tr::tr("The tile source %1 is invalid: %2").arg(s.id, problem)};
    };
    s.name = o.value(QStringLiteral("name")).toString(s.id);
    s.urlTemplate = o.value(QStringLiteral("url")).toString().trimmed();
    for (const QJsonValue v : o.value(QStringLiteral("subdomains")).toArray()) {
        if (!v.isString() || v.toString().isEmpty())
            return fail(Tr::tr("its subdomains must be non-empty strings."));
        s.subdomains << v.toString();
    }
    const QString scheme = o.value(QStringLiteral("scheme")).toString(QStringLiteral("xyz"));
    if (scheme == QLatin1String("xyz"))
        s.scheme = Scheme::Xyz;
    else if (scheme == QLatin1String("tms"))
        s.scheme = Scheme::Tms;
    else if (scheme == QLatin1String("wmts"))
        s.scheme = Scheme::Wmts;
    else
        return fail(Tr::tr("unknown scheme \"%1\" (xyz, tms or wmts).").arg(scheme));
    s.minZoom = o.value(QStringLiteral("minZoom")).toInt(0);
    s.maxZoom = o.value(QStringLiteral("maxZoom")).toInt(18);
    if (s.minZoom < 0 || s.maxZoom > kMaxZoomLimit || s.minZoom > s.maxZoom)
        return fail(Tr::tr("its zoom range %1–%2 is not within 0–%3.")
                        .arg(s.minZoom)
                        .arg(s.maxZoom)
                        .arg(kMaxZoomLimit));
    s.tileSize = o.value(QStringLiteral("tileSize")).toInt(256);
    if (s.tileSize != 256 && s.tileSize != 512)
        return fail(Tr::tr("its tile size must be 256 or 512 pixels, not %1.").arg(s.tileSize));
    s.gcj02 = o.value(QStringLiteral("gcj02")).toBool(false);
    s.allowsPrefetch = o.value(QStringLiteral("allowsPrefetch")).toBool(false);
    s.maxPrefetchTiles = o.value(QStringLiteral("maxPrefetchTiles")).toInt(0);
    if (s.maxPrefetchTiles < 0)
        return fail(Tr::tr("its prefetch limit is negative."));
    s.attribution = o.value(QStringLiteral("attribution")).toString();
    s.mbtilesPath = o.value(QStringLiteral("mbtiles")).toString();
    s.keyId = o.value(QStringLiteral("keyId")).toString();
    if (s.mbtilesPath.isEmpty()) {
        if (Status v = validateTemplate(s.urlTemplate, s.subdomains); !v)
            return fail(v.error());
    } else if (!s.urlTemplate.isEmpty()) {
        return fail(Tr::tr("it names both a URL template and an MBTiles package."));
    }
    return s;
}

} // namespace cityops::geo
