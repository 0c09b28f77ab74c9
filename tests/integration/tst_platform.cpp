// The real cityops-platform on 127.0.0.1: sessions, commands, idempotency, long-poll, snapshot
// and change feed, attachments, hostile input, the documented routes and user management.
#include "platformtest.h"

#include "domain/eventchain.h"
#include "sync/syncclient.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QImage>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace cityops;
using namespace cityops::test;
using sync::CommandStatus;

class TestPlatform : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PlatformProcess m_platform;
    std::unique_ptr<Client> m_op, m_disp, m_sup, m_field, m_aud;
    QByteArray m_photo;
    QString m_photoSha;

    std::unique_ptr<Client> client() { return std::make_unique<Client>(m_platform.url()); }

    Answer upload(Client &c, const QString &sha, const QByteArray &bytes,
                  const QByteArray &range = {})
    {
        QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/octet-stream"}};
        if (!range.isEmpty())
            headers.append({"Content-Range", range});
        return c.request("PUT", QStringLiteral("/api/v1/attachments/") + sha, bytes, headers);
    }
    qint64 lastSeq()
    {
        return m_op->get(QStringLiteral("/api/v1/snapshot?limit=1"))
            .object()
            .value(QLatin1String("cursor"))
            .toInteger();
    }
    int runPlatform(const QStringList &args, const QByteArray &stdinText, QString *out = nullptr)
    {
        QProcess p;
        p.start(QStringLiteral(CITYOPS_PLATFORM_BIN),
                QStringList{QStringLiteral("--data"), m_dir.path()} + args);
        p.write(stdinText);
        p.closeWriteChannel();
        if (!p.waitForFinished(30000))
            return -1;
        if (out)
            *out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        return p.exitCode();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_platform.start(m_dir.path(),
                                  {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                   QStringLiteral("2026-11-27T18:00+08:00"),
                                   QStringLiteral("--cases"), QStringLiteral("300")}),
                 m_platform.output().constData());
        QCOMPARE(m_platform.url().host(), QStringLiteral("127.0.0.1"));
        QVERIFY(m_platform.url().port() > 0);
        m_op = client();
        m_disp = client();
        m_sup = client();
        m_field = client();
        m_aud = client();
        QCOMPARE(m_op->login(QStringLiteral("operator1")).status, 200);
        QCOMPARE(m_disp->login(QStringLiteral("dispatcher1")).status, 200);
        QCOMPARE(m_sup->login(QStringLiteral("supervisor1")).status, 200);
        QCOMPARE(m_field->login(QStringLiteral("field1")).status, 200);
        QCOMPARE(m_aud->login(QStringLiteral("auditor1")).status, 200);

        QImage img(32, 24, QImage::Format_RGB32);
        img.fill(Qt::darkCyan);
        QBuffer buf(&m_photo);
        QVERIFY(buf.open(QIODevice::WriteOnly));
        QVERIFY(img.save(&buf, "PNG"));
        m_photoSha = QString::fromLatin1(
            QCryptographicHash::hash(m_photo, QCryptographicHash::Sha256).toHex());
        QCOMPARE(upload(*m_op, m_photoSha, m_photo).status, 201);
    }

    void session()
    {
        auto c = client();
        const Answer ok = c->login(QStringLiteral("field1"));
        QCOMPARE(ok.status, 200);
        auto s = sync::decodeSession(ok.body);
        QVERIFY2(s, qPrintable(why(s)));
        QCOMPARE(s->user, QStringLiteral("field1"));
        QCOMPARE(s->role, QStringLiteral("field"));
        QCOMPARE(s->person, QStringLiteral("GW-01-001"));
        QVERIFY(s->token.size() >= 40);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(s->expiresAt > now + 11 * 3600000LL &&
                s->expiresAt <= now + 12 * 3600000LL + 60000);

        const Answer wrong =
            c->login(QStringLiteral("operator1"), QStringLiteral("not-the-password"));
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.errorCode(), QStringLiteral("unauthorized"));
        QVERIFY(!c->token().size());
        QCOMPARE(c->login(QStringLiteral("nobody"), QStringLiteral("demo")).status, 401);

        const Answer malformed =
            c->post(QStringLiteral("/api/v1/session"), "{\"username\":\"operator1\"}");
        QCOMPARE(malformed.status, 400);
        QVERIFY(malformed.object()
                    .value(QLatin1String("error"))
                    .toObject()
                    .value(QLatin1String("message"))
                    .toString()
                    .contains(QLatin1String("password")));

        const Answer anonymous = c->get(QStringLiteral("/api/v1/snapshot"));
        QCOMPARE(anonymous.status, 401);
        QCOMPARE(anonymous.header("WWW-Authenticate"), QByteArray("Bearer"));
        c->setToken("forged-token");
        QCOMPARE(c->get(QStringLiteral("/api/v1/changes")).status, 401);
        // Signing out ends exactly that session.
        QCOMPARE(c->login(QStringLiteral("dispatcher1")).status, 200);
        QCOMPARE(c->request("DELETE", QStringLiteral("/api/v1/session")).status, 200);
        QCOMPARE(c->get(QStringLiteral("/api/v1/changes")).status, 401);
        QCOMPARE(m_disp->get(QStringLiteral("/api/v1/changes?limit=1")).status, 200);
    }

    void commandResults()
    {
        const sync::ClientCommand rep = report(QStringLiteral("F0101"), QStringLiteral("井盖缺失"));
        auto r = m_op->commands({rep});
        QCOMPARE(r.size(), 1);
        QCOMPARE(r[0].id, rep.id);
        QCOMPARE(r[0].status, CommandStatus::Applied);
        QVERIFY(r[0].caseId > 300);
        QCOMPARE(r[0].version, 1);
        QVERIFY(r[0].reason.isEmpty());
        const CaseId id = r[0].caseId;

        r = m_op->commands({rep});
        QCOMPARE(r[0].status, CommandStatus::Duplicate);
        QCOMPARE(r[0].original, CommandStatus::Applied);
        QCOMPARE(r[0].caseId, id);

        sync::ClientCommand unconfirmed = command(Action::Register, id);
        r = m_op->commands({unconfirmed});
        QCOMPARE(r[0].status, CommandStatus::Rejected);
        QCOMPARE(r[0].code, QStringLiteral("argument"));
        QVERIFY2(r[0].reason.contains(QLatin1String("filing condition")), qPrintable(r[0].reason));
        QCOMPARE(r[0].version, 1);
        const QString reason = r[0].reason;
        r = m_op->commands({unconfirmed});
        QCOMPARE(r[0].status, CommandStatus::Duplicate);
        QCOMPARE(r[0].original, CommandStatus::Rejected);
        QCOMPARE(r[0].reason, reason);
        QCOMPARE(r[0].code, QStringLiteral("argument"));

        sync::ClientCommand reg = command(Action::Register, id);
        reg.confirmFiling = true;
        sync::ClientCommand again = command(Action::Register, id);
        again.confirmFiling = true;
        sync::ClientCommand missing = command(Action::Register, 9999999);
        missing.confirmFiling = true;
        r = m_op->commands({reg, again, missing});
        QCOMPARE(r.size(), 3);
        QCOMPARE(r[0].status, CommandStatus::Applied);
        QCOMPARE(r[0].version, 2);
        QCOMPARE(r[1].status, CommandStatus::Rejected);
        QCOMPARE(r[1].code, QStringLiteral("state"));
        QCOMPARE(r[1].version, 2);
        QCOMPARE(r[2].status, CommandStatus::Rejected);
        QCOMPARE(r[2].code, QStringLiteral("not-found"));
        // A resent command answers the version it produced (its change's), not the case's
        // current one; a resent rejection the case's current version, as the rejection did.
        r = m_op->commands({rep, reg, unconfirmed});
        QCOMPARE(r[0].status, CommandStatus::Duplicate);
        QCOMPARE(r[0].version, 1);
        QCOMPARE(r[1].status, CommandStatus::Duplicate);
        QCOMPARE(r[1].version, 2);
        QCOMPARE(r[2].status, CommandStatus::Duplicate);
        QCOMPARE(r[2].original, CommandStatus::Rejected);
        QCOMPARE(r[2].version, 2);

        // The actor is the signed-in user, whatever the payload says: an auditor only reads.
        sync::ClientCommand shelve = command(Action::Shelve, id);
        shelve.reason = QStringLiteral("waiting for parts");
        r = m_aud->commands({shelve});
        QCOMPARE(r[0].status, CommandStatus::Rejected);
        QCOMPARE(r[0].code, QStringLiteral("role"));

        // The feed carries the register with the row it produced.
        const Answer feed =
            m_op->get(QStringLiteral("/api/v1/changes?since=%1").arg(lastSeq() - 1));
        auto page = sync::decodeChanges(feed.body);
        QVERIFY2(page, qPrintable(why(page)));
        QCOMPARE(page->changes.size(), 1);
        const sync::Change &ch = page->changes.first();
        QCOMPARE(ch.caseId, id);
        QCOMPARE(ch.prevVersion, 1);
        QCOMPARE(ch.version, 2);
        QCOMPARE(ch.row.state, QStringLiteral("registered"));
        QCOMPARE(ch.events.size(), 1);
        QCOMPARE(ch.events.first().kind, QStringLiteral("register"));
        QCOMPARE(ch.events.first().actor, QStringLiteral("operator1"));
        QCOMPARE(ch.events.first().device, QStringLiteral("test-console"));
    }

    void resendingABatchChangesNothing()
    {
        // A dispatcher's morning, with refusals mixed in; cases filed in the batch are addressed
        // by the id of their report command.
        QList<sync::ClientCommand> batch;
        const auto a = report(QStringLiteral("F0101"), QStringLiteral("井盖破损"));
        auto regA = command(Action::Register, 0, a.id);
        regA.confirmFiling = true;
        auto dispA = command(Action::Dispatch, 0, a.id);
        dispA.to = QStringLiteral("GW-01-001");
        const auto b = report(QStringLiteral("E0107"), QStringLiteral("垃圾满溢"));
        auto regB = command(Action::Register, 0, b.id);
        auto rejB = command(Action::Reject, 0, b.id);
        auto rejB2 = command(Action::Reject, 0, b.id);
        rejB2.reason = QStringLiteral("不属于受理范围");
        // In a corner of the demo district where no earlier case lies, so it repeats none
        // (recurrence would link it). It used to lie outside the district (121.60, 31.10), which
        // the platform now refuses (issue 18: reports are checked against the district's area).
        const auto c =
            report(QStringLiteral("E0401"), QStringLiteral("流动摊贩占道经营"), 121.4205, 31.2615);
        auto regC = command(Action::Register, 0, c.id);
        regC.confirmFiling = true;
        auto noticeC = command(Action::Notice, 0, c.id);
        noticeC.evidence = {m_photoSha};
        auto dispC = command(Action::Dispatch, 0, c.id);
        dispC.to = QStringLiteral("GW-01-001");
        auto closeOld = command(Action::Close, 1);
        batch << a << regA << dispA << b << regB << rejB << rejB2 << c << regC << noticeC << dispC
              << closeOld;

        const QList<sync::CommandResult> first = m_disp->commands(batch);
        QCOMPARE(first.size(), batch.size());
        const QList<CommandStatus> expected{
            CommandStatus::Applied, CommandStatus::Applied,  CommandStatus::Applied,
            CommandStatus::Applied, CommandStatus::Rejected, CommandStatus::Rejected,
            CommandStatus::Applied, CommandStatus::Applied,  CommandStatus::Applied,
            CommandStatus::Applied, CommandStatus::Rejected, CommandStatus::Rejected};
        for (qsizetype i = 0; i < batch.size(); ++i)
            QVERIFY2(first[i].status == expected[i],
                     qPrintable(QStringLiteral("command %1 (%2): %3 %4")
                                    .arg(i)
                                    .arg(batch[i].action, sync::statusKey(first[i].status),
                                         first[i].reason)));
        QCOMPARE(first[10].code, QStringLiteral("state")); // a notice puts the case in handling
        QCOMPARE(first[2].caseId, first[0].caseId);
        QCOMPARE(first[2].version, 3);

        const auto before = tableHashes(m_platform.databasePath());
        QVERIFY(before.contains(QStringLiteral("applied_commands")));
        QVERIFY(before.contains(QStringLiteral("changes")));
        for (int round = 0; round < 3; ++round) {
            const QList<sync::CommandResult> again = m_disp->commands(batch);
            QCOMPARE(again.size(), batch.size());
            for (qsizetype i = 0; i < batch.size(); ++i) {
                QCOMPARE(again[i].status, CommandStatus::Duplicate);
                QCOMPARE(again[i].original, first[i].status);
                QCOMPARE(again[i].caseId, first[i].caseId);
                QCOMPARE(again[i].reason, first[i].reason);
                QCOMPARE(again[i].code, first[i].code);
                // An applied command's answer carries the version it produced, every time.
                if (first[i].status == CommandStatus::Applied)
                    QCOMPARE(again[i].version, first[i].version);
            }
            QCOMPARE(tableHashes(m_platform.databasePath()), before);
        }
    }

    /**
     * Issue 18: where a report came from is the channel's to say. A signed-in client may choose
     * among the sources a person reports (patrol, hotline, grid worker) but not claim Open311's
     * or a camera's, nor report as a camera, sensor or the Open311 gateway; and a report must lie
     * in the district (its streets, widened by --report-area-margin, 500 m by default).
     */
    void reportSourceAndPlace_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("device");
        QTest::addColumn<double>("lon");
        QTest::addColumn<double>("lat");
        QTest::addColumn<QString>("code"); // empty: applied
        const QString console = QStringLiteral("test-console");
        const QString none;
        QTest::newRow("field, grid worker") << "field1"
                                            << "grid_worker" << console << 121.47 << 31.25 << none;
        QTest::newRow("operator, hotline") << "operator1"
                                           << "hotline" << console << 121.46 << 31.22 << none;
        QTest::newRow("operator, no source (patrol)") << "operator1"
                                                      << "" << console << 121.45 << 31.24 << none;
        QTest::newRow("just outside, within the margin")
            << "operator1"
            << "patrol" << console << 121.5020 << 31.23 << none;
        QTest::newRow("field claims open311")
            << "field1"
            << "open311"
            << "open311-gateway" << 121.47 << 31.25 << "source-not-allowed";
        QTest::newRow("field claims a camera")
            << "field1"
            << "camera"
            << "CAM-0001" << 121.47 << 31.25 << "source-not-allowed";
        QTest::newRow("operator claims a camera")
            << "operator1"
            << "camera" << console << 121.47 << 31.25 << "source-not-allowed";
        QTest::newRow("field reports as camera CAM-0001")
            << "field1"
            << "patrol"
            << "CAM-0001" << 121.47 << 31.25 << "device-not-allowed";
        QTest::newRow("field reports as the Open311 gateway")
            << "field1"
            << "patrol"
            << "open311-gateway" << 121.47 << 31.25 << "device-not-allowed";
        QTest::newRow("lon 0 / lat 0") << "field1"
                                       << "patrol" << console << 0.0 << 0.0 << "outside-area";
        QTest::newRow("elsewhere in Shanghai")
            << "operator1"
            << "patrol" << console << 121.60 << 31.10 << "outside-area";
        QTest::newRow("1 km east of the district")
            << "operator1"
            << "patrol" << console << 121.5105 << 31.23 << "outside-area";
    }
    void reportSourceAndPlace()
    {
        QFETCH(QString, user);
        QFETCH(QString, source);
        QFETCH(QString, device);
        QFETCH(double, lon);
        QFETCH(double, lat);
        QFETCH(QString, code);
        auto c = client();
        QCOMPARE(c->login(user).status, 200);
        sync::ClientCommand rep =
            report(QStringLiteral("F0101"), QStringLiteral("来源检查 %1").arg(newId()), lon, lat);
        rep.source = source;
        rep.device = device;
        const auto before = tableHashes(m_platform.databasePath());
        const QList<sync::CommandResult> r = c->commands({rep});
        QCOMPARE(r.size(), 1);
        if (code.isEmpty()) {
            QVERIFY2(r[0].status == CommandStatus::Applied, qPrintable(r[0].reason));
            QCOMPARE(
                column(m_platform.databasePath(),
                       QStringLiteral("SELECT source FROM cases WHERE id = %1").arg(r[0].caseId)),
                QStringList{source.isEmpty() ? QStringLiteral("patrol") : source});
            return;
        }
        QCOMPARE(r[0].status, CommandStatus::Rejected);
        QCOMPARE(r[0].code, code);
        QVERIFY(!r[0].reason.isEmpty());
        // Nothing filed: only the decided command id is remembered (a resend gets the same answer).
        auto after = tableHashes(m_platform.databasePath());
        for (const char *t : {"cases", "case_events", "changes"})
            QCOMPARE(after.value(QLatin1String(t)), before.value(QLatin1String(t)));
        const QList<sync::CommandResult> again = c->commands({rep});
        QCOMPARE(again.size(), 1);
        QCOMPARE(again[0].status, CommandStatus::Duplicate);
        QCOMPARE(again[0].code, code);
        // The refusal is in the security log, under the user, with its command id and code.
        QTRY_COMPARE_WITH_TIMEOUT(
            column(m_platform.databasePath(),
                   QStringLiteral("SELECT user FROM security_log WHERE kind = 'command.refused' "
                                  "AND detail LIKE '%%1%' AND detail LIKE '%%2%'")
                       .arg(rep.id, code)),
            QStringList{user}, 5000);
    }

    void evidenceAndCaseRefs()
    {
        const QByteArray bytes = "%PDF-1.4 site sketch, not a photo";
        const QString sha = QString::fromLatin1(
            QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        sync::ClientCommand rep = report(QStringLiteral("F0101"), QStringLiteral("附图"));
        rep.evidence = {sha};
        auto r = m_op->commands({rep});
        QCOMPARE(r[0].status, CommandStatus::Rejected);
        QCOMPARE(r[0].code, QStringLiteral("evidence-missing"));
        // Not remembered: after the upload the very same command goes through.
        QCOMPARE(upload(*m_op, sha, bytes).status, 201);
        r = m_op->commands({rep});
        QCOMPARE(r[0].status, CommandStatus::Applied);

        auto orphan = command(Action::Register, 0, newId());
        orphan.confirmFiling = true;
        r = m_op->commands({orphan});
        QCOMPARE(r[0].status, CommandStatus::Rejected);
        QCOMPARE(r[0].code, QStringLiteral("not-found"));

        // Dispatch goes to people the platform knows, whatever team the client claims.
        auto reg = command(Action::Register, 0, rep.id);
        reg.confirmFiling = true;
        auto nobody = command(Action::Dispatch, 0, rep.id);
        nobody.to = QStringLiteral("NOBODY-9");
        auto claimed = command(Action::Dispatch, 0, rep.id);
        claimed.to = QStringLiteral("GW-01-001");
        claimed.toUnit = QStringLiteral("FAKE-TEAM");
        claimed.toType = QStringLiteral("enforcement");
        r = m_disp->commands({reg, nobody, claimed});
        QCOMPARE(r[0].status, CommandStatus::Applied);
        QCOMPARE(r[1].status, CommandStatus::Rejected);
        QCOMPARE(r[1].code, QStringLiteral("argument"));
        QCOMPARE(r[2].status, CommandStatus::Applied);
        auto page = sync::decodeChanges(
            m_op->get(QStringLiteral("/api/v1/changes?since=%1").arg(lastSeq() - 1)).body);
        QVERIFY(page && page->changes.size() == 1);
        const QByteArray payload = page->changes.first().events.first().payload;
        QVERIFY2(!payload.contains("FAKE-TEAM") && payload.contains("\"type\":\"grid_worker\""),
                 payload.constData());
    }

    void longPollAnswersWithinASecond()
    {
        const qint64 cursor = lastSeq();
        auto console2 = client();
        QCOMPARE(console2->login(QStringLiteral("supervisor1")).status, 200);
        QElapsedTimer t;
        t.start();
        QNetworkReply *poll =
            console2->send("GET", QStringLiteral("/api/v1/changes?since=%1&wait=20").arg(cursor));
        // The poll is held while nothing changes.
        QSignalSpy early(poll, &QNetworkReply::finished);
        QVERIFY(!early.wait(300));
        const qint64 sent = t.elapsed();
        const auto r = m_op->commands({report(QStringLiteral("F0101"), QStringLiteral("长轮询"))});
        QCOMPARE(r.value(0).status, CommandStatus::Applied);
        const Answer a = Client::wait(poll, 5000);
        const qint64 seen = t.elapsed() - sent;
        QCOMPARE(a.status, 200);
        QVERIFY2(seen < 1000, qPrintable(QString::number(seen)));
        auto page = sync::decodeChanges(a.body);
        QVERIFY(page);
        QCOMPARE(page->changes.size(), 1);
        QCOMPARE(page->changes.first().caseId, r.first().caseId);
        QCOMPARE(page->cursor, cursor + 1);
    }

    void longPollTimesOut()
    {
        const qint64 cursor = lastSeq();
        const Answer a = m_sup->get(QStringLiteral("/api/v1/changes?since=%1&wait=1").arg(cursor));
        QCOMPARE(a.status, 200);
        QVERIFY2(a.ms >= 900 && a.ms < 5000, qPrintable(QString::number(a.ms)));
        auto page = sync::decodeChanges(a.body);
        QVERIFY(page);
        QVERIFY(page->changes.isEmpty());
        QCOMPARE(page->cursor, cursor);
        QVERIFY(!page->more);
        QCOMPARE(
            m_sup->get(QStringLiteral("/api/v1/changes?since=%1").arg(cursor + 1000)).errorCode(),
            QStringLiteral("cursor-ahead"));
        QCOMPARE(m_sup->get(QStringLiteral("/api/v1/changes?wait=31")).status, 400);
        QCOMPARE(m_sup->get(QStringLiteral("/api/v1/changes?limit=abc")).status, 400);
    }

    void snapshotPages()
    {
        CaseId after = 0;
        qint64 firstCursor = -1, lastCursor = -1;
        QList<sync::CaseWithEvents> all;
        for (int pages = 0; pages < 100; ++pages) {
            const Answer a =
                m_op->get(QStringLiteral("/api/v1/snapshot?after=%1&limit=64").arg(after));
            QCOMPARE(a.status, 200);
            auto page = sync::decodeSnapshot(a.body);
            QVERIFY2(page, qPrintable(why(page)));
            if (firstCursor < 0)
                firstCursor = page->cursor;
            lastCursor = page->cursor;
            QVERIFY(page->cases.size() <= 64);
            // A page with a next one names it before the body is read; the last one does not.
            QCOMPARE(a.header(sync::kSnapshotNextHeader),
                     page->more ? QByteArray::number(page->next) : QByteArray());
            QCOMPARE(a.header("Content-Type"), QByteArray("application/json"));
            // The binary page, asked for in Accept: the same cases, events and facts.
            const Answer b = m_op->request(
                "GET", QStringLiteral("/api/v1/snapshot?after=%1&limit=64").arg(after), {},
                {{"Accept", QByteArray(sync::kSnapshotBinaryType) + ", application/json;q=0.5"}});
            QCOMPARE(b.status, 200);
            QCOMPARE(b.header("Content-Type"), QByteArray(sync::kSnapshotBinaryType));
            QCOMPARE(b.header(sync::kSnapshotNextHeader), a.header(sync::kSnapshotNextHeader));
            QVERIFY(b.body.size() < a.body.size());
            const auto binary = sync::decodeSnapshot(b.body, b.header("Content-Type"));
            QVERIFY2(binary, qPrintable(why(binary)));
            QCOMPARE(sync::encodeSnapshot(*binary), sync::encodeSnapshot(*page));
            QVERIFY(std::all_of(page->cases.begin(), page->cases.end(),
                                [](const sync::CaseWithEvents &c) { return c.facts.has_value(); }));
            all += page->cases;
            after = page->next;
            if (!page->more)
                break;
        }
        QVERIFY(all.size() > 300);
        QCOMPARE(all.first().row.id, 1);
        QCOMPARE(all.size(), all.last().row.id); // every case once, in id order
        QVERIFY(firstCursor <= lastCursor && firstCursor > 0);
        for (qsizetype i = 0; i < all.size(); ++i) {
            const auto &c = all[i];
            QCOMPARE(c.row.id, CaseId(i + 1));
            QCOMPARE(c.events.size(), c.row.version);
            QByteArray prev = genesisHash();
            for (qsizetype k = 0; k < c.events.size(); ++k) {
                const CaseEvent &e = c.events[k];
                QCOMPARE(e.caseId, c.row.id);
                QCOMPARE(e.seq, int(k + 1));
                QCOMPARE(e.prevHash, prev);
                prev = eventHash(e);
            }
            QCOMPARE(prev, c.row.chainHead);
        }
        QCOMPARE(m_op->get(QStringLiteral("/api/v1/snapshot?limit=0")).status, 400);
        QCOMPARE(m_op->get(QStringLiteral("/api/v1/snapshot?limit=5001")).status, 400);
        QCOMPARE(m_op->get(QStringLiteral("/api/v1/snapshot?after=-1")).status, 400);
        QCOMPARE(m_op->get(QStringLiteral("/api/v1/snapshot?after=x")).errorCode(),
                 QStringLiteral("invalid"));
    }

    /** SyncClient::snapshotPages asks for page N+1 before decoding page N: same pages, in order. */
    void snapshotPagesPipelined()
    {
        sync::SyncClient client(m_platform.url());
        client.setToken(m_op->token());
        QList<CaseId> ids;
        int pages = 0;
        client.snapshotPages(0, 64, [&](sync::Reply<sync::SnapshotPage> &&reply) {
            const auto *page = std::get_if<sync::SnapshotPage>(&reply);
            if (!page)
                qWarning("%s", qPrintable(std::get<sync::SyncFailure>(reply).message));
            else
                for (const auto &c : page->cases)
                    ids << c.row.id;
            ++pages;
            return page != nullptr;
        });
        QVERIFY(pages > 4);
        QVERIFY(ids.size() > 300);
        for (qsizetype i = 0; i < ids.size(); ++i)
            QCOMPARE(ids[i], CaseId(i + 1)); // every case once, in id order

        // Stopping after two pages: nothing more is delivered, and the page already asked for
        // is dropped, so the next call starts clean.
        pages = 0;
        client.snapshotPages(0, 64, [&](sync::Reply<sync::SnapshotPage> &&reply) {
            ++pages;
            return std::holds_alternative<sync::SnapshotPage>(reply) && pages < 2;
        });
        QCOMPARE(pages, 2);
        const auto again = client.snapshot(ids.size() - 3, 64);
        QVERIFY(std::holds_alternative<sync::SnapshotPage>(again));
        QCOMPARE(std::get<sync::SnapshotPage>(again).cases.size(), 3);
        QVERIFY(!std::get<sync::SnapshotPage>(again).more);

        // A failure ends the pages: a token the platform refuses.
        client.setToken("not-a-token");
        QList<sync::SyncFailure::Kind> kinds;
        client.snapshotPages(0, 64, [&](sync::Reply<sync::SnapshotPage> &&reply) {
            if (const auto *f = std::get_if<sync::SyncFailure>(&reply))
                kinds << f->kind;
            return true;
        });
        QCOMPARE(kinds, QList<sync::SyncFailure::Kind>{sync::SyncFailure::Unauthorized});
    }

    void changeFeedPages()
    {
        qint64 since = 0;
        qint64 expectSeq = 1;
        int total = 0;
        for (int pages = 0; pages < 1000; ++pages) {
            auto page = sync::decodeChanges(
                m_op->get(QStringLiteral("/api/v1/changes?since=%1&limit=3").arg(since)).body);
            QVERIFY2(page, qPrintable(why(page)));
            QVERIFY(page->changes.size() <= 3);
            for (const sync::Change &c : std::as_const(page->changes)) {
                QCOMPARE(c.seq, expectSeq++);
                QCOMPARE(c.row.id, c.caseId);
                QCOMPARE(c.row.version, c.version);
                QCOMPARE(c.events.size(), c.version - c.prevVersion);
                for (qsizetype k = 0; k < c.events.size(); ++k)
                    QCOMPARE(c.events[k].seq, c.prevVersion + 1 + int(k));
                ++total;
            }
            since = page->cursor;
            if (!page->more)
                break;
        }
        QCOMPARE(qint64(total), lastSeq());
    }

    void attachments()
    {
        QByteArray data(300000, Qt::Uninitialized);
        for (qsizetype i = 0; i < data.size(); ++i)
            data[i] = char((i * 7919) >> 3);
        data.replace(0, 4, QByteArray("\xFF\xD8\xFF\xE0", 4)); // a JPEG by content (issue 18)
        const QString sha =
            QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
        const QString status = QStringLiteral("/api/v1/attachments/%1?status").arg(sha);
        QCOMPARE(m_field->get(status).object().value(QLatin1String("received")).toInteger(), 0);
        QCOMPARE(m_field->get(QStringLiteral("/api/v1/attachments/") + sha).status, 404);

        Answer a = upload(*m_field, sha, data.left(100000), "bytes 0-99999/300000");
        QCOMPARE(a.status, 202);
        QCOMPARE(a.object().value(QLatin1String("received")).toInteger(), 100000);
        QCOMPARE(m_field->get(status).object().value(QLatin1String("received")).toInteger(),
                 100000);
        // The same chunk again (its answer was lost) is harmless; a gap is refused.
        QCOMPARE(upload(*m_field, sha, data.left(100000), "bytes 0-99999/300000").status, 202);
        a = upload(*m_field, sha, data.mid(200000), "bytes 200000-299999/300000");
        QCOMPARE(a.status, 409);
        QCOMPARE(a.errorCode(), QStringLiteral("range"));
        QCOMPARE(
            upload(*m_field, sha, data.mid(100000, 100000), "bytes 100000-199999/300000").status,
            202);
        a = upload(*m_field, sha, data.mid(200000), "bytes 200000-299999/300000");
        QCOMPARE(a.status, 201);
        QCOMPARE(a.object().value(QLatin1String("complete")).toBool(), true);
        QCOMPARE(a.object().value(QLatin1String("size")).toInteger(), 300000);
        const Answer got = m_op->get(QStringLiteral("/api/v1/attachments/") + sha);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.body, data);
        QCOMPARE(upload(*m_field, sha, data).status, 200); // already there
        QCOMPARE(
            m_op->get(QStringLiteral("/api/v1/attachments/") + m_photoSha).header("Content-Type"),
            QByteArray("image/png"));

        // Content that does not hash to its name is refused and nothing stays behind.
        const QByteArray other = "%PDF-other bytes";
        const QString wrong = QString::fromLatin1(
            QCryptographicHash::hash("something else", QCryptographicHash::Sha256).toHex());
        a = upload(*m_field, wrong, other);
        QCOMPARE(a.status, 422);
        QCOMPARE(a.errorCode(), QStringLiteral("hash-mismatch"));
        QCOMPARE(upload(*m_field, wrong, other.left(5), "bytes 0-4/16").status, 202);
        QCOMPARE(upload(*m_field, wrong, other.mid(5), "bytes 5-15/16").status, 422);
        QCOMPARE(m_field->get(QStringLiteral("/api/v1/attachments/") + wrong).status, 404);
        QCOMPARE(m_field->get(QStringLiteral("/api/v1/attachments/%1?status").arg(wrong))
                     .object()
                     .value(QLatin1String("received"))
                     .toInteger(),
                 0);
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("evidence/") + wrong.left(2) +
                                              QLatin1Char('/') + wrong)));

        QCOMPARE(upload(*m_field, sha.toUpper(), data).errorCode(), QStringLiteral("bad-hash"));
        QCOMPARE(upload(*m_field, sha.left(63), data).status, 400);
        QCOMPARE(upload(*m_field, wrong, other, "bytes 0-99/11").errorCode(),
                 QStringLiteral("bad-range"));
        Client anonymous(m_platform.url());
        QCOMPARE(anonymous.get(QStringLiteral("/api/v1/attachments/") + sha).status, 401);
    }

    void pathTricks()
    {
        const QByteArray auth = "Authorization: Bearer " + m_op->token() + "\r\n";
        const QList<QByteArray> paths{
            "/api/v1/attachments/../../etc/passwd", "/api/v1/attachments/..%2F..%2Fplatform.db",
            "/api/v1/attachments/%2e%2e",           "/api/v1//attachments/abc",
            "/api/v1/attachments/.%2e/x",           "/open311/v2/requests/..%2f1.json"};
        for (const QByteArray &path : paths) {
            const QByteArray answer = rawRequest(
                m_platform.url(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
            QVERIFY2(answer.startsWith("HTTP/1.1 400"),
                     (path + " → " + answer.left(200)).constData());
            const QByteArray body = answer.mid(answer.indexOf("\r\n\r\n") + 4);
            QJsonParseError pe{};
            QJsonDocument::fromJson(body, &pe);
            QVERIFY2(pe.error == QJsonParseError::NoError, body.constData());
        }
    }

    void malformedInputChangesNothing()
    {
        const auto before = tableHashes(m_platform.databasePath());
        auto refused = [&](const QByteArray &body, const char *mention) {
            const Answer a = m_op->post(QStringLiteral("/api/v1/commands"), body);
            const QString message = a.object()
                                        .value(QLatin1String("error"))
                                        .toObject()
                                        .value(QLatin1String("message"))
                                        .toString();
            return a.status == 400 && a.errorCode() == QLatin1String("invalid") &&
                   message.contains(QLatin1String(mention));
        };
        const QString id = newId();
        QVERIFY(refused("{\"commands\": [", "JSON"));
        QVERIFY(refused("[]", "object"));
        QVERIFY(refused("{\"commands\": []}", "commands"));
        QVERIFY(refused(QStringLiteral("{\"commands\":[{\"id\":\"%1\",\"action\":\"register\","
                                       "\"device\":\"d\",\"caseId\":\"12\"}]}")
                            .arg(id)
                            .toUtf8(),
                        "commands[0].caseId"));
        QVERIFY(refused(QStringLiteral("{\"commands\":[{\"id\":\"%1\",\"action\":\"paint\","
                                       "\"device\":\"d\",\"caseId\":12}]}")
                            .arg(id)
                            .toUtf8(),
                        "commands[0].action"));
        QVERIFY(refused(QStringLiteral("{\"commands\":[{\"id\":\"%1\",\"action\":\"register\","
                                       "\"device\":\"d\",\"caseId\":12,\"colour\":\"red\"}]}")
                            .arg(id)
                            .toUtf8(),
                        "commands[0].colour"));
        QVERIFY(refused(QStringLiteral("{\"commands\":[{\"id\":\"not-a-uuid\",\"action\":"
                                       "\"register\",\"device\":\"d\",\"caseId\":12}]}")
                            .toUtf8(),
                        "commands[0].id"));
        sync::ClientCommand big = report(QStringLiteral("F0101"), QString(5000, QChar(u'长')));
        QVERIFY(refused(sync::encodeCommands({big}), "commands[0].description"));
        // One bad command refuses the whole batch: the good one before it is not applied.
        sync::ClientCommand good = report(QStringLiteral("F0101"), QStringLiteral("好的"));
        QJsonObject bad = command(Action::EscalateRequest, 5).toJson();
        bad.insert(QLatin1String("toStage"), QLatin1String("two"));
        const QByteArray mixed =
            QJsonDocument(QJsonObject{{QLatin1String("commands"), QJsonArray{good.toJson(), bad}}})
                .toJson();
        QVERIFY(refused(mixed, "commands[1].toStage"));
        QList<sync::ClientCommand> tooMany;
        for (int i = 0; i < 501; ++i)
            tooMany << report(QStringLiteral("F0101"), QStringLiteral("x"));
        QVERIFY(refused(sync::encodeCommands(tooMany), "500"));
        QVERIFY(refused(QByteArray(40, '[') + QByteArray(40, ']'), "nested"));

        const Answer text =
            m_op->request("POST", QStringLiteral("/api/v1/commands"), sync::encodeCommands({good}),
                          {{"Content-Type", "text/plain"}});
        QCOMPARE(text.status, 415);
        const Answer huge =
            m_op->post(QStringLiteral("/api/v1/commands"), QByteArray(9 * 1024 * 1024, ' '));
        QCOMPARE(huge.status, 413);
        QCOMPARE(huge.errorCode(), QStringLiteral("too-large"));
        QCOMPARE(m_op->get(QStringLiteral("/api/v1/health")).status, 200); // still serving

        QCOMPARE(tableHashes(m_platform.databasePath()), before);
    }

    void openapiRoutes()
    {
        QFile f(QStringLiteral(CITYOPS_SOURCE_DIR "/docs/api/openapi.yaml"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QList<std::pair<QByteArray, QString>> routes;
        QString path;
        bool inPaths = false;
        static const QRegularExpression pathLine(QStringLiteral("^  (/\\S+):\\s*$"));
        static const QRegularExpression methodLine(
            QStringLiteral("^    (get|put|post|delete|patch|head|options):\\s*$"));
        for (const QByteArray &raw : f.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw);
            if (line == QLatin1String("paths:")) {
                inPaths = true;
                continue;
            }
            if (inPaths && !line.isEmpty() && !line.startsWith(QLatin1Char(' ')))
                break;
            if (!inPaths)
                continue;
            if (const auto m = pathLine.match(line); m.hasMatch())
                path = m.captured(1);
            else if (const auto m2 = methodLine.match(line); m2.hasMatch())
                routes.append({m2.captured(1).toUpper().toLatin1(), path});
        }
        QVERIFY2(routes.size() >= 12, qPrintable(QString::number(routes.size())));
        auto c = client();
        QCOMPARE(c->login(QStringLiteral("operator1")).status, 200);
        const QString open311Id =
            column(m_platform.databasePath(),
                   QStringLiteral("SELECT min(id) FROM cases WHERE source = 'open311'"))
                .value(0);
        QVERIFY(open311Id.toLongLong() > 0);
        for (const auto &[method, p] : routes) {
            QString concrete = p;
            // Open311 publishes only its own requests (issue 18): case 1 is internal there.
            concrete.replace(QLatin1String("{sha256}"), m_photoSha)
                .replace(QLatin1String("{id}"), p.startsWith(QLatin1String("/open311/"))
                                                    ? open311Id
                                                    : QStringLiteral("1"));
            const Answer a =
                c->request(method, concrete,
                           method == "GET" || method == "DELETE" ? QByteArray() : QByteArray("{}"));
            QVERIFY2(a.status != 0 && a.status != 404 && a.status != 405,
                     qPrintable(QStringLiteral("%1 %2 → %3 %4")
                                    .arg(QString::fromLatin1(method), concrete)
                                    .arg(a.status)
                                    .arg(QString::fromUtf8(a.body.left(200)))));
        }
        QCOMPARE(c->get(QStringLiteral("/api/v1/nothing")).errorCode(), QStringLiteral("no-route"));
        const Answer wrongMethod = c->request("PATCH", QStringLiteral("/api/v1/commands"), "{}");
        QCOMPARE(wrongMethod.status, 405);
        QCOMPARE(wrongMethod.header("Allow"), QByteArray("POST"));
    }

    void userManagement()
    {
        QString out;
        QCOMPARE(runPlatform({QStringLiteral("user"), QStringLiteral("add"),
                              QStringLiteral("inspector1"), QStringLiteral("--role"),
                              QStringLiteral("supervisor"), QStringLiteral("--password-stdin")},
                             "s3cret-pass\n", &out),
                 0);
        QCOMPARE(runPlatform({QStringLiteral("user"), QStringLiteral("add"),
                              QStringLiteral("inspector1"), QStringLiteral("--role"),
                              QStringLiteral("supervisor"), QStringLiteral("--password-stdin")},
                             "s3cret-pass\n", &out),
                 1);
        QVERIFY(out.contains(QLatin1String("already exists")));
        QCOMPARE(runPlatform({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("x1"),
                              QStringLiteral("--role"), QStringLiteral("mayor"),
                              QStringLiteral("--password-stdin")},
                             "s3cret-pass\n"),
                 2);
        QCOMPARE(runPlatform({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("x2"),
                              QStringLiteral("--role"), QStringLiteral("operator"),
                              QStringLiteral("--password-stdin")},
                             "short\n", &out),
                 1);
        QCOMPARE(runPlatform({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("x3"),
                              QStringLiteral("--role"), QStringLiteral("field"),
                              QStringLiteral("--password-stdin")},
                             "s3cret-pass\n", &out),
                 1);
        QVERIFY(out.contains(QLatin1String("--person")));

        auto c = client();
        const Answer signedIn =
            c->login(QStringLiteral("inspector1"), QStringLiteral("s3cret-pass"));
        QCOMPARE(signedIn.status, 200);
        QCOMPARE(signedIn.object().value(QLatin1String("role")).toString(),
                 QStringLiteral("supervisor"));
        QCOMPARE(c->get(QStringLiteral("/api/v1/changes?limit=1")).status, 200);

        QCOMPARE(runPlatform({QStringLiteral("user"), QStringLiteral("passwd"),
                              QStringLiteral("inspector1"), QStringLiteral("--password-stdin")},
                             "an0ther-pass\n"),
                 0);
        QCOMPARE(c->get(QStringLiteral("/api/v1/changes?limit=1")).status,
                 401); // signed out everywhere
        QCOMPARE(c->login(QStringLiteral("inspector1"), QStringLiteral("s3cret-pass")).status, 401);
        QCOMPARE(c->login(QStringLiteral("inspector1"), QStringLiteral("an0ther-pass")).status,
                 200);

        QCOMPARE(runPlatform({QStringLiteral("user"), QStringLiteral("disable"),
                              QStringLiteral("inspector1")},
                             {}),
                 0);
        QCOMPARE(c->get(QStringLiteral("/api/v1/changes?limit=1")).status, 401);
        QCOMPARE(c->login(QStringLiteral("inspector1"), QStringLiteral("an0ther-pass")).status,
                 401);
        QCOMPARE(runPlatform({QStringLiteral("user"), QStringLiteral("list")}, {}, &out), 0);
        QVERIFY(out.contains(QLatin1String("inspector1\tsupervisor")));
        QVERIFY(out.contains(QLatin1String("operator1\toperator")));
    }

    void concurrentBatchesCommitTogether()
    {
        // A platform whose store refuses to record commands from one device: a store failure in
        // the middle of a batch, while other batches arrive at the same time.
        QTemporaryDir dir;
        {
            PlatformProcess seeding;
            QVERIFY2(seeding.start(dir.path(),
                                   {QStringLiteral("--seed-demo"), QStringLiteral("--anchor"),
                                    QStringLiteral("2026-11-27T18:00+08:00"),
                                    QStringLiteral("--cases"), QStringLiteral("20")}),
                     seeding.output().constData());
            QCOMPARE(seeding.stop(), 0);
            auto db = Database::open(PlatformStore::pathInDir(dir.path()));
            QVERIFY2(db, qPrintable(why(db)));
            const Status trigger = (*db)->exec(
                "CREATE TRIGGER refuse_device BEFORE INSERT ON applied_commands WHEN NEW.device = "
                "'failing-console' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
            QVERIFY2(trigger, qPrintable(why(trigger)));
        }
        PlatformProcess platform;
        QVERIFY2(platform.start(dir.path()), platform.output().constData());
        std::vector<std::unique_ptr<Client>> clients;
        for (int i = 0; i < 4; ++i) {
            clients.push_back(std::make_unique<Client>(platform.url()));
            QCOMPARE(clients.back()->login(QStringLiteral("operator1")).status, 200);
        }
        const auto cases = [&]() -> qint64 {
            Database::Options ro;
            ro.readOnly = true;
            auto db = Database::open(platform.databasePath(), ro);
            QSqlQuery q(db ? (*db)->sql() : QSqlDatabase());
            return db && q.exec(QStringLiteral("SELECT count(*) FROM cases")) && q.next()
                       ? q.value(0).toLongLong()
                       : -1;
        };
        const qint64 before = cases();
        QVERIFY(before > 0);
        const auto a1 = report(QStringLiteral("E0304"), QStringLiteral("并发 a1"));
        const auto a2 = report(QStringLiteral("E0304"), QStringLiteral("并发 a2"));
        const auto b1 = report(QStringLiteral("E0304"), QStringLiteral("并发 b1"));
        auto b2 = report(QStringLiteral("E0304"), QStringLiteral("并发 b2"));
        b2.device = QStringLiteral("failing-console");
        const auto c1 = report(QStringLiteral("E0304"), QStringLiteral("并发 c1"));
        // All sent before any answer is read, so the platform may decide them in one commit.
        const QList<QList<sync::ClientCommand>> batches{{a1, a2}, {b1, b2}, {a1}, {c1}};
        QList<QNetworkReply *> sent;
        for (qsizetype i = 0; i < batches.size(); ++i)
            sent << clients[size_t(i)]->send("POST", QStringLiteral("/api/v1/commands"),
                                             sync::encodeCommands(batches[i]));
        QList<Answer> answers;
        for (QNetworkReply *r : sent)
            answers << Client::wait(r);

        // The failing batch: 503 and none of it applied, not even its first command.
        QCOMPARE(answers[1].status, 503);
        QCOMPARE(answers[1].errorCode(), QStringLiteral("storage"));
        // The others are decided as if alone; the same id in two batches is applied once.
        QList<QList<sync::CommandResult>> results;
        for (const qsizetype i : {0, 2, 3}) {
            QCOMPARE(answers[i].status, 200);
            auto r = sync::decodeResults(answers[i].body);
            QVERIFY2(r, qPrintable(why(r)));
            results << *r;
        }
        QCOMPARE(results[0].size(), 2);
        QCOMPARE(results[0][1].status, CommandStatus::Applied);
        QCOMPARE(results[2].size(), 1);
        QCOMPARE(results[2][0].status, CommandStatus::Applied);
        const sync::CommandResult &first = results[0][0], &again = results[1][0];
        QVERIFY((first.status == CommandStatus::Applied) !=
                (again.status == CommandStatus::Applied));
        QVERIFY(first.status == CommandStatus::Duplicate ||
                again.status == CommandStatus::Duplicate);
        QCOMPARE(first.caseId, again.caseId);
        QVERIFY(first.caseId > 0);
        QCOMPARE(cases(), before + 3);

        // b1 was not applied: sent again without the failing command it is applied now.
        const QList<sync::CommandResult> resent = clients[1]->commands({b1});
        QCOMPARE(resent.size(), 1);
        QCOMPARE(resent[0].status, CommandStatus::Applied);
        QCOMPARE(cases(), before + 4);
        QCOMPARE(platform.stop(), 0);
    }

    void cleanupTestCase()
    {
        QCOMPARE(m_platform.stop(), 0);
        QVERIFY(m_platform.errors().contains("stopped"));
    }
};

QTEST_GUILESS_MAIN(TestPlatform)
#include "tst_platform.moc"
