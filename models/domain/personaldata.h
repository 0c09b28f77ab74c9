#pragma once

#include "domain/types.h"

#include <QByteArray>
#include <QString>
#include <QStringView>

#include <array>
#include <optional>

namespace cityops {

/** A kind of personal data the centre holds (issue 19). Keys are stable: docs, CSV, the wire. */
enum class PersonalField
{
    PartyName,      ///< "party_name": the person or shop a case is about (当事人)
    Phone,          ///< "phone": the party's telephone number
    IdNumber,       ///< "id_number": the party's resident ID number (身份证号)
    ReporterContact ///< "reporter_contact": an Open311 reporter's name, phone or e-mail
};
inline constexpr std::array kAllPersonalFields{PersonalField::PartyName, PersonalField::Phone,
                                               PersonalField::IdNumber,
                                               PersonalField::ReporterContact};

/** How much of a personal field a role is shown. */
enum class Exposure
{
    Full,   ///< the value as stored
    Masked, ///< the masked form (`138****1234`, `张*`); in full only through an unmask with a
            ///< reason
    Absent  ///< not sent at all: the key is left out, the value is empty
};

/** One row of the policy: what a role sees of each field, in the order of kAllPersonalFields. */
struct PersonalDataPolicyRow
{
    Role role;
    std::array<Exposure, kAllPersonalFields.size()> exposure;
};

/**
 * The default personal-data policy, the one place it is written (docs/security.md, "Personal
 * data", cites it). Columns: party name, phone, ID number, reporter contact.
 *
 * - Operators and dispatchers (受理/派遣) take reports and route cases: they recognise a party
 *   by its masked name and need no number to do so; a call-back goes through a supervisor.
 * - Supervisors (值班长) decide on escalations and complaints and may call a party or a
 *   reporter back: names, phones and reporter contacts in full. The ID number stays masked; it
 *   is needed only to serve a penalty, so a supervisor unmasks it with a reason when needed.
 * - Field staff (网格员, volunteers) go to the place: the masked name tells them whom to look
 *   for; they never carry phone or ID numbers, nor who reported (举报人保密: the reporter is
 *   shielded from the party the field worker meets).
 * - Enforcement officers (城管执法) serve notices and penalties on the party: everything about
 *   the party in full, the reporter absent for the same reason as for field staff.
 * - Auditors check the process, not the people: every field masked, enough to follow a case.
 */
inline constexpr std::array kPersonalDataPolicy{
    //                     party name        phone             ID number         reporter contact
    PersonalDataPolicyRow{Role::Operator,
                          {Exposure::Masked, Exposure::Masked, Exposure::Masked, Exposure::Masked}},
    PersonalDataPolicyRow{Role::Dispatcher,
                          {Exposure::Masked, Exposure::Masked, Exposure::Masked, Exposure::Masked}},
    PersonalDataPolicyRow{Role::Supervisor,
                          {Exposure::Full, Exposure::Full, Exposure::Masked, Exposure::Full}},
    PersonalDataPolicyRow{Role::Field,
                          {Exposure::Masked, Exposure::Absent, Exposure::Absent, Exposure::Absent}},
    PersonalDataPolicyRow{Role::Enforcement,
                          {Exposure::Full, Exposure::Full, Exposure::Full, Exposure::Absent}},
    PersonalDataPolicyRow{Role::Auditor,
                          {Exposure::Masked, Exposure::Masked, Exposure::Masked, Exposure::Masked}},
};
static_assert(kPersonalDataPolicy.size() == kAllRoles.size(), "one policy row per role");

/**
 * The personal-data policy (issue 19) as pure functions: what each role sees of each personal
 * field, the mask formats, and the rewriting of event payloads. The platform applies it before
 * it sends anything, so a console's cache never holds what its user may not see; CSV exports
 * apply it too. No state, no I/O: safe from any thread.
 *
 * Mask formats (values are trimmed first; empty stays empty; a value of one character becomes
 * `*`, since "first character" would show it whole):
 * - mainland mobile (11 digits from 1[3-9], optional +86/86, spaces, dashes, dots or
 *   parentheses): first 3 and last 4 digits, `138****1234`;
 * - other digit strings of 7 or more digits (landlines, old 15-digit IDs): first 3 and last 2
 *   digits, one `*` per hidden digit, `021******78`;
 * - 18-character resident ID numbers (17 digits, then a digit or X): first 6 and last 4,
 *   `110101********123X`;
 * - Chinese names (any Han character): the first character, then one `*` per remaining
 *   character, `张*`, `欧***`;
 * - Latin names: each word's first letter, then one `*` per remaining letter, `J*** S****`;
 * - e-mail addresses: the first character of the local part, `***`, then the domain,
 *   `z***@example.com`;
 * - anything else: the first character, then one `*` per remaining character.
 */
class PersonalData
{
public:
    /** Stable key of a field ("party_name", "phone", "id_number", "reporter_contact"). */
    static QString key(PersonalField f);
    static std::optional<PersonalField> field(const QString &key);
    /** Stable key of an exposure ("full", "masked", "absent"). */
    static QString key(Exposure e);

    /** What `role` sees of `f` under the default policy (kPersonalDataPolicy). */
    static constexpr Exposure exposure(Role role, PersonalField f)
    {
        for (const PersonalDataPolicyRow &row : kPersonalDataPolicy) {
            if (row.role == role)
                return row.exposure[static_cast<std::size_t>(f)];
        }
        return Exposure::Absent; // a role without a row sees nothing
    }

    /**
     * The permission to view a masked value in full, with a reason that is logged: supervisors
     * (for any case) and enforcement officers (for the cases they handle; the caller checks the
     * assignment, this module knows no cases). An absent value is never unmasked.
     */
    static bool mayUnmask(Role role);
    /** mayUnmask(role), and `f` is masked for `role`. */
    static bool mayUnmask(Role role, PersonalField f);

    /** The value as `role` may see it: in full, masked, or empty (absent). */
    static QString apply(Role role, PersonalField f, const QString &value);
    /** The masked form of a value of field `f` (the formats in the class comment). */
    static QString mask(PersonalField f, const QString &value);

    static QString maskPhone(const QString &value);
    static QString maskIdNumber(const QString &value);
    static QString maskName(const QString &value);
    /** A reporter's contact: e-mail, phone, ID or digits by their form, a name otherwise. */
    static QString maskContact(const QString &value);
    /**
     * Masks the mobile numbers, landlines with an area code (0 + 2–3 digits) and 18-character ID
     * numbers found in free text (descriptions, notes) in place; the rest is left unchanged.
     */
    static QString maskFreeText(const QString &text);

    /** The field a payload key carries ("party", "contact_phone", …), if any. */
    static std::optional<PersonalField> payloadField(QStringView key);
    /** Payload keys whose free text may contain numbers ("description", "note", …). */
    static bool isFreeTextKey(QStringView key);

    /**
     * An event payload (a JSON object, usually compact) as `role` may see it: the values of
     * personal keys (payloadField) at any depth masked or, when absent, their members removed;
     * free-text values through maskFreeText unless the role sees phones and ID numbers in full.
     * Members keep their order and untouched objects their bytes. A payload that needs no change,
     * or is not a JSON object, is returned as it is, byte for byte (its hash does not change).
     */
    static QByteArray applyToPayload(Role role, const QByteArray &json);
};

} // namespace cityops
