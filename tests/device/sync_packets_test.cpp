// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// SIGNAL, WAIT and TIMESTAMP packets: stores, cross-queue and host wake-ups,
// timeouts, WAITING state and their error paths.
#include "device_clock.h"
#include "device_harness.h"

#include <chrono>
#include <thread>

namespace seed::device {
namespace {

using namespace test;

class SyncTest : public PacketTest {};

TEST_F(SyncTest, SignalStoresValue) {
    run_ok({signal(kHost + 8, 0x1122334455667788), signal(kHbm + 16, 5),
            copy(kHbm + 16, kHost + 24, 8)});
    EXPECT_EQ(mem_->load<uint64_t>(host_ + 8), 0x1122334455667788u);
    EXPECT_EQ(mem_->load<uint64_t>(host_ + 24), 5u);
}

TEST_F(SyncTest, SignalChecks) {
    seed_cpl_record r = run_error(signal(kHost + 4, 1));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MISALIGNED});
    EXPECT_EQ(r.fault_addr, kHost + 4);
    r = run_error(signal(kReadOnly, 1));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(r.fault_info,
              make_fault_info(SEED_FAULT_ACCESS_WRITE, SEED_FAULT_REASON_PERMISSION, 0));
    seed_pkt_raw reserved = signal(kHost, 1);
    reserved.payload[2] = 1;
    EXPECT_EQ(run_error(reserved).error, uint32_t{SEED_ERR_MALFORMED});
}

TEST_F(SyncTest, TimestampIsDeviceClock) {
    const uint64_t before = device_clock_ns();
    run_ok({timestamp(kHost), timestamp(kHost + 8)});
    const uint64_t after = device_clock_ns();
    const uint64_t t0 = mem_->load<uint64_t>(host_);
    const uint64_t t1 = mem_->load<uint64_t>(host_ + 8);
    EXPECT_GE(t0, before);
    EXPECT_LE(t0, t1);
    EXPECT_LE(t1, after);
    EXPECT_EQ(run_error(timestamp(kHost + 1)).error, uint32_t{SEED_ERR_MISALIGNED});
    EXPECT_EQ(run_error(timestamp(0x900000)).error, uint32_t{SEED_ERR_MMU_FAULT});
    seed_pkt_raw reserved = timestamp(kHost);
    reserved.payload[5] = 1;
    EXPECT_EQ(run_error(reserved).error, uint32_t{SEED_ERR_MALFORMED});
}

TEST_F(SyncTest, WaitWokenByHostWrite) {
    submit(q_, {wait(kHost, 3, 0), nop(SEED_PKT_F_FENCE, 1)});
    for (int i = 0; i < 1000 && reg(SEED_REG_Q_STATUS(7)) != SEED_QUEUE_STATE_WAITING; ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_WAITING});
    mem_->store<uint64_t>(host_, 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_EQ(record(q_).fence, 0u) << "2 < 3: still waiting";
    mem_->store<uint64_t>(host_, 4);
    seed_cpl_record r = wait_record(q_, [](const seed_cpl_record& rec) { return rec.fence == 1; });
    EXPECT_EQ(r.error, 0u);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_IDLE});
}

TEST_F(SyncTest, WaitWokenBySignalFromAnotherContext) {
    // Context 4 maps the same host page at a different VA.
    PageTables& other = make_context(4);
    other.map(0x5000, host_, SEED_PAGE_SIZE, kRW);
    TestQueue signaller = create_queue(0, 4);
    submit(q_,
           {wait(kHost + 64, 10, 0), copy(kHost + 128, kHost + 192, 8), nop(SEED_PKT_F_FENCE, 1)});
    submit(signaller,
           {fill(0x5000 + 128, 8, 0x77, 1), signal(0x5000 + 64, 10), nop(SEED_PKT_F_FENCE, 9)});
    wait_record(q_, [](const seed_cpl_record& rec) { return rec.fence == 1; });
    EXPECT_EQ(mem_->at(host_)[192], 0x77) << "acquire sees the signaller's earlier writes";
}

TEST_F(SyncTest, WaitTimeout) {
    take_events();
    const auto start = std::chrono::steady_clock::now();
    seed_cpl_record r = run_error(with(wait(kHost, 1, 5000), 0, 0, 3));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(5));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_WAIT_TIMEOUT});
    EXPECT_EQ(r.fault_addr, 0u);
    EXPECT_EQ(r.error_opcode, SEED_OP_WAIT);
    EXPECT_EQ(r.error_engine, 0xffffu) << "WAIT holds no engine";
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_QUEUE_ERROR);
    EXPECT_EQ(events[0].error, uint32_t{SEED_ERR_WAIT_TIMEOUT});
}

TEST_F(SyncTest, WaitChecks) {
    EXPECT_EQ(run_error(wait(kHost + 4, 1, 0)).error, uint32_t{SEED_ERR_MISALIGNED});
    // VA 0x900000 has no level-0 table: the walk stops at level 1.
    seed_cpl_record r = run_error(wait(0x900000, 1, 0));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(r.fault_info,
              make_fault_info(SEED_FAULT_ACCESS_READ, SEED_FAULT_REASON_NOT_PRESENT, 1));
    seed_pkt_raw reserved = wait(kHost, 1, 0);
    reserved.payload[2] = uint64_t{1} << 32; // reserved0
    EXPECT_EQ(run_error(reserved).error, uint32_t{SEED_ERR_MALFORMED});
    // Unsigned comparison: 2^63 >= 1.
    mem_->store<uint64_t>(host_, 1ull << 63);
    run_ok({wait(kHost, 1, 0)});
}

} // namespace
} // namespace seed::device
