// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl health: the driver's events (read by the management API's
// monitor, the one parser of the driver's uevents) as health events, and
// the command's output, free of I/O so that they can be unit-tested.
#pragma once

#include "fields.hpp"

#include <seed/device.hpp>
#include <seed/management.hpp>
#include <seed/mgmt.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace seedctl {

/// What `health --watch` reports about one driver event.
struct HealthEvent {
    std::string name;   ///< "reset", "removed" (left the bus) or "unbound"
    std::string reason; ///< SEED_RESET_REASON, empty if none
    std::string action; ///< the uevent's ACTION
    std::string seqnum; ///< SEQNUM, empty if none
};

/// The health event of a management API event (seed_mgmt_monitor_next), or
/// std::nullopt if it is not one: a reset, the chip's PCI device unbound
/// from the driver or removed from the bus.
[[nodiscard]] std::optional<HealthEvent> health_event_of(const seed_mgmt_event& event);

/// @p ns after the epoch (CLOCK_REALTIME) as "2026-01-02T03:04:05.678Z".
[[nodiscard]] std::string utc_time(std::int64_t ns);

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
