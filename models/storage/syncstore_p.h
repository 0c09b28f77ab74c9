#pragma once

#include "util/result.h"

#include <QSqlError>
#include <QSqlQuery>

// Internal to SyncStore's sources (syncstore.cpp: local actions and the outbox; syncapply.cpp:
// applying the platform's state).
namespace cityops::detail {

inline Status sqlError(const QSqlQuery &q)
{
    return Error{q.lastError().text()};
}

} // namespace cityops::detail
