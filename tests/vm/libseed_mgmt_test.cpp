// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The management C API (seed/mgmt.h) on the real driver: handles by index,
// UUID and PCI address name the same chip; identity and memory agree with
// sysfs; telemetry, health, the processes using a chip (this one) and the
// driver's reset uevent as seen through the event monitor.

#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <seed/mgmt.h>
#include <seed/seed.hpp>
#include <seed/uuid.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using seed::vm::read_line;

class LibseedMgmt : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(seed_mgmt_init(), SEED_SUCCESS); }
    void TearDown() override { EXPECT_EQ(seed_mgmt_shutdown(), SEED_SUCCESS); }

    static fs::path sysfs_of(const seed_mgmt_identity& id) {
        return fs::path("/sys/class/accel") / fs::path(id.node).filename() / "device";
    }

    static seed_mgmt_identity identity(seed_mgmt_device d) {
        seed_mgmt_identity id{};
        id.size = sizeof(id);
        EXPECT_EQ(seed_mgmt_device_identity(d, &id), SEED_SUCCESS) << seed_last_error_message();
        return id;
    }
};

TEST_F(LibseedMgmt, HandlesAndIdentityAgreeWithSysfs) {
    unsigned count = 0;
    ASSERT_EQ(seed_mgmt_device_count(&count), SEED_SUCCESS);
    ASSERT_EQ(count, seed::Device::list().size());
    for (unsigned i = 0; i < count; ++i) {
        seed_mgmt_device by_index = nullptr, by_uuid = nullptr, by_pci = nullptr;
        ASSERT_EQ(seed_mgmt_device_by_index(i, &by_index), SEED_SUCCESS);
        const seed_mgmt_identity id = identity(by_index);
        EXPECT_EQ(id.index, i);
        const fs::path dev = sysfs_of(id);
        EXPECT_EQ(std::string(id.uuid), read_line(dev / "uuid"));
        EXPECT_EQ(std::string(id.serial), read_line(dev / "serial"));
        EXPECT_EQ(std::string(id.pci_address), fs::canonical(dev).filename().string());
        EXPECT_EQ(std::string(id.fw_version), read_line(dev / "fw_version"));
        EXPECT_EQ(std::string(id.driver_version), read_line("/sys/module/seed/version"));
        EXPECT_EQ(id.hbm_total_bytes, std::stoull(read_line(dev / "hbm_total_bytes")));
        ASSERT_EQ(seed_mgmt_device_by_uuid(id.uuid, &by_uuid), SEED_SUCCESS);
        ASSERT_EQ(seed_mgmt_device_by_pci_address(id.pci_address, &by_pci), SEED_SUCCESS);
        EXPECT_EQ(by_uuid, by_index);
        EXPECT_EQ(by_pci, by_index);

        seed_mgmt_memory mem{};
        mem.size = sizeof(mem);
        ASSERT_EQ(seed_mgmt_device_memory(by_index, &mem), SEED_SUCCESS);
        EXPECT_EQ(mem.total_bytes, id.hbm_total_bytes);
        EXPECT_EQ(mem.retired_bytes, std::stoull(read_line(dev / "hbm_retired_bytes")));
        EXPECT_LE(mem.used_bytes, mem.total_bytes);

        seed_mgmt_health health{};
        health.size = sizeof(health);
        ASSERT_EQ(seed_mgmt_device_health(by_index, &health), SEED_SUCCESS);
        EXPECT_EQ(health.state, static_cast<uint32_t>(SEED_HEALTH_OK)) << health.detail;
    }
    seed_mgmt_device none = nullptr;
    EXPECT_EQ(seed_mgmt_device_by_index(count, &none), SEED_ERROR_DEVICE_NOT_FOUND);
    EXPECT_EQ(seed_mgmt_device_by_uuid("00000000-0000-0000-0000-000000000000", &none),
              SEED_ERROR_DEVICE_NOT_FOUND);
}

