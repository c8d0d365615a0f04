// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The thread-safety rules of include/seed/seed.hpp, exercised through the
// real driver: many threads submitting to one shared Queue, threads with
// their own Queues and Buffers on one Device, and threads waiting on the
// same fences, with every result checked.

#include "libseed_fixture.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

namespace {

constexpr unsigned kThreads = 4;
constexpr unsigned kRounds = 20;

class LibseedThreads : public seed::vm::LibseedDeviceTest {};

TEST_F(LibseedThreads, ManyThreadsSubmitToOneQueue) {
    seed::Queue queue(*dev_);
    std::vector<seed::Buffer> bufs;
    for (unsigned t = 0; t < kThreads; ++t)
        bufs.emplace_back(*dev_, 1 << 14, seed::Placement::host);

    std::atomic<unsigned> failures{0};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                for (unsigned r = 0; r < kRounds; ++r) {
                    const std::uint32_t value = (t << 16) | r;
                    queue.fill(bufs[t], bufs[t].size(), value).wait();
                    for (std::uint32_t v : bufs[t].span<std::uint32_t>())
                        if (v != value) {
                            ++failures;
                            return;
                        }
                }
            } catch (const std::exception&) {
                ++failures;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(failures.load(), 0u);
}

TEST_F(LibseedThreads, ThreadsWithOwnQueuesAndBuffersShareADevice) {
    std::atomic<unsigned> failures{0};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                seed::Queue queue(*dev_);
                for (unsigned r = 0; r < kRounds / 2; ++r) {
                    // Buffers come and go while other threads allocate too.
                    const seed::Buffer hbm(*dev_, 1 << 16, seed::Placement::device);
                    const seed::Buffer host(*dev_, 1 << 16, seed::Placement::host);
                    const std::uint32_t value = 0xa0000000u | (t << 8) | r;
                    queue.fill(hbm, hbm.size(), value);
                    queue.copy(host, hbm).wait();
                    for (std::uint32_t v : host.span<std::uint32_t>())
                        if (v != value) {
                            ++failures;
                            return;
                        }
                }
            } catch (const std::exception&) {
                ++failures;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(failures.load(), 0u);
}

TEST_F(LibseedThreads, ManyThreadsWaitOnTheSameFences) {
    seed::Queue queue(*dev_);
    const seed::Buffer flag(*dev_, 4096, seed::Placement::host);
    seed::CommandList waiter(*dev_);
    waiter.wait(flag, 1);
    const seed::Fence gate = queue.submit(waiter);
    std::vector<seed::Fence> fences{gate};
    const seed::Buffer out(*dev_, 4096, seed::Placement::host);
    fences.push_back(queue.fill(out, out.size(), 7));

    std::atomic<unsigned> done{0}, failures{0};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            try {
                if (!seed::wait_all(fences))
                    ++failures;
                ++done;
            } catch (const std::exception&) {
                ++failures;
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(done.load(), 0u) << "nobody may pass the gate before it opens";
    EXPECT_FALSE(gate.ready());
    flag.span<std::uint64_t>()[0] = 1; // the device's WAIT polls host memory
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(done.load(), kThreads);
    EXPECT_EQ(failures.load(), 0u);
    EXPECT_EQ(out.span<std::uint32_t>()[0], 7u);
}

} // namespace
