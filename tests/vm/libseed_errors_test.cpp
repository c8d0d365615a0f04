// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of libseed's error paths: arguments rejected while recording,
// jobs that fail on the device (MMU fault, write to a read-only buffer,
// invalid packet, WAIT timeout) surfacing as seed::JobError with the
// driver's report, and queues that keep working after a failure.
#include <seed/seed.hpp>

#include <hw/seed_hw.h>

#include "libseed_fixture.hpp"
#include "support/error_of.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace {

using seed::test::error_of;

using namespace std::chrono_literals;

class LibseedErrors : public seed::vm::LibseedQueueTest {
protected:
    /// Runs @p list and returns the JobError its fence throws.
    std::optional<seed::JobError> failure_of(seed::CommandList& list) {
        const seed::Fence f = q_->submit(list);
        try {
            f.wait();
        } catch (const seed::JobError& e) {
            // status() reports the same without throwing.
            const auto st = f.status();
            EXPECT_TRUE(st && *st == e.status());
            return e;
        }
        ADD_FAILURE() << "job did not fail";
        return std::nullopt;
    }
};

TEST_F(LibseedErrors, InvalidArgumentsAreRejectedWhileRecording) {
    seed::Buffer b(*dev_, 4096, seed::Placement::host);
    seed::Buffer other_dev_buf;
    seed::CommandList l(*dev_);
    const auto inv = make_error_code(seed::Errc::invalid_argument);
    EXPECT_EQ(error_of([&] { l.copy(b, b, 0); }), inv);
    EXPECT_EQ(error_of([&] { l.copy(seed::BufferView(b, 4000), b, 200); }), inv);
    EXPECT_EQ(error_of([&] { l.copy(b, seed::BufferView(b, 8192), 1); }), inv);
    EXPECT_EQ(error_of([&] { l.fill(b, 12, 0, 3); }), inv);
    EXPECT_EQ(error_of([&] { l.fill(b, 6, 0, 4); }), inv);
    EXPECT_EQ(error_of([&] { l.signal(seed::BufferView(b, 4), 1); }), inv);
    EXPECT_EQ(error_of([&] { l.copy_2d(b, 4, b, 8, 8, 2); }), inv);
    EXPECT_EQ(error_of([&] { l.copy(b, other_dev_buf, 8); }), inv);
    seed::GemmParams g;
    g.m = 0;
    g.n = g.k = 4;
    EXPECT_EQ(error_of([&] { l.gemm(g, b, b, b); }), inv);
    g.m = 64;
    g.n = g.k = 64; // 16 KiB per matrix: larger than the 4 KiB buffer
    EXPECT_EQ(error_of([&] { l.gemm(g, b, b, b); }), inv);
    EXPECT_EQ(error_of([&] {
                  l.elementwise({.op = seed::ElementwiseOp::add, .rows = 1, .cols = 4}, b, b);
              }),
              inv);
    EXPECT_EQ(
        error_of([&] {
            l.reduce(
                {.op = seed::ReduceOp::sum, .rows = 1, .cols = 4, .src_dtype = seed::DType::i32}, b,
                b);
        }),
        inv);
    EXPECT_EQ(l.packet_count(), 0u); // nothing half-recorded
    EXPECT_EQ(error_of([&] { l.finish(); }), inv);
    // More than 64 dependencies.
    seed::CommandList ok(*dev_);
    ok.nop();
    const seed::Fence f = q_->submit(ok);
    const std::vector<seed::Fence> deps(65, f);
    EXPECT_EQ(error_of([&] { (void)q_->submit(ok, deps); }), inv);
}

TEST_F(LibseedErrors, CommandListOfAnotherDeviceIsRejected) {
    seed::Device other = seed::Device::open(0u);
    seed::CommandList l(other);
    l.nop();
    EXPECT_EQ(error_of([&] { (void)q_->submit(l); }), seed::Errc::invalid_argument);
}

