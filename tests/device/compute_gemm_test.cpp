// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// GEMM engine: results against a naive reference for every data type,
// transpose, leading dimension and epilogue, every descriptor check in the
// manual's order, and faults in each operand.
#include "compute/compute.h"
#include "compute/convert.h"
#include "compute/gemm.h"
#include "compute/gemm_i8.h"
#include "compute/host_gemm.h"
#include "compute_test_memory.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <thread>
#include <utility>
#include <vector>

namespace seed::device::compute {
namespace {

using test::FakeMemory;

struct GemmCase {
    uint8_t dtype = SEED_DT_F32;
    uint32_t m = 1, n = 1, k = 1;
    bool trans_a = false, trans_b = false;
    uint32_t pad_a = 0, pad_b = 0, pad_c = 0; // leading dimension beyond the minimum
    float alpha = 1.0f, beta = 0.0f;
    int32_t ialpha = 1, ibeta = 0;
    bool bias = false;
    uint8_t act = SEED_ACT_NONE;
};

// Operands stored in memory, plus their values as the reference sees them.
struct GemmSetup {
    seed_gemm_desc desc{};
    uint64_t desc_va = 0;
    std::vector<double> a, b; // stored layout, exact values
    std::vector<uint32_t> c0; // initial C bits, ldc layout
    std::vector<uint32_t> bias;
};

std::vector<uint8_t> encode(const std::vector<double>& v, uint8_t dtype) {
    std::vector<uint8_t> out(v.size() * SEED_DT_SIZE(dtype));
    for (size_t i = 0; i < v.size(); ++i) {
        if (dtype == SEED_DT_I8)
            out[i] = static_cast<uint8_t>(static_cast<int8_t>(v[i]));
        else
            store_float(out.data(), i, dtype, static_cast<float>(v[i]));
    }
    return out;
}

GemmSetup make_gemm(FakeMemory& mem, const GemmCase& g, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> real(-1.0f, 1.0f);
    std::uniform_int_distribution<int> small(-128, 127);
    const bool integer = g.dtype == SEED_DT_I8;
    auto value = [&]() -> double {
        if (integer)
            return small(rng);
        const float f = real(rng);
        // Values exactly representable in the input type.
        std::vector<uint8_t> bytes(4);
        store_float(bytes.data(), 0, g.dtype, f);
        return load_float(bytes.data(), 0, g.dtype);
    };

    GemmSetup s;
    const uint32_t rows_a = g.trans_a ? g.k : g.m, cols_a = g.trans_a ? g.m : g.k;
    const uint32_t rows_b = g.trans_b ? g.n : g.k, cols_b = g.trans_b ? g.k : g.n;
    const uint32_t lda = cols_a + g.pad_a, ldb = cols_b + g.pad_b, ldc = g.n + g.pad_c;
    s.a.resize(size_t{rows_a} * lda);
    s.b.resize(size_t{rows_b} * ldb);
    for (auto& x : s.a)
        x = value();
    for (auto& x : s.b)
        x = value();
    s.c0.resize(size_t{g.m} * ldc);
    for (auto& x : s.c0)
        x = integer ? static_cast<uint32_t>(small(rng) * 1000) : std::bit_cast<uint32_t>(real(rng));
    if (g.bias) {
        s.bias.resize(g.n);
        for (auto& x : s.bias)
            x = integer ? static_cast<uint32_t>(small(rng) * 77)
                        : std::bit_cast<uint32_t>(real(rng));
    }

    seed_gemm_desc& d = s.desc;
    d.a = mem.put(encode(s.a, g.dtype));
    d.b = mem.put(encode(s.b, g.dtype));
    d.c = mem.put(s.c0);
    d.bias = g.bias ? mem.put(s.bias) : 0;
    d.m = g.m;
    d.n = g.n;
    d.k = g.k;
    d.lda = lda;
    d.ldb = ldb;
    d.ldc = ldc;
    d.alpha = integer ? static_cast<uint32_t>(g.ialpha) : std::bit_cast<uint32_t>(g.alpha);
    d.beta = integer ? static_cast<uint32_t>(g.ibeta) : std::bit_cast<uint32_t>(g.beta);
    d.dtype = g.dtype;
    d.out_dtype = integer ? SEED_DT_I32 : SEED_DT_F32;
    d.activation = g.act;
    d.flags = static_cast<uint8_t>((g.trans_a ? SEED_GEMM_F_TRANS_A : 0) |
                                   (g.trans_b ? SEED_GEMM_F_TRANS_B : 0) |
                                   (g.bias ? SEED_GEMM_F_BIAS : 0));
    s.desc_va = mem.alloc(sizeof(d));
    mem.store(s.desc_va, d);
    return s;
}

double op_a(const GemmSetup& s, const GemmCase& g, size_t i, size_t p) {
    return g.trans_a ? s.a[p * s.desc.lda + i] : s.a[i * s.desc.lda + p];
}
double op_b(const GemmSetup& s, const GemmCase& g, size_t p, size_t j) {
    return g.trans_b ? s.b[j * s.desc.ldb + p] : s.b[p * s.desc.ldb + j];
}

// Checks C (and that padding between rows is untouched) against the reference.
void check_gemm(const FakeMemory& mem, const GemmSetup& s, const GemmCase& g) {
    const auto& d = s.desc;
    const auto c = mem.get<uint32_t>(d.c, s.c0.size());
    for (size_t i = 0; i < g.m; ++i) {
        for (size_t j = d.n; j < d.ldc; ++j)
            ASSERT_EQ(c[i * d.ldc + j], s.c0[i * d.ldc + j]) << "padding written at " << i;
        for (size_t j = 0; j < g.n; ++j) {
            const uint32_t got = c[i * d.ldc + j];
            if (g.dtype == SEED_DT_I8) {
                uint32_t acc = 0;
                for (size_t p = 0; p < g.k; ++p)
                    acc += static_cast<uint32_t>(static_cast<int32_t>(op_a(s, g, i, p)) *
                                                 static_cast<int32_t>(op_b(s, g, p, j)));
                uint32_t x = static_cast<uint32_t>(g.ialpha) * acc;
                if (g.ibeta != 0)
                    x += static_cast<uint32_t>(g.ibeta) * s.c0[i * d.ldc + j];
                if (g.bias)
                    x += s.bias[j];
                if (g.act == SEED_ACT_RELU && static_cast<int32_t>(x) < 0)
                    x = 0;
                ASSERT_EQ(got, x) << "C[" << i << "][" << j << "]";
                continue;
            }
            double acc = 0, mag = 0;
            for (size_t p = 0; p < g.k; ++p) {
                acc += op_a(s, g, i, p) * op_b(s, g, p, j);
                mag += std::fabs(op_a(s, g, i, p) * op_b(s, g, p, j));
            }
            double x = g.alpha * acc;
            if (g.beta != 0)
                x += g.beta * std::bit_cast<float>(s.c0[i * d.ldc + j]);
            if (g.bias)
                x += std::bit_cast<float>(s.bias[j]);
            const double tol_in = std::fabs(double{g.alpha}) * g.k * 0x1p-23 * mag;
            const double tol = tol_in + 4 * 0x1p-23 * (std::fabs(x) + 1.0);
            if (g.act == SEED_ACT_RELU)
                x = x > 0 ? x : 0;
            else if (g.act == SEED_ACT_GELU)
                x = 0.5 * x * std::erfc(-x / std::sqrt(2.0));
            ASSERT_NEAR(std::bit_cast<float>(got), x, tol) << "C[" << i << "][" << j << "]";
        }
    }
}

void run_and_check(const GemmCase& g, uint32_t seed = 1) {
    FakeMemory mem(1 << 20);
    GemmSetup s = make_gemm(mem, g, seed);
    ASSERT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_NONE);
    check_gemm(mem, s, g);
}

TEST(ComputeGemm, F32Square) {
    run_and_check({.m = 16, .n = 16, .k = 16});
}

TEST(ComputeGemm, F32OddNonSquare) {
    run_and_check({.m = 7, .n = 13, .k = 5});
    run_and_check({.m = 1, .n = 1, .k = 1});
    run_and_check({.m = 33, .n = 1, .k = 65});
    run_and_check({.m = 1, .n = 40, .k = 3});
}

TEST(ComputeGemm, F32LeadingDimensionsAndTransposes) {
    for (int t = 0; t < 4; ++t)
        run_and_check({.m = 9,
                       .n = 11,
                       .k = 6,
                       .trans_a = (t & 1) != 0,
                       .trans_b = (t & 2) != 0,
                       .pad_a = 3,
                       .pad_b = 5,
                       .pad_c = 2},
                      static_cast<uint32_t>(t + 10));
}

TEST(ComputeGemm, F32AlphaBetaBias) {
    run_and_check({.m = 8, .n = 12, .k = 10, .pad_c = 4, .alpha = -1.5f, .beta = 0.75f});
    run_and_check({.m = 8, .n = 12, .k = 10, .alpha = 2.0f, .beta = 1.0f, .bias = true});
    run_and_check({.m = 5, .n = 3, .k = 4, .alpha = 0.5f, .bias = true});
}

TEST(ComputeGemm, F32Activations) {
    run_and_check({.m = 12, .n = 9, .k = 7, .bias = true, .act = SEED_ACT_RELU});
    run_and_check({.m = 12, .n = 9, .k = 7, .beta = 0.5f, .act = SEED_ACT_GELU});
}

TEST(ComputeGemm, HalfInputs) {
    for (uint8_t dt : {uint8_t{SEED_DT_F16}, uint8_t{SEED_DT_BF16}}) {
        run_and_check({.dtype = dt, .m = 17, .n = 10, .k = 23});
        run_and_check({.dtype = dt,
                       .m = 6,
                       .n = 9,
                       .k = 31,
                       .trans_a = true,
                       .trans_b = true,
                       .pad_a = 1,
                       .pad_b = 2,
                       .pad_c = 3,
                       .alpha = 0.25f,
                       .beta = -2.0f,
                       .bias = true,
                       .act = SEED_ACT_GELU});
        run_and_check({.dtype = dt, .m = 4, .n = 5, .k = 8, .trans_b = true, .act = SEED_ACT_RELU});
    }
}

TEST(ComputeGemm, Bf16KernelsWithinTheManualsTolerance) {
    // Large enough for the host's BF16 kernels (where it has them): plain, and with
    // transposes, padding, alpha, beta, bias and GELU.
    std::printf("[          ] BF16 kernels %s\n", seed::device::compute::host::have_bf16gemm()
                                                      ? "used"
                                                      : "not used (no AVX512-BF16)");
    run_and_check({.dtype = SEED_DT_BF16, .m = 128, .n = 96, .k = 256});
    run_and_check({.dtype = SEED_DT_BF16,
                   .m = 100,
                   .n = 128,
                   .k = 200,
                   .trans_a = true,
                   .trans_b = true,
                   .pad_a = 3,
                   .pad_b = 1,
                   .pad_c = 5,
                   .alpha = 0.5f,
                   .beta = -1.5f,
                   .bias = true,
                   .act = SEED_ACT_GELU});
}

TEST(ComputeGemm, Bf16TinyOperandsKeepTheirSubnormalProducts) {
    // One product of 2^-70 · 2^-70 = 2^-140, a binary32 subnormal, in a GEMM large
    // enough for the BF16 kernels, which would flush it: the engine must notice the
    // tiny operands and take the exact path. The same negated, and a subnormal BF16
    // operand (2^-130) times 1, the other operand fit for the kernels. Each at the
    // first element of A and B, in the middle, and at the last (A and B are not a
    // whole number of the engine's scan blocks, so the last lies in the remainder).
    const auto bf16 = [](float x) {
        return static_cast<uint16_t>(std::bit_cast<uint32_t>(x) >> 16);
    };
    const std::pair<float, float> cases[] = {
        {0x1p-70f, 0x1p-70f}, {-0x1p-70f, 0x1p-70f}, {1.0f, 0x1p-130f}};
    const uint32_t m = 100, n = 128, k = 250;
    struct At {
        uint32_t i, p, j; // C[i][j] gets A[i][p] · B[p][j]
    };
    const At places[] = {{0, 0, 0}, {50, 125, 60}, {m - 1, k - 1, n - 1}};
    for (const auto& [x, y] : cases)
        for (const At& at : places) {
            FakeMemory mem(1 << 20);
            GemmSetup s = make_gemm(mem, {.dtype = SEED_DT_BF16, .m = m, .n = n, .k = k});
            std::vector<uint16_t> a(size_t{m} * k, 0), b(size_t{k} * n, 0);
            a[size_t{at.i} * k + at.p] = bf16(x);
            b[size_t{at.p} * n + at.j] = bf16(y);
            s.desc.a = mem.put(a);
            s.desc.b = mem.put(b);
            mem.store(s.desc_va, s.desc);
            ASSERT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_NONE);
            EXPECT_EQ(mem.get<float>(s.desc.c, size_t{m} * n)[size_t{at.i} * n + at.j], x * y)
                << x << " * " << y << " at C[" << at.i << "][" << at.j << "]";
        }
}

