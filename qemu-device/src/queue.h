// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Queue: one hardware queue (docs/hardware.md §9): its registers, the ring
// fetch, in-order packet execution on its own engine thread, completion
// records, interrupts with moderation, errors and queue reset.
//
// Threading: every queue has one engine thread that fetches and runs its
// packets, so queues run in parallel and never wait for each other. Engine
// packets (COPY, FILL, GEMM, ELEMENTWISE, REDUCE) additionally take one of
// the device's compute engines from the EnginePool (priority, then round
// robin), so at most `engines` of them run at once. The device's timer
// thread (Watchdog) fires the engine watchdog and held-off interrupts.
// Register accesses come from the vfio-user thread and never wait for
// packet execution: a reset, stop or FATAL is requested, and the engine
// thread sees the abort flag at its next chunk of memory access (at most
// 1 MiB) and completes it.
#pragma once

#include "bus_gate.h"
#include "context_address_space.h"
#include "dma.h"
#include "engine_crew.h"
#include "engine_pool.h"
#include "event_log.h"
#include "hbm.h"
#include "mmu.h"
#include "msix.h"
#include "packets/packet.h"
#include "wait_hub.h"
#include "watchdog.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

namespace seed::device {

/// What a queue needs of the device; all outlive the queue.
struct QueueDeps {
    Dma& dma;
    Mmu& mmu;
    Hbm& hbm;
    Msix& msix;
    EventLog& events;
    EnginePool& engines;
    EngineCrew& crew; ///< engines a packet borrows (§11.1)
    WaitHub& waits;
    Watchdog& watchdog;
    BusGate& gate;                            ///< host memory accesses wait for it (§2.4)
    const std::atomic<uint32_t>& watchdog_ms; ///< SEED_REG_WATCHDOG_MS
    uint32_t caps = 0;
};

class Queue {
public:
    Queue(unsigned index, const QueueDeps& deps);
    ~Queue();
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;

    /// Registers by offset inside the queue block (SEED_QREG_*).
    uint32_t read_register(uint32_t qreg);
    void write_register(uint32_t qreg, uint32_t value);

    /// Device or bus reset, step 1: abandon everything the queue runs.
    void begin_device_reset();
    /// Step 2: wait until the engine thread has let go of everything, then
    /// return the queue to its power-on state (no record is written).
    void finish_device_reset();

    /// The device entered FATAL (§13.5): an enabled queue that has not
    /// stopped yet stops with SEED_ERR_FATAL and writes its record.
    void enter_fatal();

    uint32_t state();

    /// The bus gate opened: the engine thread resumes what it held back.
    void bus_changed();

    /// Register values for the control socket's `queue` command.
    struct Snapshot {
        uint32_t state = 0;
        uint32_t head = 0;
        uint32_t tail = 0;
        uint32_t context = 0;
        uint32_t priority = 0;
        uint32_t error = 0;
        uint64_t fence = 0;
    };
    Snapshot snapshot();

    /// Fault injection (docs/hardware.md §16): the engine packet running now,
    /// or else the next one, stops making progress until an abort (watchdog,
    /// reset, FATAL) or clear_hang(). A queue reset clears a non-sticky hang
    /// and never completes while a sticky one is set; a device reset clears both.
    enum class HangMode : uint32_t { kNone = 0, kHang = 1, kSticky = 2 };
    void inject_hang(bool sticky);
    void clear_hang();
    HangMode hang_mode() const { return static_cast<HangMode>(hang_mode_.load()); }
    /// Arms a one-shot MMU fault (InjectedMmuFault::kRead/kWrite bits; 0 disarms).
    void inject_mmu_fault(uint32_t types) { mmu_inject_.armed = types; }

private:
    class Runner;
    using Clock = std::chrono::steady_clock;

    void run();
    /// Blocks an engine packet while a hang is injected; false if aborted.
    bool hang_here();
    /// Waits @p extra (injected slowness) unless aborted first.
    void slow_down(Clock::duration extra);
    /// Fetches and runs ring packet @p index; lock_ is not held.
    uint32_t execute(uint32_t index, seed_pkt_raw& pkt, PacketFailure& fail);
    void retire_locked(const seed_pkt_raw& pkt);
    /// Stops the queue on @p error (§9.7): event, then record and vector
    /// unless the record itself cannot be written.
    void stop_locked(uint32_t error, uint32_t index, const PacketFailure& fail,
                     uint32_t event_info = 0, uint64_t event_data = 0, bool record_writable = true);
    void queue_reset_locked();
    /// Watchdog expiry for engine packet number @p generation.
    void watchdog_expired(uint64_t generation, uint32_t limit_ms, Clock::time_point start);
    void power_on_locked();
    void enable_locked();
    void doorbell_locked(uint32_t value);
    /// Writes the completion record; false if the write failed.
    bool write_record_locked(uint32_t status, uint32_t error, uint32_t index,
                             const PacketFailure* fail);
    void raise_now_locked();
    void raise_moderated_locked();
    bool enabled_locked() const;
    /// Whether a conditional reset (CTRL.RESET_IF) applies now (§14.2).
    bool reset_applies_locked() const;
    /// Record (and interrupt) of a declined conditional reset.
    void write_declined_locked();

    const unsigned index_;
    QueueDeps deps_;

    std::mutex lock_; /* Protects everything below except the atomics */
    std::condition_variable cv_;
    // Registers.
    uint64_t ring_base_ = 0;
    uint32_t ring_size_ = 0;
    uint32_t context_ = 0;
    uint64_t cpl_addr_ = 0;
    std::atomic<uint32_t> priority_{0}; // read by the EnginePool
    uint32_t holdoff_us_ = 0;
    bool irq_en_ = false;
    uint32_t state_ = SEED_QUEUE_STATE_DISABLED;
    uint32_t head_ = 0;
    uint32_t tail_ = 0;
    uint32_t error_ = 0;
    uint32_t reset_index_ = 0;
    // Record state.
    uint64_t fence_ = 0;
    uint32_t resets_ = 0;
    bool cpl_valid_ = false; // CPL_ADDR passed check 4 at the last enable
    // An enable while the bus gate was closed: its record (and, for a failed
    // check, its event) is written by the engine thread once the gate opens.
    std::optional<uint32_t> deferred_enable_; // the failed check, 0 if none
    // Requests to the engine thread.
    bool reset_requested_ = false;
    bool reset_declined_ = false; // a conditional reset's record is owed
    bool device_reset_requested_ = false;
    bool fatal_requested_ = false;
    std::optional<uint32_t> bad_doorbell_;
    bool shutdown_ = false;
    std::atomic<bool> abort_{false};
    std::atomic<uint32_t> hang_mode_{0}; // HangMode; checked once per engine packet
    InjectedMmuFault mmu_inject_;        // checked once per translation
    // Engine watchdog (§5.4): packet number on an engine, and an expiry.
    struct Hang {
        uint32_t limit_ms = 0;
        uint64_t ran_ns = 0;
    };
    uint64_t engine_generation_ = 0;
    bool engine_busy_ = false; // an engine packet with the watchdog armed runs
    std::optional<Hang> hang_;
    // Interrupt moderation (§9.6).
    Clock::time_point last_irq_{};
    bool irq_deferred_ = false;

    std::thread thread_;
};

} // namespace seed::device
