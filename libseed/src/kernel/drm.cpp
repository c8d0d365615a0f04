// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "drm.hpp"

#include <xf86drm.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/mman.h>

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

// libdrm wrappers return -1 or -errno inconsistently; errno is always set.
int drm_result(int ret) noexcept {
    if (ret == 0)
        return 0;
    return errno != 0 ? -errno : (ret < 0 ? ret : -EIO);
}

template <typename T>
std::uint64_t user_ptr(T* p) noexcept {
    return reinterpret_cast<std::uintptr_t>(p);
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

int seed_query(int fd, std::uint32_t type, void* data, std::uint32_t& size) noexcept {
    std::memset(data, 0, size);
    drm_seed_query q{};
    q.type = type;
    q.size = size;
    q.data = user_ptr(data);
    const int ret = xioctl(fd, DRM_IOCTL_SEED_QUERY, &q);
    if (ret == 0)
        size = q.size;
    return ret;
}

int bo_create(int fd, drm_seed_bo_create& args) noexcept {
    args.handle = 0;
    args.pad = 0;
    args.device_va = 0;
    return xioctl(fd, DRM_IOCTL_SEED_BO_CREATE, &args);
}

int bo_userptr(int fd, drm_seed_bo_userptr& args) noexcept {
    args.handle = 0;
    args.device_va = 0;
    args.reserved = 0;
    return xioctl(fd, DRM_IOCTL_SEED_BO_USERPTR, &args);
}

int bo_info(int fd, std::uint32_t handle, drm_seed_bo_info& out) noexcept {
    out = {};
    out.handle = handle;
    return xioctl(fd, DRM_IOCTL_SEED_BO_INFO, &out);
}

int gem_close(int fd, std::uint32_t handle) noexcept {
    drm_gem_close c{};
    c.handle = handle;
    return xioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

int map_bo(int fd, std::uint64_t offset, std::uint64_t size, void*& out) noexcept {
    void* p =
        ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(offset));
    if (p == MAP_FAILED)
        return -errno;
    out = p;
    return 0;
}

int unmap_bo(void* addr, std::uint64_t size) noexcept {
    return ::munmap(addr, size) == 0 ? 0 : -errno;
}

int queue_create(int fd, drm_seed_queue_create& args) noexcept {
    args.flags = 0;
    return xioctl(fd, DRM_IOCTL_SEED_QUEUE_CREATE, &args);
}

int queue_destroy(int fd, std::uint32_t queue_id) noexcept {
    drm_seed_queue_destroy d{};
    d.queue_id = queue_id;
    return xioctl(fd, DRM_IOCTL_SEED_QUEUE_DESTROY, &d);
}

int submit(int fd, drm_seed_submit& args) noexcept {
    return xioctl(fd, DRM_IOCTL_SEED_SUBMIT, &args);
}

int job_status(int fd, std::uint32_t queue_id, std::uint64_t seq,
               drm_seed_job_status& out) noexcept {
    out = {};
    out.queue_id = queue_id;
    out.seq = seq;
    return xioctl(fd, DRM_IOCTL_SEED_JOB_STATUS, &out);
}

int syncobj_create(int fd, std::uint32_t& handle) noexcept {
    errno = 0;
    return drm_result(drmSyncobjCreate(fd, 0, &handle));
}

int syncobj_destroy(int fd, std::uint32_t handle) noexcept {
    errno = 0;
    return drm_result(drmSyncobjDestroy(fd, handle));
}

int syncobj_wait(int fd, std::uint32_t* handles, std::uint64_t* points, std::uint32_t count,
                 std::int64_t deadline_ns, bool wait_all, std::uint32_t* first) noexcept {
    unsigned flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
    if (wait_all)
        flags |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
    errno = 0;
    return drm_result(
        drmSyncobjTimelineWait(fd, handles, points, count, deadline_ns, flags, first));
}

int syncobj_query(int fd, std::uint32_t handle, std::uint64_t& point) noexcept {
    errno = 0;
    return drm_result(drmSyncobjQuery(fd, &handle, &point, 1));
}

namespace {

// DRM core since Linux 6.6 (include/uapi/drm/drm.h); Debian 12's libdrm
// headers predate it.
struct SyncobjEventfd {
    std::uint32_t handle;
    std::uint32_t flags;
    std::uint64_t point;
    std::int32_t fd;
    std::uint32_t pad;
};
static_assert(sizeof(SyncobjEventfd) == 24);
const unsigned long ioctl_syncobj_eventfd = DRM_IOWR(0xCF, SyncobjEventfd);

} // namespace

int syncobj_eventfd(int fd, std::uint32_t handle, std::uint64_t point, int eventfd) noexcept {
    SyncobjEventfd args{handle, 0, point, eventfd, 0};
    return xioctl(fd, ioctl_syncobj_eventfd, &args);
}

int syncobj_export_sync_file(int fd, std::uint32_t handle, std::uint64_t point,
                             int& sync_file) noexcept {
    std::uint32_t tmp = handle;
    int ret = 0;
    if (point != 0) {
        ret = syncobj_create(fd, tmp);
        if (ret != 0)
            return ret;
        errno = 0;
        ret = drm_result(drmSyncobjTransfer(fd, tmp, 0, handle, point, 0));
    }
    if (ret == 0) {
        errno = 0;
        ret = drm_result(drmSyncobjExportSyncFile(fd, tmp, &sync_file));
    }
    if (tmp != handle)
        (void)syncobj_destroy(fd, tmp);
    return ret;
}

int syncobj_import_sync_file(int fd, int sync_file, std::uint32_t& handle) noexcept {
    int ret = syncobj_create(fd, handle);
    if (ret != 0)
        return ret;
    errno = 0;
    ret = drm_result(drmSyncobjImportSyncFile(fd, handle, sync_file));
    if (ret != 0)
        (void)syncobj_destroy(fd, handle);
    return ret;
}

std::int64_t monotonic_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace seed::kernel
