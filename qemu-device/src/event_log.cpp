// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// EventLog: event records, status block and their registers.
#include "event_log.h"

#include "device_clock.h"
#include "log.h"

#include <cstddef>

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

} // namespace

bool EventLog::enabled() const {
    std::lock_guard guard(lock_);
    return (ctrl_ & SEED_EVLOG_CTRL_ENABLE) != 0;
}

uint32_t EventLog::read_register(uint32_t offset) const {
    std::lock_guard guard(lock_);
    switch (offset) {
    case SEED_REG_EVLOG_BASE_LO:
        return static_cast<uint32_t>(base_);
    case SEED_REG_EVLOG_BASE_HI:
        return static_cast<uint32_t>(base_ >> 32);
    case SEED_REG_EVLOG_SIZE:
        return size_;
    case SEED_REG_EVLOG_HEAD:
        return head_;
    case SEED_REG_STATUS_ADDR_LO:
        return static_cast<uint32_t>(status_addr_);
    case SEED_REG_STATUS_ADDR_HI:
        return static_cast<uint32_t>(status_addr_ >> 32);
    case SEED_REG_EVLOG_CTRL:
        return ctrl_;
    case SEED_REG_EVLOG_WPTR:
        return wptr_;
    case SEED_REG_EVLOG_DROPPED:
        return dropped_;
    default:
        return 0;
    }
}

void EventLog::write_register(uint32_t offset, uint32_t value) {
    std::lock_guard guard(lock_);
    const bool on = (ctrl_ & SEED_EVLOG_CTRL_ENABLE) != 0;
    switch (offset) {
    case SEED_REG_EVLOG_BASE_LO:
    case SEED_REG_EVLOG_BASE_HI:
    case SEED_REG_EVLOG_SIZE:
    case SEED_REG_STATUS_ADDR_LO:
    case SEED_REG_STATUS_ADDR_HI:
        if (on) {
            log::guest_error("event log register {:#x} written while enabled; ignored", offset);
            return;
        }
        if (offset == SEED_REG_EVLOG_BASE_LO)
            base_ = set_lo(base_, value);
        else if (offset == SEED_REG_EVLOG_BASE_HI)
            base_ = set_hi(base_, value);
        else if (offset == SEED_REG_EVLOG_SIZE)
            size_ = value;
        else if (offset == SEED_REG_STATUS_ADDR_LO)
            status_addr_ = set_lo(status_addr_, value);
        else
            status_addr_ = set_hi(status_addr_, value);
        return;
    case SEED_REG_EVLOG_HEAD:
        // old_head <= new_head <= wptr, in modular order.
        if (static_cast<uint32_t>(value - head_) > static_cast<uint32_t>(wptr_ - head_)) {
            log::guest_error("EVLOG_HEAD {} outside [{}, {}]; ignored", value, head_, wptr_);
            return;
        }
        head_ = value;
        return;
    case SEED_REG_EVLOG_CTRL:
        if ((value & SEED_EVLOG_CTRL_ENABLE) == 0) {
            ctrl_ &= ~SEED_EVLOG_CTRL_ENABLE;
            return;
        }
        if (on)
            return;
        if (base_ % SEED_EVLOG_ALIGN != 0 || base_ >= kAddrLimit || !is_pow2(size_) ||
            size_ < SEED_EVLOG_MIN_ENTRIES || size_ > SEED_EVLOG_MAX_ENTRIES ||
            status_addr_ % SEED_STATUS_ALIGN != 0 || status_addr_ >= kAddrLimit) {
            log::guest_error("event log enable refused: base {:#x} size {} status {:#x}", base_,
                             size_, status_addr_);
            ctrl_ = SEED_EVLOG_CTRL_CFG_ERROR;
            return;
        }
        ctrl_ = SEED_EVLOG_CTRL_ENABLE;
        wptr_ = head_ = dropped_ = 0;
        overflow_ = false;
        notify_failed_ = false;
        write_status_locked();
        return;
    default:
        log::guest_error("write {:#x} to read-only event log register {:#x} ignored", value,
                         offset);
        return;
    }
}

