// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// AddressSpace: what a packet sees of memory. Device virtual addresses of one
// MMU context, translated to HBM or host (DMA) memory page by page
// (docs/hardware.md §7). Engines only ever touch memory through it, so every
// access is translated, permission-checked, and turned into a fault record
// instead of a crash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace seed::device {

/// Result of a failed access: the first address that faulted and why.
struct AccessFault {
    uint32_t error = 0; ///< SEED_ERR_* (SEED_ERR_MMU_FAULT, SEED_ERR_BUS, SEED_ERR_ECC)
    uint64_t address = 0;
    bool write = false;
    uint64_t hbm_address = 0; ///< SEED_ERR_ECC: the poisoned HBM address read
};

class AddressSpace {
public:
    virtual ~AddressSpace() = default;

    /// Copies @p length bytes at device VA @p va into @p dst. Returns 0 (SEED_ERR_NONE) or
    /// the SEED_ERR_* code, with the details in fault(). Nothing is read past a fault.
    virtual uint32_t read(uint64_t va, void* dst, size_t length) = 0;

    /// Copies @p src to device VA @p va. On error the bytes before the faulting page may
    /// have been written (as on real hardware); nothing at or after it is.
    virtual uint32_t write(uint64_t va, const void* src, size_t length) = 0;

    /// Details of the last failed access.
    virtual const AccessFault& fault() const = 0;
};

} // namespace seed::device
