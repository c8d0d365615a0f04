// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Internal interface between the files of the seedchip._core module: one
// bind_*() per family of libseed types, and C-contiguous buffer access.
#pragma once

#include <pybind11/pybind11.h>

#include <cstddef>
#include <span>

namespace seed::python {

namespace py = pybind11;

void bind_errors(py::module_& m);
void bind_device(py::module_& m);
void bind_memory(py::module_& m);
void bind_execution(py::module_& m);

/// A C-contiguous view of a Python object that exports the buffer protocol
/// (bytes, bytearray, memoryview, NumPy arrays, seedchip host Buffers).
/// Released when destroyed. Throws TypeError/ValueError with a clear message
/// for objects without the protocol or with non-contiguous memory.
class ContiguousBuffer {
public:
    ContiguousBuffer(const py::handle& obj, bool writable);
    ContiguousBuffer(const ContiguousBuffer&) = delete;
    ContiguousBuffer& operator=(const ContiguousBuffer&) = delete;
    ~ContiguousBuffer();

    [[nodiscard]] std::span<std::byte> bytes() const noexcept;

private:
    Py_buffer view_{};
};

} // namespace seed::python
