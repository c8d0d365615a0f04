// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#pragma once

#include <string_view>

namespace seed {

/// Version of the libseed build in use, "major.minor.patch".
[[nodiscard]] std::string_view library_version() noexcept;

} // namespace seed
