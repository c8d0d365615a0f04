// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The engine watchdog through the driver (module parameter watchdog_ms,
// docs/driver.md; docs/hardware.md §5.4): a packet that holds an engine
// longer than the watchdog is aborted by the device, and the driver turns
// that into a job failure with reason TIMEOUT (device error HANG) long
// before its own job timeout, resets the queue, and runs what comes next.
//
// watchdog_ms (a load-time parameter) and job_timeout_ms default to the
// same 10 s, so that either could end a hung job first. The test reloads
// seed.ko with a short watchdog and a long job timeout, then with the
// parameters it found; that needs every accel file closed, which it checks.
// The packet is made long with the device's `slow` injection (every engine
// 1000 times slower), not by hanging a particular hardware queue.

#include "debugfs.hpp"
#include "seed_drm.hpp"
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <hw/seed_hw.h>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr unsigned kWatchdogMs = 300;
constexpr unsigned kJobTimeoutMs = 120000;

// Every parameter of the loaded seed.ko as "name=value ...".
std::string current_parameters() {
    std::string params;
    for (const auto& e : fs::directory_iterator("/sys/module/seed/parameters")) {
        std::ifstream in(e.path());
        std::string value;
        std::getline(in, value);
        params += e.path().filename().string() + "=" + value + " ";
    }
    return params;
}

// Processes holding an accel node open, for the message when unloading fails.
std::string accel_holders() {
    std::string out;
    std::error_code ec;
    for (const auto& proc : fs::directory_iterator("/proc", ec)) {
        const std::string pid = proc.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::error_code ec2;
        for (const auto& fd : fs::directory_iterator(proc.path() / "fd", ec2)) {
            std::error_code ec3;
            const auto target = fs::read_symlink(fd.path(), ec3).string();
            if (target.rfind("/dev/accel/", 0) == 0)
                out += "pid " + pid + " " + target + " ";
        }
    }
    return out.empty() ? "none" : out;
}

// Unloads seed.ko and loads it again with @p params; "" or why it failed.
std::string reload(const std::string& params) {
    const char* module = std::getenv("SEED_VM_MODULE");
    if (module == nullptr)
        return "SEED_VM_MODULE not set";
    if (::syscall(SYS_delete_module, "seed", O_NONBLOCK) != 0) {
        const std::string why = std::strerror(errno);
        return "unloading seed.ko: " + why + "; accel files open: " + accel_holders();
    }
    const int fd = ::open(module, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::string("open ") + module + ": " + std::strerror(errno);
    const long ret = ::syscall(SYS_finit_module, fd, params.c_str(), 0);
    const int err = errno;
    ::close(fd);
    if (ret != 0)
        return "loading seed.ko " + params + ": " + std::strerror(err);
    const unsigned chips = seed::vm::chips().value_or(1);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (seed::vm::seed_nodes().size() < chips) {
        if (std::chrono::steady_clock::now() > deadline)
            return "only " + std::to_string(seed::vm::seed_nodes().size()) + " chips came back";
        std::this_thread::sleep_for(50ms);
    }
    return {};
}

std::uint32_t parameter(const char* name) {
    std::ifstream in(std::string("/sys/module/seed/parameters/") + name);
    std::uint32_t v = 0;
    in >> v;
    return v;
}

class DriverWatchdog : public ::testing::Test {
protected:
    void SetUp() override {
        if (!seed::vm::chips() || !seed::vm::Control::available(0) ||
            std::getenv("SEED_VM_MODULE") == nullptr)
            GTEST_SKIP() << "needs seed-vm (reloads seed.ko, injects faults)";
        saved_ = current_parameters();
        const std::string err = reload(saved_ + "watchdog_ms=" + std::to_string(kWatchdogMs) +
                                       " job_timeout_ms=" + std::to_string(kJobTimeoutMs));
        ASSERT_EQ(err, "");
        reloaded_ = true;
        ASSERT_EQ(parameter("watchdog_ms"), kWatchdogMs);
        ASSERT_EQ(parameter("job_timeout_ms"), kJobTimeoutMs);
    }
    void TearDown() override {
        if (!reloaded_)
            return;
        seed::vm::Control(0).command("slow all 1");
        EXPECT_EQ(reload(saved_), "") << "seed.ko could not be put back as it was";
    }

    std::string saved_;
    bool reloaded_ = false;
};

TEST_F(DriverWatchdog, AnEngineHangBecomesAJobTimeout) {
    seed::vm::Control ctl(0);
    {
        // Chip 0, whose engines ctl slows: by UUID, since after a remove and
        // rescan (DriverPciError) the reload numbers it /dev/accel/accel1.
        const seed::Device dev = seed::Device::open(seed::vm::uuid(0));
        const std::string dbg = seed::vm::debugfs_dir(dev.info().node);
        ASSERT_FALSE(dbg.empty());
        const auto hangs_before = seed::vm::debugfs_event_counter(dbg, "queue_errors");
        ASSERT_TRUE(hangs_before.has_value());
        seed::Queue queue(dev);
        const seed::Buffer big(dev, 16 << 20, seed::Placement::device);
        const seed::Buffer host(dev, 1 << 16, seed::Placement::host);

        // Normal speed: the FILL is well within the watchdog.
        seed::CommandList fill(dev);
        fill.fill(big, big.size(), 0x1111111111111111ull);
        ASSERT_NO_THROW(queue.submit(fill).wait());

        // 1000 times slower it is not; the job behind it must still run.
        ASSERT_EQ(ctl.command("slow all 1000"), "ok");
        const auto start = std::chrono::steady_clock::now();
        const seed::Fence slow = queue.submit(fill);
        // The job behind waits for a host flag first, set once the engines
        // are back to normal speed: on a slow guest the queue may restart
        // before this thread has restored them, and a slowed fill of its
        // own would trip the watchdog too.
        const seed::Buffer flag(dev, 4096, seed::Placement::host);
        seed::CommandList after(dev);
        after.wait(flag, 1);
        after.fill(host, host.size(), 0x600d600du);
        const seed::Fence behind = queue.submit(after);
        seed::JobStatus st;
        try {
            slow.wait();
        } catch (const seed::JobError& e) {
            st = e.status();
        }
        const auto took = std::chrono::steady_clock::now() - start;
        ASSERT_EQ(ctl.command("slow all 1"), "ok");
        std::atomic_ref<std::uint64_t>(flag.span<std::uint64_t>()[0]).store(1);
        EXPECT_EQ(st.reason, seed::JobFailure::timeout) << seed::describe(st);
        EXPECT_EQ(st.hw_error, static_cast<std::uint32_t>(SEED_ERR_HANG)) << seed::describe(st);
        EXPECT_LT(took, std::chrono::milliseconds(kJobTimeoutMs / 4))
            << "ended by the job timeout, not the watchdog";
        EXPECT_GE(seed::vm::debugfs_event_counter(dbg, "queue_errors").value_or(0),
                  *hangs_before + 1)
            << "no ENGINE_HANG event";
        ASSERT_NO_THROW(behind.wait());
        for (std::uint32_t v : host.span<std::uint32_t>())
            ASSERT_EQ(v, 0x600d600du);
        ASSERT_NO_THROW(queue.submit(fill).wait()) << "the queue did not recover";
    }
}

} // namespace
