// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Mapping: sole owner of an mmap()ed range, unmapped on destruction.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <utility>

namespace seed::device {

/// Move-only owner of a successful mmap() result.
class Mapping {
public:
    Mapping() noexcept = default;
    /// Takes ownership of [@p addr, @p addr + @p length), which must come from mmap().
    Mapping(void* addr, size_t length) noexcept : addr_(addr), length_(length) {}
    Mapping(Mapping&& other) noexcept
        : addr_(std::exchange(other.addr_, nullptr)), length_(std::exchange(other.length_, 0)) {}
    Mapping& operator=(Mapping&& other) noexcept {
        if (this != &other) {
            reset();
            addr_ = std::exchange(other.addr_, nullptr);
            length_ = std::exchange(other.length_, 0);
        }
        return *this;
    }
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() { reset(); }

    void* get() const noexcept { return addr_; }
    size_t length() const noexcept { return length_; }
    bool valid() const noexcept { return addr_ != nullptr; }

    void reset() noexcept {
        if (addr_ != nullptr)
            ::munmap(addr_, length_);
        addr_ = nullptr;
        length_ = 0;
    }

private:
    void* addr_ = nullptr;
    size_t length_ = 0;
};

} // namespace seed::device
