// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// aten ops on the compute engines: GEMM (mm, addmm, bmm), ELEMENTWISE (add,
// sub, mul, div, maximum, minimum, relu, gelu, exp, neg, abs, sqrt) and
// REDUCE (sum, mean, amax, softmax, log_softmax and their backward passes,
// layer_norm). f32, f16 and bf16 run on the chip; a case the engines do not
// take (another dtype, a layout or size beyond their ranges) runs on the
// CPU and is counted as such.
#include "backend.hpp"

#include <ATen/ExpandUtils.h>
#include <ATen/WrapDimUtils.h>
#include <torch/library.h>

#include <cmath>
#include <numeric>

namespace seed::torch_backend {

namespace {

constexpr std::int64_t kMaxGemmDim = 65536;
constexpr std::int64_t kMaxRows = 1ll << 24;
constexpr std::int64_t kMaxBatch = 16384;

using Lock = std::lock_guard<std::recursive_mutex>;

/// The chip of the first chip tensor among @p ts.
Chip& chip_among(std::initializer_list<const at::Tensor*> ts) {
    for (const at::Tensor* t : ts)
        if (t && t->defined() && t->device().type() == kDeviceType)
            return chip_of(*t);
    TORCH_CHECK(false, "seedchip: no SeedChip tensor among the arguments");
}

at::Tensor host(const at::Tensor& t) {
    return t.defined() ? t.cpu() : t;
}

bool is_cpu_scalar(const at::Tensor& t) {
    return t.device().is_cpu() && t.dim() == 0;
}

void done(Chip& c, const char* op) {
    c.current_stream().recorded();
    count_chip(op);
}

// --- ELEMENTWISE

/// An operand of @p t over @p shape in dtype @p dt (converted on the chip, or
/// a device scalar for a CPU scalar tensor). @p keep holds temporaries.
Operand ew_operand(const at::Tensor& t, at::IntArrayRef shape, at::ScalarType dt, c10::Device dev,
                   std::vector<at::Tensor>& keep) {
    if (is_cpu_scalar(t)) {
        keep.emplace_back();
        return scalar_operand(dev, t.item<double>(), dt, shape, keep.back());
    }
    if (t.scalar_type() != dt) {
        keep.push_back(chip_contiguous(t, dt));
        return operand(keep.back(), shape);
    }
    return operand(t, shape);
}

/// out (or a new tensor) = op(a[, b]) with a's and b's broadcast shape.
/// Returns an undefined tensor if the engines cannot do it.
at::Tensor ew_run(ElementwiseOp op, const at::Tensor& a, const at::Tensor* b, at::ScalarType dtype,
                  const at::Tensor* out) {
    const auto dt = engine_dtype(dtype);
    if (!dt)
        return {};
    Chip& c = chip_among({&a, b, out});
    Lock lock(c.mutex());
    const c10::Device dev = c.torch_device();
    const std::vector<std::int64_t> shape =
        b ? at::infer_size(a.sizes(), b->sizes()) : a.sizes().vec();
    std::vector<at::Tensor> keep;
    const Operand s0 = ew_operand(a, shape, dtype, dev, keep);
    std::optional<Operand> s1;
    if (b)
        s1 = ew_operand(*b, shape, dtype, dev, keep);
    at::Tensor dst = out ? *out : empty_on(dev, shape, dtype);
    const bool in_place_ok =
        out && out->scalar_type() == dtype && out->sizes() == at::IntArrayRef(shape);
    if (out && !in_place_ok)
        dst = empty_on(dev, shape, dtype);
    if (!emit_elementwise(c, op, shape, *dt, *dt, operand(dst, shape), s0, s1 ? &*s1 : nullptr)) {
        if (out && in_place_ok) {
            // e.g. an in-place op on a view without a unit-stride dimension
            at::Tensor tmp = empty_on(dev, shape, dtype);
            if (!emit_elementwise(c, op, shape, *dt, *dt, operand(tmp, shape), s0,
                                  s1 ? &*s1 : nullptr) ||
                !chip_copy(*out, tmp))
                return {};
            return *out;
        }
        return {};
    }
    if (out && !in_place_ok && !chip_copy(*out, dst))
        return {};
    return out ? *out : dst;
}

at::Tensor scaled(const at::Tensor& b, const at::Scalar& alpha, at::ScalarType dtype) {
    if (alpha.equal(1))
        return b;
    if (is_cpu_scalar(b))
        return b * alpha;
    Chip& c = chip_of(b);
    at::Tensor keep;
    const Operand s = scalar_operand(c.torch_device(), alpha.toDouble(), dtype, b.sizes(), keep);
    at::Tensor r = empty_on(c.torch_device(), b.sizes(), dtype);
    std::vector<at::Tensor> tmp;
    const Operand x = ew_operand(b, b.sizes(), dtype, c.torch_device(), tmp);
    if (!emit_elementwise(c, ElementwiseOp::mul, b.sizes(), *engine_dtype(dtype),
                          *engine_dtype(dtype), operand(r, b.sizes()), x, &s))
        return {};
    return r;
}

struct Binary {
    const char* name;
    ElementwiseOp op;
};

at::Tensor binary(const Binary& k, const at::Tensor& a, const at::Tensor& b,
                  const at::Scalar& alpha, const at::Tensor* out) {
    check_devices(k.name, {&a, &b, out});
    const at::ScalarType dtype = at::result_type(a, b);
    if (engine_dtype(dtype) && !(out && !engine_dtype(out->scalar_type()))) {
        Chip& c = chip_among({&a, &b});
        Lock lock(c.mutex());
        at::Tensor bb = b;
        if (!alpha.equal(1))
            bb = scaled(b, alpha, dtype);
        if (bb.defined()) {
            at::Tensor r = ew_run(k.op, a, &bb, dtype, out);
            if (r.defined()) {
                done(c, k.name);
                return r;
            }
        }
    }
    count_cpu(k.name, "dtype or layout the ELEMENTWISE engine does not take");
    at::Tensor r;
    const c10::Device dev = chip_among({&a, &b}).torch_device();
    switch (k.op) {
    case ElementwiseOp::add:
        r = at::add(host(a), host(b), alpha);
        break;
    case ElementwiseOp::sub:
        r = at::sub(host(a), host(b), alpha);
        break;
    case ElementwiseOp::mul:
        r = at::mul(host(a), host(b));
        break;
    case ElementwiseOp::div:
        r = at::div(host(a), host(b));
        break;
    case ElementwiseOp::max:
        r = at::maximum(host(a), host(b));
        break;
    default:
        r = at::minimum(host(a), host(b));
        break;
    }
    if (out) {
        const_cast<at::Tensor&>(*out).copy_(r);
        return *out;
    }
    return r.to(dev);
}

constexpr Binary kAdd{"aten::add", ElementwiseOp::add};
constexpr Binary kSub{"aten::sub", ElementwiseOp::sub};
constexpr Binary kMul{"aten::mul", ElementwiseOp::mul};
constexpr Binary kDiv{"aten::div", ElementwiseOp::div};
constexpr Binary kMax{"aten::maximum", ElementwiseOp::max};
constexpr Binary kMin{"aten::minimum", ElementwiseOp::min};

at::Tensor add(const at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha) {
    return binary(kAdd, a, b, alpha, nullptr);
}
at::Tensor& add_(at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha) {
    binary(kAdd, a, b, alpha, &a);
    return a;
}
at::Tensor& add_out(const at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha,
                    at::Tensor& out) {
    binary(kAdd, a, b, alpha, &out);
    return out;
}
at::Tensor sub(const at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha) {
    return binary(kSub, a, b, alpha, nullptr);
}
at::Tensor& sub_(at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha) {
    binary(kSub, a, b, alpha, &a);
    return a;
}
at::Tensor mul(const at::Tensor& a, const at::Tensor& b) {
    return binary(kMul, a, b, 1, nullptr);
}
at::Tensor& mul_(at::Tensor& a, const at::Tensor& b) {
    binary(kMul, a, b, 1, &a);
    return a;
}
at::Tensor div(const at::Tensor& a, const at::Tensor& b) {
    return binary(kDiv, a, b, 1, nullptr);
}
at::Tensor& div_(at::Tensor& a, const at::Tensor& b) {
    binary(kDiv, a, b, 1, &a);
    return a;
}
at::Tensor maximum(const at::Tensor& a, const at::Tensor& b) {
    return binary(kMax, a, b, 1, nullptr);
}
at::Tensor minimum(const at::Tensor& a, const at::Tensor& b) {
    return binary(kMin, a, b, 1, nullptr);
}
at::Tensor add_scalar(const at::Tensor& a, const at::Scalar& b, const at::Scalar& alpha) {
    return binary(kAdd, a, at::scalar_to_tensor(b), alpha, nullptr);
}
at::Tensor mul_scalar(const at::Tensor& a, const at::Scalar& b) {
    return binary(kMul, a, at::scalar_to_tensor(b), 1, nullptr);
}
at::Tensor& mul_scalar_(at::Tensor& a, const at::Scalar& b) {
    binary(kMul, a, at::scalar_to_tensor(b), 1, &a);
    return a;
}

at::Tensor unary(const char* name, ElementwiseOp op, const at::Tensor& a, const at::Tensor* out) {
    if (engine_dtype(a.scalar_type())) {
        Chip& c = chip_of(a);
        Lock lock(c.mutex());
        at::Tensor r = ew_run(op, a, nullptr, a.scalar_type(), out);
        if (r.defined()) {
            done(c, name);
            return r;
        }
    }
    count_cpu(name, "dtype or layout the ELEMENTWISE engine does not take");
    const at::Tensor x = host(a);
    at::Tensor r;
    switch (op) {
    case ElementwiseOp::relu:
        r = at::relu(x);
        break;
    case ElementwiseOp::gelu:
        r = at::gelu(x);
        break;
    case ElementwiseOp::exp:
        r = at::exp(x);
        break;
    case ElementwiseOp::neg:
        r = at::neg(x);
        break;
    case ElementwiseOp::abs:
        r = at::abs(x);
        break;
    default:
        r = at::sqrt(x);
        break;
    }
    if (out) {
        const_cast<at::Tensor&>(*out).copy_(r);
        return *out;
    }
    return r.to(a.device());
}

at::Tensor relu(const at::Tensor& a) {
    return unary("aten::relu", ElementwiseOp::relu, a, nullptr);
}
at::Tensor& relu_(at::Tensor& a) {
    unary("aten::relu_", ElementwiseOp::relu, a, &a);
    return a;
}
at::Tensor gelu(const at::Tensor& a, c10::string_view approximate) {
    if (approximate != "none") {
        count_cpu("aten::gelu (tanh)", "the engines compute the exact (erf) GELU only");
        return at::gelu(host(a), approximate).to(a.device());
    }
    return unary("aten::gelu", ElementwiseOp::gelu, a, nullptr);
}
at::Tensor exp(const at::Tensor& a) {
    return unary("aten::exp", ElementwiseOp::exp, a, nullptr);
}
at::Tensor neg(const at::Tensor& a) {
    return unary("aten::neg", ElementwiseOp::neg, a, nullptr);
}
at::Tensor abs(const at::Tensor& a) {
    return unary("aten::abs", ElementwiseOp::abs, a, nullptr);
}
at::Tensor sqrt(const at::Tensor& a) {
    return unary("aten::sqrt", ElementwiseOp::sqrt, a, nullptr);
}

// --- GEMM

struct GemmOperand {
    at::Tensor t; ///< a 2-D (or batched 3-D) tensor the engine can read
    bool trans = false;
    std::uint32_t ld = 0;
};

/// @p t (2-D, or the last two dims of 3-D) as A or B of a GEMM: row-major or
/// transposed with a unit stride; otherwise a contiguous copy.
GemmOperand gemm_operand(const at::Tensor& t) {
    const auto d = t.dim();
    const std::int64_t r = t.size(d - 2), cc = t.size(d - 1);
    const std::int64_t sr = t.stride(d - 2), sc = t.stride(d - 1);
    if ((sc == 1 || cc == 1) && sr >= std::max<std::int64_t>(cc, 1) && sr <= 0xffffffffll)
        return {t, false, static_cast<std::uint32_t>(sr)};
    if ((sr == 1 || r == 1) && sc >= std::max<std::int64_t>(r, 1) && sc <= 0xffffffffll)
        return {t, true, static_cast<std::uint32_t>(sc)};
    at::Tensor c = chip_contiguous(t, t.scalar_type());
    return {c, false, static_cast<std::uint32_t>(std::max<std::int64_t>(cc, 1))};
}

bool gemm_shape_ok(std::int64_t m, std::int64_t n, std::int64_t k) {
    return m >= 1 && n >= 1 && k >= 1 && m <= kMaxGemmDim && n <= kMaxGemmDim && k <= kMaxGemmDim;
}

/// c[b] = act(alpha * a[b] @ w[b] + beta * c[b] + bias) for every batch b
/// (a, w and c 3-D, or 2-D for one). c is f32 and dense.
void record_gemm(Chip& c, const GemmOperand& a, const GemmOperand& w, const at::Tensor& out,
                 float alpha, float beta, const at::Tensor* bias, Activation act) {
    const bool batched = out.dim() == 3;
    const std::int64_t batches = batched ? out.size(0) : 1;
    const std::int64_t m = out.size(-2), n = out.size(-1);
    const std::int64_t k = a.t.size(-1); // a.t is op(A), m x k, whatever its layout
    GemmParams p;
    p.m = static_cast<std::uint32_t>(m);
    p.n = static_cast<std::uint32_t>(n);
    p.k = static_cast<std::uint32_t>(k);
    p.dtype = *engine_dtype(a.t.scalar_type());
    p.trans_a = a.trans;
    p.trans_b = w.trans;
    p.lda = a.ld;
    p.ldb = w.ld;
    p.ldc = static_cast<std::uint32_t>(n);
    p.alpha = alpha;
    p.beta = beta;
    p.activation = act;
    const BufferView av = view_of(a.t), wv = view_of(w.t), cv = view_of(out);
    std::optional<BufferView> bv;
    if (bias)
        bv = view_of(*bias);
    const auto ea = static_cast<std::uint64_t>(a.t.itemsize());
    CommandList& list = c.current_stream().list();
    for (std::int64_t b = 0; b < batches; ++b) {
        const auto ao = static_cast<std::uint64_t>(batched ? b * a.t.stride(0) : 0) * ea;
        const auto wo = static_cast<std::uint64_t>(batched ? b * w.t.stride(0) : 0) * ea;
        const auto co = static_cast<std::uint64_t>(b * m * n) * 4;
        list.gemm(p, BufferView(av.buffer, av.offset + ao), BufferView(wv.buffer, wv.offset + wo),
                  BufferView(cv.buffer, cv.offset + co), bv);
    }
}

/// The f32 result of a GEMM converted into a tensor of @p dtype.
at::Tensor from_f32(const at::Tensor& acc, at::ScalarType dtype) {
    return dtype == at::kFloat ? acc : chip_contiguous(acc, dtype);
}

bool gemm_dtypes_ok(const at::Tensor& a, const at::Tensor& b) {
    return a.scalar_type() == b.scalar_type() && engine_dtype(a.scalar_type()).has_value();
}

at::Tensor mm(const at::Tensor& a, const at::Tensor& b) {
    check_devices("aten::mm", {&a, &b}, false);
    TORCH_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D tensors, got ", a.dim(), "-D and ",
                b.dim(), "-D");
    TORCH_CHECK(a.size(1) == b.size(0), "mat1 and mat2 shapes cannot be multiplied (", a.size(0),
                "x", a.size(1), " and ", b.size(0), "x", b.size(1), ")");
    TORCH_CHECK(a.scalar_type() == b.scalar_type(),
                "expected mat1 and mat2 to have the same "
                "dtype, but got: ",
                a.scalar_type(), " != ", b.scalar_type());
    const std::int64_t m = a.size(0), n = b.size(1), k = a.size(1);
    if (gemm_dtypes_ok(a, b) && gemm_shape_ok(m, n, k)) {
        Chip& c = chip_of(a);
        Lock lock(c.mutex());
        at::Tensor acc = empty_on(c.torch_device(), {m, n}, at::kFloat);
        record_gemm(c, gemm_operand(a), gemm_operand(b), acc, 1.0f, 0.0f, nullptr,
                    Activation::none);
        at::Tensor r = from_f32(acc, a.scalar_type());
        done(c, "aten::mm");
        return r;
    }
    if (m * n == 0 || (k == 0 && engine_dtype(a.scalar_type()))) {
        return at::zeros({m, n}, a.options());
    }
    count_cpu("aten::mm", "dtype or size the GEMM engine does not take");
    return at::mm(host(a), host(b)).to(a.device());
}

at::Tensor addmm(const at::Tensor& bias, const at::Tensor& a, const at::Tensor& b,
                 const at::Scalar& beta, const at::Scalar& alpha) {
    check_devices("aten::addmm", {&bias, &a, &b}, false);
    TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0),
                "mat1 and mat2 shapes cannot be multiplied (", a.size(0), "x", a.size(1), " and ",
                b.size(0), "x", b.size(1), ")");
    const std::int64_t m = a.size(0), n = b.size(1), k = a.size(1);
    if (gemm_dtypes_ok(a, b) && bias.scalar_type() == a.scalar_type() && gemm_shape_ok(m, n, k)) {
        Chip& c = chip_of(a);
        Lock lock(c.mutex());
        const c10::Device dev = c.torch_device();
        at::Tensor acc = empty_on(dev, {m, n}, at::kFloat);
        const bool row_bias = (bias.dim() == 1 && bias.size(0) == n) ||
                              (bias.dim() == 2 && bias.size(0) == 1 && bias.size(1) == n);
        if (row_bias && beta.equal(1)) {
            // The engine adds the bias in its epilogue.
            const at::Tensor bias32 = chip_contiguous(bias.reshape({n}), at::kFloat);
            record_gemm(c, gemm_operand(a), gemm_operand(b), acc, alpha.toFloat(), 0.0f, &bias32,
                        Activation::none);
        } else {
            // C starts as the bias broadcast to m x n; the engine adds beta * C.
            TORCH_CHECK(chip_copy(acc, bias.expand({m, n})),
                        "seedchip: addmm could not broadcast its input");
            record_gemm(c, gemm_operand(a), gemm_operand(b), acc, alpha.toFloat(), beta.toFloat(),
                        nullptr, Activation::none);
        }
        at::Tensor r = from_f32(acc, a.scalar_type());
        done(c, "aten::addmm");
        return r;
    }
    count_cpu("aten::addmm", "dtype or size the GEMM engine does not take");
    return at::addmm(host(bias), host(a), host(b), beta, alpha).to(a.device());
}

