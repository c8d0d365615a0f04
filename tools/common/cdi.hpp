// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Container Device Interface specs for SeedChips, shared by `seedctl cdi
// generate` and seed-device-plugin: one definition of the device names
// the runtimes and the plugin's Allocate answers use.
#pragma once

#include <seed/mgmt.h>

#include <span>
#include <string>

namespace seed::fleet {

/// The CDI kind (vendor/class) of SeedChips.
inline constexpr const char* cdi_kind = "seedchip.org/accel";
/// The spec version written: the newest that Debian 12's runtimes (CDI
/// 0.5) accept; every field used exists since 0.3.0.
inline constexpr const char* cdi_version = "0.5.0";

/// "seedchip.org/accel=<name>".
[[nodiscard]] std::string cdi_device_name(const std::string& name);

/// The variable a chip's CDI device sets: SEED_VISIBLE_DEVICE_<its UUID's
/// 32 hex digits, upper case>; its value is the UUID. libseed sees the
/// union of these (seed/device.hpp).
[[nodiscard]] std::string cdi_env_name(const std::string& uuid);

/// The spec for @p chips (every chip of the machine, by physical index):
/// per chip a device named by its physical index and one named by its
/// UUID, both injecting its accel node and setting its own variable
/// (cdi_env_name), plus "all" with every node and variable. Runtimes
/// replace same-named variables, and no two chips share one, so a
/// container given several chips sees every one of them. Pretty-printed
/// JSON with a final newline. The one definition of the spec: `seedctl cdi
/// generate` prints it, seed-device-plugin writes it.
[[nodiscard]] std::string render_cdi_spec(std::span<const seed_mgmt_identity> chips);

/// Writes @p text to @p path atomically (a temporary file in the same
/// directory, then rename). @throws std::runtime_error with the reason.
void write_file_atomically(const std::string& path, const std::string& text);

} // namespace seed::fleet
