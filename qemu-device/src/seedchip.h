// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// SeedChip: the device. Owns the PCI config space, the BAR0 register file
// (include/hw/seed_hw.h), MSI-X, the DMA map table and the HBM, and presents
// them to the vfio-user server as regions and interrupts.
#pragma once

#include "bus_gate.h"
#include "dma.h"
#include "engine_crew.h"
#include "engine_pool.h"
#include "event_log.h"
#include "hbm.h"
#include "hbm_copy.h"
#include "mmu.h"
#include "msix.h"
#include "pci/config_space.h"
#include "queue.h"
#include "telemetry.h"
#include "unique_fd.h"
#include "uuid.h"
#include "vfio_user/backend.h"
#include "wait_hub.h"
#include "watchdog.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace seed::device {

struct SeedChipConfig {
    uint64_t hbm_size = 0;
    unsigned queues = 0;                   ///< 1..SEED_MAX_QUEUES
    unsigned engines = 0;                  ///< 1..255
    unsigned contexts = SEED_MAX_CONTEXTS; ///< MMU contexts, 2..SEED_MAX_CONTEXTS
    Uuid uuid;
    std::string serial; ///< at most SEED_SERIAL_BYTES - 1 characters
};

class SeedChip final : public vfio_user::Backend {
public:
    /// Returns nullptr (and logs) if the HBM backing cannot be reserved.
    static std::unique_ptr<SeedChip> create(const SeedChipConfig& config);
    /// The config space layout every SeedChip starts with.
    static pci::ConfigSpace make_config_space();

    ~SeedChip() override;
    SeedChip(const SeedChip&) = delete;
    SeedChip& operator=(const SeedChip&) = delete;

    // vfio_user::Backend
    uint32_t region_count() const override;
    vfio_user::RegionInfo region_info(uint32_t index) const override;
    uint32_t irq_count() const override;
    vfio_user::IrqInfo irq_info(uint32_t index) const override;
    int region_read(uint32_t index, uint64_t offset, std::span<uint8_t> data) override;
    int region_write(uint32_t index, uint64_t offset, std::span<const uint8_t> data) override;
    int set_irqs(vfio_user::IrqSet& set) override;
    Dma& dma() override { return dma_; }
    void reset() override;
    void client_disconnected() override;

    /// BAR0 register access by dword offset (aligned); thread safe.
    uint32_t read_register(uint32_t offset);
    void write_register(uint32_t offset, uint32_t value);

    Msix& msix() { return msix_; }
    Mmu& mmu() { return mmu_; }
    Hbm& hbm() { return *hbm_; }
    const SeedChipConfig& config() const { return config_; }
    bool err_irq_assigned() const;

    // Fault injection (docs/hardware.md §16), for the FaultInjector only:
    // never reachable from the guest.
    unsigned queue_count() const { return static_cast<unsigned>(queues_.size()); }
    Queue& queue(unsigned q) { return *queues_[q]; }
    EnginePool& engines() { return engines_; }
    /// Enters FATAL with SEED_FATAL_INJECTED (§13.5).
    void inject_fatal();
    /// An HBM ECC error at @p addr (< hbm_size, §13.4). An uncorrectable one
    /// poisons the 4 KiB page and sets DEV_STATUS.ECC_UE.
    void inject_ecc(bool uncorrectable, uint64_t addr);
    /// "Not responding" (§13.6): BAR reads return all-ones, writes are dropped,
    /// work in flight is frozen (no DMA, no interrupts) until resume or a bus reset.
    void set_not_responding(bool on);
    bool not_responding() const { return not_responding_.load(std::memory_order_relaxed); }
    /// Surprise removal (§13.6): as not responding, and configuration reads
    /// return all-ones; no reset has any effect.
    void unplug();
    /// Leaves "removed" in the power-on state (§14.1, §16.3).
    void replug();
    bool removed() const { return removed_.load(std::memory_order_relaxed); }
    /// True while PMCSR selects D3hot (§2.4): BAR reads return all-ones,
    /// writes are dropped, work in flight pauses as with Bus Master Enable
    /// clear; everything is kept for D0.
    bool d3hot() const { return d3hot_.load(std::memory_order_relaxed); }
    /// True while the device may master the bus (§2.4).
    bool bus_open() const { return gate_.open(); }
    struct FaultView {
        uint32_t dev_status = 0;
        uint32_t reset_count = 0;
        unsigned queues_enabled = 0;
        bool evlog = false;
        uint32_t temp_mc = 0;
        uint32_t power_mw = 0;
        uint32_t ecc_ce = 0;
        uint32_t ecc_ue = 0;
        size_t poisoned_pages = 0;
    };
    FaultView fault_view();

private:
    SeedChip(const SeedChipConfig& config, std::unique_ptr<Hbm> hbm);

