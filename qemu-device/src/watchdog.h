// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Watchdog: the device's timer thread. Queues arm one slot when an engine
// packet starts (the engine watchdog, docs/hardware.md §5.4) and another for
// a held-off interrupt (§9.6); one thread calls the handler of every armed
// slot whose deadline passes.
#pragma once

#include <hw/seed_hw.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace seed::device {

class Watchdog {
public:
    using Clock = std::chrono::steady_clock;

    Watchdog();
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    /// Per queue: engine watchdog (q), held-off interrupt (64 + q); then one
    /// slot for device-level work (kDeviceSlot).
    static constexpr unsigned kDeviceSlot = 2 * SEED_MAX_QUEUES;
    static constexpr unsigned kSlots = kDeviceSlot + 1;

    /// Arms @p slot: @p expire runs on the watchdog thread at @p deadline
    /// unless disarm() comes first. Handlers run without the watchdog's lock
    /// held, so they may take any lock; they must not arm or disarm their own
    /// slot.
    void arm(unsigned slot, Clock::time_point deadline, std::function<void()> expire);
    /// Disarms @p slot; returns once its handler is not running.
    void disarm(unsigned slot);

private:
    struct Slot {
        bool armed = false;
        Clock::time_point deadline{};
        std::function<void()> expire;
    };

    void run();

    std::mutex lock_; /* Protects slots_, running_, stop_ */
    std::condition_variable cv_;
    std::array<Slot, kSlots> slots_{};
    int running_ = -1; // slot whose handler runs now
    bool stop_ = false;
    std::thread thread_;
};

} // namespace seed::device
