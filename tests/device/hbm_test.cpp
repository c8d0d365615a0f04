// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Hbm: sparse backing and bounds checks.
#include "hbm.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

namespace seed::device {
namespace {

TEST(Hbm, LargeSizesAreSparse) {
    auto hbm = Hbm::create(64ull << 30);
    ASSERT_NE(hbm, nullptr);
    EXPECT_EQ(hbm->size(), 64ull << 30);
    std::vector<uint8_t> data = {1, 2, 3, 4};
    ASSERT_EQ(hbm->write(hbm->size() - 4, data), 0);
    std::vector<uint8_t> back(4);
    ASSERT_EQ(hbm->read(hbm->size() - 4, back), 0);
    EXPECT_EQ(back, data);
    ASSERT_EQ(hbm->read(12345, back), 0);
    EXPECT_EQ(back, std::vector<uint8_t>(4, 0)) << "untouched memory reads as zero";
}

TEST(Hbm, BoundsChecked) {
    auto hbm = Hbm::create(64ull << 20);
    ASSERT_NE(hbm, nullptr);
    std::vector<uint8_t> buf(8);
    EXPECT_EQ(hbm->read(hbm->size() - 4, buf), -EFAULT);
    EXPECT_EQ(hbm->write(UINT64_MAX - 2, buf), -EFAULT);
    EXPECT_EQ(hbm->read(hbm->size(), std::span<uint8_t>()), 0);
}

} // namespace
} // namespace seed::device
