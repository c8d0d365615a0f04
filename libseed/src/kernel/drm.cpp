// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "drm.hpp"

#include <xf86drm.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/ioctl.h>

namespace seed::kernel {
namespace {

int xioctl(int fd, unsigned long request, void* arg) noexcept {
    int ret = 0;
    do {
        ret = ::ioctl(fd, request, arg);
    } while (ret == -1 && (errno == EINTR || errno == EAGAIN));
    return ret == -1 ? -errno : 0;
}

struct VersionDeleter {
    void operator()(drmVersion* v) const noexcept { drmFreeVersion(v); }
};

std::string drm_string(const char* s, int len) {
    return s != nullptr && len > 0 ? std::string(s, static_cast<std::size_t>(len)) : std::string();
}

unsigned non_negative(int v) noexcept {
    return v < 0 ? 0u : static_cast<unsigned>(v);
}

} // namespace

int open_device(const char* path, UniqueFd& out) noexcept {
    int fd = -1;
    do {
        fd = ::open(path, O_RDWR | O_CLOEXEC);
    } while (fd == -1 && errno == EINTR);
    if (fd == -1)
        return -errno;
    out.reset(fd);
    return 0;
}

int drm_get_version(int fd, DriverInfo& out) {
    errno = 0;
    const std::unique_ptr<drmVersion, VersionDeleter> v(drmGetVersion(fd));
    if (!v)
        return errno != 0 ? -errno : -ENOMEM;
    out.name = drm_string(v->name, v->name_len);
    out.major = non_negative(v->version_major);
    out.minor = non_negative(v->version_minor);
    out.patchlevel = non_negative(v->version_patchlevel);
    out.description = drm_string(v->desc, v->desc_len);
    return 0;
}

int seed_get_info(int fd, drm_seed_get_info& out) noexcept {
    std::memset(&out, 0, sizeof(out));
    return xioctl(fd, DRM_IOCTL_SEED_GET_INFO, &out);
}

} // namespace seed::kernel
