// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed.ko's observability: DRM_IOCTL_SEED_QUERY, the event log
// (through fault injection), telemetry in sysfs and hwmon, and fdinfo.

#include "debugfs.hpp"
#include "seed_drm.hpp"
#include "seed_exec.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

namespace {

using namespace seed::vm;
namespace fs = std::filesystem;

// sysfs directory of the first SeedChip's PCI device.
fs::path device_dir() {
    const auto nodes = seed_nodes();
    if (nodes.empty())
        return {};
    return fs::path("/sys/class/accel") / fs::path(nodes[0]).filename() / "device";
}

class DriverQuery : public ::testing::Test {
protected:
    void SetUp() override {
        fd_ = open_seed();
        if (!fd_)
            GTEST_SKIP() << "no SeedChip accel node";
    }
    Fd fd_;
};

TEST_F(DriverQuery, SizeNegotiation) {
    drm_seed_query q{};
    q.type = DRM_SEED_QUERY_MEMORY;
    ASSERT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);
    EXPECT_EQ(q.size, sizeof(drm_seed_query_memory));

    q = {};
    q.type = DRM_SEED_QUERY_TELEMETRY;
    ASSERT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);
    EXPECT_EQ(q.size, sizeof(drm_seed_query_telemetry));

    // A shorter buffer gets a prefix; bytes beyond it are untouched.
    unsigned char buf[sizeof(drm_seed_query_memory) + 8];
    std::memset(buf, 0xa5, sizeof(buf));
    q = {};
    q.type = DRM_SEED_QUERY_MEMORY;
    q.size = 8;
    q.data = reinterpret_cast<uintptr_t>(buf);
    ASSERT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);
    EXPECT_EQ(q.size, 8u);
    uint64_t total;
    std::memcpy(&total, buf, sizeof(total));
    if (const auto hbm = hbm_bytes()) {
        EXPECT_EQ(total, *hbm);
    }
    EXPECT_EQ(buf[8], 0xa5);

    // A longer buffer gets the whole structure and the size written.
    q.size = sizeof(buf);
    ASSERT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);
    EXPECT_EQ(q.size, sizeof(drm_seed_query_memory));
    EXPECT_EQ(buf[sizeof(drm_seed_query_memory)], 0xa5);
}

TEST_F(DriverQuery, RejectsBadArguments) {
    drm_seed_query q{};
    q.type = 0;
    EXPECT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), EINVAL);
    q.type = 99;
    EXPECT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), EINVAL);
    q = {};
    q.type = DRM_SEED_QUERY_MEMORY;
    q.flags = 1;
    EXPECT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), EINVAL);
    q.flags = 0;
    q.pad = 1;
    EXPECT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), EINVAL);
    q.pad = 0;
    q.size = sizeof(drm_seed_query_memory);
    q.data = 8; // unmapped user address
    EXPECT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), EFAULT);
}

TEST_F(DriverQuery, TelemetryIsLive) {
    drm_seed_query_telemetry t1{}, t2{};
    drm_seed_query q{};
    q.type = DRM_SEED_QUERY_TELEMETRY;
    q.size = sizeof(t1);
    q.data = reinterpret_cast<uintptr_t>(&t1);
    ASSERT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    q.data = reinterpret_cast<uintptr_t>(&t2);
    ASSERT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);

    EXPECT_GT(t2.clock_ns, t1.clock_ns) << "device clock must advance";
    // Idle chip per the documented thermal model: near ambient, idle power.
    EXPECT_GE(t1.temp_mc, 30000);
    EXPECT_LE(t1.temp_mc, 95000);
    EXPECT_GE(t1.power_mw, 1000u);
    EXPECT_GT(t1.core_clk_mhz, 0u);
    EXPECT_GT(t1.hbm_clk_mhz, 0u);
    EXPECT_GE(t1.num_engines, 1u);
    EXPECT_LE(t1.num_engines, 16u);
}

TEST_F(DriverQuery, HwmonReportsTemperatureAndPower) {
    fs::path hwmon;
    for (const auto& e : fs::directory_iterator(device_dir() / "hwmon"))
        hwmon = e.path();
    ASSERT_FALSE(hwmon.empty()) << "no hwmon device under " << device_dir();
    EXPECT_EQ(read_line(hwmon / "name"), "seedchip");
    const long temp = std::stol(read_line(hwmon / "temp1_input"));
    EXPECT_GE(temp, 30000);
    EXPECT_LE(temp, std::stol(read_line(hwmon / "temp1_crit")));
    const long power = std::stol(read_line(hwmon / "power1_input"));
    EXPECT_GT(power, 0);
    EXPECT_LE(power, std::stol(read_line(hwmon / "power1_cap")));
}

