// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed::FenceWaiter: many fences waited on from one thread
// through syncobj eventfds polled in one io_uring, reported in the order
// they signal, with timeouts, failed jobs, imported sync files and 256
// fences at once.
#include "libseed_fixture.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace {

using namespace std::chrono_literals;

class LibseedFenceWaiter : public seed::vm::LibseedDeviceTest {
protected:
    seed::Buffer host(std::uint64_t size) { return {*dev_, size, seed::Placement::host}; }

    static void host_signal(const seed::Buffer& sem, std::uint64_t value) {
        std::atomic_ref<std::uint64_t>(sem.span<std::uint64_t>()[0])
            .store(value, std::memory_order_release);
    }
};

// Four jobs on four queues, released one at a time in an order unrelated to
// submission: each wait() reports exactly the job just released.
TEST_F(LibseedFenceWaiter, ReportsFencesInTheOrderTheySignal) {
    auto sem = host(4096);
    host_signal(sem, 0);
    const std::uint64_t threshold[] = {3, 1, 4, 2}; // job i runs once sem >= threshold[i]
    std::vector<seed::Queue> queues;
    std::vector<seed::CommandList> lists;
    for (int i = 0; i < 4; ++i) {
        queues.emplace_back(*dev_);
        lists.emplace_back(*dev_);
        lists.back().wait(sem, threshold[i]);
    }
    seed::FenceWaiter waiter;
    std::map<std::uint64_t, int> job_of_id;
    for (int i = 0; i < 4; ++i)
        job_of_id[waiter.add(queues[i].submit(lists[i]))] = i;
    EXPECT_EQ(waiter.pending(), 4u);
    EXPECT_TRUE(waiter.wait(20ms).empty()); // nothing released yet

    for (std::uint64_t step = 1; step <= 4; ++step) {
        host_signal(sem, step);
        const auto got = waiter.wait(10s);
        ASSERT_EQ(got.size(), 1u) << "step " << step;
        EXPECT_EQ(threshold[job_of_id.at(got[0].id)], step);
        EXPECT_EQ(got[0].status.reason, seed::JobFailure::none);
        EXPECT_TRUE(got[0].fence.ready());
        EXPECT_EQ(waiter.pending(), 4u - step);
    }
    EXPECT_TRUE(waiter.wait(1ms).empty());
}

TEST_F(LibseedFenceWaiter, TimesOutWhileNothingSignals) {
    auto sem = host(4096);
    host_signal(sem, 0);
    seed::Queue q(*dev_);
    seed::CommandList blocked(*dev_);
    blocked.wait(sem, 1);
    seed::FenceWaiter waiter;
    const std::uint64_t id = waiter.add(q.submit(blocked));
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(waiter.wait(50ms).empty());
    const auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(waited, 45ms);
    EXPECT_TRUE(waiter.wait(0ns).empty()); // a poll
    EXPECT_EQ(waiter.pending(), 1u);
    host_signal(sem, 1);
    const auto got = waiter.wait(10s);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].id, id);
    EXPECT_EQ(waiter.pending(), 0u);
    EXPECT_TRUE(waiter.wait(seed::infinite_timeout).empty()); // nothing pending: no wait
}

