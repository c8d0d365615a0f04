// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// What the C APIs (seed/seed.h, seed/mgmt.h) share: exceptions turned into
// seed_status codes, and the calling thread's last error.
#pragma once

#include <seed/error.hpp>
#include <seed/seed.h>

#include <cerrno>
#include <new>
#include <optional>
#include <string>

namespace seed::detail {

inline thread_local std::string last_message;
inline thread_local std::optional<seed::JobStatus> last_job;

[[nodiscard]] inline seed_status from_code(const std::error_code& ec) {
    if (ec.category() == seed::error_category()) {
        switch (static_cast<seed::Errc>(ec.value())) {
        case seed::Errc::invalid_device_spec:
        case seed::Errc::invalid_visible_devices:
        case seed::Errc::invalid_argument:
            return SEED_ERROR_INVALID_ARGUMENT;
        case seed::Errc::device_not_found:
            return SEED_ERROR_DEVICE_NOT_FOUND;
        case seed::Errc::device_lost:
            return SEED_ERROR_DEVICE_LOST;
        case seed::Errc::job_failed:
            return SEED_ERROR_JOB_FAILED;
        case seed::Errc::timeout:
            return SEED_ERROR_TIMEOUT;
        case seed::Errc::invalid_state:
            return SEED_ERROR_INVALID_STATE;
        }
        return SEED_ERROR_SYSTEM;
    }
    switch (ec.value()) {
    case EINVAL:
        return SEED_ERROR_INVALID_ARGUMENT;
    case ENODEV:
        return SEED_ERROR_DEVICE_LOST;
    case ENOMEM:
    case ENOSPC:
    case EDQUOT:
        return SEED_ERROR_OUT_OF_MEMORY;
    case EPERM:
    case EACCES:
        return SEED_ERROR_PERMISSION;
    case EBUSY:
        return SEED_ERROR_BUSY;
    case ETIME:
    case ETIMEDOUT:
        return SEED_ERROR_TIMEOUT;
    case ENOTSUP:
    case ENOTTY:
        return SEED_ERROR_NOT_SUPPORTED;
    case ENOBUFS:
        return SEED_ERROR_INSUFFICIENT_SIZE;
    default:
        return SEED_ERROR_SYSTEM;
    }
}

/// Runs @p f, mapping exceptions to codes and remembering the message.
template <typename F>
seed_status guarded(F&& f) noexcept {
    try {
        f();
        return SEED_SUCCESS;
    } catch (const seed::JobError& e) {
        last_job = e.status();
        last_message = e.what();
        return from_code(e.code());
    } catch (const seed::Error& e) {
        last_message = e.what();
        return from_code(e.code());
    } catch (const std::bad_alloc&) {
        last_message = "out of memory";
        return SEED_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        last_message = e.what();
        return SEED_ERROR_SYSTEM;
    } catch (...) {
        last_message = "unknown exception";
        return SEED_ERROR_SYSTEM;
    }
}

[[nodiscard]] inline seed_status null_arg(const char* what) noexcept {
    try {
        last_message = std::string(what) + " is NULL";
    } catch (...) {
    }
    return SEED_ERROR_INVALID_ARGUMENT;
}

} // namespace seed::detail
