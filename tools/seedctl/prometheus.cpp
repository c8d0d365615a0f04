// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The exporter's metric families and their text exposition format.
#include "prometheus.hpp"

#include <seed/uuid.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <vector>

namespace seedctl {

std::string prometheus_escape(const std::string& value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

namespace {

std::string labels(const seed::DeviceInfo& info, const std::string& extra = {}) {
    std::string out = "{uuid=\"" + prometheus_escape(seed::format_uuid(info.uuid)) +
                      "\",serial=\"" + prometheus_escape(info.serial) + "\",pci=\"" +
                      prometheus_escape(info.pci_address) + "\"";
    if (!extra.empty())
        out += ',' + extra;
    return out + '}';
}

std::string label(std::string_view name, const std::string& value) {
    return std::string(name) + "=\"" + prometheus_escape(value) + '"';
}

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return buf;
}

std::string process_labels(const seed::DeviceInfo& info, const seed::DeviceProcess& p) {
    return labels(info, label("pid", std::to_string(p.pid)) + ',' + label("command", p.command));
}

using Emit = void (*)(const MetricsSample&, const std::string& name, std::string& out);

struct Family {
    MetricFamily meta;
    Emit emit;
};

void line(std::string& out, const std::string& name, const std::string& labelset,
          const std::string& value) {
    out += name + labelset + ' ' + value + '\n';
}

// clang-format off
const std::array kFamilies = {
    Family{{"seedchip_info", "gauge",
            "Always 1; the labels identify the chip: driver, firmware and hardware versions."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               line(out, n,
                    labels(s.info, label("index", std::to_string(s.info.index)) + ',' +
                                       label("driver_version", seed::version_string(s.info.driver)) +
                                       ',' + label("firmware_version", seed::to_string(s.info.fw_version)) +
                                       ',' + label("hardware_revision", seed::to_string(s.info.hw_revision))),
                    "1");
           }},
    Family{{"seedchip_up", "gauge", "1 if the device answered the telemetry query, else 0."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               line(out, n, labels(s.info), s.telemetry && s.memory ? "1" : "0");
           }},
    Family{{"seedchip_temperature_celsius", "gauge", "Chip temperature."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (s.telemetry)
                   line(out, n, labels(s.info), number(s.telemetry->temperature_celsius()));
           }},
    Family{{"seedchip_power_watts", "gauge", "Board power."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (s.telemetry)
                   line(out, n, labels(s.info), number(s.telemetry->power_watts()));
           }},
    Family{{"seedchip_power_cap_watts", "gauge", "Board power cap (hwmon power1_cap)."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (s.power_cap_uw)
                   line(out, n, labels(s.info), number(static_cast<double>(*s.power_cap_uw) / 1e6));
           }},
    Family{{"seedchip_core_clock_hertz", "gauge", "Core clock."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (s.telemetry)
                   line(out, n, labels(s.info), number(s.telemetry->core_clock_mhz * 1e6));
           }},
    Family{{"seedchip_hbm_clock_hertz", "gauge", "HBM clock."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (s.telemetry)
                   line(out, n, labels(s.info), number(s.telemetry->hbm_clock_mhz * 1e6));
           }},
    Family{{"seedchip_hbm_size_bytes", "gauge", "Device memory (HBM) size."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               line(out, n, labels(s.info), std::to_string(s.info.hbm_size));
           }},
    Family{{"seedchip_hbm_used_bytes", "gauge", "HBM allocated to buffers of all processes."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (s.memory)
                   line(out, n, labels(s.info), std::to_string(s.memory->hbm_used));
           }},
    Family{{"seedchip_hbm_retired_bytes", "gauge",
            "HBM taken out of service after uncorrectable errors."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (s.memory)
                   line(out, n, labels(s.info), std::to_string(s.memory->hbm_retired));
           }},
    Family{{"seedchip_ecc_errors_total", "counter", "HBM ECC errors since power-on."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (!s.telemetry)
                   return;
               line(out, n, labels(s.info, "type=\"corrected\""),
                    std::to_string(s.telemetry->ecc_corrected));
               line(out, n, labels(s.info, "type=\"uncorrected\""),
                    std::to_string(s.telemetry->ecc_uncorrected));
           }},
    Family{{"seedchip_engine_busy_seconds_total", "counter", "Busy time of each engine."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (!s.telemetry)
                   return;
               for (std::size_t e = 0; e < s.telemetry->engine_busy_ns.size(); ++e)
                   line(out, n, labels(s.info, label("engine", std::to_string(e))),
                        number(static_cast<double>(s.telemetry->engine_busy_ns[e]) / 1e9));
           }},
    Family{{"seedchip_resets_total", "counter", "Device resets since the driver bound."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (s.telemetry)
                   line(out, n, labels(s.info), std::to_string(s.telemetry->reset_count));
           }},
    Family{{"seedchip_job_failures_total", "counter",
            "Jobs of every process that failed since the driver bound the chip, by reason "
            "(sysfs job_failures/)."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               if (!s.counters)
                   return;
               for (unsigned r = 1; r < std::size(s.counters->job_failures); ++r) {
                   const char* reason = seed_mgmt_job_failure_reason(r);
                   if (reason == nullptr || s.counters->job_failures[r] == UINT64_MAX)
                       continue;
                   line(out, n, labels(s.info, label("reason", reason)),
                        std::to_string(s.counters->job_failures[r]));
               }
           }},
    Family{{"seedchip_process_hbm_bytes", "gauge",
            "HBM held by the buffers of one process (fdinfo drm-total-hbm)."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               for (const auto& p : s.processes)
                   line(out, n, process_labels(s.info, p), std::to_string(p.hbm_bytes));
           }},
    Family{{"seedchip_process_host_memory_bytes", "gauge",
            "Host memory held by the host buffers of one process (fdinfo drm-total-host)."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               for (const auto& p : s.processes)
                   line(out, n, process_labels(s.info, p), std::to_string(p.host_bytes));
           }},
    Family{{"seedchip_process_engine_busy_seconds_total", "counter",
            "Device time of one process's finished jobs (fdinfo drm-engine-compute)."},
           [](const MetricsSample& s, const std::string& n, std::string& out) {
               for (const auto& p : s.processes)
                   line(out, n, process_labels(s.info, p),
                        number(static_cast<double>(p.engine_ns) / 1e9));
           }},
};
// clang-format on

} // namespace

std::span<const MetricFamily> metric_families() {
    static const std::vector<MetricFamily> list = [] {
        std::vector<MetricFamily> v;
        for (const auto& f : kFamilies)
            v.push_back(f.meta);
        return v;
    }();
    return list;
}

std::string render_prometheus(std::span<const MetricsSample> samples) {
    std::string out;
    for (const auto& f : kFamilies) {
        const std::string name(f.meta.name);
        out += "# HELP " + name + ' ' + std::string(f.meta.help) + '\n';
        out += "# TYPE " + name + ' ' + std::string(f.meta.type) + '\n';
        for (const auto& s : samples)
            f.emit(s, name, out);
    }
    return out;
}

} // namespace seedctl