void EventLog::write_status_locked() {
    if ((ctrl_ & SEED_EVLOG_CTRL_ENABLE) == 0 || notify_failed_)
        return;
    if (held_) {
        status_dirty_ = true;
        return;
    }
    status_dirty_ = false;
    seed_status_block sb{};
    sb.dev_status = dev_status_;
    sb.evlog_wptr = wptr_;
    sb.evlog_dropped = dropped_;
    sb.tlb_inv_done = tlb_inv_done_;
    sb.reset_count = reset_count_;
    sb.timestamp = device_clock_ns();
    // Field order of §8.2: reserved, dropped, tlb_inv_done, reset_count,
    // dev_status, timestamp, and evlog_wptr last.
    auto put = [&](size_t offset, size_t bytes) {
        return dma_.write(status_addr_ + offset, reinterpret_cast<const uint8_t*>(&sb) + offset,
                          bytes) == 0;
    };
    bool ok = put(0x14, 4) && put(0x20, 32) && put(offsetof(seed_status_block, evlog_dropped), 4) &&
              put(offsetof(seed_status_block, tlb_inv_done), 4) &&
              put(offsetof(seed_status_block, reset_count), 4) &&
              put(offsetof(seed_status_block, dev_status), 4) &&
              put(offsetof(seed_status_block, timestamp), 8) &&
              put(offsetof(seed_status_block, evlog_wptr), 4);
    if (!ok) {
        log::error("status block write at {:#x} failed: notification block disabled", status_addr_);
        notify_failed_ = true;
        if (on_failure_)
            on_failure_();
    }
}

void EventLog::raise_locked() {
    msix_.raise(SEED_MSIX_VEC_EVENT);
}

void EventLog::post(seed_event event) {
    std::lock_guard guard(lock_);
    post_locked(event);
}

void EventLog::post_locked(seed_event event) {
    if ((ctrl_ & SEED_EVLOG_CTRL_ENABLE) == 0 || notify_failed_)
        return;
    if (event.timestamp == 0)
        event.timestamp = device_clock_ns();
    if (held_ && held_events_.size() < size_) {
        held_events_.push_back(event);
        return;
    }
    if (held_ || wptr_ - head_ >= size_) {
        ++dropped_;
        overflow_ = true;
        write_status_locked();
        raise_locked();
        return;
    }
    event.seq = wptr_;
    if (overflow_)
        event.flags |= SEED_EVENT_F_OVERFLOW;
    event.reserved = 0;
    const uint64_t at = base_ + uint64_t{wptr_ & (size_ - 1)} * sizeof(seed_event);
    if (dma_.write(at, &event, sizeof(event)) != 0) {
        log::error("event log write at {:#x} failed: notification block disabled", at);
        notify_failed_ = true;
        if (on_failure_)
            on_failure_();
        return;
    }
    overflow_ = false;
    ++wptr_;
    write_status_locked();
    raise_locked();
}

void EventLog::set_dev_status(uint32_t dev_status) {
    std::lock_guard guard(lock_);
    if (dev_status_ == dev_status)
        return;
    dev_status_ = dev_status;
    write_status_locked();
}

void EventLog::tlb_invalidation_done(uint32_t seq, bool irq) {
    std::lock_guard guard(lock_);
    tlb_inv_done_ = seq;
    write_status_locked();
    if (irq)
        raise_locked();
}

void EventLog::reset_done(uint32_t dev_status, uint32_t reset_count, uint32_t tlb_inv_done,
                          bool post_event) {
    {
        std::lock_guard guard(lock_);
        dev_status_ = dev_status;
        reset_count_ = reset_count;
        tlb_inv_done_ = tlb_inv_done;
        write_status_locked();
    }
    if (!post_event)
        return;
    seed_event ev{};
    ev.type = SEED_EVENT_RESET_DONE;
    ev.queue = ev.context = ev.engine = SEED_EVENT_NONE16;
    ev.data = reset_count;
    post(ev);
}

void EventLog::set_held(bool held) {
    std::lock_guard guard(lock_);
    held_ = held;
    if (held)
        return;
    std::vector<seed_event> events;
    events.swap(held_events_);
    for (const seed_event& ev : events)
        post_locked(ev);
    if (status_dirty_)
        write_status_locked();
}

void EventLog::bus_reset() {
    std::lock_guard guard(lock_);
    held_events_.clear();
    status_dirty_ = false;
    base_ = status_addr_ = 0;
    size_ = head_ = ctrl_ = wptr_ = dropped_ = 0;
    overflow_ = false;
    notify_failed_ = false;
}

} // namespace seed::device
