// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// INDIRECT packets: nested command buffers, depth limit, error location,
// fences and interrupts inside buffers; compute packet checks done by the
// queue before the descriptor is handed to the compute engines.
#include "device_harness.h"

namespace seed::device {
namespace {

using namespace test;

class IndirectTest : public PacketTest {
protected:
    /// Writes @p pkts at VA kHost + @p offset; returns the VA.
    uint64_t buffer(uint64_t offset, const std::vector<seed_pkt_raw>& pkts) {
        for (size_t i = 0; i < pkts.size(); ++i)
            mem_->store(host_ + offset + i * SEED_PKT_SIZE, pkts[i]);
        return kHost + offset;
    }
};

TEST_F(IndirectTest, RunsNestedBuffers) {
    uint64_t inner =
        buffer(1024, {fill(kHost + 3 * 4096, 8, 0x22, 1), signal(kHost + 3 * 4096 + 8, 9)});
    uint64_t outer = buffer(0, {fill(kHost + 3 * 4096 + 64, 8, 0x11, 1), indirect(inner, 2)});
    run_ok({indirect(outer, 2)});
    EXPECT_EQ(mem_->at(host_)[3 * 4096], 0x22);
    EXPECT_EQ(mem_->at(host_)[3 * 4096 + 64], 0x11);
    EXPECT_EQ(mem_->load<uint64_t>(host_ + 3 * 4096 + 8), 9u);
    EXPECT_EQ(record(q_).head, 2u) << "an INDIRECT retires as one ring packet";
}

TEST_F(IndirectTest, DepthLimit) {
    uint64_t level3 = buffer(2048, {nop()});
    uint64_t level2 = buffer(1024, {nop(), indirect(level3, 1)});
    uint64_t level1 = buffer(0, {indirect(level2, 2)});
    seed_cpl_record r = run_error(indirect(level1, 1));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_INDIRECT_DEPTH});
    EXPECT_EQ(r.error_level, 2u);
    EXPECT_EQ(r.error_offset, 1u);
    EXPECT_EQ(r.error_opcode, SEED_OP_INDIRECT);
}

TEST_F(IndirectTest, Checks) {
    EXPECT_EQ(run_error(indirect(kHost, 0)).error, uint32_t{SEED_ERR_BAD_SIZE});
    EXPECT_EQ(run_error(indirect(kHost, SEED_INDIRECT_MAX_PACKETS + 1)).error,
              uint32_t{SEED_ERR_BAD_SIZE});
    seed_cpl_record r = run_error(indirect(kHost + 32, 1));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MISALIGNED});
    EXPECT_EQ(r.fault_addr, kHost + 32);
    seed_pkt_raw reserved = indirect(kHost, 1);
    reserved.payload[1] = uint64_t{1} << 32;
    EXPECT_EQ(run_error(reserved).error, uint32_t{SEED_ERR_MALFORMED});
    // Fetch fault: reported against the INDIRECT packet itself, at level 0.
    buffer(4 * 4096 - 64, {nop()});
    r = run_error(indirect(kHost + 4 * 4096 - 64, 2));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(r.fault_addr, kHost + 4 * 4096);
    EXPECT_EQ(r.error_level, 0u);
    EXPECT_EQ(r.error_opcode, SEED_OP_INDIRECT);
    // Packets of a buffer need READ: a write-only page cannot hold them.
    pt_->map(0x300000, host_, SEED_PAGE_SIZE, SEED_PTE_WRITE);
    r = run_error(indirect(0x300000, 1));
    EXPECT_EQ(r.fault_info,
              make_fault_info(SEED_FAULT_ACCESS_READ, SEED_FAULT_REASON_PERMISSION, 0));
}

TEST_F(IndirectTest, ErrorInsideBufferIsLocated) {
    take_events();
    uint64_t buf = buffer(0, {nop(), nop(), with(fill(0x900000, 8, 0, 1), 0, 0, 55), nop()});
    TestQueue q = create_queue(1, 3);
    submit(q, {nop(), nop(), indirect(buf, 4)});
    seed_cpl_record r = wait_error(q);
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(r.error_index, 2u);
    EXPECT_EQ(r.head, 2u);
    EXPECT_EQ(r.error_level, 1u);
    EXPECT_EQ(r.error_offset, 2u);
    EXPECT_EQ(r.error_opcode, SEED_OP_FILL);
    EXPECT_EQ(r.error_tag, 55u);
    EXPECT_EQ(r.fault_addr, 0x900000u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].packet_index, 2u);
    EXPECT_EQ(events[0].level, 1u);
    EXPECT_EQ(events[0].packet_offset, 2u);
    EXPECT_EQ(events[0].queue, 1u);
}

