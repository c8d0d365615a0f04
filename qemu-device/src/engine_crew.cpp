// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EngineCrew: parts of one packet's work on borrowed engines.
#include "engine_crew.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace seed::device {

EngineCrew::EngineCrew(EnginePool& pool, unsigned host_threads)
    : pool_(pool), max_lent_(std::min(pool.engine_count(), std::max(host_threads, 1u)) - 1) {}

unsigned EngineCrew::default_host_threads() {
    return std::max(std::thread::hardware_concurrency(), 1u);
}

EngineCrew::~EngineCrew() {
    {
        std::lock_guard guard(lock_);
        stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
        t.join();
}

void EngineCrew::start_locked() {
    // At most engine_count() - 1 engines are lent at once: one thread per
    // engine means a task never waits for a thread.
    while (threads_.size() < pool_.engine_count())
        threads_.emplace_back([this] { worker(); });
}

void EngineCrew::worker() {
    std::unique_lock guard(lock_);
    for (;;) {
        cv_.wait(guard, [&] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty())
            return; // stop_
        auto task = std::move(tasks_.back());
        tasks_.pop_back();
        guard.unlock();
        task();
        guard.lock();
    }
}

unsigned EngineCrew::width() const {
    return pool_.contended() ? 1u : 1u + std::min(pool_.free_count(), max_lent_);
}

namespace {

// What the helpers of one run() share with it; it outlives run() for a helper
// that wakes up late.
struct Shared {
    explicit Shared(size_t parts_, size_t helpers) : parts(parts_), state(helpers) {}
    const size_t parts;
    const std::function<void(size_t)>* work = nullptr; // valid while done < parts
    std::atomic<size_t> next{0}, done{0};
    std::vector<std::atomic<int>> state; // per helper: 0 not started, 1 started, 2 cancelled
    std::mutex lock;
    std::condition_variable all_done;

    // Takes and runs parts until none is left or @p stop says so.
    template <typename Stop>
    void take_parts(Stop stop) {
        while (!stop()) {
            const size_t i = next.fetch_add(1);
            if (i >= parts)
                return;
            (*work)(i);
            if (done.fetch_add(1) + 1 == parts) {
                std::lock_guard guard(lock);
                all_done.notify_all();
            }
        }
    }
};

} // namespace

void EngineCrew::run(unsigned queue, size_t parts, const std::function<void(size_t)>& work) {
    if (parts == 0)
        return;
    const auto want = static_cast<unsigned>(std::min<size_t>(parts - 1, max_lent_));
    const std::vector<unsigned> lent =
        want != 0 ? pool_.lend(queue, want) : std::vector<unsigned>{};
    if (lent.empty()) {
        for (size_t i = 0; i < parts; ++i)
            work(i);
        return;
    }
    auto shared = std::make_shared<Shared>(parts, lent.size());
    shared->work = &work;
    {
        std::lock_guard guard(lock_);
        start_locked();
        for (size_t h = 0; h < lent.size(); ++h)
            tasks_.emplace_back([this, shared, h, engine = lent[h]] {
                int idle = 0;
                if (!shared->state[h].compare_exchange_strong(idle, 1))
                    return; // the packet went on without this engine and gave it back
                // A borrowed engine goes back as soon as a queue waits for one.
                shared->take_parts([&] { return pool_.contended(); });
                pool_.release(engine);
            });
    }
    cv_.notify_all();
    shared->take_parts([] { return false; });
    // Engines whose thread has not started yet go back now: the packet does not
    // wait for a late thread, only for the parts taken.
    for (size_t h = 0; h < lent.size(); ++h) {
        int idle = 0;
        if (shared->state[h].compare_exchange_strong(idle, 2))
            pool_.release(lent[h]);
    }
    std::unique_lock done(shared->lock);
    shared->all_done.wait(done, [&] { return shared->done.load() == parts; });
}

} // namespace seed::device
