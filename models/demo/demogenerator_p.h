#pragma once

// Private to the demo generator (models/demo/demo*.cpp): the district's geometry, its staff and
// the Generator that writes them. One file per responsibility:
//   demogenerator.cpp  the entry point (DemoGenerator::generate, DemoOptions) and run()
//   demoplaces.cpp     categories, camera stills, streets/communities/grids, roads and cameras
//   demostaff.cpp      teams, people, grid workers and volunteers, the demo accounts
//   democases.cpp      each case's life cycle (events) and its row, folded from those events

#include "demogenerator.h"

#include "domain/caserecord.h"
#include "domain/catalogue.h"
#include "domain/workcalendar.h"
#include "storage/bulkinsert.h"
#include "storage/database.h"
#include "util/rng.h"
#include "workflow/workflow.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <cmath>
#include <vector>

namespace cityops::demo {

// The demo district: about 7.6 km x 6.9 km in central Shanghai, far inside the city's box.
inline constexpr double kWest = 121.420, kEast = 121.500, kSouth = 31.200, kNorth = 31.262;
inline constexpr double kMetresPerDegLat = 110574.0;
inline const double kMetresPerDegLon =
    111320.0 * std::cos((kSouth + kNorth) / 2 * 3.14159265358979 / 180);
inline constexpr int kStreetCols = 5, kStreetRows = 2;
inline constexpr double kCellMetres = 120.0;
inline constexpr qint64 kMinute = 60000, kHour = 60 * kMinute, kDay = 24 * kHour;

struct Rect
{
    double w, s, e, n;
    double widthM() const { return (e - w) * kMetresPerDegLon; }
    double heightM() const { return (n - s) * kMetresPerDegLat; }
};

inline QByteArray pad(qint64 v, int width)
{
    return QByteArray::number(v).rightJustified(width, '0');
}

/** The names of resources/demo/names.json. */
struct DemoNames
{
    struct Pair
    {
        QByteArray zh, en;
    };
    QByteArray districtZh;
    std::vector<Pair> streets;
    std::vector<QByteArray> communityPrefixes, roads, shops, surnames, givenNames, landmarks;
    QHash<QString, std::vector<QByteArray>> descriptions;

    static Result<DemoNames> load();
};

struct Street
{
    Rect r;
    std::vector<double> xs, ys; // community split edges
    int firstCommunity = 0;
};
struct Community
{
    Rect r;
    int street = 0;
    int nx = 1, ny = 1;
    qint64 firstGridId = 0;
    QByteArray gridPrefix; // first 18 digits of the grid code
    QByteArray nameZh;
};
struct Unit
{
    qint64 id;
    QByteArray code;
    QByteArray device; ///< "mobile-<code>", built once: every field event names it
};
/** A team and the people in it: responsibility lands on a named person. */
struct Team
{
    Unit team;
    std::vector<Unit> people;
};
struct Place
{
    int street, community;
    QByteArray grid;
};
struct Photo
{
    QByteArray sha, png;
};

/** What a case is about, drawn before its life cycle is simulated (democases.cpp). */
class CaseLife;

struct CaseDraft
{
    CaseId id = 0;
    const Category *cat = nullptr;
    qint64 reportedAt = 0;
    double lon = 0, lat = 0;
    Place place;
    QByteArray address, description, party;
    const char *source = "";
};

class Generator
{
public:
    Generator(Database &db, const DemoOptions &o, const DemoNames &names);

    Result<DemoSummary> run();

    /** The camera stills, written beside the cache once it is complete. */
    std::vector<Photo> m_photos;

private:
    // demoplaces.cpp
    Status categories();
    /** Synthetic camera stills (street, stalls, people): shapes only, no text, so any
        QCoreApplication can draw them. Shared by many cases, as real camera frames are not. */
    Status photos();
    Status places();
    Place locate(double lon, double lat) const;
    Status roadsAndCameras();

    // demostaff.cpp
    QByteArray personName();
    Result<Unit> addUnit(const QByteArray &code, const QByteArray &nameZh, const QByteArray &nameEn,
                         bool person, const QByteArray &type, const Unit *parent, int street,
                         int community);
    Result<Team> addTeam(const QByteArray &code, const QByteArray &nameZh, const QByteArray &nameEn,
                         const QByteArray &type, int street, int people);
    Status units();

    // democases.cpp
    const Category &pickCategory();
    const Team &teamFor(const Category &c, int street);
    /** Local time of day at which a case of this category is typically reported. */
    qint64 reportTime(const Category &c);
    Status cases();
    /** Where the case is, what it says and how it came in. */
    CaseDraft draft(CaseId id, const Category &cat, qint64 reportedAt,
                    const std::vector<std::pair<double, double>> &hotspots);
    /** The case row (the snapshot folded from its events), its chained events and its facts. */
    Status write(const CaseDraft &d, const CaseSnapshot &s, std::vector<CaseEvent> &ev,
                 BulkInsert &ci, BulkInsert &ei, BulkInsert &fi);
    friend class CaseLife; // democases.cpp: one case's life cycle

    Database &m_db;
    const DemoOptions &m_opt;
    const DemoNames &m_names;
    Rng m_rng;
    const WorkCalendar &m_cal;
    const Catalogue &m_cat;
    const Workflow m_workflow; ///< initial() of each case; its events are folded as they happen
    DemoSummary m_sum;
    std::vector<double> m_catCumulative;
    std::vector<double> m_streetXs;
    std::vector<std::vector<double>> m_streetYs;
    std::vector<Street> m_streets;
    std::vector<Community> m_communities;
    std::vector<QByteArray> m_roadNames;
    std::vector<QByteArray> m_cameras;
    QHash<QString, std::vector<Team>> m_teams;
    std::vector<Unit> m_gridWorkers, m_volunteers;
    QHash<QString, qint64> m_unitIds; ///< unit code → id, for the rows folded from events
    BulkInsert *m_unitIns = nullptr;
    qint64 m_unitCount = 0;
};

} // namespace cityops::demo