TEST(ComputeGemm, Int8) {
    run_and_check({.dtype = SEED_DT_I8, .m = 13, .n = 17, .k = 29});
    run_and_check({.dtype = SEED_DT_I8, .m = 6, .n = 530, .k = 300});
    for (int t = 0; t < 4; ++t)
        run_and_check({.dtype = SEED_DT_I8,
                       .m = 7,
                       .n = 5,
                       .k = 9,
                       .trans_a = (t & 1) != 0,
                       .trans_b = (t & 2) != 0,
                       .pad_a = 2,
                       .pad_b = 1,
                       .pad_c = 3,
                       .ialpha = -3,
                       .ibeta = 2,
                       .bias = true,
                       .act = SEED_ACT_RELU},
                      static_cast<uint32_t>(t));
}

TEST(ComputeGemm, Int8WrapsAround) {
    // alpha·acc overflows int32: the result is taken modulo 2^32.
    run_and_check({.dtype = SEED_DT_I8,
                   .m = 5,
                   .n = 6,
                   .k = 70,
                   .ialpha = 0x7654321,
                   .ibeta = -0x12345,
                   .bias = true});
    // Extreme products: (-128)·(-128) summed 65536 times is 2^30, still exact.
    FakeMemory mem(1 << 20);
    GemmCase g{.dtype = SEED_DT_I8, .m = 1, .n = 1, .k = 65536, .ialpha = 4};
    GemmSetup s = make_gemm(mem, g);
    std::vector<int8_t> ones(65536, -128);
    s.desc.a = mem.put(ones);
    s.desc.b = mem.put(ones);
    mem.store(s.desc_va, s.desc);
    ASSERT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_NONE);
    EXPECT_EQ(mem.get<uint32_t>(s.desc.c, 1)[0], 0u) << "4 * 2^30 wraps to 0";
}

