// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl cdi generate: a Container Device Interface spec for the devices,
// the one seed-device-plugin writes too (tools/common/cdi.cpp).
#include "cdi.hpp"
#include "chips.hpp"
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <fstream>
#include <ostream>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace seedctl {

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
            std::string("Writes a CDI spec (cdiVersion ") + seed::fleet::cdi_version + ", kind " +
            seed::fleet::cdi_kind +
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
        // Names are physical indices, whoever runs the command: the
        // management API's enumeration ignores these variables.
        bool hidden = false;
        for (char** e = environ; e != nullptr && *e != nullptr; ++e)
            hidden = hidden || std::string_view(*e).starts_with("SEED_VISIBLE_DEVICE");
        if (hidden)
            io.err << "seedctl: note: ignoring SEED_VISIBLE_DEVICES and SEED_VISIBLE_DEVICE_*: "
                      "the spec lists every chip by physical index\n";
        std::vector<seed_mgmt_identity> chips;
        try {
            chips = seed::fleet::all_identities();
        } catch (const seed::fleet::MgmtError& e) {
            throw failure_of(e);
        }
        if (chips.empty()) {
            return report_no_devices(io.err);
        }
        const std::string text = seed::fleet::render_cdi_spec(chips);
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
