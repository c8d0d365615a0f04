// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/caps.hpp>
#include <seed/device.hpp>

#include <gtest/gtest.h>

namespace {

using Names = std::vector<std::string>;

TEST(Caps, NamesEveryKnownBitInOrder) {
    EXPECT_EQ(seed::cap_names(0x3f),
              (Names{"mmu", "gemm", "elementwise", "reduce", "telemetry", "power_limit"}));
    EXPECT_EQ(seed::cap_names(0), Names{});
    EXPECT_EQ(seed::cap_names(0x2), Names{"gemm"});
}

TEST(Caps, UnknownBitsAreNamedByPosition) {
    EXPECT_EQ(seed::cap_names(0x80000001u), (Names{"mmu", "bit31"}));
    EXPECT_EQ(seed::to_string(static_cast<seed::Cap>(1u << 9)), "bit9");
}

TEST(DTypes, NamesEveryKnownBitInOrder) {
    EXPECT_EQ(seed::dtype_names(0x1f), (Names{"f32", "f16", "bf16", "i8", "i32"}));
    EXPECT_EQ(seed::dtype_names(0x24), (Names{"bf16", "bit5"}));
    EXPECT_EQ(seed::to_string(seed::DType::bf16), "bf16");
}

TEST(DeviceInfo, CapabilityAndDTypeQueries) {
    seed::DeviceInfo info;
    info.caps = static_cast<std::uint32_t>(seed::Cap::gemm);
    info.dtypes = static_cast<std::uint32_t>(seed::DType::i8);
    EXPECT_TRUE(info.has(seed::Cap::gemm));
    EXPECT_FALSE(info.has(seed::Cap::mmu));
    EXPECT_TRUE(info.supports(seed::DType::i8));
    EXPECT_FALSE(info.supports(seed::DType::f32));
}

TEST(DeviceInfo, PageSizeList) {
    seed::DeviceInfo info;
    EXPECT_TRUE(info.page_size_list().empty());
    info.page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 63);
    EXPECT_EQ(info.page_size_list(),
              (std::vector<std::uint64_t>{1ull << 12, 1ull << 21, 1ull << 63}));
}

TEST(DeviceInfo, VersionStrings) {
    EXPECT_EQ(seed::to_string(seed::HwRevision{1, 0}), "1.0");
    EXPECT_EQ(seed::to_string(seed::FirmwareVersion{1, 2, 300}), "1.2.300");
    EXPECT_EQ(seed::version_string(seed::DriverInfo{"seed", 0, 1, 2, ""}), "0.1.2");
    EXPECT_LT((seed::FirmwareVersion{1, 2, 3}), (seed::FirmwareVersion{1, 10, 0}));
}

} // namespace
