// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Tensors as engine operands: an N-dimensional elementwise operation over
// strided tensors becomes ELEMENTWISE packets of 2-D (rows x cols) blocks.
// Dimensions that are contiguous in every operand are merged first, so a
// dense or simply broadcast operation is one packet.
#include "backend.hpp"

#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <cstring>
#include <numeric>

namespace seed::torch_backend {

namespace {

constexpr std::int64_t kMaxDim = 1ll << 24;       ///< rows, cols (SEED_TENSOR_MAX_DIM)
constexpr std::int64_t kMaxStride = 0xffffffffll; ///< strides are 32-bit
constexpr std::int64_t kMaxBlocks = 16384;        ///< packets one op may record

struct Dim {
    std::int64_t size;
    std::array<std::int64_t, 3> stride; ///< dst, src0, src1
};

} // namespace

Operand operand(const at::Tensor& t, at::IntArrayRef shape) {
    const at::Tensor e = t.sizes() == shape ? t : t.expand(shape);
    return {view_of(e), std::vector<std::int64_t>(e.strides().begin(), e.strides().end())};
}

Operand scalar_operand(c10::Device device, double value, at::ScalarType dtype,
                       at::IntArrayRef shape, at::Tensor& keep) {
    keep = empty_on(device, {1}, dtype);
    std::uint64_t pattern = 0;
    std::uint32_t bytes = 4;
    switch (dtype) {
    case at::kFloat: {
        const float f = static_cast<float>(value);
        std::uint32_t bits = 0;
        std::memcpy(&bits, &f, 4);
        pattern = bits;
        break;
    }
    case at::kHalf:
        pattern = c10::Half(static_cast<float>(value)).x;
        bytes = 2;
        break;
    case at::kBFloat16:
        pattern = c10::BFloat16(static_cast<float>(value)).x;
        bytes = 2;
        break;
    default:
        TORCH_CHECK(false, "seedchip: no engine scalar of type ", dtype);
    }
    Chip& c = chip_of(keep);
    c.current_stream().list().fill(view_of(keep), bytes, pattern, bytes);
    return {view_of(keep), std::vector<std::int64_t>(shape.size(), 0)};
}

bool emit_elementwise(Chip& chip, ElementwiseOp op, at::IntArrayRef shape, DType src_dtype,
                      DType dst_dtype, const Operand& dst, const Operand& s0, const Operand* s1) {
    const std::size_t nd = shape.size();
    // Dimensions outermost first, without size-1 ones.
    std::vector<Dim> dims;
    for (std::size_t i = 0; i < nd; ++i) {
        if (shape[i] == 1)
            continue;
        if (shape[i] == 0)
            return true; // nothing to do
        dims.push_back({shape[i], {dst.strides[i], s0.strides[i], s1 ? s1->strides[i] : 0}});
    }
    // Merge a dimension into the next inner one when every operand allows.
    std::vector<Dim> merged;
    for (const Dim& d : dims) {
        if (!merged.empty()) {
            Dim& in = merged.back();
            bool ok = true;
            for (std::size_t k = 0; k < 3; ++k)
                ok = ok && in.stride[k] == d.stride[k] * d.size;
            if (ok) {
                in.size *= d.size;
                in.stride = d.stride;
                continue;
            }
        }
        merged.push_back(d);
    }
    if (merged.empty())
        merged.push_back({1, {1, 0, 0}});
    // The destination's column stride is 1: make a unit-stride dimension the
    // innermost (iteration order does not matter for elementwise work).
    if (merged.back().stride[0] != 1) {
        auto it = std::find_if(merged.begin(), merged.end(),
                               [](const Dim& d) { return d.stride[0] == 1; });
        if (it == merged.end())
            return false;
        std::rotate(it, it + 1, merged.end());
    }
    const Dim cols = merged.back();
    merged.pop_back();
    Dim rows{1, {cols.size, 0, 0}};
    if (!merged.empty()) {
        rows = merged.back();
        merged.pop_back();
    }
    // A column dimension too long for one packet is split into rows when
    // every operand is dense along it.
    if (cols.size > kMaxDim)
        return false;
    if (rows.size > kMaxDim)
        return false;
    for (std::size_t k = 0; k < 3; ++k) {
        if (cols.stride[k] > kMaxStride || rows.stride[k] > kMaxStride)
            return false;
    }
    if (rows.size > 1 && rows.stride[0] < cols.size)
        return false; // destination rows overlap
    std::int64_t blocks = 1;
    for (const Dim& d : merged)
        blocks *= d.size;
    if (blocks > kMaxBlocks)
        return false;

    ElementwiseParams p;
    p.op = op;
    p.rows = static_cast<std::uint32_t>(rows.size);
    p.cols = static_cast<std::uint32_t>(cols.size);
    p.src_dtype = src_dtype;
    p.dst_dtype = dst_dtype;
    p.dst_row_stride = static_cast<std::uint32_t>(rows.size > 1 ? rows.stride[0] : cols.size);
    p.src0_row_stride = static_cast<std::uint32_t>(rows.stride[1]);
    p.src0_col_stride = static_cast<std::uint32_t>(cols.stride[1]);
    if (s1) {
        p.src1_row_stride = static_cast<std::uint32_t>(rows.stride[2]);
        p.src1_col_stride = static_cast<std::uint32_t>(cols.stride[2]);
    }
    const std::uint64_t dsz = element_size(dst_dtype), ssz = element_size(src_dtype);
    CommandList& list = chip.current_stream().list();
    std::vector<std::int64_t> index(merged.size(), 0);
    for (std::int64_t b = 0; b < blocks; ++b) {
        std::array<std::int64_t, 3> off{0, 0, 0};
        for (std::size_t i = 0; i < merged.size(); ++i)
            for (std::size_t k = 0; k < 3; ++k)
                off[k] += index[i] * merged[i].stride[k];
        const BufferView d(dst.base.buffer,
                           dst.base.offset + static_cast<std::uint64_t>(off[0]) * dsz);
        const BufferView a(s0.base.buffer,
                           s0.base.offset + static_cast<std::uint64_t>(off[1]) * ssz);
        if (s1) {
            const BufferView c(s1->base.buffer,
                               s1->base.offset + static_cast<std::uint64_t>(off[2]) * ssz);
            list.elementwise(p, d, a, c);
        } else {
            list.elementwise(p, d, a);
        }
        for (std::size_t i = merged.size(); i-- > 0;) {
            if (++index[i] < merged[i].size)
                break;
            index[i] = 0;
        }
    }
    return true;
}

} // namespace seed::torch_backend
