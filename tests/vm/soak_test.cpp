// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Proof under load (short form; the long form is the same test with
// SEED_SOAK_SECONDS=600, see docs/performance.md): several processes, each
// with several queues, run mixed jobs (FILL, COPY through HBM, GEMM) with
// cross-queue dependencies and verify every result, while a deliberately bad
// process faults its MMU over and over and the test injects device faults
// (queue hangs, MMU faults and corrected ECC errors on the queues in use).
// Checks:
// - every job completes or reports why it failed, within a bound (no
//   completion is lost);
// - every failure of an innocent client is one the injections explain: an
//   MMU fault with the injected signature (docs/hardware.md §16.3: reason
//   NOT_PRESENT, no page-table level), a timeout (a hang), a reset (only if
//   the device was reset), or a cancellation behind a failed dependency;
//   no more injected faults and timeouts are reported than were injected;
// - innocent data is correct whenever its jobs succeeded, and each innocent
//   client verifies a minimum of rounds;
// - the bad process sees only its own faults (a real translation fault at
//   the address it reads) or injected ones, and innocents never see its;
// - HBM usage returns to baseline.
// seed-vm fails the run on any WARN/oops in dmesg.

#include "debugfs.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <hw/seed_hw.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

unsigned soak_seconds() {
    const char* s = std::getenv("SEED_SOAK_SECONDS");
    return s != nullptr && *s != '\0' ? static_cast<unsigned>(std::strtoul(s, nullptr, 10)) : 15;
}

// Exit codes of the worker processes.
enum : int { kOk = 0, kWrongData = 10, kUnexplained = 11, kCrashed = 12, kLost = 13 };

// Longest a job may take to complete or fail: a hang costs one job timeout
// (10 s), a recovery that climbs the whole ladder a few more.
constexpr auto kCompletionBound = 60s;

// The address the bad client reads: below every BO (they start at 1 MiB).
constexpr std::uint64_t kBadVa = 0x1000;

// Each innocent client must verify at least this many rounds, and more
// rounds than failed (a typical 15 s run verifies 80-280 per client).
constexpr unsigned kMinVerifiedRounds = 10;

constexpr unsigned kInnocents = 3;
constexpr unsigned kQueuesPerClient = 3;
constexpr unsigned kQueuesInUse = kInnocents * kQueuesPerClient + 1;

// What each worker reports to the parent (shared memory).
struct Tally {
    std::atomic<unsigned> verified{0};        // rounds whose data was checked
    std::atomic<unsigned> failed{0};          // rounds with a failed job
    std::atomic<unsigned> injected_faults{0}; // MMU faults with the injected signature
    std::atomic<unsigned> own_faults{0};      // the bad client's real faults
    std::atomic<unsigned> timeouts{0};
    std::atomic<unsigned> resets{0};
    std::atomic<unsigned> cancelled{0};
};

struct LostCompletion {};

// Waits for the job behind @p f within the bound; its report (reason none
// on success).
seed::JobStatus outcome(const seed::Fence& f) {
    try {
        if (!f.wait_for(kCompletionBound))
            throw LostCompletion{};
        return {};
    } catch (const seed::JobError& e) {
        return e.status();
    }
}

bool injected_fault(const seed::JobStatus& s) {
    return s.reason == seed::JobFailure::mmu_fault &&
           s.fault_reason() == SEED_FAULT_REASON_NOT_PRESENT &&
           s.fault_level() == SEED_FAULT_LEVEL_NONE;
}

// Counts a failure an injection explains; false (with a message) otherwise.
bool explained(const char* who, const seed::JobStatus& s, Tally& t) {
    if (injected_fault(s)) {
        ++t.injected_faults;
        return true;
    }
    switch (s.reason) {
    case seed::JobFailure::timeout:
        ++t.timeouts;
        return true;
    case seed::JobFailure::reset:
        ++t.resets;
        return true;
    default:
        std::fprintf(stderr, "soak: %s: unexplained failure: %s\n", who, seed::describe(s).c_str());
        return false;
    }
}

// Checks the outcomes of a dependency chain: a job may be cancelled only
// behind a failed one; any other failure must be explained. false if not.
bool check_chain(const char* who, const std::vector<seed::JobStatus>& chain, Tally& t) {
    bool earlier_failed = false;
    for (const auto& s : chain) {
        if (s.reason == seed::JobFailure::none)
            continue;
        if (s.reason == seed::JobFailure::cancelled) {
            if (!earlier_failed) {
                std::fprintf(stderr, "soak: %s: cancelled with no failed dependency: %s\n", who,
                             seed::describe(s).c_str());
                return false;
            }
            ++t.cancelled;
        } else if (!explained(who, s, t)) {
            return false;
        }
        earlier_failed = true;
    }
    return true;
}

bool any_failed(const std::vector<seed::JobStatus>& chain) {
    return std::any_of(chain.begin(), chain.end(),
                       [](const seed::JobStatus& s) { return s.reason != seed::JobFailure::none; });
}

