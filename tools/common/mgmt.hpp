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

/// Calls the seed_mgmt_device_* getter @p get on @p device with a sized T
/// and returns it; @throws MgmtError saying it could not @p what.
template <typename T>
[[nodiscard]] T get_sized(seed_status (*get)(seed_mgmt_device, T*), seed_mgmt_device device,
                          const char* what) {
    auto v = sized<T>();
    check(get(device, &v), what);
    return v;
}

// One call each, the structure returned; @throws MgmtError.
[[nodiscard]] inline seed_mgmt_identity identity(seed_mgmt_device device) {
    return get_sized(seed_mgmt_device_identity, device, "read the identity");
}
[[nodiscard]] inline seed_mgmt_memory memory(seed_mgmt_device device) {
    return get_sized(seed_mgmt_device_memory, device, "read the memory figures");
}
[[nodiscard]] inline seed_mgmt_pcie pcie(seed_mgmt_device device) {
    return get_sized(seed_mgmt_device_pcie, device, "read the PCIe link");
}
[[nodiscard]] inline seed_mgmt_counters counters(seed_mgmt_device device) {
    return get_sized(seed_mgmt_device_counters, device, "read the driver counters");
}
[[nodiscard]] inline seed_mgmt_telemetry telemetry(seed_mgmt_device device) {
    return get_sized(seed_mgmt_device_telemetry, device, "read the telemetry");
}
[[nodiscard]] inline seed_mgmt_capabilities capabilities(seed_mgmt_device device) {
    return get_sized(seed_mgmt_device_capabilities, device, "read the capabilities");
}
[[nodiscard]] inline seed_mgmt_power_limit power_limit(seed_mgmt_device device) {
    return get_sized(seed_mgmt_device_power_limit, device, "read the power limit");
}
[[nodiscard]] inline seed_mgmt_health health(seed_mgmt_device device) {
    return get_sized(seed_mgmt_device_health, device, "probe the health");
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
