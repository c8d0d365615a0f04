// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The HBM copy block (docs/hardware.md §6.1), through the registers: copies
// both ways that the engines see, its errors, poison, Bus Master Enable,
// FATAL and resets.
#include "device_harness.h"

#include <hw/seed_hw.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace seed::device {
namespace {

using namespace test;

class HbmCopyTest : public PacketTest {
protected:
    static constexpr uint64_t kHbmAddr = 2 * k2M; // where PacketTest maps kHbm

    /// Starts copy @p seq and returns its status; DONE must read @p seq.
    uint32_t hbm_copy(uint64_t hbm, uint64_t host, uint32_t len, uint32_t ctrl, uint32_t seq) {
        reg64(SEED_REG_HBMC_HBM_LO, hbm);
        reg64(SEED_REG_HBMC_HOST_LO, host);
        reg(SEED_REG_HBMC_LEN, len);
        reg(SEED_REG_HBMC_CTRL, ctrl);
        reg(SEED_REG_HBMC_SEQ, seq);
        EXPECT_EQ(reg(SEED_REG_HBMC_DONE), seq);
        return reg(SEED_REG_HBMC_STATUS);
    }

    /// A host buffer of @p bytes filled with a pattern seeded by @p seed.
    uint64_t pattern(uint64_t bytes, uint8_t seed) {
        const uint64_t iova = mem_->alloc(bytes);
        for (uint64_t i = 0; i < bytes; ++i)
            mem_->at(iova)[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 12));
        return iova;
    }
};

TEST_F(HbmCopyTest, CapabilityAndResetValues) {
    EXPECT_NE(reg(SEED_REG_CAPS) & SEED_CAP_HBM_COPY, 0u);
    for (uint32_t off = SEED_REG_HBMC_HBM_LO; off <= SEED_REG_HBMC_COPIED; off += 4)
        EXPECT_EQ(reg(off), 0u) << std::hex << off;
}

// Host to HBM lands where a COPY packet reads it, and HBM to host returns
// what a FILL packet wrote, at odd addresses and lengths.
TEST_F(HbmCopyTest, BothDirectionsMeetTheEngines) {
    const uint32_t len = 3 * SEED_PAGE_SIZE + 123;
    const uint64_t src = pattern(len + 64, 0x11);
    ASSERT_EQ(hbm_copy(kHbmAddr + 5, src + 3, len, SEED_HBMC_CTRL_TO_HBM, 1), 0u);
    EXPECT_EQ(reg(SEED_REG_HBMC_COPIED), len);
    run_ok({copy(kHbm + 5, kHost, len)});
    EXPECT_EQ(std::memcmp(mem_->at(host_), mem_->at(src + 3), len), 0);

    run_ok({fill(kHbm + k2M - 256, 512, 0xa5, 1)}); // across the two 2 MiB pages
    const uint64_t dst = mem_->alloc(SEED_PAGE_SIZE);
    std::memset(mem_->at(dst), 0x33, SEED_PAGE_SIZE);
    ASSERT_EQ(hbm_copy(kHbmAddr + k2M - 256, dst + 1, 512, 0, 2), 0u);
    for (unsigned i = 0; i < 512; ++i)
        ASSERT_EQ(mem_->at(dst)[1 + i], 0xa5) << i;
    EXPECT_EQ(mem_->at(dst)[0], 0x33);
    EXPECT_EQ(mem_->at(dst)[513], 0x33);
}

TEST_F(HbmCopyTest, LargestCopy) {
    const uint64_t src = pattern(SEED_HBMC_MAX_LEN, 0x5e);
    const uint64_t dst = mem_->alloc(SEED_HBMC_MAX_LEN);
    ASSERT_EQ(hbm_copy(kHbmAddr, src, SEED_HBMC_MAX_LEN, SEED_HBMC_CTRL_TO_HBM, 7), 0u);
    ASSERT_EQ(hbm_copy(kHbmAddr, dst, SEED_HBMC_MAX_LEN, 0, 8), 0u);
    EXPECT_EQ(reg(SEED_REG_HBMC_COPIED), SEED_HBMC_MAX_LEN);
    EXPECT_EQ(std::memcmp(mem_->at(src), mem_->at(dst), SEED_HBMC_MAX_LEN), 0);
}

