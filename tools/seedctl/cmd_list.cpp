// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl list: one line per visible device.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/format.hpp>
#include <seed/uuid.hpp>

#include <ostream>

namespace seedctl {

std::string render_list_text(std::span<const seed::DeviceInfo> devices) {
    Table table({"INDEX", "NODE", "PCI", "SERIAL", "UUID", "HBM"});
    for (const auto& dev : devices) {
        table.add_row({std::to_string(dev.index), dev.node, dev.pci_address, dev.serial,
                       seed::format_uuid(dev.uuid), seed::format_size(dev.hbm_size)});
    }
    return table.render();
}

std::string render_list_json(std::span<const seed::DeviceInfo> devices) {
    Json array = Json::array();
    for (const auto& dev : devices)
        array.push_back(device_summary_json(dev));
    return to_text(devices_document(std::move(array)));
}

std::string render_list_csv(std::span<const seed::DeviceInfo> devices) {
    Table table({"index", "node", "pci_address", "serial", "uuid", "hbm_bytes"});
    for (const auto& dev : devices) {
        table.add_row({std::to_string(dev.index), dev.node, dev.pci_address, dev.serial,
                       seed::format_uuid(dev.uuid), std::to_string(dev.hbm_size)});
    }
    return table.render_csv();
}

namespace {

class ListCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "list"; }
    std::string_view summary() const noexcept override {
        return "List the visible SeedChip devices";
    }

    void configure(CLI::App& app) override {
        auto* json =
            app.add_flag("--json", json_, "Print JSON (docs/seedctl-json.md) instead of a table");
        app.add_flag("--csv", csv_, "Print CSV (a header line, then one line per device)")
            ->excludes(json);
        app.description("List the visible SeedChip devices: index, node, PCI address, serial, "
                        "UUID and HBM size. Respects SEED_VISIBLE_DEVICES.");
        app.footer("Exit status: 0 success (also when no device is found), 1 failure, 2 usage "
                   "error.");
    }

    int run(const Io& io) override {
        std::vector<seed::DeviceInfo> devices;
        for (auto& chip : visible_chips())
            devices.push_back(std::move(chip.info));
        if (devices.empty()) {
            io.err << "seedctl: no SeedChip devices found\n"
                   << "seedctl: hint: " << no_devices_hint(visible_devices_set()) << '\n';
        }
        if (json_)
            io.out << render_list_json(devices);
        else if (csv_)
            io.out << render_list_csv(devices);
        else if (!devices.empty())
            io.out << render_list_text(devices);
        return exit_ok;
    }

private:
    bool json_ = false;
    bool csv_ = false;
};

} // namespace

std::unique_ptr<Command> make_list_command() {
    return std::make_unique<ListCommand>();
}

} // namespace seedctl
