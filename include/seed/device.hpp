// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// SeedChip devices: enumeration and opening.
//
// Devices are the /dev/accel/accelN nodes whose DRM driver is "seed". Their
// physical order is ascending N. The environment variable
// SEED_VISIBLE_DEVICES, like CUDA_VISIBLE_DEVICES, restricts and reorders
// what a process sees:
//
//   unset                  every device, in physical order
//   ""                     no device
//   "2,0"                  physical devices 2 and 0, seen as indices 0 and 1
//   "<uuid>,1"             the device with that UUID, then physical device 1
//
// Entries are physical indices or UUIDs separated by commas; entries that
// match no device are ignored; a malformed entry or a duplicate makes
// list() and open() throw seed::Error with Errc::invalid_visible_devices.
//
// Variables SEED_VISIBLE_DEVICE_<TAG> (any non-empty TAG), each naming one
// device by physical index or UUID, add that device: after the devices of
// SEED_VISIBLE_DEVICES, in physical order. Any one of them restricts the
// visible set as SEED_VISIBLE_DEVICES does. Container runtimes replace
// variables of the same name, so the CDI spec of `seedctl cdi generate`
// gives each chip a variable of its own, SEED_VISIBLE_DEVICE_<UUID hex>:
// a container given chips 0 and 2 sees exactly those two.
// DeviceInfo::index is the position in the visible list.
//
// Nodes the process has no permission to open are not its devices: physical
// indices count only the SeedChips it may open (as in a container given some
// of a machine's chips). If it may open none of them, list() and open()
// throw the permission error (std::errc::permission_denied) rather
// than report no devices.
#pragma once

#include <seed/export.h>

#include <seed/caps.hpp>
#include <seed/pci.hpp>
#include <seed/uuid.hpp>

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace seed {

namespace detail {
struct DeviceContext;
struct DeviceAccess;
} // namespace detail

/// Memory usage as reported by the driver (DRM_SEED_QUERY_MEMORY). HBM
/// figures are device wide; "client" figures count the buffers of this
/// Device (its open file) only. All in bytes.
struct MemoryUsage {
    std::uint64_t hbm_total = 0;   ///< HBM size
    std::uint64_t hbm_used = 0;    ///< HBM held by buffers of every process
    std::uint64_t hbm_retired = 0; ///< HBM taken out of service after ECC errors
    std::uint64_t host_used = 0;   ///< host memory held by host buffers of every process
    std::uint64_t client_hbm = 0;  ///< HBM held by this Device's buffers
    std::uint64_t client_host = 0; ///< host memory held by this Device's buffers

    friend bool operator==(const MemoryUsage&, const MemoryUsage&) = default;
};

/// Hardware revision, "major.minor".
struct HwRevision {
    unsigned major = 0;
    unsigned minor = 0;

    friend auto operator<=>(const HwRevision&, const HwRevision&) = default;
};

/// Firmware version, "major.minor.patch".
struct FirmwareVersion {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;

    friend auto operator<=>(const FirmwareVersion&, const FirmwareVersion&) = default;
};

/// The kernel driver bound to the device, from DRM_IOCTL_VERSION
/// (drmGetVersion()).
struct DriverInfo {
    std::string name; ///< always "seed" for a listed device
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patchlevel = 0;
    std::string description;

    friend bool operator==(const DriverInfo&, const DriverInfo&) = default;
};

[[nodiscard]] SEED_API std::string to_string(const HwRevision& rev);      ///< "1.0"
[[nodiscard]] SEED_API std::string to_string(const FirmwareVersion& ver); ///< "1.2.3"
[[nodiscard]] SEED_API std::string version_string(const DriverInfo& drv); ///< "1.0.0"

/// A snapshot of one device's identity, taken when it was listed or opened.
struct SEED_API DeviceInfo {
    unsigned index = 0;         ///< position in the visible list (see SEED_VISIBLE_DEVICES)
    unsigned minor = 0;         ///< N of /dev/accel/accelN
    std::string node;           ///< "/dev/accel/accelN"
    PciAddress pci;             ///< PCI location
    std::string pci_address;    ///< the same, formatted "dddd:bb:dd.f"
    Uuid uuid{};                ///< device UUID (see format_uuid())
    std::string serial;         ///< serial number, ASCII
    std::uint64_t hbm_size = 0; ///< device memory in bytes
    HwRevision hw_revision;
    FirmwareVersion fw_version;
    std::uint32_t num_queues = 0;  ///< hardware queues
    std::uint32_t num_engines = 0; ///< compute engines
    std::uint32_t caps = 0;        ///< Cap bits
    std::uint32_t dtypes = 0;      ///< DType bits
    std::uint64_t page_sizes = 0;  ///< bit n set: 2^n byte device pages
    std::uint64_t irq_count = 0;   ///< interrupts received by the driver so far
    DriverInfo driver;

    [[nodiscard]] bool has(Cap cap) const noexcept {
        return (caps & static_cast<std::uint32_t>(cap)) != 0;
    }
    [[nodiscard]] bool supports(DType dtype) const noexcept {
        return (dtypes & static_cast<std::uint32_t>(dtype)) != 0;
    }
    /// The supported page sizes in bytes, smallest first.
    [[nodiscard]] std::vector<std::uint64_t> page_size_list() const;

    friend bool operator==(const DeviceInfo&, const DeviceInfo&) = default;
};

/// An open SeedChip device. Move-only. Each Device is one client of the
/// driver with its own device address space: buffers, command lists and
/// queues created from it live in that address space. The open file is
/// shared with those objects, so it closes when the Device and every object
/// made from it are gone. A moved-from Device may only be destroyed or
/// assigned to.
class SEED_API Device {
public:
    /// Every visible device, in visible order. No /dev/accel (no accel
    /// driver loaded) is an empty list, not an error.
    /// @throws seed::Error if a SeedChip node cannot be opened or queried,
    ///         or SEED_VISIBLE_DEVICES is malformed.
    [[nodiscard]] static std::vector<DeviceInfo> list();

    /// Opens the visible device at @p index.
    /// @throws seed::Error (Errc::device_not_found if there is no such device).
    [[nodiscard]] static Device open(unsigned index);

    /// Opens the visible device named by @p spec: a decimal index, a PCI
    /// address ("dddd:bb:dd.f" or "bb:dd.f"), a UUID or a device node path.
    /// @throws seed::Error: Errc::invalid_device_spec if @p spec is none of
    ///         these, Errc::device_not_found if no visible device matches.
    [[nodiscard]] static Device open(std::string_view spec);

    Device(Device&& other) noexcept;
    Device& operator=(Device&& other) noexcept;
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;
    ~Device();

    /// Identity of the device as read when it was opened.
    [[nodiscard]] const DeviceInfo& info() const noexcept;

    /// Current memory usage (DRM_SEED_QUERY_MEMORY).
    /// @throws seed::Error (Errc::device_lost once the device is gone).
    [[nodiscard]] MemoryUsage memory_usage() const;

    /// Whether batched submissions (seed::submit()) go through io_uring on
    /// this device. False when SEED_DISABLE_IO_URING=1, when the kernel has
    /// no io_uring or the driver no SUBMIT command for it; submissions then
    /// use the SUBMIT ioctl. The variable is read when the Device is opened;
    /// the ring is set up on the first batch (or this call).
    [[nodiscard]] bool uses_io_uring() const;

private:
    friend struct detail::DeviceAccess;
    struct Impl;
    explicit Device(std::unique_ptr<Impl> impl) noexcept;

    std::unique_ptr<Impl> impl_;
};

} // namespace seed
