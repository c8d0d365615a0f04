// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Mmu: the device MMU (docs/hardware.md §7). Context registers, the 4-level
// page walk of driver-built tables in host memory, a small leaf TLB and the
// TLB invalidation protocol.
#pragma once

#include "dma.h"
#include "writer_first_mutex.h"

#include <hw/seed_hw.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <shared_mutex>

namespace seed::device {

/// Why a translation failed (§7.7).
struct MmuFault {
    uint32_t reason = 0;                    ///< SEED_FAULT_REASON_*
    uint32_t level = SEED_FAULT_LEVEL_NONE; ///< walk level 3..0 or SEED_FAULT_LEVEL_NONE
    uint64_t pte = 0;                       ///< the entry that caused the fault, 0 if none read
};

/// SEED_FAULT_INFO() without the C casts (the header macro trips -Wold-style-cast).
constexpr uint32_t make_fault_info(uint32_t access, uint32_t reason, uint32_t level) {
    return access | (reason << 8) | (level << 16);
}

/// A successful translation of one address.
struct Translation {
    bool hbm = false;        ///< target is HBM (else a host DMA address)
    uint64_t address = 0;    ///< target address of the translated VA
    uint64_t contiguous = 0; ///< bytes from the VA to the end of its page (and of HBM)
};

/// A TLB invalidation that completed (§7.6).
struct TlbInvalidation {
    uint32_t seq = 0;
    bool irq = false;
};

/// Thread safe. Accesses that use translations hold access_lock() shared for
/// the duration of the access; an invalidation takes it exclusively after
/// removing entries, so it completes only once no access using a removed
/// translation is in flight.
class Mmu {
public:
    Mmu(Dma& dma, uint64_t hbm_size, unsigned contexts = SEED_MAX_CONTEXTS);

    /// Registers of the TLB invalidation block (0x0300) and the context block
    /// (0x0400); @p offset is the BAR0 offset. Other offsets read 0.
    uint32_t read_register(uint32_t offset) const;
    /// Returns true and fills @p done when the write was TLB_INV_SEQ: the
    /// invalidation has completed and must be published.
    bool write_register(uint32_t offset, uint32_t value, TlbInvalidation* done);

    static bool owns_register(uint32_t offset) {
        return (offset >= SEED_REG_TLB_INV_VA_LO && offset <= SEED_REG_TLB_INV_DONE) ||
               (offset >= SEED_REG_CTX_BLOCK && offset < SEED_REG_CTX(SEED_MAX_CONTEXTS));
    }

    /// Full device reset: every context invalid with root 0, TLB flushed,
    /// invalidation registers 0. Returns the last SEQ written (pending
    /// invalidations complete), which the caller publishes.
    uint32_t reset();

    /// Translates @p va in @p context for a read or write. The caller holds
    /// access_lock() shared until it has finished using the result.
    bool translate(unsigned context, uint64_t va, bool write, Translation& out, MmuFault& fault);

    WriterFirstMutex& access_lock() { return access_lock_; }
    unsigned context_count() const { return contexts_; }
    uint64_t hbm_size() const { return hbm_size_; }

    /// Drops cached translations overlapping [va, va + size) of @p context
    /// (size 0: the whole context), or of every context with @p all, and
    /// waits for accesses that may use them.
    void invalidate(bool all, unsigned context, uint64_t va, uint64_t size);

private:
    static constexpr unsigned kTlbEntries = 64; // per context, direct mapped by 4 KiB page

    struct TlbEntry {
        bool valid = false;
        uint64_t base = 0; ///< VA of the start of the leaf page
        uint64_t size = 0; ///< leaf page size
        uint64_t pte = 0;
        uint32_t level = 0;
    };

    struct Context {
        uint32_t root_lo = 0; ///< register values
        uint32_t root_hi = 0;
        uint32_t cfg = 0;
        uint64_t root = 0; ///< latched by a CFG write
        std::array<TlbEntry, kTlbEntries> tlb{};
    };

    bool walk(uint64_t root, uint64_t va, bool write, TlbEntry& leaf, MmuFault& fault) const;
    bool finish(const TlbEntry& leaf, uint64_t va, bool write, Translation& out,
                MmuFault& fault) const;

    Dma& dma_;
    const uint64_t hbm_size_;
    const unsigned contexts_;

    WriterFirstMutex access_lock_; // see the class comment

    mutable std::mutex lock_; /* Protects ctx_, inv_* */
    std::array<Context, SEED_MAX_CONTEXTS> ctx_{};
    uint64_t inv_va_ = 0;
    uint64_t inv_size_ = 0;
    uint32_t inv_ctrl_ = 0;
    uint32_t inv_done_ = 0;
    uint32_t inv_last_seq_ = 0;
};

} // namespace seed::device
