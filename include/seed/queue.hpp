// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Execution: seed::Queue runs command lists in submission order, sharing
// the chip fairly with the other queues of its priority; seed::Fence is the
// completion of one job.
//
// Every queue owns a timeline syncobj of the driver; job N of a queue
// signals point N of it, whether it succeeded or failed. A Fence is such a
// (syncobj, point) pair. Waiting on fences uses the kernel's syncobj waits
// (no helper threads), any number of fences at once. When a fence has
// signalled, libseed asks the driver how the job ended (JOB_STATUS) and
// throws seed::JobError if it failed, so no failure goes unnoticed by a
// caller that waits.
//
// Fences convert to and from sync_file descriptors to interoperate with
// other drivers and processes, and are passed as dependencies of
// submissions (including to queues of other Device objects of the same
// chip via sync files).
#pragma once

#include <seed/export.h>

#include <seed/command_list.hpp>
#include <seed/device.hpp>
#include <seed/error.hpp>
#include <seed/memory.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace seed {

namespace detail {
struct QueueImpl;
struct FenceState;
} // namespace detail

/// Queue priority (DRM_SEED_PRIORITY_*). realtime needs CAP_SYS_NICE.
enum class Priority : std::uint32_t { low = 0, normal = 1, high = 2, realtime = 3 };

/// Wait without a time limit.
inline constexpr std::chrono::nanoseconds infinite_timeout = std::chrono::nanoseconds::max();

/// The completion of one job, or an imported sync file. Cheap to copy. A
/// default-constructed Fence is "already signalled".
class SEED_API Fence {
public:
    Fence() noexcept = default;

    /// Whether this fence refers to a job or sync file.
    [[nodiscard]] bool valid() const noexcept { return state_ != nullptr; }

    /// Non-blocking: true once the job has finished.
    /// @throws seed::JobError if it finished and failed.
    [[nodiscard]] bool ready() const;

    /// Blocks until the job has finished.
    /// @throws seed::JobError if it failed; seed::Error for device loss.
    void wait() const;

    /// Waits at most @p timeout. Returns false if the job has not finished
    /// by then. @throws seed::JobError if it finished and failed.
    [[nodiscard]] bool wait_for(std::chrono::nanoseconds timeout) const;

    /// Non-throwing outcome: std::nullopt while pending, otherwise the
    /// driver's report (reason JobFailure::none on success). Imported fences
    /// report none once signalled.
    [[nodiscard]] std::optional<JobStatus> status() const;

    /// Timeline point (the job's sequence number); 0 for an imported fence.
    [[nodiscard]] std::uint64_t point() const noexcept;
    /// Syncobj handle in the Device's file.
    [[nodiscard]] std::uint32_t syncobj() const noexcept;

    /// A new sync_file descriptor that signals with this fence; the caller
    /// owns (and closes) it. The job must have been submitted (it has).
    [[nodiscard]] int export_sync_file() const;

    /// A fence for @p sync_file_fd (not consumed; the caller still owns it).
    [[nodiscard]] static Fence import_sync_file(const Device& device, int sync_file_fd);

    /// Shared state (used by Queue and the wait functions).
    [[nodiscard]] const std::shared_ptr<detail::FenceState>& state() const noexcept {
        return state_;
    }
    explicit Fence(std::shared_ptr<detail::FenceState> state) noexcept : state_(std::move(state)) {}

private:
    std::shared_ptr<detail::FenceState> state_;
};

/// Waits until every fence has signalled, or @p timeout has passed (returns
/// false). Fences of one device are waited for with one kernel call.
/// @throws seed::JobError for the first (in span order) failed job, once all
///         have finished.
[[nodiscard]] SEED_API bool wait_all(std::span<const Fence> fences,
                                     std::chrono::nanoseconds timeout = infinite_timeout);

/// Waits until at least one fence has signalled. Returns the index of a
/// signalled fence, std::nullopt on timeout. All fences must belong to the
/// same Device (else Errc::invalid_state). An empty span returns nullopt.
/// @throws seed::JobError if the fence it returns failed.
[[nodiscard]] SEED_API std::optional<std::size_t>
wait_any(std::span<const Fence> fences, std::chrono::nanoseconds timeout = infinite_timeout);

class Queue;

/// One entry of a batched submission (see submit()).
struct Submission {
    Queue* queue = nullptr;
    const CommandList* list = nullptr;
    std::vector<Fence> deps;
};