TEST_F(LibseedMgmt, TelemetryUtilizationAndOwnProcess) {
    seed_mgmt_device d = nullptr;
    ASSERT_EQ(seed_mgmt_device_by_index(0, &d), SEED_SUCCESS);
    const seed_mgmt_identity id = identity(d);
    seed_mgmt_telemetry before{}, after{};
    before.size = after.size = sizeof(before);
    ASSERT_EQ(seed_mgmt_device_telemetry(d, &before), SEED_SUCCESS) << seed_last_error_message();
    EXPECT_GT(before.num_engines, 0u);
    EXPECT_GT(before.temperature_mc, 0);

    // Some work on the chip, by this process.
    seed::Device dev = seed::Device::open(0u);
    ASSERT_EQ(seed::format_uuid(dev.info().uuid), std::string(id.uuid));
    seed::Queue queue(dev);
    const seed::Buffer buf(dev, 1 << 20, seed::Placement::device);
    for (int i = 0; i < 8; ++i)
        queue.fill(buf, buf.size(), static_cast<std::uint32_t>(i)).wait();
    ASSERT_EQ(seed_mgmt_device_telemetry(d, &after), SEED_SUCCESS);
    uint32_t mean = 0, max = 0;
    ASSERT_EQ(seed_mgmt_utilization(&before, &after, &mean, &max), SEED_SUCCESS);
    EXPECT_LE(mean, max);
    EXPECT_LE(max, 1000u);
    std::uint64_t busy_before = 0, busy_after = 0;
    for (uint32_t e = 0; e < after.num_engines; ++e) {
        busy_before += before.engine_busy_ns[e];
        busy_after += after.engine_busy_ns[e];
    }
    EXPECT_GT(busy_after, busy_before);
    EXPECT_GT(max, 0u);

    // This process holds the chip with at least the buffer's HBM.
    size_t n = 0;
    EXPECT_EQ(seed_mgmt_processes(nullptr, &n, nullptr), SEED_SUCCESS);
    ASSERT_GE(n, 1u); // this process at least
    std::vector<seed_mgmt_process> procs(n + 4);
    procs[0].size = sizeof(seed_mgmt_process);
    size_t too_few = 0;
    EXPECT_EQ(seed_mgmt_processes(procs.data(), &too_few, nullptr), SEED_ERROR_INSUFFICIENT_SIZE);
    EXPECT_GE(too_few, 1u);
    procs[0].size = sizeof(seed_mgmt_process);
    n = procs.size();
    ASSERT_EQ(seed_mgmt_processes(procs.data(), &n, nullptr), SEED_SUCCESS)
        << seed_last_error_message();
    bool mine = false;
    for (size_t i = 0; i < n; ++i) {
        if (procs[i].pid == ::getpid() && std::string(procs[i].pci_address) == id.pci_address) {
            mine = true;
            EXPECT_GE(procs[i].hbm_bytes, buf.size());
            EXPECT_GT(procs[i].engine_ns, 0u);
        }
    }
    EXPECT_TRUE(mine) << n << " clients, none is pid " << ::getpid();
}

TEST_F(LibseedMgmt, MonitorSeesAResetOfTheRightChip) {
    seed_mgmt_device d = nullptr;
    unsigned count = 0;
    ASSERT_EQ(seed_mgmt_device_count(&count), SEED_SUCCESS);
    ASSERT_EQ(seed_mgmt_device_by_index(count - 1, &d), SEED_SUCCESS);
    const seed_mgmt_identity id = identity(d);
    seed_mgmt_monitor* monitor = nullptr;
    ASSERT_EQ(seed_mgmt_monitor_create(&monitor), SEED_SUCCESS) << seed_last_error_message();
    ASSERT_GE(seed_mgmt_monitor_fd(monitor), 0);
    ASSERT_EQ(seed_mgmt_device_reset(d), SEED_SUCCESS) << seed_last_error_message();
    seed_mgmt_event ev{};
    bool seen = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!seen && std::chrono::steady_clock::now() < deadline) {
        ev.size = sizeof(ev);
        const seed_status s = seed_mgmt_monitor_next(monitor, &ev, 1000);
        if (s == SEED_ERROR_TIMEOUT)
            continue;
        ASSERT_EQ(s, SEED_SUCCESS) << seed_last_error_message();
        seen = ev.type == SEED_MGMT_EVENT_RESET;
    }
    seed_mgmt_monitor_destroy(monitor);
    ASSERT_TRUE(seen) << "no reset event in 60 s";
    EXPECT_EQ(std::string(ev.pci_address), id.pci_address);
    EXPECT_EQ(std::string(ev.uuid), id.uuid);
    EXPECT_EQ(std::string(ev.action), "change");
    EXPECT_NE(std::string(ev.reason), "");
}

} // namespace
