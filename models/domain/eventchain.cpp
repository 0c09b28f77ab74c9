#include "eventchain.h"

#include <QCryptographicHash>

namespace cityops {

namespace {
void field(QCryptographicHash &h, const QByteArray &v)
{
    const quint32 n = static_cast<quint32>(v.size());
    const char len[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    h.addData(QByteArrayView(len, 4));
    h.addData(v);
}
} // namespace

QByteArray genesisHash()
{
    return QByteArray(32, '\0');
}

QByteArray eventHash(const EventRecord &e)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    field(h, e.prevHash);
    field(h, QByteArray::number(e.caseId));
    field(h, QByteArray::number(e.seq));
    field(h, e.kind);
    field(h, e.actor);
    field(h, e.role);
    field(h, QByteArray::number(e.at));
    field(h, e.device);
    field(h, e.payload);
    return h.result();
}

} // namespace cityops
