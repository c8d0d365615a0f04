// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Dma: the table of guest memory the client has mapped for the device
// (vfio-user DMA_MAP/DMA_UNMAP), and bounds- and permission-checked copies
// between it and device memory.
#pragma once

#include "mapping.h"
#include "unique_fd.h"
#include "writer_first_mutex.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <shared_mutex>

namespace seed::device {

inline constexpr uint32_t kDmaProtRead = 1u << 0;
inline constexpr uint32_t kDmaProtWrite = 1u << 1;

/// Thread safe: device threads copy under a shared lock, map and unmap take it
/// exclusively, so an unmap returns only after every copy touching the old
/// mapping has finished.
class Dma {
public:
    static constexpr size_t kMaxMaps = 65535;

    /// Records [@p iova, @p iova + @p size) with @p prot (kDmaProt* bits). With
    /// a valid @p fd the range is mmap()ed from @p fd_offset for direct access;
    /// the fd is closed afterwards. Without an fd, or if the fd cannot be
    /// mapped, the range is recorded but not accessible. An existing map that
    /// overlaps the new one is replaced.
    /// Returns 0, -EINVAL (empty or wrapping range, bad prot), -EEXIST (exact
    /// duplicate) or -ENOSPC (table full).
    int map(uint64_t iova, uint64_t size, uint32_t prot, UniqueFd fd, uint64_t fd_offset);

    /// Removes every map fully inside [@p iova, @p iova + @p size); returns how many.
    size_t unmap(uint64_t iova, uint64_t size);
    void unmap_all();

    /// Copies guest memory at @p iova into @p dst. Returns 0, -EFAULT (some
    /// byte is not mapped), -EACCES (no read permission) or -ENXIO (mapped
    /// without direct access, e.g. no fd). Transfers may span adjacent maps.
    int read(uint64_t iova, void* dst, size_t length) const;
    /// Copies @p src into guest memory at @p iova; errors as read(), with
    /// -EACCES for a map without write permission.
    int write(uint64_t iova, const void* src, size_t length);

    size_t map_count() const;

private:
    struct Entry {
        uint64_t size = 0;
        uint32_t prot = 0;
        Mapping mapping;         // empty when not directly accessible
        uint8_t* host = nullptr; // host address of iova, inside mapping
    };

    /// Calls @p fn(host, length) for each map piece covering the range, after
    /// checking that all of it is mapped with @p need. Caller holds lock_.
    template <typename Fn>
    int for_each_piece_locked(uint64_t iova, size_t length, uint32_t need, Fn&& fn) const;

    mutable WriterFirstMutex lock_;  /* Protects maps_ */
    std::map<uint64_t, Entry> maps_; // keyed by iova, never overlapping
};

} // namespace seed::device
