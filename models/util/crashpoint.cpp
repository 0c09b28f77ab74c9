#include "crashpoint.h"

#include <QByteArray>

#include <algorithm>
#include <atomic>
#include <cstring>

#include <unistd.h>

namespace cityops::crashpoint {

namespace {

struct Config
{
    QByteArray name;
    int n = 1;
};

const Config &config()
{
    static const Config c = [] {
        Config r;
        const QByteArray spec = qgetenv("CITYOPS_CRASH_AT");
        const qsizetype colon = spec.indexOf(':');
        r.name = colon < 0 ? spec : spec.left(colon);
        if (colon >= 0)
            r.n = std::max(1, spec.mid(colon + 1).toInt());
        return r;
    }();
    return c;
}

std::atomic<int> g_hits{0};

} // namespace

const QList<Point> &all()
{
    static const QList<Point> points{
        {"outbox.write.before", "client",
         "a local command: its effect is written, its outbox row is not; the transaction is lost"},
        {"outbox.write.after", "client",
         "a local command: effect and outbox row written, not committed; the transaction is lost"},
        {"outbox.commit.after", "client",
         "a local command committed with its outbox row; the CLI never printed its result"},
        {"sync.upload.chunk", "client",
         "an attachment upload after a chunk was acknowledged, before the next one"},
        {"sync.push.before", "client", "a batch about to be sent; nothing sent"},
        {"sync.push.after", "client",
         "the platform applied the batch and answered; the answer is not recorded"},
        {"sync.results.mid", "client",
         "recording the answers, after one of them, inside the transaction; all are lost"},
        {"sync.results.after", "client",
         "the answers are recorded (commands wait for their change); nothing pulled yet"},
        {"sync.page.mid", "client",
         "applying a pulled page, after one change, inside the transaction; the page is lost"},
        {"sync.page.cursor.before", "client",
         "a pulled page written, its cursor not yet; the transaction is lost"},
        {"sync.page.commit.after", "client",
         "a pulled page and its cursor committed; the next page not asked for"},
        {"platform.batch.begin", "platform", "a batch received and decoded; nothing applied"},
        {"platform.command.after", "platform",
         "a command of a batch applied in its savepoint; the batch is not committed"},
        {"platform.commit.before", "platform",
         "every command of a batch applied; the commit has not happened"},
        {"platform.commit.after", "platform",
         "a batch committed; the client gets no answer (connection reset)"},
        {"platform.reply.after", "platform",
         "a batch committed and its answer queued; waiting feeds are not woken"},
        {"platform.chunk.after", "platform",
         "an attachment chunk appended to uploads/SHA.part; no answer sent"},
        {"platform.upload.verified", "platform",
         "a complete upload verified and renamed, not yet in the evidence store"},
    };
    return points;
}

namespace detail {

bool armed()
{
    static const bool on = qEnvironmentVariableIsSet("CITYOPS_CRASH_AT");
    return on;
}

void reached(const char *name)
{
    const Config &c = config();
    if (c.name != name || g_hits.fetch_add(1) + 1 != c.n)
        return;
    // write(2) and _exit(2) only: nothing buffered, nothing cleaned up.
    const QByteArray msg = "cityops: crash point " + c.name + " reached (hit " +
                           QByteArray::number(c.n) + "); exiting with 86\n";
    [[maybe_unused]] const auto w = ::write(STDERR_FILENO, msg.constData(), size_t(msg.size()));
    ::_exit(86);
}

} // namespace detail

} // namespace cityops::crashpoint
