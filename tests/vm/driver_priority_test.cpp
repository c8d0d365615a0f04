// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Queue priorities through the driver. The UAPI (DRM_SEED_PRIORITY_*) orders
// them LOW < NORMAL < HIGH < REALTIME ("lowest", "above normal", "highest");
// the device gives a free engine to the waiting queue with the highest
// priority, strictly (docs/hardware.md §9.1). So when more work is ready
// than there are engines, every job of a higher priority finishes before any
// job of a lower one, even though the higher ones were submitted later.
//
// The device's fault injection makes the engines slow (`slow all F`,
// docs/hardware.md §16.3) so that the work queues up: every level gets as
// many queues as there are engines, each queue one job of several FILL
// packets, four levels of work for one level's worth of engines. The jobs
// are submitted lowest priority first; each starts with a WAIT on one host
// flag, so that all of them are ready at once when the test sets it, and
// then ends with a device timestamp. A hardware queue keeps its engine
// between packets against lower priorities (§9.1), so the work of a higher
// priority is not overtaken between two of its packets either.
//
// One job per hardware queue of a level (the driver spreads a level's queues
// over its rings_per_priority rings, as many as the engines here): two jobs
// on one ring run one after the other, and when a ring of a level has
// finished both while another ring of the level still runs its second, the
// free engine rightly goes to a lower level. Whether the lower job then
// finishes first depends on how far apart the level's rings started, which
// grows from level to level; it once did (by 4 ms, one CI run in about
// twenty).

#include "debugfs.hpp"
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

constexpr seed::Priority kLevels[] = {seed::Priority::low, seed::Priority::normal,
                                      seed::Priority::high, seed::Priority::realtime};
constexpr const char* kLevelNames[] = {"low", "normal", "high", "realtime"};
constexpr std::uint64_t kFillBytes = 4 << 20;
constexpr std::uint64_t kFirstFillBytes = 4096;
constexpr unsigned kPacketsPerJob = 6;
// What one slowed FILL should take: long next to the guest's own jitter.
constexpr auto kPacketTarget = 40ms;

class DriverPriority : public ::testing::Test {
protected:
    void SetUp() override {
        if (!seed::vm::chips() || !seed::vm::Control::available(0))
            GTEST_SKIP() << "needs seed-vm's fault-injection channel";
        ctl_ = std::make_unique<seed::vm::Control>(0);
    }
    void TearDown() override {
        if (ctl_) {
            EXPECT_EQ(ctl_->command("slow all 1"), "ok");
        }
    }

    std::unique_ptr<seed::vm::Control> ctl_;
};

