// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Event log and status block: enable checks, records, overflow, head
// updates, TLB invalidation completion, device reset and bus reset.
#include "device_harness.h"

#include <chrono>
#include <thread>

namespace seed::device {
namespace {

using namespace test;

class EventLogTest : public DeviceTest {
protected:
    /// Makes queue @p q fail its enable check 2, producing one QUEUE_ERROR event.
    void queue_config_error(unsigned q) {
        reset_queue(q);
        create_queue(q, 0, 24);
    }
    void wait_reset_done(uint32_t count) {
        for (int i = 0; i < 5000 && (status_block().reset_count != count ||
                                     status_block().dev_status != SEED_DEV_STATUS_READY);
             ++i)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        ASSERT_EQ(status_block().reset_count, count);
        ASSERT_EQ(status_block().dev_status, SEED_DEV_STATUS_READY);
    }
};

TEST_F(EventLogTest, EnableChecks) {
    const uint64_t log = mem_->alloc(16 * 64, 4096);
    const uint64_t sb = mem_->alloc(64, 64);
    reg64(SEED_REG_EVLOG_BASE_LO, log + 64);
    reg(SEED_REG_EVLOG_SIZE, 16);
    reg64(SEED_REG_STATUS_ADDR_LO, sb);
    reg(SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);
    EXPECT_EQ(reg(SEED_REG_EVLOG_CTRL), SEED_EVLOG_CTRL_CFG_ERROR);
    reg64(SEED_REG_EVLOG_BASE_LO, log);
    reg(SEED_REG_EVLOG_SIZE, 8);
    reg(SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);
    EXPECT_EQ(reg(SEED_REG_EVLOG_CTRL), SEED_EVLOG_CTRL_CFG_ERROR);
    reg(SEED_REG_EVLOG_SIZE, 16);
    reg64(SEED_REG_STATUS_ADDR_LO, sb + 8);
    reg(SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);
    EXPECT_EQ(reg(SEED_REG_EVLOG_CTRL), SEED_EVLOG_CTRL_CFG_ERROR);
    reg64(SEED_REG_STATUS_ADDR_LO, sb);
    reg(SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);
    EXPECT_EQ(reg(SEED_REG_EVLOG_CTRL), SEED_EVLOG_CTRL_ENABLE);
    EXPECT_EQ(mem_->load<seed_status_block>(sb).dev_status, SEED_DEV_STATUS_READY);
    EXPECT_NE(mem_->load<seed_status_block>(sb).timestamp, 0u);
    // RW* registers are locked while enabled.
    reg(SEED_REG_EVLOG_SIZE, 32);
    EXPECT_EQ(reg(SEED_REG_EVLOG_SIZE), 16u);
}

TEST_F(EventLogTest, RecordsAndVectorZero) {
    enable_event_log(16);
    irqs(0);
    queue_config_error(0);
    EXPECT_EQ(status_block().evlog_wptr, 1u);
    EXPECT_EQ(reg(SEED_REG_EVLOG_WPTR), 1u);
    EXPECT_EQ(irqs(0), 1u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].seq, 0u);
    EXPECT_EQ(events[0].type, SEED_EVENT_QUEUE_ERROR);
    EXPECT_EQ(events[0].flags, 0u);
    EXPECT_NE(events[0].timestamp, 0u);
    EXPECT_EQ(events[0].engine, SEED_EVENT_NONE16);
}

TEST_F(EventLogTest, OverflowDropsAndFlagsTheNextRecord) {
    enable_event_log(16);
    for (int i = 0; i < 18; ++i)
        queue_config_error(i % 8);
    EXPECT_EQ(status_block().evlog_wptr, 16u);
    EXPECT_EQ(status_block().evlog_dropped, 2u);
    EXPECT_EQ(reg(SEED_REG_EVLOG_DROPPED), 2u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 16u);
    EXPECT_EQ(events[15].seq, 15u);
    queue_config_error(1);
    events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].seq, 16u);
    EXPECT_EQ(events[0].flags, SEED_EVENT_F_OVERFLOW);
}

