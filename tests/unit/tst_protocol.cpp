// The wire protocol: lossless round trips and strict validation that names the field.
#include "sync/protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUuid>

using namespace cityops;
using namespace cityops::sync;

/** The error of a failed Result (Qt 6.4 evaluates a QVERIFY2 message even on success). */
template <typename R> QString why(const R &r)
{
    return r ? QString() : r.error();
}

class TestProtocol : public QObject
{
    Q_OBJECT

    static QString uuid() { return QUuid::createUuid().toString(QUuid::WithoutBraces); }

    static Command plain(Action a)
    {
        Command c;
        c.action = a;
        return c;
    }

    static QByteArray one(const QString &fields)
    {
        return QStringLiteral("{\"commands\":[{\"id\":\"%1\",\"device\":\"d\",%2}]}")
            .arg(uuid(), fields)
            .toUtf8();
    }

    /**
     * A binary snapshot page of case 7 with one event and its facts, written as the platform
     * writes one; `spoil` ("column:how") writes one value wrongly.
     */
    static QByteArray binaryPage(const QByteArray &spoil = {})
    {
        SnapshotWriter w(0, SnapshotWriter::Format::Binary);
        w.columns(
            {"id", "category", "state", "priority", "source", "lon", "lat", "reported_at",
             "version", "updated_at", "address", "chain_head", "colour"},
            {"case_id", "seq", "kind", "actor", "role", "at", "device", "payload", "prev_hash"},
            {"reworks", "late", "due"});
        const auto spoiled = [&](const char *key, const char *how) {
            return spoil == QByteArray(key) + ':' + how;
        };
        const auto integer = [&](const char *key, qint64 v) {
            if (spoiled(key, "text"))
                w.text(key, "2", 1);
            else if (spoiled(key, "real"))
                w.number(key, double(v) + 0.5);
            else
                w.integer(key, v);
        };
        const auto text = [&](const char *key, const QByteArray &v) {
            if (spoiled(key, "number"))
                w.integer(key, 5);
            else
                w.text(key, v.constData(), v.size());
        };
        const auto hash = [&](const char *key, const QByteArray &v) {
            if (spoiled(key, "text"))
                w.text(key, "00", 2);
            else if (spoiled(key, "long"))
                w.hex(key, QByteArray(65, 'x').constData(), 65);
            else
                w.hex(key, v.constData(), v.size());
        };
        w.beginCase();
        integer("id", 7);
        text("category", "F0101");
        text("state", "reported");
        integer("priority", 3);
        text("source", "patrol");
        if (spoiled("lon", "nan"))
            w.number("lon", qQNaN());
        else if (spoiled("lon", "text"))
            w.text("lon", "east", 4);
        else
            w.number("lon", 121.5);
        w.number("lat", 31.2);
        integer("reported_at", 1);
        integer("version", 1);
        integer("updated_at", 1);
        text("address", QStringLiteral("a\"b/c😀").toUtf8());
        hash("chain_head", QByteArray(32, '\x5a'));
        w.text("colour", "blue", 4); // a column this version does not know
        if (!spoiled("events", "missing"))
            w.beginEvents();
        w.beginEvent();
        integer("case_id", 7);
        integer("seq", 1);
        text("kind", "report");
        text("actor", "u");
        text("role", "operator");
        integer("at", 1);
        text("device", "d");
        text("payload", "{}");
        hash("prev_hash", QByteArray(1, '\0'));
        w.endEvent();
        w.beginFacts();
        integer("reworks", 2);
        integer("late", 1);
        w.null("due");
        w.endCase();
        return w.finish(7, false, 3);
    }

private slots:
    void commandsRoundTrip()
    {
        ReportInput in;
        in.category = QStringLiteral("E0401");
        in.lon = 121.473456789012;
        in.lat = 31.2345678901234;
        in.address = QStringLiteral("南京东路1号 \"东\"门");
        in.description = QStringLiteral("流动摊贩\n占道经营\t(第2次)");
        in.party = QStringLiteral("某某小吃店");
        in.source = QStringLiteral("hotline");
        in.evidence = {QString(64, QLatin1Char('a'))};
        const ClientCommand rep =
            ClientCommand::fromReport(uuid(), in, QStringLiteral("console-7"), 1795773600000);

        Command cmd;
        cmd.action = Action::EscalateRequest;
        cmd.reason = QStringLiteral("多次劝导无效");
        cmd.evidence = {QString(64, QLatin1Char('b')), QString(64, QLatin1Char('c'))};
        cmd.toStage = 3;
        cmd.skip = true;
        ClientCommand esc =
            ClientCommand::fromCommand(uuid(), 42, cmd, QStringLiteral("console-7"), 5, 9);
        ClientCommand ref = ClientCommand::fromCommand(uuid(), 0, plain(Action::Register),
                                                       QStringLiteral("d"), 0, 0);
        ref.caseRef = rep.id;
        ref.confirmFiling = true;

        auto back = decodeCommands(encodeCommands({rep, esc, ref}));
        QVERIFY2(back, qPrintable(why(back)));
        QCOMPARE(back->size(), 3);
        const ClientCommand &r = back->at(0);
        QCOMPARE(r.id, rep.id);
        QVERIFY(r.isReport());
        QCOMPARE(r.lon, in.lon);
        QCOMPARE(r.lat, in.lat);
        QCOMPARE(r.address, in.address);
        QCOMPARE(r.description, in.description);
        QCOMPARE(r.party, in.party);
        QCOMPARE(r.clientAt, 1795773600000);
        const ReportInput again = r.toReport();
        QCOMPARE(again.source, QStringLiteral("hotline"));
        QCOMPARE(again.evidence, in.evidence);

        const Command e = back->at(1).toCommand();
        QCOMPARE(back->at(1).caseId, 42);
        QCOMPARE(back->at(1).baseVersion, 9);
        QCOMPARE(e.action, Action::EscalateRequest);
        QCOMPARE(e.reason, cmd.reason);
        QCOMPARE(e.evidence, cmd.evidence);
        QCOMPARE(e.toStage, 3);
        QVERIFY(e.skip);
        QCOMPARE(back->at(2).caseRef, rep.id);
        QVERIFY(back->at(2).toCommand().confirmFiling);
    }

