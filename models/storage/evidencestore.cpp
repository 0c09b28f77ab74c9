#include "evidencestore.h"

#include "database.h"
#include "util/privatefiles.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QMimeDatabase>
#include <QSaveFile>
#include <QSqlError>
#include <QSqlQuery>

namespace cityops {

EvidenceStore::EvidenceStore(std::shared_ptr<Database> db, QString dataDir)
    : m_db(std::move(db)), m_root(QDir(dataDir).filePath(QStringLiteral("evidence")))
{
    // An older build's evidence folder becomes private (0700) when opened.
    if (QFileInfo(m_root).isDir())
        (void)PrivateFiles::makeDir(m_root);
}

QString EvidenceStore::pathFor(const QString &sha) const
{
    if (sha.size() != 64)
        return {};
    const QString p = QDir(m_root).filePath(sha.left(2) + QLatin1Char('/') + sha);
    return QFileInfo::exists(p) ? p : QString();
}

bool EvidenceStore::contains(const QString &sha) const
{
    return !pathFor(sha).isEmpty();
}

Result<QString> EvidenceStore::import(const QString &file, bool requireImage)
{
    QFile f(file);
    const QFileInfo fi(file);
    if (!fi.isFile() || !f.open(QIODevice::ReadOnly))
        return Error{tr("Cannot read the evidence file %1: %2")
                         .arg(file, fi.exists() ? f.errorString() : tr("no such file"))};
    if (fi.size() == 0)
        return Error{tr("The evidence file %1 is empty.").arg(file)};
    if (fi.size() > kMaxBytes)
        return Error{
            tr("The evidence file %1 is larger than %2 MB.").arg(file).arg(kMaxBytes >> 20)};
    const QByteArray bytes = f.readAll();
    if (bytes.size() != fi.size())
        return Error{tr("Cannot read the evidence file %1 completely.").arg(file)};
    QBuffer buf;
    buf.setData(bytes);
    buf.open(QIODevice::ReadOnly);
    QImageReader reader(&buf);
    const bool isImage = reader.canRead() && !reader.size().isEmpty();
    if (requireImage && !isImage)
        return Error{
            tr("%1 is not a photo: a JPEG, PNG or other image is required here.").arg(file)};
    const QString mime = isImage ? QStringLiteral("image/") + QString::fromLatin1(reader.format())
                                 : QMimeDatabase().mimeTypeForFileNameAndData(file, bytes).name();
    const QString sha =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    const QString dir = QDir(m_root).filePath(sha.left(2));
    const QString target = QDir(dir).filePath(sha);
    if (!QFileInfo::exists(target)) {
        if (!PrivateFiles::makeDir(m_root) || !PrivateFiles::makeDir(dir))
            return Error{tr("Cannot create the evidence folder %1.").arg(dir)};
        QSaveFile out(target);
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit())
            return Error{tr("Cannot store the evidence in %1: %2").arg(target, out.errorString())};
        PrivateFiles::restrictFile(target, true); // immutable and private: 0400
    }
    QSqlQuery q(m_db->sql());
    q.prepare(QStringLiteral("INSERT OR IGNORE INTO attachments (sha256, mime, size, "
                             "original_name, captured_at, stored_at) VALUES (?, ?, ?, ?, ?, ?)"));
    q.addBindValue(sha);
    q.addBindValue(mime);
    q.addBindValue(qint64(bytes.size()));
    q.addBindValue(fi.fileName());
    q.addBindValue(fi.lastModified().toMSecsSinceEpoch());
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec())
        return Error{tr("Cannot record the evidence: %1").arg(q.lastError().text())};
    return sha;
}

} // namespace cityops