TEST_F(LibseedErrors, MmuFaultCarriesTheAddress) {
    seed::Buffer out(*dev_, 4096, seed::Placement::host);
    constexpr std::uint64_t unmapped = 0x7ff000000000ull;
    seed::CommandList l(*dev_);
    l.nop().copy_va(out.device_va(), unmapped + 0x40, 64);
    const auto e = failure_of(l);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), seed::Errc::job_failed);
    EXPECT_EQ(e->reason(), seed::JobFailure::mmu_fault);
    const seed::JobStatus& st = e->status();
    EXPECT_GE(st.fault_address, unmapped + 0x40);
    EXPECT_LT(st.fault_address, unmapped + 0x80);
    EXPECT_FALSE(st.fault_was_write());
    EXPECT_EQ(st.hw_error, SEED_ERR_MMU_FAULT);
    EXPECT_EQ(st.packet_offset, 1u);
    EXPECT_EQ(st.packet_opcode, SEED_OP_COPY);
    EXPECT_EQ(st.packet_level, 1u);
    EXPECT_EQ(st.queue_id, q_->id());
    EXPECT_NE(std::string(e->what()).find("mmu_fault"), std::string::npos) << e->what();
}

TEST_F(LibseedErrors, WriteToReadOnlyBufferFaults) {
    seed::Buffer ro(*dev_, 4096, seed::Placement::host, {.device_read_only = true});
    seed::Buffer src(*dev_, 4096, seed::Placement::host);
    seed::CommandList l(*dev_);
    l.copy_va(ro.device_va(), src.device_va(), 16);
    const auto e = failure_of(l);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), seed::JobFailure::mmu_fault);
    EXPECT_TRUE(e->status().fault_was_write());
    EXPECT_GE(e->status().fault_address, ro.device_va());
    EXPECT_LT(e->status().fault_address, ro.device_va() + 16);
    EXPECT_EQ(ro.span<std::uint8_t>()[0], 0);
}

TEST_F(LibseedErrors, GemmLargeEnoughToShareFaultsOnceAtTheOperand) {
    // 512 x 192 x 384: enough multiply-adds for the engines to share it
    // (docs/hardware.md §11.1). A is unmapped: one MMU fault at A's first
    // byte, read, and C untouched.
    if (!dev_->info().has(seed::Cap::gemm))
        GTEST_SKIP() << "no GEMM";
    constexpr std::uint32_t M = 512, N = 192, K = 384;
    constexpr std::uint64_t unmapped = 0x7ff000000000ull;
    seed::Buffer b(*dev_, std::uint64_t{K} * N * 4, seed::Placement::device);
    seed::Buffer c(*dev_, std::uint64_t{M} * N * 4, seed::Placement::host);
    seed::Buffer desc(*dev_, 4096, seed::Placement::host);
    for (auto& x : c.span<std::uint32_t>())
        x = 0x5eed5eedu;
    seed_gemm_desc d{};
    d.a = unmapped + 0x1000;
    d.b = b.device_va();
    d.c = c.device_va();
    d.m = M;
    d.n = N;
    d.k = K;
    d.lda = K;
    d.ldb = N;
    d.ldc = N;
    d.alpha = 0x3f800000u; // 1.0f
    d.dtype = SEED_DT_F32;
    d.out_dtype = SEED_DT_F32;
    std::memcpy(desc.span<std::byte>().data(), &d, sizeof(d));
    seed_pkt_compute pkt{};
    pkt.hdr.opcode = SEED_OP_GEMM;
    pkt.desc = desc.device_va();
    std::array<std::byte, 64> raw{};
    std::memcpy(raw.data(), &pkt, sizeof(pkt));
    seed::CommandList l(*dev_);
    l.nop().raw_packet(raw);
    const auto e = failure_of(l);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), seed::JobFailure::mmu_fault);
    EXPECT_EQ(e->status().hw_error, SEED_ERR_MMU_FAULT);
    EXPECT_EQ(e->status().fault_address, unmapped + 0x1000);
    EXPECT_FALSE(e->status().fault_was_write());
    EXPECT_EQ(e->status().packet_offset, 1u);
    EXPECT_EQ(e->status().packet_opcode, SEED_OP_GEMM);
    for (const std::uint32_t x : c.span<std::uint32_t>())
        ASSERT_EQ(x, 0x5eed5eedu) << "C written";
    // The queue goes on: the same GEMM with A mapped succeeds.
    seed::Buffer a(*dev_, std::uint64_t{M} * K * 4, seed::Placement::device);
    d.a = a.device_va();
    std::memcpy(desc.span<std::byte>().data(), &d, sizeof(d));
    q_->submit(l).wait();
}

