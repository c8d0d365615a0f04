// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// SeedChip: config space layout, BAR0 register file, MSI-X BAR and interrupt
// plumbing of the device.
#include "seedchip.h"

#include "log.h"
#include "vfio_user/protocol.h"

#include <hw/seed_hw.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace seed::device {
namespace {

using namespace vfio_user;

// Reset values of the identity block.
constexpr uint32_t kFwVersion = 0x01000000; // 1.0.0
constexpr uint32_t kCaps = SEED_CAP_MMU | SEED_CAP_GEMM | SEED_CAP_ELEMENTWISE | SEED_CAP_REDUCE |
                           SEED_CAP_TELEMETRY | SEED_CAP_POWER_LIMIT | SEED_CAP_HBM_COPY;
constexpr uint32_t kDtypes =
    SEED_DTYPE_F32 | SEED_DTYPE_F16 | SEED_DTYPE_BF16 | SEED_DTYPE_I8 | SEED_DTYPE_I32;

constexpr uint32_t kMsixTableSize = 16 * SEED_MSIX_VECTORS;
constexpr uint32_t kMsixPbaSize = 8 * ((SEED_MSIX_VECTORS + 63) / 64);

static_assert(SEED_FW_MAJOR(kFwVersion) == 1 && SEED_FW_MINOR(kFwVersion) == 0 &&
              SEED_FW_PATCH(kFwVersion) == 0);
static_assert(SEED_BAR_REGS + 1 < SEED_BAR_MSIX && SEED_BAR_MSIX + 1 < 6,
              "both BARs are 64-bit and take two slots");
static_assert((SEED_BAR_REGS_SIZE & (SEED_BAR_REGS_SIZE - 1)) == 0);
static_assert((SEED_BAR_MSIX_SIZE & (SEED_BAR_MSIX_SIZE - 1)) == 0);
static_assert(SEED_MSIX_TABLE_OFFSET + kMsixTableSize <= SEED_MSIX_PBA_OFFSET ||
                  SEED_MSIX_PBA_OFFSET + kMsixPbaSize <= SEED_MSIX_TABLE_OFFSET,
              "MSI-X table and PBA overlap");
static_assert(SEED_MSIX_TABLE_OFFSET + kMsixTableSize <= SEED_BAR_MSIX_SIZE);
static_assert(SEED_MSIX_PBA_OFFSET + kMsixPbaSize <= SEED_BAR_MSIX_SIZE,
              "QEMU refuses a PBA outside its BAR");
static_assert(SEED_MSIX_VECTORS <= 2048);
static_assert(SEED_UUID_BYTES == sizeof(Uuid::bytes));

uint32_t load_le32(const uint8_t* p) {
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

void store_le32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}

bool is_identity_register(uint32_t offset) {
    return offset <= SEED_REG_PAGE_SIZES || offset == SEED_REG_MMU_INFO ||
           (offset >= SEED_REG_UUID(0) && offset < SEED_REG_SERIAL(0) + SEED_SERIAL_BYTES);
}

} // namespace

pci::ConfigSpace SeedChip::make_config_space() {
    pci::ConfigSpace cs;
    pci::Identity id;
    id.vendor_id = SEED_PCI_VENDOR_ID;
    id.device_id = SEED_PCI_DEVICE_ID;
    id.subsystem_vendor_id = SEED_PCI_SUBSYS_VENDOR_ID;
    id.subsystem_id = SEED_PCI_SUBSYS_ID;
    id.revision = SEED_PCI_REVISION;
    id.class_code = SEED_PCI_CLASS;
    id.interrupt_pin = 0; // MSI-X only
    cs.set_identity(id);
    cs.set_bar(SEED_BAR_REGS, SEED_BAR_REGS_SIZE, pci::BarType::kMem64, false);
    cs.set_bar(SEED_BAR_MSIX, SEED_BAR_MSIX_SIZE, pci::BarType::kMem64, false);
    cs.add_pm_capability();
    cs.add_msix_capability(SEED_MSIX_VECTORS, SEED_BAR_MSIX, SEED_MSIX_TABLE_OFFSET, SEED_BAR_MSIX,
                           SEED_MSIX_PBA_OFFSET);
    cs.add_express_capability(pci::ExpressLink{4, 16}); // Gen4 x16
    cs.add_aer_capability();
    return cs;
}

