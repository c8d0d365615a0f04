// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Keeps the inventory's health current: the driver's uevents (resets,
// removals, new chips) as they come, and a probe of every chip through the
// management API (open, GET_INFO, a telemetry query) at a fixed interval,
// after every event and when a hold-off ends.
#pragma once

#include "inventory.hpp"

#include <atomic>
#include <chrono>

namespace seed::plugin {

class HealthMonitor {
public:
    HealthMonitor(Inventory& inventory, Clock::duration interval)
        : inventory_(inventory), interval_(interval) {}

    /// Enumerates the chips and probes each; chips no longer found become
    /// unhealthy. Logs every change of health.
    void probe_all();

    /// Until @p stop: events and periodic probes.
    void run(const std::atomic<bool>& stop);

private:
    void log_changes(const std::vector<Chip>& before);

    Inventory& inventory_;
    Clock::duration interval_;
};

} // namespace seed::plugin
