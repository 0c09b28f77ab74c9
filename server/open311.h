#pragma once

#include "httptypes.h"
#include "ratelimiter.h"
#include "sync/protocol.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>

namespace cityops::platform {

class PlatformService;

/**
 * Open311 GeoReport v2 at /open311/v2/ (citizen-report interop): services.json from the category
 * catalogue (service_code = subcategory, group = major category), requests.json (GET with the
 * standard filters, POST form-encoded) and requests/{id}.json. A posted request becomes a case
 * in the intake queue (state `reported`, source `open311`), filed through the same command path
 * as a console's report. Errors use the standard shape `[{"code": N, "description": "..."}]`.
 *
 * Hostile clients (docs/security.md): POSTs are rate-limited per api_key (with a valid key) or
 * per client address (without one), 429 with Retry-After; with --open311-keys every POST needs a
 * valid api_key, loopback included. GETs publish only what citizens may see: requests that came
 * in through Open311 (never patrol, camera, hotline or grid-worker cases), with no party names,
 * internal notes or evidence. Same threading rule as PlatformService.
 */
class Open311
{
    Q_DECLARE_TR_FUNCTIONS(Open311)
public:
    explicit Open311(PlatformService &service);

    HttpResponse services(const HttpRequest &request) const;
    HttpResponse requests(const HttpRequest &request) const;
    HttpResponse request(const HttpRequest &request, const QString &id) const;
    HttpResponse post(const HttpRequest &request);

    /** The standard error body with a status. */
    static HttpResponse error(int status, const QString &description);
    /** A case in the standard request shape. */
    static QJsonObject toRequest(const sync::CaseRow &row);
    /** Whether GETs may show the case: it came in through Open311. */
    static bool isPublic(const sync::CaseRow &row);

private:
    /** A 429 (or nullopt) for a POST from `request` with this api_key, which must be valid. */
    std::optional<HttpResponse> limit(const HttpRequest &request, const QString &key,
                                      bool validKey);

    PlatformService &m_service;
    QElapsedTimer m_clock; ///< monotonic: the rate limits' time
    RateLimiter m_byAddress;
    RateLimiter m_byKey;
};

} // namespace cityops::platform
