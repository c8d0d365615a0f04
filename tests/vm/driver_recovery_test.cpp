// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The driver's recovery ladder (docs/driver.md, docs/hardware.md §16.4,
// §17.7, §17.8), driven by the device model's fault injection through
// seed-vm's control channel: a hung queue times out and is reset; a hang the
// queue reset cannot clear escalates to a device reset; FATAL triggers a
// device reset; a chip that stops responding is recovered by a bus reset; a
// chip that disappears under load is declared lost while the others keep
// working. Each case checks the failed job's reason, that work submitted
// afterwards runs correctly, and that data in HBM survives resets.
// Also: a job reading HBM with an uncorrectable ECC error, the admin
// reset through sysfs, the PCI core's function reset and its AER error
// recovery (errors injected through aer_inject). seed-vm fails the run on any kernel WARN, oops or
// hung task.

#include "job_outcome.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hw/seed_hw.h>
#include <uapi/drm/seed_accel.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using seed::vm::read_line;
using seed::vm::write_file;

using namespace std::chrono_literals;
using seed::vm::Control;
namespace fs = std::filesystem;

fs::path sysfs_of(const seed::Device& dev) {
    return fs::path("/sys/class/accel") / fs::path(dev.info().node).filename() / "device";
}

unsigned reset_count(const seed::Device& dev) {
    return static_cast<unsigned>(std::stoul(read_line(sysfs_of(dev) / "reset_count")));
}

// Waits up to 30 s for the driver's reset count to pass @p before.
bool wait_for_resets(const seed::Device& dev, unsigned before) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (reset_count(dev) <= before) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

using seed::vm::outcome;

// The driver's report on the job behind @p fence (reason none on success).
seed::JobStatus status_of(const seed::Fence& fence) {
    try {
        fence.wait();
        return {};
    } catch (const seed::JobError& e) {
        return e.status();
    }
}

std::uint64_t sysfs_number(const seed::Device& dev, const char* attr) {
    return std::stoull(read_line(sysfs_of(dev) / attr));
}

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// Fills @p buf with @p value through the device and checks the result.
void expect_device_works(seed::Queue& queue, const seed::Buffer& host, std::uint32_t value) {
    ASSERT_EQ(outcome(queue.fill(host, host.size(), value)), seed::JobFailure::none);
    for (std::uint32_t v : host.span<std::uint32_t>())
        ASSERT_EQ(v, value);
}

class DriverRecovery : public ::testing::Test {
protected:
    void SetUp() override {
        if (!seed::vm::chips() || !Control::available(0))
            GTEST_SKIP() << "needs seed-vm's fault-injection channel";
        dev_.emplace(seed::Device::open(0u));
        ctl_.emplace(0);
    }
    void TearDown() override {
        if (ctl_)
            ctl_->command("clear");
    }

    // Hangs the next engine packet of every hardware queue users can get
    // (the last one is the driver's own kernel queue).
    void hang_user_queues(bool sticky) {
        const unsigned n = dev_->info().num_queues;
        for (unsigned q = 0; q + 1 < n; ++q)
            ASSERT_EQ(ctl_->command("hang-queue " + std::to_string(q) + (sticky ? " sticky" : "")),
                      "ok");
    }

    // Expects the device's memory in use back at @p before within 10 s: a
    // finished job holds its buffers until the scheduler frees it, shortly
    // after its fence signalled, so buffers closed right after a wait may
    // still count for a moment.
    void expect_usage_back(const seed::MemoryUsage& before) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        seed::MemoryUsage now = dev_->memory_usage();
        while ((now.hbm_used != before.hbm_used || now.host_used != before.host_used) &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(20ms);
            now = dev_->memory_usage();
        }
        EXPECT_EQ(now.hbm_used, before.hbm_used);
        EXPECT_EQ(now.host_used, before.host_used);
    }

    std::optional<seed::Device> dev_;
    std::optional<Control> ctl_;
};

// Buffers closed while the device resets: a device reset flushes the TLB
// (docs/hardware.md §14.1), so an unmap that raced with it must not keep
// the memory aside until some later reset. Usage returns to its baseline
// with no further reset.
TEST_F(DriverRecovery, UnmapsRacingWithDeviceResetsKeepNothing) {
    const seed::MemoryUsage before = dev_->memory_usage();
    std::atomic<bool> stop{false};
    std::atomic<unsigned> churned{0};
    std::thread churn([&] {
        while (!stop) {
            try {
                const seed::Buffer host(*dev_, 64 << 10, seed::Placement::host);
                const seed::Buffer hbm(*dev_, 64 << 10, seed::Placement::device);
                ++churned;
            } catch (const seed::Error&) {
                // Creating an HBM buffer clears it through the device; that
                // may fail while the device resets.
            }
        }
    });
    for (int i = 0; i < 25; ++i) {
        seed::reset_device(*dev_);
        std::this_thread::sleep_for(20ms);
    }
    stop = true;
    churn.join();
    EXPECT_GT(churned.load(), 0u);
    expect_usage_back(before);
}

