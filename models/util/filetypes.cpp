#include "filetypes.h"

namespace cityops::FileTypes {

std::optional<FileType> sniff(QByteArrayView head)
{
    if (head.startsWith(QByteArrayView("\xFF\xD8\xFF", 3)))
        return FileType{"image/jpeg", "jpg"};
    if (head.startsWith(QByteArrayView("\x89PNG\r\n\x1A\n", 8)))
        return FileType{"image/png", "png"};
    if (head.size() >= 12 && head.startsWith("RIFF") && head.sliced(8, 4) == QByteArrayView("WEBP"))
        return FileType{"image/webp", "webp"};
    if (head.startsWith("%PDF-"))
        return FileType{"application/pdf", "pdf"};
    return std::nullopt;
}

QByteArray essence(QByteArrayView contentType)
{
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.first(semi)).trimmed().toByteArray().toLower();
}

bool allowed(QByteArrayView mime)
{
    const QByteArray m = essence(mime);
    return m == "image/jpeg" || m == "image/png" || m == "image/webp" || m == "application/pdf";
}

} // namespace cityops::FileTypes
