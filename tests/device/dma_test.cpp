// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Dma map table: mapping memfds, bounds and permission checks, unmap rules.
#include "dma.h"
#include "log.h"

#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace seed::device {
namespace {

constexpr uint64_t kPage = 4096;

class DmaTest : public ::testing::Test {
protected:
    void SetUp() override {
        log::set_level(LogLevel::kError);
        memfd_.reset(::memfd_create("dma-test", MFD_CLOEXEC));
        ASSERT_TRUE(memfd_.valid());
        ASSERT_EQ(::ftruncate(memfd_.get(), 16 * kPage), 0);
        void* p = ::mmap(nullptr, 16 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_.get(), 0);
        ASSERT_NE(p, MAP_FAILED);
        view_ = Mapping(p, 16 * kPage);
    }

    UniqueFd dup_fd() const { return UniqueFd(::dup(memfd_.get())); }
    uint8_t* view() const { return static_cast<uint8_t*>(view_.get()); }

    Dma dma_;
    UniqueFd memfd_;
    Mapping view_;
};

TEST_F(DmaTest, MapReadWriteThroughFd) {
    ASSERT_EQ(dma_.map(0x10000, 4 * kPage, kDmaProtRead | kDmaProtWrite, dup_fd(), 2 * kPage), 0);
    const char msg[] = "hello, device";
    ASSERT_EQ(dma_.write(0x10000 + 100, msg, sizeof(msg)), 0);
    EXPECT_EQ(std::memcmp(view() + 2 * kPage + 100, msg, sizeof(msg)), 0);
    std::memcpy(view() + 2 * kPage + 4 * kPage - 4, "abcd", 4);
    char back[4];
    ASSERT_EQ(dma_.read(0x10000 + 4 * kPage - 4, back, 4), 0);
    EXPECT_EQ(std::memcmp(back, "abcd", 4), 0);
}

TEST_F(DmaTest, UnalignedFileOffset) {
    ASSERT_EQ(dma_.map(0x2000, 100, kDmaProtRead | kDmaProtWrite, dup_fd(), kPage + 10), 0);
    uint8_t v = 0x77;
    ASSERT_EQ(dma_.write(0x2000, &v, 1), 0);
    EXPECT_EQ(view()[kPage + 10], 0x77);
}

TEST_F(DmaTest, BoundsAndPermissions) {
    ASSERT_EQ(dma_.map(0x10000, kPage, kDmaProtRead, dup_fd(), 0), 0);
    uint8_t buf[16] = {};
    EXPECT_EQ(dma_.read(0x10000, buf, sizeof(buf)), 0);
    EXPECT_EQ(dma_.write(0x10000, buf, sizeof(buf)), -EACCES) << "read-only map";
    EXPECT_EQ(dma_.read(0x10000 + kPage - 8, buf, 16), -EFAULT) << "runs off the end";
    EXPECT_EQ(dma_.read(0xf000, buf, 16), -EFAULT) << "below the map";
    EXPECT_EQ(dma_.read(UINT64_MAX - 4, buf, 16), -EFAULT) << "wraps";
    EXPECT_EQ(dma_.read(0x10000, buf, 0), 0);
}

TEST_F(DmaTest, TransfersSpanAdjacentMaps) {
    ASSERT_EQ(dma_.map(0x0, kPage, kDmaProtRead | kDmaProtWrite, dup_fd(), 0), 0);
    ASSERT_EQ(dma_.map(kPage, kPage, kDmaProtRead | kDmaProtWrite, dup_fd(), 8 * kPage), 0);
    std::vector<uint8_t> data(64, 0xab);
    ASSERT_EQ(dma_.write(kPage - 32, data.data(), data.size()), 0);
    EXPECT_EQ(view()[kPage - 1], 0xab);
    EXPECT_EQ(view()[8 * kPage + 31], 0xab);
    EXPECT_EQ(view()[kPage], 0) << "second map is at file offset 8 pages";
}

TEST_F(DmaTest, MapsWithoutFdAreRecordedButNotAccessible) {
    ASSERT_EQ(dma_.map(0x100000, kPage, kDmaProtRead | kDmaProtWrite, UniqueFd(), 0), 0);
    EXPECT_EQ(dma_.map_count(), 1u);
    uint8_t b;
    EXPECT_EQ(dma_.read(0x100000, &b, 1), -ENXIO);
}

TEST_F(DmaTest, MapBeyondEndOfFileIsNotAccessible) {
    ASSERT_EQ(dma_.map(0, 32 * kPage, kDmaProtRead, dup_fd(), 0), 0);
    uint8_t b;
    EXPECT_EQ(dma_.read(0, &b, 1), -ENXIO);
}

TEST_F(DmaTest, DuplicatesOverlapsAndBadArguments) {
    ASSERT_EQ(dma_.map(0x10000, kPage, kDmaProtRead, dup_fd(), 0), 0);
    EXPECT_EQ(dma_.map(0x10000, kPage, kDmaProtRead, dup_fd(), 0), -EEXIST);
    // An overlapping map replaces the old one.
    EXPECT_EQ(dma_.map(0x10000 - kPage, 2 * kPage, kDmaProtRead, dup_fd(), 0), 0);
    EXPECT_EQ(dma_.map_count(), 1u);
    EXPECT_EQ(dma_.map(0, 0, kDmaProtRead, UniqueFd(), 0), -EINVAL);
    EXPECT_EQ(dma_.map(UINT64_MAX, 2, kDmaProtRead, UniqueFd(), 0), -EINVAL);
    EXPECT_EQ(dma_.map(0, kPage, 4, UniqueFd(), 0), -EINVAL);
}

TEST_F(DmaTest, TableLimit) {
    for (uint64_t i = 0; i < Dma::kMaxMaps; ++i)
        ASSERT_EQ(dma_.map(i * kPage, kPage, kDmaProtRead, UniqueFd(), 0), 0);
    EXPECT_EQ(dma_.map(Dma::kMaxMaps * kPage, kPage, kDmaProtRead, UniqueFd(), 0), -ENOSPC);
    // Replacing two maps with one still fits.
    EXPECT_EQ(dma_.map(0, 2 * kPage, kDmaProtRead, UniqueFd(), 0), 0);
    EXPECT_EQ(dma_.map_count(), Dma::kMaxMaps - 1);
}

TEST_F(DmaTest, UnmapRemovesOnlyContainedMaps) {
    ASSERT_EQ(dma_.map(0x0000, kPage, kDmaProtRead, UniqueFd(), 0), 0);
    ASSERT_EQ(dma_.map(0x1000, kPage, kDmaProtRead, UniqueFd(), 0), 0);
    ASSERT_EQ(dma_.map(0x4000, 4 * kPage, kDmaProtRead, UniqueFd(), 0), 0);
    EXPECT_EQ(dma_.unmap(0x0000, 2 * kPage), 2u);
    EXPECT_EQ(dma_.unmap(0x4000, kPage), 0u) << "partial cover keeps the map";
    EXPECT_EQ(dma_.map_count(), 1u);
    dma_.unmap_all();
    EXPECT_EQ(dma_.map_count(), 0u);
}

TEST_F(DmaTest, UnmapDropsTheMapping) {
    ASSERT_EQ(dma_.map(0x10000, kPage, kDmaProtRead | kDmaProtWrite, dup_fd(), 0), 0);
    EXPECT_EQ(dma_.unmap(0x10000, kPage), 1u);
    uint8_t b = 1;
    EXPECT_EQ(dma_.write(0x10000, &b, 1), -EFAULT);
}

} // namespace
} // namespace seed::device