at::Tensor bmm(const at::Tensor& a, const at::Tensor& b) {
    check_devices("aten::bmm", {&a, &b}, false);
    TORCH_CHECK(a.dim() == 3 && b.dim() == 3, "batch1 must be a 3D tensor");
    TORCH_CHECK(a.size(0) == b.size(0) && a.size(2) == b.size(1),
                "Expected size for first two dimensions of batch2 tensor to be: [", a.size(0), ", ",
                a.size(2), "] but got: [", b.size(0), ", ", b.size(1), "].");
    const std::int64_t batches = a.size(0), m = a.size(1), n = b.size(2), k = a.size(2);
    if (gemm_dtypes_ok(a, b) && gemm_shape_ok(m, n, k) && batches >= 1 && batches <= kMaxBatch) {
        Chip& c = chip_of(a);
        Lock lock(c.mutex());
        at::Tensor acc = empty_on(c.torch_device(), {batches, m, n}, at::kFloat);
        record_gemm(c, gemm_operand(a), gemm_operand(b), acc, 1.0f, 0.0f, nullptr,
                    Activation::none);
        at::Tensor r = from_f32(acc, a.scalar_type());
        done(c, "aten::bmm");
        return r;
    }
    count_cpu("aten::bmm", "dtype or size the GEMM engine does not take");
    return at::bmm(host(a), host(b)).to(a.device());
}