// An innocent client: Q queues, each round a FILL on queue i, a COPY into
// HBM on queue i+1 depending on it, a COPY back on queue i depending on
// that, and a small GEMM on queue i+1; everything verified.
int innocent(unsigned id, Clock::time_point end, Tally& t) {
    char who[32];
    std::snprintf(who, sizeof(who), "client %u", id);
    try {
        const seed::Device dev = seed::Device::open(0u);
        constexpr unsigned kQueues = kQueuesPerClient;
        std::vector<seed::Queue> queues;
        for (unsigned q = 0; q < kQueues; ++q)
            queues.emplace_back(dev);
        const seed::Buffer src(dev, 1 << 16, seed::Placement::host);
        const seed::Buffer hbm(dev, 1 << 16, seed::Placement::device);
        const seed::Buffer dst(dev, 1 << 16, seed::Placement::host);
        constexpr std::uint32_t n = 32;
        const seed::Buffer a(dev, n * n * 4, seed::Placement::host);
        const seed::Buffer c(dev, n * n * 4, seed::Placement::host);
        for (float& v : a.span<float>())
            v = 1.0f;
        seed::GemmParams gp;
        gp.m = gp.n = gp.k = n;

        unsigned round = 0;
        while (Clock::now() < end) {
            const std::uint32_t value = (id << 24) | (round & 0xffffff);
            seed::Queue& q0 = queues[round % kQueues];
            seed::Queue& q1 = queues[(round + 1) % kQueues];
            const seed::Fence f = q0.fill(src, src.size(), value);
            const seed::Fence g = q1.copy(hbm, src, std::span(&f, 1));
            const seed::Fence h = q0.copy(dst, hbm, std::span(&g, 1));
            const std::vector<seed::JobStatus> copy_chain = {outcome(f), outcome(g), outcome(h)};
            if (!check_chain(who, copy_chain, t))
                return kUnexplained;
            if (!any_failed(copy_chain)) {
                for (std::uint32_t v : dst.span<std::uint32_t>())
                    if (v != value)
                        return kWrongData;
            }
            std::fill(c.span<float>().begin(), c.span<float>().end(), 0.0f);
            const std::vector<seed::JobStatus> gemm = {outcome(q1.gemm(gp, a, a, c))};
            if (!check_chain(who, gemm, t))
                return kUnexplained;
            if (!any_failed(gemm)) {
                for (float v : c.span<float>())
                    if (v != float{n})
                        return kWrongData;
            }
            if (any_failed(copy_chain) || any_failed(gemm))
                ++t.failed;
            else
                ++t.verified;
            ++round;
        }
        std::printf("soak: %s: %u rounds verified, %u failed (injected MMU faults %u, "
                    "timeouts %u, resets %u, cancelled %u)\n",
                    who, t.verified.load(), t.failed.load(), t.injected_faults.load(),
                    t.timeouts.load(), t.resets.load(), t.cancelled.load());
        return kOk;
    } catch (const LostCompletion&) {
        std::fprintf(stderr, "soak: %s: a job neither completed nor failed\n", who);
        return kLost;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "soak: %s: %s\n", who, e.what());
        return kCrashed;
    }
}

// The bad client: COPY from an unmapped address, over and over. Each job
// must fail with its own fault (a real translation fault at kBadVa) or with
// an injected one, a hang's timeout, or a device reset.
int bad(Clock::time_point end, Tally& t) {
    try {
        const seed::Device dev = seed::Device::open(0u);
        seed::Queue queue(dev);
        const seed::Buffer dst(dev, 4096, seed::Placement::host);
        while (Clock::now() < end) {
            seed::CommandList list(dev);
            list.copy_va(dst.device_va(), kBadVa, 64);
            const seed::JobStatus s = outcome(queue.submit(list));
            if (s.reason == seed::JobFailure::none) {
                std::fprintf(stderr, "soak: bad client: a read of an unmapped VA succeeded\n");
                return kUnexplained;
            }
            if (s.reason == seed::JobFailure::mmu_fault && !injected_fault(s)) {
                if (s.fault_address != kBadVa || s.fault_was_write()) {
                    std::fprintf(stderr, "soak: bad client: a fault not its own: %s\n",
                                 seed::describe(s).c_str());
                    return kUnexplained;
                }
                ++t.own_faults;
            } else if (!explained("bad client", s, t)) {
                return kUnexplained;
            }
            ++t.failed;
            std::this_thread::sleep_for(50ms);
        }
        std::printf("soak: bad client: %u own faults, %u injected faults, %u timeouts, "
                    "%u resets\n",
                    t.own_faults.load(), t.injected_faults.load(), t.timeouts.load(),
                    t.resets.load());
        return t.own_faults > 0 ? kOk : kUnexplained;
    } catch (const LostCompletion&) {
        std::fprintf(stderr, "soak: bad client: a job neither completed nor failed\n");
        return kLost;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "soak: bad client: %s\n", e.what());
        return kCrashed;
    }
}

template <typename F>
pid_t spawn(F body) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0)
        _exit(body());
    return pid;
}