// A failed job is reported like any other, with its outcome; the job that
// depended on it is cancelled, and the waiter says so too.
TEST_F(LibseedFenceWaiter, ReportsFailedJobsWithTheirOutcome) {
    seed::Buffer out(*dev_, 4096, seed::Placement::host);
    constexpr std::uint64_t unmapped = 0x7ff000000000ull;
    seed::Queue q(*dev_);
    seed::Queue q2(*dev_);
    seed::CommandList bad(*dev_);
    bad.copy_va(out.device_va(), unmapped, 64);
    seed::CommandList ok(*dev_);
    ok.nop();
    seed::FenceWaiter waiter;
    const seed::Fence fb = q.submit(bad);
    const std::vector<seed::Fence> deps = {fb};
    const std::uint64_t id_bad = waiter.add(fb);
    const std::uint64_t id_dep = waiter.add(q2.submit(ok, deps));
    const std::uint64_t id_ok = waiter.add(q2.submit(ok));
    std::map<std::uint64_t, seed::JobFailure> reason;
    while (waiter.pending() != 0) {
        const auto got = waiter.wait(10s);
        ASSERT_FALSE(got.empty());
        for (const auto& s : got)
            reason[s.id] = s.status.reason;
    }
    EXPECT_EQ(reason.at(id_bad), seed::JobFailure::mmu_fault);
    EXPECT_EQ(reason.at(id_dep), seed::JobFailure::cancelled);
    EXPECT_EQ(reason.at(id_ok), seed::JobFailure::none);
}

// Empty fences, fences signalled before they were added, imported sync
// files and fences of a second Device, in one waiter.
TEST_F(LibseedFenceWaiter, MixesDevicesSyncFilesAndSignalledFences) {
    seed::Queue q(*dev_);
    seed::CommandList nop(*dev_);
    nop.nop();
    const seed::Fence done = q.submit(nop);
    done.wait();
    seed::Device other = seed::Device::open(0u);
    seed::Queue oq(other);
    seed::CommandList onop(other);
    onop.nop();
    auto sem = host(4096);
    host_signal(sem, 0);
    seed::CommandList blocked(*dev_);
    blocked.wait(sem, 1);
    const seed::Fence held = q.submit(blocked);
    const int fd = held.export_sync_file();
    const seed::Fence imported = seed::Fence::import_sync_file(other, fd);
    ::close(fd);

    seed::FenceWaiter waiter;
    std::set<std::uint64_t> early = {waiter.add(seed::Fence()), waiter.add(done),
                                     waiter.add(oq.submit(onop))};
    const std::uint64_t id_imported = waiter.add(imported);
    std::set<std::uint64_t> seen;
    while (seen.size() < early.size()) {
        const auto got = waiter.wait(10s);
        ASSERT_FALSE(got.empty());
        for (const auto& s : got) {
            EXPECT_TRUE(early.contains(s.id)) << s.id;
            EXPECT_TRUE(seen.insert(s.id).second);
        }
    }
    EXPECT_TRUE(waiter.wait(20ms).empty()); // the sync file is still held
    host_signal(sem, 1);
    const auto got = waiter.wait(10s);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].id, id_imported);
    EXPECT_EQ(got[0].status.reason, seed::JobFailure::none);
}

// 256 fences on 4 queues from one thread: each reported once, with its
// outcome. (Points that signal together may be reported in any order among
// themselves: the order test above releases them one at a time.)
TEST_F(LibseedFenceWaiter, WaitsOnManyFencesFromOneThread) {
    constexpr int queues_n = 4;
    constexpr int jobs = 256;
    std::vector<seed::Queue> queues;
    for (int i = 0; i < queues_n; ++i)
        queues.emplace_back(*dev_);
    seed::CommandList nop(*dev_);
    nop.nop();
    seed::FenceWaiter waiter;
    std::set<std::uint64_t> ids;
    for (int j = 0; j < jobs; ++j)
        ids.insert(waiter.add(queues[j % queues_n].submit(nop)));
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(jobs));
    EXPECT_EQ(waiter.pending(), static_cast<std::size_t>(jobs));
    std::set<std::uint64_t> seen;
    while (waiter.pending() != 0) {
        const auto got = waiter.wait(30s);
        ASSERT_FALSE(got.empty()) << seen.size() << " of " << jobs << " reported";
        for (const auto& s : got) {
            ASSERT_TRUE(seen.insert(s.id).second) << "id " << s.id << " reported twice";
            EXPECT_TRUE(ids.contains(s.id));
            EXPECT_TRUE(s.fence.ready());
            EXPECT_EQ(s.status.reason, seed::JobFailure::none);
        }
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(jobs));
}

} // namespace
