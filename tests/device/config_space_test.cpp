// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// PCI config space of the SeedChip: identity, capability chain, BAR sizing
// and the RO/RW/RW1C register semantics at every access size.
#include "pci/config_space.h"
#include "seedchip.h"

#include <hw/seed_hw.h>
#include <linux/pci_regs.h>

#include <gtest/gtest.h>

#include <vector>

namespace seed::device::pci {
namespace {

class ConfigSpaceTest : public ::testing::Test {
protected:
    ConfigSpace cs_ = SeedChip::make_config_space();
};

TEST_F(ConfigSpaceTest, Identity) {
    EXPECT_EQ(cs_.read16(PCI_VENDOR_ID), SEED_PCI_VENDOR_ID);
    EXPECT_EQ(cs_.read16(PCI_DEVICE_ID), SEED_PCI_DEVICE_ID);
    EXPECT_EQ(cs_.read16(PCI_SUBSYSTEM_VENDOR_ID), SEED_PCI_SUBSYS_VENDOR_ID);
    EXPECT_EQ(cs_.read16(PCI_SUBSYSTEM_ID), SEED_PCI_SUBSYS_ID);
    EXPECT_EQ(cs_.read8(PCI_REVISION_ID), SEED_PCI_REVISION);
    EXPECT_EQ(cs_.read32(PCI_CLASS_REVISION) >> 8, 0x120000u);
    EXPECT_EQ(cs_.read8(PCI_HEADER_TYPE), 0);
    EXPECT_EQ(cs_.read8(PCI_INTERRUPT_PIN), 0);
    EXPECT_LE(cs_.read8(PCI_INTERRUPT_PIN), 4);
    EXPECT_EQ(cs_.read32(PCI_ROM_ADDRESS), 0u);
    EXPECT_EQ(cs_.read16(PCI_COMMAND), 0);
    EXPECT_TRUE(cs_.read16(PCI_STATUS) & PCI_STATUS_CAP_LIST);
}

// The only extended capability is AER (docs/hardware.md §2): the kernel's
// error recovery and aer_inject need it on the endpoint.
TEST_F(ConfigSpaceTest, AdvancedErrorReporting) {
    constexpr uint32_t aer = PCI_CFG_SPACE_SIZE;
    const uint32_t header = cs_.read32(aer);
    EXPECT_EQ(PCI_EXT_CAP_ID(header), PCI_EXT_CAP_ID_ERR);
    EXPECT_EQ(PCI_EXT_CAP_VER(header), 2u);
    EXPECT_EQ(PCI_EXT_CAP_NEXT(header), 0u) << "AER is the last extended capability";
    EXPECT_EQ(cs_.read32(aer + PCI_ERR_UNCOR_STATUS), 0u);
    EXPECT_EQ(cs_.read32(aer + PCI_ERR_UNCOR_MASK), 0u);
    // Malformed TLP is fatal, Completer Abort non-fatal by default.
    const uint32_t sever = cs_.read32(aer + PCI_ERR_UNCOR_SEVER);
    EXPECT_TRUE(sever & PCI_ERR_UNC_MALF_TLP);
    EXPECT_FALSE(sever & PCI_ERR_UNC_COMP_ABORT);
    // Masks and severities are read-write; the header is read-only.
    cs_.write32(aer + PCI_ERR_UNCOR_MASK, PCI_ERR_UNC_UNSUP);
    EXPECT_EQ(cs_.read32(aer + PCI_ERR_UNCOR_MASK), PCI_ERR_UNC_UNSUP);
    cs_.write32(aer, 0xffffffffu);
    EXPECT_EQ(cs_.read32(aer), header);
    // Status bits are write-1-to-clear: the device never sets them, writes
    // cannot either.
    cs_.write32(aer + PCI_ERR_UNCOR_STATUS, 0xffffffffu);
    EXPECT_EQ(cs_.read32(aer + PCI_ERR_UNCOR_STATUS), 0u);
    cs_.reset();
    EXPECT_EQ(cs_.read32(aer + PCI_ERR_UNCOR_MASK), 0u);
}

TEST_F(ConfigSpaceTest, CapabilityChainIsPmMsixExpress) {
    std::vector<uint8_t> ids;
    uint8_t pos = cs_.read8(PCI_CAPABILITY_LIST);
    while (pos != 0 && ids.size() < 48) {
        EXPECT_EQ(pos % 4, 0);
        EXPECT_GE(pos, 0x40);
        ids.push_back(cs_.read8(pos));
        pos = cs_.read8(pos + 1);
    }
    EXPECT_EQ(ids, (std::vector<uint8_t>{PCI_CAP_ID_PM, PCI_CAP_ID_MSIX, PCI_CAP_ID_EXP}));
}

TEST_F(ConfigSpaceTest, PowerManagement) {
    uint8_t pm = cs_.find_capability(PCI_CAP_ID_PM);
    ASSERT_NE(pm, 0);
    EXPECT_EQ(cs_.read16(pm + PCI_PM_PMC) & PCI_PM_CAP_VER_MASK, 3);
    EXPECT_EQ(cs_.read16(pm + PCI_PM_PMC) & (PCI_PM_CAP_D1 | PCI_PM_CAP_D2), 0);
    uint16_t pmcsr = cs_.read16(pm + PCI_PM_CTRL);
    EXPECT_TRUE(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET);
    EXPECT_EQ(pmcsr & PCI_PM_CTRL_STATE_MASK, 0); // D0
    cs_.write16(pm + PCI_PM_CTRL, 3);             // D3hot
    EXPECT_EQ(cs_.read16(pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK, 3);
    EXPECT_TRUE(cs_.read16(pm + PCI_PM_CTRL) & PCI_PM_CTRL_NO_SOFT_RESET) << "read-only bit";
    cs_.write16(pm + PCI_PM_CTRL, 1); // D1 is not supported: ignored
    EXPECT_EQ(cs_.read16(pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK, 3);
    cs_.write16(pm + PCI_PM_CTRL, 0);
    EXPECT_EQ(cs_.read16(pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK, 0);
}

TEST_F(ConfigSpaceTest, MsixMatchesBarLayout) {
    uint8_t msix = cs_.find_capability(PCI_CAP_ID_MSIX);
    ASSERT_NE(msix, 0);
    uint16_t ctrl = cs_.read16(msix + PCI_MSIX_FLAGS);
    EXPECT_EQ((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1, SEED_MSIX_VECTORS);
    EXPECT_EQ(ctrl & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL), 0);
    uint32_t table = cs_.read32(msix + PCI_MSIX_TABLE);
    uint32_t pba = cs_.read32(msix + PCI_MSIX_PBA);
    EXPECT_EQ(table & PCI_MSIX_TABLE_BIR, static_cast<uint32_t>(SEED_BAR_MSIX));
    EXPECT_EQ(table & PCI_MSIX_TABLE_OFFSET, static_cast<uint32_t>(SEED_MSIX_TABLE_OFFSET));
    EXPECT_EQ(pba & PCI_MSIX_PBA_BIR, static_cast<uint32_t>(SEED_BAR_MSIX));
    EXPECT_EQ(pba & PCI_MSIX_PBA_OFFSET, static_cast<uint32_t>(SEED_MSIX_PBA_OFFSET));
    uint64_t bar = cs_.bar_size(SEED_BAR_MSIX);
    EXPECT_LE((table & PCI_MSIX_TABLE_OFFSET) + 16u * SEED_MSIX_VECTORS, bar);
    EXPECT_LE((pba & PCI_MSIX_PBA_OFFSET) + 8u * ((SEED_MSIX_VECTORS + 63) / 64), bar);

    // Enable and function mask are RW, the table size is RO.
    cs_.write16(msix + PCI_MSIX_FLAGS, 0xffff);
    EXPECT_EQ(cs_.read16(msix + PCI_MSIX_FLAGS),
              ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    EXPECT_TRUE(cs_.msix_enabled());
    cs_.write32(msix + PCI_MSIX_TABLE, 0xffffffff);
    EXPECT_EQ(cs_.read32(msix + PCI_MSIX_TABLE), table);
}

TEST_F(ConfigSpaceTest, ExpressEndpoint) {
    uint8_t exp = cs_.find_capability(PCI_CAP_ID_EXP);
    ASSERT_NE(exp, 0);
    uint16_t flags = cs_.read16(exp + PCI_EXP_FLAGS);
    EXPECT_EQ(flags & PCI_EXP_FLAGS_VERS, 2);
    EXPECT_EQ((flags & PCI_EXP_FLAGS_TYPE) >> 4, PCI_EXP_TYPE_ENDPOINT);
    uint32_t devcap = cs_.read32(exp + PCI_EXP_DEVCAP);
    EXPECT_EQ(devcap & PCI_EXP_DEVCAP_FLR, 0u) << "no FLR: guests use a bus reset";
    EXPECT_EQ(cs_.read32(exp + PCI_EXP_LNKCAP) & PCI_EXP_LNKCAP_SLS, 4u);
    EXPECT_EQ((cs_.read32(exp + PCI_EXP_LNKCAP) & PCI_EXP_LNKCAP_MLW) >> 4, 16u);
    EXPECT_EQ(cs_.read16(exp + PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_CLS, 4);
    EXPECT_EQ((cs_.read16(exp + PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_NLW) >> 4, 16);
    EXPECT_EQ(cs_.read32(exp + PCI_EXP_LNKCAP2) & 0xfe, 0x1eu);

    // DevCtl: RW bits stick, FLR initiate (bit 15) is not writable.
    cs_.write16(exp + PCI_EXP_DEVCTL, 0xffff);
    uint16_t devctl = cs_.read16(exp + PCI_EXP_DEVCTL);
    EXPECT_TRUE(devctl & PCI_EXP_DEVCTL_READRQ);
    EXPECT_FALSE(devctl & PCI_EXP_DEVCTL_BCR_FLR);
    // DevSta is RW1C: nothing set, and writing ones keeps it clear.
    cs_.write16(exp + PCI_EXP_DEVSTA, 0xffff);
    EXPECT_EQ(cs_.read16(exp + PCI_EXP_DEVSTA), 0);
    // Link status is read-only.
    uint16_t lnksta = cs_.read16(exp + PCI_EXP_LNKSTA);
    cs_.write16(exp + PCI_EXP_LNKSTA, 0);
    EXPECT_EQ(cs_.read16(exp + PCI_EXP_LNKSTA), lnksta);
}

TEST_F(ConfigSpaceTest, BarSizing) {
    // BAR0: 64 KiB, 64-bit memory; BAR1 is its upper half.
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_0), PCI_BASE_ADDRESS_MEM_TYPE_64);
    cs_.write32(PCI_BASE_ADDRESS_0, 0xffffffff);
    cs_.write32(PCI_BASE_ADDRESS_1, 0xffffffff);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_0),
              static_cast<uint32_t>(~(SEED_BAR_REGS_SIZE - 1)) | PCI_BASE_ADDRESS_MEM_TYPE_64);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_1), 0xffffffffu);
    // BAR2: 16 KiB MSI-X BAR.
    cs_.write32(PCI_BASE_ADDRESS_2, 0xffffffff);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_2),
              static_cast<uint32_t>(~(SEED_BAR_MSIX_SIZE - 1)) | PCI_BASE_ADDRESS_MEM_TYPE_64);
    // Unused BARs and the ROM BAR stay 0, even after all-ones and ROM sizing writes.
    cs_.write32(PCI_BASE_ADDRESS_4, 0xffffffff);
    cs_.write32(PCI_BASE_ADDRESS_5, 0xffffffff);
    cs_.write32(PCI_ROM_ADDRESS, 0xfffff800);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_4), 0u);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_5), 0u);
    EXPECT_EQ(cs_.read32(PCI_ROM_ADDRESS), 0u);
    // Programming an address keeps the type bits.
    cs_.write32(PCI_BASE_ADDRESS_0, 0xfe012345);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_0), 0xfe010000u | PCI_BASE_ADDRESS_MEM_TYPE_64);
    // Zeroing, as QEMU does at reset.
    for (uint32_t bar = PCI_BASE_ADDRESS_0; bar <= PCI_BASE_ADDRESS_5; bar += 4)
        cs_.write32(bar, 0);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_0), PCI_BASE_ADDRESS_MEM_TYPE_64);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_1), 0u);
}