    void strictCommands_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mention");
        QTest::newRow("not json") << QByteArray("{\"commands\":") << "JSON";
        QTest::newRow("not an object") << QByteArray("[1]") << "object";
        QTest::newRow("empty body") << QByteArray("  ") << "empty";
        QTest::newRow("no commands") << QByteArray("{}") << "commands";
        QTest::newRow("commands not array") << QByteArray("{\"commands\":{}}") << "commands";
        QTest::newRow("unknown top field")
            << QByteArray("{\"commands\":[],\"x\":1}") << "x: unknown";
        QTest::newRow("empty batch") << QByteArray("{\"commands\":[]}") << "at least one";
        QTest::newRow("element not object") << QByteArray("{\"commands\":[7]}") << "commands[0]";
        QTest::newRow("bad uuid") << QByteArray("{\"commands\":[{\"id\":\"x\",\"device\":\"d\","
                                                "\"action\":\"register\",\"caseId\":1}]}")
                                  << "commands[0].id";
        QTest::newRow("unknown action")
            << one(QStringLiteral("\"action\":\"paint\",\"caseId\":1")) << "commands[0].action";
        QTest::newRow("caseId string")
            << one(QStringLiteral("\"action\":\"register\",\"caseId\":\"1\""))
            << "commands[0].caseId";
        QTest::newRow("caseId fraction")
            << one(QStringLiteral("\"action\":\"register\",\"caseId\":1.5"))
            << "commands[0].caseId";
        QTest::newRow("caseId missing")
            << one(QStringLiteral("\"action\":\"register\"")) << "commands[0].caseId";
        QTest::newRow("both refs")
            << one(QStringLiteral("\"action\":\"register\",\"caseId\":1,\"caseRef\":\"%1\"")
                       .arg(uuid()))
            << "commands[0].caseRef";
        QTest::newRow("skip not bool")
            << one(QStringLiteral("\"action\":\"escalate-request\",\"caseId\":1,\"skip\":1"))
            << "commands[0].skip";
        QTest::newRow("toStage range")
            << one(QStringLiteral("\"action\":\"escalate-request\",\"caseId\":1,\"toStage\":9"))
            << "commands[0].toStage";
        QTest::newRow("evidence not hex")
            << one(QStringLiteral("\"action\":\"feedback\",\"caseId\":1,\"evidence\":[\"zz\"]"))
            << "commands[0].evidence[0]";
        QTest::newRow("reason too long")
            << one(QStringLiteral("\"action\":\"reject\",\"caseId\":1,\"reason\":\"%1\"")
                       .arg(QString(4001, QLatin1Char('r'))))
            << "commands[0].reason";
        QTest::newRow("report without category")
            << one(QStringLiteral(
                   "\"action\":\"report\",\"lon\":121,\"lat\":31,\"description\":\"x\""))
            << "commands[0].category";
        QTest::newRow("report lat range")
            << one(QStringLiteral("\"action\":\"report\",\"category\":\"F0101\",\"lon\":121,"
                                  "\"lat\":91,\"description\":\"x\""))
            << "commands[0].lat";
        QTest::newRow("report with caseId")
            << one(QStringLiteral("\"action\":\"report\",\"caseId\":3,\"category\":\"F0101\","
                                  "\"lon\":121,\"lat\":31,\"description\":\"x\""))
            << "commands[0].caseId";
        QTest::newRow("unknown source")
            << one(QStringLiteral("\"action\":\"report\",\"category\":\"F0101\",\"lon\":121,"
                                  "\"lat\":31,\"description\":\"x\",\"source\":\"pigeon\""))
            << "commands[0].source";
        QTest::newRow("unknown field")
            << one(QStringLiteral("\"action\":\"register\",\"caseId\":1,\"actor\":\"supervisor1\""))
            << "commands[0].actor";
        QTest::newRow("too deep") << (QByteArray("{\"commands\":") + QByteArray(30, '[') +
                                      QByteArray(30, ']') + "}")
                                  << "nested";
        QTest::newRow("oversized") << QByteArray(kMaxBodyBytes + 1, ' ') << "larger";
    }

    void strictCommands()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mention);
        const auto r = decodeCommands(body);
        QVERIFY(!r);
        QVERIFY2(r.error().contains(mention), qPrintable(why(r)));
    }

    void tooManyCommands()
    {
        QList<ClientCommand> batch;
        for (int i = 0; i <= kMaxCommandsPerBatch; ++i)
            batch << ClientCommand::fromCommand(uuid(), 1, plain(Action::Accept),
                                                QStringLiteral("d"), 0, 0);
        QVERIFY(!decodeCommands(encodeCommands(batch)));
        batch.removeLast();
        QVERIFY(decodeCommands(encodeCommands(batch)));
    }

    void rowsAndEventsAreLossless()
    {
        CaseRow row;
        row.id = 123456789012;
        row.category = QStringLiteral("E0401");
        row.state = QStringLiteral("handling");
        row.stage = 2;
        row.priority = 1;
        row.source = QStringLiteral("open311");
        row.streetId = 4;
        row.gridCode = QStringLiteral("31000031019900400303");
        row.address = QStringLiteral("路\"口\"\\ 1号\u0001");
        row.description = QStringLiteral("第一行\n第二行 😀");
        row.lon = 121.43942534559618;
        row.lat = 31.240373372785815;
        row.reportedAt = 1789361281126;
        row.deadlineAt = 1789369501126;
        row.version = 7;
        row.updatedAt = 1789374721126;
        row.chainHead = QByteArray(32, '\x7f');
        row.pending = QStringLiteral("escalation");
        row.pendingToStage = 3;
        row.handler = QStringLiteral("GW-01-001");
        auto back = CaseRow::fromJson(QJsonDocument::fromJson(row.toJsonBytes()).object(),
                                      QStringLiteral("case"));
        QVERIFY2(back, qPrintable(why(back)));
        QVERIFY(*back == row);
        QVERIFY(!back->party && !back->closedAt && !back->communityId);

        CaseEvent e{0,
                    row.id,
                    3,
                    QStringLiteral("dispatch"),
                    QStringLiteral("dispatcher1"),
                    QStringLiteral("dispatcher"),
                    1789362301126,
                    QStringLiteral("console-01"),
                    QByteArray("{\"to\":\"SAN-04-01\",\"note\":\"\\\"引号\\\"\\n\"}"),
                    QByteArray(32, '\0')};
        ChangesPage page;
        page.changes.append({17, row.id, 2, 3, 1789362301126, row, {e}, std::nullopt});
        page.cursor = 17;
        page.more = true;
        auto changes = decodeChanges(encodeChanges(page));
        QVERIFY2(changes, qPrintable(why(changes)));
        QCOMPARE(changes->cursor, 17);
        QVERIFY(changes->more);
        QCOMPARE(changes->changes.size(), 1);
        QVERIFY(changes->changes.first().row == row);
        QCOMPARE(changes->changes.first().prevVersion, 2);
        QVERIFY(changes->changes.first().events.first() == e); // the payload byte for byte
        QVERIFY(!changes->changes.first().commandId);          // a change made by no client command

        // The id of the client command that made a change travels with it.
        page.changes.first().commandId = QStringLiteral("0f8c3f9e-5b1d-4c1e-9f55-2b7f3c6a9e01");
        page.changes.append({18, row.id, 3, 4, 1789362301127, row, {}, std::nullopt});
        auto withIds = decodeChanges(encodeChanges(page));
        QVERIFY2(withIds, qPrintable(why(withIds)));
        QCOMPARE(withIds->changes.size(), 2);
        QCOMPARE(withIds->changes.at(0).commandId,
                 std::optional<QString>(QStringLiteral("0f8c3f9e-5b1d-4c1e-9f55-2b7f3c6a9e01")));
        QVERIFY(!withIds->changes.at(1).commandId);
        QVERIFY(encodeChanges(page).contains("\"command_id\":null"));

        SnapshotPage snap;
        CaseFacts facts;
        facts.reworks = 2;
        facts.maxStage = 3;
        facts.reqStage = 2;
        facts.late = true;
        facts.due = 1789362301126;
        snap.cases.append({row, {e, e}, facts});
        snap.cases.append({row, {}, std::nullopt});
        snap.next = row.id;
        snap.cursor = 99;
        auto s = decodeSnapshot(encodeSnapshot(snap));
        QVERIFY2(s, qPrintable(why(s)));
        QCOMPARE(s->next, row.id);
        QCOMPARE(s->cursor, 99);
        QVERIFY(!s->more);
        QCOMPARE(s->cases.first().events.size(), 2);
        QVERIFY(s->cases.first().row == row);
        QVERIFY(s->cases.first().facts == facts);
        QVERIFY(!s->cases.last().facts);
    }

    void bulkDecoder_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mention"); // empty: decodes
        QTest::addColumn<QByteArray>("type"); // the Content-Type it came with
        const QByteArray json("application/json"), binary(kSnapshotBinaryType);
        const QByteArray row =
            "{\"id\":7,\"category\":\"F0101\",\"state\":\"reported\",\"priority\":3,"
            "\"source\":\"patrol\",\"lon\":121.5,\"lat\":31.2,\"reported_at\":1,"
            "\"version\":1,\"updated_at\":1,\"address\":\"a\\u0022b\\/c\\ud83d\\ude00\"";
        const QByteArray event =
            "{\"case_id\":7,\"seq\":1,\"kind\":\"report\",\"actor\":\"u\",\"role\":"
            "\"operator\",\"at\":1,\"device\":\"d\",\"payload\":\"{}\",\"prev_hash\":\"00\"}";
        auto page = [&](const QByteArray &rowTail, const QByteArray &tail = {}) {
            return "{\"cases\":[{\"case\":" + row + rowTail + "},\"events\":[" + event +
                   "]}],\"next\":7,\"more\":false,\"cursor\":3" + tail + "}";
        };
        QTest::newRow("plain") << page({}) << QString() << json;
        QTest::newRow("unknown fields are skipped")
            << page(",\"colour\":{\"a\":[1,2,{\"b\":null}],\"c\":true}", ",\"extra\":[\"x\"]")
            << QString() << json;
        QTest::newRow("whitespace") << QByteArray(" \n") + page({}) + "\n " << QString() << json;
        QTest::newRow("version is a string") << page(",\"version\":\"2\"") << "version" << json;
        QTest::newRow("id is fractional") << page(",\"id\":7.5") << "id" << json;
        QTest::newRow("lon is text") << page(",\"lon\":\"east\"") << "lon" << json;
        QTest::newRow("party not a string") << page(",\"party\":5") << "party" << json;
        QTest::newRow("hash not hex") << page(",\"chain_head\":\"xyz\"") << "chain_head" << json;
        QTest::newRow("bad escape") << page(",\"party\":\"\\q\"") << "escape" << json;
        QTest::newRow("lone surrogate") << page(",\"party\":\"\\ud83d\"") << "surrogate" << json;
        QTest::newRow("truncated") << page({}).left(200) << "" << json;
        QTest::newRow("trailing text") << page({}) + "{}"
                                       << "after" << json;
        QTest::newRow("no cursor") << QByteArray("{\"cases\":[],\"next\":0}") << "cursor" << json;
        QTest::newRow("deep") << QByteArray("{\"x\":") + QByteArray(40, '[') + QByteArray(40, ']') +
                                     ",\"cases\":[],\"next\":0,\"cursor\":0}"
                              << "nested" << json;
        QTest::newRow("binary: plain") << binaryPage() << QString() << binary;
        QTest::newRow("binary: id is fractional") << binaryPage("id:real") << "id" << binary;
        QTest::newRow("binary: version is text")
            << binaryPage("version:text") << "version" << binary;
        QTest::newRow("binary: lon is text") << binaryPage("lon:text") << "lon" << binary;
        QTest::newRow("binary: lon is not a number") << binaryPage("lon:nan") << "lon" << binary;
        QTest::newRow("binary: category is a number")
            << binaryPage("category:number") << "category" << binary;
        QTest::newRow("binary: hash is text")
            << binaryPage("chain_head:text") << "chain_head" << binary;
        QTest::newRow("binary: hash too long")
            << binaryPage("prev_hash:long") << "prev_hash" << binary;
        // Named without the row's last column, which the error is not about.
        QTest::newRow("binary: no events")
            << binaryPage("events:missing") << "snapshot: expected an array" << binary;
        QTest::newRow("binary: a JSON page") << encodeSnapshot({}) << "binary snapshot" << binary;
        QTest::newRow("binary: trailing bytes") << binaryPage() + 'x' << "after the page" << binary;
        QByteArray more = binaryPage();
        more[more.size() - 9] = 2;
        QTest::newRow("binary: more is 2") << more << "true or false" << binary;
        // One row column, "address", whose text claims 4 GB.
        const QByteArray magic("CITYOPS-SNAPSHOT-1\n");
        QTest::newRow("binary: length past the end")
            << magic + QByteArray::fromHex("010007") + "address" +
                   QByteArray::fromHex("000000000503ffffffff") + "abc"
            << "unexpected end" << binary;
        QTest::newRow("binary: no case id")
            << magic + QByteArray::fromHex("000000000000") + QByteArray::fromHex("05080900") +
                   '\x09' + QByteArray(17, '\0')
            << "is required" << binary;
    }

    void bulkDecoder()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mention);
        QFETCH(QByteArray, type);
        const auto r = decodeSnapshot(body, type);
        if (mention.isNull()) {
            QVERIFY2(r, qPrintable(why(r)));
            QCOMPARE(r->cases.size(), 1);
            const CaseWithEvents &c = r->cases.first();
            QCOMPARE(c.row.id, 7);
            QCOMPARE(c.row.category, QStringLiteral("F0101"));
            QCOMPARE(c.row.lon, 121.5);
            QCOMPARE(c.row.address, QStringLiteral("a\"b/c😀"));
            QCOMPARE(c.events.size(), 1);
            QCOMPARE(c.events.first().kind, QStringLiteral("report"));
            QCOMPARE(c.events.first().payload, QByteArray("{}"));
            QCOMPARE(c.events.first().prevHash, QByteArray(1, '\0'));
            QCOMPARE(r->next, 7);
            QVERIFY(!r->more);
            QCOMPARE(r->cursor, 3);
            if (type == kSnapshotBinaryType) {
                QCOMPARE(c.row.chainHead, QByteArray(32, '\x5a'));
                QVERIFY(c.facts);
                QCOMPARE(c.facts->reworks, 2);
                QVERIFY(c.facts->late);
                QVERIFY(!c.facts->due);
            }
            // Either format encodes to JSON that decodes to the same values.
            const auto json = decodeSnapshot(encodeSnapshot(*r));
            QVERIFY2(json, qPrintable(why(json)));
            QCOMPARE(encodeSnapshot(*json), encodeSnapshot(*r));
            return;
        }
        QVERIFY(!r);
        QVERIFY2(r.error().contains(mention), qPrintable(r.error()));
    }

    /** Every cut of a page is an error, and no byte changed anywhere reads out of bounds. */
    void binaryDecoderHostile()
    {
        const QByteArray page = binaryPage();
        for (qsizetype n = 0; n < page.size(); ++n) {
            const auto r = decodeSnapshotBinary(page.left(n));
            QVERIFY2(!r, qPrintable(QStringLiteral("cut at %1 decoded").arg(n)));
            QVERIFY(!r.error().isEmpty());
        }
        int decoded = 0;
        for (qsizetype i = 0; i < page.size(); ++i) {
            for (const char v : {'\0', '\1', '\3', '\x09', '\x7f', '\xff'}) {
                QByteArray spoiled = page;
                spoiled[i] = v;
                const auto r = decodeSnapshotBinary(spoiled);
                decoded += r ? 1 : 0;
                QVERIFY(r || !r.error().isEmpty());
            }
        }
        QVERIFY(decoded > 0); // some values can change and still make a valid page
    }

    void snapshotByContentType()
    {
        const QByteArray binary = binaryPage();
        const auto a = decodeSnapshot(binary, "application/vnd.cityops.snapshot");
        QVERIFY2(a, qPrintable(why(a)));
        QCOMPARE(a->cases.size(), 1);
        QVERIFY(decodeSnapshot(binary, "Application/VND.cityops.snapshot; x=1"));
        QVERIFY(!decodeSnapshot(binary, "application/json"));
        const auto b = decodeSnapshot(encodeSnapshot(*a), "application/json");
        QVERIFY2(b, qPrintable(why(b)));
        QVERIFY(decodeSnapshot(encodeSnapshot(*a), QByteArrayView()));
    }

    void resultsRoundTrip()
    {
        CommandResult dup;
        dup.id = uuid();
        dup.status = CommandStatus::Duplicate;
        dup.original = CommandStatus::Rejected;
        dup.reason = QStringLiteral("不能派遣");
        dup.code = QStringLiteral("state");
        dup.caseId = 5;
        dup.version = 4;
        CommandResult ok;
        ok.id = uuid();
        ok.status = ok.original = CommandStatus::Applied;
        ok.caseId = 6;
        ok.version = 1;
        auto back = decodeResults(encodeResults({dup, ok}));
        QVERIFY2(back, qPrintable(why(back)));
        QCOMPARE(back->at(0).status, CommandStatus::Duplicate);
        QCOMPARE(back->at(0).original, CommandStatus::Rejected);
        QCOMPARE(back->at(0).reason, dup.reason);
        QCOMPARE(back->at(0).code, dup.code);
        QCOMPARE(back->at(1).status, CommandStatus::Applied);
        QCOMPARE(back->at(1).original, CommandStatus::Applied);
        QVERIFY(!decodeResults("{\"results\":[{\"id\":\"x\",\"status\":\"maybe\"}]}"));
    }

    void sessionAndErrors()
    {
        SessionInfo s{QStringLiteral("tok"),
                      5,
                      QStringLiteral("field1"),
                      QStringLiteral("field"),
                      QStringLiteral("GW-01-001"),
                      QStringLiteral("网格员 张伟"),
                      QString(),
                      QStringLiteral("community:001001")};
        auto back = decodeSession(encodeSession(s));
        QVERIFY(back);
        QCOMPARE(back->person, s.person);
        QCOMPARE(back->displayName, s.displayName);
        QCOMPARE(back->org, s.org);
        QCOMPARE(back->scope, s.scope);
        // A platform from before issue 19 sends no organisation and scope.
        auto older =
            decodeSession("{\"token\":\"t\",\"expiresAt\":1,\"user\":\"u\",\"role\":\"operator\"}");
        QVERIFY(older);
        QVERIFY(older->scope.isEmpty());
        QVERIFY(
            !decodeSession("{\"token\":\"t\",\"expiresAt\":1,\"user\":\"u\",\"role\":\"king\"}"));
        auto login =
            decodeLogin(encodeLogin({QStringLiteral("operator1"), QStringLiteral("密码 pw")}));
        QVERIFY(login && login->password == QStringLiteral("密码 pw"));
        QVERIFY(!decodeLogin("{\"username\":\"u\",\"password\":\"p\",\"remember\":true}"));
        const auto err =
            decodeError(encodeError({QStringLiteral("throttled"), QStringLiteral("稍后再试")}));
        QVERIFY(err);
        QCOMPARE(err->code, QStringLiteral("throttled"));
        QCOMPARE(err->message, QStringLiteral("稍后再试"));
        QVERIFY(!decodeError("{\"results\":[]}"));
        QVERIFY(isSha256Hex(QString(64, QLatin1Char('0'))));
        QVERIFY(!isSha256Hex(QString(64, QLatin1Char('A'))));
        QVERIFY(!isSha256Hex(QStringLiteral("../../etc/passwd")));
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
