// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Raw execution through seed.ko for the driver tests: buffer objects,
// queues, packets, SUBMIT, waiting and JOB_STATUS, with errno results and
// no GoogleTest dependency, so that forked (and unprivileged) children can
// use them too. Like seed_drm.hpp, deliberately not libseed: every object a
// test makes is one it knows about, so it knows exactly what its file maps.
#pragma once

#include "seed_drm.hpp"

#include <linux/sync_file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include <xf86drm.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <hw/seed_hw.h>
#include <uapi/drm/seed_accel.h>

namespace seed::vm {

/// TCG is slow: a generous default for waits on jobs.
inline constexpr std::int64_t kJobWaitNs = 60'000'000'000;

inline std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// A BO of one file, closed on destruction; host BOs are mapped.
struct Bo {
    int fd = -1;
    std::uint32_t handle = 0;
    std::uint64_t size = 0;
    std::uint64_t va = 0;
    void* map = nullptr;

    Bo() = default;
    Bo(Bo&& o) noexcept
        : fd(std::exchange(o.fd, -1)), handle(std::exchange(o.handle, 0)),
          size(std::exchange(o.size, 0)), va(std::exchange(o.va, 0)),
          map(std::exchange(o.map, nullptr)) {}
    Bo& operator=(Bo&& o) noexcept {
        if (this != &o) {
            reset();
            fd = std::exchange(o.fd, -1);
            handle = std::exchange(o.handle, 0);
            size = std::exchange(o.size, 0);
            va = std::exchange(o.va, 0);
            map = std::exchange(o.map, nullptr);
        }
        return *this;
    }
    Bo(const Bo&) = delete;
    Bo& operator=(const Bo&) = delete;
    ~Bo() { reset(); }

    /// Unmaps and closes the handle.
    void reset() {
        if (map != nullptr)
            munmap(map, size);
        if (handle != 0) {
            drm_gem_close c{};
            c.handle = handle;
            seed_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
        }
        map = nullptr;
        handle = 0;
        size = 0;
        va = 0;
        fd = -1;
    }

    /// Whether [addr, addr + len) overlaps this BO in its file's address space.
    bool overlaps(std::uint64_t addr, std::uint64_t len) const {
        return handle != 0 && addr < va + size && va < addr + len;
    }

    template <typename T = std::uint8_t>
    T* ptr(std::uint64_t off = 0) const {
        return reinterpret_cast<T*>(static_cast<std::uint8_t*>(map) + off);
    }
};

/// BO_CREATE into @p bo (mapped if it is a host BO): 0 or an errno.
inline int create_bo(Bo& bo, int fd, std::uint64_t size, std::uint32_t placement,
                     std::uint32_t flags = 0) {
    bo.reset();
    drm_seed_bo_create c{};
    c.size = size;
    c.placement = placement;
    c.flags = flags;
    if (const int err = seed_ioctl(fd, DRM_IOCTL_SEED_BO_CREATE, &c))
        return err;
    bo.fd = fd;
    bo.handle = c.handle;
    bo.size = c.size;
    bo.va = c.device_va;
    if (placement != DRM_SEED_BO_HOST)
        return 0;
    drm_seed_bo_info info{};
    info.handle = c.handle;
    if (const int err = seed_ioctl(fd, DRM_IOCTL_SEED_BO_INFO, &info))
        return err;
    void* p = mmap(nullptr, bo.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                   static_cast<off_t>(info.mmap_offset));
    if (p == MAP_FAILED)
        return errno;
    bo.map = p;
    return 0;
}

/// A device VA range [first, first + second).
using VaRange = std::pair<std::uint64_t, std::uint64_t>;

/// BO_CREATE into @p bo such that its VA range overlaps none of @p avoid
/// (ranges another file has mapped): every file's address space fills from
/// the same start, so without care two files' buffers share VAs. BOs that
/// overlapped go to @p fillers, which keeps them so the allocator moves on.
/// 0, an errno, or EADDRINUSE if 256 tries did not get past.
inline int create_bo_avoiding(Bo& bo, int fd, std::uint64_t size, std::uint32_t placement,
                              const std::vector<VaRange>& avoid, std::vector<Bo>& fillers) {
    for (int tries = 0; tries < 256; tries++) {
        if (const int err = create_bo(bo, fd, size, placement))
            return err;
        bool clear = true;
        for (const auto& [va, len] : avoid)
            clear = clear && !bo.overlaps(va, len);
        if (clear)
            return 0;
        fillers.push_back(std::move(bo));
    }
    return EADDRINUSE;
}

/// A queue of one file with its timeline syncobj; both destroyed with it.
struct Queue {
    int fd = -1;
    std::uint32_t id = 0;
    std::uint32_t syncobj = 0;