std::unique_ptr<SeedChip> SeedChip::create(const SeedChipConfig& config) {
    auto hbm = Hbm::create(config.hbm_size);
    if (!hbm)
        return nullptr;
    return std::unique_ptr<SeedChip>(new SeedChip(config, std::move(hbm)));
}

SeedChip::SeedChip(const SeedChipConfig& config, std::unique_ptr<Hbm> hbm)
    : config_(config), hbm_(std::move(hbm)), msix_(SEED_MSIX_VECTORS),
      mmu_(dma_, config_.hbm_size, config_.contexts), event_log_(dma_, msix_),
      engines_(std::max(1u, config_.engines)), crew_(engines_), telemetry_(dma_, engines_),
      hbm_copy_(dma_, *hbm_), config_space_(make_config_space()) {
    for (size_t i = 0; i < uuid_regs_.size(); ++i)
        uuid_regs_[i] = load_le32(&config_.uuid.bytes[4 * i]);
    uint8_t serial[SEED_SERIAL_BYTES] = {};
    std::memcpy(serial, config_.serial.data(),
                std::min<size_t>(config_.serial.size(), SEED_SERIAL_BYTES - 1));
    for (size_t i = 0; i < serial_regs_.size(); ++i)
        serial_regs_[i] = load_le32(&serial[4 * i]);
    dev_status_ = SEED_DEV_STATUS_READY;
    // Bus Master Enable is clear at power-on: no DMA and no interrupts yet.
    msix_.set_held(true);
    event_log_.set_held(true);
    telemetry_.set_held(true);
    hbm_copy_.set_held(true);
    const QueueDeps deps{dma_,  mmu_,   *hbm_,     msix_, event_log_,   engines_,
                         crew_, waits_, watchdog_, gate_, watchdog_ms_, kCaps};
    const unsigned queues = std::min<unsigned>(config_.queues, SEED_MAX_QUEUES);
    for (unsigned q = 0; q < queues; ++q)
        queues_.push_back(std::make_unique<Queue>(q, deps));
    // A failed event log or status block write makes the device FATAL. The
    // failing thread may hold any lock, so the timer thread does the work.
    event_log_.set_failure_handler([this] {
        watchdog_.arm(Watchdog::kDeviceSlot, Watchdog::Clock::now(),
                      [this] { enter_fatal(SEED_FATAL_NOTIFY_DMA); });
    });
}

SeedChip::~SeedChip() {
    if (reset_thread_.joinable())
        reset_thread_.join();
    {
        // A failed notification write may still arm enter_fatal(), which
        // walks queues_: make it a no-op before the queues go away.
        std::lock_guard guard(lock_);
        shutting_down_ = true;
    }
    watchdog_.disarm(Watchdog::kDeviceSlot); // waits for a running handler
    queues_.clear(); // joins the engine threads while everything they use exists
    watchdog_.disarm(Watchdog::kDeviceSlot);
}

void SeedChip::enter_fatal(uint32_t cause) {
    std::lock_guard guard(lock_);
    if (shutting_down_)
        return;
    if ((dev_status_ & (SEED_DEV_STATUS_FATAL | SEED_DEV_STATUS_RESETTING)) != 0)
        return;
    log::error("device entered FATAL, cause {}", cause);
    dev_status_ = SEED_DEV_STATUS_FATAL | (dev_status_ & SEED_DEV_STATUS_ECC_UE);
    fatal_cause_ = cause;
    event_log_.set_dev_status(dev_status_);
    for (auto& q : queues_)
        q->enter_fatal();
    if (cause != SEED_FATAL_NOTIFY_DMA) {
        seed_event ev{};
        ev.type = SEED_EVENT_DEVICE_FATAL;
        ev.error = SEED_ERR_FATAL;
        ev.queue = ev.context = ev.engine = SEED_EVENT_NONE16;
        ev.info = cause;
        if (cause == SEED_FATAL_INJECTED)
            ev.flags = SEED_EVENT_F_INJECTED;
        event_log_.post(ev);
    }
}

