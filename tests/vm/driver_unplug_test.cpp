// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Surprise removal: the chip stops answering (the model's "unplug", §13.6 of
// docs/hardware.md) and the PCI core removes it while a client holds the
// accel node open with buffers. The client must get ENODEV, not a crash; the
// other chips keep working; and after "replug" and a PCI rescan the chip
// comes back and works. seed-vm fails the run on any kernel WARN or oops.
// Uses the last chip, so it needs two or more.

#include "seed_drm.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <drm.h>

#include <chrono>
#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

namespace {

using namespace seed::vm;
namespace fs = std::filesystem;

bool wait_for(const std::function<bool()>& cond, std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

uint64_t hbm_used(int fd) {
    drm_seed_query_memory mem{};
    drm_seed_query q{};
    q.type = DRM_SEED_QUERY_MEMORY;
    q.size = sizeof(mem);
    q.data = reinterpret_cast<uintptr_t>(&mem);
    EXPECT_EQ(seed_ioctl(fd, DRM_IOCTL_SEED_QUERY, &q), 0);
    return mem.hbm_used;
}

TEST(DriverUnplug, SurpriseRemovalWithOpenFilesThenReplug) {
    const auto chips = seed::vm::chips();
    if (!chips || *chips < 2 || !Control::available(*chips - 1))
        GTEST_SKIP() << "needs seed-vm with two or more chips";
    const unsigned victim = *chips - 1;
    const std::string serial = seed::vm::serial(victim);
    const std::string node = node_of(serial);
    ASSERT_FALSE(node.empty()) << "no accel node for " << serial;
    const fs::path pci =
        fs::canonical(fs::path("/sys/class/accel") / fs::path(node).filename() / "device");

    // A client of the victim with buffers in both placements.
    Fd victim_fd{::open(node.c_str(), O_RDWR | O_CLOEXEC)};
    ASSERT_TRUE(victim_fd);
    drm_seed_bo_create hbm{};
    hbm.size = 1 << 20;
    hbm.placement = DRM_SEED_BO_HBM;
    ASSERT_EQ(seed_ioctl(victim_fd.get(), DRM_IOCTL_SEED_BO_CREATE, &hbm), 0);
    drm_seed_bo_create host{};
    host.size = 1 << 16;
    host.placement = DRM_SEED_BO_HOST;
    ASSERT_EQ(seed_ioctl(victim_fd.get(), DRM_IOCTL_SEED_BO_CREATE, &host), 0);

    // A client of another chip, which must not notice anything.
    Fd other_fd = open_seed(0);
    ASSERT_TRUE(other_fd);
    ASSERT_NE(node, seed_nodes()[0]);

    Control ctl(victim);
    ASSERT_EQ(ctl.command("unplug"), "ok");
    EXPECT_EQ(ctl.command("status").find("state=removed") != std::string::npos, true);

    // The PCI core takes the device away while the file is open.
    ASSERT_TRUE(write_file(pci / "remove", "1"));
    ASSERT_TRUE(wait_for([&] { return node_of(serial).empty(); }, std::chrono::seconds(10)));

    drm_seed_get_info info{};
    EXPECT_EQ(seed_ioctl(victim_fd.get(), DRM_IOCTL_SEED_GET_INFO, &info), ENODEV);
    drm_seed_bo_create more{};
    more.size = 4096;
    more.placement = DRM_SEED_BO_HOST;
    EXPECT_EQ(seed_ioctl(victim_fd.get(), DRM_IOCTL_SEED_BO_CREATE, &more), ENODEV);
    // The DRM core refuses every ioctl of an unplugged device, generic ones too.
    drm_gem_close close_hbm{};
    close_hbm.handle = hbm.handle;
    EXPECT_EQ(seed_ioctl(victim_fd.get(), DRM_IOCTL_GEM_CLOSE, &close_hbm), ENODEV);

    // The other chip is unaffected.
    EXPECT_EQ(seed_ioctl(other_fd.get(), DRM_IOCTL_SEED_GET_INFO, &info), 0);
    EXPECT_EQ(std::string(info.serial), seed::vm::serial(0));

    // The last reference goes away without touching the absent hardware.
    victim_fd.reset();

    // Plugged back in: a rescan finds it, probes it, and it works again.
    ASSERT_EQ(ctl.command("replug"), "ok");
    ASSERT_TRUE(write_file("/sys/bus/pci/rescan", "1"));
    ASSERT_TRUE(wait_for([&] { return !node_of(serial).empty(); }, std::chrono::seconds(20)))
        << serial << " did not come back after replug and rescan";
    Fd back{::open(node_of(serial).c_str(), O_RDWR | O_CLOEXEC)};
    ASSERT_TRUE(back);
    ASSERT_EQ(seed_ioctl(back.get(), DRM_IOCTL_SEED_GET_INFO, &info), 0);
    EXPECT_EQ(std::string(info.serial), serial);
    EXPECT_EQ(hbm_used(back.get()), 0u) << "a replugged chip starts with all HBM free";
    drm_seed_bo_create again{};
    again.size = 1 << 20;
    again.placement = DRM_SEED_BO_HBM;
    EXPECT_EQ(seed_ioctl(back.get(), DRM_IOCTL_SEED_BO_CREATE, &again), 0);
}

} // namespace
