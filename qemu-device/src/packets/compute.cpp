// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Compute packets: GEMM, ELEMENTWISE and REDUCE (docs/hardware.md §10.11).
// The packet is checked here; the descriptor is checked and run by the
// compute engines (compute/compute.h). An engine whose implementation is
// not built in (SEED_HAVE_COMPUTE_x unset) fails the packet with
// SEED_ERR_BAD_OPCODE.
#include "packet.h"

#include "../compute/compute.h"
#include "../log.h"

namespace seed::device::packets {
namespace {

uint32_t run_engine(uint8_t opcode, AddressSpace& as, uint64_t desc, Parallel* parallel) {
    switch (opcode) {
#if defined(SEED_HAVE_COMPUTE_GEMM)
    case SEED_OP_GEMM:
        return compute::run_gemm(as, desc, parallel);
#endif
#if defined(SEED_HAVE_COMPUTE_ELEMENTWISE)
    case SEED_OP_ELEMENTWISE:
        return compute::run_elementwise(as, desc);
#endif
#if defined(SEED_HAVE_COMPUTE_REDUCE)
    case SEED_OP_REDUCE:
        return compute::run_reduce(as, desc);
#endif
    default:
        log::warn("compute opcode {:#x} is not built into this model", opcode);
        (void)as;
        (void)desc;
        (void)parallel;
        return SEED_ERR_BAD_OPCODE;
    }
}

} // namespace

uint32_t run_compute(PacketEnv& env, const seed_pkt_raw& raw, PacketFailure& fail) {
    const auto pkt = as<seed_pkt_compute>(raw);
    for (uint64_t r : pkt.reserved)
        if (r != 0)
            return SEED_ERR_MALFORMED;
    if (pkt.desc % SEED_DESC_ALIGN != 0)
        return misaligned(pkt.desc, fail);
    uint32_t err = run_engine(pkt.hdr.opcode, env.memory(), pkt.desc, env.parallel());
    if (err == SEED_ERR_MMU_FAULT || err == SEED_ERR_BUS || err == SEED_ERR_ECC)
        return memory_failure(env, err, fail);
    if (env.aborted())
        return kErrAborted;
    return err;
}

} // namespace seed::device::packets
