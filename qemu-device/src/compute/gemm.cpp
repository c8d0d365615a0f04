// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// GEMM engine (docs/hardware.md §11.1): validates the descriptor, gathers
// op(A) and op(B) into host buffers, multiplies (host::sgemm() for float
// inputs, gemm_i8_i32() for I8; host_gemm.h), applies the alpha/beta/bias/activation
// epilogue and writes C.
//
// Threads: each queue has its own engine thread, which gathers the operands,
// runs the epilogue's conversions and writes C. The product and epilogue of
// each panel are split into row bands that the engines lent to the packet
// compute in parallel (Parallel, §11.1), one host library call per band, on
// the calling thread. Each engine thread
// keeps up to kScratchRetain bytes of buffers between packets.
//
// Host memory: operands are gathered in panels bounded by host_budget bytes
// (256 MiB) and kMaxPanelMacs multiply-adds. When one panel covers the whole
// problem, every read (A, B, bias, old C) completes before C is first
// written, so a fault leaves C untouched. Larger problems run panel by panel
// after a read-only pass over all operands, so a fault in the operands still
// writes nothing; only C write faults (and memory changed concurrently by
// other queues) can leave C partly written.
#include "gemm.h"
#include "compute.h"
#include "convert.h"
#include "descriptor_check.h"
#include "gemm_i8.h"
#include "host_gemm.h"
#include "tensor_io.h"

#include <hw/seed_hw.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <new>
#include <vector>

namespace seed::device::compute {
namespace {

std::atomic<size_t> host_budget{size_t{256} << 20};

DescriptorCheck validate(const seed_gemm_desc& d) {
    if ((d.flags & ~SEED_GEMM_F_MASK) != 0)
        return reject(SEED_ERR_MALFORMED, "unknown flags");
    if (d.activation > SEED_ACT_GELU)
        return reject(SEED_ERR_MALFORMED, "unknown activation");
    if (d.reserved0 != 0)
        return reject(SEED_ERR_MALFORMED, "reserved field set");
    for (uint64_t r : d.reserved)
        if (r != 0)
            return reject(SEED_ERR_MALFORMED, "reserved field set");
    if (d.bias != 0 && (d.flags & SEED_GEMM_F_BIAS) == 0)
        return reject(SEED_ERR_MALFORMED, "bias address without BIAS");

    switch (d.dtype) {
    case SEED_DT_F32:
    case SEED_DT_F16:
    case SEED_DT_BF16:
        if (d.out_dtype != SEED_DT_F32)
            return reject(SEED_ERR_BAD_DTYPE, "out_dtype not F32 for float inputs");
        break;
    case SEED_DT_I8:
        if (d.out_dtype != SEED_DT_I32)
            return reject(SEED_ERR_BAD_DTYPE, "out_dtype not I32 for I8 inputs");
        if (d.activation == SEED_ACT_GELU)
            return reject(SEED_ERR_BAD_DTYPE, "GELU with I8 inputs");
        break;
    default:
        return reject(SEED_ERR_BAD_DTYPE, "unknown dtype");
    }

    const auto in_range = [](uint32_t v) { return v >= 1 && v <= SEED_GEMM_MAX_DIM; };
    if (!in_range(d.m) || !in_range(d.n) || !in_range(d.k))
        return reject(SEED_ERR_BAD_SIZE, "m, n or k outside [1, 65536]");
    const bool trans_a = d.flags & SEED_GEMM_F_TRANS_A;
    const bool trans_b = d.flags & SEED_GEMM_F_TRANS_B;
    if (d.lda < (trans_a ? d.m : d.k))
        return reject(SEED_ERR_BAD_SIZE, "lda too small");
    if (d.ldb < (trans_b ? d.k : d.n))
        return reject(SEED_ERR_BAD_SIZE, "ldb too small");
    if (d.ldc < d.n)
        return reject(SEED_ERR_BAD_SIZE, "ldc below n");

    const uint64_t elem = SEED_DT_SIZE(d.dtype);
    if (d.a % elem != 0 || d.b % elem != 0)
        return reject(SEED_ERR_MISALIGNED, "a or b not aligned to the input element size");
    if (d.c % 4 != 0)
        return reject(SEED_ERR_MISALIGNED, "c not 4-byte aligned");
    if ((d.flags & SEED_GEMM_F_BIAS) && d.bias % 4 != 0)
        return reject(SEED_ERR_MISALIGNED, "bias not 4-byte aligned");
    return {};
}

// Host buffers of the GEMMs of one engine thread, kept between packets so that
// a stream of GEMMs does not fault in fresh pages for every one of them.
struct Scratch {
    std::vector<float> a_f32, b_f32, out_f32, acc_f32;
    std::vector<int32_t> out_i32;
    std::vector<uint16_t> raw, a_bf16, b_bf16;
    std::vector<int8_t> i8, a_i8, b_i8;
    std::vector<uint32_t> bias_bits, old_c;

