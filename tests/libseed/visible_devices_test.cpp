// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "visible_devices.hpp"

#include <seed/error.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace {

using seed::Uuid;
using seed::detail::parse_visible_devices;
using seed::detail::select_visible;
using seed::detail::VisibleEntry;
using Indices = std::vector<std::size_t>;

Uuid uuid_n(std::uint8_t n) {
    Uuid u = *seed::parse_uuid("5eed0000-0000-4000-8000-000000000000");
    u[15] = n;
    return u;
}

const std::vector<Uuid> three = {uuid_n(0), uuid_n(1), uuid_n(2)};

TEST(VisibleDevices, UnsetShowsEverythingInPhysicalOrder) {
    const auto v = parse_visible_devices(nullptr);
    EXPECT_FALSE(v.restricted);
    EXPECT_EQ(select_visible(v, three), (Indices{0, 1, 2}));
}

TEST(VisibleDevices, EmptyShowsNothing) {
    for (const char* value : {"", "  "}) {
        const auto v = parse_visible_devices(value);
        EXPECT_TRUE(v.restricted);
        EXPECT_TRUE(v.entries.empty());
        EXPECT_TRUE(select_visible(v, three).empty());
    }
}

TEST(VisibleDevices, IndicesSelectAndReorder) {
    const auto v = parse_visible_devices("2,0");
    EXPECT_EQ(v.entries, (std::vector<VisibleEntry>{2u, 0u}));
    EXPECT_EQ(select_visible(v, three), (Indices{2, 0}));
}

TEST(VisibleDevices, BlanksAroundEntriesAreIgnored) {
    EXPECT_EQ(select_visible(parse_visible_devices(" 1 ,\t0 "), three), (Indices{1, 0}));
}

TEST(VisibleDevices, UuidsInAnyCase) {
    const auto v = parse_visible_devices("5EED0000-0000-4000-8000-000000000002,0");
    EXPECT_EQ(v.entries, (std::vector<VisibleEntry>{uuid_n(2), 0u}));
    EXPECT_EQ(select_visible(v, three), (Indices{2, 0}));
}

TEST(VisibleDevices, EntriesMatchingNoDeviceAreSkipped) {
    EXPECT_EQ(select_visible(parse_visible_devices("7,1"), three), Indices{1});
    EXPECT_EQ(
        select_visible(parse_visible_devices("5eed0000-0000-4000-8000-0000000000ff,2"), three),
        Indices{2});
    EXPECT_TRUE(select_visible(parse_visible_devices("0"), std::vector<Uuid>{}).empty());
}

TEST(VisibleDevices, SameDeviceByIndexAndUuidCountsOnce) {
    EXPECT_EQ(
        select_visible(parse_visible_devices("1,5eed0000-0000-4000-8000-000000000001,0"), three),
        (Indices{1, 0}));
}

TEST(VisibleDevices, MalformedValuesThrow) {
    for (const char* bad :
         {"0,,1", "0,", ",0", "a", "-1", "+1", "1.5", "0x1", "GPU-0", "99999999999", "0,0",
          "5eed0000-0000-4000-8000-000000000001,"
          "5EED0000-0000-4000-8000-000000000001",
          "5eed0000-0000-4000-8000-00000000000"}) {
        try {
            (void)parse_visible_devices(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const seed::Error& e) {
            EXPECT_EQ(e.code(), seed::Errc::invalid_visible_devices) << bad;
            EXPECT_NE(std::string(e.context()).find("SEED_VISIBLE_DEVICES"), std::string::npos);
        }
    }
}

} // namespace

namespace {

using seed::detail::visible_devices_from_environment;

std::vector<std::size_t> from_env(std::vector<const char*> env) {
    env.push_back(nullptr);
    return select_visible(visible_devices_from_environment(env.data()), three);
}

TEST(VisibleDevicesEnvironment, NoVariableShowsEverything) {
    EXPECT_EQ(from_env({"PATH=/bin", "SEED_VISIBLE_DEVICE_=1"}), (Indices{0, 1, 2}));
}

TEST(VisibleDevicesEnvironment, PerDeviceVariablesAddUpInPhysicalOrder) {
    // As a container runtime sets them for chips 2 and 0: each its own name.
    EXPECT_EQ(from_env({"SEED_VISIBLE_DEVICE_5EED2=5eed0000-0000-4000-8000-000000000002",
                        "SEED_VISIBLE_DEVICE_5EED0=5eed0000-0000-4000-8000-000000000000"}),
              (Indices{0, 2}));
    EXPECT_EQ(from_env({"SEED_VISIBLE_DEVICE_A=1"}), Indices{1});
}

TEST(VisibleDevicesEnvironment, ListFirstThenPerDevice) {
    EXPECT_EQ(from_env({"SEED_VISIBLE_DEVICE_A=0", "SEED_VISIBLE_DEVICES=2"}), (Indices{2, 0}));
    EXPECT_EQ(from_env({"SEED_VISIBLE_DEVICES=", "SEED_VISIBLE_DEVICE_A=1"}), Indices{1});
    // Named by both: seen once.
    EXPECT_EQ(from_env({"SEED_VISIBLE_DEVICES=1", "SEED_VISIBLE_DEVICE_A=1"}), Indices{1});
    EXPECT_EQ(from_env({"SEED_VISIBLE_DEVICES=1,0"}), (Indices{1, 0}));
}

TEST(VisibleDevicesEnvironment, MalformedPerDeviceValueIsAnError) {
    for (const char* bad : {"SEED_VISIBLE_DEVICE_A=", "SEED_VISIBLE_DEVICE_A=0,1",
                            "SEED_VISIBLE_DEVICE_A=nope", "SEED_VISIBLE_DEVICE_A=99999999999"}) {
        std::vector<const char*> env = {bad, nullptr};
        try {
            (void)visible_devices_from_environment(env.data());
            ADD_FAILURE() << bad;
        } catch (const seed::Error& e) {
            EXPECT_NE(std::string(e.what()).find("SEED_VISIBLE_DEVICE_A"), std::string::npos)
                << e.what();
        }
    }
}

} // namespace
