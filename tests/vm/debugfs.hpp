// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed.ko's debugfs files (kernel/seed_debugfs.c), for tests that must see
// what the driver did and has no UAPI for: which hardware queues user
// queues run on (to aim fault injection at them) and the event counters.
// debugfs is not ABI: when its format changes, these parsers change with it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace seed::vm {

/// The debugfs directory of the chip whose accel node is @p node
/// ("/dev/accel/accelN"); "" if there is none.
inline std::string debugfs_dir(const std::string& node) {
    namespace fs = std::filesystem;
    const std::string minor = fs::path(node).filename().string().substr(5); // "accelN"
    std::error_code ec;
    for (const char* base : {"/sys/kernel/debug/accel/", "/sys/kernel/debug/dri/"}) {
        const fs::path dir = std::string(base) + minor;
        if (fs::exists(dir / "events", ec))
            return dir.string();
    }
    // Newer kernels name the directory after the PCI device.
    const fs::path pci = fs::canonical("/sys/class/accel/accel" + minor + "/device", ec);
    if (!ec) {
        const fs::path dir = fs::path("/sys/kernel/debug/accel") / pci.filename();
        if (fs::exists(dir / "events", ec))
            return dir.string();
    }
    return {};
}

/// Hardware queues that run user queues now, from "queues" (rows
/// "user <hwq> <ctx> ...").
inline std::vector<unsigned> debugfs_user_hw_queues(const std::string& dir) {
    std::ifstream in(dir + "/queues");
    std::vector<unsigned> out;
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string role;
        unsigned hwq = 0;
        if (row >> role >> hwq && role == "user")
            out.push_back(hwq);
    }
    return out;
}

/// One counter of "events" (a "name: value" line), if present.
inline std::optional<std::int64_t> debugfs_event_counter(const std::string& dir,
                                                         const std::string& name) {
    std::ifstream in(dir + "/events");
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos || line.substr(0, colon) != name)
            continue;
        try {
            return std::stoll(line.substr(colon + 1), nullptr, 0);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

} // namespace seed::vm
