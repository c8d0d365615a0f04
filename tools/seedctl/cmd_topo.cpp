// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl topo: where each device sits: NUMA node and PCI path.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <ostream>

namespace seedctl {

std::string render_topo_text(std::span<const TopoRow> rows) {
    Table table({"INDEX", "NODE", "PCI", "NUMA", "DRIVER", "PCI PATH"});
    for (const auto& r : rows) {
        table.add_row({std::to_string(r.info.index), r.info.node, r.info.pci_address,
                       r.topology.numa_node < 0 ? "-" : std::to_string(r.topology.numa_node),
                       r.topology.driver_version, r.topology.pci_path});
    }
    return table.render();
}

std::string render_topo_json(std::span<const TopoRow> rows) {
    Json array = Json::array();
    for (const auto& r : rows) {
        Json j = device_summary_json(r.info);
        j["numa_node"] = r.topology.numa_node;
        j["pci_path"] = r.topology.pci_path;
        j["sysfs_path"] = r.topology.sysfs_path;
        j["driver_version"] = r.topology.driver_version;
        array.push_back(std::move(j));
    }
    return to_text(devices_document(std::move(array)));
}

namespace {

class TopoCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "topo"; }
    std::string_view summary() const noexcept override {
        return "Show the NUMA node and PCI path of each device";
    }

    void configure(CLI::App& app) override {
        app.add_flag("--json", json_, "Print JSON (docs/seedctl-json.md)");
        app.description("Show each visible device with its NUMA node (-1/'-' if the platform "
                        "has none), the chain of PCI bridges from the root complex, and the "
                        "driver version, from sysfs.");
        app.footer("Exit status: 0 success, 1 no device or failure, 2 usage error.");
    }

    int run(const Io& io) override {
        const auto chips = visible_chips();
        if (chips.empty()) {
            return report_no_devices(io.err);
        }
        std::vector<TopoRow> rows;
        for (const auto& chip : chips) {
            seed_mgmt_identity id{};
            try {
                id = seed::fleet::identity(chip.handle);
            } catch (const seed::fleet::MgmtError& e) {
                throw failure_of(e);
            }
            seed::Topology topo;
            topo.pci_address = chip.info.pci_address;
            topo.sysfs_path = id.sysfs_path;
            topo.pci_path = id.pci_path[0] != '\0' ? id.pci_path : chip.info.pci_address;
            topo.numa_node = id.numa_node;
            topo.driver_version = id.driver_version;
            rows.push_back(TopoRow{chip.info, std::move(topo)});
        }
        io.out << (json_ ? render_topo_json(rows) : render_topo_text(rows));
        return exit_ok;
    }

private:
    bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_topo_command() {
    return std::make_unique<TopoCommand>();
}

} // namespace seedctl
