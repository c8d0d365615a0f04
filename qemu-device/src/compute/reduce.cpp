// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// REDUCE engine (docs/hardware.md §11.3): row-wise SUM, MAX, MIN and a
// numerically stable SOFTMAX. Rows are processed in batches of about kChunk
// elements (a row is never split), each batch read before it is written, so
// in-place SOFTMAX works.
#include "compute.h"
#include "convert.h"
#include "descriptor_check.h"
#include "tensor_io.h"

#include <hw/seed_hw.h>

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

namespace seed::device::compute {
namespace {

constexpr size_t kChunk = 65536;

bool is_float(uint8_t dt) {
    return dt == SEED_DT_F32 || dt == SEED_DT_F16 || dt == SEED_DT_BF16;
}

DescriptorCheck validate(const seed_reduce_desc& d) {
    if (d.op > SEED_REDUCE_SOFTMAX)
        return reject(SEED_ERR_MALFORMED, "unknown op");
    if (d.reserved0 != 0 || d.reserved1 != 0)
        return reject(SEED_ERR_MALFORMED, "reserved field set");
    for (uint64_t r : d.reserved)
        if (r != 0)
            return reject(SEED_ERR_MALFORMED, "reserved field set");
    if (!is_float(d.src_dtype) || !is_float(d.dst_dtype))
        return reject(SEED_ERR_BAD_DTYPE, "dtype not F32, F16 or BF16");
    if (d.rows < 1 || d.rows > SEED_TENSOR_MAX_DIM || d.cols < 1 || d.cols > SEED_TENSOR_MAX_DIM)
        return reject(SEED_ERR_BAD_SIZE, "rows or cols outside [1, 2^24]");
    const uint32_t min_stride = d.op == SEED_REDUCE_SOFTMAX ? d.cols : 1;
    if (d.rows > 1 && d.dst_row_stride < min_stride)
        return reject(SEED_ERR_BAD_SIZE, "dst_row_stride too small");
    if (d.src % SEED_DT_SIZE(d.src_dtype) != 0)
        return reject(SEED_ERR_MISALIGNED, "src not aligned to its element size");
    if (d.dst % SEED_DT_SIZE(d.dst_dtype) != 0)
        return reject(SEED_ERR_MISALIGNED, "dst not aligned to its element size");
    return {};
}

// Binary32 sum in eight interleaved partial sums (the manual leaves the order open).
float sum(const float* x, size_t n) {
    float part[8] = {};
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t l = 0; l < 8; ++l)
            part[l] += x[j + l];
    for (; j < n; ++j)
        part[j % 8] += x[j];
    return ((part[0] + part[4]) + (part[1] + part[5])) +
           ((part[2] + part[6]) + (part[3] + part[7]));
}

// m = max x; x_j <- e^(x_j - m) / Σ e^(x_l - m). A NaN anywhere makes m NaN and so
// the whole row NaN; so does a +inf, or a row of only -inf (∞ - ∞).
void softmax(float* x, size_t n) {
    float m = x[0];
    for (size_t j = 1; j < n; ++j)
        m = float_max(m, x[j]);
    for (size_t j = 0; j < n; ++j)
        x[j] = std::exp(x[j] - m);
    const float s = sum(x, n);
    for (size_t j = 0; j < n; ++j)
        x[j] /= s;
}

uint32_t execute(AddressSpace& as, const seed_reduce_desc& d) {
    const size_t cols = d.cols;
    const size_t src_size = SEED_DT_SIZE(d.src_dtype), dst_size = SEED_DT_SIZE(d.dst_dtype);
    const size_t batch = std::max<size_t>(1, kChunk / cols);
    const bool softmax_op = d.op == SEED_REDUCE_SOFTMAX;
    std::vector<uint8_t> raw(std::min<size_t>(batch, d.rows) * cols * src_size);
    std::vector<float> x(std::min<size_t>(batch, d.rows) * cols);
    std::vector<uint8_t> out(softmax_op ? x.size() * dst_size : batch * dst_size);

    for (size_t row0 = 0; row0 < d.rows; row0 += batch) {
        const size_t rows = std::min<size_t>(batch, d.rows - row0);
        if (uint32_t err =
                read_block(as, d.src, d.src_row_stride, src_size, row0, rows, 0, cols, raw.data()))
            return err;
        for (size_t j = 0; j < rows * cols; ++j)
            x[j] = load_float(raw.data(), j, d.src_dtype);
        for (size_t r = 0; r < rows; ++r) {
            float* row = &x[r * cols];
            switch (d.op) {
            case SEED_REDUCE_SUM:
                store_float(out.data(), r, d.dst_dtype, sum(row, cols));
                break;
            case SEED_REDUCE_MAX:
            case SEED_REDUCE_MIN: {
                float v = row[0];
                for (size_t j = 1; j < cols; ++j)
                    v = d.op == SEED_REDUCE_MAX ? float_max(v, row[j]) : float_min(v, row[j]);
                store_float(out.data(), r, d.dst_dtype, v);
                break;
            }
            default:
                softmax(row, cols);
                for (size_t j = 0; j < cols; ++j)
                    store_float(out.data(), r * cols + j, d.dst_dtype, row[j]);
                break;
            }
        }
        const uint32_t err = softmax_op
                                 ? write_block(as, d.dst, d.dst_row_stride, dst_size, row0, rows, 0,
                                               cols, out.data())
                                 : write_strided(as, d.dst + row0 * d.dst_row_stride * dst_size,
                                                 d.dst_row_stride, dst_size, rows, out.data());
        if (err != SEED_ERR_NONE)
            return err;
    }
    return SEED_ERR_NONE;
}

} // namespace

uint32_t run_reduce(AddressSpace& as, uint64_t desc_va) {
    if (desc_va % SEED_DESC_ALIGN != 0)
        return SEED_ERR_MISALIGNED;
    seed_reduce_desc d;
    if (uint32_t err = as.read(desc_va, &d, sizeof(d)))
        return err;
    if (const DescriptorCheck check = validate(d))
        return report_rejected("REDUCE", desc_va, check);
    try {
        return execute(as, d);
    } catch (const std::bad_alloc&) {
        return SEED_ERR_HANG; // no host memory for the model's buffers (see gemm.cpp)
    }
}

} // namespace seed::device::compute
