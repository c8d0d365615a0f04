// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Telemetry: registers, lazy thermal/power model and snapshot (§15).
#include "telemetry.h"

#include "device_clock.h"
#include "log.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <utility>

namespace seed::device {
namespace {

constexpr uint64_t kTickNs = uint64_t{SEED_TELEM_TICK_MS} * 1000000;
constexpr double kTickMs = SEED_TELEM_TICK_MS;
constexpr double kPowerIdleMw = SEED_TELEM_P_IDLE_MW;
constexpr double kPowerMaxMw = SEED_TELEM_P_MAX_MW;
constexpr double kAmbientMc = SEED_TELEM_T_AMBIENT_MC;
constexpr double kRthMcPerMw = SEED_TELEM_R_TH_MC_PER_W / 1000.0;
constexpr size_t kSeqOffset = offsetof(seed_telemetry, seq);

static_assert(SEED_REG_ENGINE_BUSY_HI(SEED_MAX_ENGINES - 1) < SEED_REG_CLOCK_LO + 0x100);

double steady_temp_mc(double power_mw) {
    return kAmbientMc + kRthMcPerMw * power_mw;
}

TelemetrySources pool_sources(const EnginePool& pool) {
    return {pool.engine_count(), device_clock_ns, [&pool](unsigned e) { return pool.busy_ns(e); }};
}

} // namespace

Telemetry::Telemetry(Dma& dma, const EnginePool& pool) : Telemetry(dma, pool_sources(pool)) {}

Telemetry::Telemetry(Dma& dma, TelemetrySources sources)
    : dma_(dma), sources_(std::move(sources)),
      visible_engines_(std::min<unsigned>(sources_.engines, SEED_MAX_ENGINES)) {
    last_tick_ = sources_.clock_ns() / kTickNs;
    for (unsigned e = 0; e < sources_.engines; ++e)
        last_busy_total_ += sources_.busy_ns(e);
    temp_mc_ = steady_temp_mc(power_mw_); // T_0 = T_amb + R_th · P_idle
}

void Telemetry::advance_locked(uint64_t now_ns, uint64_t busy_total) {
    const uint64_t tick = now_ns / kTickNs;
    if (tick <= last_tick_)
        return;
    const uint64_t ticks = tick - last_tick_;
    const uint64_t busy = busy_total > last_busy_total_ ? busy_total - last_busy_total_ : 0;
    // Busy counters are sampled lazily: busy time accumulated since the last
    // sample is spread evenly over the ticks elapsed since then. With a sample
    // at every tick this is exactly the recurrence of §15.3.
    const double capacity =
        static_cast<double>(std::max(1u, sources_.engines)) * static_cast<double>(kTickNs);
    const double u =
        std::clamp(static_cast<double>(busy) / static_cast<double>(ticks) / capacity, 0.0, 1.0);
    // The board power limit (§15.5) caps the power drawn; the core clock
    // drops in proportion to what the limit cuts off the dynamic power.
    const double demand = kPowerIdleMw + (kPowerMaxMw - kPowerIdleMw) * u;
    const double limit = limit_mw_;
    const double p = std::min(demand, limit);
    static const double power_gain = 1.0 - std::exp(-kTickMs / SEED_TELEM_TAU_POWER_MS);
    static const double temp_decay = std::exp(-kTickMs / SEED_TELEM_TAU_THERMAL_MS);
    for (uint64_t n = 0; n < ticks; ++n) {
        power_mw_ += (p - power_mw_) * power_gain;
        const double t_ss = steady_temp_mc(power_mw_);
        temp_mc_ = t_ss + (temp_mc_ - t_ss) * temp_decay;
    }
    if (u <= 0) {
        core_clk_mhz_ = SEED_TELEM_CORE_CLK_IDLE_MHZ;
    } else if (demand <= limit) {
        core_clk_mhz_ = SEED_TELEM_CORE_CLK_BUSY_MHZ;
    } else {
        constexpr double kIdle = SEED_TELEM_CORE_CLK_IDLE_MHZ;
        constexpr double kBusy = SEED_TELEM_CORE_CLK_BUSY_MHZ;
        const double share = (limit - kPowerIdleMw) / (demand - kPowerIdleMw);
        core_clk_mhz_ = static_cast<uint32_t>(std::lround(kIdle + (kBusy - kIdle) * share));
    }
    last_tick_ = tick;
    last_busy_total_ = busy_total;
}

seed_telemetry Telemetry::sample_locked() {
    seed_telemetry s{};
    s.clock_ns = sources_.clock_ns();
    uint64_t busy_total = 0;
    for (unsigned e = 0; e < sources_.engines; ++e) {
        const uint64_t b = sources_.busy_ns(e);
        busy_total += b;
        if (e < visible_engines_)
            s.engine_busy_ns[e] = b;
    }
    advance_locked(s.clock_ns, busy_total);
    s.temp_mc = static_cast<uint32_t>(static_cast<int32_t>(std::lround(temp_mc_)));
    s.power_mw = static_cast<uint32_t>(std::lround(power_mw_));
    s.core_clk_mhz = core_clk_mhz_;
    s.hbm_clk_mhz = SEED_TELEM_HBM_CLK_MHZ;
    s.ecc_ce = ecc_ce_.load();
    s.ecc_ue = ecc_ue_.load();
    s.engines = visible_engines_;
    return s;
}

seed_telemetry Telemetry::sample() {
    std::lock_guard guard(lock_);
    return sample_locked();
}

uint32_t Telemetry::read_register(uint32_t offset) {
    std::lock_guard guard(lock_);
    switch (offset) {
    case SEED_REG_TEMP_CRIT:
        return SEED_TELEM_T_CRIT_MC;
    case SEED_REG_POWER_CAP:
        return SEED_TELEM_P_MAX_MW;
    case SEED_REG_POWER_LIMIT:
        return limit_mw_;
    case SEED_REG_TELEM_ADDR_LO:
        return static_cast<uint32_t>(addr_);
    case SEED_REG_TELEM_ADDR_HI:
        return static_cast<uint32_t>(addr_ >> 32);
    case SEED_REG_TELEM_SEQ:
        return 0; // write-only
    case SEED_REG_CLOCK_HI:
        return clock_hi_latch_;
    case SEED_REG_HBM_CLK:
        return SEED_TELEM_HBM_CLK_MHZ;
    case SEED_REG_ECC_CE_COUNT:
        return ecc_ce_.load();
    case SEED_REG_ECC_UE_COUNT:
        return ecc_ue_.load();
    default:
        break;
    }
    if (offset >= SEED_REG_ENGINE_BUSY_LO(0)) {
        const unsigned e = (offset - SEED_REG_ENGINE_BUSY_LO(0)) / 8;
        if (e >= visible_engines_)
            return 0;
        if (offset == SEED_REG_ENGINE_BUSY_HI(e))
            return busy_hi_latch_[e];
        const uint64_t busy = sources_.busy_ns(e);
        busy_hi_latch_[e] = static_cast<uint32_t>(busy >> 32);
        return static_cast<uint32_t>(busy);
    }
    const seed_telemetry s = sample_locked();
    switch (offset) {
    case SEED_REG_CLOCK_LO:
        clock_hi_latch_ = static_cast<uint32_t>(s.clock_ns >> 32);
        return static_cast<uint32_t>(s.clock_ns);
    case SEED_REG_TEMP:
        return s.temp_mc;
    case SEED_REG_POWER:
        return s.power_mw;
    case SEED_REG_CORE_CLK:
        return s.core_clk_mhz;
    default:
        return 0; // undefined offsets read as 0
    }
}

void Telemetry::write_register(uint32_t offset, uint32_t value) {
    std::lock_guard guard(lock_);
    switch (offset) {
    case SEED_REG_TELEM_ADDR_LO:
        addr_ = (addr_ & 0xffffffff00000000ull) | value;
        return;
    case SEED_REG_TELEM_ADDR_HI:
        addr_ = (addr_ & 0xffffffffull) | (uint64_t{value} << 32);
        return;
    case SEED_REG_TELEM_SEQ:
        if (held_)
            held_seq_ = value;
        else
            snapshot_locked(value);
        return;
    case SEED_REG_POWER_LIMIT: {
        const uint32_t limit =
            std::clamp<uint32_t>(value, SEED_TELEM_P_LIMIT_MIN_MW, SEED_TELEM_P_MAX_MW);
        if (limit != value)
            log::guest_error("POWER_LIMIT {} mW outside [{}, {}] mW: set to {} mW", value,
                             SEED_TELEM_P_LIMIT_MIN_MW, SEED_TELEM_P_MAX_MW, limit);
        // The ticks up to now ran under the old limit.
        (void)sample_locked();
        limit_mw_ = limit;
        return;
    }
    default:
        break;
    }
    const bool engine_reg = offset >= SEED_REG_ENGINE_BUSY_LO(0) &&
                            (offset - SEED_REG_ENGINE_BUSY_LO(0)) / 8 < visible_engines_;
    if (offset < SEED_REG_TELEM_ADDR_LO || engine_reg)
        log::guest_error("write {:#x} to read-only telemetry register {:#x} ignored", value,
                         offset);
    else
        log::debug("write {:#x} to undefined register {:#x} ignored", value, offset);
}

void Telemetry::snapshot_locked(uint32_t seq) {
    if (addr_ == 0 || addr_ % SEED_TELEM_ALIGN != 0) {
        log::guest_error("telemetry snapshot {}: TELEM_ADDR {:#x} is 0 or not {}-byte aligned; "
                         "ignored",
                         seq, addr_, SEED_TELEM_ALIGN);
        return;
    }
    seed_telemetry s = sample_locked();
    s.seq = seq;
    // Everything but seq first, then seq (§15.4): a driver that sees seq = S
    // sees the whole snapshot.
    int rc = dma_.write(addr_, &s, kSeqOffset);
    if (rc == 0) {
        std::atomic_thread_fence(std::memory_order_release);
        rc = dma_.write(addr_ + kSeqOffset, reinterpret_cast<const uint8_t*>(&s) + kSeqOffset,
                        sizeof(s) - kSeqOffset);
    }
    if (rc != 0)
        log::guest_error("telemetry snapshot {} to {:#x} failed ({}); seq not written", seq, addr_,
                         rc);
}

void Telemetry::reset() {
    std::lock_guard guard(lock_);
    addr_ = 0;
    held_seq_.reset();
    ecc_ue_.store(0);
}

void Telemetry::power_on() {
    reset();
    ecc_ce_.store(0);
    std::lock_guard guard(lock_);
    // The model restarts idle at the current tick, as at construction.
    (void)sample_locked();
    power_mw_ = SEED_TELEM_P_IDLE_MW;
    temp_mc_ = steady_temp_mc(power_mw_);
    core_clk_mhz_ = SEED_TELEM_CORE_CLK_IDLE_MHZ;
    limit_mw_ = SEED_TELEM_P_MAX_MW;
}

void Telemetry::set_held(bool held) {
    std::lock_guard guard(lock_);
    held_ = held;
    if (held || !held_seq_)
        return;
    const uint32_t seq = *held_seq_;
    held_seq_.reset();
    snapshot_locked(seq);
}

} // namespace seed::device