    size_t bytes() const {
        return 4 * (a_f32.capacity() + b_f32.capacity() + out_f32.capacity() + acc_f32.capacity() +
                    out_i32.capacity() + bias_bits.capacity() + old_c.capacity()) +
               2 * (raw.capacity() + a_bf16.capacity() + b_bf16.capacity()) + i8.capacity() +
               a_i8.capacity() + b_i8.capacity();
    }
};

// Multiply-adds of one panel (about 0.3 s of one host core): the engine touches memory
// between panels, which is where a queue reset or watchdog abort takes effect.
constexpr size_t kMaxPanelMacs = size_t{1} << 33;

// Smallest share of a panel's product given to one engine, in binary32 multiply-adds
// (about 0.3 ms of one host core): smaller GEMMs stay on one engine, where waking
// another costs more than it saves. Types the engine multiplies faster need
// proportionally more (GemmRun::speed()).
std::atomic<size_t> min_part_macs{size_t{1} << 25};

// Smallest GEMM that multiplies BF16 with the host library's BF16 kernels
// (host::bf16gemm()); smaller ones convert to binary32, where making a
// primitive for a new shape would cost more than it saves.
constexpr size_t kMinBf16KernelMacs = size_t{1} << 21;

// Smallest exponent field of a nonzero BF16 operand for the BF16 kernels:
// |x| >= 2^-50, so every nonzero product is at least 2^-100 and a multiple of
// 2^-114, and so is every partial sum (rounded or not): none is subnormal,
// and the kernels' flush of subnormal inputs and results never applies.
constexpr uint32_t kMinBf16KernelExponent = 127 - 50;

// Scratch beyond this many bytes is returned to the host after the packet.
constexpr size_t kScratchRetain = size_t{64} << 20;

/// One GEMM after validation: the panel loop shared by every data type.
class GemmRun {
public:
    GemmRun(AddressSpace& as, const seed_gemm_desc& d, Scratch& scratch, Parallel* parallel)
        : as_(as), d_(d), m_(d.m), n_(d.n), k_(d.k), elem_(SEED_DT_SIZE(d.dtype)),
          integer_(d.dtype == SEED_DT_I8), trans_a_(d.flags & SEED_GEMM_F_TRANS_A),
          trans_b_(d.flags & SEED_GEMM_F_TRANS_B), bias_(d.flags & SEED_GEMM_F_BIAS),
          read_c_(integer_ ? d.beta != 0 : (d.beta & 0x7fffffffu) != 0),
          bf16_kernel_(d.dtype == SEED_DT_BF16 && host::have_bf16gemm() &&
                       size_t{d.m} * d.n * d.k >= kMinBf16KernelMacs),
          s_(scratch), parallel_(parallel) {}

