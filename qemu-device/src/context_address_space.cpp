// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// ContextAddressSpace: page-wise translated accesses of one context.
#include "context_address_space.h"

#include <hw/seed_hw.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace seed::device {

uint32_t ContextAddressSpace::set_fault(uint64_t va, bool write, const MmuFault& fault) {
    fault_ = {SEED_ERR_MMU_FAULT, va, write};
    mmu_fault_ = fault;
    return SEED_ERR_MMU_FAULT;
}

uint32_t ContextAddressSpace::fault_info() const {
    return make_fault_info(fault_.write ? SEED_FAULT_ACCESS_WRITE : SEED_FAULT_ACCESS_READ,
                           mmu_fault_.reason, mmu_fault_.level);
}

bool ContextAddressSpace::bus_ready() {
    if (gate_ == nullptr || gate_->open())
        return true;
    return gate_->wait_open(
        [this] { return abort_ != nullptr && abort_->load(std::memory_order_relaxed); });
}

uint32_t ContextAddressSpace::check_poison(uint64_t va, uint64_t hbm, uint64_t n) {
    const auto bad = hbm_.first_poisoned(hbm, n);
    if (!bad)
        return SEED_ERR_NONE;
    fault_ = {SEED_ERR_ECC, va + (*bad - hbm), false, *bad};
    return SEED_ERR_ECC;
}

template <typename Fn>
uint32_t ContextAddressSpace::for_each_piece(uint64_t va, uint64_t length, bool write, Fn&& fn) {
    while (length != 0) {
        if (abort_ != nullptr && abort_->load(std::memory_order_relaxed))
            return kErrAborted;
        if (!bus_ready())
            return kErrAborted;
        std::shared_lock access(mmu_.access_lock());
        Translation t;
        MmuFault f;
        if (injected(write))
            return set_fault(va, write, {SEED_FAULT_REASON_NOT_PRESENT, SEED_FAULT_LEVEL_NONE, 0});
        if (!mmu_.translate(context_, va, write, t, f))
            return set_fault(va, write, f);
        const uint64_t n = std::min({length, t.contiguous, kMaxChunk});
        if (t.hbm) {
            if (!write)
                if (uint32_t err = check_poison(va, t.address, n))
                    return err;
            fn(hbm_.data() + t.address, static_cast<size_t>(n), nullptr);
        } else if (!fn(nullptr, static_cast<size_t>(n), &t.address)) {
            return set_fault(va, write, {SEED_FAULT_REASON_TARGET_BUS, 0, 0});
        }
        va += n;
        length -= n;
    }
    return SEED_ERR_NONE;
}

uint32_t ContextAddressSpace::read(uint64_t va, void* dst, size_t length) {
    auto* out = static_cast<uint8_t*>(dst);
    return for_each_piece(va, length, false, [&](uint8_t* hbm, size_t n, const uint64_t* host) {
        if (hbm != nullptr)
            std::memcpy(out, hbm, n);
        else if (dma_.read(*host, out, n) != 0)
            return false;
        out += n;
        return true;
    });
}

uint32_t ContextAddressSpace::write(uint64_t va, const void* src, size_t length) {
    auto* in = static_cast<const uint8_t*>(src);
    return for_each_piece(va, length, true, [&](uint8_t* hbm, size_t n, const uint64_t* host) {
        if (hbm != nullptr)
            std::memcpy(hbm, in, n);
        else if (dma_.write(*host, in, n) != 0)
            return false;
        in += n;
        return true;
    });
}

uint32_t ContextAddressSpace::fill(uint64_t va, uint64_t length, uint64_t pattern,
                                   unsigned pattern_bytes) {
    // A buffer of the pattern, whose size is a multiple of every pattern width.
    static constexpr size_t kBuf = 64 * 1024;
    std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(length, kBuf)));
    for (size_t i = 0; i < buf.size(); ++i)
        buf[i] = static_cast<uint8_t>(pattern >> (8 * (i % pattern_bytes)));
    return for_each_piece(va, length, true, [&](uint8_t* hbm, size_t n, const uint64_t* host) {
        // Every piece starts at an address aligned to pattern_bytes (pages and
        // chunks are), so the pattern restarts at offset 0 of buf.
        size_t done = 0;
        while (done < n) {
            size_t m = std::min(n - done, buf.size());
            if (hbm != nullptr)
                std::memcpy(hbm + done, buf.data(), m);
            else if (dma_.write(*host + done, buf.data(), m) != 0)
                return false;
            done += m;
        }
        return true;
    });
}

uint32_t ContextAddressSpace::copy(uint64_t dst, uint64_t src, uint64_t length) {
    static constexpr uint64_t kBounce = 256 * 1024;
    std::vector<uint8_t> buf(static_cast<size_t>(std::min(length, kBounce)));
    while (length != 0) {
        const uint64_t n = std::min<uint64_t>(length, buf.size());
        if (uint32_t err = read(src, buf.data(), static_cast<size_t>(n)))
            return err;
        if (uint32_t err = write(dst, buf.data(), static_cast<size_t>(n)))
            return err;
        src += n;
        dst += n;
        length -= n;
    }
    return SEED_ERR_NONE;
}

uint32_t ContextAddressSpace::load64(uint64_t va, uint64_t& value) {
    if (!bus_ready())
        return kErrAborted;
    std::shared_lock access(mmu_.access_lock());
    Translation t;
    MmuFault f;
    if (injected(false))
        return set_fault(va, false, {SEED_FAULT_REASON_NOT_PRESENT, SEED_FAULT_LEVEL_NONE, 0});
    if (!mmu_.translate(context_, va, false, t, f))
        return set_fault(va, false, f);
    if (t.hbm) {
        if (uint32_t err = check_poison(va, t.address, sizeof(value)))
            return err;
        value = std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(hbm_.data() + t.address))
                    .load(std::memory_order_acquire);
        return SEED_ERR_NONE;
    }
    if (dma_.read(t.address, &value, sizeof(value)) != 0)
        return set_fault(va, false, {SEED_FAULT_REASON_TARGET_BUS, 0, 0});
    std::atomic_thread_fence(std::memory_order_acquire);
    return SEED_ERR_NONE;
}

uint32_t ContextAddressSpace::store64(uint64_t va, uint64_t value) {
    if (!bus_ready())
        return kErrAborted;
    std::shared_lock access(mmu_.access_lock());
    Translation t;
    MmuFault f;
    if (injected(true))
        return set_fault(va, true, {SEED_FAULT_REASON_NOT_PRESENT, SEED_FAULT_LEVEL_NONE, 0});
    if (!mmu_.translate(context_, va, true, t, f))
        return set_fault(va, true, f);
    std::atomic_thread_fence(std::memory_order_release);
    if (t.hbm) {
        std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(hbm_.data() + t.address))
            .store(value, std::memory_order_release);
        return SEED_ERR_NONE;
    }
    if (dma_.write(t.address, &value, sizeof(value)) != 0)
        return set_fault(va, true, {SEED_FAULT_REASON_TARGET_BUS, 0, 0});
    return SEED_ERR_NONE;
}

} // namespace seed::device
