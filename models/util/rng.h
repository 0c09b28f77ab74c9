#pragma once

#include <QtGlobal>

#include <cmath>
#include <numbers>

namespace cityops {

/**
 * xoshiro256** seeded through SplitMix64, with distributions written out here rather than taken
 * from <random>, whose distributions differ between standard libraries: the same seed gives the
 * same sequence everywhere.
 */
class Rng
{
public:
    explicit Rng(quint64 seed)
    {
        for (auto &s : m_s) {
            seed += 0x9E3779B97F4A7C15ULL;
            quint64 z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            s = z ^ (z >> 31);
        }
    }

    quint64 next()
    {
        const quint64 result = rotl(m_s[1] * 5, 7) * 9;
        const quint64 t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    /** Uniform in [0, 1). */
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /** Uniform integer in [0, n). */
    qint64 below(qint64 n) { return n <= 0 ? 0 : static_cast<qint64>(next() % quint64(n)); }
    qint64 between(qint64 lo, qint64 hi) { return lo + below(hi - lo + 1); }
    bool chance(double p) { return uniform() < p; }
    /** Standard normal (Box–Muller). */
    double normal()
    {
        const double u1 = 1.0 - uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    template <typename C> const auto &pick(const C &c)
    {
        return c[static_cast<decltype(c.size())>(below(static_cast<qint64>(c.size())))];
    }

private:
    static quint64 rotl(quint64 x, int k) { return (x << k) | (x >> (64 - k)); }
    quint64 m_s[4];
};

} // namespace cityops
