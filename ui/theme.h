#pragma once

#include <QString>

class QApplication;

namespace cityops {

/** The console's light and dark themes (operations rooms run 24/7 on dark screens). */
enum class Theme
{
    Light,
    Dark
};

void applyTheme(Theme theme);
QString themeKey(Theme theme);
Theme themeFromKey(const QString &key);

} // namespace cityops
