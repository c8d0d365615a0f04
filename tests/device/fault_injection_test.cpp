// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Fault injection (docs/hardware.md §16): the command parser and what each
// injected fault looks like to the driver, in-process on the device harness
// (8 queues, 2 engines, 64 MiB HBM).
#include "device_harness.h"
#include "fault_injector.h"
#include "vfio_user/protocol.h"

#include <algorithm>
#include <string>

namespace seed::device {
namespace {

using namespace test;

class FaultInjectionTest : public PacketTest {
protected:
    void SetUp() override {
        PacketTest::SetUp();
        fi_ = std::make_unique<FaultInjector>(*chip_);
        take_events();
    }
    std::string cmd(std::string_view line) {
        auto reply = fi_->execute(line);
        return reply ? *reply : std::string("<none>");
    }
    static bool is_error(const std::string& reply) { return reply.rfind("error ", 0) == 0; }
    uint8_t hbm_byte(uint64_t addr) {
        uint8_t b = 0xee;
        EXPECT_EQ(chip_->hbm().read(addr, {&b, 1}), 0);
        return b;
    }

    std::unique_ptr<FaultInjector> fi_;
};

TEST_F(FaultInjectionTest, ParserRejectsMalformedCommands) {
    EXPECT_EQ(cmd(""), "<none>");
    EXPECT_EQ(cmd("   "), "<none>");
    EXPECT_EQ(cmd("# comment"), "<none>");
    EXPECT_EQ(cmd("\r"), "<none>");
    for (const char* bad : {"bogus",
                            "help me",
                            "status 1",
                            "queue",
                            "queue 8",
                            "queue x",
                            "queue -1",
                            "queue 0x",
                            "queue 1 2",
                            "hang-queue",
                            "hang-queue 8",
                            "hang-queue 0 forever",
                            "mmu-fault 9",
                            "mmu-fault 0 exec",
                            "ecc",
                            "ecc maybe",
                            "ecc corrected 0x4000000",
                            "ecc corrected z",
                            "ecc uncorrected 1 2",
                            "slow 0",
                            "slow 2 4",
                            "slow 0 0",
                            "slow 0 1001",
                            "slow all x",
                            "slow -1 2",
                            "fatal now",
                            "stop-responding 1",
                            "resume 1",
                            "unplug now",
                            "replug 1",
                            "replug",
                            "clear all"}) {
        EXPECT_TRUE(is_error(cmd(bad))) << bad;
    }
    EXPECT_EQ(cmd(std::string(FaultInjector::kMaxLine + 1, 'a')), "error line too long");
    EXPECT_TRUE(is_error(cmd("status\x01")));
    // Nothing above changed the device.
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
    EXPECT_TRUE(take_events().empty());
    EXPECT_EQ(chip_->engines().slow_factor(0), 1u);
}

TEST_F(FaultInjectionTest, HelpStatusAndQueue) {
    EXPECT_EQ(cmd("help"), "ok commands=help,status,queue,hang-queue,mmu-fault,ecc,slow,fatal,"
                           "stop-responding,resume,unplug,replug,clear");
    const std::string st = cmd("status\r");
    EXPECT_EQ(st.rfind("ok state=running dev_status=0x00000001 resets=0 queues_enabled=1 "
                       "evlog=on temp_mc=",
                       0),
              0u)
        << st;
    EXPECT_NE(st.find(" ecc_ce=0 ecc_ue=0 poisoned_pages=0"), std::string::npos) << st;
    run_ok({nop()});
    EXPECT_EQ(cmd("  queue   0x7 "), "ok queue=7 state=idle head=2 tail=2 context=3 priority=0 "
                                     "error=0 fence=1 hang=no");
    EXPECT_EQ(cmd("queue 0"), "ok queue=0 state=disabled head=0 tail=0 context=0 priority=0 "
                              "error=0 fence=0 hang=no");
}

TEST_F(FaultInjectionTest, HangQueueUntilQueueReset) {
    ASSERT_EQ(cmd("hang-queue 7"), "ok");
    EXPECT_NE(cmd("queue 7").find("hang=yes"), std::string::npos);
    // The non-engine packet before the hung one runs; the FILL never retires.
    submit(q_, {nop(SEED_PKT_F_FENCE, 1), fill(kHost, 64, 0x5a, 1), nop(SEED_PKT_F_FENCE, 2)});
    wait_head(q_, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(record(q_).head, 1u);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_RUNNING});
    // Other queues run.
    reset_queue(6);
    TestQueue other = create_queue(6, 3);
    submit(other, {fill(kHost + 64, 64, 0x11, 1), nop(SEED_PKT_F_FENCE, 9)});
    EXPECT_EQ(wait_head(other, 2).error, 0u);
    // A queue reset recovers and clears the hang.
    reset_queue(7);
    EXPECT_NE(cmd("queue 7").find("hang=no"), std::string::npos);
    EXPECT_TRUE(take_events().empty());
}

TEST_F(FaultInjectionTest, HangQueueWatchdogFires) {
    reg(SEED_REG_WATCHDOG_MS, 20);
    ASSERT_EQ(cmd("hang-queue 0"), "ok");
    reset_queue(0);
    ASSERT_EQ(cmd("hang-queue 0"), "ok"); // the reset cleared it
    TestQueue q = create_queue(0, 3);
    submit(q, {with(fill(kHost, 64, 0x5a, 1), 0, 0, 5)});
    seed_cpl_record r = wait_error(q);
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_HANG});
    EXPECT_EQ(r.error_tag, 5u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_ENGINE_HANG);
    EXPECT_EQ(events[0].queue, 0u);
}

