// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// SEED_VISIBLE_DEVICES and SEED_VISIBLE_DEVICE_<TAG>: which devices a
// process sees, and in what order (the rules are documented in
// <seed/device.hpp>). Pure functions.
#pragma once

#include <seed/uuid.hpp>

#include <cstddef>
#include <span>
#include <variant>
#include <vector>

namespace seed::detail {

inline constexpr const char* visible_devices_env = "SEED_VISIBLE_DEVICES";
/// Prefix of the per-device variables (one device each, as CDI sets them).
inline constexpr const char* visible_device_env_prefix = "SEED_VISIBLE_DEVICE_";

/// One entry: a physical index or a UUID.
using VisibleEntry = std::variant<unsigned, Uuid>;

struct VisibleDevices {
    /// False when the variable is unset: every device is visible.
    bool restricted = false;
    std::vector<VisibleEntry> entries;
    /// From SEED_VISIBLE_DEVICE_<TAG> variables: seen after @ref entries,
    /// in physical order (the environment has no order).
    std::vector<VisibleEntry> unordered;
};

/// Parses the variable's value; nullptr means unset.
/// @throws seed::Error(Errc::invalid_visible_devices) on an empty or
///         malformed entry, or a duplicate.
[[nodiscard]] VisibleDevices parse_visible_devices(const char* value);

/// Both kinds of variable from @p envp (NAME=VALUE strings, null-ended,
/// as environ): SEED_VISIBLE_DEVICES, then every SEED_VISIBLE_DEVICE_<TAG>
/// (TAG not empty) whose value is one index or UUID. Any per-device
/// variable restricts the visible set, like SEED_VISIBLE_DEVICES.
/// @throws seed::Error(Errc::invalid_visible_devices) on a malformed value.
[[nodiscard]] VisibleDevices visible_devices_from_environment(const char* const* envp);

/// The physical indices (into @p physical, the UUIDs of all devices in
/// physical order) that are visible, in visible order. Entries matching no
/// device are skipped, and so is a device named twice (by index and UUID).
[[nodiscard]] std::vector<std::size_t> select_visible(const VisibleDevices& visible,
                                                      std::span<const Uuid> physical);

} // namespace seed::detail