// --- REDUCE

/// @p t with the dimensions of @p reduce moved last, contiguous, as
/// [rows, cols]; the kept sizes in @p kept.
at::Tensor rows_for(const at::Tensor& t, const std::vector<bool>& reduce, at::ScalarType dtype,
                    std::vector<std::int64_t>& kept, std::int64_t& rows, std::int64_t& cols) {
    std::vector<std::int64_t> perm;
    rows = 1;
    cols = 1;
    for (std::int64_t d = 0; d < t.dim(); ++d)
        if (!reduce[static_cast<std::size_t>(d)]) {
            perm.push_back(d);
            kept.push_back(t.size(d));
            rows *= t.size(d);
        }
    for (std::int64_t d = 0; d < t.dim(); ++d)
        if (reduce[static_cast<std::size_t>(d)]) {
            perm.push_back(d);
            cols *= t.size(d);
        }
    return chip_contiguous(t.permute(perm), dtype);
}

std::vector<bool> reduce_mask(const at::Tensor& t, at::OptionalIntArrayRef dims) {
    std::vector<bool> mask(static_cast<std::size_t>(t.dim()), !dims || dims->empty());
    if (dims)
        for (std::int64_t d : *dims)
            mask[static_cast<std::size_t>(at::maybe_wrap_dim(d, t.dim()))] = true;
    return mask;
}

