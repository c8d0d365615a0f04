// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl info: the identity and memory of one device, or of every visible
// device.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/format.hpp>
#include <seed/uuid.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>

namespace seedctl {
namespace {

void add_identity(KeyValueBlock& block, const seed::DeviceInfo& dev) {
    block.add("UUID", seed::format_uuid(dev.uuid));
    block.add("Serial", dev.serial);
    block.add("PCI address", dev.pci_address);
    block.add("Hardware revision", seed::to_string(dev.hw_revision));
    block.add("Firmware version", seed::to_string(dev.fw_version));
    block.add("HBM",
              seed::format_size(dev.hbm_size) + " (" + std::to_string(dev.hbm_size) + " bytes)");
}

void add_rest(KeyValueBlock& block, const seed::DeviceInfo& dev) {
    block.add("Queues", std::to_string(dev.num_queues));
    block.add("Engines", std::to_string(dev.num_engines));
    block.add("Capabilities", join_names(seed::cap_names(dev.caps)));
    block.add("Data types", join_names(seed::dtype_names(dev.dtypes)));
    block.add("Page sizes", format_page_sizes(dev));
    block.add("Interrupts", std::to_string(dev.irq_count));
    block.add("Driver", dev.driver.name + ' ' + seed::version_string(dev.driver));
}

/// Runtime PM state of the chip at @p pci_address, read from sysfs without
/// waking it (docs/driver.md, "Runtime power management"); "" if unknown.
std::string read_power_state(const std::string& pci_address) {
    std::ifstream in(std::filesystem::path("/sys/bus/pci/devices") / pci_address / "power" /
                     "runtime_status");
    std::string line;
    std::getline(in, line);
    return line;
}

} // namespace

std::string render_info_text(std::span<const seed::DeviceInfo> devices) {
    std::string out;
    for (const auto& dev : devices) {
        if (!out.empty())
            out += '\n';
        out += "Device " + std::to_string(dev.index) + ": " + dev.node + '\n';
        KeyValueBlock block;
        add_identity(block, dev);
        add_rest(block, dev);
        out += block.render(2);
    }
    return out;
}

std::string render_info_json(std::span<const seed::DeviceInfo> devices) {
    Json array = Json::array();
    for (const auto& dev : devices)
        array.push_back(device_detail_json(dev));
    return to_text(devices_document(std::move(array)));
}

std::string render_info_text(std::span<const InfoRow> rows) {
    std::string out;
    for (const auto& row : rows) {
        const auto& dev = row.info;
        if (!out.empty())
            out += '\n';
        out += "Device " + std::to_string(dev.index) + ": " + dev.node + '\n';
        KeyValueBlock block;
        add_identity(block, dev);
        block.add("HBM used", seed::format_size(row.memory.hbm_used) + " (" +
                                  std::to_string(row.memory.hbm_used) + " bytes)");
        block.add("HBM retired", std::to_string(row.memory.hbm_retired) + " bytes");
        block.add("Host memory used", seed::format_size(row.memory.host_used));
        if (!row.power_state.empty())
            block.add("Power state", row.power_state);
        add_rest(block, dev);
        out += block.render(2);
    }
    return out;
}

std::string render_info_json(std::span<const InfoRow> rows) {
    Json array = Json::array();
    for (const auto& row : rows) {
        Json j = device_detail_json(row.info);
        j["hbm_used_bytes"] = row.memory.hbm_used;
        j["hbm_retired_bytes"] = row.memory.hbm_retired;
        j["host_used_bytes"] = row.memory.host_used;
        j["power_state"] = row.power_state.empty() ? Json() : Json(row.power_state);
        array.push_back(std::move(j));
    }
    return to_text(devices_document(std::move(array)));
}

std::string render_info_csv(std::span<const InfoRow> rows) {
    Table table({"index", "node", "pci_address", "serial", "uuid", "hw_revision", "fw_version",
                 "hbm_bytes", "hbm_used_bytes", "num_queues", "num_engines", "irq_count",
                 "driver_version"});
    for (const auto& row : rows) {
        const auto& d = row.info;
        table.add_row({std::to_string(d.index), d.node, d.pci_address, d.serial,
                       seed::format_uuid(d.uuid), seed::to_string(d.hw_revision),
                       seed::to_string(d.fw_version), std::to_string(d.hbm_size),
                       std::to_string(row.memory.hbm_used), std::to_string(d.num_queues),
                       std::to_string(d.num_engines), std::to_string(d.irq_count),
                       seed::version_string(d.driver)});
    }
    return table.render_csv();
}

namespace {

class InfoCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "info"; }
    std::string_view summary() const noexcept override {
        return "Show the identity and memory of SeedChip devices";
    }

    void configure(CLI::App& app) override {
        add_device_option(app, device_);
        auto* json =
            app.add_flag("--json", json_, "Print JSON (docs/seedctl-json.md) instead of text");
        app.add_flag("--csv", csv_, "Print CSV, one line per device")->excludes(json);
        app.description("Show identity (UUID, serial, PCI address, hardware and firmware "
                        "revision), HBM total and used, queues, engines, capabilities and the "
                        "driver version of one device (-d) or of every visible device.");
        app.footer("Exit status: 0 success, 1 no such device or failure, 2 usage error, 77 "
                   "unsupported by the driver.");
    }

    int run(const Io& io) override {
        const auto chips = select_chips(device_, true);
        if (chips.empty())
            return report_no_devices(io.err);
        std::vector<InfoRow> rows;
        for (const auto& chip : chips)
            rows.push_back(
                InfoRow{chip.info, read_memory(chip), read_power_state(chip.info.pci_address)});
        if (json_)
            io.out << render_info_json(std::span<const InfoRow>(rows));
        else if (csv_)
            io.out << render_info_csv(rows);
        else
            io.out << render_info_text(std::span<const InfoRow>(rows));
        return exit_ok;
    }

private:
    std::optional<std::string> device_;
    bool json_ = false;
    bool csv_ = false;
};

} // namespace

std::unique_ptr<Command> make_info_command() {
    return std::make_unique<InfoCommand>();
}

} // namespace seedctl
