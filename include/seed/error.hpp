// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Errors reported by libseed. Every failure of the public API throws
// seed::Error, which carries a std::error_code and a short context string
// ("open /dev/accel/accel0", "device 'foo'"). Kernel failures use
// std::system_category() (the errno of the failing call); failures detected
// by libseed itself use seed::error_category() and the seed::Errc values.
//
// Two kernel errors get a seed::Errc of their own so that callers can test
// for them without knowing errno values: ENODEV from a device call
// (Errc::device_lost: the device was removed, unbound or died) and ETIME
// from a bounded wait (Errc::timeout). A job that the device ran and that
// failed surfaces as seed::JobError, a seed::Error with Errc::job_failed (or
// Errc::device_lost) carrying the driver's JOB_STATUS report.
#pragma once

#include <seed/export.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace seed {

/// Error conditions detected by libseed itself (not by the kernel).
enum class Errc {
    /// A device specification is not an index, a PCI address or a UUID.
    invalid_device_spec = 1,
    /// A well-formed device specification matches no visible device.
    device_not_found,
    /// SEED_VISIBLE_DEVICES is malformed.
    invalid_visible_devices,
    /// An argument was rejected by libseed before reaching the device: a
    /// size of 0 or out of the hardware's range, a misaligned address, an
    /// offset outside a buffer, a host view of a device-memory buffer...
    invalid_argument,
    /// The device is gone (removed, unbound, or dead): every call on it
    /// fails from now on. Also the code of a JobError whose reason is
    /// JobFailure::device_lost.
    device_lost,
    /// A job ran and failed; the exception is a seed::JobError.
    job_failed,
    /// A bounded wait ran out of time.
    timeout,
    /// The operation does not apply to this object in its current state
    /// (recording into a finished CommandList, using a moved-from object,
    /// fences of different devices in one wait).
    invalid_state,
};

/// The category of seed::Errc codes; its name() is "seed".
[[nodiscard]] SEED_API const std::error_category& error_category() noexcept;

[[nodiscard]] SEED_API std::error_code make_error_code(Errc e) noexcept;

/// The exception thrown by the libseed API.
///
/// what() reads "<context>: <message of code()>".
class SEED_API Error : public std::system_error {
public:
    Error(std::error_code code, const std::string& context);
    Error(Errc code, const std::string& context);

    /// What libseed was doing, without the error message.
    [[nodiscard]] const char* context() const noexcept { return context_.what(); }

private:
    // std::runtime_error gives a reference-counted string that copies
    // without throwing, as an exception member should.
    std::runtime_error context_;
};

/// Makes an Error from a negative errno value as returned by the kernel
/// wrappers (-EACCES etc.).
[[nodiscard]] SEED_API Error errno_error(int negative_errno, const std::string& context);

/// Like errno_error(), for calls on an open device: -ENODEV becomes
/// Errc::device_lost and -ETIME Errc::timeout; everything else keeps its
/// errno in std::system_category().
[[nodiscard]] SEED_API Error device_error(int negative_errno, const std::string& context);

/// Why a job failed: DRM_SEED_JOB_* of the kernel's JOB_STATUS report.
enum class JobFailure : std::uint32_t {
    none = 0,           ///< ran to completion (never in a JobError)
    mmu_fault = 1,      ///< an access failed translation; see fault_address
    invalid_packet = 2, ///< the device rejected a packet; see hw_error, packet_*
    timeout = 3,        ///< ran past the driver's time limit and was stopped
    reset = 4,          ///< killed by another job's failure or an admin reset
    cancelled = 5,      ///< its queue was destroyed, or a dependency failed
    ecc = 6,            ///< read memory with an uncorrectable ECC error
    device_lost = 7,    ///< the device stopped working or was removed
    hw_error = 8,       ///< another device error; see hw_error
    unknown = 0xffff,   ///< failed, but the driver no longer knows why
};

/// "mmu_fault", "invalid_packet", ...; "reason<n>" for a value libseed does
/// not know.
[[nodiscard]] SEED_API std::string to_string(JobFailure reason);

/// Name of a device error code (SEED_ERR_* of hw/seed_hw.h): "bad_size",
/// "mmu_fault", ...; "error<n>" for an unknown one, "none" for 0.
[[nodiscard]] SEED_API std::string hw_error_name(std::uint32_t hw_error);

/// What the driver reported about a failed job (DRM_IOCTL_SEED_JOB_STATUS).
struct JobStatus {
    std::uint32_t queue_id = 0; ///< kernel queue id
    std::uint64_t seq = 0;      ///< job sequence number (timeline point)
    JobFailure reason = JobFailure::none;
    std::uint32_t hw_error = 0;      ///< SEED_ERR_* of the device, or 0
    std::uint32_t fault_info = 0;    ///< SEED_FAULT_INFO() word for MMU faults
    std::uint64_t fault_address = 0; ///< device VA of the failing access, or 0
    std::uint32_t packet_offset = 0; ///< index of the failing packet in its buffer
    std::uint8_t packet_opcode = 0;  ///< SEED_OP_* of the failing packet
    std::uint8_t packet_level = 0;   ///< 1 = command list, 2 = one INDIRECT deeper

    /// SEED_FAULT_INFO_ACCESS: 0 read, 1 write.
    [[nodiscard]] bool fault_was_write() const noexcept { return (fault_info & 1u) != 0; }
    /// SEED_FAULT_INFO_REASON (SEED_FAULT_REASON_*).
    [[nodiscard]] unsigned fault_reason() const noexcept { return (fault_info >> 8) & 0xffu; }
    /// SEED_FAULT_INFO_LEVEL: page-table level of the fault, 0xff if none.
    [[nodiscard]] unsigned fault_level() const noexcept { return (fault_info >> 16) & 0xffu; }

    friend bool operator==(const JobStatus&, const JobStatus&) = default;
};

/// One-line description: "mmu_fault (hw mmu_fault) at 0x1000 write, packet 3
/// opcode 0x02 level 1".
[[nodiscard]] SEED_API std::string describe(const JobStatus& status);

/// Thrown when waiting on (or polling) the fence of a job that failed. code()
/// is Errc::job_failed, or Errc::device_lost if the device was lost.
class SEED_API JobError : public Error {
public:
    JobError(const JobStatus& status, const std::string& context);

    /// The driver's report on the job.
    [[nodiscard]] const JobStatus& status() const noexcept { return status_; }
    [[nodiscard]] JobFailure reason() const noexcept { return status_.reason; }

private:
    JobStatus status_;
};

} // namespace seed

template <>
struct std::is_error_code_enum<seed::Errc> : std::true_type {};
