// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed::RegisteredMemory and of Queue::upload/download through
// the application's pages (DRM_IOCTL_SEED_BO_USERPTR): round trips from
// registered and unregistered memory at unaligned addresses and sizes,
// read-only registrations, read-only mappings falling back to staging, and
// registration failures. They skip without a device.

#include "libseed_fixture.hpp"
#include "support/error_of.hpp"

#include <gtest/gtest.h>
#include <seed/seed.hpp>

#include <sys/mman.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using seed::test::error_of;

class LibseedRegistered : public seed::vm::LibseedQueueTest {
protected:
    static std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
        std::vector<std::byte> v(n);
        for (std::size_t i = 0; i < n; ++i)
            v[i] = static_cast<std::byte>((i * 131 + seed) & 0xff);
        return v;
    }
};

TEST_F(LibseedRegistered, UnregisteredRoundTripAtOddOffsets) {
    const seed::Buffer hbm(*dev_, 1 << 20, seed::Placement::device);
    const std::vector<std::byte> src = pattern(300'001, 7);
    std::vector<std::byte> dst(300'001 + 24, std::byte{0xee});
    q_->upload(seed::BufferView(hbm, 64), std::span<const std::byte>(src).subspan(3)).wait();
    q_->download(std::span<std::byte>(dst).subspan(5, src.size() - 3), seed::BufferView(hbm, 64));
    EXPECT_EQ(std::memcmp(dst.data() + 5, src.data() + 3, src.size() - 3), 0);
    EXPECT_EQ(dst[4], std::byte{0xee}) << "wrote before the range";
    EXPECT_EQ(dst[5 + src.size() - 3], std::byte{0xee}) << "wrote past the range";
}

TEST_F(LibseedRegistered, RegisteredRoundTrip) {
    const seed::Buffer hbm(*dev_, 1 << 20, seed::Placement::device);
    std::vector<std::byte> host = pattern(1 << 20, 1);
    std::vector<std::byte> back(1 << 20);
    seed::RegisteredMemory reg(*dev_, std::span<std::byte>(host));
    seed::RegisteredMemory reg_back(*dev_, std::span<std::byte>(back));
    ASSERT_TRUE(reg.valid());
    EXPECT_EQ(reg.memory().data(), host.data());
    EXPECT_EQ(reg.buffer().size() % 4096, 0u);
    EXPECT_TRUE(reg.buffer().is_host());
    EXPECT_EQ(reg.buffer().bytes().data() + reg.offset(), host.data());

    q_->upload(seed::BufferView(hbm), std::span<const std::byte>(host)).wait();
    q_->download(std::span<std::byte>(back).subspan(100, 5000), seed::BufferView(hbm, 100));
    EXPECT_EQ(std::memcmp(back.data() + 100, host.data() + 100, 5000), 0);

    // The device writes straight into registered memory through its buffer.
    q_->fill(seed::BufferView(reg_back.buffer(), reg_back.offset()), 4096, 0xa5a5a5a5u).wait();
    EXPECT_EQ(back[0], std::byte{0xa5});
    EXPECT_EQ(back[4095], std::byte{0xa5});

    seed::RegisteredMemory moved = std::move(reg);
    EXPECT_FALSE(reg.valid()); // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(moved.valid());
    moved.reset();
    EXPECT_FALSE(moved.valid());
}

TEST_F(LibseedRegistered, ReadOnlyMemory) {
    const std::size_t n = 8 * 4096;
    void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    std::memset(p, 0x3c, n);
    ASSERT_EQ(mprotect(p, n, PROT_READ), 0);
    const std::span<const std::byte> ro(static_cast<const std::byte*>(p), n);
    const seed::Buffer hbm(*dev_, n, seed::Placement::device);
    std::vector<std::byte> back(n);

    // Device-writable registration of read-only pages: EFAULT.
    const auto e = error_of([&] {
        seed::RegisteredMemory r(*dev_, std::span<std::byte>(static_cast<std::byte*>(p), n));
    });
    EXPECT_EQ(e, std::error_code(EFAULT, std::system_category()));
    {
        const seed::RegisteredMemory r(*dev_, ro);
        EXPECT_TRUE(r.buffer().device_read_only());
        q_->upload(seed::BufferView(hbm), ro).wait();
    }
    q_->download(std::span<std::byte>(back), seed::BufferView(hbm));
    EXPECT_EQ(back[0], std::byte{0x3c});
    EXPECT_EQ(back[n - 1], std::byte{0x3c});

    // Downloading into read-only memory cannot pin it; the staging
    // fallback's memcpy would fault, so only the upload path is used here.
    ASSERT_EQ(munmap(p, n), 0);
}

TEST_F(LibseedRegistered, Failures) {
    std::vector<std::byte> empty;
    EXPECT_EQ(error_of([&] { seed::RegisteredMemory r(*dev_, std::span<std::byte>(empty)); }),
              seed::Errc::invalid_argument);
    // Not mapped at all.
    void* p = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    EXPECT_EQ(error_of([&] {
                  seed::RegisteredMemory r(*dev_,
                                           std::span<std::byte>(static_cast<std::byte*>(p), 4096));
              }),
              std::error_code(EFAULT, std::system_category()));
    ASSERT_EQ(munmap(p, 4096), 0);
}

} // namespace
