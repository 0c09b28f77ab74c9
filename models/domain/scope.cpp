#include "scope.h"

#include "sync/messages.h"

#include <QRegularExpression>

namespace cityops {

namespace {

bool validCode(const QString &code)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    return re.match(code).hasMatch();
}

} // namespace

std::optional<Scope> Scope::parse(const QString &text, QString *why)
{
    const QStringList parts = text.split(QLatin1Char(':'));
    const QString &kind = parts.front();
    auto bad = [&](const QString &reason) -> std::optional<Scope> {
        if (why)
            *why = reason;
        return std::nullopt;
    };
    for (qsizetype i = 1; i < parts.size(); ++i) {
        if (!validCode(parts.at(i)))
            return bad(tr("\"%1\" is not a code (letters, digits, '_' and '-').").arg(parts.at(i)));
    }
    Scope s;
    if (kind == QLatin1String("district") && parts.size() == 1)
        return s;
    if (kind == QLatin1String("street") && parts.size() == 2) {
        s.kind = Kind::Street;
        s.code = parts.at(1);
        return s;
    }
    if (kind == QLatin1String("community") && parts.size() == 2) {
        s.kind = Kind::Community;
        s.code = parts.at(1);
        return s;
    }
    if (kind == QLatin1String("department") && (parts.size() == 2 || parts.size() == 3)) {
        s.kind = Kind::Department;
        s.code = parts.at(1);
        if (parts.size() == 3)
            s.street = parts.at(2);
        return s;
    }
    return bad(tr("\"%1\" is not a scope: use district, street:CODE, community:CODE, "
                  "department:TYPE or department:TYPE:STREET.")
                   .arg(text.left(100)));
}

QString Scope::toString() const
{
    switch (kind) {
    case Kind::District:
        return QStringLiteral("district");
    case Kind::Street:
        return QStringLiteral("street:") + code;
    case Kind::Community:
        return QStringLiteral("community:") + code;
    case Kind::Department:
        return QStringLiteral("department:") + code +
               (street.isEmpty() ? QString() : QStringLiteral(":") + street);
    }
    return {};
}

QString Scope::label() const
{
    switch (kind) {
    case Kind::District:
        return tr("the whole district");
    case Kind::Street:
        return tr("street %1").arg(code);
    case Kind::Community:
        return tr("community %1").arg(code);
    case Kind::Department:
        return street.isEmpty() ? tr("department %1").arg(code)
                                : tr("department %1 in street %2").arg(code, street);
    }
    return {};
}

CaseLocus CaseLocus::of(const sync::CaseRow &row)
{
    return {row.streetId, row.communityId, row.unitId, row.assigneeId, row.closedAt.has_value()};
}

bool ResolvedScope::sees(const CaseLocus &c) const
{
    if (person != 0 && c.assignee == person)
        return true;
    switch (kind) {
    case Scope::Kind::District:
        return true;
    case Scope::Kind::Street:
        return c.street == streetId;
    case Scope::Kind::Community:
        return !c.closed && c.community == communityId;
    case Scope::Kind::Department:
        return (c.unit && units.contains(*c.unit)) || (c.assignee && units.contains(*c.assignee));
    }
    return false;
}

bool ResolvedScope::sees(const sync::CaseRow &row) const
{
    return sees(CaseLocus::of(row));
}

} // namespace cityops
