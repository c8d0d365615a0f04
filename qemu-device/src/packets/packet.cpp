// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Packet validation (§10.3 steps 1 and 2 for the header) and dispatch, plus
// NOP.
#include "packet.h"

#include "../log.h"

namespace seed::device {
namespace packets {

uint32_t memory_failure(PacketEnv& env, uint32_t err, PacketFailure& fail) {
    if (err == kErrAborted || err == SEED_ERR_NONE)
        return err;
    const ContextAddressSpace& as = env.memory();
    fail.context = static_cast<uint16_t>(as.context());
    fail.fault_addr = as.fault().address;
    fail.event_addr = as.fault().address;
    if (err == SEED_ERR_MMU_FAULT) {
        fail.fault_info = as.fault_info();
        fail.pte = as.mmu_fault().pte;
    }
    if (err == SEED_ERR_ECC)
        fail.event_data = as.fault().hbm_address; // QUEUE_ERROR data (§13.4)
    return err;
}

uint32_t misaligned(uint64_t addr, PacketFailure& fail) {
    fail.fault_addr = addr;
    fail.event_addr = addr;
    return SEED_ERR_MISALIGNED;
}

uint32_t run_nop(PacketEnv& /*env*/, const seed_pkt_raw& pkt, PacketFailure& /*fail*/) {
    const auto nop = as<seed_pkt_nop>(pkt);
    for (uint64_t r : nop.reserved)
        if (r != 0)
            return SEED_ERR_MALFORMED;
    return SEED_ERR_NONE;
}

} // namespace packets

namespace {

bool is_engine_opcode(uint8_t op) {
    return op == SEED_OP_COPY || op == SEED_OP_FILL || op == SEED_OP_GEMM ||
           op == SEED_OP_ELEMENTWISE || op == SEED_OP_REDUCE;
}

/// Step 1: opcode known and its capability bit set.
bool opcode_supported(uint8_t op, uint32_t caps) {
    switch (op) {
    case SEED_OP_NOP:
    case SEED_OP_COPY:
    case SEED_OP_FILL:
    case SEED_OP_SIGNAL:
    case SEED_OP_WAIT:
    case SEED_OP_TIMESTAMP:
    case SEED_OP_INDIRECT:
        return true;
    case SEED_OP_GEMM:
        return (caps & SEED_CAP_GEMM) != 0;
    case SEED_OP_ELEMENTWISE:
        return (caps & SEED_CAP_ELEMENTWISE) != 0;
    case SEED_OP_REDUCE:
        return (caps & SEED_CAP_REDUCE) != 0;
    default:
        return false;
    }
}

uint32_t dispatch(PacketEnv& env, const seed_pkt_raw& pkt, unsigned level, PacketFailure& fail) {
    using namespace packets;
    switch (pkt.hdr.opcode) {
    case SEED_OP_NOP:
        return run_nop(env, pkt, fail);
    case SEED_OP_COPY:
        return run_copy(env, pkt, fail);
    case SEED_OP_FILL:
        return run_fill(env, pkt, fail);
    case SEED_OP_SIGNAL:
        return run_signal(env, pkt, fail);
    case SEED_OP_WAIT:
        return run_wait(env, pkt, fail);
    case SEED_OP_TIMESTAMP:
        return run_timestamp(env, pkt, fail);
    case SEED_OP_INDIRECT:
        return run_indirect(env, pkt, level, fail);
    default:
        return run_compute(env, pkt, fail);
    }
}

uint32_t validate_and_run(PacketEnv& env, const seed_pkt_raw& pkt, unsigned level,
                          PacketFailure& fail) {
    const seed_pkt_header& hdr = pkt.hdr;
    if (!opcode_supported(hdr.opcode, env.caps()))
        return SEED_ERR_BAD_OPCODE;
    if ((hdr.flags & ~SEED_PKT_F_MASK) != 0 || hdr.reserved != 0 ||
        (level > 0 && (hdr.flags & SEED_PKT_F_FENCE) != 0))
        return SEED_ERR_MALFORMED;
    if (!is_engine_opcode(hdr.opcode))
        return dispatch(env, pkt, level, fail);
    // Engine packets wait for a free engine (§9.1) and run on it.
    if (!env.acquire_engine())
        return kErrAborted;
    uint32_t err = dispatch(env, pkt, level, fail);
    if (err != SEED_ERR_NONE)
        fail.engine = env.engine();
    env.release_engine();
    return err;
}

} // namespace

uint32_t run_packet(PacketEnv& env, const seed_pkt_raw& pkt, unsigned level, uint32_t offset,
                    PacketFailure& fail) {
    uint32_t err = validate_and_run(env, pkt, level, fail);
    if (err == SEED_ERR_NONE) {
        if (level > 0 && (pkt.hdr.flags & SEED_PKT_F_IRQ) != 0)
            env.nested_irq();
        return err;
    }
    // Locate the innermost failing packet; an aborted one too, since the
    // watchdog reports the packet it aborted.
    if (!fail.located) {
        fail.located = true;
        fail.level = level;
        fail.offset = offset;
        fail.opcode = pkt.hdr.opcode;
        fail.tag = pkt.hdr.tag;
        if (fail.context == SEED_EVENT_NONE16)
            fail.context = static_cast<uint16_t>(env.memory().context());
    }
    if (err == kErrAborted || env.aborted())
        return kErrAborted;
    fail.error = err;
    return err;
}

} // namespace seed::device
