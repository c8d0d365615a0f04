// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// compute_bench: throughput of the GEMM engine per data type, side by side
// with the host libraries it could multiply with, each on one thread (an
// engine is one host thread): OpenBLAS (cblas_sgemm) and oneDNN (dnnl_sgemm,
// dnnl_gemm_s8s8s32, and its bf16 matmul primitive) on host buffers. The
// engine's figures include everything a GEMM packet does (descriptor,
// gathers through the address space, conversions, epilogue, write-back).
// Then one GEMM shared by the engines of an idle 4-engine chip (EngineCrew,
// §11.1: as many as the host has cores) against one engine. All of a row are
// timed in interleaved rounds, best of each.
// Built with the tests, not registered with CTest.
// Usage: compute_bench [max_size]
#include "compute/compute.h"
#include "compute_test_memory.h"
#include "engine_crew.h"
#include "engine_pool.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

extern "C" void omp_set_num_threads(int threads); // oneDNN's runtime (host_gemm.cpp)

namespace {

using seed::device::compute::run_gemm;
using seed::device::compute::test::FakeMemory;
using Clock = std::chrono::steady_clock;

// Seconds of one call of @p fn.
template <typename F>
double once(F&& fn) {
    const auto t0 = Clock::now();
    fn();
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Untimed rounds before race() times any: oneDNN's calls are slow for the first
// few in each thread (glibc places the buffer each call allocates past the last
// one until the freed ones coalesce: hundreds of page faults per call), and an
// engine runs GEMMs by the thousand.
constexpr int kWarmRounds = 12;

// Best-of times of several contenders, timed in @p reps interleaved rounds
// (one call of each per round) after kWarmRounds untimed ones, so that a change
// in the host's speed during the run reaches all of them alike. A contender
// that is empty is not run (its time stays 0).
std::vector<double> race(int reps, const std::vector<std::function<void()>>& fns) {
    for (int r = 0; r < kWarmRounds; ++r)
        for (const auto& fn : fns)
            if (fn)
                fn();
    std::vector<double> best(fns.size(), 1e30);
    for (int r = 0; r < reps; ++r)
        for (size_t i = 0; i < fns.size(); ++i)
            if (fns[i])
                best[i] = std::min(best[i], once(fns[i]));
    for (size_t i = 0; i < fns.size(); ++i)
        if (!fns[i])
            best[i] = 0;
    return best;
}

template <typename T>
std::vector<T> random_values(size_t count, std::mt19937& rng) {
    std::vector<T> v(count);
    std::uniform_int_distribution<int> dist(-100, 100);
    for (auto& x : v)
        x = static_cast<T>(dist(rng));
    return v;
}

// One row: the engine (one engine, then shared) and the host libraries, in
// GFLOP/s or GOP/s; 0 where a library has no such kernel.
struct Row {
    const char* type;
    double engine = 0, shared = 0, openblas = 0, onednn = 0;
};

void print(size_t s, const Row& r) {
    const double best = std::max(r.openblas, r.onednn);
    const auto cell = [](double v) {
        char buf[16] = "-";
        if (v > 0)
            std::snprintf(buf, sizeof(buf), "%.1f", v);
        return std::string(buf);
    };
    std::printf("%-6zu %-5s %9.1f %9s %9s %9.2fx %9.1f %8.2fx\n", s, r.type, r.engine,
                cell(r.openblas).c_str(), cell(r.onednn).c_str(), best > 0 ? r.engine / best : 0.0,
                r.shared, r.shared / r.engine);
}

// A square GEMM packet of @p dtype on random inputs, in a fake address space.
struct Packet {
    FakeMemory mem{64};
    uint64_t desc = 0;

    Packet(size_t s, uint8_t dtype, std::mt19937& rng) {
        seed_gemm_desc d{};
        const size_t count = s * s;
        switch (dtype) {
        case SEED_DT_F32:
            d.a = mem.put(random_values<float>(count, rng));
            d.b = mem.put(random_values<float>(count, rng));
            break;
        case SEED_DT_BF16: {
            std::vector<uint16_t> a(count), b(count);
            const auto fa = random_values<float>(count, rng), fb = random_values<float>(count, rng);
            for (size_t i = 0; i < count; ++i) {
                a[i] = static_cast<uint16_t>(std::bit_cast<uint32_t>(fa[i]) >> 16);
                b[i] = static_cast<uint16_t>(std::bit_cast<uint32_t>(fb[i]) >> 16);
            }
            d.a = mem.put(a);
            d.b = mem.put(b);
            break;
        }
        default:
            d.a = mem.put(random_values<int8_t>(count, rng));
            d.b = mem.put(random_values<int8_t>(count, rng));
            break;
        }
        d.c = mem.alloc(count * 4);
        d.m = d.n = d.k = d.lda = d.ldb = d.ldc = static_cast<uint32_t>(s);
        d.dtype = dtype;
        d.out_dtype = dtype == SEED_DT_I8 ? SEED_DT_I32 : SEED_DT_F32;
        d.alpha = dtype == SEED_DT_I8 ? 1 : std::bit_cast<uint32_t>(1.0f);
        desc = mem.alloc(sizeof(d));
        mem.store(desc, d);
    }

    void run(seed::device::Parallel* parallel = nullptr) {
        if (run_gemm(mem, desc, parallel) != SEED_ERR_NONE)
            std::abort();
    }
};

// oneDNN's bf16 x bf16 -> f32 matmul on host buffers, primitive made once.
struct OnednnBf16 {
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    dnnl::stream st{eng};
    std::vector<uint16_t> a, b;
    std::vector<float> c;
    dnnl::matmul mm;
    dnnl::memory am, bm, cm;

    explicit OnednnBf16(size_t s) : a(s * s, 0x3f80), b(s * s, 0x3f80), c(s * s) {
        using dnnl::memory;
        const auto dim = static_cast<memory::dim>(s);
        const memory::desc ad({dim, dim}, memory::data_type::bf16, memory::format_tag::ab);
        const memory::desc cd({dim, dim}, memory::data_type::f32, memory::format_tag::ab);
        mm = dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(ad, ad, cd), eng));
        am = memory(ad, eng, a.data());
        bm = memory(ad, eng, b.data());
        cm = memory(cd, eng, c.data());
    }

