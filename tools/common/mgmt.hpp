// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Small C++ conveniences over the management C API (seed/mgmt.h) for the
// fleet tools (seedctl, its exporter, seed-device-plugin): structures with
// their size set, errors as exceptions, the monitor as an object. The fleet
// tools read chips through these and nothing else.
#pragma once

#include <seed/mgmt.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace seed::fleet {

/// A failed management call: the status and libseed's message.
class MgmtError : public std::runtime_error {
public:
    MgmtError(seed_status status, const std::string& what)
        : std::runtime_error(what + ": " + seed_last_error_message()), status_(status) {}
    [[nodiscard]] seed_status status() const noexcept { return status_; }

private:
    seed_status status_;
};

/// Throws MgmtError unless @p status is SEED_SUCCESS.
inline void check(seed_status status, const std::string& what) {
    if (status != SEED_SUCCESS)
        throw MgmtError(status, what);
}

/// A zeroed structure with its size member set.
template <typename T>
[[nodiscard]] T sized() {
    T value{};
    value.size = sizeof(T);
    return value;
}

/// seed_mgmt_init() for the lifetime of the object.
class MgmtSession {
public:
    MgmtSession() { check(seed_mgmt_init(), "initialise the management API"); }
    ~MgmtSession() { (void)seed_mgmt_shutdown(); }
    MgmtSession(const MgmtSession&) = delete;
    MgmtSession& operator=(const MgmtSession&) = delete;
};

// One call each, the structure returned; @throws MgmtError.
[[nodiscard]] inline seed_mgmt_identity identity(seed_mgmt_device device) {
    auto v = sized<seed_mgmt_identity>();
    check(seed_mgmt_device_identity(device, &v), "read the identity");
    return v;
}
[[nodiscard]] inline seed_mgmt_memory memory(seed_mgmt_device device) {
    auto v = sized<seed_mgmt_memory>();
    check(seed_mgmt_device_memory(device, &v), "read the memory figures");
    return v;
}
[[nodiscard]] inline seed_mgmt_pcie pcie(seed_mgmt_device device) {
    auto v = sized<seed_mgmt_pcie>();
    check(seed_mgmt_device_pcie(device, &v), "read the PCIe link");
    return v;
}
[[nodiscard]] inline seed_mgmt_counters counters(seed_mgmt_device device) {
    auto v = sized<seed_mgmt_counters>();
    check(seed_mgmt_device_counters(device, &v), "read the driver counters");
    return v;
}
[[nodiscard]] inline seed_mgmt_telemetry telemetry(seed_mgmt_device device) {
    auto v = sized<seed_mgmt_telemetry>();
    check(seed_mgmt_device_telemetry(device, &v), "read the telemetry");
    return v;
}
[[nodiscard]] inline seed_mgmt_capabilities capabilities(seed_mgmt_device device) {
    auto v = sized<seed_mgmt_capabilities>();
    check(seed_mgmt_device_capabilities(device, &v), "read the capabilities");
    return v;
}
[[nodiscard]] inline seed_mgmt_power_limit power_limit(seed_mgmt_device device) {
    auto v = sized<seed_mgmt_power_limit>();
    check(seed_mgmt_device_power_limit(device, &v), "read the power limit");
    return v;
}
[[nodiscard]] inline seed_mgmt_health health(seed_mgmt_device device) {
    auto v = sized<seed_mgmt_health>();
    check(seed_mgmt_device_health(device, &v), "probe the health");
    return v;
}

/// The chip named by @p spec (physical index, PCI address, UUID, node).
[[nodiscard]] inline seed_mgmt_device find_device(const std::string& spec) {
    seed_mgmt_device device = nullptr;
    check(seed_mgmt_device_find(spec.c_str(), &device), "find device '" + spec + "'");
    return device;
}

/// The chips libseed applications with this environment see, in their
/// order (seed_mgmt_visible_devices).
[[nodiscard]] inline std::vector<seed_mgmt_device> visible_devices() {
    for (;;) {
        unsigned count = 0;
        check(seed_mgmt_visible_devices(nullptr, &count), "list the visible SeedChips");
        std::vector<seed_mgmt_device> out(count);
        if (count == 0)
            return out;
        const seed_status status = seed_mgmt_visible_devices(out.data(), &count);
        if (status == SEED_ERROR_INSUFFICIENT_SIZE)
            continue; // a chip came meanwhile
        check(status, "list the visible SeedChips");
        out.resize(count);
        return out;
    }
}

/// Every SeedChip client the caller may inspect (seed_mgmt_processes).
struct ProcessList {
    std::vector<seed_mgmt_process> processes;
    unsigned unreadable = 0; ///< processes whose descriptors could not be inspected
};
[[nodiscard]] inline ProcessList processes() {
    for (;;) {
        ProcessList out;
        std::size_t count = 0;
        check(seed_mgmt_processes(nullptr, &count, &out.unreadable), "list the SeedChip clients");
        out.processes.assign(count, sized<seed_mgmt_process>());
        if (count == 0)
            return out;
        const seed_status status =
            seed_mgmt_processes(out.processes.data(), &count, &out.unreadable);
        if (status == SEED_ERROR_INSUFFICIENT_SIZE)
            continue; // a client came meanwhile
        check(status, "list the SeedChip clients");
        out.processes.resize(count);
        return out;
    }
}

/// The driver's uevents of SeedChips (seed_mgmt_monitor_*).
class Monitor {
public:
    Monitor() {
        seed_mgmt_monitor* raw = nullptr;
        check(seed_mgmt_monitor_create(&raw), "listen to the driver's uevents");
        monitor_.reset(raw);
    }
    /// A descriptor that polls readable when an event may be waiting.
    [[nodiscard]] int fd() const { return seed_mgmt_monitor_fd(monitor_.get()); }
    /// The next event within @p timeout_ms (-1: forever; 0: only one that
    /// is waiting), or std::nullopt.
    [[nodiscard]] std::optional<seed_mgmt_event> next(int timeout_ms) {
        auto event = sized<seed_mgmt_event>();
        const seed_status status = seed_mgmt_monitor_next(monitor_.get(), &event, timeout_ms);
        if (status == SEED_ERROR_TIMEOUT)
            return std::nullopt;
        check(status, "read the driver's uevents");
        return event;
    }

private:
    struct Destroy {
        void operator()(seed_mgmt_monitor* m) const { seed_mgmt_monitor_destroy(m); }
    };
    std::unique_ptr<seed_mgmt_monitor, Destroy> monitor_;
};

/// The identity of every chip, by physical index. A chip that vanishes
/// while being read is left out.
[[nodiscard]] inline std::vector<seed_mgmt_identity> all_identities() {
    unsigned count = 0;
    check(seed_mgmt_device_count(&count), "count SeedChips");
    std::vector<seed_mgmt_identity> out;
    for (unsigned i = 0; i < count; ++i) {
        auto id = sized<seed_mgmt_identity>();
        seed_mgmt_device device = nullptr;
        if (seed_mgmt_device_by_index(i, &device) == SEED_SUCCESS &&
            seed_mgmt_device_identity(device, &id) == SEED_SUCCESS)
            out.push_back(id);
    }
    return out;
}

} // namespace seed::fleet