TEST_F(LibseedErrors, InvalidPacketReportsOpcodeAndOffset) {
    seed::CommandList l(*dev_);
    std::array<std::byte, 64> bad{};
    bad[0] = std::byte{0x7f}; // unknown opcode
    l.nop().nop().raw_packet(bad);
    const auto e = failure_of(l);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), seed::JobFailure::invalid_packet);
    EXPECT_EQ(e->status().hw_error, SEED_ERR_BAD_OPCODE);
    EXPECT_EQ(e->status().packet_offset, 2u);
    EXPECT_EQ(e->status().packet_opcode, 0x7f);
}

TEST_F(LibseedErrors, WaitPacketTimeoutFailsTheJob) {
    seed::Buffer sem(*dev_, 4096, seed::Placement::host);
    seed::CommandList l(*dev_);
    l.wait(sem, 1, 2000us);
    const auto e = failure_of(l);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->status().hw_error, SEED_ERR_WAIT_TIMEOUT);
}

TEST_F(LibseedErrors, QueueKeepsWorkingAfterAFailure) {
    seed::CommandList bad(*dev_);
    bad.copy_va(0x7ff000000000ull, 0x7ff000001000ull, 8);
    seed::Buffer mem(*dev_, 4096, seed::Placement::host);
    seed::CommandList good(*dev_);
    good.signal(mem, 9);
    const seed::Fence f1 = q_->submit(bad);
    const seed::Fence f2 = q_->submit(good);
    EXPECT_THROW(f1.wait(), seed::JobError);
    EXPECT_NO_THROW(f2.wait());
    EXPECT_EQ(mem.span<std::uint64_t>()[0], 9u);
    // wait_all reports the failure once everything has finished.
    const std::vector<seed::Fence> both = {f1, f2};
    EXPECT_THROW((void)seed::wait_all(both), seed::JobError);
}

TEST_F(LibseedErrors, FailedDependencyCancelsTheDependent) {
    seed::CommandList bad(*dev_);
    bad.copy_va(0x7ff000000000ull, 0x7ff000001000ull, 8);
    const seed::Buffer out(*dev_, 4096, seed::Placement::host);
    seed::CommandList after(*dev_);
    after.fill(out, 4096, 0xabcdabcdu);
    seed::Queue q2(*dev_);
    const seed::Fence f1 = q_->submit(bad);
    const std::vector<seed::Fence> deps = {f1};
    const seed::Fence f2 = q2.submit(after, deps);
    // A job whose input failed does not run on inputs never produced.
    try {
        f2.wait();
        ADD_FAILURE() << "the dependent job ran";
    } catch (const seed::JobError& e) {
        EXPECT_EQ(e.reason(), seed::JobFailure::cancelled) << e.what();
    }
    EXPECT_EQ(out.span<std::uint32_t>()[0], 0u) << "the cancelled job wrote memory";
    // Both queues keep working.
    EXPECT_NO_THROW(q2.fill(out, 4096, 1u).wait());
    EXPECT_NO_THROW(q_->fill(out, 4096, 2u).wait());
}

} // namespace
