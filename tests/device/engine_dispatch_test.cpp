// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Compute packets through a queue: GEMM, ELEMENTWISE and REDUCE descriptors
// are fetched through the queue's context and run on an engine; descriptor
// errors and faults come back in the completion record.
#include "device_harness.h"

#include <cstring>

namespace seed::device {
namespace {

using namespace test;

class EngineDispatchTest : public PacketTest {
protected:
    uint32_t f32(float v) {
        uint32_t b;
        std::memcpy(&b, &v, 4);
        return b;
    }
    void put_f32(uint64_t iova, std::initializer_list<float> values) {
        for (float v : values) {
            mem_->store(iova, v);
            iova += 4;
        }
    }
};

TEST_F(EngineDispatchTest, GemmRunsThroughTheQueue) {
    // A (2x2) and B (2x2) in host memory, C in HBM, copied back to host.
    put_f32(host_ + 0, {1, 2, 3, 4});
    put_f32(host_ + 16, {5, 6, 7, 8});
    seed_gemm_desc d{};
    d.a = kHost;
    d.b = kHost + 16;
    d.c = kHbm;
    d.m = d.n = d.k = 2;
    d.lda = d.ldb = d.ldc = 2;
    d.alpha = f32(1.0f);
    d.dtype = SEED_DT_F32;
    d.out_dtype = SEED_DT_F32;
    mem_->store(host_ + 1024, d);
    run_ok({compute(SEED_OP_GEMM, kHost + 1024), copy(kHbm, kHost + 64, 16)});
    EXPECT_EQ(mem_->load<float>(host_ + 64), 19.0f);
    EXPECT_EQ(mem_->load<float>(host_ + 68), 22.0f);
    EXPECT_EQ(mem_->load<float>(host_ + 72), 43.0f);
    EXPECT_EQ(mem_->load<float>(host_ + 76), 50.0f);
}

TEST_F(EngineDispatchTest, ElementwiseAndReduce) {
    put_f32(host_, {1, -2, 3, -4});
    seed_ew_desc e{};
    e.src0 = kHost;
    e.dst = kHost + 64;
    e.rows = 1;
    e.cols = 4;
    e.src0_col_stride = 1;
    e.op = SEED_EW_RELU;
    e.src_dtype = e.dst_dtype = SEED_DT_F32;
    mem_->store(host_ + 1024, e);
    seed_reduce_desc r{};
    r.src = kHost + 64;
    r.dst = kHost + 128;
    r.rows = 1;
    r.cols = 4;
    r.op = SEED_REDUCE_SUM;
    r.src_dtype = r.dst_dtype = SEED_DT_F32;
    mem_->store(host_ + 1088, r);
    run_ok({compute(SEED_OP_ELEMENTWISE, kHost + 1024), compute(SEED_OP_REDUCE, kHost + 1088)});
    EXPECT_EQ(mem_->load<float>(host_ + 64 + 4), 0.0f);
    EXPECT_EQ(mem_->load<float>(host_ + 128), 4.0f);
}

TEST_F(EngineDispatchTest, DescriptorErrors) {
    take_events();
    seed_gemm_desc d{};
    d.m = d.n = d.k = 1;
    d.lda = d.ldb = d.ldc = 1;
    d.reserved[2] = 1;
    mem_->store(host_ + 1024, d);
    seed_cpl_record rec = run_error(with(compute(SEED_OP_GEMM, kHost + 1024), 0, 0, 9));
    EXPECT_EQ(rec.error, uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(rec.error_opcode, SEED_OP_GEMM);
    EXPECT_EQ(rec.error_tag, 9u);
    EXPECT_LT(rec.error_engine, 2u) << "the engine that ran it";
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].engine, rec.error_engine);
    // Descriptor in unmapped memory: an MMU fault at the descriptor.
    rec = run_error(compute(SEED_OP_REDUCE, 0x900000));
    EXPECT_EQ(rec.error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(rec.fault_addr, 0x900000u);
    EXPECT_EQ(SEED_FAULT_INFO_ACCESS(rec.fault_info), uint32_t{SEED_FAULT_ACCESS_READ});
}

} // namespace
} // namespace seed::device

namespace seed::device {
namespace {

using namespace test;

class WatchdogTest : public PacketTest {};

TEST_F(WatchdogTest, AbortsLongEnginePacket) {
    take_events();
    constexpr uint64_t kBig = 48ull << 20;
    pt_->map(0x80000000, 8ull << 20, kBig, kRW | SEED_PTE_HBM, k2M);
    reg(SEED_REG_WATCHDOG_MS, 1);
    EXPECT_EQ(reg(SEED_REG_WATCHDOG_MS), 1u);
    // 48 MiB of fresh HBM takes far longer than 1 ms to fill.
    seed_cpl_record r = run_error(with(fill(0x80000000, kBig, 0x5a, 1), 0, 0, 21));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_HANG});
    EXPECT_EQ(r.error_opcode, SEED_OP_FILL);
    EXPECT_EQ(r.error_tag, 21u);
    EXPECT_LT(r.error_engine, 2u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, SEED_EVENT_ENGINE_HANG);
    EXPECT_EQ(events[0].error, uint32_t{SEED_ERR_HANG});
    EXPECT_EQ(events[0].info, 1u);
    EXPECT_GE(events[0].data, 1000000u);
    // Non-engine packets are not subject to the watchdog.
    mem_->store<uint64_t>(host_, 0);
    TestQueue q = create_queue(6, 3);
    submit(q, {wait(kHost, 1, 20000), nop(SEED_PKT_F_FENCE, 3)});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    mem_->store<uint64_t>(host_, 1);
    seed_cpl_record ok = wait_head(q, 2);
    EXPECT_EQ(ok.error, 0u);
    // With the watchdog off the same fill completes.
    reg(SEED_REG_WATCHDOG_MS, 0);
    run_ok({fill(0x80000000, kBig, 0x5a, 1)});
}

} // namespace
} // namespace seed::device
