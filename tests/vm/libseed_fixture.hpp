// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The fixtures of the libseed VM tests: chip 0 opened through libseed, and a
// queue on it. A test is skipped, not failed, where there is no chip.
#pragma once

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace seed::vm {

/// Chip 0 as dev_.
class LibseedDeviceTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (seed::Device::list().empty())
            GTEST_SKIP() << "no SeedChip device";
        dev_.emplace(seed::Device::open(0u));
    }

    std::optional<seed::Device> dev_;
};

/// Chip 0 as dev_ and a queue on it as q_.
class LibseedQueueTest : public LibseedDeviceTest {
protected:
    void SetUp() override {
        LibseedDeviceTest::SetUp();
        if (dev_)
            q_.emplace(*dev_);
    }

    std::optional<seed::Queue> q_;
};

} // namespace seed::vm
