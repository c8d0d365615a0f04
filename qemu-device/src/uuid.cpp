// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Uuid parsing, formatting and random generation.
#include "uuid.h"

#include <sys/random.h>

#include <cerrno>
#include <cstddef>
#include <random>

namespace seed::device {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool is_dash_position(size_t i) {
    return i == 8 || i == 13 || i == 18 || i == 23;
}

} // namespace

std::optional<Uuid> Uuid::parse(std::string_view text) {
    if (text.size() != 36)
        return std::nullopt;
    Uuid uuid;
    size_t nibble = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (is_dash_position(i)) {
            if (text[i] != '-')
                return std::nullopt;
            continue;
        }
        int v = hex_value(text[i]);
        if (v < 0)
            return std::nullopt;
        uint8_t& byte = uuid.bytes[nibble / 2];
        byte = static_cast<uint8_t>((nibble % 2 == 0) ? (v << 4) : (byte | v));
        ++nibble;
    }
    return uuid;
}

Uuid Uuid::random_v4() {
    Uuid uuid;
    size_t filled = 0;
    while (filled < uuid.bytes.size()) {
        ssize_t n = ::getrandom(uuid.bytes.data() + filled, uuid.bytes.size() - filled, 0);
        if (n > 0) {
            filled += static_cast<size_t>(n);
        } else if (n < 0 && errno != EINTR) {
            // No kernel entropy interface: fall back to the C++ library source.
            std::random_device rd;
            for (auto& b : uuid.bytes)
                b = static_cast<uint8_t>(rd());
            break;
        }
    }
    uuid.bytes[6] = static_cast<uint8_t>((uuid.bytes[6] & 0x0f) | 0x40); // version 4
    uuid.bytes[8] = static_cast<uint8_t>((uuid.bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    return uuid;
}

std::string Uuid::to_string() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out.push_back('-');
        out.push_back(kHex[bytes[i] >> 4]);
        out.push_back(kHex[bytes[i] & 0x0f]);
    }
    return out;
}

} // namespace seed::device