// Every refused copy completes with its error and moves nothing.
TEST_F(HbmCopyTest, BadCopiesFailAndMoveNothing) {
    const uint64_t hbm_size =
        reg(SEED_REG_HBM_SIZE_LO) | (uint64_t{reg(SEED_REG_HBM_SIZE_HI)} << 32);
    const uint64_t host = mem_->alloc(2 * SEED_PAGE_SIZE);
    std::memset(mem_->at(host), 0x77, 2 * SEED_PAGE_SIZE);
    struct Case {
        uint64_t hbm, host;
        uint32_t len, ctrl, error;
    } cases[] = {
        {kHbmAddr, host, 64, 1u << 1, SEED_ERR_MALFORMED},
        {kHbmAddr, host, 64, 0x80000000u, SEED_ERR_MALFORMED},
        {kHbmAddr, host, 0, 0, SEED_ERR_BAD_SIZE},
        {kHbmAddr, host, SEED_HBMC_MAX_LEN + 1, 0, SEED_ERR_BAD_SIZE},
        {hbm_size - 32, host, 64, 0, SEED_ERR_BAD_SIZE},
        {hbm_size, host, 1, 0, SEED_ERR_BAD_SIZE},
        {~0ull - 16, host, 64, 0, SEED_ERR_BAD_SIZE},
        {kHbmAddr, GuestMemory::kBase - SEED_PAGE_SIZE, 64, 0, SEED_ERR_BUS},
        {kHbmAddr, GuestMemory::kBase + mem_->size() - 32, 64, 0, SEED_ERR_BUS},
        {kHbmAddr, 0, 64, SEED_HBMC_CTRL_TO_HBM, SEED_ERR_BUS},
    };
    uint32_t seq = 100;
    for (const auto& c : cases) {
        EXPECT_EQ(hbm_copy(c.hbm, c.host, c.len, c.ctrl, ++seq), c.error) << seq;
        EXPECT_EQ(reg(SEED_REG_HBMC_COPIED), 0u) << seq;
    }
    for (unsigned i = 0; i < 2 * SEED_PAGE_SIZE; ++i)
        ASSERT_EQ(mem_->at(host)[i], 0x77) << i;
    // The block still works.
    EXPECT_EQ(hbm_copy(kHbmAddr, host, 64, 0, ++seq), 0u);
}

TEST_F(HbmCopyTest, ReadOnlyRegistersIgnoreWrites) {
    ASSERT_EQ(hbm_copy(kHbmAddr, mem_->alloc(64), 64, 0, 5), 0u);
    reg(SEED_REG_HBMC_DONE, 99);
    reg(SEED_REG_HBMC_STATUS, 3);
    reg(SEED_REG_HBMC_COPIED, 1);
    EXPECT_EQ(reg(SEED_REG_HBMC_DONE), 5u);
    EXPECT_EQ(reg(SEED_REG_HBMC_STATUS), 0u);
    EXPECT_EQ(reg(SEED_REG_HBMC_COPIED), 64u);
    EXPECT_EQ(reg(SEED_REG_HBMC_SEQ), 0u); // write-only
}

