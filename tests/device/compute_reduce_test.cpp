// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// REDUCE engine: SUM/MAX/MIN/SOFTMAX against a reference for every type
// pair, strides, NaN rules, in-place SOFTMAX, descriptor checks and faults.
#include "compute/compute.h"
#include "compute/convert.h"
#include "compute_test_memory.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

namespace seed::device::compute {
namespace {

using test::FakeMemory;

constexpr float kInf = std::numeric_limits<float>::infinity();
const uint8_t kFloat[] = {SEED_DT_F32, SEED_DT_F16, SEED_DT_BF16};

double ulp_of(uint8_t dt) {
    return dt == SEED_DT_F32 ? 0x1p-23 : dt == SEED_DT_F16 ? 0x1p-10 : 0x1p-7;
}

uint32_t run(FakeMemory& mem, const seed_reduce_desc& d) {
    const uint64_t va = mem.alloc(sizeof(d));
    mem.store(va, d);
    return run_reduce(mem, va);
}

seed_reduce_desc make_desc(uint8_t op, uint8_t src_dt, uint8_t dst_dt, uint32_t rows,
                           uint32_t cols) {
    seed_reduce_desc d{};
    d.op = op;
    d.src_dtype = src_dt;
    d.dst_dtype = dst_dt;
    d.rows = rows;
    d.cols = cols;
    d.src_row_stride = cols;
    d.dst_row_stride = op == SEED_REDUCE_SOFTMAX ? cols : 1;
    return d;
}

void check(uint8_t op, uint8_t src_dt, uint8_t dst_dt, uint32_t rows, uint32_t cols,
           uint32_t src_stride, uint32_t dst_stride) {
    FakeMemory mem(1 << 20);
    std::mt19937 rng(op + 3u * src_dt + 11u * dst_dt + rows);
    std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
    const size_t src_elems = size_t{rows - 1} * src_stride + cols;
    std::vector<uint8_t> src(src_elems * SEED_DT_SIZE(src_dt));
    std::vector<double> x(src_elems);
    for (size_t i = 0; i < src_elems; ++i) {
        store_float(src.data(), i, src_dt, dist(rng));
        x[i] = load_float(src.data(), i, src_dt);
    }
    const bool softmax = op == SEED_REDUCE_SOFTMAX;
    const size_t dst_elems = size_t{rows - 1} * dst_stride + (softmax ? cols : 1);
    std::vector<uint8_t> sentinel(dst_elems * SEED_DT_SIZE(dst_dt), 0x5a);
    seed_reduce_desc d = make_desc(op, src_dt, dst_dt, rows, cols);
    d.src = mem.put(src);
    d.dst = mem.put(sentinel);
    d.src_row_stride = src_stride;
    d.dst_row_stride = dst_stride;
    ASSERT_EQ(run(mem, d), SEED_ERR_NONE);
    const auto out = mem.get<uint8_t>(d.dst, sentinel.size());
    const double tol_dst = ulp_of(dst_dt);
    for (size_t i = 0; i < rows; ++i) {
        const double* row = &x[i * src_stride];
        double s = 0, mag = 0, mx = row[0], mn = row[0];
        for (size_t j = 0; j < cols; ++j) {
            s += row[j];
            mag += std::fabs(row[j]);
            mx = std::max(mx, row[j]);
            mn = std::min(mn, row[j]);
        }
        if (!softmax) {
            const double got = load_float(out.data(), i * dst_stride, dst_dt);
            const double want = op == SEED_REDUCE_SUM ? s : op == SEED_REDUCE_MAX ? mx : mn;
            const double tol = op == SEED_REDUCE_SUM ? cols * 0x1p-23 * mag + tol_dst * std::fabs(s)
                                                     : tol_dst * std::fabs(want);
            ASSERT_NEAR(got, want, tol) << "row " << i;
            if (i + 1 < rows && dst_stride > 1) {
                ASSERT_EQ(out[(i * dst_stride + 1) * SEED_DT_SIZE(dst_dt)], 0x5a) << "gap written";
            }
            continue;
        }
        double z = 0;
        for (size_t j = 0; j < cols; ++j)
            z += std::exp(row[j] - mx);
        for (size_t j = 0; j < cols; ++j) {
            const double want = std::exp(row[j] - mx) / z;
            const double got = load_float(out.data(), i * dst_stride + j, dst_dt);
            ASSERT_NEAR(got, want, (tol_dst + cols * 0x1p-22) * want + 0x1p-25) << i << "," << j;
        }
        for (size_t j = cols; i + 1 < rows && j < dst_stride; ++j)
            ASSERT_EQ(out[(i * dst_stride + j) * SEED_DT_SIZE(dst_dt)], 0x5a) << "gap written";
    }
}

TEST(ComputeReduce, EveryOpAndTypePair) {
    for (uint8_t src : kFloat)
        for (uint8_t dst : kFloat)
            for (uint8_t op = SEED_REDUCE_SUM; op <= SEED_REDUCE_SOFTMAX; ++op)
                check(op, src, dst, 5, 13, 13, op == SEED_REDUCE_SOFTMAX ? 13 : 1);
}

TEST(ComputeReduce, StridesAndShapes) {
    check(SEED_REDUCE_SUM, SEED_DT_F32, SEED_DT_F32, 7, 9, 20, 3);
    check(SEED_REDUCE_MAX, SEED_DT_F16, SEED_DT_F32, 4, 1, 1, 2);
    check(SEED_REDUCE_MIN, SEED_DT_BF16, SEED_DT_BF16, 1, 100, 0, 0);
    check(SEED_REDUCE_SOFTMAX, SEED_DT_F32, SEED_DT_F16, 6, 11, 15, 12);
    check(SEED_REDUCE_SUM, SEED_DT_F32, SEED_DT_F32, 3, 70000, 70000, 1); // row > one batch
    check(SEED_REDUCE_SOFTMAX, SEED_DT_F32, SEED_DT_F32, 2, 70001, 70001, 70001);
    check(SEED_REDUCE_MAX, SEED_DT_F32, SEED_DT_F32, 20000, 5, 5, 1); // many rows per batch
    check(SEED_REDUCE_SUM, SEED_DT_F32, SEED_DT_F32, 3, 4, 0, 1);     // repeated source row
}

TEST(ComputeReduce, NanInfAndSignedZero) {
    FakeMemory mem(1 << 16);
    const std::vector<float> x = {1.0f,  NAN,  3.0f,  // NaN row
                                  -0.0f, 0.0f, -0.0f, // zeros
                                  -kInf, 2.0f, 1.0f,  // -inf
                                  kInf,  1.0f, 2.0f};
    const uint64_t src = mem.put(x), dst = mem.alloc(64);
    auto reduce = [&](uint8_t op) {
        seed_reduce_desc d = make_desc(op, SEED_DT_F32, SEED_DT_F32, 4, 3);
        d.src = src;
        d.dst = dst;
        EXPECT_EQ(run(mem, d), SEED_ERR_NONE);
        return mem.get<float>(dst, op == SEED_REDUCE_SOFTMAX ? 12 : 4);
    };
    auto r = reduce(SEED_REDUCE_MAX);
    EXPECT_TRUE(std::isnan(r[0]));
    EXPECT_FALSE(std::signbit(r[1])) << "+0 greater than -0";
    EXPECT_EQ(r[2], 2.0f);
    EXPECT_EQ(r[3], kInf);
    r = reduce(SEED_REDUCE_MIN);
    EXPECT_TRUE(std::isnan(r[0]));
    EXPECT_TRUE(std::signbit(r[1]));
    EXPECT_EQ(r[2], -kInf);
    r = reduce(SEED_REDUCE_SUM);
    EXPECT_TRUE(std::isnan(r[0]));
    EXPECT_EQ(r[2], -kInf);
    r = reduce(SEED_REDUCE_SOFTMAX);
    for (int j = 0; j < 3; ++j)
        EXPECT_TRUE(std::isnan(r[j])) << "row holding NaN is all NaN";
    EXPECT_EQ(r[6], 0.0f) << "e^-inf";
    EXPECT_NEAR(r[7], 0.7310585786, 1e-6);
    for (int j = 9; j < 12; ++j)
        EXPECT_TRUE(std::isnan(r[j])) << "+inf: inf - inf";
}

TEST(ComputeReduce, SoftmaxIsStableAndInPlace) {
    FakeMemory mem(1 << 16);
    const std::vector<float> x = {1000.0f, 1001.0f, 999.0f, -1000.0f, -1001.0f, -999.0f};
    const uint64_t va = mem.put(x);
    seed_reduce_desc d = make_desc(SEED_REDUCE_SOFTMAX, SEED_DT_F32, SEED_DT_F32, 2, 3);
    d.src = va;
    d.dst = va;
    ASSERT_EQ(run(mem, d), SEED_ERR_NONE);
    const auto r = mem.get<float>(va, 6);
    EXPECT_NEAR(r[1], 0.6652409558, 1e-6);
    EXPECT_NEAR(r[0], 0.2447284711, 1e-6);
    EXPECT_NEAR(r[5], 0.6652409558, 1e-6);
    EXPECT_NEAR(r[3] + r[4] + r[5], 1.0, 1e-6);
}

// ---- Descriptor checks -----------------------------------------------------

class ReduceDescTest : public ::testing::Test {
protected:
    void SetUp() override {
        d_ = make_desc(SEED_REDUCE_SOFTMAX, SEED_DT_F32, SEED_DT_F32, 2, 3);
        d_.src = mem_.alloc(64);
        d_.dst = mem_.alloc(64);
    }
    uint32_t run_with(const std::function<void(seed_reduce_desc&)>& edit) {
        seed_reduce_desc d = d_;
        edit(d);
        const auto before = mem_.get<uint8_t>(d_.dst, 64);
        const uint32_t err = run(mem_, d);
        if (err != SEED_ERR_NONE) {
            EXPECT_EQ(mem_.get<uint8_t>(d_.dst, 64), before) << "written on error";
        }
        return err;
    }
    FakeMemory mem_{1 << 16};
    seed_reduce_desc d_{};
};

TEST_F(ReduceDescTest, Valid) {
    EXPECT_EQ(run_with([](auto&) {}), SEED_ERR_NONE);
}

TEST_F(ReduceDescTest, DescriptorAddress) {
    const uint64_t va = mem_.alloc(64);
    mem_.store(va, d_);
    EXPECT_EQ(run_reduce(mem_, va + 32), SEED_ERR_MISALIGNED);
    mem_.unmap(va, 1);
    EXPECT_EQ(run_reduce(mem_, va), SEED_ERR_MMU_FAULT);
    EXPECT_EQ(mem_.fault().address, va);
}

TEST_F(ReduceDescTest, Malformed) {
    EXPECT_EQ(run_with([](auto& d) { d.op = 4; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.op = 0xff; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.reserved0 = 1; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.reserved1 = 1; }), SEED_ERR_MALFORMED);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(run_with([i](auto& d) { d.reserved[i] = 2; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.op = 9, d.src_dtype = 9, d.rows = 0; }), SEED_ERR_MALFORMED);
}

TEST_F(ReduceDescTest, BadDtype) {
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = SEED_DT_I32; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = SEED_DT_I8; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dst_dtype = SEED_DT_I32; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dst_dtype = 5; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = 7, d.rows = 0; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = SEED_DT_BF16, d.dst_dtype = SEED_DT_F16; }),
              SEED_ERR_NONE);
}

