// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device selection shared by the per-device commands.
#include "command.hpp"

namespace seedctl {

std::vector<seed::Device> open_devices(const std::optional<std::string>& spec) {
    std::vector<seed::Device> devices;
    if (spec) {
        devices.push_back(seed::Device::open(*spec));
        return devices;
    }
    const auto infos = seed::Device::list();
    for (const auto& info : infos)
        devices.push_back(seed::Device::open(info.index));
    return devices;
}

void add_device_option(CLI::App& app, std::optional<std::string>& device) {
    app.add_option("-d,--device", device,
                   "Device: index, PCI address (dddd:bb:dd.f), UUID or /dev/accel/accelN "
                   "(default: every visible device)");
}

} // namespace seedctl
