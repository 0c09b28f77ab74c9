#pragma once

#include <QtGlobal>

namespace cityops {

/**
 * The client's "now" (epoch ms) for the commands a console or the CLI makes. Tests skew it
 * with CITYOPS_CLOCK_SKEW_S=seconds (read once) to show that a device clock that is wrong
 * changes nothing the platform decides: the platform stamps authoritative times itself.
 */
qint64 clientNow();

} // namespace cityops