TEST_F(FaultInjectionTest, StickyHangBlocksQueueResetUntilDeviceReset) {
    ASSERT_EQ(cmd("hang-queue 7 sticky"), "ok");
    submit(q_, {fill(kHost, 64, 0x5a, 1)});
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reg(SEED_REG_Q_CTRL(7), SEED_QUEUE_CTRL_RESET);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(reg(SEED_REG_Q_CTRL(7)) & SEED_QUEUE_CTRL_RESET, uint32_t{SEED_QUEUE_CTRL_RESET});
    EXPECT_NE(cmd("queue 7").find("state=resetting"), std::string::npos);
    EXPECT_NE(cmd("queue 7").find("hang=sticky"), std::string::npos);
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    for (int i = 0; i < 500 && reg(SEED_REG_DEV_STATUS) != SEED_DEV_STATUS_READY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
    EXPECT_NE(cmd("queue 7").find("state=disabled"), std::string::npos);
    EXPECT_NE(cmd("queue 7").find("hang=no"), std::string::npos);
}

TEST_F(FaultInjectionTest, ClearLetsHungPacketContinue) {
    ASSERT_EQ(cmd("hang-queue 7"), "ok");
    submit(q_, {fill(kHost, 64, 0x5a, 1), nop(SEED_PKT_F_FENCE, 1)});
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(record(q_).head, 0u);
    ASSERT_EQ(cmd("clear"), "ok");
    seed_cpl_record r = wait_head(q_, 2);
    EXPECT_EQ(r.error, 0u);
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 63), 0x5a);
}

TEST_F(FaultInjectionTest, SlowEngine) {
    constexpr uint64_t kBig = 8ull << 20;
    pt_->map(0x80000000, 8ull << 20, kBig, kRW | SEED_PTE_HBM, k2M);
    auto timed = [&] {
        const auto start = std::chrono::steady_clock::now();
        run_ok({fill(0x80000000, kBig, 0x5a, 1)});
        return std::chrono::steady_clock::now() - start;
    };
    timed(); // touch the HBM pages first
    // The fastest of a few runs: robust against a loaded machine.
    const auto normal = std::min({timed(), timed(), timed()});
    ASSERT_EQ(cmd("slow all 20"), "ok");
    EXPECT_EQ(chip_->engines().slow_factor(1), 20u);
    const auto slow = timed();
    EXPECT_GT(slow, normal * 3);
    ASSERT_EQ(cmd("slow 1 1"), "ok");
    EXPECT_EQ(chip_->engines().slow_factor(0), 20u);
    EXPECT_EQ(chip_->engines().slow_factor(1), 1u);
    ASSERT_EQ(cmd("clear"), "ok");
    EXPECT_EQ(chip_->engines().slow_factor(0), 1u);
}

