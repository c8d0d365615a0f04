// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// FenceWaiter: a syncobj eventfd per fence, polled in one io_uring.
#include <seed/fence_waiter.hpp>

#include "context.hpp"
#include "kernel/drm.hpp"
#include "queue_impl.hpp"
#include "unique_fd.hpp"

#include <liburing.h>

#include <poll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <unordered_map>
#include <utility>

namespace seed {

namespace {

constexpr unsigned ring_entries = 256;

} // namespace

struct FenceWaiter::Impl {
    io_uring ring{};
    struct Watch {
        Fence fence;
        UniqueFd eventfd;
    };
    std::unordered_map<std::uint64_t, Watch> watched;
    /// Fences that were signalled when added (or empty): no poll needed.
    std::vector<std::uint64_t> immediate;
    std::uint64_t next_id = 0;
    unsigned unsubmitted = 0;

    Impl() {
        io_uring_params params{};
        params.flags = IORING_SETUP_CQSIZE;
        params.cq_entries = 4 * ring_entries;
        const int ret = io_uring_queue_init_params(ring_entries, &ring, &params);
        if (ret < 0)
            throw errno_error(ret, "set up io_uring for fence waits");
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() { io_uring_queue_exit(&ring); }

    io_uring_sqe* sqe() {
        io_uring_sqe* s = io_uring_get_sqe(&ring);
        if (s == nullptr) {
            submit();
            s = io_uring_get_sqe(&ring);
            if (s == nullptr)
                throw errno_error(-EBUSY, "io_uring for fence waits is full");
        }
        return s;
    }

    void submit() {
        if (unsubmitted == 0)
            return;
        int ret = 0;
        do {
            ret = io_uring_submit(&ring);
        } while (ret == -EINTR);
        if (ret < 0)
            throw errno_error(ret, "submit fence polls");
        unsubmitted = 0;
    }

    /// Moves every completion in the ring to @p out; returns how many.
    std::size_t reap(std::vector<Signalled>& out) {
        std::size_t n = 0;
        io_uring_cqe* cqe = nullptr;
        while (io_uring_peek_cqe(&ring, &cqe) == 0 && cqe != nullptr) {
            const std::uint64_t id = cqe->user_data;
            const int res = cqe->res;
            io_uring_cqe_seen(&ring, cqe);
            auto it = watched.find(id);
            if (it == watched.end())
                continue;
            if (res < 0 && res != -ECANCELED)
                throw errno_error(res, "poll on a fence's eventfd");
            out.push_back(finish(id, std::move(it->second.fence)));
            watched.erase(it);
            ++n;
        }
        return n;
    }

    static Signalled finish(std::uint64_t id, Fence fence) {
        Signalled s;
        s.id = id;
        // Signalled, so status() does not block; it asks the driver how the
        // job ended.
        const std::optional<JobStatus> st = fence.status();
        if (st)
            s.status = *st;
        s.fence = std::move(fence);
        return s;
    }
};

FenceWaiter::FenceWaiter() : impl_(std::make_unique<Impl>()) {}
FenceWaiter::~FenceWaiter() = default;
FenceWaiter::FenceWaiter(FenceWaiter&&) noexcept = default;
FenceWaiter& FenceWaiter::operator=(FenceWaiter&&) noexcept = default;

std::uint64_t FenceWaiter::add(const Fence& fence) {
    if (!impl_)
        throw Error(Errc::invalid_state, "moved-from seed::FenceWaiter");
    Impl& w = *impl_;
    const std::uint64_t id = w.next_id;
    if (!fence.valid()) {
        w.immediate.push_back(id);
        w.watched.emplace(id, Impl::Watch{fence, UniqueFd()});
        ++w.next_id;
        return id;
    }
    const detail::FenceState& fs = *fence.state();
    UniqueFd efd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!efd.is_valid())
        throw errno_error(-errno, "eventfd for a fence");
    const int ret = kernel::syncobj_eventfd(fs.ctx->raw_fd(), fs.syncobj, fs.point, efd.get());
    if (ret != 0)
        throw device_error(ret, "DRM_IOCTL_SYNCOBJ_EVENTFD");
    io_uring_sqe* sqe = w.sqe();
    io_uring_prep_poll_add(sqe, efd.get(), POLLIN);
    io_uring_sqe_set_data64(sqe, id);
    ++w.unsubmitted;
    w.watched.emplace(id, Impl::Watch{fence, std::move(efd)});
    ++w.next_id;
    return id;
}

std::size_t FenceWaiter::pending() const noexcept {
    return impl_ ? impl_->watched.size() : 0;
}

std::vector<FenceWaiter::Signalled> FenceWaiter::wait(std::chrono::nanoseconds timeout) {
    std::vector<Signalled> out;
    if (!impl_)
        throw Error(Errc::invalid_state, "moved-from seed::FenceWaiter");
    Impl& w = *impl_;
    for (const std::uint64_t id : w.immediate) {
        auto it = w.watched.find(id);
        out.push_back(Impl::finish(id, std::move(it->second.fence)));
        w.watched.erase(it);
    }
    w.immediate.clear();
    if (w.watched.empty())
        return out;
    w.submit();
    if (w.reap(out) != 0 || !out.empty())
        return out;

    io_uring_cqe* cqe = nullptr;
    int ret = 0;
    if (timeout == infinite_timeout) {
        do {
            ret = io_uring_wait_cqe(&w.ring, &cqe);
        } while (ret == -EINTR);
    } else {
        const std::int64_t ns = std::max<std::int64_t>(timeout.count(), 0);
        __kernel_timespec ts{};
        ts.tv_sec = ns / 1'000'000'000;
        ts.tv_nsec = ns % 1'000'000'000;
        ret = io_uring_wait_cqe_timeout(&w.ring, &cqe, &ts);
        if (ret == -EINTR)
            ret = -ETIME; // a signal ends a bounded wait early: report nothing
    }
    if (ret == -ETIME)
        return out;
    if (ret < 0)
        throw errno_error(ret, "wait for fence polls");
    (void)w.reap(out);
    return out;
}

} // namespace seed
