// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// What the fuzz targets and the corpus generator share: the device they run
// against and the layout of their inputs.
#pragma once

#include "seedchip.h"

#include <hw/seed_hw.h>

#include <cstdint>
#include <memory>

namespace seed::device::fuzz {

/// A small device: quick to create for every input.
inline SeedChipConfig small_chip_config() {
    SeedChipConfig c;
    c.hbm_size = 8ull << 20;
    c.queues = 2;
    c.engines = 1;
    c.serial = "FUZZ";
    return c;
}

// fuzz_packets input: one byte with the packet count (taken modulo
// kMaxPackets, 0 meaning kMaxPackets), that many 64-byte ring packets, then
// up to kDataBytes copied to the data window at kDataVa (descriptors,
// command buffers, operands).
inline constexpr unsigned kMaxPackets = 16;
inline constexpr uint64_t kDataVa = 0x100000;      // host memory, RW
inline constexpr uint64_t kDataBytes = 64 * 1024;  //
inline constexpr uint64_t kReadOnlyVa = 0x200000;  // host memory, one RO page
inline constexpr uint64_t kHbmVa = 0x40000000;     // HBM [0, 2 MiB), RW, one 2 MiB page
inline constexpr uint64_t kHbmWindow = 2ull << 20; //
inline constexpr uint64_t kPoisonedHbm = 0x1ff000; // poisoned HBM page (kHbmVa + 0x1ff000)

// fuzz_vfio_user input: one byte of options, then the message stream.
inline constexpr uint8_t kOptHandshake = 1u << 0; ///< send a QEMU-like VERSION first
inline constexpr uint8_t kOptBusMaster = 1u << 1; ///< then set Bus Master Enable

} // namespace seed::device::fuzz