TEST(ComputeGemm, Int8KernelPathsAgree) {
    // The host library (on hosts with VNNI), the SIMD micro-kernel (16-column tiles, k in
    // pairs) and the portable loop, on shapes with partial tiles, odd k, and block edges;
    // extremes included.
    std::printf("[          ] int8 host library %s\n",
                seed::device::compute::host::have_exact_s8gemm() ? "used" : "not used (no VNNI)");
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> dist(-128, 127);
    const size_t shapes[][3] = {{1, 1, 1}, {5, 16, 3}, {9, 33, 257}, {4, 530, 300}, {7, 47, 1}};
    for (const auto& [m, n, k] : shapes) {
        std::vector<int8_t> a(m * k), b(k * n);
        for (auto& x : a)
            x = static_cast<int8_t>(dist(rng));
        for (auto& x : b)
            x = static_cast<int8_t>(dist(rng));
        a[0] = b[0] = -128;
        std::vector<int32_t> naive(m * n, 0);
        for (size_t i = 0; i < m; ++i)
            for (size_t j = 0; j < n; ++j)
                for (size_t p = 0; p < k; ++p)
                    naive[i * n + j] += a[i * k + p] * b[p * n + j];
        for (const I8Path path : {I8Path::best, I8Path::simd, I8Path::portable}) {
            std::vector<int32_t> acc(m * n, 12345);
            gemm_i8_i32(m, n, k, a.data(), b.data(), acc.data(), path);
            EXPECT_EQ(acc, naive) << m << "x" << n << "x" << k << " path "
                                  << static_cast<int>(path);
        }
    }
}

