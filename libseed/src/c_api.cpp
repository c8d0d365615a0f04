// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The C API (include/seed/seed.h): thin wrappers turning exceptions into
// seed_status codes and a thread-local message.
#include <seed/seed.h>
#include <seed/seed.hpp>

#include "c_status.hpp"

#include <cerrno>
#include <new>
#include <optional>
#include <string>
#include <vector>

struct seed_device {
    seed::Device dev;
};
struct seed_buffer {
    seed::Buffer buf;
};
struct seed_cmdlist {
    seed::CommandList list;
};
struct seed_queue {
    seed::Queue queue;
};
struct seed_fence {
    seed::Fence fence;
};

// The C names of the C++ enumerations' values.
static_assert(SEED_ELEMENTWISE_COPY == static_cast<int>(seed::ElementwiseOp::copy));
static_assert(SEED_ELEMENTWISE_RELU == static_cast<int>(seed::ElementwiseOp::relu));
static_assert(SEED_ELEMENTWISE_GELU == static_cast<int>(seed::ElementwiseOp::gelu));
static_assert(SEED_ELEMENTWISE_EXP == static_cast<int>(seed::ElementwiseOp::exp));
static_assert(SEED_ELEMENTWISE_NEG == static_cast<int>(seed::ElementwiseOp::neg));
static_assert(SEED_ELEMENTWISE_ABS == static_cast<int>(seed::ElementwiseOp::abs));
static_assert(SEED_ELEMENTWISE_SQRT == static_cast<int>(seed::ElementwiseOp::sqrt));
static_assert(SEED_ELEMENTWISE_ADD == static_cast<int>(seed::ElementwiseOp::add));
static_assert(SEED_ELEMENTWISE_SUB == static_cast<int>(seed::ElementwiseOp::sub));
static_assert(SEED_ELEMENTWISE_MUL == static_cast<int>(seed::ElementwiseOp::mul));
static_assert(SEED_ELEMENTWISE_DIV == static_cast<int>(seed::ElementwiseOp::div));
static_assert(SEED_ELEMENTWISE_MAX == static_cast<int>(seed::ElementwiseOp::max));
static_assert(SEED_ELEMENTWISE_MIN == static_cast<int>(seed::ElementwiseOp::min));
static_assert(SEED_JOB_MMU_FAULT == static_cast<int>(seed::JobFailure::mmu_fault));
static_assert(SEED_JOB_INVALID_PACKET == static_cast<int>(seed::JobFailure::invalid_packet));
static_assert(SEED_JOB_TIMEOUT == static_cast<int>(seed::JobFailure::timeout));
static_assert(SEED_JOB_RESET == static_cast<int>(seed::JobFailure::reset));
static_assert(SEED_JOB_CANCELLED == static_cast<int>(seed::JobFailure::cancelled));
static_assert(SEED_JOB_ECC == static_cast<int>(seed::JobFailure::ecc));
static_assert(SEED_JOB_DEVICE_LOST == static_cast<int>(seed::JobFailure::device_lost));
static_assert(SEED_JOB_HW_ERROR == static_cast<int>(seed::JobFailure::hw_error));
static_assert(SEED_JOB_UNKNOWN == static_cast<int>(seed::JobFailure::unknown));

namespace {

using seed::detail::guarded;
using seed::detail::last_job;
using seed::detail::last_message;
using seed::detail::null_arg;

std::vector<seed::Fence> fence_vector(seed_fence* const* fences, size_t count) {
    std::vector<seed::Fence> v;
    v.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        if (fences[i] == nullptr)
            throw seed::Error(seed::Errc::invalid_argument, "NULL fence");
        v.push_back(fences[i]->fence);
    }
    return v;
}

std::chrono::nanoseconds to_timeout(uint64_t ns) {
    if (ns >= static_cast<uint64_t>(seed::infinite_timeout.count()))
        return seed::infinite_timeout;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
}

} // namespace

