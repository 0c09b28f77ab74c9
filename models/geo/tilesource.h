#pragma once

#include "geo/tileid.h"
#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace cityops::geo {

/**
 * Where the tiles of one base or label layer come from: a URL template (XYZ, TMS or WMTS in Web
 * Mercator) or an offline MBTiles package, with the terms that govern offline prefetching. A
 * plain value type.
 */
struct TileSource
{
    enum class Scheme
    {
        Xyz,
        Tms,
        Wmts
    };

    /** Stable id; also names the disk cache file. */
    QString id;
    QString name;
    /**
     * Placeholders: {z} {x} {y}; {-y} the TMS row (2^z − 1 − y); {s} a subdomain; {k} or {key}
     * the API key. With Scheme::Tms, {y} is the TMS row as well.
     */
    QString urlTemplate;
    QStringList subdomains;
    Scheme scheme = Scheme::Xyz;
    int minZoom = 0;
    int maxZoom = 18;
    int tileSize = 256;
    /** Tiles are drawn in GCJ-02 (Gaode/Amap): WGS-84 data must be shifted onto them. */
    bool gcj02 = false;
    /** The source's terms allow bulk/offline download (never for OSM's public servers). */
    bool allowsPrefetch = false;
    /** Largest number of tiles one prefetch may request (the quota the terms allow). */
    int maxPrefetchTiles = 0;
    QString attribution;
    /** Non-empty for an offline MBTiles package: tiles come from this file, never the network. */
    QString mbtilesPath;
    /** Which API key fills {k}/{key} (keys live in settings); empty means the source id. */
    QString keyId;

    bool isPackage() const { return !mbtilesPath.isEmpty(); }
    bool needsKey() const;
    QString effectiveKeyId() const { return keyId.isEmpty() ? id : keyId; }
    /** The URL of one tile; empty for a package source or an invalid tile. */
    QUrl tileUrl(TileId t, const QString &key = {}) const;

    /**
     * Checks a URL template: http(s), with {z}, {x} and {y} or {-y}, {s} only with subdomains.
     * The message names the problem.
     */
    static Status validateTemplate(const QString &urlTemplate, const QStringList &subdomains = {});

    /** Tianditu layers (Web Mercator "_w" matrix set; key "tianditu"). */
    enum class TiandituLayer
    {
        Vec,
        Cva,
        Img,
        Cia,
        Ter,
        Cta
    };
    static TileSource tianditu(TiandituLayer layer);
    /** Vector base and its labels: tianditu-vec, tianditu-cva. */
    static QList<TileSource> tiandituVector();
    /** Imagery and its labels: tianditu-img, tianditu-cia. */
    static QList<TileSource> tiandituImagery();
    /** Gaode/Amap road map (GCJ-02; terms forbid prefetch). */
    static TileSource gaodeRoad();
    /** OpenStreetMap's public tile server (its usage policy forbids prefetch). */
    static TileSource osmStandard();
    /**
     * A user-supplied template (e.g. the agency's own server). Prefetch stays off until the user
     * asserts in the dialog that the server's terms allow it.
     */
    static Result<TileSource> generic(const QString &urlTemplate, const QString &name = {},
                                      const QStringList &subdomains = {});
    /** An offline MBTiles package; reads its name, zoom range and attribution. */
    static Result<TileSource> mbtilesPackage(const QString &path);

    QJsonObject toJson() const;
    /** Reads and validates a stored source; the message names the field at fault. */
    static Result<TileSource> fromJson(const QJsonObject &json);

    friend bool operator==(const TileSource &, const TileSource &) = default;
};

} // namespace cityops::geo
