// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/pci.hpp>

#include "parse.hpp"

#include <fmt/format.h>

namespace seed {

std::string format_pci_address(const PciAddress& a) {
    return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", a.domain, a.bus, a.device, a.function);
}

std::optional<PciAddress> parse_pci_address(std::string_view text) noexcept {
    using detail::parse_number;

    // [domain:]bus:device.function
    const auto dot = text.rfind('.');
    if (dot == std::string_view::npos)
        return std::nullopt;
    const auto function = parse_number<std::uint8_t>(text.substr(dot + 1), 10, 7);
    text = text.substr(0, dot);

    const auto colon2 = text.rfind(':');
    if (colon2 == std::string_view::npos)
        return std::nullopt;
    const auto device = parse_number<std::uint8_t>(text.substr(colon2 + 1), 16, 31);
    text = text.substr(0, colon2);

    std::optional<std::uint32_t> domain = 0;
    const auto colon1 = text.rfind(':');
    if (colon1 != std::string_view::npos) {
        const auto domain_text = text.substr(0, colon1);
        domain = domain_text.size() <= 8 ? parse_number<std::uint32_t>(domain_text, 16, 0xffffffffu)
                                         : std::nullopt;
        text = text.substr(colon1 + 1);
    }
    const auto bus = text.size() <= 2 ? parse_number<std::uint8_t>(text, 16, 0xff) : std::nullopt;

    if (!function || !device || !bus || !domain)
        return std::nullopt;
    return PciAddress{*domain, *bus, *device, *function};
}

} // namespace seed