TEST_F(DriverPriority, HigherPriorityJobsSubmittedLaterFinishFirst) {
    const seed::Device dev = seed::Device::open(0u);
    const unsigned engines = dev.info().num_engines;
    const unsigned per_level = engines;
    const std::string debugfs = seed::vm::debugfs_dir(dev.info().node);
    ASSERT_FALSE(debugfs.empty()) << "no debugfs directory for " << dev.info().node;
    {
        unsigned rings[4] = {};
        for (const auto& r : seed::vm::debugfs_rings(debugfs))
            if (r.role == "user" && r.priority < 4)
                ++rings[r.priority];
        for (unsigned level = 0; level < 4; ++level)
            ASSERT_GE(rings[level], per_level)
                << kLevelNames[level] << ": fewer rings than engines (rings_per_priority)";
    }

    // How long one FILL takes at normal speed, to choose the slow factor.
    seed::Queue probe(dev);
    const seed::Buffer probe_buf(dev, kFillBytes, seed::Placement::device);
    seed::Event t0(dev), t1(dev);
    seed::CommandList probe_list(dev);
    t0.record(probe_list);
    probe_list.fill(probe_buf, kFillBytes, 1);
    t1.record(probe_list);
    probe.submit(probe_list).wait();
    const auto native = std::max(seed::elapsed(t0, t1), std::chrono::nanoseconds(1000));
    const auto factor = std::clamp<std::int64_t>(
        std::chrono::nanoseconds(kPacketTarget).count() / native.count(), 2, 1000);

    struct Job {
        unsigned level;
        std::unique_ptr<seed::Queue> queue;
        std::unique_ptr<seed::Buffer> buf;
        std::unique_ptr<seed::Event> end;
        std::unique_ptr<seed::CommandList> list;
        seed::Fence fence;
    };
    const seed::Buffer flag(dev, 4096, seed::Placement::host);
    std::vector<Job> jobs;
    for (unsigned level = 0; level < 4; ++level)
        for (unsigned i = 0; i < per_level; ++i) {
            Job j{level,
                  std::make_unique<seed::Queue>(dev, kLevels[level]),
                  std::make_unique<seed::Buffer>(dev, kFillBytes, seed::Placement::device),
                  std::make_unique<seed::Event>(dev),
                  std::make_unique<seed::CommandList>(dev),
                  {}};
            j.list->wait(flag, 1);
            // A short first FILL: the queues see the flag within a poll
            // interval of each other, and a lower one that sees it first
            // takes a free engine (no preemption); that costs this packet
            // only, after which the engine goes to the higher priority.
            j.list->fill(*j.buf, kFirstFillBytes, 0);
            for (unsigned p = 0; p < kPacketsPerJob; ++p)
                j.list->fill(*j.buf, kFillBytes, 0x0101010101010101ull * (level + 1));
            j.end->record(*j.list);
            jobs.push_back(std::move(j));
        }

    ASSERT_EQ(ctl_->command("slow all " + std::to_string(factor)), "ok");
    for (auto& j : jobs) // lowest priority first
        j.fence = j.queue->submit(*j.list);
    // Every job must be on the hardware before the flag is set: one still
    // in the scheduler when its ring runs dry lets a lower priority take
    // the engine (a slower guest kernel, such as the debug one, shows it).
    const auto on_hardware = [&debugfs] {
        unsigned n = 0;
        for (const auto& r : seed::vm::debugfs_rings(debugfs))
            if (r.role == "user")
                n += r.inflight;
        return n;
    };
    for (auto until = std::chrono::steady_clock::now() + 60s;
         on_hardware() < jobs.size() && std::chrono::steady_clock::now() < until;)
        std::this_thread::sleep_for(10ms);
    ASSERT_EQ(on_hardware(), jobs.size()) << "jobs did not all reach the hardware";
    for (const auto& j : jobs)
        ASSERT_FALSE(j.fence.ready()) << "a job ran before its WAIT was released";
    std::atomic_ref<std::uint64_t>(flag.span<std::uint64_t>()[0]).store(1);

    std::vector<seed::Fence> fences;
    for (const auto& j : jobs)
        fences.push_back(j.fence);
    ASSERT_TRUE(seed::wait_all(fences, 300s)) << "jobs did not finish";
    EXPECT_EQ(ctl_->command("slow all 1"), "ok");

    // First and last finish time of each level, in device time.
    std::uint64_t first[4], last[4];
    std::fill(std::begin(first), std::end(first), UINT64_MAX);
    std::fill(std::begin(last), std::end(last), 0);
    for (const auto& j : jobs) {
        const auto t = j.end->device_time_ns();
        ASSERT_TRUE(t.has_value());
        first[j.level] = std::min(first[j.level], *t);
        last[j.level] = std::max(last[j.level], *t);
    }
    const std::uint64_t origin = *std::min_element(std::begin(first), std::end(first));
    std::string timeline;
    for (unsigned level = 0; level < 4; ++level)
        timeline += std::string(kLevelNames[level]) + " " +
                    std::to_string((first[level] - origin) / 1000000) + ".." +
                    std::to_string((last[level] - origin) / 1000000) + " ms; ";
    const std::string summary = "slow factor " + std::to_string(factor) + ", " +
                                std::to_string(per_level) + " queues per level; finish times " +
                                timeline;
    std::printf("priority: %s\n", summary.c_str());
    SCOPED_TRACE(summary);
    for (unsigned level = 0; level + 1 < 4; ++level)
        EXPECT_LT(last[level + 1], first[level])
            << kLevelNames[level + 1] << " jobs did not all finish before the first "
            << kLevelNames[level] << " one";
}

} // namespace
