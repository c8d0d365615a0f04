// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// ContextAddressSpace: the AddressSpace of one MMU context. Translates per
// page, copies with memcpy within a page, and turns every failure into an
// MMU fault record (docs/hardware.md §7.5, §7.7).
#pragma once

#include "address_space.h"
#include "bus_gate.h"
#include "dma.h"
#include "hbm.h"
#include "mmu.h"

#include <atomic>
#include <cstdint>

namespace seed::device {

/// Returned by accesses abandoned because the queue is being reset. Never
/// reported to the guest.
inline constexpr uint32_t kErrAborted = 0xffffffffu;

/// A one-shot injected MMU fault (fault injection, docs/hardware.md §16):
/// the next translated access of an armed type faults with NOT_PRESENT.
struct InjectedMmuFault {
    static constexpr uint32_t kRead = 1;
    static constexpr uint32_t kWrite = 2;
    std::atomic<uint32_t> armed{0}; // kRead | kWrite bits
    std::atomic<bool> hit{false};   // set when an access took it
    /// True, and disarmed, if an access of this type takes the fault.
    bool take(bool write) {
        uint32_t a = armed.load(std::memory_order_relaxed);
        const uint32_t bit = write ? kWrite : kRead;
        while ((a & bit) != 0) {
            if (armed.compare_exchange_weak(a, 0)) {
                hit = true;
                return true;
            }
        }
        return false;
    }
};

class ContextAddressSpace final : public AddressSpace {
public:
    /// @p abort, if given, is polled between chunks: once it is set, accesses
    /// stop and return kErrAborted. @p inject, if given, is checked before
    /// each translation. @p gate, if given, is waited for before each chunk
    /// (page walks and transfers stall while the device may not master the
    /// bus, §2.4). Reads of poisoned HBM fail with SEED_ERR_ECC (§13.4).
    ContextAddressSpace(Mmu& mmu, Dma& dma, Hbm& hbm, unsigned context,
                        const std::atomic<bool>* abort = nullptr,
                        InjectedMmuFault* inject = nullptr, BusGate* gate = nullptr)
        : mmu_(mmu), dma_(dma), hbm_(hbm), context_(context), abort_(abort), inject_(inject),
          gate_(gate) {}

    uint32_t read(uint64_t va, void* dst, size_t length) override;
    uint32_t write(uint64_t va, const void* src, size_t length) override;
    const AccessFault& fault() const override { return fault_; }

    /// Fills [va, va + length) with a repeating pattern of @p pattern_bytes
    /// (1, 2, 4 or 8) bytes; va must be aligned to pattern_bytes.
    uint32_t fill(uint64_t va, uint64_t length, uint64_t pattern, unsigned pattern_bytes);
    /// Copies within the address space without a bounce through the caller.
    uint32_t copy(uint64_t dst, uint64_t src, uint64_t length);
    /// Single-copy-atomic 8-byte accesses (va must be 8-byte aligned).
    uint32_t load64(uint64_t va, uint64_t& value);
    uint32_t store64(uint64_t va, uint64_t value);

    /// MMU details of the last fault (reason, level, entry).
    const MmuFault& mmu_fault() const { return mmu_fault_; }
    /// SEED_FAULT_INFO() of the last fault.
    uint32_t fault_info() const;
    unsigned context() const { return context_; }

    /// Largest piece copied under one translation: bounds how long an
    /// invalidation or a reset waits for an access in flight.
    static constexpr uint64_t kMaxChunk = 1ull << 20;

private:
    /// Calls fn(host pointer, bytes) per translated piece of [va, va + length).
    template <typename Fn>
    uint32_t for_each_piece(uint64_t va, uint64_t length, bool write, Fn&& fn);
    uint32_t set_fault(uint64_t va, bool write, const MmuFault& fault);
    bool injected(bool write) { return inject_ != nullptr && inject_->take(write); }
    /// Waits for the bus gate; false if aborted meanwhile.
    bool bus_ready();
    /// SEED_ERR_ECC if [hbm, hbm + n) read at @p va holds poison, else 0.
    uint32_t check_poison(uint64_t va, uint64_t hbm, uint64_t n);

    Mmu& mmu_;
    Dma& dma_;
    Hbm& hbm_;
    const unsigned context_;
    const std::atomic<bool>* abort_;
    InjectedMmuFault* inject_;
    BusGate* gate_;
    AccessFault fault_;
    MmuFault mmu_fault_;
};

} // namespace seed::device
