// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/error.hpp>
#include <seed/memory.hpp>

#include "context.hpp"
#include "kernel/drm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

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

namespace {

constexpr std::uintptr_t kPage = 4096;

// A userptr buffer over the pages holding @p bytes, or a negative errno.
int make_userptr(const std::shared_ptr<DeviceContext>& ctx, std::span<const std::byte> bytes,
                 bool read_only, Buffer& out, std::uint64_t& offset) {
    const auto addr = reinterpret_cast<std::uintptr_t>(bytes.data());
    const std::uintptr_t base = addr & ~(kPage - 1);
    if (addr + bytes.size() < addr || addr + bytes.size() > UINTPTR_MAX - (kPage - 1))
        return -EINVAL;
    const std::uintptr_t end = (addr + bytes.size() + kPage - 1) & ~(kPage - 1);
    drm_seed_bo_userptr args{};
    args.user_ptr = base;
    args.size = end - base;
    args.flags = read_only ? DRM_SEED_BO_DEVICE_READ_ONLY : 0u;
    const int ret = kernel::bo_userptr(ctx->raw_fd(), args);
    if (ret != 0)
        return ret;
    auto impl = std::make_shared<BufferImpl>();
    impl->ctx = ctx;
    impl->handle = args.handle;
    impl->size = args.size;
    impl->device_va = args.device_va;
    impl->placement = Placement::host;
    impl->read_only = read_only;
    impl->user_base = reinterpret_cast<std::byte*>(base);
    out = Buffer(std::move(impl));
    offset = addr - base;
    return 0;
}

// The kernel predates BO_USERPTR: an unknown driver ioctl is -EINVAL
// before any of its fields are read (and -ENOTTY on some paths).
bool userptr_missing(int ret, std::span<const std::byte> bytes) {
    const auto addr = reinterpret_cast<std::uintptr_t>(bytes.data());
    return ret == -ENOTTY || (ret == -EINVAL && addr + bytes.size() >= addr);
}

} // namespace

std::optional<BufferView> pin_user_range(const std::shared_ptr<DeviceContext>& ctx,
                                         std::span<const std::byte> bytes, bool device_writes) {
    if (bytes.empty() || ctx->userptr_unsupported.load(std::memory_order_relaxed))
        return std::nullopt;
    Buffer buf;
    std::uint64_t offset = 0;
    const int ret = make_userptr(ctx, bytes, !device_writes, buf, offset);
    if (ret == 0)
        return BufferView(std::move(buf), offset);
    if (userptr_missing(ret, bytes)) {
        ctx->userptr_unsupported.store(true, std::memory_order_relaxed);
        return std::nullopt;
    }
    // Not pinnable as asked (a read-only or special mapping, the pin limit,
    // memory pressure): the caller stages instead.
    if (ret == -EFAULT || ret == -EDQUOT || ret == -ENOMEM || ret == -ENOSPC || ret == -EPERM)
        return std::nullopt;
    throw device_error(ret, fmt::format("pin {} bytes of user memory", bytes.size()));
}

std::optional<BufferView> find_registered(const std::shared_ptr<DeviceContext>& ctx,
                                          std::span<const std::byte> bytes, bool device_writes) {
    const auto addr = reinterpret_cast<std::uintptr_t>(bytes.data());
    const std::lock_guard lock(ctx->registered_mutex);
    auto& regs = ctx->registered;
    std::erase_if(regs, [](const std::weak_ptr<BufferImpl>& w) { return w.expired(); });
    for (const auto& w : regs) {
        std::shared_ptr<BufferImpl> impl = w.lock();
        if (!impl || (device_writes && impl->read_only))
            continue;
        const auto base = reinterpret_cast<std::uintptr_t>(impl->user_base);
        if (addr >= base && bytes.size() <= impl->size && addr - base <= impl->size - bytes.size())
            return BufferView(Buffer(std::move(impl)), addr - base);
    }
    return std::nullopt;
}

} // namespace detail

RegisteredMemory::RegisteredMemory(const Device& device, std::span<std::byte> memory,
                                   RegisterOptions options) {
    const auto& ctx = detail::context_of(device);
    if (memory.empty())
        throw Error(Errc::invalid_argument, "registration of 0 bytes");
    const int ret = detail::make_userptr(ctx, memory, options.device_read_only, buffer_, offset_);
    if (ret != 0) {
        const int err = detail::userptr_missing(ret, memory) ? -EOPNOTSUPP : ret;
        throw device_error(err, fmt::format("register {} bytes of memory with {}{}", memory.size(),
                                            ctx->info.node,
                                            err == -ENOMEM ? " (pinned pages count against "
                                                             "RLIMIT_MEMLOCK: ulimit -l)"
                                                           : ""));
    }
    memory_ = memory;
    const std::lock_guard lock(ctx->registered_mutex);
    ctx->registered.push_back(buffer_.impl());
}

RegisteredMemory::RegisteredMemory(const Device& device, std::span<const std::byte> memory)
    : RegisteredMemory(device,
                       std::span<std::byte>(const_cast<std::byte*>(memory.data()), memory.size()),
                       RegisterOptions{.device_read_only = true}) {}

RegisteredMemory::RegisteredMemory(RegisteredMemory&& other) noexcept
    : buffer_(std::exchange(other.buffer_, Buffer())), memory_(std::exchange(other.memory_, {})),
      offset_(std::exchange(other.offset_, 0)) {}

RegisteredMemory& RegisteredMemory::operator=(RegisteredMemory&& other) noexcept {
    if (this != &other) {
        reset();
        buffer_ = std::exchange(other.buffer_, Buffer());
        memory_ = std::exchange(other.memory_, {});
        offset_ = std::exchange(other.offset_, 0);
    }
    return *this;
}

RegisteredMemory::~RegisteredMemory() {
    reset();
}

void RegisteredMemory::reset() noexcept {
    // The registry only holds weak references: dropping the last strong one
    // (this, unless a job still uses the buffer) closes the handle, and the
    // kernel unpins the pages once no job uses them.
    buffer_ = Buffer();
    memory_ = {};
    offset_ = 0;
}

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
    if (impl.user_base != nullptr)
        return {impl.user_base, static_cast<std::size_t>(impl.size)};
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
