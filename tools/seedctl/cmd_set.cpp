// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl set: change a device setting. Today the board power cap, through
// the driver's hwmon power1_cap (microwatts).
#include "command.hpp"
#include "fields.hpp"
#include "output.hpp"
#include "report.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <ostream>

#include <sys/stat.h>
#include <unistd.h>

namespace seedctl {

std::optional<std::int64_t> parse_microwatts(std::string_view text) {
    std::int64_t v = 0;
    const auto* end = text.data() + text.size();
    while (end != text.data() && (end[-1] == '\n' || end[-1] == ' '))
        --end;
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end || p == text.data())
        return std::nullopt;
    return v;
}

namespace {

std::optional<std::int64_t> read_microwatts(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line))
        return std::nullopt;
    return parse_microwatts(line);
}

std::string watts(std::int64_t uw) {
    return fixed(static_cast<double>(uw) / 1e6, 3) + " W";
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
        const auto dev = seed::Device::open(device_);
        const auto& info = dev.info();
        const std::string where =
            "device " + std::to_string(info.index) + " (" + info.pci_address + ")";
        const auto dir = hwmon_dir(info.pci_address);
        if (!dir) {
            print_error(io.err, where + " has no hwmon device; cannot set a power cap",
                        "check `dmesg | grep seed` for \"no hwmon device\"");
            return exit_unsupported;
        }
        const std::string cap_path = *dir + "/power1_cap";
        struct stat st {};
        if (::stat(cap_path.c_str(), &st) != 0) {
            print_error(io.err, where + ": the driver provides no hwmon power1_cap", "");
            return exit_unsupported;
        }
        if ((st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0) {
            print_error(io.err,
                        where + ": the driver does not support setting the power cap (" + cap_path +
                            " is read-only)",
                        "this seed.ko reports the rated board power as power1_cap; setting a "
                        "cap needs a driver and device with a writable power limit");
            return exit_unsupported;
        }
        const auto requested = static_cast<std::int64_t>(std::llround(power_cap_w_ * 1e6));
        const auto min = read_microwatts(*dir + "/power1_cap_min");
        const auto max = read_microwatts(*dir + "/power1_cap_max");
        if ((min && requested < *min) || (max && requested > *max)) {
            print_error(io.err,
                        "power cap " + watts(requested) + " is out of range for " + where + ": " +
                            (min ? watts(*min) : std::string("0 W")) + " to " +
                            (max ? watts(*max) : std::string("unbounded")) +
                            " (hwmon power1_cap_min/power1_cap_max); nothing changed",
                        "");
            return exit_usage;
        }
        if (::access(cap_path.c_str(), W_OK) != 0) {
            print_error(io.err,
                        "setting the power cap of " + where + " needs root: cannot write " +
                            cap_path + ": " + std::strerror(errno),
                        "run as root (sudo seedctl set ...)");
            return exit_failure;
        }
        const auto before = read_microwatts(cap_path);
        {
            std::ofstream out(cap_path);
            out << requested << '\n';
            out.flush();
            if (!out) {
                const int err = errno;
                print_error(io.err,
                            "the driver refused power cap " + watts(requested) + " for " + where +
                                ": " + std::strerror(err),
                            "");
                return exit_failure;
            }
        }
        const auto after = read_microwatts(cap_path);
        if (json_) {
            Json j = device_summary_json(info);
            j["power_cap"] = {
                {"requested_watts", static_cast<double>(requested) / 1e6},
                {"before_watts", before ? Json(static_cast<double>(*before) / 1e6) : Json()},
                {"after_watts", after ? Json(static_cast<double>(*after) / 1e6) : Json()}};
            Json array = Json::array();
            array.push_back(std::move(j));
            io.out << to_text(devices_document(std::move(array)));
        } else {
            io.out << "Device " << info.index << " (" << info.pci_address << "): power cap "
                   << (after ? watts(*after) : std::string("unknown"));
            if (before)
                io.out << " (was " << watts(*before) << ")";
            io.out << '\n';
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
