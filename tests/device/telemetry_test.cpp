// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Telemetry block (docs/hardware.md §15): registers, measured busy time, the
// thermal and power model against its recurrence, and the snapshot.
#include "device_harness.h"
#include "log.h"
#include "telemetry.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <thread>
#include <vector>

namespace seed::device {
namespace {

using namespace test;

constexpr uint64_t kTickNs = uint64_t{SEED_TELEM_TICK_MS} * 1000000;

// ---------------------------------------------------------------------------
// The model against its recurrence, with injected clock and busy counters.
// ---------------------------------------------------------------------------

/// §15.3 written out independently of the device model.
struct ReferenceModel {
    double power_mw = SEED_TELEM_P_IDLE_MW;
    double temp_mc = SEED_TELEM_T_AMBIENT_MC + 0.150 * SEED_TELEM_P_IDLE_MW;
    double limit_mw = 300000.0; // §15.5

    void tick(double u) {
        const double p = std::min(40000.0 + (300000.0 - 40000.0) * u, limit_mw);
        power_mw += (p - power_mw) * (1.0 - std::exp(-10.0 / 100.0));
        const double t_ss = 35000.0 + 0.150 * power_mw;
        temp_mc = t_ss + (temp_mc - t_ss) * std::exp(-10.0 / 5000.0);
    }
};

class TelemetryModelTest : public ::testing::Test {
protected:
    static constexpr unsigned kEngines = 4;

    TelemetryModelTest()
        : mem_(dma_, 16 * SEED_PAGE_SIZE), busy_(kEngines, 0),
          telemetry_(dma_, TelemetrySources{kEngines, [this] { return clock_; },
                                            [this](unsigned e) { return busy_.at(e); }}) {}

    void SetUp() override { log::set_level(LogLevel::kError); }

    /// One tick in which every engine is busy for fraction @p u of it.
    void run_tick(double u) {
        for (auto& b : busy_)
            b += static_cast<uint64_t>(std::llround(u * kTickNs));
        clock_ += kTickNs;
    }
    int32_t temp() { return static_cast<int32_t>(telemetry_.read_register(SEED_REG_TEMP)); }
    uint32_t power() { return telemetry_.read_register(SEED_REG_POWER); }

    Dma dma_;
    test::GuestMemory mem_;
    uint64_t clock_ = 0;
    std::vector<uint64_t> busy_;
    Telemetry telemetry_;
};

TEST_F(TelemetryModelTest, PowerOnState) {
    EXPECT_EQ(temp(), 41000);
    EXPECT_EQ(power(), 40000u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_CORE_CLK), 500u);
    // Idle ticks keep the model at its idle steady state.
    for (int i = 0; i < 100; ++i)
        run_tick(0);
    EXPECT_EQ(temp(), 41000);
    EXPECT_EQ(power(), 40000u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_CORE_CLK), 500u);
}

TEST_F(TelemetryModelTest, MatchesRecurrenceForKnownHistory) {
    ReferenceModel ref;
    std::vector<double> history;
    history.insert(history.end(), 150, 1.0);
    history.insert(history.end(), 100, 0.5);
    history.insert(history.end(), 50, 0.25);
    history.insert(history.end(), 200, 0.0);
    for (double u : history) {
        run_tick(u);
        ref.tick(u);
        ASSERT_NEAR(temp(), ref.temp_mc, 1.0);
        ASSERT_NEAR(power(), ref.power_mw, 1.0);
        EXPECT_EQ(telemetry_.read_register(SEED_REG_CORE_CLK), u > 0 ? 1500u : 500u);
    }
}

