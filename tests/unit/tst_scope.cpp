// Scopes (issue 19): the stored text, the policy on a case's columns, and the platform store's
// SQL form of the policy agreeing with ResolvedScope::sees on every case of a demo district for
// every demo account.
#include "domain/scope.h"
#include "platformadmin.h"
#include "storage/platformstore.h"
#include "sync/protocol.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cityops;
using K = Scope::Kind;

class TestScope : public QObject
{
    Q_OBJECT

private slots:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("street");
        QTest::newRow("district") << "district" << true << int(K::District) << ""
                                  << "";
        QTest::newRow("street") << "street:001" << true << int(K::Street) << "001"
                                << "";
        QTest::newRow("community") << "community:001003" << true << int(K::Community) << "001003"
                                   << "";
        QTest::newRow("bureau") << "department:water" << true << int(K::Department) << "water"
                                << "";
        QTest::newRow("squad") << "department:enforcement:002" << true << int(K::Department)
                               << "enforcement"
                               << "002";
        QTest::newRow("empty") << "" << false << 0 << ""
                               << "";
        QTest::newRow("district with a code") << "district:001" << false << 0 << ""
                                              << "";
        QTest::newRow("street without a code") << "street" << false << 0 << ""
                                               << "";
        QTest::newRow("empty code") << "street:" << false << 0 << ""
                                    << "";
        QTest::newRow("too many parts") << "department:a:b:c" << false << 0 << ""
                                        << "";
        QTest::newRow("unknown kind") << "city:shanghai" << false << 0 << ""
                                      << "";
        QTest::newRow("hostile code") << "street:001' OR 1=1 --" << false << 0 << ""
                                      << "";
        QTest::newRow("upper case kind") << "Street:001" << false << 0 << ""
                                         << "";
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QString why;
        const auto s = Scope::parse(text, &why);
        QCOMPARE(s.has_value(), valid);
        if (!valid) {
            QVERIFY(!why.isEmpty());
            return;
        }
        QFETCH(int, kind);
        QFETCH(QString, code);
        QFETCH(QString, street);
        QCOMPARE(int(s->kind), kind);
        QCOMPARE(s->code, code);
        QCOMPARE(s->street, street);
        QCOMPARE(s->toString(), text);
        QVERIFY(!s->label().isEmpty());
    }

    void sees_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<qint64>("street");
        QTest::addColumn<qint64>("community");
        QTest::addColumn<qint64>("unit");
        QTest::addColumn<qint64>("assignee");
        QTest::addColumn<bool>("closed");
        QTest::addColumn<bool>("seen");
        // The scope under test: street 2, community 7, department units {40, 41}, person 99.
        QTest::newRow("district sees a closed case")
            << int(K::District) << 1LL << 1LL << 0LL << 0LL << true << true;
        QTest::newRow("street: its case")
            << int(K::Street) << 2LL << 5LL << 0LL << 0LL << true << true;
        QTest::newRow("street: another street")
            << int(K::Street) << 3LL << 7LL << 40LL << 0LL << false << false;
        QTest::newRow("street: no street")
            << int(K::Street) << 0LL << 0LL << 0LL << 0LL << false << false;
        QTest::newRow("community: open case")
            << int(K::Community) << 3LL << 7LL << 0LL << 0LL << false << true;
        QTest::newRow("community: closed case")
            << int(K::Community) << 3LL << 7LL << 0LL << 0LL << true << false;
        QTest::newRow("community: another")
            << int(K::Community) << 2LL << 8LL << 0LL << 0LL << false << false;
        QTest::newRow("department: its team")
            << int(K::Department) << 3LL << 8LL << 40LL << 0LL << true << true;
        QTest::newRow("department: its person")
            << int(K::Department) << 3LL << 8LL << 12LL << 41LL << false << true;
        QTest::newRow("department: another team")
            << int(K::Department) << 2LL << 7LL << 12LL << 13LL << false << false;
        QTest::newRow("own person, any scope")
            << int(K::Street) << 3LL << 8LL << 12LL << 99LL << true << true;
        QTest::newRow("own person in a community, closed")
            << int(K::Community) << 3LL << 8LL << 12LL << 99LL << true << true;
    }
    void sees()
    {
        QFETCH(int, kind);
        QFETCH(qint64, street);
        QFETCH(qint64, community);
        QFETCH(qint64, unit);
        QFETCH(qint64, assignee);
        QFETCH(bool, closed);
        QFETCH(bool, seen);
        ResolvedScope scope;
        scope.kind = K(kind);
        scope.streetId = 2;
        scope.communityId = 7;
        scope.units = {40, 41};
        scope.person = 99;
        auto opt = [](qint64 v) {
            return v ? std::optional<qint64>(v) : std::nullopt;
        };
        const CaseLocus c{opt(street), opt(community), opt(unit), opt(assignee), closed};
        QCOMPARE(scope.sees(c), seen);
        sync::CaseRow row;
        row.streetId = c.street;
        row.communityId = c.community;
        row.unitId = c.unit;
        row.assigneeId = c.assignee;
        if (closed)
            row.closedAt = 1;
        QCOMPARE(scope.sees(row), seen);
    }

    void storeAgreesWithThePolicy()
    {
        QTemporaryDir dir;
        DemoOptions o;
        o.seed = 3;
        o.cases = 600;
        auto seeded = platform::PlatformAdmin::seedDemo(dir.path(), o);
        QVERIFY2(seeded, seeded ? "" : qPrintable(seeded.error()));
        auto store = PlatformStore::open(dir.path());
        QVERIFY2(store, store ? "" : qPrintable(store.error()));
        PlatformStore &s = **store;
        const QList<Account> users = s.districtUsers();
        QVERIFY(users.size() > 30);
        int scoped = 0;
        for (const Account &a : users) {
            const auto scope = s.resolveScope(a);
            QVERIFY2(scope, qPrintable(a.username + QLatin1String(": ") +
                                       (scope ? QString() : scope.error())));
            // The policy on every case, one by one.
            QList<CaseId> expected;
            for (CaseId id = 1; id <= o.cases; ++id) {
                const auto row = s.caseRow(id);
                QVERIFY(row);
                if (scope->sees(*row))
                    expected << id;
            }
            // The store's snapshot pages with the scope's SQL condition.
            QList<CaseId> got;
            CaseId after = 0;
            for (;;) {
                auto page = s.snapshot(after, 97, sync::SnapshotWriter::Format::Json, &*scope);
                QVERIFY(page);
                auto decoded = sync::decodeSnapshot(page->body);
                QVERIFY2(decoded, decoded ? "" : qPrintable(decoded.error()));
                for (const auto &c : decoded->cases) {
                    got << c.row.id;
                    for (const CaseEvent &e : c.events)
                        QCOMPARE(e.caseId, c.row.id);
                    QCOMPARE(int(c.events.size()), c.row.version);
                }
                if (!page->more)
                    break;
                after = page->next;
            }
            QCOMPARE(got, expected);
            if (!scope->everything()) {
                ++scoped;
                QVERIFY2(got.size() < o.cases, qPrintable(a.username));
            }
        }
        QVERIFY(scoped > 25);
    }
};

QTEST_GUILESS_MAIN(TestScope)
#include "tst_scope.moc"
