// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed::FenceWaiter: one thread waiting on many fences at once, each
// reported as it signals, without a thread (or a blocking call) per fence.
//
// Each fence added gets an eventfd that the kernel signals with the fence
// (DRM_IOCTL_SYNCOBJ_EVENTFD on its syncobj point), and a poll on that
// eventfd in one io_uring. wait() reaps what has signalled, in the order the
// kernel signalled it, with the job's outcome. wait_all()/wait_any() in
// queue.hpp block in one syncobj wait instead; a FenceWaiter is for code that
// keeps adding work and wants each completion as it happens (a dispatcher, an
// event loop), where those would mean a thread per pending fence.
#pragma once

#include <seed/export.h>

#include <seed/error.hpp>
#include <seed/queue.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace seed {

/// Waits on any number of fences, of any Devices, from one thread. Not
/// thread safe: one thread adds and waits (another may add only if the two
/// are serialised by the caller).
class SEED_API FenceWaiter {
public:
    /// A fence that has signalled.
    struct Signalled {
        std::uint64_t id = 0; ///< what add() returned for it
        Fence fence;          ///< the fence
        JobStatus status;     ///< how its job ended (reason none: success)
    };

    /// Sets up the io_uring. @throws seed::Error (with the errno) when the
    /// kernel has no io_uring or it is disabled.
    FenceWaiter();
    ~FenceWaiter();
    FenceWaiter(FenceWaiter&&) noexcept;
    FenceWaiter& operator=(FenceWaiter&&) noexcept;
    FenceWaiter(const FenceWaiter&) = delete;
    FenceWaiter& operator=(const FenceWaiter&) = delete;

    /// Watches @p fence from now on; returns its id (0, 1, 2, ... in the
    /// order of the calls). A fence that has already signalled (or an empty
    /// one) is reported by the next wait(). The same fence may be added more
    /// than once. @throws seed::Error if the kernel refuses the eventfd.
    std::uint64_t add(const Fence& fence);

    /// Fences added and not reported by wait() yet.
    [[nodiscard]] std::size_t pending() const noexcept;

    /// Waits until at least one watched fence has signalled, or @p timeout
    /// has passed; returns every fence that has signalled by then, in the
    /// order they signalled, each once. Empty on timeout or when nothing is
    /// pending. A failed job is reported like any other (its status says
    /// why); wait() does not throw for it. @throws seed::Error for device
    /// loss or a failing kernel call.
    std::vector<Signalled> wait(std::chrono::nanoseconds timeout = infinite_timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace seed