TEST_F(ConfigSpaceTest, CommandRwAndReadOnlyFields) {
    cs_.write16(PCI_COMMAND, 0xffff);
    uint16_t cmd = cs_.read16(PCI_COMMAND);
    EXPECT_EQ(cmd, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                       PCI_COMMAND_INTX_DISABLE);
    EXPECT_TRUE(cs_.memory_enabled());
    EXPECT_TRUE(cs_.bus_master_enabled());
    cs_.write16(PCI_COMMAND, 0);
    EXPECT_EQ(cs_.read16(PCI_COMMAND), 0);

    // Identity and header fields ignore writes.
    std::vector<uint8_t> before(64);
    cs_.read(0, before);
    for (uint32_t off :
         {PCI_VENDOR_ID, PCI_DEVICE_ID, PCI_REVISION_ID, PCI_CLASS_PROG, PCI_HEADER_TYPE,
          PCI_SUBSYSTEM_VENDOR_ID, PCI_CAPABILITY_LIST, PCI_INTERRUPT_PIN})
        cs_.write8(off, 0x5a);
    std::vector<uint8_t> after(64);
    cs_.read(0, after);
    EXPECT_EQ(before, after);

    // Cache line size and interrupt line are plain RW.
    cs_.write8(PCI_CACHE_LINE_SIZE, 0x10);
    cs_.write8(PCI_INTERRUPT_LINE, 0x0b);
    EXPECT_EQ(cs_.read8(PCI_CACHE_LINE_SIZE), 0x10);
    EXPECT_EQ(cs_.read8(PCI_INTERRUPT_LINE), 0x0b);

    // STATUS: CAP_LIST stays; RW1C bits are cleared by writing ones.
    cs_.write16(PCI_STATUS, 0xffff);
    EXPECT_EQ(cs_.read16(PCI_STATUS), PCI_STATUS_CAP_LIST);
}

