// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// vfio-user SET_IRQS for MSI-X and ERR: eventfd assignment, swaps, disable,
// chunked sets, rejects, and no fd leaks.
#include "fake_client.h"

#include <hw/seed_hw.h>
#include <linux/pci_regs.h>

namespace seed::device::test {
namespace {

using namespace vfio_user;

constexpr uint32_t kEventfdTrigger = kIrqSetDataEventfd | kIrqSetActionTrigger;

class Interrupts : public ServerTest {
protected:
    /// A negotiated client that has set Bus Master Enable: MSI-X messages
    /// are memory writes, sent only while it is set (§2.4).
    FakeClient connect_bus_master() {
        FakeClient client = connect_negotiated();
        client.write32(kPciConfigRegionIndex, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
        return client;
    }
    void fire(FakeClient& client, uint32_t vector) {
        client.write32(SEED_BAR_REGS, SEED_REG_IRQ_TEST, vector);
    }
    /// Indexes of the eventfds in @p fds that were signalled (drains them).
    static std::vector<size_t> fired(const std::vector<UniqueFd>& fds) {
        std::vector<size_t> out;
        for (size_t i = 0; i < fds.size(); ++i)
            if (eventfd_value(fds[i].get()) != 0)
                out.push_back(i);
        return out;
    }
    static std::vector<UniqueFd> eventfds(size_t n) {
        std::vector<UniqueFd> fds;
        for (size_t i = 0; i < n; ++i)
            fds.push_back(make_eventfd());
        return fds;
    }
    static std::vector<int> raw(const std::vector<UniqueFd>& fds) {
        std::vector<int> out;
        for (const auto& fd : fds)
            out.push_back(fd.get());
        return out;
    }
};

TEST_F(Interrupts, EventfdsSwapsAndDisable) {
    const size_t fds_before = open_fd_count();
    {
        FakeClient client = connect_bus_master();
        // MSI-X enable with no vector in use yet: count 1, no fd.
        EXPECT_FALSE(client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 0, 1).is_error());

        auto efds = eventfds(4);
        EXPECT_FALSE(
            client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 0, 4, raw(efds)).is_error());
        fire(client, 2);
        EXPECT_EQ(fired(efds), std::vector<size_t>{2});
        fire(client, 0);
        fire(client, 3);
        EXPECT_EQ(fired(efds), (std::vector<size_t>{0, 3}));

        // Swap vector 2's fd (what QEMU does on mask): only the new one fires.
        auto swapped = eventfds(1);
        EXPECT_FALSE(
            client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 2, 1, raw(swapped)).is_error());
        fire(client, 2);
        EXPECT_TRUE(fired(efds).empty());
        EXPECT_EQ(fired(swapped), std::vector<size_t>{0});

        // De-assign vector 3 (fd-less chunk): it latches pending instead.
        EXPECT_FALSE(client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 3, 1).is_error());
        fire(client, 3);
        EXPECT_TRUE(fired(efds).empty());
        EXPECT_TRUE(chip().msix().pending(3));
        Received pba = client.region_read(SEED_BAR_MSIX, SEED_MSIX_PBA_OFFSET, 8);
        EXPECT_EQ(struct_at<uint64_t>(pba.payload, sizeof(RegionAccessPayload)), 1u << 3);

        // Disable all: nothing fires.
        EXPECT_FALSE(client.set_irqs(kIrqSetDataNone | kIrqSetActionTrigger, kPciMsixIrqIndex, 0, 0)
                         .is_error());
        for (uint32_t v = 0; v < 4; ++v)
            fire(client, v);
        EXPECT_TRUE(fired(efds).empty());
        EXPECT_TRUE(fired(swapped).empty());
        EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_IRQ_TEST_COUNT), 9u);
    }
    wait_session_end();
    EXPECT_EQ(open_fd_count(), fds_before) << "fd leak";
}

TEST_F(Interrupts, FullChunkOf16Fds) {
    FakeClient client = connect_bus_master();
    auto efds = eventfds(16);
    EXPECT_FALSE(client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 16, 16, raw(efds)).is_error());
    fire(client, 20);
    EXPECT_EQ(fired(efds), std::vector<size_t>{4});
    // The last vector of the table.
    auto last = eventfds(1);
    EXPECT_FALSE(
        client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, SEED_MSIX_VECTORS - 1, 1, raw(last))
            .is_error());
    fire(client, SEED_MSIX_VECTORS - 1);
    EXPECT_EQ(fired(last), std::vector<size_t>{0});
}

TEST_F(Interrupts, PendingVectorFiresWhenAssigned) {
    FakeClient client = connect_bus_master();
    fire(client, 7);
    auto efds = eventfds(1);
    EXPECT_FALSE(client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 7, 1, raw(efds)).is_error());
    EXPECT_EQ(fired(efds), std::vector<size_t>{0});
}

