// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The contract between tools/seed-vm and the tests it runs: the runner sets
// SEED_VM_CHIPS and SEED_VM_HBM, and starts chip k with serial SEEDVM-<kkkk>
// and UUID 5eed0000-0000-4000-8000-<k as 12 hex digits>. One definition here,
// so a change to the runner's scheme changes every test that relies on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace seed::vm {

inline std::optional<std::uint64_t> env_number(const char* name) {
    const char* s = std::getenv(name);
    if (s == nullptr || *s == '\0')
        return std::nullopt;
    return std::strtoull(s, nullptr, 10);
}

/// Chips seed-vm attached (SEED_VM_CHIPS), if running under it.
inline std::optional<unsigned> chips() {
    const auto n = env_number("SEED_VM_CHIPS");
    return n ? std::optional<unsigned>(static_cast<unsigned>(*n)) : std::nullopt;
}

/// HBM bytes per chip (SEED_VM_HBM), if running under seed-vm.
inline std::optional<std::uint64_t> hbm_bytes() {
    return env_number("SEED_VM_HBM");
}

inline std::string serial(unsigned k) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "SEEDVM-%04u", k);
    return buf;
}

/// Canonical 8-4-4-4-12 text of a 16-byte UUID as GET_INFO returns it.
inline std::string format_uuid(const unsigned char (&bytes)[16]) {
    std::string s;
    char byte[3];
    for (size_t i = 0; i < sizeof(bytes); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s += '-';
        std::snprintf(byte, sizeof(byte), "%02x", unsigned{bytes[i]});
        s += byte;
    }
    return s;
}

inline std::string uuid(unsigned k) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "5eed0000-0000-4000-8000-%012x", k);
    return buf;
}

} // namespace seed::vm
