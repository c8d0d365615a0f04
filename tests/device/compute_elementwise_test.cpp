// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// ELEMENTWISE engine: every op and type pair of §11.2 against a reference,
// broadcasting through zero strides, strided and in-place operation, every
// descriptor check in order, and faults.
#include "compute/compute.h"
#include "compute/convert.h"
#include "compute_test_memory.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

namespace seed::device::compute {
namespace {

using test::FakeMemory;

constexpr float kInf = std::numeric_limits<float>::infinity();

const uint8_t kUnary[] = {SEED_EW_COPY, SEED_EW_RELU, SEED_EW_GELU, SEED_EW_EXP,
                          SEED_EW_NEG,  SEED_EW_ABS,  SEED_EW_SQRT};
const uint8_t kBinary[] = {SEED_EW_ADD, SEED_EW_SUB, SEED_EW_MUL,
                           SEED_EW_DIV, SEED_EW_MAX, SEED_EW_MIN};
const uint8_t kFloat[] = {SEED_DT_F32, SEED_DT_F16, SEED_DT_BF16};

double ref_float(uint8_t op, double a, double b) {
    switch (op) {
    case SEED_EW_COPY:
        return a;
    case SEED_EW_RELU:
        return std::isnan(a) ? a : (a > 0 ? a : 0.0);
    case SEED_EW_GELU:
        return std::isinf(a) ? (a > 0 ? a : 0.0) : 0.5 * a * std::erfc(-a / std::sqrt(2.0));
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
        return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
    default:
        return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
    }
}

// Relative tolerance of one rounding to dst plus the binary32 computation.
double ulp_of(uint8_t dt) {
    return dt == SEED_DT_F32 ? 0x1p-23 : dt == SEED_DT_F16 ? 0x1p-10 : 0x1p-7;
}

struct Tensor {
    uint64_t va;
    std::vector<double> values; // per element of the backing store
};

Tensor put_floats(FakeMemory& mem, uint8_t dt, size_t count, std::mt19937& rng, float lo,
                  float hi) {
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<uint8_t> bytes(count * SEED_DT_SIZE(dt));
    Tensor t;
    for (size_t i = 0; i < count; ++i) {
        store_float(bytes.data(), i, dt, dist(rng));
        t.values.push_back(load_float(bytes.data(), i, dt));
    }
    t.va = mem.put(bytes);
    return t;
}

seed_ew_desc make_desc(uint8_t op, uint8_t src_dt, uint8_t dst_dt, uint32_t rows, uint32_t cols) {
    seed_ew_desc d{};
    d.op = op;
    d.src_dtype = src_dt;
    d.dst_dtype = dst_dt;
    d.rows = rows;
    d.cols = cols;
    d.src0_row_stride = cols;
    d.src0_col_stride = 1;
    if (SEED_EW_IS_BINARY(op)) {
        d.src1_row_stride = cols;
        d.src1_col_stride = 1;
    }
    d.dst_row_stride = cols;
    return d;
}

uint32_t run(FakeMemory& mem, const seed_ew_desc& d) {
    const uint64_t va = mem.alloc(sizeof(d));
    mem.store(va, d);
    return run_elementwise(mem, va);
}

// Runs a float op with the given strides and checks every destination element.
void check_float_op(uint8_t op, uint8_t src_dt, uint8_t dst_dt, uint32_t rows, uint32_t cols,
                    uint32_t rs0, uint32_t cs0, uint32_t rs1, uint32_t cs1, uint32_t drs) {
    FakeMemory mem(1 << 20);
    std::mt19937 rng(op * 31u + src_dt * 7u + dst_dt);
    const bool binary = SEED_EW_IS_BINARY(op);
    const float lo = op == SEED_EW_SQRT ? -0.5f : -3.0f;
    const size_t span0 = size_t{rows - 1} * rs0 + size_t{cols - 1} * cs0 + 1;
    const size_t span1 = size_t{rows - 1} * rs1 + size_t{cols - 1} * cs1 + 1;
    Tensor s0 = put_floats(mem, src_dt, span0, rng, lo, 3.0f);
    Tensor s1 = binary ? put_floats(mem, src_dt, span1, rng, 0.25f, 2.0f) : Tensor{};
    const size_t dst_elems = size_t{rows - 1} * drs + cols;
    std::vector<uint8_t> sentinel(dst_elems * SEED_DT_SIZE(dst_dt), 0x5a);
    const uint64_t dst = mem.put(sentinel);

    seed_ew_desc d = make_desc(op, src_dt, dst_dt, rows, cols);
    d.src0 = s0.va;
    d.src0_row_stride = rs0;
    d.src0_col_stride = cs0;
    if (binary) {
        d.src1 = s1.va;
        d.src1_row_stride = rs1;
        d.src1_col_stride = cs1;
    }
    d.dst = dst;
    d.dst_row_stride = drs;
    ASSERT_EQ(run(mem, d), SEED_ERR_NONE);

    const auto out = mem.get<uint8_t>(dst, sentinel.size());
    for (size_t i = 0; i < rows; ++i) {
        for (size_t j = cols; i + 1 < rows && j < drs; ++j)
            ASSERT_EQ(out[(i * drs + j) * SEED_DT_SIZE(dst_dt)], 0x5a) << "gap written";
        for (size_t j = 0; j < cols; ++j) {
            const double a = s0.values[i * rs0 + j * cs0];
            const double b = binary ? s1.values[i * rs1 + j * cs1] : 0.0;
            const double want = ref_float(op, a, b);
            const double got = load_float(out.data(), i * drs + j, dst_dt);
            if (std::isnan(want)) {
                ASSERT_TRUE(std::isnan(got)) << int(op) << " " << a;
                continue;
            }
            // Relative rounding, plus half the spacing of F16 subnormals.
            const double tol = (ulp_of(dst_dt) + 4 * 0x1p-23) * std::fabs(want) + 0x1p-25;
            ASSERT_NEAR(got, want, tol)
                << "op " << int(op) << " (" << i << "," << j << ") a=" << a << " b=" << b;
        }
    }
}

TEST(ComputeElementwise, EveryFloatOpAndTypePair) {
    for (uint8_t src : kFloat)
        for (uint8_t dst : kFloat) {
            for (uint8_t op : kUnary)
                check_float_op(op, src, dst, 3, 5, 5, 1, 0, 0, 5);
            for (uint8_t op : kBinary)
                check_float_op(op, src, dst, 3, 5, 5, 1, 5, 1, 5);
        }
}

TEST(ComputeElementwise, BroadcastThroughZeroStrides) {
    check_float_op(SEED_EW_ADD, SEED_DT_F32, SEED_DT_F32, 4, 6, 6, 1, 0, 1, 6);  // row vector
    check_float_op(SEED_EW_MUL, SEED_DT_F32, SEED_DT_F32, 4, 6, 6, 1, 1, 0, 6);  // column vector
    check_float_op(SEED_EW_SUB, SEED_DT_BF16, SEED_DT_F32, 4, 6, 6, 1, 0, 0, 6); // scalar
    check_float_op(SEED_EW_EXP, SEED_DT_F16, SEED_DT_F16, 5, 7, 0, 0, 0, 0, 7);  // scalar source
    check_float_op(SEED_EW_MAX, SEED_DT_F32, SEED_DT_F16, 3, 4, 0, 1, 1, 0, 4);  // outer max
}

TEST(ComputeElementwise, StridedSourcesAndDestination) {
    check_float_op(SEED_EW_ADD, SEED_DT_F32, SEED_DT_F32, 5, 7, 40, 3, 9, 1, 11);     // gaps
    check_float_op(SEED_EW_NEG, SEED_DT_F16, SEED_DT_F32, 6, 3, 1, 6, 0, 0, 3);       // transposed
    check_float_op(SEED_EW_ABS, SEED_DT_F32, SEED_DT_BF16, 2, 5, 3, 2000, 0, 0, 5);   // pages apart
    check_float_op(SEED_EW_RELU, SEED_DT_F32, SEED_DT_F32, 1, 9, 123456, 1, 0, 0, 0); // one row
    check_float_op(SEED_EW_DIV, SEED_DT_F32, SEED_DT_F32, 3, 20000, 20000, 1, 20000, 1, 20001);
}

TEST(ComputeElementwise, IeeeSpecialValues) {
    FakeMemory mem(1 << 16);
    const std::vector<float> a = {1.0f, -1.0f, 0.0f, -0.0f, 0.0f, kInf, -4.0f, NAN};
    const std::vector<float> b = {0.0f, 0.0f, 0.0f, 0.0f, -0.0f, 2.0f, 2.0f, 1.0f};
    seed_ew_desc d = make_desc(SEED_EW_DIV, SEED_DT_F32, SEED_DT_F32, 1, 8);
    d.src0 = mem.put(a);
    d.src1 = mem.put(b);
    d.dst = mem.alloc(32);
    ASSERT_EQ(run(mem, d), SEED_ERR_NONE);
    auto r = mem.get<float>(d.dst, 8);
    EXPECT_EQ(r[0], kInf);
    EXPECT_EQ(r[1], -kInf);
    EXPECT_TRUE(std::isnan(r[2]));
    EXPECT_EQ(r[5], kInf);
    EXPECT_TRUE(std::isnan(r[7]));

    d.op = SEED_EW_MAX;
    ASSERT_EQ(run(mem, d), SEED_ERR_NONE);
    r = mem.get<float>(d.dst, 8);
    EXPECT_FALSE(std::signbit(r[3])) << "max(-0, +0) = +0";
    EXPECT_FALSE(std::signbit(r[4])) << "max(+0, -0) = +0";
    EXPECT_TRUE(std::isnan(r[7]));
    d.op = SEED_EW_MIN;
    ASSERT_EQ(run(mem, d), SEED_ERR_NONE);
    r = mem.get<float>(d.dst, 8);
    EXPECT_TRUE(std::signbit(r[3]));
    EXPECT_TRUE(std::signbit(r[4]));

    seed_ew_desc u = make_desc(SEED_EW_SQRT, SEED_DT_F32, SEED_DT_F32, 1, 8);
    u.src0 = d.src0;
    u.dst = d.dst;
    ASSERT_EQ(run(mem, u), SEED_ERR_NONE);
    r = mem.get<float>(d.dst, 8);
    EXPECT_TRUE(std::isnan(r[1])) << "sqrt(-1)";
    EXPECT_TRUE(std::signbit(r[3])) << "sqrt(-0) = -0";
    u.op = SEED_EW_EXP;
    u.dst_dtype = SEED_DT_F16;
    ASSERT_EQ(run(mem, u), SEED_ERR_NONE);
    EXPECT_EQ(mem.get<uint16_t>(d.dst, 6)[5], 0x7c00) << "exp(inf) = inf";

    // Overflow when narrowing: 70000 + 70000 in F16 is +inf.
    const std::vector<float> big = {70000.0f, -1e30f};
    seed_ew_desc c = make_desc(SEED_EW_COPY, SEED_DT_F32, SEED_DT_F16, 1, 2);
    c.src0 = mem.put(big);
    c.dst = mem.alloc(4);
    ASSERT_EQ(run(mem, c), SEED_ERR_NONE);
    EXPECT_EQ(mem.get<uint16_t>(c.dst, 2), (std::vector<uint16_t>{0x7c00, 0xfc00}));
}

TEST(ComputeElementwise, Int32OpsWrap) {
    FakeMemory mem(1 << 16);
    const std::vector<int32_t> a = {INT32_MIN, INT32_MAX, -5, 7, 0x10000, -1};
    const std::vector<int32_t> b = {-1, 1, 3, -7, 0x10000, INT32_MIN};
    const uint64_t va = mem.put(a), vb = mem.put(b), out = mem.alloc(24);
    auto run_op = [&](uint8_t op) {
        seed_ew_desc d = make_desc(op, SEED_DT_I32, SEED_DT_I32, 2, 3);
        d.src0 = va;
        if (SEED_EW_IS_BINARY(op))
            d.src1 = vb;
        d.dst = out;
        EXPECT_EQ(run(mem, d), SEED_ERR_NONE) << int(op);
        return mem.get<int32_t>(out, 6);
    };
    using V = std::vector<int32_t>;
    EXPECT_EQ(run_op(SEED_EW_COPY), a);
    EXPECT_EQ(run_op(SEED_EW_RELU), (V{0, INT32_MAX, 0, 7, 0x10000, 0}));
    EXPECT_EQ(run_op(SEED_EW_NEG), (V{INT32_MIN, -INT32_MAX, 5, -7, -0x10000, 1}));
    EXPECT_EQ(run_op(SEED_EW_ABS), (V{INT32_MIN, INT32_MAX, 5, 7, 0x10000, 1}));
    EXPECT_EQ(run_op(SEED_EW_ADD), (V{INT32_MAX, INT32_MIN, -2, 0, 0x20000, INT32_MAX}));
    EXPECT_EQ(run_op(SEED_EW_SUB), (V{INT32_MIN + 1, INT32_MAX - 1, -8, 14, 0, INT32_MAX}));
    EXPECT_EQ(run_op(SEED_EW_MUL), (V{INT32_MIN, INT32_MAX, -15, -49, 0, INT32_MIN}));
    EXPECT_EQ(run_op(SEED_EW_MAX), (V{-1, INT32_MAX, 3, 7, 0x10000, -1}));
    EXPECT_EQ(run_op(SEED_EW_MIN), (V{INT32_MIN, 1, -5, -7, 0x10000, INT32_MIN}));
}

TEST(ComputeElementwise, CopyConvertsEveryTypePair) {
    FakeMemory mem(1 << 16);
    // Source values per type and the expected value after conversion to each type.
    const std::vector<float> f = {2.5f, -3.5f, 300.7f, NAN, -1e10f, 65519.0f};
    const std::vector<int32_t> i32 = {16777217, -129, 127, 100000, 0x1010001, -2049};
    const std::vector<int8_t> i8 = {-128, 127, 0, -1, 5, 100};
    auto copy = [&](uint8_t src_dt, uint64_t src, uint8_t dst_dt) {
        seed_ew_desc d = make_desc(SEED_EW_COPY, src_dt, dst_dt, 2, 3);
        d.src0 = src;
        d.dst = mem.alloc(24);
        EXPECT_EQ(run(mem, d), SEED_ERR_NONE);
        return d.dst;
    };
    const uint64_t vf = mem.put(f), vi32 = mem.put(i32), vi8 = mem.put(i8);
    EXPECT_EQ(mem.get<int8_t>(copy(SEED_DT_F32, vf, SEED_DT_I8), 6),
              (std::vector<int8_t>{2, -4, 127, 0, -128, 127}));
    EXPECT_EQ(mem.get<int32_t>(copy(SEED_DT_F32, vf, SEED_DT_I32), 6),
              (std::vector<int32_t>{2, -4, 301, 0, INT32_MIN, 65519}));
    EXPECT_EQ(mem.get<uint16_t>(copy(SEED_DT_F32, vf, SEED_DT_F16), 6)[5], 0x7bff);
    EXPECT_EQ(mem.get<float>(copy(SEED_DT_I32, vi32, SEED_DT_F32), 6),
              (std::vector<float>{16777216.0f, -129.0f, 127.0f, 100000.0f, 16842752.0f, -2049.0f}));
    EXPECT_EQ(mem.get<int8_t>(copy(SEED_DT_I32, vi32, SEED_DT_I8), 6),
              (std::vector<int8_t>{127, -128, 127, 127, 127, -128}));
    // 0x1010001 = 2^24 + 2^16 + 1 rounds once to bf16 2^24 + 2^17.
    const auto bf = mem.get<uint16_t>(copy(SEED_DT_I32, vi32, SEED_DT_BF16), 6);
    EXPECT_EQ(bf16_to_f32(bf[4]), 0x1p24f + 0x1p17f);
    const auto h = mem.get<uint16_t>(copy(SEED_DT_I32, vi32, SEED_DT_F16), 6);
    EXPECT_EQ(h[3], 0x7c00) << "100000 overflows F16";
    EXPECT_EQ(h[5], 0xe800) << "-2049 ties to -2048";
    EXPECT_EQ(mem.get<int32_t>(copy(SEED_DT_I8, vi8, SEED_DT_I32), 6),
              (std::vector<int32_t>{-128, 127, 0, -1, 5, 100}));
    EXPECT_EQ(mem.get<float>(copy(SEED_DT_I8, vi8, SEED_DT_F32), 6),
              (std::vector<float>{-128, 127, 0, -1, 5, 100}));
    EXPECT_EQ(bf16_to_f32(mem.get<uint16_t>(copy(SEED_DT_I8, vi8, SEED_DT_BF16), 6)[0]), -128.0f);
    EXPECT_EQ(mem.get<int8_t>(copy(SEED_DT_I8, vi8, SEED_DT_I8), 6), i8);
    // F16 and BF16 sources into integers.
    const uint64_t vh = copy(SEED_DT_F32, vf, SEED_DT_F16);
    EXPECT_EQ(mem.get<int32_t>(copy(SEED_DT_F16, vh, SEED_DT_I32), 6)[2], 301) << "300.75 in F16";
    const uint64_t vb = copy(SEED_DT_F32, vf, SEED_DT_BF16);
    EXPECT_EQ(mem.get<int8_t>(copy(SEED_DT_BF16, vb, SEED_DT_I8), 6)[0], 2);
}

TEST(ComputeElementwise, InPlace) {
    FakeMemory mem(1 << 16);
    std::vector<float> x(12);
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(i) - 6.0f;
    const uint64_t va = mem.put(x);
    seed_ew_desc d = make_desc(SEED_EW_ADD, SEED_DT_F32, SEED_DT_F32, 3, 4);
    d.src0 = va;
    d.src1 = va;
    d.dst = va;
    ASSERT_EQ(run(mem, d), SEED_ERR_NONE);
    const auto r = mem.get<float>(va, 12);
    for (size_t i = 0; i < x.size(); ++i)
        EXPECT_EQ(r[i], 2 * x[i]);
}

TEST(ComputeElementwise, LargeTensorIsChunked) {
    // 3 x 40000 with a broadcast row: rows longer than one chunk, sources read in windows.
    check_float_op(SEED_EW_ADD, SEED_DT_F32, SEED_DT_F32, 3, 40000, 40000, 1, 0, 1, 40000);
    check_float_op(SEED_EW_MUL, SEED_DT_BF16, SEED_DT_F16, 2, 30000, 30000, 1, 1, 0, 30001);
}

// ---- Descriptor checks -----------------------------------------------------

class EwDescTest : public ::testing::Test {
protected:
    void SetUp() override {
        d_ = make_desc(SEED_EW_ADD, SEED_DT_F32, SEED_DT_F32, 2, 3);
        d_.src0 = mem_.alloc(64);
        d_.src1 = mem_.alloc(64);
        d_.dst = mem_.alloc(64);
    }
    uint32_t run_with(const std::function<void(seed_ew_desc&)>& edit) {
        seed_ew_desc d = d_;
        edit(d);
        const auto before = mem_.get<uint8_t>(d_.dst, 64);
        const uint32_t err = run(mem_, d);
        if (err != SEED_ERR_NONE) {
            EXPECT_EQ(mem_.get<uint8_t>(d_.dst, 64), before) << "written on error";
        }
        return err;
    }
    FakeMemory mem_{1 << 16};
    seed_ew_desc d_{};
};

TEST_F(EwDescTest, Valid) {
    EXPECT_EQ(run_with([](auto&) {}), SEED_ERR_NONE);
}

TEST_F(EwDescTest, DescriptorAddress) {
    const uint64_t va = mem_.alloc(64);
    mem_.store(va, d_);
    EXPECT_EQ(run_elementwise(mem_, va + 4), SEED_ERR_MISALIGNED);
    mem_.unmap(va + 32, 8);
    EXPECT_EQ(run_elementwise(mem_, va), SEED_ERR_MMU_FAULT);
}

TEST_F(EwDescTest, Malformed) {
    for (int op : {0x07, 0x0f, 0x16, 0x80, 0xff})
        EXPECT_EQ(run_with([op](auto& d) { d.op = static_cast<uint8_t>(op); }), SEED_ERR_MALFORMED)
            << op;
    EXPECT_EQ(run_with([](auto& d) { d.reserved0 = 1; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.reserved1 = 1ull << 40; }), SEED_ERR_MALFORMED);
    // Unary ops: every source-1 field must be 0.
    auto unary = [](seed_ew_desc& d) {
        d.op = SEED_EW_EXP;
        d.src1 = 0;
        d.src1_row_stride = 0;
        d.src1_col_stride = 0;
    };
    EXPECT_EQ(run_with(unary), SEED_ERR_NONE);
    EXPECT_EQ(run_with([&](auto& d) { unary(d), d.src1 = 64; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([&](auto& d) { unary(d), d.src1_row_stride = 1; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([&](auto& d) { unary(d), d.src1_col_stride = 1; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.op = 0x30, d.src_dtype = 9, d.rows = 0; }),
              SEED_ERR_MALFORMED);
}

TEST_F(EwDescTest, BadDtype) {
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = 5; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dst_dtype = 200; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) {
                  d.op = SEED_EW_COPY, d.src1 = 0, d.src1_row_stride = d.src1_col_stride = 0;
                  d.src_dtype = 5;
              }),
              SEED_ERR_BAD_DTYPE);
    // I8 only with COPY; I32 only with I32 and the integer ops.
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = d.dst_dtype = SEED_DT_I8; }),
              SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dst_dtype = SEED_DT_I32; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = SEED_DT_I32; }), SEED_ERR_BAD_DTYPE);
    for (int op : {SEED_EW_DIV}) {
        EXPECT_EQ(run_with([op](auto& d) {
                      d.op = static_cast<uint8_t>(op), d.src_dtype = d.dst_dtype = SEED_DT_I32;
                  }),
                  SEED_ERR_BAD_DTYPE);
    }
    for (int op : {SEED_EW_GELU, SEED_EW_EXP, SEED_EW_SQRT}) {
        EXPECT_EQ(run_with([op](auto& d) {
                      d.op = static_cast<uint8_t>(op), d.src1 = 0,
                      d.src1_row_stride = d.src1_col_stride = 0;
                      d.src_dtype = d.dst_dtype = SEED_DT_I32;
                  }),
                  SEED_ERR_BAD_DTYPE);
    }
    EXPECT_EQ(
        run_with([](auto& d) { d.op = SEED_EW_MUL, d.src_dtype = d.dst_dtype = SEED_DT_I32; }),
        SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) {
                  d.op = SEED_EW_COPY, d.src1 = 0, d.src1_row_stride = d.src1_col_stride = 0;
                  d.src_dtype = SEED_DT_I8, d.dst_dtype = SEED_DT_BF16;
              }),
              SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = 9, d.rows = 0; }), SEED_ERR_BAD_DTYPE);
}

