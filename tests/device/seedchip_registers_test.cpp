// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// SeedChip BAR0 register file and MSI-X BAR, driven directly (no socket).
#include "seedchip.h"

#include "fake_client.h"
#include "log.h"
#include "vfio_user/protocol.h"

#include <hw/seed_hw.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace seed::device {
namespace {

class SeedChipRegisters : public ::testing::Test {
protected:
    void SetUp() override {
        log::set_level(LogLevel::kError);
        chip_ = SeedChip::create(test::test_chip_config());
        ASSERT_NE(chip_, nullptr);
    }
    uint32_t reg(uint32_t offset) { return chip_->read_register(offset); }

    std::unique_ptr<SeedChip> chip_;
};

TEST_F(SeedChipRegisters, IdentityBlock) {
    EXPECT_EQ(reg(SEED_REG_MAGIC), SEED_MAGIC);
    EXPECT_EQ(reg(SEED_REG_HW_REV), static_cast<uint32_t>(SEED_HW_REV_V1_0));
    EXPECT_EQ(reg(SEED_REG_FW_VERSION), 0x01000000u);
    EXPECT_EQ(reg(SEED_REG_CAPS), SEED_CAP_MMU | SEED_CAP_GEMM | SEED_CAP_ELEMENTWISE |
                                      SEED_CAP_REDUCE | SEED_CAP_TELEMETRY | SEED_CAP_POWER_LIMIT |
                                      SEED_CAP_HBM_COPY);
    EXPECT_EQ(reg(SEED_REG_DTYPES),
              SEED_DTYPE_F32 | SEED_DTYPE_F16 | SEED_DTYPE_BF16 | SEED_DTYPE_I8 | SEED_DTYPE_I32);
    EXPECT_EQ(reg(SEED_REG_PAGE_SIZES), SEED_PAGE_SIZES_V1_0);
    EXPECT_EQ(reg(SEED_REG_MMU_INFO), static_cast<uint32_t>(SEED_MMU_INFO_V1_0));
    EXPECT_EQ(reg(SEED_REG_HBM_SIZE_LO), 64u << 20);
    EXPECT_EQ(reg(SEED_REG_HBM_SIZE_HI), 0u);
    EXPECT_EQ(SEED_QUEUE_INFO_QUEUES(reg(SEED_REG_QUEUE_INFO)), 8u);
    EXPECT_EQ(SEED_QUEUE_INFO_ENGINES(reg(SEED_REG_QUEUE_INFO)), 2u);
    // UUID 00112233-4455-6677-8899-aabbccddeeff, byte 0 in the low byte of UUID(0).
    EXPECT_EQ(reg(SEED_REG_UUID(0)), 0x33221100u);
    EXPECT_EQ(reg(SEED_REG_UUID(3)), 0xffeeddccu);
    // "TEST0", NUL padded.
    EXPECT_EQ(reg(SEED_REG_SERIAL(0)), 0x54534554u);
    EXPECT_EQ(reg(SEED_REG_SERIAL(1)), 0x30u);
    for (int i = 2; i < 8; ++i)
        EXPECT_EQ(reg(SEED_REG_SERIAL(i)), 0u);
}

TEST_F(SeedChipRegisters, ContextCountIsConfigurable) {
    SeedChipConfig config = test::test_chip_config();
    config.contexts = 4;
    auto chip = SeedChip::create(config);
    ASSERT_NE(chip, nullptr);
    const uint32_t info = chip->read_register(SEED_REG_MMU_INFO);
    EXPECT_EQ(SEED_MMU_INFO_CONTEXTS(info), 4u);
    EXPECT_EQ(SEED_MMU_INFO_VA_BITS(info), SEED_MMU_INFO_VA_BITS(SEED_MMU_INFO_V1_0));
    EXPECT_EQ(SEED_MMU_INFO_LEVELS(info), SEED_MMU_INFO_LEVELS(SEED_MMU_INFO_V1_0));
    // Check 3 of a queue enable (§9.8) follows the count.
    chip->write_register(SEED_REG_Q_CONTEXT(0), 4);
    chip->write_register(SEED_REG_Q_RING_SIZE(0), 16);
    chip->write_register(SEED_REG_Q_CTRL(0), SEED_QUEUE_CTRL_ENABLE);
    EXPECT_EQ(SEED_QUEUE_STATUS_STATE(chip->read_register(SEED_REG_Q_STATUS(0))),
              uint32_t{SEED_QUEUE_STATE_STOPPED});
}

TEST_F(SeedChipRegisters, LargeHbmSizeSplitsIntoHalves) {
    SeedChipConfig config = test::test_chip_config();
    config.hbm_size = 96ull << 30;
    auto chip = SeedChip::create(config);
    ASSERT_NE(chip, nullptr);
    uint64_t size = chip->read_register(SEED_REG_HBM_SIZE_LO) |
                    (uint64_t{chip->read_register(SEED_REG_HBM_SIZE_HI)} << 32);
    EXPECT_EQ(size, 96ull << 30);
}

TEST_F(SeedChipRegisters, IdentityIsReadOnly) {
    chip_->write_register(SEED_REG_MAGIC, 0);
    chip_->write_register(SEED_REG_UUID(1), 0);
    chip_->write_register(SEED_REG_IRQ_TEST_COUNT, 55);
    chip_->write_register(SEED_REG_DEV_STATUS, 0);
    EXPECT_EQ(reg(SEED_REG_MAGIC), SEED_MAGIC);
    EXPECT_EQ(reg(SEED_REG_UUID(1)), 0x77665544u);
    EXPECT_EQ(reg(SEED_REG_IRQ_TEST_COUNT), 0u);
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), SEED_DEV_STATUS_READY);
}