    int bar_regs_access(uint64_t offset, std::span<uint8_t> read_data,
                        std::span<const uint8_t> write_data);
    void msix_bar_read(uint64_t offset, std::span<uint8_t> data) const;
    int set_msix_irqs(vfio_user::IrqSet& set);
    int set_err_irq(vfio_user::IrqSet& set);
    uint32_t read_register_locked(uint32_t offset) const;
    void write_register_locked(uint32_t offset, uint32_t value);
    /// The queue owning BAR0 @p offset, or nullptr.
    Queue* queue_at(uint32_t offset) const;
    /// DEV_CTRL.RESET: starts the reset; the reset thread completes it.
    void start_device_reset_locked();
    void device_reset_thread();
    /// Aborts every queue and waits until none touches memory. lock_ not held.
    void quiesce_queues();
    /// Resets device state (§14.1) once the queues are quiet; bumps RESET_COUNT
    /// and reports completion (with a RESET_DONE event if @p post_event).
    void finish_reset_locked(bool post_event);
    /// Enters FATAL with @p cause (§13.5). Runs on the timer thread.
    void enter_fatal(uint32_t cause);
    /// Opens or closes the bus gate after Bus Master Enable, the power state,
    /// "not responding" or "removed" changed.
    void update_bus_gate_locked();
    /// BAR accesses are dropped (writes) or read all-ones.
    bool bars_dead() const { return not_responding() || removed() || d3hot(); }

    const SeedChipConfig config_;
    const std::unique_ptr<Hbm> hbm_;
    std::array<uint32_t, 4> uuid_regs_{};
    std::array<uint32_t, 8> serial_regs_{};
    Dma dma_;
    Msix msix_;
    Mmu mmu_;
    EventLog event_log_;
    EnginePool engines_;
    EngineCrew crew_; // borrowed engines' threads: outlives the queues
    WaitHub waits_;
    Watchdog watchdog_;
    BusGate gate_;                // closed until Bus Master Enable is set
    mutable Telemetry telemetry_; // reads latch and advance the model; own lock
    HbmCopy hbm_copy_;

    // Lock order: lock_, then a Queue's lock, then the Mmu's, EventLog's and
    // Msix's locks. Queue engine threads never take lock_.
    mutable std::mutex lock_; /* Protects config_space_, the registers below and reset_thread_ */
    pci::ConfigSpace config_space_;
    uint32_t dev_status_ = 0;
    uint32_t scratch_ = 0;
    uint32_t irq_test_count_ = 0;
    std::atomic<uint32_t> watchdog_ms_{0}; // read by the queues' engine threads
    uint32_t reset_count_ = 0;
    uint32_t fatal_cause_ = 0;
    std::thread reset_thread_;   // completes a DEV_CTRL reset
    bool shutting_down_ = false; // the destructor runs: no more FATAL entry
    // Fault injection: not responding and removed (§13.6). Poison lives in the Hbm.
    std::atomic<bool> not_responding_{false};
    std::atomic<bool> removed_{false};
    std::atomic<bool> d3hot_{false}; // mirrors PMCSR.PowerState == D3hot (config_space_)

    mutable std::mutex err_lock_; /* Protects err_eventfd_ */
    UniqueFd err_eventfd_;

    // Last: the queues' engine threads use everything above.
    std::vector<std::unique_ptr<Queue>> queues_;
};

} // namespace seed::device
