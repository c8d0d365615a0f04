// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// D3hot (docs/hardware.md §2.4): the device keeps all of its state, BAR
// reads return all-ones and writes are dropped, work pauses and interrupts
// are held until D0, where everything continues.
#include "device_harness.h"
#include "fault_injector.h"
#include "vfio_user/protocol.h"

#include <linux/pci_regs.h>

#include <chrono>
#include <thread>

namespace seed::device {
namespace {

using namespace test;

class PowerStateTest : public PacketTest {
protected:
    void SetUp() override {
        PacketTest::SetUp();
        take_events();
        irqs(SEED_MSIX_VEC_EVENT);
        irqs(SEED_MSIX_VEC_QUEUE(7));
        uint8_t ptr = 0;
        ASSERT_EQ(chip_->region_read(vfio_user::kPciConfigRegionIndex, PCI_CAPABILITY_LIST,
                                     std::span(&ptr, 1)),
                  0);
        // Walk to the PM capability as a driver would.
        for (int n = 0; n < 48 && ptr >= PCI_STD_HEADER_SIZEOF; ++n) {
            uint8_t cap[2] = {};
            ASSERT_EQ(chip_->region_read(vfio_user::kPciConfigRegionIndex, ptr, cap), 0);
            if (cap[0] == PCI_CAP_ID_PM) {
                pm_ = ptr;
                break;
            }
            ptr = cap[1];
        }
        ASSERT_NE(pm_, 0u);
    }

    uint16_t pmcsr() {
        uint8_t v[2] = {};
        EXPECT_EQ(chip_->region_read(vfio_user::kPciConfigRegionIndex, pm_ + PCI_PM_CTRL, v), 0);
        return static_cast<uint16_t>(v[0] | (v[1] << 8));
    }
    void set_power_state(unsigned state) {
        const uint16_t v = static_cast<uint16_t>((pmcsr() & ~PCI_PM_CTRL_STATE_MASK) | state);
        const uint8_t bytes[2] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)};
        ASSERT_EQ(chip_->region_write(vfio_user::kPciConfigRegionIndex, pm_ + PCI_PM_CTRL, bytes),
                  0);
        ASSERT_EQ(pmcsr() & PCI_PM_CTRL_STATE_MASK, state);
        ASSERT_EQ(chip_->d3hot(), state == 3);
    }
    uint32_t bar0_read(uint32_t offset) {
        uint8_t v[4] = {};
        EXPECT_EQ(chip_->region_read(SEED_BAR_REGS, offset, v), 0);
        return load_le32(v);
    }
    static uint32_t load_le32(const uint8_t* p) {
        return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t{p[3]} << 24);
    }
    static void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

    uint32_t pm_ = 0;
};

TEST_F(PowerStateTest, RegistersAreOffInD3hotAndKeptForD0) {
    reg(SEED_REG_SCRATCH, 0x1234);
    reg(SEED_REG_WATCHDOG_MS, 500);
    const uint32_t ring_lo = reg(SEED_REG_Q_RING_BASE_LO(7));
    const uint32_t evlog = reg(SEED_REG_EVLOG_CTRL);
    set_power_state(3);
    EXPECT_EQ(bar0_read(SEED_REG_MAGIC), 0xffffffffu);
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), 0xffffffffu);
    reg(SEED_REG_SCRATCH, 0xdead);
    const uint8_t word[4] = {0xef, 0xbe, 0, 0};
    ASSERT_EQ(chip_->region_write(SEED_BAR_REGS, SEED_REG_WATCHDOG_MS, word), 0);
    // Configuration space still answers: vendor ID.
    uint8_t id[2] = {};
    ASSERT_EQ(chip_->region_read(vfio_user::kPciConfigRegionIndex, PCI_VENDOR_ID, id), 0);
    EXPECT_EQ(id[0] | (id[1] << 8), SEED_PCI_VENDOR_ID);
    EXPECT_TRUE(pmcsr() & PCI_PM_CTRL_NO_SOFT_RESET);
    FaultInjector fi(*chip_);
    EXPECT_NE(fi.execute("status")->find(" power=D3hot"), std::string::npos);

    set_power_state(0);
    EXPECT_EQ(bar0_read(SEED_REG_MAGIC), uint32_t{SEED_MAGIC});
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 0x1234u) << "write in D3hot not dropped";
    EXPECT_EQ(reg(SEED_REG_WATCHDOG_MS), 500u);
    EXPECT_EQ(reg(SEED_REG_Q_RING_BASE_LO(7)), ring_lo);
    EXPECT_EQ(reg(SEED_REG_EVLOG_CTRL), evlog);
    EXPECT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_IDLE});
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
    EXPECT_EQ(reg(SEED_REG_RESET_COUNT), 0u) << "D3hot->D0 reset the device";
    EXPECT_NE(fi.execute("status")->find(" power=D0"), std::string::npos);
    // The queue works as before.
    run_ok({fill(kHost, 64, 0x33, 1)});
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 63), 0x33);
}

