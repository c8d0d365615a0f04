// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl health: parsing the kernel's uevents and the command's output,
// free of I/O so that they can be unit-tested.
#pragma once

#include "fields.hpp"

#include <seed/device.hpp>
#include <seed/management.hpp>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace seedctl {

/// One kernel uevent ("ACTION@DEVPATH\0KEY=VALUE\0...").
struct Uevent {
    std::string action;
    std::string devpath;
    std::map<std::string, std::string> env;

    /// The value of @p key, empty if absent.
    [[nodiscard]] std::string get(const std::string& key) const;
    /// PCI_SLOT_NAME, else the last component of the devpath.
    [[nodiscard]] std::string pci_address() const;
};

/// Parses one netlink message; std::nullopt if it is not a kernel uevent.
[[nodiscard]] std::optional<Uevent> parse_uevent(std::string_view message);

/// The driver's SEED_EVENT of @p ev, empty if none.
[[nodiscard]] std::string get_seed_event(const Uevent& ev);

/// What `health --watch` reports about one uevent.
struct HealthEvent {
    std::string name;   ///< lower-case SEED_EVENT ("reset"), "removed" or "unbound"
    std::string reason; ///< SEED_RESET_REASON, empty if none
    std::string action; ///< the uevent's ACTION
    std::string seqnum; ///< SEQNUM, empty if none
};

/// The health event of @p ev, or std::nullopt if it is not one: a
/// SEED_EVENT, or a PCI device removed or unbound.
[[nodiscard]] std::optional<HealthEvent> health_event_of(const Uevent& ev);

/// One line for an event of device @p info at @p time (ISO 8601 UTC).
[[nodiscard]] std::string render_health_event_json(const seed::DeviceInfo& info,
                                                   const HealthEvent& event,
                                                   const std::string& time);
[[nodiscard]] std::string render_health_event_text(const seed::DeviceInfo& info,
                                                   const HealthEvent& event,
                                                   const std::string& time);

/// One device as `seedctl health` shows it; telemetry and memory are empty
/// if it could not be queried.
struct HealthRow {
    seed::DeviceInfo info;
    Health health;
    std::optional<seed::Telemetry> telemetry;
    std::optional<seed::MemoryUsage> memory;
};
[[nodiscard]] std::string render_health_text(std::span<const HealthRow> rows);
[[nodiscard]] std::string render_health_json(std::span<const HealthRow> rows);

} // namespace seedctl
