// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "packets.hpp"

#include <seed/error.hpp>

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <string>

namespace seed::detail {
namespace {

[[noreturn]] void invalid(const std::string& what) {
    throw Error(Errc::invalid_argument, what);
}

seed_pkt_raw with_header(std::uint8_t opcode) {
    seed_pkt_raw raw{};
    raw.hdr.opcode = opcode;
    return raw;
}

template <typename Packet>
seed_pkt_raw to_raw(const Packet& p) {
    static_assert(sizeof(Packet) == sizeof(seed_pkt_raw));
    seed_pkt_raw raw{};
    std::memcpy(&raw, &p, sizeof(raw));
    return raw;
}

void check_aligned(std::uint64_t addr, std::uint64_t align, const char* what) {
    if (addr % align != 0)
        invalid(fmt::format("{} 0x{:x} is not {}-byte aligned", what, addr, align));
}

void check_dim(std::uint64_t v, std::uint64_t max, const char* what) {
    if (v < 1 || v > max)
        invalid(fmt::format("{} {} is outside 1 .. {}", what, v, max));
}

bool is_float(std::uint8_t dt) noexcept {
    return dt == SEED_DT_F32 || dt == SEED_DT_F16 || dt == SEED_DT_BF16;
}

bool ew_op_known(std::uint8_t op) noexcept {
    return op <= SEED_EW_SQRT || (op >= SEED_EW_ADD && op <= SEED_EW_MIN);
}

bool ew_types_ok(std::uint8_t op, std::uint8_t src, std::uint8_t dst) noexcept {
    if (op == SEED_EW_COPY)
        return true; // any pair of known types
    if (is_float(src) && is_float(dst))
        return true;
    if (src == SEED_DT_I32 && dst == SEED_DT_I32) {
        switch (op) {
        case SEED_EW_RELU:
        case SEED_EW_NEG:
        case SEED_EW_ABS:
        case SEED_EW_ADD:
        case SEED_EW_SUB:
        case SEED_EW_MUL:
        case SEED_EW_MAX:
        case SEED_EW_MIN:
            return true;
        default:
            return false;
        }
    }
    return false;
}

} // namespace

std::uint8_t dt_index(DType type) {
    const auto bits = static_cast<std::uint32_t>(type);
    if (!std::has_single_bit(bits) || std::countr_zero(bits) > SEED_DT_I32)
        invalid(fmt::format("data type bits 0x{:x} name no single known type", bits));
    return static_cast<std::uint8_t>(std::countr_zero(bits));
}

std::uint64_t matrix_extent(std::uint64_t rows, std::uint64_t cols, std::uint64_t row_stride,
                            std::uint64_t col_stride, std::uint64_t elem) noexcept {
    if (rows == 0 || cols == 0)
        return 0;
    return ((rows - 1) * row_stride + (cols - 1) * col_stride + 1) * elem;
}

seed_pkt_raw encode_nop() {
    return with_header(SEED_OP_NOP);
}

seed_pkt_raw encode_copy(std::uint64_t dst, std::uint64_t src, std::uint64_t width,
                         std::uint32_t height, std::uint64_t dst_pitch, std::uint64_t src_pitch) {
    check_dim(width, SEED_COPY_MAX_WIDTH, "copy width");
    check_dim(height, SEED_COPY_MAX_HEIGHT, "copy height");
    if (height > 1 && dst_pitch < width)
        invalid(fmt::format("copy dst pitch {} is below the width {}", dst_pitch, width));
    seed_pkt_copy p{};
    p.hdr.opcode = SEED_OP_COPY;
    p.src = src;
    p.dst = dst;
    p.width = width;
    p.height = height;
    p.src_pitch = height > 1 ? src_pitch : 0;
    p.dst_pitch = height > 1 ? dst_pitch : 0;
    return to_raw(p);
}

seed_pkt_raw encode_fill(std::uint64_t dst, std::uint64_t size, std::uint64_t pattern,
                         std::uint32_t pattern_bytes) {
    if (pattern_bytes != 1 && pattern_bytes != 2 && pattern_bytes != 4 && pattern_bytes != 8)
        invalid(fmt::format("fill pattern size {} is not 1, 2, 4 or 8", pattern_bytes));
    check_dim(size, SEED_FILL_MAX_SIZE, "fill size");
    if (size % pattern_bytes != 0)
        invalid(fmt::format("fill size {} is not a multiple of {}", size, pattern_bytes));
    check_aligned(dst, pattern_bytes, "fill destination");
    seed_pkt_fill p{};
    p.hdr.opcode = SEED_OP_FILL;
    p.dst = dst;
    p.size = size;
    p.pattern = pattern_bytes == 8 ? pattern : pattern & ((1ull << (8 * pattern_bytes)) - 1);
    p.pattern_bytes = pattern_bytes;
    return to_raw(p);
}

seed_pkt_raw encode_signal(std::uint64_t addr, std::uint64_t value) {
    check_aligned(addr, 8, "signal address");
    seed_pkt_signal p{};
    p.hdr.opcode = SEED_OP_SIGNAL;
    p.addr = addr;
    p.value = value;
    return to_raw(p);
}

seed_pkt_raw encode_wait(std::uint64_t addr, std::uint64_t value, std::uint32_t timeout_us) {
    check_aligned(addr, 8, "wait address");
    seed_pkt_wait p{};
    p.hdr.opcode = SEED_OP_WAIT;
    p.addr = addr;
    p.value = value;
    p.timeout_us = timeout_us;
    return to_raw(p);
}

seed_pkt_raw encode_timestamp(std::uint64_t addr) {
    check_aligned(addr, 8, "timestamp address");
    seed_pkt_timestamp p{};
    p.hdr.opcode = SEED_OP_TIMESTAMP;
    p.addr = addr;
    return to_raw(p);
}

seed_pkt_raw encode_compute(std::uint8_t opcode, std::uint64_t desc_va) {
    check_aligned(desc_va, SEED_DESC_ALIGN, "descriptor address");
    seed_pkt_compute p{};
    p.hdr.opcode = opcode;
    p.desc = desc_va;
    return to_raw(p);
}

seed_gemm_desc encode_gemm(const GemmParams& p, const GemmOperands& ops) {
    const std::uint8_t dt = dt_index(p.dtype);
    if (!is_float(dt) && dt != SEED_DT_I8)
        invalid("gemm input type must be f32, f16, bf16 or i8");
    if (p.activation != Activation::none && p.activation != Activation::relu &&
        p.activation != Activation::gelu)
        invalid("unknown gemm activation");
    if (dt == SEED_DT_I8 && p.activation == Activation::gelu)
        invalid("gemm GELU needs float inputs");
    check_dim(p.m, SEED_GEMM_MAX_DIM, "gemm M");
    check_dim(p.n, SEED_GEMM_MAX_DIM, "gemm N");
    check_dim(p.k, SEED_GEMM_MAX_DIM, "gemm K");
    const std::uint32_t min_lda = p.trans_a ? p.m : p.k;
    const std::uint32_t min_ldb = p.trans_b ? p.k : p.n;
    seed_gemm_desc d{};
    d.lda = p.lda != 0 ? p.lda : min_lda;
    d.ldb = p.ldb != 0 ? p.ldb : min_ldb;
    d.ldc = p.ldc != 0 ? p.ldc : p.n;
    if (d.lda < min_lda || d.ldb < min_ldb || d.ldc < p.n)
        invalid(fmt::format("gemm leading dimensions {}/{}/{} below the minimum {}/{}/{}", d.lda,
                            d.ldb, d.ldc, min_lda, min_ldb, p.n));
    const std::uint32_t esize = SEED_DT_SIZE(dt);
    check_aligned(ops.a, esize, "gemm A");
    check_aligned(ops.b, esize, "gemm B");
    check_aligned(ops.c, 4, "gemm C");
    if (ops.bias)
        check_aligned(*ops.bias, 4, "gemm bias");
    d.a = ops.a;
    d.b = ops.b;
    d.c = ops.c;
    d.bias = ops.bias.value_or(0);
    d.m = p.m;
    d.n = p.n;
    d.k = p.k;
    if (dt == SEED_DT_I8) {
        d.alpha = static_cast<std::uint32_t>(p.alpha_i);
        d.beta = static_cast<std::uint32_t>(p.beta_i);
        d.out_dtype = SEED_DT_I32;
    } else {
        d.alpha = std::bit_cast<std::uint32_t>(p.alpha);
        d.beta = std::bit_cast<std::uint32_t>(p.beta);
        d.out_dtype = SEED_DT_F32;
    }
    d.dtype = dt;
    d.activation = static_cast<std::uint8_t>(p.activation);
    d.flags = static_cast<std::uint8_t>((p.trans_a ? SEED_GEMM_F_TRANS_A : 0u) |
                                        (p.trans_b ? SEED_GEMM_F_TRANS_B : 0u) |
                                        (ops.bias ? SEED_GEMM_F_BIAS : 0u));
    return d;
}

GemmExtents gemm_extents(const seed_gemm_desc& d) {
    const std::uint64_t e = SEED_DT_SIZE(d.dtype);
    const bool ta = (d.flags & SEED_GEMM_F_TRANS_A) != 0;
    const bool tb = (d.flags & SEED_GEMM_F_TRANS_B) != 0;
    GemmExtents x;
    x.a = ta ? matrix_extent(d.k, d.m, d.lda, 1, e) : matrix_extent(d.m, d.k, d.lda, 1, e);
    x.b = tb ? matrix_extent(d.n, d.k, d.ldb, 1, e) : matrix_extent(d.k, d.n, d.ldb, 1, e);
    x.c = matrix_extent(d.m, d.n, d.ldc, 1, 4);
    x.bias = (d.flags & SEED_GEMM_F_BIAS) != 0 ? std::uint64_t{d.n} * 4 : 0;
    return x;
}

seed_ew_desc encode_elementwise(const ElementwiseParams& p, std::uint64_t dst, std::uint64_t src0,
                                std::optional<std::uint64_t> src1) {
    const auto op = static_cast<std::uint8_t>(p.op);
    if (!ew_op_known(op))
        invalid(fmt::format("unknown elementwise op 0x{:02x}", op));
    const bool binary = SEED_EW_IS_BINARY(op);
    if (binary && !src1)
        invalid("binary elementwise op needs a second source");
    if (!binary && (src1 || p.src1_row_stride || p.src1_col_stride))
        invalid("unary elementwise op takes no second source");
    const std::uint8_t st = dt_index(p.src_dtype);
    const std::uint8_t dt = dt_index(p.dst_dtype);
    if (!ew_types_ok(op, st, dt))
        invalid(fmt::format("elementwise op 0x{:02x} does not support {} -> {}", op,
                            to_string(p.src_dtype), to_string(p.dst_dtype)));
    check_dim(p.rows, SEED_TENSOR_MAX_DIM, "elementwise rows");
    check_dim(p.cols, SEED_TENSOR_MAX_DIM, "elementwise cols");
    seed_ew_desc d{};
    d.src0 = src0;
    d.src1 = binary ? *src1 : 0;
    d.dst = dst;
    d.rows = p.rows;
    d.cols = p.cols;
    d.src0_row_stride = p.src0_row_stride.value_or(p.cols);
    d.src0_col_stride = p.src0_col_stride.value_or(1);
    if (binary) {
        d.src1_row_stride = p.src1_row_stride.value_or(p.cols);
        d.src1_col_stride = p.src1_col_stride.value_or(1);
    }
    d.dst_row_stride = p.dst_row_stride.value_or(p.cols);
    if (p.rows > 1 && d.dst_row_stride < p.cols)
        invalid(fmt::format("elementwise dst row stride {} is below cols {}", d.dst_row_stride,
                            p.cols));
    d.op = op;
    d.src_dtype = st;
    d.dst_dtype = dt;
    check_aligned(src0, SEED_DT_SIZE(st), "elementwise src0");
    if (binary)
        check_aligned(d.src1, SEED_DT_SIZE(st), "elementwise src1");
    check_aligned(dst, SEED_DT_SIZE(dt), "elementwise dst");
    return d;
}

EwExtents elementwise_extents(const seed_ew_desc& d) {
    const std::uint64_t se = SEED_DT_SIZE(d.src_dtype);
    EwExtents x;
    x.dst = matrix_extent(d.rows, d.cols, d.dst_row_stride, 1, SEED_DT_SIZE(d.dst_dtype));
    x.src0 = matrix_extent(d.rows, d.cols, d.src0_row_stride, d.src0_col_stride, se);
    if (SEED_EW_IS_BINARY(d.op))
        x.src1 = matrix_extent(d.rows, d.cols, d.src1_row_stride, d.src1_col_stride, se);
    return x;
}

seed_reduce_desc encode_reduce(const ReduceParams& p, std::uint64_t dst, std::uint64_t src) {
    const auto op = static_cast<std::uint8_t>(p.op);
    if (op > SEED_REDUCE_SOFTMAX)
        invalid(fmt::format("unknown reduce op {}", op));
    const std::uint8_t st = dt_index(p.src_dtype);
    const std::uint8_t dt = dt_index(p.dst_dtype);
    if (!is_float(st) || !is_float(dt))
        invalid("reduce types must be f32, f16 or bf16");
    check_dim(p.rows, SEED_TENSOR_MAX_DIM, "reduce rows");
    check_dim(p.cols, SEED_TENSOR_MAX_DIM, "reduce cols");
    const bool softmax = op == SEED_REDUCE_SOFTMAX;
    seed_reduce_desc d{};
    d.src = src;
    d.dst = dst;
    d.rows = p.rows;
    d.cols = p.cols;
    d.src_row_stride = p.src_row_stride.value_or(p.cols);
    d.dst_row_stride = p.dst_row_stride.value_or(softmax ? p.cols : 1u);
    const std::uint32_t min_dst = softmax ? p.cols : 1u;
    if (p.rows > 1 && d.dst_row_stride < min_dst)
        invalid(fmt::format("reduce dst row stride {} is below {}", d.dst_row_stride, min_dst));
    d.op = op;
    d.src_dtype = st;
    d.dst_dtype = dt;
    check_aligned(src, SEED_DT_SIZE(st), "reduce src");
    check_aligned(dst, SEED_DT_SIZE(dt), "reduce dst");
    return d;
}

ReduceExtents reduce_extents(const seed_reduce_desc& d) {
    ReduceExtents x;
    x.src = matrix_extent(d.rows, d.cols, d.src_row_stride, 1, SEED_DT_SIZE(d.src_dtype));
    const std::uint64_t cols = d.op == SEED_REDUCE_SOFTMAX ? d.cols : 1u;
    x.dst = matrix_extent(d.rows, cols, d.dst_row_stride, 1, SEED_DT_SIZE(d.dst_dtype));
    return x;
}

CommandLayout layout_for(std::size_t packets, std::size_t desc_bytes) noexcept {
    CommandLayout l;
    l.packet_bytes = std::uint64_t{packets} * SEED_PKT_SIZE;
    l.desc_offset = (l.packet_bytes + SEED_DESC_ALIGN - 1) / SEED_DESC_ALIGN * SEED_DESC_ALIGN;
    l.total = l.desc_offset + desc_bytes;
    return l;
}

std::uint64_t append_descriptor(std::vector<std::byte>& descs, const void* desc,
                                std::size_t desc_size) {
    const std::size_t offset =
        (descs.size() + SEED_DESC_ALIGN - 1) / SEED_DESC_ALIGN * SEED_DESC_ALIGN;
    descs.resize(offset + desc_size);
    std::memcpy(descs.data() + offset, desc, desc_size);
    return offset;
}

std::vector<std::byte> build_image(std::span<const seed_pkt_raw> packets,
                                   std::span<const DescFixup> fixups,
                                   std::span<const std::byte> descs, std::uint64_t base_va) {
    const CommandLayout l = layout_for(packets.size(), descs.size());
    std::vector<std::byte> image(l.total);
    std::memcpy(image.data(), packets.data(), l.packet_bytes);
    if (!descs.empty())
        std::memcpy(image.data() + l.desc_offset, descs.data(), descs.size());
    for (const DescFixup& f : fixups) {
        seed_pkt_compute p{};
        std::byte* at = image.data() + f.packet * SEED_PKT_SIZE;
        std::memcpy(&p, at, sizeof(p));
        p.desc = base_va + l.desc_offset + f.desc_offset;
        std::memcpy(at, &p, sizeof(p));
    }
    return image;
}

} // namespace seed::detail
