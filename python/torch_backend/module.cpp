// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedchip.torch._backend: registers the SeedChip kernels for PyTorch's
// PrivateUse1 dispatch key when loaded, and gives seedchip.torch its device,
// stream, memory and op-accounting functions.
#include "backend.hpp"

#include <c10/core/Allocator.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <torch/library.h>

namespace seed::torch_backend {

std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> op_stats_snapshot();
void reset_op_stats();

namespace {

namespace py = pybind11;

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
    register_views(m);
    register_copy(m);
    register_compute(m);
}

struct RegisterAllocator {
    RegisterAllocator() { c10::SetAllocator(kDeviceType, torch_allocator()); }
};
const RegisterAllocator g_register_allocator;

c10::DeviceIndex checked(int index) {
    TORCH_CHECK(index >= 0 && index < device_count(), "seedchip: invalid device index ", index,
                " (", static_cast<int>(device_count()), " SeedChip devices visible)");
    return static_cast<c10::DeviceIndex>(index);
}

py::dict memory_stats(int index) {
    Chip& c = chip(checked(index));
    AllocatorStats s;
    {
        std::lock_guard lock(c.mutex());
        s = c.allocator().stats();
    }
    py::dict d;
    d["allocated_bytes.all.current"] = s.allocated;
    d["allocated_bytes.all.peak"] = s.allocated_peak;
    d["reserved_bytes.all.current"] = s.reserved;
    d["reserved_bytes.all.peak"] = s.reserved_peak;
    d["active.all.current"] = s.active_blocks;
    d["segment.all.current"] = s.segments;
    d["allocation.all.allocated"] = s.allocations;
    d["allocation.all.freed"] = s.frees;
    d["segment.all.allocated"] = s.segment_allocations;
    d["segment.all.freed"] = s.segment_frees;
    d["num_cache_hits"] = s.cache_hits;
    d["num_alloc_retries"] = s.retries;
    d["num_ooms"] = s.ooms;
    return d;
}

} // namespace

PYBIND11_MODULE(_backend, m) {
    m.doc() = "SeedChip kernels for PyTorch's PrivateUse1 device (see seedchip.torch).";
    m.def("device_count", [] { return static_cast<int>(device_count()); });
    m.def("current_device", [] { return static_cast<int>(current_device()); });
    m.def(
        "set_device", [](int i) { set_current_device(checked(i)); }, py::arg("index"));
    m.def(
        "device_name",
        [](int i) {
            const DeviceInfo& info = chip(checked(i)).device().info();
            return "SeedChip " + info.serial + " (" + info.pci_address + ")";
        },
        py::arg("index"));
    m.def(
        "device_info",
        [](int i) {
            const DeviceInfo& info = chip(checked(i)).device().info();
            py::dict d;
            d["node"] = info.node;
            d["pci_address"] = info.pci_address;
            d["serial"] = info.serial;
            d["uuid"] = format_uuid(info.uuid);
            d["hbm_size"] = info.hbm_size;
            d["dtypes"] = dtype_names(info.dtypes);
            return d;
        },
        py::arg("index"));
    m.def(
        "synchronize",
        [](int i) {
            Chip& c = chip(checked(i));
            py::gil_scoped_release nogil;
            c.synchronize();
        },
        py::arg("index"), "Waits for every stream of the chip.");
    m.def(
        "new_stream", [](int i) { return chip(checked(i)).new_stream(); }, py::arg("index"));
    m.def(
        "current_stream", [](int i) { return chip(checked(i)).current_stream().id(); },
        py::arg("index"));
    m.def(
        "set_stream", [](int i, std::int64_t id) { chip(checked(i)).set_current_stream(id); },
        py::arg("index"), py::arg("stream"));
    m.def(
        "stream_synchronize",
        [](int i, std::int64_t id) {
            Chip& c = chip(checked(i));
            py::gil_scoped_release nogil;
            std::lock_guard lock(c.mutex());
            c.stream(id).synchronize();
        },
        py::arg("index"), py::arg("stream"));
    m.def(
        "stream_query",
        [](int i, std::int64_t id) {
            Chip& c = chip(checked(i));
            std::lock_guard lock(c.mutex());
            const Fence f = c.stream(id).fence();
            return !f.valid() || f.ready();
        },
        py::arg("index"), py::arg("stream"));
    m.def("memory_stats", memory_stats, py::arg("index"));
    m.def(
        "empty_cache",
        [](int i) {
            Chip& c = chip(checked(i));
            std::lock_guard lock(c.mutex());
            c.allocator().empty_cache();
        },
        py::arg("index"));
    m.def(
        "reset_peak_memory_stats",
        [](int i) {
            Chip& c = chip(checked(i));
            std::lock_guard lock(c.mutex());
            c.allocator().reset_peaks();
        },
        py::arg("index"));
    m.def(
        "hbm_usage",
        [](int i) {
            const MemoryUsage u = chip(checked(i)).device().memory_usage();
            return py::make_tuple(u.hbm_used, u.hbm_total, u.client_hbm);
        },
        py::arg("index"));
    m.def("op_stats", &op_stats_snapshot,
          "{op: (runs on the chip, runs on the CPU)} since the last reset.");
    m.def("reset_op_stats", &reset_op_stats);
}

} // namespace seed::torch_backend
