// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/error.hpp>
#include <seed/queue.hpp>

#include "kernel/drm.hpp"
#include "queue_impl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>

namespace seed {

namespace detail {

QueueImpl::~QueueImpl() {
    // Cancels jobs still queued; the device stops touching our memory before
    // the call returns, so the references in inflight may go afterwards.
    (void)kernel::queue_destroy(ctx->raw_fd(), id);
    (void)kernel::syncobj_destroy(ctx->raw_fd(), syncobj);
}

void QueueImpl::retire_locked() noexcept {
    if (inflight.empty())
        return;
    std::uint64_t done = 0;
    if (kernel::syncobj_query(ctx->raw_fd(), syncobj, done) != 0)
        return;
    std::erase_if(inflight, [done](const auto& job) { return job.first <= done; });
}

FenceState::~FenceState() {
    if (owns_syncobj)
        (void)kernel::syncobj_destroy(ctx->raw_fd(), syncobj);
}

namespace {

std::int64_t deadline_after(std::chrono::nanoseconds timeout) {
    constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
    if (timeout == infinite_timeout)
        return never;
    const std::int64_t now = kernel::monotonic_ns();
    const std::int64_t t = std::max<std::int64_t>(timeout.count(), 0);
    return t > never - now ? never : now + t;
}

JobStatus decode(const drm_seed_job_status& raw) {
    JobStatus st;
    st.queue_id = raw.queue_id;
    st.seq = raw.seq;
    st.reason = static_cast<JobFailure>(raw.error);
    st.hw_error = raw.hw_error;
    st.fault_info = raw.fault_info;
    st.fault_address = raw.fault_addr;
    st.packet_offset = raw.packet_offset;
    st.packet_opcode = raw.packet_opcode;
    st.packet_level = raw.packet_level;
    return st;
}

/// The outcome of a signalled fence's job.
JobStatus outcome(const FenceState& f) {
    JobStatus ok;
    if (!f.queue)
        return ok;
    ok.queue_id = f.queue->id;
    ok.seq = f.point;
    // The timeline can signal a moment before the driver's bookkeeping has
    // caught up; JOB_STATUS then still says pending.
    for (int attempt = 0; attempt < 2000; ++attempt) {
        drm_seed_job_status raw{};
        const int ret = kernel::job_status(f.ctx->raw_fd(), f.queue->id, f.point, raw);
        if (ret == -ENOENT) {
            // Only failed jobs' records are ever pruned (UAPI).
            JobStatus lost = ok;
            lost.reason = JobFailure::unknown;
            return lost;
        }
        if (ret != 0)
            throw device_error(ret,
                               fmt::format("JOB_STATUS queue {} job {}", f.queue->id, f.point));
        if (raw.state == DRM_SEED_JOB_DONE)
            return decode(raw);
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    throw Error(Errc::timeout, fmt::format("JOB_STATUS queue {} job {} stays pending after its "
                                           "fence signalled",
                                           f.queue->id, f.point));
}

void throw_if_failed(const FenceState& f) {
    const JobStatus st = outcome(f);
    if (st.reason != JobFailure::none)
        throw JobError(st, "job");
}

/// Waits on one syncobj point; false on timeout.
bool wait_one(const FenceState& f, std::int64_t deadline) {
    std::uint32_t h = f.syncobj;
    std::uint64_t p = f.point;
    const int ret = kernel::syncobj_wait(f.ctx->raw_fd(), &h, &p, 1, deadline, true, nullptr);
    if (ret == -ETIME || ret == -ETIMEDOUT)
        return false;
    if (ret != 0)
        throw device_error(ret, "wait for fence");
    return true;
}

const FenceState& state_of(const Fence& f) {
    return *f.state();
}

/// Holds syncobjs imported for dependencies on other devices' fences.
struct TempSyncobjs {
    int fd = -1;
    std::vector<std::uint32_t> handles;
    TempSyncobjs() = default;
    TempSyncobjs(const TempSyncobjs&) = delete;
    TempSyncobjs& operator=(const TempSyncobjs&) = delete;
    TempSyncobjs(TempSyncobjs&&) = default;
    TempSyncobjs& operator=(TempSyncobjs&&) = default;
    ~TempSyncobjs() {
        for (const std::uint32_t h : handles)
            (void)kernel::syncobj_destroy(fd, h);
    }
};

struct PreparedSubmit {
    std::shared_ptr<QueueImpl> queue;
    std::shared_ptr<CommandListImpl> list;
    std::vector<drm_seed_sync> in;
    TempSyncobjs temps;
    drm_seed_submit args{};
};

PreparedSubmit prepare(const std::shared_ptr<QueueImpl>& q, const CommandList& list,
                       std::span<const Fence> deps) {
    if (!q)
        throw Error(Errc::invalid_state, "moved-from seed::Queue");
    const auto& l = list.impl();
    if (!l)
        throw Error(Errc::invalid_state, "moved-from seed::CommandList");
    if (l->ctx != q->ctx)
        throw Error(Errc::invalid_argument, "command list of another Device");
    if (!l->bo.valid())
        CommandList(l).finish(); // another handle to the same list; finishing is idempotent
    PreparedSubmit s;
    s.queue = q;
    s.list = l;
    s.temps.fd = q->ctx->raw_fd();
    for (const Fence& f : deps) {
        if (!f.valid())
            continue; // an empty fence is signalled
        const FenceState& fs = state_of(f);
        drm_seed_sync sync{};
        if (fs.ctx == q->ctx) {
            sync.handle = fs.syncobj;
            sync.point = fs.point;
        } else {
            // Syncobj handles are per file: carry the fence over as a sync file.
            int sf = -1;
            int ret = kernel::syncobj_export_sync_file(fs.ctx->raw_fd(), fs.syncobj, fs.point, sf);
            if (ret != 0)
                throw device_error(ret, "export dependency of another Device");
            std::uint32_t h = 0;
            ret = kernel::syncobj_import_sync_file(q->ctx->raw_fd(), sf, h);
            UniqueFd close_sf(sf);
            if (ret != 0)
                throw device_error(ret, "import dependency of another Device");
            s.temps.handles.push_back(h);
            sync.handle = h;
        }
        s.in.push_back(sync);
    }
    if (s.in.size() > DRM_SEED_MAX_SYNCS)
        throw Error(Errc::invalid_argument,
                    fmt::format("{} dependencies (at most {})", s.in.size(), DRM_SEED_MAX_SYNCS));
    s.args.queue_id = q->id;
    s.args.cmd_handle = l->bo.handle();
    s.args.cmd_count = static_cast<std::uint32_t>(l->packets.size());
    s.args.cmd_offset = 0;
    s.args.in_syncs = reinterpret_cast<std::uintptr_t>(s.in.data());
    s.args.in_sync_count = static_cast<std::uint32_t>(s.in.size());
    // The buffers the list reads and writes: the kernel orders the job
    // after their other users and marks them busy until it is done
    // (implicit sync, for PRIME importers). s.list keeps l->bos alive.
    if (l->bos.size() > DRM_SEED_MAX_SUBMIT_BOS)
        throw Error(Errc::invalid_argument, fmt::format("command list uses {} buffers (at most {})",
                                                        l->bos.size(), DRM_SEED_MAX_SUBMIT_BOS));
    s.args.bos = reinterpret_cast<std::uintptr_t>(l->bos.data());
    s.args.bo_count = static_cast<std::uint32_t>(l->bos.size());
    return s;
}

Fence complete(PreparedSubmit& s, std::uint64_t seq) {
    {
        const std::lock_guard lock(s.queue->mutex);
        s.queue->retire_locked();
        s.queue->inflight.emplace_back(seq, s.list);
        s.queue->last_seq = std::max(s.queue->last_seq, seq);
    }
    auto st = std::make_shared<FenceState>();
    st->ctx = s.queue->ctx;
    st->queue = s.queue;
    st->syncobj = s.queue->syncobj;
    st->point = seq;
    return Fence(std::move(st));
}

Fence submit_one(const std::shared_ptr<QueueImpl>& q, const CommandList& list,
                 std::span<const Fence> deps) {
    PreparedSubmit s = prepare(q, list, deps);
    const int ret = kernel::submit(q->ctx->raw_fd(), s.args);
    if (ret != 0)
        throw device_error(ret, fmt::format("SUBMIT on queue {}", q->id));
    return complete(s, s.args.seq);
}

} // namespace

Fence submit_list(const std::shared_ptr<QueueImpl>& queue, const CommandList& list) {
    return submit_one(queue, list, {});
}

} // namespace detail

// ---------------------------------------------------------------------------
// Fence

bool Fence::ready() const {
    if (!state_)
        return true;
    if (!detail::wait_one(*state_, 0))
        return false;
    detail::throw_if_failed(*state_);
    return true;
}

void Fence::wait() const {
    (void)wait_for(infinite_timeout);
}

bool Fence::wait_for(std::chrono::nanoseconds timeout) const {
    if (!state_)
        return true;
    if (!detail::wait_one(*state_, detail::deadline_after(timeout)))
        return false;
    detail::throw_if_failed(*state_);
    return true;
}

std::optional<JobStatus> Fence::status() const {
    if (!state_)
        return JobStatus{};
    if (!detail::wait_one(*state_, 0))
        return std::nullopt;
    return detail::outcome(*state_);
}

std::uint64_t Fence::point() const noexcept {
    return state_ ? state_->point : 0;
}

std::uint32_t Fence::syncobj() const noexcept {
    return state_ ? state_->syncobj : 0;
}

int Fence::export_sync_file() const {
    if (!state_)
        throw Error(Errc::invalid_state, "exporting an empty fence");
    int fd = -1;
    const int ret =
        kernel::syncobj_export_sync_file(state_->ctx->raw_fd(), state_->syncobj, state_->point, fd);
    if (ret != 0)
        throw device_error(ret, "export fence as sync file");
    return fd;
}

Fence Fence::import_sync_file(const Device& device, int sync_file_fd) {
    const auto& ctx = detail::context_of(device);
    std::uint32_t h = 0;
    const int ret = kernel::syncobj_import_sync_file(ctx->raw_fd(), sync_file_fd, h);
    if (ret != 0)
        throw device_error(ret, "import sync file");
    auto st = std::make_shared<detail::FenceState>();
    st->ctx = ctx;
    st->syncobj = h;
    st->owns_syncobj = true;
    return Fence(std::move(st));
}

bool wait_all(std::span<const Fence> fences, std::chrono::nanoseconds timeout) {
    const std::int64_t deadline = detail::deadline_after(timeout);
    // One kernel wait per device.
    std::vector<const detail::DeviceContext*> done;
    for (const Fence& f : fences) {
        if (!f.valid())
            continue;
        const detail::DeviceContext* ctx = f.state()->ctx.get();
        if (std::find(done.begin(), done.end(), ctx) != done.end())
            continue;
        done.push_back(ctx);
        std::vector<std::uint32_t> handles;
        std::vector<std::uint64_t> points;
        for (const Fence& g : fences) {
            if (g.valid() && g.state()->ctx.get() == ctx) {
                handles.push_back(g.state()->syncobj);
                points.push_back(g.state()->point);
            }
        }
        const int ret = kernel::syncobj_wait(ctx->raw_fd(), handles.data(), points.data(),
                                             static_cast<std::uint32_t>(handles.size()), deadline,
                                             true, nullptr);
        if (ret == -ETIME || ret == -ETIMEDOUT)
            return false;
        if (ret != 0)
            throw device_error(ret, "wait for fences");
    }
    for (const Fence& f : fences) {
        if (f.valid())
            detail::throw_if_failed(*f.state());
    }
    return true;
}

std::optional<std::size_t> wait_any(std::span<const Fence> fences,
                                    std::chrono::nanoseconds timeout) {
    if (fences.empty())
        return std::nullopt;
    const detail::DeviceContext* ctx = nullptr;
    std::vector<std::uint32_t> handles;
    std::vector<std::uint64_t> points;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < fences.size(); ++i) {
        if (!fences[i].valid())
            return i; // an empty fence is signalled
        const auto& st = *fences[i].state();
        if (ctx != nullptr && st.ctx.get() != ctx)
            throw Error(Errc::invalid_state, "wait_any over fences of different Devices");
        ctx = st.ctx.get();
        handles.push_back(st.syncobj);
        points.push_back(st.point);
        index.push_back(i);
    }
    std::uint32_t first = 0;
    const int ret = kernel::syncobj_wait(ctx->raw_fd(), handles.data(), points.data(),
                                         static_cast<std::uint32_t>(handles.size()),
                                         detail::deadline_after(timeout), false, &first);
    if (ret == -ETIME || ret == -ETIMEDOUT)
        return std::nullopt;
    if (ret != 0)
        throw device_error(ret, "wait for any fence");
    if (first >= index.size())
        throw Error(Errc::invalid_state, "kernel reported no signalled fence");
    detail::throw_if_failed(*fences[index[first]].state());
    return index[first];
}

// ---------------------------------------------------------------------------
// Queue

Queue::Queue(const Device& device, Priority priority) {
    const auto& ctx = detail::context_of(device);
    drm_seed_queue_create args{};
    args.priority = static_cast<std::uint32_t>(priority);
    const int ret = kernel::queue_create(ctx->raw_fd(), args);
    if (ret != 0)
        throw device_error(ret, fmt::format("create queue on {}", ctx->info.node));
    auto impl = std::make_shared<detail::QueueImpl>();
    impl->ctx = ctx;
    impl->id = args.queue_id;
    impl->syncobj = args.syncobj;
    impl->priority = priority;
    impl_ = std::move(impl);
}

Queue::~Queue() = default;

namespace {

const std::shared_ptr<detail::QueueImpl>& checked(const std::shared_ptr<detail::QueueImpl>& q) {
    if (!q)
        throw Error(Errc::invalid_state, "moved-from seed::Queue");
    return q;
}

} // namespace

Priority Queue::priority() const {
    return checked(impl_)->priority;
}

std::uint32_t Queue::id() const {
    return checked(impl_)->id;
}

Fence Queue::submit(const CommandList& list, std::span<const Fence> deps) {
    return detail::submit_one(checked(impl_), list, deps);
}

Fence Queue::submit(CommandList& list, std::span<const Fence> deps) {
    return detail::submit_one(checked(impl_), list, deps);
}

std::vector<Fence> Queue::submit_batch(std::span<const CommandList* const> lists) {
    std::vector<Submission> batch;
    batch.reserve(lists.size());
    for (const CommandList* l : lists)
        batch.push_back(Submission{this, l, {}});
    return seed::submit(batch);
}

Fence Queue::last_fence() const {
    const auto& q = checked(impl_);
    const std::lock_guard lock(q->mutex);
    if (q->last_seq == 0)
        return {};
    auto st = std::make_shared<detail::FenceState>();
    st->ctx = q->ctx;
    st->queue = q;
    st->syncobj = q->syncobj;
    st->point = q->last_seq;
    return Fence(std::move(st));
}

void Queue::finish() {
    last_fence().wait();
    const std::lock_guard lock(impl_->mutex);
    impl_->retire_locked();
}

Fence Queue::copy(const Buffer& dst, const Buffer& src, std::span<const Fence> deps) {
    return copy(BufferView(dst), BufferView(src), std::min(dst.size(), src.size()), deps);
}

Fence Queue::copy(const BufferView& dst, const BufferView& src, std::uint64_t size,
                  std::span<const Fence> deps) {
    CommandList list(std::make_shared<detail::CommandListImpl>());
    list.impl()->ctx = checked(impl_)->ctx;
    list.copy(dst, src, size);
    return submit(list, deps);
}

Fence Queue::fill(const BufferView& dst, std::uint64_t size, std::uint32_t pattern,
                  std::span<const Fence> deps) {
    CommandList list(std::make_shared<detail::CommandListImpl>());
    list.impl()->ctx = checked(impl_)->ctx;
    list.fill(dst, size, pattern, 4);
    return submit(list, deps);
}

Fence Queue::upload(const BufferView& dst, std::span<const std::byte> data,
                    std::span<const Fence> deps) {
    const auto& ctx = checked(impl_)->ctx;
    if (data.empty())
        throw Error(Errc::invalid_argument, "upload of 0 bytes");
    // Zero copy: the COPY job reads the application's pages, registered or
    // pinned for this job (the job keeps them pinned until it finishes).
    std::optional<BufferView> src = detail::find_registered(ctx, data, false);
    if (!src)
        src = detail::pin_user_range(ctx, data, false);
    if (src) {
        CommandList list(std::make_shared<detail::CommandListImpl>());
        list.impl()->ctx = ctx;
        list.copy(dst, *src, data.size());
        Fence done = submit(list, deps);
        // The caller may reuse @p data once this returns.
        done.wait();
        return done;
    }
    Buffer staging = detail::make_buffer(ctx, data.size(), Placement::host, {});
    std::memcpy(staging.bytes().data(), data.data(), data.size());
    CommandList list(std::make_shared<detail::CommandListImpl>());
    list.impl()->ctx = ctx;
    list.copy(dst, staging, data.size());
    return submit(list, deps);
}

void Queue::download(std::span<std::byte> out, const BufferView& src, std::span<const Fence> deps) {
    const auto& ctx = checked(impl_)->ctx;
    if (out.empty())
        throw Error(Errc::invalid_argument, "download of 0 bytes");
    const std::span<const std::byte> out_bytes(out.data(), out.size());
    std::optional<BufferView> dst = detail::find_registered(ctx, out_bytes, true);
    if (!dst)
        dst = detail::pin_user_range(ctx, out_bytes, true);
    if (dst) {
        CommandList list(std::make_shared<detail::CommandListImpl>());
        list.impl()->ctx = ctx;
        list.copy(*dst, src, out.size());
        submit(list, deps).wait();
        return;
    }
    Buffer staging = detail::make_buffer(ctx, out.size(), Placement::host, {});
    CommandList list(std::make_shared<detail::CommandListImpl>());
    list.impl()->ctx = ctx;
    list.copy(staging, src, out.size());
    submit(list, deps).wait();
    std::memcpy(out.data(), staging.bytes().data(), out.size());
}

Fence Queue::gemm(const GemmParams& params, const BufferView& a, const BufferView& b,
                  const BufferView& c, const std::optional<BufferView>& bias,
                  std::span<const Fence> deps) {
    CommandList list(std::make_shared<detail::CommandListImpl>());
    list.impl()->ctx = checked(impl_)->ctx;
    list.gemm(params, a, b, c, bias);
    return submit(list, deps);
}

Fence Queue::elementwise(const ElementwiseParams& params, const BufferView& dst,
                         const BufferView& src0, const std::optional<BufferView>& src1,
                         std::span<const Fence> deps) {
    CommandList list(std::make_shared<detail::CommandListImpl>());
    list.impl()->ctx = checked(impl_)->ctx;
    list.elementwise(params, dst, src0, src1);
    return submit(list, deps);
}

Fence Queue::reduce(const ReduceParams& params, const BufferView& dst, const BufferView& src,
                    std::span<const Fence> deps) {
    CommandList list(std::make_shared<detail::CommandListImpl>());
    list.impl()->ctx = checked(impl_)->ctx;
    list.reduce(params, dst, src);
    return submit(list, deps);
}

// ---------------------------------------------------------------------------
// Batches

std::vector<Fence> submit(std::span<const Submission> batch) {
    std::vector<detail::PreparedSubmit> prepared;
    prepared.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Submission& s = batch[i];
        if (s.queue == nullptr || s.list == nullptr)
            throw Error(Errc::invalid_argument, fmt::format("batch entry {}: no queue or list", i));
        prepared.push_back(detail::prepare(checked(s.queue->impl()), *s.list, s.deps));
    }
    std::vector<Fence> fences;
    fences.reserve(batch.size());
    if (prepared.empty())
        return fences;

