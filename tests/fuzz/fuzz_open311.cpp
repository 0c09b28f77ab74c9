// libFuzzer target: Open311 GeoReport v2 request parsing (server/open311.*) through the
// platform's real routing, on a real PlatformService over a 20-case demo district in a temporary
// folder.
// The input is a small HTTP request:
//     METHOD TARGET\n            e.g. "POST /open311/v2/requests.json" or "GET
//     /open311/v2/requests.json?status=open" Name: value\n              headers (optional), up to
//     an empty line body                       e.g. a form-encoded citizen report
// A "X-Fuzz-Remote: ADDRESS" header sets the client address (loopback otherwise), so the api_key
// check for other hosts is reached too. Only /open311/ paths are sent. Every answer must be a
// standard Open311 one: a JSON array, errors as one {"code", "description"} with the status, and
// a 201 must name a request that then reads back with the posted service_code.
// Every kRefillAfter filed reports the platform is reopened on a fresh copy of the seeded store:
// otherwise every report stays, and each `GET requests.json` (which lists them all) and the
// process's memory grow with the run, slowing a million-input run to a crawl. Listing the
// requests is most of an input's time under ASan, so the store stays small: 20 seeded cases and
// at most 32 filed reports.
#include "fuzzsupport.h"

#include "demo/demogenerator.h"
#include "platformadmin.h"
#include "platformservice.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <utility>

using namespace cityops;
using namespace cityops::platform;

