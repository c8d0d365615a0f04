// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Bus Master Enable (docs/hardware.md §2.4): while it is clear the device
// makes no access to host memory and sends no interrupt; everything it held
// back happens once it is set again.
#include "device_harness.h"
#include "fault_injector.h"

#include <chrono>
#include <thread>

namespace seed::device {
namespace {

using namespace test;

class BusMasterTest : public PacketTest {
protected:
    void SetUp() override {
        PacketTest::SetUp();
        take_events();
        irqs(SEED_MSIX_VEC_EVENT);
        irqs(SEED_MSIX_VEC_QUEUE(7));
    }
    static void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }
};

TEST_F(BusMasterTest, ClearStallsQueueUntilSet) {
    set_bus_master(false);
    const seed_cpl_record before = record(q_);
    submit(q_, {fill(kHost, 64, 0x5a, 1), nop(SEED_PKT_F_FENCE | SEED_PKT_F_IRQ, 1)});
    settle();
    // Registers work; the queue accepted the doorbell but fetched nothing.
    EXPECT_EQ(reg(SEED_REG_Q_TAIL(7)), 2u);
    EXPECT_EQ(reg(SEED_REG_Q_HEAD(7)), 0u);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_RUNNING});
    EXPECT_EQ(mem_->load<uint8_t>(host_), 0u) << "engine DMA with Bus Master Enable clear";
    const seed_cpl_record r0 = record(q_);
    EXPECT_EQ(r0.head, before.head);
    EXPECT_EQ(r0.fence, before.fence) << "record written with Bus Master Enable clear";
    EXPECT_EQ(irqs(SEED_MSIX_VEC_QUEUE(7)), 0u);
    // Nothing failed or was dropped: setting it lets the queue run.
    set_bus_master(true);
    seed_cpl_record r = wait_head(q_, 2);
    EXPECT_EQ(r.error, 0u);
    EXPECT_EQ(r.fence, 1u);
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 63), 0x5a);
    EXPECT_GE(wait_irqs(SEED_MSIX_VEC_QUEUE(7), 1), 1u);
    EXPECT_TRUE(take_events().empty());
}

TEST_F(BusMasterTest, ClearStallsPacketInExecution) {
    // A WAIT is running when Bus Master Enable is cleared: its polling stops.
    submit(q_, {wait(kHost, 1, 0), fill(kHost + 64, 64, 0x5a, 1), nop(SEED_PKT_F_FENCE, 1)});
    for (int i = 0; i < 5000 && reg(SEED_REG_Q_STATUS(7)) != SEED_QUEUE_STATE_WAITING; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_WAITING});
    set_bus_master(false);
    mem_->store<uint64_t>(host_, 1);
    settle();
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 64), 0u);
    EXPECT_EQ(record(q_).fence, 0u);
    set_bus_master(true);
    EXPECT_EQ(wait_head(q_, 3).error, 0u);
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 127), 0x5a);
}

TEST_F(BusMasterTest, EventsRecordsAndInterruptsAreHeldNotDropped) {
    FaultInjector fi(*chip_);
    set_bus_master(false);
    const uint32_t wptr = status_block().evlog_wptr;
    // An event, an interrupt self-test and a queue enable (record) and a
    // refused one (event), all while Bus Master Enable is clear.
    ASSERT_EQ(fi.execute("ecc corrected 0x80"), "ok ecc_ce=1");
    reg(SEED_REG_IRQ_TEST, SEED_MSIX_VEC_QUEUE(2));
    reset_queue(0);
    TestQueue ok = create_queue(0, 3);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(0)), uint32_t{SEED_QUEUE_STATE_IDLE});
    reset_queue(1);
    reg(SEED_REG_Q_RING_SIZE(1), 3); // not a power of two: check 2
    reg(SEED_REG_Q_CTRL(1), SEED_QUEUE_CTRL_ENABLE);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(1)), uint32_t{SEED_QUEUE_STATE_STOPPED});
    EXPECT_EQ(reg(SEED_REG_Q_ERROR(1)), uint32_t{SEED_ERR_QUEUE_CONFIG});
    // A telemetry snapshot is kept until then, too.
    const uint64_t telem = mem_->alloc(sizeof(seed_telemetry), SEED_TELEM_ALIGN);
    reg64(SEED_REG_TELEM_ADDR_LO, telem);
    reg(SEED_REG_TELEM_SEQ, 77);
    // A queue reset needs the bus for its record: it waits too.
    reg(SEED_REG_Q_CTRL(7), SEED_QUEUE_CTRL_RESET);
    settle();
    EXPECT_EQ(status_block().evlog_wptr, wptr);
    EXPECT_EQ(record(ok).status, 0u) << "enable record written with Bus Master Enable clear";
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_RESETTING});
    EXPECT_EQ(record(q_).status & SEED_CPL_STATUS_RESET_DONE, 0u);
    EXPECT_EQ(irqs(SEED_MSIX_VEC_EVENT), 0u);
    EXPECT_EQ(irqs(SEED_MSIX_VEC_QUEUE(2)), 0u);
    EXPECT_TRUE(chip_->msix().pending(SEED_MSIX_VEC_QUEUE(2)));
    EXPECT_EQ(mem_->load<seed_telemetry>(telem).seq, 0u);

    set_bus_master(true);
    EXPECT_EQ(wait_record(ok, [](const seed_cpl_record& r) { return r.status != 0; }).status,
              uint32_t{SEED_CPL_STATUS_IDLE});
    wait_record(
        q_, [](const seed_cpl_record& r) { return (r.status & SEED_CPL_STATUS_RESET_DONE) != 0; });
    EXPECT_EQ(irqs(SEED_MSIX_VEC_QUEUE(2)), 1u);
    EXPECT_EQ(mem_->load<seed_telemetry>(telem).seq, 77u);
    EXPECT_GE(wait_irqs(SEED_MSIX_VEC_EVENT, 1), 1u);
    for (int i = 0; i < 500 && status_block().evlog_wptr < wptr + 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto events = take_events();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].type, SEED_EVENT_ECC_CORRECTED);
    EXPECT_EQ(events[0].addr, 0x80u);
    EXPECT_EQ(events[1].type, SEED_EVENT_QUEUE_ERROR);
    EXPECT_EQ(events[1].queue, 1u);
    EXPECT_EQ(events[1].error, uint32_t{SEED_ERR_QUEUE_CONFIG});
    EXPECT_EQ(events[1].info, 2u);
}

TEST_F(BusMasterTest, DeviceResetCompletesWithBusMasterClear) {
    set_bus_master(false);
    submit(q_, {fill(kHost, 64, 0x5a, 1)});
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    for (int i = 0; i < 500 && reg(SEED_REG_DEV_STATUS) != SEED_DEV_STATUS_READY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_DISABLED});
    EXPECT_EQ(status_block().reset_count, 0u)
        << "status block written with Bus Master Enable clear";
    set_bus_master(true);
    for (int i = 0; i < 500 && status_block().reset_count != 1; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(status_block().reset_count, 1u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_RESET_DONE);
    EXPECT_EQ(mem_->load<uint8_t>(host_), 0u) << "the aborted FILL never ran";
}

} // namespace
} // namespace seed::device
