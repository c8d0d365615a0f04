// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Test harness for the queue engine: a SeedChip driven through its register
// interface, guest memory in a memfd, a page-table builder, eventfds on
// every MSI-X vector, and helpers that build packets and wait for records.
#pragma once

#include "guest_memory.h"
#include "mmu.h"
#include "seedchip.h"

#include <hw/seed_hw.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace seed::device::test {

inline constexpr uint64_t kRW = SEED_PTE_READ | SEED_PTE_WRITE;

struct TestQueue {
    unsigned index = 0;
    uint64_t ring = 0;
    uint32_t size = 0;
    uint64_t cpl = 0;
    uint32_t tail = 0;
};

// Packet builders.
seed_pkt_raw nop(uint8_t flags = 0, uint64_t fence = 0, uint32_t tag = 0);
seed_pkt_raw copy(uint64_t src, uint64_t dst, uint64_t width, uint32_t height = 1,
                  uint64_t src_pitch = 0, uint64_t dst_pitch = 0);
seed_pkt_raw fill(uint64_t dst, uint64_t size, uint64_t pattern, uint32_t pattern_bytes);
seed_pkt_raw signal(uint64_t addr, uint64_t value);
seed_pkt_raw wait(uint64_t addr, uint64_t value, uint32_t timeout_us);
seed_pkt_raw timestamp(uint64_t addr);
seed_pkt_raw indirect(uint64_t addr, uint32_t count);
seed_pkt_raw compute(uint8_t opcode, uint64_t desc);
/// Sets header flags/tag/fence of @p pkt.
seed_pkt_raw with(seed_pkt_raw pkt, uint8_t flags, uint64_t fence = 0, uint32_t tag = 0);

class DeviceTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    /// Sets or clears Bus Master Enable in the command register.
    void set_bus_master(bool on);

    uint32_t reg(uint32_t offset) { return chip_->read_register(offset); }
    void reg(uint32_t offset, uint32_t value) { chip_->write_register(offset, value); }
    void reg64(uint32_t lo, uint64_t value) {
        reg(lo, static_cast<uint32_t>(value));
        reg(lo + 4, static_cast<uint32_t>(value >> 32));
    }

    /// Context @p c with fresh page tables (returned).
    PageTables& make_context(unsigned c);
    /// Maps @p bytes of fresh guest memory at @p va in @p pt; returns its IOVA.
    uint64_t map_host(PageTables& pt, uint64_t va, uint64_t bytes, uint64_t flags = kRW);

    TestQueue create_queue(unsigned q, unsigned context, uint32_t size = 16, bool irq = true,
                           bool enable = true);
    /// Writes @p pkts to the ring and rings the doorbell.
    void submit(TestQueue& q, const std::vector<seed_pkt_raw>& pkts);
    /// Resets queue @p q and waits until it is DISABLED.
    void reset_queue(unsigned q);
    seed_cpl_record record(const TestQueue& q) { return mem_->load<seed_cpl_record>(q.cpl); }
    /// Polls the record until @p pred holds (up to 5 s); returns the record.
    seed_cpl_record wait_record(const TestQueue& q,
                                const std::function<bool(const seed_cpl_record&)>& pred);
    seed_cpl_record wait_head(const TestQueue& q, uint32_t head);
    seed_cpl_record wait_error(const TestQueue& q);
    /// Interrupts delivered on @p vector since the last call.
    uint64_t irqs(unsigned vector);
    /// Collects interrupts on @p vector until there are @p n (up to 2 s).
    uint64_t wait_irqs(unsigned vector, uint64_t n);

    void enable_event_log(uint32_t entries = 64);
    seed_status_block status_block() { return mem_->load<seed_status_block>(status_); }
    /// Events from the driver's head to the status block's wptr; advances the head.
    std::vector<seed_event> take_events();

    std::unique_ptr<SeedChip> chip_;
    std::unique_ptr<GuestMemory> mem_;
    std::vector<std::unique_ptr<PageTables>> tables_;
    std::vector<int> vector_fds_;
    std::vector<UniqueFd> owned_fds_;
    uint64_t evlog_ = 0;
    uint64_t status_ = 0;
    uint32_t evlog_entries_ = 0;
    uint32_t evlog_head_ = 0;
};

/// A device with context 3 mapping kHost (4 pages, RW), kReadOnly (1 page)
/// and kHbm (two 2 MiB HBM pages at HBM 4 MiB), queue 7 for packets that
/// succeed and queues 0..6 for packets that fail.
class PacketTest : public DeviceTest {
protected:
    void SetUp() override {
        DeviceTest::SetUp();
        enable_event_log();
        pt_ = &make_context(3);
        host_ = map_host(*pt_, kHost, 4 * SEED_PAGE_SIZE);
        ro_ = map_host(*pt_, kReadOnly, SEED_PAGE_SIZE, SEED_PTE_READ);
        pt_->map(kHbm, 2 * k2M, 2 * k2M, kRW | SEED_PTE_HBM, k2M);
        q_ = create_queue(7, 3, 64);
    }
    /// Runs @p pkts and expects every one to retire.
    void run_ok(const std::vector<seed_pkt_raw>& pkts) {
        std::vector<seed_pkt_raw> all = pkts;
        all.push_back(nop(SEED_PKT_F_FENCE, ++fence_));
        submit(q_, all);
        seed_cpl_record r = wait_record(q_, [&](const seed_cpl_record& rec) {
            return rec.fence == fence_ || (rec.status & SEED_CPL_STATUS_ERROR) != 0;
        });
        ASSERT_EQ(r.error, 0u);
    }
    /// Runs @p pkt on a fresh queue and returns the error record.
    seed_cpl_record run_error(const seed_pkt_raw& pkt) {
        unsigned index = next_queue_++ % 7; // queue 7 is q_
        reset_queue(index);
        TestQueue q = create_queue(index, 3);
        submit(q, {pkt});
        return wait_error(q);
    }

    static constexpr uint64_t kHost = 0x100000;
    static constexpr uint64_t kReadOnly = 0x200000;
    static constexpr uint64_t kHbm = 0x40000000;
    PageTables* pt_ = nullptr;
    uint64_t host_ = 0;
    uint64_t ro_ = 0;
    TestQueue q_;
    uint64_t fence_ = 0;
    static constexpr uint64_t k2M = 1ull << 21;
    unsigned next_queue_ = 0;
};

} // namespace seed::device::test