TEST_F(ReduceDescTest, BadSize) {
    EXPECT_EQ(run_with([](auto& d) { d.rows = 0; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.cols = 0; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.rows = SEED_TENSOR_MAX_DIM + 1; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.cols = SEED_TENSOR_MAX_DIM + 1; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.dst_row_stride = 2; }), SEED_ERR_BAD_SIZE)
        << "SOFTMAX < cols";
    EXPECT_EQ(run_with([](auto& d) { d.op = SEED_REDUCE_SUM, d.dst_row_stride = 0; }),
              SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.op = SEED_REDUCE_MAX, d.dst_row_stride = 1; }),
              SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.rows = 1, d.dst_row_stride = 0; }), SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.rows = 1, d.src_row_stride = 0; }), SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.cols = 0, d.src = 2; }), SEED_ERR_BAD_SIZE);
}

TEST_F(ReduceDescTest, Misaligned) {
    EXPECT_EQ(run_with([](auto& d) { d.src += 2; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) { d.dst += 1; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) { d.src_dtype = SEED_DT_F16, d.src += 2; }), SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.dst_dtype = SEED_DT_BF16, d.dst += 1; }),
              SEED_ERR_MISALIGNED);
}

TEST_F(ReduceDescTest, Faults) {
    mem_.unmap(d_.src + 20, 4);
    EXPECT_EQ(run_with([](auto&) {}), SEED_ERR_MMU_FAULT);
    EXPECT_EQ(mem_.fault().address, d_.src + 20);
    FakeMemory mem(1 << 16);
    seed_reduce_desc d = d_;
    d.op = SEED_REDUCE_SUM;
    d.dst_row_stride = 5;
    mem.unmap(d.dst + 20, 4);
    EXPECT_EQ(run(mem, d), SEED_ERR_MMU_FAULT);
    EXPECT_TRUE(mem.fault().write);
    EXPECT_EQ(mem.fault().address, d.dst + 20);
}

} // namespace
} // namespace seed::device::compute
