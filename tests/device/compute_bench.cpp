// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// compute_bench: throughput of the GEMM engine against direct cblas_sgemm,
// to show the engine's overhead (descriptor, gathers, epilogue, write-back),
// and one GEMM shared by the engines of an idle 4-engine chip (EngineCrew,
// §11.1: as many as the host has cores)
// against one engine. Built with the tests, not registered with CTest.
// Usage: compute_bench [max_size]
#include "compute/compute.h"
#include "compute_test_memory.h"
#include "engine_crew.h"
#include "engine_pool.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

using seed::device::compute::run_gemm;
using seed::device::compute::test::FakeMemory;
using Clock = std::chrono::steady_clock;

// Best-of time in seconds of @p reps calls of @p fn.
template <typename F>
double best_time(int reps, F&& fn) {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
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

} // namespace

int main(int argc, char** argv) {
    const size_t max_size = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2048;
    openblas_set_num_threads(1); // the engine's policy: one host thread per GEMM
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
    std::printf("%-6s %-5s %12s %12s %8s %14s %8s\n", "size", "type", "engine", "cblas", "ratio",
                "shared", "speedup");
    for (size_t s : {size_t{512}, size_t{1024}, size_t{2048}}) {
        if (s > max_size)
            break;
        const int reps = s <= 512 ? 10 : s <= 1024 ? 4 : 2;
        const double ops = 2.0 * static_cast<double>(s * s * s);

        // f32: engine (through the AddressSpace) versus cblas on host buffers.
        {
            FakeMemory mem(64);
            const auto a = random_values<float>(s * s, rng), b = random_values<float>(s * s, rng);
            seed_gemm_desc d{};
            d.a = mem.put(a);
            d.b = mem.put(b);
            d.c = mem.alloc(s * s * 4);
            d.m = d.n = d.k = d.lda = d.ldb = d.ldc = static_cast<uint32_t>(s);
            d.alpha = std::bit_cast<uint32_t>(1.0f);
            d.dtype = SEED_DT_F32;
            d.out_dtype = SEED_DT_F32;
            const uint64_t desc = mem.alloc(sizeof(d));
            mem.store(desc, d);
            const double engine = best_time(reps, [&] {
                if (run_gemm(mem, desc) != SEED_ERR_NONE)
                    std::abort();
            });
            const double shared = best_time(reps, [&] {
                if (run_gemm(mem, desc, &all_engines) != SEED_ERR_NONE)
                    std::abort();
            });
            std::vector<float> c(s * s);
            const int n = static_cast<int>(s);
            const double blas = best_time(reps, [&] {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n,
                            b.data(), n, 0.0f, c.data(), n);
            });
            std::printf("%-6zu %-5s %8.1f GF/s %8.1f GF/s %7.3fx %9.1f GF/s %7.2fx\n", s, "f32",
                        ops / engine * 1e-9, ops / blas * 1e-9, engine / blas, ops / shared * 1e-9,
                        engine / shared);
        }
        // int8 with int32 accumulation.
        {
            FakeMemory mem(64);
            seed_gemm_desc d{};
            d.a = mem.put(random_values<int8_t>(s * s, rng));
            d.b = mem.put(random_values<int8_t>(s * s, rng));
            d.c = mem.alloc(s * s * 4);
            d.m = d.n = d.k = d.lda = d.ldb = d.ldc = static_cast<uint32_t>(s);
            d.alpha = 1;
            d.dtype = SEED_DT_I8;
            d.out_dtype = SEED_DT_I32;
            const uint64_t desc = mem.alloc(sizeof(d));
            mem.store(desc, d);
            const double engine = best_time(s <= 1024 ? reps : 1, [&] {
                if (run_gemm(mem, desc) != SEED_ERR_NONE)
                    std::abort();
            });
            const double shared = best_time(s <= 1024 ? reps : 1, [&] {
                if (run_gemm(mem, desc, &all_engines) != SEED_ERR_NONE)
                    std::abort();
            });
            std::printf("%-6zu %-5s %8.1f GOP/s %31s %8.1f GOP/s %7.2fx\n", s, "i8",
                        ops / engine * 1e-9, "", ops / shared * 1e-9, engine / shared);
        }
    }
    return 0;
}