TEST_F(TelemetryModelTest, RisesTowardSteadyStateUnderFullLoad) {
    int32_t last = temp();
    ReferenceModel ref;
    // 5 s (τ_th) of full load, read every 100 ms: rising, 63 % of the rise.
    for (int step = 0; step < 50; ++step) {
        for (int i = 0; i < 10; ++i) {
            run_tick(1.0);
            ref.tick(1.0);
        }
        const int32_t t = temp();
        EXPECT_GT(t, last);
        EXPECT_LT(t, 80000);
        last = t;
    }
    EXPECT_NEAR(power(), 300000.0, 1.0);
    // The model reads lazily: one read after many ticks equals ticking each.
    EXPECT_NEAR(temp(), ref.temp_mc, 1.0);
    EXPECT_NEAR(temp(), 41000 + 0.632 * 39000, 300);
    for (int i = 0; i < 3000; ++i) {
        run_tick(1.0);
        ref.tick(1.0);
    }
    EXPECT_NEAR(temp(), ref.temp_mc, 1.0);
    EXPECT_NEAR(temp(), 80000, 150);
    EXPECT_LT(temp(), SEED_TELEM_T_CRIT_MC);
}

TEST_F(TelemetryModelTest, RegistersAndBusyLatch) {
    busy_[1] = 0x123456789abcull;
    clock_ = 0x5000000000ull + 7;
    EXPECT_EQ(telemetry_.read_register(SEED_REG_CLOCK_LO), 7u);
    clock_ += 0x100000000ull;
    EXPECT_EQ(telemetry_.read_register(SEED_REG_CLOCK_HI), 0x50u); // latched
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ENGINE_BUSY_LO(1)), 0x56789abcu);
    busy_[1] += 0x100000000ull;
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ENGINE_BUSY_HI(1)), 0x1234u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ENGINE_BUSY_LO(kEngines)), 0u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ENGINE_BUSY_HI(kEngines)), 0u);
}

TEST_F(TelemetryModelTest, EccCounters) {
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ECC_CE_COUNT), 0u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ECC_UE_COUNT), 0u);
    telemetry_.count_corrected_error();
    telemetry_.count_corrected_error();
    telemetry_.count_uncorrectable_error();
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ECC_CE_COUNT), 2u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ECC_UE_COUNT), 1u);
    telemetry_.reset(); // device or bus reset: ECC_UE cleared, ECC_CE kept
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ECC_CE_COUNT), 2u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_ECC_UE_COUNT), 0u);
}

TEST_F(TelemetryModelTest, SnapshotMatchesRegisters) {
    for (int i = 0; i < 37; ++i)
        run_tick(0.75);
    busy_[3] = 0x700000001ull;
    telemetry_.count_corrected_error();
    const uint64_t buf = mem_.alloc(sizeof(seed_telemetry), SEED_TELEM_ALIGN);
    std::memset(mem_.at(buf), 0xa5, sizeof(seed_telemetry));
    telemetry_.write_register(SEED_REG_TELEM_ADDR_LO, static_cast<uint32_t>(buf));
    telemetry_.write_register(SEED_REG_TELEM_ADDR_HI, static_cast<uint32_t>(buf >> 32));
    telemetry_.write_register(SEED_REG_TELEM_SEQ, 0xc0ffee);
    const auto s = mem_.load<seed_telemetry>(buf);
    EXPECT_EQ(s.seq, 0xc0ffeeu);

    auto reg = [&](uint32_t offset) { return telemetry_.read_register(offset); };
    EXPECT_EQ(s.clock_ns,
              (uint64_t{reg(SEED_REG_CLOCK_LO)}) | (uint64_t{reg(SEED_REG_CLOCK_HI)} << 32));
    EXPECT_EQ(s.temp_mc, reg(SEED_REG_TEMP));
    EXPECT_EQ(s.power_mw, reg(SEED_REG_POWER));
    EXPECT_EQ(s.core_clk_mhz, reg(SEED_REG_CORE_CLK));
    EXPECT_EQ(s.hbm_clk_mhz, reg(SEED_REG_HBM_CLK));
    EXPECT_EQ(s.ecc_ce, 1u);
    EXPECT_EQ(s.ecc_ce, reg(SEED_REG_ECC_CE_COUNT));
    EXPECT_EQ(s.ecc_ue, reg(SEED_REG_ECC_UE_COUNT));
    EXPECT_EQ(s.engines, kEngines);
    for (unsigned e = 0; e < SEED_MAX_ENGINES; ++e) {
        const uint64_t lo = reg(SEED_REG_ENGINE_BUSY_LO(e));
        EXPECT_EQ(s.engine_busy_ns[e], lo | (uint64_t{reg(SEED_REG_ENGINE_BUSY_HI(e))} << 32))
            << "engine " << e;
    }
    EXPECT_EQ(s.engine_busy_ns[3], 0x700000001ull);
    EXPECT_EQ(s.reserved0, 0u);
    EXPECT_EQ(s.reserved1, 0u);
    for (uint64_t r : s.reserved)
        EXPECT_EQ(r, 0u);
}

