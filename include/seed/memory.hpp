// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device memory: seed::Buffer, one buffer object (BO) of the driver.
//
// A buffer lives either in the device's HBM (Placement::device: fast for the
// device, reachable from the host only by COPY packets) or in host memory
// the device reaches by DMA (Placement::host: the host reads and writes it
// directly through a mapping, see Buffer::span()). Every buffer has a device
// virtual address (device_va()) in the address space of the Device it was
// created from; packets use those addresses.
//
// Lifetime: a Buffer is a shared handle. Command lists that reference a
// buffer and jobs running those lists keep it alive, so destroying the
// Buffer while a job still uses it is safe: the memory is released when the
// last job using it has finished.
#pragma once

#include <seed/export.h>

#include <seed/device.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>

namespace seed {

namespace detail {
struct BufferImpl;
} // namespace detail

/// Where a buffer's memory is.
enum class Placement : std::uint32_t {
    device = 0, ///< HBM (DRM_SEED_BO_HBM)
    host = 1,   ///< host memory, mappable (DRM_SEED_BO_HOST)
};

/// Options of Buffer::Buffer().
struct BufferOptions {
    /// The device may only read the buffer; a device write faults
    /// (DRM_SEED_BO_DEVICE_READ_ONLY). The host may still write host buffers.
    bool device_read_only = false;
};

/// One buffer object. Copying a Buffer copies the handle, not the memory.
class SEED_API Buffer {
public:
    /// Creates a zero-filled buffer of at least @p size bytes; the driver
    /// rounds the size up to 4 KiB (size() reports the rounded size).
    /// @throws seed::Error: Errc::invalid_argument for size 0; ENOMEM or
    ///         ENOSPC (system category) when memory or address space runs
    ///         out; Errc::device_lost.
    Buffer(const Device& device, std::uint64_t size, Placement placement,
           BufferOptions options = {});

    /// An empty handle: valid() is false and every other call throws
    /// Errc::invalid_state.
    Buffer() noexcept = default;

    /// Wraps libseed's shared state (internal).
    explicit Buffer(std::shared_ptr<detail::BufferImpl> impl) noexcept : impl_(std::move(impl)) {}

    /// Whether this handle refers to a buffer.
    [[nodiscard]] bool valid() const noexcept { return impl_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }

    /// Size in bytes (a multiple of 4 KiB).
    [[nodiscard]] std::uint64_t size() const;
    /// Device virtual address of the first byte.
    [[nodiscard]] std::uint64_t device_va() const;
    [[nodiscard]] Placement placement() const;
    [[nodiscard]] bool is_host() const { return placement() == Placement::host; }
    [[nodiscard]] bool device_read_only() const;
    /// GEM handle in the Device's file (for interoperation and debugging).
    [[nodiscard]] std::uint32_t handle() const;

    /// The whole buffer as bytes. The mapping is created on first use and
    /// stays until the buffer is released.
    /// @throws seed::Error Errc::invalid_argument for a device buffer.
    [[nodiscard]] std::span<std::byte> bytes() const;

    /// The buffer as an array of T: size() / sizeof(T) elements (the buffer
    /// base is page aligned, so any T is suitably aligned).
    /// @throws seed::Error Errc::invalid_argument for a device buffer.
    template <typename T>
    [[nodiscard]] std::span<T> span() const {
        static_assert(std::is_trivially_copyable_v<T>,
                      "device memory holds trivially copyable types");
        const std::span<std::byte> b = bytes();
        return {reinterpret_cast<T*>(b.data()), b.size() / sizeof(T)};
    }

    /// Shared state; used by CommandList and Queue to keep the memory alive.
    [[nodiscard]] const std::shared_ptr<detail::BufferImpl>& impl() const noexcept { return impl_; }

    friend bool operator==(const Buffer& a, const Buffer& b) noexcept { return a.impl_ == b.impl_; }

private:
    const detail::BufferImpl& checked() const;
    std::shared_ptr<detail::BufferImpl> impl_;
};

/// Options of RegisteredMemory::RegisteredMemory().
struct RegisterOptions {
    /// The device may only read the memory (DRM_SEED_BO_DEVICE_READ_ONLY);
    /// then a read-only mapping can be registered too.
    bool device_read_only = false;
};

/// Application memory the device reaches directly (DRM_IOCTL_SEED_BO_USERPTR):
/// its pages are pinned and mapped into the Device's address space for as
/// long as this handle, or a job using buffer(), lives. Queue::upload() and
/// Queue::download() of ranges inside registered memory then copy straight
/// between it and HBM, without a staging buffer or pinning per call.
///
/// The registration covers the 4 KiB pages holding the span; the memory must
/// stay mapped while registered (freeing it first is safe for the system but
/// the device keeps the old pages). Move-only; the destructor unregisters.
///
/// Example:
///     std::vector<float> host(1 << 20);
///     seed::RegisteredMemory reg(device, std::as_writable_bytes(std::span(host)));
///     queue.upload(seed::BufferView(hbm), std::span<const float>(host)).wait();
class SEED_API RegisteredMemory {
public:
    /// Registers @p memory (at least 1 byte).
    /// @throws seed::Error: Errc::invalid_argument for an empty span;
    ///         EOPNOTSUPP (system category) when the driver has no
    ///         BO_USERPTR; EFAULT
    ///         (system category) when a page is not mapped, or read-only
    ///         without options.device_read_only; EDQUOT over the driver's
    ///         per-file pin limit; ENOMEM when memory runs out or over the
    ///         process's RLIMIT_MEMLOCK (`ulimit -l`; pinned pages count
    ///         against it without CAP_IPC_LOCK); Errc::device_lost.
    RegisteredMemory(const Device& device, std::span<std::byte> memory,
                     RegisterOptions options = {});
    /// Registers read-only memory: the device may only read it.
    RegisteredMemory(const Device& device, std::span<const std::byte> memory);

    RegisteredMemory() noexcept = default;
    RegisteredMemory(RegisteredMemory&&) noexcept;
    RegisteredMemory& operator=(RegisteredMemory&&) noexcept;
    RegisteredMemory(const RegisteredMemory&) = delete;
    RegisteredMemory& operator=(const RegisteredMemory&) = delete;
    ~RegisteredMemory();

    [[nodiscard]] bool valid() const noexcept { return buffer_.valid(); }
    explicit operator bool() const noexcept { return valid(); }

    /// The registered span, as given.
    [[nodiscard]] std::span<const std::byte> memory() const noexcept { return memory_; }
    /// The buffer over the pages holding memory(): a host buffer whose
    /// bytes() are those pages (mapped by the application, not libseed).
    [[nodiscard]] const Buffer& buffer() const noexcept { return buffer_; }
    /// Byte offset of memory().data() in buffer().
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

    /// Ends the registration now (as the destructor does); jobs already
    /// using buffer() keep the pages pinned until they finish.
    void reset() noexcept;

private:
    Buffer buffer_;
    std::span<const std::byte> memory_;
    std::uint64_t offset_ = 0;
};

} // namespace seed
