#include "theme.h"

#include <QApplication>
#include <QFile>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace cityops {

QString themeKey(Theme theme)
{
    return theme == Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light");
}

Theme themeFromKey(const QString &key)
{
    return key == QLatin1String("dark") ? Theme::Dark : Theme::Light;
}

void applyTheme(Theme theme)
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    if (theme == Theme::Dark) {
        const QColor window(0x1e, 0x22, 0x28), base(0x16, 0x19, 0x1e), text(0xdc, 0xe1, 0xe8);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, QColor(0x1c, 0x20, 0x26));
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, QColor(0x2a, 0x2f, 0x37));
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::ToolTipBase, QColor(0x2a, 0x2f, 0x37));
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xb3));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x88, 0x93));
        p.setColor(QPalette::Link, QColor(0x6c, 0xb2, 0xff));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6a, 0x71, 0x7b));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6a, 0x71, 0x7b));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x6a, 0x71, 0x7b));
    } else {
        p = QApplication::style()->standardPalette();
        p.setColor(QPalette::Highlight, QColor(0x1f, 0x5f, 0xa8));
        p.setColor(QPalette::AlternateBase, QColor(0xf3, 0xf5, 0xf8));
    }
    QApplication::setPalette(p);
    QFile qss(QStringLiteral(":/themes/%1.qss").arg(themeKey(theme)));
    qApp->setStyleSheet(qss.open(QIODevice::ReadOnly) ? QString::fromUtf8(qss.readAll())
                                                      : QString());
}

} // namespace cityops
