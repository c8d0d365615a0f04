// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "uring.hpp"

#include <liburing.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace seed::kernel {

static_assert(sizeof(drm_seed_submit) <= 80, "drm_seed_submit fits the SQE128 command area");

namespace {

constexpr unsigned ring_entries = 64;

} // namespace

struct UringSubmitter::Ring {
    io_uring ring{};
};

UringSubmitter::UringSubmitter() noexcept = default;

UringSubmitter::~UringSubmitter() {
    if (ring_)
        io_uring_queue_exit(&ring_->ring);
}

std::unique_ptr<UringSubmitter> UringSubmitter::create(int device_fd, int& error) noexcept {
    std::unique_ptr<UringSubmitter> s(new (std::nothrow) UringSubmitter());
    if (!s) {
        error = -ENOMEM;
        return nullptr;
    }
    s->ring_.reset(new (std::nothrow) Ring());
    if (!s->ring_) {
        error = -ENOMEM;
        return nullptr;
    }
    const int ret = io_uring_queue_init(ring_entries, &s->ring_->ring,
                                        IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
    if (ret < 0) {
        s->ring_.reset();
        error = ret;
        return nullptr;
    }
    s->fd_ = device_fd;
    error = 0;
    return s;
}

int UringSubmitter::submit(std::span<const drm_seed_submit> args,
                           std::span<UringResult> results) noexcept {
    io_uring* ring = &ring_->ring;
    std::fill(results.begin(), results.end(), UringResult{-ECANCELED, 0});
    std::size_t next = 0;
    while (next < args.size()) {
        // Fill as many SQEs as fit, then submit and reap them all.
        std::size_t queued = 0;
        while (next + queued < args.size()) {
            io_uring_sqe* sqe = io_uring_get_sqe(ring);
            if (sqe == nullptr)
                break;
            // A 128-byte SQE: clear both halves.
            std::memset(sqe, 0, 2 * sizeof(*sqe));
            sqe->opcode = IORING_OP_URING_CMD;
            sqe->fd = fd_;
            sqe->cmd_op = DRM_IOCTL_SEED_SUBMIT;
            sqe->user_data = next + queued;
            std::memcpy(sqe->cmd, &args[next + queued], sizeof(drm_seed_submit));
            ++queued;
        }
        int ret = 0;
        do {
            ret = io_uring_submit_and_wait(ring, static_cast<unsigned>(queued));
        } while (ret == -EINTR);
        if (ret < 0)
            return ret;
        for (std::size_t done = 0; done < queued; ++done) {
            io_uring_cqe* cqe = nullptr;
            do {
                ret = io_uring_wait_cqe(ring, &cqe);
            } while (ret == -EINTR);
            if (ret < 0)
                return ret;
            const std::uint64_t idx = cqe->user_data;
            if (idx < results.size()) {
                results[idx].error = cqe->res < 0 ? cqe->res : 0;
                results[idx].seq = cqe->res < 0 ? 0 : cqe->big_cqe[0];
            }
            io_uring_cqe_seen(ring, cqe);
        }
        next += queued;
    }
    return 0;
}

bool UringSubmitter::unsupported(int error) noexcept {
    // The old stub driver answered -EOPNOTSUPP; a file without uring_cmd
    // support, or an older io_uring, -EOPNOTSUPP / -ENOTTY / -EINVAL on the
    // opcode itself.
    return error == -EOPNOTSUPP || error == -ENOTTY;
}

bool io_uring_disabled_by_env() noexcept {
    const char* v = std::getenv("SEED_DISABLE_IO_URING");
    return v != nullptr && std::string_view(v) == "1";
}

} // namespace seed::kernel
