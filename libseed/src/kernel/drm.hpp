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

#include <cstdint>

namespace seed::kernel {

/// open(2) @p path read-write and close-on-exec, retrying on EINTR.
[[nodiscard]] int open_device(const char* path, UniqueFd& out) noexcept;

/// DRM_IOCTL_VERSION through drmGetVersion(). May throw std::bad_alloc
/// while copying the strings.
[[nodiscard]] int drm_get_version(int fd, DriverInfo& out);

/// DRM_IOCTL_SEED_GET_INFO; @p out is zeroed first (flags and pad must be 0).
[[nodiscard]] int seed_get_info(int fd, drm_seed_get_info& out) noexcept;

/// DRM_IOCTL_SEED_QUERY of @p type into @p data (zeroed first); @p size is
/// in: bytes at data, out: bytes written.
[[nodiscard]] int seed_query(int fd, std::uint32_t type, void* data, std::uint32_t& size) noexcept;

/// DRM_IOCTL_SEED_BO_CREATE. @p args: size, placement, flags in; rest out.
[[nodiscard]] int bo_create(int fd, drm_seed_bo_create& args) noexcept;
/// DRM_IOCTL_SEED_BO_USERPTR. @p args: user_ptr, size, flags in; rest out.
[[nodiscard]] int bo_userptr(int fd, drm_seed_bo_userptr& args) noexcept;
/// DRM_IOCTL_SEED_BO_INFO of @p handle.
[[nodiscard]] int bo_info(int fd, std::uint32_t handle, drm_seed_bo_info& out) noexcept;
/// DRM_IOCTL_GEM_CLOSE.
[[nodiscard]] int gem_close(int fd, std::uint32_t handle) noexcept;
/// mmap() @p size bytes of the device file at @p offset, read-write, shared.
[[nodiscard]] int map_bo(int fd, std::uint64_t offset, std::uint64_t size, void*& out) noexcept;
/// munmap().
[[nodiscard]] int unmap_bo(void* addr, std::uint64_t size) noexcept;

/// DRM_IOCTL_SEED_QUEUE_CREATE; fills queue_id and syncobj.
[[nodiscard]] int queue_create(int fd, drm_seed_queue_create& args) noexcept;
/// DRM_IOCTL_SEED_QUEUE_DESTROY.
[[nodiscard]] int queue_destroy(int fd, std::uint32_t queue_id) noexcept;
/// DRM_IOCTL_SEED_SUBMIT; sets args.seq.
[[nodiscard]] int submit(int fd, drm_seed_submit& args) noexcept;
/// DRM_IOCTL_SEED_JOB_STATUS for (queue_id, seq).
[[nodiscard]] int job_status(int fd, std::uint32_t queue_id, std::uint64_t seq,
                             drm_seed_job_status& out) noexcept;

/// drmSyncobjCreate (binary syncobj, unsignalled).
[[nodiscard]] int syncobj_create(int fd, std::uint32_t& handle) noexcept;
/// drmSyncobjDestroy.
[[nodiscard]] int syncobj_destroy(int fd, std::uint32_t handle) noexcept;
/// drmSyncobjTimelineWait with an absolute CLOCK_MONOTONIC deadline in ns
/// (INT64_MAX: none). @p wait_all: all points, else any; @p first gets the
/// index of a signalled one for "any". -ETIME on timeout. Always waits for
/// the points to be submitted first.
[[nodiscard]] int syncobj_wait(int fd, std::uint32_t* handles, std::uint64_t* points,
                               std::uint32_t count, std::int64_t deadline_ns, bool wait_all,
                               std::uint32_t* first) noexcept;
/// drmSyncobjQuery: the last signalled point of a timeline syncobj.
[[nodiscard]] int syncobj_query(int fd, std::uint32_t handle, std::uint64_t& point) noexcept;
/// A new sync_file fd for (handle, point): a timeline point is moved to a
/// temporary binary syncobj with drmSyncobjTransfer first.
[[nodiscard]] int syncobj_export_sync_file(int fd, std::uint32_t handle, std::uint64_t point,
                                           int& sync_file) noexcept;
/// A new binary syncobj holding the fence of @p sync_file.
[[nodiscard]] int syncobj_import_sync_file(int fd, int sync_file, std::uint32_t& handle) noexcept;

/// DRM_IOCTL_SYNCOBJ_EVENTFD: @p eventfd is signalled (its counter
/// incremented) once (handle, point) has signalled; point 0 for a binary
/// syncobj. The point need not have been submitted yet.
[[nodiscard]] int syncobj_eventfd(int fd, std::uint32_t handle, std::uint64_t point,
                                  int eventfd) noexcept;

/// CLOCK_MONOTONIC in ns (the syncobj wait clock).
[[nodiscard]] std::int64_t monotonic_ns() noexcept;

} // namespace seed::kernel
