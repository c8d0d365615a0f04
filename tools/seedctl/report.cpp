// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "report.hpp"

#include "command.hpp"

#include <seed/error.hpp>

#include <cstdlib>
#include <ostream>
#include <string_view>

#include <unistd.h>

namespace seedctl {

Diagnosis diagnose(const std::error_code& code, bool visible_set) {
    if (code == seed::Errc::invalid_device_spec) {
        return {exit_usage, "a device is an index, a PCI address (dddd:bb:dd.f), a UUID or "
                            "/dev/accel/accelN; see `seedctl list`"};
    }
    if (code == seed::Errc::device_not_found) {
        return {exit_failure, visible_set ? "run `seedctl list` to see the visible devices "
                                            "(SEED_VISIBLE_DEVICES hides the others)"
                                          : "run `seedctl list` to see the available devices"};
    }
    if (code == seed::Errc::invalid_visible_devices) {
        return {exit_failure, "fix or unset SEED_VISIBLE_DEVICES, e.g. SEED_VISIBLE_DEVICES=0,1"};
    }
    if (code == std::errc::permission_denied || code == std::errc::operation_not_permitted) {
        return {exit_failure, "run as root, or get read-write access to /dev/accel/accel*"};
    }
    if (code == std::errc::inappropriate_io_control_operation ||
        code == std::errc::operation_not_supported || code == std::errc::function_not_supported) {
        return {exit_unsupported, "the loaded seed.ko does not support this request; compare "
                                  "`modinfo seed` with this seedctl"};
    }
    return {exit_failure, "see `dmesg | grep seed` for the driver's view"};
}

bool visible_devices_set() noexcept {
    if (std::getenv("SEED_VISIBLE_DEVICES") != nullptr)
        return true;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e)
        if (std::string_view(*e).starts_with("SEED_VISIBLE_DEVICE_"))
            return true;
    return false;
}

void print_error(std::ostream& err, const std::string& message, const std::string& hint) {
    err << "seedctl: error: " << message << '\n';
    if (!hint.empty())
        err << "seedctl: hint: " << hint << '\n';
}

std::string no_devices_hint(bool visible_set) {
    if (visible_set)
        return "SEED_VISIBLE_DEVICES is set and may hide every device; unset it";
    return "is seed.ko loaded? see `dmesg | grep seed`";
}

int report_no_devices(std::ostream& err) {
    print_error(err, "no SeedChip devices found", no_devices_hint(visible_devices_set()));
    return exit_failure;
}

} // namespace seedctl