uint32_t SeedChip::region_count() const {
    return kPciNumRegions;
}

RegionInfo SeedChip::region_info(uint32_t index) const {
    if (index == SEED_BAR_REGS)
        return {kRegionFlagRead | kRegionFlagWrite, SEED_BAR_REGS_SIZE};
    if (index == SEED_BAR_MSIX)
        return {kRegionFlagRead | kRegionFlagWrite, SEED_BAR_MSIX_SIZE};
    if (index == kPciConfigRegionIndex)
        return {kRegionFlagRead | kRegionFlagWrite, pci::ConfigSpace::kSize};
    return {}; // unused BARs (upper halves included), ROM, VGA
}

uint32_t SeedChip::irq_count() const {
    return kPciNumIrqs;
}

IrqInfo SeedChip::irq_info(uint32_t index) const {
    switch (index) {
    case kPciMsixIrqIndex:
        // Not NORESIZE: QEMU then adds vectors one by one.
        return {kIrqInfoEventfd, SEED_MSIX_VECTORS};
    case kPciErrIrqIndex:
        return {kIrqInfoEventfd, 1};
    default:
        return {kIrqInfoEventfd, 0}; // no INTx (pin 0), no MSI, no request irq
    }
}

int SeedChip::region_read(uint32_t index, uint64_t offset, std::span<uint8_t> data) {
    if (index == kPciConfigRegionIndex) {
        std::lock_guard guard(lock_);
        if (removed()) // nothing answers: the root port completes with all-ones
            std::fill(data.begin(), data.end(), uint8_t{0xff});
        else
            config_space_.read(static_cast<uint32_t>(offset), data);
        return 0;
    }
    if (index == SEED_BAR_REGS)
        return bar_regs_access(offset, data, {});
    if (index == SEED_BAR_MSIX) {
        if (bars_dead())
            std::fill(data.begin(), data.end(), uint8_t{0xff});
        else
            msix_bar_read(offset, data);
        return 0;
    }
    return -EINVAL;
}

int SeedChip::region_write(uint32_t index, uint64_t offset, std::span<const uint8_t> data) {
    if (index == kPciConfigRegionIndex) {
        std::lock_guard guard(lock_);
        if (removed())
            return 0;
        config_space_.write(static_cast<uint32_t>(offset), data);
        update_bus_gate_locked(); // Bus Master Enable or the power state may have changed
        return 0;
    }
    if (index == SEED_BAR_REGS)
        return bar_regs_access(offset, {}, data);
    if (index == SEED_BAR_MSIX) {
        // The table is emulated by the client and the PBA is read-only.
        log::guest_error("write of {} bytes to MSI-X BAR offset {:#x} ignored", data.size(),
                         offset);
        return 0;
    }
    return -EINVAL;
}

int SeedChip::bar_regs_access(uint64_t offset, std::span<uint8_t> read_data,
                              std::span<const uint8_t> write_data) {
    const bool is_read = !read_data.empty();
    const size_t size = is_read ? read_data.size() : write_data.size();
    // Registers are 32 bits wide; a 64-bit access is taken as two dwords.
    if (offset % 4 != 0 || (size != 4 && size != 8)) {
        log::guest_error("BAR0 {} of {} bytes at {:#x} is not an aligned dword access; {}",
                         is_read ? "read" : "write", size, offset,
                         is_read ? "returning 0" : "ignored");
        if (is_read)
            std::fill(read_data.begin(), read_data.end(), 0);
        return 0;
    }
    if (bars_dead()) {
        if (is_read)
            std::fill(read_data.begin(), read_data.end(), uint8_t{0xff});
        return 0;
    }
    std::lock_guard guard(lock_);
    for (size_t i = 0; i < size; i += 4) {
        uint32_t reg = static_cast<uint32_t>(offset + i);
        if (is_read)
            store_le32(&read_data[i], read_register_locked(reg));
        else
            write_register_locked(reg, load_le32(&write_data[i]));
    }
    return 0;
}

