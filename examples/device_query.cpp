// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Lists every visible SeedChip with its identity and memory usage.
#include <seed/seed.hpp>

#include <cstdio>
#include <exception>
#include <string>

int main() {
    try {
        const auto devices = seed::Device::list();
        if (devices.empty()) {
            std::puts("no SeedChip device");
            return 1;
        }
        for (const seed::DeviceInfo& info : devices) {
            const seed::Device dev = seed::Device::open(info.index);
            const seed::MemoryUsage mem = dev.memory_usage();
            std::printf("device %u: %s  %s  serial %s\n", info.index, info.node.c_str(),
                        info.pci_address.c_str(), info.serial.c_str());
            std::printf("  HBM %s, %s used; %u queues, %u engines; driver %s %s\n",
                        seed::format_size(mem.hbm_total).c_str(),
                        seed::format_size(mem.hbm_used).c_str(), info.num_queues, info.num_engines,
                        info.driver.name.c_str(), seed::version_string(info.driver).c_str());
            std::string caps;
            for (const auto& c : seed::cap_names(info.caps))
                caps += " " + c;
            std::printf("  capabilities:%s; io_uring submit: %s\n", caps.c_str(),
                        dev.uses_io_uring() ? "yes" : "no");
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "device_query: %s\n", e.what());
        return 1;
    }
}
