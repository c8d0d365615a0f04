// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Turning the raw UAPI answer into a DeviceInfo (pure, host-testable).
#pragma once

#include <seed/device.hpp>

#include <uapi/drm/seed_accel.h>

namespace seed::detail {

/// Fills the fields of @p out that come from DRM_IOCTL_SEED_GET_INFO; leaves
/// index, minor, node and driver alone.
void decode_get_info(const drm_seed_get_info& raw, DeviceInfo& out);

} // namespace seed::detail
