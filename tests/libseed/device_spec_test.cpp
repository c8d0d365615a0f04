// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "device_spec.hpp"

#include "support/sample_devices.hpp"

#include <seed/error.hpp>

#include <gtest/gtest.h>

namespace {

using seed::detail::DeviceSpec;
using seed::detail::matches;
using seed::detail::NodePath;
using seed::detail::parse_device_spec;

TEST(DeviceSpec, DecimalIsAnIndex) {
    EXPECT_EQ(parse_device_spec("0"), DeviceSpec{0u});
    EXPECT_EQ(parse_device_spec("12"), DeviceSpec{12u});
    EXPECT_EQ(parse_device_spec(" 3 "), DeviceSpec{3u});
}

TEST(DeviceSpec, PciAddress) {
    EXPECT_EQ(parse_device_spec("0000:00:05.0"), DeviceSpec{(seed::PciAddress{0, 0, 5, 0})});
    EXPECT_EQ(parse_device_spec("00:05.0"), DeviceSpec{(seed::PciAddress{0, 0, 5, 0})});
}

TEST(DeviceSpec, Uuid) {
    const auto uuid = *seed::parse_uuid("5eed0000-0000-4000-8000-000000000001");
    EXPECT_EQ(parse_device_spec("5eed0000-0000-4000-8000-000000000001"), DeviceSpec{uuid});
}

TEST(DeviceSpec, NodePathIsNormalized) {
    EXPECT_EQ(parse_device_spec("/dev/accel/accel1"), DeviceSpec{NodePath{"/dev/accel/accel1"}});
    EXPECT_EQ(parse_device_spec("/dev//accel/../accel/accel1"),
              DeviceSpec{NodePath{"/dev/accel/accel1"}});
}

TEST(DeviceSpec, MalformedThrowsInvalidDeviceSpec) {
    for (const char* bad : {"", " ", "abc", "-1", "0x1", "1.0", "99999999999", "00:20.0", "accel0",
                            "5eed0000-0000-4000-8000-00000000000"}) {
        try {
            (void)parse_device_spec(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const seed::Error& e) {
            EXPECT_EQ(e.code(), seed::Errc::invalid_device_spec) << bad;
        }
    }
}

TEST(DeviceSpec, MatchesTheRightDevice) {
    const auto dev0 = seed::test::sample_device(0);
    const auto dev1 = seed::test::sample_device(1);
    for (const char* spec : {"1", "0000:00:05.0", "00:05.0", "5eed0000-0000-4000-8000-000000000001",
                             "/dev/accel/accel1"}) {
        const auto parsed = parse_device_spec(spec);
        EXPECT_TRUE(matches(parsed, dev1)) << spec;
        EXPECT_FALSE(matches(parsed, dev0)) << spec;
    }
}

} // namespace