// A corrected ECC error counts on the device (sysfs, QUERY telemetry) and
// reaches the driver as an event: its event counter (debugfs) moves and the
// event log is consumed up to the device's write pointer.
TEST_F(DriverQuery, SysfsCountersAndEventsFollowEccInjection) {
    if (!Control::available(0))
        GTEST_SKIP() << "no fault-injection channel (not under seed-vm)";
    const fs::path dir = device_dir();
    const std::string dbg = debugfs_dir(seed_nodes()[0]);
    ASSERT_FALSE(dbg.empty()) << "no debugfs directory";
    const unsigned long before = std::stoul(read_line(dir / "ecc_corrected"));
    const auto events_before = debugfs_event_counter(dbg, "ecc_corrected");
    const auto wptr_before = debugfs_event_counter(dbg, "wptr");
    ASSERT_TRUE(events_before && wptr_before) << "debugfs events has no counters";

    Control ctl(0);
    const std::string reply = ctl.command("ecc corrected 0x3000");
    ASSERT_EQ(reply, "ok ecc_ce=" + std::to_string(before + 1));

    EXPECT_EQ(std::stoul(read_line(dir / "ecc_corrected")), before + 1);
    drm_seed_query_telemetry t{};
    drm_seed_query q{};
    q.type = DRM_SEED_QUERY_TELEMETRY;
    q.size = sizeof(t);
    q.data = reinterpret_cast<uintptr_t>(&t);
    ASSERT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);
    EXPECT_EQ(t.ecc_corrected, before + 1);

    // The interrupt thread handles the event soon after the reply.
    const auto consumed = [&] {
        return debugfs_event_counter(dbg, "ecc_corrected") != events_before &&
               debugfs_event_counter(dbg, "head") == debugfs_event_counter(dbg, "wptr");
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!consumed() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(debugfs_event_counter(dbg, "ecc_corrected"), *events_before + 1)
        << "the driver did not see the ECC_CORRECTED event";
    const auto wptr = debugfs_event_counter(dbg, "wptr");
    ASSERT_TRUE(wptr.has_value());
    EXPECT_GE(*wptr - *wptr_before, 1) << "no event record written";
    EXPECT_EQ(debugfs_event_counter(dbg, "head"), wptr) << "event log not consumed";
    EXPECT_EQ(debugfs_event_counter(dbg, "dropped"), 0);

    EXPECT_EQ(ctl.command("ecc bogus").rfind("error", 0), 0u);

    // The engine list has one entry per engine.
    std::istringstream busy(read_line(dir / "engine_busy_ns"));
    unsigned n = 0;
    for (uint64_t v; busy >> v;)
        n++;
    EXPECT_EQ(std::to_string(n), read_line(dir / "num_engines"));
}

// The drm-usage-stats keys of /proc/self/fdinfo/<fd>, by key; sizes (a
// number with an optional KiB/MiB unit, as drm_print_memory_stats() writes
// them) and times ("<n> ns") in their base unit.
std::map<std::string, std::uint64_t> fdinfo_numbers(int fd, std::string* text_out = nullptr) {
    std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text_out != nullptr)
        *text_out = text;
    std::map<std::string, std::uint64_t> keys;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos || line.rfind("drm-", 0) != 0)
            continue;
        std::istringstream value(line.substr(colon + 1));
        std::uint64_t n = 0;
        std::string unit;
        if (!(value >> n))
            continue;
        value >> unit;
        if (unit == "KiB")
            n <<= 10;
        else if (unit == "MiB")
            n <<= 20;
        keys[line.substr(0, colon)] = n;
    }
    return keys;
}

