// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Packet and descriptor encoding against the hardware structures of
// hw/seed_hw.h (byte offsets as in docs/hardware.md §10-§11), argument
// checks, and the layout of a finished command list.
#include "packets.hpp"

#include <seed/error.hpp>

#include "support/error_of.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <vector>

namespace {

using seed::test::error_of;

using namespace seed::detail;

template <typename T>
T field(const void* base, std::size_t offset) {
    T v{};
    std::memcpy(&v, static_cast<const std::byte*>(base) + offset, sizeof(T));
    return v;
}

const std::error_code invalid = make_error_code(seed::Errc::invalid_argument);

TEST(Packets, CopyByteOffsets) {
    const seed_pkt_raw p = encode_copy(0x2000, 0x1000, 256, 4, 512, 300);
    EXPECT_EQ(field<std::uint8_t>(&p, 0x00), SEED_OP_COPY);
    EXPECT_EQ(field<std::uint8_t>(&p, 0x01), 0); // flags: never FENCE in a user buffer
    EXPECT_EQ(field<std::uint64_t>(&p, 0x10), 0x1000u);
    EXPECT_EQ(field<std::uint64_t>(&p, 0x18), 0x2000u);
    EXPECT_EQ(field<std::uint64_t>(&p, 0x20), 256u);
    EXPECT_EQ(field<std::uint32_t>(&p, 0x28), 4u);
    EXPECT_EQ(field<std::uint32_t>(&p, 0x2c), 0u);
    EXPECT_EQ(field<std::uint64_t>(&p, 0x30), 300u);
    EXPECT_EQ(field<std::uint64_t>(&p, 0x38), 512u);
    // 1-D copies leave the pitches 0.
    const seed_pkt_raw q = encode_copy(0x2000, 0x1000, 8, 1, 99, 99);
    EXPECT_EQ(field<std::uint64_t>(&q, 0x30), 0u);
    EXPECT_EQ(field<std::uint64_t>(&q, 0x38), 0u);
}

TEST(Packets, CopyLimits) {
    EXPECT_EQ(error_of([] { (void)encode_copy(0, 0, 0, 1, 0, 0); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_copy(0, 0, (1ull << 32) + 1, 1, 0, 0); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_copy(0, 0, 8, 0, 8, 8); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_copy(0, 0, 8, (1u << 20) + 1, 8, 8); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_copy(0, 0, 8, 2, 7, 8); }), invalid);
    EXPECT_NO_THROW((void)encode_copy(0, 0, 1ull << 32, 1, 0, 0));
}

TEST(Packets, FillByteOffsetsAndChecks) {
    const seed_pkt_raw p = encode_fill(0x4000, 64, 0xffffffffaabbccddull, 2);
    EXPECT_EQ(field<std::uint8_t>(&p, 0), SEED_OP_FILL);
    EXPECT_EQ(field<std::uint64_t>(&p, 0x10), 0x4000u);
    EXPECT_EQ(field<std::uint64_t>(&p, 0x18), 64u);
    EXPECT_EQ(field<std::uint64_t>(&p, 0x20), 0xccddu); // pattern truncated to 2 bytes
    EXPECT_EQ(field<std::uint32_t>(&p, 0x28), 2u);
    for (std::size_t off = 0x2c; off < 64; off += 4)
        EXPECT_EQ(field<std::uint32_t>(&p, off), 0u) << off;
    EXPECT_EQ(error_of([] { (void)encode_fill(0, 12, 0, 3); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_fill(0, 6, 0, 4); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_fill(2, 8, 0, 4); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_fill(0, 0, 0, 1); }), invalid);
}

TEST(Packets, SignalWaitTimestamp) {
    const seed_pkt_raw s = encode_signal(0x1008, 42);
    EXPECT_EQ(field<std::uint8_t>(&s, 0), SEED_OP_SIGNAL);
    EXPECT_EQ(field<std::uint64_t>(&s, 0x10), 0x1008u);
    EXPECT_EQ(field<std::uint64_t>(&s, 0x18), 42u);
    const seed_pkt_raw w = encode_wait(0x1010, 7, 1500);
    EXPECT_EQ(field<std::uint8_t>(&w, 0), SEED_OP_WAIT);
    EXPECT_EQ(field<std::uint64_t>(&w, 0x10), 0x1010u);
    EXPECT_EQ(field<std::uint64_t>(&w, 0x18), 7u);
    EXPECT_EQ(field<std::uint32_t>(&w, 0x20), 1500u);
    const seed_pkt_raw t = encode_timestamp(0x1018);
    EXPECT_EQ(field<std::uint8_t>(&t, 0), SEED_OP_TIMESTAMP);
    EXPECT_EQ(field<std::uint64_t>(&t, 0x10), 0x1018u);
    EXPECT_EQ(error_of([] { (void)encode_signal(0x1004, 1); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_wait(0x1001, 1, 0); }), invalid);
    EXPECT_EQ(error_of([] { (void)encode_timestamp(0x1002); }), invalid);
    const seed_pkt_raw n = encode_nop();
    EXPECT_EQ(field<std::uint8_t>(&n, 0), SEED_OP_NOP);
}

TEST(Packets, ComputePacketPointsAtAlignedDescriptor) {
    const seed_pkt_raw p = encode_compute(SEED_OP_GEMM, 0x8040);
    EXPECT_EQ(field<std::uint8_t>(&p, 0), SEED_OP_GEMM);
    EXPECT_EQ(field<std::uint64_t>(&p, 0x10), 0x8040u);
    EXPECT_EQ(error_of([] { (void)encode_compute(SEED_OP_GEMM, 0x8020); }), invalid);
}

TEST(Descriptors, GemmByteOffsets) {
    seed::GemmParams p;
    p.m = 3;
    p.n = 5;
    p.k = 7;
    p.alpha = 1.5f;
    p.beta = 0.25f;
    p.trans_b = true;
    p.activation = seed::Activation::gelu;
    const seed_gemm_desc d = encode_gemm(p, {0x1000, 0x2000, 0x3000, 0x4000});
    EXPECT_EQ(field<std::uint64_t>(&d, 0x00), 0x1000u);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x08), 0x2000u);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x10), 0x3000u);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x18), 0x4000u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x20), 3u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x24), 5u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x28), 7u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x2c), 7u); // lda = k
    EXPECT_EQ(field<std::uint32_t>(&d, 0x30), 7u); // ldb = k (B stored N x K)
    EXPECT_EQ(field<std::uint32_t>(&d, 0x34), 5u); // ldc = n
    EXPECT_EQ(field<std::uint32_t>(&d, 0x38), std::bit_cast<std::uint32_t>(1.5f));
    EXPECT_EQ(field<std::uint32_t>(&d, 0x3c), std::bit_cast<std::uint32_t>(0.25f));
    EXPECT_EQ(field<std::uint8_t>(&d, 0x40), SEED_DT_F32);
    EXPECT_EQ(field<std::uint8_t>(&d, 0x41), SEED_DT_F32);
    EXPECT_EQ(field<std::uint8_t>(&d, 0x42), SEED_ACT_GELU);
    EXPECT_EQ(field<std::uint8_t>(&d, 0x43), SEED_GEMM_F_TRANS_B | SEED_GEMM_F_BIAS);
    for (std::size_t off = 0x44; off < 128; off += 4)
        EXPECT_EQ(field<std::uint32_t>(&d, off), 0u) << off;
    const GemmExtents x = gemm_extents(d);
    EXPECT_EQ(x.a, 3u * 7 * 4);
    EXPECT_EQ(x.b, 5u * 7 * 4);
    EXPECT_EQ(x.c, 3u * 5 * 4);
    EXPECT_EQ(x.bias, 5u * 4);
}

