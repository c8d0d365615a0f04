// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Mmu and ContextAddressSpace: page walk, leaf sizes, every fault reason,
// permission checks, page splitting and TLB invalidation.
#include "context_address_space.h"
#include "guest_memory.h"
#include "hbm.h"
#include "log.h"
#include "mmu.h"

#include <gtest/gtest.h>

#include <vector>

namespace seed::device {
namespace {

using test::GuestMemory;
using test::PageTables;

constexpr uint64_t kHbmSize = 64ull << 20;
constexpr uint64_t k2M = 1ull << 21;
constexpr uint64_t k1G = 1ull << 30;
constexpr uint64_t kRW = SEED_PTE_READ | SEED_PTE_WRITE;

class MmuTest : public ::testing::Test {
protected:
    void SetUp() override {
        log::set_level(LogLevel::kError);
        hbm_ = Hbm::create(kHbmSize);
        ASSERT_NE(hbm_, nullptr);
        mem_ = std::make_unique<GuestMemory>(dma_, 8ull << 20);
        mmu_ = std::make_unique<Mmu>(dma_, kHbmSize);
        pt_ = std::make_unique<PageTables>(*mem_);
        set_context(1, pt_->root(), true);
        as_ = std::make_unique<ContextAddressSpace>(*mmu_, dma_, *hbm_, 1);
    }
    void set_context(unsigned c, uint64_t root, bool valid) {
        mmu_->write_register(SEED_REG_CTX_ROOT_LO(c), static_cast<uint32_t>(root), nullptr);
        mmu_->write_register(SEED_REG_CTX_ROOT_HI(c), static_cast<uint32_t>(root >> 32), nullptr);
        mmu_->write_register(SEED_REG_CTX_CFG(c), valid ? SEED_CTX_CFG_VALID : 0, nullptr);
    }
    uint32_t invalidate(unsigned c, uint64_t va, uint64_t size, uint32_t seq, bool all = false) {
        mmu_->write_register(SEED_REG_TLB_INV_VA_LO, static_cast<uint32_t>(va), nullptr);
        mmu_->write_register(SEED_REG_TLB_INV_VA_HI, static_cast<uint32_t>(va >> 32), nullptr);
        mmu_->write_register(SEED_REG_TLB_INV_SIZE_LO, static_cast<uint32_t>(size), nullptr);
        mmu_->write_register(SEED_REG_TLB_INV_SIZE_HI, static_cast<uint32_t>(size >> 32), nullptr);
        mmu_->write_register(SEED_REG_TLB_INV_CTRL, c | (all ? SEED_TLB_INV_CTRL_ALL : 0), nullptr);
        TlbInvalidation done;
        EXPECT_TRUE(mmu_->write_register(SEED_REG_TLB_INV_SEQ, seq, &done));
        return done.seq;
    }
    void expect_fault(uint64_t va, bool write, uint32_t reason, uint32_t level) {
        uint8_t b = 0;
        uint32_t err = write ? as_->write(va, &b, 1) : as_->read(va, &b, 1);
        EXPECT_EQ(err, uint32_t{SEED_ERR_MMU_FAULT});
        EXPECT_EQ(as_->fault().address, va);
        EXPECT_EQ(as_->fault().write, write);
        EXPECT_EQ(as_->mmu_fault().reason, reason);
        EXPECT_EQ(as_->mmu_fault().level, level);
        EXPECT_EQ(as_->fault_info(),
                  make_fault_info(write ? SEED_FAULT_ACCESS_WRITE : SEED_FAULT_ACCESS_READ, reason,
                                  level));
    }

