// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The management API's internals against a scratch sysfs and /proc:
// enumeration by physical index, identity, PCIe and AER parsing, the power
// limit's checks, fdinfo keys read by family, uevents turned into events,
// and the C layer's structure-size contract.
#include "mgmt.hpp"

#include <seed/error.hpp>
#include <seed/mgmt.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace seed::detail;

class FakeMachine {
public:
    FakeMachine() {
        std::string tmpl = (fs::temp_directory_path() / "libseed-mgmt-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        root_ = tmpl;
        roots.sys = root_ / "sys";
        roots.dev = root_ / "dev";
        roots.proc = root_ / "proc";
        fs::create_directories(roots.sys / "class" / "accel");
        fs::create_directories(roots.sys / "bus" / "pci" / "drivers" / "seed");
        fs::create_directories(roots.sys / "bus" / "pci" / "drivers" / "other");
        fs::create_directories(roots.sys / "module" / "seed");
        write(roots.sys / "module" / "seed" / "version", "1.2.3\n");
        fs::create_directories(roots.dev / "accel");
        fs::create_directories(roots.proc);
    }
    ~FakeMachine() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    FakeMachine(const FakeMachine&) = delete;
    FakeMachine& operator=(const FakeMachine&) = delete;

    static void write(const fs::path& p, const std::string& text) {
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }

    /// accel<minor> of a PCI device under root port @p port, bound to @p driver.
    fs::path add_chip(unsigned minor, const std::string& port, const std::string& pci,
                      const std::string& uuid, const std::string& driver = "seed") {
        const fs::path dev = roots.sys / "devices" / "pci0000:00" / port / pci;
        fs::create_directories(dev / "accel" / ("accel" + std::to_string(minor)));
        fs::create_directory_symlink(roots.sys / "bus" / "pci" / "drivers" / driver,
                                     dev / "driver");
        fs::create_directory_symlink(dev / "accel" / ("accel" + std::to_string(minor)),
                                     roots.sys / "class" / "accel" /
                                         ("accel" + std::to_string(minor)));
        fs::create_directory_symlink(dev,
                                     dev / "accel" / ("accel" + std::to_string(minor)) / "device");
        write(dev / "uuid", uuid + "\n");
        write(dev / "serial", "SN-" + std::to_string(minor) + "\n");
        write(dev / "hw_revision", "1.0\n");
        write(dev / "fw_version", "2.0.1\n");
        write(dev / "hbm_total_bytes", "1073741824\n");
        write(dev / "hbm_used_bytes", "4096\n");
        write(dev / "hbm_retired_bytes", "8192\n");
        write(dev / "num_queues", "64\n");
        write(dev / "num_engines", "4\n");
        write(dev / "numa_node", "-1\n");
        write(dev / "vendor", "0x5eed\n");
        write(roots.dev / "accel" / ("accel" + std::to_string(minor)), "");
        return dev;
    }

    MgmtRoots roots;

private:
    fs::path root_;
};

TEST(Mgmt, ChipsArePhysicalByMinorAndOnlySeeds) {
    FakeMachine m;
    m.add_chip(3, "0000:00:03.0", "0000:02:00.0", "5eed0000-0000-4000-8000-000000000002");
    m.add_chip(1, "0000:00:02.0", "0000:01:00.0", "5eed0000-0000-4000-8000-000000000001");
    m.add_chip(2, "0000:00:04.0", "0000:03:00.0", "11111111-0000-4000-8000-000000000000", "other");
    const auto chips = mgmt_chips(m.roots);
    ASSERT_EQ(chips.size(), 2u);
    EXPECT_EQ(chips[0].minor, 1u);
    EXPECT_EQ(chips[0].index, 0u);
    EXPECT_EQ(chips[1].minor, 3u);
    EXPECT_EQ(mgmt_find("1", m.roots), 1u);
    EXPECT_EQ(mgmt_find("0000:02:00.0", m.roots), 1u);
    EXPECT_EQ(mgmt_find("5eed0000-0000-4000-8000-000000000001", m.roots), 0u);
    EXPECT_EQ(mgmt_find("/dev/accel/accel3", m.roots), 1u);
    EXPECT_THROW((void)mgmt_find("7", m.roots), seed::Error);
    EXPECT_THROW((void)mgmt_find("0000:03:00.0", m.roots), seed::Error); // not ours
    EXPECT_THROW((void)mgmt_find("bogus", m.roots), seed::Error);
    EXPECT_THROW((void)mgmt_chip(2, m.roots), seed::Error);
}

TEST(Mgmt, IdentityFromSysfs) {
    FakeMachine m;
    m.add_chip(0, "0000:00:02.0", "0000:01:00.0", "5eed0000-0000-4000-8000-000000000000");
    seed_mgmt_identity id{};
    id.size = sizeof(id);
    mgmt_identity(mgmt_chip(0, m.roots), id, m.roots);
    EXPECT_EQ(std::string(id.uuid), "5eed0000-0000-4000-8000-000000000000");
    EXPECT_EQ(std::string(id.serial), "SN-0");
    EXPECT_EQ(std::string(id.pci_address), "0000:01:00.0");
    EXPECT_EQ(std::string(id.pci_path), "0000:00:02.0/0000:01:00.0");
    EXPECT_EQ(std::string(id.driver_version), "1.2.3");
    EXPECT_EQ(std::string(id.fw_version), "2.0.1");
    EXPECT_EQ(id.hbm_total_bytes, 1u << 30);
    EXPECT_EQ(id.num_engines, 4u);
    EXPECT_EQ(id.numa_node, -1);
    EXPECT_EQ(std::string(id.node), (m.roots.dev / "accel" / "accel0").string());
    EXPECT_EQ(std::string(id.sysfs_path), fs::canonical(m.roots.sys / "devices" / "pci0000:00" /
                                                        "0000:00:02.0" / "0000:01:00.0")
                                              .string());
}

TEST(Mgmt, CountersAndJobFailuresFromSysfs) {
    FakeMachine m;
    const auto dev =
        m.add_chip(0, "0000:00:02.0", "0000:01:00.0", "5eed0000-0000-4000-8000-000000000000");
    FakeMachine::write(dev / "irq_count", "17\n");
    FakeMachine::write(dev / "reset_count", "2\n");
    FakeMachine::write(dev / "job_failures" / "mmu_fault", "5\n");
    FakeMachine::write(dev / "job_failures" / "timeout", "1\n");
    FakeMachine::write(dev / "job_failures" / "hw_error", "0\n");
    seed_mgmt_counters c{};
    c.size = sizeof(c);
    mgmt_counters(mgmt_chip(0, m.roots), c);
    EXPECT_EQ(c.irq_count, 17u);
    EXPECT_EQ(c.reset_count, 2u);
    EXPECT_EQ(c.job_failures[0], 0u);
    EXPECT_EQ(c.job_failures[SEED_MGMT_JOB_MMU_FAULT], 5u);
    EXPECT_EQ(c.job_failures[SEED_MGMT_JOB_TIMEOUT], 1u);
    EXPECT_EQ(c.job_failures[SEED_MGMT_JOB_HW_ERROR], 0u);
    // Not provided (an older driver, a reason this library does not know).
    EXPECT_EQ(c.job_failures[SEED_MGMT_JOB_RESET], UINT64_MAX);
    EXPECT_EQ(c.job_failures[SEED_MGMT_JOB_HW_ERROR + 1], UINT64_MAX);

    const char* names[] = {"mmu_fault", "invalid_packet", "timeout", "reset", "cancelled",
                           "ecc",       "device_lost",    "hw_error"};
    for (unsigned r = 1; r <= 8; ++r) {
        EXPECT_STREQ(job_failure_name(r), names[r - 1]);
        EXPECT_STREQ(seed_mgmt_job_failure_reason(r), names[r - 1]);
    }
    EXPECT_EQ(seed_mgmt_job_failure_reason(0), nullptr);
    EXPECT_EQ(seed_mgmt_job_failure_reason(9), nullptr);

    // The memory's host figure comes from sysfs too.
    seed_mgmt_memory mem{};
    mem.size = sizeof(mem);
    mgmt_memory(mgmt_chip(0, m.roots), mem, m.roots);
    EXPECT_EQ(mem.host_used_bytes, UINT64_MAX); // no attribute, no device to ask
    FakeMachine::write(dev / "host_used_bytes", "12288\n");
    mgmt_memory(mgmt_chip(0, m.roots), mem, m.roots);
    EXPECT_EQ(mem.host_used_bytes, 12288u);

    fs::remove_all(dev / "hbm_total_bytes");
    EXPECT_THROW(mgmt_counters(mgmt_chip(0, m.roots), c), seed::Error); // gone
}

TEST(Mgmt, OlderCallersGetTheirSizeOnly) {
    FakeMachine m;
    m.add_chip(0, "0000:00:02.0", "0000:01:00.0", "5eed0000-0000-4000-8000-000000000000");
    // A caller built when the structure ended after `node`.
    struct Old {
        std::uint32_t size, index, minor;
        std::int32_t numa_node;
        char node[SEED_MGMT_TEXT];
        char canary[8];
    } old{};
    std::memset(old.canary, 'x', sizeof(old.canary));
    old.size = offsetof(Old, canary);
    mgmt_identity(mgmt_chip(0, m.roots), reinterpret_cast<seed_mgmt_identity&>(old), m.roots);
    EXPECT_EQ(old.size, offsetof(Old, canary));
    EXPECT_EQ(std::string(old.node), (m.roots.dev / "accel" / "accel0").string());
    EXPECT_EQ(std::string(old.canary, sizeof(old.canary)), "xxxxxxxx");
    seed_mgmt_memory unset{};
    EXPECT_THROW(mgmt_memory(mgmt_chip(0, m.roots), unset), seed::Error);
}

TEST(Mgmt, MemoryAndPcie) {
    FakeMachine m;
    const auto dev =
        m.add_chip(0, "0000:00:02.0", "0000:01:00.0", "5eed0000-0000-4000-8000-000000000000");
    FakeMachine::write(dev / "current_link_speed", "8.0 GT/s PCIe\n");
    FakeMachine::write(dev / "max_link_speed", "16.0 GT/s PCIe\n");
    FakeMachine::write(dev / "current_link_width", "8\n");
    FakeMachine::write(dev / "max_link_width", "16\n");
    FakeMachine::write(dev / "aer_dev_correctable", "RxErr 1\nBadTLP 2\nTOTAL_ERR_COR 3\n");
    FakeMachine::write(dev / "aer_dev_fatal", "Undefined 0\nTOTAL_ERR_FATAL 0\n");
    const auto chip = mgmt_chip(0, m.roots);
    seed_mgmt_memory mem{};
    mem.size = sizeof(mem);
    mgmt_memory(chip, mem);
    EXPECT_EQ(mem.used_bytes, 4096u);
    EXPECT_EQ(mem.retired_bytes, 8192u);
    seed_mgmt_pcie p{};
    p.size = sizeof(p);
    mgmt_pcie(chip, p);
    EXPECT_EQ(p.current_speed_mts, 8000u);
    EXPECT_EQ(p.max_speed_mts, 16000u);
    EXPECT_EQ(p.current_width, 8u);
    EXPECT_EQ(p.max_width, 16u);
    EXPECT_EQ(p.aer_correctable, 3u);
    EXPECT_EQ(p.aer_fatal, 0u);
    EXPECT_EQ(p.aer_nonfatal, UINT64_MAX); // no such file: not reported
}

TEST(Mgmt, LinkSpeedAndAerParsing) {
    EXPECT_EQ(parse_link_speed("2.5 GT/s PCIe"), 2500u);
    EXPECT_EQ(parse_link_speed("5.0 GT/s"), 5000u);
    EXPECT_EQ(parse_link_speed("16.0 GT/s PCIe"), 16000u);
    EXPECT_EQ(parse_link_speed("64.0 GT/s PCIe"), 64000u);
    EXPECT_FALSE(parse_link_speed("Unknown"));
    EXPECT_FALSE(parse_link_speed("2.5"));
    EXPECT_FALSE(parse_link_speed("x.5 GT/s"));
    EXPECT_EQ(parse_aer_total("A 1\nTOTAL_ERR_NONFATAL 12\n"), 12u);
    EXPECT_FALSE(parse_aer_total("A 1\n"));
    EXPECT_FALSE(parse_aer_total("TOTAL_ERR_COR x\n"));
}

TEST(Mgmt, PowerLimitReadOnlyIsNotSupported) {
    FakeMachine m;
    const auto dev =
        m.add_chip(0, "0000:00:02.0", "0000:01:00.0", "5eed0000-0000-4000-8000-000000000000");
    const auto chip = mgmt_chip(0, m.roots);
    seed_mgmt_power_limit p{};
    p.size = sizeof(p);
    EXPECT_THROW(mgmt_power_limit(chip, p), seed::Error); // no hwmon at all
    FakeMachine::write(dev / "hwmon" / "hwmon3" / "name", "seedchip\n");
    FakeMachine::write(dev / "hwmon" / "hwmon3" / "power1_cap", "300000000\n");
    ::chmod((dev / "hwmon" / "hwmon3" / "power1_cap").c_str(), 0444);
    mgmt_power_limit(chip, p);
    EXPECT_EQ(p.current_mw, 300000u);
    EXPECT_EQ(p.settable, 0u);
    try {
        mgmt_set_power_limit(chip, 200000);
        FAIL() << "a read-only power1_cap was written";
    } catch (const seed::Error& e) {
        EXPECT_EQ(e.code(), std::errc::not_supported);
    }
    // A writable one with bounds: out-of-range values are refused before writing.
    ::chmod((dev / "hwmon" / "hwmon3" / "power1_cap").c_str(), 0644);
    FakeMachine::write(dev / "hwmon" / "hwmon3" / "power1_cap_min", "100000000\n");
    FakeMachine::write(dev / "hwmon" / "hwmon3" / "power1_cap_max", "300000000\n");
    EXPECT_THROW(mgmt_set_power_limit(chip, 50000), seed::Error);
    EXPECT_THROW(mgmt_set_power_limit(chip, 400000), seed::Error);
    mgmt_set_power_limit(chip, 250000);
    mgmt_power_limit(chip, p);
    EXPECT_EQ(p.current_mw, 250000u);
    EXPECT_EQ(p.min_mw, 100000u);
    EXPECT_EQ(p.settable, 1u);
}

TEST(Mgmt, FdinfoKeysAreReadByFamily) {
    const auto u = parse_fdinfo_usage("pos:\t0\ndrm-driver:\tseed\ndrm-pdev:\t0000:01:00.0\n"
                                      "drm-client-id:\t9\ndrm-engine-compute:\t1500 ns\n"
                                      "drm-engine-copy:\t500 ns\ndrm-engine-capacity-compute:\t4\n"
                                      "drm-total-hbm:\t3 MiB\ndrm-resident-hbm:\t2 MiB\n"
                                      "drm-resident-host:\t8 KiB\ndrm-memory-sram:\t4096\n");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->client_id, 9u);
    EXPECT_EQ(u->engine_ns.size(), 2u);
    EXPECT_EQ(u->engine_ns.at("compute"), 1500u);
    EXPECT_EQ(u->engine_ns.at("copy"), 500u);
    EXPECT_EQ(u->memory_bytes.at("hbm"), 3u << 20); // total wins over resident
    EXPECT_EQ(u->memory_bytes.at("host"), 8u << 10);
    EXPECT_EQ(u->memory_bytes.at("sram"), 4096u);
    EXPECT_FALSE(parse_fdinfo_usage("drm-driver:\tseed\n"));
    EXPECT_FALSE(parse_fdinfo_usage("drm-driver:\tseed\ndrm-client-id:\t-1\n"));
    const auto huge = parse_fdinfo_usage(
        "drm-driver:\tseed\ndrm-client-id:\t1\ndrm-total-hbm:\t18446744073709551615 GiB\n");
    ASSERT_TRUE(huge);
    EXPECT_FALSE(huge->memory_bytes.contains("hbm")); // overflow is not a number
}

