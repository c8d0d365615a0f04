// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Enumeration against scratch directories standing in for /dev/accel and
// /sys/class/accel: what is skipped, what is an error.
#include "enumerate.hpp"

#include <seed/device.hpp>
#include <seed/error.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
using seed::detail::parse_accel_node_name;
using seed::detail::probe_devices;
using seed::detail::ProbePaths;

class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (fs::temp_directory_path() / "libseed-test-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void touch(const fs::path& p) {
    std::ofstream(p) << "not a device\n";
}

TEST(AccelNodeName, ParsesMinor) {
    EXPECT_EQ(parse_accel_node_name("accel0"), 0u);
    EXPECT_EQ(parse_accel_node_name("accel12"), 12u);
    for (const char* bad : {"accel", "accel01", "accelx", "accel-1", "card0", "renderD128",
                            "xaccel0", "accel0 ", "accel99999999999"}) {
        EXPECT_FALSE(parse_accel_node_name(bad)) << bad;
    }
}

TEST(ProbeDevices, MissingDirectoryIsEmpty) {
    ScratchDir tmp;
    EXPECT_TRUE(probe_devices({tmp.path() / "no-such-dir", tmp.path() / "sys"}).empty());
}

TEST(ProbeDevices, EmptyDirectoryIsEmpty) {
    ScratchDir tmp;
    EXPECT_TRUE(probe_devices({tmp.path(), tmp.path() / "sys"}).empty());
}

TEST(ProbeDevices, NodesThatAreNotSeedAreSkipped) {
    ScratchDir tmp;
    touch(tmp.path() / "accel0"); // a regular file: DRM_IOCTL_VERSION fails (ENOTTY)
    touch(tmp.path() / "card0");  // not an accel node name at all
    EXPECT_TRUE(probe_devices({tmp.path(), tmp.path() / "sys"}).empty());
}

TEST(ProbeDevices, ANodeSysfsCallsSeedMustWork) {
    ScratchDir tmp;
    const fs::path dev = tmp.path() / "dev";
    const fs::path sys = tmp.path() / "sys";
    fs::create_directories(dev);
    fs::create_directories(sys / "accel0" / "device");
    fs::create_symlink("../../../bus/pci/drivers/seed", sys / "accel0" / "device" / "driver");
    touch(dev / "accel0");
    try {
        (void)probe_devices({dev, sys});
        ADD_FAILURE() << "a broken seed node was skipped";
    } catch (const seed::Error& e) {
        EXPECT_EQ(e.code(), std::errc::inappropriate_io_control_operation);
        EXPECT_NE(std::string(e.context()).find("accel0"), std::string::npos);
    }
}

TEST(ProbeDevices, NodesOfOtherDriversAreSkipped) {
    ScratchDir tmp;
    const fs::path dev = tmp.path() / "dev";
    const fs::path sys = tmp.path() / "sys";
    fs::create_directories(dev);
    fs::create_directories(sys / "accel0" / "device");
    fs::create_symlink("../../../bus/pci/drivers/intel_vpu", sys / "accel0" / "device" / "driver");
    touch(dev / "accel0"); // would be an error if sysfs said "seed" (see above)
    EXPECT_TRUE(probe_devices({dev, sys}).empty());
}

TEST(DeviceList, NoAccelDirectoryMeansNoDevices) {
    if (fs::exists("/dev/accel"))
        GTEST_SKIP() << "this host has /dev/accel";
    EXPECT_TRUE(seed::Device::list().empty());
    EXPECT_THROW((void)seed::Device::open(0u), seed::Error);
}

} // namespace
