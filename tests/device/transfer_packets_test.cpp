// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// COPY and FILL packets: data movement between host memory and HBM, 2-D
// copies, fill patterns, and every error the manual defines for them.
#include "device_harness.h"

namespace seed::device {
namespace {

using namespace test;

class TransferTest : public PacketTest {};

TEST_F(TransferTest, CopyHostToHbmAndBack) {
    for (uint64_t i = 0; i < 2 * SEED_PAGE_SIZE; ++i)
        mem_->at(host_)[i] = static_cast<uint8_t>(i * 13 + 1);
    // Unaligned, spanning host pages and the 2 MiB HBM page boundary.
    run_ok({copy(kHost + 3, kHbm + k2M - 1000, 5000),
            copy(kHbm + k2M - 1000, kHost + 2 * SEED_PAGE_SIZE + 5, 5000)});
    EXPECT_EQ(std::memcmp(mem_->at(host_) + 3, mem_->at(host_) + 2 * SEED_PAGE_SIZE + 5, 5000), 0);
    uint8_t b = 0;
    ASSERT_EQ(chip_->hbm().read(3 * k2M - 1000, {&b, 1}), 0);
    EXPECT_EQ(b, mem_->at(host_)[3]);
}

TEST_F(TransferTest, Copy2DWithPitches) {
    for (int r = 0; r < 4; ++r)
        for (int i = 0; i < 16; ++i)
            mem_->at(host_)[r * 100 + i] = static_cast<uint8_t>(r * 16 + i);
    run_ok({copy(kHost, kHost + 4096, 16, 4, 100, 32)});
    for (int r = 0; r < 4; ++r) {
        EXPECT_EQ(mem_->at(host_)[4096 + r * 32], r * 16);
        EXPECT_EQ(mem_->at(host_)[4096 + r * 32 + 15], r * 16 + 15);
        EXPECT_EQ(mem_->at(host_)[4096 + r * 32 + 16], 0) << "gap untouched";
    }
    // src_pitch 0 repeats one row.
    run_ok({copy(kHost, kHost + 8192, 8, 3, 0, 8)});
    EXPECT_EQ(std::memcmp(mem_->at(host_) + 8192 + 16, mem_->at(host_), 8), 0);
}

TEST_F(TransferTest, CopySizeChecks) {
    EXPECT_EQ(run_error(copy(kHost, kHost + 64, 0)).error, uint32_t{SEED_ERR_BAD_SIZE});
    EXPECT_EQ(run_error(copy(kHost, kHost + 64, SEED_COPY_MAX_WIDTH + 1)).error,
              uint32_t{SEED_ERR_BAD_SIZE});
    EXPECT_EQ(run_error(copy(kHost, kHost + 64, 8, 0)).error, uint32_t{SEED_ERR_BAD_SIZE});
    EXPECT_EQ(run_error(copy(kHost, kHost + 64, 8, SEED_COPY_MAX_HEIGHT + 1, 8, 8)).error,
              uint32_t{SEED_ERR_BAD_SIZE});
    EXPECT_EQ(run_error(copy(kHost, kHost + 64, 8, 2, 8, 7)).error, uint32_t{SEED_ERR_BAD_SIZE});
    seed_pkt_raw reserved = copy(kHost, kHost + 64, 8);
    reserved.payload[3] = uint64_t{1} << 32 | 1; // height 1, reserved 1
    seed_cpl_record r = run_error(reserved);
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(r.error_engine, 0u) << "engine packets report their engine";
}

TEST_F(TransferTest, CopyFaultsReportAddressAndAccess) {
    take_events();
    // Source unmapped (read fault) after the first page.
    seed_cpl_record r = run_error(with(copy(kHost + 4 * SEED_PAGE_SIZE - 8, kHbm, 16), 0, 0, 77));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(r.fault_addr, kHost + 4 * SEED_PAGE_SIZE);
    EXPECT_EQ(r.fault_info,
              make_fault_info(SEED_FAULT_ACCESS_READ, SEED_FAULT_REASON_NOT_PRESENT, 0));
    EXPECT_EQ(r.error_opcode, SEED_OP_COPY);
    EXPECT_EQ(r.error_tag, 77u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_MMU_FAULT);
    EXPECT_EQ(events[0].error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(events[0].addr, kHost + 4 * SEED_PAGE_SIZE);
    EXPECT_EQ(events[0].info, r.fault_info);
    EXPECT_EQ(events[0].context, 3u);
    EXPECT_EQ(events[0].opcode, SEED_OP_COPY);
    EXPECT_EQ(events[0].tag, 77u);
    EXPECT_EQ(events[0].data, 0u) << "the entry that faulted was empty";
    // Destination read-only (write permission fault).
    r = run_error(copy(kHost, kReadOnly + 8, 16));
    EXPECT_EQ(r.fault_addr, kReadOnly + 8);
    EXPECT_EQ(r.fault_info,
              make_fault_info(SEED_FAULT_ACCESS_WRITE, SEED_FAULT_REASON_PERMISSION, 0));
    events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, (ro_ | SEED_PTE_VALID | SEED_PTE_READ));
    // HBM beyond its size: a 1 GiB leaf at HBM 0 of a 64 MiB device.
    pt_->map(1ull << 30, 0, 1ull << 30, kRW | SEED_PTE_HBM, 1ull << 30);
    r = run_error(fill((1ull << 30) + (64ull << 20), 8, 0, 1));
    EXPECT_EQ(r.fault_info, make_fault_info(SEED_FAULT_ACCESS_WRITE, SEED_FAULT_REASON_RANGE, 2));
}

TEST_F(TransferTest, FillPatterns) {
    run_ok({fill(kHost, 3, 0xab, 1), fill(kHost + 64, 6, 0xbeef, 2),
            fill(kHost + 128, 8, 0xdeadbeef, 4),
            fill(kHbm, 3 * SEED_PAGE_SIZE, 0x0102030405060708, 8),
            copy(kHbm + SEED_PAGE_SIZE - 8, kHost + 256, 16)});
    EXPECT_EQ(mem_->at(host_)[2], 0xab);
    EXPECT_EQ(mem_->at(host_)[3], 0);
    EXPECT_EQ(mem_->load<uint16_t>(host_ + 68), 0xbeef);
    EXPECT_EQ(mem_->load<uint16_t>(host_ + 70), 0);
    EXPECT_EQ(mem_->load<uint32_t>(host_ + 132), 0xdeadbeefu);
    EXPECT_EQ(mem_->load<uint64_t>(host_ + 256), 0x0102030405060708u);
    EXPECT_EQ(mem_->load<uint64_t>(host_ + 264), 0x0102030405060708u);
}

TEST_F(TransferTest, FillChecks) {
    EXPECT_EQ(run_error(fill(kHost, 8, 0, 3)).error, uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(run_error(fill(kHost, 8, 0, 0)).error, uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(run_error(fill(kHost, 0, 0, 1)).error, uint32_t{SEED_ERR_BAD_SIZE});
    EXPECT_EQ(run_error(fill(kHost, 6, 0, 4)).error, uint32_t{SEED_ERR_BAD_SIZE});
    EXPECT_EQ(run_error(fill(kHost, SEED_FILL_MAX_SIZE + 8, 0, 8)).error,
              uint32_t{SEED_ERR_BAD_SIZE});
    seed_cpl_record r = run_error(fill(kHost + 2, 8, 0, 4));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MISALIGNED});
    EXPECT_EQ(r.fault_addr, kHost + 2);
    seed_pkt_raw reserved = fill(kHost, 8, 0, 1);
    reserved.payload[4] = 1;
    EXPECT_EQ(run_error(reserved).error, uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(mem_->at(host_)[0], 0) << "failed checks write nothing";
}

} // namespace
} // namespace seed::device