std::vector<std::int64_t> reduced_shape(const at::Tensor& t, const std::vector<bool>& mask,
                                        bool keepdim) {
    std::vector<std::int64_t> s;
    for (std::int64_t d = 0; d < t.dim(); ++d) {
        if (!mask[static_cast<std::size_t>(d)])
            s.push_back(t.size(d));
        else if (keepdim)
            s.push_back(1);
    }
    return s;
}

/// Row-wise REDUCE of the dims in @p mask into a new tensor of @p out_type.
at::Tensor reduce_rows(ReduceOp op, const at::Tensor& t, const std::vector<bool>& mask,
                       bool keepdim, at::ScalarType out_type) {
    const auto sd = engine_dtype(t.scalar_type());
    const auto dd = engine_dtype(out_type);
    if (!sd || !dd || t.numel() == 0)
        return {};
    Chip& c = chip_of(t);
    Lock lock(c.mutex());
    std::vector<std::int64_t> kept;
    std::int64_t rows = 0, cols = 0;
    const at::Tensor x = rows_for(t, mask, t.scalar_type(), kept, rows, cols);
    if (rows > kMaxRows || cols > kMaxRows)
        return {};
    at::Tensor out = empty_on(c.torch_device(), reduced_shape(t, mask, keepdim), out_type);
    ReduceParams p;
    p.op = op;
    p.rows = static_cast<std::uint32_t>(rows);
    p.cols = static_cast<std::uint32_t>(cols);
    p.src_dtype = *sd;
    p.dst_dtype = *dd;
    c.current_stream().list().reduce(p, view_of(out), view_of(x));
    return out;
}

at::Tensor sum_dim(const at::Tensor& t, at::OptionalIntArrayRef dims, bool keepdim,
                   c10::optional<at::ScalarType> dtype) {
    const at::ScalarType out_type = dtype.value_or(t.scalar_type());
    at::Tensor r = reduce_rows(ReduceOp::sum, t, reduce_mask(t, dims), keepdim, out_type);
    if (r.defined()) {
        done(chip_of(t), "aten::sum");
        return r;
    }
    count_cpu("aten::sum", "dtype or size the REDUCE engine does not take");
    return at::sum(host(t), dims, keepdim, dtype).to(t.device());
}

at::Tensor sum_all(const at::Tensor& t, c10::optional<at::ScalarType> dtype) {
    return sum_dim(t, c10::nullopt, false, dtype);
}

at::Tensor mean_dim(const at::Tensor& t, at::OptionalIntArrayRef dims, bool keepdim,
                    c10::optional<at::ScalarType> dtype) {
    const at::ScalarType out_type = dtype.value_or(t.scalar_type());
    const std::vector<bool> mask = reduce_mask(t, dims);
    at::Tensor r = reduce_rows(ReduceOp::sum, t, mask, keepdim, out_type);
    if (r.defined()) {
        std::int64_t n = 1;
        for (std::int64_t d = 0; d < t.dim(); ++d)
            if (mask[static_cast<std::size_t>(d)])
                n *= t.size(d);
        Chip& c = chip_of(t);
        Lock lock(c.mutex());
        at::Tensor keep;
        const Operand s = scalar_operand(c.torch_device(), 1.0 / static_cast<double>(n), out_type,
                                         r.sizes(), keep);
        const DType dd = *engine_dtype(out_type);
        if (emit_elementwise(c, ElementwiseOp::mul, r.sizes(), dd, dd, operand(r, r.sizes()),
                             operand(r, r.sizes()), &s)) {
            done(c, "aten::mean");
            return r;
        }
    }
    count_cpu("aten::mean", "dtype or size the REDUCE engine does not take");
    return at::mean(host(t), dims, keepdim, dtype).to(t.device());
}

at::Tensor amax(const at::Tensor& t, at::IntArrayRef dims, bool keepdim) {
    at::Tensor r = reduce_rows(ReduceOp::max, t, reduce_mask(t, dims), keepdim, t.scalar_type());
    if (r.defined()) {
        done(chip_of(t), "aten::amax");
        return r;
    }
    count_cpu("aten::amax", "dtype or size the REDUCE engine does not take");
    return at::amax(host(t), dims, keepdim).to(t.device());
}

/// Row-wise work along @p dim: @p t as a contiguous [rows, cols] tensor
/// with dim last, and the way back to t's layout.
struct RowView {
    at::Tensor x; ///< contiguous, dim last
    std::int64_t rows = 0, cols = 0;
    std::int64_t dim = 0, last = 0;

    /// A [rows, cols]-shaped result back in the original dimension order.
    [[nodiscard]] at::Tensor restore(const at::Tensor& r) const {
        at::Tensor v = r.view(x.sizes());
        return dim == last ? v : v.transpose(dim, last).contiguous();
    }
};