TEST_F(FaultInjectionTest, EccCorrectedAndUncorrected) {
    EXPECT_EQ(cmd("ecc corrected"), "ok ecc_ce=1");
    EXPECT_EQ(cmd("ecc corrected 0x1000"), "ok ecc_ce=2");
    EXPECT_EQ(reg(SEED_REG_ECC_CE_COUNT), 2u);
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS) & SEED_DEV_STATUS_ECC_UE, 0u);
    EXPECT_EQ(cmd("ecc uncorrected 0x123456"), "ok ecc_ue=1 page=0x123000");
    EXPECT_EQ(reg(SEED_REG_ECC_UE_COUNT), 1u);
    EXPECT_NE(reg(SEED_REG_DEV_STATUS) & SEED_DEV_STATUS_ECC_UE, 0u);
    EXPECT_NE(status_block().dev_status & SEED_DEV_STATUS_ECC_UE, 0u);
    EXPECT_NE(cmd("status").find("ecc_ce=2 ecc_ue=1 poisoned_pages=1"), std::string::npos);
    auto events = take_events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].type, SEED_EVENT_ECC_CORRECTED);
    EXPECT_EQ(events[0].data, 1u) << "data is ECC_CE_COUNT after the event (§8.5)";
    EXPECT_EQ(events[1].addr, 0x1000u);
    EXPECT_EQ(events[1].data, 2u);
    EXPECT_EQ(events[2].type, SEED_EVENT_ECC_UNCORRECTED);
    EXPECT_EQ(events[2].addr, 0x123456u);
    EXPECT_EQ(events[2].data, 1u) << "data is ECC_UE_COUNT after the event (§8.5)";
    for (const auto& ev : events)
        EXPECT_NE(ev.flags & SEED_EVENT_F_INJECTED, 0u);
    // A device reset clears the poison and ECC_UE.
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    for (int i = 0; i < 500 && reg(SEED_REG_DEV_STATUS) != SEED_DEV_STATUS_READY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
    EXPECT_NE(cmd("status").find("poisoned_pages=0"), std::string::npos);
}

TEST_F(FaultInjectionTest, Fatal) {
    ASSERT_EQ(cmd("fatal"), "ok");
    seed_cpl_record r = wait_error(q_);
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_FATAL});
    EXPECT_NE(reg(SEED_REG_DEV_STATUS) & SEED_DEV_STATUS_FATAL, 0u);
    EXPECT_EQ(reg(SEED_REG_FATAL_CAUSE), uint32_t{SEED_FATAL_INJECTED});
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_DEVICE_FATAL);
    EXPECT_NE(events[0].flags & SEED_EVENT_F_INJECTED, 0u);
    EXPECT_EQ(cmd("status").rfind("ok state=fatal ", 0), 0u);
}

TEST_F(FaultInjectionTest, StopRespondingAndResume) {
    reg(SEED_REG_SCRATCH, 0x1234);
    ASSERT_EQ(cmd("stop-responding"), "ok");
    EXPECT_EQ(reg(SEED_REG_MAGIC), 0xffffffffu);
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), 0xffffffffu);
    uint8_t buf[8] = {};
    EXPECT_EQ(chip_->region_read(SEED_BAR_REGS, SEED_REG_SCRATCH, buf), 0);
    for (uint8_t b : buf)
        EXPECT_EQ(b, 0xff);
    reg(SEED_REG_SCRATCH, 0x5678); // dropped
    EXPECT_EQ(cmd("status").rfind("ok state=not-responding ", 0), 0u);
    ASSERT_EQ(cmd("resume"), "ok");
    EXPECT_EQ(reg(SEED_REG_MAGIC), uint32_t{SEED_MAGIC});
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 0x1234u);
}

