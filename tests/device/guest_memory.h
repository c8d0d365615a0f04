// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Test harness: "guest memory" from a memfd mapped into a Dma table, a bump
// allocator of pages in it, and a builder of SeedChip page tables.
#pragma once

#include "dma.h"
#include "mapping.h"
#include "unique_fd.h"

#include <hw/seed_hw.h>

#include <cstdint>
#include <cstring>

namespace seed::device::test {

class GuestMemory {
public:
    static constexpr uint64_t kBase = 0x100000000ull; // IOVA of byte 0

    /// Maps @p size bytes (a multiple of 4 KiB) at kBase into @p dma.
    GuestMemory(Dma& dma, uint64_t size);

    uint64_t size() const { return size_; }
    /// Host pointer of IOVA @p iova (inside the memory).
    uint8_t* at(uint64_t iova) const { return base_ + (iova - kBase); }
    template <typename T>
    T load(uint64_t iova) const {
        T v;
        std::memcpy(&v, at(iova), sizeof(T));
        return v;
    }
    template <typename T>
    void store(uint64_t iova, const T& v) {
        std::memcpy(at(iova), &v, sizeof(T));
    }

    /// A zeroed, @p align aligned block of @p bytes; returns its IOVA.
    uint64_t alloc(uint64_t bytes, uint64_t align = SEED_PAGE_SIZE);

private:
    uint64_t size_;
    UniqueFd fd_;
    Mapping view_;
    uint8_t* base_ = nullptr;
    uint64_t next_ = 0;
};

/// Builds the 4-level tables of one context in guest memory.
class PageTables {
public:
    explicit PageTables(GuestMemory& mem) : mem_(mem), root_(mem.alloc(SEED_PAGE_SIZE)) {}

    uint64_t root() const { return root_; }
    /// Maps [va, va + size) to @p target with pages of @p page_size (4K, 2M
    /// or 1G); @p flags are SEED_PTE_READ/WRITE/HBM.
    void map(uint64_t va, uint64_t target, uint64_t size, uint64_t flags,
             uint64_t page_size = SEED_PAGE_SIZE);
    /// The IOVA of the entry mapping @p va at @p level (tables must exist).
    uint64_t entry_address(uint64_t va, unsigned level) const;
    /// Sets the entry of @p va at @p level to @p value.
    void set_entry(uint64_t va, unsigned level, uint64_t value) {
        mem_.store(entry_address(va, level), value);
    }
    uint64_t entry(uint64_t va, unsigned level) const {
        return mem_.load<uint64_t>(entry_address(va, level));
    }

private:
    GuestMemory& mem_;
    uint64_t root_;
};

} // namespace seed::device::test
