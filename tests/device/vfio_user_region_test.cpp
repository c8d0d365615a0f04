// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// vfio-user device, region and interrupt info, and REGION_READ/WRITE of
// config space and BAR0 over the wire, including posted writes and range
// errors.
#include "fake_client.h"

#include <hw/seed_hw.h>
#include <linux/pci_regs.h>

namespace seed::device::test {
namespace {

using namespace vfio_user;

class Regions : public ServerTest {};

TEST_F(Regions, DeviceInfo) {
    FakeClient client = connect_negotiated();
    Received reply = client.call(kCmdDeviceGetInfo, bytes_of(DeviceInfoPayload{16, 0, 0, 0}));
    ASSERT_FALSE(reply.is_error());
    ASSERT_EQ(reply.payload.size(), 16u);
    auto info = struct_at<DeviceInfoPayload>(reply.payload);
    EXPECT_EQ(info.argsz, 16u);
    EXPECT_EQ(info.flags, kDeviceFlagPci | kDeviceFlagReset);
    EXPECT_EQ(info.num_regions, 9u);
    EXPECT_EQ(info.num_irqs, 5u);
    EXPECT_TRUE(client.call(kCmdDeviceGetInfo, bytes_of(DeviceInfoPayload{8, 0, 0, 0})).is_error());
}

TEST_F(Regions, RegionInfoForEveryIndex) {
    FakeClient client = connect_negotiated();
    struct Expect {
        uint32_t flags;
        uint64_t size;
    };
    const Expect expected[9] = {
        {kRegionFlagRead | kRegionFlagWrite, SEED_BAR_REGS_SIZE}, // BAR0
        {0, 0},                                                   // BAR1: upper half of BAR0
        {kRegionFlagRead | kRegionFlagWrite, SEED_BAR_MSIX_SIZE}, // BAR2
        {0, 0},                                                   // BAR3: upper half of BAR2
        {0, 0},
        {0, 0},
        {0, 0},                                     // ROM
        {kRegionFlagRead | kRegionFlagWrite, 4096}, // config
        {0, 0},                                     // VGA
    };
    for (uint32_t index = 0; index < 9; ++index) {
        // QEMU's request: 48 bytes with argsz 32.
        RegionInfoPayload req{32, 0, index, 0, 0, 0};
        Received reply = client.call(kCmdDeviceGetRegionInfo, bytes_of(req));
        ASSERT_FALSE(reply.is_error()) << index;
        EXPECT_LE(reply.header.size, sizeof(Header) + req.argsz);
        EXPECT_TRUE(reply.fds.empty());
        auto info = struct_at<RegionInfoPayload>(reply.payload);
        EXPECT_EQ(info.argsz, 32u);
        EXPECT_EQ(info.index, index);
        EXPECT_EQ(info.flags, expected[index].flags) << index;
        EXPECT_EQ(info.size, expected[index].size) << index;
        EXPECT_EQ(info.flags & kRegionFlagCaps, 0u);
        EXPECT_EQ(info.cap_offset, 0u);
    }
    RegionInfoPayload bad{32, 0, 9, 0, 0, 0};
    EXPECT_TRUE(client.call(kCmdDeviceGetRegionInfo, bytes_of(bad)).is_error());
    RegionInfoPayload small{16, 0, 0, 0, 0, 0};
    EXPECT_TRUE(client.call(kCmdDeviceGetRegionInfo, bytes_of(small)).is_error());
}

TEST_F(Regions, IrqInfo) {
    FakeClient client = connect_negotiated();
    const uint32_t counts[5] = {0, 0, SEED_MSIX_VECTORS, 1, 0};
    for (uint32_t index = 0; index < 5; ++index) {
        Received reply =
            client.call(kCmdDeviceGetIrqInfo, bytes_of(IrqInfoPayload{16, 0, index, 0}));
        ASSERT_FALSE(reply.is_error());
        auto info = struct_at<IrqInfoPayload>(reply.payload);
        EXPECT_EQ(info.index, index);
        EXPECT_EQ(info.count, counts[index]) << index;
        EXPECT_TRUE(info.flags & kIrqInfoEventfd);
        EXPECT_FALSE(info.flags & kIrqInfoNoresize);
    }
    EXPECT_TRUE(
        client.call(kCmdDeviceGetIrqInfo, bytes_of(IrqInfoPayload{16, 0, 5, 0})).is_error());
}

TEST_F(Regions, IdentityRegistersReflectOptions) {
    FakeClient client = connect_negotiated();
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_HW_REV),
              static_cast<uint32_t>(SEED_HW_REV_V1_0));
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_HBM_SIZE_LO), 64u << 20);
    uint32_t qi = client.read32(SEED_BAR_REGS, SEED_REG_QUEUE_INFO);
    EXPECT_EQ(SEED_QUEUE_INFO_QUEUES(qi), 8u);
    EXPECT_EQ(SEED_QUEUE_INFO_ENGINES(qi), 2u);
    Received uuid = client.region_read(SEED_BAR_REGS, SEED_REG_UUID(0), 8);
    ASSERT_FALSE(uuid.is_error());
    EXPECT_EQ(struct_at<uint64_t>(uuid.payload, sizeof(RegionAccessPayload)), 0x7766554433221100u);
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_SERIAL(0)), 0x54534554u); // "TEST"
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_DEV_STATUS), SEED_DEV_STATUS_READY);
}

