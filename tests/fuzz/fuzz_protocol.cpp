// libFuzzer target: the sync payload decoders (models/sync/protocol.*) on one untrusted body.
// Every input goes through the command batch, command results, change feed and snapshot page
// decoders, JSON and binary (and the small session/error ones). Whatever a decoder accepts must
// encode and decode again to the same value: decode(b) = v, encode(v) = e, decode(e) = v',
// encode(v') == e, and v' equals v field by field where the structs define equality.
#include "fuzzsupport.h"

#include "sync/protocol.h"

using namespace cityops;
using namespace cityops::sync;

namespace {

void checkRows(const CaseRow &a, const CaseRow &b)
{
    FUZZ_CHECK(a == b);
}

void checkEvents(const QList<CaseEvent> &a, const QList<CaseEvent> &b)
{
    FUZZ_CHECK(a == b);
}

void commands(const QByteArray &body)
{
    const auto v = decodeCommands(body);
    if (!v)
        return;
    FUZZ_CHECK(!v->isEmpty() && v->size() <= kMaxCommandsPerBatch);
    const QByteArray e = encodeCommands(*v);
    const auto v2 = decodeCommands(e);
    FUZZ_CHECK(bool(v2));
    FUZZ_CHECK(v2->size() == v->size());
    FUZZ_CHECK(encodeCommands(*v2) == e);
    for (qsizetype i = 0; i < v->size(); ++i) {
        const ClientCommand &a = v->at(i), &b = v2->at(i);
        FUZZ_CHECK(a.id == b.id && a.action == b.action && a.caseId == b.caseId);
        FUZZ_CHECK(a.caseRef == b.caseRef && a.evidence == b.evidence);
        FUZZ_CHECK(!a.isReport() || (a.lon == b.lon && a.lat == b.lat));
        (void)a.toCommand();
        if (a.isReport())
            (void)a.toReport();
    }
}

void results(const QByteArray &body)
{
    const auto v = decodeResults(body);
    if (!v)
        return;
    // Platform -> client messages are read leniently; only a duplicate's "original" matters.
    for (const CommandResult &r : *v)
        FUZZ_CHECK(r.original != CommandStatus::Duplicate);
    const QByteArray e = encodeResults(*v);
    const auto v2 = decodeResults(e);
    FUZZ_CHECK(v2 && v2->size() == v->size());
    FUZZ_CHECK(encodeResults(*v2) == e);
    for (qsizetype i = 0; i < v->size(); ++i) {
        FUZZ_CHECK(v->at(i).id == v2->at(i).id && v->at(i).status == v2->at(i).status);
        FUZZ_CHECK(v->at(i).status != CommandStatus::Duplicate ||
                   v->at(i).original == v2->at(i).original);
    }
}

void changes(const QByteArray &body)
{
    const auto v = decodeChanges(body);
    if (!v)
        return;
    const QByteArray e = encodeChanges(*v);
    const auto v2 = decodeChanges(e);
    FUZZ_CHECK(bool(v2));
    FUZZ_CHECK(encodeChanges(*v2) == e);
    FUZZ_CHECK(v2->cursor == v->cursor && v2->more == v->more);
    FUZZ_CHECK(v2->changes.size() == v->changes.size());
    for (qsizetype i = 0; i < v->changes.size(); ++i) {
        const Change &a = v->changes.at(i), &b = v2->changes.at(i);
        FUZZ_CHECK(a.seq > 0 && a.row.id == a.caseId);
        FUZZ_CHECK(a.seq == b.seq && a.caseId == b.caseId && a.prevVersion == b.prevVersion);
        FUZZ_CHECK(a.version == b.version && a.at == b.at);
        checkRows(a.row, b.row);
        checkEvents(a.events, b.events);
    }
}

/** A decoded page must encode to JSON that decodes to the same page. */
void checkSnapshot(const Result<SnapshotPage> &v)
{
    if (!v)
        return;
    const QByteArray e = encodeSnapshot(*v);
    const auto v2 = decodeSnapshot(e);
    FUZZ_CHECK(bool(v2));
    FUZZ_CHECK(encodeSnapshot(*v2) == e);
    FUZZ_CHECK(v2->next == v->next && v2->more == v->more && v2->cursor == v->cursor);
    FUZZ_CHECK(v2->cases.size() == v->cases.size());
    for (qsizetype i = 0; i < v->cases.size(); ++i) {
        FUZZ_CHECK(v->cases.at(i).row.id > 0);
        checkRows(v->cases.at(i).row, v2->cases.at(i).row);
        checkEvents(v->cases.at(i).events, v2->cases.at(i).events);
        FUZZ_CHECK(v->cases.at(i).facts == v2->cases.at(i).facts);
    }
}

void snapshot(const QByteArray &body)
{
    checkSnapshot(decodeSnapshot(body));
    checkSnapshot(decodeSnapshotBinary(body));
}

void row(const QByteArray &body)
{
    const auto v = CaseRow::fromJsonBytes(body);
    if (!v)
        return;
    const auto v2 = CaseRow::fromJsonBytes(v->toJsonBytes());
    FUZZ_CHECK(bool(v2));
    checkRows(*v, *v2);
}

void small(const QByteArray &body)
{
    if (const auto l = decodeLogin(body)) {
        const auto l2 = decodeLogin(encodeLogin(*l));
        FUZZ_CHECK(l2 && l2->username == l->username && l2->password == l->password);
    }
    if (const auto s = decodeSession(body)) {
        const auto s2 = decodeSession(encodeSession(*s));
        FUZZ_CHECK(s2 && s2->token == s->token && s2->expiresAt == s->expiresAt);
    }
    if (const auto err = decodeError(body)) {
        const auto err2 = decodeError(encodeError(*err));
        FUZZ_CHECK(err2 && err2->code == err->code && err2->message == err->message);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cityops::fuzz::initApplication(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    commands(body);
    results(body);
    changes(body);
    snapshot(body);
    row(body);
    small(body);
    return 0;
}