TEST_F(FaultInjectionTest, MmuFaultOneShot) {
    ASSERT_EQ(cmd("mmu-fault 7 read"), "ok");
    run_ok({fill(kHost, 64, 0x5a, 1)}); // a write: not armed for it
    submit(q_, {with(copy(kHost, kHost + 256, 64), 0, 0, 33)});
    seed_cpl_record r = wait_error(q_);
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(r.fault_addr, kHost);
    EXPECT_EQ(r.error_tag, 33u);
    EXPECT_EQ(SEED_FAULT_INFO_REASON(r.fault_info), uint32_t{SEED_FAULT_REASON_NOT_PRESENT});
    EXPECT_EQ(SEED_FAULT_INFO_ACCESS(r.fault_info), uint32_t{SEED_FAULT_ACCESS_READ});
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_MMU_FAULT);
    EXPECT_NE(events[0].flags & SEED_EVENT_F_INJECTED, 0u);
    // One-shot: after a queue reset the same copy works.
    reset_queue(7);
    q_ = create_queue(7, 3, 64);
    run_ok({copy(kHost, kHost + 256, 64)});
    // Any access type; clear disarms.
    ASSERT_EQ(cmd("mmu-fault 7"), "ok");
    ASSERT_EQ(cmd("clear"), "ok");
    run_ok({fill(kHost, 64, 0x5a, 1)});
}

TEST_F(FaultInjectionTest, BusResetRecoversNotResponding) {
    // Work in flight when the device stops responding: a WAIT that blocks.
    submit(q_, {wait(kHost, 1, 0), fill(kHost + 64, 64, 0x5a, 1), nop(SEED_PKT_F_FENCE, 1)});
    ASSERT_EQ(cmd("stop-responding"), "ok");
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET); // dropped
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), 0xffffffffu);
    mem_->store<uint64_t>(host_, 1);
    const auto start = std::chrono::steady_clock::now();
    chip_->reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
    EXPECT_EQ(reg(SEED_REG_RESET_COUNT), 1u);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_DISABLED});
    EXPECT_EQ(cmd("status").rfind("ok state=running ", 0), 0u);
    // The frozen work was abandoned: nothing after the WAIT ran.
    set_bus_master(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 64), 0u);
    EXPECT_EQ(record(q_).head, 0u);
}

/// Queues 7 work that blocks in a WAIT on host_ until it holds 1, and
/// returns after the WAIT is running.
#define QUEUE_BLOCKED_WORK()                                                                       \
    do {                                                                                           \
        submit(q_, {wait(kHost, 1, 0), fill(kHost + 64, 64, 0x5a, 1),                              \
                    nop(SEED_PKT_F_FENCE | SEED_PKT_F_IRQ, 1)});                                   \
        for (int i = 0; i < 5000 && reg(SEED_REG_Q_STATUS(7)) != SEED_QUEUE_STATE_WAITING; ++i)    \
            std::this_thread::sleep_for(std::chrono::milliseconds(1));                             \
        ASSERT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_WAITING});                  \
        irqs(SEED_MSIX_VEC_EVENT);                                                                 \
        irqs(SEED_MSIX_VEC_QUEUE(7));                                                              \
    } while (0)

TEST_F(FaultInjectionTest, StopRespondingFreezesWorkUntilResume) {
    QUEUE_BLOCKED_WORK();
    ASSERT_EQ(cmd("stop-responding"), "ok");
    // Released while not responding: the queue still makes no progress.
    mem_->store<uint64_t>(host_, 1);
    // An event while not responding is not written either.
    ASSERT_EQ(cmd("ecc corrected 0x40"), "ok ecc_ce=1");
    const uint32_t wptr = status_block().evlog_wptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 64), 0u) << "DMA while not responding";
    EXPECT_EQ(record(q_).head, 0u) << "record written while not responding";
    EXPECT_EQ(status_block().evlog_wptr, wptr) << "event written while not responding";
    EXPECT_EQ(irqs(SEED_MSIX_VEC_QUEUE(7)), 0u);
    EXPECT_EQ(irqs(SEED_MSIX_VEC_EVENT), 0u);
    EXPECT_EQ(cmd("status").rfind("ok state=not-responding ", 0), 0u);
    // Resume: the frozen work continues and completes.
    ASSERT_EQ(cmd("resume"), "ok");
    seed_cpl_record r = wait_head(q_, 3);
    EXPECT_EQ(r.error, 0u);
    EXPECT_EQ(r.fence, 1u);
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 127), 0x5a);
    EXPECT_GE(wait_irqs(SEED_MSIX_VEC_QUEUE(7), 1), 1u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_ECC_CORRECTED);
    EXPECT_EQ(events[0].addr, 0x40u);
}