TEST_F(DriverRecovery, HungQueueTimesOutAndRecovers) {
    seed::Queue queue(*dev_);
    const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
    hang_user_queues(false);
    const seed::Fence hung = queue.fill(host, host.size(), 0x11111111u);
    EXPECT_EQ(outcome(hung), seed::JobFailure::timeout);
    ctl_->command("clear");
    expect_device_works(queue, host, 0x22222222u);
}

TEST_F(DriverRecovery, StickyHangEscalatesToDeviceReset) {
    seed::Queue queue(*dev_);
    const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
    const seed::Buffer hbm(*dev_, 1 << 16, seed::Placement::device);
    ASSERT_EQ(outcome(queue.fill(hbm, hbm.size(), 0x5eed5eedu)), seed::JobFailure::none);
    const unsigned resets = reset_count(*dev_);

    hang_user_queues(true);
    const seed::Fence hung = queue.fill(host, host.size(), 0x11111111u);
    const seed::JobFailure why = outcome(hung);
    EXPECT_TRUE(why == seed::JobFailure::timeout || why == seed::JobFailure::reset)
        << seed::to_string(why);
    // The failed job may be reported before the escalation has finished.
    EXPECT_TRUE(wait_for_resets(*dev_, resets)) << "a sticky hang needs a device reset";

    // The device works again and HBM kept its contents through the reset.
    expect_device_works(queue, host, 0x33333333u);
    ASSERT_EQ(outcome(queue.copy(host, hbm)), seed::JobFailure::none);
    for (std::uint32_t v : host.span<std::uint32_t>())
        ASSERT_EQ(v, 0x5eed5eedu);
}

TEST_F(DriverRecovery, FatalErrorTriggersDeviceReset) {
    seed::Queue queue(*dev_);
    const seed::Buffer flag(*dev_, 4096, seed::Placement::host);
    const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
    const unsigned resets = reset_count(*dev_);

    // A job waiting on host memory is on the device when FATAL strikes.
    seed::CommandList waiter(*dev_);
    waiter.wait(flag, 1);
    const seed::Fence running = queue.submit(waiter);
    std::this_thread::sleep_for(200ms);
    ASSERT_EQ(ctl_->command("fatal"), "ok");

    EXPECT_NE(outcome(running), seed::JobFailure::none);
    EXPECT_TRUE(wait_for_resets(*dev_, resets));
    EXPECT_NE(ctl_->command("status").find("state=running"), std::string::npos);
    expect_device_works(queue, host, 0x44444444u);
}

TEST_F(DriverRecovery, UnresponsiveDeviceIsRecoveredByBusReset) {
    seed::Queue queue(*dev_);
    const seed::Buffer flag(*dev_, 4096, seed::Placement::host);
    const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
    const unsigned resets = reset_count(*dev_);

    seed::CommandList waiter(*dev_);
    waiter.wait(flag, 1);
    const seed::Fence running = queue.submit(waiter);
    std::this_thread::sleep_for(200ms);
    ASSERT_EQ(ctl_->command("stop-responding"), "ok");

    // Job timeout -> queue reset (no answer) -> device reset (no answer) ->
    // DEV_STATUS all-ones, still present -> every job fails (no fence waits
    // for a bus reset) -> bus reset -> bring-up again.
    EXPECT_NE(outcome(running), seed::JobFailure::none);
    EXPECT_TRUE(wait_for_resets(*dev_, resets));
    EXPECT_NE(ctl_->command("status").find("state=running"), std::string::npos)
        << "the bus reset must take the chip out of not-responding";
    expect_device_works(queue, host, 0x55555555u);
}

