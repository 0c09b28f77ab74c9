#include "platformservice.h"

namespace cityops::platform {

// The security log's seam (issue 18): every refusal and sign-in comes through here.
void PlatformService::securityEvent(const QString &kind, const QString &user,
                                    const QHostAddress &address, const QString &detail)
{
    qInfo().noquote() << "security" << kind << user << address.toString() << detail;
}

QHostAddress PlatformService::clientAddress(const HttpRequest &request) const
{
    return request.remote;
}

} // namespace cityops::platform