TEST_F(FaultInjectionTest, UnplugAndReplug) {
    // State that power-on must clear: HBM data, counters, registers.
    run_ok({fill(kHbm, 64, 0x77, 1)});
    ASSERT_EQ(hbm_byte(2 * k2M), 0x77);
    ASSERT_EQ(cmd("ecc corrected"), "ok ecc_ce=1");
    ASSERT_EQ(cmd("ecc uncorrected 0x5000"), "ok ecc_ue=1 page=0x5000");
    reg(SEED_REG_SCRATCH, 0x1234);
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    for (int i = 0; i < 500 && reg(SEED_REG_DEV_STATUS) != SEED_DEV_STATUS_READY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(reg(SEED_REG_RESET_COUNT), 1u);
    pt_ = &make_context(3); // the event log survived the device reset
    q_ = create_queue(7, 3, 64);
    host_ = map_host(*pt_, kHost, SEED_PAGE_SIZE);
    QUEUE_BLOCKED_WORK();

    ASSERT_EQ(cmd("unplug"), "ok");
    EXPECT_EQ(cmd("status").rfind("ok state=removed ", 0), 0u);
    EXPECT_EQ(reg(SEED_REG_MAGIC), 0xffffffffu);
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), 0xffffffffu);
    uint8_t cfg[4] = {};
    ASSERT_EQ(chip_->region_read(vfio_user::kPciConfigRegionIndex, 0, cfg), 0);
    for (uint8_t b : cfg)
        EXPECT_EQ(b, 0xff) << "configuration space of a removed device reads all-ones";
    // Writes are dropped, and neither reset has an effect.
    reg(SEED_REG_SCRATCH, 0x5678);
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    chip_->reset();
    EXPECT_EQ(cmd("status").rfind("ok state=removed ", 0), 0u);
    EXPECT_EQ(reg(SEED_REG_MAGIC), 0xffffffffu);
    // Work in flight stops: no DMA, record, event or interrupt.
    mem_->store<uint64_t>(host_, 1);
    ASSERT_EQ(cmd("ecc corrected"), "ok ecc_ce=2");
    const uint32_t wptr = status_block().evlog_wptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 64), 0u);
    EXPECT_EQ(record(q_).head, 0u);
    EXPECT_EQ(status_block().evlog_wptr, wptr);
    EXPECT_EQ(irqs(SEED_MSIX_VEC_QUEUE(7)), 0u);
    EXPECT_EQ(irqs(SEED_MSIX_VEC_EVENT), 0u);

    ASSERT_EQ(cmd("replug"), "ok");
    EXPECT_TRUE(is_error(cmd("replug"))) << "not unplugged any more";
    const std::string st = cmd("status");
    EXPECT_EQ(st.rfind("ok state=running dev_status=0x00000001 resets=0 queues_enabled=0 "
                       "evlog=off ",
                       0),
              0u)
        << st;
    EXPECT_NE(st.find(" ecc_ce=0 ecc_ue=0 poisoned_pages=0"), std::string::npos) << st;
    ASSERT_EQ(chip_->region_read(vfio_user::kPciConfigRegionIndex, 0, cfg), 0);
    EXPECT_EQ(cfg[0] | (cfg[1] << 8), SEED_PCI_VENDOR_ID);
    EXPECT_FALSE(chip_->bus_open()) << "Bus Master Enable is clear at power-on";
    EXPECT_EQ(reg(SEED_REG_MAGIC), uint32_t{SEED_MAGIC});
    EXPECT_EQ(reg(SEED_REG_RESET_COUNT), 0u);
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 0u);
    EXPECT_EQ(reg(SEED_REG_ECC_CE_COUNT), 0u);
    EXPECT_EQ(reg(SEED_REG_ECC_UE_COUNT), 0u);
    EXPECT_EQ(reg(SEED_REG_EVLOG_CTRL), 0u);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_DISABLED});
    EXPECT_EQ(reg(SEED_REG_Q_RING_SIZE(7)), 0u);
    EXPECT_EQ(hbm_byte(2 * k2M), 0u) << "HBM is zero after power-on";
    // The abandoned work never completes.
    set_bus_master(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 64), 0u);
    EXPECT_EQ(record(q_).head, 0u);
    // Bring-up again works.
    enable_event_log();
    pt_ = &make_context(3);
    map_host(*pt_, kHost, SEED_PAGE_SIZE);
    pt_->map(kHbm, 2 * k2M, 2 * k2M, kRW | SEED_PTE_HBM, k2M);
    q_ = create_queue(7, 3, 64);
    fence_ = 0;
    run_ok({fill(kHbm, 64, 0x33, 1)});
    EXPECT_EQ(hbm_byte(2 * k2M), 0x33);
}