TEST_F(DriverRecovery, ChipLostUnderLoadFailsItsJobsOnly) {
    const auto chips = seed::vm::chips();
    if (!chips || *chips < 2)
        GTEST_SKIP() << "needs two chips";
    const unsigned victim = *chips - 1;
    seed::Device lost = seed::Device::open(victim);
    ASSERT_EQ(lost.info().serial, seed::vm::serial(victim));
    const fs::path pci = fs::canonical(sysfs_of(lost));
    Control vctl(victim);

    seed::Queue queue(lost);
    const seed::Buffer flag(lost, 4096, seed::Placement::host);
    seed::CommandList waiter(lost);
    waiter.wait(flag, 1);
    const seed::Fence running = queue.submit(waiter);
    std::this_thread::sleep_for(200ms);
    ASSERT_EQ(vctl.command("unplug"), "ok");

    EXPECT_EQ(outcome(running), seed::JobFailure::device_lost);
    // New work on the lost chip fails with device_lost, not a hang.
    try {
        const seed::Buffer more(lost, 4096, seed::Placement::host);
        seed::CommandList fill(lost);
        fill.fill(more, 4096, 1);
        const seed::Fence f = queue.submit(fill);
        EXPECT_NE(outcome(f), seed::JobFailure::none);
    } catch (const seed::Error& e) {
        EXPECT_EQ(e.code(), seed::Errc::device_lost) << e.what();
    }

    // The other chips are not affected.
    seed::Queue good_queue(*dev_);
    const seed::Buffer good(*dev_, 1 << 16, seed::Placement::host);
    expect_device_works(good_queue, good, 0x66666666u);

    // Put the chip back for later tests: remove, replug, rescan.
    ASSERT_TRUE(write_file(pci / "remove", "1"));
    ASSERT_EQ(vctl.command("replug"), "ok");
    ASSERT_TRUE(write_file("/sys/bus/pci/rescan", "1"));
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (seed::Device::list().size() < *chips && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    ASSERT_EQ(seed::Device::list().size(), *chips);
}

// A job reading an HBM page with an uncorrectable error fails with the ECC
// status and the address it read; the page counts as retired at once; the
// queue goes on (the job behind it runs, healthy pages read back right);
// the page keeps failing reads rather than handing out bad data; once its
// buffer is freed it is never handed out again, which a buffer of all HBM
// in service then proves by reading cleanly (the poison stays on the chip
// until a device reset); a device reset keeps it retired. The test owns
// every HBM page in service when it injects the error, so whichever page it
// poisons is one of its buffer's: it needs no HBM address of a BO.
TEST_F(DriverRecovery, JobReadingPoisonedHbmFailsWithEccAndThePageIsRetired) {
    constexpr std::uint64_t kPage = 4096, kChunk = 2 << 20;
    const seed::MemoryUsage base = dev_->memory_usage();
    ASSERT_EQ(base.hbm_used, 0u) << "HBM held by someone else";
    const std::uint64_t in_service = base.hbm_total - base.hbm_retired;
    auto all = std::make_unique<seed::Buffer>(*dev_, in_service, seed::Placement::device);
    const std::uint64_t ue_before = sysfs_number(*dev_, "ecc_uncorrected");

    // Poison a page in service: one whose retirement the count shows (an
    // earlier test may have retired some already; then try another).
    std::uint64_t injected = 0, page = 0;
    for (std::uint64_t addr = base.hbm_total / 4 + 0x1234; page == 0 && injected < 8;
         addr += kChunk + 5 * kPage) {
        const std::string reply = ctl_->command("ecc uncorrected " + hex(addr));
        ASSERT_EQ(reply.rfind("ok ", 0), 0u) << reply;
        ++injected;
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (dev_->memory_usage().hbm_retired == base.hbm_retired &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(10ms);
        if (dev_->memory_usage().hbm_retired != base.hbm_retired)
            page = addr & ~(kPage - 1);
    }
    ASSERT_NE(page, 0u) << "no injected error retired a page";
    EXPECT_EQ(dev_->memory_usage().hbm_retired, base.hbm_retired + kPage)
        << "a page still in a buffer counts as retired at once";
    EXPECT_EQ(sysfs_number(*dev_, "ecc_uncorrected"), ue_before + injected);

    // Read all of it, a chunk at a time, into one host buffer; a FILL is
    // queued behind. (A command list keeps its buffers alive, and so does
    // the queue until it knows the job finished: the lists live in a scope,
    // and finish() lets the queue forget them before the buffer goes.)
    seed::Queue queue(*dev_);
    const seed::Buffer host(*dev_, kChunk, seed::Placement::host);
    const auto sweep = [&](const seed::Buffer& hbm) {
        seed::CommandList list(*dev_);
        for (std::uint64_t off = 0; off < hbm.size(); off += kChunk)
            list.copy_va(host.device_va(), hbm.device_va() + off,
                         std::min(kChunk, hbm.size() - off));
        return status_of(queue.submit(list));
    };
    {
        const seed::JobStatus st = sweep(*all);
        const seed::Fence behind = queue.fill(host, host.size(), 0x600d600du);
        EXPECT_EQ(st.reason, seed::JobFailure::ecc) << seed::describe(st);
        EXPECT_EQ(st.hw_error, static_cast<std::uint32_t>(SEED_ERR_ECC));
        EXPECT_GE(st.fault_address, all->device_va());
        EXPECT_LT(st.fault_address, all->device_va() + all->size());
        EXPECT_EQ(st.fault_address % kPage, 0u) << "the first address read in the page";
        ASSERT_EQ(status_of(behind).reason, seed::JobFailure::none);
        for (std::uint32_t v : host.span<std::uint32_t>())
            ASSERT_EQ(v, 0x600d600du);

        // The bad page fails again; healthy pages read back what was written.
        seed::CommandList again(*dev_);
        again.copy_va(host.device_va(), st.fault_address, kPage);
        EXPECT_EQ(status_of(queue.submit(again)).reason, seed::JobFailure::ecc);
        const std::uint64_t bad_page = st.fault_address - all->device_va();
        const std::uint64_t good = bad_page >= kChunk ? 0 : kChunk;
        seed::CommandList check(*dev_);
        check.fill(seed::BufferView(*all, good), kChunk, 0x5eed5eedu);
        check.copy_va(host.device_va(), all->device_va() + good, kChunk);
        ASSERT_EQ(status_of(queue.submit(check)).reason, seed::JobFailure::none);
        for (std::uint32_t v : host.span<std::uint32_t>())
            ASSERT_EQ(v, 0x5eed5eedu);
    }
    queue.finish();

    // Freed, the page leaves service for good: one page less to allocate,
    // and all of what is left reads cleanly although the chip still has
    // the poison.
    all.reset();
    const auto freed = std::chrono::steady_clock::now() + 10s;
    while (dev_->memory_usage().hbm_used != 0 && std::chrono::steady_clock::now() < freed)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(dev_->memory_usage().hbm_used, 0u);
    EXPECT_EQ(dev_->memory_usage().hbm_retired, base.hbm_retired + kPage);
    all = std::make_unique<seed::Buffer>(*dev_, in_service - kPage, seed::Placement::device);
    EXPECT_EQ(sweep(*all).reason, seed::JobFailure::none)
        << "the retired page was handed out again";
    queue.finish();
    all.reset();

    // A device reset clears the poison on the chip; the driver keeps the
    // page retired and the device works.
    const unsigned resets = reset_count(*dev_);
    seed::reset_device(*dev_);
    EXPECT_EQ(reset_count(*dev_), resets + 1);
    const std::string status = ctl_->command("status");
    EXPECT_NE(status.find(" poisoned_pages=0"), std::string::npos) << status;
    EXPECT_EQ(dev_->memory_usage().hbm_retired, base.hbm_retired + kPage);
    expect_device_works(queue, host, 0x77777777u);
}

// The admin reset in sysfs (docs/sysfs-attributes.md, reset_device): "1"
// resets the device and returns once it works again; the job running then
// fails with reason RESET, the one queued behind it runs, HBM keeps its
// contents, the reset count goes up by one. Anything but a true value is
// rejected with EINVAL and resets nothing.
TEST_F(DriverRecovery, SysfsResetDeviceResetsAndRecovers) {
    const fs::path attr = sysfs_of(*dev_) / "reset_device";
    seed::Queue queue(*dev_);
    const seed::Buffer flag(*dev_, 4096, seed::Placement::host);
    const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
    const seed::Buffer hbm(*dev_, 1 << 16, seed::Placement::device);
    ASSERT_EQ(outcome(queue.fill(hbm, hbm.size(), 0x5eed5eedu)), seed::JobFailure::none);

    const auto write_attr = [&](const std::string& value) {
        const int fd = ::open(attr.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return errno;
        const ssize_t n = ::write(fd, value.data(), value.size());
        const int err = n == static_cast<ssize_t>(value.size()) ? 0 : n < 0 ? errno : EIO;
        ::close(fd);
        return err;
    };
    const unsigned resets = reset_count(*dev_);
    EXPECT_EQ(write_attr("0"), EINVAL);
    EXPECT_EQ(write_attr("bogus"), EINVAL);
    EXPECT_EQ(reset_count(*dev_), resets);

    seed::CommandList waiter(*dev_);
    waiter.wait(flag, 1);
    const seed::Fence running = queue.submit(waiter);
    const seed::Fence queued = queue.fill(host, host.size(), 0x11223344u);
    std::this_thread::sleep_for(200ms);
    ASSERT_FALSE(running.ready());

    ASSERT_EQ(write_attr("1\n"), 0);
    EXPECT_EQ(reset_count(*dev_), resets + 1);
    EXPECT_EQ(outcome(running), seed::JobFailure::reset);
    ASSERT_EQ(outcome(queued), seed::JobFailure::none);
    for (std::uint32_t v : host.span<std::uint32_t>())
        ASSERT_EQ(v, 0x11223344u);
    ASSERT_EQ(outcome(queue.copy(host, hbm)), seed::JobFailure::none);
    for (std::uint32_t v : host.span<std::uint32_t>())
        ASSERT_EQ(v, 0x5eed5eedu) << "HBM lost its contents in the reset";
    expect_device_works(queue, host, 0x99999999u);
}

// The PCI core's own "reset" attribute (a function reset behind the
// driver, through QEMU down to the device model): the driver's
// reset_prepare/reset_done recover as from its own bus reset. Jobs in
// flight, the running one and those queued behind it, fail with reason
// RESET; buffers made before work afterwards, new jobs run, the reset
// count goes up by one and no memory is kept.
class DriverPciReset : public DriverRecovery {
protected:
    // Writes "1" to the PCI device's reset attribute; 0 or the errno.
    // QEMU's root port never reports its link active again after the
    // secondary bus reset, so the PCI core gives up waiting with ENOTTY
    // once the reset was delivered and the configuration restored (the
    // kernel logs "Data Link Layer Link Active not set"): that counts as
    // done, the checks after it tell whether the device came back.
    int pci_reset() {
        const fs::path attr = sysfs_of(*dev_) / "reset";
        const int fd = ::open(attr.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return errno;
        const int err = ::write(fd, "1", 1) == 1 ? 0 : errno;
        ::close(fd);
        return err == ENOTTY ? 0 : err;
    }

    // Resets the device model counted (its fault-injection status line).
    unsigned model_resets() {
        const std::string status = ctl_->command("status");
        const auto at = status.find(" resets=");
        return at == std::string::npos ? ~0u
                                       : static_cast<unsigned>(std::stoul(status.substr(at + 8)));
    }

    // Buffers made before the reset take new data through the device.
    void expect_buffers_work(seed::Queue& queue, const seed::Buffer& hbm, const seed::Buffer& host,
                             std::uint32_t value) {
        ASSERT_EQ(outcome(queue.fill(hbm, hbm.size(), value)), seed::JobFailure::none);
        ASSERT_EQ(outcome(queue.copy(host, hbm)), seed::JobFailure::none);
        for (std::uint32_t v : host.span<std::uint32_t>())
            ASSERT_EQ(v, value);
    }
};

TEST_F(DriverPciReset, WhileIdle) {
    const seed::MemoryUsage before = dev_->memory_usage();
    {
        seed::Queue queue(*dev_);
        const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
        const seed::Buffer hbm(*dev_, 1 << 16, seed::Placement::device);
        expect_buffers_work(queue, hbm, host, 0x12345678u);
        const unsigned resets = reset_count(*dev_);
        const unsigned model = model_resets();
        ASSERT_NE(model, ~0u);
        ASSERT_EQ(pci_reset(), 0);
        EXPECT_EQ(reset_count(*dev_), resets + 1);
        EXPECT_EQ(model_resets(), model + 1) << "the reset never reached the device model";
        expect_buffers_work(queue, hbm, host, 0x87654321u);
        seed::Queue fresh(*dev_);
        expect_device_works(fresh, host, 0x0badcafeu);
    }
    expect_usage_back(before);
}

TEST_F(DriverPciReset, WithJobsInFlight) {
    const seed::MemoryUsage before = dev_->memory_usage();
    {
        seed::Queue queue(*dev_);
        seed::Queue other(*dev_);
        const seed::Buffer flag(*dev_, 4096, seed::Placement::host);
        const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
        const seed::Buffer hbm(*dev_, 1 << 16, seed::Placement::device);
        expect_buffers_work(queue, hbm, host, 0x12345678u);
        const unsigned resets = reset_count(*dev_);

        seed::CommandList waiter(*dev_);
        waiter.wait(flag, 1);
        const seed::Fence running = queue.submit(waiter);
        const seed::Fence queued = queue.fill(host, host.size(), 0x11223344u);
        seed::CommandList waiter2(*dev_);
        waiter2.wait(flag, 2);
        const seed::Fence running2 = other.submit(waiter2);
        std::this_thread::sleep_for(200ms);
        ASSERT_FALSE(running.ready());
        ASSERT_FALSE(running2.ready());

        const unsigned model = model_resets();
        ASSERT_EQ(pci_reset(), 0);
        EXPECT_EQ(reset_count(*dev_), resets + 1);
        EXPECT_EQ(model_resets(), model + 1) << "the reset never reached the device model";
        EXPECT_EQ(outcome(running), seed::JobFailure::reset);
        EXPECT_EQ(outcome(running2), seed::JobFailure::reset);
        const seed::JobFailure why = outcome(queued);
        EXPECT_TRUE(why == seed::JobFailure::reset || why == seed::JobFailure::none)
            << seed::to_string(why);
        expect_buffers_work(queue, hbm, host, 0x87654321u);
        expect_buffers_work(other, hbm, host, 0x5eed5eedu);
    }
    expect_usage_back(before);
}

// PCI error recovery (AER) through the kernel's own path: aer_inject
// (loaded by seed-vm) makes the chip's root port report an uncorrectable
// error from the chip, and the PCI core runs the driver's error handlers
// (docs/driver.md, "PCI error recovery"). The driver's log lines, its reset
// count and the device model's reset count tell what ran.
class DriverPciError : public DriverPciReset {
protected:
    void SetUp() override {
        DriverPciReset::SetUp();
        if (IsSkipped())
            return;
        // seed-vm loads aer_inject; without it these tests lost their subject.
        ASSERT_TRUE(fs::exists("/dev/aer_inject")) << "no /dev/aer_inject in the guest";
        // The AER capability is in the extended configuration space, which a
        // kernel without ECAM (CONFIG_PCI_MMCONFIG) cannot reach: the sysfs
        // config file is then 256 bytes and nothing reaches the handlers.
        if (fs::file_size(sysfs_of(*dev_) / "config") <= 256)
            GTEST_SKIP() << "the kernel has no extended PCI config space (no ECAM): no AER";
        kmsg_ = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        ASSERT_GE(kmsg_, 0);
        ::lseek(kmsg_, 0, SEEK_END); // only what happens from now on
    }
    // The PCI core's AER counters of the chip (aer_dev_nonfatal, ...) now
    // count the injected errors, and `seedctl diag` rightly fails a chip
    // with any. Later tests need a clean chip: it is removed and found
    // again by a rescan, which starts a new PCI device with zero counters.
    void TearDown() override {
        if (kmsg_ >= 0)
            ::close(kmsg_);
        DriverPciReset::TearDown();
        if (!injected_ || !dev_)
            return;
        const fs::path pci = fs::canonical(sysfs_of(*dev_));
        const std::string serial = read_line(pci / "serial");
        dev_.reset();
        ASSERT_TRUE(write_file(pci / "remove", "1"));
        ASSERT_TRUE(write_file("/sys/bus/pci/rescan", "1"));
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (!fs::exists(pci / "serial") || read_line(pci / "serial") != serial ||
               !fs::exists(pci / "accel")) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline)
                << pci << " did not come back after remove and rescan";
            std::this_thread::sleep_for(50ms);
        }
        std::ifstream in(pci / "aer_dev_fatal");
        const std::string counts{std::istreambuf_iterator<char>(in), {}};
        EXPECT_NE(counts.find("TOTAL_ERR_FATAL 0"), std::string::npos) << counts;
    }

    // Reports @p uncor_status (PCI_ERR_UNC_* bits) as an uncorrectable error
    // of the chip to its root port: struct aer_error_inj of the kernel's
    // drivers/pci/pcie/aer_inject.c.
    void inject(std::uint32_t uncor_status) {
        struct {
            std::uint8_t bus, dev, fn;
            std::uint32_t uncor_status, cor_status, header_log[4], domain;
        } inj{};
        const std::string bdf = fs::canonical(sysfs_of(*dev_)).filename(); // 0000:01:00.0
        unsigned domain = 0, bus = 0, slot = 0, fn = 0;
        ASSERT_EQ(std::sscanf(bdf.c_str(), "%x:%x:%x.%x", &domain, &bus, &slot, &fn), 4) << bdf;
        inj.bus = static_cast<std::uint8_t>(bus);
        inj.dev = static_cast<std::uint8_t>(slot);
        inj.fn = static_cast<std::uint8_t>(fn);
        inj.uncor_status = uncor_status;
        inj.domain = domain;
        const int fd = ::open("/dev/aer_inject", O_WRONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0) << std::strerror(errno);
        const ssize_t n = ::write(fd, &inj, sizeof(inj));
        const int err = errno;
        ::close(fd);
        ASSERT_EQ(n, static_cast<ssize_t>(sizeof(inj))) << std::strerror(err);
        injected_ = true;
    }

    // Kernel log lines since SetUp() up to the PCI core's verdict on the
    // recovery ("AER: device recovery ..."), or all of them after 30 s.
    std::string recovery_log() {
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (log_.find("AER: device recovery") == std::string::npos &&
               std::chrono::steady_clock::now() < deadline) {
            char rec[2048];
            const ssize_t n = ::read(kmsg_, rec, sizeof(rec) - 1);
            if (n > 0) {
                // "prio,seq,time,flags;text\n" and continuation lines.
                const std::string r(rec, static_cast<std::size_t>(n));
                const auto semi = r.find(';');
                log_ += semi == std::string::npos ? r : r.substr(semi + 1);
            } else if (n < 0 && errno == EAGAIN) {
                std::this_thread::sleep_for(20ms);
            } else if (n < 0 && errno != EPIPE) {
                ADD_FAILURE() << "reading /dev/kmsg: " << std::strerror(errno);
                break;
            }
        }
        return log_;
    }

    int kmsg_ = -1;
    bool injected_ = false;
    std::string log_;
};

// A non-fatal error (a Completer Abort) leaves the link up: the driver
// checks the device, finds it well and lets the job in flight go on; no
// reset happens and HBM is untouched.
TEST_F(DriverPciError, NonFatalErrorKeepsJobsRunning) {
    seed::Queue queue(*dev_);
    const seed::Buffer flag(*dev_, 4096, seed::Placement::host);
    const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
    const seed::Buffer hbm(*dev_, 1 << 16, seed::Placement::device);
    expect_buffers_work(queue, hbm, host, 0x5eed0001u);
    const unsigned resets = reset_count(*dev_);
    const unsigned model = model_resets();
    ASSERT_NE(model, ~0u);

    seed::CommandList waiter(*dev_);
    waiter.wait(flag, 1);
    const seed::Fence running = queue.submit(waiter);
    std::this_thread::sleep_for(100ms);
    ASSERT_FALSE(running.ready());

    ASSERT_NO_FATAL_FAILURE(inject(PCI_ERR_UNC_COMP_ABORT));
    const std::string log = recovery_log();
    EXPECT_NE(log.find("Uncorrectable (Non-Fatal)"), std::string::npos) << log;
    EXPECT_NE(log.find("PCI error (non-fatal): device OK, jobs go on"), std::string::npos) << log;
    EXPECT_NE(log.find("AER: device recovery successful"), std::string::npos) << log;

    EXPECT_FALSE(running.ready()) << "the job in flight was ended";
    std::atomic_ref<std::uint64_t>(flag.span<std::uint64_t>()[0]).store(1);
    EXPECT_EQ(outcome(running), seed::JobFailure::none);
    EXPECT_EQ(reset_count(*dev_), resets);
    EXPECT_EQ(model_resets(), model);
    ASSERT_EQ(outcome(queue.copy(host, hbm)), seed::JobFailure::none);
    for (std::uint32_t v : host.span<std::uint32_t>())
        ASSERT_EQ(v, 0x5eed0001u);
    expect_buffers_work(queue, hbm, host, 0x5eed0002u);
}

// A fatal error (a Malformed TLP) freezes the link and the root port resets
// it: the job in flight fails with RESET as on a PCI reset, the driver sets
// the chip up again once the link is back (one more reset on both sides),
// HBM keeps its contents and the same queue and buffers work afterwards.
TEST_F(DriverPciError, FatalErrorResetsTheLinkAndRecovers) {
    const seed::MemoryUsage before = dev_->memory_usage();
    {
        seed::Queue queue(*dev_);
        const seed::Buffer flag(*dev_, 4096, seed::Placement::host);
        const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
        const seed::Buffer hbm(*dev_, 1 << 16, seed::Placement::device);
        expect_buffers_work(queue, hbm, host, 0x5eed0003u);
        const unsigned resets = reset_count(*dev_);
        const unsigned model = model_resets();
        ASSERT_NE(model, ~0u);

        seed::CommandList waiter(*dev_);
        waiter.wait(flag, 1);
        const seed::Fence running = queue.submit(waiter);
        const seed::Fence queued = queue.fill(host, host.size(), 0x11223344u);
        std::this_thread::sleep_for(100ms);
        ASSERT_FALSE(running.ready());

        ASSERT_NO_FATAL_FAILURE(inject(PCI_ERR_UNC_MALF_TLP));
        const std::string log = recovery_log();
        EXPECT_NE(log.find("Uncorrectable (Fatal)"), std::string::npos) << log;
        EXPECT_NE(log.find("PCI error (fatal), link reset: jobs in flight fail"), std::string::npos)
            << log;
        EXPECT_NE(log.find("device back from a PCI error recovery"), std::string::npos) << log;
        EXPECT_NE(log.find("AER: device recovery successful"), std::string::npos) << log;

        EXPECT_EQ(outcome(running), seed::JobFailure::reset);
        const seed::JobFailure why = outcome(queued);
        EXPECT_TRUE(why == seed::JobFailure::reset || why == seed::JobFailure::none)
            << seed::to_string(why);
        EXPECT_EQ(reset_count(*dev_), resets + 1);
        EXPECT_EQ(model_resets(), model + 1) << "the link reset never reached the device model";
        ASSERT_EQ(outcome(queue.copy(host, hbm)), seed::JobFailure::none);
        for (std::uint32_t v : host.span<std::uint32_t>())
            ASSERT_EQ(v, 0x5eed0003u) << "HBM lost its contents in the recovery";
        expect_buffers_work(queue, hbm, host, 0x5eed0004u);
        seed::Queue fresh(*dev_);
        expect_device_works(fresh, host, 0x0badcafeu);
    }
    expect_usage_back(before);
}

// A fatal error reported while the chip is runtime suspended (D3hot): the
// PCI core wakes it for the recovery, the driver recovers it as in D0, and
// it keeps its HBM contents through both.
TEST_F(DriverPciError, FatalErrorOfASuspendedChipRecovers) {
    const fs::path power = fs::canonical(sysfs_of(*dev_)) / "power";
    const std::string delay = read_line(power / "autosuspend_delay_ms");
    ASSERT_TRUE(write_file(power / "autosuspend_delay_ms", "100"));
    {
        seed::Queue queue(*dev_);
        const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
        const seed::Buffer hbm(*dev_, 1 << 16, seed::Placement::device);
        expect_buffers_work(queue, hbm, host, 0x5eed0005u);
        const unsigned resets = reset_count(*dev_);
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (read_line(power / "runtime_status") != "suspended" &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(20ms);
        ASSERT_EQ(read_line(power / "runtime_status"), "suspended");

        ASSERT_NO_FATAL_FAILURE(inject(PCI_ERR_UNC_MALF_TLP));
        const std::string log = recovery_log();
        EXPECT_NE(log.find("device back from a PCI error recovery"), std::string::npos) << log;
        EXPECT_NE(log.find("AER: device recovery successful"), std::string::npos) << log;
        EXPECT_EQ(reset_count(*dev_), resets + 1);
        ASSERT_EQ(outcome(queue.copy(host, hbm)), seed::JobFailure::none);
        for (std::uint32_t v : host.span<std::uint32_t>())
            ASSERT_EQ(v, 0x5eed0005u) << "HBM lost its contents";
        expect_buffers_work(queue, hbm, host, 0x5eed0006u);
    }
    EXPECT_TRUE(write_file(power / "autosuspend_delay_ms", delay));
}

TEST_F(DriverRecovery, DeviceResetSendsUevent) {
    // Kernel uevents, as udevd receives them.
    const int sock = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
    ASSERT_GE(sock, 0);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = 1;
    ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);

    const int fd = ::open(dev_->info().node.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    drm_seed_reset r{};
    r.type = DRM_SEED_RESET_DEVICE;
    EXPECT_EQ(::ioctl(fd, DRM_IOCTL_SEED_RESET, &r), 0);
    ::close(fd);

    bool seen = false, has_reason = false;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
        pollfd p{sock, POLLIN, 0};
        if (::poll(&p, 1, 1000) <= 0)
            continue;
        char buf[8192];
        const ssize_t n = ::recv(sock, buf, sizeof(buf) - 1, 0);
        if (n <= 0)
            continue;
        // NUL-separated "KEY=value" strings after the "action@devpath" header.
        for (ssize_t i = 0; i < n; i += static_cast<ssize_t>(std::strlen(buf + i)) + 1) {
            const std::string kv(buf + i);
            if (kv == "SEED_EVENT=RESET")
                seen = true;
            if (kv.rfind("SEED_RESET_REASON=", 0) == 0)
                has_reason = true;
        }
    }
    ::close(sock);
    EXPECT_TRUE(seen) << "no SEED_EVENT=RESET uevent after a device reset";
    EXPECT_TRUE(has_reason);
}

} // namespace
