// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The device clock: steady_clock relative to process start.
#include "device_clock.h"

#include <chrono>

namespace seed::device {
namespace {

const std::chrono::steady_clock::time_point g_epoch = std::chrono::steady_clock::now();

} // namespace

uint64_t device_clock_ns() {
    auto elapsed = std::chrono::steady_clock::now() - g_epoch;
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
}

} // namespace seed::device
