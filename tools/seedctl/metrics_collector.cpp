// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The exporter's data collection: every figure the metrics come from is
// read here, through the management C API, and nowhere else.
#include "metrics_collector.hpp"

#include "chips.hpp"

#include <algorithm>
#include <iterator>
#include <string>

namespace seedctl {

std::vector<MetricsSample> collect_metrics() {
    std::vector<MetricsSample> samples;
    const auto chips = visible_chips();
    Clients clients;
    try {
        clients = read_clients();
    } catch (const Failure&) {
        // no per-process series this time
    }
    for (const auto& chip : chips) {
        MetricsSample s;
        s.info = chip.info;
        try {
            s.telemetry = read_telemetry(chip);
            s.memory = read_memory(chip);
        } catch (const Failure&) {
            // reported as seedchip_up 0
        }
        s.power_cap_uw = read_power_cap_uw(chip);
        try {
            s.counters = read_counters(chip);
        } catch (const Failure&) {
            // the chip went away meanwhile
        }
        // One series per process: a process with several clients of the
        // device (several opens) is reported as their sum. read_clients()
        // leaves out this process (a concurrent scrape holding the device).
        for (auto& p : clients.of(chip.info.pci_address)) {
            const auto same = std::find_if(s.processes.begin(), s.processes.end(),
                                           [&](const auto& q) { return q.pid == p.pid; });
            if (same == s.processes.end()) {
                s.processes.push_back(std::move(p));
                continue;
            }
            same->hbm_bytes += p.hbm_bytes;
            same->host_bytes += p.host_bytes;
            same->engine_ns += p.engine_ns;
        }
        samples.push_back(std::move(s));
    }
    return samples;
}

} // namespace seedctl
