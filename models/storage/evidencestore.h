#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QString>

#include <memory>

namespace cityops {

class Database;

/**
 * Content-addressed evidence (photos and files): stored once under DATA/evidence/ab/<sha256>,
 * immutable, described by a row in `attachments`. Same threading rule as Database.
 */
class EvidenceStore
{
    Q_DECLARE_TR_FUNCTIONS(EvidenceStore)
public:
    static constexpr qint64 kMaxBytes = 64LL * 1024 * 1024;

    EvidenceStore(std::shared_ptr<Database> db, QString dataDir);

    /**
     * Copies a file into the store and returns its SHA-256 (hex). A file that cannot be read, is
     * empty or too large, or is not an image when an image is required, is refused with a message
     * naming it; nothing is stored then.
     */
    Result<QString> import(const QString &file, bool requireImage);
    /** Path of a stored attachment, or empty when it is not in the store. */
    QString pathFor(const QString &sha256) const;
    bool contains(const QString &sha256) const;

private:
    std::shared_ptr<Database> m_db;
    QString m_root;
};

} // namespace cityops
