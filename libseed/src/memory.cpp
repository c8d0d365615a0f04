// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/error.hpp>
#include <seed/memory.hpp>

#include "context.hpp"
#include "kernel/drm.hpp"

#include <fmt/format.h>

namespace seed {

namespace detail {

BufferImpl::~BufferImpl() {
    // Failures here cannot be reported (a destructor) and leave nothing
    // behind that the kernel does not clean up when the file closes.
    if (map != nullptr)
        (void)kernel::unmap_bo(map, size);
    if (handle != 0)
        (void)kernel::gem_close(ctx->raw_fd(), handle);
}

Buffer make_buffer(const std::shared_ptr<DeviceContext>& ctx, std::uint64_t size,
                   Placement placement, BufferOptions options) {
    if (size == 0)
        throw Error(Errc::invalid_argument, "buffer of 0 bytes");
    if (placement != Placement::device && placement != Placement::host)
        throw Error(Errc::invalid_argument, "unknown buffer placement");
    drm_seed_bo_create args{};
    args.size = size;
    args.placement = static_cast<std::uint32_t>(placement);
    args.flags = options.device_read_only ? DRM_SEED_BO_DEVICE_READ_ONLY : 0u;
    int ret = kernel::bo_create(ctx->raw_fd(), args);
    if (ret != 0) {
        throw device_error(ret,
                           fmt::format("create {} {} buffer of {} bytes", ctx->info.node,
                                       placement == Placement::host ? "host" : "device", size));
    }
    auto impl = std::make_shared<BufferImpl>();
    impl->ctx = ctx;
    impl->handle = args.handle;
    impl->size = args.size;
    impl->device_va = args.device_va;
    impl->placement = placement;
    impl->read_only = options.device_read_only;
    if (placement == Placement::host) {
        drm_seed_bo_info info{};
        ret = kernel::bo_info(ctx->raw_fd(), args.handle, info);
        if (ret != 0)
            throw device_error(ret, fmt::format("BO_INFO of buffer {}", args.handle));
        impl->mmap_offset = info.mmap_offset;
    }
    return Buffer(std::move(impl));
}

} // namespace detail

Buffer::Buffer(const Device& device, std::uint64_t size, Placement placement, BufferOptions options)
    : Buffer(detail::make_buffer(detail::context_of(device), size, placement, options)) {}

const detail::BufferImpl& Buffer::checked() const {
    if (!impl_)
        throw Error(Errc::invalid_state, "empty seed::Buffer");
    return *impl_;
}

std::uint64_t Buffer::size() const {
    return checked().size;
}

std::uint64_t Buffer::device_va() const {
    return checked().device_va;
}

Placement Buffer::placement() const {
    return checked().placement;
}

bool Buffer::device_read_only() const {
    return checked().read_only;
}

std::uint32_t Buffer::handle() const {
    return checked().handle;
}

std::span<std::byte> Buffer::bytes() const {
    (void)checked();
    detail::BufferImpl& impl = *impl_;
    if (impl.placement != Placement::host)
        throw Error(Errc::invalid_argument, "host view of a device-memory buffer");
    const std::lock_guard lock(impl.map_mutex);
    if (impl.map == nullptr) {
        void* p = nullptr;
        const int ret = kernel::map_bo(impl.ctx->raw_fd(), impl.mmap_offset, impl.size, p);
        if (ret != 0)
            throw device_error(ret, fmt::format("mmap buffer {}", impl.handle));
        impl.map = p;
    }
    return {static_cast<std::byte*>(impl.map), static_cast<std::size_t>(impl.size)};
}

} // namespace seed
