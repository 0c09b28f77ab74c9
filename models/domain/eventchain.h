#pragma once

#include "types.h"

#include <QByteArray>

namespace cityops {

/** The fields of one timeline event that the audit hash chain covers. */
struct EventRecord
{
    CaseId caseId = 0;
    int seq = 0;
    QByteArray kind;
    QByteArray actor;
    QByteArray role;
    qint64 at = 0;
    QByteArray device;
    QByteArray payload;  ///< compact JSON
    QByteArray prevHash; ///< 32 bytes; all zero for a case's first event
};

/**
 * SHA-256 of an event over a canonical, length-prefixed encoding of every field including the
 * previous event's hash, so editing, deleting or reordering any event breaks the chain.
 */
QByteArray eventHash(const EventRecord &e);
/** The prev_hash of a case's first event. */
QByteArray genesisHash();

} // namespace cityops
