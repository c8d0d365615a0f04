// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device specifications as accepted by Device::open(std::string_view) and
// seedctl -d: an index, a PCI address, a UUID or a node path. Pure functions.
#pragma once

#include <seed/device.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace seed::detail {

struct NodePath {
    std::string path;
    friend bool operator==(const NodePath&, const NodePath&) = default;
};

/// Visible index, PCI address, UUID or device node.
using DeviceSpec = std::variant<unsigned, PciAddress, Uuid, NodePath>;

/// @throws seed::Error(Errc::invalid_device_spec) if @p text is none of the
///         accepted forms.
[[nodiscard]] DeviceSpec parse_device_spec(std::string_view text);

[[nodiscard]] bool matches(const DeviceSpec& spec, const DeviceInfo& info);

} // namespace seed::detail