TEST_F(DriverQuery, FdinfoFollowsDrmUsageStats) {
    std::string text;
    auto before = fdinfo_numbers(fd_.get(), &text);
    EXPECT_NE(text.find("drm-driver:\tseed\n"), std::string::npos) << text;
    EXPECT_NE(text.find("drm-client-id:\t"), std::string::npos) << text;
    EXPECT_NE(text.find("drm-pdev:\t0000:"), std::string::npos) << text;
    EXPECT_NE(text.find("drm-engine-compute:\t"), std::string::npos) << text;
    EXPECT_NE(text.find(" ns\n"), std::string::npos) << text;
    // Every key is a standard one (drm-usage-stats.rst) or seed-namespaced.
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("drm-", 0) != 0)
            continue;
        const std::string key = line.substr(0, line.find(':'));
        const bool known = key == "drm-driver" || key == "drm-client-id" || key == "drm-pdev" ||
                           key == "drm-engine-compute" || key == "drm-engine-capacity-compute" ||
                           key.rfind("drm-total-", 0) == 0 || key.rfind("drm-shared-", 0) == 0 ||
                           key.rfind("drm-active-", 0) == 0 || key.rfind("drm-resident-", 0) == 0 ||
                           key.rfind("drm-purgeable-", 0) == 0;
        EXPECT_TRUE(known) << line;
    }
    for (const char* region : {"hbm", "host"})
        for (const char* what : {"total", "shared", "active", "resident", "purgeable"})
            EXPECT_TRUE(before.contains(std::string("drm-") + what + "-" + region))
                << what << "-" << region << "\n"
                << text;
    // The capacity is the engine count, printed when there is more than one.
    drm_seed_query_telemetry t{};
    drm_seed_query q{};
    q.type = DRM_SEED_QUERY_TELEMETRY;
    q.size = sizeof(t);
    q.data = reinterpret_cast<std::uintptr_t>(&t);
    ASSERT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);
    if (t.num_engines > 1)
        EXPECT_EQ(before["drm-engine-capacity-compute"], t.num_engines) << text;
    else
        EXPECT_FALSE(before.contains("drm-engine-capacity-compute")) << text;
}

TEST_F(DriverQuery, FdinfoFollowsUsage) {
    const auto base = fdinfo_numbers(fd_.get());

    // Memory grows with the BOs the file holds, per region, and falls when
    // they are closed.
    Bo hbm, host, cmd;
    ASSERT_EQ(create_bo(hbm, fd_.get(), 3 << 20, DRM_SEED_BO_HBM), 0);
    ASSERT_EQ(create_bo(host, fd_.get(), 256 << 10, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(cmd, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
    auto with = fdinfo_numbers(fd_.get());
    EXPECT_EQ(with["drm-total-hbm"], base.at("drm-total-hbm") + hbm.size);
    EXPECT_EQ(with["drm-resident-hbm"], base.at("drm-resident-hbm") + hbm.size);
    EXPECT_EQ(with["drm-total-host"], base.at("drm-total-host") + host.size + cmd.size);
    EXPECT_EQ(with["drm-resident-host"], base.at("drm-resident-host") + host.size + cmd.size);
    EXPECT_EQ(with["drm-purgeable-hbm"], 0u);

    // Busy time grows with the device time of finished jobs: a fill of the
    // HBM BO keeps an engine busy.
    Queue queue;
    ASSERT_EQ(create_queue(queue, fd_.get()), 0);
    put_fill(cmd, 0, hbm.va, hbm.size, 0x5eed5eed5eed5eedull);
    std::uint64_t last = 0;
    for (int i = 0; i < 4; i++) {
        const Submit s = submit(queue, cmd, 1);
        ASSERT_EQ(s.err, 0);
        last = s.seq;
    }
    int err = 0;
    const auto st = finish(queue, last, &err);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
    const auto busy = fdinfo_numbers(fd_.get());
    EXPECT_GT(busy.at("drm-engine-compute"), base.at("drm-engine-compute"));

    hbm.reset();
    host.reset();
    const auto after = fdinfo_numbers(fd_.get());
    EXPECT_EQ(after.at("drm-total-hbm"), base.at("drm-total-hbm"));
    EXPECT_EQ(after.at("drm-resident-hbm"), base.at("drm-resident-hbm"));
    EXPECT_EQ(after.at("drm-total-host"), base.at("drm-total-host") + cmd.size);
    // Busy time only grows.
    EXPECT_GE(after.at("drm-engine-compute"), busy.at("drm-engine-compute"));
}

TEST_F(DriverQuery, ResetNeedsPrivilege) {
    drm_seed_reset r{};
    r.type = 7;
    EXPECT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_RESET, &r), EINVAL);
    r.type = DRM_SEED_RESET_DEVICE;
    r.flags = 1;
    EXPECT_EQ(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_RESET, &r), EINVAL);

    // An unprivileged process may not reset the chip.
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(2);
        drm_seed_reset rr{};
        _exit(seed_ioctl(fd_.get(), DRM_IOCTL_SEED_RESET, &rr) == EPERM ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace
