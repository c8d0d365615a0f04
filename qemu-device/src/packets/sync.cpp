// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Synchronisation packets: SIGNAL, WAIT and TIMESTAMP (docs/hardware.md
// §10.7 - §10.9).
#include "packet.h"

#include "../device_clock.h"

#include <algorithm>
#include <chrono>

namespace seed::device::packets {

uint32_t run_signal(PacketEnv& env, const seed_pkt_raw& raw, PacketFailure& fail) {
    const auto pkt = as<seed_pkt_signal>(raw);
    for (uint64_t r : pkt.reserved)
        if (r != 0)
            return SEED_ERR_MALFORMED;
    if (pkt.addr % 8 != 0)
        return misaligned(pkt.addr, fail);
    // store64 is a release: everything this queue wrote before is visible first.
    if (uint32_t err = env.memory().store64(pkt.addr, pkt.value))
        return memory_failure(env, err, fail);
    env.wait_hub().notify();
    return SEED_ERR_NONE;
}

uint32_t run_wait(PacketEnv& env, const seed_pkt_raw& raw, PacketFailure& fail) {
    using Clock = std::chrono::steady_clock;
    const auto pkt = as<seed_pkt_wait>(raw);
    if (pkt.reserved0 != 0 || pkt.reserved[0] != 0 || pkt.reserved[1] != 0 || pkt.reserved[2] != 0)
        return SEED_ERR_MALFORMED;
    if (pkt.addr % 8 != 0)
        return misaligned(pkt.addr, fail);
    const auto start = Clock::now();
    const auto timeout = start + std::chrono::microseconds(pkt.timeout_us);
    WaitHub& hub = env.wait_hub();
    uint32_t result = SEED_ERR_NONE;
    for (bool first = true;; first = false) {
        // Read the generation before the value, so that a SIGNAL between the
        // two is not missed.
        const uint64_t seen = hub.generation();
        uint64_t value = 0;
        if (uint32_t err = env.memory().load64(pkt.addr, value)) {
            result = memory_failure(env, err, fail);
            break;
        }
        if (value >= pkt.value)
            break;
        if (env.aborted()) {
            result = kErrAborted;
            break;
        }
        const auto now = Clock::now();
        if (pkt.timeout_us != 0 && now >= timeout) {
            result = SEED_ERR_WAIT_TIMEOUT;
            break;
        }
        if (first)
            env.set_waiting(true);
        auto deadline = now + std::chrono::microseconds(SEED_WAIT_POLL_US);
        if (pkt.timeout_us != 0)
            deadline = std::min(deadline, timeout);
        hub.wait(seen, deadline);
    }
    env.set_waiting(false);
    return result;
}

uint32_t run_timestamp(PacketEnv& env, const seed_pkt_raw& raw, PacketFailure& fail) {
    const auto pkt = as<seed_pkt_timestamp>(raw);
    for (uint64_t r : pkt.reserved)
        if (r != 0)
            return SEED_ERR_MALFORMED;
    if (pkt.addr % 8 != 0)
        return misaligned(pkt.addr, fail);
    return memory_failure(env, env.memory().store64(pkt.addr, device_clock_ns()), fail);
}

} // namespace seed::device::packets