extern "C" {

const char* seed_last_error_message(void) {
    return last_message.c_str();
}

seed_status seed_last_job_error(seed_job_error* out) {
    if (out == nullptr)
        return null_arg("out");
    if (!last_job)
        return SEED_ERROR_INVALID_STATE;
    const seed::JobStatus& s = *last_job;
    *out = seed_job_error{s.queue_id,      static_cast<uint32_t>(s.reason),
                          s.seq,           s.hw_error,
                          s.fault_info,    s.fault_address,
                          s.packet_offset, s.packet_opcode,
                          s.packet_level,  0};
    return SEED_SUCCESS;
}

seed_status seed_device_count(unsigned* count) {
    if (count == nullptr)
        return null_arg("count");
    return guarded([&] { *count = static_cast<unsigned>(seed::Device::list().size()); });
}

seed_status seed_device_open(unsigned index, seed_device** out) {
    if (out == nullptr)
        return null_arg("out");
    return guarded([&] { *out = new seed_device{seed::Device::open(index)}; });
}

void seed_device_destroy(seed_device* device) {
    delete device;
}

uint64_t seed_device_hbm_size(const seed_device* device) {
    return device != nullptr ? device->dev.info().hbm_size : 0;
}

seed_status seed_device_memory(const seed_device* device, uint64_t* hbm_used,
                               uint64_t* client_hbm) {
    if (device == nullptr)
        return null_arg("device");
    return guarded([&] {
        const seed::MemoryUsage u = device->dev.memory_usage();
        if (hbm_used != nullptr)
            *hbm_used = u.hbm_used;
        if (client_hbm != nullptr)
            *client_hbm = u.client_hbm;
    });
}

seed_status seed_buffer_create(seed_device* device, uint64_t size, int placement, uint32_t flags,
                               seed_buffer** out) {
    if (device == nullptr || out == nullptr)
        return null_arg("device or out");
    return guarded([&] {
        if (placement != SEED_PLACEMENT_DEVICE && placement != SEED_PLACEMENT_HOST)
            throw seed::Error(seed::Errc::invalid_argument, "unknown placement");
        if ((flags & ~SEED_BUFFER_DEVICE_READ_ONLY) != 0)
            throw seed::Error(seed::Errc::invalid_argument, "unknown buffer flags");
        seed::Buffer b(device->dev, size,
                       placement == SEED_PLACEMENT_HOST ? seed::Placement::host
                                                        : seed::Placement::device,
                       {.device_read_only = (flags & SEED_BUFFER_DEVICE_READ_ONLY) != 0});
        *out = new seed_buffer{std::move(b)};
    });
}

void seed_buffer_destroy(seed_buffer* buffer) {
    delete buffer;
}

uint64_t seed_buffer_size(const seed_buffer* buffer) {
    return buffer != nullptr ? buffer->buf.size() : 0;
}

uint64_t seed_buffer_device_va(const seed_buffer* buffer) {
    return buffer != nullptr ? buffer->buf.device_va() : 0;
}

void* seed_buffer_map(seed_buffer* buffer) {
    if (buffer == nullptr) {
        (void)null_arg("buffer");
        return nullptr;
    }
    void* p = nullptr;
    (void)guarded([&] { p = buffer->buf.bytes().data(); });
    return p;
}

seed_status seed_cmdlist_create(seed_device* device, seed_cmdlist** out) {
    if (device == nullptr || out == nullptr)
        return null_arg("device or out");
    return guarded([&] { *out = new seed_cmdlist{seed::CommandList(device->dev)}; });
}

void seed_cmdlist_destroy(seed_cmdlist* list) {
    delete list;
}

seed_status seed_cmdlist_copy(seed_cmdlist* list, seed_buffer* dst, uint64_t dst_offset,
                              seed_buffer* src, uint64_t src_offset, uint64_t size) {
    if (list == nullptr || dst == nullptr || src == nullptr)
        return null_arg("list, dst or src");
    return guarded([&] {
        list->list.copy(seed::BufferView(dst->buf, dst_offset),
                        seed::BufferView(src->buf, src_offset), size);
    });
}

seed_status seed_cmdlist_fill(seed_cmdlist* list, seed_buffer* dst, uint64_t offset, uint64_t size,
                              uint32_t pattern) {
    if (list == nullptr || dst == nullptr)
        return null_arg("list or dst");
    return guarded([&] { list->list.fill(seed::BufferView(dst->buf, offset), size, pattern, 4); });
}

seed_status seed_cmdlist_copy_va(seed_cmdlist* list, uint64_t dst_va, uint64_t src_va,
                                 uint64_t size) {
    if (list == nullptr)
        return null_arg("list");
    return guarded([&] { list->list.copy_va(dst_va, src_va, size); });
}

seed_status seed_cmdlist_signal(seed_cmdlist* list, seed_buffer* buf, uint64_t offset,
                                uint64_t value) {
    if (list == nullptr || buf == nullptr)
        return null_arg("list or buf");
    return guarded([&] { list->list.signal(seed::BufferView(buf->buf, offset), value); });
}

seed_status seed_cmdlist_timestamp(seed_cmdlist* list, seed_buffer* buf, uint64_t offset) {
    if (list == nullptr || buf == nullptr)
        return null_arg("list or buf");
    return guarded([&] { list->list.timestamp(seed::BufferView(buf->buf, offset)); });
}

seed_status seed_cmdlist_gemm_f32(seed_cmdlist* list, uint32_t m, uint32_t n, uint32_t k,
                                  seed_buffer* a, seed_buffer* b, seed_buffer* c) {
    if (list == nullptr || a == nullptr || b == nullptr || c == nullptr)
        return null_arg("list or operand");
    return guarded([&] {
        seed::GemmParams p;
        p.m = m;
        p.n = n;
        p.k = k;
        list->list.gemm(p, a->buf, b->buf, c->buf);
    });
}

seed_status seed_cmdlist_elementwise_f32(seed_cmdlist* list, uint8_t op, uint32_t count,
                                         seed_buffer* dst, seed_buffer* src0, seed_buffer* src1) {
    if (list == nullptr || dst == nullptr || src0 == nullptr)
        return null_arg("list, dst or src0");
    return guarded([&] {
        seed::ElementwiseParams p;
        p.op = static_cast<seed::ElementwiseOp>(op);
        p.rows = 1;
        p.cols = count;
        std::optional<seed::BufferView> s1;
        if (src1 != nullptr)
            s1 = seed::BufferView(src1->buf);
        list->list.elementwise(p, dst->buf, src0->buf, s1);
    });
}

seed_status seed_queue_create(seed_device* device, uint32_t priority, seed_queue** out) {
    if (device == nullptr || out == nullptr)
        return null_arg("device or out");
    return guarded([&] {
        if (priority > 3)
            throw seed::Error(seed::Errc::invalid_argument, "priority above 3");
        *out = new seed_queue{seed::Queue(device->dev, static_cast<seed::Priority>(priority))};
    });
}

void seed_queue_destroy(seed_queue* queue) {
    delete queue;
}

seed_status seed_queue_submit(seed_queue* queue, seed_cmdlist* list, seed_fence* const* deps,
                              size_t ndeps, seed_fence** out) {
    if (queue == nullptr || list == nullptr || (ndeps != 0 && deps == nullptr))
        return null_arg("queue, list or deps");
    return guarded([&] {
        const std::vector<seed::Fence> d = fence_vector(deps, ndeps);
        seed::Fence f = queue->queue.submit(list->list, d);
        if (out != nullptr)
            *out = new seed_fence{std::move(f)};
    });
}

seed_status seed_queue_finish(seed_queue* queue) {
    if (queue == nullptr)
        return null_arg("queue");
    return guarded([&] { queue->queue.finish(); });
}

void seed_fence_destroy(seed_fence* fence) {
    delete fence;
}

seed_status seed_fence_wait(seed_fence* fence, uint64_t timeout_ns) {
    if (fence == nullptr)
        return null_arg("fence");
    return guarded([&] {
        if (!fence->fence.wait_for(to_timeout(timeout_ns)))
            throw seed::Error(seed::Errc::timeout, "fence wait");
    });
}

seed_status seed_fence_ready(seed_fence* fence, int* ready) {
    if (fence == nullptr || ready == nullptr)
        return null_arg("fence or ready");
    return guarded([&] { *ready = fence->fence.ready() ? 1 : 0; });
}

seed_status seed_fence_wait_all(seed_fence* const* fences, size_t count, uint64_t timeout_ns) {
    if (count != 0 && fences == nullptr)
        return null_arg("fences");
    return guarded([&] {
        if (!seed::wait_all(fence_vector(fences, count), to_timeout(timeout_ns)))
            throw seed::Error(seed::Errc::timeout, "wait for all fences");
    });
}

seed_status seed_fence_wait_any(seed_fence* const* fences, size_t count, uint64_t timeout_ns,
                                size_t* index) {
    if ((count != 0 && fences == nullptr) || index == nullptr)
        return null_arg("fences or index");
    return guarded([&] {
        const auto i = seed::wait_any(fence_vector(fences, count), to_timeout(timeout_ns));
        if (!i)
            throw seed::Error(seed::Errc::timeout, "wait for any fence");
        *index = *i;
    });
}

seed_status seed_fence_export_sync_file(seed_fence* fence, int* fd) {
    if (fence == nullptr || fd == nullptr)
        return null_arg("fence or fd");
    return guarded([&] { *fd = fence->fence.export_sync_file(); });
}

} // extern "C"
