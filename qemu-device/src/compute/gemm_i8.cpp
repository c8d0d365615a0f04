// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Integer GEMM kernel. On hosts with VNNI the host library does it
// (host_gemm.h). Elsewhere, on AVX2 hosts a register-blocked micro-kernel
// multiplies pairs of int8 values widened to int16 with VPMADDWD (two
// products summed per int32 lane, exact: |2 · 128 · 128| < 2^31); other hosts,
// and the columns left over from 16-wide tiles, use a cache-blocked loop
// that the compiler vectorises. The binary stays baseline x86-64: the AVX2
// code is selected at run time.
#include "gemm_i8.h"
#include "host_gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SEED_I8_AVX2 1
#endif

namespace seed::device::compute {
namespace {

constexpr size_t kBlockK = 256; // rows of B per block
constexpr size_t kBlockN = 512; // columns of B per block
constexpr size_t kBlockM = 64;  // rows of A per block (SIMD kernel)

// acc[0..rows)[0..cols) += a (rows x kb, stride lda) * bw (kb x cols, stride cols).
// Four rows of A share each load of B.
void portable_kernel(size_t rows, size_t cols, size_t kb, const int8_t* a, size_t lda,
                     const int16_t* bw, int32_t* acc, size_t ldacc) {
    size_t i = 0;
    for (; i + 4 <= rows; i += 4) {
        int32_t* __restrict c0 = acc + i * ldacc;
        int32_t* __restrict c1 = c0 + ldacc;
        int32_t* __restrict c2 = c1 + ldacc;
        int32_t* __restrict c3 = c2 + ldacc;
        const int8_t* ar = a + i * lda;
        for (size_t p = 0; p < kb; ++p) {
            const int32_t a0 = ar[p];
            const int32_t a1 = ar[lda + p];
            const int32_t a2 = ar[2 * lda + p];
            const int32_t a3 = ar[3 * lda + p];
            const int16_t* __restrict br = bw + p * cols;
            for (size_t j = 0; j < cols; ++j) {
                const int32_t bv = br[j];
                c0[j] += a0 * bv;
                c1[j] += a1 * bv;
                c2[j] += a2 * bv;
                c3[j] += a3 * bv;
            }
        }
    }
    for (; i < rows; ++i) {
        int32_t* __restrict c0 = acc + i * ldacc;
        const int8_t* ar = a + i * lda;
        for (size_t p = 0; p < kb; ++p) {
            const int32_t a0 = ar[p];
            const int16_t* __restrict br = bw + p * cols;
            for (size_t j = 0; j < cols; ++j)
                c0[j] += a0 * static_cast<int32_t>(br[j]);
        }
    }
}

// Columns [j_begin, j_end) of acc = a · b, blocked for the caches.
void portable_gemm(size_t m, size_t n, size_t k, const int8_t* a, const int8_t* b, int32_t* acc,
                   size_t j_begin, size_t j_end) {
    std::vector<int16_t> bw(kBlockK * kBlockN);
    for (size_t j0 = j_begin; j0 < j_end; j0 += kBlockN) {
        const size_t nb = std::min(kBlockN, j_end - j0);
        for (size_t p0 = 0; p0 < k; p0 += kBlockK) {
            const size_t kb = std::min(kBlockK, k - p0);
            for (size_t p = 0; p < kb; ++p)
                for (size_t j = 0; j < nb; ++j)
                    bw[p * nb + j] = b[(p0 + p) * n + j0 + j];
            portable_kernel(m, nb, kb, a + p0, k, bw.data(), acc + j0, n);
        }
    }
}

#ifdef SEED_I8_AVX2

// Two int8 values as the int16 pair (lo, hi) of one 32-bit word.
inline uint32_t pair(int8_t lo, int8_t hi) {
    return static_cast<uint16_t>(int16_t{lo}) | static_cast<uint32_t>(static_cast<uint16_t>(hi))
                                                    << 16;
}

// acc[rows][16] (stride ldacc) += Σ_q ap[r][q] · bp[q] over kp pairs: ap holds pairs of
// A (stride lda_pairs), bp 16 columns x 2 rows of B as int16 per pair (64 bytes).
template <int Rows>
__attribute__((target("avx2"))) void avx2_tile(size_t kp, const uint32_t* ap, size_t lda_pairs,
                                               const int16_t* bp, int32_t* acc, size_t ldacc) {
    __m256i c[Rows][2];
    for (int r = 0; r < Rows; ++r) {
        const auto* row = reinterpret_cast<const __m256i*>(acc + r * ldacc);
        c[r][0] = _mm256_loadu_si256(row);
        c[r][1] = _mm256_loadu_si256(row + 1);
    }
    for (size_t q = 0; q < kp; ++q) {
        const auto* bq = reinterpret_cast<const __m256i*>(bp + 32 * q);
        const __m256i b0 = _mm256_loadu_si256(bq);
        const __m256i b1 = _mm256_loadu_si256(bq + 1);
        for (int r = 0; r < Rows; ++r) {
            const __m256i av = _mm256_set1_epi32(static_cast<int>(ap[r * lda_pairs + q]));
            c[r][0] = _mm256_add_epi32(c[r][0], _mm256_madd_epi16(b0, av));
            c[r][1] = _mm256_add_epi32(c[r][1], _mm256_madd_epi16(b1, av));
        }
    }
    for (int r = 0; r < Rows; ++r) {
        auto* row = reinterpret_cast<__m256i*>(acc + r * ldacc);
        _mm256_storeu_si256(row, c[r][0]);
        _mm256_storeu_si256(row + 1, c[r][1]);
    }
}

// Columns [0, 16 · (n / 16)) of acc = a · b.
void avx2_gemm(size_t m, size_t n, size_t k, const int8_t* a, const int8_t* b, int32_t* acc) {
    constexpr size_t kTile = 16;
    constexpr size_t kBlockPairs = kBlockK / 2;
    const size_t kp = (k + 1) / 2;
    const size_t tiles = n / kTile;
    // A as int16 pairs along k (the odd last one padded with 0).
    std::vector<uint32_t> ap(m * kp);
    for (size_t i = 0; i < m; ++i)
        for (size_t q = 0; q < kp; ++q) {
            const size_t p = 2 * q;
            ap[i * kp + q] = pair(a[i * k + p], p + 1 < k ? a[i * k + p + 1] : int8_t{0});
        }
    const size_t tiles_per_block = kBlockN / kTile;
    std::vector<int16_t> bp(tiles_per_block * kBlockPairs * 2 * kTile);
    for (size_t t0 = 0; t0 < tiles; t0 += tiles_per_block) {
        const size_t nt = std::min(tiles_per_block, tiles - t0);
        for (size_t q0 = 0; q0 < kp; q0 += kBlockPairs) {
            const size_t nq = std::min(kBlockPairs, kp - q0);
            // Pack B: per tile, per pair q: 16 columns x (row 2q, row 2q + 1).
            for (size_t t = 0; t < nt; ++t)
                for (size_t q = 0; q < nq; ++q) {
                    const size_t p = 2 * (q0 + q);
                    const int8_t* r0 = b + p * n + (t0 + t) * kTile;
                    int16_t* dst = &bp[(t * nq + q) * 2 * kTile];
                    for (size_t j = 0; j < kTile; ++j) {
                        dst[2 * j] = r0[j];
                        dst[2 * j + 1] = p + 1 < k ? r0[n + j] : int16_t{0};
                    }
                }
            // The packed B block (up to 256 KiB) stays in L2 while blocks of kBlockM rows
            // of A (32 KiB) sweep across it.
            for (size_t i0 = 0; i0 < m; i0 += kBlockM) {
                const size_t i_end = std::min(m, i0 + kBlockM);
                for (size_t t = 0; t < nt; ++t) {
                    const int16_t* btile = &bp[t * nq * 2 * kTile];
                    int32_t* ctile = acc + (t0 + t) * kTile;
                    size_t i = i0;
                    for (; i + 4 <= i_end; i += 4)
                        avx2_tile<4>(nq, &ap[i * kp + q0], kp, btile, ctile + i * n, n);
                    for (; i < i_end; ++i)
                        avx2_tile<1>(nq, &ap[i * kp + q0], kp, btile, ctile + i * n, n);
                }
            }
        }
    }
}

#endif // SEED_I8_AVX2

} // namespace

void gemm_i8_i32(size_t m, size_t n, size_t k, const int8_t* a, const int8_t* b, int32_t* acc,
                 I8Path path) {
    if (path == I8Path::best && host::have_exact_s8gemm()) {
        host::s8gemm(m, n, k, a, b, acc);
        return;
    }
    std::memset(acc, 0, m * n * sizeof(int32_t));
    size_t done = 0;
#ifdef SEED_I8_AVX2
    if (path != I8Path::portable && __builtin_cpu_supports("avx2")) {
        avx2_gemm(m, n, k, a, b, acc);
        done = n / 16 * 16;
    }
#endif
    if (done < n)
        portable_gemm(m, n, k, a, b, acc, done, n);
}

} // namespace seed::device::compute