TEST_F(TelemetryModelTest, SnapshotAddressRules) {
    const uint64_t buf = mem_.alloc(2 * sizeof(seed_telemetry), SEED_TELEM_ALIGN);
    std::memset(mem_.at(buf), 0xa5, 2 * sizeof(seed_telemetry));
    const std::vector<uint8_t> before(mem_.at(buf), mem_.at(buf) + 2 * sizeof(seed_telemetry));
    auto unchanged = [&] { return std::memcmp(before.data(), mem_.at(buf), before.size()) == 0; };
    auto set_addr = [&](uint64_t a) {
        telemetry_.write_register(SEED_REG_TELEM_ADDR_LO, static_cast<uint32_t>(a));
        telemetry_.write_register(SEED_REG_TELEM_ADDR_HI, static_cast<uint32_t>(a >> 32));
        EXPECT_EQ(telemetry_.read_register(SEED_REG_TELEM_ADDR_LO), static_cast<uint32_t>(a));
        EXPECT_EQ(telemetry_.read_register(SEED_REG_TELEM_ADDR_HI), static_cast<uint32_t>(a >> 32));
    };
    // TELEM_ADDR 0 (the reset value) or not 64-byte aligned: the write is ignored.
    telemetry_.write_register(SEED_REG_TELEM_SEQ, 1);
    for (uint64_t off : {8u, 32u, 63u}) {
        set_addr(buf + off);
        telemetry_.write_register(SEED_REG_TELEM_SEQ, 2);
        EXPECT_TRUE(unchanged()) << "offset " << off;
    }
    // Unmapped: the DMA fails, nothing is written and the device carries on.
    set_addr(test::GuestMemory::kBase - 0x1000);
    telemetry_.write_register(SEED_REG_TELEM_SEQ, 3);
    EXPECT_TRUE(unchanged());
    set_addr(buf);
    telemetry_.write_register(SEED_REG_TELEM_SEQ, 4);
    EXPECT_EQ(mem_.load<seed_telemetry>(buf).seq, 4u);
    telemetry_.reset(); // TELEM_ADDR is cleared by device and bus resets
    EXPECT_EQ(telemetry_.read_register(SEED_REG_TELEM_ADDR_LO), 0u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_TELEM_ADDR_HI), 0u);
}

