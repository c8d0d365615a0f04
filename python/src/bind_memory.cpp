// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Buffers: seed::Buffer with the Python buffer protocol for host buffers (so
// NumPy, memoryview and bytes() see the mapped memory without a copy), and
// seed::BufferView, an offset into a buffer.
#include "bindings.hpp"

#include <seed/command_list.hpp>
#include <seed/memory.hpp>

#include <functional>
#include <sstream>
#include <string>

namespace seed::python {

namespace {

/// bf_getbuffer of seedchip.Buffer: the host mapping, writable, as unsigned
/// bytes. A device (HBM) buffer has no host mapping: BufferError, rather than
/// pybind11's default, which cannot report an error.
int buffer_getbuffer(PyObject* obj, Py_buffer* view, int flags) {
    try {
        const Buffer& buf = py::handle(obj).cast<const Buffer&>();
        if (!buf.valid()) {
            PyErr_SetString(PyExc_BufferError, "empty seedchip.Buffer");
            return -1;
        }
        if (!buf.is_host()) {
            PyErr_SetString(PyExc_BufferError,
                            "a device-memory (HBM) seedchip.Buffer has no host mapping; "
                            "use Queue.download() to read it");
            return -1;
        }
        const std::span<std::byte> b = buf.bytes();
        return PyBuffer_FillInfo(view, obj, b.data(), static_cast<Py_ssize_t>(b.size()), 0, flags);
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_BufferError, e.what());
        return -1;
    }
}

std::string placement_name(Placement p) {
    return p == Placement::host ? "host" : "device";
}

} // namespace

ContiguousBuffer::ContiguousBuffer(const py::handle& obj, bool writable) {
    const int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj.ptr(), &view_, flags) != 0)
        throw py::error_already_set();
}

ContiguousBuffer::~ContiguousBuffer() {
    PyBuffer_Release(&view_);
}

std::span<std::byte> ContiguousBuffer::bytes() const noexcept {
    return {static_cast<std::byte*>(view_.buf), static_cast<std::size_t>(view_.len)};
}

void bind_memory(py::module_& m) {
    py::enum_<Placement>(m, "Placement", "Where a buffer's memory is.")
        .value("device", Placement::device, "HBM: fast for the device, reached by COPY packets")
        .value("host", Placement::host, "host memory the device reaches by DMA; mappable");

    auto cls =
        py::class_<Buffer>(m, "Buffer", py::buffer_protocol(),
                           "One buffer object of the driver. A host buffer exports the buffer "
                           "protocol: numpy.frombuffer(buf, numpy.float32) is a zero-copy view "
                           "of its memory.")
            .def(py::init([](const Device& device, std::uint64_t size, Placement placement,
                             bool device_read_only) {
                     return Buffer(device, size, placement, BufferOptions{device_read_only});
                 }),
                 py::arg("device"), py::arg("size"), py::arg("placement") = Placement::device,
                 py::arg("device_read_only") = false,
                 "A zero-filled buffer of at least size bytes (rounded up to 4 KiB).")
            .def_property_readonly("size", &Buffer::size, "Size in bytes (a multiple of 4 KiB).")
            .def_property_readonly("device_va", &Buffer::device_va,
                                   "Device virtual address of the first byte.")
            .def_property_readonly("placement", &Buffer::placement)
            .def_property_readonly("is_host", &Buffer::is_host)
            .def_property_readonly("device_read_only", &Buffer::device_read_only)
            .def_property_readonly("handle", &Buffer::handle, "GEM handle in the Device's file.")
            .def(
                "view", [](const Buffer& b, std::uint64_t offset) { return BufferView(b, offset); },
                py::arg("offset"), "A BufferView starting offset bytes into the buffer.")
            .def("__len__", [](const Buffer& b) { return b.size(); })
            .def("__eq__", [](const Buffer& a, const Buffer& b) { return a == b; })
            .def("__hash__",
                 [](const Buffer& b) { return std::hash<const void*>{}(b.impl().get()); })
            .def("__repr__", [](const Buffer& b) {
                std::ostringstream out;
                out << "<seedchip.Buffer " << placement_name(b.placement()) << " " << b.size()
                    << " bytes at 0x" << std::hex << b.device_va() << ">";
                return out.str();
            });
    // pybind11's getbuffer cannot fail cleanly; install ours.
    auto* heap = reinterpret_cast<PyHeapTypeObject*>(cls.ptr());
    heap->as_buffer.bf_getbuffer = buffer_getbuffer;
    heap->as_buffer.bf_releasebuffer = nullptr;

    py::class_<BufferView>(m, "BufferView",
                           "A byte offset into a Buffer: where an operand starts. Every API "
                           "taking a BufferView also takes a Buffer (offset 0).")
        .def(py::init<Buffer, std::uint64_t>(), py::arg("buffer"), py::arg("offset") = 0)
        .def_readonly("buffer", &BufferView::buffer)
        .def_readonly("offset", &BufferView::offset)
        .def_property_readonly("device_va", &BufferView::device_va)
        .def("__repr__", [](const BufferView& v) {
            return "<seedchip.BufferView offset " + std::to_string(v.offset) + " of a " +
                   std::to_string(v.buffer.size()) + "-byte buffer>";
        });
    py::implicitly_convertible<Buffer, BufferView>();
}

} // namespace seed::python
