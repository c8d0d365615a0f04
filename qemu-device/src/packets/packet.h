// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Packet execution (docs/hardware.md §10): validation in the manual's order
// and dispatch to one function per packet family. A packet runs against a
// PacketEnv, which the queue engine provides.
#pragma once

#include "../context_address_space.h"
#include "../parallel.h"
#include "../wait_hub.h"

#include <hw/seed_hw.h>

#include <cstdint>

namespace seed::device {

inline constexpr uint16_t kNoEngine = SEED_EVENT_NONE16;

/// Where and why a packet failed; filled by the innermost failing packet.
struct PacketFailure {
    uint32_t error = SEED_ERR_NONE;
    uint64_t fault_addr = 0; ///< completion record fault_addr
    uint32_t fault_info = 0; ///< SEED_FAULT_INFO() for MMU faults
    uint64_t pte = 0;        ///< MMU_FAULT event data
    uint64_t event_addr = 0; ///< event addr (VA involved)
    uint64_t event_data = 0;
    uint32_t level = 0;  ///< indirect level of the failing packet
    uint32_t offset = 0; ///< index in its indirect buffer
    uint8_t opcode = 0;
    uint32_t tag = 0;
    uint16_t engine = kNoEngine;
    uint16_t context = SEED_EVENT_NONE16; ///< context of the failing access or packet
    bool located = false;                 ///< level/offset/opcode/tag are set
};

/// What a running packet may use. Implemented by the queue engine.
class PacketEnv {
public:
    virtual ~PacketEnv() = default;

    /// The context packets run in now, translated by the MMU: the queue's,
    /// or the one a level-0 INDIRECT switched to.
    virtual ContextAddressSpace& memory() = 0;
    /// Number of MMU contexts of the device.
    virtual unsigned context_count() const = 0;
    /// Runs the following packets in @p context until leave_context().
    virtual void enter_context(unsigned context) = 0;
    virtual void leave_context() = 0;
    /// True once the queue is being reset or stopped: stop at once.
    virtual bool aborted() const = 0;
    /// Waits for a compute engine; false if aborted meanwhile.
    virtual bool acquire_engine() = 0;
    virtual void release_engine() = 0;
    virtual uint16_t engine() const = 0;
    /// Shares a compute packet's work with the engines it can borrow (§11.1);
    /// null: the packet's own engine only.
    virtual Parallel* parallel() { return nullptr; }
    /// The queue is (or no longer is) in state WAITING.
    virtual void set_waiting(bool waiting) = 0;
    /// A packet at level >= 1 with SEED_PKT_F_IRQ retired.
    virtual void nested_irq() = 0;
    virtual WaitHub& wait_hub() = 0;
    /// SEED_REG_CAPS of the device.
    virtual uint32_t caps() const = 0;
};

/// Validates and runs @p pkt at indirect @p level (0 = ring), index @p offset
/// in its buffer. Returns SEED_ERR_NONE, kErrAborted, or the error, with
/// details in @p fail.
uint32_t run_packet(PacketEnv& env, const seed_pkt_raw& pkt, unsigned level, uint32_t offset,
                    PacketFailure& fail);

namespace packets {

// One function per packet, each in its family's file. They start at
// validation step 2 for the payload (reserved fields), §10.3.
uint32_t run_nop(PacketEnv& env, const seed_pkt_raw& pkt, PacketFailure& fail);
uint32_t run_copy(PacketEnv& env, const seed_pkt_raw& pkt, PacketFailure& fail);
uint32_t run_fill(PacketEnv& env, const seed_pkt_raw& pkt, PacketFailure& fail);
uint32_t run_signal(PacketEnv& env, const seed_pkt_raw& pkt, PacketFailure& fail);
uint32_t run_wait(PacketEnv& env, const seed_pkt_raw& pkt, PacketFailure& fail);
uint32_t run_timestamp(PacketEnv& env, const seed_pkt_raw& pkt, PacketFailure& fail);
uint32_t run_indirect(PacketEnv& env, const seed_pkt_raw& pkt, unsigned level, PacketFailure& fail);
uint32_t run_compute(PacketEnv& env, const seed_pkt_raw& pkt, PacketFailure& fail);

/// Records a failed memory access of env.memory() in @p fail; returns @p err.
uint32_t memory_failure(PacketEnv& env, uint32_t err, PacketFailure& fail);
/// Records a misaligned address; returns SEED_ERR_MISALIGNED.
uint32_t misaligned(uint64_t addr, PacketFailure& fail);

/// Reads a packet struct from the raw slot.
template <typename T>
T as(const seed_pkt_raw& raw) {
    static_assert(sizeof(T) == sizeof(seed_pkt_raw));
    T v;
    __builtin_memcpy(&v, &raw, sizeof(v));
    return v;
}

} // namespace packets
} // namespace seed::device
