// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl info: the identity of one device, or of every visible device.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/format.hpp>
#include <seed/uuid.hpp>

#include <optional>
#include <ostream>

namespace seedctl {

std::string render_info_text(std::span<const seed::DeviceInfo> devices) {
    std::string out;
    for (const auto& dev : devices) {
        if (!out.empty())
            out += '\n';
        out += "Device " + std::to_string(dev.index) + ": " + dev.node + '\n';
        KeyValueBlock block;
        block.add("UUID", seed::format_uuid(dev.uuid));
        block.add("Serial", dev.serial);
        block.add("PCI address", dev.pci_address);
        block.add("Hardware revision", seed::to_string(dev.hw_revision));
        block.add("Firmware version", seed::to_string(dev.fw_version));
        block.add("HBM", seed::format_size(dev.hbm_size) + " (" + std::to_string(dev.hbm_size) +
                             " bytes)");
        block.add("Queues", std::to_string(dev.num_queues));
        block.add("Engines", std::to_string(dev.num_engines));
        block.add("Capabilities", join_names(seed::cap_names(dev.caps)));
        block.add("Data types", join_names(seed::dtype_names(dev.dtypes)));
        block.add("Page sizes", format_page_sizes(dev));
        block.add("Interrupts", std::to_string(dev.irq_count));
        block.add("Driver", dev.driver.name + ' ' + seed::version_string(dev.driver));
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

namespace {

class InfoCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "info"; }
    std::string_view summary() const noexcept override {
        return "Show the identity of SeedChip devices";
    }

    void configure(CLI::App& app) override {
        app.add_option("-d,--device", device_,
                       "Device: index, PCI address (dddd:bb:dd.f), UUID or /dev/accel/accelN "
                       "(default: every visible device)");
        app.add_flag("--json", json_, "Print JSON (docs/seedctl-json.md) instead of text");
        app.footer("Exit status: 0 success, 1 no such device or failure, 2 usage error, 77 "
                   "unsupported by the driver.");
    }

    int run(const Io& io) override {
        std::vector<seed::DeviceInfo> devices;
        if (device_) {
            devices.push_back(seed::Device::open(*device_).info());
        } else {
            devices = seed::Device::list();
            if (devices.empty()) {
                print_error(io.err, "no SeedChip devices found",
                            no_devices_hint(visible_devices_set()));
                return exit_failure;
            }
        }
        io.out << (json_ ? render_info_json(devices) : render_info_text(devices));
        return exit_ok;
    }

private:
    std::optional<std::string> device_;
    bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_info_command() {
    return std::make_unique<InfoCommand>();
}

} // namespace seedctl