TEST(ComputeGemm, Int8LargestSumsAreExact) {
    // k = 65536 with every product 128·128 but the last: the sum is odd and near 2^30,
    // which no float can hold. Any path that rounds through binary32 gets it wrong.
    const size_t m = 2, n = 3, k = 65536;
    std::vector<int8_t> a(m * k, -128), b(k * n, -128);
    for (size_t i = 0; i < m; ++i)
        a[i * k + k - 1] = 1;
    for (size_t j = 0; j < n; ++j)
        b[(k - 1) * n + j] = static_cast<int8_t>(j + 1);
    for (const I8Path path : {I8Path::best, I8Path::simd, I8Path::portable}) {
        std::vector<int32_t> acc(m * n);
        gemm_i8_i32(m, n, k, a.data(), b.data(), acc.data(), path);
        for (size_t i = 0; i < m; ++i)
            for (size_t j = 0; j < n; ++j)
                EXPECT_EQ(acc[i * n + j], 16384 * 65535 + static_cast<int32_t>(j + 1))
                    << "path " << static_cast<int>(path);
    }
}

TEST(ComputeGemm, BetaZeroDoesNotReadC) {
    FakeMemory mem(1 << 20);
    GemmCase g{.m = 3, .n = 4, .k = 2, .beta = -0.0f};
    GemmSetup s = make_gemm(mem, g);
    std::vector<float> nans(12, std::nanf(""));
    mem.store_array(s.desc.c, nans); // NaN in old C must not propagate
    ASSERT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_NONE);
    for (float v : mem.get<float>(s.desc.c, 12))
        EXPECT_FALSE(std::isnan(v));
}

TEST(ComputeGemm, NanAndInfPropagate) {
    FakeMemory mem(1 << 20);
    GemmCase g{.m = 2, .n = 2, .k = 2, .act = SEED_ACT_RELU};
    GemmSetup s = make_gemm(mem, g);
    const std::vector<float> a = {std::nanf(""), 0.0f, 1.0f, 0.0f};
    const std::vector<float> b = {1.0f, 1.0f, 1.0f, 1.0f};
    s.desc.a = mem.put(a);
    s.desc.b = mem.put(b);
    mem.store(s.desc_va, s.desc);
    ASSERT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_NONE);
    const auto c = mem.get<float>(s.desc.c, 4);
    EXPECT_TRUE(std::isnan(c[0])) << "RELU keeps NaN";
    EXPECT_TRUE(std::isnan(c[1]));
    EXPECT_EQ(c[2], 1.0f);
}

