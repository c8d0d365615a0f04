// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Tensor creation and views. Views share the storage of their base, so they
// cannot go through the CPU fallback (which copies); they are registered
// here with ATen's device-independent implementations. Every other view op
// of PyTorch (t, transpose, permute, expand, select, slice, ...) is
// composite and ends in these.
#include "backend.hpp"

#include <ATen/ops/_reshape_alias_native.h>
#include <ATen/ops/as_strided_native.h>
#include <ATen/ops/unfold_native.h>
#include <ATen/ops/view_native.h>
#include <torch/library.h>

namespace seed::torch_backend {

namespace {

c10::Device target_device(c10::optional<c10::Device> device) {
    c10::Device d = device.value_or(c10::Device(kDeviceType, current_device()));
    TORCH_CHECK(d.type() == kDeviceType, "seedchip: empty() for ", d);
    if (!d.has_index())
        d = c10::Device(kDeviceType, current_device());
    return d;
}

void check_options(c10::optional<at::Layout> layout, c10::optional<bool> pin_memory) {
    TORCH_CHECK(!layout || *layout == at::kStrided, "seedchip: only strided tensors, not ",
                *layout);
    TORCH_CHECK(!pin_memory || !*pin_memory, "seedchip: pin_memory is for CPU tensors");
}

at::Tensor empty_memory_format(at::IntArrayRef size, c10::optional<at::ScalarType> dtype,
                               c10::optional<at::Layout> layout, c10::optional<c10::Device> device,
                               c10::optional<bool> pin_memory,
                               c10::optional<at::MemoryFormat> memory_format) {
    check_options(layout, pin_memory);
    const c10::Device d = target_device(device);
    const at::ScalarType t = dtype.value_or(at::get_default_dtype_as_scalartype());
    at::Tensor out = empty_on(d, size, t);
    if (memory_format && *memory_format != at::MemoryFormat::Contiguous &&
        *memory_format != at::MemoryFormat::Preserve)
        out.unsafeGetTensorImpl()->empty_tensor_restride(*memory_format);
    return out;
}

at::Tensor empty_strided(at::IntArrayRef size, at::IntArrayRef stride,
                         c10::optional<at::ScalarType> dtype, c10::optional<at::Layout> layout,
                         c10::optional<c10::Device> device, c10::optional<bool> pin_memory) {
    check_options(layout, pin_memory);
    return empty_on(target_device(device), size,
                    dtype.value_or(at::get_default_dtype_as_scalartype()), stride);
}

/// resize_: keeps the data that fits, allocating a larger storage (and
/// copying the old bytes on the chip) when needed.
const at::Tensor& resize(const at::Tensor& self, at::IntArrayRef size,
                         c10::optional<at::MemoryFormat> memory_format) {
    auto* impl = self.unsafeGetTensorImpl();
    impl->set_sizes_contiguous(size);
    const std::uint64_t need =
        static_cast<std::uint64_t>(self.storage_offset() + self.numel()) * self.itemsize();
    const std::uint64_t have = self.storage().nbytes();
    if (need > have) {
        at::Tensor fresh = empty_on(self.device(), {static_cast<std::int64_t>(need)}, at::kByte);
        if (have > 0) {
            at::Tensor old_bytes = empty_on(self.device(), {0}, at::kByte);
            old_bytes.unsafeGetTensorImpl()->set_storage_keep_dtype(self.storage());
            old_bytes.unsafeGetTensorImpl()->set_sizes_contiguous(
                {static_cast<std::int64_t>(have)});
            TORCH_CHECK(chip_copy(fresh.narrow(0, 0, static_cast<std::int64_t>(have)), old_bytes),
                        "seedchip: resize_ could not move the old data");
        }
        self.storage().set_data_ptr_noswap(
            std::move(fresh.storage().unsafeGetStorageImpl()->data_ptr()));
        self.storage().set_nbytes(need);
    }
    if (memory_format && *memory_format != at::MemoryFormat::Preserve &&
        *memory_format != at::MemoryFormat::Contiguous)
        impl->empty_tensor_restride(*memory_format);
    return self;
}

} // namespace

void register_views(torch::Library& m) {
    m.impl("empty.memory_format", empty_memory_format);
    m.impl("empty_strided", empty_strided);
    m.impl("resize_", resize);
    m.impl("view", at::native::view);
    m.impl("as_strided", at::native::as_strided_tensorimpl);
    m.impl("_reshape_alias", at::native::_reshape_alias);
    m.impl("unfold", at::native::unfold);
}

} // namespace seed::torch_backend
