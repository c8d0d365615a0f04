// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Uuid: the device's 128-bit identity, in RFC 4122 byte order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seed::device {

struct Uuid {
    /// RFC 4122 order: bytes[0] is the first byte of the text form.
    std::array<uint8_t, 16> bytes{};

    /// Parses the canonical 8-4-4-4-12 hex form (either case).
    static std::optional<Uuid> parse(std::string_view text);
    /// A random (version 4, variant 1) UUID from getrandom().
    static Uuid random_v4();

    /// Canonical lower-case text form.
    std::string to_string() const;

    bool operator==(const Uuid&) const = default;
};

} // namespace seed::device
