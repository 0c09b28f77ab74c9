#pragma once

#include "geo/geojson.h"
#include "sync/protocol.h"

#include <QCoreApplication>
#include <QSet>
#include <QString>

#include <optional>

namespace cityops::platform {

/**
 * What the platform checks a new report's position and device against: the district's area (the
 * union of its streets' polygons from the reference data, widened by a margin for reports on a
 * boundary road or with GPS error) and the devices bound to a channel (the district's cameras and
 * sensors, and the Open311 gateway), which no signed-in client may claim. A district without
 * streets (a platform started on an empty directory) falls back to Shanghai's padded bounding
 * box (docs/security.md). One implementation for every way a report comes in: Open311 and
 * /api/v1/commands. A plain value; the platform rebuilds it when the reference data changes.
 */
class DistrictArea
{
    Q_DECLARE_TR_FUNCTIONS(DistrictArea)
public:
    /** The device name Open311 reports are filed with. */
    static constexpr const char *kOpen311Device = "open311-gateway";

    DistrictArea() = default;
    /** From the platform's reference data (streets.geometry, cameras.code). */
    static DistrictArea fromReference(const sync::ReferenceData &data, double marginMetres);

    /** Whether the position lies inside the area (or within the margin of its edge). */
    bool contains(double lon, double lat) const;
    /** A translated sentence when the position lies outside; nullopt when it is inside. */
    std::optional<QString> refusal(double lon, double lat) const;
    /** Whether a device belongs to a channel (a camera, a sensor, the Open311 gateway). */
    bool isChannelDevice(const QString &device) const;
    /** Whether the area comes from the district's streets (false: the Shanghai fallback). */
    bool hasStreets() const { return !m_polygons.isEmpty(); }

private:
    QList<GeoPolygon> m_polygons;
    QRectF m_bounds; ///< of every polygon, widened by the margin
    double m_marginMetres = 0;
    QSet<QString> m_channelDevices;
};

} // namespace cityops::platform
