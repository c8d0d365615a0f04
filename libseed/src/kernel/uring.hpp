// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Batched SUBMIT through io_uring: IORING_OP_URING_CMD on the device file.
// This is the only place that knows the driver's uring_cmd convention
// (include/uapi/drm/seed_accel.h, kernel/seed_job.c seed_uring_cmd()):
//
//   ring set up with IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
//   sqe->cmd_op = DRM_IOCTL_SEED_SUBMIT, the SQE's 80-byte command area holds
//   a struct drm_seed_submit; cqe->res = 0 or -errno as the ioctl would
//   return, and on success cqe->big_cqe[0] = the job's seq.
#pragma once

#include <uapi/drm/seed_accel.h>

#include <cstdint>
#include <memory>
#include <span>

namespace seed::kernel {

/// Result of one entry of a batch.
struct UringResult {
    int error = 0;         ///< 0 or -errno
    std::uint64_t seq = 0; ///< on success
};

/// One io_uring instance for SUBMIT commands on one device file. Not thread
/// safe; the owner serialises calls.
class UringSubmitter {
public:
    ~UringSubmitter();
    UringSubmitter(const UringSubmitter&) = delete;
    UringSubmitter& operator=(const UringSubmitter&) = delete;

    /// Sets up a ring for @p device_fd. Returns nullptr (and -errno in
    /// @p error) when io_uring is unavailable or disabled.
    [[nodiscard]] static std::unique_ptr<UringSubmitter> create(int device_fd, int& error) noexcept;

    /// Submits every entry and collects the results, in order. Returns 0, or
    /// -errno if the ring itself failed (then no result is meaningful beyond
    /// those already set: entries not completed have error -ECANCELED).
    [[nodiscard]] int submit(std::span<const drm_seed_submit> args,
                             std::span<UringResult> results) noexcept;

    /// Whether a -errno from an entry means "the driver has no uring SUBMIT"
    /// (the entry was not submitted; use the ioctl instead).
    [[nodiscard]] static bool unsupported(int error) noexcept;

private:
    UringSubmitter() noexcept;
    struct Ring;
    std::unique_ptr<Ring> ring_;
    int fd_ = -1;
};

/// SEED_DISABLE_IO_URING=1 in the environment.
[[nodiscard]] bool io_uring_disabled_by_env() noexcept;

} // namespace seed::kernel