// A read stops at a poisoned page with ECC, after writing what lies before
// it; a write does not heal the page.
TEST_F(HbmCopyTest, PoisonStopsTheCopy) {
    const uint64_t bad = kHbmAddr + 2 * SEED_PAGE_SIZE + 100;
    chip_->inject_ecc(true, bad);
    (void)take_events();
    run_ok({fill(kHbm, 2 * SEED_PAGE_SIZE, 0x42, 1)});
    const uint64_t dst = mem_->alloc(4 * SEED_PAGE_SIZE);
    std::memset(mem_->at(dst), 0x11, 4 * SEED_PAGE_SIZE);
    EXPECT_EQ(hbm_copy(kHbmAddr, dst, 4 * SEED_PAGE_SIZE, 0, 1), uint32_t{SEED_ERR_ECC});
    EXPECT_EQ(reg(SEED_REG_HBMC_COPIED), 2 * SEED_PAGE_SIZE);
    for (unsigned i = 0; i < 4 * SEED_PAGE_SIZE; ++i)
        ASSERT_EQ(mem_->at(dst)[i], i < 2 * SEED_PAGE_SIZE ? 0x42 : 0x11) << i;

    // Starting inside the poisoned page: nothing.
    EXPECT_EQ(hbm_copy(bad + 8, dst, 16, 0, 2), uint32_t{SEED_ERR_ECC});
    EXPECT_EQ(reg(SEED_REG_HBMC_COPIED), 0u);
    EXPECT_EQ(hbm_copy(bad - 100, dst, 64, SEED_HBMC_CTRL_TO_HBM, 3), uint32_t{SEED_ERR_ECC});
    EXPECT_EQ(hbm_copy(bad - 100, dst, 64, 0, 4), uint32_t{SEED_ERR_ECC});
    EXPECT_TRUE(take_events().empty()) << "the copy block raises no event";
}

// With Bus Master Enable clear a copy waits (the last one started), and
// runs when the bit is set.
TEST_F(HbmCopyTest, WaitsForBusMaster) {
    const uint64_t src = pattern(256, 0x21);
    const uint64_t dst = mem_->alloc(256);
    ASSERT_EQ(hbm_copy(kHbmAddr, src, 256, SEED_HBMC_CTRL_TO_HBM, 1), 0u);
    set_bus_master(false);
    reg64(SEED_REG_HBMC_HBM_LO, kHbmAddr);
    reg64(SEED_REG_HBMC_HOST_LO, dst);
    reg(SEED_REG_HBMC_LEN, 128);
    reg(SEED_REG_HBMC_CTRL, 0);
    reg(SEED_REG_HBMC_SEQ, 2);
    reg(SEED_REG_HBMC_LEN, 256);
    reg(SEED_REG_HBMC_SEQ, 3); // replaces copy 2
    EXPECT_EQ(reg(SEED_REG_HBMC_DONE), 1u);
    EXPECT_EQ(mem_->at(dst)[0], 0);
    set_bus_master(true);
    EXPECT_EQ(reg(SEED_REG_HBMC_DONE), 3u);
    EXPECT_EQ(reg(SEED_REG_HBMC_COPIED), 256u);
    EXPECT_EQ(std::memcmp(mem_->at(src), mem_->at(dst), 256), 0);
}

// The block works while the device is FATAL (to save HBM before the
// reset), and a device reset clears its registers but not HBM.
TEST_F(HbmCopyTest, WorksWhileFatalAndResetClearsIt) {
    const uint64_t src = pattern(4096, 0x3c);
    ASSERT_EQ(hbm_copy(kHbmAddr, src, 4096, SEED_HBMC_CTRL_TO_HBM, 1), 0u);
    chip_->inject_fatal();
    for (int i = 0; i < 500 && (reg(SEED_REG_DEV_STATUS) & SEED_DEV_STATUS_FATAL) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_NE(reg(SEED_REG_DEV_STATUS) & SEED_DEV_STATUS_FATAL, 0u);
    const uint64_t dst = mem_->alloc(4096);
    ASSERT_EQ(hbm_copy(kHbmAddr, dst, 4096, 0, 2), 0u);
    EXPECT_EQ(std::memcmp(mem_->at(src), mem_->at(dst), 4096), 0);

    reg(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
    for (int i = 0; i < 500 && reg(SEED_REG_DEV_STATUS) != SEED_DEV_STATUS_READY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_EQ(reg(SEED_REG_DEV_STATUS), uint32_t{SEED_DEV_STATUS_READY});
    for (uint32_t off = SEED_REG_HBMC_HBM_LO; off <= SEED_REG_HBMC_COPIED; off += 4)
        EXPECT_EQ(reg(off), 0u) << std::hex << off;
    std::memset(mem_->at(dst), 0, 4096);
    ASSERT_EQ(hbm_copy(kHbmAddr, dst, 4096, 0, 3), 0u);
    EXPECT_EQ(std::memcmp(mem_->at(src), mem_->at(dst), 4096), 0);
}

} // namespace
} // namespace seed::device
