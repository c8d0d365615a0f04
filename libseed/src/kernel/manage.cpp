// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "manage.hpp"

#include "drm.hpp"

#include <cerrno>
#include <sys/ioctl.h>

namespace seed::kernel {

int query_telemetry(int fd, drm_seed_query_telemetry& out) noexcept {
    std::uint32_t size = sizeof(out);
    return seed_query(fd, DRM_SEED_QUERY_TELEMETRY, &out, size);
}

int reset_device(int fd) noexcept {
    drm_seed_reset args{};
    args.type = DRM_SEED_RESET_DEVICE;
    args.flags = 0;
    int ret = 0;
    do {
        ret = ::ioctl(fd, DRM_IOCTL_SEED_RESET, &args);
    } while (ret == -1 && errno == EINTR);
    return ret == -1 ? -errno : 0;
}

} // namespace seed::kernel
