#pragma once

#include "httptypes.h"
#include "sync/protocol.h"

#include <QCoreApplication>
#include <QJsonObject>

namespace cityops::platform {

class PlatformService;

/**
 * Open311 GeoReport v2 at /open311/v2/ (citizen-report interop): services.json from the category
 * catalogue (service_code = subcategory, group = major category), requests.json (GET with the
 * standard filters, POST form-encoded) and requests/{id}.json. A posted request becomes a case
 * in the intake queue (state `reported`, source `open311`), filed through the same command path
 * as a console's report. Errors use the standard shape `[{"code": N, "description": "..."}]`.
 * Same threading rule as PlatformService.
 */
class Open311
{
    Q_DECLARE_TR_FUNCTIONS(Open311)
public:
    explicit Open311(PlatformService &service) : m_service(service) {}

    HttpResponse services(const HttpRequest &request) const;
    HttpResponse requests(const HttpRequest &request) const;
    HttpResponse request(const HttpRequest &request, const QString &id) const;
    HttpResponse post(const HttpRequest &request);

    /** The standard error body with a status. */
    static HttpResponse error(int status, const QString &description);
    /** A case in the standard request shape. */
    static QJsonObject toRequest(const sync::CaseRow &row);

private:
    PlatformService &m_service;
};

} // namespace cityops::platform
