// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The host library the GEMM engine multiplies with. One place decides which
// one: oneDNN, which on this project's hosts is faster than OpenBLAS for
// binary32 and, on CPUs with VNNI dot-product instructions, many times faster
// than the engine's own int8 kernel (docs/performance.md, compute_bench).
// Every call runs on the calling thread only: an engine is one host thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace seed::device::compute::host {

/// Row-major binary32 GEMM, BLAS semantics: c = alpha·op(a)·op(b) + beta·c,
/// c not read when beta is 0. Subnormals are honoured (no flush to zero).
void sgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, float alpha, const float* a,
           size_t lda, const float* b, size_t ldb, float beta, float* c, size_t ldc);

/// Whether s8gemm() can be used: the host has AVX512-VNNI, whose int8 dot
/// products do not saturate (oneDNN's kernels without it sum pairs in
/// saturating int16, which is not exact).
bool have_exact_s8gemm();

/// acc = a·b exactly, for dense row-major a (m×k), b (k×n), acc (m×n), int32
/// sums (the caller keeps k small enough not to overflow). Only when
/// have_exact_s8gemm().
void s8gemm(size_t m, size_t n, size_t k, const int8_t* a, const int8_t* b, int32_t* acc);

/// Whether bf16gemm() can be used: the host has native BF16 dot products
/// (AVX512-BF16).
bool have_bf16gemm();

/// Row-major c = op(a)·op(b) for BF16 a and b (raw 16-bit patterns), binary32
/// c (not read), with oneDNN's BF16 kernels. Their dot-product instructions
/// treat subnormal inputs and results as zero, so the caller uses this only
/// where no operand and no partial sum can be subnormal (see gemm.cpp).
/// False if the library could not run it (the caller falls back).
bool bf16gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, const uint16_t* a,
              size_t lda, const uint16_t* b, size_t ldb, float* c, size_t ldc);

} // namespace seed::device::compute::host
