// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Uuid parsing, formatting and random generation.
#include "uuid.h"

#include <seed/uuid.hpp>

#include <sys/random.h>

#include <cerrno>
#include <cstddef>
#include <random>

namespace seed::device {

// The text form is the one libseed and seedctl use (include/seed/uuid.hpp).
std::optional<Uuid> Uuid::parse(std::string_view text) {
    const auto bytes = seed::parse_uuid(text);
    if (!bytes)
        return std::nullopt;
    Uuid uuid;
    uuid.bytes = *bytes;
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
    return seed::format_uuid(bytes);
}

} // namespace seed::device
