// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed-device-plugin without kubelet or chips: the health rules of the
// inventory, the preferred allocation by NUMA node and PCI distance, and
// what Allocate gives a container.
#include "allocation.hpp"
#include "inventory.hpp"
#include "plugin_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <thread>

namespace {

using namespace seed::plugin;
using namespace std::chrono_literals;

seed_mgmt_identity identity(unsigned index, int numa, const std::string& path) {
    seed_mgmt_identity id{};
    id.size = sizeof(id);
    id.index = index;
    id.numa_node = numa;
    std::snprintf(id.uuid, sizeof(id.uuid), "uuid-%u", index);
    std::snprintf(id.node, sizeof(id.node), "/dev/accel/accel%u", index);
    std::snprintf(id.pci_path, sizeof(id.pci_path), "%s", path.c_str());
    std::snprintf(id.pci_address, sizeof(id.pci_address), "%s",
                  path.substr(path.rfind('/') + 1).c_str());
    return id;
}

seed_mgmt_health health(std::uint32_t state) {
    seed_mgmt_health h{};
    h.size = sizeof(h);
    h.state = state;
    std::snprintf(h.detail, sizeof(h.detail), "state %u", state);
    return h;
}

seed_mgmt_event event(std::uint32_t type, const std::string& uuid, const std::string& reason) {
    seed_mgmt_event e{};
    e.size = sizeof(e);
    e.type = type;
    std::snprintf(e.uuid, sizeof(e.uuid), "%s", uuid.c_str());
    std::snprintf(e.reason, sizeof(e.reason), "%s", reason.c_str());
    return e;
}

TEST(PluginInventory, ProbesEventsAndHoldoff) {
    Inventory inv(10s);
    inv.upsert(identity(0, -1, "0000:00:02.0/0000:01:00.0"));
    ASSERT_EQ(inv.chips().size(), 1u);
    EXPECT_FALSE(inv.chips()[0].healthy); // not probed yet
    const auto t0 = Clock::now();
    const auto g0 = inv.generation();
    inv.apply_probe("uuid-0", health(SEED_HEALTH_OK), t0);
    EXPECT_TRUE(inv.chips()[0].healthy);
    EXPECT_NE(inv.generation(), g0);

    // A reset of another kind (a job timeout) is no failure of the chip.
    inv.apply_event(event(SEED_MGMT_EVENT_RESET, "uuid-0", "queue 3 job timeout"), t0);
    EXPECT_TRUE(inv.chips()[0].healthy);
    // A reset after a fatal error: unhealthy, and still during the hold-off
    // even though the chip answers again.
    inv.apply_event(event(SEED_MGMT_EVENT_RESET, "uuid-0", "device fatal error"), t0);
    EXPECT_FALSE(inv.chips()[0].healthy);
    EXPECT_NE(inv.chips()[0].reason.find("fatal"), std::string::npos);
    inv.apply_probe("uuid-0", health(SEED_HEALTH_OK), t0 + 5s);
    EXPECT_FALSE(inv.chips()[0].healthy);
    EXPECT_EQ(inv.next_holdoff_end(t0 + 5s), t0 + 10s);
    inv.apply_probe("uuid-0", health(SEED_HEALTH_OK), t0 + 11s);
    EXPECT_TRUE(inv.chips()[0].healthy);
    EXPECT_EQ(inv.next_holdoff_end(t0 + 11s), Clock::time_point::max());

    // Lost, removed, absent; unknown UUIDs change nothing.
    inv.apply_probe("uuid-0", health(SEED_HEALTH_LOST), t0 + 12s);
    EXPECT_FALSE(inv.chips()[0].healthy);
    inv.apply_probe("uuid-0", health(SEED_HEALTH_OK), t0 + 13s);
    inv.apply_event(event(SEED_MGMT_EVENT_REMOVE, "uuid-0", ""), t0 + 14s);
    EXPECT_FALSE(inv.chips()[0].healthy);
    EXPECT_EQ(inv.chips()[0].reason, "removed");
    inv.mark_absent("uuid-0");
    EXPECT_EQ(inv.chips()[0].reason, "not present");
    inv.apply_probe("uuid-9", health(SEED_HEALTH_OK), t0);
    EXPECT_EQ(inv.chips().size(), 1u);
    EXPECT_TRUE(is_failure_reset("device FATAL"));
    EXPECT_TRUE(is_failure_reset("device lost"));
    EXPECT_FALSE(is_failure_reset("requested by seedctl[12]"));
}

TEST(PluginInventory, WaitChangeWakesOnChange) {
    Inventory inv(0s);
    inv.upsert(identity(0, -1, "0000:01:00.0"));
    const auto seen = inv.generation();
    std::thread t([&] {
        std::this_thread::sleep_for(50ms);
        inv.apply_probe("uuid-0", health(SEED_HEALTH_OK), Clock::now());
    });
    const auto start = Clock::now();
    EXPECT_NE(inv.wait_change(seen, 10s), seen);
    EXPECT_LT(Clock::now() - start, 5s);
    t.join();
    EXPECT_EQ(inv.wait_change(inv.generation(), 10ms), inv.generation()); // times out
}

std::vector<Chip> machine() {
    // Two NUMA nodes; on node 0 chips 0 and 1 share switch 0000:02:00.0,
    // chip 2 sits on its own root port; chips 3 and 4 on node 1.
    Inventory inv(0s);
    inv.upsert(identity(0, 0, "0000:00:01.0/0000:02:00.0/0000:03:00.0"));
    inv.upsert(identity(1, 0, "0000:00:01.0/0000:02:00.0/0000:03:01.0"));
    inv.upsert(identity(2, 0, "0000:00:02.0/0000:05:00.0"));
    inv.upsert(identity(3, 1, "0000:80:01.0/0000:81:00.0"));
    inv.upsert(identity(4, 1, "0000:80:02.0/0000:82:00.0"));
    return inv.chips();
}

TEST(PluginAllocation, PrefersOneNumaNodeThenTheSameSwitch) {
    const auto chips = machine();
    EXPECT_EQ(pci_distance(chips[0], chips[1]), 2);
    EXPECT_EQ(pci_distance(chips[0], chips[2]), 5);
    const std::vector<std::string> all = {"uuid-4", "uuid-3", "uuid-2", "uuid-1", "uuid-0"};
    auto two = preferred_allocation(chips, all, {}, 2);
    std::sort(two.begin(), two.end());
    EXPECT_EQ(two, (std::vector<std::string>{"uuid-0", "uuid-1"}));
    // Needing chip 3: its NUMA neighbour comes with it.
    auto with3 = preferred_allocation(chips, all, {"uuid-3"}, 2);
    std::sort(with3.begin(), with3.end());
    EXPECT_EQ(with3, (std::vector<std::string>{"uuid-3", "uuid-4"}));
    // Three chips fit on node 0 only.
    auto three = preferred_allocation(chips, all, {}, 3);
    std::sort(three.begin(), three.end());
    EXPECT_EQ(three, (std::vector<std::string>{"uuid-0", "uuid-1", "uuid-2"}));
    // Only what is available is offered.
    auto limited = preferred_allocation(chips, {"uuid-2", "uuid-3", "uuid-4"}, {}, 2);
    std::sort(limited.begin(), limited.end());
    EXPECT_EQ(limited, (std::vector<std::string>{"uuid-3", "uuid-4"}));
    EXPECT_THROW((void)preferred_allocation(chips, {"uuid-0"}, {}, 2), AllocationError);
    EXPECT_THROW((void)preferred_allocation(chips, all, {"uuid-0", "uuid-1"}, 1), AllocationError);
    EXPECT_THROW((void)preferred_allocation(chips, all, {"nope"}, 1), AllocationError);
}

TEST(PluginAllocation, ContainerEditsCompose) {
    const auto chips = machine();
    const auto edits = container_edits(chips, {"uuid-3", "uuid-0"});
    EXPECT_EQ(edits.env.at("SEED_VISIBLE_DEVICES"), "uuid-3,uuid-0");
    EXPECT_EQ(edits.nodes, (std::vector<std::string>{"/dev/accel/accel3", "/dev/accel/accel0"}));
    EXPECT_EQ(edits.cdi_devices,
              (std::vector<std::string>{"seedchip.org/accel=uuid-3", "seedchip.org/accel=uuid-0"}));
    EXPECT_THROW((void)container_edits(chips, {"uuid-0", "uuid-0"}), AllocationError);
    EXPECT_THROW((void)container_edits(chips, {"uuid-7"}), AllocationError);
}

TEST(PluginService, DeviceListCarriesHealthAndNuma) {
    auto chips = machine();
    chips[1].healthy = true;
    chips[2].numa_node = -1;
    const auto list = device_list(chips);
    ASSERT_EQ(list.devices_size(), 5);
    EXPECT_EQ(list.devices(0).id(), "uuid-0");
    EXPECT_EQ(list.devices(0).health(), "Unhealthy");
    EXPECT_EQ(list.devices(1).health(), "Healthy");
    EXPECT_EQ(list.devices(3).topology().nodes(0).id(), 1);
    EXPECT_EQ(list.devices(2).topology().nodes_size(), 0);
}

} // namespace
