// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device UUIDs: 16 bytes in RFC 4122 (memory) order, written as
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in lower-case hex. Header-only:
// the device model shares this one definition of the text form.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seed {

using Uuid = std::array<std::uint8_t, 16>;

namespace detail {

// Byte offsets after which the canonical form has a dash.
constexpr bool uuid_dash_after(std::size_t byte) noexcept {
    return byte == 3 || byte == 5 || byte == 7 || byte == 9;
}

constexpr int uuid_hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace detail

/// Canonical lower-case 8-4-4-4-12 form.
[[nodiscard]] inline std::string format_uuid(const Uuid& uuid) {
    constexpr char hex_digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        out += hex_digits[uuid[i] >> 4];
        out += hex_digits[uuid[i] & 0xf];
        if (detail::uuid_dash_after(i))
            out += '-';
    }
    return out;
}

/// Parses the 8-4-4-4-12 form, upper or lower case. Returns std::nullopt for
/// anything else.
[[nodiscard]] constexpr std::optional<Uuid> parse_uuid(std::string_view text) noexcept {
    if (text.size() != 36)
        return std::nullopt;
    Uuid uuid{};
    std::size_t pos = 0;
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        const int hi = detail::uuid_hex_value(text[pos]);
        const int lo = detail::uuid_hex_value(text[pos + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        uuid[i] = static_cast<std::uint8_t>(hi << 4 | lo);
        pos += 2;
        if (detail::uuid_dash_after(i)) {
            if (text[pos] != '-')
                return std::nullopt;
            ++pos;
        }
    }
    return uuid;
}

} // namespace seed
