// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// DeviceInfo values for tests that do not touch a device.
#pragma once

#include <seed/device.hpp>

#include <string>

namespace seed::test {

/// Device k as the VM runner would configure it: serial SEEDVM-<kkkk>,
/// UUID 5eed0000-0000-4000-8000-<k as 12 hex digits>, 1 GiB of HBM.
inline DeviceInfo sample_device(unsigned k) {
    DeviceInfo info;
    info.index = k;
    info.minor = k;
    info.node = "/dev/accel/accel" + std::to_string(k);
    info.pci = PciAddress{0, 0, static_cast<std::uint8_t>(4 + k), 0};
    info.pci_address = format_pci_address(info.pci);
    info.uuid = *parse_uuid("5eed0000-0000-4000-8000-000000000000");
    info.uuid[15] = static_cast<std::uint8_t>(k);
    const std::string digits = std::to_string(k);
    info.serial = "SEEDVM-" + std::string(4 - digits.size(), '0') + digits;
    info.hbm_size = std::uint64_t{1} << 30;
    info.hw_revision = {1, 0};
    info.fw_version = {1, 2, 3};
    info.num_queues = 4;
    info.num_engines = 2;
    info.caps = 0x1f;
    info.dtypes = 0x1f;
    info.page_sizes = (std::uint64_t{1} << 12) | (std::uint64_t{1} << 21);
    info.irq_count = 7;
    info.driver = {"seed", 0, 1, 0, "SeedChip accelerator"};
    return info;
}

} // namespace seed::test