void SeedChip::msix_bar_read(uint64_t offset, std::span<uint8_t> data) const {
    std::fill(data.begin(), data.end(), 0);
    const uint64_t pba_begin = SEED_MSIX_PBA_OFFSET;
    const uint64_t pba_end = pba_begin + msix_.pba_size();
    const uint64_t begin = std::max(offset, pba_begin);
    const uint64_t end = std::min(offset + data.size(), pba_end);
    if (begin < end)
        msix_.read_pba(begin - pba_begin, data.subspan(begin - offset, end - begin));
}

uint32_t SeedChip::read_register(uint32_t offset) {
    if (bars_dead())
        return 0xffffffffu;
    std::lock_guard guard(lock_);
    return read_register_locked(offset);
}

void SeedChip::write_register(uint32_t offset, uint32_t value) {
    if (bars_dead())
        return;
    std::lock_guard guard(lock_);
    write_register_locked(offset, value);
}

uint32_t SeedChip::read_register_locked(uint32_t offset) const {
    switch (offset) {
    case SEED_REG_MAGIC:
        return SEED_MAGIC;
    case SEED_REG_HW_REV:
        return SEED_HW_REV_V1_0;
    case SEED_REG_FW_VERSION:
        return kFwVersion;
    case SEED_REG_CAPS:
        return kCaps;
    case SEED_REG_HBM_SIZE_LO:
        return static_cast<uint32_t>(config_.hbm_size);
    case SEED_REG_HBM_SIZE_HI:
        return static_cast<uint32_t>(config_.hbm_size >> 32);
    case SEED_REG_QUEUE_INFO:
        return (config_.queues & 0xff) | ((config_.engines & 0xff) << 8);
    case SEED_REG_DTYPES:
        return kDtypes;
    case SEED_REG_PAGE_SIZES:
        return SEED_PAGE_SIZES_V1_0;
    case SEED_REG_MMU_INFO:
        return (SEED_MMU_INFO_V1_0 & ~0xffu) | (config_.contexts & 0xff);
    case SEED_REG_DEV_STATUS:
        return dev_status_;
    case SEED_REG_DEV_CTRL:
        // The reset bit reads 1 while a reset is in progress.
        return (dev_status_ & SEED_DEV_STATUS_RESETTING) != 0 ? SEED_DEV_CTRL_RESET : 0;
    case SEED_REG_WATCHDOG_MS:
        return watchdog_ms_.load();
    case SEED_REG_RESET_COUNT:
        return reset_count_;
    case SEED_REG_FATAL_CAUSE:
        return fatal_cause_;
    case SEED_REG_SCRATCH:
        return scratch_;
    case SEED_REG_IRQ_TEST:
        return 0; // write-only
    case SEED_REG_IRQ_TEST_COUNT:
        return irq_test_count_;
    default:
        break;
    }
    if (EventLog::owns_register(offset))
        return event_log_.read_register(offset);
    if (Mmu::owns_register(offset))
        return mmu_.read_register(offset);
    if (Telemetry::owns_register(offset))
        return telemetry_.read_register(offset);
    if (HbmCopy::owns_register(offset))
        return hbm_copy_.read_register(offset);
    if (Queue* q = queue_at(offset))
        return q->read_register((offset - SEED_REG_QUEUE_BLOCK) % SEED_QUEUE_BLOCK_STRIDE);
    if (offset >= SEED_REG_UUID(0) && offset < SEED_REG_UUID(0) + SEED_UUID_BYTES)
        return uuid_regs_[(offset - SEED_REG_UUID(0)) / 4];
    if (offset >= SEED_REG_SERIAL(0) && offset < SEED_REG_SERIAL(0) + SEED_SERIAL_BYTES)
        return serial_regs_[(offset - SEED_REG_SERIAL(0)) / 4];
    return 0; // undefined offsets read as 0
}

