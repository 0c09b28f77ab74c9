#pragma once

#include "domain/types.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace cityops::platform {

/** Limits of the platform's uploads (--upload-expiry, --upload-quota, --upload-quota-window). */
struct UploadLimits
{
    /** An unfinished upload is forgotten this long after its last chunk. */
    qint64 expirySeconds = 24 * 3600;
    /** Bytes one user may have in unfinished uploads plus uploads stored within the window. */
    qint64 quotaBytes = 512LL * 1024 * 1024;
    /** The quota's window for stored uploads; 0: every upload the user ever stored counts. */
    qint64 quotaWindowSeconds = 24 * 3600;
};

/** One user's resumable upload of one attachment. */
struct UploadSession
{
    QString user;
    QString sha;
    qint64 total = 0;    ///< the size the client announced (Content-Range's TOTAL)
    qint64 created = 0;  ///< UTC ms
    qint64 updated = 0;  ///< last chunk, UTC ms; the session expires UploadLimits later
    QByteArray mime;     ///< the type sniffed from its first bytes; empty until known
    qint64 received = 0; ///< bytes in its part file
};

/**
 * The platform's unfinished uploads as per-user sessions (tus-style): a partial upload belongs to
 * the user who started it and lives in DATA/uploads/<owner>/<sha>.part with its description in
 * <sha>.json, where <owner> is derived from the user name; another user's chunks of the same
 * attachment go to that user's own session. Sessions expire a while after their last chunk and a
 * timer sweeps them away. A small ledger per user (ledger.json) remembers what the user stored
 * within the quota window. Files 0600, folders 0700.
 *
 * Threading: lives on the platform's thread; every call runs there.
 */
class Uploads : public QObject
{
    Q_OBJECT
public:
    Uploads(QString dataDir, UploadLimits limits, std::function<qint64()> clock,
            QObject *parent = nullptr);

    /** Whether a role attaches evidence to any command it may give (never the auditor). */
    static bool mayUpload(Role role);

    const UploadLimits &limits() const { return m_limits; }
    /** The user's unexpired session for `sha`, with `received` read from its part file. */
    std::optional<UploadSession> session(const QString &user, const QString &sha) const;
    /** The part file of a session (it need not exist). */
    QString partPath(const QString &user, const QString &sha) const;
    /** Creates (or updates) a session's description; false on a storage failure. */
    bool save(const UploadSession &s);
    /** Forgets a session and its bytes. */
    void remove(const QString &user, const QString &sha);
    /** Bytes counted against the user's quota now (unfinished totals + stored in the window). */
    qint64 used(const QString &user) const;
    /** Remembers that the user stored `size` bytes (for the quota). */
    void recordStored(const QString &user, const QString &sha, qint64 size);
    /** Whether `user` stored the attachment (within the ledger's window): they may read it. */
    bool storedBy(const QString &user, const QString &sha) const;
    /** When a session expires (UTC ms). */
    qint64 expiresAt(const UploadSession &s) const;
    /** Deletes expired sessions, leftovers and ledger entries out of the window; their count. */
    int sweep();

private:
    QString ownerDir(const QString &user) const;
    qint64 now() const { return m_clock(); }

    QString m_root;
    UploadLimits m_limits;
    std::function<qint64()> m_clock;
};

} // namespace cityops::platform
