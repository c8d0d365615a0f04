// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "health_monitor.hpp"

#include "mgmt.hpp"

#include <seed/mgmt.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

namespace seed::plugin {

void HealthMonitor::log_changes(const std::vector<Chip>& before) {
    for (const auto& now : inventory_.chips()) {
        const auto old = std::find_if(before.begin(), before.end(),
                                      [&](const Chip& c) { return c.uuid == now.uuid; });
        if (old != before.end() && old->healthy == now.healthy)
            continue;
        std::cerr << "seed-device-plugin: " << now.uuid << " (" << now.pci_address << ") "
                  << (now.healthy ? "healthy" : "unhealthy: " + now.reason) << std::endl;
    }
}

void HealthMonitor::probe_all() {
    const auto before = inventory_.chips();
    std::set<std::string> present;
    try {
        for (const auto& id : fleet::all_identities()) {
            inventory_.upsert(id);
            present.insert(id.uuid);
        }
    } catch (const fleet::MgmtError& e) {
        std::cerr << "seed-device-plugin: " << e.what() << std::endl;
    }
    const auto now = Clock::now();
    for (const auto& chip : inventory_.chips()) {
        if (!present.contains(chip.uuid)) {
            inventory_.mark_absent(chip.uuid);
            continue;
        }
        auto health = fleet::sized<seed_mgmt_health>();
        seed_mgmt_device device = nullptr;
        if (seed_mgmt_device_by_uuid(chip.uuid.c_str(), &device) != SEED_SUCCESS ||
            seed_mgmt_device_health(device, &health) != SEED_SUCCESS) {
            inventory_.mark_absent(chip.uuid);
            continue;
        }
        inventory_.apply_probe(chip.uuid, health, now);
    }
    log_changes(before);
}

void HealthMonitor::run(const std::atomic<bool>& stop) {
    seed_mgmt_monitor* raw = nullptr;
    if (seed_mgmt_monitor_create(&raw) != SEED_SUCCESS) {
        std::cerr << "seed-device-plugin: no uevents (" << seed_last_error_message()
                  << "); relying on probes every " << interval_ / std::chrono::seconds(1) << " s"
                  << std::endl;
    }
    const std::unique_ptr<seed_mgmt_monitor, void (*)(seed_mgmt_monitor*)> monitor(
        raw, seed_mgmt_monitor_destroy);
    auto next_probe = Clock::now() + interval_;
    while (!stop.load()) {
        const auto now = Clock::now();
        const auto wake = std::min(next_probe, inventory_.next_holdoff_end(now));
        if (now >= wake) {
            probe_all();
            next_probe = Clock::now() + interval_;
            continue;
        }
        // Short waits so that a stop request is seen promptly.
        const auto wait = std::min<Clock::duration>(wake - now, std::chrono::milliseconds(500));
        const int wait_ms =
            static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
        if (!monitor) {
            std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
            continue;
        }
        auto event = fleet::sized<seed_mgmt_event>();
        const seed_status status = seed_mgmt_monitor_next(monitor.get(), &event, wait_ms);
        if (status == SEED_ERROR_TIMEOUT)
            continue;
        if (status != SEED_SUCCESS) {
            std::cerr << "seed-device-plugin: uevent monitor: " << seed_last_error_message()
                      << std::endl;
            std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
            continue;
        }
        std::cerr << "seed-device-plugin: event " << event.action << " on " << event.pci_address
                  << (event.reason[0] != '\0' ? std::string(" (") + event.reason + ")" : "")
                  << std::endl;
        const auto before = inventory_.chips();
        inventory_.apply_event(event, Clock::now());
        log_changes(before);
        probe_all();
        next_probe = Clock::now() + interval_;
    }
}

} // namespace seed::plugin
