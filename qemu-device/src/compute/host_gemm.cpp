// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "host_gemm.h"

#include "../log.h"

#include <oneapi/dnnl/dnnl.h>

#include <cstdlib>

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

bool have_exact_s8gemm() {
#if defined(__x86_64__) && defined(__GNUC__)
    static const bool vnni = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512vnni") || __builtin_cpu_supports("avxvnni");
    }();
    return vnni;
#else
    return false;
#endif
}

void s8gemm(size_t m, size_t n, size_t k, const int8_t* a, const int8_t* b, int32_t* acc) {
    one_thread();
    const int32_t zero_offset = 0;
    check(dnnl_gemm_s8s8s32('N', 'N', 'F', dim(m), dim(n), dim(k), 1.0f, a, dim(k), 0, b, dim(n), 0,
                            0.0f, acc, dim(n), &zero_offset),
          "s8s8s32 gemm");
}

} // namespace seed::device::compute::host
