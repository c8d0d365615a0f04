// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed.ko's error paths, made to run with the kernel's fail_function
// (Documentation/fault-injection): the driver marks its allocation and
// initialisation points with ALLOW_ERROR_INJECTION, and each test makes one
// of them fail while a real client or a real probe goes through it. Every
// failure must come back as an error code, leave the chip and every other
// client working, and unwind completely: on the debug kernel seed-vm fails
// the run on any KASAN, lockdep or DMA-API report and on any leak kmemleak
// finds afterwards.
//
// Debian's production kernel has no fail_function (CONFIG_FAIL_FUNCTION is
// off): there these tests skip (tests/allowed-skips); on the debug kernel
// (SEED_VM_DEBUG_KERNEL=1) a missing fail_function is a failure.

#include "seed_exec.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace seed::vm;
namespace fs = std::filesystem;

const fs::path kFailFunction = "/sys/kernel/debug/fail_function";
const fs::path kPciDriver = "/sys/bus/pci/drivers/seed";

bool write_value(const fs::path& path, const std::string& value) {
    Fd fd{::open(path.c_str(), O_WRONLY | O_CLOEXEC)};
    if (!fd)
        return false;
    return ::write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size());
}

// How @fn reports failure, from the kernel's list of injectable functions
// ("seed_pt_alloc [seed]\tNULL", or "name\tTYPE" for built-in ones):
// "ERRNO", "NULL", ... or "" if not listed.
std::string injection_type(const std::string& fn) {
    std::ifstream list("/sys/kernel/debug/error_injection/list");
    for (std::string line; std::getline(list, line);) {
        std::istringstream words(line);
        std::string name, word, type;
        words >> name;
        while (words >> word)
            type = word;
        if (name == fn)
            return type;
    }
    return {};
}

// While it lives, every call of one seed.ko function fails: it returns
// -err, or NULL if that is how the function reports failure. With
// @every > 1 only every @every-th call fails, so that a loop fails half-way.
class Inject {
public:
    Inject(const std::string& fn, int err, unsigned every = 1) : fn_(fn) {
        if (injection_type(fn) == "NULL")
            err = 0;
        ok_ = write_value(kFailFunction / "inject", fn);
        if (!ok_) {
            why_ = "cannot add " + fn + " to fail_function/inject: " + std::strerror(errno) +
                   " (not marked ALLOW_ERROR_INJECTION?)";
            return;
        }
        // retval is parsed as an unsigned number: -err in two's complement.
        if (err != 0 &&
            !write_value(kFailFunction / fn / "retval", std::to_string(static_cast<std::uint64_t>(
                                                            -static_cast<std::int64_t>(err))))) {
            why_ = "cannot set the return value of " + fn + ": " + std::strerror(errno);
            ok_ = false;
            return;
        }
        ok_ = write_value(kFailFunction / "probability", "100") &&
              write_value(kFailFunction / "interval", std::to_string(every)) &&
              write_value(kFailFunction / "times", "-1") &&
              write_value(kFailFunction / "verbose", "0");
        if (!ok_)
            why_ = "cannot configure fail_function: " + std::string(std::strerror(errno));
    }
    ~Inject() { write_value(kFailFunction / "inject", "!" + fn_); }
    Inject(const Inject&) = delete;
    Inject& operator=(const Inject&) = delete;

    bool ok() const { return ok_; }
    const std::string& why() const { return why_; }

private:
    std::string fn_;
    std::string why_;
    bool ok_ = false;
};

class DriverErrorInjection : public ::testing::Test {
protected:
    void SetUp() override {
        const auto n = chips();
        if (!n || *n < 1)
            GTEST_SKIP() << "needs seed-vm with a chip";
        if (!fs::exists(kFailFunction / "inject")) {
            if (debug_kernel())
                FAIL() << kFailFunction << " is missing on the debug kernel";
            GTEST_SKIP() << "this kernel has no fail_function (CONFIG_FAIL_FUNCTION)";
        }
        write_value(kFailFunction / "inject", "");
        fd_ = open_seed(0);
        ASSERT_TRUE(fd_) << "cannot open the first chip";
    }

