#pragma once

#include <QByteArray>
#include <QString>

namespace cityops::platform {

/** A derived password: PBKDF2-HMAC-SHA256 over a random salt. */
struct PasswordHash
{
    QByteArray salt;
    QByteArray hash;
    int iterations = 0;
};

/**
 * Password hashing and session tokens. PBKDF2-HMAC-SHA256 (QPasswordDigestor) with a 16-byte
 * random salt and at least kIterations rounds (about 0.1 s here, so run it off the event loop);
 * tokens are 32 random bytes, of which only the SHA-256 is stored. Thread-safe (no state).
 */
class Passwords
{
public:
    static constexpr int kIterations = 100000;
    static constexpr int kMinLength = 8;

    static PasswordHash derive(const QString &password, int iterations = kIterations);
    static QByteArray hash(const QString &password, const QByteArray &salt, int iterations);
    /** Compares in time independent of where the inputs differ. */
    static bool equal(const QByteArray &a, const QByteArray &b);
    /** A new bearer token: 32 random bytes, base64url without padding. */
    static QString newToken();
    static QByteArray tokenHash(const QString &token);
};

} // namespace cityops::platform
