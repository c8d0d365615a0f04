// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// ELEMENTWISE engine (docs/hardware.md §11.2): unary and binary operations
// over strided 2-D tensors, broadcasting through zero strides, with the
// conversions of §11.4. Rows are streamed in chunks of kChunk elements, each
// chunk read before it is written, so in-place operation works and host
// memory stays bounded whatever the tensor size.
#include "compute.h"
#include "convert.h"
#include "descriptor_check.h"
#include "tensor_io.h"

#include <hw/seed_hw.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

namespace seed::device::compute {
namespace {

constexpr size_t kChunk = 16384;

bool is_float(uint8_t dt) {
    return dt == SEED_DT_F32 || dt == SEED_DT_F16 || dt == SEED_DT_BF16;
}

bool op_known(uint8_t op) {
    return op <= SEED_EW_SQRT || (op >= SEED_EW_ADD && op <= SEED_EW_MIN);
}

bool op_has_i32(uint8_t op) {
    switch (op) {
    case SEED_EW_COPY:
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

DescriptorCheck validate(const seed_ew_desc& d) {
    const bool binary = SEED_EW_IS_BINARY(d.op);
    if (!op_known(d.op))
        return reject(SEED_ERR_MALFORMED, "unknown op");
    if (d.reserved0 != 0 || d.reserved1 != 0)
        return reject(SEED_ERR_MALFORMED, "reserved field set");
    if (!binary && (d.src1 != 0 || d.src1_row_stride != 0 || d.src1_col_stride != 0))
        return reject(SEED_ERR_MALFORMED, "source 1 field set for a unary op");

    if (d.src_dtype > SEED_DT_I32 || d.dst_dtype > SEED_DT_I32)
        return reject(SEED_ERR_BAD_DTYPE, "unknown dtype");
    const bool float_pair = is_float(d.src_dtype) && is_float(d.dst_dtype);
    const bool i32_pair = d.src_dtype == SEED_DT_I32 && d.dst_dtype == SEED_DT_I32;
    if (d.op != SEED_EW_COPY && !float_pair && !(i32_pair && op_has_i32(d.op)))
        return reject(SEED_ERR_BAD_DTYPE, "type combination not supported by the op");

    if (d.rows < 1 || d.rows > SEED_TENSOR_MAX_DIM || d.cols < 1 || d.cols > SEED_TENSOR_MAX_DIM)
        return reject(SEED_ERR_BAD_SIZE, "rows or cols outside [1, 2^24]");
    if (d.rows > 1 && d.dst_row_stride < d.cols)
        return reject(SEED_ERR_BAD_SIZE, "dst_row_stride below cols");

    const uint64_t src_size = SEED_DT_SIZE(d.src_dtype);
    if (d.src0 % src_size != 0 || (binary && d.src1 % src_size != 0))
        return reject(SEED_ERR_MISALIGNED, "source not aligned to its element size");
    if (d.dst % SEED_DT_SIZE(d.dst_dtype) != 0)
        return reject(SEED_ERR_MISALIGNED, "dst not aligned to its element size");
    return {};
}

float apply_float(uint8_t op, float a, float b) {
    switch (op) {
    case SEED_EW_COPY:
        return a;
    case SEED_EW_RELU:
        return float_relu(a);
    case SEED_EW_GELU:
        return float_gelu(a);
    case SEED_EW_EXP:
        return std::exp(a);
    case SEED_EW_NEG:
        return -a;
    case SEED_EW_ABS:
        return std::fabs(a);
    case SEED_EW_SQRT:
        return std::sqrt(a);
    case SEED_EW_ADD:
        return a + b;
    case SEED_EW_SUB:
        return a - b;
    case SEED_EW_MUL:
        return a * b;
    case SEED_EW_DIV:
        return a / b;
    case SEED_EW_MAX:
        return float_max(a, b);
    default: // SEED_EW_MIN; validate() admits nothing else
        return float_min(a, b);
    }
}

// Two's complement arithmetic modulo 2^32.
int32_t apply_i32(uint8_t op, int32_t a, int32_t b) {
    const auto ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
    switch (op) {
    case SEED_EW_RELU:
        return a > 0 ? a : 0;
    case SEED_EW_NEG:
        return static_cast<int32_t>(0u - ua);
    case SEED_EW_ABS:
        return a < 0 ? static_cast<int32_t>(0u - ua) : a;
    case SEED_EW_ADD:
        return static_cast<int32_t>(ua + ub);
    case SEED_EW_SUB:
        return static_cast<int32_t>(ua - ub);
    case SEED_EW_MUL:
        return static_cast<int32_t>(ua * ub);
    case SEED_EW_MAX:
        return std::max(a, b);
    case SEED_EW_MIN:
        return std::min(a, b);
    default: // SEED_EW_COPY
        return a;
    }
}

// COPY of one element between any two types (§11.4).
void convert_element(const uint8_t* src, uint8_t src_dt, uint8_t* dst, uint8_t dst_dt) {
    if (src_dt == dst_dt) {
        std::memcpy(dst, src, SEED_DT_SIZE(src_dt));
        return;
    }
    if (is_float(src_dt)) {
        const float f = load_float(src, 0, src_dt);
        if (is_float(dst_dt)) {
            store_float(dst, 0, dst_dt, f);
        } else if (dst_dt == SEED_DT_I8) {
            const int8_t v = f32_to_int<int8_t>(f);
            std::memcpy(dst, &v, 1);
        } else {
            const int32_t v = f32_to_int<int32_t>(f);
            std::memcpy(dst, &v, 4);
        }
        return;
    }
    int32_t v;
    if (src_dt == SEED_DT_I8) {
        int8_t b;
        std::memcpy(&b, src, 1);
        v = b;
    } else {
        std::memcpy(&v, src, 4);
    }
    if (dst_dt == SEED_DT_F32) {
        store_float(dst, 0, dst_dt, static_cast<float>(v));
    } else if (is_float(dst_dt)) {
        // Rounded to odd first, so the narrowing rounds only once.
        store_float(dst, 0, dst_dt, i32_to_f32_round_odd(v));
    } else if (dst_dt == SEED_DT_I8) {
        const auto b = static_cast<int8_t>(std::clamp(v, -128, 127));
        std::memcpy(dst, &b, 1);
    } else {
        std::memcpy(dst, &v, 4);
    }
}

class EwRun {
public:
    EwRun(AddressSpace& as, const seed_ew_desc& d)
        : as_(as), d_(d), binary_(SEED_EW_IS_BINARY(d.op)), src_size_(SEED_DT_SIZE(d.src_dtype)),
          dst_size_(SEED_DT_SIZE(d.dst_dtype)) {}

    uint32_t run() {
        // A tensor whose rows follow each other exactly (row stride = cols · column stride,
        // which includes full broadcasts) is one long row: fewer, larger accesses.
        const uint64_t cols = d_.cols;
        const bool flat =
            d_.rows == 1 || (d_.src0_row_stride == cols * d_.src0_col_stride &&
                             (!binary_ || d_.src1_row_stride == cols * d_.src1_col_stride) &&
                             d_.dst_row_stride == cols);
        const size_t rows = flat ? 1 : d_.rows;
        const size_t length = flat ? size_t{d_.rows} * d_.cols : d_.cols;
        in0_.resize(std::min(length, kChunk) * src_size_);
        if (binary_)
            in1_.resize(in0_.size());
        out_.resize(std::min(length, kChunk) * dst_size_);
        for (size_t i = 0; i < rows; ++i)
            for (size_t j0 = 0; j0 < length; j0 += kChunk)
                if (uint32_t err = chunk(i, j0, std::min(kChunk, length - j0)))
                    return err;
        return SEED_ERR_NONE;
    }

private:
    uint32_t chunk(size_t i, size_t j0, size_t n) {
        const uint64_t va0 =
            d_.src0 + (i * d_.src0_row_stride + j0 * d_.src0_col_stride) * src_size_;
        if (uint32_t err = read_strided(as_, va0, d_.src0_col_stride, src_size_, n, in0_.data()))
            return err;
        if (binary_) {
            const uint64_t va1 =
                d_.src1 + (i * d_.src1_row_stride + j0 * d_.src1_col_stride) * src_size_;
            if (uint32_t err =
                    read_strided(as_, va1, d_.src1_col_stride, src_size_, n, in1_.data()))
                return err;
        }
        compute(n);
        const uint64_t dst_va = d_.dst + (i * uint64_t{d_.dst_row_stride} + j0) * dst_size_;
        return as_.write(dst_va, out_.data(), n * dst_size_);
    }

    void compute(size_t n) {
        const uint8_t op = d_.op;
        if (op == SEED_EW_COPY) {
            for (size_t j = 0; j < n; ++j)
                convert_element(&in0_[j * src_size_], d_.src_dtype, &out_[j * dst_size_],
                                d_.dst_dtype);
            return;
        }
        if (d_.src_dtype == SEED_DT_I32) {
            for (size_t j = 0; j < n; ++j) {
                int32_t a, b = 0, r;
                std::memcpy(&a, &in0_[4 * j], 4);
                if (binary_)
                    std::memcpy(&b, &in1_[4 * j], 4);
                r = apply_i32(op, a, b);
                std::memcpy(&out_[4 * j], &r, 4);
            }
            return;
        }
        for (size_t j = 0; j < n; ++j) {
            const float a = load_float(in0_.data(), j, d_.src_dtype);
            const float b = binary_ ? load_float(in1_.data(), j, d_.src_dtype) : 0.0f;
            store_float(out_.data(), j, d_.dst_dtype, apply_float(op, a, b));
        }
    }

    AddressSpace& as_;
    const seed_ew_desc& d_;
    const bool binary_;
    const size_t src_size_, dst_size_;
    std::vector<uint8_t> in0_, in1_, out_;
};

} // namespace

uint32_t run_elementwise(AddressSpace& as, uint64_t desc_va) {
    if (desc_va % SEED_DESC_ALIGN != 0)
        return SEED_ERR_MISALIGNED;
    seed_ew_desc d;
    if (uint32_t err = as.read(desc_va, &d, sizeof(d)))
        return err;
    if (const DescriptorCheck check = validate(d))
        return report_rejected("ELEMENTWISE", desc_va, check);
    try {
        return EwRun(as, d).run();
    } catch (const std::bad_alloc&) {
        return SEED_ERR_HANG; // no host memory for the model's buffers (see gemm.cpp)
    }
}

} // namespace seed::device::compute
