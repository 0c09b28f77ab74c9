#pragma once

#include "util/result.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace cityops {

enum class CategoryKind
{
    Facility,
    Event
};
enum class LimitUnit
{
    WorkingHours,
    WorkingDays
};

/** Per-stage deadlines of the escalation ladder, in working time. */
struct LadderLimits
{
    int noticeHours = 0;
    int persuasionDays = 0;
    int enforcementDays = 0;
};

/** One major category (大类), e.g. E04 街面秩序. */
struct MajorCategory
{
    QString code;
    CategoryKind kind = CategoryKind::Event;
    QString nameZh;
    QString nameEn;
    QString displayName() const;
};

/** One subcategory (小类) with its filing/closure conditions and disposal time limit. */
struct Category
{
    QString code; ///< kind letter + 2-digit major + 2-digit sub, e.g. "E0401"
    QString majorCode;
    CategoryKind kind = CategoryKind::Event;
    QString nameZh;
    QString nameEn;
    QString filingCondition;
    QString closureCondition;
    int limitValue = 0;
    LimitUnit limitUnit = LimitUnit::WorkingHours;
    QString responsibleUnit;
    QString frequency; ///< high | medium | low
    int priority = 3;  ///< 1 urgent .. 3 normal
    std::optional<LadderLimits> ladder;

    QString displayName() const;
    /** Disposal limit in working minutes (working days count as kWorkingMinutesPerDay). */
    int limitMinutes(int workingMinutesPerDay) const;
};

/**
 * The category catalogue (部件/事件), loaded from a JSON data file and validated as a whole:
 * a catalogue with one bad row is rejected, naming the row by its code.
 */
class Catalogue
{
    Q_DECLARE_TR_FUNCTIONS(Catalogue)
public:
    static Result<Catalogue> fromJson(const QByteArray &json);
    static Result<Catalogue> fromFile(const QString &path);
    /** The catalogue shipped in the resources (":/catalogue/categories.json"). */
    static const Catalogue &builtin();

    const QList<MajorCategory> &majors() const { return m_majors; }
    const QList<Category> &categories() const { return m_categories; }
    const Category *find(const QString &code) const;
    const MajorCategory *findMajor(const QString &code) const;
    int version() const { return m_version; }

private:
    int m_version = 0;
    QList<MajorCategory> m_majors;
    QList<Category> m_categories;
    QHash<QString, qsizetype> m_index;
};

/** True when the UI runs in Chinese, so catalogue and place names show their zh form. */
bool preferChineseNames();

} // namespace cityops
