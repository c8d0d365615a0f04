// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Test double of AddressSpace for the compute engine tests: a flat byte
// array at VA 0 with optional unmapped ranges that fault like the MMU.
#pragma once

#include "address_space.h"

#include <hw/seed_hw.h>

#include <cstring>
#include <utility>
#include <vector>

namespace seed::device::compute::test {

class FakeMemory : public AddressSpace {
public:
    explicit FakeMemory(size_t size) : bytes_(size, 0) {}

    /// Makes [va, va + length) fault on every access.
    void unmap(uint64_t va, uint64_t length) { holes_.emplace_back(va, va + length); }

    /// Returns a 64-byte aligned VA of @p bytes fresh bytes.
    uint64_t alloc(size_t bytes) {
        const uint64_t va = next_;
        next_ = (next_ + bytes + 63) & ~uint64_t{63};
        if (next_ > bytes_.size())
            bytes_.resize(next_ + 4096, 0);
        return va;
    }

    template <typename T>
    uint64_t put(const std::vector<T>& values) {
        const uint64_t va = alloc(values.size() * sizeof(T));
        std::memcpy(bytes_.data() + va, values.data(), values.size() * sizeof(T));
        return va;
    }

    template <typename T>
    void store(uint64_t va, const T& value) {
        std::memcpy(bytes_.data() + va, &value, sizeof(T));
    }

    template <typename T>
    void store_array(uint64_t va, const std::vector<T>& values) {
        std::memcpy(bytes_.data() + va, values.data(), values.size() * sizeof(T));
    }

    template <typename T>
    std::vector<T> get(uint64_t va, size_t count) const {
        std::vector<T> out(count);
        std::memcpy(out.data(), bytes_.data() + va, count * sizeof(T));
        return out;
    }

    uint32_t read(uint64_t va, void* dst, size_t length) override {
        ++reads_;
        const uint64_t bad = first_bad(va, length);
        std::memcpy(dst, bytes_.data() + va, static_cast<size_t>(bad - va));
        if (bad != va + length)
            return record(bad, false);
        return SEED_ERR_NONE;
    }

    uint32_t write(uint64_t va, const void* src, size_t length) override {
        ++writes_;
        const uint64_t bad = first_bad(va, length);
        std::memcpy(bytes_.data() + va, src, static_cast<size_t>(bad - va));
        if (bad != va + length)
            return record(bad, true);
        return SEED_ERR_NONE;
    }

    const AccessFault& fault() const override { return fault_; }

    size_t writes() const { return writes_; }
    size_t reads() const { return reads_; }

private:
    // First address of [va, va + length) that faults, or va + length.
    uint64_t first_bad(uint64_t va, size_t length) const {
        if (va >= bytes_.size())
            return va;
        uint64_t end = va + length;
        if (end < va || end > bytes_.size())
            end = bytes_.size();
        uint64_t bad = end;
        for (const auto& [lo, hi] : holes_)
            if (lo < bad && hi > va)
                bad = lo > va ? lo : va;
        return bad == end && end != va + length ? end : bad;
    }

    uint32_t record(uint64_t address, bool write) {
        fault_ = {SEED_ERR_MMU_FAULT, address, write};
        return SEED_ERR_MMU_FAULT;
    }

    std::vector<uint8_t> bytes_;
    std::vector<std::pair<uint64_t, uint64_t>> holes_;
    uint64_t next_ = 4096;
    AccessFault fault_;
    size_t reads_ = 0;
    size_t writes_ = 0;
};

} // namespace seed::device::compute::test
