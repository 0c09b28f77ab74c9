#include "platformadmin.h"

#include "passwords.h"
#include "storage/platformstore.h"
#include "workflow/workflow.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace cityops::platform {

bool PlatformAdmin::validUsername(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return re.match(name).hasMatch();
}

Result<bool> PlatformAdmin::seedDemo(const QString &dataDir, const DemoOptions &options)
{
    const QString target = PlatformStore::pathInDir(dataDir);
    if (QFileInfo::exists(target))
        return false;
    // The generator writes DATA/cityops.db (renamed into place only when complete); the platform
    // keeps its store under its own name so a console cache is never mistaken for it.
    const QString generated = QDir(dataDir).filePath(QStringLiteral("cityops.db"));
    if (QFileInfo::exists(generated))
        return Error{tr("%1 holds a console cache (%2); give the platform a directory of its own.")
                         .arg(dataDir, generated)};
    auto summary = DemoGenerator::generate(dataDir, options);
    if (!summary)
        return Error{summary.error()};
    if (!QFile::rename(generated, target))
        return Error{tr("Cannot move %1 to %2.").arg(generated, target)};
    auto store = PlatformStore::open(dataDir, true);
    if (!store)
        return Error{store.error()};
    return true;
}

Result<int> PlatformAdmin::ensureDemoAccounts(PlatformStore &store, qint64 now)
{
    int created = 0;
    // One derivation for all of them: the demo password is published, and refused off
    // loopback, so a shared salt gives nothing away, while forty derivations would take seconds.
    std::optional<PasswordHash> demo;
    for (Account a : store.districtUsers()) {
        if (store.account(a.username))
            continue;
        if (!demo)
            demo = Passwords::derive(QString::fromLatin1(kDemoPassword));
        const PasswordHash &h = *demo;
        a.salt = h.salt;
        a.hash = h.hash;
        a.iterations = h.iterations;
        a.demoPassword = true;
        if (Status s = store.insertAccount(a, now); !s)
            return Error{tr("Cannot create the account %1: %2").arg(a.username, s.error())};
        ++created;
    }
    return created;
}

Status PlatformAdmin::addUser(PlatformStore &store, const QString &username, Role role,
                              const QString &person, const QString &displayName,
                              const QString &password, qint64 now, const QString &dutyReason,
                              const QString &org, const QString &scope)
{
    if (!validUsername(username))
        return Error{tr("\"%1\" is not a valid user name: use 1–64 letters, digits, '.', '_' or "
                        "'-'.")
                         .arg(username)};
    if (store.account(username))
        return Error{tr("The account \"%1\" already exists.").arg(username)};
    if (password.size() < Passwords::kMinLength)
        return Error{
            tr("The password must have at least %1 characters.").arg(Passwords::kMinLength)};
    if (password == QLatin1String(kDemoPassword))
        return Error{tr("The demo password cannot be used for a real account.")};
    if (!person.isEmpty() && !store.personExists(person))
        return Error{tr("There is no person with the code \"%1\" in the district.").arg(person)};
    if ((role == Role::Field || role == Role::Enforcement) && person.isEmpty())
        return Error{tr("A %1 account needs --person CODE: cases are dispatched to people.")
                         .arg(Names::key(role))};
    if (!person.isEmpty() && dutyReason.trimmed().isEmpty()) {
        for (const Account &other : store.accounts()) {
            if (!other.disabled && other.person == person && conflictingRoles(other.role, role))
                return Error{
                    tr("%1 already has the active %2 account \"%3\"; a %4 account for "
                       "the same person could approve or verify their own work. Give "
                       "the reason with --duty-reason TEXT (it is recorded), or disable "
                       "the other account first.")
                        .arg(person, Names::key(other.role), other.username, Names::key(role))};
        }
    }
    Account a;
    a.username = username;
    a.person = person;
    if (Status s = checkScope(store, org, scope, &a); !s)
        return s;
    const PasswordHash h = Passwords::derive(password);
    a.dutyReason = dutyReason.trimmed();
    a.role = role;
    a.displayName = displayName.isEmpty() ? username : displayName;
    a.salt = h.salt;
    a.hash = h.hash;
    a.iterations = h.iterations;
    return store.insertAccount(a, now);
}

bool PlatformAdmin::conflictingRoles(Role a, Role b)
{
    // Pairs of (asks or handles, decides or verifies) that must be different people.
    static const std::pair<Action, Action> kDuties[] = {
        {Action::EscalateRequest, Action::EscalateApprove},
        {Action::ExtendRequest, Action::ExtendApprove},
        {Action::Feedback, Action::VerifyPass},
    };
    if (a == b)
        return false;
    for (const auto &[asks, decides] : kDuties) {
        const QList<Role> askers = Workflow::rolesFor(asks);
        const QList<Role> deciders = Workflow::rolesFor(decides);
        if ((askers.contains(a) && deciders.contains(b)) ||
            (askers.contains(b) && deciders.contains(a)))
            return true;
    }
    return false;
}

Status PlatformAdmin::checkScope(const PlatformStore &store, const QString &org,
                                 const QString &scope, Account *account)
{
    if (!org.isEmpty() && !store.teamExists(org))
        return Error{tr("There is no team with the code \"%1\" in the district.").arg(org)};
    account->org = org;
    account->scope = scope.isEmpty() ? store.defaultScope(org, account->person) : scope;
    QString why;
    if (!Scope::parse(account->scope, &why))
        return Error{why};
    if (auto resolved = store.resolveScope(*account); !resolved)
        return Error{resolved.error()};
    return Ok{};
}

Status PlatformAdmin::setScope(PlatformStore &store, const QString &username, const QString &org,
                               const QString &scope, qint64 now)
{
    auto account = store.account(username);
    if (!account)
        return Error{tr("There is no account \"%1\".").arg(username)};
    if (Status s = checkScope(store, org, scope, &*account); !s)
        return s;
    return store.setScope(username, account->org, account->scope, now);
}

Status PlatformAdmin::setPassword(PlatformStore &store, const QString &username,
                                  const QString &password, qint64 now)
{
    if (!store.account(username))
        return Error{tr("There is no account \"%1\".").arg(username)};
    if (password.size() < Passwords::kMinLength)
        return Error{
            tr("The password must have at least %1 characters.").arg(Passwords::kMinLength)};
    if (password == QLatin1String(kDemoPassword))
        return Error{tr("The demo password cannot be used for a real account.")};
    const PasswordHash h = Passwords::derive(password);
    return store.setPassword(username, h.salt, h.hash, h.iterations, false, now);
}

Status PlatformAdmin::disable(PlatformStore &store, const QString &username, qint64 now)
{
    return store.setDisabled(username, true, now);
}

QStringList PlatformAdmin::demoPasswordAccounts(const PlatformStore &store)
{
    QStringList out;
    for (const Account &a : store.accounts()) {
        if (a.demoPassword && !a.disabled)
            out << a.username;
    }
    return out;
}

} // namespace cityops::platform