RowView row_view(const at::Tensor& t, std::int64_t dim, at::ScalarType dtype) {
    RowView rv;
    rv.last = std::max<std::int64_t>(t.dim() - 1, 0);
    rv.dim = t.dim() == 0 ? 0 : at::maybe_wrap_dim(dim, t.dim());
    const at::Tensor moved = rv.dim == rv.last ? t : t.transpose(rv.dim, rv.last);
    rv.x = chip_contiguous(moved, dtype);
    rv.cols = t.dim() == 0 ? 1 : t.size(rv.dim);
    rv.rows = rv.cols == 0 ? 0 : t.numel() / rv.cols;
    return rv;
}

ReduceParams reduce_params(ReduceOp op, std::int64_t rows, std::int64_t cols, DType s, DType d) {
    ReduceParams p;
    p.op = op;
    p.rows = static_cast<std::uint32_t>(rows);
    p.cols = static_cast<std::uint32_t>(cols);
    p.src_dtype = s;
    p.dst_dtype = d;
    return p;
}

/// ELEMENTWISE over [rows, cols] where src1 is a per-row column vector.
bool ew_rows(Chip& c, ElementwiseOp op, std::int64_t rows, std::int64_t cols, DType dt,
             const at::Tensor& dst, const at::Tensor& s0, const at::Tensor& per_row) {
    const std::vector<std::int64_t> shape{rows, cols};
    const Operand v{view_of(per_row), {1, 0}};
    return emit_elementwise(c, op, shape, dt, dt, {view_of(dst), {cols, 1}},
                            {view_of(s0), {cols, 1}}, &v);
}

bool ew_scalar(Chip& c, ElementwiseOp op, const at::Tensor& dst, const at::Tensor& src,
               double value, bool scalar_first = false) {
    at::Tensor keep;
    const Operand s = scalar_operand(c.torch_device(), value, src.scalar_type(), src.sizes(), keep);
    const DType dt = *engine_dtype(src.scalar_type());
    const Operand x = operand(src, src.sizes());
    return scalar_first
               ? emit_elementwise(c, op, src.sizes(), dt, dt, operand(dst, src.sizes()), s, &x)
               : emit_elementwise(c, op, src.sizes(), dt, dt, operand(dst, src.sizes()), x, &s);
}

bool ew_unary(Chip& c, ElementwiseOp op, const at::Tensor& dst, const at::Tensor& src) {
    const DType dt = *engine_dtype(src.scalar_type());
    return emit_elementwise(c, op, src.sizes(), dt, dt, operand(dst, src.sizes()),
                            operand(src, src.sizes()));
}

/// log(t) on the chip for t >= 1 (the ELEMENTWISE engine has exp and sqrt
/// but no log): t^(1/1024) by ten square roots gives a start of
/// 2048 (z - 1) / (z + 1), refined by two Halley steps
/// y += 2 (t - e^y) / (t + e^y), each of which cubes the error.
bool log_ge1(Chip& c, const at::Tensor& t, const at::Tensor& y) {
    const c10::Device dev = c.torch_device();
    at::Tensor z = empty_on(dev, t.sizes(), at::kFloat);
    bool ok = ew_unary(c, ElementwiseOp::sqrt, z, t);
    for (int i = 1; i < 10 && ok; ++i)
        ok = ew_unary(c, ElementwiseOp::sqrt, z, z);
    at::Tensor num = empty_on(dev, t.sizes(), at::kFloat);
    at::Tensor den = empty_on(dev, t.sizes(), at::kFloat);
    ok = ok && ew_scalar(c, ElementwiseOp::sub, num, z, 1.0) &&
         ew_scalar(c, ElementwiseOp::add, den, z, 1.0);
    const std::vector<std::int64_t> shape = t.sizes().vec();
    const DType f = DType::f32;
    const Operand on = operand(num, shape), od = operand(den, shape), oy = operand(y, shape),
                  ot = operand(t, shape), oz = operand(z, shape);
    ok = ok && emit_elementwise(c, ElementwiseOp::div, shape, f, f, oy, on, &od) &&
         ew_scalar(c, ElementwiseOp::mul, y, y, 2048.0);
    for (int i = 0; i < 2 && ok; ++i) {
        ok = ew_unary(c, ElementwiseOp::exp, z, y) &&
             emit_elementwise(c, ElementwiseOp::sub, shape, f, f, on, ot, &oz) &&
             emit_elementwise(c, ElementwiseOp::add, shape, f, f, od, ot, &oz) &&
             emit_elementwise(c, ElementwiseOp::div, shape, f, f, on, on, &od) &&
             ew_scalar(c, ElementwiseOp::mul, num, num, 2.0) &&
             emit_elementwise(c, ElementwiseOp::add, shape, f, f, oy, oy, &on);
    }
    return ok;
}

at::Tensor softmax_impl(const char* name, const at::Tensor& t, std::int64_t dim, bool half_to_float,
                        bool log) {
    const at::ScalarType out_type = half_to_float ? at::kFloat : t.scalar_type();
    if (engine_dtype(t.scalar_type()) && t.numel() > 0) {
        Chip& c = chip_of(t);
        Lock lock(c.mutex());
        const c10::Device dev = c.torch_device();
        // log_softmax works in f32 for precision; softmax in the output type.
        const RowView rv = row_view(t, dim, log ? at::kFloat : t.scalar_type());
        if (rv.rows <= kMaxRows && rv.cols <= kMaxRows) {
            CommandList& list = c.current_stream().list();
            const DType sd = *engine_dtype(rv.x.scalar_type());
            if (!log) {
                at::Tensor out = empty_on(dev, rv.x.sizes(), out_type);
                list.reduce(
                    reduce_params(ReduceOp::softmax, rv.rows, rv.cols, sd, *engine_dtype(out_type)),
                    view_of(out), view_of(rv.x));
                at::Tensor r = rv.restore(out);
                done(c, name);
                return r;
            }
            // log_softmax = (x - max) - log(sum(exp(x - max)))
            at::Tensor mx = empty_on(dev, {rv.rows}, at::kFloat);
            at::Tensor sh = empty_on(dev, rv.x.sizes(), at::kFloat);
            at::Tensor e = empty_on(dev, rv.x.sizes(), at::kFloat);
            at::Tensor sum = empty_on(dev, {rv.rows}, at::kFloat);
            at::Tensor lg = empty_on(dev, {rv.rows}, at::kFloat);
            list.reduce(reduce_params(ReduceOp::max, rv.rows, rv.cols, sd, DType::f32), view_of(mx),
                        view_of(rv.x));
            bool ok = ew_rows(c, ElementwiseOp::sub, rv.rows, rv.cols, DType::f32, sh, rv.x, mx) &&
                      ew_unary(c, ElementwiseOp::exp, e, sh);
            if (ok) {
                c.current_stream().list().reduce(
                    reduce_params(ReduceOp::sum, rv.rows, rv.cols, DType::f32, DType::f32),
                    view_of(sum), view_of(e));
                ok = log_ge1(c, sum, lg) &&
                     ew_rows(c, ElementwiseOp::sub, rv.rows, rv.cols, DType::f32, sh, sh, lg);
            }
            if (ok) {
                at::Tensor r = rv.restore(from_f32(sh, out_type));
                done(c, name);
                return r;
            }
        }
    }
    count_cpu(name, "dtype or size the REDUCE engine does not take");
    return (log ? at::_log_softmax(host(t), dim, half_to_float)
                : at::_softmax(host(t), dim, half_to_float))
        .to(t.device());
}