TEST_F(Regions, ConfigSpaceOverTheWire) {
    FakeClient client = connect_negotiated();
    Received full = client.region_read(kPciConfigRegionIndex, 0, 4096);
    ASSERT_FALSE(full.is_error());
    ASSERT_EQ(full.payload.size(), sizeof(RegionAccessPayload) + 4096);
    std::span<const uint8_t> cfg = std::span(full.payload).subspan(sizeof(RegionAccessPayload));
    EXPECT_EQ(struct_at<uint16_t>(cfg, PCI_VENDOR_ID), SEED_PCI_VENDOR_ID);
    EXPECT_EQ(struct_at<uint32_t>(cfg, PCI_CLASS_REVISION) >> 8,
              static_cast<uint32_t>(SEED_PCI_CLASS));
    std::vector<uint8_t> ids;
    for (uint8_t pos = cfg[PCI_CAPABILITY_LIST]; pos != 0 && ids.size() < 8; pos = cfg[pos + 1])
        ids.push_back(cfg[pos]);
    EXPECT_EQ(ids, (std::vector<uint8_t>{PCI_CAP_ID_PM, PCI_CAP_ID_MSIX, PCI_CAP_ID_EXP}));
    // The extended capabilities over the wire too: AER alone (its fields
    // are config_space_test's).
    const uint32_t ext = struct_at<uint32_t>(cfg, 0x100);
    EXPECT_EQ(PCI_EXT_CAP_ID(ext), PCI_EXT_CAP_ID_ERR);
    EXPECT_EQ(PCI_EXT_CAP_NEXT(ext), 0u);
    EXPECT_LE(cfg[PCI_INTERRUPT_PIN], 4);

    // ROM sizing as QEMU does it: no ROM.
    uint32_t rom = client.read32(kPciConfigRegionIndex, PCI_ROM_ADDRESS);
    client.write32(kPciConfigRegionIndex, PCI_ROM_ADDRESS, 0xfffff800);
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_ROM_ADDRESS), 0u);
    client.write32(kPciConfigRegionIndex, PCI_ROM_ADDRESS, rom);
    // All-ones BAR writes are accepted and size the BAR.
    for (uint32_t bar = PCI_BASE_ADDRESS_0; bar <= PCI_BASE_ADDRESS_5; bar += 4)
        client.write32(kPciConfigRegionIndex, bar, 0xffffffff);
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_BASE_ADDRESS_0), 0xffff0004u);
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_BASE_ADDRESS_2), 0xffffc004u);
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_BASE_ADDRESS_4), 0u);
    // COMMAND RW bits persist, the vendor ID does not change.
    client.write32(kPciConfigRegionIndex, PCI_COMMAND, 0xffffffff);
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_COMMAND) & 0xffff, 0x0546u);
    client.write32(kPciConfigRegionIndex, PCI_VENDOR_ID, 0);
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_VENDOR_ID), 0x00015eedu);
}

