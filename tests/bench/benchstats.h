#pragma once

// Shared by the benchmarks: percentiles of timing samples.

#include <algorithm>
#include <vector>

namespace cityops::bench {

/** The p-th percentile (0–100) of the samples, linearly interpolated; 0 for none. */
inline double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const double rank = p / 100.0 * double(v.size() - 1);
    const auto lo = std::size_t(rank);
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - double(lo));
}

} // namespace cityops::bench