    uint32_t run() {
        choose_panels();
        const bool blocked = mb_ < m_ || nb_ < n_;
        if (blocked)
            if (uint32_t err = pass(true))
                return err;
        return pass(false);
    }

private:
    // Host bytes of one panel step: A and B panels (raw + converted), acc, old C, bias.
    size_t footprint(size_t mb, size_t nb) const {
        const size_t host_elem = integer_ ? 1 : 4;
        const size_t raw_elem = (integer_ || elem_ == 4) ? 0 : elem_;
        return (mb * k_ + k_ * nb) * (host_elem + raw_elem) + mb * nb * 4 * 2 + nb * 4;
    }

    void choose_panels() {
        const size_t budget = host_budget.load(std::memory_order_relaxed);
        mb_ = m_;
        nb_ = n_;
        while ((footprint(mb_, nb_) > budget || mb_ * nb_ * k_ > kMaxPanelMacs) &&
               (mb_ > 1 || nb_ > 1)) {
            if (nb_ >= mb_)
                nb_ = (nb_ + 1) / 2;
            else
                mb_ = (mb_ + 1) / 2;
        }
    }

    static void to_f32(const std::vector<uint16_t>& bf16, std::vector<float>& f32) {
        f32.resize(bf16.size());
        for (size_t i = 0; i < bf16.size(); ++i)
            f32[i] = bf16_to_f32(bf16[i]);
    }

    // Whether every value of a BF16 block suits the BF16 kernels: zero, Inf, NaN
    // or of magnitude at least 2^-50 (kMinBf16KernelExponent). A value fails when
    // its magnitude bits are nonzero and below those of 2^-50: 0 < mag < kLimit,
    // i.e. mag - 1 < kLimit - 1 in uint16_t, where mag = 0 wraps to 0xffff. Branch
    // free within a block of fixed length, so that the compiler vectorises it; one
    // check per block.
    static bool bf16_kernel_safe(const std::vector<uint16_t>& v) {
        constexpr uint16_t kLimit = kMinBf16KernelExponent << 7;
        constexpr size_t kBlock = 1024;
        const auto fails = [](const uint16_t* p, size_t count) {
            unsigned any = 0;
            for (size_t i = 0; i < count; ++i)
                any |= static_cast<uint16_t>((p[i] & 0x7fffu) - 1u) < kLimit - 1u;
            return any != 0;
        };
        const uint16_t* p = v.data();
        const size_t full = v.size() - v.size() % kBlock;
        for (size_t i = 0; i < full; i += kBlock)
            if (fails(p + i, kBlock))
                return false;
        return !fails(p + full, v.size() - full);
    }

    // Reads a stored (rows x cols) block of A or B into @p f32 (float inputs, converted)
    // or @p i8 (I8 inputs). BF16 values are also kept as read in @p bf16, and @p safe
    // says whether the BF16 kernels may multiply them.
    uint32_t gather(uint64_t base, uint64_t ld, size_t row0, size_t rows, size_t col0, size_t cols,
                    std::vector<float>& f32, std::vector<int8_t>& i8, std::vector<uint16_t>& bf16,
                    bool& safe) {
        const size_t count = rows * cols;
        if (integer_) {
            i8.resize(count);
            return read_block(as_, base, ld, 1, row0, rows, col0, cols, i8.data());
        }
        if (elem_ == 4) {
            f32.resize(count);
            return read_block(as_, base, ld, 4, row0, rows, col0, cols, f32.data());
        }
        std::vector<uint16_t>& raw = d_.dtype == SEED_DT_BF16 ? bf16 : s_.raw;
        raw.resize(count);
        if (uint32_t err = read_block(as_, base, ld, 2, row0, rows, col0, cols, raw.data()))
            return err;
        if (d_.dtype == SEED_DT_F16) {
            f32.resize(count);
            for (size_t i = 0; i < count; ++i)
                f32[i] = f16_to_f32(raw[i]);
            return SEED_ERR_NONE;
        }
        safe = bf16_kernel_ && bf16_kernel_safe(raw);
        if (!safe)
            to_f32(raw, f32);
        return SEED_ERR_NONE;
    }