/// One page of guest memory mapped into a Dma with @p prot.
struct GuestPage {
    GuestPage(Dma& dma, uint64_t iova, uint32_t prot) {
        const int fd = ::memfd_create("telemetry-test", MFD_CLOEXEC);
        EXPECT_GE(fd, 0);
        EXPECT_EQ(::ftruncate(fd, SEED_PAGE_SIZE), 0);
        view = static_cast<uint8_t*>(
            ::mmap(nullptr, SEED_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
        EXPECT_NE(view, MAP_FAILED);
        std::memset(view, 0xa5, SEED_PAGE_SIZE);
        EXPECT_EQ(dma.map(iova, SEED_PAGE_SIZE, prot, UniqueFd(fd), 0), 0);
    }
    ~GuestPage() { ::munmap(view, SEED_PAGE_SIZE); }
    GuestPage(const GuestPage&) = delete;
    GuestPage& operator=(const GuestPage&) = delete;
    uint8_t* view = nullptr;
};

TEST_F(TelemetryModelTest, SeqIsWrittenAfterTheRest) {
    // A snapshot straddling a read-only page and a writable one: the body
    // cannot be written, so seq (in the writable page) must not be either.
    constexpr uint64_t kIova = 0x40000000;
    GuestPage ro(dma_, kIova, kDmaProtRead);
    GuestPage rw(dma_, kIova + SEED_PAGE_SIZE, kDmaProtRead | kDmaProtWrite);
    const uint64_t buf = kIova + SEED_PAGE_SIZE - 0xc0;
    static_assert(offsetof(seed_telemetry, seq) >= 0xc0);
    telemetry_.write_register(SEED_REG_TELEM_ADDR_LO, static_cast<uint32_t>(buf));
    telemetry_.write_register(SEED_REG_TELEM_ADDR_HI, 0);
    telemetry_.write_register(SEED_REG_TELEM_SEQ, 9);
    uint32_t seq = 0;
    std::memcpy(&seq, rw.view + offsetof(seed_telemetry, seq) - 0xc0, sizeof(seq));
    EXPECT_EQ(seq, 0xa5a5a5a5u);
}

// §15.5: the board power limit caps the power and lowers the core clock by
// the share of the dynamic power it cuts off.
TEST_F(TelemetryModelTest, PowerLimitCapsPowerAndLowersTheClock) {
    EXPECT_EQ(telemetry_.read_register(SEED_REG_POWER_LIMIT), 300000u);
    telemetry_.write_register(SEED_REG_POWER_LIMIT, 100000);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_POWER_LIMIT), 100000u);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_POWER_CAP), 300000u); // rated, unchanged
    ReferenceModel ref;
    ref.limit_mw = 100000;
    for (int i = 0; i < 300; ++i) {
        run_tick(1.0);
        ref.tick(1.0);
    }
    EXPECT_NEAR(power(), ref.power_mw, 1.0);
    EXPECT_NEAR(power(), 100000.0, 1.0);
    EXPECT_NEAR(temp(), ref.temp_mc, 1.0);
    // 500 + 1000 * (100 - 40) / (300 - 40) MHz
    EXPECT_EQ(telemetry_.read_register(SEED_REG_CORE_CLK), 731u);
    // A demand under the limit runs at full clock: u = 0.2 asks for 92 W.
    run_tick(0.2);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_CORE_CLK), 1500u);
    run_tick(0);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_CORE_CLK), 500u);
    // Raising the limit lets the power rise again.
    telemetry_.write_register(SEED_REG_POWER_LIMIT, 300000);
    for (int i = 0; i < 300; ++i)
        run_tick(1.0);
    EXPECT_NEAR(power(), 300000.0, 1.0);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_CORE_CLK), 1500u);
}

TEST_F(TelemetryModelTest, PowerLimitOutsideTheRangeSetsTheNearestBound) {
    telemetry_.write_register(SEED_REG_POWER_LIMIT, 5);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_POWER_LIMIT), uint32_t{SEED_TELEM_P_LIMIT_MIN_MW});
    telemetry_.write_register(SEED_REG_POWER_LIMIT, 0xffffffff);
    EXPECT_EQ(telemetry_.read_register(SEED_REG_POWER_LIMIT), uint32_t{SEED_TELEM_P_MAX_MW});
    telemetry_.write_register(SEED_REG_POWER_LIMIT, 123456);
    telemetry_.reset();
    EXPECT_EQ(telemetry_.read_register(SEED_REG_POWER_LIMIT), 123456u); // kept by resets
    telemetry_.power_on();
    EXPECT_EQ(telemetry_.read_register(SEED_REG_POWER_LIMIT), 300000u);
}

// ---------------------------------------------------------------------------
// The telemetry block of a device.
// ---------------------------------------------------------------------------

class TelemetryDeviceTest : public PacketTest {
protected:
    /// Sum of every engine's busy counter, read through the registers.
    uint64_t busy_total() {
        uint64_t sum = 0;
        for (unsigned e = 0; e < SEED_MAX_ENGINES; ++e) {
            const uint64_t lo = reg(SEED_REG_ENGINE_BUSY_LO(e));
            sum += lo | (uint64_t{reg(SEED_REG_ENGINE_BUSY_HI(e))} << 32);
        }
        return sum;
    }
};

