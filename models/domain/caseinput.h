#pragma once

#include <QString>
#include <QStringList>

namespace cityops {

/** What an operator types in for a new case. */
struct ReportInput
{
    QString category;
    double lon = 0;
    double lat = 0;
    QString address;
    QString description;
    QString party;
    QString source = QStringLiteral("patrol");
    QStringList evidence;
};

/** A person a case can be dispatched to, as the unit registry knows them. */
struct Assignee
{
    QString code;
    QString name;
    QString unitCode;
    QString unitType;
    qint64 street = 0;    ///< registry id of the person's street (0 = none)
    qint64 community = 0; ///< registry id of the person's community (0 = none)

    /** For a particular case (CaseService::dispatchCandidates). */
    enum class Locality
    {
        Community, ///< the case's own community
        Street,    ///< another community of the case's street
        Elsewhere  ///< another street, or not tied to one
    } locality = Locality::Elsewhere;
    int openCases = 0;     ///< open cases assigned to the person now
    double distanceM = -1; ///< metres from the case to the last reported position (-1: none)
};

} // namespace cityops
