#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QStringList>

namespace cityops::platform {

/**
 * The reverse proxies whose X-Forwarded-For the platform believes (--trusted-proxy CIDR), and
 * the client address that follows from a peer and its X-Forwarded-For: the peer itself unless it
 * is a trusted proxy; otherwise the right-most address of the chain that is not a trusted proxy
 * (every hop to its right vouched for it). A malformed entry met on that walk means the chain
 * cannot be read, and the peer is used. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as
 * their IPv4 address, in ranges and in addresses alike.
 *
 * Threading: a value; const functions may be called from any thread.
 */
class TrustedProxies
{
    Q_DECLARE_TR_FUNCTIONS(TrustedProxies)
public:
    /** How many hops of X-Forwarded-For are read from the right at most. */
    static constexpr int kMaxHops = 32;

    /**
     * Parses ranges such as "10.0.0.0/8", "127.0.0.1" (one host), "::1/128" or
     * "::ffff:192.0.2.0/120"; each value may be a comma-separated list.
     */
    static Result<TrustedProxies> parse(const QStringList &values);
    /** One address of X-Forwarded-For ("192.0.2.1", "2001:db8::1", "[2001:db8::1]:443",
     *  "192.0.2.1:8080"); a null address when it is none. Mapped addresses become IPv4. */
    static QHostAddress parseForwarded(QByteArrayView entry);
    /** ::ffff:a.b.c.d as a.b.c.d; any other address unchanged. */
    static QHostAddress normalized(const QHostAddress &address);

    bool isEmpty() const { return m_ranges.isEmpty(); }
    bool contains(const QHostAddress &address) const;
    /** The client's address, given the peer and the X-Forwarded-For values joined by commas. */
    QHostAddress clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor) const;
    /** The ranges as "address/prefix". */
    QStringList toStringList() const;

private:
    QList<QPair<QHostAddress, int>> m_ranges;
};

} // namespace cityops::platform
