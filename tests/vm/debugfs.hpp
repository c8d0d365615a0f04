// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed.ko's debugfs files (kernel/seed_debugfs.c), for tests that must see
// what the driver did and has no UAPI for: the rings user queues run on (to
// aim fault injection at them, and to check nothing is left on them) and
// the event counters.
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

/// One row of "queues": a hardware queue the driver runs.
struct DebugfsRing {
    std::string role; ///< "kernel" or "user"
    unsigned hwq = 0;
    unsigned priority = 0;
    int nqueues = 0; ///< user queues placed on it
    unsigned inflight = 0;
    std::string state;
};

/// The rows of "queues" ("role hwq prio nqueues tail seqno inflight state ...").
inline std::vector<DebugfsRing> debugfs_rings(const std::string& dir) {
    std::ifstream in(dir + "/queues");
    std::vector<DebugfsRing> rings;
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::istringstream row(line);
        DebugfsRing r;
        unsigned long long tail = 0, seqno = 0;
        if (row >> r.role >> r.hwq >> r.priority >> r.nqueues >> tail >> seqno >> r.inflight >>
            r.state)
            rings.push_back(r);
    }
    return rings;
}

/// Hardware queues that run user queues now: the user rings that carry at
/// least one queue.
inline std::vector<unsigned> debugfs_user_hw_queues(const std::string& dir) {
    std::vector<unsigned> out;
    for (const auto& r : debugfs_rings(dir))
        if (r.role == "user" && r.nqueues > 0)
            out.push_back(r.hwq);
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
