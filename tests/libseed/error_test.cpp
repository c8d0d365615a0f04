// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/error.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <type_traits>

namespace {

static_assert(std::is_base_of_v<std::system_error, seed::Error>);
static_assert(std::is_nothrow_copy_constructible_v<seed::Error>);

TEST(Error, CarriesCodeAndContext) {
    const seed::Error e(seed::Errc::device_not_found, "device '3'");
    EXPECT_EQ(e.code(), seed::Errc::device_not_found);
    EXPECT_STREQ(e.context(), "device '3'");
    EXPECT_STREQ(e.what(), "device '3': no such SeedChip device");
    EXPECT_STREQ(e.code().category().name(), "seed");
}

TEST(Error, SeedCodesMapToPortableConditions) {
    EXPECT_EQ(make_error_code(seed::Errc::invalid_device_spec), std::errc::invalid_argument);
    EXPECT_EQ(make_error_code(seed::Errc::invalid_visible_devices), std::errc::invalid_argument);
    EXPECT_EQ(make_error_code(seed::Errc::device_not_found), std::errc::no_such_device);
}

TEST(Error, FromNegativeErrno) {
    const seed::Error e = seed::errno_error(-EACCES, "open /dev/accel/accel0");
    EXPECT_EQ(e.code(), std::errc::permission_denied);
    EXPECT_EQ(e.code().category(), std::system_category());
    EXPECT_STREQ(e.context(), "open /dev/accel/accel0");
    EXPECT_NE(std::string(e.what()).find("open /dev/accel/accel0: "), std::string::npos);
}

TEST(Error, CopiesShareTheContext) {
    const seed::Error a(seed::Errc::invalid_device_spec, "device 'x'");
    const seed::Error b = a; // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_STREQ(b.context(), "device 'x'");
    EXPECT_EQ(b.code(), a.code());
}

} // namespace