TEST(Descriptors, GemmI8UsesIntegerScalars) {
    seed::GemmParams p;
    p.m = p.n = p.k = 2;
    p.dtype = seed::DType::i8;
    p.alpha_i = -3;
    const seed_gemm_desc d = encode_gemm(p, {0x1001, 0x2003, 0x3000, std::nullopt});
    EXPECT_EQ(d.dtype, SEED_DT_I8);
    EXPECT_EQ(d.out_dtype, SEED_DT_I32);
    EXPECT_EQ(d.alpha, static_cast<std::uint32_t>(-3));
    EXPECT_EQ(d.flags, 0u);
    EXPECT_EQ(d.bias, 0u);
    p.activation = seed::Activation::gelu;
    EXPECT_EQ(error_of([&] { (void)encode_gemm(p, {0, 0, 0, std::nullopt}); }), invalid);
}

TEST(Descriptors, GemmChecks) {
    seed::GemmParams p;
    p.m = p.n = p.k = 4;
    const GemmOperands ok{0x1000, 0x2000, 0x3000, std::nullopt};
    auto bad = [&](auto mutate, GemmOperands ops) {
        seed::GemmParams q = p;
        mutate(q);
        return error_of([&] { (void)encode_gemm(q, ops); });
    };
    EXPECT_EQ(bad([](auto& q) { q.m = 0; }, ok), invalid);
    EXPECT_EQ(bad([](auto& q) { q.k = 65537; }, ok), invalid);
    EXPECT_EQ(bad([](auto& q) { q.lda = 3; }, ok), invalid);
    EXPECT_EQ(bad([](auto& q) { q.ldc = 2; }, ok), invalid);
    EXPECT_EQ(bad([](auto& q) { q.dtype = seed::DType::i32; }, ok), invalid);
    EXPECT_EQ(bad([](auto&) {}, {0x1002, 0x2000, 0x3000, std::nullopt}), invalid);
    EXPECT_EQ(bad([](auto&) {}, {0x1000, 0x2000, 0x3002, std::nullopt}), invalid);
    EXPECT_EQ(bad([](auto& q) { q.dtype = seed::DType::f16; }, {0x1002, 0x2002, 0x3000, {}}),
              std::error_code{});
}