TEST(Mgmt, ProcessScanDedupesAndSums) {
    FakeMachine m;
    const auto fd = [&](int pid, int n, const std::string& text) {
        FakeMachine::write(m.roots.proc / std::to_string(pid) / "comm",
                           "p" + std::to_string(pid) + "\n");
        FakeMachine::write(m.roots.proc / std::to_string(pid) / "fdinfo" / std::to_string(n), text);
    };
    const std::string shared = "drm-driver:\tseed\ndrm-pdev:\t0000:01:00.0\ndrm-client-id:\t5\n"
                               "drm-engine-compute:\t7 ns\ndrm-engine-copy:\t3 ns\n"
                               "drm-total-hbm:\t1 MiB\n";
    fd(30, 4, shared);
    fd(20, 3, shared); // forked: same client, listed under the lowest pid
    fd(20, 5, "drm-driver:\tother\ndrm-pdev:\t0000:01:00.0\ndrm-client-id:\t6\n");
    fd(40, 1, "pos:\t0\n");
    const auto scan = mgmt_scan_processes(m.roots);
    ASSERT_EQ(scan.processes.size(), 1u);
    EXPECT_EQ(scan.processes[0].pid, 20);
    EXPECT_EQ(std::string(scan.processes[0].command), "p20");
    EXPECT_EQ(scan.processes[0].engine_ns, 10u);
    EXPECT_EQ(scan.processes[0].hbm_bytes, 1u << 20);
}

