// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device UUIDs: 16 bytes in RFC 4122 (memory) order, written as
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in lower-case hex.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seed {

using Uuid = std::array<std::uint8_t, 16>;

/// Canonical lower-case 8-4-4-4-12 form.
[[nodiscard]] std::string format_uuid(const Uuid& uuid);

/// Parses the 8-4-4-4-12 form, upper or lower case. Returns std::nullopt for
/// anything else.
[[nodiscard]] std::optional<Uuid> parse_uuid(std::string_view text) noexcept;

} // namespace seed
