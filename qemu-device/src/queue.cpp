// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Queue: registers, engine thread, completion records and queue reset.
#include "queue.h"

#include "context_address_space.h"
#include "device_clock.h"
#include "log.h"

#include <cstddef>
#include <optional>

namespace seed::device {
namespace {

constexpr uint64_t kAddrLimit = 1ull << SEED_PA_BITS;

bool is_pow2(uint32_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}
uint64_t set_lo(uint64_t v, uint32_t lo) {
    return (v & ~0xffffffffull) | lo;
}
uint64_t set_hi(uint64_t v, uint32_t hi) {
    return (v & 0xffffffffull) | (uint64_t{hi} << 32);
}
bool cpl_addr_valid(uint64_t addr) {
    return addr % SEED_CPL_ALIGN == 0 && addr < kAddrLimit;
}

} // namespace

/// The PacketEnv of one ring packet and everything it runs.
class Queue::Runner final : public PacketEnv {
public:
    explicit Runner(Queue& q, unsigned context)
        : q_(q), memory_(q.deps_.mmu, q.deps_.dma, q.deps_.hbm, context, &q.abort_, &q.mmu_inject_,
                         &q.deps_.gate) {}

    ContextAddressSpace& memory() override { return switched_ ? *switched_ : memory_; }
    unsigned context_count() const override { return q_.deps_.mmu.context_count(); }
    void enter_context(unsigned context) override {
        switched_.emplace(q_.deps_.mmu, q_.deps_.dma, q_.deps_.hbm, context, &q_.abort_,
                          &q_.mmu_inject_, &q_.deps_.gate);
    }
    void leave_context() override { switched_.reset(); }
    bool aborted() const override { return q_.abort_.load(); }
    bool acquire_engine() override {
        auto e = q_.deps_.engines.acquire(q_.index_, q_.priority_, q_.abort_);
        if (!e)
            return false;
        engine_ = static_cast<uint16_t>(*e);
        started_ = Clock::now();
        // The limit in force when the packet starts applies to it.
        const uint32_t limit = q_.deps_.watchdog_ms.load();
        if (limit != 0) {
            uint64_t generation;
            {
                std::lock_guard guard(q_.lock_);
                generation = ++q_.engine_generation_;
                q_.engine_busy_ = true;
            }
            const auto start = Clock::now();
            Queue* q = &q_;
            q_.deps_.watchdog.arm(
                q_.index_, start + std::chrono::milliseconds(limit),
                [q, generation, limit, start] { q->watchdog_expired(generation, limit, start); });
            armed_ = true;
        }
        if (q_.hang_mode_.load(std::memory_order_relaxed) != 0 && !q_.hang_here()) {
            release_engine();
            return false;
        }
        return true;
    }
    void release_engine() override {
        if (engine_ != kNoEngine) {
            // Injected slowness (§16): hold the engine (factor - 1) times as long again.
            const uint32_t factor = q_.deps_.engines.slow_factor(engine_);
            if (factor > 1)
                q_.slow_down((Clock::now() - started_) * (factor - 1));
        }
        if (armed_) {
            // Returns once a running expiry handler has finished.
            q_.deps_.watchdog.disarm(q_.index_);
            std::lock_guard guard(q_.lock_);
            q_.engine_busy_ = false;
        }
        armed_ = false;
        q_.deps_.engines.release(engine_, q_.index_);
        engine_ = kNoEngine;
    }
    uint16_t engine() const override { return engine_; }
    Parallel* parallel() override { return &parallel_; }
    void set_waiting(bool waiting) override {
        if (waiting)
            q_.deps_.engines.drop(q_.index_); // blocked: no engine work soon
        std::lock_guard guard(q_.lock_);
        if (q_.state_ == SEED_QUEUE_STATE_RUNNING || q_.state_ == SEED_QUEUE_STATE_WAITING)
            q_.state_ = waiting ? SEED_QUEUE_STATE_WAITING : SEED_QUEUE_STATE_RUNNING;
    }
    void nested_irq() override {
        if (!q_.deps_.gate.wait_open([this] { return q_.abort_.load(); }))
            return;
        std::lock_guard guard(q_.lock_);
        if (q_.abort_.load())
            return;
        if (q_.write_record_locked(0, 0, 0, nullptr))
            q_.raise_moderated_locked();
    }
    WaitHub& wait_hub() override { return q_.deps_.waits; }
    uint32_t caps() const override { return q_.deps_.caps; }

private:
    Queue& q_;
    ContextAddressSpace memory_;
    std::optional<ContextAddressSpace> switched_; ///< set by a level-0 INDIRECT
    EngineCrew::ForQueue parallel_{q_.deps_.crew, q_.index_};
    uint16_t engine_ = kNoEngine;
    bool armed_ = false;
    Clock::time_point started_{};
};

Queue::Queue(unsigned index, const QueueDeps& deps) : index_(index), deps_(deps) {
    thread_ = std::thread([this] { run(); });
}

Queue::~Queue() {
    {
        std::lock_guard guard(lock_);
        shutdown_ = true;
        abort_ = true;
    }
    cv_.notify_all();
    deps_.engines.wake();
    deps_.waits.notify();
    thread_.join();
    deps_.engines.drop(index_);
    deps_.watchdog.disarm(index_);
    deps_.watchdog.disarm(SEED_MAX_QUEUES + index_);
}

bool Queue::enabled_locked() const {
    return state_ == SEED_QUEUE_STATE_IDLE || state_ == SEED_QUEUE_STATE_RUNNING ||
           state_ == SEED_QUEUE_STATE_WAITING || state_ == SEED_QUEUE_STATE_STOPPED;
}

uint32_t Queue::state() {
    std::lock_guard guard(lock_);
    return state_;
}

void Queue::bus_changed() {
    { std::lock_guard guard(lock_); }
    cv_.notify_all();
}

uint32_t Queue::read_register(uint32_t qreg) {
    std::lock_guard guard(lock_);
    switch (qreg) {
    case SEED_QREG_RING_BASE_LO:
        return static_cast<uint32_t>(ring_base_);
    case SEED_QREG_RING_BASE_HI:
        return static_cast<uint32_t>(ring_base_ >> 32);
    case SEED_QREG_RING_SIZE:
        return ring_size_;
    case SEED_QREG_CONTEXT:
        return context_;
    case SEED_QREG_CPL_ADDR_LO:
        return static_cast<uint32_t>(cpl_addr_);
    case SEED_QREG_CPL_ADDR_HI:
        return static_cast<uint32_t>(cpl_addr_ >> 32);
    case SEED_QREG_PRIORITY:
        return priority_.load();
    case SEED_QREG_IRQ_HOLDOFF:
        return holdoff_us_;
    case SEED_QREG_CTRL:
        return (enabled_locked() ? SEED_QUEUE_CTRL_ENABLE : 0) |
               (state_ == SEED_QUEUE_STATE_RESETTING ? SEED_QUEUE_CTRL_RESET : 0) |
               (irq_en_ ? SEED_QUEUE_CTRL_IRQ_EN : 0);
    case SEED_QREG_STATUS:
        return state_;
    case SEED_QREG_HEAD:
        return head_;
    case SEED_QREG_TAIL:
        return tail_;
    case SEED_QREG_ERROR:
        return error_;
    case SEED_QREG_RESET_INDEX:
        return reset_index_;
    default:
        return 0; // DOORBELL is write-only; 0x3c-0x3f reserved
    }
}

void Queue::write_register(uint32_t qreg, uint32_t value) {
    std::unique_lock guard(lock_);
    switch (qreg) {
    case SEED_QREG_RING_BASE_LO:
    case SEED_QREG_RING_BASE_HI:
    case SEED_QREG_RING_SIZE:
    case SEED_QREG_CONTEXT:
    case SEED_QREG_CPL_ADDR_LO:
    case SEED_QREG_CPL_ADDR_HI:
        if (state_ != SEED_QUEUE_STATE_DISABLED) {
            log::guest_error("queue {}: register {:#x} written while not disabled; ignored", index_,
                             qreg);
            return;
        }
        if (qreg == SEED_QREG_RING_BASE_LO)
            ring_base_ = set_lo(ring_base_, value);
        else if (qreg == SEED_QREG_RING_BASE_HI)
            ring_base_ = set_hi(ring_base_, value);
        else if (qreg == SEED_QREG_RING_SIZE)
            ring_size_ = value;
        else if (qreg == SEED_QREG_CONTEXT)
            context_ = value & 0xff;
        else if (qreg == SEED_QREG_CPL_ADDR_LO)
            cpl_addr_ = set_lo(cpl_addr_, value);
        else
            cpl_addr_ = set_hi(cpl_addr_, value);
        return;
    case SEED_QREG_PRIORITY:
        priority_ = value & SEED_PRIORITY_MAX;
        return;
    case SEED_QREG_IRQ_HOLDOFF:
        holdoff_us_ = value & 0xffff;
        return;
    case SEED_QREG_DOORBELL:
        doorbell_locked(value);
        return;
    case SEED_QREG_RESET_INDEX:
        reset_index_ = value;
        return;
    case SEED_QREG_CTRL:
        if (state_ == SEED_QUEUE_STATE_RESETTING) {
            log::guest_error("queue {}: CTRL written while resetting; ignored", index_);
            return;
        }
        irq_en_ = (value & SEED_QUEUE_CTRL_IRQ_EN) != 0;
        if ((value & SEED_QUEUE_CTRL_RESET) != 0 && (value & SEED_QUEUE_CTRL_RESET_IF) != 0 &&
            !reset_applies_locked()) {
            // The packet the driver meant has retired, or has not started:
            // whatever runs now is left alone (§14.2). The record says so
            // at once, even while a packet runs.
            if (!cpl_valid_)
                return;
            if (deps_.gate.open()) {
                write_declined_locked();
                return;
            }
            reset_declined_ = true; // written by the engine thread (§2.4)
            guard.unlock();
            cv_.notify_all();
            return;
        }
        if ((value & SEED_QUEUE_CTRL_RESET) != 0) {
            state_ = SEED_QUEUE_STATE_RESETTING;
            reset_requested_ = true;
            abort_ = true;
            guard.unlock();
            cv_.notify_all();
            deps_.engines.wake();
            deps_.waits.notify();
            return;
        }
        if ((value & SEED_QUEUE_CTRL_ENABLE) != 0 && state_ == SEED_QUEUE_STATE_DISABLED)
            enable_locked();
        return;
    default:
        log::guest_error("queue {}: write {:#x} to read-only register {:#x} ignored", index_, value,
                         qreg);
        return;
    }
}

void Queue::write_declined_locked() {
    const uint32_t idle = head_ == tail_ && enabled_locked() ? SEED_CPL_STATUS_IDLE : 0;
    if (write_record_locked(idle | SEED_CPL_STATUS_RESET_DECLINED, 0, 0, nullptr))
        raise_now_locked();
}

bool Queue::reset_applies_locked() const {
    // A stopped queue runs nothing; an enabled one runs the packet at head
    // while head != tail. Anything else would abort another packet, or none.
    if (state_ == SEED_QUEUE_STATE_STOPPED)
        return true;
    return (state_ == SEED_QUEUE_STATE_RUNNING || state_ == SEED_QUEUE_STATE_WAITING) &&
           head_ != tail_ && head_ == reset_index_;
}

void Queue::enable_locked() {
    uint32_t check = 0;
    if (ring_base_ % SEED_RING_ALIGN != 0 || ring_base_ >= kAddrLimit)
        check = 1;
    else if (!is_pow2(ring_size_) || ring_size_ < SEED_RING_MIN_ENTRIES ||
             ring_size_ > SEED_RING_MAX_ENTRIES)
        check = 2;
    else if (context_ >= deps_.mmu.context_count())
        check = 3;
    else if (!cpl_addr_valid(cpl_addr_))
        check = 4;
    cpl_valid_ = cpl_addr_valid(cpl_addr_);
    head_ = tail_ = 0;
    error_ = 0;
    if (!deps_.gate.open()) {
        // No DMA now (§2.4): the state changes at once, the record and event
        // follow when the gate opens.
        log::guest_error("queue {}: enabled while Bus Master Enable is clear", index_);
        state_ = check != 0 ? SEED_QUEUE_STATE_STOPPED : SEED_QUEUE_STATE_IDLE;
        error_ = check != 0 ? SEED_ERR_QUEUE_CONFIG : 0;
        deferred_enable_ = check;
        cv_.notify_all();
        return;
    }
    if (check != 0) {
        log::guest_error("queue {}: enable refused by check {}", index_, check);
        stop_locked(SEED_ERR_QUEUE_CONFIG, 0, PacketFailure{}, check);
        return;
    }
    state_ = SEED_QUEUE_STATE_IDLE;
    if (!write_record_locked(SEED_CPL_STATUS_IDLE, 0, 0, nullptr))
        stop_locked(SEED_ERR_BUS, 0, PacketFailure{}, 0, 0, false);
}

void Queue::doorbell_locked(uint32_t value) {
    if (state_ != SEED_QUEUE_STATE_IDLE && state_ != SEED_QUEUE_STATE_RUNNING &&
        state_ != SEED_QUEUE_STATE_WAITING) {
        log::guest_error("queue {}: doorbell {} in state {}; ignored", index_, value, state_);
        return;
    }
    if (bad_doorbell_)
        return; // already stopping
    if (value - tail_ > head_ + ring_size_ - tail_) {
        log::guest_error("queue {}: doorbell {} out of range (head {}, tail {}, size {})", index_,
                         value, head_, tail_, ring_size_);
        bad_doorbell_ = value;
        abort_ = true;
        cv_.notify_all();
        deps_.engines.wake();
        deps_.waits.notify();
        return;
    }
    tail_ = value;
    if (state_ == SEED_QUEUE_STATE_IDLE && head_ != tail_)
        state_ = SEED_QUEUE_STATE_RUNNING;
    cv_.notify_all();
}

bool Queue::write_record_locked(uint32_t status, uint32_t error, uint32_t index,
                                const PacketFailure* fail) {
    if (!cpl_valid_)
        return false;
    seed_cpl_record r{};
    r.fence = fence_;
    r.head = head_;
    r.status = status;
    if ((status & SEED_CPL_STATUS_ERROR) != 0) {
        r.error = error;
        r.error_index = index;
        r.error_engine = kNoEngine;
        if (fail != nullptr) {
            r.error_offset = fail->offset;
            r.error_level = static_cast<uint8_t>(fail->level);
            r.error_opcode = fail->opcode;
            r.error_engine = fail->engine;
            r.fault_addr = fail->fault_addr;
            r.error_tag = fail->tag;
            r.fault_info = fail->fault_info;
        }
    }
    r.timestamp = device_clock_ns();
    r.resets = resets_;
    // §9.4 write order: bytes 0x10-0x3f, then head/status, then fence.
    const auto* bytes = reinterpret_cast<const uint8_t*>(&r);
    return deps_.dma.write(cpl_addr_ + 0x10, bytes + 0x10, 0x30) == 0 &&
           deps_.dma.write(cpl_addr_ + 0x08, bytes + 0x08, 8) == 0 &&
           deps_.dma.write(cpl_addr_, bytes, 8) == 0;
}

void Queue::raise_now_locked() {
    if (!irq_en_)
        return;
    deps_.msix.raise(SEED_MSIX_VEC_QUEUE(index_));
    last_irq_ = Clock::now();
    irq_deferred_ = false;
}

void Queue::raise_moderated_locked() {
    if (!irq_en_)
        return;
    const auto holdoff = std::chrono::microseconds(holdoff_us_);
    if (holdoff_us_ == 0 || Clock::now() >= last_irq_ + holdoff) {
        raise_now_locked();
        return;
    }
    // One interrupt at last_irq_ + holdoff covers every trigger in the window,
    // raised by the timer thread even while this queue runs a long packet.
    if (irq_deferred_)
        return;
    irq_deferred_ = true;
    deps_.watchdog.arm(SEED_MAX_QUEUES + index_, last_irq_ + holdoff, [this] {
        std::lock_guard guard(lock_);
        if (irq_deferred_)
            raise_now_locked();
    });
}

void Queue::stop_locked(uint32_t error, uint32_t index, const PacketFailure& fail,
                        uint32_t event_info, uint64_t event_data, bool record_writable) {
    state_ = SEED_QUEUE_STATE_STOPPED;
    error_ = error;
    seed_event ev{};
    ev.type = error == SEED_ERR_MMU_FAULT ? SEED_EVENT_MMU_FAULT
              : error == SEED_ERR_HANG    ? SEED_EVENT_ENGINE_HANG
                                          : SEED_EVENT_QUEUE_ERROR;
    ev.error = error;
    ev.queue = static_cast<uint16_t>(index_);
    ev.context = static_cast<uint16_t>(fail.context != SEED_EVENT_NONE16 ? fail.context : context_);
    ev.engine = fail.engine;
    ev.level = static_cast<uint8_t>(fail.level);
    ev.opcode = fail.opcode;
    ev.packet_index = index;
    ev.addr = fail.event_addr;
    ev.info = error == SEED_ERR_MMU_FAULT ? fail.fault_info : event_info;
    ev.packet_offset = fail.offset;
    ev.data = error == SEED_ERR_MMU_FAULT ? fail.pte : event_data;
    ev.tag = fail.tag;
    if (error == SEED_ERR_MMU_FAULT && mmu_inject_.hit.exchange(false))
        ev.flags = SEED_EVENT_F_INJECTED;
    deps_.events.post(ev);
    if (!record_writable)
        return; // the error is visible in the event and SEED_QREG_ERROR only
    if (write_record_locked(SEED_CPL_STATUS_ERROR, error, index, &fail))
        raise_now_locked();
}

void Queue::retire_locked(const seed_pkt_raw& pkt) {
    ++head_;
    const uint8_t flags = pkt.hdr.flags;
    if ((flags & SEED_PKT_F_FENCE) != 0)
        fence_ = pkt.hdr.fence;
    if (state_ == SEED_QUEUE_STATE_RUNNING || state_ == SEED_QUEUE_STATE_WAITING)
        state_ = head_ == tail_ ? SEED_QUEUE_STATE_IDLE : SEED_QUEUE_STATE_RUNNING;
    if ((flags & (SEED_PKT_F_FENCE | SEED_PKT_F_IRQ)) == 0)
        return;
    const uint32_t status = head_ == tail_ ? SEED_CPL_STATUS_IDLE : 0;
    if (!write_record_locked(status, 0, 0, nullptr)) {
        stop_locked(SEED_ERR_BUS, head_, PacketFailure{}, 0, 0, false);
        return;
    }
    if ((flags & SEED_PKT_F_IRQ) != 0)
        raise_moderated_locked();
}

void Queue::watchdog_expired(uint64_t generation, uint32_t limit_ms, Clock::time_point start) {
    {
        std::lock_guard guard(lock_);
        if (!engine_busy_ || generation != engine_generation_ || abort_.load() || hang_)
            return;
        const auto ran = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
        hang_ = Hang{limit_ms, static_cast<uint64_t>(ran.count())};
        abort_ = true;
    }
    cv_.notify_all();
    deps_.engines.wake();
    deps_.waits.notify();
}

void Queue::queue_reset_locked() {
    hang_.reset();
    hang_mode_ = 0; // only a non-sticky hang gets here
    head_ = tail_ = 0;
    error_ = 0;
    bad_doorbell_.reset();
    deferred_enable_.reset();
    reset_requested_ = false;
    abort_ = false;
    ++resets_;
    state_ = SEED_QUEUE_STATE_DISABLED;
    if (write_record_locked(SEED_CPL_STATUS_RESET_DONE, 0, 0, nullptr))
        raise_now_locked();
    else if (cpl_valid_)
        log::guest_error("queue {}: reset record write failed", index_);
}

void Queue::power_on_locked() {
    ring_base_ = 0;
    ring_size_ = 0;
    context_ = 0;
    cpl_addr_ = 0;
    priority_ = 0;
    holdoff_us_ = 0;
    irq_en_ = false;
    state_ = SEED_QUEUE_STATE_DISABLED;
    head_ = tail_ = error_ = 0;
    reset_index_ = 0;
    reset_declined_ = false;
    fence_ = 0;
    resets_ = 0;
    cpl_valid_ = false;
    reset_requested_ = false;
    fatal_requested_ = false;
    bad_doorbell_.reset();
    deferred_enable_.reset();
    irq_deferred_ = false;
    hang_.reset();
    hang_mode_ = 0;
    mmu_inject_.armed = 0;
    mmu_inject_.hit = false;
    abort_ = false;
}

void Queue::begin_device_reset() {
    {
        std::lock_guard guard(lock_);
        device_reset_requested_ = true;
        abort_ = true;
    }
    cv_.notify_all();
    deps_.engines.wake();
    deps_.waits.notify();
}

void Queue::enter_fatal() {
    {
        std::lock_guard guard(lock_);
        if (!enabled_locked() || state_ == SEED_QUEUE_STATE_STOPPED)
            return;
        fatal_requested_ = true;
        abort_ = true;
    }
    cv_.notify_all();
    deps_.engines.wake();
    deps_.waits.notify();
}

void Queue::finish_device_reset() {
    std::unique_lock guard(lock_);
    cv_.wait(guard, [&] { return !device_reset_requested_; });
}

Queue::Snapshot Queue::snapshot() {
    std::lock_guard guard(lock_);
    return {state_, head_, tail_, context_, priority_.load(), error_, fence_};
}

void Queue::inject_hang(bool sticky) {
    hang_mode_ = static_cast<uint32_t>(sticky ? HangMode::kSticky : HangMode::kHang);
}

void Queue::clear_hang() {
    {
        std::lock_guard guard(lock_);
        hang_mode_ = 0;
    }
    cv_.notify_all();
}

bool Queue::hang_here() {
    std::unique_lock guard(lock_);
    cv_.wait(guard, [&] { return abort_.load() || hang_mode_.load() == 0; });
    return !abort_.load();
}

void Queue::slow_down(Clock::duration extra) {
    std::unique_lock guard(lock_);
    cv_.wait_for(guard, extra, [&] { return abort_.load(); });
}

uint32_t Queue::execute(uint32_t index, seed_pkt_raw& pkt, PacketFailure& fail) {
    uint64_t slot;
    unsigned context;
    {
        std::lock_guard guard(lock_);
        slot = ring_base_ + uint64_t{index & (ring_size_ - 1)} * SEED_PKT_SIZE;
        context = context_;
    }
    if (!deps_.gate.wait_open([this] { return abort_.load(); }))
        return kErrAborted;
    if (deps_.dma.read(slot, &pkt, sizeof(pkt)) != 0) {
        log::guest_error("queue {}: ring slot {} at {:#x} unreadable", index_, index, slot);
        return SEED_ERR_BUS;
    }
    Runner runner(*this, context);
    return run_packet(runner, pkt, 0, 0, fail);
}

void Queue::run() {
    std::unique_lock guard(lock_);
    for (;;) {
        if (shutdown_)
            return;
        if (device_reset_requested_) {
            power_on_locked();
            device_reset_requested_ = false;
            cv_.notify_all();
            continue;
        }
        if (reset_requested_ && hang_mode_.load() == static_cast<uint32_t>(HangMode::kSticky)) {
            deps_.engines.drop(index_);
            cv_.wait(guard); // a sticky hang: the queue reset never completes
            continue;
        }
        if (reset_requested_ && !cpl_valid_) {
            queue_reset_locked(); // writes no record: needs no bus
            continue;
        }
        if (!deps_.gate.open()) {
            // No fetch, record or interrupt while the device may not master
            // the bus (§2.4, §13.6); bus_changed() wakes us.
            deps_.engines.drop(index_);
            cv_.wait(guard);
            continue;
        }
        if (reset_declined_) {
            reset_declined_ = false;
            write_declined_locked();
            continue;
        }
        if (deferred_enable_) {
            const uint32_t check = *deferred_enable_;
            deferred_enable_.reset();
            if (check != 0)
                stop_locked(SEED_ERR_QUEUE_CONFIG, 0, PacketFailure{}, check);
            else if (!write_record_locked(SEED_CPL_STATUS_IDLE, 0, 0, nullptr))
                stop_locked(SEED_ERR_BUS, 0, PacketFailure{}, 0, 0, false);
            continue;
        }
        if (reset_requested_) {
            queue_reset_locked();
            continue;
        }
        if (fatal_requested_) {
            fatal_requested_ = false;
            bad_doorbell_.reset();
            hang_.reset();
            abort_ = false;
            // One DEVICE_FATAL event covers every queue: record and vector only.
            state_ = SEED_QUEUE_STATE_STOPPED;
            error_ = SEED_ERR_FATAL;
            PacketFailure none;
            if (write_record_locked(SEED_CPL_STATUS_ERROR, SEED_ERR_FATAL, head_, &none))
                raise_now_locked();
            continue;
        }
        if (bad_doorbell_) {
            const uint32_t value = *bad_doorbell_;
            bad_doorbell_.reset();
            abort_ = false;
            PacketFailure fail;
            fail.fault_addr = value;
            stop_locked(SEED_ERR_DOORBELL, head_, fail, 0, value);
            continue;
        }
        const auto irq_at = last_irq_ + std::chrono::microseconds(holdoff_us_);
        if (irq_deferred_ && Clock::now() >= irq_at)
            raise_now_locked();
        if ((state_ == SEED_QUEUE_STATE_RUNNING || state_ == SEED_QUEUE_STATE_WAITING) &&
            head_ != tail_) {
            const uint32_t index = head_;
            guard.unlock();
            seed_pkt_raw pkt{};
            PacketFailure fail;
            const uint32_t err = execute(index, pkt, fail);
            guard.lock();
            // The outcome is reported once the device may master the bus again.
            while (!deps_.gate.open() && !shutdown_ && !device_reset_requested_)
                cv_.wait(guard);
            if (hang_ && !reset_requested_ && !device_reset_requested_ && !shutdown_ &&
                !bad_doorbell_ && !fatal_requested_) {
                // The watchdog aborted the packet: stop with SEED_ERR_HANG.
                const Hang hang = *hang_;
                hang_.reset();
                abort_ = false;
                stop_locked(SEED_ERR_HANG, index, fail, hang.limit_ms, hang.ran_ns);
                continue;
            }
            if (abort_.load() || err == kErrAborted)
                continue; // a reset or stop request takes over
            if (err != SEED_ERR_NONE) {
                if (!fail.located)
                    fail.opcode = err == SEED_ERR_BUS ? 0 : pkt.hdr.opcode;
                stop_locked(err, index, fail, 0, fail.event_data);
            } else {
                retire_locked(pkt);
            }
            continue;
        }
        // Nothing to run: an engine kept for this queue is everyone's again.
        deps_.engines.drop(index_);
        if (irq_deferred_)
            cv_.wait_until(guard, irq_at);
        else
            cv_.wait(guard);
    }
}

} // namespace seed::device
