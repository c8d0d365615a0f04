// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Hbm: the device's on-card memory, sparsely backed by anonymous host memory
// so that large sizes only cost what the guest actually touches.
#pragma once

#include "mapping.h"

#include <cstdint>
#include <memory>
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

private:
    Hbm(Mapping mapping, uint64_t size) : mapping_(std::move(mapping)), size_(size) {}
    bool contains(uint64_t offset, uint64_t length) const {
        return offset <= size_ && length <= size_ - offset;
    }

    Mapping mapping_;
    uint64_t size_;
};

} // namespace seed::device
