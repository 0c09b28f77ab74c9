#include "eventchain.h"

#include <QCryptographicHash>

#include <charconv>

namespace cityops {

namespace {
void field(QCryptographicHash &h, const QByteArray &v)
{
    const quint32 n = static_cast<quint32>(v.size());
    const char len[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    h.addData(QByteArrayView(len, 4));
    h.addData(v);
}
void field(QCryptographicHash &h, const QString &v)
{
    field(h, v.toUtf8());
}
} // namespace

QByteArray genesisHash()
{
    return QByteArray(32, '\0');
}

QByteArray eventHash(const CaseEvent &e)
{
    // One hasher per thread, reset per event: hashing millions of events (the demo generator,
    // audit verify) should not allocate a hasher each time.
    thread_local QCryptographicHash h(QCryptographicHash::Sha256);
    h.reset();
    char buf[24];
    auto number = [&](qint64 v) {
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        return QByteArray::fromRawData(buf, qsizetype(r.ptr - buf));
    };
    field(h, e.prevHash);
    field(h, number(e.caseId));
    field(h, number(e.seq));
    field(h, e.kind);
    field(h, e.actor);
    field(h, e.role);
    field(h, number(e.at));
    field(h, e.device);
    field(h, e.payload);
    return h.result();
}

} // namespace cityops
