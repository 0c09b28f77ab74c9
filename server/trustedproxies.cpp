#include "trustedproxies.h"

#include <QByteArrayList>

namespace cityops::platform {

QHostAddress TrustedProxies::normalized(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        bool mapped = false;
        const quint32 v4 = address.toIPv4Address(&mapped);
        if (mapped)
            return QHostAddress(v4);
    }
    return address;
}

Result<TrustedProxies> TrustedProxies::parse(const QStringList &values)
{
    TrustedProxies t;
    for (const QString &value : values) {
        for (QString range : value.split(QLatin1Char(','))) {
            range = range.trimmed();
            if (range.isEmpty())
                continue;
            const bool hasPrefix = range.contains(QLatin1Char('/'));
            QPair<QHostAddress, int> subnet;
            if (hasPrefix) {
                subnet = QHostAddress::parseSubnet(range);
            } else {
                const QHostAddress host(range);
                subnet = {host, host.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
            }
            QHostAddress &address = subnet.first;
            if (address.isNull() ||
                (address.protocol() != QAbstractSocket::IPv4Protocol &&
                 address.protocol() != QAbstractSocket::IPv6Protocol) ||
                !address.scopeId().isEmpty() || subnet.second < 0)
                return Error{tr("%1 is not an address range (e.g. 10.0.0.0/8, ::1/128)")
                                 .arg(range.left(100))};
            if (address.protocol() == QAbstractSocket::IPv6Protocol) {
                bool mapped = false;
                const quint32 v4 = address.toIPv4Address(&mapped);
                if (mapped && subnet.second >= 96) {
                    address = QHostAddress(v4);
                    subnet.second -= 96;
                }
            }
            t.m_ranges.append(subnet);
        }
    }
    return t;
}

QHostAddress TrustedProxies::parseForwarded(QByteArrayView entry)
{
    QByteArrayView e = entry.trimmed();
    if (e.isEmpty() || e.size() > 64)
        return {};
    if (e.startsWith('[')) {
        // [v6] or [v6]:port
        const qsizetype close = e.indexOf(']');
        if (close < 0)
            return {};
        const QByteArrayView rest = e.sliced(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(':') || rest.size() < 2)
                return {};
            for (char c : rest.sliced(1)) {
                if (c < '0' || c > '9')
                    return {};
            }
        }
        e = e.sliced(1, close - 1);
        if (!e.contains(':'))
            return {};
    } else if (e.count(':') == 1) {
        // v4:port
        const qsizetype colon = e.indexOf(':');
        const QByteArrayView port = e.sliced(colon + 1);
        if (port.isEmpty())
            return {};
        for (char c : port) {
            if (c < '0' || c > '9')
                return {};
        }
        e = e.first(colon);
        if (e.contains(':'))
            return {};
    }
    for (char c : e) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                        (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        if (!ok) // no scope ids, names or "unknown"
            return {};
    }
    QHostAddress a;
    if (!a.setAddress(QString::fromLatin1(e.data(), e.size())))
        return {};
    if (a.protocol() != QAbstractSocket::IPv4Protocol &&
        a.protocol() != QAbstractSocket::IPv6Protocol)
        return {};
    return normalized(a);
}

bool TrustedProxies::contains(const QHostAddress &address) const
{
    const QHostAddress a = normalized(address);
    for (const auto &range : m_ranges) {
        if (a.isInSubnet(range))
            return true;
    }
    return false;
}

QHostAddress TrustedProxies::clientAddress(const QHostAddress &peer,
                                           const QByteArray &forwardedFor) const
{
    const QHostAddress direct = normalized(peer);
    if (m_ranges.isEmpty() || !contains(direct))
        return direct;
    const QByteArrayList hops = forwardedFor.split(',');
    if (forwardedFor.trimmed().isEmpty())
        return direct;
    QHostAddress leftmost;
    int read = 0;
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        if (++read > kMaxHops)
            return direct;
        const QHostAddress hop = parseForwarded(hops.at(i));
        if (hop.isNull())
            return direct; // a chain we cannot read: believe only the peer
        if (!contains(hop))
            return hop;
        leftmost = hop;
    }
    // Every hop is a trusted proxy: the request began at the left-most of them.
    return leftmost.isNull() ? direct : leftmost;
}

QStringList TrustedProxies::toStringList() const
{
    QStringList out;
    for (const auto &range : m_ranges)
        out << QStringLiteral("%1/%2").arg(range.first.toString()).arg(range.second);
    return out;
}

} // namespace cityops::platform