namespace {

// Never destroyed at exit (Qt's globals, which its destructor uses, may be gone by then).
PlatformService *g_service = nullptr;
QString g_seeded; ///< the seeded store, never opened by the service
QString g_live;   ///< the copy the service runs on
int g_filed = 0;  ///< reports filed since the copy was made
constexpr int kRefillAfter = 32;
// 2026-11-28 09:00 UTC: a fixed clock keeps runs reproducible.
constexpr qint64 kNow = 1795856400000LL;

/** (Re)opens the platform on a fresh copy of the seeded store. */
void openFresh()
{
    delete std::exchange(g_service, nullptr);
    QDir(g_live).removeRecursively();
    QDir().mkpath(g_live);
    for (QDirIterator it(g_seeded, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
         it.hasNext();) {
        const QString from = it.next();
        const QString to = g_live + QDir(g_seeded).relativeFilePath(from).prepend(u'/');
        QDir().mkpath(QFileInfo(to).path());
        if (!QFile::copy(from, to)) {
            std::fprintf(stderr, "cannot copy %s\n", qPrintable(from));
            std::abort();
        }
    }
    PlatformService::Options options;
    options.dataDir = g_live;
    options.open311Keys = {QStringLiteral("fuzz-key")};
    // The clock stands still, so rate limits would never refill: the fuzzer tests parsing.
    options.open311AddressPerMinute = 1'000'000'000;
    options.open311KeyPerMinute = 1'000'000'000;
    options.clock = [] {
        return kNow;
    };
    auto service = PlatformService::open(options);
    if (!service) {
        std::fprintf(stderr, "cannot open the platform: %s\n", qPrintable(service.error()));
        std::abort();
    }
    g_service = std::move(service).value().release();
    if (g_filed && qEnvironmentVariableIsSet("CITYOPS_FUZZ_TRACE"))
        std::fprintf(stderr, "fuzz_open311: fresh store after %d reports\n", g_filed);
    g_filed = 0;
}

HttpResponse send(const HttpRequest &request)
{
    HttpResponse answer;
    bool answered = false;
    g_service->handle(request, HttpReply([&](HttpResponse r) {
                          answer = std::move(r);
                          answered = true;
                      }));
    FUZZ_CHECK(answered); // Open311 routes answer at once (no long-poll there)
    return answer;
}

std::optional<HttpRequest> parseRequest(const QByteArray &input)
{
    const qsizetype eol = input.indexOf('\n');
    const QByteArray first = input.left(eol < 0 ? input.size() : eol);
    const qsizetype space = first.indexOf(' ');
    if (space <= 0)
        return std::nullopt;
    HttpRequest r;
    r.method = first.left(space);
    const QUrl url = QUrl::fromEncoded(first.mid(space + 1).trimmed());
    r.path = url.path(QUrl::FullyDecoded);
    r.rawPath = url.path(QUrl::FullyEncoded).toUtf8();
    r.query = QUrlQuery(url);
    if (!r.path.startsWith(QLatin1String("/open311/")))
        return std::nullopt;
    r.remote = QHostAddress(QHostAddress::LocalHost);
    qsizetype pos = eol < 0 ? input.size() : eol + 1;
    while (pos < input.size()) {
        qsizetype end = input.indexOf('\n', pos);
        if (end < 0)
            end = input.size();
        const QByteArray line = input.mid(pos, end - pos);
        pos = end + 1;
        if (line.trimmed().isEmpty())
            break;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed(), value = line.mid(colon + 1).trimmed();
        if (name.compare("X-Fuzz-Remote", Qt::CaseInsensitive) == 0)
            r.remote = QHostAddress(QString::fromLatin1(value));
        else
            r.headers.append({name, value});
    }
    r.body = input.mid(std::min(pos, input.size()));
    return r;
}

void checkAnswer(const HttpRequest &request, const HttpResponse &a)
{
    FUZZ_CHECK(a.status == 200 || a.status == 201 || a.status == 400 || a.status == 403 ||
               a.status == 404 || a.status == 405);
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(a.body, &pe);
    FUZZ_CHECK(pe.error == QJsonParseError::NoError && doc.isArray());
    const QJsonArray arr = doc.array();
    if (a.status >= 400) {
        FUZZ_CHECK(arr.size() == 1);
        const QJsonObject e = arr.first().toObject();
        FUZZ_CHECK(e.value(QLatin1String("code")).toInt() == a.status);
        FUZZ_CHECK(!e.value(QLatin1String("description")).toString().isEmpty());
        return;
    }
    if (a.status != 201)
        return;
    FUZZ_CHECK(request.method == "POST" && arr.size() == 1);
    const QString id = arr.first().toObject().value(QLatin1String("service_request_id")).toString();
    HttpRequest get;
    get.method = "GET";
    get.path = QStringLiteral("/open311/v2/requests/%1.json").arg(id);
    get.rawPath = get.path.toUtf8();
    get.remote = QHostAddress(QHostAddress::LocalHost);
    const HttpResponse back = send(get);
    FUZZ_CHECK(back.status == 200);
    const QJsonObject created = QJsonDocument::fromJson(back.body).array().first().toObject();
    const QString code = QUrlQuery(QString::fromUtf8(QByteArray(request.body).replace('+', ' ')))
                             .queryItemValue(QStringLiteral("service_code"), QUrl::FullyDecoded)
                             .trimmed();
    FUZZ_CHECK(created.value(QLatin1String("service_code")).toString() == code);
    FUZZ_CHECK(created.value(QLatin1String("status")).toString() == QLatin1String("open"));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cityops::fuzz::initApplication(argc, argv);
    // A filed report commits with synchronous=FULL: /dev/shm keeps that cheap.
    const QString scratch = cityops::fuzz::scratchDir("fuzz-open311");
    g_seeded = scratch + QStringLiteral("/seeded");
    g_live = scratch + QStringLiteral("/live");
    // A small demo district, as `cityops-platform --seed-demo --cases 20` makes: reports need its
    // streets and the open311 gateway user.
    DemoOptions demo;
    demo.cases = 20;
    if (const auto seeded = PlatformAdmin::seedDemo(g_seeded, demo); !seeded) {
        std::fprintf(stderr, "cannot seed the platform: %s\n", qPrintable(seeded.error()));
        std::abort();
    }
    openFresh();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto request =
        parseRequest(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!request)
        return 0;
    const HttpResponse answer = send(*request);
    checkAnswer(*request, answer);
    if (answer.status == 201 && ++g_filed >= kRefillAfter)
        openFresh();
    return 0;
}
