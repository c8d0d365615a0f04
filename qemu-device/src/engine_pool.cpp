// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EnginePool: priority and round-robin engine arbitration.
#include "engine_pool.h"

#include "device_clock.h"

namespace seed::device {

EnginePool::EnginePool(unsigned engines)
    : engines_(engines), reserved_for_(engines, -1), busy_ns_(engines, 0), busy_since_(engines, 0) {
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

uint32_t EnginePool::priority_locked(int queue) const {
    const auto* p = priority_of_[static_cast<unsigned>(queue)];
    return p != nullptr ? p->load(std::memory_order_relaxed) & SEED_PRIORITY_MAX : 0;
}

int EnginePool::usable_locked(unsigned queue) const {
    // Its own reservation first, then an unreserved engine, then one kept
    // for a queue of no higher priority.
    int unreserved = -1, lower = -1;
    const uint32_t mine = priority_locked(static_cast<int>(queue));
    for (size_t i = 0; i < free_.size(); ++i) {
        const int owner = reserved_for_[free_[i]];
        if (owner == static_cast<int>(queue))
            return static_cast<int>(i);
        if (owner < 0 && unreserved < 0)
            unreserved = static_cast<int>(i);
        else if (owner >= 0 && lower < 0 && priority_locked(owner) <= mine)
            lower = static_cast<int>(i);
    }
    return unreserved >= 0 ? unreserved : lower;
}

std::optional<unsigned> EnginePool::acquire(unsigned queue, const std::atomic<uint32_t>& priority,
                                            const std::atomic<bool>& abort) {
    std::unique_lock guard(lock_);
    if (waiting_[queue] == nullptr)
        waiters_.fetch_add(1, std::memory_order_relaxed);
    waiting_[queue] = &priority;
    priority_of_[queue] = &priority;
    for (;;) {
        if (abort.load()) {
            waiting_[queue] = nullptr;
            waiters_.fetch_sub(1, std::memory_order_relaxed);
            guard.unlock();
            cv_.notify_all(); // another queue may now be the chosen one
            return std::nullopt;
        }
        const int slot = choose_locked() == static_cast<int>(queue) ? usable_locked(queue) : -1;
        if (slot >= 0) {
            const unsigned e = free_[static_cast<size_t>(slot)];
            free_.erase(free_.begin() + slot);
            reserved_for_[e] = -1;
            waiting_[queue] = nullptr;
            waiters_.fetch_sub(1, std::memory_order_relaxed);
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
        reserved_for_[engine] = -1;
        free_.push_back(engine);
    }
    cv_.notify_all();
}

void EnginePool::release(unsigned engine, unsigned queue) {
    {
        std::lock_guard guard(lock_);
        busy_ns_[engine] += device_clock_ns() - busy_since_[engine];
        busy_since_[engine] = 0;
        const uint32_t mine = priority_locked(static_cast<int>(queue));
        bool contested = false;
        for (unsigned q = 0; q < SEED_MAX_QUEUES && !contested; ++q)
            contested = q != queue && waiting_[q] != nullptr &&
                        (waiting_[q]->load(std::memory_order_relaxed) & SEED_PRIORITY_MAX) >= mine;
        reserved_for_[engine] = contested ? -1 : static_cast<int>(queue);
        free_.push_back(engine);
    }
    cv_.notify_all();
}

void EnginePool::drop(unsigned queue) {
    bool changed = false;
    {
        std::lock_guard guard(lock_);
        if (queue >= SEED_MAX_QUEUES)
            return;
        for (unsigned e : free_)
            if (reserved_for_[e] == static_cast<int>(queue)) {
                reserved_for_[e] = -1;
                changed = true;
            }
        if (waiting_[queue] == nullptr)
            priority_of_[queue] = nullptr;
    }
    if (changed)
        cv_.notify_all();
}

std::vector<unsigned> EnginePool::lend(unsigned queue, unsigned max) {
    std::vector<unsigned> lent;
    std::lock_guard guard(lock_);
    if (queue >= SEED_MAX_QUEUES || waiters_.load(std::memory_order_relaxed) != 0)
        return lent;
    for (size_t i = 0; i < free_.size() && lent.size() < max;) {
        const unsigned e = free_[i];
        const int owner = reserved_for_[e];
        if ((owner >= 0 && owner != static_cast<int>(queue)) || slow_factor(e) != 1) {
            ++i;
            continue;
        }
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
        reserved_for_[e] = -1;
        busy_since_[e] = device_clock_ns() | 1;
        lent.push_back(e);
    }
    return lent;
}

unsigned EnginePool::free_count() const {
    std::lock_guard guard(lock_);
    return static_cast<unsigned>(free_.size());
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
