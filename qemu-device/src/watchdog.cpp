// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Watchdog: deadline timer thread for engine packets.
#include "watchdog.h"

namespace seed::device {

Watchdog::Watchdog() : thread_([this] { run(); }) {}

Watchdog::~Watchdog() {
    {
        std::lock_guard guard(lock_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void Watchdog::arm(unsigned slot, Clock::time_point deadline, std::function<void()> expire) {
    {
        std::lock_guard guard(lock_);
        slots_[slot] = {true, deadline, std::move(expire)};
    }
    cv_.notify_all();
}

void Watchdog::disarm(unsigned slot) {
    std::unique_lock guard(lock_);
    slots_[slot] = {};
    cv_.wait(guard, [&] { return running_ != static_cast<int>(slot); });
}

void Watchdog::run() {
    std::unique_lock guard(lock_);
    while (!stop_) {
        const auto now = Clock::now();
        auto next = Clock::time_point::max();
        bool ran = false;
        for (unsigned i = 0; i < kSlots && !ran; ++i) {
            Slot& s = slots_[i];
            if (!s.armed)
                continue;
            if (s.deadline <= now) {
                auto expire = std::move(s.expire);
                s = {};
                running_ = static_cast<int>(i);
                guard.unlock();
                expire();
                guard.lock();
                running_ = -1;
                cv_.notify_all();
                ran = true; // slots may have changed: rescan
            } else if (s.deadline < next) {
                next = s.deadline;
            }
        }
        if (ran)
            continue;
        if (next == Clock::time_point::max())
            cv_.wait(guard);
        else
            cv_.wait_until(guard, next);
    }
}

} // namespace seed::device