    Queue() = default;
    Queue(Queue&& o) noexcept
        : fd(std::exchange(o.fd, -1)), id(std::exchange(o.id, 0)),
          syncobj(std::exchange(o.syncobj, 0)) {}
    Queue& operator=(Queue&&) = delete;
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;
    ~Queue() {
        destroy();
        if (syncobj != 0)
            drmSyncobjDestroy(fd, syncobj);
    }

    /// QUEUE_DESTROY (the syncobj stays): 0 or an errno.
    int destroy() {
        if (id == 0)
            return 0;
        drm_seed_queue_destroy d{};
        d.queue_id = std::exchange(id, 0);
        return seed_ioctl(fd, DRM_IOCTL_SEED_QUEUE_DESTROY, &d);
    }
};

/// QUEUE_CREATE into @p q: 0 or an errno.
inline int create_queue(Queue& q, int fd, std::uint32_t priority = DRM_SEED_PRIORITY_NORMAL) {
    drm_seed_queue_create c{};
    c.priority = priority;
    if (const int err = seed_ioctl(fd, DRM_IOCTL_SEED_QUEUE_CREATE, &c))
        return err;
    q.fd = fd;
    q.id = c.queue_id;
    q.syncobj = c.syncobj;
    return 0;
}

// Packet builders: each writes one 64-byte packet at slot i of a host BO.

inline void put_nop(const Bo& cmd, unsigned i) {
    auto* p = cmd.ptr<seed_pkt_nop>(i * SEED_PKT_SIZE);
    std::memset(p, 0, sizeof(*p));
    p->hdr.opcode = SEED_OP_NOP;
}

inline void put_fill(const Bo& cmd, unsigned i, std::uint64_t dst, std::uint64_t size,
                     std::uint64_t pattern, std::uint32_t pattern_bytes = 8) {
    auto* p = cmd.ptr<seed_pkt_fill>(i * SEED_PKT_SIZE);
    std::memset(p, 0, sizeof(*p));
    p->hdr.opcode = SEED_OP_FILL;
    p->dst = dst;
    p->size = size;
    p->pattern = pattern;
    p->pattern_bytes = pattern_bytes;
}

inline void put_copy(const Bo& cmd, unsigned i, std::uint64_t src, std::uint64_t dst,
                     std::uint64_t width) {
    auto* p = cmd.ptr<seed_pkt_copy>(i * SEED_PKT_SIZE);
    std::memset(p, 0, sizeof(*p));
    p->hdr.opcode = SEED_OP_COPY;
    p->src = src;
    p->dst = dst;
    p->width = width;
    p->height = 1;
}

inline void put_wait(const Bo& cmd, unsigned i, std::uint64_t addr, std::uint64_t value,
                     std::uint32_t timeout_us) {
    auto* p = cmd.ptr<seed_pkt_wait>(i * SEED_PKT_SIZE);
    std::memset(p, 0, sizeof(*p));
    p->hdr.opcode = SEED_OP_WAIT;
    p->addr = addr;
    p->value = value;
    p->timeout_us = timeout_us;
}

inline void put_timestamp(const Bo& cmd, unsigned i, std::uint64_t addr) {
    auto* p = cmd.ptr<seed_pkt_timestamp>(i * SEED_PKT_SIZE);
    std::memset(p, 0, sizeof(*p));
    p->hdr.opcode = SEED_OP_TIMESTAMP;
    p->addr = addr;
}

struct Submit {
    int err = 0;
    std::uint64_t seq = 0;
};

inline Submit submit(int fd, std::uint32_t queue, const Bo& cmd, std::uint32_t count,
                     std::uint64_t offset = 0, const std::vector<drm_seed_sync>& in = {},
                     const std::vector<drm_seed_sync>& out = {}) {
    drm_seed_submit s{};
    s.queue_id = queue;
    s.cmd_handle = cmd.handle;
    s.cmd_count = count;
    s.cmd_offset = offset;
    s.in_syncs = reinterpret_cast<std::uintptr_t>(in.data());
    s.in_sync_count = static_cast<std::uint32_t>(in.size());
    s.out_syncs = reinterpret_cast<std::uintptr_t>(out.data());
    s.out_sync_count = static_cast<std::uint32_t>(out.size());
    Submit r;
    r.err = seed_ioctl(fd, DRM_IOCTL_SEED_SUBMIT, &s);
    r.seq = s.seq;
    return r;
}

inline Submit submit(const Queue& q, const Bo& cmd, std::uint32_t count, std::uint64_t offset = 0,
                     const std::vector<drm_seed_sync>& in = {},
                     const std::vector<drm_seed_sync>& out = {}) {
    return submit(q.fd, q.id, cmd, count, offset, in, out);
}

/// Waits for point @p seq of a timeline syncobj: 0 or -errno (libdrm's).
inline int wait_point(int fd, std::uint32_t syncobj, std::uint64_t seq,
                      std::int64_t timeout_ns = kJobWaitNs) {
    std::uint64_t point = seq;
    return drmSyncobjTimelineWait(fd, &syncobj, &point, 1, now_ns() + timeout_ns,
                                  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, nullptr);
}

inline drm_seed_job_status job_status(int fd, std::uint32_t queue, std::uint64_t seq, int* err) {
    drm_seed_job_status st{};
    st.queue_id = queue;
    st.seq = seq;
    *err = seed_ioctl(fd, DRM_IOCTL_SEED_JOB_STATUS, &st);
    return st;
}

/// Waits for job @p seq of @p q and returns its JOB_STATUS; @p err gets the
/// first failure (the wait's or the ioctl's), 0 if both worked.
inline drm_seed_job_status finish(const Queue& q, std::uint64_t seq, int* err,
                                  std::int64_t timeout_ns = kJobWaitNs) {
    if (const int w = wait_point(q.fd, q.syncobj, seq, timeout_ns)) {
        *err = -w;
        return {};
    }
    return job_status(q.fd, q.id, seq, err);
}

/// The status of the fence held by binary syncobj @p syncobj, as its sync
/// file reports it: 1 signalled without error, 0 not signalled, a negative
/// errno if it signalled with that error; or -1000 - errno if the fence
/// cannot be exported.
inline int fence_status(int fd, std::uint32_t syncobj) {
    int sync_file = -1;
    if (drmSyncobjExportSyncFile(fd, syncobj, &sync_file) != 0)
        return -1000 - errno;
    sync_file_info info{};
    const int ret = ioctl(sync_file, SYNC_IOC_FILE_INFO, &info);
    const int err = errno;
    ::close(sync_file);
    return ret == 0 ? info.status : -1000 - err;
}

/// The first of @p theirs that is not among @p mine, or 0.
inline std::uint32_t first_foreign(const std::vector<std::uint32_t>& theirs,
                                   const std::vector<std::uint32_t>& mine) {
    for (const std::uint32_t id : theirs) {
        bool own = false;
        for (const std::uint32_t m : mine)
            own = own || m == id;
        if (!own)
            return id;
    }
    return 0;
}

/// Tries another file's queue id @p queue_id and BO handle @p handle in file
/// @p fd, which has neither (first_foreign()); @p own_queue and @p own_cmd
/// (a host BO holding a NOP) are the file's own. Returns one line per call
/// that did not fail the way an unknown id must: "" if all did.
inline std::string foreign_ids_accepted(int fd, std::uint32_t queue_id, std::uint32_t handle,
                                        const Queue& own_queue, const Bo& own_cmd) {
    std::string bad;
    const auto expect = [&bad](const char* what, int err, int want) {
        if (err != want)
            bad += std::string(what) + ": " + std::strerror(err) + ", not " + std::strerror(want) +
                   "\n";
    };
    expect("SUBMIT on the other file's queue", submit(fd, queue_id, own_cmd, 1).err, ENOENT);
    int err = 0;
    job_status(fd, queue_id, 1, &err);
    expect("JOB_STATUS of the other file's queue", err, ENOENT);
    drm_seed_queue_destroy d{};
    d.queue_id = queue_id;
    expect("QUEUE_DESTROY of the other file's queue",
           seed_ioctl(fd, DRM_IOCTL_SEED_QUEUE_DESTROY, &d), ENOENT);

    drm_seed_bo_info info{};
    info.handle = handle;
    expect("BO_INFO of the other file's BO", seed_ioctl(fd, DRM_IOCTL_SEED_BO_INFO, &info), ENOENT);
    drm_seed_submit s{};
    s.queue_id = own_queue.id;
    s.cmd_handle = handle;
    s.cmd_count = 1;
    expect("SUBMIT of the other file's BO", seed_ioctl(fd, DRM_IOCTL_SEED_SUBMIT, &s), ENOENT);
    drm_prime_handle prime{};
    prime.handle = handle;
    prime.flags = DRM_CLOEXEC | DRM_RDWR;
    const int exported = seed_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime);
    if (exported == 0)
        ::close(prime.fd);
    expect("PRIME export of the other file's BO", exported, ENOENT);
    drm_gem_close c{};
    c.handle = handle;
    expect("GEM_CLOSE of the other file's BO", seed_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c), EINVAL);
    return bad;
}

} // namespace seed::vm