    // op(A) rows [i0, i0 + mb): stored rows of A, or stored columns with TRANS_A. Float
    // inputs stay as stored (sgemm transposes); I8 ones are made mb x k.
    uint32_t gather_a(size_t i0, size_t mb) {
        if (!trans_a_)
            return gather(d_.a, d_.lda, i0, mb, 0, k_, s_.a_f32, s_.a_i8, s_.a_bf16, a_safe_);
        if (uint32_t err = gather(d_.a, d_.lda, 0, k_, i0, mb, s_.a_f32, s_.i8, s_.a_bf16, a_safe_))
            return err;
        if (integer_) {
            s_.a_i8.resize(mb * k_);
            for (size_t p = 0; p < k_; ++p)
                for (size_t i = 0; i < mb; ++i)
                    s_.a_i8[i * k_ + p] = s_.i8[p * mb + i];
        }
        return SEED_ERR_NONE;
    }

    // op(B) columns [j0, j0 + nb): stored columns of B, or stored rows with TRANS_B. I8
    // inputs are made k x nb.
    uint32_t gather_b(size_t j0, size_t nb) {
        if (!trans_b_)
            return gather(d_.b, d_.ldb, 0, k_, j0, nb, s_.b_f32, s_.b_i8, s_.b_bf16, b_safe_);
        if (uint32_t err = gather(d_.b, d_.ldb, j0, nb, 0, k_, s_.b_f32, s_.i8, s_.b_bf16, b_safe_))
            return err;
        if (integer_) {
            s_.b_i8.resize(k_ * nb);
            for (size_t j = 0; j < nb; ++j)
                for (size_t p = 0; p < k_; ++p)
                    s_.b_i8[p * nb + j] = s_.i8[j * k_ + p];
        }
        return SEED_ERR_NONE;
    }

    uint32_t pass(bool probe) {
        for (size_t j0 = 0; j0 < n_; j0 += nb_) {
            const size_t nb = std::min(nb_, n_ - j0);
            if (uint32_t err = gather_b(j0, nb))
                return err;
            if (bias_) {
                s_.bias_bits.resize(nb);
                if (uint32_t err =
                        read_block(as_, d_.bias, n_, 4, 0, 1, j0, nb, s_.bias_bits.data()))
                    return err;
            }
            for (size_t i0 = 0; i0 < m_; i0 += mb_) {
                const size_t mb = std::min(mb_, m_ - i0);
                if (!probe || j0 == 0)
                    if (uint32_t err = gather_a(i0, mb))
                        return err;
                if (read_c_)
                    if (uint32_t err = read_c(i0, mb, j0, nb))
                        return err;
                if (probe)
                    continue;
                compute(mb, nb);
                const void* out = integer_ ? static_cast<const void*>(s_.out_i32.data())
                                           : static_cast<const void*>(s_.out_f32.data());
                if (uint32_t err = write_block(as_, d_.c, d_.ldc, 4, i0, mb, j0, nb, out))
                    return err;
            }
        }
        return SEED_ERR_NONE;
    }

    // Old C goes where the float result is built (sgemm's C operand), or aside for I8.
    uint32_t read_c(size_t i0, size_t mb, size_t j0, size_t nb) {
        void* dst;
        if (integer_) {
            s_.old_c.resize(mb * nb);
            dst = s_.old_c.data();
        } else {
            s_.out_f32.resize(mb * nb);
            dst = s_.out_f32.data();
        }
        return read_block(as_, d_.c, d_.ldc, 4, i0, mb, j0, nb, dst);
    }

    // How many times faster than binary32 the engine multiplies this GEMM's inputs,
    // roughly: I8 on the host library's integer kernels 4, BF16 on its BF16 kernels 2.
    size_t speed() const {
        if (integer_)
            return host::have_exact_s8gemm() ? 4 : 1;
        return bf16_kernel_ ? 2 : 1;
    }

