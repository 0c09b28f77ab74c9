#include "clock.h"

#include <QDateTime>

namespace cityops {

qint64 clientNow()
{
    static const qint64 skewMs =
        qint64(qEnvironmentVariableIntValue("CITYOPS_CLOCK_SKEW_S")) * 1000;
    return QDateTime::currentMSecsSinceEpoch() + skewMs;
}

} // namespace cityops