/// A device queue. Move-only handle; the kernel queue lives until the Queue
/// and every Fence of it are gone. Destroying it then cancels jobs that have
/// not finished (their fences fail with JobFailure::cancelled); call finish()
/// first to let them run.
class SEED_API Queue {
public:
    /// @throws seed::Error: EPERM (realtime without CAP_SYS_NICE), EDQUOT
    ///         (the open file has the driver's max_queues_per_file queues),
    ///         Errc::device_lost.
    explicit Queue(const Device& device, Priority priority = Priority::normal);

    Queue(Queue&&) noexcept = default;
    Queue& operator=(Queue&&) noexcept = default;
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;
    ~Queue();

    [[nodiscard]] Priority priority() const;
    /// Kernel queue id (unique within the Device).
    [[nodiscard]] std::uint32_t id() const;

    /// Runs @p list (finishing it if needed) after every fence of @p deps
    /// has signalled (fences of other queues and imported sync files too).
    /// @throws seed::Error: Errc::invalid_argument (list of another device,
    ///         more than 64 deps), Errc::device_lost, or the SUBMIT errno.
    Fence submit(const CommandList& list, std::span<const Fence> deps = {});
    Fence submit(CommandList& list, std::span<const Fence> deps = {});

    /// Submits several lists in one go, in order, without dependencies
    /// (io_uring when available, see Device::uses_io_uring() and submit()).
    /// Returns one Fence per list.
    std::vector<Fence> submit_batch(std::span<const CommandList* const> lists);

    /// The fence of the most recent submission (empty if none).
    [[nodiscard]] Fence last_fence() const;

    /// Waits for every job submitted so far.
    /// @throws seed::JobError if the last job failed.
    void finish();

    // Convenience operations: each records a one-off command list and
    // submits it after @p deps. Arguments are checked as by CommandList.

    /// Copies min(dst, src) size bytes of whole buffers.
    Fence copy(const Buffer& dst, const Buffer& src, std::span<const Fence> deps = {});
    Fence copy(const BufferView& dst, const BufferView& src, std::uint64_t size,
               std::span<const Fence> deps = {});
    /// Fills @p size bytes with a 32-bit pattern.
    Fence fill(const BufferView& dst, std::uint64_t size, std::uint32_t pattern,
               std::span<const Fence> deps = {});
    /// Copies host bytes into @p dst. @p data may be reused once the call
    /// returns. The COPY job reads @p data in place: from RegisteredMemory
    /// holding it, else from its pages pinned for this call (then the call
    /// waits for the job, and @p deps). Memory that cannot be pinned, or a
    /// driver without DRM_IOCTL_SEED_BO_USERPTR, goes through a staging host
    /// buffer instead.
    Fence upload(const BufferView& dst, std::span<const std::byte> data,
                 std::span<const Fence> deps = {});
    template <typename T>
    Fence upload(const BufferView& dst, std::span<const T> data, std::span<const Fence> deps = {}) {
        return upload(dst, std::as_bytes(data), deps);
    }
    /// Copies @p out.size() bytes of @p src to host memory; blocks until
    /// done. The COPY job writes @p out in place (RegisteredMemory holding
    /// it, or its pages pinned for this call), or a staging buffer when they
    /// cannot be pinned. @throws seed::JobError.
    void download(std::span<std::byte> out, const BufferView& src,
                  std::span<const Fence> deps = {});
    template <typename T>
    void download(std::span<T> out, const BufferView& src, std::span<const Fence> deps = {}) {
        download(std::as_writable_bytes(out), src, deps);
    }
    Fence gemm(const GemmParams& params, const BufferView& a, const BufferView& b,
               const BufferView& c, const std::optional<BufferView>& bias = std::nullopt,
               std::span<const Fence> deps = {});
    Fence elementwise(const ElementwiseParams& params, const BufferView& dst,
                      const BufferView& src0, const std::optional<BufferView>& src1 = std::nullopt,
                      std::span<const Fence> deps = {});
    Fence reduce(const ReduceParams& params, const BufferView& dst, const BufferView& src,
                 std::span<const Fence> deps = {});

    [[nodiscard]] const std::shared_ptr<detail::QueueImpl>& impl() const noexcept { return impl_; }

private:
    std::shared_ptr<detail::QueueImpl> impl_;
};

/// Submits every entry (possibly to several queues) with as few system calls
/// as possible: one io_uring submission when available, else one SUBMIT
/// ioctl each. Returns one Fence per entry, in order. If an entry fails, the
/// entries before it are submitted and the exception says which failed.
SEED_API std::vector<Fence> submit(std::span<const Submission> batch);

} // namespace seed