    // A queue of fd_ runs a NOP job to completion: the chip still works.
    void expect_chip_works(int fd) {
        Queue q;
        ASSERT_EQ(create_queue(q, fd), 0);
        Bo cmd;
        ASSERT_EQ(create_bo(cmd, fd, 4096, DRM_SEED_BO_HOST), 0);
        put_nop(cmd, 0);
        const Submit s = submit(q, cmd, 1);
        ASSERT_EQ(s.err, 0);
        int err = 0;
        const drm_seed_job_status st = finish(q, s.seq, &err);
        ASSERT_EQ(err, 0);
        EXPECT_EQ(st.state, DRM_SEED_JOB_DONE);
        EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
    }

    std::uint64_t hbm_used(int fd) {
        drm_seed_query_memory mem{};
        drm_seed_query q{};
        q.type = DRM_SEED_QUERY_MEMORY;
        q.size = sizeof(mem);
        q.data = reinterpret_cast<std::uintptr_t>(&mem);
        EXPECT_EQ(seed_ioctl(fd, DRM_IOCTL_SEED_QUERY, &q), 0);
        return mem.hbm_used;
    }

    Fd fd_;
};

TEST_F(DriverErrorInjection, OpenFailuresLeaveNothingBehind) {
    const std::string node = seed_nodes().at(0);
    for (const char* fn : {"seed_mem_file_open", "seed_ctx_create", "seed_exec_file_open"}) {
        SCOPED_TRACE(fn);
        {
            Inject inject(fn, ENOMEM);
            ASSERT_TRUE(inject.ok()) << inject.why();
            Fd fd{::open(node.c_str(), O_RDWR | O_CLOEXEC)};
            EXPECT_FALSE(fd) << "open succeeded with " << fn << " failing";
            EXPECT_EQ(errno, ENOMEM);
        }
        Fd fd{::open(node.c_str(), O_RDWR | O_CLOEXEC)};
        ASSERT_TRUE(fd) << std::strerror(errno);
        expect_chip_works(fd.get());
    }
}

TEST_F(DriverErrorInjection, QueueCreateFailuresLeaveNothingBehind) {
    for (const char* fn : {"seed_queue_alloc"}) {
        SCOPED_TRACE(fn);
        {
            Inject inject(fn, ENOMEM);
            ASSERT_TRUE(inject.ok()) << inject.why();
            for (int i = 0; i < 8; i++) {
                Queue q;
                EXPECT_EQ(create_queue(q, fd_.get()), ENOMEM);
            }
        }
        expect_chip_works(fd_.get());
    }
}

TEST_F(DriverErrorInjection, BoCreateFailuresLeaveNothingBehind) {
    struct Case {
        const char* fn;
        std::uint32_t placement;
        unsigned every;
    };
    const Case cases[] = {
        {"seed_hbm_alloc", DRM_SEED_BO_HBM, 1},
        {"seed_hbm_bo_clear", DRM_SEED_BO_HBM, 1},
        {"seed_host_bo_create", DRM_SEED_BO_HOST, 1},
        {"seed_bo_map", DRM_SEED_BO_HOST, 1},
        {"seed_bo_map", DRM_SEED_BO_HBM, 1},
        {"seed_mmu_map_locked", DRM_SEED_BO_HOST, 1},
        {"seed_pt_alloc", DRM_SEED_BO_HBM, 1},
        // A mapping that fails part-way: 64 MiB of 4 KiB pages need many
        // page tables, and every second allocation of one fails.
        {"seed_pt_alloc", DRM_SEED_BO_HOST, 2},
    };
    const std::uint64_t used = hbm_used(fd_.get());
    for (const Case& c : cases) {
        SCOPED_TRACE(std::string(c.fn) + (c.placement == DRM_SEED_BO_HBM ? " (HBM)" : " (host)") +
                     " every " + std::to_string(c.every));
        {
            // A new file: its address space has no page tables yet, so
            // mapping the BO allocates some.
            Fd fd = open_seed(0);
            ASSERT_TRUE(fd);
            Inject inject(c.fn, ENOMEM, c.every);
            ASSERT_TRUE(inject.ok()) << inject.why();
            // 64 MiB: more than one last-level page table's reach.
            Bo bo;
            EXPECT_NE(create_bo(bo, fd.get(), 64ull << 20, c.placement), 0)
                << "BO_CREATE succeeded with " << c.fn << " failing";
        }
        EXPECT_EQ(hbm_used(fd_.get()), used) << "HBM still allocated after the failure";
        Bo bo;
        ASSERT_EQ(create_bo(bo, fd_.get(), 64ull << 20, c.placement), 0);
        expect_chip_works(fd_.get());
    }
}

