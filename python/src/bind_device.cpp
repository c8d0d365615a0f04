// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Devices: listing (with the SEED_VISIBLE_DEVICES rules of libseed), opening
// and identity.
#include "bindings.hpp"

#include <seed/caps.hpp>
#include <seed/device.hpp>
#include <seed/uuid.hpp>

#include <pybind11/stl.h>

#include <string>

namespace seed::python {

void bind_device(py::module_& m) {
    py::enum_<DType>(m, "DType", "Element types of the compute engines.")
        .value("f32", DType::f32)
        .value("f16", DType::f16)
        .value("bf16", DType::bf16)
        .value("i8", DType::i8)
        .value("i32", DType::i32);

    py::class_<MemoryUsage>(m, "MemoryUsage",
                            "Memory usage reported by the driver, in bytes. hbm_* and host_used "
                            "are device wide; client_* count this Device's buffers.")
        .def_readonly("hbm_total", &MemoryUsage::hbm_total)
        .def_readonly("hbm_used", &MemoryUsage::hbm_used)
        .def_readonly("hbm_retired", &MemoryUsage::hbm_retired)
        .def_readonly("host_used", &MemoryUsage::host_used)
        .def_readonly("client_hbm", &MemoryUsage::client_hbm)
        .def_readonly("client_host", &MemoryUsage::client_host)
        .def("__repr__", [](const MemoryUsage& u) {
            return "<seedchip.MemoryUsage hbm_used=" + std::to_string(u.hbm_used) +
                   " hbm_total=" + std::to_string(u.hbm_total) +
                   " client_hbm=" + std::to_string(u.client_hbm) + ">";
        });

    py::class_<DeviceInfo>(m, "DeviceInfo",
                           "A snapshot of one device's identity, taken when it was listed or "
                           "opened.")
        .def_readonly("index", &DeviceInfo::index,
                      "Position in the visible list (see SEED_VISIBLE_DEVICES).")
        .def_readonly("minor", &DeviceInfo::minor, "N of /dev/accel/accelN.")
        .def_readonly("node", &DeviceInfo::node)
        .def_readonly("pci_address", &DeviceInfo::pci_address)
        .def_property_readonly("uuid", [](const DeviceInfo& i) { return format_uuid(i.uuid); })
        .def_readonly("serial", &DeviceInfo::serial)
        .def_readonly("hbm_size", &DeviceInfo::hbm_size, "Device memory in bytes.")
        .def_property_readonly("hw_revision",
                               [](const DeviceInfo& i) { return to_string(i.hw_revision); })
        .def_property_readonly("fw_version",
                               [](const DeviceInfo& i) { return to_string(i.fw_version); })
        .def_property_readonly("driver_version",
                               [](const DeviceInfo& i) { return version_string(i.driver); })
        .def_readonly("num_queues", &DeviceInfo::num_queues)
        .def_readonly("num_engines", &DeviceInfo::num_engines)
        .def_property_readonly(
            "caps", [](const DeviceInfo& i) { return cap_names(i.caps); },
            "Capability names: 'mmu', 'gemm', 'elementwise', 'reduce', 'telemetry', 'power_limit'.")
        .def_property_readonly(
            "dtypes", [](const DeviceInfo& i) { return dtype_names(i.dtypes); },
            "Supported element types: 'f32', 'f16', 'bf16', 'i8', 'i32'.")
        .def("supports", &DeviceInfo::supports, py::arg("dtype"))
        .def_property_readonly("page_sizes", &DeviceInfo::page_size_list,
                               "Supported device page sizes in bytes, smallest first.")
        .def("__repr__", [](const DeviceInfo& i) {
            return "<seedchip.DeviceInfo " + std::to_string(i.index) + " " + i.node + " " +
                   i.pci_address + " " + i.serial + ">";
        });

    py::class_<Device>(m, "Device",
                       "An open SeedChip: one client of the driver with its own device address "
                       "space. Buffers, command lists and queues made from it keep it open.")
        .def_static("list", &Device::list,
                    "Every visible device, in visible order (SEED_VISIBLE_DEVICES restricts "
                    "and reorders them). No accel driver loaded is an empty list.")
        .def_static(
            "open", [](unsigned index) { return Device::open(index); }, py::arg("index"),
            "Opens the visible device at index.")
        .def_static(
            "open", [](const std::string& spec) { return Device::open(spec); }, py::arg("spec"),
            "Opens the visible device named by spec: a decimal index, a PCI address, a UUID or "
            "a /dev/accel node.")
        .def_property_readonly("info", &Device::info, py::return_value_policy::copy)
        .def("memory_usage", &Device::memory_usage, "Current memory usage (MemoryUsage).")
        .def("uses_io_uring", &Device::uses_io_uring,
             "Whether batched submissions go through io_uring.")
        .def("__repr__", [](const Device& d) {
            return "<seedchip.Device " + std::to_string(d.info().index) + " " + d.info().node + ">";
        });
}

} // namespace seed::python
