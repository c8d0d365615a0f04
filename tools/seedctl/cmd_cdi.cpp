// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl cdi generate: a Container Device Interface spec for the devices.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/uuid.hpp>

#include <fstream>
#include <ostream>

namespace seedctl {

std::string render_cdi_spec(std::span<const seed::DeviceInfo> devices) {
    Json spec;
    spec["cdiVersion"] = "0.6.0";
    spec["kind"] = cdi_kind;
    Json list = Json::array();
    Json all_nodes = Json::array();
    for (const auto& d : devices) {
        const Json node = {{"path", d.node}, {"type", "c"}, {"permissions", "rw"}};
        all_nodes.push_back(node);
        const Json edits = {
            {"deviceNodes", Json::array({node})},
            {"env", Json::array({"SEED_VISIBLE_DEVICES=" + seed::format_uuid(d.uuid)})}};
        for (const std::string& name : {std::to_string(d.index), seed::format_uuid(d.uuid)})
            list.push_back({{"name", name}, {"containerEdits", edits}});
    }
    if (!devices.empty())
        list.push_back({{"name", "all"}, {"containerEdits", {{"deviceNodes", all_nodes}}}});
    spec["devices"] = std::move(list);
    return to_text(spec);
}

namespace {

class CdiCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "cdi"; }
    std::string_view summary() const noexcept override {
        return "Container Device Interface: `cdi generate` writes a CDI spec";
    }

    void configure(CLI::App& app) override {
        app.require_subcommand(1);
        app.footer("Run `seedctl cdi generate --help` for the spec layout. Exit status: 0 "
                   "success, 1 failure, 2 usage error.");
        auto* gen =
            app.add_subcommand("generate", "Write a CDI spec (JSON) for every visible device");
        gen->add_option("-o,--output", output_, "Write to FILE instead of stdout");
        gen->description(
            std::string("Writes a CDI spec (cdiVersion 0.6.0, kind ") + cdi_kind +
            ") with one device per chip under its index and under its UUID, plus \"all\". "
            "Each injects /dev/accel/accelN and sets SEED_VISIBLE_DEVICES to the chip's UUID. "
            "Save it as /etc/cdi/seedchip.json, then e.g. `podman run --device "
            "seedchip.org/accel=0 ...`.");
        gen->footer("Exit status: 0 success, 1 no device or the file cannot be written, 2 usage "
                    "error.");
    }

    int run(const Io& io) override {
        const auto devices = seed::Device::list();
        if (devices.empty()) {
            return report_no_devices(io.err);
        }
        const std::string text = render_cdi_spec(devices);
        if (output_.empty()) {
            io.out << text;
            return exit_ok;
        }
        std::ofstream file(output_, std::ios::trunc);
        file << text;
        file.close();
        if (!file) {
            print_error(io.err, "cannot write " + output_, "check the directory and permissions");
            return exit_failure;
        }
        return exit_ok;
    }

private:
    std::string output_;
};

} // namespace

std::unique_ptr<Command> make_cdi_command() {
    return std::make_unique<CdiCommand>();
}

} // namespace seedctl