TEST_F(PowerStateTest, HbmContentsSurviveD3hot) {
    run_ok({fill(kHbm, 4096, 0xa5, 1)});
    set_power_state(3);
    settle();
    set_power_state(0);
    run_ok({copy(kHbm, kHost, 4096)});
    EXPECT_EQ(mem_->load<uint8_t>(host_), 0xa5);
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 4095), 0xa5);
}

TEST_F(PowerStateTest, DoorbellInD3hotIsDropped) {
    set_power_state(3);
    submit(q_, {fill(kHost, 64, 0x5a, 1), nop(SEED_PKT_F_FENCE | SEED_PKT_F_IRQ, 1)});
    settle();
    set_power_state(0);
    settle();
    EXPECT_EQ(reg(SEED_REG_Q_TAIL(7)), 0u) << "doorbell written in D3hot was kept";
    EXPECT_EQ(mem_->load<uint8_t>(host_), 0u);
    EXPECT_EQ(irqs(SEED_MSIX_VEC_QUEUE(7)), 0u);
    // Written again in D0, it runs the packets.
    reg(SEED_REG_Q_DOORBELL(7), 2);
    EXPECT_EQ(wait_head(q_, 2).error, 0u);
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 63), 0x5a);
}

TEST_F(PowerStateTest, WorkInFlightPausesAndContinuesInD0) {
    // A WAIT runs when the device enters D3hot: nothing after it proceeds.
    submit(q_, {wait(kHost, 1, 0), fill(kHost + 64, 64, 0x5a, 1),
                nop(SEED_PKT_F_FENCE | SEED_PKT_F_IRQ, 1)});
    for (int i = 0; i < 5000 && reg(SEED_REG_Q_STATUS(7)) != SEED_QUEUE_STATE_WAITING; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_EQ(reg(SEED_REG_Q_STATUS(7)), uint32_t{SEED_QUEUE_STATE_WAITING});
    set_power_state(3);
    mem_->store<uint64_t>(host_, 1);
    settle();
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 64), 0u) << "engine ran in D3hot";
    EXPECT_EQ(record(q_).fence, 0u) << "record written in D3hot";
    EXPECT_EQ(irqs(SEED_MSIX_VEC_QUEUE(7)), 0u);
    set_power_state(0);
    EXPECT_EQ(wait_head(q_, 3).error, 0u);
    EXPECT_EQ(mem_->load<uint8_t>(host_ + 127), 0x5a);
    EXPECT_GE(wait_irqs(SEED_MSIX_VEC_QUEUE(7), 1), 1u);
}

TEST_F(PowerStateTest, EventsAndInterruptsAreHeldUntilD0) {
    FaultInjector fi(*chip_);
    const uint32_t wptr = status_block().evlog_wptr;
    set_power_state(3);
    ASSERT_EQ(fi.execute("ecc corrected 0x40"), "ok ecc_ce=1");
    settle();
    EXPECT_EQ(status_block().evlog_wptr, wptr) << "event written in D3hot";
    EXPECT_EQ(irqs(SEED_MSIX_VEC_EVENT), 0u);
    set_power_state(0);
    EXPECT_GE(wait_irqs(SEED_MSIX_VEC_EVENT, 1), 1u);
    for (int i = 0; i < 500 && status_block().evlog_wptr == wptr; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_ECC_CORRECTED);
    EXPECT_EQ(events[0].addr, 0x40u);
}

TEST_F(PowerStateTest, BusResetLeavesD3hot) {
    set_power_state(3);
    chip_->reset();
    EXPECT_FALSE(chip_->d3hot());
    EXPECT_EQ(pmcsr() & PCI_PM_CTRL_STATE_MASK, 0);
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
}

} // namespace
} // namespace seed::device
