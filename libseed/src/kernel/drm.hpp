// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The kernel boundary: the only code in libseed that issues system calls on
// device nodes. Every function returns 0 or -errno and never logs or throws
// for a kernel failure; callers add context and turn errors into
// seed::Error.
#pragma once

#include "../unique_fd.hpp"

#include <seed/device.hpp>

#include <uapi/drm/seed_accel.h>

namespace seed::kernel {

/// open(2) @p path read-write and close-on-exec, retrying on EINTR.
[[nodiscard]] int open_device(const char* path, UniqueFd& out) noexcept;

/// DRM_IOCTL_VERSION through drmGetVersion(). May throw std::bad_alloc
/// while copying the strings.
[[nodiscard]] int drm_get_version(int fd, DriverInfo& out);

/// DRM_IOCTL_SEED_GET_INFO; @p out is zeroed first (flags and pad must be 0).
[[nodiscard]] int seed_get_info(int fd, drm_seed_get_info& out) noexcept;

} // namespace seed::kernel
