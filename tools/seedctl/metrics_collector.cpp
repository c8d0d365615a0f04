// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The exporter's data collection: every figure the metrics come from is
// read here and nowhere else.
#include "metrics_collector.hpp"

#include "command.hpp"
#include "fields.hpp"

#include <seed/error.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include <unistd.h>

namespace seedctl {
namespace {

std::optional<std::int64_t> read_power_cap_uw(const std::string& pci_address) {
    const auto dir = hwmon_dir(pci_address);
    if (!dir)
        return std::nullopt;
    std::ifstream in(*dir + "/power1_cap");
    std::string text;
    if (!std::getline(in, text))
        return std::nullopt;
    return parse_microwatts(text);
}

} // namespace

std::vector<MetricsSample> collect_metrics() {
    std::vector<MetricsSample> samples;
    const seed::ProcessScan scan = seed::scan_processes();
    const int self = static_cast<int>(::getpid());
    for (const auto& info : seed::Device::list()) {
        MetricsSample s;
        s.info = info;
        try {
            const auto dev = seed::Device::open(info.index);
            s.telemetry = seed::read_telemetry(dev);
            s.memory = dev.memory_usage();
        } catch (const seed::Error&) {
            // reported as seedchip_up 0
        }
        s.power_cap_uw = read_power_cap_uw(info.pci_address);
        // One series per process: a process with several clients of the
        // device (several opens) is reported as their sum.
        for (auto& p : seed::processes_of(scan, info.pci_address)) {
            if (p.pid == self) // a concurrent scrape holding the device
                continue;
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
