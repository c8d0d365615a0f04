// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Copies: host to chip and back through staging host buffers (queued on the
// current stream; non_blocking decides whether the call waits), chip to chip
// with conversion and any strides (COPY or ELEMENTWISE COPY packets), and
// fill_/zero_ (FILL packets).
#include "backend.hpp"

#include <ATen/native/Resize.h>
#include <torch/library.h>

#include <cstring>

namespace seed::torch_backend {

namespace {

constexpr std::uint64_t kMaxCopy = 1ull << 32; ///< SEED_COPY_MAX_WIDTH

bool dense(const at::Tensor& t) {
    return t.is_contiguous() && t.is_non_overlapping_and_dense();
}

/// The whole storage of @p t as a 1-D tensor of t's type.
at::Tensor whole_storage(const at::Tensor& t) {
    auto impl = c10::make_intrusive<c10::TensorImpl>(
        c10::Storage(t.storage()),
        c10::DispatchKeySet(t.device().type() == kDeviceType ? c10::DispatchKey::PrivateUse1
                                                             : c10::DispatchKey::CPU),
        t.dtype());
    const auto elems =
        static_cast<std::int64_t>(t.storage().nbytes()) / static_cast<std::int64_t>(t.itemsize());
    impl->set_sizes_contiguous({elems});
    return at::Tensor(std::move(impl));
}

at::Tensor storage_to_cpu(const at::Tensor& t);

void record_copy(CommandList& list, const BufferView& dst, const BufferView& src,
                 std::uint64_t bytes) {
    for (std::uint64_t done = 0; done < bytes; done += kMaxCopy) {
        const std::uint64_t n = std::min(kMaxCopy, bytes - done);
        list.copy(BufferView(dst.buffer, dst.offset + done),
                  BufferView(src.buffer, src.offset + done), n);
    }
}

/// CPU tensor -> chip tensor of the same shape.
void copy_from_cpu(const at::Tensor& dst, const at::Tensor& src, bool non_blocking) {
    Chip& c = chip_of(dst);
    // The host side does any conversion and layout change first.
    const at::Tensor host = src.to(dst.scalar_type()).contiguous();
    const std::uint64_t bytes = static_cast<std::uint64_t>(host.nbytes());
    std::lock_guard lock(c.mutex());
    Buffer staging = c.host_pool().acquire(bytes);
    std::memcpy(staging.bytes().data(), host.data_ptr(), bytes);
    Stream& s = c.current_stream();
    s.retire(staging);
    if (dense(dst)) {
        record_copy(s.list(), view_of(dst), staging, bytes);
    } else {
        at::Tensor tmp = empty_on(dst.device(), dst.sizes(), dst.scalar_type());
        record_copy(s.list(), view_of(tmp), staging, bytes);
        if (!chip_copy(dst, tmp)) {
            // Read, modify and write back the whole storage on the host.
            count_cpu("copy_ (strided " + std::string(c10::toString(dst.scalar_type())) + ")",
                      "layout the copy engines cannot express");
            at::Tensor whole = storage_to_cpu(dst);
            whole.copy_(host);
            const at::Tensor dev_base = whole_storage(dst);
            copy_from_cpu(dev_base, whole.as_strided(dev_base.sizes(), {1}, 0), false);
            return;
        }
    }
    if (non_blocking)
        s.recorded();
    else
        s.synchronize();
    count_chip("copy_ (cpu -> seedchip)");
}

/// Downloads @p bytes at @p src into host memory @p out; waits.
void download(Chip& c, void* out, const BufferView& src, std::uint64_t bytes) {
    Buffer staging = c.host_pool().acquire(bytes);
    Stream& s = c.current_stream();
    record_copy(s.list(), staging, src, bytes);
    s.retire(staging);
    s.synchronize(); // the lock keeps staging ours until it is read below
    std::memcpy(out, staging.bytes().data(), bytes);
}

/// The whole storage of chip tensor @p t as a CPU tensor with t's view of it.
at::Tensor storage_to_cpu(const at::Tensor& t) {
    Chip& c = chip_of(t);
    const at::Tensor base = whole_storage(t);
    at::Tensor host = at::empty(base.sizes(), t.options().device(at::kCPU));
    if (base.numel() > 0)
        download(c, host.data_ptr(), view_of(base), static_cast<std::uint64_t>(base.nbytes()));
    return host.as_strided(t.sizes(), t.strides(), t.storage_offset());
}

/// Chip tensor -> CPU tensor of the same shape. Waits: the CPU tensor is
/// ordinary pageable memory, as for CUDA's non_blocking copies into it.
void copy_to_cpu(const at::Tensor& dst, const at::Tensor& src) {
    Chip& c = chip_of(src);
    std::lock_guard lock(c.mutex());
    at::Tensor dev = src;
    if (!dense(src)) {
        dev = empty_on(src.device(), src.sizes(), src.scalar_type());
        if (!chip_copy(dev, src)) {
            count_cpu("copy_ (strided " + std::string(c10::toString(src.scalar_type())) + ")",
                      "layout the copy engines cannot express");
            dst.copy_(storage_to_cpu(src));
            return;
        }
    }
    const std::uint64_t bytes = static_cast<std::uint64_t>(dev.nbytes());
    if (dense(dst) && dst.scalar_type() == src.scalar_type()) {
        download(c, dst.data_ptr(), view_of(dev), bytes);
    } else {
        at::Tensor host = at::empty(src.sizes(), src.options().device(at::kCPU));
        download(c, host.data_ptr(), view_of(dev), bytes);
        dst.copy_(host);
    }
    count_chip("copy_ (seedchip -> cpu)");
}

at::Tensor& copy_kernel(at::Tensor& self, const at::Tensor& src, bool non_blocking) {
    TORCH_CHECK(self.defined() && src.defined(), "copy_: undefined tensor");
    if (self.numel() == 0)
        return self;
    const at::Tensor source = src.sizes() == self.sizes() ? src : src.expand_as(self);
    const bool self_chip = self.device().type() == kDeviceType;
    const bool src_chip = src.device().type() == kDeviceType;
    if (self_chip && src_chip) {
        if (self.device() != src.device()) {
            // Chips do not reach each other's HBM: an explicit copy goes
            // through the host.
            at::Tensor host = at::empty(source.sizes(), source.options().device(at::kCPU));
            copy_to_cpu(host, source);
            copy_from_cpu(self, host, non_blocking);
            return self;
        }
        if (chip_copy(self, source)) {
            count_chip("copy_");
            return self;
        }
        // A layout or dtype the packets cannot express: through the host.
        count_cpu("copy_ (strided " + std::string(c10::toString(self.scalar_type())) + ")",
                  "layout the copy engines cannot express");
        copy_from_cpu(self, storage_to_cpu(source).contiguous(), false);
        return self;
    }
    if (self_chip) {
        TORCH_CHECK(src.device().is_cpu(), "seedchip: copy_ from ", src.device(),
                    " is not supported");
        copy_from_cpu(self, source, non_blocking);
    } else {
        TORCH_CHECK(self.device().is_cpu(), "seedchip: copy_ to ", self.device(),
                    " is not supported");
        copy_to_cpu(self, source);
    }
    return self;
}

at::Tensor copy_from(const at::Tensor& self, const at::Tensor& dst, bool non_blocking) {
    at::Tensor d = dst;
    copy_kernel(d, self, non_blocking);
    return dst;
}

at::Tensor copy_from_and_resize(const at::Tensor& self, const at::Tensor& dst) {
    at::Tensor d = dst;
    if (d.sizes() != self.sizes())
        d.resize_(self.sizes());
    copy_kernel(d, self, false);
    return dst;
}

at::Tensor& fill_kernel(at::Tensor& self, const at::Scalar& value) {
    if (self.numel() == 0)
        return self;
    Chip& c = chip_of(self);
    std::lock_guard lock(c.mutex());
    Stream& s = c.current_stream();
    // The value's bytes as the tensor stores them.
    const at::Tensor one = at::full({1}, value, self.options().device(at::kCPU));
    const std::uint64_t item = static_cast<std::uint64_t>(self.itemsize());
    std::uint64_t pattern = 0;
    if (item <= 8)
        std::memcpy(&pattern, one.data_ptr(), item);
    if (item <= 8 && dense(self)) {
        s.list().fill(view_of(self), static_cast<std::uint64_t>(self.nbytes()), pattern,
                      static_cast<std::uint32_t>(item));
        s.recorded();
        count_chip("fill_");
        return self;
    }
    const auto dt = engine_dtype(self.scalar_type());
    if (dt) {
        at::Tensor keep;
        const Operand v =
            scalar_operand(self.device(), value.toDouble(), self.scalar_type(), self.sizes(), keep);
        if (emit_elementwise(c, ElementwiseOp::copy, self.sizes(), *dt, *dt,
                             operand(self, self.sizes()), v)) {
            s.recorded();
            count_chip("fill_");
            return self;
        }
    }
    count_cpu("fill_ (strided)", "layout the fill engines cannot express");
    at::Tensor host = at::empty(self.sizes(), self.options().device(at::kCPU));
    host.fill_(value);
    copy_from_cpu(self, host, false);
    return self;
}

at::Tensor& zero_kernel(at::Tensor& self) {
    return fill_kernel(self, 0);
}

} // namespace

bool chip_copy(const at::Tensor& dst, const at::Tensor& src) {
    if (dst.numel() == 0)
        return true;
    Chip& c = chip_of(dst);
    std::lock_guard lock(c.mutex());
    Stream& s = c.current_stream();
    if (dst.scalar_type() == src.scalar_type() && dense(dst) && dense(src)) {
        record_copy(s.list(), view_of(dst), view_of(src), static_cast<std::uint64_t>(dst.nbytes()));
        s.recorded();
        return true;
    }
    const auto dd = engine_dtype(dst.scalar_type());
    const auto sd = engine_dtype(src.scalar_type());
    std::optional<DType> d = dd, sdt = sd;
    if (!d && dst.scalar_type() == src.scalar_type()) {
        // Same-type copies of other 4- or 1-byte types move bits as i32/i8.
        if (dst.itemsize() == 4)
            d = sdt = DType::i32;
        else if (dst.itemsize() == 1)
            d = sdt = DType::i8;
    }
    if (!d || !sdt)
        return false;
    if (!emit_elementwise(c, ElementwiseOp::copy, dst.sizes(), *sdt, *d, operand(dst, dst.sizes()),
                          operand(src, dst.sizes())))
        return false;
    s.recorded();
    return true;
}

at::Tensor chip_contiguous(const at::Tensor& t, at::ScalarType dtype) {
    if (t.scalar_type() == dtype && dense(t))
        return t;
    at::Tensor out = empty_on(t.device(), t.sizes(), dtype);
    if (!chip_copy(out, t)) {
        count_cpu("copy_ (strided " + std::string(c10::toString(t.scalar_type())) + ")",
                  "layout the copy engines cannot express");
        copy_from_cpu(out, storage_to_cpu(t).to(dtype).contiguous(), false);
    }
    return out;
}

void register_copy(torch::Library& m) {
    m.impl("copy_", copy_kernel);
    m.impl("_copy_from", copy_from);
    m.impl("_copy_from_and_resize", copy_from_and_resize);
    m.impl("fill_.Scalar", fill_kernel);
    m.impl("zero_", zero_kernel);
}

} // namespace seed::torch_backend
