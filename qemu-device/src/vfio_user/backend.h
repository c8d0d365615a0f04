// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Backend: what the vfio-user server needs from a device. The server checks
// message framing, sizes, indexes and ranges; the backend only models the
// hardware.
#pragma once

#include "unique_fd.h"

#include <cstdint>
#include <span>
#include <vector>

namespace seed::device {
class Dma;
}

namespace seed::device::vfio_user {

struct RegionInfo {
    uint32_t flags = 0; ///< kRegionFlag* bits
    uint64_t size = 0;
};

struct IrqInfo {
    uint32_t flags = 0; ///< kIrqInfo* bits
    uint32_t count = 0;
};

/// A validated SET_IRQS request: exactly one data type and one action, and
/// [start, start + count) within the index's count unless count is 0.
struct IrqSet {
    uint32_t flags = 0;
    uint32_t index = 0;
    uint32_t start = 0;
    uint32_t count = 0;
    std::span<const uint8_t> bools; ///< count bytes with kIrqSetDataBool
    std::vector<UniqueFd> fds;      ///< none or count fds with kIrqSetDataEventfd
};

class Backend {
public:
    virtual ~Backend() = default;

    virtual uint32_t region_count() const = 0;
    virtual RegionInfo region_info(uint32_t index) const = 0;
    virtual uint32_t irq_count() const = 0;
    virtual IrqInfo irq_info(uint32_t index) const = 0;

    /// [@p offset, @p offset + data.size()) lies inside the region, which
    /// allows the access. Returns 0 or -errno (reported to the client).
    virtual int region_read(uint32_t index, uint64_t offset, std::span<uint8_t> data) = 0;
    virtual int region_write(uint32_t index, uint64_t offset, std::span<const uint8_t> data) = 0;

    /// Returns 0 or -errno.
    virtual int set_irqs(IrqSet& set) = 0;

    /// The DMA map table that DMA_MAP/DMA_UNMAP maintain.
    virtual Dma& dma() = 0;

    /// DEVICE_RESET.
    virtual void reset() = 0;

    /// The client went away: drop its interrupt fds, keep device state.
    virtual void client_disconnected() = 0;
};

} // namespace seed::device::vfio_user
