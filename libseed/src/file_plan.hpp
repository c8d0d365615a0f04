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
//
// The chunk size of a load comes from the range (chunk_size_for()): as few
// chunks as the staging holds, of even sizes, so that a file is not cut into
// many small COPY jobs (each job has a fixed cost) nor left with a small
// tail; a range that fits in one staging chunk is still cut in two when the
// halves are large enough, so that the read of one half and the COPY of the
// other run together.
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

/// Below this, a range that fits in one staging chunk is not split.
inline constexpr std::uint64_t kMinSplitChunk = std::uint64_t{1} << 20;

/// Chunks of the range [file_offset, file_offset + size) for staging chunks
/// of @p chunk_size bytes (a multiple of @p align, a power of two).
class FilePlan {
public:
    FilePlan(std::uint64_t file_offset, std::uint64_t size, std::uint64_t chunk_size,
             std::uint64_t align) noexcept
        : offset_(file_offset), size_(size), chunk_(chunk_size), base_(file_offset & ~(align - 1)),
          // Overflow is excluded by the caller (file_offset + size <= file size).
          read_end_((file_offset + size + align - 1) & ~(align - 1)) {}

    /// The chunk size for loading [file_offset, file_offset + size) through
    /// staging chunks of @p max_chunk bytes (a multiple of @p align, a power
    /// of two): the fewest chunks that fit, at least two when each is then
    /// at least kMinSplitChunk, all of one size (a multiple of @p align)
    /// but the last. Never more than @p max_chunk.
    [[nodiscard]] static std::uint64_t chunk_size_for(std::uint64_t file_offset, std::uint64_t size,
                                                      std::uint64_t max_chunk,
                                                      std::uint64_t align) noexcept {
        const std::uint64_t base = file_offset & ~(align - 1);
        const std::uint64_t end = (file_offset + size + align - 1) & ~(align - 1);
        const std::uint64_t span = end - base;
        if (span == 0)
            return max_chunk;
        std::uint64_t n = (span + max_chunk - 1) / max_chunk;
        if (n == 1 && span >= 2 * kMinSplitChunk)
            n = 2;
        const std::uint64_t even = (span + n - 1) / n;
        return std::min(max_chunk, (even + align - 1) & ~(align - 1));
    }

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
