// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device management for administration tools (seedctl, exporters): health
// telemetry, resets, the processes using a device, topology and the
// driver's sysfs counters.
//
// Telemetry and reset go through the open Device (DRM_IOCTL_SEED_QUERY
// TELEMETRY, DRM_IOCTL_SEED_RESET). Processes come from /proc/PID/fdinfo
// (the DRM usage statistics, Documentation/gpu/drm-usage-stats.rst), so a
// caller only sees the processes whose fdinfo it may read: all of them as
// root, otherwise its own user's. Topology and counters come from sysfs
// (docs/sysfs-attributes.md) and need no special rights.
#pragma once

#include <seed/export.h>

#include <seed/device.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seed {

/// One telemetry snapshot of a device (DRM_SEED_QUERY_TELEMETRY).
struct Telemetry {
    std::uint64_t clock_ns = 0;                ///< device clock when sampled
    std::int64_t host_time_ns = 0;             ///< CLOCK_MONOTONIC when sampled
    std::int32_t temperature_mc = 0;           ///< milli-degrees Celsius
    std::uint32_t power_mw = 0;                ///< board power, milliwatts
    std::uint32_t core_clock_mhz = 0;          ///< core clock
    std::uint32_t hbm_clock_mhz = 0;           ///< HBM clock
    std::uint32_t ecc_corrected = 0;           ///< corrected HBM errors since power-on
    std::uint32_t ecc_uncorrected = 0;         ///< uncorrectable HBM errors since power-on
    std::uint32_t reset_count = 0;             ///< device resets since the driver bound
    std::vector<std::uint64_t> engine_busy_ns; ///< busy time per engine since power-on

    [[nodiscard]] double temperature_celsius() const noexcept { return temperature_mc / 1000.0; }
    [[nodiscard]] double power_watts() const noexcept { return power_mw / 1000.0; }

    friend bool operator==(const Telemetry&, const Telemetry&) = default;
};

/// Reads a telemetry snapshot of @p device.
/// @throws seed::Error (Errc::device_lost once the device is gone).
[[nodiscard]] SEED_API Telemetry read_telemetry(const Device& device);

/// Utilisation of each engine between two snapshots, each in [0, 1]:
/// Δbusy / Δdevice clock (host clock if the device clock did not move).
/// Engines missing from either snapshot, or a counter that went backwards
/// (a reset in between), give 0.
[[nodiscard]] SEED_API std::vector<double> engine_utilization(const Telemetry& before,
                                                              const Telemetry& after);

/// Resets the device (DRM_IOCTL_SEED_RESET) and returns once it works again.
/// Jobs running on it fail with JobFailure::reset.
/// @throws seed::Error: EPERM (permission_denied-like) without
///         CAP_SYS_ADMIN, with a message saying so; EIO if the device could
///         not be recovered; Errc::device_lost.
SEED_API void reset_device(const Device& device);

/// The DRM usage statistics of one open file (/proc/PID/fdinfo/FD).
struct FdinfoRecord {
    std::string driver;           ///< drm-driver
    std::string pdev;             ///< drm-pdev (PCI address), may be empty
    std::uint64_t client_id = 0;  ///< drm-client-id
    std::uint64_t hbm_bytes = 0;  ///< drm-total-hbm
    std::uint64_t host_bytes = 0; ///< drm-total-host
    std::uint64_t engine_ns = 0;  ///< drm-engine-compute

    friend bool operator==(const FdinfoRecord&, const FdinfoRecord&) = default;
};

/// Parses the text of /proc/PID/fdinfo/FD; std::nullopt if it is not a DRM
/// file (no drm-driver or no drm-client-id key). Sizes accept the kernel's
/// unit suffixes (KiB, MiB, GiB).
[[nodiscard]] SEED_API std::optional<FdinfoRecord> parse_fdinfo(std::string_view text);

/// A process holding a SeedChip device open.
struct DeviceProcess {
    int pid = 0;
    std::string command;          ///< /proc/PID/comm
    std::string pci_address;      ///< the device (drm-pdev)
    std::uint64_t client_id = 0;  ///< drm-client-id
    std::uint64_t hbm_bytes = 0;  ///< HBM held by the client's buffers
    std::uint64_t host_bytes = 0; ///< host memory held by its host buffers
    std::uint64_t engine_ns = 0;  ///< device time of its finished jobs

    friend bool operator==(const DeviceProcess&, const DeviceProcess&) = default;
};

/// Result of scanning /proc for SeedChip clients.
struct ProcessScan {
    std::vector<DeviceProcess> processes; ///< one per DRM client, by pid then client id
    unsigned unreadable = 0;              ///< processes whose fdinfo could not be read (permission)
};

/// Every SeedChip client (drm-driver "seed") of every process under
/// @p proc_dir, deduplicated by (device, drm-client-id): a file shared by
/// several processes or descriptors is listed once, under the lowest pid.
[[nodiscard]] SEED_API ProcessScan scan_processes(const std::string& proc_dir = "/proc");

/// The entries of @p scan that use the device at @p pci_address.
[[nodiscard]] SEED_API std::vector<DeviceProcess> processes_of(const ProcessScan& scan,
                                                               std::string_view pci_address);

/// Where a device sits in the machine.
struct Topology {
    std::string pci_address;    ///< "dddd:bb:dd.f"
    std::string sysfs_path;     ///< realpath of the PCI device directory
    std::string pci_path;       ///< the PCI addresses from the root, "0000:00:02.0/0000:01:00.0"
    int numa_node = -1;         ///< sysfs numa_node; -1 if none or unknown
    std::string driver_version; ///< "major.minor.patch" of seed.ko
};

/// Topology of @p info's device, from sysfs under @p sys_dir.
[[nodiscard]] SEED_API Topology read_topology(const DeviceInfo& info,
                                              const std::string& sys_dir = "/sys");

/// Driver counters of a device from sysfs (docs/sysfs-attributes.md); an
/// attribute that cannot be read is std::nullopt.
struct SysfsCounters {
    std::optional<std::uint64_t> irq_count;
    std::optional<std::uint64_t> reset_count;
    std::optional<std::uint64_t> hbm_used_bytes;
    std::optional<std::uint64_t> hbm_retired_bytes;
    std::optional<std::uint64_t> ecc_corrected;
    std::optional<std::uint64_t> ecc_uncorrected;
};

/// Reads the counters of @p info's device from sysfs under @p sys_dir.
[[nodiscard]] SEED_API SysfsCounters read_sysfs_counters(const DeviceInfo& info,
                                                         const std::string& sys_dir = "/sys");

} // namespace seed
