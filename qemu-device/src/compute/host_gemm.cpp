// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "host_gemm.h"

#include "../log.h"

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstdlib>
#include <map>

#if DNNL_CPU_RUNTIME != DNNL_RUNTIME_OMP
#error "host_gemm.cpp sets oneDNN's threads through OpenMP"
#endif

// The OpenMP runtime oneDNN is built with (GNU libgomp on Debian); declared
// here rather than through <omp.h>, which not every compiler of this tree
// (clang for the fuzzers) finds.
extern "C" void omp_set_num_threads(int threads);

namespace seed::device::compute::host {
namespace {

// oneDNN parallelises with OpenMP, whose thread count is per calling thread:
// each engine thread sets its own to 1 before its first call.
void one_thread() {
    thread_local bool set = false;
    if (!set) {
        omp_set_num_threads(1);
        set = true;
    }
}

void check(dnnl_status_t status, const char* what) {
    if (status != dnnl_success) {
        // Only reachable with arguments the engine has already validated.
        log::error("{} failed: oneDNN status {}", what, static_cast<int>(status));
        std::abort();
    }
}

dnnl_dim_t dim(size_t v) {
    return static_cast<dnnl_dim_t>(v);
}

} // namespace

void sgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, float alpha, const float* a,
           size_t lda, const float* b, size_t ldb, float beta, float* c, size_t ldc) {
    one_thread();
    check(dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', dim(m), dim(n), dim(k), alpha, a,
                     dim(lda), b, dim(ldb), beta, c, dim(ldc)),
          "sgemm");
}

// Whether oneDNN runs the kernels of @p isa (all its feature bits) on this host.
static bool host_has(dnnl_cpu_isa_t isa) {
    const auto bits = static_cast<unsigned>(isa);
    return (static_cast<unsigned>(dnnl_get_effective_cpu_isa()) & bits) == bits;
}

bool have_exact_s8gemm() {
    // AVX512-VNNI only: oneDNN 2.6's int8 GEMM for AVX-VNNI hosts is not known to
    // avoid the saturating path, and those hosts keep the engine's own kernel.
    static const bool vnni = host_has(dnnl_cpu_isa_avx512_core_vnni);
    return vnni;
}

void s8gemm(size_t m, size_t n, size_t k, const int8_t* a, const int8_t* b, int32_t* acc) {
    one_thread();
    const int32_t zero_offset = 0;
    check(dnnl_gemm_s8s8s32('N', 'N', 'F', dim(m), dim(n), dim(k), 1.0f, a, dim(k), 0, b, dim(n), 0,
                            0.0f, acc, dim(n), &zero_offset),
          "s8s8s32 gemm");
}

bool have_bf16gemm() {
    static const bool bf16 = host_has(dnnl_cpu_isa_avx512_core_bf16);
    return bf16;
}

namespace {

// One matmul primitive per shape and layout, per engine thread: making one
// costs up to milliseconds (its kernels are generated), a GEMM stream reuses
// a handful.
struct Bf16Matmul {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    std::map<std::array<size_t, 8>, dnnl::matmul> cache;

    static constexpr size_t kMaxCached = 32;

    dnnl::matmul& get(const std::array<size_t, 8>& key, const dnnl::memory::desc& a,
                      const dnnl::memory::desc& b, const dnnl::memory::desc& c) {
        auto it = cache.find(key);
        if (it != cache.end())
            return it->second;
        if (cache.size() >= kMaxCached)
            cache.clear();
        const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), engine);
        return cache.emplace(key, dnnl::matmul(pd)).first->second;
    }
};

} // namespace

bool bf16gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, const uint16_t* a,
              size_t lda, const uint16_t* b, size_t ldb, float* c, size_t ldc) {
    using dnnl::memory;
    one_thread();
    const auto d = [](size_t v) { return static_cast<memory::dim>(v); };
    // op(a) is m x k: a stored m x k (row stride lda), or k x m (TRANS_A).
    const memory::desc ad({d(m), d(k)}, memory::data_type::bf16,
                          trans_a ? memory::dims{1, d(lda)} : memory::dims{d(lda), 1});
    const memory::desc bd({d(k), d(n)}, memory::data_type::bf16,
                          trans_b ? memory::dims{1, d(ldb)} : memory::dims{d(ldb), 1});
    const memory::desc cd({d(m), d(n)}, memory::data_type::f32, memory::dims{d(ldc), 1});
    try {
        thread_local Bf16Matmul lib;
        dnnl::matmul& mm = lib.get({m, n, k, lda, ldb, ldc, trans_a, trans_b}, ad, bd, cd);
        memory am(ad, lib.engine, const_cast<uint16_t*>(a));
        memory bm(bd, lib.engine, const_cast<uint16_t*>(b));
        memory cm(cd, lib.engine, c);
        mm.execute(lib.stream, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
        lib.stream.wait();
        return true;
    } catch (const dnnl::error& e) {
        log::error("bf16 matmul {}x{}x{} failed: {}; using the binary32 path", m, n, k, e.what());
        return false;
    }
}

} // namespace seed::device::compute::host
