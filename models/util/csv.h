#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace cityops {

/** RFC 4180 CSV: quoting on write, and a parser (quoted commas, quotes and newlines). */
struct Csv
{
    /** UTF-8 byte-order mark: Excel opens UTF-8 CSV with Chinese text correctly only with it. */
    static QByteArray bom() { return QByteArray("\xEF\xBB\xBF", 3); }
    static QByteArray row(const QStringList &fields);
    /** Parses a whole document (a leading BOM is skipped); rows end with CRLF or LF. */
    static QList<QStringList> parse(const QByteArray &utf8);
};

} // namespace cityops
