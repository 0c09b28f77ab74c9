#pragma once

#include <QString>

namespace cityops {

/**
 * Installs the CityOps and Qt translations for a language ("zh_CN", "en"; empty = the system
 * locale) and makes it the default QLocale, so catalogue and place names follow it too.
 * Returns the language that was applied.
 */
QString installTranslations(const QString &language);

} // namespace cityops