TEST(Descriptors, ElementwiseByteOffsetsAndDefaults) {
    seed::ElementwiseParams p;
    p.op = seed::ElementwiseOp::add;
    p.rows = 3;
    p.cols = 10;
    p.src1_row_stride = 0; // broadcast a row vector
    p.dst_dtype = seed::DType::f16;
    const seed_ew_desc d = encode_elementwise(p, 0x3000, 0x1000, 0x2000);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x00), 0x1000u);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x08), 0x2000u);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x10), 0x3000u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x18), 3u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x1c), 10u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x20), 10u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x24), 1u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x28), 0u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x2c), 1u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x30), 10u);
    EXPECT_EQ(field<std::uint8_t>(&d, 0x34), SEED_EW_ADD);
    EXPECT_EQ(field<std::uint8_t>(&d, 0x35), SEED_DT_F32);
    EXPECT_EQ(field<std::uint8_t>(&d, 0x36), SEED_DT_F16);
    EXPECT_EQ(field<std::uint8_t>(&d, 0x37), 0u);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x38), 0u);
    const EwExtents x = elementwise_extents(d);
    EXPECT_EQ(x.src0, 30u * 4);
    EXPECT_EQ(x.src1, 10u * 4);
    EXPECT_EQ(x.dst, 30u * 2);
}

TEST(Descriptors, ElementwiseChecks) {
    seed::ElementwiseParams unary{.op = seed::ElementwiseOp::exp, .rows = 1, .cols = 4};
    EXPECT_EQ(error_of([&] { (void)encode_elementwise(unary, 0, 0, 0x100); }), invalid);
    seed::ElementwiseParams add{.op = seed::ElementwiseOp::add, .rows = 1, .cols = 4};
    EXPECT_EQ(error_of([&] { (void)encode_elementwise(add, 0, 0, std::nullopt); }), invalid);
    seed::ElementwiseParams i32exp = unary;
    i32exp.src_dtype = i32exp.dst_dtype = seed::DType::i32;
    EXPECT_EQ(error_of([&] { (void)encode_elementwise(i32exp, 0, 0, std::nullopt); }), invalid);
    seed::ElementwiseParams conv{.op = seed::ElementwiseOp::copy, .rows = 1, .cols = 4};
    conv.src_dtype = seed::DType::i8;
    EXPECT_NO_THROW((void)encode_elementwise(conv, 0, 1, std::nullopt));
    seed::ElementwiseParams rows = unary;
    rows.rows = 2;
    rows.dst_row_stride = 3;
    EXPECT_EQ(error_of([&] { (void)encode_elementwise(rows, 0, 0, std::nullopt); }), invalid);
    EXPECT_EQ(error_of([&] { (void)encode_elementwise(unary, 2, 0, std::nullopt); }), invalid);
}

