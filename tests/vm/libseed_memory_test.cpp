// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of libseed's memory API: seed::Buffer placement, sizes, host
// views, read-only buffers, memory usage, and failures (size 0, exhaustion).
// They run in the guest as root with seed.ko loaded and skip without a device.
#include <seed/seed.hpp>

#include "libseed_fixture.hpp"
#include "support/error_of.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <optional>

namespace {

using seed::test::error_of;

class LibseedMemory : public seed::vm::LibseedDeviceTest {};

TEST_F(LibseedMemory, HostBufferIsMappedAndZeroed) {
    seed::Buffer b(*dev_, 5000, seed::Placement::host);
    EXPECT_EQ(b.size(), 8192u);
    EXPECT_TRUE(b.is_host());
    EXPECT_FALSE(b.device_read_only());
    EXPECT_NE(b.device_va(), 0u);
    EXPECT_NE(b.handle(), 0u);
    auto words = b.span<std::uint32_t>();
    ASSERT_EQ(words.size(), 2048u);
    for (std::uint32_t w : words)
        ASSERT_EQ(w, 0u);
    for (std::size_t i = 0; i < words.size(); ++i)
        words[i] = static_cast<std::uint32_t>(i * 7);
    EXPECT_EQ(b.span<std::uint32_t>()[100], 700u);
}

TEST_F(LibseedMemory, DeviceBufferHasNoHostView) {
    seed::Buffer b(*dev_, 4096, seed::Placement::device);
    EXPECT_FALSE(b.is_host());
    EXPECT_EQ(error_of([&] { (void)b.bytes(); }), seed::Errc::invalid_argument);
}

TEST_F(LibseedMemory, BuffersHaveDistinctAddresses) {
    seed::Buffer a(*dev_, 4096, seed::Placement::device);
    seed::Buffer b(*dev_, 4096, seed::Placement::device);
    EXPECT_NE(a.device_va(), b.device_va());
    EXPECT_NE(a, b);
    seed::Buffer c = a;
    EXPECT_EQ(a, c);
}

TEST_F(LibseedMemory, ZeroSizeIsRejected) {
    EXPECT_EQ(error_of([&] { seed::Buffer b(*dev_, 0, seed::Placement::host); }),
              seed::Errc::invalid_argument);
}

TEST_F(LibseedMemory, EmptyHandleThrowsInvalidState) {
    seed::Buffer b;
    EXPECT_FALSE(b.valid());
    EXPECT_EQ(error_of([&] { (void)b.size(); }), seed::Errc::invalid_state);
}

TEST_F(LibseedMemory, ExhaustingHbmFailsWithEnomemOrEnospc) {
    const auto usage = dev_->memory_usage();
    const std::error_code ec =
        error_of([&] { seed::Buffer b(*dev_, usage.hbm_total * 2, seed::Placement::device); });
    EXPECT_TRUE(ec == std::errc::not_enough_memory || ec == std::errc::no_space_on_device)
        << ec.message();
}

TEST_F(LibseedMemory, UsageCountsThisClientsBuffers) {
    const auto before = dev_->memory_usage();
    EXPECT_EQ(before.hbm_total, dev_->info().hbm_size);
    {
        seed::Buffer d(*dev_, 1 << 20, seed::Placement::device);
        seed::Buffer h(*dev_, 64 << 10, seed::Placement::host);
        const auto during = dev_->memory_usage();
        EXPECT_EQ(during.client_hbm, before.client_hbm + (1u << 20));
        EXPECT_EQ(during.client_host, before.client_host + (64u << 10));
        EXPECT_GE(during.hbm_used, before.hbm_used + (1u << 20));
    }
    const auto after = dev_->memory_usage();
    EXPECT_EQ(after.client_hbm, before.client_hbm);
    EXPECT_EQ(after.client_host, before.client_host);
}

TEST_F(LibseedMemory, ReadOnlyBuffersRefuseRecordedWrites) {
    seed::Buffer ro(*dev_, 4096, seed::Placement::host, {.device_read_only = true});
    seed::Buffer rw(*dev_, 4096, seed::Placement::host);
    EXPECT_TRUE(ro.device_read_only());
    seed::CommandList list(*dev_);
    list.copy(rw, ro, 64); // reading is fine
    EXPECT_EQ(error_of([&] { list.copy(ro, rw, 64); }), seed::Errc::invalid_argument);
    EXPECT_EQ(error_of([&] { list.fill(ro, 64, 0, 4); }), seed::Errc::invalid_argument);
}

TEST_F(LibseedMemory, BufferOutlivesItsDevice) {
    seed::Buffer b(*dev_, 4096, seed::Placement::host);
    dev_.reset();
    b.span<std::uint8_t>()[0] = 42;
    EXPECT_EQ(b.span<std::uint8_t>()[0], 42);
}

} // namespace