    // Parts the product of an mb x nb panel is split into, by row bands: one per thread
    // that could take part, each of at least min_part_macs · speed() multiply-adds. No
    // more: each band is its own library call, which packs all of B again. A thread that
    // starts late does not hold the packet up (Parallel::run() lets the others take its
    // part).
    size_t parts_for(size_t mb, size_t nb) const {
        const unsigned width = parallel_ != nullptr ? parallel_->width() : 1;
        if (width <= 1)
            return 1;
        const size_t macs = mb * nb * k_;
        const size_t min_part = min_part_macs.load(std::memory_order_relaxed) * speed();
        size_t parts = std::min<size_t>(width, macs / min_part);
        parts = std::min(parts, mb);
        return std::max<size_t>(parts, 1);
    }

    // Multiplies the panel and applies the epilogue, in place (s_.out_f32 or s_.out_i32),
    // in row bands shared between the engines the packet may use. Touches no device memory.
    void compute(size_t mb, size_t nb) {
        // The BF16 kernels give the product alone: alpha and beta are applied after,
        // unless C is the product. Where they cannot multiply both panels, a panel they
        // could have taken is converted now.
        const bool bf16 = bf16_kernel_ && a_safe_ && b_safe_;
        if (bf16_kernel_ && !bf16) {
            if (a_safe_)
                to_f32(s_.a_bf16, s_.a_f32);
            if (b_safe_)
                to_f32(s_.b_bf16, s_.b_f32);
            a_safe_ = b_safe_ = false;
        }
        const float alpha = std::bit_cast<float>(d_.alpha);
        const bool fused = integer_ || (bf16 ? alpha == 1.0f && !read_c_ : alpha != 0.0f);
        if (integer_) {
            s_.out_i32.resize(mb * nb);
        } else {
            if (!read_c_)
                s_.out_f32.resize(mb * nb);
            if (!fused)
                s_.acc_f32.resize(mb * nb);
        }
        const size_t parts = parts_for(mb, nb);
        if (parts <= 1) {
            rows(0, mb, mb, nb, fused, bf16);
            return;
        }
        const size_t step = (mb + parts - 1) / parts;
        parallel_->run(parts, [&](size_t part) {
            const size_t r0 = part * step;
            if (r0 < mb)
                rows(r0, std::min(mb, r0 + step), mb, nb, fused, bf16);
        });
    }

    // Rows [r0, r1) of the panel: product, then epilogue.
    void rows(size_t r0, size_t r1, size_t mb, size_t nb, bool fused, bool bf16) {
        const size_t count = r1 - r0;
        if (integer_) {
            gemm_i8_i32(count, nb, k_, s_.a_i8.data() + r0 * k_, s_.b_i8.data(),
                        s_.out_i32.data() + r0 * nb);
            epilogue(r0, r1, nb);
            return;
        }
        const auto alpha = std::bit_cast<float>(d_.alpha);
        // sgemm computes alpha·acc + beta·C itself, except that alpha = 0 skips the product
        // (0·inf would not give NaN): then acc is computed apart and combined below.
        float* out = (fused ? s_.out_f32.data() : s_.acc_f32.data()) + r0 * nb;
        // op(A) is gathered as stored: mb x k rows, or k x mb with TRANS_A.
        const size_t a_off = trans_a_ ? r0 : r0 * k_;
        const float beta = fused && read_c_ ? std::bit_cast<float>(d_.beta) : 0.0f;
        // The BF16 panels have no binary32 copy: a and b stay null when the BF16
        // kernels multiplied them.
        const float* a = nullptr;
        const float* b = nullptr;
        std::vector<float> a_own, b_own;
        if (!bf16) {
            a = s_.a_f32.data() + a_off;
            b = s_.b_f32.data();
        } else if (!host::bf16gemm(trans_a_, trans_b_, count, nb, k_, s_.a_bf16.data() + a_off,
                                   trans_a_ ? mb : k_, s_.b_bf16.data(), trans_b_ ? k_ : nb, out,
                                   nb)) {
            // The library refused (logged): binary32 copies of this band's operands.
            to_f32(s_.a_bf16, a_own);
            to_f32(s_.b_bf16, b_own);
            a = a_own.data() + a_off;
            b = b_own.data();
        }
        if (a != nullptr)
            host::sgemm(trans_a_, trans_b_, count, nb, k_, fused ? alpha : 1.0f, a,
                        trans_a_ ? mb : k_, b, trans_b_ ? k_ : nb, beta, out, nb);
        if (!fused) {
            const auto beta_c = std::bit_cast<float>(d_.beta);
            float* c = s_.out_f32.data();
            const float* acc = s_.acc_f32.data();
            for (size_t i = r0 * nb; i < r1 * nb; ++i)
                c[i] = alpha * acc[i] + (read_c_ ? beta_c * c[i] : 0.0f);
        }
        epilogue(r0, r1, nb);
    }

