// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/format.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = KiB * 1024;
constexpr std::uint64_t GiB = MiB * 1024;

TEST(FormatSize, BytesBelowOneKiB) {
    EXPECT_EQ(seed::format_size(0), "0 B");
    EXPECT_EQ(seed::format_size(1), "1 B");
    EXPECT_EQ(seed::format_size(1023), "1023 B");
}

TEST(FormatSize, TwoDecimalsInBinaryUnits) {
    EXPECT_EQ(seed::format_size(KiB), "1.00 KiB");
    EXPECT_EQ(seed::format_size(1536), "1.50 KiB");
    EXPECT_EQ(seed::format_size(GiB), "1.00 GiB");
    EXPECT_EQ(seed::format_size(16 * GiB), "16.00 GiB");
    EXPECT_EQ(seed::format_size(GiB + GiB / 4), "1.25 GiB");
    EXPECT_EQ(seed::format_size(1024 * GiB), "1.00 TiB");
}

TEST(FormatSize, RoundingUpMovesToTheNextUnit) {
    EXPECT_EQ(seed::format_size(MiB - 1), "1.00 MiB");
    EXPECT_EQ(seed::format_size(GiB - 1), "1.00 GiB");
    EXPECT_EQ(seed::format_size(MiB - 10 * KiB), "1014.00 KiB");
}

TEST(FormatSize, LargestValue) {
    EXPECT_EQ(seed::format_size(std::numeric_limits<std::uint64_t>::max()), "16.00 EiB");
}

TEST(FormatSizeExact, LargestDividingUnit) {
    EXPECT_EQ(seed::format_size_exact(0), "0 B");
    EXPECT_EQ(seed::format_size_exact(512), "512 B");
    EXPECT_EQ(seed::format_size_exact(1536), "1536 B");
    EXPECT_EQ(seed::format_size_exact(4 * KiB), "4 KiB");
    EXPECT_EQ(seed::format_size_exact(64 * KiB), "64 KiB");
    EXPECT_EQ(seed::format_size_exact(2 * MiB), "2 MiB");
    EXPECT_EQ(seed::format_size_exact(3 * GiB), "3 GiB");
    EXPECT_EQ(seed::format_size_exact(std::uint64_t{1} << 63), "8 EiB");
}

} // namespace
