// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// What `seedctl exporter` reports about each device, and the one place
// that reads it: libseed's management C API (chips.hpp).
#pragma once

#include <seed/device.hpp>
#include <seed/management.hpp>
#include <seed/mgmt.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace seedctl {

/// One device's figures for a scrape. A source that could not be read
/// stays empty and its metrics are left out.
struct MetricsSample {
    seed::DeviceInfo info;
    std::optional<seed::Telemetry> telemetry;   ///< nullopt if the query failed
    std::optional<seed::MemoryUsage> memory;    ///< nullopt if the query failed
    std::optional<std::int64_t> power_cap_uw;   ///< board power cap, microwatts
    std::vector<seed::DeviceProcess> processes; ///< clients of this device (fdinfo)
    std::optional<seed_mgmt_counters> counters; ///< driver counters (job failures)
};

/// Reads every visible device once. Devices are opened for the call only,
/// so the exporter never keeps a device busy. Safe to call from several
/// threads at once.
[[nodiscard]] std::vector<MetricsSample> collect_metrics();

} // namespace seedctl
