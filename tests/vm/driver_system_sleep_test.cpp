// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// System sleep (docs/driver.md, "System sleep"): the whole guest suspends to
// RAM (S3, `rtcwake -m mem`) with the chips bound. Waking up resets every
// device of the machine, the chips included; the driver sets them up again.
// HBM contents and buffers survive (docs/hardware.md §2.4), a job the chip
// was running when it went to sleep runs again from its start, jobs queued
// behind it run after it, and none fails. Needs `seed-vm run --s3`.

#include "job_outcome.hpp"
#include "pm_chip.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using seed::vm::Control;
using seed::vm::outcome;
using seed::vm::read_line;
namespace fs = std::filesystem;

class DriverSystemSleep : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::getenv("SEED_VM_S3"))
            GTEST_SKIP() << "needs a guest that can suspend to RAM (seed-vm run --s3)";
        ASSERT_NE(read_line("/sys/power/mem_sleep").find("deep"), std::string::npos)
            << "the guest offers no S3";
        ASSERT_TRUE(seed::vm::chips() && Control::available(0));
        dev_.emplace(seed::Device::open(0u));
        ctl_.emplace(0);
    }

    fs::path sysfs() const {
        return fs::path("/sys/class/accel") / fs::path(dev_->info().node).filename() / "device";
    }
    unsigned reset_count() const {
        return static_cast<unsigned>(std::stoul(read_line(sysfs() / "reset_count")));
    }

    // Resets the device model counted (its fault-injection status line).
    unsigned model_resets() {
        const std::string status = ctl_->command("status");
        const auto at = status.find(" resets=");
        return at == std::string::npos ? ~0u
                                       : static_cast<unsigned>(std::stoul(status.substr(at + 8)));
    }

    // Suspends the guest to RAM: `rtcwake -m mem`, the RTC alarm waking it
    // 2 s later; without an RTC through /sys/power/state, and seed-vm wakes
    // it as a power button would. Returns 0 once it is awake again.
    static int suspend_to_ram() {
        if (fs::exists("/dev/rtc0"))
            return std::system("rtcwake -m mem -s 2 >/dev/null");
        return seed::vm::write_file("/sys/power/state", "mem") ? 0 : -1;
    }

    static void host_signal(const seed::Buffer& flag, std::uint64_t value) {
        std::atomic_ref<std::uint64_t>(flag.span<std::uint64_t>()[0])
            .store(value, std::memory_order_release);
    }

    std::optional<seed::Device> dev_;
    std::optional<Control> ctl_;
};

TEST_F(DriverSystemSleep, HbmAndBuffersSurviveAndJobsRun) {
    seed::Queue queue(*dev_);
    const seed::Buffer hbm(*dev_, 1 << 20, seed::Placement::device);
    const seed::Buffer host(*dev_, 1 << 20, seed::Placement::host);
    ASSERT_EQ(outcome(queue.fill(hbm, hbm.size(), 0x5eed0001u)), seed::JobFailure::none);
    const unsigned resets = reset_count();
    const unsigned model = model_resets();
    ASSERT_NE(model, ~0u);
    // The other chips go to sleep runtime suspended (D3hot).
    std::vector<std::unique_ptr<seed::vm::PmChip>> idle;
    for (unsigned k = 1; k < *seed::vm::chips(); ++k) {
        idle.push_back(std::make_unique<seed::vm::PmChip>(k));
        ASSERT_TRUE(idle.back()->found()) << k;
        ASSERT_TRUE(idle.back()->set_delay("100"));
        ASSERT_TRUE(idle.back()->wait_suspended()) << k;
    }

    ASSERT_EQ(suspend_to_ram(), 0);

    EXPECT_GT(model_resets(), model) << "the chip was not reset across the sleep";
    EXPECT_EQ(reset_count(), resets) << "a resume is not a recovery";
    ASSERT_EQ(outcome(queue.copy(host, hbm)), seed::JobFailure::none);
    for (std::uint32_t v : host.span<std::uint32_t>())
        ASSERT_EQ(v, 0x5eed0001u) << "HBM lost its contents across the sleep";
    ASSERT_EQ(outcome(queue.fill(host, host.size(), 0x5eed0002u)), seed::JobFailure::none);
    for (std::uint32_t v : host.span<std::uint32_t>())
        ASSERT_EQ(v, 0x5eed0002u);
    // Every chip works, the ones that slept runtime suspended too.
    for (unsigned k = 1; k < *seed::vm::chips(); ++k) {
        seed::Device other = seed::Device::open(k);
        seed::Queue q(other);
        const seed::Buffer b(other, 1 << 16, seed::Placement::host);
        ASSERT_EQ(outcome(q.fill(b, b.size(), 0x5eed0003u)), seed::JobFailure::none) << k;
        EXPECT_EQ(b.span<std::uint32_t>()[0], 0x5eed0003u) << k;
    }
}

TEST_F(DriverSystemSleep, JobsInFlightRunAgainAfterResume) {
    seed::Queue queue(*dev_);
    const seed::Buffer flag(*dev_, 4096, seed::Placement::host);
    const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
    seed::CommandList waiter(*dev_);
    waiter.wait(flag, 1);
    const seed::Fence running = queue.submit(waiter);
    const seed::Fence queued = queue.fill(host, host.size(), 0x11223344u);
    std::this_thread::sleep_for(200ms);
    ASSERT_FALSE(running.ready());

    ASSERT_EQ(suspend_to_ram(), 0);

    // The WAIT runs again after resume: it still waits for the flag.
    std::this_thread::sleep_for(500ms);
    EXPECT_FALSE(running.ready());
    EXPECT_FALSE(queued.ready());
    host_signal(flag, 1);
    EXPECT_EQ(outcome(running), seed::JobFailure::none);
    ASSERT_EQ(outcome(queued), seed::JobFailure::none);
    for (std::uint32_t v : host.span<std::uint32_t>())
        ASSERT_EQ(v, 0x11223344u);
}

} // namespace
