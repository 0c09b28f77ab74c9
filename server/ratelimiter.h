#pragma once

#include <QHash>
#include <QString>

#include <algorithm>

namespace cityops::platform {

/**
 * Token buckets by key (a client address, an api_key): each key may make `perMinute` requests a
 * minute, in bursts of at most `perMinute`, refilled evenly. Times are a monotonic clock in ms
 * (never the platform's wall clock, which tests may freeze). Buckets that have filled up again
 * are forgotten once there are many, so memory stays bounded by the keys active within a minute.
 * Not thread-safe: the platform uses it from the event loop's thread.
 */
class RateLimiter
{
public:
    struct Decision
    {
        bool allowed = true;
        qint64 retryAfterMs = 0;   ///< when refused: until a request will be allowed
        bool firstRefusal = false; ///< refused, and the previous request of this key was allowed
    };

    explicit RateLimiter(int perMinute = 60) : m_perMinute(std::max(1, perMinute)) {}

    int perMinute() const { return m_perMinute; }

    /** Takes one token of `key` at `nowMs`, or says how long to wait for one. */
    Decision take(const QString &key, qint64 nowMs)
    {
        if (m_buckets.size() >= kForgetAbove)
            forgetFull(nowMs);
        const double msPerToken = 60000.0 / m_perMinute;
        auto it = m_buckets.find(key);
        if (it == m_buckets.end())
            it = m_buckets.insert(key, Bucket{double(m_perMinute), nowMs, false});
        Bucket &b = it.value();
        b.tokens = std::min<double>(m_perMinute, b.tokens + (nowMs - b.at) / msPerToken);
        b.at = nowMs;
        Decision d;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            b.refusing = false;
            return d;
        }
        d.allowed = false;
        d.retryAfterMs = qint64((1 - b.tokens) * msPerToken) + 1;
        d.firstRefusal = !b.refusing;
        b.refusing = true;
        return d;
    }

private:
    static constexpr qsizetype kForgetAbove = 10000;
    struct Bucket
    {
        double tokens;
        qint64 at;
        bool refusing;
    };

    void forgetFull(qint64 nowMs)
    {
        const double msPerToken = 60000.0 / m_perMinute;
        for (auto it = m_buckets.begin(); it != m_buckets.end();) {
            if (it->tokens + (nowMs - it->at) / msPerToken >= m_perMinute)
                it = m_buckets.erase(it);
            else
                ++it;
        }
    }

    int m_perMinute;
    QHash<QString, Bucket> m_buckets;
};

} // namespace cityops::platform
