// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// How FileLoader cuts a file range into staged chunks (pure logic, unit
// tested in tests/libseed/file_plan_test.cpp).
//
// With O_DIRECT the reads must start at, and span, multiples of the
// alignment (4 KiB covers every logical block size in use), so the reads
// cover the range widened to aligned ends and each chunk's useful bytes sit
// at an offset in its staging chunk. Buffered reads use alignment 1.
#pragma once

#include <algorithm>
#include <cstdint>

namespace seed::detail {

struct FileChunk {
    std::uint64_t read_offset = 0; ///< file offset of the read (aligned)
    std::uint64_t read_size = 0;   ///< bytes requested (aligned; may pass EOF)
    std::uint64_t skip = 0;        ///< offset of the useful bytes in the staging chunk
    std::uint64_t size = 0;        ///< useful bytes
    std::uint64_t dst_offset = 0;  ///< offset of the useful bytes from the start of the range
};

/// Chunks of the range [file_offset, file_offset + size) for staging chunks
/// of @p chunk_size bytes (a multiple of @p align, a power of two).
class FilePlan {
public:
    FilePlan(std::uint64_t file_offset, std::uint64_t size, std::uint64_t chunk_size,
             std::uint64_t align) noexcept
        : offset_(file_offset), size_(size), chunk_(chunk_size), base_(file_offset & ~(align - 1)),
          // Overflow is excluded by the caller (file_offset + size <= file size).
          read_end_((file_offset + size + align - 1) & ~(align - 1)) {}

    /// Number of chunks (0 for an empty range).
    [[nodiscard]] std::uint64_t count() const noexcept {
        return size_ == 0 ? 0 : (read_end_ - base_ + chunk_ - 1) / chunk_;
    }

    [[nodiscard]] FileChunk chunk(std::uint64_t i) const noexcept {
        FileChunk c;
        c.read_offset = base_ + i * chunk_;
        c.read_size = std::min(chunk_, read_end_ - c.read_offset);
        const std::uint64_t begin = std::max(offset_, c.read_offset);
        const std::uint64_t end = std::min(offset_ + size_, c.read_offset + c.read_size);
        c.skip = begin - c.read_offset;
        c.size = end - begin;
        c.dst_offset = begin - offset_;
        return c;
    }

private:
    std::uint64_t offset_;
    std::uint64_t size_;
    std::uint64_t chunk_;
    std::uint64_t base_;
    std::uint64_t read_end_;
};

} // namespace seed::detail
