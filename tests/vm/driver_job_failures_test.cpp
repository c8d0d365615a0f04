// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The driver's per-device counters of failed jobs by reason (sysfs
// job_failures/, docs/sysfs-attributes.md), and what reads them: jobs made
// to fail for real (an MMU fault, an invalid packet, a hang the watchdog
// times out) must raise exactly their reason's counter of exactly their
// chip, as sysfs, `seedctl query job_failures.*` and the exporter's
// seedchip_job_failures_total show it.

#include "job_outcome.hpp"
#include "seed_exec.hpp"
#include "seedctl_run.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using seed::vm::Control;
using seed::vm::read_line;

// The reasons of sysfs job_failures/, DRM_SEED_JOB_MMU_FAULT .. _HW_ERROR.
constexpr std::array kReasons = {"mmu_fault", "invalid_packet", "timeout", "reset", "cancelled",
                                 "ecc",       "device_lost",    "hw_error"};

using Counts = std::map<std::string, std::uint64_t>; // reason -> failed jobs

fs::path sysfs_of(const seed::DeviceInfo& d) {
    return fs::path("/sys/class/accel") / fs::path(d.node).filename() / "device";
}

Counts sysfs_counts(const seed::DeviceInfo& d) {
    Counts c;
    for (const char* r : kReasons)
        c[r] = std::stoull(read_line(sysfs_of(d) / "job_failures" / r));
    return c;
}

