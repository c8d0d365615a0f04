// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Hbm: the device's on-card memory, sparsely backed by anonymous host memory
// so that large sizes only cost what the guest actually touches.
#pragma once

#include "mapping.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <utility>

namespace seed::device {

class Hbm {
public:
    /// Reserves @p size bytes (MAP_NORESERVE, zero filled on first touch).
    /// Returns nullptr and logs on failure.
    static std::unique_ptr<Hbm> create(uint64_t size);

    uint64_t size() const { return size_; }

    /// Bounds-checked copies; 0 on success, -EFAULT if the range is outside.
    int read(uint64_t offset, std::span<uint8_t> out) const;
    int write(uint64_t offset, std::span<const uint8_t> in);

    /// Direct access for device engines; callers must stay within size().
    uint8_t* data() { return static_cast<uint8_t*>(mapping_.get()); }

    /// Power-on contents: every byte zero (the backing is given back).
    void zero();

    /// Poison (docs/hardware.md §13.4): an uncorrectable error poisons the
    /// 4 KiB page holding @p offset. Thread safe.
    void poison(uint64_t offset);
    void clear_poison();
    size_t poisoned_pages() const;
    /// The first address in [@p offset, @p offset + @p length) that lies in a
    /// poisoned page, if any. Cheap while nothing is poisoned.
    std::optional<uint64_t> first_poisoned(uint64_t offset, uint64_t length) const;

private:
    Hbm(Mapping mapping, uint64_t size) : mapping_(std::move(mapping)), size_(size) {}
    bool contains(uint64_t offset, uint64_t length) const {
        return offset <= size_ && length <= size_ - offset;
    }

    Mapping mapping_;
    uint64_t size_;
    mutable std::shared_mutex poison_lock_; /* Protects poisoned_ */
    std::set<uint64_t> poisoned_;           // page addresses
    std::atomic<size_t> poison_count_{0};   // poisoned_.size(), for the fast path
};

} // namespace seed::device
