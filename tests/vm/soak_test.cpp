// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Proof under load (short form; the long form is the same test with
// SEED_SOAK_SECONDS=600, see docs/performance.md): several processes, each
// with several queues, run mixed jobs (FILL, COPY through HBM, GEMM) with
// cross-queue dependencies and verify every result, while a deliberately bad
// process faults its MMU over and over and the test injects device faults
// (queue hangs, MMU faults and corrected ECC errors on the queues in use).
// Checks: every job completes or reports why it failed, within a bound (no
// completion is lost); innocent data is correct whenever its jobs succeeded;
// the bad process sees only its own faults; HBM usage returns to baseline.
// seed-vm fails the run on any WARN/oops in dmesg.

#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
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

struct LostCompletion {};

void wait_bounded(const seed::Fence& f) {
    if (!f.wait_for(kCompletionBound))
        throw LostCompletion{};
}

// Queues the soak uses: the driver hands out the lowest free hardware queue,
// so 3 innocent clients x 3 queues + the bad client's own are queues 0..9.
constexpr unsigned kInnocents = 3;
constexpr unsigned kQueuesPerClient = 3;
constexpr unsigned kQueuesInUse = kInnocents * kQueuesPerClient + 1;

// An innocent client: Q queues, each round a FILL on queue i, a COPY through
// HBM on queue i+1 depending on it, and a small GEMM; everything verified.
int innocent(unsigned id, Clock::time_point end) {
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

        unsigned round = 0, failed = 0;
        std::map<seed::JobFailure, unsigned> reasons;
        while (Clock::now() < end) {
            const std::uint32_t value = (id << 24) | (round & 0xffffff);
            seed::Queue& q0 = queues[round % kQueues];
            seed::Queue& q1 = queues[(round + 1) % kQueues];
            try {
                const seed::Fence f = q0.fill(src, src.size(), value);
                const seed::Fence g = q1.copy(hbm, src, std::span(&f, 1));
                wait_bounded(q0.copy(dst, hbm, std::span(&g, 1)));
                for (std::uint32_t v : dst.span<std::uint32_t>())
                    if (v != value)
                        return kWrongData;
                wait_bounded(q1.gemm(gp, a, a, c));
                for (float v : c.span<float>())
                    if (v != float{n})
                        return kWrongData;
            } catch (const seed::JobError& e) {
                // Injected faults hit innocent queues too: the job must say why.
                if (e.reason() == seed::JobFailure::none || e.reason() == seed::JobFailure::unknown)
                    return kUnexplained;
                ++failed;
                ++reasons[e.reason()];
            }
            ++round;
        }
        std::string why;
        for (const auto& [reason, count] : reasons)
            why += " " + seed::to_string(reason) + "=" + std::to_string(count);
        std::printf("soak: client %u: %u rounds, %u failed with a reason:%s\n", id, round, failed,
                    why.c_str());
        return kOk;
    } catch (const LostCompletion&) {
        std::fprintf(stderr, "soak: client %u: a job neither completed nor failed\n", id);
        return kLost;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "soak: client %u: %s\n", id, e.what());
        return kCrashed;
    }
}

// The bad client: COPY from an unmapped address, over and over.
int bad(Clock::time_point end) {
    try {
        const seed::Device dev = seed::Device::open(0u);
        seed::Queue queue(dev);
        const seed::Buffer dst(dev, 4096, seed::Placement::host);
        unsigned faults = 0;
        while (Clock::now() < end) {
            seed::CommandList list(dev);
            list.copy_va(dst.device_va(), 0x1000, 64);
            try {
                wait_bounded(queue.submit(list));
                return kUnexplained; // an unmapped read must fault
            } catch (const seed::JobError& e) {
                // Its own fault, or an injected hang / another queue's reset.
                if (e.reason() != seed::JobFailure::mmu_fault &&
                    e.reason() != seed::JobFailure::reset &&
                    e.reason() != seed::JobFailure::timeout)
                    return kUnexplained;
                ++faults;
            }
            std::this_thread::sleep_for(50ms);
        }
        std::printf("soak: bad client: %u faults, all reported\n", faults);
        return faults > 0 ? kOk : kUnexplained;
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
    const pid_t pid = fork();
    if (pid == 0)
        _exit(body());
    return pid;
}

TEST(Soak, MixedJobsUnderInjectedFaults) {
    if (seed::Device::list().empty() || !seed::vm::Control::available(0))
        GTEST_SKIP() << "needs seed-vm with a chip";
    const seed::Device dev = seed::Device::open(0u);
    const std::uint64_t baseline = dev.memory_usage().hbm_used;
    const auto end = Clock::now() + std::chrono::seconds(soak_seconds());

    std::vector<pid_t> pids;
    for (unsigned i = 0; i < kInnocents; ++i)
        pids.push_back(spawn([i, end] { return innocent(i + 1, end); }));
    pids.push_back(spawn([end] { return bad(end); }));

    // Periodic injections on the queues in use: an MMU fault and a corrected
    // ECC error every 500 ms, a queue hang every 5 s (each costs its victim a
    // job timeout).
    seed::vm::Control ctl(0);
    std::mt19937 rng(1);
    std::uniform_int_distribution<unsigned> pick(0, kQueuesInUse - 1);
    unsigned mmu = 0, ecc = 0, hangs = 0;
    for (unsigned tick = 1; Clock::now() < end; ++tick) {
        std::this_thread::sleep_for(500ms);
        const unsigned q = pick(rng);
        EXPECT_EQ(ctl.command("mmu-fault " + std::to_string(q)), "ok");
        ++mmu;
        EXPECT_EQ(ctl.command("ecc corrected " + std::to_string(q * 4096)).rfind("ok", 0), 0u);
        ++ecc;
        if (tick % 10 == 0) {
            EXPECT_EQ(ctl.command("hang-queue " + std::to_string(pick(rng))), "ok");
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

    // Every client is gone: HBM usage is back where it was.
    const auto deadline = Clock::now() + 10s;
    while (dev.memory_usage().hbm_used != baseline && Clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    EXPECT_EQ(dev.memory_usage().hbm_used, baseline);
}

} // namespace
