// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EnginePool: strict priority, round robin within a priority, abort while
// waiting, busy time.
#include "engine_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace seed::device {
namespace {

TEST(EnginePool, PriorityThenRoundRobin) {
    EnginePool pool(1);
    std::atomic<bool> no_abort{false};
    std::atomic<uint32_t> prio_low{1}, prio_high{3};
    std::atomic<uint32_t> idle{0};
    auto first = pool.acquire(0, idle, no_abort);
    ASSERT_TRUE(first.has_value());
    std::mutex lock;
    std::vector<unsigned> order;
    std::vector<std::thread> waiters;
    auto waiter = [&](unsigned q, std::atomic<uint32_t>& prio) {
        waiters.emplace_back([&, q, p = &prio] {
            auto e = pool.acquire(q, *p, no_abort);
            ASSERT_TRUE(e.has_value());
            {
                std::lock_guard guard(lock);
                order.push_back(q);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            pool.release(*e);
        });
    };
    waiter(2, prio_low);
    waiter(5, prio_high);
    waiter(1, prio_high);
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // all three wait
    pool.release(*first);
    for (auto& t : waiters)
        t.join();
    EXPECT_EQ(order, (std::vector<unsigned>{1, 5, 2}));
    EXPECT_GT(pool.busy_ns(0), 2'000'000u);
}

TEST(EnginePool, AbortWhileWaiting) {
    EnginePool pool(1);
    std::atomic<bool> abort{false};
    std::atomic<uint32_t> prio{0};
    auto held = pool.acquire(0, prio, abort);
    ASSERT_TRUE(held.has_value());
    std::thread t([&] { EXPECT_FALSE(pool.acquire(1, prio, abort).has_value()); });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    abort = true;
    pool.wake();
    t.join();
    pool.release(*held);
    abort = false;
    EXPECT_TRUE(pool.acquire(1, prio, abort).has_value());
}

} // namespace
} // namespace seed::device