    // io_uring takes one device file; a batch spanning several goes by ioctl.
    const auto& ctx = prepared.front().queue->ctx;
    const bool one_device = std::all_of(prepared.begin(), prepared.end(),
                                        [&](const auto& p) { return p.queue->ctx == ctx; });
    std::vector<kernel::UringResult> results(prepared.size());
    bool via_uring = false;
    if (one_device) {
        const std::lock_guard lock(ctx->uring_mutex);
        if (kernel::UringSubmitter* ring = ctx->uring_locked()) {
            std::vector<drm_seed_submit> args;
            args.reserve(prepared.size());
            for (const auto& p : prepared)
                args.push_back(p.args);
            const int ret = ring->submit(args, results);
            if (ret == 0 && !kernel::UringSubmitter::unsupported(results.front().error)) {
                via_uring = true;
            } else if (ret == 0) {
                // The driver has no io_uring SUBMIT: nothing was submitted.
                ctx->uring.reset();
            } else {
                throw device_error(ret, "io_uring submission");
            }
        }
    }
    // Entries that reached the kernel are tracked even when a later (or,
    // with io_uring, an earlier) one failed; the first failure is thrown.
    std::optional<Error> first_error;
    for (std::size_t i = 0; i < prepared.size(); ++i) {
        auto& p = prepared[i];
        int err = 0;
        std::uint64_t seq = 0;
        if (via_uring) {
            err = results[i].error;
            seq = results[i].seq;
        } else if (!first_error) {
            err = kernel::submit(p.queue->ctx->raw_fd(), p.args);
            seq = p.args.seq;
        } else {
            break;
        }
        if (err != 0) {
            if (!first_error) {
                first_error = device_error(
                    err, fmt::format("batch entry {}: SUBMIT on queue {}", i, p.queue->id));
            }
            continue;
        }
        fences.push_back(detail::complete(p, seq));
    }
    if (first_error)
        throw *first_error;
    return fences;
}

} // namespace seed
