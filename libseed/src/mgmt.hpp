// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The implementation behind the management C API (include/seed/mgmt.h):
// chips found through sysfs, their identity, PCIe and power figures, health
// probes, the DRM clients of /proc and the driver's uevents. Functions
// throw seed::Error; the C layer (mgmt_c_api.cpp) turns that into codes.
// Roots are parameters so that the host unit tests can point them at
// scratch trees.
#pragma once

#include <seed/error.hpp>
#include <seed/mgmt.h>

#include <algorithm>
#include <cstring>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seed::detail {

/// Where the management code looks.
struct MgmtRoots {
    std::filesystem::path sys = "/sys";
    std::filesystem::path dev = "/dev";
    std::filesystem::path proc = "/proc";
};

/// A chip bound to seed.ko, as sysfs shows it.
struct MgmtChip {
    unsigned index = 0; ///< physical index
    unsigned minor = 0;
    std::filesystem::path class_dir;  ///< /sys/class/accel/accelN
    std::filesystem::path device_dir; ///< its PCI device directory
};

/// Every accel node whose device is bound to the driver "seed", by minor.
[[nodiscard]] std::vector<MgmtChip> mgmt_chips(const MgmtRoots& roots = {});

/// The chip at physical @p index. @throws Error(device_not_found).
[[nodiscard]] MgmtChip mgmt_chip(unsigned index, const MgmtRoots& roots = {});

/// The physical index of the chip named by @p spec (index, PCI address,
/// UUID, node path). @throws Error(invalid_device_spec, device_not_found).
[[nodiscard]] unsigned mgmt_find(std::string_view spec, const MgmtRoots& roots = {});

/// Fills the caller's structure up to the size it declared (its first
/// member): members newer than the caller are left out, members newer than
/// the library stay zero. @throws Error(invalid_argument) if size is unset.
template <typename T>
void mgmt_deliver(const T& value, T& out) {
    const std::uint32_t size = out.size;
    if (size < sizeof(std::uint32_t))
        throw Error(Errc::invalid_argument, "structure size member not set");
    const std::size_t n = std::min<std::size_t>(size, sizeof(T));
    std::memset(reinterpret_cast<char*>(&out) + n, 0, size > n ? size - n : 0);
    std::memcpy(&out, &value, n);
    out.size = size;
}

/// Engine utilisation between two telemetry snapshots, per mille.
struct MgmtUtilization {
    std::uint32_t mean_permille = 0;
    std::uint32_t max_permille = 0;
};
[[nodiscard]] MgmtUtilization mgmt_utilization(const seed_mgmt_telemetry& before,
                                               const seed_mgmt_telemetry& after);

void mgmt_identity(const MgmtChip& chip, seed_mgmt_identity& out, const MgmtRoots& roots = {});
void mgmt_memory(const MgmtChip& chip, seed_mgmt_memory& out, const MgmtRoots& roots = {});
void mgmt_counters(const MgmtChip& chip, seed_mgmt_counters& out);
void mgmt_capabilities(const MgmtChip& chip, seed_mgmt_capabilities& out,
                       const MgmtRoots& roots = {});

/// The sysfs name of job failure reason @p reason (SEED_MGMT_JOB_*), or
/// nullptr for 0 and unknown reasons.
[[nodiscard]] const char* job_failure_name(unsigned reason) noexcept;
void mgmt_pcie(const MgmtChip& chip, seed_mgmt_pcie& out);
void mgmt_power_limit(const MgmtChip& chip, seed_mgmt_power_limit& out);
void mgmt_set_power_limit(const MgmtChip& chip, std::uint32_t milliwatts);
void mgmt_telemetry(const MgmtChip& chip, seed_mgmt_telemetry& out, const MgmtRoots& roots = {});
void mgmt_health(const MgmtChip& chip, seed_mgmt_health& out, const MgmtRoots& roots = {});
void mgmt_reset(const MgmtChip& chip, const MgmtRoots& roots = {});

/// "2.5 GT/s PCIe", "16.0 GT/s" -> MT/s; nullopt for "Unknown" and junk.
[[nodiscard]] std::optional<std::uint32_t> parse_link_speed(std::string_view text);
/// The TOTAL_ERR_* line of an aer_dev_* file; nullopt if absent.
[[nodiscard]] std::optional<std::uint64_t> parse_aer_total(std::string_view text);

/// The DRM usage statistics of one open file, keys read generically: every
/// drm-engine-<class> is summed, memory is drm-total-<region> (or
/// drm-resident-<region>, drm-memory-<region> when there is no total).
struct FdinfoUsage {
    std::string driver;
    std::string pdev;
    std::uint64_t client_id = 0;
    std::map<std::string, std::uint64_t> engine_ns;    ///< per engine class
    std::map<std::string, std::uint64_t> memory_bytes; ///< per region
};

/// Parses /proc/PID/fdinfo/FD text; nullopt unless it has drm-driver and
/// drm-client-id.
[[nodiscard]] std::optional<FdinfoUsage> parse_fdinfo_usage(std::string_view text);

struct MgmtProcessScan {
    std::vector<seed_mgmt_process> processes;
    unsigned unreadable = 0;
};

/// Every seed client under roots.proc, one per (device, client id), by pid.
[[nodiscard]] MgmtProcessScan mgmt_scan_processes(const MgmtRoots& roots = {});

/// A uevent as the kernel sends it: "ACTION@DEVPATH\0KEY=VALUE\0...".
struct Uevent {
    std::string action;
    std::string devpath;
    std::map<std::string, std::string> env;
};
[[nodiscard]] std::optional<Uevent> parse_uevent(std::string_view datagram);

/// The SeedChip event a uevent stands for, if it is one: a change uevent of
/// a PCI device bound to seed (SEED_EVENT=RESET is a reset), its bind, or,
/// for a chip in @p known_uuids (PCI address -> UUID, which also names the
/// chip in the event), the removal of its accel node, the unbind of its PCI
/// device and that device's removal from the bus.
[[nodiscard]] std::optional<seed_mgmt_event>
event_from_uevent(const Uevent& ev, const std::map<std::string, std::string>& known_uuids);

} // namespace seed::detail
