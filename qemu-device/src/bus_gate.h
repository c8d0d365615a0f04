// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// BusGate: whether the device may master the bus (docs/hardware.md §2.4,
// §13.6). It is open while Bus Master Enable is set and the device is neither
// "not responding" nor removed. While it is closed, device threads that want
// to touch host memory wait at a point where they hold no lock that a
// register or configuration access needs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace seed::device {

class BusGate {
public:
    /// Closed at power-on: Bus Master Enable is 0 until the driver sets it.
    bool open() const { return open_.load(std::memory_order_acquire); }

    void set_open(bool open) {
        {
            std::lock_guard guard(lock_);
            open_.store(open, std::memory_order_release);
        }
        cv_.notify_all();
    }

    /// Makes waiters re-check their abort condition.
    void notify() {
        { std::lock_guard guard(lock_); }
        cv_.notify_all();
    }

    /// Waits until the gate is open or @p stop() holds; true if open. Abort
    /// requests are picked up within kPoll even without notify().
    template <typename Stop>
    bool wait_open(Stop&& stop) {
        std::unique_lock guard(lock_);
        while (!open_.load(std::memory_order_acquire)) {
            if (stop())
                return false;
            cv_.wait_for(guard, kPoll);
        }
        return true;
    }

    static constexpr std::chrono::milliseconds kPoll{2};

private:
    std::atomic<bool> open_{false};
    std::mutex lock_; /* Pairs with cv_ */
    std::condition_variable cv_;
};

} // namespace seed::device
