// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace seed::bench {

namespace {

double percentile_sorted(const std::vector<double>& sorted, double p) {
    const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
    const double lo_rank = std::floor(rank);
    const auto lo = static_cast<std::size_t>(lo_rank);
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    const double frac = rank - lo_rank;
    return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

std::vector<double> sorted_copy(std::span<const double> samples, double p) {
    if (samples.empty())
        throw std::invalid_argument("percentile of no samples");
    if (!(p >= 0.0 && p <= 100.0))
        throw std::invalid_argument("percentile outside [0, 100]");
    std::vector<double> v(samples.begin(), samples.end());
    std::sort(v.begin(), v.end());
    return v;
}

} // namespace

double percentile(std::span<const double> samples, double p) {
    return percentile_sorted(sorted_copy(samples, p), p);
}

double median(std::span<const double> samples) {
    return percentile(samples, 50.0);
}

Summary summarize(std::span<const double> samples) {
    const std::vector<double> v = sorted_copy(samples, 0.0);
    Summary s;
    s.count = v.size();
    s.min = v.front();
    s.max = v.back();
    s.p50 = percentile_sorted(v, 50.0);
    s.p90 = percentile_sorted(v, 90.0);
    s.p99 = percentile_sorted(v, 99.0);
    s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    return s;
}

} // namespace seed::bench