TEST(ComputeGemm, AlphaZeroStillMultiplies) {
    // x = 0·acc + beta·C: an infinite acc gives NaN, a finite one gives beta·C exactly.
    run_and_check({.m = 6, .n = 5, .k = 4, .alpha = 0.0f, .beta = 1.5f, .bias = true});
    FakeMemory mem(1 << 20);
    GemmCase g{.m = 2, .n = 1, .k = 1, .alpha = 0.0f, .beta = 2.0f};
    GemmSetup s = make_gemm(mem, g);
    const std::vector<float> a = {std::numeric_limits<float>::infinity(), 1.0f};
    const std::vector<float> c = {1.0f, 3.0f};
    s.desc.a = mem.put(a);
    mem.store_array(s.desc.c, c);
    mem.store(s.desc_va, s.desc);
    ASSERT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_NONE);
    const auto r = mem.get<float>(s.desc.c, 2);
    EXPECT_TRUE(std::isnan(r[0]));
    EXPECT_EQ(r[1], 6.0f);
}

TEST(ComputeGemm, SubnormalsHonoured) {
    FakeMemory mem(1 << 20);
    GemmCase g{.m = 1, .n = 1, .k = 1};
    GemmSetup s = make_gemm(mem, g);
    const std::vector<float> a = {0x1p-140f}, b = {0.5f};
    s.desc.a = mem.put(a);
    s.desc.b = mem.put(b);
    mem.store(s.desc_va, s.desc);
    ASSERT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_NONE);
    EXPECT_EQ(mem.get<float>(s.desc.c, 1)[0], 0x1p-141f);
}

TEST(ComputeGemm, ConcurrentEngines) {
    // One engine thread per queue: GEMMs (OpenBLAS and the I8 kernel) run side by side.
    auto engine = [](uint8_t dtype, uint32_t seed) {
        for (uint32_t r = 0; r < 8; ++r)
            run_and_check({.dtype = dtype, .m = 40, .n = 50, .k = 60, .beta = 0.5f, .ibeta = 2},
                          seed + r);
    };
    std::thread t0(engine, uint8_t{SEED_DT_F32}, 100u), t1(engine, uint8_t{SEED_DT_BF16}, 200u),
        t2(engine, uint8_t{SEED_DT_I8}, 300u);
    t0.join();
    t1.join();
    t2.join();
}

TEST(ComputeGemm, PanelLoopMatchesSinglePanel) {
    detail::set_gemm_host_budget(4096);
    run_and_check(
        {.m = 37, .n = 29, .k = 11, .trans_a = true, .pad_c = 3, .beta = 0.5f, .bias = true});
    run_and_check({.dtype = SEED_DT_BF16, .m = 20, .n = 21, .k = 9, .trans_b = true});
    run_and_check({.dtype = SEED_DT_I8, .m = 23, .n = 19, .k = 40, .ibeta = 3, .bias = true});
    detail::set_gemm_host_budget(size_t{256} << 20);
}

TEST(ComputeGemm, PanelLoopFaultWritesNothing) {
    detail::set_gemm_host_budget(2048);
    FakeMemory mem(1 << 20);
    GemmCase g{.m = 40, .n = 30, .k = 8};
    GemmSetup s = make_gemm(mem, g);
    mem.unmap(s.desc.a + (39 * 8) * 4, 4); // last row of A
    const size_t writes = mem.writes();
    EXPECT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_MMU_FAULT);
    EXPECT_EQ(mem.writes(), writes);
    detail::set_gemm_host_budget(size_t{256} << 20);
}

// ---- One GEMM shared between engines ----------------------------------------

// Runs every part on a thread of its own, in reverse order of start: what a
// crew of borrowed engines may do at worst. Counts the parts run.
class ThreadPerPart final : public Parallel {
public:
    explicit ThreadPerPart(unsigned width) : width_(width) {}
    void run(size_t parts, const std::function<void(size_t)>& work) override {
        std::vector<std::thread> threads;
        for (size_t i = parts; i-- > 0;)
            threads.emplace_back([&work, i] { work(i); });
        for (auto& t : threads)
            t.join();
        runs_ += parts;
    }
    unsigned width() const override { return width_; }
    size_t parts_run() const { return runs_; }

private:
    unsigned width_;
    size_t runs_ = 0;
};

// Runs one GEMM with @p parallel (or alone) on a fresh copy of the case, checks it
// against the reference and returns C's bits.
std::vector<uint32_t> gemm_bits(const GemmCase& g, Parallel* parallel, uint32_t seed = 3) {
    FakeMemory mem(1 << 20);
    GemmSetup s = make_gemm(mem, g, seed);
    EXPECT_EQ(run_gemm(mem, s.desc_va, parallel), SEED_ERR_NONE);
    check_gemm(mem, s, g);
    return mem.get<uint32_t>(s.desc.c, s.c0.size());
}

