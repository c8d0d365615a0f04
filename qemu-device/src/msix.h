// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Msix: the device side of MSI-X. One eventfd per vector, set by the client
// with SET_IRQS; raising a vector signals it, or latches the vector's pending
// bit (visible in the PBA) while no eventfd is assigned.
#pragma once

#include "unique_fd.h"

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace seed::device {

/// Thread safe: fds are swapped and signalled under one lock, so an old fd is
/// closed only when no device thread can still be writing to its number.
class Msix {
public:
    explicit Msix(uint32_t vectors);

    uint32_t vector_count() const { return vector_count_; }

    /// Assigns fds[i] to vector start + i, closing the previous ones. A vector
    /// whose pending bit is set fires at once. Returns -EINVAL if out of range.
    int assign(uint32_t start, std::span<UniqueFd> fds);
    /// De-assigns vectors [start, start + count); returns -EINVAL if out of range.
    int deassign(uint32_t start, uint32_t count);
    /// De-assigns every vector (MSI-X disabled, client gone).
    void deassign_all();

    /// Signals @p vector. Returns true if an eventfd was written, false if the
    /// vector was latched pending (no eventfd, or held) or is out of range.
    bool raise(uint32_t vector);

    /// While held (the device may not master the bus, §2.4, §13.6), raised
    /// vectors are latched pending; releasing fires every pending vector
    /// that has an eventfd.
    void set_held(bool held);

    bool pending(uint32_t vector) const;
    void clear_pending();
    bool assigned(uint32_t vector) const;

    /// Size of the Pending Bit Array in bytes: one qword per 64 vectors.
    uint32_t pba_size() const { return static_cast<uint32_t>(pending_.size() * 8); }
    /// Copies PBA bytes starting at @p offset (relative to the PBA) into @p out;
    /// bytes past the PBA read as 0.
    void read_pba(uint64_t offset, std::span<uint8_t> out) const;

private:
    static void signal(int fd, uint32_t vector);

    const uint32_t vector_count_;
    mutable std::mutex lock_;       /* Protects fds_, pending_ */
    std::vector<UniqueFd> fds_;     // one per vector, invalid if unassigned
    std::vector<uint64_t> pending_; // PBA qwords
    bool held_ = false;
};

} // namespace seed::device