    Dma dma_;
    std::unique_ptr<Hbm> hbm_;
    std::unique_ptr<GuestMemory> mem_;
    std::unique_ptr<Mmu> mmu_;
    std::unique_ptr<PageTables> pt_;
    std::unique_ptr<ContextAddressSpace> as_;
};

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
static_assert(make_fault_info(1, 7, 0xff) == SEED_FAULT_INFO(1, 7, 0xff));
#pragma GCC diagnostic pop

TEST_F(MmuTest, ContextRegisters) {
    EXPECT_EQ(mmu_->read_register(SEED_REG_CTX_CFG(1)), SEED_CTX_CFG_VALID);
    EXPECT_EQ(mmu_->read_register(SEED_REG_CTX_ROOT_LO(1)), static_cast<uint32_t>(pt_->root()));
    EXPECT_EQ(mmu_->read_register(SEED_REG_CTX_ROOT_HI(1)), 1u);
    mmu_->write_register(SEED_REG_CTX_CFG(2), 0xff, nullptr);
    EXPECT_EQ(mmu_->read_register(SEED_REG_CTX_CFG(2)), SEED_CTX_CFG_VALID) << "reserved bits";
    EXPECT_EQ(mmu_->read_register(SEED_REG_CTX(2) + 0xc), 0u);
}

TEST_F(MmuTest, HostPages4K) {
    uint64_t page = mem_->alloc(2 * SEED_PAGE_SIZE);
    pt_->map(0x10000, page, 2 * SEED_PAGE_SIZE, kRW);
    std::vector<uint8_t> data(6000);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 7);
    ASSERT_EQ(as_->write(0x10000 + 100, data.data(), data.size()), 0u);
    EXPECT_EQ(std::memcmp(mem_->at(page + 100), data.data(), data.size()), 0);
    std::vector<uint8_t> back(data.size());
    ASSERT_EQ(as_->read(0x10000 + 100, back.data(), back.size()), 0u);
    EXPECT_EQ(back, data);
}

TEST_F(MmuTest, HbmPages2MAnd1G) {
    pt_->map(0x40000000, 4 * k2M, 2 * k2M, kRW | SEED_PTE_HBM, k2M);
    uint64_t v = 0x1122334455667788;
    ASSERT_EQ(as_->store64(0x40000000 + k2M + 8, v), 0u);
    uint64_t back = 0;
    ASSERT_EQ(hbm_->read(5 * k2M + 8, {reinterpret_cast<uint8_t*>(&back), 8}), 0);
    EXPECT_EQ(back, v);
    // A 1 GiB page at HBM 0: bytes below hbm_size work, the rest is RANGE.
    pt_->map(0x80000000, 0, k1G, kRW | SEED_PTE_HBM, k1G);
    ASSERT_EQ(as_->load64(0x80000000 + 5 * k2M + 8, back), 0u);
    EXPECT_EQ(back, v);
    expect_fault(0x80000000 + kHbmSize, false, SEED_FAULT_REASON_RANGE, 2);
    // An access crossing the end of HBM faults at the first byte beyond it.
    uint8_t buf[16] = {};
    EXPECT_EQ(as_->write(0x80000000 + kHbmSize - 8, buf, 16), uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(as_->fault().address, 0x80000000 + kHbmSize);
}

TEST_F(MmuTest, HostPage2M) {
    uint64_t big = mem_->alloc(k2M, k2M);
    pt_->map(0x200000, big, k2M, SEED_PTE_READ, k2M);
    mem_->store<uint32_t>(big + k2M - 4, 0xabcd);
    uint32_t v = 0;
    ASSERT_EQ(as_->read(0x200000 + k2M - 4, &v, 4), 0u);
    EXPECT_EQ(v, 0xabcdu);
}

TEST_F(MmuTest, FaultReasons) {
    uint64_t page = mem_->alloc(SEED_PAGE_SIZE);
    // NOT_PRESENT at the root, then at level 0.
    expect_fault(0x5000, false, SEED_FAULT_REASON_NOT_PRESENT, 3);
    pt_->map(0x1000, page, SEED_PAGE_SIZE, SEED_PTE_READ);
    expect_fault(0x5000, true, SEED_FAULT_REASON_NOT_PRESENT, 0);
    // PERMISSION: read-only page written; READ = WRITE = 0 faults on reads.
    expect_fault(0x1000, true, SEED_FAULT_REASON_PERMISSION, 0);
    pt_->map(0x2000, page, SEED_PAGE_SIZE, 0);
    expect_fault(0x2000, false, SEED_FAULT_REASON_PERMISSION, 0);
    // Write-only pages are allowed.
    pt_->map(0x3000, page, SEED_PAGE_SIZE, SEED_PTE_WRITE);
    uint8_t b = 1;
    EXPECT_EQ(as_->write(0x3000, &b, 1), 0u);
    expect_fault(0x3000, false, SEED_FAULT_REASON_PERMISSION, 0);
    // RANGE: VA beyond 48 bits.
    expect_fault(1ull << 48, false, SEED_FAULT_REASON_RANGE, SEED_FAULT_LEVEL_NONE);
    // PTE_INVALID: reserved bits in a leaf.
    pt_->map(0x4000, page | (1u << 6), SEED_PAGE_SIZE, SEED_PTE_READ);
    expect_fault(0x4000, false, SEED_FAULT_REASON_PTE_INVALID, 0);
    EXPECT_EQ(as_->mmu_fault().pte, (page | (1u << 6) | SEED_PTE_READ | SEED_PTE_VALID));
    // PTE_INVALID: HBM in a table entry.
    pt_->map(0x40000000, page, SEED_PAGE_SIZE, SEED_PTE_READ);
    pt_->set_entry(0x40000000, 1, pt_->entry(0x40000000, 1) | SEED_PTE_HBM);
    expect_fault(0x40000000, false, SEED_FAULT_REASON_PTE_INVALID, 1);
    // PTE_INVALID: misaligned 2 MiB leaf.
    pt_->map(0x80000000, SEED_PAGE_SIZE, k2M, kRW | SEED_PTE_HBM, k2M);
    expect_fault(0x80000000, false, SEED_FAULT_REASON_PTE_INVALID, 1);
    // PTE_INVALID: LEAF at level 3.
    pt_->set_entry(1ull << 39, 3, page | SEED_PTE_VALID | SEED_PTE_LEAF | SEED_PTE_READ);
    expect_fault(1ull << 39, false, SEED_FAULT_REASON_PTE_INVALID, 3);
    // WALK_BUS: a table pointer outside guest memory.
    pt_->set_entry(2ull << 39, 3, 0x7000000000ull | SEED_PTE_VALID);
    expect_fault(2ull << 39, false, SEED_FAULT_REASON_WALK_BUS, 2);
    // TARGET_BUS: a leaf pointing at unbacked host memory.
    pt_->map(0x6000, 0x7000000000ull, SEED_PAGE_SIZE, kRW);
    expect_fault(0x6000, true, SEED_FAULT_REASON_TARGET_BUS, 0);
}

TEST_F(MmuTest, InvalidContext) {
    ContextAddressSpace other(*mmu_, dma_, *hbm_, 5);
    uint8_t b;
    EXPECT_EQ(other.read(0, &b, 1), uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(other.mmu_fault().reason, uint32_t{SEED_FAULT_REASON_CONTEXT});
    EXPECT_EQ(other.mmu_fault().level, uint32_t{SEED_FAULT_LEVEL_NONE});
    ContextAddressSpace beyond(*mmu_, dma_, *hbm_, 200);
    EXPECT_EQ(beyond.read(0, &b, 1), uint32_t{SEED_ERR_MMU_FAULT});
}

TEST_F(MmuTest, SpanningAccessStopsAtFirstBadPage) {
    uint64_t page = mem_->alloc(SEED_PAGE_SIZE);
    pt_->map(0x10000, page, SEED_PAGE_SIZE, kRW);
    pt_->map(0x11000, page, SEED_PAGE_SIZE, SEED_PTE_READ);
    std::vector<uint8_t> data(SEED_PAGE_SIZE + 16, 0x5a);
    EXPECT_EQ(as_->write(0x10000 + 16, data.data(), data.size()), uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(as_->fault().address, 0x11000u);
    EXPECT_EQ(mem_->at(page)[SEED_PAGE_SIZE - 1], 0x5a) << "first page written";
}

TEST_F(MmuTest, TlbKeepsTranslationUntilInvalidated) {
    uint64_t a = mem_->alloc(SEED_PAGE_SIZE);
    uint64_t b = mem_->alloc(SEED_PAGE_SIZE);
    mem_->store<uint32_t>(a, 0xaaaa);
    mem_->store<uint32_t>(b, 0xbbbb);
    pt_->map(0x10000, a, SEED_PAGE_SIZE, kRW);
    uint32_t v = 0;
    ASSERT_EQ(as_->read(0x10000, &v, 4), 0u);
    EXPECT_EQ(v, 0xaaaau);
    // Remap without invalidation: the device may keep using the old page.
    pt_->map(0x10000, b, SEED_PAGE_SIZE, kRW);
    ASSERT_EQ(as_->read(0x10000, &v, 4), 0u);
    EXPECT_EQ(v, 0xaaaau) << "cached";
    // A range that does not cover the page leaves it cached.
    EXPECT_EQ(invalidate(1, 0x20000, SEED_PAGE_SIZE, 7), 7u);
    ASSERT_EQ(as_->read(0x10000, &v, 4), 0u);
    EXPECT_EQ(v, 0xaaaau);
    // An unaligned range touching the page removes it.
    EXPECT_EQ(invalidate(1, 0x10fff, 1, 8), 8u);
    EXPECT_EQ(mmu_->read_register(SEED_REG_TLB_INV_DONE), 8u);
    ASSERT_EQ(as_->read(0x10000, &v, 4), 0u);
    EXPECT_EQ(v, 0xbbbbu);
    // Unmap + whole-context invalidation: now it faults.
    pt_->set_entry(0x10000, 0, 0);
    ASSERT_EQ(as_->read(0x10000, &v, 4), 0u);
    invalidate(1, 0, 0, 9);
    EXPECT_EQ(as_->read(0x10000, &v, 4), uint32_t{SEED_ERR_MMU_FAULT});
    // ALL covers every context.
    pt_->map(0x10000, a, SEED_PAGE_SIZE, kRW);
    ASSERT_EQ(as_->read(0x10000, &v, 4), 0u);
    pt_->set_entry(0x10000, 0, 0);
    invalidate(33, 0, 0, 10, true);
    EXPECT_EQ(as_->read(0x10000, &v, 4), uint32_t{SEED_ERR_MMU_FAULT});
}

TEST_F(MmuTest, ResetInvalidatesContexts) {
    uint64_t page = mem_->alloc(SEED_PAGE_SIZE);
    pt_->map(0x1000, page, SEED_PAGE_SIZE, kRW);
    invalidate(1, 0, 0, 42);
    EXPECT_EQ(mmu_->reset(), 42u);
    EXPECT_EQ(mmu_->read_register(SEED_REG_CTX_CFG(1)), 0u);
    EXPECT_EQ(mmu_->read_register(SEED_REG_CTX_ROOT_LO(1)), 0u);
    uint8_t b;
    EXPECT_EQ(as_->read(0x1000, &b, 1), uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(as_->mmu_fault().reason, uint32_t{SEED_FAULT_REASON_CONTEXT});
}

TEST_F(MmuTest, FillPatterns) {
    uint64_t page = mem_->alloc(3 * SEED_PAGE_SIZE);
    pt_->map(0x10000, page, 3 * SEED_PAGE_SIZE, kRW);
    ASSERT_EQ(as_->fill(0x10008, 2 * SEED_PAGE_SIZE, 0x0102030405060708ull, 8), 0u);
    EXPECT_EQ(mem_->load<uint64_t>(page + 8), 0x0102030405060708ull);
    EXPECT_EQ(mem_->load<uint64_t>(page + SEED_PAGE_SIZE), 0x0102030405060708ull);
    EXPECT_EQ(mem_->load<uint64_t>(page + 2 * SEED_PAGE_SIZE), 0x0102030405060708ull);
    EXPECT_EQ(mem_->load<uint64_t>(page + 2 * SEED_PAGE_SIZE + 8), 0u);
    EXPECT_EQ(mem_->load<uint64_t>(page), 0u);
}

} // namespace
} // namespace seed::device
