#pragma once

#include "domain/caserecord.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <memory>

namespace cityops {

class Database;

/** How a case marker is coloured on the map; also the clustering class. */
enum class CaseMarkerClass : quint8
{
    Open = 0,      ///< open and within its deadline
    Overdue = 1,   ///< open and past its deadline
    Escalated = 2, ///< on the escalation ladder (stage 1–3) and open
    Finished = 3,  ///< closed, rejected or shelved
};

/** One case as the map needs it: position and colour class, nothing else. */
struct MapCasePoint
{
    CaseId id = 0;
    double lon = 0;
    double lat = 0;
    CaseMarkerClass klass = CaseMarkerClass::Open;
};

/** A boundary polygon (street, community or grid cell) as stored: GeoJSON geometry text. */
struct MapArea
{
    QString code;
    QString name;
    QByteArray geometry;
};

/** A road centre line (GeoJSON LineString text). */
struct MapRoad
{
    QString name;
    QString kind;
    QByteArray geometry;
};

/** A camera, sensor or field unit with a position. */
struct MapDevice
{
    QString code;
    QString name;
    QString kind; ///< "camera", "sensor", "team" or "person"
    double lon = 0;
    double lat = 0;
    qint64 seenAt = 0; ///< units: last position report (ms since epoch), 0 if never
};

/**
 * Read access to everything the map draws from the local cache. Same threading rule as Database:
 * call it on the thread that owns the connection, then hand the plain values to the renderers.
 */
class MapStore
{
    Q_DECLARE_TR_FUNCTIONS(MapStore)
public:
    enum class AreaLevel
    {
        Street,
        Community,
        Grid
    };

    explicit MapStore(std::shared_ptr<Database> db);

    /** Every case with its class at time `now` (ms); with openOnly, closed work is left out. */
    QList<MapCasePoint> casePoints(qint64 now, bool openOnly = false) const;
    QList<MapArea> areas(AreaLevel level) const;
    QList<MapRoad> roads() const;
    /** Cameras and sensors. */
    QList<MapDevice> devices() const;
    /** Field teams and people that have reported a position. */
    QList<MapDevice> units() const;
    /** The district's bounding box as (west, south, width, height) in degrees; null if empty. */
    QRectF districtBounds() const;

private:
    std::shared_ptr<Database> m_db;
};

} // namespace cityops