TEST_F(EventLogTest, HeadWritesOutsideRangeIgnored) {
    enable_event_log(16);
    queue_config_error(0);
    reg(SEED_REG_EVLOG_HEAD, 2);
    EXPECT_EQ(reg(SEED_REG_EVLOG_HEAD), 0u);
    reg(SEED_REG_EVLOG_HEAD, 1);
    EXPECT_EQ(reg(SEED_REG_EVLOG_HEAD), 1u);
    reg(SEED_REG_EVLOG_HEAD, 0);
    EXPECT_EQ(reg(SEED_REG_EVLOG_HEAD), 1u) << "backwards";
}

TEST_F(EventLogTest, DisabledLogRecordsNothing) {
    enable_event_log(16);
    reg(SEED_REG_EVLOG_CTRL, 0);
    irqs(0);
    queue_config_error(0);
    EXPECT_EQ(reg(SEED_REG_EVLOG_WPTR), 0u);
    EXPECT_EQ(irqs(0), 0u);
}

TEST_F(EventLogTest, TlbInvalidationPublished) {
    enable_event_log(16);
    irqs(0);
    reg(SEED_REG_TLB_INV_CTRL, 1);
    reg(SEED_REG_TLB_INV_SEQ, 5);
    EXPECT_EQ(status_block().tlb_inv_done, 5u);
    EXPECT_EQ(reg(SEED_REG_TLB_INV_DONE), 5u);
    EXPECT_EQ(irqs(0), 0u) << "no IRQ requested";
    reg(SEED_REG_TLB_INV_CTRL, 1 | SEED_TLB_INV_CTRL_IRQ);
    reg(SEED_REG_TLB_INV_SEQ, 6);
    EXPECT_EQ(status_block().tlb_inv_done, 6u);
    EXPECT_EQ(irqs(0), 1u);
}

TEST_F(EventLogTest, DeviceResetStopsEverythingAndReports) {
    enable_event_log(16);
    PageTables& pt = make_context(2);
    map_host(pt, 0x10000, 4096);
    TestQueue q = create_queue(3, 2);
    submit(q, {nop(SEED_PKT_F_FENCE, 8), wait(0x10000, 1, 0)});
    wait_record(q, [](const seed_cpl_record& r) { return r.fence == 8; });
    reg(SEED_REG_SCRATCH, 1);
    reg(SEED_REG_WATCHDOG_MS, 100);
    reg(SEED_REG_TLB_INV_SEQ, 12);
    irqs(0);
    irqs(SEED_MSIX_VEC_QUEUE(3));
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    wait_reset_done(1);
    EXPECT_EQ(status_block().tlb_inv_done, 12u);
    // The RESET_DONE event follows the status block update (§14.3).
    for (int i = 0; i < 5000 && status_block().evlog_wptr == 0; ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_RESET_DONE);
    EXPECT_EQ(events[0].data, 1u);
    EXPECT_GE(wait_irqs(0, 1), 1u);
    EXPECT_EQ(irqs(SEED_MSIX_VEC_QUEUE(3)), 0u) << "no queue records on a device reset";
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), SEED_DEV_STATUS_READY);
    EXPECT_EQ(reg(SEED_REG_RESET_COUNT), 1u);
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 0u);
    EXPECT_EQ(reg(SEED_REG_WATCHDOG_MS), 0u);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(3)), uint32_t{SEED_QUEUE_STATE_DISABLED});
    EXPECT_EQ(reg(SEED_REG_Q_RING_SIZE(3)), 0u);
    EXPECT_EQ(reg(SEED_REG_CTX_CFG(2)), 0u);
    EXPECT_EQ(reg(SEED_REG_EVLOG_CTRL), SEED_EVLOG_CTRL_ENABLE) << "the log survives";
    // The device works again after re-programming; the fence restarts at 0.
    make_context(2);
    TestQueue again = create_queue(3, 2);
    EXPECT_EQ(record(again).fence, 0u);
    submit(again, {nop(SEED_PKT_F_FENCE, 1)});
    wait_head(again, 1);
}

