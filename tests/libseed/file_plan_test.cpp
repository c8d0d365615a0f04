// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// FileLoader's chunking (libseed/src/file_plan.hpp): every byte of the range
// lands once, at the right place, and O_DIRECT reads stay aligned; the
// chunk size of a load gives the fewest, even chunks the staging allows.
#include "file_plan.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using seed::detail::FileChunk;
using seed::detail::FilePlan;

// Checks the invariants of a plan and returns its chunks.
std::vector<FileChunk> checked(std::uint64_t offset, std::uint64_t size, std::uint64_t chunk,
                               std::uint64_t align) {
    const FilePlan plan(offset, size, chunk, align);
    std::vector<FileChunk> out;
    std::uint64_t next_dst = 0;
    for (std::uint64_t i = 0; i < plan.count(); ++i) {
        const FileChunk c = plan.chunk(i);
        EXPECT_EQ(c.read_offset % align, 0u) << "chunk " << i;
        EXPECT_EQ(c.read_size % align, 0u) << "chunk " << i;
        EXPECT_GT(c.read_size, 0u);
        EXPECT_LE(c.read_size, chunk);
        EXPECT_LE(c.skip + c.size, c.read_size);
        EXPECT_GT(c.size, 0u) << "chunk " << i;
        // Contiguous, in order, and file position == offset + dst_offset.
        EXPECT_EQ(c.dst_offset, next_dst);
        EXPECT_EQ(c.read_offset + c.skip, offset + c.dst_offset);
        next_dst += c.size;
        out.push_back(c);
    }
    EXPECT_EQ(next_dst, size);
    return out;
}

TEST(FilePlan, EmptyRangeHasNoChunks) {
    EXPECT_EQ(FilePlan(0, 0, 4096, 1).count(), 0u);
    EXPECT_EQ(FilePlan(12345, 0, 4096, 4096).count(), 0u);
}

TEST(FilePlan, OneByte) {
    const auto b = checked(0, 1, 1 << 20, 1);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].read_size, 1u);
    const auto d = checked(5000, 1, 1 << 20, 4096);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].read_offset, 4096u);
    EXPECT_EQ(d[0].read_size, 4096u);
    EXPECT_EQ(d[0].skip, 904u);
}

TEST(FilePlan, BufferedChunksAreExact) {
    const auto c = checked(100, 10000, 4096, 1);
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].read_offset, 100u);
    EXPECT_EQ(c[0].size, 4096u);
    EXPECT_EQ(c[2].size, 10000u - 8192u);
    EXPECT_EQ(c[2].read_size, c[2].size);
}

TEST(FilePlan, DirectWidensToAlignedEnds) {
    // [3000, 3000 + 9000) -> reads of [0, 12288) in chunks of 8 KiB.
    const auto c = checked(3000, 9000, 8192, 4096);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].read_offset, 0u);
    EXPECT_EQ(c[0].skip, 3000u);
    EXPECT_EQ(c[0].size, 8192u - 3000u);
    EXPECT_EQ(c[1].read_offset, 8192u);
    EXPECT_EQ(c[1].read_size, 4096u);
    EXPECT_EQ(c[1].size, 12000u - 8192u);
}

TEST(FilePlan, ManyShapes) {
    for (std::uint64_t align : {1u, 512u, 4096u}) {
        for (std::uint64_t chunk : {4096u, 8192u, 65536u}) {
            for (std::uint64_t offset : {0u, 1u, 511u, 4096u, 4097u, 70000u}) {
                for (std::uint64_t size : {1u, 2u, 4095u, 4096u, 4097u, 65536u, 200001u}) {
                    SCOPED_TRACE(::testing::Message() << "align " << align << " chunk " << chunk
                                                      << " offset " << offset << " size " << size);
                    (void)checked(offset, size, chunk, align);
                }
            }
        }
    }
}

using seed::detail::kMinSplitChunk;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

// The chunks of a load through staging chunks of @p max_chunk bytes.
std::vector<FileChunk> sized(std::uint64_t offset, std::uint64_t size, std::uint64_t max_chunk,
                             std::uint64_t align) {
    const std::uint64_t chunk = FilePlan::chunk_size_for(offset, size, max_chunk, align);
    EXPECT_LE(chunk, max_chunk);
    EXPECT_EQ(chunk % align, 0u);
    return checked(offset, size, chunk, align);
}

TEST(FilePlanChunkSize, FewestChunksThatFit) {
    // 64 MiB through 8 MiB staging chunks: 8 jobs, not 16 of 4 MiB.
    EXPECT_EQ(sized(0, 64 * kMiB, 8 * kMiB, 4096).size(), 8u);
    EXPECT_EQ(sized(0, 64 * kMiB, 64 * kMiB, 1).size(), 2u);
    EXPECT_EQ(sized(0, 64 * kMiB + 1, 8 * kMiB, 4096).size(), 9u);
}

TEST(FilePlanChunkSize, EvenChunksNoSmallTail) {
    // 17 MiB through 8 MiB chunks: 3 chunks of about 5.7 MiB, not 8 + 8 + 1.
    const auto c = sized(0, 17 * kMiB, 8 * kMiB, 4096);
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].size, c[1].size);
    EXPECT_GE(c[2].size + 2 * 4096, c[0].size);
    // Buffered: exact halves.
    const auto b = sized(0, 3 * 1000001, 8 * kMiB, 1);
    ASSERT_EQ(b.size(), 2u); // 3 MB fits one chunk: two halves
    EXPECT_EQ(b[0].size, 1500002u);
    EXPECT_EQ(b[1].size, 1500001u);
}

TEST(FilePlanChunkSize, SmallRangesSplitInTwoOnlyWhenWorthIt) {
    EXPECT_EQ(sized(0, 2 * kMinSplitChunk - 1, 8 * kMiB, 1).size(), 1u);
    EXPECT_EQ(sized(0, 2 * kMinSplitChunk, 8 * kMiB, 1).size(), 2u);
    EXPECT_EQ(sized(0, 4096, 8 * kMiB, 4096).size(), 1u);
    EXPECT_EQ(sized(0, 1, 8 * kMiB, 1).size(), 1u);
    // Small staging chunks: as many as needed, of even sizes.
    const auto c = sized(0, 200001, 65536, 1);
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[0].size, 50001u);
}

TEST(FilePlanChunkSize, UnalignedRangesStayCovered) {
    for (std::uint64_t align : {1u, 512u, 4096u}) {
        for (std::uint64_t max_chunk : {4096u, 65536u, 4u << 20}) {
            for (std::uint64_t offset : {0u, 1u, 4095u, 4097u, 3000000u}) {
                for (std::uint64_t size :
                     {1u, 4096u, 65537u, 2u << 20, (5u << 20) + 3, 20000001u}) {
                    SCOPED_TRACE(::testing::Message() << "align " << align << " max " << max_chunk
                                                      << " offset " << offset << " size " << size);
                    const auto c = sized(offset, size, max_chunk, align);
                    const std::uint64_t span =
                        ((offset + size + align - 1) & ~(align - 1)) - (offset & ~(align - 1));
                    std::uint64_t want = (span + max_chunk - 1) / max_chunk;
                    if (want == 1 && span >= 2 * kMinSplitChunk)
                        want = 2;
                    EXPECT_EQ(c.size(), want);
                }
            }
        }
    }
}

} // namespace