TEST_F(FaultInjectionTest, PoisonedHbmPageFailsReads) {
    constexpr uint64_t kPage = 2 * k2M + 0x3000; // HBM address of VA kHbm + 0x3000
    run_ok({fill(kHbm, 0x8000, 0x11, 1)});
    ASSERT_EQ(cmd("ecc uncorrected 0x403010"), "ok ecc_ue=1 page=0x403000");
    take_events();
    // Writes to the poisoned page work and do not clear the poison.
    run_ok({fill(kHbm + 0x3000, 0x1000, 0x22, 1)});
    // Reads of the neighbouring pages work.
    run_ok({copy(kHbm + 0x2000, kHost, 0x1000), copy(kHbm + 0x4000, kHost, 0x1000)});
    // A COPY whose source runs into the page fails at its first poisoned byte.
    seed_cpl_record r = run_error(with(copy(kHbm + 0x2f80, kHost, 0x100), 0, 0, 44));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_ECC});
    EXPECT_EQ(r.fault_addr, kHbm + 0x3000);
    EXPECT_EQ(r.error_opcode, SEED_OP_COPY);
    EXPECT_EQ(r.error_tag, 44u);
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 0x80), 0x11) << "nothing past the fault is written";
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_QUEUE_ERROR);
    EXPECT_EQ(events[0].error, uint32_t{SEED_ERR_ECC});
    EXPECT_EQ(events[0].addr, kHbm + 0x3000);
    EXPECT_EQ(events[0].data, kPage);
    // A read in the middle of the page: fault_addr is that VA, data its HBM address.
    r = run_error(copy(kHbm + 0x3ff8, kHost, 8));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_ECC});
    EXPECT_EQ(r.fault_addr, kHbm + 0x3ff8);
    events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, kPage + 0xff8);
    // A WAIT polling the page and a compute operand in it fail the same way.
    r = run_error(wait(kHbm + 0x3008, 1, 0));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_ECC});
    EXPECT_EQ(r.fault_addr, kHbm + 0x3008);
    seed_reduce_desc d{};
    d.src = kHbm + 0x3100;
    d.dst = kHost + 0x800;
    d.rows = 1;
    d.cols = 4;
    d.src_row_stride = 4;
    d.dst_row_stride = 1;
    d.op = SEED_REDUCE_SUM;
    d.src_dtype = d.dst_dtype = SEED_DT_F32;
    mem_->store(host_ + 0x400, d);
    r = run_error(compute(SEED_OP_REDUCE, kHost + 0x400));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_ECC});
    EXPECT_EQ(r.fault_addr, kHbm + 0x3100);
    EXPECT_EQ(r.error_opcode, SEED_OP_REDUCE);
    events = take_events();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].data, kPage + 0x100);
    // The data is left as it was; a device reset clears the poison.
    EXPECT_EQ(hbm_byte(kPage), 0x22);
    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    for (int i = 0; i < 500 && reg(SEED_REG_DEV_STATUS) != SEED_DEV_STATUS_READY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
    pt_ = &make_context(3);
    host_ = map_host(*pt_, kHost, SEED_PAGE_SIZE);
    pt_->map(kHbm, 2 * k2M, 2 * k2M, kRW | SEED_PTE_HBM, k2M);
    q_ = create_queue(7, 3, 64);
    fence_ = 0;
    run_ok({copy(kHbm + 0x2f80, kHost, 0x100)});
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 0xff), 0x22);
}

} // namespace
} // namespace seed::device
