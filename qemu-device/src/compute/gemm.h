// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// GEMM engine internals exposed to the unit tests.
#pragma once

#include <cstddef>

namespace seed::device::compute::detail {

/// Host bytes one GEMM may use for its operand panels (default 256 MiB). Larger
/// problems run panel by panel. Tests lower it to exercise the panel loop.
void set_gemm_host_budget(size_t bytes);
/// Fewest multiply-adds of one engine's share when a panel is split between engines
/// (default 2^24). Tests lower it to split small problems.
void set_gemm_min_part_macs(size_t macs);

} // namespace seed::device::compute::detail