// I8 results are exact, so a split must give the same bits; float ones may round
// differently (each band is its own sgemm call, §11.1: unspecified order) and are
// checked against the reference within the manual's tolerance by gemm_bits().
void expect_same_if_exact(const GemmCase& g, const std::vector<uint32_t>& split,
                          const std::vector<uint32_t>& alone) {
    if (g.dtype == SEED_DT_I8) {
        EXPECT_EQ(split, alone);
    }
}

class GemmSplit : public ::testing::Test {
protected:
    void SetUp() override { detail::set_gemm_min_part_macs(64); }
    void TearDown() override {
        detail::set_gemm_min_part_macs(size_t{1} << 25);
        detail::set_gemm_host_budget(size_t{256} << 20);
    }
};

TEST_F(GemmSplit, RowBandsGiveTheResultsOfOneEngine) {
    const GemmCase cases[] = {
        {.m = 37, .n = 29, .k = 23},
        {.m = 37, .n = 29, .k = 23, .trans_a = true, .pad_a = 3, .pad_c = 2},
        {.m = 41,
         .n = 17,
         .k = 19,
         .trans_b = true,
         .beta = 0.5f,
         .bias = true,
         .act = SEED_ACT_GELU},
        {.m = 33,
         .n = 31,
         .k = 12,
         .trans_a = true,
         .trans_b = true,
         .alpha = 0.0f,
         .beta = -2.0f,
         .act = SEED_ACT_RELU},
        {.dtype = SEED_DT_BF16, .m = 40, .n = 24, .k = 16, .pad_b = 5},
        {.dtype = SEED_DT_F16, .m = 19, .n = 40, .k = 30, .trans_a = true, .bias = true},
        {.dtype = SEED_DT_I8,
         .m = 45,
         .n = 33,
         .k = 40,
         .ialpha = -3,
         .ibeta = 7,
         .bias = true,
         .act = SEED_ACT_RELU},
        {.dtype = SEED_DT_I8, .m = 17, .n = 9, .k = 70, .trans_a = true, .trans_b = true},
    };
    for (const GemmCase& g : cases) {
        SCOPED_TRACE(::testing::Message() << "dtype " << int{g.dtype} << " m " << g.m);
        ThreadPerPart parallel(4);
        const auto alone = gemm_bits(g, nullptr);
        expect_same_if_exact(g, gemm_bits(g, &parallel), alone);
        EXPECT_EQ(parallel.parts_run(), 4u) << "one part per thread";
    }
}

TEST_F(GemmSplit, EveryRowIsComputedOnceWhateverTheWidth) {
    // I8 bands need 4 times the binary32 minimum: 64 multiply-adds.
    detail::set_gemm_min_part_macs(16);
    for (unsigned width : {1u, 2u, 3u, 5u, 64u}) {
        ThreadPerPart parallel(width);
        const GemmCase g{.dtype = SEED_DT_I8, .m = 7, .n = 5, .k = 9, .ibeta = 1, .bias = true};
        EXPECT_EQ(gemm_bits(g, &parallel), gemm_bits(g, nullptr)) << width;
        // Parts of at least 64 multiply-adds (7 * 5 * 9 / 64 = 4), one per thread.
        EXPECT_EQ(parallel.parts_run(), width == 1 ? 0u : std::min<size_t>(width, 4)) << width;
    }
}

TEST_F(GemmSplit, FasterTypesNeedLargerBands) {
    // 384 multiply-adds: six bands of the binary32 minimum (64), one of I8's (4 x 64).
    for (const uint8_t dtype : {uint8_t{SEED_DT_F32}, uint8_t{SEED_DT_I8}}) {
        ThreadPerPart parallel(4);
        const GemmCase g{.dtype = dtype, .m = 8, .n = 8, .k = 6};
        const auto alone = gemm_bits(g, nullptr);
        expect_same_if_exact(g, gemm_bits(g, &parallel), alone);
        // A host without exact integer kernels multiplies I8 no faster than binary32.
        const bool fast = dtype == SEED_DT_I8 && seed::device::compute::host::have_exact_s8gemm();
        EXPECT_EQ(parallel.parts_run(), fast ? 0u : 4u) << int{dtype};
    }
}

TEST_F(GemmSplit, SmallProblemsStayOnOneEngine) {
    detail::set_gemm_min_part_macs(size_t{1} << 25);
    ThreadPerPart parallel(4);
    const GemmCase g{.m = 64, .n = 64, .k = 64};
    EXPECT_EQ(gemm_bits(g, &parallel), gemm_bits(g, nullptr)) << "the same single call";
    EXPECT_EQ(parallel.parts_run(), 0u);
}

