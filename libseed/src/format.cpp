// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/format.hpp>

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>

namespace seed {
namespace {

constexpr std::array<std::string_view, 7> units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

} // namespace

std::string format_size(std::uint64_t bytes) {
    if (bytes < 1024)
        return fmt::format("{} B", bytes);
    std::size_t unit = 0;
    auto value = static_cast<double>(bytes);
    while (value >= 1024.0 && unit + 1 < units.size()) {
        value /= 1024.0;
        ++unit;
    }
    // 1048575 bytes is 1023.999 KiB, which would print as "1024.00 KiB".
    if (std::round(value * 100.0) >= 1024.0 * 100.0 && unit + 1 < units.size()) {
        value /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.2f} {}", value, units[unit]);
}

std::string format_size_exact(std::uint64_t bytes) {
    std::size_t unit = 0;
    while (bytes != 0 && bytes % 1024 == 0 && unit + 1 < units.size()) {
        bytes /= 1024;
        ++unit;
    }
    return fmt::format("{} {}", bytes, units[unit]);
}

} // namespace seed
