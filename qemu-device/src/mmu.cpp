// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Mmu: context registers, page walk, TLB and invalidation.
#include "mmu.h"

#include "log.h"

#include <algorithm>

namespace seed::device {
namespace {

constexpr uint64_t kVaLimit = 1ull << SEED_VA_BITS;
constexpr uint32_t kCtxCfgMask = SEED_CTX_CFG_VALID;
constexpr uint32_t kInvCtrlMask = 0xffu | SEED_TLB_INV_CTRL_ALL | SEED_TLB_INV_CTRL_IRQ;

uint64_t set_lo(uint64_t v, uint32_t lo) {
    return (v & ~0xffffffffull) | lo;
}
uint64_t set_hi(uint64_t v, uint32_t hi) {
    return (v & 0xffffffffull) | (uint64_t{hi} << 32);
}

} // namespace

Mmu::Mmu(Dma& dma, uint64_t hbm_size, unsigned contexts)
    : dma_(dma), hbm_size_(hbm_size), contexts_(std::min<unsigned>(contexts, SEED_MAX_CONTEXTS)) {}

uint32_t Mmu::read_register(uint32_t offset) const {
    std::lock_guard guard(lock_);
    switch (offset) {
    case SEED_REG_TLB_INV_VA_LO:
        return static_cast<uint32_t>(inv_va_);
    case SEED_REG_TLB_INV_VA_HI:
        return static_cast<uint32_t>(inv_va_ >> 32);
    case SEED_REG_TLB_INV_SIZE_LO:
        return static_cast<uint32_t>(inv_size_);
    case SEED_REG_TLB_INV_SIZE_HI:
        return static_cast<uint32_t>(inv_size_ >> 32);
    case SEED_REG_TLB_INV_CTRL:
        return inv_ctrl_;
    case SEED_REG_TLB_INV_DONE:
        return inv_done_;
    default:
        break;
    }
    if (offset < SEED_REG_CTX_BLOCK || offset >= SEED_REG_CTX(contexts_))
        return 0;
    const Context& c = ctx_[(offset - SEED_REG_CTX_BLOCK) / SEED_CTX_BLOCK_STRIDE];
    switch ((offset - SEED_REG_CTX_BLOCK) % SEED_CTX_BLOCK_STRIDE) {
    case 0x0:
        return c.root_lo;
    case 0x4:
        return c.root_hi;
    case 0x8:
        return c.cfg;
    default:
        return 0;
    }
}

bool Mmu::write_register(uint32_t offset, uint32_t value, TlbInvalidation* done) {
    std::unique_lock guard(lock_);
    switch (offset) {
    case SEED_REG_TLB_INV_VA_LO:
        inv_va_ = set_lo(inv_va_, value);
        return false;
    case SEED_REG_TLB_INV_VA_HI:
        inv_va_ = set_hi(inv_va_, value);
        return false;
    case SEED_REG_TLB_INV_SIZE_LO:
        inv_size_ = set_lo(inv_size_, value);
        return false;
    case SEED_REG_TLB_INV_SIZE_HI:
        inv_size_ = set_hi(inv_size_, value);
        return false;
    case SEED_REG_TLB_INV_CTRL:
        inv_ctrl_ = value & kInvCtrlMask;
        return false;
    case SEED_REG_TLB_INV_SEQ: {
        // Latch the parameters, then invalidate synchronously: invalidations
        // therefore complete in the order of their SEQ writes.
        const uint32_t ctrl = inv_ctrl_;
        const uint64_t va = inv_va_;
        const uint64_t size = inv_size_;
        inv_last_seq_ = value;
        guard.unlock();
        const unsigned c = SEED_TLB_INV_CTRL_CTX(ctrl);
        const bool all = (ctrl & SEED_TLB_INV_CTRL_ALL) != 0;
        if (!all && c >= contexts_)
            log::guest_error("TLB invalidation of context {} beyond the {} contexts; no effect", c,
                             contexts_);
        else
            invalidate(all, c, va, size);
        guard.lock();
        inv_done_ = value;
        if (done != nullptr)
            *done = {value, (ctrl & SEED_TLB_INV_CTRL_IRQ) != 0};
        return true;
    }
    case SEED_REG_TLB_INV_DONE:
        log::guest_error("write {:#x} to read-only TLB_INV_DONE ignored", value);
        return false;
    default:
        break;
    }
    if (offset < SEED_REG_CTX_BLOCK || offset >= SEED_REG_CTX(contexts_))
        return false;
    Context& c = ctx_[(offset - SEED_REG_CTX_BLOCK) / SEED_CTX_BLOCK_STRIDE];
    switch ((offset - SEED_REG_CTX_BLOCK) % SEED_CTX_BLOCK_STRIDE) {
    case 0x0:
        c.root_lo = value;
        break;
    case 0x4:
        c.root_hi = value;
        break;
    case 0x8:
        if ((value & ~kCtxCfgMask) != 0)
            log::guest_error("CTX_CFG: reserved bits {:#x} ignored", value & ~kCtxCfgMask);
        c.cfg = value & kCtxCfgMask;
        c.root = ((uint64_t{c.root_hi} << 32) | c.root_lo) & SEED_PTE_ADDR_MASK;
        break;
    default:
        break;
    }
    return false;
}

uint32_t Mmu::reset() {
    std::unique_lock access(access_lock_);
    std::lock_guard guard(lock_);
    for (Context& c : ctx_)
        c = Context{};
    inv_va_ = inv_size_ = 0;
    inv_ctrl_ = 0;
    inv_done_ = 0;
    return inv_last_seq_;
}

void Mmu::invalidate(bool all, unsigned context, uint64_t va, uint64_t size) {
    {
        std::lock_guard guard(lock_);
        const uint64_t first = va & ~uint64_t{SEED_PAGE_SIZE - 1};
        // End rounded up; saturates instead of wrapping.
        uint64_t end = va + size < va ? UINT64_MAX : va + size;
        for (unsigned c = 0; c < contexts_; ++c) {
            if (!all && c != context)
                continue;
            for (TlbEntry& e : ctx_[c].tlb) {
                if (!e.valid)
                    continue;
                if (all || size == 0 || (e.base < end && e.base + e.size > first))
                    e.valid = false;
            }
        }
    }
    // Wait for every access that may still use a removed translation.
    std::unique_lock access(access_lock_);
}

bool Mmu::walk(uint64_t root, uint64_t va, bool write, TlbEntry& leaf, MmuFault& fault) const {
    (void)write;
    uint64_t table = root;
    for (int level = SEED_PT_LEVELS - 1; level >= 0; --level) {
        const auto l = static_cast<uint32_t>(level);
        uint64_t entry = 0;
        const uint64_t at = table + 8 * SEED_PT_INDEX(va, l);
        if (dma_.read(at, &entry, sizeof(entry)) != 0) {
            fault = {SEED_FAULT_REASON_WALK_BUS, l, 0};
            return false;
        }
        if ((entry & SEED_PTE_VALID) == 0) {
            fault = {SEED_FAULT_REASON_NOT_PRESENT, l, entry};
            return false;
        }
        if ((entry & SEED_PTE_RESERVED) != 0 || (l == 3 && (entry & SEED_PTE_LEAF) != 0)) {
            fault = {SEED_FAULT_REASON_PTE_INVALID, l, entry};
            return false;
        }
        const bool is_leaf = l == 0 || (entry & SEED_PTE_LEAF) != 0;
        if (is_leaf) {
            const uint64_t size = SEED_PT_LEAF_SIZE(l);
            if (((entry & SEED_PTE_ADDR_MASK) & (size - 1)) != 0) {
                fault = {SEED_FAULT_REASON_PTE_INVALID, l, entry};
                return false;
            }
            leaf = {true, va & ~(size - 1), size, entry, l};
            return true;
        }
        if ((entry & SEED_PTE_HBM) != 0) {
            fault = {SEED_FAULT_REASON_PTE_INVALID, l, entry};
            return false;
        }
        table = entry & SEED_PTE_ADDR_MASK;
    }
    return false; // not reached: level 0 is always a leaf
}

bool Mmu::finish(const TlbEntry& leaf, uint64_t va, bool write, Translation& out,
                 MmuFault& fault) const {
    const uint64_t need = write ? SEED_PTE_WRITE : SEED_PTE_READ;
    if ((leaf.pte & need) == 0) {
        fault = {SEED_FAULT_REASON_PERMISSION, leaf.level, leaf.pte};
        return false;
    }
    const uint64_t offset = va - leaf.base;
    out.hbm = (leaf.pte & SEED_PTE_HBM) != 0;
    out.address = (leaf.pte & SEED_PTE_ADDR_MASK) + offset;
    out.contiguous = leaf.size - offset;
    if (out.hbm) {
        if (out.address >= hbm_size_) {
            fault = {SEED_FAULT_REASON_RANGE, leaf.level, leaf.pte};
            return false;
        }
        out.contiguous = std::min(out.contiguous, hbm_size_ - out.address);
    }
    return true;
}

bool Mmu::translate(unsigned context, uint64_t va, bool write, Translation& out, MmuFault& fault) {
    uint64_t root = 0;
    const size_t slot = (va >> SEED_PAGE_SHIFT) % kTlbEntries;
    {
        std::lock_guard guard(lock_);
        if (context >= contexts_ || (ctx_[context].cfg & SEED_CTX_CFG_VALID) == 0) {
            fault = {SEED_FAULT_REASON_CONTEXT, SEED_FAULT_LEVEL_NONE, 0};
            return false;
        }
        if (va >= kVaLimit) {
            fault = {SEED_FAULT_REASON_RANGE, SEED_FAULT_LEVEL_NONE, 0};
            return false;
        }
        const TlbEntry& hit = ctx_[context].tlb[slot];
        if (hit.valid && va >= hit.base && va - hit.base < hit.size)
            return finish(hit, va, write, out, fault);
        root = ctx_[context].root;
    }
    TlbEntry leaf;
    if (!walk(root, va, write, leaf, fault))
        return false;
    {
        // Only valid entries are cached. The caller holds access_lock_ shared,
        // so no invalidation can run between the walk and this insertion.
        std::lock_guard guard(lock_);
        if ((ctx_[context].cfg & SEED_CTX_CFG_VALID) != 0 && ctx_[context].root == root)
            ctx_[context].tlb[slot] = leaf;
    }
    return finish(leaf, va, write, out, fault);
}

} // namespace seed::device