TEST(Descriptors, ReduceByteOffsetsAndChecks) {
    seed::ReduceParams p{.op = seed::ReduceOp::softmax, .rows = 2, .cols = 8};
    const seed_reduce_desc d = encode_reduce(p, 0x2000, 0x1000);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x00), 0x1000u);
    EXPECT_EQ(field<std::uint64_t>(&d, 0x08), 0x2000u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x10), 2u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x14), 8u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x18), 8u);
    EXPECT_EQ(field<std::uint32_t>(&d, 0x1c), 8u); // softmax: a row per row
    EXPECT_EQ(field<std::uint8_t>(&d, 0x20), SEED_REDUCE_SOFTMAX);
    EXPECT_EQ(reduce_extents(d).dst, 16u * 4);
    seed::ReduceParams sum{.op = seed::ReduceOp::sum, .rows = 2, .cols = 8};
    const seed_reduce_desc s = encode_reduce(sum, 0x2000, 0x1000);
    EXPECT_EQ(s.dst_row_stride, 1u);
    EXPECT_EQ(reduce_extents(s).dst, 2u * 4);
    seed::ReduceParams bad = sum;
    bad.src_dtype = seed::DType::i32;
    EXPECT_EQ(error_of([&] { (void)encode_reduce(bad, 0, 0); }), invalid);
    seed::ReduceParams sm = p;
    sm.dst_row_stride = 4;
    EXPECT_EQ(error_of([&] { (void)encode_reduce(sm, 0, 0); }), invalid);
}

TEST(Descriptors, DataTypeIndices) {
    EXPECT_EQ(dt_index(seed::DType::f32), SEED_DT_F32);
    EXPECT_EQ(dt_index(seed::DType::bf16), SEED_DT_BF16);
    EXPECT_EQ(dt_index(seed::DType::i32), SEED_DT_I32);
    EXPECT_EQ(error_of([] { (void)dt_index(static_cast<seed::DType>(3u)); }), invalid);
    EXPECT_EQ(matrix_extent(0, 5, 5, 1, 4), 0u);
    EXPECT_EQ(matrix_extent(2, 3, 10, 2, 4), ((1u * 10) + 2 * 2 + 1) * 4);
}

TEST(CommandLayout, DescriptorsFollowPacketsAligned) {
    EXPECT_EQ(layout_for(3, 0).desc_offset, 192u);
    EXPECT_EQ(layout_for(3, 128).total, 192u + 128);
    std::vector<std::byte> descs;
    const seed_ew_desc ew{};
    const seed_gemm_desc gemm{};
    EXPECT_EQ(append_descriptor(descs, &ew, sizeof(ew)), 0u);
    EXPECT_EQ(append_descriptor(descs, &gemm, sizeof(gemm)), 64u);
    EXPECT_EQ(append_descriptor(descs, &ew, 8), 192u);
    EXPECT_EQ(descs.size(), 200u);
}

TEST(CommandLayout, ImagePatchesDescriptorAddresses) {
    std::vector<seed_pkt_raw> pkts = {encode_nop(), encode_compute(SEED_OP_REDUCE, 0),
                                      encode_compute(SEED_OP_GEMM, 0)};
    std::vector<std::byte> descs;
    seed_reduce_desc r{};
    r.rows = 9;
    seed_gemm_desc g{};
    g.m = 11;
    const std::uint64_t r_off = append_descriptor(descs, &r, sizeof(r));
    const std::uint64_t g_off = append_descriptor(descs, &g, sizeof(g));
    const std::vector<DescFixup> fix = {{1, r_off}, {2, g_off}};
    const std::uint64_t base = 0x100000;
    const auto image = build_image(pkts, fix, descs, base);
    ASSERT_EQ(image.size(), 192u + 64 + 128);
    EXPECT_EQ(field<std::uint8_t>(image.data(), 0), SEED_OP_NOP);
    EXPECT_EQ(field<std::uint64_t>(image.data(), 64 + 0x10), base + 192);
    EXPECT_EQ(field<std::uint64_t>(image.data(), 128 + 0x10), base + 192 + 64);
    EXPECT_EQ(field<std::uint32_t>(image.data(), 192 + 0x10), 9u);  // reduce rows
    EXPECT_EQ(field<std::uint32_t>(image.data(), 256 + 0x20), 11u); // gemm m
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_EQ(field<std::uint64_t>(image.data(), 64 * i + 0x10) % SEED_DESC_ALIGN, 0u);
}

} // namespace
