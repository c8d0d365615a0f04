// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Capability and data-type bits reported by SeedChip (DeviceInfo::caps and
// DeviceInfo::dtypes). The values are the hardware's (SEED_CAP_*,
// SEED_DTYPE_* in hw/seed_hw.h); names are stable and appear in seedctl's
// JSON output.
#pragma once

#include <seed/export.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace seed {

enum class Cap : std::uint32_t {
    mmu = 1u << 0,
    gemm = 1u << 1,
    elementwise = 1u << 2,
    reduce = 1u << 3,
    telemetry = 1u << 4,
    power_limit = 1u << 5, ///< settable board power limit (hwmon power1_cap)
};

enum class DType : std::uint32_t {
    f32 = 1u << 0,
    f16 = 1u << 1,
    bf16 = 1u << 2,
    i8 = 1u << 3,
    i32 = 1u << 4,
};

/// "mmu", "gemm", ...; "bit<n>" for a single bit libseed does not know.
[[nodiscard]] SEED_API std::string to_string(Cap cap);
/// "f32", "bf16", ...; "bit<n>" for a single bit libseed does not know.
[[nodiscard]] SEED_API std::string to_string(DType dtype);

/// Names of every bit set in @p caps, lowest bit first. Unknown bits come out
/// as "bit<n>" so that nothing the hardware reports is hidden.
[[nodiscard]] SEED_API std::vector<std::string> cap_names(std::uint32_t caps);
/// Names of every bit set in @p dtypes, lowest bit first (see cap_names()).
[[nodiscard]] SEED_API std::vector<std::string> dtype_names(std::uint32_t dtypes);

} // namespace seed