TEST_F(TelemetryDeviceTest, ResetValues) {
    const unsigned engines = (reg(SEED_REG_QUEUE_INFO) >> 8) & 0xff;
    EXPECT_EQ(static_cast<int32_t>(reg(SEED_REG_TEMP)), 41000);
    EXPECT_EQ(reg(SEED_REG_POWER), 40000u);
    EXPECT_EQ(reg(SEED_REG_CORE_CLK), 500u);
    EXPECT_EQ(reg(SEED_REG_HBM_CLK), 1600u);
    EXPECT_EQ(reg(SEED_REG_ECC_CE_COUNT), 0u);
    EXPECT_EQ(reg(SEED_REG_ECC_UE_COUNT), 0u);
    EXPECT_EQ(reg(SEED_REG_TEMP_CRIT), 95000u);
    EXPECT_EQ(reg(SEED_REG_POWER_CAP), 300000u);
    EXPECT_EQ(reg(SEED_REG_TELEM_ADDR_LO), 0u);
    EXPECT_EQ(reg(SEED_REG_TELEM_ADDR_HI), 0u);
    EXPECT_EQ(reg(SEED_REG_TELEM_SEQ), 0u);
    for (unsigned e = 0; e < SEED_MAX_ENGINES; ++e) {
        EXPECT_EQ(reg(SEED_REG_ENGINE_BUSY_LO(e)), 0u) << e;
        EXPECT_EQ(reg(SEED_REG_ENGINE_BUSY_HI(e)), 0u) << e;
    }
    EXPECT_EQ(engines, 2u);
    // The device clock counts up.
    const uint64_t c0 = reg(SEED_REG_CLOCK_LO) | (uint64_t{reg(SEED_REG_CLOCK_HI)} << 32);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const uint64_t c1 = reg(SEED_REG_CLOCK_LO) | (uint64_t{reg(SEED_REG_CLOCK_HI)} << 32);
    EXPECT_GE(c1 - c0, 2000000u);
}

TEST_F(TelemetryDeviceTest, ReadOnlyRegistersIgnoreWrites) {
    const uint32_t ro[] = {SEED_REG_TEMP,
                           SEED_REG_POWER,
                           SEED_REG_CORE_CLK,
                           SEED_REG_HBM_CLK,
                           SEED_REG_ECC_CE_COUNT,
                           SEED_REG_ECC_UE_COUNT,
                           SEED_REG_TEMP_CRIT,
                           SEED_REG_POWER_CAP,
                           SEED_REG_ENGINE_BUSY_LO(0),
                           SEED_REG_ENGINE_BUSY_HI(0),
                           SEED_REG_ENGINE_BUSY_LO(1),
                           SEED_REG_ENGINE_BUSY_HI(1)};
    for (uint32_t offset : ro) {
        const uint32_t before = reg(offset);
        reg(offset, 0x12345678);
        EXPECT_EQ(reg(offset), before) << std::hex << offset;
    }
    const uint64_t c0 = reg(SEED_REG_CLOCK_LO) | (uint64_t{reg(SEED_REG_CLOCK_HI)} << 32);
    reg(SEED_REG_CLOCK_LO, 0);
    reg(SEED_REG_CLOCK_HI, 0);
    const uint64_t c1 = reg(SEED_REG_CLOCK_LO) | (uint64_t{reg(SEED_REG_CLOCK_HI)} << 32);
    EXPECT_GE(c1, c0);
    // TELEM_ADDR is RW and cleared by a bus reset.
    reg64(SEED_REG_TELEM_ADDR_LO, 0x1234567840ull);
    EXPECT_EQ(reg(SEED_REG_TELEM_ADDR_LO), 0x34567840u);
    EXPECT_EQ(reg(SEED_REG_TELEM_ADDR_HI), 0x12u);
    chip_->reset();
    EXPECT_EQ(reg(SEED_REG_TELEM_ADDR_LO), 0u);
    EXPECT_EQ(reg(SEED_REG_TELEM_ADDR_HI), 0u);
}

