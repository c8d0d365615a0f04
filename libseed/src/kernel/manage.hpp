// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Kernel calls of the management API (include/seed/management.hpp). Like
// drm.hpp: each returns 0 or -errno and never throws or logs.
#pragma once

#include <uapi/drm/seed_accel.h>

namespace seed::kernel {

/// DRM_IOCTL_SEED_QUERY of type TELEMETRY into @p out (zeroed first; a
/// shorter answer from an older kernel leaves the rest zero).
[[nodiscard]] int query_telemetry(int fd, drm_seed_query_telemetry& out) noexcept;

/// DRM_IOCTL_SEED_RESET of type DRM_SEED_RESET_DEVICE. -EPERM without
/// CAP_SYS_ADMIN, -EIO if the device could not be recovered.
[[nodiscard]] int reset_device(int fd) noexcept;

} // namespace seed::kernel
