// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// A chip's power management as the VM tests see it: its runtime PM knobs
// in sysfs and its PCI power state (PMCSR).
#pragma once

#include "seed_drm.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <linux/pci_regs.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace seed::vm {

inline bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

// PMCSR.PowerState from the configuration space file (0 = D0, 3 = D3hot),
// or -1 if there is no PM capability.
inline int power_state(const std::filesystem::path& pci) {
    std::ifstream in(pci / "config", std::ios::binary);
    std::vector<std::uint8_t> cfg(256);
    in.read(reinterpret_cast<char*>(cfg.data()), static_cast<std::streamsize>(cfg.size()));
    if (in.gcount() < PCI_STD_HEADER_SIZEOF)
        return -1;
    const auto got = static_cast<size_t>(in.gcount());
    std::uint8_t pos = cfg[PCI_CAPABILITY_LIST] & ~3;
    for (int n = 0; n < 48 && pos >= PCI_STD_HEADER_SIZEOF && pos + 8u <= got; ++n) {
        if (cfg[pos + PCI_CAP_LIST_ID] == PCI_CAP_ID_PM)
            return cfg[pos + PCI_PM_CTRL] & PCI_PM_CTRL_STATE_MASK;
        pos = cfg[pos + PCI_CAP_LIST_NEXT] & ~3;
    }
    return -1;
}

// One chip by its index in the VM: its PCI directory and power knobs, put
// back as they were when it goes.
class PmChip {
public:
    explicit PmChip(unsigned k) : serial_(seed::vm::serial(k)) {
        const std::string node = node_of(serial_);
        if (node.empty())
            return;
        pci_ = std::filesystem::canonical(std::filesystem::path("/sys/class/accel") /
                                          std::filesystem::path(node).filename() / "device");
        saved_delay_ = read_line(power() / "autosuspend_delay_ms");
        saved_control_ = read_line(power() / "control");
    }
    PmChip(const PmChip&) = delete;
    PmChip& operator=(const PmChip&) = delete;
    ~PmChip() { restore(); }

    bool found() const { return !pci_.empty(); }
    const std::filesystem::path& pci() const { return pci_; }
    std::string node() const { return node_of(serial_); }
    std::filesystem::path power() const { return pci_ / "power"; }
    std::string status() const { return read_line(power() / "runtime_status"); }
    bool set_delay(const std::string& ms) const {
        return write_file(power() / "autosuspend_delay_ms", ms);
    }
    /// Puts the knobs back as they were (after a rebind too).
    void restore() const {
        if (pci_.empty() || node().empty())
            return;
        if (!saved_delay_.empty())
            set_delay(saved_delay_);
        if (!saved_control_.empty())
            write_file(power() / "control", saved_control_);
    }
    /// Waits until the chip is runtime suspended, and in D3hot.
    ::testing::AssertionResult
    wait_suspended(std::chrono::milliseconds limit = std::chrono::milliseconds(20000)) const {
        if (!wait_for([&] { return status() == "suspended"; }, limit))
            return ::testing::AssertionFailure() << "runtime_status still " << status();
        const int state = power_state(pci_);
        if (state != 3)
            return ::testing::AssertionFailure() << "suspended, but PMCSR power state " << state;
        return ::testing::AssertionSuccess();
    }

private:
    std::string serial_;
    std::filesystem::path pci_;
    std::string saved_delay_;
    std::string saved_control_;
};

} // namespace seed::vm