at::Tensor softmax(const at::Tensor& t, std::int64_t dim, bool half_to_float) {
    return softmax_impl("aten::_softmax", t, dim, half_to_float, false);
}

at::Tensor log_softmax(const at::Tensor& t, std::int64_t dim, bool half_to_float) {
    return softmax_impl("aten::_log_softmax", t, dim, half_to_float, true);
}

/// softmax: grad_in = out * (grad - sum(grad * out));
/// log_softmax: grad_in = grad - exp(out) * sum(grad).
at::Tensor softmax_backward_impl(const char* name, const at::Tensor& grad, const at::Tensor& out,
                                 std::int64_t dim, at::ScalarType input_dtype, bool log) {
    check_devices(name, {&grad, &out}, false);
    if (engine_dtype(grad.scalar_type()) && grad.numel() > 0 && grad.sizes() == out.sizes()) {
        Chip& c = chip_of(grad);
        Lock lock(c.mutex());
        const c10::Device dev = c.torch_device();
        const RowView g = row_view(grad, dim, at::kFloat);
        const RowView o = row_view(out, dim, at::kFloat);
        if (g.rows <= kMaxRows && g.cols <= kMaxRows) {
            const auto f = DType::f32;
            at::Tensor tmp = empty_on(dev, g.x.sizes(), at::kFloat);
            at::Tensor s = empty_on(dev, {g.rows}, at::kFloat);
            at::Tensor r = empty_on(dev, g.x.sizes(), at::kFloat);
            const std::vector<std::int64_t> shape = g.x.sizes().vec();
            const Operand og = operand(g.x, shape), oo = operand(o.x, shape),
                          ot = operand(tmp, shape), orr = operand(r, shape);
            bool ok = false;
            if (log) {
                c.current_stream().list().reduce(reduce_params(ReduceOp::sum, g.rows, g.cols, f, f),
                                                 view_of(s), view_of(g.x));
                ok = ew_unary(c, ElementwiseOp::exp, tmp, o.x) &&
                     ew_rows(c, ElementwiseOp::mul, g.rows, g.cols, f, tmp, tmp, s) &&
                     emit_elementwise(c, ElementwiseOp::sub, shape, f, f, orr, og, &ot);
            } else {
                ok = emit_elementwise(c, ElementwiseOp::mul, shape, f, f, ot, og, &oo);
                if (ok) {
                    c.current_stream().list().reduce(
                        reduce_params(ReduceOp::sum, g.rows, g.cols, f, f), view_of(s),
                        view_of(tmp));
                    ok = ew_rows(c, ElementwiseOp::sub, g.rows, g.cols, f, tmp, g.x, s) &&
                         emit_elementwise(c, ElementwiseOp::mul, shape, f, f, orr, oo, &ot);
                }
            }
            if (ok) {
                at::Tensor res = g.restore(from_f32(r, grad.scalar_type()));
                done(c, name);
                return res;
            }
        }
    }
    count_cpu(name, "dtype or size the engines do not take");
    return (log ? at::_log_softmax_backward_data(host(grad), host(out), dim, input_dtype)
                : at::_softmax_backward_data(host(grad), host(out), dim, input_dtype))
        .to(grad.device());
}

at::Tensor softmax_backward(const at::Tensor& grad, const at::Tensor& out, std::int64_t dim,
                            at::ScalarType input_dtype) {
    return softmax_backward_impl("aten::_softmax_backward_data", grad, out, dim, input_dtype,
                                 false);
}

at::Tensor log_softmax_backward(const at::Tensor& grad, const at::Tensor& out, std::int64_t dim,
                                at::ScalarType input_dtype) {
    return softmax_backward_impl("aten::_log_softmax_backward_data", grad, out, dim, input_dtype,
                                 true);
}