TEST_F(GemmSplit, PanelLoopSplitsEachPanel) {
    detail::set_gemm_host_budget(4096);
    ThreadPerPart parallel(2);
    const GemmCase g{
        .m = 37, .n = 29, .k = 11, .trans_a = true, .pad_c = 3, .beta = 0.5f, .bias = true};
    gemm_bits(g, &parallel);
    const GemmCase i8{.dtype = SEED_DT_I8, .m = 23, .n = 19, .k = 40, .ibeta = 3, .bias = true};
    EXPECT_EQ(gemm_bits(i8, &parallel), gemm_bits(i8, nullptr));
    EXPECT_GT(parallel.parts_run(), 4u);
}

TEST_F(GemmSplit, FaultsAreThoseOfOneEngine) {
    // Every access stays on the packet's own engine: the same single fault, at the
    // same address, with nothing written when an operand faults.
    for (int which = 0; which < 5; ++which) {
        FakeMemory mem(1 << 20);
        GemmSetup s = make_gemm(mem, {.m = 40, .n = 30, .k = 8, .beta = 1.0f, .bias = true});
        const uint64_t target[] = {s.desc.a + (33 * 8 + 2) * 4, s.desc.b + 20,
                                   s.desc.c + (21 * 30 + 4) * 4, s.desc.bias + 12,
                                   s.desc.c + (25 * 30) * 4};
        const bool write = which == 4;
        mem.unmap(target[which], 4);
        if (write)
            mem.store(s.desc_va + offsetof(seed_gemm_desc, beta), uint32_t{0});
        const size_t writes = mem.writes();
        ThreadPerPart parallel(4);
        EXPECT_EQ(run_gemm(mem, s.desc_va, &parallel), SEED_ERR_MMU_FAULT) << which;
        EXPECT_EQ(mem.fault().address, target[which]) << which;
        EXPECT_EQ(mem.fault().write, write) << which;
        if (!write) {
            EXPECT_EQ(mem.writes(), writes) << which;
        }
    }
}

// ---- Descriptor checks -----------------------------------------------------

class GemmDescTest : public ::testing::Test {
protected:
    void SetUp() override { s_ = make_gemm(mem_, {.m = 4, .n = 4, .k = 4, .bias = true}); }
    // Runs with one modification and checks that C was not written.
    uint32_t run_with(const std::function<void(seed_gemm_desc&)>& edit) {
        seed_gemm_desc d = s_.desc;
        edit(d);
        mem_.store(s_.desc_va, d);
        const auto before = mem_.get<uint32_t>(s_.desc.c, 16);
        const uint32_t err = run_gemm(mem_, s_.desc_va);
        if (err != SEED_ERR_NONE) {
            EXPECT_EQ(mem_.get<uint32_t>(s_.desc.c, 16), before) << "C written on error";
        }
        return err;
    }
    FakeMemory mem_{1 << 20};
    GemmSetup s_;
};

TEST_F(GemmDescTest, Valid) {
    EXPECT_EQ(run_with([](auto&) {}), SEED_ERR_NONE);
}

TEST_F(GemmDescTest, DescriptorAddress) {
    EXPECT_EQ(run_gemm(mem_, s_.desc_va + 8), SEED_ERR_MISALIGNED);
    mem_.unmap(s_.desc_va + 64, 64);
    EXPECT_EQ(run_gemm(mem_, s_.desc_va), SEED_ERR_MMU_FAULT);
    EXPECT_EQ(mem_.fault().address, s_.desc_va + 64);
}

TEST_F(GemmDescTest, Malformed) {
    EXPECT_EQ(run_with([](auto& d) { d.flags |= 0x08; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.flags |= 0x80; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.activation = 3; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.reserved0 = 1; }), SEED_ERR_MALFORMED);
    for (int i = 0; i < 7; ++i)
        EXPECT_EQ(run_with([i](auto& d) { d.reserved[i] = 1ull << 63; }), SEED_ERR_MALFORMED);
    EXPECT_EQ(run_with([](auto& d) { d.flags = 0; }), SEED_ERR_MALFORMED) << "bias without BIAS";
    EXPECT_EQ(run_with([](auto& d) { d.flags = 0, d.bias = 0; }), SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.bias = 0; }), SEED_ERR_NONE) << "BIAS at VA 0 is legal";
    // MALFORMED comes before every later check.
    EXPECT_EQ(run_with([](auto& d) { d.activation = 9, d.dtype = 9, d.m = 0, d.a = 1; }),
              SEED_ERR_MALFORMED);
}