unsigned reset_count(const seed::Device& dev) {
    namespace fs = std::filesystem;
    const fs::path sysfs =
        fs::path("/sys/class/accel") / fs::path(dev.info().node).filename() / "device";
    return static_cast<unsigned>(std::stoul(seed::vm::read_line(sysfs / "reset_count")));
}

TEST(Soak, MixedJobsUnderInjectedFaults) {
    if (seed::Device::list().empty() || !seed::vm::Control::available(0))
        GTEST_SKIP() << "needs seed-vm with a chip";
    const seed::Device dev = seed::Device::open(0u);
    const std::string debugfs = seed::vm::debugfs_dir(dev.info().node);
    ASSERT_FALSE(debugfs.empty()) << "no debugfs directory for " << dev.info().node;
    ASSERT_TRUE(seed::vm::debugfs_user_hw_queues(debugfs).empty()) << "user queues left over";
    const std::uint64_t baseline = dev.memory_usage().hbm_used;
    const unsigned resets_before = reset_count(dev);
    const auto end = Clock::now() + std::chrono::seconds(soak_seconds());

    // One tally per worker, shared with the children.
    constexpr unsigned kWorkers = kInnocents + 1;
    void* shared = mmap(nullptr, sizeof(Tally) * kWorkers, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(shared, MAP_FAILED);
    Tally* tally = new (shared) Tally[kWorkers];

    std::vector<pid_t> pids;
    for (unsigned i = 0; i < kInnocents; ++i)
        pids.push_back(spawn([i, end, tally] { return innocent(i + 1, end, tally[i]); }));
    pids.push_back(spawn([end, tally] { return bad(end, tally[kInnocents]); }));

    // The rings the workers' queues run on, as the driver reports them in
    // debugfs, once every worker has made its queues (queues share rings).
    std::vector<unsigned> hwqs;
    auto queues_on_rings = [&] {
        int n = 0;
        for (const auto& r : seed::vm::debugfs_rings(debugfs))
            n += r.role == "user" ? r.nqueues : 0;
        return n;
    };
    for (auto deadline = Clock::now() + 30s;
         queues_on_rings() < static_cast<int>(kQueuesInUse) && Clock::now() < deadline;)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(queues_on_rings(), static_cast<int>(kQueuesInUse)) << "user queues in debugfs";
    hwqs = seed::vm::debugfs_user_hw_queues(debugfs);

    // Periodic injections on those queues: an MMU fault and a corrected ECC
    // error every 500 ms, a queue hang every 5 s (each costs its victim a
    // job timeout).
    seed::vm::Control ctl(0);
    std::mt19937 rng(1);
    std::uniform_int_distribution<std::size_t> pick(0, hwqs.empty() ? 0 : hwqs.size() - 1);
    unsigned mmu = 0, ecc = 0, hangs = 0;
    for (unsigned tick = 1; !hwqs.empty() && Clock::now() < end; ++tick) {
        std::this_thread::sleep_for(500ms);
        const unsigned q = hwqs[pick(rng)];
        EXPECT_EQ(ctl.command("mmu-fault " + std::to_string(q)), "ok");
        ++mmu;
        EXPECT_EQ(ctl.command("ecc corrected " + std::to_string(q * 4096)).rfind("ok", 0), 0u);
        ++ecc;
        if (tick % 10 == 0) {
            EXPECT_EQ(ctl.command("hang-queue " + std::to_string(hwqs[pick(rng)])), "ok");
            ++hangs;
        }
    }
    ctl.command("clear");

    for (pid_t pid : pids) {
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status)) << "worker " << pid << " died by a signal";
        EXPECT_EQ(WEXITSTATUS(status), kOk) << "worker " << pid;
    }
    std::printf("soak: %u s, injected %u MMU faults, %u corrected ECC errors, %u queue hangs\n",
                soak_seconds(), mmu, ecc, hangs);

    // Every innocent made progress, and the failures add up to no more than
    // was injected.
    unsigned injected_faults = 0, timeouts = 0, resets = 0;
    for (unsigned i = 0; i < kWorkers; ++i) {
        const Tally& t = tally[i];
        injected_faults += t.injected_faults;
        timeouts += t.timeouts;
        resets += t.resets;
        if (i < kInnocents) {
            EXPECT_GE(t.verified.load(), kMinVerifiedRounds) << "client " << i + 1;
            EXPECT_GT(t.verified.load(), t.failed.load()) << "client " << i + 1;
        }
    }
    EXPECT_LE(injected_faults, mmu) << "more injected-looking MMU faults than injections";
    EXPECT_LE(timeouts, hangs) << "more timeouts than hangs injected";
    if (resets > 0) {
        EXPECT_GT(reset_count(dev), resets_before) << "jobs failed with RESET, but no device reset";
    }
    munmap(shared, sizeof(Tally) * kWorkers);

    // Every client is gone: HBM usage is back where it was.
    const auto deadline = Clock::now() + 10s;
    while (dev.memory_usage().hbm_used != baseline && Clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    EXPECT_EQ(dev.memory_usage().hbm_used, baseline);
}

} // namespace
