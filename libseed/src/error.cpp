// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/error.hpp>

#include <hw/seed_hw.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>

namespace seed {
namespace {

class SeedCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "seed"; }

    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
        case Errc::invalid_device_spec:
            return "invalid device specification";
        case Errc::device_not_found:
            return "no such SeedChip device";
        case Errc::invalid_visible_devices:
            return "invalid device list";
        case Errc::invalid_argument:
            return "invalid argument";
        case Errc::device_lost:
            return "device lost";
        case Errc::job_failed:
            return "job failed";
        case Errc::timeout:
            return "timed out";
        case Errc::invalid_state:
            return "operation not valid in this state";
        }
        return "unknown seed error " + std::to_string(value);
    }

    std::error_condition default_error_condition(int value) const noexcept override {
        switch (static_cast<Errc>(value)) {
        case Errc::invalid_device_spec:
        case Errc::invalid_visible_devices:
        case Errc::invalid_argument:
            return std::errc::invalid_argument;
        case Errc::device_not_found:
        case Errc::device_lost:
            return std::errc::no_such_device;
        case Errc::timeout:
            return std::errc::timed_out;
        case Errc::invalid_state:
            return std::errc::operation_not_permitted;
        case Errc::job_failed:
            break;
        }
        return {value, *this};
    }
};

} // namespace

const std::error_category& error_category() noexcept {
    static const SeedCategory category;
    return category;
}

std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

Error::Error(std::error_code code, const std::string& context)
    : std::system_error(code, context), context_(context) {}

Error::Error(Errc code, const std::string& context) : Error(make_error_code(code), context) {}

Error errno_error(int negative_errno, const std::string& context) {
    return Error(std::error_code(-negative_errno, std::system_category()), context);
}

Error device_error(int negative_errno, const std::string& context) {
    if (negative_errno == -ENODEV)
        return Error(Errc::device_lost, context);
    if (negative_errno == -ETIME || negative_errno == -ETIMEDOUT)
        return Error(Errc::timeout, context);
    return errno_error(negative_errno, context);
}

std::string to_string(JobFailure reason) {
    switch (reason) {
    case JobFailure::none:
        return "ok";
    case JobFailure::mmu_fault:
        return "mmu_fault";
    case JobFailure::invalid_packet:
        return "invalid_packet";
    case JobFailure::timeout:
        return "timeout";
    case JobFailure::reset:
        return "reset";
    case JobFailure::cancelled:
        return "cancelled";
    case JobFailure::ecc:
        return "ecc";
    case JobFailure::device_lost:
        return "device_lost";
    case JobFailure::hw_error:
        return "hw_error";
    case JobFailure::unknown:
        return "unknown";
    }
    return fmt::format("reason{}", static_cast<std::uint32_t>(reason));
}

std::string hw_error_name(std::uint32_t hw_error) {
    static constexpr std::array<const char*, SEED_ERR_COUNT> names = {
        "none",       "bad_opcode",   "malformed", "bad_dtype",      "bad_size",
        "misaligned", "mmu_fault",    "bus",       "indirect_depth", "wait_timeout",
        "doorbell",   "queue_config", "ecc",       "hang",           "fatal"};
    if (hw_error < names.size())
        return names[hw_error];
    return fmt::format("error{}", hw_error);
}

std::string describe(const JobStatus& st) {
    std::string s = to_string(st.reason);
    if (st.hw_error != 0)
        s += fmt::format(" (hw {})", hw_error_name(st.hw_error));
    if (st.reason == JobFailure::mmu_fault || st.fault_address != 0) {
        s +=
            fmt::format(" at 0x{:x} {}", st.fault_address, st.fault_was_write() ? "write" : "read");
    }
    if (st.packet_level != 0) {
        s += fmt::format(", packet {} opcode 0x{:02x} level {}", st.packet_offset, st.packet_opcode,
                         st.packet_level);
    }
    return s;
}

namespace {

std::error_code job_code(JobFailure reason) {
    return make_error_code(reason == JobFailure::device_lost ? Errc::device_lost
                                                             : Errc::job_failed);
}

} // namespace

JobError::JobError(const JobStatus& status, const std::string& context)
    : Error(job_code(status.reason), fmt::format("{}: queue {} job {}: {}", context,
                                                 status.queue_id, status.seq, describe(status))),
      status_(status) {}

} // namespace seed
