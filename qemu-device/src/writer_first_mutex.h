// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// WriterFirstMutex: a shared mutex on which a waiting exclusive locker is not
// starved by a stream of overlapping shared lockers. The vfio-user thread
// takes these exclusively (DMA unmap, TLB invalidation) while engine threads
// copy under shared locks, and the socket must keep answering.
#pragma once

#include <atomic>
#include <shared_mutex>
#include <thread>

namespace seed::device {

/// Meets the SharedMutex requirements used by std::unique_lock and std::shared_lock.
class WriterFirstMutex {
public:
    void lock() {
        writers_.fetch_add(1, std::memory_order_acq_rel);
        mutex_.lock();
        writers_.fetch_sub(1, std::memory_order_acq_rel);
    }
    void unlock() { mutex_.unlock(); }

    /// New shared lockers hold back while an exclusive locker waits.
    void lock_shared() {
        for (;;) {
            while (writers_.load(std::memory_order_acquire) != 0)
                std::this_thread::yield();
            mutex_.lock_shared();
            if (writers_.load(std::memory_order_acquire) == 0)
                return;
            mutex_.unlock_shared();
        }
    }
    void unlock_shared() { mutex_.unlock_shared(); }

private:
    std::shared_mutex mutex_;
    std::atomic<int> writers_{0};
};

} // namespace seed::device
