// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// How seedctl reads chips: through libseed's management C API
// (seed/mgmt.h, via tools/common/mgmt.hpp) and nothing else, so that what
// seedctl and its exporter show is what any tool built on that API sees.
// The figures are handed to the output code in libseed's plain C++ value
// types (seed::DeviceInfo, seed::Telemetry, ...), which it was written for.
#pragma once

#include "mgmt.hpp"

#include <seed/device.hpp>
#include <seed/error.hpp>
#include <seed/management.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace seedctl {

/// A failure with the error code that decides seedctl's exit status and
/// hint (diagnose()); what() is the message as printed.
class Failure : public std::runtime_error {
public:
    Failure(std::error_code code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    [[nodiscard]] const std::error_code& code() const noexcept { return code_; }

private:
    std::error_code code_;
};

/// The error code of a management API status; @p invalid stands for
/// SEED_ERROR_INVALID_ARGUMENT, whose meaning depends on the call.
[[nodiscard]] std::error_code error_code_of(seed_status status, std::error_code invalid);

/// @p e as a Failure (see error_code_of()).
[[nodiscard]] Failure failure_of(const seed::fleet::MgmtError& e,
                                 std::error_code invalid = seed::Errc::invalid_argument);

/// A chip as seedctl shows it: the management API's handle, and its
/// identity with DeviceInfo::index its position among the visible devices
/// (what a libseed application of the same environment calls it).
struct Chip {
    seed_mgmt_device handle = nullptr;
    seed::DeviceInfo info;
};

/// The identity of @p handle as visible device @p index: sysfs identity and
/// counters; with @p details also the capabilities and the driver's
/// description (seed_mgmt_device_capabilities, which opens the device).
/// @throws seed::fleet::MgmtError.
[[nodiscard]] Chip describe_chip(seed_mgmt_device handle, unsigned index, bool details);

/// Every visible chip (SEED_VISIBLE_DEVICES applies), in visible order.
/// @throws Failure.
[[nodiscard]] std::vector<Chip> visible_chips(bool details = false);

/// The visible chip named by @p spec: a visible index, a PCI address, a
/// UUID or a node path. @throws Failure (invalid_device_spec, ...) or
/// seed::Error (device_not_found).
[[nodiscard]] Chip find_chip(const std::string& spec, bool details = false);

/// find_chip(*spec), or every visible chip without one.
[[nodiscard]] std::vector<Chip> select_chips(const std::optional<std::string>& spec,
                                             bool details = false);

/// seed_mgmt_device_telemetry as a seed::Telemetry. @throws Failure.
[[nodiscard]] seed::Telemetry read_telemetry(const Chip& chip);
/// The conversion alone.
[[nodiscard]] seed::Telemetry to_telemetry(const seed_mgmt_telemetry& t);

/// seed_mgmt_device_memory as a seed::MemoryUsage (the client_* figures,
/// which belong to an open file, are 0; host_used is 0 if unknown).
/// @throws Failure.
[[nodiscard]] seed::MemoryUsage read_memory(const Chip& chip);

/// The board power cap (seed_mgmt_device_power_limit) in microwatts;
/// std::nullopt if the chip reports none.
[[nodiscard]] std::optional<std::int64_t> read_power_cap_uw(const Chip& chip);

/// Driver counters (seed_mgmt_device_counters). @throws Failure.
[[nodiscard]] seed_mgmt_counters read_counters(const Chip& chip);

/// The SeedChip clients the caller may inspect, except seedctl itself.
struct Clients {
    std::vector<seed::DeviceProcess> processes; ///< by pid, then client id
    unsigned unreadable = 0; ///< processes whose descriptors could not be inspected
    /// The entries of the chip at @p pci_address.
    [[nodiscard]] std::vector<seed::DeviceProcess> of(const std::string& pci_address) const;
};
/// seed_mgmt_processes. @throws Failure.
[[nodiscard]] Clients read_clients();

} // namespace seedctl
