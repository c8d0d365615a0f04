// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl subcommands. Each lives in its own cmd_<name>.cpp and is
// registered in main.cpp; the render_* functions are the commands' output,
// kept free of I/O so they can be unit-tested.
#pragma once

#include "chips.hpp"

#include <seed/device.hpp>
#include <seed/management.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seedctl {

/// Process exit status of seedctl.
enum ExitCode : int {
    exit_ok = 0,
    exit_failure = 1,     ///< the request failed (no device, I/O error, ...)
    exit_usage = 2,       ///< malformed command line
    exit_in_use = 3,      ///< reset refused: other processes use the device (see --force)
    exit_diag_failed = 4, ///< diag ran and at least one check failed
    exit_unsupported = 77 ///< the driver or device cannot do this
};

struct Io {
    std::ostream& out;
    std::ostream& err;
};

class Command {
public:
    virtual ~Command() = default;

    [[nodiscard]] virtual std::string_view name() const noexcept = 0;
    [[nodiscard]] virtual std::string_view summary() const noexcept = 0;
    /// Adds the subcommand's options to @p app (already named and described).
    virtual void configure(CLI::App& app) = 0;
    /// Runs after a successful parse. Returns the exit status; may throw
    /// seed::Error, which main() reports.
    [[nodiscard]] virtual int run(const Io& io) = 0;
};

[[nodiscard]] std::unique_ptr<Command> make_list_command();
[[nodiscard]] std::unique_ptr<Command> make_info_command();
[[nodiscard]] std::unique_ptr<Command> make_query_command();
[[nodiscard]] std::unique_ptr<Command> make_telemetry_command();
[[nodiscard]] std::unique_ptr<Command> make_watch_command();
[[nodiscard]] std::unique_ptr<Command> make_ps_command();
[[nodiscard]] std::unique_ptr<Command> make_reset_command();
[[nodiscard]] std::unique_ptr<Command> make_health_command();
[[nodiscard]] std::unique_ptr<Command> make_set_command();

[[nodiscard]] std::unique_ptr<Command> make_diag_command();
[[nodiscard]] std::unique_ptr<Command> make_topo_command();
[[nodiscard]] std::unique_ptr<Command> make_cdi_command();
[[nodiscard]] std::unique_ptr<Command> make_exporter_command();
[[nodiscard]] std::unique_ptr<Command> make_trace_command();
[[nodiscard]] std::unique_ptr<Command> make_dump_command();

/// Adds the "-d,--device" option shared by the per-device commands.
void add_device_option(CLI::App& app, std::optional<std::string>& device);

// Output of `seedctl list`.
[[nodiscard]] std::string render_list_text(std::span<const seed::DeviceInfo> devices);
[[nodiscard]] std::string render_list_json(std::span<const seed::DeviceInfo> devices);

// Output of `seedctl info`.
[[nodiscard]] std::string render_info_text(std::span<const seed::DeviceInfo> devices);
[[nodiscard]] std::string render_info_json(std::span<const seed::DeviceInfo> devices);
[[nodiscard]] std::string render_list_csv(std::span<const seed::DeviceInfo> devices);

/// One device as `seedctl info` shows it: identity plus live memory figures.
struct InfoRow {
    seed::DeviceInfo info;
    seed::MemoryUsage memory;
    /// The PCI device's runtime_status ("active", "suspended", ...); empty
    /// if unknown.
    std::string power_state;
};
[[nodiscard]] std::string render_info_text(std::span<const InfoRow> rows);
[[nodiscard]] std::string render_info_json(std::span<const InfoRow> rows);
[[nodiscard]] std::string render_info_csv(std::span<const InfoRow> rows);

// Output of `seedctl telemetry` / `watch`: a snapshot and the engine
// utilisation over the sampling interval.
struct TelemetryRow {
    seed::DeviceInfo info;
    seed::Telemetry telemetry;
    std::vector<double> utilization; ///< per engine, 0..1
};
[[nodiscard]] std::string render_telemetry_text(std::span<const TelemetryRow> rows);
[[nodiscard]] std::string render_telemetry_json(std::span<const TelemetryRow> rows, bool one_line);
[[nodiscard]] std::string render_telemetry_csv(std::span<const TelemetryRow> rows, bool header);

// Output of `seedctl ps`.
struct PsRow {
    seed::DeviceInfo info;
    std::vector<seed::DeviceProcess> processes;
};
[[nodiscard]] std::string render_ps_text(std::span<const PsRow> rows, unsigned hidden);
[[nodiscard]] std::string render_ps_json(std::span<const PsRow> rows, unsigned hidden);
[[nodiscard]] std::string render_ps_csv(std::span<const PsRow> rows);

// Output of `seedctl topo`.
struct TopoRow {
    seed::DeviceInfo info;
    seed::Topology topology;
};
[[nodiscard]] std::string render_topo_text(std::span<const TopoRow> rows);
[[nodiscard]] std::string render_topo_json(std::span<const TopoRow> rows);

// `seedctl diag`.
struct DiagCheck {
    std::string name;
    bool passed = false;
    std::string detail;
    bool available = true; ///< false: nothing to check on this device (counts as passed)
};

/// The PCIe checks of diag from the management API's link and AER figures
/// (seed_mgmt_device_pcie): current against maximum link, and AER counters
/// (non-fatal or fatal errors fail); "not available" where the platform
/// reports nothing.
[[nodiscard]] DiagCheck pcie_link_check(const seed_mgmt_pcie& pcie, const std::string& pci_address);
[[nodiscard]] DiagCheck pcie_aer_check(const seed_mgmt_pcie& pcie, const std::string& pci_address);
struct DiagResult {
    seed::DeviceInfo info;
    int level = 1;
    std::vector<DiagCheck> checks;
    [[nodiscard]] bool passed() const noexcept;
};
[[nodiscard]] std::string render_diag_text(std::span<const DiagResult> results);
[[nodiscard]] std::string render_diag_json(std::span<const DiagResult> results);

/// `seedctl trace`: a tracefs text log of seed.ko's events as a Chrome
/// trace document, and what was found in it.
struct TraceConversion {
    std::string json;             ///< {"traceEvents": [...], ...}
    unsigned seed_events = 0;     ///< seed_* lines read
    unsigned jobs = 0;            ///< complete events (run and done both seen)
    unsigned jobs_not_run = 0;    ///< done without a run event
    unsigned jobs_unfinished = 0; ///< run without a done event
    unsigned lost_lines = 0;      ///< "[LOST n EVENTS]" reports
};
[[nodiscard]] TraceConversion convert_trace(std::string_view log);

} // namespace seedctl

namespace seed::dump {
struct Dump;
}

namespace seedctl {

// Output of `seedctl dump`.
[[nodiscard]] std::string render_dump_text(const seed::dump::Dump& d);
[[nodiscard]] std::string render_dump_json(const seed::dump::Dump& d);

} // namespace seedctl