std::string datagram(std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts) {
        out += p;
        out += '\0';
    }
    return out;
}

TEST(Mgmt, UeventsBecomeChipEvents) {
    const std::map<std::string, std::string> known = {
        {"0000:01:00.0", "5eed0000-0000-4000-8000-000000000000"}};
    const auto reset = parse_uevent(
        datagram({"change@/devices/pci0000:00/0000:00:02.0/0000:01:00.0", "ACTION=change",
                  "DEVPATH=/devices/pci0000:00/0000:00:02.0/0000:01:00.0", "SUBSYSTEM=pci",
                  "SEED_EVENT=RESET", "SEED_RESET_REASON=device fatal error", "DRIVER=seed",
                  "SEQNUM=1234"}));
    ASSERT_TRUE(reset);
    const auto ev = event_from_uevent(*reset, known);
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->type, static_cast<std::uint32_t>(SEED_MGMT_EVENT_RESET));
    EXPECT_EQ(std::string(ev->reason), "device fatal error");
    EXPECT_EQ(std::string(ev->pci_address), "0000:01:00.0");
    EXPECT_EQ(std::string(ev->uuid), known.at("0000:01:00.0"));

    const auto removed =
        parse_uevent(datagram({"remove@/devices/pci0000:00/0000:00:02.0/0000:01:00.0/accel/accel0",
                               "ACTION=remove", "SUBSYSTEM=accel", "DEVNAME=accel/accel0"}));
    ASSERT_TRUE(removed);
    const auto rm = event_from_uevent(*removed, known);
    ASSERT_TRUE(rm);
    EXPECT_EQ(rm->type, static_cast<std::uint32_t>(SEED_MGMT_EVENT_REMOVE));
    EXPECT_EQ(std::string(rm->pci_address), "0000:01:00.0");

    EXPECT_EQ(ev->seqnum, 1234u);
    EXPECT_EQ(rm->seqnum, 0u);

    // Unbind and removal of a known chip's PCI device carry no DRIVER.
    const auto unbind =
        parse_uevent(datagram({"unbind@/devices/pci0000:00/0000:00:02.0/0000:01:00.0",
                               "ACTION=unbind", "SUBSYSTEM=pci", "SEQNUM=77"}));
    ASSERT_TRUE(unbind);
    const auto ub = event_from_uevent(*unbind, known);
    ASSERT_TRUE(ub);
    EXPECT_EQ(ub->type, static_cast<std::uint32_t>(SEED_MGMT_EVENT_UNBIND));
    EXPECT_EQ(std::string(ub->uuid), known.at("0000:01:00.0"));
    EXPECT_EQ(std::string(ub->action), "unbind");
    EXPECT_EQ(ub->seqnum, 77u);
    const auto gone =
        parse_uevent(datagram({"remove@/devices/pci0000:00/0000:00:02.0/0000:01:00.0",
                               "ACTION=remove", "SUBSYSTEM=pci", "PCI_SLOT_NAME=0000:01:00.0"}));
    ASSERT_TRUE(gone);
    EXPECT_EQ(event_from_uevent(*gone, known)->type,
              static_cast<std::uint32_t>(SEED_MGMT_EVENT_UNPLUG));
    // The same of a PCI device that never was a chip is nothing.
    const auto other_unbind = parse_uevent(
        datagram({"unbind@/devices/pci0000:00/0000:00:06.0", "ACTION=unbind", "SUBSYSTEM=pci"}));
    EXPECT_FALSE(event_from_uevent(*other_unbind, known));
    const auto other_remove = parse_uevent(
        datagram({"remove@/devices/pci0000:00/0000:00:06.0", "ACTION=remove", "SUBSYSTEM=pci"}));
    EXPECT_FALSE(event_from_uevent(*other_remove, known));

    const auto bound = parse_uevent(datagram({"bind@/devices/pci0000:00/0000:00:05.0/0000:04:00.0",
                                              "ACTION=bind", "SUBSYSTEM=pci", "DRIVER=seed"}));
    ASSERT_TRUE(bound);
    EXPECT_EQ(event_from_uevent(*bound, known)->type,
              static_cast<std::uint32_t>(SEED_MGMT_EVENT_ADD));

    // Another driver's PCI change, another device's accel node, udevd's
    // re-broadcast format and garbage are not chip events.
    const auto nvme = parse_uevent(datagram({"change@/devices/pci0000:00/0000:00:06.0",
                                             "ACTION=change", "SUBSYSTEM=pci", "DRIVER=nvme"}));
    EXPECT_FALSE(event_from_uevent(*nvme, known));
    const auto other_accel = parse_uevent(datagram(
        {"remove@/devices/pci0000:00/0000:00:07.0/0000:09:00.0/accel/accel5", "SUBSYSTEM=accel"}));
    EXPECT_FALSE(event_from_uevent(*other_accel, known));
    EXPECT_FALSE(parse_uevent(std::string("libudev\0\xfe\xed", 10)));
    EXPECT_FALSE(parse_uevent(""));
}

