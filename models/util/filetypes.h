#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace cityops {

/** A file type that evidence may have, recognised by its first bytes (magic numbers). */
struct FileType
{
    QByteArray mime;      ///< e.g. "image/jpeg"
    QByteArray extension; ///< e.g. "jpg"
};

/**
 * The allowlist of evidence types (JPEG, PNG, WebP, PDF), recognised by content only: a name or
 * a claimed Content-Type says nothing. Used by the platform on every upload and download and by
 * the sync client to say what it sends.
 */
namespace FileTypes {

/** Bytes from the start of a file that sniff() needs (fewer only when the file is shorter). */
constexpr qsizetype kSniffBytes = 12;
/** The type of a file that starts with `head`, or nothing when it is not on the allowlist. */
std::optional<FileType> sniff(QByteArrayView head);
/** Whether `mime` (parameters and case ignored) is a type of the allowlist. */
bool allowed(QByteArrayView mime);
/** "image/jpeg; charset=x" → "image/jpeg". */
QByteArray essence(QByteArrayView contentType);

} // namespace FileTypes
} // namespace cityops
