// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Finding SeedChip devices among the accel nodes.
#pragma once

#include "unique_fd.hpp"

#include <seed/device.hpp>

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace seed::detail {

/// A device found by probing: its open node and what it reported.
struct ProbedDevice {
    UniqueFd fd;
    DeviceInfo info;
};

/// Where accel nodes live; tests point these at scratch directories.
struct ProbePaths {
    std::filesystem::path dev_dir = "/dev/accel";
    std::filesystem::path sys_dir = "/sys/class/accel";
};

/// N for a node named "accelN", else std::nullopt.
[[nodiscard]] std::optional<unsigned> parse_accel_node_name(std::string_view name) noexcept;

/// Every SeedChip device in physical order (ascending minor), each opened
/// and queried; DeviceInfo::index is the physical index. A missing
/// @p paths.dev_dir gives an empty list. Nodes the process may not open
/// (EACCES, EPERM) are left out, as if absent.
/// @throws seed::Error if a node that sysfs says is driven by seed.ko cannot
///         be opened for another reason, if every such node was refused
///         (the permission error), or a "seed" DRM node fails
///         DRM_IOCTL_SEED_GET_INFO.
[[nodiscard]] std::vector<ProbedDevice> probe_devices(const ProbePaths& paths = {});

/// probe_devices() filtered and reordered by SEED_VISIBLE_DEVICES, with
/// DeviceInfo::index renumbered to the visible position.
[[nodiscard]] std::vector<ProbedDevice> probe_visible_devices(const ProbePaths& paths = {});

} // namespace seed::detail
