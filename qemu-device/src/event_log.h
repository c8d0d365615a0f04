// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EventLog: the notification block (docs/hardware.md §8): event log ring and
// status block in host memory, their registers, and vector 0.
#pragma once

#include "dma.h"
#include "msix.h"

#include <hw/seed_hw.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace seed::device {

/// Thread safe. Lock order: callers' locks, then this, then Msix's.
class EventLog {
public:
    EventLog(Dma& dma, Msix& msix) : dma_(dma), msix_(msix) {}

    static bool owns_register(uint32_t offset) {
        return offset >= SEED_REG_EVLOG_BASE_LO && offset <= SEED_REG_EVLOG_DROPPED;
    }
    uint32_t read_register(uint32_t offset) const;
    void write_register(uint32_t offset, uint32_t value);

    /// Records @p event (seq, timestamp, overflow flag filled in), updates the
    /// status block and raises vector 0. Dropped (and counted) if the log is
    /// full; ignored while the log is disabled.
    void post(seed_event event);

    /// Status-block fields kept by the device. Each update rewrites the block.
    void set_dev_status(uint32_t dev_status);
    /// A TLB invalidation completed: publish it and raise vector 0 if @p irq.
    void tlb_invalidation_done(uint32_t seq, bool irq);
    /// A reset completed: status block, then (with @p post_event) a
    /// RESET_DONE event.
    void reset_done(uint32_t dev_status, uint32_t reset_count, uint32_t tlb_inv_done,
                    bool post_event);

    /// Bus reset: log disabled and every register cleared.
    void bus_reset();

    /// While held (the device may not master the bus, §2.4), events and
    /// status block updates are kept in the device, in order; releasing
    /// writes them. Events beyond the ring's size are dropped and counted.
    void set_held(bool held);

    bool enabled() const;
    /// Called (with this log's lock held) when a write to the log or status
    /// block fails; it must not call back into the log. Set once, before use.
    void set_failure_handler(std::function<void()> handler) { on_failure_ = std::move(handler); }
    /// True once a write to the log or status block failed (FATAL NOTIFY_DMA).
    bool notify_failed() const { return notify_failed_.load(); }

private:
    void write_status_locked();
    void raise_locked();
    void post_locked(seed_event event);

    Dma& dma_;
    Msix& msix_;

    mutable std::mutex lock_; /* Protects everything below */
    uint64_t base_ = 0;
    uint32_t size_ = 0;
    uint32_t head_ = 0;
    uint64_t status_addr_ = 0;
    uint32_t ctrl_ = 0;
    uint32_t wptr_ = 0;
    uint32_t dropped_ = 0;
    bool overflow_ = false;
    // Device state mirrored into the status block.
    uint32_t dev_status_ = SEED_DEV_STATUS_READY;
    uint32_t tlb_inv_done_ = 0;
    uint32_t reset_count_ = 0;
    // Held while the device may not master the bus.
    bool held_ = false;
    bool status_dirty_ = false;
    std::vector<seed_event> held_events_;
    std::atomic<bool> notify_failed_{false};
    std::function<void()> on_failure_;
};

} // namespace seed::device
