// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl reset: reset a device, refusing while other processes use it.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/error.hpp>

#include <cstdint>
#include <optional>
#include <ostream>

namespace seedctl {
namespace {

// The driver's reset count (sysfs, through the management API), if readable.
std::optional<std::uint64_t> reset_count(const Chip& chip) {
    auto c = seed::fleet::sized<seed_mgmt_counters>();
    if (seed_mgmt_device_counters(chip.handle, &c) != SEED_SUCCESS || c.reset_count == UINT64_MAX)
        return std::nullopt;
    return c.reset_count;
}

class ResetCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "reset"; }
    std::string_view summary() const noexcept override {
        return "Reset a device (needs CAP_SYS_ADMIN)";
    }

    void configure(CLI::App& app) override {
        auto* device = app.add_option("-d,--device", device_,
                                      "Device: index, PCI address (dddd:bb:dd.f), UUID or "
                                      "/dev/accel/accelN");
        app.add_flag("--all", all_, "Reset every visible device (required without -d)")
            ->excludes(device);
        app.add_flag("-f,--force", force_,
                     "Reset even if other processes hold the device open (their running jobs "
                     "fail with reason 'reset')");
        app.add_flag("--json", json_, "Print the outcome as JSON (docs/seedctl-json.md)");
        app.description(
            "Reset one device (-d), or every visible device (--all), through "
            "DRM_IOCTL_SEED_RESET and wait until it works again. Without -d or --all it "
            "refuses and resets nothing. Needs CAP_SYS_ADMIN. Refuses when `seedctl ps` shows "
            "other processes using the device, unless --force. Reports the reset count "
            "before and after.");
        app.footer("Exit status: 0 every reset succeeded, 1 a reset failed (including "
                   "permission denied or an unrecoverable device), 2 usage error (including "
                   "neither -d nor --all), 3 refused "
                   "because the device is in use (see --force).");
    }

    int run(const Io& io) override {
        if (!device_ && !all_) {
            print_error(io.err, "reset needs -d DEV or --all; nothing was reset",
                        "`seedctl list` shows the devices; `seedctl reset --all` resets every "
                        "visible device");
            return exit_usage;
        }
        const auto chips = select_chips(device_);
        if (chips.empty()) {
            return report_no_devices(io.err);
        }
        if (!force_) {
            const Clients clients = read_clients();
            for (const auto& chip : chips) {
                std::string users;
                for (const auto& p : clients.of(chip.info.pci_address)) {
                    if (!users.empty())
                        users += ", ";
                    users += p.command + '[' + std::to_string(p.pid) + ']';
                }
                if (!users.empty()) {
                    print_error(io.err,
                                "device " + std::to_string(chip.info.index) + " (" +
                                    chip.info.pci_address + ") is in use by " + users +
                                    "; not resetting",
                                "stop those processes, or pass --force to reset anyway (their "
                                "running jobs will fail)");
                    return exit_in_use;
                }
            }
        }
        Json results = Json::array();
        int status = exit_ok;
        for (const auto& chip : chips) {
            const auto& info = chip.info;
            Json j = device_summary_json(info);
            const auto before = reset_count(chip);
            if (const seed_status st = seed_mgmt_device_reset(chip.handle); st != SEED_SUCCESS) {
                const std::string why = seed_last_error_message();
                const Diagnosis d = diagnose(error_code_of(st, seed::Errc::invalid_argument),
                                             visible_devices_set());
                print_error(io.err, "reset failed: " + why, d.hint);
                status = exit_failure;
                j["reset"] = {{"ok", false}, {"error", why}};
                results.push_back(std::move(j));
                continue;
            }
            const auto after = reset_count(chip);
            j["reset"] = {{"ok", true},
                          {"reset_count_before", before ? Json(*before) : Json()},
                          {"reset_count_after", after ? Json(*after) : Json()}};
            results.push_back(std::move(j));
            if (!json_) {
                io.out << "Device " << info.index << " (" << info.pci_address << "): reset done";
                if (after)
                    io.out << ", reset count " << *after;
                io.out << '\n';
            }
        }
        if (json_)
            io.out << to_text(devices_document(std::move(results)));
        return status;
    }

private:
    std::optional<std::string> device_;
    bool all_ = false;
    bool force_ = false;
    bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_reset_command() {
    return std::make_unique<ResetCommand>();
}

} // namespace seedctl