Queue* SeedChip::queue_at(uint32_t offset) const {
    if (offset < SEED_REG_QUEUE_BLOCK)
        return nullptr;
    const uint32_t q = (offset - SEED_REG_QUEUE_BLOCK) / SEED_QUEUE_BLOCK_STRIDE;
    return q < queues_.size() ? queues_[q].get() : nullptr;
}

void SeedChip::write_register_locked(uint32_t offset, uint32_t value) {
    if (EventLog::owns_register(offset)) {
        event_log_.write_register(offset, value);
        return;
    }
    if ((dev_status_ & SEED_DEV_STATUS_RESETTING) != 0) {
        log::guest_error("write {:#x} to {:#x} during device reset ignored", value, offset);
        return;
    }
    if (Mmu::owns_register(offset)) {
        TlbInvalidation done;
        if (mmu_.write_register(offset, value, &done))
            event_log_.tlb_invalidation_done(done.seq, done.irq);
        return;
    }
    if (Telemetry::owns_register(offset)) {
        telemetry_.write_register(offset, value);
        return;
    }
    if (HbmCopy::owns_register(offset)) {
        hbm_copy_.write_register(offset, value);
        return;
    }
    if (Queue* q = queue_at(offset)) {
        const uint32_t qreg = (offset - SEED_REG_QUEUE_BLOCK) % SEED_QUEUE_BLOCK_STRIDE;
        if ((dev_status_ & SEED_DEV_STATUS_FATAL) != 0 &&
            (qreg == SEED_QREG_DOORBELL || qreg == SEED_QREG_CTRL)) {
            log::guest_error("queue register {:#x} written while FATAL; ignored", offset);
            return;
        }
        q->write_register(qreg, value);
        return;
    }
    switch (offset) {
    case SEED_REG_DEV_CTRL:
        if ((value & SEED_DEV_CTRL_RESET) != 0) {
            log::info("device reset through DEV_CTRL");
            start_device_reset_locked();
        }
        return;
    case SEED_REG_WATCHDOG_MS:
        watchdog_ms_ = value;
        return;
    case SEED_REG_RESET_COUNT:
    case SEED_REG_FATAL_CAUSE:
        log::guest_error("write {:#x} to read-only register {:#x} ignored", value, offset);
        return;
    case SEED_REG_SCRATCH:
        scratch_ = value;
        return;
    case SEED_REG_IRQ_TEST:
        if (value >= SEED_MSIX_VECTORS) {
            log::guest_error("IRQ_TEST: vector {} out of range (device has {})", value,
                             SEED_MSIX_VECTORS);
            return;
        }
        ++irq_test_count_;
        if (!msix_.raise(value))
            log::debug("IRQ_TEST: vector {} has no eventfd; latched pending", value);
        return;
    case SEED_REG_DEV_STATUS:
    case SEED_REG_IRQ_TEST_COUNT:
        log::guest_error("write {:#x} to read-only register {:#x} ignored", value, offset);
        return;
    default:
        break;
    }
    if (is_identity_register(offset))
        log::guest_error("write {:#x} to read-only identity register {:#x} ignored", value, offset);
    else
        log::debug("write {:#x} to undefined register {:#x} ignored", value, offset);
}

void SeedChip::start_device_reset_locked() {
    if ((dev_status_ & SEED_DEV_STATUS_RESETTING) != 0)
        return; // a reset is already in progress
    dev_status_ = SEED_DEV_STATUS_RESETTING;
    event_log_.set_dev_status(dev_status_);
    // The previous reset thread has finished its work (it set READY under
    // lock_, which we hold now); join it before starting the next one.
    if (reset_thread_.joinable())
        reset_thread_.join();
    reset_thread_ = std::thread([this] { device_reset_thread(); });
}

