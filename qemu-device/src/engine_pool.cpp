// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EnginePool: priority and round-robin engine arbitration.
#include "engine_pool.h"

#include "device_clock.h"

namespace seed::device {

EnginePool::EnginePool(unsigned engines)
    : engines_(engines), busy_ns_(engines, 0), busy_since_(engines, 0) {
    for (unsigned e = engines; e-- > 0;)
        free_.push_back(e);
    last_served_.fill(-1);
    for (auto& factor : slow_)
        factor.store(1, std::memory_order_relaxed);
}

int EnginePool::choose_locked() const {
    int best = -1;
    uint32_t best_prio = 0;
    for (int q = 0; q < SEED_MAX_QUEUES; ++q) {
        if (waiting_[q] == nullptr)
            continue;
        uint32_t p = waiting_[q]->load(std::memory_order_relaxed) & SEED_PRIORITY_MAX;
        if (best < 0 || p > best_prio) {
            best = q;
            best_prio = p;
        }
    }
    if (best < 0)
        return -1;
    // Round robin among the queues of that priority, after the last served.
    const int start = last_served_[best_prio] + 1;
    for (int i = 0; i < SEED_MAX_QUEUES; ++i) {
        int q = (start + i) % SEED_MAX_QUEUES;
        if (waiting_[q] != nullptr &&
            (waiting_[q]->load(std::memory_order_relaxed) & SEED_PRIORITY_MAX) == best_prio)
            return q;
    }
    return best;
}

std::optional<unsigned> EnginePool::acquire(unsigned queue, const std::atomic<uint32_t>& priority,
                                            const std::atomic<bool>& abort) {
    std::unique_lock guard(lock_);
    waiting_[queue] = &priority;
    for (;;) {
        if (abort.load()) {
            waiting_[queue] = nullptr;
            guard.unlock();
            cv_.notify_all(); // another queue may now be the chosen one
            return std::nullopt;
        }
        if (!free_.empty() && choose_locked() == static_cast<int>(queue)) {
            unsigned e = free_.back();
            free_.pop_back();
            waiting_[queue] = nullptr;
            last_served_[priority.load() & SEED_PRIORITY_MAX] = static_cast<int>(queue);
            busy_since_[e] = device_clock_ns() | 1;
            return e;
        }
        cv_.wait(guard);
    }
}

void EnginePool::release(unsigned engine) {
    {
        std::lock_guard guard(lock_);
        busy_ns_[engine] += device_clock_ns() - busy_since_[engine];
        busy_since_[engine] = 0;
        free_.push_back(engine);
    }
    cv_.notify_all();
}

void EnginePool::wake() {
    { std::lock_guard guard(lock_); }
    cv_.notify_all();
}

uint64_t EnginePool::busy_ns(unsigned engine) const {
    std::lock_guard guard(lock_);
    if (engine >= engines_)
        return 0;
    uint64_t ns = busy_ns_[engine];
    if (busy_since_[engine] != 0)
        ns += device_clock_ns() - busy_since_[engine];
    return ns;
}

} // namespace seed::device