TEST_F(EwDescTest, BadSize) {
    EXPECT_EQ(run_with([](auto& d) { d.rows = 0; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.cols = 0; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.rows = SEED_TENSOR_MAX_DIM + 1; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.cols = SEED_TENSOR_MAX_DIM + 1; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.dst_row_stride = 2; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.rows = 1, d.dst_row_stride = 0; }), SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.rows = 0, d.dst = 1; }), SEED_ERR_BAD_SIZE);
}

TEST_F(EwDescTest, Misaligned) {
    EXPECT_EQ(run_with([](auto& d) { d.src0 += 2; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) { d.src1 += 1; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) { d.dst += 2; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) { d.dst_dtype = SEED_DT_F16, d.dst += 2; }), SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = SEED_DT_BF16, d.src0 += 1; }),
              SEED_ERR_MISALIGNED);
}

TEST_F(EwDescTest, Faults) {
    mem_.unmap(d_.src1 + 16, 4);
    EXPECT_EQ(run_with([](auto&) {}), SEED_ERR_MMU_FAULT);
    EXPECT_EQ(mem_.fault().address, d_.src1 + 16);
    FakeMemory mem(1 << 16);
    seed_ew_desc d = d_;
    mem.unmap(d.dst + 12, 4);
    EXPECT_EQ(run(mem, d), SEED_ERR_MMU_FAULT);
    EXPECT_TRUE(mem.fault().write);
    // A strided source faults at the element's own address.
    FakeMemory mem2(1 << 20);
    d.src0_col_stride = 4096;
    d.src0_row_stride = 3 * 4096;
    mem2.unmap(d.src0 + 4 * 4096 * 4, 4096 * 4);
    EXPECT_EQ(run(mem2, d), SEED_ERR_MMU_FAULT);
    EXPECT_EQ(mem2.fault().address, d.src0 + 4 * 4096 * 4);
    // Elements less than a page apart are read in windows; the fault still names the element.
    FakeMemory mem3(1 << 20);
    d.src0_col_stride = 3;
    d.src0_row_stride = 100;
    mem3.unmap(d.src0 + 101 * 4, 8); // gap only: the elements all read
    EXPECT_EQ(run(mem3, d), SEED_ERR_NONE);
    FakeMemory mem4(1 << 20);
    mem4.unmap(d.src0 + 101 * 4, 12); // two gap elements, then element (1, 1)
    EXPECT_EQ(run(mem4, d), SEED_ERR_MMU_FAULT);
    EXPECT_EQ(mem4.fault().address, d.src0 + 103 * 4);
}

} // namespace
} // namespace seed::device::compute