void SeedChip::device_reset_thread() {
    quiesce_queues();
    std::lock_guard guard(lock_);
    finish_reset_locked(true);
}

void SeedChip::quiesce_queues() {
    for (auto& q : queues_)
        q->begin_device_reset();
    for (auto& q : queues_)
        q->finish_device_reset();
}

void SeedChip::finish_reset_locked(bool post_event) {
    // Pending invalidations complete: tlb_inv_done becomes the last SEQ written.
    const uint32_t inv_done = mmu_.reset();
    scratch_ = 0;
    irq_test_count_ = 0;
    watchdog_ms_ = 0;
    fatal_cause_ = SEED_FATAL_NONE;
    hbm_->clear_poison();
    telemetry_.reset();
    hbm_copy_.reset();
    ++reset_count_;
    dev_status_ = SEED_DEV_STATUS_READY;
    msix_.clear_pending();
    event_log_.reset_done(dev_status_, reset_count_, inv_done, post_event);
}

void SeedChip::reset() {
    // A bus reset completes before the DEVICE_RESET reply. A DEV_CTRL reset
    // in progress finishes first (both are started from this thread).
    std::thread previous;
    {
        std::lock_guard guard(lock_);
        if (removed()) {
            log::info("bus reset of a removed device: no effect");
            return;
        }
        previous = std::move(reset_thread_);
        dev_status_ = SEED_DEV_STATUS_RESETTING;
    }
    if (previous.joinable())
        previous.join();
    quiesce_queues();
    std::lock_guard guard(lock_);
    not_responding_ = false; // a bus reset recovers "not responding" (§13.6)
    config_space_.reset();
    event_log_.bus_reset();
    finish_reset_locked(false);
    update_bus_gate_locked(); // Bus Master Enable is clear again
    // Interrupt fds and DMA maps belong to the client and survive: QEMU sets
    // interrupts up again after the reset anyway.
}

void SeedChip::client_disconnected() {
    msix_.deassign_all();
    std::lock_guard guard(err_lock_);
    err_eventfd_.reset();
}

void SeedChip::update_bus_gate_locked() {
    // D3hot: the PCI power state (§2.4). No_Soft_Reset: nothing is lost,
    // work pauses where it is and continues in D0.
    const bool d3hot = config_space_.power_state() == pci::ConfigSpace::kD3hot;
    if (d3hot != d3hot_.load(std::memory_order_relaxed)) {
        d3hot_.store(d3hot, std::memory_order_relaxed);
        log::info("power state {}", d3hot ? "D3hot" : "D0");
    }
    const bool open =
        config_space_.bus_master_enabled() && !d3hot && !not_responding() && !removed();
    if (open == gate_.open())
        return;
    if (!open) {
        gate_.set_open(false);
        msix_.set_held(true);
        event_log_.set_held(true);
        telemetry_.set_held(true);
        hbm_copy_.set_held(true);
        return;
    }
    // Memory writes first, interrupts last, as the device would post them.
    gate_.set_open(true);
    event_log_.set_held(false);
    telemetry_.set_held(false);
    hbm_copy_.set_held(false);
    for (auto& q : queues_)
        q->bus_changed();
    msix_.set_held(false);
}

void SeedChip::set_not_responding(bool on) {
    std::lock_guard guard(lock_);
    not_responding_ = on;
    update_bus_gate_locked();
}

void SeedChip::unplug() {
    std::lock_guard guard(lock_);
    removed_ = true;
    update_bus_gate_locked(); // work in flight freezes and is abandoned
}

void SeedChip::replug() {
    std::thread previous;
    {
        std::lock_guard guard(lock_);
        previous = std::move(reset_thread_);
        dev_status_ = SEED_DEV_STATUS_RESETTING;
    }
    if (previous.joinable())
        previous.join();
    quiesce_queues(); // abandons the frozen work
    std::lock_guard guard(lock_);
    removed_ = false;
    not_responding_ = false;
    config_space_.reset();
    event_log_.bus_reset();
    hbm_->zero();
    telemetry_.power_on();
    finish_reset_locked(false);
    reset_count_ = 0;
    update_bus_gate_locked();
    log::info("device replugged in its power-on state");
}

