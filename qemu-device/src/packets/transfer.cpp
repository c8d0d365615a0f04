// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Transfer packets: COPY (1-D and 2-D) and FILL (docs/hardware.md §10.5, §10.6).
#include "packet.h"

namespace seed::device::packets {

uint32_t run_copy(PacketEnv& env, const seed_pkt_raw& raw, PacketFailure& fail) {
    const auto pkt = as<seed_pkt_copy>(raw);
    if (pkt.reserved != 0)
        return SEED_ERR_MALFORMED;
    if (pkt.width < 1 || pkt.width > SEED_COPY_MAX_WIDTH || pkt.height < 1 ||
        pkt.height > SEED_COPY_MAX_HEIGHT || (pkt.height > 1 && pkt.dst_pitch < pkt.width))
        return SEED_ERR_BAD_SIZE;
    ContextAddressSpace& mem = env.memory();
    for (uint32_t r = 0; r < pkt.height; ++r) {
        const uint64_t src = pkt.src + r * pkt.src_pitch;
        const uint64_t dst = pkt.dst + r * pkt.dst_pitch;
        if (uint32_t err = mem.copy(dst, src, pkt.width))
            return memory_failure(env, err, fail);
    }
    return SEED_ERR_NONE;
}

uint32_t run_fill(PacketEnv& env, const seed_pkt_raw& raw, PacketFailure& fail) {
    const auto pkt = as<seed_pkt_fill>(raw);
    if (pkt.reserved0 != 0 || pkt.reserved[0] != 0 || pkt.reserved[1] != 0)
        return SEED_ERR_MALFORMED;
    const uint32_t pb = pkt.pattern_bytes;
    if (pb != 1 && pb != 2 && pb != 4 && pb != 8)
        return SEED_ERR_MALFORMED;
    if (pkt.size < 1 || pkt.size > SEED_FILL_MAX_SIZE || pkt.size % pb != 0)
        return SEED_ERR_BAD_SIZE;
    if (pkt.dst % pb != 0)
        return misaligned(pkt.dst, fail);
    return memory_failure(env, env.memory().fill(pkt.dst, pkt.size, pkt.pattern, pb), fail);
}

} // namespace seed::device::packets
