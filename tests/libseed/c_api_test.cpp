// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The C API's error handling without a device: NULL arguments, the message
// of the last error, and mapping of libseed errors to seed_status codes.
#include <seed/seed.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

TEST(CApi, NullArgumentsAreInvalid) {
    EXPECT_EQ(seed_device_count(nullptr), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(seed_last_error_message()).find("NULL"), std::string::npos);
    EXPECT_EQ(seed_device_open(0, nullptr), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_fence_wait(nullptr, 0), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_buffer_map(nullptr), nullptr);
    seed_device_destroy(nullptr);
    seed_buffer_destroy(nullptr);
    seed_fence_destroy(nullptr);
    EXPECT_EQ(seed_buffer_size(nullptr), 0u);
}

TEST(CApi, MissingDeviceIsNotFound) {
    ::setenv("SEED_VISIBLE_DEVICES", "", 1);
    unsigned n = 99;
    EXPECT_EQ(seed_device_count(&n), SEED_SUCCESS);
    EXPECT_EQ(n, 0u);
    seed_device* dev = nullptr;
    EXPECT_EQ(seed_device_open(0, &dev), SEED_ERROR_DEVICE_NOT_FOUND);
    EXPECT_EQ(dev, nullptr);
    EXPECT_NE(std::string(seed_last_error_message()).find("no such SeedChip device"),
              std::string::npos);
    ::setenv("SEED_VISIBLE_DEVICES", "x", 1);
    EXPECT_EQ(seed_device_count(&n), SEED_ERROR_INVALID_ARGUMENT);
    ::unsetenv("SEED_VISIBLE_DEVICES");
}

TEST(CApi, NoJobErrorYet) {
    seed_job_error e{};
    EXPECT_EQ(seed_last_job_error(&e), SEED_ERROR_INVALID_STATE);
}

} // namespace