TEST_F(DriverErrorInjection, SubmitFailuresLeaveTheQueueWorking) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd_.get()), 0);
    Bo cmd;
    ASSERT_EQ(create_bo(cmd, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
    put_nop(cmd, 0);
    // An input fence (an earlier job's) and an output syncobj, so that the
    // dependency and out-sync set-up run too.
    std::uint32_t out = 0;
    ASSERT_EQ(drmSyncobjCreate(fd_.get(), 0, &out), 0);
    const Submit first = submit(q, cmd, 1);
    ASSERT_EQ(first.err, 0);
    const std::vector<drm_seed_sync> in{{q.syncobj, 0, first.seq}};
    const std::vector<drm_seed_sync> outs{{out, 0, 0}};

    for (const char* fn : {"seed_hw_fence_alloc", "seed_ctx_waiter_alloc", "seed_bo_lookup_range",
                           "seed_submit_in_syncs", "seed_submit_out_syncs"}) {
        SCOPED_TRACE(fn);
        {
            Inject inject(fn, ENOMEM);
            ASSERT_TRUE(inject.ok()) << inject.why();
            EXPECT_EQ(submit(q, cmd, 1, 0, in, outs).err, ENOMEM);
        }
        const Submit s = submit(q, cmd, 1, 0, in, outs);
        ASSERT_EQ(s.err, 0);
        int err = 0;
        EXPECT_EQ(finish(q, s.seq, &err).error, DRM_SEED_JOB_OK);
        EXPECT_EQ(err, 0);
    }
    drmSyncobjDestroy(fd_.get(), out);
}

// Probe fails at each stage of seed_dev_init on the last chip, which must
// then bind again and work. The other chips are untouched.
TEST_F(DriverErrorInjection, ProbeFailuresUnwindAndTheChipBindsAgain) {
    if (::access(kPciDriver.c_str(), W_OK) != 0)
        GTEST_SKIP() << "needs root";
    const std::string node = seed_nodes().back();
    const fs::path dev = fs::path("/sys/class/accel") / fs::path(node).filename() / "device";
    const std::string slot = fs::canonical(dev).filename();
    fd_.reset();

    const auto node_of_slot = [&slot]() -> std::string {
        for (const auto& n : seed_nodes()) {
            const fs::path d = fs::path("/sys/class/accel") / fs::path(n).filename() / "device";
            std::error_code ec;
            if (fs::canonical(d, ec).filename() == slot)
                return n;
        }
        return {};
    };
    const auto wait_node = [&node_of_slot]() {
        for (int i = 0; i < 600; i++) {
            if (const std::string n = node_of_slot(); !n.empty())
                return n;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return std::string();
    };
    struct Rebind {
        const std::string& slot;
        ~Rebind() { write_value(kPciDriver / "bind", slot); }
    } rebind{slot};

    for (const char* fn :
         {"seed_hw_init", "seed_irq_init", "seed_events_init", "seed_telemetry_init",
          "seed_mmu_init", "seed_exec_ring_init", "seed_exec_init"}) {
        SCOPED_TRACE(fn);
        ASSERT_TRUE(write_value(kPciDriver / "unbind", slot)) << std::strerror(errno);
        {
            Inject inject(fn, ENOMEM);
            ASSERT_TRUE(inject.ok()) << inject.why();
            EXPECT_FALSE(write_value(kPciDriver / "bind", slot))
                << "the chip bound with " << fn << " failing";
            EXPECT_FALSE(fs::exists(kPciDriver / slot)) << "bound with " << fn << " failing";
        }
        EXPECT_TRUE(node_of_slot().empty());
        ASSERT_TRUE(write_value(kPciDriver / "bind", slot)) << std::strerror(errno);
        const std::string again = wait_node();
        ASSERT_FALSE(again.empty()) << "no accel node after binding again";
        Fd fd{::open(again.c_str(), O_RDWR | O_CLOEXEC)};
        ASSERT_TRUE(fd) << std::strerror(errno);
        expect_chip_works(fd.get());
    }
}

} // namespace
