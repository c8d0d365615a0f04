// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl cdi generate: a Container Device Interface spec for the devices.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/uuid.hpp>

#include <cctype>
#include <fstream>
#include <ostream>
#include <string_view>
#include <vector>

#include <stdlib.h>
#include <unistd.h>

namespace seedctl {

std::string cdi_env_name(const seed::Uuid& uuid) {
    std::string name = "SEED_VISIBLE_DEVICE_";
    for (const char c : seed::format_uuid(uuid))
        if (c != '-')
            name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

std::string render_cdi_spec(std::span<const seed::DeviceInfo> devices) {
    Json spec;
    spec["cdiVersion"] = cdi_version;
    spec["kind"] = cdi_kind;
    Json list = Json::array();
    Json all_nodes = Json::array();
    Json all_env = Json::array();
    for (const auto& d : devices) {
        const Json node = {{"path", d.node}, {"type", "c"}, {"permissions", "rw"}};
        // A variable of its own per chip: runtimes replace same-named
        // variables, and libseed sees the union of these.
        const std::string env = cdi_env_name(d.uuid) + '=' + seed::format_uuid(d.uuid);
        all_nodes.push_back(node);
        all_env.push_back(env);
        const Json edits = {{"deviceNodes", Json::array({node})}, {"env", Json::array({env})}};
        for (const std::string& name : {std::to_string(d.index), seed::format_uuid(d.uuid)})
            list.push_back({{"name", name}, {"containerEdits", edits}});
    }
    if (!devices.empty())
        list.push_back(
            {{"name", "all"}, {"containerEdits", {{"deviceNodes", all_nodes}, {"env", all_env}}}});
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
            std::string("Writes a CDI spec (cdiVersion ") + cdi_version + ", kind " + cdi_kind +
            ") for every chip of the machine, named by its physical index and by its UUID, "
            "plus \"all\". Each injects /dev/accel/accelN and sets a variable of its own, "
            "SEED_VISIBLE_DEVICE_<UUID hex>=<UUID>, so several chips given to one container "
            "add up (libseed sees the union). SEED_VISIBLE_DEVICES and SEED_VISIBLE_DEVICE_* "
            "in the environment are ignored: indices are physical. Run it as root, save it as "
            "/etc/cdi/seedchip.json, then e.g. `podman run --device seedchip.org/accel=0 "
            "--device seedchip.org/accel=2 ...`.");
        gen->footer("Exit status: 0 success, 1 no device or the file cannot be written, 2 usage "
                    "error.");
    }

    int run(const Io& io) override {
        // Names are physical indices, whoever runs the command.
        std::vector<std::string> hidden;
        for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
            const std::string_view var(*e);
            if (var.starts_with("SEED_VISIBLE_DEVICE"))
                hidden.emplace_back(var.substr(0, var.find('=')));
        }
        for (const auto& name : hidden)
            ::unsetenv(name.c_str());
        if (!hidden.empty())
            io.err << "seedctl: note: ignoring SEED_VISIBLE_DEVICES and SEED_VISIBLE_DEVICE_*: "
                      "the spec lists every chip by physical index\n";
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
