// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// INDIRECT: runs a buffer of packets at the next level (docs/hardware.md §10.10).
#include "packet.h"

#include <algorithm>
#include <array>

namespace seed::device::packets {
namespace {

/// Runs the buffer of @p pkt, fetched in batches through the MMU (READ
/// needed) in the current context. A fetch fault is reported against the
/// INDIRECT packet itself.
uint32_t run_buffer(PacketEnv& env, const seed_pkt_indirect& pkt, unsigned level,
                    PacketFailure& fail) {
    static constexpr uint32_t kBatch = 32;
    std::array<seed_pkt_raw, kBatch> batch;
    for (uint32_t i = 0; i < pkt.count; i += kBatch) {
        const uint32_t n = std::min(kBatch, pkt.count - i);
        if (uint32_t err = env.memory().read(pkt.addr + uint64_t{i} * SEED_PKT_SIZE, batch.data(),
                                             n * sizeof(seed_pkt_raw)))
            return memory_failure(env, err, fail);
        for (uint32_t j = 0; j < n; ++j) {
            if (uint32_t err = run_packet(env, batch[j], level + 1, i + j, fail))
                return err;
        }
    }
    return SEED_ERR_NONE;
}

} // namespace

uint32_t run_indirect(PacketEnv& env, const seed_pkt_raw& raw, unsigned level,
                      PacketFailure& fail) {
    const auto pkt = as<seed_pkt_indirect>(raw);
    if (pkt.reserved[0] != 0 || pkt.reserved[1] != 0 || pkt.reserved[2] != 0 ||
        pkt.reserved[3] != 0)
        return SEED_ERR_MALFORMED;
    // Only the ring (level 0), which only the driver writes, may name the
    // context of a buffer: a command buffer cannot leave its own (§10.10).
    const bool switches = (pkt.context & SEED_INDIRECT_CTX_VALID) != 0;
    if ((pkt.context & ~(SEED_INDIRECT_CTX_VALID | SEED_INDIRECT_CTX_ID_MASK)) != 0 ||
        (!switches && pkt.context != 0) || (switches && level != 0) ||
        (switches && (pkt.context & SEED_INDIRECT_CTX_ID_MASK) >= env.context_count()))
        return SEED_ERR_MALFORMED;
    if (level >= SEED_INDIRECT_MAX_DEPTH)
        return SEED_ERR_INDIRECT_DEPTH;
    if (pkt.count == 0 || pkt.count > SEED_INDIRECT_MAX_PACKETS)
        return SEED_ERR_BAD_SIZE;
    if (pkt.addr % SEED_PKT_SIZE != 0)
        return misaligned(pkt.addr, fail);
    if (switches)
        env.enter_context(pkt.context & SEED_INDIRECT_CTX_ID_MASK);
    const uint32_t err = run_buffer(env, pkt, level, fail);
    if (switches)
        env.leave_context();
    return err;
}

} // namespace seed::device::packets
