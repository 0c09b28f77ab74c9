// libFuzzer target: the category catalogue loader (models/domain/catalogue.*). A catalogue it
// accepts must be self-consistent: every subcategory findable by its code, under an existing
// major whose code prefixes it, with limits and priority in their documented ranges.
#include "fuzzsupport.h"

#include "domain/catalogue.h"

using namespace cityops;

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cityops::fuzz::initApplication(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto cat =
        Catalogue::fromJson(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!cat) {
        FUZZ_CHECK(!cat.error().isEmpty());
        return 0;
    }
    FUZZ_CHECK(!cat->categories().isEmpty());
    for (const MajorCategory &m : cat->majors())
        FUZZ_CHECK(cat->findMajor(m.code) == &m || cat->findMajor(m.code)->code == m.code);
    for (const Category &c : cat->categories()) {
        FUZZ_CHECK(cat->find(c.code) == &c);
        const MajorCategory *major = cat->findMajor(c.majorCode);
        FUZZ_CHECK(major && c.code.startsWith(major->code) && major->kind == c.kind);
        FUZZ_CHECK(c.priority >= 1 && c.priority <= 3);
        FUZZ_CHECK(c.limitMinutes(480) > 0);
        FUZZ_CHECK(!c.ladder || (c.ladder->noticeHours > 0 && c.ladder->persuasionDays > 0 &&
                                 c.ladder->enforcementDays > 0));
    }
    return 0;
}