TEST_F(Interrupts, BadRequestsAreRejectedWithoutLeaks) {
    const size_t fds_before = open_fd_count();
    {
        FakeClient client = connect_bus_master();
        auto efds = eventfds(2);
        // Fewer fds than vectors.
        EXPECT_TRUE(client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 0, 3, raw(efds)).is_error());
        // Beyond the table.
        EXPECT_TRUE(
            client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, SEED_MSIX_VECTORS - 1, 2, raw(efds))
                .is_error());
        // No data type, two actions, unknown flag bits.
        EXPECT_TRUE(client.set_irqs(kIrqSetActionTrigger, kPciMsixIrqIndex, 0, 1).is_error());
        EXPECT_TRUE(client
                        .set_irqs(kIrqSetDataNone | kIrqSetActionTrigger | kIrqSetActionMask,
                                  kPciMsixIrqIndex, 0, 1)
                        .is_error());
        EXPECT_TRUE(client.set_irqs(kEventfdTrigger | 0x100, kPciMsixIrqIndex, 0, 1).is_error());
        // Vectors on an index that has none (INTx, MSI), and a bad index.
        EXPECT_TRUE(client.set_irqs(kEventfdTrigger, kPciIntxIrqIndex, 0, 1, raw(efds)).is_error());
        EXPECT_TRUE(client.set_irqs(kEventfdTrigger, kPciMsiIrqIndex, 0, 1).is_error());
        EXPECT_TRUE(client.set_irqs(kEventfdTrigger, 5, 0, 1).is_error());
        // fds with DATA_NONE.
        EXPECT_TRUE(
            client
                .set_irqs(kIrqSetDataNone | kIrqSetActionTrigger, kPciMsixIrqIndex, 0, 1, raw(efds))
                .is_error());
        // Short message.
        EXPECT_TRUE(client.call(kCmdDeviceSetIrqs, std::vector<uint8_t>(12, 0)).is_error());
        // Still in sync, nothing assigned.
        EXPECT_FALSE(chip().msix().assigned(0));
        EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
    }
    wait_session_end();
    EXPECT_EQ(open_fd_count(), fds_before) << "fd leak";
}

TEST_F(Interrupts, AcknowledgedNoOps) {
    FakeClient client = connect_bus_master();
    // Disabling index types that have no vectors, and MSI-X mask/unmask.
    for (uint32_t index : {kPciIntxIrqIndex, kPciMsiIrqIndex, kPciReqIrqIndex})
        EXPECT_FALSE(
            client.set_irqs(kIrqSetDataNone | kIrqSetActionTrigger, index, 0, 0).is_error());
    EXPECT_FALSE(
        client.set_irqs(kIrqSetDataNone | kIrqSetActionMask, kPciMsixIrqIndex, 0, 1).is_error());
    EXPECT_FALSE(
        client.set_irqs(kIrqSetDataNone | kIrqSetActionUnmask, kPciMsixIrqIndex, 0, 1).is_error());
}

TEST_F(Interrupts, DataNoneAndBoolTrigger) {
    FakeClient client = connect_bus_master();
    auto efds = eventfds(3);
    EXPECT_FALSE(client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 10, 3, raw(efds)).is_error());
    EXPECT_FALSE(client.set_irqs(kIrqSetDataNone | kIrqSetActionTrigger, kPciMsixIrqIndex, 11, 1)
                     .is_error());
    EXPECT_EQ(fired(efds), std::vector<size_t>{1});
    std::vector<uint8_t> payload =
        bytes_of(SetIrqsPayload{sizeof(SetIrqsPayload) + 3, kIrqSetDataBool | kIrqSetActionTrigger,
                                kPciMsixIrqIndex, 10, 3});
    payload.insert(payload.end(), {1, 0, 1});
    EXPECT_FALSE(client.call(kCmdDeviceSetIrqs, payload).is_error());
    EXPECT_EQ(fired(efds), (std::vector<size_t>{0, 2}));
}

TEST_F(Interrupts, ErrorInterrupt) {
    FakeClient client = connect_bus_master();
    auto efds = eventfds(1);
    EXPECT_FALSE(client.set_irqs(kEventfdTrigger, kPciErrIrqIndex, 0, 1, raw(efds)).is_error());
    EXPECT_TRUE(chip().err_irq_assigned());
    EXPECT_FALSE(client.set_irqs(kEventfdTrigger, kPciErrIrqIndex, 0, 1).is_error());
    EXPECT_FALSE(chip().err_irq_assigned());
    EXPECT_TRUE(client.set_irqs(kEventfdTrigger, kPciErrIrqIndex, 0, 2).is_error());
}

TEST_F(Interrupts, DisconnectDropsEventfds) {
    auto efds = eventfds(1);
    {
        FakeClient client = connect_bus_master();
        EXPECT_FALSE(
            client.set_irqs(kEventfdTrigger, kPciMsixIrqIndex, 0, 1, raw(efds)).is_error());
        EXPECT_TRUE(chip().msix().assigned(0));
    }
    wait_session_end();
    EXPECT_FALSE(chip().msix().assigned(0));
}

} // namespace
} // namespace seed::device::test