TEST_F(EventLogTest, BusResetDisablesLog) {
    enable_event_log(16);
    make_context(1);
    TestQueue q = create_queue(0, 1);
    submit(q, {wait(0x10000, 1, 0)}); // faults at once: nothing mapped
    wait_error(q);
    chip_->reset();
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), SEED_DEV_STATUS_READY);
    EXPECT_EQ(reg(SEED_REG_RESET_COUNT), 1u);
    EXPECT_EQ(reg(SEED_REG_EVLOG_CTRL), 0u);
    EXPECT_EQ(reg(SEED_REG_EVLOG_BASE_LO), 0u);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(0)), uint32_t{SEED_QUEUE_STATE_DISABLED});
    EXPECT_EQ(reg(SEED_REG_MAGIC), SEED_MAGIC) << "identity stays";
}

TEST_F(EventLogTest, NotificationWriteFailureIsFatal) {
    PageTables& pt = make_context(0);
    map_host(pt, 0x10000, 4096);
    TestQueue q = create_queue(2, 0);
    submit(q, {nop(SEED_PKT_F_FENCE, 4), wait(0x10000, 1, 0)});
    wait_record(q, [](const seed_cpl_record& r) { return r.fence == 4; });
    irqs(SEED_MSIX_VEC_QUEUE(2));
    // A status block address that passes the checks but is not backed.
    const uint64_t log = mem_->alloc(16 * 64, 4096);
    reg64(SEED_REG_EVLOG_BASE_LO, log);
    reg(SEED_REG_EVLOG_SIZE, 16);
    reg64(SEED_REG_STATUS_ADDR_LO, 0x7000000000ull);
    reg(SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);
    for (int i = 0; i < 5000 && (reg(SEED_REG_DEV_STATUS) & SEED_DEV_STATUS_FATAL) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), SEED_DEV_STATUS_FATAL);
    EXPECT_EQ(reg(SEED_REG_FATAL_CAUSE), uint32_t{SEED_FATAL_NOTIFY_DMA});
    seed_cpl_record r = wait_error(q);
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_FATAL});
    EXPECT_EQ(r.error_index, 1u);
    EXPECT_EQ(r.fence, 4u);
    EXPECT_EQ(wait_irqs(SEED_MSIX_VEC_QUEUE(2), 1), 1u);
    EXPECT_EQ(mem_->load<seed_event>(log).type, 0u) << "nothing written to the log";
    // Doorbells and CTRL writes are ignored; a device reset recovers.
    reg(SEED_REG_Q_CTRL(2), SEED_QUEUE_CTRL_RESET);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(2)), uint32_t{SEED_QUEUE_STATE_STOPPED});
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    for (int i = 0; i < 5000 && reg(SEED_REG_DEV_STATUS) != SEED_DEV_STATUS_READY; ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), SEED_DEV_STATUS_READY);
    EXPECT_EQ(reg(SEED_REG_FATAL_CAUSE), 0u);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(2)), uint32_t{SEED_QUEUE_STATE_DISABLED});
}

TEST_F(EventLogTest, WritesIgnoredWhileResetting) {
    // A queue hung in a WAIT cannot delay the reset: it is aborted.
    PageTables& pt = make_context(0);
    map_host(pt, 0x10000, 4096);
    TestQueue q = create_queue(0, 0);
    submit(q, {wait(0x10000, 1, 0)});
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    reg(SEED_REG_SCRATCH, 7); // ignored unless the reset already completed
    for (int i = 0; i < 5000 && reg(SEED_REG_DEV_CTRL) != 0; ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    EXPECT_EQ(reg(SEED_REG_DEV_CTRL), 0u);
    EXPECT_EQ(reg(SEED_REG_RESET_COUNT), 1u);
}

} // namespace
} // namespace seed::device
