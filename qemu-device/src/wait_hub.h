// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// WaitHub: wakes WAIT packets. Every SIGNAL (and every queue or device reset,
// so that aborted waits notice) bumps a generation number; waiters sleep
// until it changes or their poll interval (SEED_WAIT_POLL_US) passes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace seed::device {

class WaitHub {
public:
    uint64_t generation() {
        std::lock_guard guard(lock_);
        return generation_;
    }
    /// Wakes every waiter.
    void notify() {
        {
            std::lock_guard guard(lock_);
            ++generation_;
        }
        cv_.notify_all();
    }
    /// Sleeps until the generation differs from @p seen or @p deadline passes.
    void wait(uint64_t seen, std::chrono::steady_clock::time_point deadline) {
        std::unique_lock guard(lock_);
        cv_.wait_until(guard, deadline, [&] { return generation_ != seen; });
    }

private:
    std::mutex lock_; /* Protects generation_ */
    std::condition_variable cv_;
    uint64_t generation_ = 0;
};

} // namespace seed::device
