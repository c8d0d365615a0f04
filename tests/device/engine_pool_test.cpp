// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EnginePool: strict priority, round robin within a priority, engines kept
// for a queue against lower priorities, abort while waiting, busy time,
// engines lent to a running packet.
#include "engine_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <optional>
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
            pool.release(*e, q);
            pool.drop(q); // its only packet is done
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

// Tries to acquire for @p queue for @p patience; nullopt if it had to wait longer.
std::optional<unsigned> try_acquire(EnginePool& pool, unsigned queue,
                                    const std::atomic<uint32_t>& prio,
                                    std::chrono::milliseconds patience) {
    std::atomic<bool> abort{false};
    std::optional<unsigned> got;
    std::thread t([&] { got = pool.acquire(queue, prio, abort); });
    for (auto until = std::chrono::steady_clock::now() + patience;
         std::chrono::steady_clock::now() < until;)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    abort = true;
    pool.wake();
    t.join();
    return got;
}

TEST(EnginePool, AnEngineGivenBackStaysWithItsQueueAgainstLowerPriorities) {
    EnginePool pool(1);
    std::atomic<bool> no_abort{false};
    std::atomic<uint32_t> high{3}, low{1};
    auto e = pool.acquire(0, high, no_abort);
    ASSERT_TRUE(e.has_value());
    pool.release(*e, 0); // nobody of priority >= 3 waits: kept for queue 0
    EXPECT_FALSE(try_acquire(pool, 1, low, std::chrono::milliseconds(30)).has_value())
        << "a lower priority took an engine kept for a higher one";
    e = pool.acquire(0, high, no_abort); // queue 0's next packet
    ASSERT_TRUE(e.has_value());
    pool.release(*e, 0);
    // The queue runs out of engine work: the engine is everyone's again.
    std::optional<unsigned> got;
    std::thread t([&] { got = pool.acquire(1, low, no_abort); });
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pool.drop(0);
    t.join();
    ASSERT_TRUE(got.has_value());
    pool.release(*got);
}

TEST(EnginePool, AKeptEngineGoesToAnEqualOrHigherPriority) {
    EnginePool pool(1);
    std::atomic<bool> no_abort{false};
    std::atomic<uint32_t> normal{1}, high{2};
    for (auto* other : {&normal, &high}) {
        auto e = pool.acquire(0, normal, no_abort);
        ASSERT_TRUE(e.has_value());
        pool.release(*e, 0); // kept for queue 0
        auto taken = try_acquire(pool, 1, *other, std::chrono::milliseconds(200));
        ASSERT_TRUE(taken.has_value()) << "priority " << other->load() << " could not take it";
        pool.release(*taken);
    }
}

TEST(EnginePool, AnEngineGivenBackWhileAnEqualPriorityWaitsIsNotKept) {
    EnginePool pool(1);
    std::atomic<bool> no_abort{false};
    std::atomic<uint32_t> prio{2};
    auto e = pool.acquire(0, prio, no_abort);
    ASSERT_TRUE(e.has_value());
    std::optional<unsigned> got;
    std::thread t([&] { got = pool.acquire(1, prio, no_abort); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // queue 1 waits
    pool.release(*e, 0);
    t.join();
    ASSERT_TRUE(got.has_value());
    // Queue 0 comes back for its next packet: queue 1 holds the only engine.
    EXPECT_FALSE(try_acquire(pool, 0, prio, std::chrono::milliseconds(20)).has_value());
    pool.release(*got, 1);
    EXPECT_TRUE(try_acquire(pool, 0, prio, std::chrono::milliseconds(200)).has_value());
}

TEST(EnginePool, LendsFreeEnginesOnlyWhileNobodyWaits) {
    EnginePool pool(4);
    std::atomic<bool> no_abort{false};
    std::atomic<uint32_t> prio{1};
    auto own = pool.acquire(0, prio, no_abort);
    ASSERT_TRUE(own.has_value());
    // Engine kept for queue 2 (another queue): not lent to queue 0.
    auto kept = pool.acquire(2, prio, no_abort);
    ASSERT_TRUE(kept.has_value());
    pool.release(*kept, 2);
    pool.set_slow_factor(1, 3); // a slow engine is not lent either
    EXPECT_FALSE(pool.contended());
    auto lent = pool.lend(0, 8);
    EXPECT_EQ(lent.size(), *kept == 1 ? 2u : 1u);
    for (unsigned e : lent) {
        EXPECT_NE(e, *own);
        EXPECT_NE(e, *kept);
        EXPECT_NE(e, 1u);
    }
    for (unsigned e : lent)
        pool.release(e);
    pool.set_slow_factor(1, 1);
    pool.drop(2);

    // While a queue waits, nothing is lent and contended() tells lenders to give back.
    std::vector<unsigned> taken;
    for (unsigned i = 0; i < 3; ++i) {
        auto e = pool.acquire(10 + i, prio, no_abort);
        ASSERT_TRUE(e.has_value());
        taken.push_back(*e);
    }
    std::optional<unsigned> got;
    std::thread t([&] { got = pool.acquire(5, prio, no_abort); });
    while (!pool.contended())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    pool.release(taken.back());
    taken.pop_back();
    t.join();
    ASSERT_TRUE(got.has_value());
    EXPECT_FALSE(pool.contended());
    pool.release(*got);
    EXPECT_EQ(pool.lend(0, 8).size(), 1u) << "the engine given back is free again";
}

TEST(EnginePool, LentEnginesCountAsBusy) {
    EnginePool pool(2);
    std::atomic<bool> no_abort{false};
    std::atomic<uint32_t> prio{0};
    auto own = pool.acquire(0, prio, no_abort);
    ASSERT_TRUE(own.has_value());
    auto lent = pool.lend(0, 1);
    ASSERT_EQ(lent.size(), 1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    pool.release(lent[0]);
    pool.release(*own, 0);
    EXPECT_GE(pool.busy_ns(lent[0]), 5'000'000u);
}

} // namespace
} // namespace seed::device
