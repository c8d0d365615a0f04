// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// State shared by a Device and every object made from it.
#pragma once

#include "kernel/uring.hpp"
#include "unique_fd.hpp"

#include <seed/command_list.hpp>
#include <seed/device.hpp>
#include <seed/memory.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace seed::detail {

struct BufferImpl;

struct DeviceContext {
    UniqueFd fd;
    DeviceInfo info;

    // io_uring for batched submissions, set up on first use.
    std::mutex uring_mutex;
    bool uring_disabled = false; ///< SEED_DISABLE_IO_URING=1 when the Device was opened
    bool uring_tried = false;
    std::unique_ptr<kernel::UringSubmitter> uring;

    // Event slots: the current page and the next free 8-byte slot in it.
    // Weak: the Events own their page, and a page owning this context back
    // would keep the file open after the last Device, Buffer and Event.
    std::mutex event_mutex;
    std::weak_ptr<BufferImpl> event_page;
    std::uint64_t event_next = 0;

    // Memory the application registered (RegisteredMemory), looked up by
    // Queue::upload and download. Weak: the registrations own themselves.
    std::mutex registered_mutex;
    std::vector<std::weak_ptr<BufferImpl>> registered;
    // BO_USERPTR failed with EINVAL/ENOTTY: the kernel predates it.
    std::atomic<bool> userptr_unsupported = false;

    [[nodiscard]] int raw_fd() const noexcept { return fd.get(); }

    /// Sets up io_uring if allowed and not tried yet; returns it or nullptr.
    /// Call with uring_mutex held.
    kernel::UringSubmitter* uring_locked();
};

/// Access to Device internals for the rest of libseed.
struct DeviceAccess {
    static const std::shared_ptr<DeviceContext>& context(const Device& device);
    static Device make(UniqueFd fd, DeviceInfo info);
};

/// The context of @p device, or throws Errc::invalid_state for a moved-from
/// Device.
const std::shared_ptr<DeviceContext>& context_of(const Device& device);

struct BufferImpl {
    std::shared_ptr<DeviceContext> ctx;
    std::uint32_t handle = 0;
    std::uint64_t size = 0;
    std::uint64_t device_va = 0;
    Placement placement = Placement::device;
    bool read_only = false;
    std::uint64_t mmap_offset = 0;

    std::mutex map_mutex;
    void* map = nullptr;
    // Userptr BOs: the application's memory the BO wraps (page aligned).
    std::byte* user_base = nullptr;

    BufferImpl() = default;
    BufferImpl(const BufferImpl&) = delete;
    BufferImpl& operator=(const BufferImpl&) = delete;
    ~BufferImpl();
};

/// Creates a buffer object in @p ctx (see Buffer::Buffer()).
Buffer make_buffer(const std::shared_ptr<DeviceContext>& ctx, std::uint64_t size,
                   Placement placement, BufferOptions options);

/// Wraps the pages covering @p bytes in a userptr BO (BO_USERPTR); the
/// returned view addresses bytes.data(). Returns nullopt when the kernel
/// lacks BO_USERPTR or cannot pin the range (the caller then stages);
/// throws for other errors.
std::optional<BufferView> pin_user_range(const std::shared_ptr<DeviceContext>& ctx,
                                         std::span<const std::byte> bytes, bool device_writes);

/// The registered memory holding all of @p bytes, as a view addressing
/// bytes.data(), or nullopt. @p device_writes: it must be device-writable.
std::optional<BufferView> find_registered(const std::shared_ptr<DeviceContext>& ctx,
                                          std::span<const std::byte> bytes, bool device_writes);

} // namespace seed::detail