/// y = (x - mean) * rstd * weight + bias over the last dims; mean and rstd
/// are returned for the backward pass, as PyTorch's CPU kernel does.
std::tuple<at::Tensor, at::Tensor, at::Tensor>
layer_norm(const at::Tensor& input, at::IntArrayRef normalized_shape,
           const c10::optional<at::Tensor>& weight_opt, const c10::optional<at::Tensor>& bias_opt,
           double eps) {
    const at::Tensor weight = weight_opt.value_or(at::Tensor());
    const at::Tensor bias = bias_opt.value_or(at::Tensor());
    check_devices("aten::native_layer_norm", {&input, &weight, &bias}, false);
    const auto nd = static_cast<std::int64_t>(normalized_shape.size());
    TORCH_CHECK(nd >= 1 && nd <= input.dim() &&
                    input.sizes().slice(static_cast<std::size_t>(input.dim() - nd)) ==
                        normalized_shape,
                "layer_norm: normalized_shape ", normalized_shape,
                " does not match the input's last dimensions ", input.sizes());
    std::int64_t cols = 1;
    for (std::int64_t s : normalized_shape)
        cols *= s;
    const std::int64_t rows = cols == 0 ? 0 : input.numel() / cols;
    std::vector<std::int64_t> stat_shape = input.sizes().vec();
    for (std::int64_t i = input.dim() - nd; i < input.dim(); ++i)
        stat_shape[static_cast<std::size_t>(i)] = 1;
    const bool types_ok = engine_dtype(input.scalar_type()) &&
                          (!weight.defined() || weight.scalar_type() == input.scalar_type()) &&
                          (!bias.defined() || bias.scalar_type() == input.scalar_type());
    if (types_ok && rows > 0 && rows <= kMaxRows && cols <= kMaxRows) {
        Chip& c = chip_of(input);
        Lock lock(c.mutex());
        const c10::Device dev = c.torch_device();
        const auto f = DType::f32;
        const at::Tensor x = chip_contiguous(input, at::kFloat).view({rows, cols});
        at::Tensor mean = empty_on(dev, {rows}, at::kFloat);
        at::Tensor var = empty_on(dev, {rows}, at::kFloat);
        at::Tensor rstd = empty_on(dev, {rows}, at::kFloat);
        at::Tensor d = empty_on(dev, {rows, cols}, at::kFloat);
        at::Tensor sq = empty_on(dev, {rows, cols}, at::kFloat);
        CommandList& list = c.current_stream().list();
        const std::vector<std::int64_t> shape{rows, cols};
        list.reduce(reduce_params(ReduceOp::sum, rows, cols, f, f), view_of(mean), view_of(x));
        bool ok = ew_scalar(c, ElementwiseOp::mul, mean, mean, 1.0 / static_cast<double>(cols)) &&
                  ew_rows(c, ElementwiseOp::sub, rows, cols, f, d, x, mean);
        const Operand od = operand(d, shape);
        ok =
            ok && emit_elementwise(c, ElementwiseOp::mul, shape, f, f, operand(sq, shape), od, &od);
        if (ok) {
            c.current_stream().list().reduce(reduce_params(ReduceOp::sum, rows, cols, f, f),
                                             view_of(var), view_of(sq));
            ok = ew_scalar(c, ElementwiseOp::mul, var, var, 1.0 / static_cast<double>(cols)) &&
                 ew_scalar(c, ElementwiseOp::add, var, var, eps) &&
                 ew_unary(c, ElementwiseOp::sqrt, var, var) &&
                 ew_scalar(c, ElementwiseOp::div, rstd, var, 1.0, true) &&
                 ew_rows(c, ElementwiseOp::mul, rows, cols, f, d, d, rstd);
        }
        std::vector<at::Tensor> keep;
        if (ok && weight.defined()) {
            const Operand w = ew_operand(weight.reshape({cols}), shape, at::kFloat, dev, keep);
            ok = emit_elementwise(c, ElementwiseOp::mul, shape, f, f, od, od, &w);
        }
        if (ok && bias.defined()) {
            const Operand b = ew_operand(bias.reshape({cols}), shape, at::kFloat, dev, keep);
            ok = emit_elementwise(c, ElementwiseOp::add, shape, f, f, od, od, &b);
        }
        if (ok) {
            const at::ScalarType t = input.scalar_type();
            at::Tensor out = from_f32(d, t).view(input.sizes());
            at::Tensor m = from_f32(mean, t).view(stat_shape);
            at::Tensor r = from_f32(rstd, t).view(stat_shape);
            done(c, "aten::native_layer_norm");
            return {out, m, r};
        }
    }
    count_cpu("aten::native_layer_norm", "dtype or size the engines do not take");
    auto [o, m, r] =
        at::native_layer_norm(host(input), normalized_shape, host(weight), host(bias), eps);
    return {o.to(input.device()), m.to(input.device()), r.to(input.device())};
}

// --- convolution: no engine for it. PyTorch routes convolutions of
// out-of-tree devices to convolution_overrideable, which has no CPU kernel
// the boxed fallback could call, so the CPU run is spelled out here.

at::Tensor convolution(const at::Tensor& input, const at::Tensor& weight,
                       const c10::optional<at::Tensor>& bias_opt, at::IntArrayRef stride,
                       at::IntArrayRef padding, at::IntArrayRef dilation, bool transposed,
                       at::IntArrayRef output_padding, std::int64_t groups) {
    const at::Tensor bias = bias_opt.value_or(at::Tensor());
    check_devices("aten::convolution", {&input, &weight, &bias}, false);
    count_cpu("aten::convolution", "the chip has no convolution engine");
    return at::convolution(host(input), host(weight), host(bias), stride, padding, dilation,
                           transposed, output_padding, groups)
        .to(input.device());
}

std::tuple<at::Tensor, at::Tensor, at::Tensor>
convolution_backward(const at::Tensor& grad, const at::Tensor& input, const at::Tensor& weight,
                     at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation,
                     bool transposed, at::IntArrayRef output_padding, std::int64_t groups,
                     std::array<bool, 3> mask) {
    check_devices("aten::convolution_backward", {&grad, &input, &weight}, false);
    count_cpu("aten::convolution_backward", "the chip has no convolution engine");
    const std::int64_t channels = transposed ? weight.size(1) * groups : weight.size(0);
    const std::vector<std::int64_t> bias_sizes{channels};
    auto [gi, gw, gb] = at::convolution_backward(
        host(grad), host(input), host(weight),
        mask[2] ? at::OptionalIntArrayRef(bias_sizes) : c10::nullopt, stride, padding, dilation,
        transposed, output_padding, groups, mask);
    auto back = [&](const at::Tensor& t) { return t.defined() ? t.to(input.device()) : t; };
    return {back(gi), back(gw), back(gb)};
}

// --- cat: one strided copy per input into its slice of the result.

at::Tensor cat(const at::ITensorListRef& tensors, std::int64_t dim) {
    std::vector<at::Tensor> ts;
    for (const at::Tensor& t : tensors)
        if (!(t.dim() == 1 && t.numel() == 0)) // legacy empty tensors are skipped
            ts.push_back(t);
    TORCH_CHECK(!ts.empty() || tensors.size() > 0, "torch.cat(): expected a non-empty list");
    if (ts.empty())
        return tensors.front().clone();
    std::vector<c10::IValue> args(ts.begin(), ts.end());
    check_devices("aten::cat", args);
    const at::Tensor& first = ts.front();
    const std::int64_t d = at::maybe_wrap_dim(dim, first.dim());
    std::vector<std::int64_t> shape = first.sizes().vec();
    shape[static_cast<std::size_t>(d)] = 0;
    bool same_type = true;
    for (const at::Tensor& t : ts) {
        TORCH_CHECK(t.dim() == first.dim(), "Tensors must have same number of dimensions: got ",
                    first.dim(), " and ", t.dim());
        for (std::int64_t i = 0; i < t.dim(); ++i)
            TORCH_CHECK(i == d || t.size(i) == first.size(i),
                        "Sizes of tensors must match except in dimension ", d, ". Expected size ",
                        first.size(i), " but got size ", t.size(i), " for tensor number ",
                        &t - ts.data(), " in the list.");
        shape[static_cast<std::size_t>(d)] += t.size(d);
        same_type = same_type && t.scalar_type() == first.scalar_type();
    }
    if (same_type) {
        Chip& c = chip_of(first);
        Lock lock(c.mutex());
        at::Tensor out = empty_on(c.torch_device(), shape, first.scalar_type());
        std::int64_t off = 0;
        bool ok = true;
        for (const at::Tensor& t : ts) {
            ok = ok && chip_copy(out.narrow(d, off, t.size(d)), t);
            off += t.size(d);
        }
        if (ok) {
            done(c, "aten::cat");
            return out;
        }
    }
    count_cpu("aten::cat", "mixed dtypes or a layout the copy engines cannot express");
    std::vector<at::Tensor> hs;
    for (const at::Tensor& t : ts)
        hs.push_back(host(t));
    return at::cat(hs, d).to(first.device());
}