TEST_F(TelemetryDeviceTest, PowerLimitIsWritableAndSurvivesAReset) {
    ASSERT_NE(reg(SEED_REG_CAPS) & SEED_CAP_POWER_LIMIT, 0u);
    EXPECT_EQ(reg(SEED_REG_POWER_LIMIT), 300000u);
    reg(SEED_REG_POWER_LIMIT, 150000);
    EXPECT_EQ(reg(SEED_REG_POWER_LIMIT), 150000u);
    chip_->reset();
    EXPECT_EQ(reg(SEED_REG_POWER_LIMIT), 150000u);
}

TEST_F(TelemetryDeviceTest, BusyTimeIsMeasured) {
    const uint64_t before = busy_total();
    run_ok({fill(kHbm, 4 * SEED_PAGE_SIZE * 256, 0x0102030405060708, 8),
            fill(kHost, 4 * SEED_PAGE_SIZE, 0xab, 1)});
    const uint64_t after = busy_total();
    EXPECT_GT(after, before);
    // Idle: busy time stays put while the clock runs on.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(busy_total(), after);
    // Engines beyond the device's count read 0.
    for (unsigned e = 2; e < SEED_MAX_ENGINES; ++e)
        EXPECT_EQ(reg(SEED_REG_ENGINE_BUSY_LO(e)), 0u);
}

TEST_F(TelemetryDeviceTest, ComputeCountsBusyTime) {
    // A 64x64 f32 GEMM from HBM to HBM.
    seed_gemm_desc d{};
    d.a = kHbm;
    d.b = kHbm + 64 * 64 * 4;
    d.c = kHbm + 2 * 64 * 64 * 4;
    d.m = d.n = d.k = 64;
    d.lda = d.ldb = d.ldc = 64;
    const float one = 1.0f;
    std::memcpy(&d.alpha, &one, sizeof(one));
    d.dtype = SEED_DT_F32;
    d.out_dtype = SEED_DT_F32;
    mem_->store(host_ + 1024, d);
    const uint64_t before = busy_total();
    run_ok({compute(SEED_OP_GEMM, kHost + 1024)});
    const uint64_t after = busy_total();
    EXPECT_GT(after, before);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(busy_total(), after);
}

TEST_F(TelemetryDeviceTest, Snapshot) {
    run_ok({fill(kHbm, 64 * SEED_PAGE_SIZE, 0x55, 1)});
    const uint64_t buf = mem_->alloc(sizeof(seed_telemetry), SEED_TELEM_ALIGN);
    reg64(SEED_REG_TELEM_ADDR_LO, buf);
    const uint64_t c0 = reg(SEED_REG_CLOCK_LO) | (uint64_t{reg(SEED_REG_CLOCK_HI)} << 32);
    reg(SEED_REG_TELEM_SEQ, 77);
    const auto s = mem_->load<seed_telemetry>(buf);
    const uint64_t c1 = reg(SEED_REG_CLOCK_LO) | (uint64_t{reg(SEED_REG_CLOCK_HI)} << 32);
    EXPECT_EQ(s.seq, 77u);
    EXPECT_GE(s.clock_ns, c0);
    EXPECT_LE(s.clock_ns, c1);
    EXPECT_EQ(s.engines, 2u);
    EXPECT_EQ(s.hbm_clk_mhz, 1600u);
    EXPECT_GT(s.engine_busy_ns[0] + s.engine_busy_ns[1], 0u);
    for (unsigned e = 0; e < 2; ++e) {
        const uint64_t lo = reg(SEED_REG_ENGINE_BUSY_LO(e));
        EXPECT_EQ(s.engine_busy_ns[e], lo | (uint64_t{reg(SEED_REG_ENGINE_BUSY_HI(e))} << 32));
    }
    EXPECT_GE(static_cast<int32_t>(s.temp_mc), 41000);
    EXPECT_GE(s.power_mw, 40000u);
    // Not 64-byte aligned: ignored.
    reg64(SEED_REG_TELEM_ADDR_LO, buf + 4);
    reg(SEED_REG_TELEM_SEQ, 78);
    EXPECT_EQ(mem_->load<seed_telemetry>(buf).seq, 77u);
}

} // namespace
} // namespace seed::device