TEST_F(Regions, ConfigAccessSizesAtEveryOffset) {
    FakeClient client = connect_negotiated();
    const uint32_t dword = client.read32(kPciConfigRegionIndex, PCI_VENDOR_ID);
    for (uint32_t size : {1u, 2u}) {
        for (uint32_t off = 0; off + size <= 4; ++off) {
            Received r = client.region_read(kPciConfigRegionIndex, off, size);
            ASSERT_FALSE(r.is_error());
            uint32_t v = 0;
            std::memcpy(&v, r.payload.data() + sizeof(RegionAccessPayload), size);
            uint32_t mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
            EXPECT_EQ(v, (dword >> (8 * off)) & mask) << "size " << size << " offset " << off;
        }
    }
    // A 1-byte write to INTERRUPT_LINE and a 2-byte write to COMMAND.
    const uint8_t line[1] = {0x0a};
    EXPECT_FALSE(client.region_write(kPciConfigRegionIndex, PCI_INTERRUPT_LINE, line).is_error());
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_INTERRUPT_LINE) & 0xff, 0x0au);
    const uint8_t cmd[2] = {PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0};
    EXPECT_FALSE(client.region_write(kPciConfigRegionIndex, PCI_COMMAND, cmd).is_error());
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_COMMAND) & 0xffff, 0x0006u);
}

TEST_F(Regions, PostedWriteThenReadGivesExactlyOneReply) {
    FakeClient client = connect_negotiated();
    client.region_write_posted(SEED_BAR_REGS, SEED_REG_SCRATCH, bytes_of(uint32_t{0xcafef00d}));
    uint16_t id = client.send(kCmdRegionRead,
                              bytes_of(RegionAccessPayload{SEED_REG_SCRATCH, SEED_BAR_REGS, 4}));
    auto reply = client.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->header.msg_id, id);
    EXPECT_EQ(struct_at<uint32_t>(reply->payload, sizeof(RegionAccessPayload)), 0xcafef00du);
    EXPECT_TRUE(client.quiet()) << "the posted write must not be answered";
}

TEST_F(Regions, OutOfRangeAccessesFail) {
    FakeClient client = connect_negotiated();
    EXPECT_TRUE(client.region_read(SEED_BAR_REGS, SEED_BAR_REGS_SIZE, 4).is_error());
    EXPECT_TRUE(client.region_read(SEED_BAR_REGS, SEED_BAR_REGS_SIZE - 4, 8).is_error());
    EXPECT_TRUE(client.region_read(SEED_BAR_REGS, UINT64_MAX - 1, 4).is_error());
    EXPECT_TRUE(client.region_read(1, 0, 4).is_error()) << "upper half of BAR0";
    EXPECT_TRUE(client.region_read(kPciRomRegionIndex, 0, 4).is_error());
    EXPECT_TRUE(client.region_read(kPciConfigRegionIndex, 4094, 4).is_error());
    EXPECT_TRUE(client.region_read(9, 0, 4).is_error());
    EXPECT_TRUE(client.region_read(SEED_BAR_REGS, 0, 0).is_error());
    EXPECT_TRUE(
        client.region_write(SEED_BAR_REGS, SEED_BAR_REGS_SIZE, bytes_of(uint32_t{1})).is_error());
    // REGION_WRITE whose count does not match its data.
    std::vector<uint8_t> payload =
        bytes_of(RegionAccessPayload{SEED_REG_SCRATCH, SEED_BAR_REGS, 8});
    payload.resize(payload.size() + 4);
    EXPECT_TRUE(client.call(kCmdRegionWrite, payload).is_error());
    // A failing posted write is silent.
    client.region_write_posted(SEED_BAR_REGS, SEED_BAR_REGS_SIZE, bytes_of(uint32_t{1}));
    EXPECT_TRUE(client.quiet());
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
}

TEST_F(Regions, LargeReadsUpToTheTransferLimit) {
    FakeClient client = connect_negotiated();
    Received whole = client.region_read(SEED_BAR_REGS, 0, SEED_BAR_REGS_SIZE);
    ASSERT_FALSE(whole.is_error());
    EXPECT_EQ(whole.payload.size(), sizeof(RegionAccessPayload) + SEED_BAR_REGS_SIZE);
    EXPECT_TRUE(client.region_read(SEED_BAR_REGS, 0, kMaxDataXferSize + 4).is_error());
}

} // namespace
} // namespace seed::device::test