TEST_F(GemmDescTest, BadDtype) {
    EXPECT_EQ(run_with([](auto& d) { d.dtype = SEED_DT_I32; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dtype = 5; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dtype = 255; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.out_dtype = SEED_DT_F16; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.out_dtype = SEED_DT_I32; }), SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dtype = SEED_DT_BF16, d.out_dtype = SEED_DT_BF16; }),
              SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dtype = SEED_DT_I8; }), SEED_ERR_BAD_DTYPE)
        << "I8 needs I32 out";
    EXPECT_EQ(run_with([](auto& d) {
                  d.dtype = SEED_DT_I8, d.out_dtype = SEED_DT_I32, d.activation = SEED_ACT_GELU;
              }),
              SEED_ERR_BAD_DTYPE);
    EXPECT_EQ(run_with([](auto& d) { d.dtype = 7, d.m = 0, d.a = 1; }), SEED_ERR_BAD_DTYPE);
}

TEST_F(GemmDescTest, BadSize) {
    EXPECT_EQ(run_with([](auto& d) { d.m = 0; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.n = 0; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.k = 0; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.m = SEED_GEMM_MAX_DIM + 1; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.n = 0xffffffff; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.k = SEED_GEMM_MAX_DIM + 1; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.lda = 3; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.ldb = 3; }), SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.ldc = 3; }), SEED_ERR_BAD_SIZE);
    // With transposes the minimum leading dimensions swap: A is K x M, B is N x K.
    EXPECT_EQ(run_with([](auto& d) { d.m = 2, d.lda = 3; }), SEED_ERR_BAD_SIZE) << "lda < k";
    EXPECT_EQ(run_with([](auto& d) {
                  d.flags |= SEED_GEMM_F_TRANS_A, d.m = 2, d.k = 4, d.lda = 2, d.ldc = 4;
              }),
              SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.flags |= SEED_GEMM_F_TRANS_A, d.m = 4, d.lda = 3; }),
              SEED_ERR_BAD_SIZE);
    EXPECT_EQ(run_with([](auto& d) { d.flags |= SEED_GEMM_F_TRANS_B, d.n = 2, d.ldb = 3; }),
              SEED_ERR_BAD_SIZE);
    EXPECT_EQ(
        run_with([](auto& d) { d.flags |= SEED_GEMM_F_TRANS_B, d.n = 2, d.k = 3, d.ldb = 3; }),
        SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.m = 0, d.a = 2; }), SEED_ERR_BAD_SIZE)
        << "size before alignment";
}

TEST_F(GemmDescTest, Misaligned) {
    EXPECT_EQ(run_with([](auto& d) { d.a += 2; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) { d.b += 1; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) { d.c += 2; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) { d.bias += 2; }), SEED_ERR_MISALIGNED);
    // Half inputs need 2-byte alignment only; C and bias always 4.
    EXPECT_EQ(run_with([](auto& d) { d.dtype = SEED_DT_F16, d.a += 2, d.b += 2; }), SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.dtype = SEED_DT_BF16, d.a += 1; }), SEED_ERR_MISALIGNED);
    EXPECT_EQ(run_with([](auto& d) {
                  d.dtype = SEED_DT_I8, d.out_dtype = SEED_DT_I32, d.a += 1, d.b += 3;
              }),
              SEED_ERR_NONE);
    EXPECT_EQ(run_with([](auto& d) { d.dtype = SEED_DT_I8, d.out_dtype = SEED_DT_I32, d.c += 1; }),
              SEED_ERR_MISALIGNED);
}

TEST_F(GemmDescTest, FaultsInOperandsWriteNothing) {
    // A fault in any operand read means C is never written.
    for (int which = 0; which < 4; ++which) {
        FakeMemory mem(1 << 20);
        GemmSetup s = make_gemm(mem, {.m = 4, .n = 4, .k = 4, .beta = 1.0f, .bias = true});
        const uint64_t target[] = {s.desc.a + 60, s.desc.b + 20, s.desc.c + 4, s.desc.bias + 12};
        mem.unmap(target[which], 4);
        const size_t writes = mem.writes();
        EXPECT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_MMU_FAULT) << which;
        EXPECT_EQ(mem.writes(), writes) << which;
        EXPECT_EQ(mem.fault().address, target[which]) << which;
        EXPECT_FALSE(mem.fault().write);
    }
}

TEST_F(GemmDescTest, FaultWritingC) {
    FakeMemory mem(1 << 20);
    GemmSetup s = make_gemm(mem, {.m = 4, .n = 4, .k = 4, .pad_c = 2});
    mem.unmap(s.desc.c + 2 * 6 * 4, 4); // row 2
    EXPECT_EQ(run_gemm(mem, s.desc_va), SEED_ERR_MMU_FAULT);
    EXPECT_TRUE(mem.fault().write);
    EXPECT_EQ(mem.fault().address, s.desc.c + 48);
}

} // namespace
} // namespace seed::device::compute
