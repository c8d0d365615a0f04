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

namespace {

TEST(Error, DeviceErrorsMapLossAndTimeout) {
    EXPECT_EQ(seed::device_error(-ENODEV, "x").code(), seed::Errc::device_lost);
    EXPECT_EQ(seed::device_error(-ENODEV, "x").code(), std::errc::no_such_device);
    EXPECT_EQ(seed::device_error(-ETIME, "x").code(), seed::Errc::timeout);
    EXPECT_EQ(seed::device_error(-ENOMEM, "x").code(), std::errc::not_enough_memory);
    EXPECT_EQ(seed::device_error(-ENOMEM, "x").code().category(), std::system_category());
    EXPECT_EQ(make_error_code(seed::Errc::invalid_argument), std::errc::invalid_argument);
}

TEST(Error, JobErrorCarriesTheReport) {
    seed::JobStatus st;
    st.queue_id = 3;
    st.seq = 17;
    st.reason = seed::JobFailure::mmu_fault;
    st.hw_error = 6;
    st.fault_info = 1u | (1u << 8) | (2u << 16);
    st.fault_address = 0xabc000;
    st.packet_offset = 4;
    st.packet_opcode = 2;
    st.packet_level = 1;
    const seed::JobError e(st, "job");
    EXPECT_EQ(e.code(), seed::Errc::job_failed);
    EXPECT_EQ(e.status(), st);
    EXPECT_TRUE(st.fault_was_write());
    EXPECT_EQ(st.fault_reason(), 1u);
    EXPECT_EQ(st.fault_level(), 2u);
    EXPECT_STREQ(e.what(), "job: queue 3 job 17: mmu_fault (hw mmu_fault) at 0xabc000 write, "
                           "packet 4 opcode 0x02 level 1: job failed");
    const seed::Error& base = e;
    EXPECT_EQ(base.code(), seed::Errc::job_failed);
    st.reason = seed::JobFailure::device_lost;
    EXPECT_EQ(seed::JobError(st, "job").code(), seed::Errc::device_lost);
}

TEST(Error, NamesOfReasonsAndHardwareErrors) {
    EXPECT_EQ(seed::to_string(seed::JobFailure::invalid_packet), "invalid_packet");
    EXPECT_EQ(seed::to_string(static_cast<seed::JobFailure>(42)), "reason42");
    EXPECT_EQ(seed::hw_error_name(0), "none");
    EXPECT_EQ(seed::hw_error_name(9), "wait_timeout");
    EXPECT_EQ(seed::hw_error_name(14), "fatal");
    EXPECT_EQ(seed::hw_error_name(99), "error99");
}

} // namespace
