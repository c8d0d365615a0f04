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

} // namespace seed