// seedchip_job_failures_total of one scrape (the exporter's textfile mode
// writes exactly what /metrics serves): (PCI address, reason) -> value.
std::map<std::pair<std::string, std::string>, std::uint64_t> exporter_counts() {
    const std::string file = "/tmp/seedctl-job-failures.prom";
    const auto r = seed::vm::seedctl({"exporter", "--textfile", file, "--once"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::pair<std::string, std::string>, std::uint64_t> out;
    std::ifstream in(file);
    const auto label = [](const std::string& line, const std::string& name) {
        const auto b = line.find(name + "=\"");
        if (b == std::string::npos)
            return std::string();
        const auto start = b + name.size() + 2;
        return line.substr(start, line.find('"', start) - start);
    };
    for (std::string line; std::getline(in, line);) {
        if (!line.starts_with("seedchip_job_failures_total{"))
            continue;
        out[{label(line, "pci"), label(line, "reason")}] =
            std::stoull(line.substr(line.rfind(' ') + 1));
    }
    return out;
}

// `seedctl query job_failures.<reason>,...` of one chip, by reason.
Counts seedctl_counts(const seed::DeviceInfo& d) {
    std::string fields = "pci_address";
    for (const char* r : kReasons)
        fields += std::string(",job_failures.") + r;
    const auto q = seed::vm::seedctl(
        {"query", fields, "-d", d.pci_address, "--format", "csv,noheader,nounits"});
    EXPECT_EQ(q.exit_code, 0) << q.err;
    std::istringstream cells(q.out);
    std::string cell;
    std::getline(cells, cell, ',');
    EXPECT_EQ(cell, d.pci_address) << q.out;
    Counts c;
    for (const char* r : kReasons) {
        std::getline(cells, cell, ',');
        c[r] = std::stoull(cell);
    }
    return c;
}

class DriverJobFailures : public ::testing::Test {
protected:
    void SetUp() override {
        if (!seed::vm::chips() || !Control::available(0))
            GTEST_SKIP() << "needs seed-vm's fault-injection channel";
        devices_ = seed::vm::all_devices();
        ASSERT_FALSE(devices_.empty());
        dev_.emplace(seed::Device::open(0u));
        ctl_.emplace(0);
    }
    void TearDown() override {
        if (ctl_)
            ctl_->command("clear");
    }

    std::vector<seed::DeviceInfo> devices_;
    std::optional<seed::Device> dev_;
    std::optional<Control> ctl_;
};

using seed::vm::outcome;

TEST_F(DriverJobFailures, OneReadOnlyFilePerReason) {
    for (const auto& d : devices_) {
        std::size_t files = 0;
        for (const auto& e : fs::directory_iterator(sysfs_of(d) / "job_failures")) {
            SCOPED_TRACE(e.path().string());
            ++files;
            struct stat st {};
            ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
            EXPECT_EQ(st.st_mode & 07777, 0444u);
            const std::string text = read_line(e.path());
            EXPECT_FALSE(text.empty());
            EXPECT_EQ(text.find_first_not_of("0123456789"), std::string::npos) << text;
        }
        EXPECT_EQ(files, kReasons.size());
        for (const char* r : kReasons)
            EXPECT_TRUE(fs::exists(sysfs_of(d) / "job_failures" / r)) << r;
    }
}

// Two MMU faults and a timeout through libseed, an invalid packet through
// the raw UAPI, all on chip 0: its counters move by exactly that, every
// other counter and chip stays, and seedctl and the exporter agree.
TEST_F(DriverJobFailures, CountedByReasonInSysfsSeedctlAndTheExporter) {
    std::map<std::string, Counts> before;
    for (const auto& d : devices_)
        before[d.pci_address] = sysfs_counts(d);
    const auto exported_before = exporter_counts();

    // MMU faults: reads of an address nothing is mapped at.
    seed::Queue queue(*dev_);
    const seed::Buffer out(*dev_, 4096, seed::Placement::host);
    for (int i = 0; i < 2; ++i) {
        seed::CommandList l(*dev_);
        l.nop().copy_va(out.device_va(), 0x7ff000000000ull, 64);
        EXPECT_EQ(outcome(queue.submit(l)), seed::JobFailure::mmu_fault);
    }

    // An invalid packet: a reserved opcode, straight through SUBMIT.
    {
        const seed::vm::Fd fd(::open(dev_->info().node.c_str(), O_RDWR | O_CLOEXEC));
        ASSERT_TRUE(fd);
        seed::vm::Queue q;
        ASSERT_EQ(seed::vm::create_queue(q, fd.get()), 0);
        seed::vm::Bo cmd;
        ASSERT_EQ(seed::vm::create_bo(cmd, fd.get(), 4096, DRM_SEED_BO_HOST), 0);
        seed::vm::put_nop(cmd, 0);
        seed::vm::put_nop(cmd, 1);
        cmd.ptr<seed_pkt_header>(SEED_PKT_SIZE)->opcode = 0x7f;
        const auto s = seed::vm::submit(q, cmd, 2);
        ASSERT_EQ(s.err, 0);
        int err = 0;
        const auto st = seed::vm::finish(q, s.seq, &err);
        ASSERT_EQ(err, 0);
        EXPECT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_INVALID_PACKET));
    }

    // A timeout: the next engine packet of every user queue hangs (not
    // sticky, so the queue reset recovers it, with no device reset).
    {
        const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
        const unsigned n = dev_->info().num_queues;
        for (unsigned q = 0; q + 1 < n; ++q)
            ASSERT_EQ(ctl_->command("hang-queue " + std::to_string(q)), "ok");
        EXPECT_EQ(outcome(queue.fill(host, host.size(), 0x11111111u)), seed::JobFailure::timeout);
        ctl_->command("clear");
        EXPECT_EQ(outcome(queue.fill(host, host.size(), 0x22222222u)), seed::JobFailure::none);
    }

    const Counts want_delta = {{"mmu_fault", 2}, {"invalid_packet", 1}, {"timeout", 1}};
    const auto exported = exporter_counts();
    for (const auto& d : devices_) {
        SCOPED_TRACE(d.pci_address);
        const bool target = d.pci_address == dev_->info().pci_address;
        const Counts now = sysfs_counts(d);
        for (const char* r : kReasons) {
            SCOPED_TRACE(r);
            const std::uint64_t delta =
                target && want_delta.contains(r) ? want_delta.at(r) : std::uint64_t{0};
            EXPECT_EQ(now.at(r), before.at(d.pci_address).at(r) + delta);
            const auto key = std::make_pair(d.pci_address, std::string(r));
            ASSERT_TRUE(exported_before.contains(key));
            ASSERT_TRUE(exported.contains(key));
            EXPECT_EQ(exported.at(key), exported_before.at(key) + delta);
            EXPECT_EQ(exported.at(key), now.at(r));
        }
        EXPECT_EQ(seedctl_counts(d), now);
    }
    EXPECT_EQ(exported.size(), devices_.size() * kReasons.size());
}

} // namespace