void SeedChip::inject_fatal() {
    enter_fatal(SEED_FATAL_INJECTED);
}

void SeedChip::inject_ecc(bool uncorrectable, uint64_t addr) {
    seed_event ev{};
    ev.type = uncorrectable ? SEED_EVENT_ECC_UNCORRECTED : SEED_EVENT_ECC_CORRECTED;
    ev.flags = SEED_EVENT_F_INJECTED;
    ev.queue = ev.context = ev.engine = SEED_EVENT_NONE16;
    ev.addr = addr;
    std::lock_guard guard(lock_);
    if (uncorrectable) {
        ev.data = telemetry_.count_uncorrectable_error();
        hbm_->poison(addr);
        if ((dev_status_ & SEED_DEV_STATUS_ECC_UE) == 0) {
            dev_status_ |= SEED_DEV_STATUS_ECC_UE;
            event_log_.set_dev_status(dev_status_);
        }
    } else {
        ev.data = telemetry_.count_corrected_error();
    }
    event_log_.post(ev);
}

SeedChip::FaultView SeedChip::fault_view() {
    FaultView v;
    const seed_telemetry t = telemetry_.sample();
    v.temp_mc = t.temp_mc;
    v.power_mw = t.power_mw;
    v.ecc_ce = t.ecc_ce;
    v.ecc_ue = t.ecc_ue;
    v.evlog = event_log_.enabled();
    std::lock_guard guard(lock_);
    v.dev_status = dev_status_;
    v.reset_count = reset_count_;
    v.poisoned_pages = hbm_->poisoned_pages();
    for (auto& q : queues_) {
        const uint32_t st = q->state();
        if (st != SEED_QUEUE_STATE_DISABLED && st != SEED_QUEUE_STATE_RESETTING)
            ++v.queues_enabled;
    }
    return v;
}

bool SeedChip::err_irq_assigned() const {
    std::lock_guard guard(err_lock_);
    return err_eventfd_.valid();
}

int SeedChip::set_irqs(IrqSet& set) {
    if ((set.flags & (kIrqSetActionMask | kIrqSetActionUnmask)) != 0)
        return 0; // MSI-X masking lives in the client's emulated table
    if (set.index == kPciMsixIrqIndex)
        return set_msix_irqs(set);
    if (set.index == kPciErrIrqIndex)
        return set_err_irq(set);
    // INTx, MSI and REQ have no vectors: only "disable all" gets here.
    return 0;
}

int SeedChip::set_msix_irqs(IrqSet& set) {
    const uint32_t data = set.flags & kIrqSetDataTypeMask;
    if (data == kIrqSetDataEventfd) {
        if (set.fds.empty())
            return msix_.deassign(set.start, set.count);
        return msix_.assign(set.start, set.fds);
    }
    if (set.count == 0) {
        msix_.deassign_all();
        return 0;
    }
    for (uint32_t i = 0; i < set.count; ++i) {
        if (data == kIrqSetDataNone || set.bools[i] != 0)
            msix_.raise(set.start + i);
    }
    return 0;
}

int SeedChip::set_err_irq(IrqSet& set) {
    const uint32_t data = set.flags & kIrqSetDataTypeMask;
    std::lock_guard guard(err_lock_);
    if (data == kIrqSetDataEventfd) {
        err_eventfd_ = set.fds.empty() ? UniqueFd() : std::move(set.fds[0]);
        return 0;
    }
    if (set.count == 0) {
        err_eventfd_.reset();
        return 0;
    }
    if ((data == kIrqSetDataNone || set.bools[0] != 0) && err_eventfd_.valid()) {
        uint64_t one = 1;
        if (::write(err_eventfd_.get(), &one, sizeof(one)) < 0)
            log::warn("signalling the error interrupt failed: {}", std::strerror(errno));
    }
    return 0;
}

} // namespace seed::device
