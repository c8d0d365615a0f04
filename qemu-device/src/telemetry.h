// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Telemetry: the telemetry block (docs/hardware.md §15). Device clock,
// per-engine busy time (measured by the EnginePool), the first-order thermal
// and power model (§15.3), HBM ECC counters and the snapshot written to host
// memory (§15.4).
#pragma once

#include "dma.h"
#include "engine_pool.h"

#include <hw/seed_hw.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace seed::device {

/// Where the telemetry block samples time and busy counters. Injectable so
/// that the model can be tested against a known utilisation history.
struct TelemetrySources {
    unsigned engines = 1;                      ///< E in the model, at least 1
    std::function<uint64_t()> clock_ns;        ///< device clock
    std::function<uint64_t(unsigned)> busy_ns; ///< busy ns of engine e < engines
};

/// Thread safe. Lock order: callers' locks, then this, then the Dma's and the
/// EnginePool's locks.
class Telemetry {
public:
    /// Samples the device clock and @p pool's busy counters.
    Telemetry(Dma& dma, const EnginePool& pool);
    Telemetry(Dma& dma, TelemetrySources sources);

    static bool owns_register(uint32_t offset) {
        return offset >= SEED_REG_CLOCK_LO && offset < SEED_REG_CLOCK_LO + 0x100;
    }
    /// Reads advance the model to the current tick; _LO reads latch _HI.
    uint32_t read_register(uint32_t offset);
    /// TELEM_ADDR_LO/HI and TELEM_SEQ (snapshot); writes to RO registers are ignored.
    void write_register(uint32_t offset, uint32_t value);

    /// Device or bus reset (§14.1): TELEM_ADDR and ECC_UE cleared; clock, busy
    /// counters, ECC_CE, the thermal state and POWER_LIMIT are kept.
    void reset();

    /// Power-on (replug, §16.3): also the ECC counters, the thermal model and
    /// POWER_LIMIT return to their initial values.
    void power_on();

    /// While held (the device may not master the bus, §2.4), a snapshot
    /// request is kept (the last one wins) and written, sampled then, on release.
    void set_held(bool held);

    /// HBM ECC events (fault injection). Counters wrap at 2^32.
    /// Count one error; returns the counter after it (the event's `data`).
    uint32_t count_corrected_error() { return ecc_ce_.fetch_add(1) + 1; }
    uint32_t count_uncorrectable_error() { return ecc_ue_.fetch_add(1) + 1; }

    /// The values a snapshot would hold now (seq 0).
    seed_telemetry sample();

private:
    /// Runs the §15.3 recurrence once per tick elapsed up to @p now_ns, with
    /// @p busy_total the sum of all engines' busy counters at @p now_ns.
    void advance_locked(uint64_t now_ns, uint64_t busy_total);
    /// Samples clock and busy counters, advances the model, fills @p out.
    seed_telemetry sample_locked();
    void snapshot_locked(uint32_t seq);

    Dma& dma_;
    const TelemetrySources sources_;
    const unsigned visible_engines_; // engines with busy registers (<= SEED_MAX_ENGINES)
    std::atomic<uint32_t> ecc_ce_{0};
    std::atomic<uint32_t> ecc_ue_{0};

    std::mutex lock_; /* Protects everything below */
    uint64_t addr_ = 0;
    uint32_t clock_hi_latch_ = 0;
    std::array<uint32_t, SEED_MAX_ENGINES> busy_hi_latch_{};
    // Model state at tick last_tick_ (tick n ends at device clock n * Δ).
    uint64_t last_tick_ = 0;
    uint64_t last_busy_total_ = 0;
    double power_mw_ = SEED_TELEM_P_IDLE_MW; // P̄
    double temp_mc_ = 0;                     // T
    uint32_t core_clk_mhz_ = SEED_TELEM_CORE_CLK_IDLE_MHZ;
    uint32_t limit_mw_ = SEED_TELEM_P_MAX_MW; // POWER_LIMIT (§15.5)
    bool held_ = false;
    std::optional<uint32_t> held_seq_;
};

} // namespace seed::device