TEST_F(IndirectTest, FenceForbiddenInBufferIrqAllowed) {
    uint64_t buf = buffer(0, {nop(SEED_PKT_F_FENCE, 5)});
    seed_cpl_record r = run_error(indirect(buf, 1));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(r.error_level, 1u);
    // IRQ inside a buffer writes the record and interrupts before the INDIRECT retires.
    uint64_t irq_buf = buffer(1024, {nop(SEED_PKT_F_IRQ), wait(kHost + 2048, 1, 0)});
    irqs(SEED_MSIX_VEC_QUEUE(7));
    submit(q_, {indirect(irq_buf, 2), nop(SEED_PKT_F_FENCE, 77)});
    for (int i = 0; i < 5000 && irqs(SEED_MSIX_VEC_QUEUE(7)) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    EXPECT_EQ(record(q_).head, 0u);
    mem_->store<uint64_t>(host_ + 2048, 1);
    wait_record(q_, [](const seed_cpl_record& rec) { return rec.fence == 77; });
}

seed_pkt_raw indirect_in(uint64_t addr, uint32_t count, uint32_t context_field) {
    seed_pkt_raw p = indirect(addr, count);
    p.payload[1] |= uint64_t{context_field} << 32; // seed_pkt_indirect.context
    return p;
}

TEST_F(IndirectTest, RingIndirectRunsItsBufferInTheNamedContext) {
    // Context 5 maps the same VA kHost to other memory than the queue's context 3.
    PageTables& other = make_context(5);
    const uint64_t other_host = map_host(other, kHost, 2 * SEED_PAGE_SIZE);
    mem_->store(other_host, fill(kHost + 4096, 16, 0x5a, 1));
    mem_->store(host_, fill(kHost + 4096, 16, 0x33, 1));
    // Ring: a buffer in context 5, then one in the queue's own context.
    run_ok({indirect_in(kHost, 1, SEED_INDIRECT_CTX(5)), indirect(kHost, 1)});
    EXPECT_EQ(mem_->at(other_host)[4096], 0x5a) << "the switched buffer wrote context 5's page";
    EXPECT_EQ(mem_->at(other_host)[4096 + 15], 0x5a);
    EXPECT_EQ(mem_->at(host_)[4096], 0x33) << "the next packet is back in the queue's context";
}

TEST_F(IndirectTest, ContextFieldChecks) {
    // A buffer may not switch: only the ring names contexts.
    uint64_t inner = buffer(1024, {nop()});
    uint64_t outer = buffer(0, {indirect_in(inner, 1, SEED_INDIRECT_CTX(3))});
    seed_cpl_record r = run_error(indirect(outer, 1));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(r.error_level, 1u);
    EXPECT_EQ(r.error_opcode, SEED_OP_INDIRECT);
    // Nor in a buffer that was itself switched into.
    r = run_error(indirect_in(outer, 1, SEED_INDIRECT_CTX(3)));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(r.error_level, 1u);
    // Context beyond the device's count, bits outside the field, an id without VALID.
    EXPECT_EQ(run_error(indirect_in(inner, 1, SEED_INDIRECT_CTX(SEED_MAX_CONTEXTS))).error,
              uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(run_error(indirect_in(inner, 1, SEED_INDIRECT_CTX(3) | 0x100)).error,
              uint32_t{SEED_ERR_MALFORMED});
    EXPECT_EQ(run_error(indirect_in(inner, 1, 3)).error, uint32_t{SEED_ERR_MALFORMED});
}

TEST_F(IndirectTest, FaultInSwitchedContextNamesThatContext) {
    take_events();
    make_context(6); // valid, maps nothing
    TestQueue q = create_queue(2, 3);
    submit(q, {indirect_in(kHost, 1, SEED_INDIRECT_CTX(6))});
    seed_cpl_record r = wait_error(q);
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MMU_FAULT});
    EXPECT_EQ(r.fault_addr, kHost) << "the fetch of the buffer faults in context 6";
    EXPECT_EQ(r.error_level, 0u);
    auto events = take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].context, 6u);
    EXPECT_EQ(events[0].queue, 2u);
}

TEST_F(IndirectTest, ComputePacketChecks) {
    seed_cpl_record r = run_error(compute(SEED_OP_GEMM, kHost + 32));
    EXPECT_EQ(r.error, uint32_t{SEED_ERR_MISALIGNED});
    EXPECT_EQ(r.fault_addr, kHost + 32);
    seed_pkt_raw reserved = compute(SEED_OP_REDUCE, kHost);
    reserved.payload[3] = 1;
    EXPECT_EQ(run_error(reserved).error, uint32_t{SEED_ERR_MALFORMED});
    seed_pkt_raw bad = compute(0x13, kHost);
    EXPECT_EQ(run_error(bad).error, uint32_t{SEED_ERR_BAD_OPCODE});
}

} // namespace
} // namespace seed::device
