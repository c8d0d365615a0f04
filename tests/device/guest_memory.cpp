// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Test harness: memfd-backed guest memory and page-table builder.
#include "guest_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <stdexcept>

namespace seed::device::test {

GuestMemory::GuestMemory(Dma& dma, uint64_t size) : size_(size) {
    fd_.reset(::memfd_create("guest-memory", MFD_CLOEXEC));
    if (!fd_.valid() || ::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0)
        throw std::runtime_error("memfd");
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
    if (p == MAP_FAILED)
        throw std::runtime_error("mmap");
    view_ = Mapping(p, size);
    base_ = static_cast<uint8_t*>(p);
    if (dma.map(kBase, size, kDmaProtRead | kDmaProtWrite, UniqueFd(::dup(fd_.get())), 0) != 0)
        throw std::runtime_error("dma map");
}

uint64_t GuestMemory::alloc(uint64_t bytes, uint64_t align) {
    next_ = (next_ + align - 1) & ~(align - 1);
    uint64_t at = next_;
    next_ += bytes;
    if (next_ > size_)
        throw std::runtime_error("guest memory exhausted");
    std::memset(base_ + at, 0, bytes);
    return kBase + at;
}

uint64_t PageTables::entry_address(uint64_t va, unsigned level) const {
    uint64_t table = root_;
    for (unsigned l = SEED_PT_LEVELS - 1; l > level; --l) {
        uint64_t e = mem_.load<uint64_t>(table + 8 * SEED_PT_INDEX(va, l));
        table = e & SEED_PTE_ADDR_MASK;
    }
    return table + 8 * SEED_PT_INDEX(va, level);
}

void PageTables::map(uint64_t va, uint64_t target, uint64_t size, uint64_t flags,
                     uint64_t page_size) {
    const unsigned leaf_level = page_size == (1ull << 30) ? 2 : page_size == (1ull << 21) ? 1 : 0;
    for (uint64_t off = 0; off < size; off += page_size) {
        uint64_t v = va + off;
        uint64_t table = root_;
        for (unsigned l = SEED_PT_LEVELS - 1; l > leaf_level; --l) {
            uint64_t at = table + 8 * SEED_PT_INDEX(v, l);
            uint64_t e = mem_.load<uint64_t>(at);
            if ((e & SEED_PTE_VALID) == 0) {
                e = mem_.alloc(SEED_PAGE_SIZE) | SEED_PTE_VALID;
                mem_.store(at, e);
            }
            table = e & SEED_PTE_ADDR_MASK;
        }
        uint64_t leaf = (target + off) | flags | SEED_PTE_VALID;
        if (leaf_level != 0)
            leaf |= SEED_PTE_LEAF;
        mem_.store(table + 8 * SEED_PT_INDEX(v, leaf_level), leaf);
    }
}

} // namespace seed::device::test
