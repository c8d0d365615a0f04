// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Runtime power management (docs/driver.md): an idle chip autosuspends to
// D3hot after power/autosuspend_delay_ms, keeps its HBM contents there
// (docs/hardware.md §2.4), and resumes for the next job, which never sees
// the suspend. A job in flight keeps the chip awake; resets and unbinding
// work on a suspended chip. The power state is checked in PMCSR itself,
// read from configuration space (which does not wake the chip).

#include "pm_chip.hpp"
#include "seed_drm.hpp"
#include "seed_exec.hpp"
#include "seedctl_run.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <linux/pci_regs.h>

namespace {

using namespace seed::vm;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kShortDelayMs = "100";

// A FILL of 64 bytes of @p byte on a new queue of the chip at @p node runs
// and writes them.
void expect_fill_runs(const std::string& node, std::uint8_t byte) {
    Fd fd{::open(node.c_str(), O_RDWR | O_CLOEXEC)};
    ASSERT_TRUE(fd);
    Queue q;
    Bo cmd;
    ASSERT_EQ(create_queue(q, fd.get()), 0);
    ASSERT_EQ(create_bo(cmd, fd.get(), 4096, DRM_SEED_BO_HOST), 0);
    put_fill(cmd, 0, cmd.va + 1024, 64, 0x0101010101010101ull * byte);
    const Submit s = submit(q, cmd, 1);
    ASSERT_EQ(s.err, 0);
    int err = 0;
    EXPECT_EQ(finish(q, s.seq, &err).error, DRM_SEED_JOB_OK);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(cmd.ptr()[1024], byte);
}

class DriverRuntimePm : public ::testing::Test {
protected:
    void SetUp() override {
        chip_ = std::make_unique<PmChip>(0);
        ASSERT_TRUE(chip_->found()) << "chip 0 is not bound to seed";
        ASSERT_EQ(read_line(chip_->power() / "control"), "auto")
            << "seed.ko allows runtime PM at probe";
        ASSERT_TRUE(chip_->set_delay(kShortDelayMs));
        fd_ = Fd{::open(chip_->node().c_str(), O_RDWR | O_CLOEXEC)};
        ASSERT_TRUE(fd_);
        ASSERT_EQ(create_queue(q_, fd_.get()), 0);
        ASSERT_EQ(create_bo(cmd_, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
    }
    void TearDown() override { chip_.reset(); }

    /// Runs the @p n packets at the start of cmd_ and expects success.
    void run(unsigned n) {
        const Submit s = submit(q_, cmd_, n);
        ASSERT_EQ(s.err, 0);
        int err = 0;
        const drm_seed_job_status st = finish(q_, s.seq, &err);
        ASSERT_EQ(err, 0);
        EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
    }

    std::unique_ptr<PmChip> chip_;
    Fd fd_;
    Queue q_;
    Bo cmd_;
};

TEST_F(DriverRuntimePm, IdleChipSuspendsToD3hotAndJobsFindHbmIntact) {
    constexpr std::uint64_t kSize = 64 << 10;
    Bo src, hbm, dst;
    ASSERT_EQ(create_bo(src, fd_.get(), kSize, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(hbm, fd_.get(), kSize, DRM_SEED_BO_HBM), 0);
    ASSERT_EQ(create_bo(dst, fd_.get(), kSize, DRM_SEED_BO_HOST), 0);
    for (std::uint64_t i = 0; i < kSize; ++i)
        src.ptr()[i] = static_cast<std::uint8_t>(i * 7 + 3);
    std::memset(dst.ptr(), 0, kSize);

    put_copy(cmd_, 0, src.va, hbm.va, kSize);
    ASSERT_NO_FATAL_FAILURE(run(1));
    ASSERT_TRUE(chip_->wait_suspended());
    if (Control::available(0)) {
        // The device model itself is in D3hot, not only the PCI core's view.
        const std::string st = Control(0).command("status");
        EXPECT_NE(st.find(" power=D3hot"), std::string::npos) << st;
    }

    // The job wakes the chip: it is awake as soon as SUBMIT returns.
    put_copy(cmd_, 0, hbm.va, dst.va, kSize);
    const Submit s = submit(q_, cmd_, 1);
    ASSERT_EQ(s.err, 0);
    EXPECT_EQ(chip_->status(), "active");
    EXPECT_EQ(power_state(chip_->pci()), 0);
    int err = 0;
    EXPECT_EQ(finish(q_, s.seq, &err).error, DRM_SEED_JOB_OK);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(std::memcmp(src.ptr(), dst.ptr(), kSize), 0) << "HBM contents lost in D3hot";

    // And it goes back to sleep.
    EXPECT_TRUE(chip_->wait_suspended());
}

TEST_F(DriverRuntimePm, JobInFlightKeepsChipAwake) {
    Bo sem;
    ASSERT_EQ(create_bo(sem, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
    std::memset(sem.ptr(), 0, 4096);
    put_wait(cmd_, 0, sem.va, 1, 0);
    put_fill(cmd_, 1, sem.va + 64, 64, 0x5a5a5a5a5a5a5a5aull);
    ASSERT_TRUE(chip_->wait_suspended());

    const Submit s = submit(q_, cmd_, 2);
    ASSERT_EQ(s.err, 0);
    // Many times the delay: the WAIT holds the chip in D0 all along.
    const auto end = std::chrono::steady_clock::now() + milliseconds(1500);
    while (std::chrono::steady_clock::now() < end) {
        ASSERT_EQ(chip_->status(), "active");
        ASSERT_EQ(power_state(chip_->pci()), 0);
        std::this_thread::sleep_for(milliseconds(50));
    }
    EXPECT_EQ(sem.ptr()[64], 0) << "the job did not wait";

    __atomic_store_n(sem.ptr<std::uint64_t>(), 1, __ATOMIC_RELEASE);
    int err = 0;
    EXPECT_EQ(finish(q_, s.seq, &err).error, DRM_SEED_JOB_OK);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(sem.ptr()[64], 0x5a);
    EXPECT_TRUE(chip_->wait_suspended());
}

TEST_F(DriverRuntimePm, ManagementReadsDoNotKeepChipAwake) {
    // A delay long enough to tell "suspends at once" from "after the delay".
    ASSERT_TRUE(chip_->set_delay("4000"));
    ASSERT_TRUE(chip_->wait_suspended());
    fs::path temp;
    for (const auto& e : fs::directory_iterator(chip_->pci() / "hwmon"))
        temp = e.path() / "temp1_input";
    ASSERT_FALSE(temp.empty()) << "no hwmon device";
    const std::string value = read_line(temp);
    ASSERT_FALSE(value.empty()) << "temp1_input unreadable on a suspended chip";
    EXPECT_GT(std::stol(value), 0);
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(chip_->wait_suspended(milliseconds(3000)))
        << "the read kept the chip awake for the autosuspend delay";
    EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(3000));
}

TEST_F(DriverRuntimePm, SeedctlInfoShowsPowerStateWithoutWakingChip) {
    ASSERT_TRUE(chip_->wait_suspended());
    const auto r = seedctl({"info", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    const std::string bdf = chip_->pci().filename().string();
    bool found = false;
    for (const auto& dev : doc.at("devices")) {
        if (dev.at("pci_address") != bdf)
            continue;
        found = true;
        EXPECT_EQ(dev.at("power_state"), "suspended");
    }
    EXPECT_TRUE(found) << bdf << " not in " << r.out;
    EXPECT_EQ(chip_->status(), "suspended") << "seedctl info woke the chip";
    const auto text = seedctl({"info"});
    EXPECT_TRUE(contains(text.out, "Power state:       suspended")) << text.out;
}

TEST_F(DriverRuntimePm, ResetsOfASuspendedChipWork) {
    put_fill(cmd_, 0, cmd_.va + 2048, 64, 0x1111111111111111ull);
    ASSERT_NO_FATAL_FAILURE(run(1));

    // The driver's own reset (sysfs), then the PCI core's function reset.
    ASSERT_TRUE(chip_->wait_suspended());
    EXPECT_TRUE(write_file(chip_->pci() / "reset_device", "1"));
    ASSERT_TRUE(chip_->wait_suspended());
    EXPECT_TRUE(write_file(chip_->pci() / "reset", "1"));
    ASSERT_TRUE(chip_->wait_suspended());

    // The queue works afterwards.
    put_fill(cmd_, 0, cmd_.va + 2048, 64, 0x2222222222222222ull);
    ASSERT_NO_FATAL_FAILURE(run(1));
    EXPECT_EQ(cmd_.ptr()[2048 + 63], 0x22);
    EXPECT_TRUE(chip_->wait_suspended());
}

TEST(DriverRuntimePmBind, UnbindAndRebindWhileSuspended) {
    const auto chips = seed::vm::chips();
    if (!chips || *chips < 2)
        GTEST_SKIP() << "needs seed-vm with two or more chips (chip 0 stays bound)";
    PmChip chip(*chips - 1);
    ASSERT_TRUE(chip.found());
    const std::string bdf = chip.pci().filename().string();
    ASSERT_TRUE(chip.set_delay(kShortDelayMs));
    ASSERT_TRUE(chip.wait_suspended());

    ASSERT_TRUE(write_file("/sys/bus/pci/drivers/seed/unbind", bdf));
    ASSERT_TRUE(chip.node().empty()) << "still bound after unbind";
    // Unbound, the PCI core keeps the function in D0.
    EXPECT_EQ(power_state(chip.pci()), 0);
    ASSERT_TRUE(write_file("/sys/bus/pci/drivers/seed/bind", bdf));
    ASSERT_TRUE(wait_for([&] { return !chip.node().empty(); }, milliseconds(30000)));

    // The new instance suspends and resumes like the first.
    ASSERT_TRUE(chip.set_delay(kShortDelayMs));
    ASSERT_TRUE(chip.wait_suspended());
    expect_fill_runs(chip.node(), 0x33);
    EXPECT_TRUE(chip.wait_suspended());
}

TEST(DriverRuntimePmBind, UnbindWithOpenFileAndSuspendedChip) {
    const auto chips = seed::vm::chips();
    if (!chips || *chips < 2)
        GTEST_SKIP() << "needs seed-vm with two or more chips (chip 0 stays bound)";
    PmChip chip(*chips - 1);
    ASSERT_TRUE(chip.found());
    const std::string bdf = chip.pci().filename().string();
    Fd fd{::open(chip.node().c_str(), O_RDWR | O_CLOEXEC)};
    ASSERT_TRUE(fd);
    {
        // A context bound on the chip, so that closing the file touches it.
        Queue q;
        Bo cmd;
        ASSERT_EQ(create_queue(q, fd.get()), 0);
        ASSERT_EQ(create_bo(cmd, fd.get(), 4096, DRM_SEED_BO_HOST), 0);
        put_nop(cmd, 0);
        const Submit s = submit(q, cmd, 1);
        ASSERT_EQ(s.err, 0);
        int err = 0;
        finish(q, s.seq, &err);
        ASSERT_EQ(err, 0);
    }
    ASSERT_TRUE(chip.set_delay(kShortDelayMs));
    ASSERT_TRUE(chip.wait_suspended());
    ASSERT_TRUE(write_file("/sys/bus/pci/drivers/seed/unbind", bdf));
    drm_seed_get_info info{};
    EXPECT_EQ(seed_ioctl(fd.get(), DRM_IOCTL_SEED_GET_INFO, &info), ENODEV);
    fd.reset();
    ASSERT_TRUE(write_file("/sys/bus/pci/drivers/seed/bind", bdf));
    ASSERT_TRUE(wait_for([&] { return !chip.node().empty(); }, milliseconds(30000)));
}

// Surprise removal of a suspended chip, then the device comes back in the
// same slot (the model's replug) and a rescan finds it: it is in D0 again
// (power-on) and the new instance works, although the platform last saw
// it enter D3hot.
TEST(DriverRuntimePmBind, SurpriseRemovalWhileSuspendedThenReplug) {
    const auto chips = seed::vm::chips();
    if (!chips || *chips < 2 || !Control::available(*chips - 1))
        GTEST_SKIP() << "needs seed-vm with two or more chips and fault injection";
    const unsigned k = *chips - 1;
    fs::path pci;
    {
        PmChip chip(k);
        ASSERT_TRUE(chip.found());
        pci = chip.pci();
        ASSERT_TRUE(chip.set_delay(kShortDelayMs));
        ASSERT_TRUE(chip.wait_suspended());
    }
    Control ctl(k);
    ASSERT_EQ(ctl.command("unplug"), "ok");
    ASSERT_TRUE(write_file(pci / "remove", "1"));
    const std::string serial = seed::vm::serial(k);
    ASSERT_TRUE(wait_for([&] { return node_of(serial).empty(); }, milliseconds(30000)));
    ASSERT_EQ(ctl.command("replug"), "ok");
    ASSERT_TRUE(write_file("/sys/bus/pci/rescan", "1"));
    ASSERT_TRUE(wait_for([&] { return !node_of(serial).empty(); }, milliseconds(30000)))
        << "the chip did not come back after replug and rescan";

    PmChip chip(k);
    ASSERT_TRUE(chip.found());
    expect_fill_runs(chip.node(), 0x44);
}

} // namespace