TEST(MgmtCApi, RejectsNullAndUnsetSizes) {
    EXPECT_EQ(seed_mgmt_device_count(nullptr), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_mgmt_device_identity(nullptr, nullptr), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_mgmt_device_find(nullptr, nullptr), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_mgmt_device_by_uuid(nullptr, nullptr), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_mgmt_processes(nullptr, nullptr, nullptr), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_mgmt_monitor_next(nullptr, nullptr, 0), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_mgmt_monitor_fd(nullptr), -1);
}

TEST(MgmtCApi, NeedsInitAndNestsIt) {
    unsigned count = 0;
    seed_mgmt_device device = nullptr;
    EXPECT_EQ(seed_mgmt_device_count(&count), SEED_ERROR_INVALID_STATE);
    EXPECT_EQ(seed_mgmt_device_by_index(0, &device), SEED_ERROR_INVALID_STATE);
    EXPECT_NE(std::string(seed_last_error_message()).find("seed_mgmt_init"), std::string::npos);
    EXPECT_EQ(seed_mgmt_shutdown(), SEED_ERROR_INVALID_STATE);
    ASSERT_EQ(seed_mgmt_init(), SEED_SUCCESS);
    ASSERT_EQ(seed_mgmt_init(), SEED_SUCCESS);
    EXPECT_EQ(seed_mgmt_shutdown(), SEED_SUCCESS);
    // Still initialised once: a bad UUID is an argument error, not a state error.
    EXPECT_EQ(seed_mgmt_device_by_uuid("not-a-uuid", &device), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_mgmt_device_by_pci_address("zz", &device), SEED_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(seed_mgmt_shutdown(), SEED_SUCCESS);
    EXPECT_EQ(seed_mgmt_device_count(&count), SEED_ERROR_INVALID_STATE);
}

TEST(MgmtCApi, StatusStringsNameEveryCode) {
    std::set<std::string> seen;
    for (int code = 0; code >= SEED_ERROR_INSUFFICIENT_SIZE; --code) {
        const std::string s = seed_mgmt_status_string(static_cast<seed_status>(code));
        EXPECT_NE(s, "unknown status") << code;
        EXPECT_TRUE(seen.insert(s).second) << s;
    }
    EXPECT_STREQ(seed_mgmt_status_string(SEED_ERROR_DEVICE_LOST), "device lost");
    EXPECT_STREQ(seed_mgmt_status_string(static_cast<seed_status>(-13)), "unknown status");
}

TEST(MgmtCApi, UtilizationFromTwoSnapshots) {
    seed_mgmt_telemetry a{}, b{};
    a.size = b.size = sizeof(a);
    a.num_engines = b.num_engines = 4;
    a.clock_ns = 1'000'000;
    b.clock_ns = 2'000'000; // 1 ms of device time
    a.engine_busy_ns[0] = 0;
    b.engine_busy_ns[0] = 1'000'000; // busy all the time
    a.engine_busy_ns[1] = 500;
    b.engine_busy_ns[1] = 250'500; // a quarter
    a.engine_busy_ns[2] = 7;
    b.engine_busy_ns[2] = 7; // idle
    a.engine_busy_ns[3] = 900'000;
    b.engine_busy_ns[3] = 10; // went backwards: a reset, idle
    uint32_t mean = 99, max = 99;
    ASSERT_EQ(seed_mgmt_utilization(&a, &b, &mean, &max), SEED_SUCCESS);
    EXPECT_EQ(max, 1000u);
    EXPECT_EQ(mean, (1000u + 250u + 0u + 0u + 2u) / 4u);
    // No time passed: idle, not a division by zero.
    ASSERT_EQ(seed_mgmt_utilization(&a, &a, &mean, nullptr), SEED_SUCCESS);
    EXPECT_EQ(mean, 0u);
    // The host clock stands in when the device clock did not move.
    b.clock_ns = a.clock_ns;
    a.host_time_ns = 0;
    b.host_time_ns = 2'000'000;
    ASSERT_EQ(seed_mgmt_utilization(&a, &b, nullptr, &max), SEED_SUCCESS);
    EXPECT_EQ(max, 500u);
    b.size = 0;
    EXPECT_EQ(seed_mgmt_utilization(&a, &b, &mean, &max), SEED_ERROR_INVALID_ARGUMENT);
}

} // namespace
