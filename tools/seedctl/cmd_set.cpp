// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl set: change a device setting. Today the board power cap, through
// the management API (seed_mgmt_device_set_power_limit: hwmon power1_cap).
#include "chips.hpp"
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <ostream>

namespace seedctl {

namespace {

std::string watts(std::int64_t mw) {
    return fixed(static_cast<double>(mw) / 1e3, 3) + " W";
}

class SetCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "set"; }
    std::string_view summary() const noexcept override {
        return "Change a device setting (board power cap; needs root)";
    }

    void configure(CLI::App& app) override {
        app.add_option("-d,--device", device_,
                       "Device: index, PCI address (dddd:bb:dd.f), UUID or /dev/accel/accelN")
            ->required();
        app.add_option("--power-cap", power_cap_w_,
                       "Board power cap in watts, written to hwmon power1_cap; must lie within "
                       "power1_cap_min..power1_cap_max when the driver provides them")
            ->check(CLI::PositiveNumber)
            ->required();
        app.add_flag("--json", json_, "Print the outcome as JSON (docs/seedctl-json.md)");
        app.description(
            "Set the board power cap of one device through the driver's hwmon power1_cap. "
            "Needs root (write access to power1_cap). The value is checked against "
            "power1_cap_min and power1_cap_max where the driver provides them, else left to "
            "the driver. The cap lasts as long as the driver keeps it: seedctl stores nothing, "
            "so reapply it after a reboot or driver reload (e.g. from a systemd unit). A driver "
            "whose power1_cap is read-only does not support setting it (exit 77).");
        app.footer("Exit status: 0 the cap was set, 1 failure (no such device, permission "
                   "denied, the driver refused the value), 2 usage error (including a value "
                   "out of range), 77 the driver does not support setting a power cap.");
    }

    int run(const Io& io) override {
        const Chip chip = find_chip(device_);
        const auto& info = chip.info;
        const std::string where =
            "device " + std::to_string(info.index) + " (" + info.pci_address + ")";
        auto limit = seed::fleet::sized<seed_mgmt_power_limit>();
        if (const seed_status st = seed_mgmt_device_power_limit(chip.handle, &limit);
            st != SEED_SUCCESS) {
            if (st != SEED_ERROR_NOT_SUPPORTED)
                throw seed::fleet::MgmtError(st, "read the power limit of " + where);
            print_error(io.err,
                        where + " reports no power limit; cannot set a power cap (" +
                            seed_last_error_message() + ")",
                        "check `dmesg | grep seed` for \"no hwmon device\"");
            return exit_unsupported;
        }
        if (limit.settable == 0) {
            print_error(io.err,
                        where + ": the driver does not support setting the power cap (its hwmon "
                                "power1_cap is read-only)",
                        "this seed.ko reports the rated board power as power1_cap; setting a "
                        "cap needs a driver and device with a writable power limit");
            return exit_unsupported;
        }
        const auto requested = static_cast<std::int64_t>(std::llround(power_cap_w_ * 1e3));
        if (requested <= 0 || (limit.min_mw != 0 && requested < limit.min_mw) ||
            (limit.max_mw != 0 && requested > limit.max_mw)) {
            print_error(io.err,
                        "power cap " + watts(requested) + " is out of range for " + where + ": " +
                            watts(limit.min_mw) + " to " +
                            (limit.max_mw != 0 ? watts(limit.max_mw) : std::string("unbounded")) +
                            " (hwmon power1_cap_min/power1_cap_max); nothing changed",
                        "");
            return exit_usage;
        }
        const std::int64_t before = limit.current_mw;
        if (const seed_status st = seed_mgmt_device_set_power_limit(
                chip.handle, static_cast<std::uint32_t>(requested));
            st != SEED_SUCCESS) {
            const std::string why = seed_last_error_message();
            if (st == SEED_ERROR_PERMISSION) {
                print_error(io.err, "setting the power cap of " + where + " needs root: " + why,
                            "run as root (sudo seedctl set ...)");
                return exit_failure;
            }
            print_error(io.err,
                        "the driver refused power cap " + watts(requested) + " for " + where +
                            ": " + why,
                        "");
            return st == SEED_ERROR_NOT_SUPPORTED ? exit_unsupported : exit_failure;
        }
        std::optional<std::int64_t> after;
        auto now = seed::fleet::sized<seed_mgmt_power_limit>();
        if (seed_mgmt_device_power_limit(chip.handle, &now) == SEED_SUCCESS)
            after = now.current_mw;
        if (json_) {
            Json j = device_summary_json(info);
            j["power_cap"] = {
                {"requested_watts", static_cast<double>(requested) / 1e3},
                {"before_watts", static_cast<double>(before) / 1e3},
                {"after_watts", after ? Json(static_cast<double>(*after) / 1e3) : Json()}};
            Json array = Json::array();
            array.push_back(std::move(j));
            io.out << to_text(devices_document(std::move(array)));
        } else {
            io.out << "Device " << info.index << " (" << info.pci_address << "): power cap "
                   << (after ? watts(*after) : std::string("unknown")) << " (was " << watts(before)
                   << ")\n";
        }
        return exit_ok;
    }

private:
    std::string device_;
    double power_cap_w_ = 0;
    bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_set_command() {
    return std::make_unique<SetCommand>();
}

} // namespace seedctl
