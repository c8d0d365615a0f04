// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Order statistics for seed_bench: percentiles of timing samples.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace seed::bench {

/// The @p p-th percentile (0 <= p <= 100) of @p samples, by linear
/// interpolation between closest ranks (rank p/100 * (n-1), the usual
/// "type 7" definition): p 0 is the minimum, p 100 the maximum, p 50 the
/// median. @p samples need not be sorted. Throws std::invalid_argument for
/// an empty span or p outside [0, 100].
[[nodiscard]] double percentile(std::span<const double> samples, double p);

/// percentile(samples, 50).
[[nodiscard]] double median(std::span<const double> samples);

/// The usual latency summary of a set of samples.
struct Summary {
    std::size_t count = 0;
    double min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

/// Summary of @p samples (throws std::invalid_argument if empty).
[[nodiscard]] Summary summarize(std::span<const double> samples);

} // namespace seed::bench