TEST_F(SeedChipRegisters, ScratchAndDevCtrlReset) {
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 0u);
    chip_->write_register(SEED_REG_SCRATCH, 0xdeadbeef);
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 0xdeadbeefu);
    chip_->write_register(SEED_REG_IRQ_TEST, 1);
    EXPECT_EQ(reg(SEED_REG_IRQ_TEST_COUNT), 1u);
    chip_->write_register(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    // The reset completes asynchronously; poll as a driver does at bring-up (§17.1).
    for (int i = 0; i < 1000 && reg(SEED_REG_DEV_CTRL) != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(reg(SEED_REG_DEV_CTRL), 0u) << "self clearing";
    EXPECT_EQ(reg(SEED_REG_RESET_COUNT), 1u);
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 0u);
    EXPECT_EQ(reg(SEED_REG_IRQ_TEST_COUNT), 0u);
    EXPECT_EQ(reg(SEED_REG_DEV_STATUS), SEED_DEV_STATUS_READY);
    EXPECT_FALSE(chip_->msix().pending(1)) << "reset clears pending interrupts";
}

TEST_F(SeedChipRegisters, IrqTest) {
    chip_->write_register(SEED_REG_IRQ_TEST, SEED_MSIX_VEC_QUEUE(3));
    EXPECT_TRUE(chip_->msix().pending(SEED_MSIX_VEC_QUEUE(3))) << "no eventfd: latched";
    chip_->write_register(SEED_REG_IRQ_TEST, SEED_MSIX_VECTORS); // out of range: ignored
    chip_->write_register(SEED_REG_IRQ_TEST, 0xffffffff);
    EXPECT_EQ(reg(SEED_REG_IRQ_TEST_COUNT), 1u);
    EXPECT_EQ(reg(SEED_REG_IRQ_TEST), 0u) << "write-only";
}

TEST_F(SeedChipRegisters, UndefinedOffsets) {
    for (uint32_t off : {0x24u, 0x2cu, 0x64u, 0x120u, 0x2000u, uint32_t{SEED_BAR_REGS_SIZE - 4}}) {
        chip_->write_register(off, 0xffffffff);
        EXPECT_EQ(reg(off), 0u) << off;
    }
}

TEST_F(SeedChipRegisters, AccessSizes) {
    chip_->write_register(SEED_REG_SCRATCH, 0x11223344);
    // 8-byte access: two dwords.
    uint8_t q[8];
    ASSERT_EQ(chip_->region_read(SEED_BAR_REGS, SEED_REG_MAGIC, q), 0);
    EXPECT_EQ(test::struct_at<uint64_t>(q), uint64_t{SEED_HW_REV_V1_0} << 32 | SEED_MAGIC);
    // SCRATCH and IRQ_TEST in one 8-byte write.
    const uint8_t w[8] = {5, 0, 0, 0, 3, 0, 0, 0};
    ASSERT_EQ(chip_->region_write(SEED_BAR_REGS, SEED_REG_SCRATCH, w), 0);
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 5u);
    EXPECT_EQ(reg(SEED_REG_IRQ_TEST_COUNT), 1u);
    EXPECT_TRUE(chip_->msix().pending(3));
    // Sub-dword and unaligned accesses: read 0, writes ignored, no error.
    uint8_t b[2] = {0xff, 0xff};
    ASSERT_EQ(chip_->region_read(SEED_BAR_REGS, SEED_REG_MAGIC, b), 0);
    EXPECT_EQ(b[0] | b[1], 0);
    uint8_t d[4] = {0xff, 0xff, 0xff, 0xff};
    ASSERT_EQ(chip_->region_read(SEED_BAR_REGS, SEED_REG_MAGIC + 2, d), 0);
    EXPECT_EQ(test::struct_at<uint32_t>(d), 0u);
    const uint8_t one[1] = {7};
    ASSERT_EQ(chip_->region_write(SEED_BAR_REGS, SEED_REG_SCRATCH, one), 0);
    EXPECT_EQ(reg(SEED_REG_SCRATCH), 5u);
}

TEST_F(SeedChipRegisters, MsixBarServesPba) {
    chip_->write_register(SEED_REG_IRQ_TEST, 0);
    chip_->write_register(SEED_REG_IRQ_TEST, 64);
    uint8_t pba[16];
    ASSERT_EQ(chip_->region_read(SEED_BAR_MSIX, SEED_MSIX_PBA_OFFSET, pba), 0);
    EXPECT_EQ(test::struct_at<uint64_t>(pba, 0), 1u);
    EXPECT_EQ(test::struct_at<uint64_t>(pba, 8), 1u);
    // A read straddling the end of the PBA.
    uint8_t tail[8];
    ASSERT_EQ(chip_->region_read(SEED_BAR_MSIX, SEED_MSIX_PBA_OFFSET + 12, tail), 0);
    EXPECT_EQ(test::struct_at<uint64_t>(tail), 0u);
    ASSERT_EQ(chip_->region_read(SEED_BAR_MSIX, SEED_MSIX_PBA_OFFSET + 8, tail), 0);
    EXPECT_EQ(tail[0], 1);
    // Table reads are the client's business: zeros here.
    uint8_t entry[16];
    ASSERT_EQ(chip_->region_read(SEED_BAR_MSIX, SEED_MSIX_TABLE_OFFSET, entry), 0);
    EXPECT_EQ(test::struct_at<uint64_t>(entry), 0u);
}

} // namespace
} // namespace seed::device
