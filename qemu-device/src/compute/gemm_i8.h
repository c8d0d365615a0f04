// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Integer GEMM kernel of the GEMM engine: int8 x int8 products summed in
// int32 (docs/hardware.md §11.1).
#pragma once

#include <cstddef>
#include <cstdint>

namespace seed::device::compute {

/// Which code computes the product. The engine uses best; tests compare them.
enum class I8Path {
    best,     ///< the host library where it is exact (host::have_exact_s8gemm()), else simd
    simd,     ///< the AVX2 micro-kernel where the CPU has AVX2, else portable
    portable, ///< the cache-blocked loop the compiler vectorises
};

/// acc[i][j] = Σ_p a[i][p]·b[p][j] for dense row-major a (m×k), b (k×n), acc (m×n).
/// k ≤ 65536 keeps every sum within ±2^30, so int32 never overflows here; the
/// wrap-around of the epilogue is the caller's.
void gemm_i8_i32(size_t m, size_t n, size_t k, const int8_t* a, const int8_t* b, int32_t* acc,
                 I8Path path = I8Path::best);

} // namespace seed::device::compute
