// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EnginePool: the compute engines shared by all queues (docs/hardware.md
// §9.1). A free engine goes to the waiting queue with the highest priority,
// round robin in queue-number order among equal priorities. An engine that
// a queue gives back while nobody of its priority or higher waits stays
// reserved for it, against lower priorities, until the queue runs out of
// engine work (drop()). A packet that holds an engine may borrow the free
// ones while no queue waits (lend(), §11.1). Also measures per-engine busy
// time (§15.2).
#pragma once

#include <hw/seed_hw.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace seed::device {

class EnginePool {
public:
    explicit EnginePool(unsigned engines);

    unsigned engine_count() const { return engines_; }

    /// Blocks until queue @p queue is granted an engine, or @p abort is set
    /// (then nullopt). @p priority is read at each scheduling decision.
    std::optional<unsigned> acquire(unsigned queue, const std::atomic<uint32_t>& priority,
                                    const std::atomic<bool>& abort);
    /// Gives @p engine back to everyone.
    void release(unsigned engine);
    /// Gives @p engine back after a packet of @p queue: it stays reserved
    /// for that queue unless a queue of the same or a higher priority waits.
    void release(unsigned engine, unsigned queue);
    /// @p queue has no engine work coming (idle, blocked in a WAIT, stopped,
    /// reset): its reservations end.
    void drop(unsigned queue);
    /// Makes waiters re-check their abort flag.
    void wake();

    /// Lends up to @p max free engines to the packet @p queue runs now, if no
    /// queue waits for an engine: engines unreserved or reserved for @p queue,
    /// running at normal speed. Each goes back with release(engine).
    std::vector<unsigned> lend(unsigned queue, unsigned max);
    /// Engines free now (a hint: it may change at once).
    unsigned free_count() const;
    /// True while some queue waits for an engine: lent engines should go back.
    bool contended() const { return waiters_.load(std::memory_order_relaxed) != 0; }

    /// Busy nanoseconds of @p engine since power-on (including a packet running now).
    uint64_t busy_ns(unsigned engine) const;

    /// Fault injection (§16): packets on @p engine take @p factor times as
    /// long (1 = normal). Survives resets.
    void set_slow_factor(unsigned engine, uint32_t factor) {
        if (engine < engines_ && engine < slow_.size())
            slow_[engine].store(factor, std::memory_order_relaxed);
    }
    uint32_t slow_factor(unsigned engine) const {
        return engine < engines_ && engine < slow_.size()
                   ? slow_[engine].load(std::memory_order_relaxed)
                   : 1;
    }

private:
    /// Picks the queue that gets the next engine; caller holds lock_.
    int choose_locked() const;
    uint32_t priority_locked(int queue) const;
    /// Index in free_ of an engine @p queue may take, or -1.
    int usable_locked(unsigned queue) const;

    const unsigned engines_;
    mutable std::mutex lock_; /* Protects everything below */
    std::condition_variable cv_;
    std::vector<unsigned> free_;
    std::vector<int> reserved_for_; // per engine: the queue it is kept for while free, or -1
    // Each queue's priority register, from its acquire() until drop().
    std::array<const std::atomic<uint32_t>*, SEED_MAX_QUEUES> priority_of_{};
    std::array<const std::atomic<uint32_t>*, SEED_MAX_QUEUES> waiting_{}; // priority, or null
    std::array<int, SEED_PRIORITY_MAX + 1> last_served_{};
    std::atomic<unsigned> waiters_{0}; // queues with waiting_ set
    std::vector<uint64_t> busy_ns_;
    std::vector<uint64_t> busy_since_; // 0 when idle
    std::array<std::atomic<uint32_t>, SEED_MAX_ENGINES> slow_{};
};

} // namespace seed::device
