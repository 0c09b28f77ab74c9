#pragma once

#include "caserecord.h"

#include <QByteArray>

namespace cityops {

/**
 * SHA-256 of an event over a canonical, length-prefixed encoding of every field the chain covers
 * (prevHash, caseId, seq, kind, actor, role, at, device, payload; not the local row id), so
 * editing, deleting or reordering any event breaks the chain. Text fields are hashed as UTF-8.
 */
QByteArray eventHash(const CaseEvent &e);
/** The prev_hash of a case's first event. */
QByteArray genesisHash();

} // namespace cityops