// --- seedchip::linear: act(input @ weight^T + bias) in one GEMM, the bias
// and the activation in the engine's epilogue. Eager PyTorch hands a Linear
// and the ReLU after it to the backend one at a time, so this fusion is an
// op of its own (seedchip.torch.linear).

Activation activation_of(c10::string_view name) {
    if (name == "none")
        return Activation::none;
    if (name == "relu")
        return Activation::relu;
    if (name == "gelu")
        return Activation::gelu;
    TORCH_CHECK(false, "seedchip.torch.linear: activation must be 'none', 'relu' or 'gelu', not '",
                std::string(name), "'");
}

at::Tensor linear_reference(const at::Tensor& input, const at::Tensor& weight,
                            const c10::optional<at::Tensor>& bias, c10::string_view activation) {
    const Activation act = activation_of(activation);
    at::Tensor y = at::linear(input, weight, bias);
    if (act == Activation::relu)
        return at::relu(y);
    if (act == Activation::gelu)
        return at::gelu(y);
    return y;
}

at::Tensor linear_fused(const at::Tensor& input, const at::Tensor& weight,
                        const c10::optional<at::Tensor>& bias_opt, c10::string_view activation) {
    const Activation act = activation_of(activation);
    const at::Tensor bias = bias_opt.value_or(at::Tensor());
    check_devices("seedchip::linear", {&input, &weight, &bias}, false);
    TORCH_CHECK(input.dim() >= 1 && weight.dim() == 2 && input.size(-1) == weight.size(1),
                "seedchip.torch.linear: input (", input.sizes(), ") and weight (", weight.sizes(),
                ") shapes cannot be multiplied");
    const std::int64_t k = weight.size(1), n = weight.size(0);
    const std::int64_t m = k == 0 ? 0 : input.numel() / k;
    const bool ok_types = gemm_dtypes_ok(input, weight) &&
                          (!bias.defined() || bias.scalar_type() == input.scalar_type());
    if (ok_types && gemm_shape_ok(m, n, k) && (!bias.defined() || bias.numel() == n)) {
        Chip& c = chip_of(input);
        Lock lock(c.mutex());
        at::Tensor acc = empty_on(c.torch_device(), {m, n}, at::kFloat);
        const at::Tensor a = input.reshape({m, k});
        const at::Tensor bias32 =
            bias.defined() ? chip_contiguous(bias.reshape({n}), at::kFloat) : at::Tensor();
        record_gemm(c, gemm_operand(a), gemm_operand(weight.t()), acc, 1.0f, 0.0f,
                    bias.defined() ? &bias32 : nullptr, act);
        std::vector<std::int64_t> shape = input.sizes().vec();
        shape.back() = n;
        at::Tensor r = from_f32(acc, input.scalar_type()).view(shape);
        done(c, "seedchip::linear");
        return r;
    }
    count_cpu("seedchip::linear", "dtype or size the GEMM engine does not take");
    return linear_reference(host(input), host(weight),
                            bias.defined() ? c10::optional<at::Tensor>(host(bias)) : c10::nullopt,
                            activation)
        .to(input.device());
}

/// Autograd: with gradients wanted, the op is linear + activation (whose
/// backward PyTorch knows); without, the fused kernel of the device.
at::Tensor linear_autograd(const at::Tensor& input, const at::Tensor& weight,
                           const c10::optional<at::Tensor>& bias, c10::string_view activation) {
    const bool grad =
        at::GradMode::is_enabled() && (input.requires_grad() || weight.requires_grad() ||
                                       (bias && bias->defined() && bias->requires_grad()));
    if (grad)
        return linear_reference(input, weight, bias, activation);
    at::AutoDispatchBelowADInplaceOrView below;
    if (input.device().type() == kDeviceType)
        return linear_fused(input, weight, bias, activation);
    return linear_reference(input, weight, bias, activation);
}

} // namespace

TORCH_LIBRARY(seedchip, m) {
    m.def("linear(Tensor input, Tensor weight, Tensor? bias=None, str activation='none') -> "
          "Tensor");
}

TORCH_LIBRARY_IMPL(seedchip, CPU, m) {
    m.impl("linear", linear_reference);
}

TORCH_LIBRARY_IMPL(seedchip, PrivateUse1, m) {
    m.impl("linear", linear_fused);
}

TORCH_LIBRARY_IMPL(seedchip, AutogradCPU, m) {
    m.impl("linear", linear_autograd);
}

TORCH_LIBRARY_IMPL(seedchip, AutogradPrivateUse1, m) {
    m.impl("linear", linear_autograd);
}

void register_compute(torch::Library& m) {
    m.impl("add.Tensor", add);
    m.impl("add_.Tensor", add_);
    m.impl("add.out", add_out);
    m.impl("add.Scalar", add_scalar);
    m.impl("sub.Tensor", sub);
    m.impl("sub_.Tensor", sub_);
    m.impl("mul.Tensor", mul);
    m.impl("mul_.Tensor", mul_);
    m.impl("mul.Scalar", mul_scalar);
    m.impl("mul_.Scalar", mul_scalar_);
    m.impl("div.Tensor", div);
    m.impl("div_.Tensor", div_);
    m.impl("maximum", maximum);
    m.impl("minimum", minimum);
    m.impl("relu", relu);
    m.impl("relu_", relu_);
    m.impl("gelu", gelu);
    m.impl("exp", exp);
    m.impl("neg", neg);
    m.impl("abs", abs);
    m.impl("sqrt", sqrt);
    m.impl("mm", mm);
    m.impl("addmm", addmm);
    m.impl("bmm", bmm);
    m.impl("sum.dim_IntList", sum_dim);
    m.impl("sum", sum_all);
    m.impl("mean.dim", mean_dim);
    m.impl("amax", amax);
    m.impl("_softmax", softmax);
    m.impl("_log_softmax", log_softmax);
    m.impl("_softmax_backward_data", softmax_backward);
    m.impl("_log_softmax_backward_data", log_softmax_backward);
    m.impl("native_layer_norm", layer_norm);
    m.impl("cat", cat);
    m.impl("convolution_overrideable", convolution);
    m.impl("convolution_backward_overrideable", convolution_backward);
}

} // namespace seed::torch_backend
