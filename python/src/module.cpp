// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedchip._core: the Python binding of libseed. The public face is the
// seedchip package (python/seedchip/__init__.py), which re-exports it.
#include "bindings.hpp"

#include <seed/version.hpp>

#include <string>

PYBIND11_MODULE(_core, m) {
    m.doc() = "libseed, the SeedChip SDK, for Python (see the seedchip package).";
    m.attr("__version__") = std::string(seed::library_version());
    seed::python::bind_errors(m);
    seed::python::bind_device(m);
    seed::python::bind_memory(m);
    seed::python::bind_execution(m);
}