TEST_F(ConfigSpaceTest, SubDwordAccessesAtEveryOffset) {
    const uint32_t dword = cs_.read32(PCI_VENDOR_ID);
    for (uint32_t off = 0; off < 4; ++off)
        EXPECT_EQ(cs_.read8(off), static_cast<uint8_t>(dword >> (8 * off))) << off;
    for (uint32_t off = 0; off < 3; ++off)
        EXPECT_EQ(cs_.read16(off), static_cast<uint16_t>(dword >> (8 * off))) << off;

    // A 16-bit write straddling COMMAND/STATUS at offset 5 touches COMMAND's
    // high byte (INTX_DISABLE) and STATUS's low byte (read-only).
    cs_.write16(PCI_COMMAND + 1, 0xffff);
    EXPECT_EQ(cs_.read16(PCI_COMMAND), PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    EXPECT_EQ(cs_.read16(PCI_STATUS), PCI_STATUS_CAP_LIST);
    // Byte writes into BAR0 behave like the dword write.
    for (uint32_t i = 0; i < 4; ++i)
        cs_.write8(PCI_BASE_ADDRESS_0 + i, 0xff);
    EXPECT_EQ(cs_.read32(PCI_BASE_ADDRESS_0),
              static_cast<uint32_t>(~(SEED_BAR_REGS_SIZE - 1)) | PCI_BASE_ADDRESS_MEM_TYPE_64);
    // Accesses past the end read 0 and are ignored.
    EXPECT_EQ(cs_.read32(ConfigSpace::kSize - 2), 0u);
    cs_.write32(ConfigSpace::kSize - 1, 0xffffffff);
}

TEST_F(ConfigSpaceTest, ResetRestoresDefaults) {
    ConfigSpace pristine = SeedChip::make_config_space();
    cs_.write16(PCI_COMMAND, 0xffff);
    cs_.write32(PCI_BASE_ADDRESS_0, 0xffffffff);
    cs_.write8(PCI_INTERRUPT_LINE, 9);
    cs_.reset();
    std::vector<uint8_t> a(ConfigSpace::kSize), b(ConfigSpace::kSize);
    cs_.read(0, a);
    pristine.read(0, b);
    EXPECT_EQ(a, b);
}

} // namespace
} // namespace seed::device::pci
