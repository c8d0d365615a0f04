// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// PCI locations, written as in lspci -D: "dddd:bb:dd.f" (hex domain, bus,
// device; decimal function).
#pragma once

#include <seed/export.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seed {

struct PciAddress {
    std::uint32_t domain = 0;
    std::uint8_t bus = 0;
    std::uint8_t device = 0;   ///< 0..31
    std::uint8_t function = 0; ///< 0..7

    friend auto operator<=>(const PciAddress&, const PciAddress&) = default;
};

/// "dddd:bb:dd.f", lower-case hex.
[[nodiscard]] SEED_API std::string format_pci_address(const PciAddress& address);

/// Parses "dddd:bb:dd.f" (domain of 1 to 8 hex digits) or the short form
/// "bb:dd.f" (domain 0). Case-insensitive. Returns std::nullopt if the text is
/// malformed or a field is out of range.
[[nodiscard]] SEED_API std::optional<PciAddress> parse_pci_address(std::string_view text) noexcept;

} // namespace seed
