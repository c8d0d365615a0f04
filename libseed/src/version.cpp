// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/version.hpp>

#ifndef SEED_LIBRARY_VERSION
#error "SEED_LIBRARY_VERSION must be defined by the build"
#endif

namespace seed {

std::string_view library_version() noexcept {
    return SEED_LIBRARY_VERSION;
}

} // namespace seed
