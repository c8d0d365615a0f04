// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// INDIRECT: runs a buffer of packets at the next level (docs/hardware.md §10.10).
#include "packet.h"

#include <algorithm>
#include <array>

namespace seed::device::packets {

uint32_t run_indirect(PacketEnv& env, const seed_pkt_raw& raw, unsigned level,
                      PacketFailure& fail) {
    const auto pkt = as<seed_pkt_indirect>(raw);
    if (pkt.reserved0 != 0 || pkt.reserved[0] != 0 || pkt.reserved[1] != 0 ||
        pkt.reserved[2] != 0 || pkt.reserved[3] != 0)
        return SEED_ERR_MALFORMED;
    if (level >= SEED_INDIRECT_MAX_DEPTH)
        return SEED_ERR_INDIRECT_DEPTH;
    if (pkt.count == 0 || pkt.count > SEED_INDIRECT_MAX_PACKETS)
        return SEED_ERR_BAD_SIZE;
    if (pkt.addr % SEED_PKT_SIZE != 0)
        return misaligned(pkt.addr, fail);
    // The buffer is fetched in batches through the MMU (READ needed). A fetch
    // fault is reported against this INDIRECT packet.
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

} // namespace seed::device::packets
