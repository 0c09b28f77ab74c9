#pragma once

#include "demo/demogenerator.h"
#include "domain/types.h"
#include "util/result.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace cityops {
class PlatformStore;
struct Account;
} // namespace cityops

namespace cityops::platform {

/**
 * Setting a platform up: the demo district and its accounts, and account management for
 * `cityops-platform user …`. Same threading rule as PlatformStore.
 */
class PlatformAdmin
{
    Q_DECLARE_TR_FUNCTIONS(PlatformAdmin)
public:
    /** The published password of the demo accounts (refused off loopback). */
    static constexpr const char *kDemoPassword = "demo";

    /**
     * Generates the demo district into DATA/platform.db (and its photos into DATA/evidence) when
     * the directory has no platform store yet. Returns whether it generated anything.
     */
    static Result<bool> seedDemo(const QString &dataDir, const DemoOptions &options);
    /**
     * Gives every user of the district's `users` table (operator1 … auditor1 in the demo) an
     * account with the demo password, unless it has one. Returns how many it created.
     */
    static Result<int> ensureDemoAccounts(PlatformStore &store, qint64 now);
    /**
     * Creates an account. One person may not hold two active accounts whose roles conflict
     * (conflictingRoles) unless `dutyReason` says why; the reason is kept with the account.
     * `org` and `scope` as for setScope (checked before anything is written).
     */
    static Status addUser(PlatformStore &store, const QString &username, Role role,
                          const QString &person, const QString &displayName,
                          const QString &password, qint64 now, const QString &dutyReason = {},
                          const QString &org = {}, const QString &scope = {});
    /**
     * Whether one person holding both roles could decide or verify their own work: one role
     * may make a request (escalation, extension) or handle a case, the other approve or verify
     * it. Derived from the workflow's role rules.
     */
    static bool conflictingRoles(Role a, Role b);
    /**
     * Sets an account's organisation (a team's code, empty for the district centre) and scope
     * (Scope::parse text; empty: the organisation's default, PlatformStore::defaultScope). The
     * scope must name a street, community or department of the district.
     */
    static Status setScope(PlatformStore &store, const QString &username, const QString &org,
                           const QString &scope, qint64 now);
    static Status setPassword(PlatformStore &store, const QString &username,
                              const QString &password, qint64 now);
    static Status disable(PlatformStore &store, const QString &username, qint64 now);
    /** Enabled accounts whose password is still the demo password. */
    static QStringList demoPasswordAccounts(const PlatformStore &store);
    /** Whether a user name is acceptable: 1–64 letters, digits, '.', '_' or '-'. */
    static bool validUsername(const QString &name);

private:
    /** Fills the account's org and scope (defaulted) when both name what the district has. */
    static Status checkScope(const PlatformStore &store, const QString &org, const QString &scope,
                             Account *account);
};

} // namespace cityops::platform
