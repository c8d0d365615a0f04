// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#pragma once

#include <seed/export.h>
#include <seed/version.h>

#include <compare>
#include <string_view>

namespace seed {

/// A libseed version (see seed/version.h for what the parts promise).
struct Version {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;

    friend auto operator<=>(const Version&, const Version&) = default;
};

/// The version this program was compiled against (the SEED_VERSION_* macros).
inline constexpr Version compiled_version{SEED_VERSION_MAJOR, SEED_VERSION_MINOR,
                                          SEED_VERSION_PATCH};

/// Version of the libseed build in use, "major.minor.patch".
[[nodiscard]] SEED_API std::string_view library_version() noexcept;

/// Version of the libseed build in use, as numbers.
[[nodiscard]] SEED_API Version library_version_numbers() noexcept;

} // namespace seed
