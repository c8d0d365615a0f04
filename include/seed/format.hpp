// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Human-readable formatting shared by libseed users (seedctl and tests).
#pragma once

#include <seed/export.h>

#include <cstdint>
#include <string>

namespace seed {

/// Binary units with two decimals: "512 B", "1.50 KiB", "1.00 GiB".
/// Values that round up to 1024 of a unit move to the next unit.
[[nodiscard]] SEED_API std::string format_size(std::uint64_t bytes);

/// Exact size of a power-of-two (or otherwise unit-aligned) amount in the
/// largest unit that divides it: "4 KiB", "2 MiB", "1 GiB", "1536 B".
[[nodiscard]] SEED_API std::string format_size_exact(std::uint64_t bytes);

} // namespace seed