    // Adds the bias and applies the activation to rows [r0, r1), in place.
    void epilogue(size_t r0, size_t r1, size_t nb) {
        if (integer_) {
            // Two's complement wrap-around: all arithmetic modulo 2^32 in uint32_t.
            const uint32_t alpha = d_.alpha;
            const uint32_t beta = d_.beta;
            if (alpha == 1 && !read_c_ && !bias_ && d_.activation == SEED_ACT_NONE)
                return; // C = acc
            for (size_t i = r0; i < r1; ++i)
                for (size_t j = 0; j < nb; ++j) {
                    uint32_t x = alpha * static_cast<uint32_t>(s_.out_i32[i * nb + j]);
                    if (read_c_)
                        x += beta * s_.old_c[i * nb + j];
                    if (bias_)
                        x += s_.bias_bits[j];
                    if (d_.activation == SEED_ACT_RELU && static_cast<int32_t>(x) < 0)
                        x = 0;
                    s_.out_i32[i * nb + j] = static_cast<int32_t>(x);
                }
            return;
        }
        if (!bias_ && d_.activation == SEED_ACT_NONE)
            return;
        float* out = s_.out_f32.data();
        for (size_t i = r0; i < r1; ++i)
            for (size_t j = 0; j < nb; ++j) {
                float x = out[i * nb + j];
                if (bias_)
                    x += std::bit_cast<float>(s_.bias_bits[j]);
                if (d_.activation == SEED_ACT_RELU)
                    x = float_relu(x);
                else if (d_.activation == SEED_ACT_GELU)
                    x = float_gelu(x);
                out[i * nb + j] = x;
            }
    }

    AddressSpace& as_;
    const seed_gemm_desc& d_;
    const size_t m_, n_, k_, elem_;
    const bool integer_, trans_a_, trans_b_, bias_, read_c_;
    const bool bf16_kernel_;               // BF16 inputs, multiplied by the BF16 kernels where safe
    bool a_safe_ = false, b_safe_ = false; // the A and B panels gathered last suit them
    size_t mb_ = 0, nb_ = 0;
    Scratch& s_;
    Parallel* parallel_;
};

} // namespace

void detail::set_gemm_host_budget(size_t bytes) {
    host_budget.store(bytes, std::memory_order_relaxed);
}

void detail::set_gemm_min_part_macs(size_t macs) {
    min_part_macs.store(std::max<size_t>(macs, 1), std::memory_order_relaxed);
}

uint32_t run_gemm(AddressSpace& as, uint64_t desc_va, Parallel* parallel) {
    if (desc_va % SEED_DESC_ALIGN != 0)
        return SEED_ERR_MISALIGNED;
    seed_gemm_desc d;
    if (uint32_t err = as.read(desc_va, &d, sizeof(d)))
        return err;
    if (const DescriptorCheck check = validate(d))
        return report_rejected("GEMM", desc_va, check);
    try {
        thread_local Scratch scratch;
        const uint32_t err = GemmRun(as, d, scratch, parallel).run();
        if (scratch.bytes() > kScratchRetain)
            scratch = Scratch{};
        return err;
    } catch (const std::bad_alloc&) {
        // The model could not get host memory for its buffers: the engine gives up on the
        // packet as the watchdog would.
        return SEED_ERR_HANG;
    }
}

} // namespace seed::device::compute
