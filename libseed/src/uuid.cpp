// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/uuid.hpp>

#include <cstddef>

namespace seed {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// Byte offsets after which the canonical form has a dash.
constexpr bool dash_after(std::size_t byte) noexcept {
    return byte == 3 || byte == 5 || byte == 7 || byte == 9;
}

constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

std::string format_uuid(const Uuid& uuid) {
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        out += hex_digits[uuid[i] >> 4];
        out += hex_digits[uuid[i] & 0xf];
        if (dash_after(i))
            out += '-';
    }
    return out;
}

std::optional<Uuid> parse_uuid(std::string_view text) noexcept {
    if (text.size() != 36)
        return std::nullopt;
    Uuid uuid{};
    std::size_t pos = 0;
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        const int hi = hex_value(text[pos]);
        const int lo = hex_value(text[pos + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        uuid[i] = static_cast<std::uint8_t>(hi << 4 | lo);
        pos += 2;
        if (dash_after(i)) {
            if (text[pos] != '-')
                return std::nullopt;
            ++pos;
        }
    }
    return uuid;
}

} // namespace seed
