// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The version this library was built as: the macros of the generated
// seed/version.h, frozen into the binary.
#include <seed/version.h>
#include <seed/version.hpp>

namespace seed {

std::string_view library_version() noexcept {
    return SEED_VERSION_STRING;
}

Version library_version_numbers() noexcept {
    return compiled_version;
}

} // namespace seed

unsigned seed_version(void) {
    return SEED_VERSION;
}

const char* seed_version_string(void) {
    return SEED_VERSION_STRING;
}
