// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// HbmCopy: the HBM copy block (docs/hardware.md §6.1). Copies between HBM
// and host memory by physical address, one at a time, without a queue or
// the MMU.
#pragma once

#include "dma.h"
#include "hbm.h"

#include <hw/seed_hw.h>

#include <cstdint>
#include <mutex>

namespace seed::device {

/// Thread safe. Lock order: callers' locks, then this, then the Dma's and the
/// Hbm's locks.
class HbmCopy {
public:
    HbmCopy(Dma& dma, Hbm& hbm) : dma_(dma), hbm_(hbm) {}

    static bool owns_register(uint32_t offset) {
        return offset >= SEED_REG_HBMC_HBM_LO && offset < SEED_REG_HBMC_HBM_LO + 0x100;
    }
    uint32_t read_register(uint32_t offset) const;
    /// SEQ runs the copy (or keeps it while held); writes to RO registers
    /// are ignored.
    void write_register(uint32_t offset, uint32_t value);

    /// Device or bus reset (§14.1): every register 0, a held copy dropped.
    void reset();

    /// While held (the device may not master the bus, §2.4), a started copy
    /// waits (the last one wins) and runs on release.
    void set_held(bool held);

private:
    struct Request {
        uint64_t hbm = 0;
        uint64_t host = 0;
        uint32_t len = 0;
        uint32_t ctrl = 0;
        uint32_t seq = 0;
    };

    void run_locked(const Request& r);

    Dma& dma_;
    Hbm& hbm_;

    mutable std::mutex lock_; /* Protects everything below */
    Request regs_;            // seq unused
    uint32_t done_ = 0;
    uint32_t status_ = SEED_ERR_NONE;
    uint32_t copied_ = 0;
    bool held_ = false;
    bool waiting_ = false;
    Request waiting_copy_;
};

} // namespace seed::device
