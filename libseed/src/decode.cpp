// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "decode.hpp"

#include <hw/seed_hw.h>

#include <algorithm>
#include <cstring>

namespace seed::detail {

static_assert(sizeof(drm_seed_get_info::uuid) == std::tuple_size_v<Uuid>);

void decode_get_info(const drm_seed_get_info& raw, DeviceInfo& out) {
    out.hbm_size = raw.hbm_size;
    out.hw_revision = {SEED_HW_REV_MAJOR(raw.hw_revision), SEED_HW_REV_MINOR(raw.hw_revision)};
    out.fw_version = {SEED_FW_MAJOR(raw.fw_version), SEED_FW_MINOR(raw.fw_version),
                      SEED_FW_PATCH(raw.fw_version)};
    out.num_queues = raw.num_queues;
    out.num_engines = raw.num_engines;
    out.caps = raw.caps;
    out.dtypes = raw.dtypes;
    out.page_sizes = raw.page_sizes;
    out.irq_count = raw.irq_count;
    out.pci = PciAddress{raw.pci_domain, raw.pci_bus, raw.pci_device, raw.pci_function};
    out.pci_address = format_pci_address(out.pci);
    std::copy(std::begin(raw.uuid), std::end(raw.uuid), out.uuid.begin());

    // The serial is NUL-padded, but must not be trusted to be terminated.
    const std::size_t len = ::strnlen(raw.serial, sizeof(raw.serial));
    out.serial.assign(raw.serial, len);
    for (char& c : out.serial) {
        if (c < 0x20 || c > 0x7e)
            c = '?';
    }
}

} // namespace seed::detail
