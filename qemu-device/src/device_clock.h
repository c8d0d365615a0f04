// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The device clock (docs/hardware.md §15.1): nanoseconds since the device
// process started, monotonic, never reset. Time base of every timestamp the
// device writes.
#pragma once

#include <cstdint>

namespace seed::device {

/// Nanoseconds since the device process started.
uint64_t device_clock_ns();

} // namespace seed::device
