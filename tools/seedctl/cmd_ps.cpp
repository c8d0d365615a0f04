// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl ps: the processes holding each device open, with the memory of
// their buffers, from /proc/PID/fdinfo.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/format.hpp>
#include <seed/uuid.hpp>

#include <ostream>

namespace seedctl {

std::string render_ps_text(std::span<const PsRow> rows, unsigned hidden) {
    Table table({"DEVICE", "PCI", "PID", "COMMAND", "CLIENT", "HBM", "HOST", "ENGINE TIME"});
    for (const auto& row : rows) {
        for (const auto& p : row.processes) {
            table.add_row({std::to_string(row.info.index), row.info.pci_address,
                           std::to_string(p.pid), p.command, std::to_string(p.client_id),
                           seed::format_size(p.hbm_bytes), seed::format_size(p.host_bytes),
                           fixed(static_cast<double>(p.engine_ns) / 1e9, 3) + " s"});
        }
    }
    std::string out = table.render();
    if (hidden != 0)
        out += "(" + std::to_string(hidden) +
               " processes could not be inspected; run as root to see every process)\n";
    return out;
}

std::string render_ps_json(std::span<const PsRow> rows, unsigned hidden) {
    Json array = Json::array();
    for (const auto& row : rows) {
        Json j = device_summary_json(row.info);
        Json procs = Json::array();
        for (const auto& p : row.processes) {
            procs.push_back({{"pid", p.pid},
                             {"command", p.command},
                             {"client_id", p.client_id},
                             {"hbm_bytes", p.hbm_bytes},
                             {"host_bytes", p.host_bytes},
                             {"engine_ns", p.engine_ns}});
        }
        j["processes"] = std::move(procs);
        array.push_back(std::move(j));
    }
    Json doc = devices_document(std::move(array));
    doc["uninspected_processes"] = hidden;
    return to_text(doc);
}

std::string render_ps_csv(std::span<const PsRow> rows) {
    Table table({"index", "pci_address", "uuid", "pid", "command", "client_id", "hbm_bytes",
                 "host_bytes", "engine_ns"});
    for (const auto& row : rows) {
        for (const auto& p : row.processes) {
            table.add_row({std::to_string(row.info.index), row.info.pci_address,
                           seed::format_uuid(row.info.uuid), std::to_string(p.pid), p.command,
                           std::to_string(p.client_id), std::to_string(p.hbm_bytes),
                           std::to_string(p.host_bytes), std::to_string(p.engine_ns)});
        }
    }
    return table.render_csv();
}

namespace {

class PsCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "ps"; }
    std::string_view summary() const noexcept override {
        return "List the processes using SeedChip devices";
    }

    void configure(CLI::App& app) override {
        add_device_option(app, device_);
        auto* json = app.add_flag("--json", json_, "Print JSON (docs/seedctl-json.md)");
        app.add_flag("--csv", csv_, "Print CSV, one line per process and device")->excludes(json);
        app.description(
            "List every process holding a SeedChip device open (one line per DRM client), "
            "with the HBM and host memory of its buffers and the device time of its finished "
            "jobs, read from /proc/PID/fdinfo. Without root, other users' processes cannot be "
            "inspected and are counted as hidden. seedctl itself is not listed.");
        app.footer("Exit status: 0 success (also when no process uses a device), 1 failure, 2 "
                   "usage error.");
    }

    int run(const Io& io) override {
        const auto chips = select_chips(device_);
        if (chips.empty())
            return report_no_devices(io.err);
        // seedctl holds no device open here, and read_clients() leaves it out.
        const Clients clients = read_clients();
        const unsigned hidden = clients.unreadable;
        std::vector<PsRow> rows;
        for (const auto& chip : chips)
            rows.push_back(PsRow{chip.info, clients.of(chip.info.pci_address)});
        if (json_)
            io.out << render_ps_json(rows, hidden);
        else if (csv_)
            io.out << render_ps_csv(rows);
        else
            io.out << render_ps_text(rows, hidden);
        return exit_ok;
    }

private:
    std::optional<std::string> device_;
    bool json_ = false;
    bool csv_ = false;
};

} // namespace

std::unique_ptr<Command> make_ps_command() {
    return std::make_unique<PsCommand>();
}

} // namespace seedctl
