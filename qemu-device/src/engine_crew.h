// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EngineCrew: how one packet's computation runs on several engines
// (docs/hardware.md §11.1). A packet holding an engine borrows the free
// engines from the EnginePool while no queue waits for one; each borrowed
// engine is a host thread of the crew that takes parts of the work until
// none is left or a queue starts waiting, then gives its engine back.
#pragma once

#include "engine_pool.h"
#include "parallel.h"

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace seed::device {

class EngineCrew {
public:
    /// One thread per engine of @p pool, started on first use. A packet
    /// borrows at most @p host_threads - 1 engines (default: the host's
    /// hardware threads): more threads than host cores would only take turns.
    explicit EngineCrew(EnginePool& pool, unsigned host_threads = default_host_threads());
    static unsigned default_host_threads();
    ~EngineCrew();
    EngineCrew(const EngineCrew&) = delete;
    EngineCrew& operator=(const EngineCrew&) = delete;

    /// Runs work(0) .. work(parts - 1) for the packet that queue @p queue runs
    /// on an engine: on the calling thread and on the engines it can borrow.
    void run(unsigned queue, size_t parts, const std::function<void(size_t)>& work);
    /// Threads run() could use now: the caller plus the engines free to lend.
    unsigned width() const;

    /// The Parallel of one packet of queue @p queue.
    class ForQueue final : public Parallel {
    public:
        ForQueue(EngineCrew& crew, unsigned queue) : crew_(crew), queue_(queue) {}
        void run(size_t parts, const std::function<void(size_t)>& work) override {
            crew_.run(queue_, parts, work);
        }
        unsigned width() const override { return crew_.width(); }

    private:
        EngineCrew& crew_;
        unsigned queue_;
    };

private:
    void start_locked();
    void worker();

    EnginePool& pool_;
    const unsigned max_lent_;
    std::mutex lock_; /* Protects everything below */
    std::condition_variable cv_;
    std::vector<std::function<void()>> tasks_;
    std::vector<std::thread> threads_;
    bool stop_ = false;
};

} // namespace seed::device