    void run() {
        mm.execute(st, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
        st.wait();
    }
};

} // namespace

int main(int argc, char** argv) {
    const size_t max_size = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2048;
    // One host thread per library call, as in an engine.
    openblas_set_num_threads(1);
    omp_set_num_threads(1);
    std::mt19937 rng(7);
    // A chip of 4 engines with nothing else running: the packet's queue holds one
    // engine and borrows the 3 others.
    seed::device::EnginePool pool(4);
    seed::device::EngineCrew crew(pool);
    const std::atomic<bool> no_abort{false};
    const std::atomic<uint32_t> prio{0};
    if (!pool.acquire(0, prio, no_abort))
        return 1;
    seed::device::EngineCrew::ForQueue all_engines(crew, 0);
    std::printf(
        "GFLOP/s (GOP/s for i8), one thread each; 'vs best' is the engine against the\n"
        "faster host library; 'shared' is one GEMM on every engine the host has cores for\n");
    std::printf("%-6s %-5s %9s %9s %9s %10s %9s %9s\n", "size", "type", "engine", "OpenBLAS",
                "oneDNN", "vs best", "shared", "speedup");
    for (size_t s : {size_t{512}, size_t{1024}, size_t{2048}}) {
        if (s > max_size)
            break;
        const int reps = s <= 512 ? 10 : s <= 1024 ? 6 : 3;
        const double ops = 2.0 * static_cast<double>(s * s * s);
        const int n = static_cast<int>(s);
        const auto rate = [ops](double t) { return t > 0 ? ops / t * 1e-9 : 0.0; };
        // One row from the times of race(): engine, shared, OpenBLAS, oneDNN.
        const auto row = [&rate](const char* type, const std::vector<double>& t) {
            return Row{type, rate(t[0]), rate(t[1]), rate(t[2]), rate(t[3])};
        };
        double f32_engine = 0;
        {
            Packet p(s, SEED_DT_F32, rng);
            const auto a = random_values<float>(s * s, rng), b = random_values<float>(s * s, rng);
            std::vector<float> c(s * s);
            const Row r =
                row("f32", race(reps, {[&] { p.run(); }, [&] { p.run(&all_engines); },
                                       [&] {
                                           cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n,
                                                       n, n, 1.0f, a.data(), n, b.data(), n, 0.0f,
                                                       c.data(), n);
                                       },
                                       [&] {
                                           dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n,
                                                      b.data(), n, 0.0f, c.data(), n);
                                       }}));
            f32_engine = r.engine;
            print(s, r);
        }
        {
            Packet p(s, SEED_DT_BF16, rng);
            OnednnBf16 lib(s);
            print(s, row("bf16", race(reps, {[&] { p.run(); }, [&] { p.run(&all_engines); },
                                             nullptr, [&] { lib.run(); }})));
        }
        {
            Packet p(s, SEED_DT_I8, rng);
            const auto a = random_values<int8_t>(s * s, rng);
            const auto b = random_values<int8_t>(s * s, rng);
            std::vector<int32_t> c(s * s);
            const int32_t zero = 0;
            const Row r =
                row("i8", race(reps, {[&] { p.run(); }, [&] { p.run(&all_engines); }, nullptr,
                                      [&] {
                                          dnnl_gemm_s8s8s32('N', 'N', 'F', n, n, n, 1.0f, a.data(),
                                                            n, 0, b.data(), n, 0, 0.0f, c.data(), n,
                                                            &zero);
                                      }}));
            print(s, r);
            std::printf("%-6zu i8 engine / f32 engine: %.2fx\n", s, r.engine / f32_engine);
        }
    }
    return 0;
}
